"""The waiting-room booklet: half-letter (or A5) pages, cover to back cover.

Page order: cover, contents (with real page numbers, one layout pass: see layouts/toc.py),
the sections with a running header and page numbers, lined "Notes" pages to
pad the count to a multiple of 4 (a folded sheet holds 4 pages; blank pages
look like printing errors), and a back cover with the clinic's contact,
disclaimer and review dates.  Each section is a PDF outline entry.

The bands and furniture are measured from the theme, not fixed: the cover
and back-cover bands grow to hold the clinic's name and address, the
running header and footer are as tall as their text, and the cover picture
gets the room the cover text leaves (at most 200 pt at standard size).  In
the standard edition these come out at the sizes of the original design
(120 pt cover band, 30 pt header and footer bands); in large print
(``theme.pt`` scales by 18/13) everything grows with the type.
"""

from __future__ import annotations

import io
from typing import Optional

from reportlab.platypus import (
    ActionFlowable, CondPageBreak, Flowable, Frame, KeepInFrame, KeepTogether, NextPageTemplate, PageBreak,
    PageTemplate, Paragraph, Spacer,
)

from handoutkit.content.model import Section
from layouts import RenderedPdf, RenderJob
from layouts import common
from layouts.toc import OnePassContents

MARGIN = 36.0
COVER_PICTURE = 200.0  # largest cover picture height at standard size


class PadToMultiple(Flowable):
    """Story marker: where the notes pages go.  Handled by :class:`BookletDoc`."""

    def wrap(self, available_width, available_height):
        return 0, 0


