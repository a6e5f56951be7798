"""The take-home exercise sheet: a full sheet, portrait, one or two pages.

Page 1 opens with the clinic's colour band (logo, clinic name over the
handout title, phone) and Patient name / Date / Clinician blanks for the
clinician to fill in at the visit; then the short intro, one numbered card
per exercise and, last, the "when to get help" box.  Page 2 has a slimmer band, "title - continued"
and "Page 2 of 2", so a loose second page is never mistaken for another
handout.  Every page ends with the clinic's contact line; the last also
carries the review dates and the topic's review note, once.

The cards are the compact full-width variant (:func:`sheet_card`): the same
pieces as :func:`common.exercise_card` (picture, purpose, numbered steps,
dose, tip) but with the dose on the title line and the purpose across the
full width.  The booklet's card is about 215 pt tall on a 540 pt frame, so six
of them plus the page furniture need three Letter pages; these are about
150 pt, which puts the shipped six exercises and the red-flag box on two.

Everything sits inside 0.5 in margins, the colour bands included (an office
printer cannot print to the edge, and a band that bleeds gets a ragged white
rim).  Text is never shrunk: a card too tall for an empty page is a FitError
naming the exercise (``common.Whole`` refuses to split it).
"""

from __future__ import annotations

import io
import re
from typing import Optional

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

from handoutkit.content.model import Dose, Exercise, Section
from handoutkit.errors import BuildError
from handoutkit.render.styles import Theme
from layouts import RenderedPdf, RenderJob
from layouts import common

MARGIN = 36.0  # 0.5 in on every side; nothing, bands included, goes nearer the edge
BAND_LATER = 30.0  # page-2+ band: "title - continued", page x of n
BAND_GAP = 10.0  # white space between a band and the first line of content
FOOTER_GAP = 8.0  # between the last line of content and the footer rule
PAD = 10.0  # inner padding of the bands
CARD_PICTURE = 88.0  # picture width in a card; 4:3 box, so 66 pt tall: about four lines of steps


def render(job: RenderJob) -> RenderedPdf:
    """Lay out ``job`` as a 1-2 page exercise sheet, in one pass."""
    page_size = job.theme.sheet_size
    data, frames, sizes, pages = _build(job, page_size)
    return RenderedPdf(data=data, pages=pages, page_size=page_size, frames=frames, font_sizes=sizes)


