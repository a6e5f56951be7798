"""The waiting-room booklet: half-letter (or A5) pages, cover to back cover.

Page order: cover, contents (with real page numbers, two reportlab passes),
the sections with a running header and page numbers, lined "Notes" pages to
pad the count to a multiple of 4 (a folded sheet holds 4 pages; blank pages
look like printing errors), and a back cover with the clinic's contact,
disclaimer and review dates.  Each section is a PDF outline entry.
"""

from __future__ import annotations

import io

from reportlab.platypus import (
    ActionFlowable, CondPageBreak, Flowable, Frame, KeepTogether, NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer,
)
from reportlab.platypus.tableofcontents import TableOfContents

from handoutkit.model import Section
from layouts import RenderedPdf, RenderJob
from layouts import common

MARGIN = 36.0
HEADER = 30.0  # running header band height
FOOTER = 30.0


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
        self.notes_pages_factory = notes_pages_factory
        self.notes_added = 0

    def handle_flowable(self, flowables):
        if flowables and isinstance(flowables[0], PadToMultiple):
            del flowables[0]
            # The back cover follows on its own page: pad so that
            # (this page + notes + back cover) is a multiple of 4.
            self.notes_added = (-(self.page + 1)) % 4
            flowables[0:0] = self.notes_pages_factory(self.notes_added)
            return
        super().handle_flowable(flowables)

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
        if running is not None:
            self.running_title = running
        super().afterFlowable(flowable)

    @property
    def header_title(self) -> str:
        return self.running_title if self.opens_with_heading or not self.top_title else self.top_title


