"""Pieces shared by the layouts: the document template, text blocks, pictures,
red-flag box, exercise card, dose table and tick boxes.

Every flowable built from content is tagged with where its content came from
(:func:`sourced`), so that when reportlab cannot place something
(``LayoutError``: "Flowable too large") the user gets a :class:`FitError`
naming the YAML file, line and section instead of a traceback.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, Flowable, Image, KeepTogether, ListFlowable, ListItem, Paragraph, Spacer, Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from handoutkit.render import colors, fonts
from handoutkit.errors import FitError, Location
from handoutkit.content.model import (
    Block, Bullets, Callout, Dose, Exercise, Figure, Paragraph as ParagraphBlock, Section, Terms,
)
from handoutkit.render.styles import Theme

from layouts import RenderJob

# ----------------------------------------------------------------------------- document


class HandoutDoc(BaseDocTemplate):
    """A doc template with reproducible output, full metadata and located layout errors."""

    def __init__(self, buffer: io.BytesIO, job: RenderJob, pagesize: tuple[float, float], **kwargs) -> None:
        brand, labels = job.theme.brand, job.theme.labels
        # The font every page's content stream opens with (no text is drawn in
        # it): the theme's smallest size, so no Tf anywhere is below the edition's minimum.
        initial = max(12.0, job.theme.min_font_size) if job.theme.styles else 12.0
        # invariant=1: no wall-clock time or random ids.  reportlab's time
        # stamp then reads SOURCE_DATE_EPOCH itself when it is set (CreationDate,
        # ModDate and the /ID digest), else uses its fixed 2000-01-01 stamp.
        # (make_theme has already refused a malformed value, before any rendering.)
        super().__init__(
            buffer, pagesize=pagesize, invariant=1, title=job.title, author=str(brand.name),
            subject=labels.text("subject", title=job.topic.title, clinic=brand.name),
            creator="handoutkit", producer="handoutkit (reportlab)", lang=job.topic.language,
            keywords=labels.text("keywords", topic=job.topic.id, version=job.topic.version),
            initialFontName=fonts.BODY, initialFontSize=initial, initialLeading=round(initial * 1.3, 1),
            displayDocTitle=1, **kwargs)
        self.job = job
        self._last_source: Optional[tuple[Location, str]] = None
        self.page_frames: list = []  # see RenderedPdf.frames

    def handle_documentBegin(self):
        self.page_frames = []  # multiBuild runs the story more than once
        super().handle_documentBegin()

    def handle_pageEnd(self):
        template = self.pageTemplate
        self.page_frames.append((template.id, [(f._x1, f._y1, f._x2, f._y2) for f in template.frames]))
        super().handle_pageEnd()

    def handle_flowable(self, flowables):
        source = getattr(flowables[0], "_handout_source", None) if flowables else None
        if source is not None:
            self._last_source = source
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable):
        mark = getattr(flowable, "_bookmark", None)
        if mark is not None:
            text, key, level = mark
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=False)
            self.notify("TOCEntry", (level, text, self.page, key))


class RecordingCanvas(Canvas):
    """A canvas that notes every font size it sets text in, as it closes each page and form.

    The sizes come from the operators the layout itself wrote (``/F1 12 Tf``),
    still as text in memory, before compression: the print-ready check gets
    them for free instead of decompressing and parsing the finished file.
    """

    _TF = re.compile(r"/\S+ (-?[\d.]+) Tf\b")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.font_sizes: set[float] = set()
        self.pages_shown = 0

    def _record(self) -> None:
        # The preamble (the initial font, "BT /F1 12 Tf 14.4 TL ET") opens every page and form stream.
        self.font_sizes.update(float(size) for size in self._TF.findall("\n".join([self._preamble, *self._code])))

    def showPage(self) -> None:
        self._record()
        self.pages_shown += 1
        super().showPage()

    def endForm(self, **extra_attributes) -> None:
        self._record()
        super().endForm(**extra_attributes)


def build_pdf(doc: HandoutDoc, story: list, multi_pass: bool = False) -> bytes:
    """Build ``story`` into the doc's buffer and return the PDF bytes.

    A reportlab ``LayoutError`` becomes a :class:`FitError` naming the YAML
    source of the flowable that did not fit, with the space it needed.
    The font sizes the (last) pass set text in are left in ``doc.font_sizes``,
    its number of pages in ``doc.page_count``.
    """
    try:
        if multi_pass:
            doc.multiBuild(story, canvasmaker=RecordingCanvas)
        else:
            doc.build(story, canvasmaker=RecordingCanvas)
        doc.font_sizes = frozenset(doc.canv.font_sizes)
        doc.page_count = doc.canv.pages_shown  # what page_count(data) would read back, without parsing
    except LayoutError as exc:
        where, label = doc._last_source or (Location(doc.job.topic.id), doc.job.handout.name)
        needed = _needed_height(str(exc))
        frame = getattr(doc, "frame", None)
        has = f", has {frame._aH:.0f} pt" if frame is not None else ""
        raise FitError(
            f"{where}: {label}: does not fit on one page of the {doc.job.handout.name} "
            f"({needed or 'too tall'}{has})",
            "shorten the text, split it into two blocks or sections, or use a smaller picture") from None
    return doc.filename.getvalue()


def _needed_height(message: str) -> str:
    import re

    match = (re.search(r"\(([\d.]+) x ([\d.]+)\)", message)
             or re.search(r"content ([\d.]+)x([\d.]+) too large", message))
    return f"needs {float(match.group(2)):.0f} pt" if match else ""


def sourced(flowable: Flowable, where: Location, label: str) -> Flowable:
    """Tag ``flowable`` with the content it shows, for error messages."""
    flowable._handout_source = (where, label)
    return flowable


def bookmark(flowable: Flowable, text: str, key: str, level: int = 0) -> Flowable:
    """Make ``flowable`` a contents/outline entry when it is placed."""
    flowable._bookmark = (text, key, level)
    return flowable


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def list_height(flowables: list[Flowable], width: float, canvas=None) -> float:
    """Height of flowables stacked in a frame, spacing included, as KeepInFrame measures it."""
    from reportlab.platypus.flowables import _listWrapOn

    if not flowables:
        return 0.0
    # KeepTogether reports a huge height on purpose (to force its own split
    # logic); measure what it holds instead.
    flowables = _unwrap_keeps(flowables)
    if canvas is None:
        from reportlab.pdfgen.canvas import Canvas

        canvas = Canvas(io.BytesIO())
    return _listWrapOn(flowables, width, canvas)[1]


def _unwrap_keeps(flowables: list[Flowable]) -> list[Flowable]:
    out: list[Flowable] = []
    for flow in flowables:
        if isinstance(flow, KeepTogether):
            out += _unwrap_keeps(list(flow._content))
        else:
            out.append(flow)
    return out


# ----------------------------------------------------------------------------- text


def para(theme: Theme, text: str, style: str) -> Paragraph:
    return Paragraph(theme.markup(text), theme.style(style))


def bullets(theme: Theme, items: Iterable[str], style: str = "bullet", numbered: bool = False,
            start: int = 1) -> ListFlowable:
    """A bullet or numbered list with hanging indents; bullets are drawn in the body font.

    ``start``: the first number of a numbered list (one step of a split card).
    """
    st = theme.style(style)
    # The hanging indent must clear the widest marker ("10."), whatever the style's own indent.
    indent = max(st.leftIndent, st.fontSize * (1.7 if numbered else 1.2))
    flow = [ListItem(Paragraph(theme.markup(t), st), leftIndent=indent) for t in items]
    if numbered:
        return ListFlowable(flow, bulletType="1", start=start, bulletFontName=fonts.BODY_BOLD, bulletFontSize=st.fontSize,
                            leftIndent=indent, bulletColor=theme.color("primary"), bulletFormat="%s.")
    return ListFlowable(flow, bulletType="bullet", start="•", bulletFontName=fonts.BODY,
                        bulletFontSize=st.fontSize, leftIndent=indent, bulletColor=theme.color("primary"))


def block_flowables(theme: Theme, block: Block, width: float) -> list[Flowable]:
    """One content block as flowables."""
    if isinstance(block, ParagraphBlock):
        return [para(theme, chunk, "body") for chunk in text_chunks(str(block.text))]
    if isinstance(block, Bullets):
        return [bullets(theme, block.items), Spacer(1, 4)]
    if isinstance(block, Terms):
        out: list[Flowable] = []
        for item in block.items:
            out.append(KeepTogether([para(theme, item.term, "term"), para(theme, item.text, "term_text")]))
        return out
    if isinstance(block, Callout):
        return [callout(theme, block, width)]
    if isinstance(block, Figure):
        items: list[Flowable] = [picture(block.src, width, width * 0.6, theme=theme)]
        if block.caption:
            items.append(para(theme, block.caption, "caption"))
        return [KeepTogether(items)]
    raise TypeError(f"unknown block {block!r}")


def blocks_flowables(theme: Theme, blocks: list[Block], width: float) -> list[Flowable]:
    """A section's blocks as flowables, with keep-with-next for lead-in lines.

    A paragraph ending in a colon ("These things can help:") introduces the
    list after it: it is kept on the page with that list's first item (the
    rest of the list may still run on to the next page).
    """
    out: list[Flowable] = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if (isinstance(block, ParagraphBlock) and str(block.text).rstrip().endswith(":")
                and isinstance(following, (Bullets, Terms)) and out is not None):
            out.append(_LeadIn(para(theme, block.text, "body")))
            continue
        flows = block_flowables(theme, block, width)
        if out and isinstance(out[-1], _LeadIn):
            lead = out.pop().content
            if isinstance(block, Bullets) and len(block.items) > 1:
                head = bullets(theme, block.items[:1])
                head.spaceAfter = 0
                flows = [KeepTogether([lead, head]), bullets(theme, block.items[1:])] + flows[1:]
            else:
                flows = [KeepTogether([lead, flows[0]])] + flows[1:]
        out += flows
    return [f.content if isinstance(f, _LeadIn) else f for f in out]


class _LeadIn:
    """Marker for a lead-in paragraph waiting for its list (see :func:`blocks_flowables`)."""

    def __init__(self, content: Flowable) -> None:
        self.content = content


CHUNK_CHARS = 1500  # about a third of a booklet page of body text


def text_chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Very long text as pieces of at most about ``limit`` characters, cut between sentences (else words).

    reportlab re-wraps what is left of a paragraph at every page break, so
    one paragraph of n characters costs about n² (100 KB: 13.5 s; 400 KB:
    219 s and 426 MB).  Consecutive pieces print as consecutive paragraphs;
    the cost becomes linear.  ``**bold**`` open at a cut is closed and
    reopened so each piece's markup is balanced.  Ordinary paragraphs are
    returned whole.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    bold = False
    while rest:
        if len(rest) <= limit:
            cut = len(rest)
        else:
            window = rest[:limit]
            cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
            cut = cut + 1 if cut >= limit // 2 else window.rfind(" ")
            if cut < limit // 2:
                cut = limit  # no space at all: cut inside the "word"
        piece, rest = rest[:cut].strip(), rest[cut:].lstrip()
        if bold:
            piece = "**" + piece
        bold = piece.count("**") % 2 == 1
        if bold:
            piece += "**"
        if piece.strip("*"):
            pieces.append(piece)
    return pieces


def callout(theme: Theme, block: Callout, width: float) -> Table:
    edge = theme.color("accent") if block.tone == "warning" else theme.color("primary")
    inner: list[Flowable] = []
    if block.title:
        inner.append(para(theme, block.title, "callout_title"))
    inner.append(para(theme, block.text, "body"))
    table = Table([[inner]], colWidths=[width])
    pt = theme.pt
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), theme.color("tint")),
        ("LINEBEFORE", (0, 0), (0, -1), pt(4), edge),
        ("LEFTPADDING", (0, 0), (-1, -1), pt(10)), ("RIGHTPADDING", (0, 0), (-1, -1), pt(8)),
        ("TOPPADDING", (0, 0), (-1, -1), pt(6)), ("BOTTOMPADDING", (0, 0), (-1, -1), pt(4)),
    ]))
    table.spaceBefore, table.spaceAfter = pt(4), pt(8)
    return table


# ----------------------------------------------------------------------------- pictures


@lru_cache(maxsize=64)
def _svg_drawing(path: str, mtime: float, gray: bool = False) -> Drawing:
    if gray:  # a gray copy: the colour drawing stays cached for colour builds
        drawing = copy.deepcopy(_svg_drawing(path, mtime, False))
        _gray_shapes(drawing)
        return drawing
    from svglib.svglib import svg2rlg

    drawing = svg2rlg(path)
    if drawing is None:  # svglib logs and returns None on files it cannot read
        raise FitError(f"{path}: SVG could not be converted to a drawing")
    return drawing


def _gray_shapes(node) -> None:
    """Map every colour in a drawing to the gray of equal luminance, in place.

    Fills and strokes of every shape, and the stops of svglib's gradient
    shapes (which keep them in ``_rl_colors``); groups are walked down.
    """
    for name in ("fillColor", "strokeColor"):
        value = getattr(node, name, None)
        if value is not None and hasattr(value, "rgb"):
            setattr(node, name, gray_color(value))
    stops = getattr(node, "_rl_colors", None)
    if stops:
        node._rl_colors = [gray_color(c) if hasattr(c, "rgb") else c for c in stops]
    for child in getattr(node, "contents", ()) or ():
        _gray_shapes(child)
    clip = getattr(node, "_clip_shape", None)
    if clip is not None:
        _gray_shapes(clip)


def gray_color(color):
    """A reportlab colour as the neutral gray of the same luminance (alpha kept)."""
    from reportlab.lib.colors import Color

    level = colors.gray_level(*color.rgb())
    return Color(level, level, level, alpha=getattr(color, "alpha", 1))


PRINT_DPI = 300  # a bitmap is embedded at no more than this at its printed size


@lru_cache(maxsize=64)
def _print_raster(path: str, mtime: float, pixels: tuple[int, int], gray: bool) -> Optional[bytes]:
    """A PNG or JPEG made ready to embed: at most ``pixels`` (300 dpi at its printed size), gray if asked.

    Returns None when the file can go in as it is (small enough, colour).  A
    photo of 6000 px printed 2 in wide would otherwise be decoded and
    embedded whole; JPEGs are decoded at a reduced size straight away
    (``draft``), so a large one never needs its full-size pixels in memory.
    Any failure to decode names the file (a FitError, no traceback).
    """
    from PIL import Image as PILImage

    from handoutkit.content.assets import strict_pillow

    try:
        with strict_pillow(), PILImage.open(path) as image:
            too_big = image.width > pixels[0] * 1.05 or image.height > pixels[1] * 1.05
            if not too_big and not gray:
                return None
            if image.format == "JPEG":
                image.draft("L" if gray else "RGB", pixels)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            mode = ("LA" if has_alpha else "L") if gray else ("RGBA" if has_alpha else "RGB")
            picture_ = image.convert(mode)
            if picture_.width > pixels[0] or picture_.height > pixels[1]:
                picture_.thumbnail(pixels, PILImage.LANCZOS)
            out = io.BytesIO()
            if image.format == "JPEG" and not has_alpha:
                picture_.save(out, format="JPEG", quality=90)
            else:
                picture_.save(out, format="PNG")
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError) as exc:
        raise FitError(f"{path}: the image cannot be read ({type(exc).__name__}: {exc})",
                       "save the picture again from an image editor as a plain PNG or JPEG") from None


def picture(path: Path, max_width: float, max_height: float, theme: Optional[Theme] = None) -> Flowable:
    """An SVG (as vectors) or PNG/JPEG, scaled to fit the box, aspect kept.

    With a grayscale ``theme`` the picture is drawn in grays of equal
    luminance (SVG shapes mapped, bitmaps converted to one channel).
    """
    gray = bool(theme is not None and theme.grayscale)
    if path.suffix.lower() == ".svg":
        source = _svg_drawing(str(path), path.stat().st_mtime, gray)
        scale = min(max_width / source.width, max_height / source.height)
        group = Group(*source.contents)
        group.scale(scale, scale)
        drawing = Drawing(source.width * scale, source.height * scale)
        drawing.add(group)
        if theme is not None:
            # The drawing renderer opens every drawing with an (idle) font
            # size; make it the edition's smallest, so no Tf is below it.
            drawing.initialFontSize = theme.min_font_size
        return drawing
    try:
        width, height = ImageReader(str(path)).getSize()
    except Exception as exc:  # reportlab wraps Pillow's many error types
        raise FitError(f"{path}: the image cannot be read ({type(exc).__name__})",
                       "save the picture again from an image editor as a plain PNG or JPEG") from None
    scale = min(max_width / width, max_height / height)
    printed = (width * scale, height * scale)
    pixels = (max(1, round(printed[0] / 72 * PRINT_DPI)), max(1, round(printed[1] / 72 * PRINT_DPI)))
    ready = _print_raster(str(path), path.stat().st_mtime, pixels, gray)
    return Image(io.BytesIO(ready) if ready is not None else str(path), width=printed[0], height=printed[1])


def draw_picture(canvas, path: Path, x: float, y: float, max_width: float, max_height: float,
                 theme: Optional[Theme] = None) -> tuple[float, float]:
    """Draw a picture on a canvas (page furniture such as the logo); returns its size."""
    flow = picture(path, max_width, max_height, theme=theme)
    w, h = flow.wrap(max_width, max_height)
    flow.drawOn(canvas, x, y)
    return w, h


# ----------------------------------------------------------------------------- red flags


def red_flag_box(theme: Theme, section: Section, width: float, short: bool = False,
                 titled: bool = True) -> Table:
    """The 'when to get help' box: a bold band in the accent colour over grouped signs.

    ``short`` gives the one-paragraph version (the section's summary).
    ``titled=False`` leaves the band out, for a box placed right under its
    section's heading (the band would print the same words twice); the
    accent frame still marks it.

    The table breaks only between urgency groups (the band repeats), never
    inside one; a layout that flows it wraps it in KeepTogether, so it breaks
    only when it is taller than an empty page.
    """
    rows: list[list] = [[para(theme, section.title, "alert_title")]] if titled else []
    if short:
        rows.append([para(theme, section.summary or "", "body")])
    else:
        # Large print: the signs at 1.15 line spacing (ACB), so that two urgency
        # groups share a half-letter page instead of one group a page.
        box_theme = compact_theme(theme, ("bullet", "alert_action"))
        for group in section.groups:
            rows.append([[para(box_theme, group.action, "alert_action"), bullets(box_theme, group.signs)]])
    first = 1 if titled else 0
    table = Table(rows, colWidths=[width], repeatRows=first)
    pt = theme.pt
    style = [
        ("BOX", (0, 0), (-1, -1), 2.5, theme.color("accent")),
        ("LEFTPADDING", (0, 0), (-1, -1), pt(9)), ("RIGHTPADDING", (0, 0), (-1, -1), pt(9)),
        ("TOPPADDING", (0, 0), (-1, -1), pt(6)), ("BOTTOMPADDING", (0, 0), (-1, -1), pt(6)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        # A box broken between groups is closed at the break, as a box of its own.
        ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 2.5, theme.color("accent")),
    ]
    if titled:
        style.append(("BACKGROUND", (0, 0), (-1, 0), theme.color("accent")))
    else:  # no band: a heavier top rule in the accent colour instead
        style.append(("LINEABOVE", (0, 0), (-1, 0), pt(5), theme.color("accent")))
    if len(rows) - first > 1:
        style.append(("LINEBELOW", (0, first), (-1, -2), 0.75, theme.color("accent")))
    table.setStyle(TableStyle(style))
    table.spaceBefore, table.spaceAfter = pt(4), pt(10)
    return sourced(table, section.where, f"section {section.id}")


# ----------------------------------------------------------------------------- exercises


def dose_table(theme: Theme, dose: Dose, width: float) -> Table:
    """Sets / reps / hold / times a day: one boxed cell each, label and value together ("Sets 1").

    One row when the four cells fit the width (two rows of two when they do
    not, in large print on a narrow page); the cells leave room to circle or
    write over a value by hand.  Labels in the theme's language.
    """
    labels = theme.labels
    hold = labels.text("seconds", n=labels.number(dose.hold_seconds)) if dose.hold_seconds else labels["no_hold"]
    head = [labels["sets"], labels["reps"], labels["hold"], labels["times_a_day"]]
    values = [labels.number(dose.sets), labels.number(dose.reps), hold, labels.number(dose.times_per_day)]
    pt = theme.pt
    cell = theme.style("cell")
    texts = [f"{h} <b>{v}</b>" for h, v in zip(head, values)]
    needed = [fonts_width(f"{h} {v}", fonts.BODY_BOLD, cell.fontSize) + pt(6) + 1 for h, v in zip(head, values)]
    if sum(needed) <= width:
        spare = (width - sum(needed)) / len(needed)
        data = [[Paragraph(t, cell) for t in texts]]
        widths = [n + spare for n in needed]
    else:
        data = [[Paragraph(texts[0], cell), Paragraph(texts[1], cell)],
                [Paragraph(texts[2], cell), Paragraph(texts[3], cell)]]
        widths = [width / 2, width / 2]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), theme.color("background")),
        ("GRID", (0, 0), (-1, -1), 0.75, theme.color("primary")),
        ("LEFTPADDING", (0, 0), (-1, -1), pt(4)), ("RIGHTPADDING", (0, 0), (-1, -1), pt(2)),
        ("TOPPADDING", (0, 0), (-1, -1), pt(2)), ("BOTTOMPADDING", (0, 0), (-1, -1), pt(3)),
    ]))
    return table


def tight_list_theme(theme: Theme) -> Theme:
    """The theme with 1 pt instead of 4 pt between "small" list items, for the steps in a card.

    Same font and size; the hanging numbers already separate the steps, and
    across several cards the saved space keeps a sheet to fewer pages.  In
    large print the card text also gets 1.15 line spacing (ACB's figure for
    large print) instead of 1.3: that is what lets a large-print card fit a
    half-letter page.
    """
    base = theme.style("small")
    leading = round(base.fontSize * 1.15, 1) if theme.large_print else base.leading
    small = ParagraphStyle("small-list", parent=base, spaceAfter=1, leading=leading)
    return replace(theme, styles={**theme.styles, "small": small})


def compact_theme(theme: Theme, names: Iterable[str]) -> Theme:
    """In large print, the theme with the ``names`` styles at 1.15 line spacing (ACB's large-print figure).

    The standard edition is returned unchanged.  Used where large text in a
    box would otherwise leave a page to each part (red-flag groups).
    """
    if not theme.large_print:
        return theme
    styles = dict(theme.styles)
    for name in names:
        base = styles[name]
        styles[name] = ParagraphStyle(f"{name}-compact", parent=base, leading=round(base.fontSize * 1.15, 1),
                                      spaceAfter=min(base.spaceAfter, theme.pt(2)))
    return replace(theme, styles=styles)


class ContinuedTitle(Flowable):
    """A card's name that reads "name (continued)" when drawn a second time (a split card's repeated title).

    Table ``repeatRows`` draws the same cell again at the top of the
    continuation; this flowable knows the page it started on.  Both
    versions are measured and the taller is used, so the row height is the
    same on both pages.
    """

    def __init__(self, theme: Theme, name: str, style: str = "h3") -> None:
        super().__init__()
        self.first = para(theme, name, style)
        self.again = para(theme, theme.labels.text("group_continued", title=name), style)
        self.first_page: Optional[int] = None

    def wrap(self, available_width, available_height):
        heights = [p.wrap(available_width, available_height)[1] for p in (self.first, self.again)]
        self.width, self.height = available_width, max(heights)
        return self.width, self.height

    def draw(self):
        # The page it was first drawn on, not a "drawn already" flag: multiBuild lays
        # the story out twice, on the same pages.
        page = self.canv.getPageNumber()
        if self.first_page is None:
            self.first_page = page
        flow = self.first if page == self.first_page else self.again
        flow.drawOn(self.canv, 0, self.height - flow.height)


def exercise_card(theme: Theme, exercise: Exercise, width: float, number: Optional[int] = None,
                  picture_width: float = 130, max_height: Optional[float] = None) -> Flowable:
    """One exercise: name, picture beside its purpose, numbered steps, dose, tip.

    On a wide page the steps and dose sit beside the picture too; on a narrow
    booklet page only the purpose does (when it gets at least ten ems; else
    the picture gives way, down to two thirds of its width), and the steps and
    the one-row dose run full width.  Short cards come out under half a
    half-letter page, so two share a page.

    ``max_height`` (the page's frame height): a card taller than that, a last
    resort for long steps in large print, breaks at a step boundary (never
    inside a step, the picture and at least one step stay together) with
    "name (continued)" at the top of the continuation.  Without it, or when
    the card fits, it is never split: too tall is a FitError.
    """
    pt = theme.pt
    name = f"{number}. {exercise.name}" if number else exercise.name
    inner = width - pt(16)  # card padding
    gap = pt(10)
    card_theme = tight_list_theme(theme)
    # Beside the picture the purpose keeps at least twelve ems (large print on a
    # booklet page): the picture gives way, down to two thirds of its width.
    picture_width = max(picture_width * 2 / 3,
                        min(picture_width, inner - gap - 12 * theme.style("small").fontSize))
    pic = picture(exercise.image, picture_width, picture_width * 0.75, theme=theme)
    purpose = para(card_theme, exercise.purpose, "small")
    steps = bullets(card_theme, exercise.steps, style="small", numbered=True)
    side = inner - picture_width - gap
    tip = [para(card_theme, tip_text(theme, exercise), "small")]
    if side >= pt(220):
        body = grid([[pic, [purpose, steps, Spacer(1, pt(4)), dose_table(theme, exercise.dose, side)]]],
                    [picture_width + gap, side])
        rows = [[para(theme, name, "h3")], [body], tip]
    else:
        top = grid([[pic, purpose]], [picture_width + gap, side])
        rows = [[para(theme, name, "h3")], [top], [steps], [dose_table(theme, exercise.dose, inner)], tip]
    style = [
        ("BOX", (0, 0), (-1, -1), 1.25, theme.color("primary")),
        ("BACKGROUND", (0, -1), (-1, -1), theme.color("tint")),
        ("LEFTPADDING", (0, 0), (-1, -1), pt(8)), ("RIGHTPADDING", (0, 0), (-1, -1), pt(8)),
        ("TOPPADDING", (0, 0), (-1, -1), pt(3)), ("BOTTOMPADDING", (0, 0), (-1, -1), pt(3)),
    ]
    card = Table(rows, colWidths=[width])
    card.setStyle(TableStyle(style))
    card.spaceBefore, card.spaceAfter = pt(2), pt(8)
    if max_height is not None and list_height([card], width) > max_height and side < pt(220):
        # Last resort: one row per step, so the table breaks only between steps;
        # the name (row 0) repeats as "name (continued)".  The picture row and the
        # first step are kept together (no split allowed right after the picture).
        step_rows = [[bullets(card_theme, [step], style="small", numbered=True, start=index)]
                     for index, step in enumerate(exercise.steps, 1)]
        rows = [[ContinuedTitle(theme, name)], [top]] + step_rows + [[dose_table(theme, exercise.dose, inner)], tip]
        card = Table(rows, colWidths=[width], repeatRows=1)
        card.setStyle(TableStyle(style + [
            ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 1.25, theme.color("primary")),
            ("NOSPLIT", (0, 1), (0, 2)),
        ]))
        card.spaceBefore, card.spaceAfter = pt(2), pt(8)
        return sourced(KeepTogether([card]), exercise.where, f"exercise {exercise.id}")
    return sourced(Whole(card), exercise.where, f"exercise {exercise.id}")


class Whole(Flowable):
    """Wraps a flowable that must never be split across pages.

    reportlab's KeepTogether gives up and splits when the content is taller
    than a page; this refuses to split at all, so content too tall for an
    empty page becomes a LayoutError (and so a located FitError) instead of a
    card torn in two.
    """

    def __init__(self, content: Flowable) -> None:
        super().__init__()
        self.content = content
        self.spaceBefore = getattr(content, "spaceBefore", 0)
        self.spaceAfter = getattr(content, "spaceAfter", 0)

    def wrap(self, available_width, available_height):
        self.width, self.height = self.content.wrapOn(self.canv, available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        return []

    def draw(self):
        self.content.drawOn(self.canv, 0, 0)


def tip_text(theme: Theme, exercise: Exercise) -> str:
    """"**Tip:** ..." in the theme's language (content markup)."""
    return f"**{theme.labels['tip']}** {exercise.tip}"


def grid(rows: list, widths: list[float]) -> Table:
    """A borderless, unpadded table used to put things side by side."""
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


# ----------------------------------------------------------------------------- tick boxes and lines


class TickBox(Flowable):
    """An empty square drawn as a vector path (no font glyph, so nothing can be missing)."""

    def __init__(self, size: float, color, line_width: float = 1.25) -> None:
        super().__init__()
        self.size, self.color, self.line_width = size, color, line_width
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        canvas = self.canv
        canvas.setStrokeColor(self.color)
        canvas.setLineWidth(self.line_width)
        canvas.roundRect(0, 0, self.size, self.size, radius=2, stroke=1, fill=0)


def write_in_row(theme: Theme, labels: list[str], width: float, height: float = 26) -> Table:
    """Labels followed by ruled blanks to write on, e.g. Name ____ Date ____ (``height``: the row's)."""
    cells, widths = [], []
    share = width / len(labels)
    gap = 14  # white space between one blank's rule and the next label
    for index, label in enumerate(labels):
        cells.append(Paragraph(f"<b>{label}:</b>", theme.style("cell")))
        cells.append("")
        label_width = fonts_width(label + ":", fonts.BODY_BOLD, theme.style("cell").fontSize) + 8 + (gap if index else 0)
        widths.extend([label_width, share - label_width])
    table = Table([cells], colWidths=widths, rowHeights=[height])
    style = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for i in range(2, len(cells), 2):
        style.append(("LEFTPADDING", (i, 0), (i, 0), gap))
    for i in range(1, len(cells), 2):
        style.append(("LINEBELOW", (i, 0), (i, 0), 1, theme.color("text")))
        style.append(("RIGHTPADDING", (i, 0), (i, 0), 10))
    table.setStyle(TableStyle(style))
    return table


def fonts_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def footer_text(theme: Theme, job: RenderJob) -> str:
    brand = theme.brand
    bits = [str(brand.name), str(brand.phone)]
    if brand.website:
        bits.append(str(brand.website))
    return " · ".join(bits)


def review_line(job: RenderJob) -> str:
    """"Version 1.0. Reviewed November 2026. Next review due November 2028.", in the theme's language."""
    topic, labels = job.topic, job.theme.labels
    return labels.text("review_line", version=topic.version, reviewed=labels.month_year(topic.last_reviewed),
                       due=labels.month_year(topic.review_due))


def page_label(theme: Theme, page: int, total: Optional[int]) -> str:
    """"Page 1 of 2" (or "Page 1" while the total is not known), in the theme's language."""
    labels = theme.labels
    if total:
        return labels.text("page_of", page=labels.number(page), total=labels.number(total))
    return labels.text("page", page=labels.number(page))


def draw_para(canvas, theme: Theme, text: str, style: str, x: float, top: float, width: float,
              markup: bool = True, right: bool = False, memo: Optional[dict] = None) -> float:
    """Draw wrapped text on a canvas with its top at ``top``; returns the height used.

    Page furniture goes through Paragraph too, so brand text gets the same
    escaping and symbol-font fallback as the story.  ``markup=False`` takes
    text that is already paragraph markup; ``right`` aligns it right.
    ``memo`` (a dict the caller keeps for one document) reuses the wrapped
    paragraph when the same text is drawn again at the same width, as
    running heads and footers are on every page; a wrapped Paragraph draws
    the same operators every time.  Content only: never pass one for text
    that holds a patient's details.
    """
    key = (text, style, markup, right, width)
    found = memo.get(key) if memo is not None else None
    if found is None:
        st = right_style(theme.style(style)) if right else theme.style(style)
        flow = Paragraph(theme.markup(text) if markup else text, st)
        _, height = flow.wrap(width, 10_000)
        found = (flow, height)
        if memo is not None:
            memo[key] = found
    flow, height = found
    flow.drawOn(canvas, x, top - height)
    return height


def tight_style(style: ParagraphStyle) -> ParagraphStyle:
    """The style without space before/after: in a table cell the padding does that."""
    return ParagraphStyle(style.name + "-tight", parent=style, spaceBefore=0, spaceAfter=0)


def right_style(style: ParagraphStyle) -> ParagraphStyle:
    """The style, right-aligned."""
    return ParagraphStyle(style.name + "-right", parent=style, alignment=TA_RIGHT)


def pack_items(theme: Theme, items: list[str], style: str, width: float,
               first_width: Optional[float] = None) -> list[str]:
    """Join ``items`` with " · " into as few lines as fit (an item longer than a line wraps).

    Used for contact lines, so a break falls between items and never leaves
    a "·" at a line end.  ``first_width``: the first line is narrower (e.g. it
    shares the line with a page label).
    """
    st = theme.style(style)

    def fits(text: str, room: float) -> bool:
        return Paragraph(theme.markup(text), st).wrap(room, 10_000)[1] <= st.leading + 0.5

    lines: list[str] = []
    for item in items:
        room = first_width if first_width is not None and len(lines) == 1 else width
        if lines and fits(f"{lines[-1]} · {item}", room):
            lines[-1] = f"{lines[-1]} · {item}"
        else:
            lines.append(item)
    return lines