class _SheetDoc(common.HandoutDoc):
    """The sheet's document: "Page N of M" needs the total, which is known only after the last page.

    Rather than laying the sheet out twice, each page draws what depends on
    the total (the continued band and the footer: page label, review
    paragraph on the last page) as a Form XObject that is still undefined;
    after the last page every form is defined with the real total (the same
    technique as the booklet's contents page, layouts.toc).  The furniture
    has a fixed height, so nothing on the pages depends on the total.
    """

    def __init__(self, *args, furniture: "Furniture", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.furniture = furniture
        self.furniture_pages: list[int] = []

    def draw_furniture(self, canvas, page: int) -> None:
        self.furniture.draw_fixed(canvas, page)
        canvas.doForm(_furniture_form(page))
        self.furniture_pages.append(page)

    def _endBuild(self):
        self._doSave = 0
        super()._endBuild()
        total = len(self.furniture_pages)
        for page in self.furniture_pages:
            self.canv.beginForm(_furniture_form(page))
            self.furniture.draw_numbered(self.canv, page, total)
            self.canv.endForm()
        self.canv.save()


def _furniture_form(page: int) -> str:
    return f"sheet-furniture-{page}"


def _build(job: RenderJob, page_size: tuple[float, float]) -> tuple[bytes, list, frozenset[float], int]:
    # The fast personal-sheet path (handoutkit.personal.sheets) draws the same
    # Furniture, so frames and page furniture are defined once, there.
    furniture = Furniture(job)

    def frame(top: float, name: str) -> Frame:
        return Frame(furniture.x, furniture.bottom, furniture.frame_width, top - furniture.bottom, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def on_page(canvas, doc_) -> None:
        doc_.draw_furniture(canvas, doc_.page)

    buffer = io.BytesIO()
    doc = _SheetDoc(buffer, job, page_size, furniture=furniture)
    doc.addPageTemplates([
        PageTemplate("first", [frame(furniture.first_top, "first")], onPage=on_page, autoNextPageTemplate="later"),
        PageTemplate("later", [frame(furniture.later_top, "later")], onPage=on_page),
    ])
    story = _story(job, furniture.frame_width)
    # The review note is said once, at the foot of the last page.  Its room is kept with the last block
    # (the closing card and box) so that a sheet never gets a page holding nothing but the review note.
    last = story.pop()
    inner = list(last._content) if isinstance(last, KeepTogether) else [last]  # one flat group, as the stamped path
    kept = KeepTogether(inner + [furniture.footer.review_space()])
    if hasattr(last, "_handout_source"):
        kept._handout_source = last._handout_source
    story.append(kept)
    data = common.build_pdf(doc, story)
    if len(doc.furniture_pages) != doc.page_count:
        raise BuildError(f"exercise sheet: furniture drawn on {len(doc.furniture_pages)} of {doc.page_count} pages")
    return data, doc.page_frames, doc.font_sizes, doc.page_count


# ----------------------------------------------------------------------------- story


def _story(job: RenderJob, width: float) -> list[Flowable]:
    theme = job.theme
    blanks = _write_ins(theme, width)
    story: list[Flowable] = [blanks]
    refs = job.handout.sections
    for index, ref in enumerate(refs):
        section = ref.section
        tag = f"section {section.id}"
        if section.kind == "red_flags":
            box = common.red_flag_box(theme, section, width, short=ref.short)
            if index == len(refs) - 1 and story and _is_card(story[-1]):
                # The box closes the sheet.  Keep it with the last card so that,
                # if it cannot fit under it, the card moves over too and the box
                # never sits alone on a page (it still splits if both together
                # are taller than a page: correctness first).
                box = common.sourced(KeepTogether([story.pop(), box]), section.where, tag)
            story.append(box)
        elif ref.short:
            story.append(common.sourced(common.para(theme, section.summary or "", "body"), section.where, tag))
        elif section.kind == "exercises":
            story += _exercise_story(theme, section, width)
        else:  # a text section in full: its heading and its blocks
            story.append(common.sourced(common.para(theme, section.title, "h2"), section.where, tag))
            for block in section.blocks:
                story += [common.sourced(f, section.where, tag)
                          for f in common.block_flowables(theme, block, width)]
    return story


NAME_ROW = 24.0  # the name's row: a full-width blank, one line (60 characters fit at 12 pt)
SHARED_ROW = 30.0  # date and clinician: room for two stamped lines of a long clinician name
BLANKS_AFTER = 4.0  # the page was full: every point of the taller blanks counts


def blank_heights(theme: Theme) -> dict[str, float]:
    """Each blank's row height (scaled in large print): how many stamped lines fit is decided from it."""
    return {"patient": theme.pt(NAME_ROW), "date": theme.pt(SHARED_ROW), "clinician": theme.pt(SHARED_ROW)}


def _write_ins(theme: Theme, width: float) -> Flowable:
    """Patient name / Date / Clinician blanks, each sized for what is written in it."""
    return _blank_rows(theme, width)[0]


def _blank_rows(theme: Theme, width: float) -> tuple[Flowable, dict]:
    """The blanks as one flowable, and each field's one-label row table (for the anchors).

    The patient's name gets a full-width row (names of 60 characters print
    in full at 12 pt or more, on one line or two); date and clinician share
    the next row, the clinician's blank the wider.  In large print every
    blank has a row of its own (at 18 pt the date alone needs about 90 pt),
    which leaves a name about 5.5 in of rule.
    """
    labels = theme.labels
    heights = blank_heights(theme)
    name = (labels["patient_name"], "patient")
    date = (labels["date"], "date")
    clinician = (labels["clinician"], "clinician")
    tables: dict = {}
    if theme.scale > 1:
        lines = [[(name, 1.0)], [(date, 1.0)], [(clinician, 1.0)]]
    else:
        lines = [[(name, 1.0)], [(date, 0.32), (clinician, 0.68)]]
    gap = 14.0
    rows = []
    for line in lines:
        height = heights[line[0][0][1]]
        widths = [width * share for _, share in line]
        cells = []
        for i, ((label, field), w) in enumerate(zip([f for f, _ in line], widths)):
            table = common.write_in_row(theme, [label], w - (gap if i < len(line) - 1 else 0), height)
            tables[field] = table
            cells.append(table)
        grid = common.grid([cells], widths)
        if len(line) > 1:
            grid.setStyle(TableStyle([("RIGHTPADDING", (0, 0), (-2, 0), gap)]))
        rows.append([grid])
    outer = common.grid(rows, [width])
    outer.spaceAfter = theme.pt(BLANKS_AFTER)
    return outer, tables


def _exercise_story(theme: Theme, section: Section, width: float) -> list[Flowable]:
    """The cards, numbered 1..n across the sheet.

    The section's prose blocks are the booklet's; the sheet is the "just the
    exercises" handout, so they are left out (the summary is not: it carries
    the one safety line every patient needs, "stop if your pain gets sharp").
    """
    story: list[Flowable] = []
    if section.summary:
        lead = common.para(theme, section.summary, "body")
        story.append(common.sourced(lead, section.where, f"section {section.id}"))
    for number, exercise in enumerate(section.exercises, 1):
        story.append(sheet_card(theme, exercise, width, number))
    return story


def _is_card(flowable: Flowable) -> bool:
    return getattr(flowable, "_sheet_card", False)


# ----------------------------------------------------------------------------- the card


def sheet_card(theme: Theme, exercise: Exercise, width: float, number: int) -> Flowable:
    """One exercise as a compact full-width card, never split across pages.

    ::

        +--------------------------------------------------------------+
        | 3. Doorway chest stretch    Sets: 1 · Reps: 3 · Hold: 30 s ... |  tinted title line
        | Stretches tight chest muscles that pull your shoulders ...   |  purpose, full width
        | [picture]  1. Stand in an open doorway.                       |
        |            2. Place your forearms on the door frame ...       |
        | Tip: You should feel a gentle stretch, not pain. ...          |
        +--------------------------------------------------------------+
    """
    inner = width - 16  # the card's left + right padding
    dose_width = stringWidth(_plain(theme, exercise.dose), theme.style("cell_bold").fontName,
                             theme.style("cell_bold").fontSize) + 6
    name = Paragraph(theme.markup(f"{number}. {exercise.name}"), common.tight_style(theme.style("h3")))
    if dose_width <= inner * 0.55:
        dose = Paragraph(dose_markup(theme, exercise.dose), common.right_style(theme.style("cell")))
        head = common.grid([[name, dose]], [inner - dose_width, dose_width])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    else:  # large print: beside the name the dose would wrap mid-item; it gets its own line under it
        head = common.grid([[name], [Paragraph(dose_markup(theme, exercise.dose), theme.style("cell"))]], [inner])
    card_theme = common.tight_list_theme(theme)  # in large print: 1.15 line spacing in the card
    purpose = Paragraph(theme.markup(exercise.purpose), common.tight_style(card_theme.style("small")))
    # Large print keeps the standard picture size: the steps beside it need the width more.
    picture_width = CARD_PICTURE
    picture = common.picture(exercise.image, picture_width, picture_width * 0.75, theme=theme)
    steps = common.bullets(card_theme, exercise.steps, style="small", numbered=True)
    gap = 10
    if exercise.url:  # a QR code with the short address under it, right of the steps
        link_width = qr_column_width(theme)
        body = common.grid([[picture, steps, qr_block(theme, str(exercise.url), link_width)]],
                             [picture_width + gap, inner - picture_width - link_width - 2 * gap, link_width + gap])
        body.setStyle(TableStyle([("LEFTPADDING", (2, 0), (2, 0), gap)]))
    else:
        body = common.grid([[picture, steps]], [picture_width + gap, inner - picture_width - gap])
    tip = Paragraph(theme.markup(common.tip_text(theme, exercise)), common.tight_style(card_theme.style("small")))
    card = Table([[head], [purpose], [body], [tip]], colWidths=[width])
    card.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.25, theme.color("primary")),
        ("BACKGROUND", (0, 0), (-1, 0), theme.color("tint")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, theme.color("primary")),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, theme.color("primary")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        # Padding per row: title line, purpose, picture + steps, tip.  Large print
        # trims it (its 1.15 line spacing already opens the text up), so two of
        # the taller cards share a Letter page.
        *_row_padding(theme.large_print),
    ]))
    card.spaceBefore, card.spaceAfter = 0, 8
    whole = common.sourced(common.Whole(card), exercise.where, f"exercise {exercise.id}")
    whole._sheet_card = True
    return whole


