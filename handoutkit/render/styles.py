"""From a brand to a reportlab theme: page sizes, colours, paragraph styles, text markup.

Layouts never pick a font, size or colour themselves; they ask the theme.
That keeps the typography rules in one place: every size is at least 12 pt
(body 13 pt, nothing smaller anywhere, page furniture included), line
spacing is generous, and every colour pair used for text has passed the
contrast check in :func:`check_brand_contrast`, in colour and in grayscale.

Editions: the large-print theme sets everything in 18 pt or more (body
18 pt, headings 20-24 pt, see :data:`LARGE_PRINT_POINTS`) and has
``scale`` = 18/13, which layouts use through :meth:`Theme.pt` for every
fixed dimension that sits next to text (bands, rules, tick boxes, pictures),
so both editions are laid out by the same code.  The grayscale theme builds
its palette from :func:`colors.to_gray` of the brand colours; pictures are
mapped to gray by the layouts (``layouts.common.picture``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional
from xml.sax.saxutils import escape

from handoutkit import clock

from handoutkit.render import colors, fonts
from handoutkit.errors import ContentError, ContentErrors, Location
from handoutkit.content.model import Brand, Text
from handoutkit.render.labels import DEFAULT_LANGUAGE, Labels, labels_for

MM = 72 / 25.4
INCH = 72.0

# Full sheets, portrait, in points.
PAPER = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
# A booklet page is half a sheet: half-letter (5.5 × 8.5 in) or A5.
BOOKLET_PAGE = {"letter": (396.0, 612.0), "a4": (419.5276, 595.2756)}

MIN_FONT_SIZE = 12.0
BLEED = 3 * MM  # print-shop bleed around each trimmed page
# Large print (ACB 2022): 18 pt body.  Body is 13 pt normally, so fixed
# dimensions (bands, rules, boxes, pictures) scale by 18/13 (Theme.pt).
LARGE_PRINT_SCALE = 18 / 13
LARGE_PRINT_MIN_SIZE = 18.0  # nothing in the large-print edition is smaller, page furniture included
# Large-print type sizes, by the standard size they replace.  Not a plain
# 18/13 scale: that would give 30 pt section headings (two or three lines each
# on a half-letter page) and 41 pt titles.  ACB guidance is 18 pt text with
# headings a few points larger; the steps below keep the standard hierarchy.
LARGE_PRINT_POINTS = {
    12: 18.0,  # small text, table cells, captions, page furniture: as large as body text
    13: 18.0,  # body
    14: 20.0,  # h3, callout titles, lead paragraphs, contents entries
    16: 21.0,  # h2, band and alert titles, cover subtitle
    22: 24.0,  # h1: section headings
    30: 32.0,  # the handout title
}

# Which colour is drawn on which, and how much contrast each pair needs.
# Keys name brand colour fields; "background" is also the white text on colour
# bands.  ``large`` says whether the pair is only ever used for large text
# (>= 18 pt, or >= 14 pt bold), which WCAG lets pass at 3:1 instead of 4.5:1.
# Kept conservative: no pair claims it today.  (background on accent only
# carries the red-flag title, 16 pt bold, but `handout check` applies
# checks.yaml's one min_contrast to every pair, and a brand should not pass
# the build and fail the check.)  Each pair must pass in colour *and* in
# grayscale (colors.to_gray rounds to 8-bit grays, which can move a ratio
# that sits on the limit).
#
#   foreground    background    where the layouts draw it                       large
CONTRAST_PAIRS = (
    ("text", "background", "body text on the page", False),            # body, steps, footers: 12-13 pt
    ("primary", "background", "headings on the page", False),          # h1-h3, also list numbers: 13 pt
    ("background", "primary", "text on the colour bands", False),      # tagline, day names: 12 pt
    ("text", "tint", "text on callout panels", False),                 # callouts, tip rows, zebra rows: 12 pt
    ("primary", "tint", "headings on callout panels", False),          # callout and card titles: 14 pt bold
    ("background", "accent", "text on the red-flag band", False),      # alert title: 16 pt bold (could be large)
    ("accent", "background", "red-flag headings on the page", False),  # not drawn today; kept for brands
)


@dataclass(frozen=True)
class ContrastPair:
    """One brand colour drawn on another, with its WCAG ratio."""

    foreground: str  # brand colour key, e.g. "primary"
    background: str
    use: str
    ratio: float  # the lower of the two below: what the rule is checked against
    where: Location
    color_ratio: float = 0.0
    gray_ratio: float = 0.0  # the same pair in the grayscale edition (colors.to_gray of both)
    large: bool = False  # only ever used for large text (see CONTRAST_PAIRS)

    def required(self, minimum: float = colors.MIN_CONTRAST) -> float:
        """The ratio this pair needs: ``minimum``, or its large-text share (3:1 for 4.5:1)."""
        return minimum * colors.MIN_CONTRAST_LARGE / colors.MIN_CONTRAST if self.large else minimum

    def message(self, brand: Brand, minimum: float) -> str:
        """What is wrong, for a pair below ``minimum``: in colour, or (passing in colour) in grayscale."""
        fg, bg = getattr(brand.colors, self.foreground), getattr(brand.colors, self.background)
        if self.color_ratio < minimum or self.gray_ratio >= minimum:
            return (f"colors.{self.foreground} ({fg}) on colors.{self.background} ({bg}): contrast "
                    f"{self.color_ratio:.2f}:1 is below the minimum {minimum:g}:1 ({self.use})")
        return (f"colors.{self.foreground} ({fg}) on colors.{self.background} ({bg}): contrast "
                f"{self.gray_ratio:.2f}:1 in grayscale ({colors.to_gray(fg)} on {colors.to_gray(bg)}; "
                f"{self.color_ratio:.2f}:1 in colour) is below the minimum {minimum:g}:1 ({self.use})")

    @property
    def hint(self) -> str:
        if self.foreground == "background":
            return f"darken colors.{self.background}"
        return f"darken colors.{self.foreground} or lighten colors.{self.background}"


def contrast_pairs(brand: Brand) -> list[ContrastPair]:
    """Every colour pair the layouts draw text with, and its contrast ratio.

    ``ratio`` is the lower of the colour and the grayscale ratio, so every
    caller (the build's gate, ``handout check``) holds both editions to the rule.
    """
    pairs = []
    for fg, bg, use, large in CONTRAST_PAIRS:
        fg_value, bg_value = getattr(brand.colors, fg), getattr(brand.colors, bg)
        where = fg_value.where if isinstance(fg_value, Text) else brand.where
        in_color = colors.contrast_ratio(fg_value, bg_value)
        in_gray = colors.contrast_ratio(colors.to_gray(fg_value), colors.to_gray(bg_value))
        pairs.append(ContrastPair(fg, bg, use, min(in_color, in_gray), where, in_color, in_gray, large))
    return pairs


def check_brand_contrast(brand: Brand, minimum: float = colors.MIN_CONTRAST) -> None:
    """Raise :class:`ContentErrors` naming each colour pair below ``minimum``, in colour or in grayscale."""
    errors = [ContentError(pair.where, "brand", pair.message(brand, pair.required(minimum)), pair.hint)
              for pair in contrast_pairs(brand) if pair.ratio < pair.required(minimum)]
    if errors:
        raise ContentErrors(errors)


@dataclass
class Theme:
    """Everything visual a layout needs, derived from one brand."""

    brand: Brand
    paper: str
    scale: float = 1.0  # fixed dimensions next to text scale by this (18/13 in large print)
    grayscale: bool = False
    large_print: bool = False
    bleed: float = 0.0  # > 0 when print marks are on: full-bleed elements extend this far past the trim
    palette: dict = field(default_factory=dict)
    styles: dict = field(default_factory=dict)
    # The printed words, dates and numbers of the content's language (labels.py).
    labels: Labels = field(default_factory=lambda: labels_for(DEFAULT_LANGUAGE))

    @property
    def sheet_size(self) -> tuple[float, float]:
        return PAPER[self.paper]

    @property
    def booklet_size(self) -> tuple[float, float]:
        return BOOKLET_PAGE[self.paper]

    def color(self, name: str):
        return self.palette[name]

    def pt(self, points: float) -> float:
        """A fixed dimension of the standard design (a band, a gap, a box) at this theme's scale.

        Exactly ``points`` in the standard edition, so its layout is unchanged.
        """
        return points if self.scale == 1 else round(points * self.scale, 2)

    @property
    def min_font_size(self) -> float:
        return min(float(style.fontSize) for style in self.styles.values())

    def style(self, name: str):
        return self.styles[name]

    def fill(self, text: str) -> str:
        """Content text with ``{clinic_phone}``-style placeholders filled from the brand (no markup)."""
        return text.format_map(_Placeholders(self.brand.placeholders())) if "{" in text else str(text)

    def markup(self, text: str) -> str:
        """Content text → reportlab paragraph markup.

        Escapes XML, fills ``{clinic_phone}``-style placeholders from the brand,
        turns ``**bold**`` into <b>, and switches to the symbol font for the
        characters the body font lacks (so they never print as empty boxes).
        """
        out = escape(self.fill(text))
        out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
        return _with_fallback(out)


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:  # validation already rejected unknown names
        return "{" + key + "}"


def _with_fallback(markup: str) -> str:
    # Each distinct character is looked up once (a text repeats most of its characters).
    if all(fonts.in_body_font(c) or c in "<>/&;" for c in set(markup)):
        return markup
    parts = []
    for char in markup:
        if char in "<>/&;" or char == " " or fonts.in_body_font(char):
            parts.append(char)
        else:
            parts.append(f'<font name="{fonts.SYMBOL}">{char}</font>')
    return "".join(parts)


class Hyphenator:
    """reportlab's ``hyphenationLang`` as a callable: pyphen with at least 3 letters either side of a break.

    pyphen's default (2 and 2) gives breaks like "sua-ve" and "ro-dillas",
    which slow reading down; with 3 and 3 only longer words break.  One
    dictionary per process (reportlab would build one per paragraph from a
    language name); picklable, so themes still go to worker processes.
    """

    MIN_PART = 3

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, word: str):
        return _pyphen(self.language, self.MIN_PART).iterate(word)

    def __reduce__(self):
        return (Hyphenator, (self.language,))

    def __eq__(self, other) -> bool:
        return isinstance(other, Hyphenator) and other.language == self.language

    def __hash__(self) -> int:
        return hash(("Hyphenator", self.language))


@lru_cache(maxsize=None)
def _pyphen(language: str, part: int):
    import pyphen

    return pyphen.Pyphen(lang=language, left=part, right=part)


def make_theme(brand: Brand, paper: Optional[str] = None, scale: float = 1.0, large_print: bool = False,
               grayscale: bool = False, bleed: float = 0.0, language: str = DEFAULT_LANGUAGE) -> Theme:
    """Build the theme for ``brand`` (registering the bundled fonts).

    ``large_print`` sets the type in :data:`LARGE_PRINT_POINTS` (nothing below
    18 pt) and scales fixed dimensions by :data:`LARGE_PRINT_SCALE`;
    ``grayscale`` builds the palette from the brand colours mapped to grays of
    equal luminance (:func:`colors.to_gray`); ``bleed`` is passed to layouts so
    full-bleed elements reach past the trim; ``language`` picks the printed
    labels (:mod:`handoutkit.render.labels`) and the hyphenation of every style.
    """
    if large_print:
        scale = scale * LARGE_PRINT_SCALE
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    fonts.register()
    # Every layout stamps its PDFs from SOURCE_DATE_EPOCH when set (reportlab
    # reads it on each canvas, measuring ones included): a malformed value is
    # a clear error here, before any rendering, not a ValueError from inside reportlab.
    clock.source_date_epoch()
    check_brand_contrast(brand)
    c = brand.colors
    mapped = colors.to_gray if grayscale else str
    palette = {name: HexColor(mapped(getattr(c, name))) for name in ("primary", "accent", "text", "background", "tint")}
    labels = labels_for(language)
    theme = Theme(brand=brand, paper=paper or brand.paper, scale=scale, grayscale=grayscale,
                  large_print=large_print, bleed=bleed, palette=palette, labels=labels)
    # Hyphenation only where the table asks for it (Spanish: long words, narrow
    # booklet columns), and only words of 8 letters or more; English keeps
    # whole words, as it always has, and so does large print (ACB guidance:
    # no words broken at line ends for low-vision readers).
    hyphenation = ({"hyphenationLang": Hyphenator(labels.hyphenation), "embeddedHyphenation": 1,
                    "hyphenationMinWordLength": 8} if labels.hyphenation and not large_print else {})

    def size(points: float) -> float:
        if large_print:
            base = LARGE_PRINT_POINTS.get(points, points * LARGE_PRINT_SCALE) * scale / LARGE_PRINT_SCALE
            return max(LARGE_PRINT_MIN_SIZE, round(base, 1))
        return max(MIN_FONT_SIZE, round(points * scale, 1))

    body_size = size(13)

    def para(name: str, font: str = fonts.BODY, pts: float = 13, color: str = "text", lead: float = 1.32,
             before: float = 0, after: float = 6, large: Optional[dict] = None, **extra) -> ParagraphStyle:
        if large_print and large:  # this style's own large-print settings, e.g. a tighter list
            s = (max(LARGE_PRINT_MIN_SIZE, round(large["pts"] * scale / LARGE_PRINT_SCALE, 1)) if "pts" in large
                 else size(pts))
            lead, before, after = large.get("lead", lead), large.get("before", before), large.get("after", after)
        else:
            s = size(pts)
        return ParagraphStyle(name, fontName=font, fontSize=s, leading=round(s * lead, 1),
                              textColor=palette[color], spaceBefore=theme.pt(before), spaceAfter=theme.pt(after),
                              alignment=TA_LEFT, **hyphenation, **extra)

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
        # Large print: contents entries at text size, no gap between them, so
        # that a dozen sections and the review note still fit one booklet page.
        "toc": para("toc", pts=14, lead=1.3, after=4, large={"pts": 18, "after": 0}),
    }
    return theme