class BookletDoc(common.HandoutDoc):
    """Adds the running header state and the notes-page padding."""

    def __init__(self, *args, notes_pages_factory, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.running_title = ""
        self.top_title = ""
        self.opens_with_heading: bool | None = None
        self.opening_title = ""
        self.notes_pages_factory = notes_pages_factory
        self.notes_added = 0
        self.last_used = 0.0  # height used on the last content page (before the notes)
        self.last_page = 0
        self.part_pages: dict[int, int] = {}  # part-opening heading (index in reading order) -> page
        self.page_used: dict[int, float] = {}  # page -> height its content used in the frame
        self.part_tops: dict[int, float] = {}  # part -> height used on its page above its heading
        self._contents: list = []  # OnePassContents flowables of the story

    def handle_flowable(self, flowables):
        if flowables and isinstance(flowables[0], PadToMultiple):
            del flowables[0]
            frame = self.frame
            self.last_used = frame._y2 - frame._y - frame._topPadding
            self.last_page = self.page
            # The back cover follows on its own page: pad so that
            # (this page + notes + back cover) is a multiple of 4.
            self.notes_added = (-(self.page + 1)) % 4
            flowables[0:0] = self.notes_pages_factory(self.notes_added)
            return
        super().handle_flowable(flowables)

    def handle_pageEnd(self):
        frame = self.frame
        self.page_used[self.page] = frame._y2 - frame._y - frame._topPadding
        super().handle_pageEnd()

    def _endBuild(self):
        # After the last page, before the file is written: the contents
        # page's numbers (see layouts.toc), now that every heading is placed.
        self._doSave = 0
        super()._endBuild()
        for contents in self._contents:
            contents.finish(self.canv)
        self.canv.save()

    def handle_pageBegin(self):
        # The running header names the section in effect at the top of the
        # page, unless the page opens with a new section's heading.
        self.top_title = self.running_title
        self.opens_with_heading = None
        super().handle_pageBegin()

    def afterFlowable(self, flowable):
        running = getattr(flowable, "_running_title", None)
        if self.opens_with_heading is None and not isinstance(flowable, (Spacer, ActionFlowable)):
            self.opens_with_heading = running is not None
            self.opening_title = running  # the page's first heading names it, not its last
        if running is not None:
            self.running_title = running
        part = getattr(flowable, "_part", None)
        if part is not None:
            self.part_pages[part] = self.page
            frame = self.frame  # how far down its page the part's heading starts
            self.part_tops[part] = frame._y2 - frame._topPadding - (frame._y + getattr(flowable, "height", 0))
        super().afterFlowable(flowable)

    @property
    def header_title(self) -> str:
        if self.opens_with_heading:
            return self.opening_title
        return self.top_title or self.running_title


BALANCE = 0.3  # a last content page filled less than this pulls its last part over (see render)


def render(job: RenderJob, break_before: Optional[int] = None) -> RenderedPdf:
    """Lay out the booklet.

    When the last content page comes out nearly empty (under :data:`BALANCE`
    of its frame) and the last part-opening heading on it (a section's, or
    "About this booklet") started on the page before, the booklet is laid out
    once more with that part starting a new page (``break_before``, the
    heading's index in reading order): a page with a bullet and a box becomes
    a page with the whole last section.  The second layout is kept only when
    its last page is fuller.
    """
    theme = job.theme
    pt = theme.pt
    width, height = theme.booklet_size
    frame_width = width - 2 * MARGIN
    buffer = io.BytesIO()
    # Running header: its text starts 2 pt above the margin line, a rule under it,
    # then the body frame (30 pt from the margin at standard size).
    furniture = theme.style("small_bold").leading
    header_top = height - MARGIN + 2
    header_rule = header_top - furniture - pt(8.4)
    body_top = header_rule - pt(8)
    # Footer: the text's bottom stays 1.6 pt into the margin, the rule and frame sit above it.
    footer_top = MARGIN - 1.6 + theme.style("small").leading
    footer_rule = footer_top + pt(4)
    body_bottom = footer_rule + pt(6)
    cover = _CoverBand(theme, width, height)
    back = _BackBand(theme, width)

    def notes_pages(count: int) -> list:
        pages = []
        for _ in range(count):
            heading, intro = notes_heading(theme)
            pages += [NextPageTemplate("notes"), PageBreak(), heading, intro]
        return pages + [NextPageTemplate("back"), PageBreak()]

    doc = BookletDoc(buffer, job, (width, height), notes_pages_factory=notes_pages)
    body_frame = Frame(MARGIN, body_bottom, frame_width, body_top - body_bottom,
                       id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    cover_frame = Frame(MARGIN, MARGIN, frame_width, height - 2 * MARGIN - cover.height, id="cover",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    back_bottom = back.height + pt(16)
    back_frame = Frame(MARGIN, back_bottom, frame_width, height - MARGIN - back_bottom, id="back",
                       leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def draw_cover(canvas, doc_):
        canvas.saveState()
        cover.draw(canvas)
        canvas.restoreState()

    furniture: dict = {}  # running heads and footers repeat: each distinct one is wrapped once

    def draw_running(canvas, doc_):
        canvas.saveState()
        page = doc_.page
        canvas.setStrokeColor(theme.color("primary"))
        canvas.setLineWidth(1.5)
        canvas.line(MARGIN, header_rule, width - MARGIN, header_rule)
        common.draw_para(canvas, theme, doc_.header_title or job.title, "small_bold", MARGIN,
                         header_top, frame_width, memo=furniture)
        canvas.line(MARGIN, footer_rule, width - MARGIN, footer_rule)
        # Page numbers sit on the outer edge: right on odd (recto) pages, left on even.
        number = theme.style("small_bold")
        label = theme.labels.number(page)
        from reportlab.pdfbase.pdfmetrics import stringWidth

        label_w = stringWidth(label, number.fontName, number.fontSize)
        name = str(theme.brand.phone)
        if page % 2:
            common.draw_para(canvas, theme, name, "small", MARGIN, footer_top, frame_width - pt(40),
                             memo=furniture)
            num_x = width - MARGIN - label_w
        else:
            name_w = stringWidth(name, theme.style("small").fontName, theme.style("small").fontSize)
            common.draw_para(canvas, theme, name, "small", width - MARGIN - name_w - 1, footer_top, name_w + 2,
                             memo=furniture)
            num_x = MARGIN
        common.draw_para(canvas, theme, label, "small_bold", num_x, footer_top, label_w + 2, memo=furniture)
        canvas.restoreState()

    def draw_notes(canvas, doc_):
        draw_running(canvas, doc_)
        canvas.saveState()
        canvas.setStrokeColor(theme.color("text"))
        canvas.setLineWidth(0.6)
        # The writing lines start under the heading and its one-line prompt
        # (110 pt below the frame top at standard size), one every 26 pt.
        heading, intro = notes_heading(theme)
        written = common.list_height([heading, intro], frame_width)
        y = body_top - max(pt(110), written + pt(26))
        while y > body_bottom + pt(16):
            canvas.line(MARGIN, y, width - MARGIN, y)
            y -= pt(26)
        canvas.restoreState()

    def draw_back(canvas, doc_):
        canvas.saveState()
        back.draw(canvas)
        canvas.restoreState()

    doc.addPageTemplates([
        PageTemplate("cover", [cover_frame], onPage=draw_cover),
        PageTemplate("body", [body_frame], onPageEnd=draw_running),
        PageTemplate("notes", [body_frame], onPageEnd=draw_notes),
        PageTemplate("back", [back_frame], onPage=draw_back),
    ])

    story: list = []
    story += cover_story(job, frame_width, cover_frame._aH)
    story += [NextPageTemplate("body"), PageBreak()]
    story += contents_story(job)
    for ref in job.handout.sections:
        story += section_story(job, ref.section, ref.short, frame_width, body_frame._aH)
    about, back_cover = back_story(job, frame_width, back_frame._aH)
    story += about
    parts = [flow for flow in story if getattr(flow, "_running_title", None) is not None]
    for index, flow in enumerate(parts):
        flow._part = index
    if break_before is not None:
        at = story.index(parts[break_before])
        story[at:at] = [PageBreak()]
    story += [PadToMultiple()]
    story += back_cover
    # One layout pass: the contents page's rows are known up front and its
    # page numbers are drawn after the last page (layouts.toc).
    doc._contents = [flowable for flowable in story if isinstance(flowable, OnePassContents)]
    doc._indexingFlowables = list(doc._contents)  # they hear the headings' TOCEntry notifications
    data = common.build_pdf(doc, story)
    pages = doc.page_count
    note = theme.labels.count("notes_pages", doc.notes_added) if doc.notes_added else None
    result = RenderedPdf(data=data, pages=pages, page_size=(width, height), note=note, frames=doc.page_frames,
                         font_sizes=doc.font_sizes)
    result.last_used = doc.last_used
    result.before_last_used = doc.page_used.get(doc.last_page - 1, 0.0)
    least = BALANCE * body_frame._aH
    if break_before is None and doc.last_used < least:
        # The last part-opening heading that began before the last content page:
        # moved to a new page, would it leave both pages filled?  Estimated from
        # this layout, so the booklet is laid out again only when it will help.
        # (The page before is held to the page-fill rule, text over 30 % of the
        # page height; used frame height overstates text by its spacing, hence 35 %.)
        earlier = [part for part, page in doc.part_pages.items() if page == doc.last_page - 1]
        if earlier and max(earlier) > 0:
            part = max(earlier)
            stays = doc.part_tops[part]
            moves = doc.page_used.get(doc.last_page - 1, 0.0) - stays + doc.last_used
            if stays >= 0.35 * height and doc.last_used < moves <= body_frame._aH:
                again = render(job, break_before=part)
                if again.last_used > doc.last_used and again.before_last_used >= 0.35 * height:
                    return again
    return result


def notes_heading(theme) -> tuple[Flowable, Flowable]:
    """The heading and prompt at the top of a notes page."""
    labels = theme.labels
    heading = common.para(theme, labels["notes_heading"], "h1")
    heading._running_title = labels["notes_heading"]
    return heading, common.para(theme, labels["notes_prompt"], "body")


def cover_story(job: RenderJob, width: float, room: float) -> list:
    """Title, subtitle, picture and "Patient information" in a frame ``room`` tall.

    The picture gets what the text leaves, up to :data:`COVER_PICTURE` (scaled).
    """
    theme, topic = job.theme, job.topic
    pt = theme.pt
    story: list = [Spacer(1, pt(18)), common.sourced(common.para(theme, job.title, "title"), topic.title.where,
                                                    "title")]
    if topic.subtitle:
        story.append(common.para(theme, topic.subtitle, "subtitle"))
    tail = [Spacer(1, pt(12)), common.para(theme, theme.labels["cover_kicker"], "h3")]
    if topic.cover_image:
        text = common.list_height(story + [Spacer(1, pt(10))] + tail, width)
        # A little slack for rounding; below 72 pt the picture stays 72 pt and the
        # cover reports that it does not fit rather than printing a postage stamp.
        picture_height = max(pt(72), min(pt(COVER_PICTURE), room - text - 1))
        story += [Spacer(1, pt(10)), common.picture(topic.cover_image, width, picture_height, theme=theme)]
    else:
        story = _designed_cover(job, width, room, tail)
        return [common.sourced(one_page(story, "cover"), topic.where, "cover")]
    story += tail
    return [common.sourced(one_page(story, "cover"), topic.where, "cover")]


def _designed_cover(job: RenderJob, width: float, room: float, tail: list) -> list:
    """A cover without a picture: a larger title over an accent rule, then what is inside.

    The sections the booklet holds are listed in a tinted panel (their short
    titles, as on the contents page), and "Patient information" sits at the
    foot of the frame, so the page reads as designed rather than unfinished.
    When the list would not fit, the names run on in one paragraph.
    """
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    theme, topic = job.theme, job.topic
    pt = theme.pt
    base = theme.style("title")
    big = ParagraphStyle("cover-title", parent=base, fontSize=round(base.fontSize * 1.2, 1),
                         leading=round(base.fontSize * 1.2 * 1.1, 1))
    head: list = [Spacer(1, pt(12)), common.sourced(Paragraph(theme.markup(job.title), big), topic.title.where,
                                                    "title")]
    rule = Table([[""]], colWidths=[width * 0.35], rowHeights=[pt(5)])
    rule.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), theme.color("accent"))]))
    rule.hAlign = "LEFT"
    rule.spaceBefore, rule.spaceAfter = pt(4), pt(12)
    head.append(rule)
    if topic.subtitle:
        head.append(common.para(theme, topic.subtitle, "subtitle"))
    labels = [str(ref.section.label) for ref in job.handout.sections]
    fixed = common.list_height(head + tail, width) + 2  # 2 pt of slack for rounding

    def panel(items: list[str]) -> Table:  # "In this booklet" over the section names
        inner = [common.para(theme, theme.labels["cover_inside"], "h3"), common.bullets(theme, items)]
        table = Table([[inner]], colWidths=[width])
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), theme.color("tint")),
            ("LINEBEFORE", (0, 0), (0, -1), pt(4), theme.color("primary")),
            ("LEFTPADDING", (0, 0), (-1, -1), pt(10)), ("RIGHTPADDING", (0, 0), (-1, -1), pt(8)),
            ("TOPPADDING", (0, 0), (-1, -1), pt(6)), ("BOTTOMPADDING", (0, 0), (-1, -1), pt(4)),
        ]))
        table.spaceBefore = pt(14)
        return table

    # The sections as a list when it fits, else as one run-on line, else left out:
    # never a list cut short.
    body = head
    for candidate in (panel(labels), panel([" · ".join(labels)])):
        if common.list_height([candidate], width) <= room - fixed:
            body = head + [candidate]
            break
    used = common.list_height(body + tail, width)
    return body + [Spacer(1, max(0.0, room - used - 2))] + tail