def _row_padding(large_print: bool) -> list[tuple]:
    pads = ((3, 3), (3, 1), (1, 3), (2, 3)) if large_print else ((4, 4), (5, 3), (2, 4), (3, 5))
    out: list[tuple] = []
    for row, (top, bottom) in enumerate(pads):
        out += [("TOPPADDING", (0, row), (-1, row), top), ("BOTTOMPADDING", (0, row), (-1, row), bottom)]
    return out


def dose_markup(theme: Theme, dose: Dose) -> str:
    """"Sets: 1 · Reps: 10 · Hold: 5 s · Times a day: 2", the values in bold, in the theme's language.

    The booklet's dose-table headings, word for word, as one line: a patient
    who has both handouts reads the same labels in both.
    """
    labels = theme.labels
    number = labels.number
    parts = [f"{labels['sets']}: <b>{number(dose.sets)}</b>", f"{labels['reps']}: <b>{number(dose.reps)}</b>"]
    if dose.hold_seconds:
        parts.append(f"{labels['hold']}: <b>{labels.text('seconds', n=number(dose.hold_seconds))}</b>")
    parts.append(f"{labels['times_a_day']}: <b>{number(dose.times_per_day)}</b>")
    return " · ".join(parts)


def _plain(theme: Theme, dose: Dose) -> str:
    """The dose line without markup (measured in bold: an upper bound on its width)."""
    return re.sub(r"</?b>", "", dose_markup(theme, dose))






