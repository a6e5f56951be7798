"""The fridge checklist: exactly one full-sheet portrait page.

A grid to tick, one row per habit and one column per day (Mon-Sun), under
the clinic's band, the title and a "Week of" blank.  The red-flag alert is
pinned to the bottom of the page, just above the footer, where it is seen
every time the sheet is ticked.

One page is the whole point of this design, so nothing may push onto a
second page and nothing is shrunk: the content area is a
``KeepInFrame(mode="error")``, and before building, the grid is measured so
that too many habits raise a :class:`FitError` naming the habits section's
file with how much room is missing.  When there is room to spare, the habit
rows grow (up to a limit) so the grid fills the page instead of leaving a
blank band above the alert; bigger rows are also easier to tick.
"""

from __future__ import annotations

import io
from typing import Optional

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable, Frame, FrameBreak, KeepInFrame, PageTemplate, Paragraph, Table, TableStyle,
)
from reportlab.platypus.flowables import _listWrapOn

from handoutkit.errors import FitError, Location
from handoutkit.model import Section
from handoutkit.styles import Theme
from layouts import RenderedPdf, RenderJob
from layouts import common

MARGIN = 36.0  # 0.5 in on every side, band included
BAND = 56.0  # the brand band's height
BAND_GAP = 14.0  # between the band and the title
PAD = 10.0  # inner padding of the band
ALERT_GAP = 10.0  # least space between the grid and the alert box
FOOTER_GAP = 12.0  # between the alert box and the footer rule
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TICK = 17.0  # tick box side: big enough for a felt-tip tick
ROW_MIN = 28.0  # a habit row is at least this tall: the box plus 5-6 pt above and below
ROW_MAX = 46.0  # and grows at most to this when the page has room to spare
DAY_MIN = 38.0  # narrowest day column


