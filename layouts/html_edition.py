"""The HTML edition: one self-contained, semantic HTML file per handout.

It comes from the same content model as the PDFs (a :class:`layouts.RenderJob`),
through the Jinja templates in ``layouts/html/`` (one per layout, sharing
``base.html.j2`` and the block macros in ``macros.html.j2``).  The file makes no
request of any kind: the CSS is embedded, pictures are ``data:`` URIs, and the
brand's typeface (Atkinson Hyperlegible, with DejaVu Sans for the symbols it
lacks) is embedded as WOFF subsets holding only the characters the page uses,
so a 60 kB font costs a few kB.  The only links are the clinic's own (website,
email, phone, an exercise's video address) and in-page anchors.

Structure, for screen readers and for the tagged PDF rendered from this file
(:mod:`handoutkit.press.tagged`): ``header`` (banner: logo and clinic name),
``nav`` (the booklet's contents), ``main`` (one ``h1``, one ``h2`` per section,
``h3`` inside sections, never a skipped level), ``footer`` (contact, review
dates).  Lists are ``ul``/``ol``, terms ``dl``, doses and the checklist grid
are tables with header cells, the red-flag block is a labelled ``section``
region with its heading, and every content picture is a ``figure`` with the
content's alt text.  The cover picture and the logo carry no information the
text does not, so they are marked decorative (``alt=""``: artifacts in the PDF).

Every word the edition prints beyond the content (the cover's kicker, dose
table heads, weekday heads, link labels) comes from the theme's per-language
label table (:mod:`handoutkit.render.labels`, keys ``html_*`` for the words
only this edition uses), so a Spanish topic gets a Spanish page.

Colours and type sizes come from the theme, so the grayscale and large-print
editions have HTML twins too.  Print CSS (``@page``) sets the paper, margins
and print colours; it serves a browser's "Print" and the tagged PDF alike.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Callable

from markupsafe import Markup

from handoutkit.content.assets import IMAGE_SUFFIXES
from handoutkit.render import fonts
from layouts import RenderJob

TEMPLATES = Path(__file__).resolve().parent / "html"

# Always in the embedded body-font subsets: printable ASCII, the CSS's own list
# bullets, and the punctuation and letters of English and Spanish text.  Most
# handouts then ask for the same subset, which is made once per process (a
# subset of exactly each page's characters cost a fresh fontTools run per file).
_BASE_CHARS = ("".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0•·–—‘’“”…«»¡¿°×"
               + "áéíóúüñÁÉÍÓÚÜÑ")

FONT_FAMILIES = ("hk-body", "hk-symbol")  # what the PDF's font names may carry (see handoutkit.press.tagged)
_FONTS_MARK = "/*@font-faces@*/"


def render_html(job: RenderJob) -> str:
    """The handout as one self-contained HTML document (a ``str``)."""
    env = _environment()
    theme = job.theme
    template = env.get_template(f"{job.handout.layout}.html.j2")
    page = template.render(
        job=job, topic=job.topic, handout=job.handout, brand=theme.brand, theme=theme, labels=theme.labels,
        title=job.title, lang=job.topic.language, md=lambda text: _markup(theme.fill, text),
        image=lambda path: _image_uri(path, theme.grayscale), css=_css_values(job), review_line=_review_line(job),
        short_url=_short_url,
        fonts_mark=Markup(_FONTS_MARK),
    )
    return page.replace(_FONTS_MARK, _font_faces(page), 1)


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _markup(fill: Callable[[str], str], text) -> Markup:
    """Content text → HTML: placeholders filled, escaped, ``**bold**`` as <strong>."""
    if text is None:
        return Markup("")
    out = escape(fill(str(text)), quote=False)
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out))


def _review_line(job: RenderJob) -> str:
    from layouts import common  # the print editions' wording, so both editions say the same

    return common.review_line(job)


def _short_url(url: str) -> str:
    from layouts.exercise_sheet import short_url

    return short_url(url)


@lru_cache(maxsize=64)
def _image_uri_cached(path: str, mtime: float, gray: bool) -> str:
    kind = IMAGE_SUFFIXES[Path(path).suffix.lower()]
    if gray:
        # The grayscale edition's pictures, made as the print edition makes them (same
        # luminance-keeping grays): SVG through its svglib drawing, rasters through Pillow.
        from layouts import common

        if kind == "svg":
            from reportlab.graphics import renderSVG

            svg = renderSVG.drawToString(common._svg_drawing(path, mtime, gray=True))
            svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)  # names a DTD by URL; nothing may point outside
            return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return "data:image/png;base64," + base64.b64encode(common._gray_raster(path, mtime)).decode("ascii")
    mime = "image/svg+xml" if kind == "svg" else f"image/{kind}"
    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _image_uri(path: Path, gray: bool = False) -> str:
    """A picture as a ``data:`` URI (the content loader has already confined and sniffed it)."""
    return _image_uri_cached(str(path), path.stat().st_mtime, gray)


def _hex(color) -> str:
    return "#" + color.hexval()[2:].lower()


def _css_values(job: RenderJob) -> dict:
    """Colours and type sizes (pt) from the theme, for the embedded stylesheet."""
    theme = job.theme
    size = {name: style.fontSize for name, style in theme.styles.items()}
    lead = {name: round(style.leading / style.fontSize, 3) for name, style in theme.styles.items()}
    return {
        "color": {name: _hex(value) for name, value in theme.palette.items()},
        "size": size, "lead": lead,
        "page": "A4" if theme.paper == "a4" else "letter",
    }


# ----------------------------------------------------------------------------- fonts


def _font_faces(page: str) -> str:
    """``@font-face`` rules with WOFF subsets of the bundled fonts for the characters ``page`` uses."""
    chars = set(page) | set(_BASE_CHARS)
    body = fonts.charset(fonts.BODY)
    body_chars = "".join(sorted(c for c in chars if ord(c) in body and c.isprintable()))
    symbol_chars = "".join(sorted(c for c in chars if ord(c) not in body and c.isprintable() and ord(c) > 127))
    rules = []
    for family, weight, name, text in (("hk-body", 400, fonts.BODY, body_chars),
                                       ("hk-body", 700, fonts.BODY_BOLD, body_chars),
                                       ("hk-symbol", 400, fonts.SYMBOL, symbol_chars),
                                       ("hk-symbol", 700, fonts.SYMBOL_BOLD, symbol_chars)):
        if not text:
            continue
        data = base64.b64encode(_subset_woff(fonts.FILES[name], text)).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                     f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
    return "\n".join(rules)


@lru_cache(maxsize=32)
def _subset_woff(filename: str, text: str) -> bytes:
    """A WOFF subset of a bundled font with the glyphs for ``text`` (deterministic bytes)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]   # keep kerning and ligatures
    options.name_IDs = ["*"]          # keep the names, and with them the licence notice
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(str(fonts.FONT_DIR / filename), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()