# ----------------------------------------------------------------------------- page furniture




class _FirstBand:
    """The page-1 band, laid out once before the build: its height sets where the story starts.

    Logo, then the clinic name over the handout title (white on the primary
    colour), and on the right "Questions? Call us" over the phone number.  The
    title lives in the band rather than under it: that saves the 30-odd points
    that let three cards fit on page 1.  A long title wraps and the band grows.
    """

    LOGO = 44.0
    PAD_Y = 8.0

    def __init__(self, job: RenderJob, width: float) -> None:
        theme = job.theme
        brand = theme.brand
        self.theme, self.width = theme, width
        self.logo = brand.logo
        label_style, phone_style = common.right_style(theme.style("band_small")), common.right_style(theme.style("band"))
        questions = theme.labels["questions_call_us"]
        self.label = Paragraph(theme.markup(questions), label_style)
        self.phone = Paragraph(theme.markup(str(brand.phone)), phone_style)
        self.right_width = 4 + max(stringWidth(questions, label_style.fontName, label_style.fontSize),
                                   stringWidth(str(brand.phone), phone_style.fontName, phone_style.fontSize))
        self.right_height = sum(p.wrap(self.right_width, 10_000)[1] for p in (self.label, self.phone))
        self.logo_size, self.pad = theme.pt(self.LOGO), theme.pt(PAD)  # scaled in large print
        self.text_x = self.pad + (self.logo_size + theme.pt(12) if self.logo else 0)
        text_width = width - self.text_x - self.pad - self.right_width - theme.pt(14)
        self.name = Paragraph(f"<b>{theme.markup(brand.name)}</b>", theme.style("band_small"))
        title_style = ParagraphStyle("band-title", parent=common.tight_style(theme.style("h1")),
                                     textColor=theme.color("background"))
        self.title = Paragraph(theme.markup(job.title), title_style)
        self.text_height = sum(p.wrap(text_width, 10_000)[1] for p in (self.name, self.title))
        self.height = 2 * theme.pt(self.PAD_Y) + max(self.logo_size if self.logo else 0, self.text_height,
                                                     self.right_height)

    def draw(self, canvas, x: float, top: float) -> None:
        canvas.setFillColor(self.theme.color("primary"))
        canvas.roundRect(x, top - self.height, self.width, self.height, radius=4, stroke=0, fill=1)
        middle = top - self.height / 2
        if self.logo:
            common.draw_picture(canvas, self.logo, x + self.pad, middle - self.logo_size / 2, self.logo_size,
                                self.logo_size, theme=self.theme)
        y = middle + self.text_height / 2
        for flow in (self.name, self.title):
            y -= flow.height
            flow.drawOn(canvas, x + self.text_x, y)
        y = middle + self.right_height / 2
        for flow in (self.label, self.phone):
            y -= flow.height
            flow.drawOn(canvas, x + self.width - self.pad - self.right_width, y)