def render(job: RenderJob) -> RenderedPdf:
    """Lay out ``job`` on one page, or raise FitError naming the habits section."""
    theme = job.theme
    page_size = width, height = theme.sheet_size
    frame_width = width - 2 * MARGIN
    footer = _Footer(job, frame_width)
    canvas = Canvas(io.BytesIO(), pagesize=page_size)  # for measuring only

    # The alert goes in its own frame at the bottom, sized to fit it exactly.
    alert_refs = [ref for ref in job.handout.sections if ref.section.kind == "red_flags"]
    alerts = [common.red_flag_box(theme, ref.section, frame_width, short=ref.short) for ref in alert_refs]
    alert_height = _list_height(alerts, frame_width, canvas)
    alert_bottom = MARGIN + footer.height + FOOTER_GAP
    main_bottom = alert_bottom + alert_height + (ALERT_GAP if alerts else 0)
    main_top = height - MARGIN - BAND - BAND_GAP
    room = main_top - main_bottom

    # Measure with the smallest rows, then spend what is left on taller rows.
    habit_rows = sum(len(g.habits) for ref in job.handout.sections if ref.section.kind == "habits" and not ref.short
                     for g in ref.section.groups)
    content = _content(job, frame_width, ROW_MIN)
    needed = _list_height(content, frame_width, canvas)
    if needed > room + 0.5:
        _raise_too_tall(job, needed, room, alert_height)
    if habit_rows:
        grow = min(ROW_MAX, ROW_MIN + (room - needed) / habit_rows)
        content = _content(job, frame_width, grow)

    buffer = io.BytesIO()
    doc = common.HandoutDoc(buffer, job, page_size)
    main = Frame(MARGIN, main_bottom, frame_width, room, id="main",
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frames = [main]
    if alerts:
        frames.append(Frame(MARGIN, alert_bottom, frame_width, alert_height + 1, id="alert",
                            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0))

    def draw_page(canvas_, doc_) -> None:
        canvas_.saveState()
        _draw_band(canvas_, theme, MARGIN, height - MARGIN, frame_width)
        footer.draw(canvas_)
        canvas_.restoreState()

    doc.addPageTemplates([PageTemplate("checklist", frames, onPage=draw_page)])
    # Whatever slips through the measuring above still cannot reach a second
    # page: KeepInFrame(mode="error") raises, and build_pdf names the section.
    where, label = _habits_source(job)
    story: list[Flowable] = [common.sourced(KeepInFrame(frame_width, room, content, mode="error",
                                                        name="checklist"), where, label)]
    if alerts:
        first = alert_refs[0].section
        story += [FrameBreak(), common.sourced(KeepInFrame(frame_width, alert_height + 1, alerts, mode="error",
                                                           name="alert"), first.where, f"section {first.id}")]
    data = common.build_pdf(doc, story)
    pages = common.page_count(data)
    if pages != 1:  # cannot happen with the frames above; a guard against future edits
        raise FitError(f"{where}: {label}: the checklist came out as {pages} pages; it must be one")
    return RenderedPdf(data=data, pages=pages, page_size=page_size)


# ----------------------------------------------------------------------------- content


def _content(job: RenderJob, width: float, row_height: float) -> list[Flowable]:
    """Title, "Week of", then each section in order (red flags excepted: they are pinned below)."""
    theme = job.theme
    title = common.para(theme, job.title, "title")
    week = common.write_in_row(theme, ["Week of"], min(width, 260))
    week.hAlign = "LEFT"
    week.spaceAfter = 10
    out: list[Flowable] = [title, week]
    several_grids = sum(1 for ref in job.handout.sections if ref.section.kind == "habits" and not ref.short) > 1
    for ref in job.handout.sections:
        section = ref.section
        tag = f"section {section.id}"
        if section.kind == "red_flags":
            continue
        if ref.short:
            out.append(common.sourced(common.para(theme, section.summary or "", "body"), section.where, tag))
        elif section.kind == "habits":
            # The section's own paragraphs are the instructions ("Tick each one
            # on the days you do it").  With one habits section its title would
            # only repeat the page title; with several it tells the grids apart.
            if several_grids:
                out.append(common.sourced(common.para(theme, section.title, "h2"), section.where, tag))
            for block in section.blocks:
                out += [common.sourced(f, section.where, tag) for f in common.block_flowables(theme, block, width)]
            out.append(common.sourced(habit_grid(theme, section, width, row_height), section.where, tag))
        else:  # not expected on a checklist, but shown rather than dropped
            out.append(common.sourced(common.para(theme, section.title, "h2"), section.where, tag))
            for block in section.blocks:
                out += [common.sourced(f, section.where, tag) for f in common.block_flowables(theme, block, width)]
    return out


def habit_grid(theme: Theme, section: Section, width: float, row_height: float) -> Table:
    """The tick grid: "Today I…" and the day names, then per group a heading row and one row per habit.

    Habit rows are zebra-striped with the tint so the eye can follow a row
    across seven boxes; a group heading row is white with a rule above.
    """
    day_style = ParagraphStyle("day", parent=_tight(theme.style("band_small")), alignment=TA_CENTER)
    head_style = _tight(theme.style("band_small"))
    day_width = max(DAY_MIN, max(stringWidth(d, theme.style("cell_bold").fontName,
                                             theme.style("cell_bold").fontSize) for d in DAYS) + 12)
    habit_width = width - 7 * day_width
    rows: list[list] = [[Paragraph(f"<b>{theme.markup('Today I…')}</b>", head_style)]
                        + [Paragraph(f"<b>{theme.markup(d)}</b>", day_style) for d in DAYS]]
    heights: list[Optional[float]] = [None]
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), theme.color("primary")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("LEFTPADDING", (1, 0), (-1, -1), 0), ("RIGHTPADDING", (1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("BOX", (0, 0), (-1, -1), 1.25, theme.color("primary")),
    ]
    text_style = _tight(theme.style("body"))
    group_style = _tight(theme.style("h3"))
    stripe = 0
    for group in section.groups:
        index = len(rows)
        rows.append([Paragraph(theme.markup(group.title), group_style)] + [""] * 7)
        heights.append(None)
        style += [("SPAN", (0, index), (-1, index)), ("TOPPADDING", (0, index), (-1, index), 8),
                  ("BOTTOMPADDING", (0, index), (-1, index), 3)]
        if index > 1:
            style.append(("LINEABOVE", (0, index), (-1, index), 1, theme.color("primary")))
        for habit in group.habits:
            index = len(rows)
            rows.append([Paragraph(theme.markup(habit.text), text_style)]
                        + [common.TickBox(TICK, theme.color("primary")) for _ in DAYS])
            # A row is at least row_height, more if the habit text wraps to many lines.
            text_height = Paragraph(theme.markup(habit.text), text_style).wrap(habit_width - 16, 10_000)[1]
            heights.append(max(row_height, text_height + 10))
            if stripe % 2 == 0:
                style.append(("BACKGROUND", (0, index), (-1, index), theme.color("tint")))
            # Thin column rules in the day cells only: they line the boxes up by day.
            style.append(("LINEBEFORE", (1, index), (-1, index), 0.5, theme.color("primary")))
            stripe += 1
        stripe = 0  # each group starts on a tinted row, whatever the previous group's count
    table = Table(rows, colWidths=[habit_width] + [day_width] * 7, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle(style))
    table.spaceBefore, table.spaceAfter = 4, 8
    return table


# ----------------------------------------------------------------------------- fitting


def _list_height(flowables: list[Flowable], width: float, canvas: Canvas) -> float:
    """Height of flowables stacked in a frame, spacing included, as KeepInFrame measures it."""
    if not flowables:
        return 0.0
    return _listWrapOn(flowables, width, canvas)[1]


def _habits_source(job: RenderJob) -> tuple[Location, str]:
    """Where to point when the checklist does not fit: the habits section(s), which set its length."""
    habits = [ref.section for ref in job.handout.sections if ref.section.kind == "habits"]
    if habits:
        return habits[0].where, "section " + ", ".join(s.id for s in habits)
    return job.handout.where, f"handout {job.handout.name}"


def _raise_too_tall(job: RenderJob, needed: float, room: float, alert_height: float) -> None:
    where, label = _habits_source(job)
    over = needed - room
    rows = int(over // ROW_MIN) + 1
    alert = f"; the alert box below takes {alert_height:.0f} pt" if alert_height else ""
    raise FitError(
        f"{where}: {label}: the {job.handout.name} must fit on one page but needs {needed:.0f} pt "
        f"of the {room:.0f} pt there is ({over:.0f} pt too much{alert})",
        f"remove about {rows} habit{'s' if rows != 1 else ''} or group{'s' if rows != 1 else ''}, "
        f"or shorten the habit texts; the text is never shrunk to fit")


# ----------------------------------------------------------------------------- page furniture


def _tight(style: ParagraphStyle) -> ParagraphStyle:
    """The theme's style without space before/after: in a table the cell padding does that."""
    return ParagraphStyle(style.name + "-tight", parent=style, spaceBefore=0, spaceAfter=0)


def _draw_band(canvas, theme: Theme, x: float, top: float, width: float) -> None:
    """Logo, clinic name and tagline on the left; "Questions? Call us" and the phone on the right."""
    brand = theme.brand
    canvas.setFillColor(theme.color("primary"))
    canvas.roundRect(x, top - BAND, width, BAND, radius=4, stroke=0, fill=1)
    middle = top - BAND / 2
    text_x = x + PAD
    if brand.logo:
        size = BAND - 16
        w, _ = common.draw_picture(canvas, brand.logo, x + PAD, middle - size / 2, size, size)
        text_x += w + 12
    right = [Paragraph(theme.markup("Questions? Call us"), _right(theme.style("band_small"))),
             Paragraph(theme.markup(str(brand.phone)), _right(theme.style("band")))]
    small, big = theme.style("band_small"), theme.style("band")
    right_width = 4 + max(stringWidth("Questions? Call us", small.fontName, small.fontSize),
                          stringWidth(str(brand.phone), big.fontName, big.fontSize))
    _stack(canvas, right, x + width - PAD - right_width, middle, right_width)
    left = [Paragraph(theme.markup(brand.name), theme.style("band"))]
    if brand.tagline:
        left.append(Paragraph(theme.markup(brand.tagline), theme.style("band_small")))
    _stack(canvas, left, text_x, middle, x + width - PAD - right_width - 14 - text_x)


def _stack(canvas, flows: list[Paragraph], x: float, middle: float, width: float) -> None:
    """Draw paragraphs one under another, the block centred vertically on ``middle``."""
    heights = [f.wrap(width, 10_000)[1] for f in flows]
    y = middle + sum(heights) / 2
    for flow, h in zip(flows, heights):
        y -= h
        flow.drawOn(canvas, x, y)


def _right(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(style.name + "-right", parent=style, alignment=TA_RIGHT)


class _Footer:
    """Rule, contact line, then the review line and the topic's review note, at the page foot."""

    RULE = 6.0

    def __init__(self, job: RenderJob, width: float) -> None:
        theme = job.theme
        self.theme, self.width = theme, width
        self.contact = Paragraph(theme.markup(common.footer_text(theme, job)), theme.style("small_bold"))
        self.review = Paragraph(theme.markup(f"{common.review_line(job)} {job.topic.review_note}"),
                                theme.style("small"))
        self.height = self.RULE + sum(p.wrap(width, 10_000)[1] for p in (self.contact, self.review))

    def draw(self, canvas) -> None:
        top = MARGIN + self.height
        canvas.setStrokeColor(self.theme.color("primary"))
        canvas.setLineWidth(1)
        canvas.line(MARGIN, top, MARGIN + self.width, top)
        top -= self.RULE
        for flow in (self.contact, self.review):
            flow.drawOn(canvas, MARGIN, top - flow.height)
            top -= flow.height