def one_page(story: list, name: str) -> Flowable:
    """Content that must fit its one page (cover, back cover): an error, never a split or a shrink."""
    return KeepInFrame(0, 0, story, mode="error", name=name)


def contents_story(job: RenderJob) -> list:
    theme = job.theme
    entries = [(0, str(ref.section.label), f"section-{ref.section.id}") for ref in job.handout.sections]
    toc = OnePassContents(entries, dotsMinLevel=0)
    toc.levelStyles = [theme.style("toc")]
    if theme.large_print:
        # Entries one line pitch apart (the table's default 3 pt above and
        # below each is what pushes the review note off a half-letter page).
        from reportlab.platypus import TableStyle

        toc.tableStyle = TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                     ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                                     ("VALIGN", (0, 0), (-1, -1), "TOP")])
    heading = common.para(theme, theme.labels["contents_heading"], "h1")
    heading._running_title = theme.labels["contents_running"]
    note = common.para(theme, job.topic.review_note, "small")
    return [heading, toc, Spacer(1, theme.pt(10)), note, PageBreak()]


def section_story(job: RenderJob, section: Section, short: bool, width: float, page_height: float) -> list:
    theme = job.theme
    key = f"section-{section.id}"
    heading = common.para(theme, section.title, "h1")
    heading._running_title = str(section.label)
    heading = common.bookmark(heading, str(section.label), key)
    common.sourced(heading, section.where, f"section {section.id}")
    story: list = [CondPageBreak(theme.pt(150)), heading]
    if short:
        story.append(common.para(theme, section.summary or "", "body"))
        return story
    if section.kind == "red_flags":
        # Right under its heading the box needs no band repeating the same words.
        # Heading, lead-in and box stay on one page when they fit an empty one;
        # otherwise the box starts where it is and breaks between urgency groups.
        box = common.red_flag_box(theme, section, width, titled=False)
        lead = [heading] + common.blocks_flowables(theme, section.blocks, width)
        return [story[0], common.sourced(HeadedBlock(lead, box, page_height), section.where,
                                         f"section {section.id}")]
    for flow in common.blocks_flowables(theme, section.blocks, width):
        story.append(common.sourced(flow, section.where, f"section {section.id}"))
    if section.kind == "exercises":
        for number, exercise in enumerate(section.exercises, 1):
            # Large print only: a card taller than the page breaks between its rows
            # (at 18 pt on a half-letter page some must); otherwise that is a FitError.
            story.append(common.exercise_card(theme, exercise, width, number=number, picture_width=theme.pt(88),
                                              max_height=page_height if theme.large_print else None))
    if section.kind == "habits":
        for group in section.groups:
            # One unit per habit (its line and its explanation never part); the
            # group's title goes with the first.
            units = []
            for habit in group.habits:
                unit = [common.para(theme, habit.text, "term")]
                if habit.detail:
                    unit.append(common.para(theme, habit.detail, "term_text"))
                units.append(unit)
            units[0].insert(0, common.para(theme, group.title, "h3"))
            story += [common.sourced(KeepTogether(unit), section.where, f"section {section.id}") for unit in units]
    return story