def _draw_continued_band(canvas, job: RenderJob, page: int, total: Optional[int], x: float, top: float,
                         width: float) -> None:
    """Pages 2+: a slim band saying whose sheet this is and which page."""
    theme = job.theme
    canvas.setFillColor(theme.color("primary"))
    band_height, pad = theme.pt(BAND_LATER), theme.pt(PAD)  # scaled in large print
    canvas.roundRect(x, top - band_height, width, band_height, radius=4, stroke=0, fill=1)
    small, band = theme.style("band_small"), theme.style("band")
    number = common.page_label(theme, page, total)
    number_width = stringWidth(number, small.fontName, small.fontSize) + 4
    common.draw_para(canvas, theme, number, "band_small", x + width - pad - number_width,
                     top - (band_height - small.leading) / 2, number_width, markup=False, right=True)
    common.draw_para(canvas, theme, theme.labels.text("continued", title=job.title), "band", x + pad,
                     top - (band_height - band.leading) / 2, width - 2 * pad - number_width - 12)


class _Footer:
    """Contact line and page label on every page, the review paragraph once, on the last page.

    The contact line is packed item by item ("name · phone · website"), so
    when it does not fit beside the page label it breaks between items
    instead of leaving a "·" dangling at a line end.  The review line and the
    review note are one paragraph, not bold, just above the footer rule of the
    last page only: on every page it took about a fifth of a large-print page.
    """

    GAP = 2.0  # between the contact lines and the review paragraph
    RULE = 6.0  # from the rule to the first line

    def __init__(self, job: RenderJob, width: float) -> None:
        theme = job.theme
        self.theme, self.width = theme, width
        label = theme.style("small_bold")
        # Room for the page label is kept even on a one-page sheet (which prints
        # none): the footer must be the same height in both passes of render().
        self.label_width = stringWidth(common.page_label(theme, 99, 99), label.fontName, label.fontSize) + 4
        first_width = width - self.label_width - 12
        self.contact = [Paragraph(theme.markup(line), theme.style("small"))
                        for line in common.pack_items(theme, common.footer_text(theme, job).split(" · "), "small",
                                                      width, first_width)]
        for index, flow in enumerate(self.contact):
            flow.wrap(first_width if index == 0 else width, 10_000)
        self.review = Paragraph(theme.markup(f"{common.review_line(job)} {job.topic.review_note}"),
                                theme.style("small"))
        self.review.wrap(width, 10_000)
        # Every page's frame stops above the short footer (rule and contact line);
        # the review paragraph is printed once, above it on the last page, where
        # the story ends with a spacer of this height (review_space) to keep it clear.
        self.height = self.RULE + sum(f.height for f in self.contact)
        self.review_height = self.GAP + self.review.height

    def review_space(self) -> Flowable:
        """The room the review paragraph takes at the foot of the last page: the story's last flowable."""
        return Spacer(1, self.review_height)

    def draw(self, canvas, page: int, total: Optional[int]) -> None:
        theme = self.theme
        top = MARGIN + self.height
        canvas.setStrokeColor(theme.color("primary"))
        canvas.setLineWidth(1)
        canvas.line(MARGIN, top, MARGIN + self.width, top)
        if page == total:
            self.review.drawOn(canvas, MARGIN, top + self.GAP)
        top -= self.RULE
        if total != 1:  # "Page 1 of 1" is noise on a single sheet
            common.draw_para(canvas, theme, common.page_label(theme, page, total), "small_bold",
                             MARGIN + self.width - self.label_width, top, self.label_width, markup=False, right=True)
        for flow in self.contact:
            flow.drawOn(canvas, MARGIN, top - flow.height)
            top -= flow.height


