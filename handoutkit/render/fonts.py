"""The bundled fonts: registration with reportlab and glyph coverage.

Only fonts shipped in ``handoutkit/data/fonts/`` are ever used, and every one is
embedded (as a subset) in the PDFs: no host fonts, no base-14 Helvetica.
Atkinson Hyperlegible (Braille Institute, SIL OFL) is the text face, made for
low-vision readers; DejaVu Sans (Bitstream Vera licence) covers symbols it
lacks.  A character in neither font is a content error, found before layout.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[1] / "data" / "fonts"

BODY = "Atkinson"
BODY_BOLD = "Atkinson-Bold"
BODY_ITALIC = "Atkinson-Italic"
BODY_BOLD_ITALIC = "Atkinson-BoldItalic"
SYMBOL = "DejaVuSans"
SYMBOL_BOLD = "DejaVuSans-Bold"

FILES = {
    BODY: "AtkinsonHyperlegible-Regular.ttf",
    BODY_BOLD: "AtkinsonHyperlegible-Bold.ttf",
    BODY_ITALIC: "AtkinsonHyperlegible-Italic.ttf",
    BODY_BOLD_ITALIC: "AtkinsonHyperlegible-BoldItalic.ttf",
    SYMBOL: "DejaVuSans.ttf",
    SYMBOL_BOLD: "DejaVuSans-Bold.ttf",
}

# Characters that layout itself handles and which never reach a font.
_IGNORED = set("\n\t")


@lru_cache(maxsize=None)
def register() -> None:
    """Register the bundled fonts with reportlab (once per process)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from reportlab import rl_config
    from reportlab.graphics import shapes
    from reportlab.platypus import tables

    for name, filename in FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    # reportlab's defaults name Helvetica in three places: the canvas, table
    # cells and drawings.  Even when no glyph is drawn with it, each puts an
    # unembedded Helvetica in the page resources, which preflight tools
    # (pdffonts, print shops) reject.  Point all three at the bundled face.
    rl_config.canvas_basefontname = BODY
    tables.CellStyle.fontname, tables.CellStyle.fontsize, tables.CellStyle.leading = BODY, 12, 14.4
    shapes.STATE_DEFAULTS["fontName"], shapes.STATE_DEFAULTS["fontSize"] = BODY, 12
    # <b> and <i> inside paragraphs map to the bundled faces, never to Helvetica-Bold.
    for family, bold_face in ((BODY, BODY_BOLD), (SYMBOL, SYMBOL_BOLD)):
        italic = BODY_ITALIC if family == BODY else family
        bold_italic = BODY_BOLD_ITALIC if family == BODY else bold_face
        addMapping(family, 0, 0, family)
        addMapping(family, 1, 0, bold_face)
        addMapping(family, 0, 1, italic)
        addMapping(family, 1, 1, bold_italic)


@lru_cache(maxsize=None)
def charset(font: str) -> frozenset[int]:
    """Code points the named bundled font has glyphs for."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFontFile

    # A build registers the fonts first: their parsed faces already hold the
    # same character map, so reuse it rather than parse the file a second time.
    registered = pdfmetrics._fonts.get(font)
    face = getattr(registered, "face", None)
    if face is not None and getattr(face, "filename", None) == str(FONT_DIR / FILES[font]):
        return frozenset(face.charToGlyph)
    return frozenset(TTFontFile(str(FONT_DIR / FILES[font])).charToGlyph)


def in_body_font(char: str) -> bool:
    return ord(char) in charset(BODY)


def missing_chars(text: str) -> list[str]:
    """Characters of ``text`` that no bundled font can draw, in order of first use."""
    body, symbol = charset(BODY), charset(SYMBOL)
    missing: list[str] = []
    for char in text:
        code = ord(char)
        if char in _IGNORED or code in body or code in symbol or char in missing:
            continue
        missing.append(char)
    return missing