def _no_widows(paragraph: Paragraph) -> Paragraph:
    """The paragraph with widow and orphan control: never one line alone at a page's top or foot."""
    from reportlab.lib.styles import ParagraphStyle

    paragraph.style = ParagraphStyle(paragraph.style.name + "-kept", parent=paragraph.style, allowWidows=0,
                                     allowOrphans=0)
    return paragraph


class HeadedBlock(Flowable):
    """A heading and its lead-in paragraphs over a box that should not break (the red-flag box).

    Where the whole fits, it is placed whole.  Where it does not fit the rest
    of a page:

    * when that page is still mostly empty (under 40 % used), the heading and
      lead-in go here and the box, kept whole, starts the next page: moving
      everything would leave a page with a few lines on it;
    * otherwise everything moves to the next page, together;
    * a box taller than an empty page starts right here and breaks between its
      rows (urgency groups), the heading kept with the lead-in.
    """

    # What makes the heading a contents entry, outline entry and running head.
    MARKS = ("_running_title", "_bookmark", "_part", "_handout_source")

    def __init__(self, lead: list[Flowable], box: Flowable, frame_height: float) -> None:
        super().__init__()
        self.lead, self.box, self.frame_height = lead, box, frame_height
        # Placed whole, this block is what the document sees: it carries the heading's
        # marks; split, the heading is placed on its own and gets them back (split()).
        self.marks = {name: getattr(lead[0], name) for name in self.MARKS if hasattr(lead[0], name)}
        for name in self.marks:
            delattr(lead[0], name)

    def __setattr__(self, name, value):
        if name == "_part" and "marks" in self.__dict__:  # set by render() after construction
            self.marks[name] = value
        super().__setattr__(name, value)

    def __getattr__(self, name):
        marks = self.__dict__.get("marks", {})
        if name in marks:
            return marks[name]
        raise AttributeError(name)

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = common.list_height(self.lead + [self.box], available_width)
        return self.width, self.height

    def split(self, available_width, available_height):
        for name, value in self.marks.items():
            setattr(self.lead[0], name, value)
        if self.height > self.frame_height:
            return self.lead + [self.box]
        used = self.frame_height - available_height
        if 0 < used < 0.4 * self.frame_height and common.list_height(self.lead, available_width) <= available_height:
            return self.lead + [KeepTogether([self.box])]
        return []

    def draw(self):
        y = self.height
        for index, flow in enumerate(self.lead + [self.box]):
            if index:
                y -= max(flow.getSpaceBefore(), previous.getSpaceAfter())
            _, h = flow.wrapOn(self.canv, self.width, 10_000_000)
            y -= h
            flow.drawOn(self.canv, 0, y)
            previous = flow