# ----------------------------------------------------------------------------- QR codes (exercises with a url)

QR_SIZE = 72.0  # 1 in, quiet zone included: about 2 pt a module for a typical address, easy for a phone


def qr_column_width(theme: Theme) -> float:
    """Width of the card column holding the QR code and its address (room for ~15 characters at 12 pt)."""
    return max(QR_SIZE, 112.0 * min(theme.scale, 1.25))


def short_url(url: str) -> str:
    """The address as printed: no ``https://``, no ``www.``, no trailing slash."""
    text = re.sub(r"^https://", "", url)
    text = re.sub(r"^www\.", "", text)
    return text.rstrip("/")


def qr_block(theme: Theme, url: str, width: float) -> list[Flowable]:
    """A vector QR code for ``url`` with the short address under it, both centred in ``width``.

    The code is reportlab's QrCodeWidget (squares, no text, so no font); the
    address breaks after a "/" when it is wider than the column.
    """
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.enums import TA_CENTER
    from xml.sax.saxutils import escape

    widget = QrCodeWidget(url, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE,
                          barFillColor=theme.color("text"))
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    drawing.hAlign = "CENTER"
    style = ParagraphStyle("qr-url", parent=common.tight_style(theme.style("small")), alignment=TA_CENTER)
    lines: list[str] = []
    for part in re.findall(r"[^/]+/?|/", short_url(url)):
        if lines and stringWidth(lines[-1] + part, style.fontName, style.fontSize) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    address = Paragraph("<br/>".join(escape(line) for line in lines), style)
    return [drawing, address]


# ----------------------------------------------------------------------------- parts, for personalised sheets
#
# handoutkit.personal.sheets lays a sheet out from parts rendered once and reused
# (cards, the write-in blanks, page furniture) and writes patient details into
# the blanks afterwards.  These are the same pieces, sizes and frames that
# _build uses; tests compare the two layouts line by line.


class WriteInAnchor(Flowable):
    """A zero-size marker put in a blank: when drawn it records where the blank is.

    ``sink[name]`` becomes ``(x, y, width)`` in the canvas's default
    coordinates: the blank's left edge, the bottom of its cell content area
    (just above the rule) and the width text may use.
    """

    def __init__(self, name: str, sink: dict) -> None:
        super().__init__()
        self.name, self.sink, self.room = name, sink, 0.0

    def wrap(self, available_width, available_height):
        self.room = available_width
        self.sink.setdefault(self.name, (None, None, available_width))  # the width is known before drawing
        return 0, 0

    def draw(self):
        x, y = self.canv.absolutePosition(0, 0)
        self.sink[self.name] = (x, y, self.room)


WRITE_IN_FIELDS = ("patient", "date", "clinician")
NOTE_ROW = 26.0  # a note line is as tall as a write-in row: room for handwriting too


def personal_write_ins(theme: Theme, width: float, note_lines: int = 0) -> tuple[list[Flowable], dict]:
    """The Patient name / Date / Clinician blanks with anchors, and an optional "Notes:" box.

    Returns the flowables (the blanks as on the standard sheet, then the
    note box of ``note_lines`` ruled lines) and the anchor sink, filled when
    they are drawn: ``patient``, ``date``, ``clinician`` and ``note-1`` ...
    """
    sink: dict = {}
    grid, tables = _blank_rows(theme, width)
    for name in WRITE_IN_FIELDS:
        cells = tables[name]._cellvalues[0]
        blank = cells.index("")  # write_in_row leaves the blank after its label empty
        cells[blank] = WriteInAnchor(name, sink)
    flowables: list[Flowable] = [grid]
    if note_lines:
        flowables.append(_note_box(theme, width, note_lines, sink))
    return flowables, sink


