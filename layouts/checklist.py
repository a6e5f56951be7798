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

The large-print edition is the one exception: at 18 pt the habits may not
fit one page, and text is never shrunk, so it breaks between habit groups
onto more pages (:func:`_render_pages`): every page has the band, "title –
continued" and a grid with the day columns, and "Page x of n"; the alert and
the review paragraph are on the last page; no habit row is ever cut.

The dimensions below are the standard design's; layouts use them through
``theme.pt`` (unchanged at standard size, scaled by 18/13 in large print),
and the bands are measured so that larger text makes them taller.
"""

from __future__ import annotations

import io
from typing import Optional

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable, Frame, FrameBreak, KeepInFrame, NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer, Table,
    TableStyle,
)

from handoutkit.errors import FitError, Location, plural
from handoutkit.content.model import UNKNOWN, HabitGroup, Section, Text
from handoutkit.render.styles import Theme
from layouts import RenderedPdf, RenderJob
from layouts import common

MARGIN = 36.0  # 0.5 in on every side, band included
BAND = 56.0  # the brand band's height
BAND_GAP = 14.0  # between the band and the title
PAD = 10.0  # inner padding of the band
ALERT_GAP = 10.0  # least space between the grid and the alert box
FOOTER_GAP = 12.0  # between the alert box and the footer rule
TICK = 17.0  # tick box side: big enough for a felt-tip tick
ROW_MIN = 28.0  # a habit row is at least this tall: the box plus 5-6 pt above and below
ROW_MAX = 46.0  # and grows at most to this when the page has room to spare
DAY_MIN = 38.0  # narrowest day column


def render(job: RenderJob) -> RenderedPdf:
    """Lay out ``job`` on one page, or raise FitError naming the habits section.

    Large print only: when the content cannot fit one page, the grid is split
    by habit group over more pages (see :func:`_paginate`).
    """
    theme = job.theme
    pt = theme.pt
    page_size = width, height = theme.sheet_size
    frame_width = width - 2 * MARGIN
    canvas = Canvas(io.BytesIO(), pagesize=page_size)  # for measuring only
    band = _Band(theme, frame_width)
    footer = _Footer(job, frame_width)

    # The alert goes in its own frame at the bottom, sized to fit it exactly.
    alert_refs = [ref for ref in job.handout.sections if ref.section.kind == "red_flags"]
    alerts = [common.red_flag_box(theme, ref.section, frame_width, short=ref.short) for ref in alert_refs]
    alert_height = common.list_height(alerts, frame_width, canvas)
    alert_bottom = MARGIN + footer.height + pt(FOOTER_GAP)
    main_bottom = alert_bottom + alert_height + (pt(ALERT_GAP) if alerts else 0)
    main_top = height - MARGIN - band.height - pt(BAND_GAP)
    room = main_top - main_bottom

    # Measure with the smallest rows, then spend what is left on taller rows.
    habit_rows = sum(len(g.habits) for ref in job.handout.sections if ref.section.kind == "habits" and not ref.short
                     for g in ref.section.groups)
    content = _content(job, frame_width, pt(ROW_MIN))
    needed = common.list_height(content, frame_width, canvas)
    if needed > room + 0.5:
        if theme.large_print:
            return _render_pages(job, band, alerts, alert_height, canvas)
        _raise_too_tall(job, needed, room, alert_height)
    if habit_rows:
        grow = min(pt(ROW_MAX), pt(ROW_MIN) + (room - needed) / habit_rows)
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
        band.draw(canvas_, MARGIN, height - MARGIN)
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
    return RenderedPdf(data=data, pages=pages, page_size=page_size, frames=doc.page_frames,
                       font_sizes=doc.font_sizes)


# ----------------------------------------------------------------------------- large print: more pages


def _render_pages(job: RenderJob, band: "_Band", alerts: list[Flowable], alert_height: float,
                  canvas: Canvas) -> RenderedPdf:
    """The checklist over as many pages as it needs (large print only).

    Every page has the band, the footer (with "Page x of n") and a grid with
    the day columns; pages after the first say "title – continued"; the alert
    is pinned to the foot of the last page.  Text is never shrunk and no
    habit row is ever cut: pages break between habit groups, or between
    habits of a group too long for a page (its title repeated, "continued").
    """
    theme = job.theme
    pt = theme.pt
    page_size = width, height = theme.sheet_size
    frame_width = width - 2 * MARGIN
    footer = _Footer(job, frame_width, paged=True, review=False)
    last_footer = _Footer(job, frame_width, paged=True)
    main_top = height - MARGIN - band.height - pt(BAND_GAP)
    room = main_top - (MARGIN + footer.height + pt(FOOTER_GAP))
    alert_bottom = MARGIN + last_footer.height + pt(FOOTER_GAP)
    last_room = main_top - alert_bottom - (alert_height + pt(ALERT_GAP) if alerts else 0)
    where, label = _habits_source(job)

    pages = _paginate(job, frame_width, room, last_room, canvas)
    total = len(pages)

    buffer = io.BytesIO()
    doc = common.HandoutDoc(buffer, job, page_size)

    def frame(name: str, top_room: float) -> Frame:
        return Frame(MARGIN, main_top - top_room, frame_width, top_room, id=name,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    alert_frame = Frame(MARGIN, alert_bottom, frame_width, alert_height + 1, id="alert",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def draw_page(canvas_, doc_) -> None:
        canvas_.saveState()
        band.draw(canvas_, MARGIN, height - MARGIN)
        (last_footer if doc_.page == total else footer).draw(canvas_, doc_.page, total)
        canvas_.restoreState()

    last_template = PageTemplate("last", [frame("main", last_room)] + ([alert_frame] if alerts else []),
                                 onPage=draw_page)
    # The first template is the first page's: "last" too when everything fits one page.
    doc.addPageTemplates(([PageTemplate("page", [frame("main", room)], onPage=draw_page)] if total > 1 else [])
                         + [last_template])
    story: list[Flowable] = []
    for index, flows in enumerate(pages):
        last = index == total - 1
        story.append(common.sourced(KeepInFrame(frame_width, last_room if last else room, flows, mode="error",
                                                name=f"checklist page {index + 1}"), where, label))
        if not last:
            story += [NextPageTemplate("last" if index == total - 2 else "page"), PageBreak()]
    if alerts:
        alert_refs = [ref for ref in job.handout.sections if ref.section.kind == "red_flags"]
        first = alert_refs[0].section
        story += [FrameBreak(), common.sourced(KeepInFrame(frame_width, alert_height + 1, alerts, mode="error",
                                                           name="alert"), first.where, f"section {first.id}")]
    data = common.build_pdf(doc, story)
    count = common.page_count(data)
    if count != total:  # a guard: the pages were measured to fit
        raise FitError(f"{where}: {label}: the checklist came out as {count} pages, not the {total} planned")
    return RenderedPdf(data=data, pages=count, page_size=page_size, frames=doc.page_frames,
                       font_sizes=doc.font_sizes)


def _paginate(job: RenderJob, width: float, room: float, last_room: float, canvas: Canvas) -> list[list[Flowable]]:
    """Share the checklist's content out over pages of ``room`` points (``last_room`` on the last).

    The content is a list of units: the title, the "Week of" blank and each
    paragraph are one unit; each habit group is one unit, or, when a group
    alone is taller than a page, each of its habits (the group's title goes
    with the first, and again, "continued", at the top of the next page).
    Units go on a page while they fit; consecutive groups of one section on a
    page share one grid, so every page shows the day columns once, at the top
    of its grid.
    """
    theme = job.theme
    units = _units(job, width)
    continued = common.para(theme, theme.labels.text("continued", title=job.title), "h2")

    def flows(page: list, index: int, row: float = theme.pt(ROW_MIN)) -> list[Flowable]:
        out: list[Flowable] = [continued] if index else []
        for unit in page:
            if unit[0] == "flow":
                out.append(unit[1])
                continue
            kind, section, group = unit[:3]
            grid = out[-1] if out and getattr(out[-1], "_habit_section", None) is section else None
            parts = [list(part) for part in grid._habit_parts] if grid is not None else []
            if kind == "group":
                parts.append([group, group.title, list(group.habits)])
            elif parts and parts[-1][0] is group:  # the next habit of a group already on this page
                parts[-1][2].append(group.habits[unit[3]])
            else:  # a group's habits start on this page: its title, "continued" after the first habit
                title = group.title if unit[3] == 0 else Text(theme.labels.text("group_continued", title=group.title),
                                                               getattr(group.title, "where", UNKNOWN))
                parts.append([group, title, [group.habits[unit[3]]]])
            groups = [HabitGroup(title=title, habits=habits) for _, title, habits in parts]
            table = common.sourced(habit_grid(theme, section, width, row, groups=groups), section.where,
                                   f"section {section.id}")
            table._habit_section, table._habit_parts = section, parts
            if grid is not None:
                out[-1] = table
            else:
                out.append(table)
        return out

    def fits(page: list, index: int, space: float) -> bool:
        return common.list_height(flows(page, index), width, canvas) <= space + 0.5

    pages: list[list] = [[]]
    queue = list(units)
    while queue:
        unit = queue.pop(0)
        page = pages[-1]
        if fits(page + [unit], len(pages) - 1, room):
            page.append(unit)
            continue
        if page and fits([unit], len(pages), room):
            pages.append([unit])
            continue
        if unit[0] == "group" and len(unit[2].habits) > 1:  # too tall even for an empty page: habit by habit
            queue[0:0] = _habit_units(unit)
            continue
        _raise_unit_too_tall(job, unit, room)
    # The alert needs room at the foot of the last page: move units over until it has it.
    while not fits(pages[-1], len(pages) - 1, last_room):
        tail: list = []
        while pages[-1] and not fits(pages[-1], len(pages) - 1, last_room):
            tail.insert(0, pages[-1].pop())
        if not pages[-1]:
            pages.pop()
        pages.append(tail)
        if not fits(tail[:1], len(pages) - 1, last_room):
            _raise_unit_too_tall(job, tail[0], last_room)
    # Spare room goes to taller rows, the same on every page (as on a one-page checklist).
    row = theme.pt(ROW_MIN)
    spare = []
    for index, page in enumerate(pages):
        habits = sum(len(unit[2].habits) if unit[0] == "group" else 1 for unit in page if unit[0] != "flow")
        space = last_room if index == len(pages) - 1 else room
        if habits:
            spare.append((space - common.list_height(flows(page, index), width, canvas)) / habits)
    if spare:
        row = min(theme.pt(ROW_MAX), row + max(0.0, min(spare)))
    return [flows(page, index, row) for index, page in enumerate(pages)]


def _units(job: RenderJob, width: float) -> list[tuple]:
    """The checklist's content as units that are never split (see :func:`_paginate`)."""
    flows = _content(job, width, job.theme.pt(ROW_MIN), grids=False)
    units: list[tuple] = []
    for flow in flows:
        section = getattr(flow, "_habit_section", None)
        if section is not None:
            units += [("group", section, group) for group in section.groups]
        else:
            units.append(("flow", flow))
    return units