def back_story(job: RenderJob, width: float, room: float) -> tuple[list, list]:
    """The back matter: (pages before the notes, the back cover's frame).

    The disclaimer, review dates, review note and source sit above the back
    cover's band.  When they do not fit there (large print, or a long
    disclaimer or source), the disclaimer and source flow on after the last
    section under "About this booklet", and the back cover keeps the review
    dates and the review note, which it must always show: each is said once.
    """
    theme, topic, brand = job.theme, job.topic, job.theme.brand
    about_heading = theme.labels["about_heading"]
    items = [
        common.para(theme, about_heading, "h2"),
        common.para(theme, brand.disclaimer, "small"),
        common.para(theme, common.review_line(job), "small_bold"),
        common.para(theme, topic.review_note, "small"),
        common.para(theme, topic.source, "small"),
    ]
    about: list = []
    if common.list_height(items, width) > room:
        # It flows on from the last section (on its page when there is room, never
        # a page of its own for one line); the back cover keeps the review dates
        # and the review note.  Each thing is printed once.
        heading = common.para(theme, about_heading, "h1")
        heading._running_title = about_heading
        about = [CondPageBreak(theme.pt(150)), heading, _no_widows(items[1]), _no_widows(items[4])]
        items = [items[2], items[3]]
    back = one_page(items, "back cover")
    return about, [common.sourced(back, brand.where, "back cover")]