def render(job: RenderJob) -> RenderedPdf:
    theme = job.theme
    width, height = theme.booklet_size
    frame_width = width - 2 * MARGIN
    buffer = io.BytesIO()

    def notes_pages(count: int) -> list:
        pages = []
        for _ in range(count):
            heading = common.para(theme, "Notes", "h1")
            heading._running_title = "Notes"
            pages += [NextPageTemplate("notes"), PageBreak(), heading,
                      common.para(theme, "Questions for your next visit, or how your back feels:", "body")]
        return pages + [NextPageTemplate("back"), PageBreak()]

    doc = BookletDoc(buffer, job, (width, height), notes_pages_factory=notes_pages)
    body_frame = Frame(MARGIN, MARGIN + FOOTER - 6, frame_width, height - 2 * MARGIN - HEADER - FOOTER + 6,
                       id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    cover_frame = Frame(MARGIN, MARGIN, frame_width, height - 2 * MARGIN - 120, id="cover",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    back_frame = Frame(MARGIN, MARGIN + 96, frame_width, height - 2 * MARGIN - 96, id="back",
                       leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def draw_cover(canvas, doc_):
        canvas.saveState()
        canvas.setFillColor(theme.color("primary"))
        canvas.rect(0, height - 120, width, 120, stroke=0, fill=1)
        x = MARGIN
        if theme.brand.logo:
            w, _ = common.draw_picture(canvas, theme.brand.logo, MARGIN, height - 100, 64, 64)
            x += w + 12
        common.draw_para(canvas, theme, theme.brand.name, "band", x, height - 44, width - x - MARGIN)
        if theme.brand.tagline:
            common.draw_para(canvas, theme, theme.brand.tagline, "band_small", x, height - 70, width - x - MARGIN)
        canvas.restoreState()

    def draw_running(canvas, doc_):
        canvas.saveState()
        page = doc_.page
        canvas.setStrokeColor(theme.color("primary"))
        canvas.setLineWidth(1.5)
        top_rule = height - MARGIN - HEADER + 8
        canvas.line(MARGIN, top_rule, width - MARGIN, top_rule)
        common.draw_para(canvas, theme, doc_.header_title or job.title, "small_bold", MARGIN,
                         height - MARGIN + 2, frame_width)
        canvas.line(MARGIN, MARGIN + FOOTER - 12, width - MARGIN, MARGIN + FOOTER - 12)
        # Page numbers sit on the outer edge: right on odd (recto) pages, left on even.
        number = theme.style("small_bold")
        label = f"{page}"
        from reportlab.pdfbase.pdfmetrics import stringWidth

        label_w = stringWidth(label, number.fontName, number.fontSize)
        name = str(theme.brand.phone)
        if page % 2:
            common.draw_para(canvas, theme, name, "small", MARGIN, MARGIN + 14, frame_width - 40)
            num_x = width - MARGIN - label_w
        else:
            name_w = stringWidth(name, theme.style("small").fontName, theme.style("small").fontSize)
            common.draw_para(canvas, theme, name, "small", width - MARGIN - name_w - 1, MARGIN + 14, name_w + 2)
            num_x = MARGIN
        common.draw_para(canvas, theme, label, "small_bold", num_x, MARGIN + 14, label_w + 2)
        canvas.restoreState()

    def draw_notes(canvas, doc_):
        draw_running(canvas, doc_)
        canvas.saveState()
        canvas.setStrokeColor(theme.color("text"))
        canvas.setLineWidth(0.6)
        y = height - MARGIN - HEADER - 110
        while y > MARGIN + FOOTER + 10:
            canvas.line(MARGIN, y, width - MARGIN, y)
            y -= 26
        canvas.restoreState()

    def draw_back(canvas, doc_):
        canvas.saveState()
        canvas.setFillColor(theme.color("primary"))
        canvas.rect(0, 0, width, MARGIN + 80, stroke=0, fill=1)
        brand = theme.brand
        x = MARGIN
        if brand.logo:
            w, _ = common.draw_picture(canvas, brand.logo, MARGIN, 28, 56, 56)
            x += w + 12
        lines = [f"**{brand.name}**", str(brand.address), f"Phone {brand.phone}"]
        if brand.website:
            lines.append(str(brand.website))
        top = MARGIN + 66
        for line in lines:
            top -= common.draw_para(canvas, theme, line, "band_small", x, top, width - x - MARGIN)
        canvas.restoreState()

    doc.addPageTemplates([
        PageTemplate("cover", [cover_frame], onPage=draw_cover),
        PageTemplate("body", [body_frame], onPageEnd=draw_running),
        PageTemplate("notes", [body_frame], onPageEnd=draw_notes),
        PageTemplate("back", [back_frame], onPage=draw_back),
    ])

    story: list = []
    story += cover_story(job, frame_width)
    story += [NextPageTemplate("body"), PageBreak()]
    story += contents_story(job)
    for ref in job.handout.sections:
        story += section_story(job, ref.section, ref.short, frame_width)
    story += [PadToMultiple()]
    story += back_story(job)
    data = common.build_pdf(doc, story, multi_pass=True)
    pages = common.page_count(data)
    note = f"{doc.notes_added} notes page{'s' if doc.notes_added != 1 else ''}" if doc.notes_added else None
    return RenderedPdf(data=data, pages=pages, page_size=(width, height), note=note)


def cover_story(job: RenderJob, width: float) -> list:
    theme, topic = job.theme, job.topic
    story: list = [Spacer(1, 18), common.sourced(common.para(theme, job.title, "title"), topic.title.where, "title")]
    if topic.subtitle:
        story.append(common.para(theme, topic.subtitle, "subtitle"))
    if topic.cover_image:
        story += [Spacer(1, 10), common.picture(topic.cover_image, width, 200)]
    story += [Spacer(1, 12), common.para(theme, "Patient information", "h3")]
    return [common.sourced(KeepTogetherCover(story), topic.where, "cover")]


def KeepTogetherCover(story: list):  # noqa: N802 - reads like the flowable it returns
    """The cover must fit its one page: keep it together (an error, never a split)."""
    from reportlab.platypus import KeepInFrame

    return KeepInFrame(0, 0, story, mode="error", name="cover")


def contents_story(job: RenderJob) -> list:
    theme = job.theme
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [theme.style("toc")]
    heading = common.para(theme, "What is in this booklet", "h1")
    heading._running_title = "Contents"
    note = common.para(theme, job.topic.review_note, "small")
    return [heading, toc, Spacer(1, 10), note, PageBreak()]


def section_story(job: RenderJob, section: Section, short: bool, width: float) -> list:
    theme = job.theme
    key = f"section-{section.id}"
    heading = common.para(theme, section.title, "h1")
    heading._running_title = str(section.label)
    heading = common.bookmark(heading, str(section.label), key)
    common.sourced(heading, section.where, f"section {section.id}")
    story: list = [CondPageBreak(150), heading]
    if short:
        story.append(common.para(theme, section.summary or "", "body"))
        return story
    if section.kind == "red_flags":
        story += [common.para(theme, b.text, "body") for b in section.blocks if hasattr(b, "text")]
        # The box may break between urgency groups (its title band repeats):
        # on a small page, holding it whole left a page nearly empty.
        story.append(common.red_flag_box(theme, section, width))
        return story
    for block in section.blocks:
        for flow in common.block_flowables(theme, block, width):
            story.append(common.sourced(flow, section.where, f"section {section.id}"))
    if section.kind == "exercises":
        for number, exercise in enumerate(section.exercises, 1):
            story.append(common.exercise_card(theme, exercise, width, number=number, picture_width=110))
    if section.kind == "habits":
        for group in section.groups:
            items: list = [common.para(theme, group.title, "h3")]
            for habit in group.habits:
                items.append(common.para(theme, habit.text, "term"))
                if habit.detail:
                    items.append(common.para(theme, habit.detail, "term_text"))
            story.append(common.sourced(KeepTogether(items[:3]), section.where, f"section {section.id}"))
            story += items[3:]
    return story


def back_story(job: RenderJob) -> list:
    theme, topic, brand = job.theme, job.topic, job.theme.brand
    items = [
        common.para(theme, "About this booklet", "h2"),
        common.para(theme, brand.disclaimer, "small"),
        common.para(theme, common.review_line(job), "small_bold"),
        common.para(theme, topic.review_note, "small"),
        common.para(theme, topic.source, "small"),
    ]
    from reportlab.platypus import KeepInFrame

    return [common.sourced(KeepInFrame(0, 0, items, mode="error", name="back cover"), brand.where, "back cover")]