def _habit_units(unit: tuple) -> list[tuple]:
    """One group as one unit per habit: ("habit", section, group, index)."""
    _, section, group = unit
    return [("habit", section, group, index) for index in range(len(group.habits))]


def _raise_unit_too_tall(job: RenderJob, unit: tuple, room: float) -> None:
    where, label = _habits_source(job)
    what = "a habit" if unit[0] != "flow" else "the title, a paragraph or the alert"
    raise FitError(f"{where}: {label}: {what} does not fit on an empty page of the {job.handout.name} "
                   f"({room:.0f} pt there)", "shorten the text; it is never shrunk to fit")


# ----------------------------------------------------------------------------- content


def _content(job: RenderJob, width: float, row_height: float, grids: bool = True) -> list[Flowable]:
    """Title, "Week of", then each section in order (red flags excepted: they are pinned below).

    ``grids=False`` puts an empty marker where each habit grid goes (its
    ``_habit_section`` names the section), for :func:`_paginate`.
    """
    theme = job.theme
    title = common.para(theme, job.title, "title")
    week = common.write_in_row(theme, [theme.labels["week_of"]], min(width, theme.pt(260)))
    week.hAlign = "LEFT"
    week.spaceAfter = theme.pt(10)
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
            if grids:
                out.append(common.sourced(habit_grid(theme, section, width, row_height), section.where, tag))
            else:
                marker = Spacer(0, 0)
                marker._habit_section = section
                out.append(marker)
        else:  # not expected on a checklist, but shown rather than dropped
            out.append(common.sourced(common.para(theme, section.title, "h2"), section.where, tag))
            for block in section.blocks:
                out += [common.sourced(f, section.where, tag) for f in common.block_flowables(theme, block, width)]
    return out