# ----------------------------------------------------------------------------- bands


class _CoverBand:
    """The cover's full-bleed colour band: logo, clinic name and tagline, measured before the build.

    At standard size: 120 pt tall, a 64 pt logo, the name's top 8 pt under
    the margin line and the tagline under it.  A name or tagline that wraps
    (large print) makes the band taller instead of running over its edge.
    """

    def __init__(self, theme, width: float, height: float) -> None:
        pt = theme.pt
        self.theme, self.width, self.page_height = theme, width, height
        brand = theme.brand
        self.logo = pt(64) if brand.logo else 0.0
        self.x = MARGIN + (self.logo + pt(12) if brand.logo else 0)
        text_width = width - self.x - MARGIN
        self.name = Paragraph(theme.markup(brand.name), theme.style("band"))
        self.tagline = Paragraph(theme.markup(brand.tagline), theme.style("band_small")) if brand.tagline else None
        self.name_top = MARGIN + pt(8)  # from the page top
        bottom = self.name_top + self.name.wrap(text_width, 10_000)[1]
        if self.tagline is not None:
            self.tagline_top = bottom + pt(6.8)
            bottom = self.tagline_top + self.tagline.wrap(text_width, 10_000)[1]
        self.height = max(pt(120), bottom + pt(20), MARGIN + self.logo + pt(20))

    def draw(self, canvas) -> None:
        theme, height = self.theme, self.page_height
        bleed = theme.bleed  # print-shop files: the band runs past the trim on its three outer edges
        canvas.setFillColor(theme.color("primary"))
        canvas.rect(0 - bleed, height - self.height, self.width + 2 * bleed, self.height + bleed, stroke=0, fill=1)
        if self.logo:
            common.draw_picture(canvas, theme.brand.logo, MARGIN, height - MARGIN - self.logo, self.logo, self.logo,
                                theme=theme)
        self.name.drawOn(canvas, self.x, height - self.name_top - self.name.height)
        if self.tagline is not None:
            self.tagline.drawOn(canvas, self.x, height - self.tagline_top - self.tagline.height)