def _note_box(theme: Theme, width: float, lines: int, sink: dict) -> Table:
    from handoutkit.render import fonts

    style = theme.style("cell")
    label = theme.markup(theme.labels["notes_label"] + ":")
    label_width = stringWidth(theme.labels["notes_label"] + ":", fonts.BODY_BOLD, style.fontSize) + 8
    rows = [[Paragraph(f"<b>{label}</b>", style), WriteInAnchor("note-1", sink)]]
    rows += [[WriteInAnchor(f"note-{i}", sink), ""] for i in range(2, lines + 1)]
    table = Table(rows, colWidths=[label_width, width - label_width], rowHeights=[NOTE_ROW * max(1.0, theme.scale)] * lines)
    commands = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (1, 0), (1, 0), 1, theme.color("text"))]
    for i in range(1, lines):
        commands += [("SPAN", (0, i), (1, i)), ("LINEBELOW", (0, i), (1, i), 1, theme.color("text"))]
    table.setStyle(TableStyle(commands))
    table.spaceAfter = 10
    return table


class Furniture:
    """The frames and page furniture of the sheet: used by :func:`_build` and by the fast personal path."""

    def __init__(self, job: RenderJob) -> None:
        self.job = job
        self.page_size = job.theme.sheet_size
        width, height = self.page_size
        self.x = MARGIN
        self.frame_width = width - 2 * MARGIN
        self.footer = _Footer(job, self.frame_width)
        self.band = _FirstBand(job, self.frame_width)
        pt = job.theme.pt  # the standard sizes, scaled in large print
        self.bottom = MARGIN + self.footer.height + pt(FOOTER_GAP)
        self.first_top = height - MARGIN - self.band.height - pt(BAND_GAP)
        self.later_top = height - MARGIN - pt(BAND_LATER) - pt(BAND_GAP)

    def top(self, page: int) -> float:
        """Where the frame of page ``page`` (1-based) starts."""
        return self.first_top if page == 1 else self.later_top

    def draw(self, canvas, page: int, total: Optional[int]) -> None:
        """The band and footer of one page (1-based)."""
        self.draw_fixed(canvas, page)
        self.draw_numbered(canvas, page, total)

    def draw_fixed(self, canvas, page: int) -> None:
        """What does not depend on the number of pages: page 1's band."""
        if page == 1:
            canvas.saveState()
            self.band.draw(canvas, MARGIN, self.page_size[1] - MARGIN)
            canvas.restoreState()

    def draw_numbered(self, canvas, page: int, total: Optional[int]) -> None:
        """What does: the continued band of pages 2+ and the footer (page label, review on the last page)."""
        canvas.saveState()
        if page != 1:
            _draw_continued_band(canvas, self.job, page, total, MARGIN, self.page_size[1] - MARGIN, self.frame_width)
        self.footer.draw(canvas, page, total)
        canvas.restoreState()

    def draw_notes_page(self, canvas) -> None:
        """A back page for double-sided stacks: "Notes" and ruled lines, never a blank page."""
        theme = self.job.theme
        width, height = self.page_size
        canvas.saveState()
        top = height - MARGIN
        top -= common.draw_para(canvas, theme, theme.labels["notes_label"], "h2", MARGIN, top, self.frame_width)
        top -= common.draw_para(canvas, theme, theme.labels["sheet_notes_prompt"], "small", MARGIN, top,
                                self.frame_width)
        canvas.setStrokeColor(theme.color("text"))
        canvas.setLineWidth(0.75)
        y = top - 2 * NOTE_ROW
        while y > self.bottom:
            canvas.line(MARGIN, y, MARGIN + self.frame_width, y)
            y -= NOTE_ROW
        common.draw_para(canvas, theme, common.footer_text(theme, self.job), "small", MARGIN,
                         MARGIN + theme.style("small").leading, self.frame_width)
        canvas.restoreState()