def habit_grid(theme: Theme, section: Section, width: float, row_height: float,
               groups: Optional[list[HabitGroup]] = None) -> Table:
    """The tick grid: "Today I…" and the day names, then per group a heading row and one row per habit.

    Habit rows are zebra-striped with the tint so the eye can follow a row
    across seven boxes; a group heading row is white with a rule above.
    ``groups``: only these (a page's share of the section's groups).
    """
    pt = theme.pt
    days = theme.labels.weekdays
    day_style = ParagraphStyle("day", parent=common.tight_style(theme.style("band_small")), alignment=TA_CENTER)
    head_style = common.tight_style(theme.style("band_small"))
    label = max(stringWidth(d, theme.style("cell_bold").fontName, theme.style("cell_bold").fontSize) for d in days)
    if theme.large_print:
        # As narrow as the day name and the tick box allow: at 18 pt the habit
        # texts need every point of the width the seven columns leave.
        day_width = max(pt(TICK) + pt(12), label + pt(6))
    else:
        day_width = max(DAY_MIN, label + 12)
    habit_width = width - 7 * day_width
    rows: list[list] = [[Paragraph(f"<b>{theme.markup(theme.labels['today_i'])}</b>", head_style)]
                        + [Paragraph(f"<b>{theme.markup(d)}</b>", day_style) for d in days]]
    heights: list[Optional[float]] = [None]
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), theme.color("primary")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), pt(8)), ("RIGHTPADDING", (0, 0), (-1, -1), pt(8)),
        ("LEFTPADDING", (1, 0), (-1, -1), 0), ("RIGHTPADDING", (1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), pt(5)), ("BOTTOMPADDING", (0, 0), (-1, -1), pt(5)),
        ("BOX", (0, 0), (-1, -1), 1.25, theme.color("primary")),
    ]
    text_style = common.tight_style(theme.style("body"))
    group_style = common.tight_style(theme.style("h3"))
    stripe = 0
    for group in section.groups if groups is None else groups:
        index = len(rows)
        rows.append([Paragraph(theme.markup(group.title), group_style)] + [""] * 7)
        heights.append(None)
        style += [("SPAN", (0, index), (-1, index)), ("TOPPADDING", (0, index), (-1, index), pt(8)),
                  ("BOTTOMPADDING", (0, index), (-1, index), pt(3))]
        if index > 1:
            style.append(("LINEABOVE", (0, index), (-1, index), 1, theme.color("primary")))
        for habit in group.habits:
            index = len(rows)
            rows.append([Paragraph(theme.markup(habit.text), text_style)]
                        + [common.TickBox(pt(TICK), theme.color("primary")) for _ in days])
            # A row is at least row_height, more if the habit text wraps to many lines.
            text_height = Paragraph(theme.markup(habit.text), text_style).wrap(habit_width - 2 * pt(8), 10_000)[1]
            heights.append(max(row_height, text_height + 2 * pt(5)))
            if stripe % 2 == 0:
                style.append(("BACKGROUND", (0, index), (-1, index), theme.color("tint")))
            # Thin column rules in the day cells only: they line the boxes up by day.
            style.append(("LINEBEFORE", (1, index), (-1, index), 0.5, theme.color("primary")))
            stripe += 1
        stripe = 0  # each group starts on a tinted row, whatever the previous group's count
    table = Table(rows, colWidths=[habit_width] + [day_width] * 7, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle(style))
    table.spaceBefore, table.spaceAfter = pt(4), pt(8)
    return table