class _BackBand:
    """The back cover's colour band: logo, then the clinic's name, address, phone and website.

    At standard size: 116 pt tall, a 56 pt logo beside the 12 pt lines.
    When a line has a word too long to sit beside the logo (a web address in
    large print), the logo goes above the lines instead, so no word is broken.
    """

    def __init__(self, theme, width: float) -> None:
        pt = theme.pt
        self.theme, self.width = theme, width
        brand = theme.brand
        self.logo = pt(56) if brand.logo else 0.0
        lines = [f"**{brand.name}**", str(brand.address), theme.labels.text("phone_line", phone=brand.phone)]
        if brand.website:
            lines.append(str(brand.website))
        self.lines = [Paragraph(theme.markup(line), theme.style("band_small")) for line in lines]
        full = width - 2 * MARGIN
        beside = full - (self.logo + pt(12) if self.logo else 0)
        self.stacked = bool(self.logo) and max(p.minWidth() for p in self.lines) > beside
        self.x = MARGIN if self.stacked or not self.logo else MARGIN + self.logo + pt(12)
        text_width = full if self.stacked else beside
        # The lines start 102 pt above the page edge (standard size) and run down;
        # more lines than fit above 27 pt push the start, and the band, up.
        self.text_top = max(pt(MARGIN + 66), pt(27) + sum(p.wrap(text_width, 10_000)[1] for p in self.lines))
        self.logo_y = self.text_top + pt(10) if self.stacked else pt(28)
        top = max(self.text_top, self.logo_y + self.logo if self.logo else 0)
        self.height = max(MARGIN + pt(80), top + pt(14))

    def draw(self, canvas) -> None:
        theme = self.theme
        bleed = theme.bleed  # print-shop files: the band runs past the trim on its three outer edges
        canvas.setFillColor(theme.color("primary"))
        canvas.rect(0 - bleed, 0 - bleed, self.width + 2 * bleed, self.height + bleed, stroke=0, fill=1)
        if self.logo:
            common.draw_picture(canvas, theme.brand.logo, MARGIN, self.logo_y, self.logo, self.logo,
                                theme=theme)
        top = self.text_top
        for line in self.lines:
            top -= line.height
            line.drawOn(canvas, self.x, top)
