"""From a brand to a reportlab theme: page sizes, colours, paragraph styles, text markup.

Layouts never pick a font, size or colour themselves; they ask the theme.
That keeps the typography rules in one place: every size is at least 12 pt
(body 13 pt, nothing smaller anywhere, page furniture included), line
spacing is generous, and every colour pair used for text has passed the
contrast check in :func:`check_brand_contrast`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional
from xml.sax.saxutils import escape

from handoutkit import colors, fonts
from handoutkit.errors import ContentError, ContentErrors, Location
from handoutkit.model import Brand, Text

MM = 72 / 25.4
INCH = 72.0

# Full sheets, portrait, in points.
PAPER = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
# A booklet page is half a sheet: half-letter (5.5 × 8.5 in) or A5.
BOOKLET_PAGE = {"letter": (396.0, 612.0), "a4": (419.5276, 595.2756)}

MIN_FONT_SIZE = 12.0
BLEED = 3 * MM  # print-shop bleed around each trimmed page
# Large print (ACB 2022): 18 pt body.  Body is 13 pt normally, so everything scales by 18/13.
LARGE_PRINT_SCALE = 18 / 13

# Which colour is drawn on which, and how much contrast each pair needs.
# Keys name brand colour fields; "white" is the text on colour bands.
CONTRAST_PAIRS = (
    ("text", "background", "body text on the page"),
    ("primary", "background", "headings on the page"),
    ("background", "primary", "text on the colour bands"),
    ("text", "tint", "text on callout panels"),
    ("primary", "tint", "headings on callout panels"),
    ("background", "accent", "text on the red-flag band"),
    ("accent", "background", "red-flag headings on the page"),
)


@dataclass(frozen=True)
class ContrastPair:
    """One brand colour drawn on another, with its WCAG ratio."""

    foreground: str  # brand colour key, e.g. "primary"
    background: str
    use: str
    ratio: float
    where: Location

    def message(self, brand: Brand, minimum: float) -> str:
        fg, bg = getattr(brand.colors, self.foreground), getattr(brand.colors, self.background)
        return (f"colors.{self.foreground} ({fg}) on colors.{self.background} ({bg}): contrast {self.ratio:.2f}:1 "
                f"is below the minimum {minimum:g}:1 ({self.use})")

    @property
    def hint(self) -> str:
        if self.foreground == "background":
            return f"darken colors.{self.background}"
        return f"darken colors.{self.foreground} or lighten colors.{self.background}"


def contrast_pairs(brand: Brand) -> list[ContrastPair]:
    """Every colour pair the layouts draw text with, and its contrast ratio."""
    pairs = []
    for fg, bg, use in CONTRAST_PAIRS:
        fg_value, bg_value = getattr(brand.colors, fg), getattr(brand.colors, bg)
        where = fg_value.where if isinstance(fg_value, Text) else brand.where
        pairs.append(ContrastPair(fg, bg, use, colors.contrast_ratio(fg_value, bg_value), where))
    return pairs


def check_brand_contrast(brand: Brand, minimum: float = colors.MIN_CONTRAST) -> None:
    """Raise :class:`ContentErrors` naming each colour pair below ``minimum``."""
    errors = [ContentError(pair.where, "brand", pair.message(brand, minimum), pair.hint)
              for pair in contrast_pairs(brand) if pair.ratio < minimum]
    if errors:
        raise ContentErrors(errors)


@dataclass
class Theme:
    """Everything visual a layout needs, derived from one brand."""

    brand: Brand
    paper: str
    scale: float = 1.0
    grayscale: bool = False
    bleed: float = 0.0  # > 0 when print marks are on: full-bleed elements extend this far past the trim
    palette: dict = field(default_factory=dict)
    styles: dict = field(default_factory=dict)

    @property
    def sheet_size(self) -> tuple[float, float]:
        return PAPER[self.paper]

    @property
    def booklet_size(self) -> tuple[float, float]:
        return BOOKLET_PAGE[self.paper]

    def color(self, name: str):
        return self.palette[name]

    def style(self, name: str):
        return self.styles[name]

    def markup(self, text: str) -> str:
        """Content text → reportlab paragraph markup.

        Escapes XML, fills ``{clinic_phone}``-style placeholders from the brand,
        turns ``**bold**`` into <b>, and switches to the symbol font for the
        characters the body font lacks (so they never print as empty boxes).
        """
        filled = text.format_map(_Placeholders(self.brand.placeholders())) if "{" in text else str(text)
        out = escape(filled)
        out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
        return _with_fallback(out)


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:  # validation already rejected unknown names
        return "{" + key + "}"


def _with_fallback(markup: str) -> str:
    if all(fonts.in_body_font(c) or c in "<>/&;" for c in markup):
        return markup
    parts = []
    for char in markup:
        if char in "<>/&;" or char == " " or fonts.in_body_font(char):
            parts.append(char)
        else:
            parts.append(f'<font name="{fonts.SYMBOL}">{char}</font>')
    return "".join(parts)


def make_theme(brand: Brand, paper: Optional[str] = None, scale: float = 1.0, large_print: bool = False,
               grayscale: bool = False, bleed: float = 0.0) -> Theme:
    """Build the theme for ``brand`` (registering the bundled fonts).

    ``large_print`` scales every size by :data:`LARGE_PRINT_SCALE`;
    ``grayscale`` maps the brand colours to grays (not implemented yet);
    ``bleed`` is passed to layouts so full-bleed elements reach past the trim.
    """
    if large_print:
        scale = scale * LARGE_PRINT_SCALE
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    fonts.register()
    check_brand_contrast(brand)
    c = brand.colors
    palette = {name: HexColor(getattr(c, name)) for name in ("primary", "accent", "text", "background", "tint")}
    theme = Theme(brand=brand, paper=paper or brand.paper, scale=scale, grayscale=grayscale, bleed=bleed,
                  palette=palette)

    def size(points: float) -> float:
        return max(MIN_FONT_SIZE, round(points * scale, 1))

    body_size = size(13)

    def para(name: str, font: str = fonts.BODY, pts: float = 13, color: str = "text", lead: float = 1.32,
             before: float = 0, after: float = 6, **extra) -> ParagraphStyle:
        s = size(pts)
        return ParagraphStyle(name, fontName=font, fontSize=s, leading=round(s * lead, 1),
                              textColor=palette[color], spaceBefore=before, spaceAfter=after,
                              alignment=TA_LEFT, **extra)

    theme.styles = {
        "body": para("body"),
        "lead": para("lead", pts=14, after=8),
        "bullet": para("bullet", leftIndent=body_size * 1.3, bulletIndent=body_size * 0.2, after=4),
        "term": para("term", font=fonts.BODY_BOLD, after=1, keepWithNext=True),
        "term_text": para("term_text", leftIndent=body_size * 0.9, after=7),
        "h1": para("h1", font=fonts.BODY_BOLD, pts=22, color="primary", lead=1.15, after=10, keepWithNext=True),
        "h2": para("h2", font=fonts.BODY_BOLD, pts=16, color="primary", lead=1.2, before=8, after=5,
                   keepWithNext=True),
        "h3": para("h3", font=fonts.BODY_BOLD, pts=14, color="primary", lead=1.2, before=4, after=3,
                   keepWithNext=True),
        "title": para("title", font=fonts.BODY_BOLD, pts=30, color="primary", lead=1.1, after=8),
        "subtitle": para("subtitle", pts=16, lead=1.25, after=6),
        "band": para("band", font=fonts.BODY_BOLD, pts=16, color="background", lead=1.2, after=0),
        "band_small": para("band_small", pts=12, color="background", lead=1.25, after=0),
        "alert_title": para("alert_title", font=fonts.BODY_BOLD, pts=16, color="background", lead=1.2, after=0),
        "alert_action": para("alert_action", font=fonts.BODY_BOLD, pts=13, after=3, keepWithNext=True),
        "callout_title": para("callout_title", font=fonts.BODY_BOLD, pts=14, color="primary", after=3),
        "small": para("small", pts=12, lead=1.3, after=4),
        "small_bold": para("small_bold", font=fonts.BODY_BOLD, pts=12, lead=1.3, after=2),
        "caption": para("caption", font=fonts.BODY_ITALIC, pts=12, after=6),
        "cell": para("cell", pts=12, lead=1.2, after=0),
        "cell_bold": para("cell_bold", font=fonts.BODY_BOLD, pts=12, lead=1.2, after=0),
        "toc": para("toc", pts=14, lead=1.3, after=4),
    }
    return theme