# ----------------------------------------------------------------------------- fitting




def _habits_source(job: RenderJob) -> tuple[Location, str]:
    """Where to point when the checklist does not fit: the habits section(s), which set its length."""
    habits = [ref.section for ref in job.handout.sections if ref.section.kind == "habits" and not ref.short]
    if habits:  # the 'groups:' line: the habits set the checklist's length
        return habits[0].groups_where, "section " + ", ".join(s.id for s in habits)
    return job.handout.where, f"handout {job.handout.name}"


def _raise_too_tall(job: RenderJob, needed: float, room: float, alert_height: float) -> None:
    where, label = _habits_source(job)
    over = needed - room
    rows = int(over // ROW_MIN) + 1
    alert = f"; the alert box below takes {alert_height:.0f} pt" if alert_height else ""
    raise FitError(
        f"{where}: {label}: the {job.handout.name} must fit on one page but needs {needed:.0f} pt "
        f"of the {room:.0f} pt there is ({over:.0f} pt too much{alert})",
        f"remove about {plural(rows, 'habit')} or group{'' if rows == 1 else 's'}, "
        f"or shorten the habit texts; the text is never shrunk to fit")


# ----------------------------------------------------------------------------- page furniture




class _Band:
    """Logo, clinic name and tagline on the left; "Questions? Call us" and the phone on the right.

    Measured before the build: 56 pt tall at standard size; taller when its
    text needs it (large print), never overflowing its colour.
    """

    def __init__(self, theme: Theme, width: float) -> None:
        pt = theme.pt
        brand = theme.brand
        self.theme, self.width = theme, width
        self.logo = pt(BAND - 16) if brand.logo else 0.0
        small, big = theme.style("band_small"), theme.style("band")
        questions = theme.labels["questions_call_us"]
        self.right = [Paragraph(theme.markup(questions), common.right_style(small)),
                      Paragraph(theme.markup(str(brand.phone)), common.right_style(big))]
        self.right_width = pt(4) + max(stringWidth(questions, small.fontName, small.fontSize),
                                       stringWidth(str(brand.phone), big.fontName, big.fontSize))
        self.text_x = pt(PAD) + (self.logo + pt(12) if brand.logo else 0)
        self.left = [Paragraph(theme.markup(brand.name), big)]
        if brand.tagline:
            self.left.append(Paragraph(theme.markup(brand.tagline), small))
        self.left_width = width - pt(PAD) - self.right_width - pt(14) - self.text_x
        text = max(sum(f.wrap(self.left_width, 10_000)[1] for f in self.left),
                   sum(f.wrap(self.right_width, 10_000)[1] for f in self.right))
        self.height = max(pt(BAND), text + 2 * pt(PAD), self.logo + pt(16))

    def draw(self, canvas, x: float, top: float) -> None:
        theme, pt = self.theme, self.theme.pt
        canvas.setFillColor(theme.color("primary"))
        canvas.roundRect(x, top - self.height, self.width, self.height, radius=4, stroke=0, fill=1)
        middle = top - self.height / 2
        if self.logo:
            common.draw_picture(canvas, theme.brand.logo, x + pt(PAD), middle - self.logo / 2, self.logo, self.logo,
                                theme=theme)
        _stack(canvas, self.right, x + self.width - pt(PAD) - self.right_width, middle, self.right_width)
        _stack(canvas, self.left, x + self.text_x, middle, self.left_width)


def _stack(canvas, flows: list[Paragraph], x: float, middle: float, width: float) -> None:
    """Draw paragraphs one under another, the block centred vertically on ``middle``."""
    heights = [f.wrap(width, 10_000)[1] for f in flows]
    y = middle + sum(heights) / 2
    for flow, h in zip(flows, heights):
        y -= h
        flow.drawOn(canvas, x, y)




class _Footer:
    """Rule, contact line, then the review line and the topic's review note, at the page foot.

    ``paged`` (a checklist of more than one page, large print): the contact
    lines leave room on their right for "Page x of n", and break between
    their items, never leaving a "·" at a line end.  ``review=False`` leaves
    the review paragraph out: pages before the last carry only the contact
    line (the last page, with the alert, has everything).
    """

    RULE = 6.0

    def __init__(self, job: RenderJob, width: float, paged: bool = False, review: bool = True) -> None:
        theme = job.theme
        self.theme, self.width, self.paged = theme, width, paged
        label = theme.style("small_bold")
        page_99 = common.page_label(theme, 99, 99)
        self.label_width = stringWidth(page_99, label.fontName, label.fontSize) + 4 if paged else 0.0
        contact_width = width - (self.label_width + theme.pt(12) if paged else 0)
        text = common.footer_text(theme, job)
        if paged:
            text = "<br/>".join(theme.markup(line) for line in common.pack_items(theme, text.split(" · "), "small_bold", contact_width))
        else:
            text = theme.markup(text)
        self.contact = Paragraph(text, theme.style("small_bold"))
        self.review = None
        height = theme.pt(self.RULE) + self.contact.wrap(contact_width, 10_000)[1]
        if review:
            self.review = Paragraph(theme.markup(f"{common.review_line(job)} {job.topic.review_note}"),
                                    theme.style("small"))
            height += self.review.wrap(width, 10_000)[1]
        self.height = height

    def draw(self, canvas, page: int = 1, total: int = 1) -> None:
        top = MARGIN + self.height
        canvas.setStrokeColor(self.theme.color("primary"))
        canvas.setLineWidth(1)
        canvas.line(MARGIN, top, MARGIN + self.width, top)
        top -= self.theme.pt(self.RULE)
        if self.paged:
            text = common.page_label(self.theme, page, total)
            label = Paragraph(self.theme.markup(text), common.right_style(self.theme.style("small_bold")))
            label.wrap(self.label_width, 10_000)
            label.drawOn(canvas, MARGIN + self.width - self.label_width, top - label.height)
        for flow in (self.contact, self.review):
            if flow is not None:
                flow.drawOn(canvas, MARGIN, top - flow.height)
                top -= flow.height
