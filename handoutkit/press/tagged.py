"""The tagged PDF (PDF/UA-1): the HTML edition rendered by WeasyPrint.

Why this route: WeasyPrint writes PDF/UA-1 itself (``pdf_variant="pdf/ua-1"``):
a structure tree built from the HTML's elements (H1-H3, P, L/LI/Lbl/LBody,
Table/THead/TR/TH/TD with header ids, Figure with the ``alt`` text as /Alt,
Caption), every piece of page content in marked content tied to that tree
or marked as an /Artifact (page-margin boxes, borders, backgrounds,
decorative pictures), /MarkInfo, /Lang, the title from ``<title>`` with
``DisplayDocTitle``, and embedded font subsets with ToUnicode maps.  Tagging
the reportlab output instead would mean writing marked content and a
structure tree by hand for every flowable the layouts use (tables in
tables, list flowables, canvas-drawn bands), and keeping that in step with
three layouts forever.  The price: the tagged PDF is laid out by a second
engine, so its pages are not the print pages (they reflow on Letter or A4
sheets from the HTML edition's print CSS), and WeasyPrint (with Pango) is a
runtime dependency.

Closed world, checked in the tests:

* **No network, no files**: the URL fetcher serves ``data:`` URIs only (the
  HTML edition embeds its pictures and fonts); anything else is refused, so
  a stray ``src`` cannot reach the disk or the network.
* **No host fonts**: WeasyPrint's fontconfig is loaded from an empty
  configuration (``handoutkit/data/fonts/empty-fonts.conf``), so the only
  fonts it knows are the bundled ones the HTML declares with ``@font-face``;
  a character they lack could never be drawn with a system font (and
  :func:`handoutkit.build.check_glyphs` has already refused such content).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from handoutkit.errors import BuildError

EMPTY_FONTCONFIG = Path(__file__).resolve().parents[1] / "data" / "fonts" / "empty-fonts.conf"
_LOCK = threading.Lock()  # FONTCONFIG_FILE is process-wide: hold it only while fontconfig reads it


def render_tagged_pdf(html: str, label: str, created: Optional[datetime] = None) -> bytes:
    """Render the HTML edition ``html`` to PDF/UA-1 bytes.

    ``created`` (default: none) becomes the PDF's creation and modification
    date; without it the file carries no date, and the same HTML always gives
    the same bytes.  WeasyPrint logs problems rather than raising; any error
    it logs (an undecodable picture, a missing ``alt`` or ``lang``) fails the
    edition with a :class:`BuildError`, so a flawed file is never written.
    """
    with warnings.catch_warnings():
        # weasyprint checks the host's fontconfig on import; that is not the configuration it will use.
        warnings.simplefilter("ignore")
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Refused(FatalURLFetchingError):
        """Stops the rendering (WeasyPrint swallows other fetch errors and leaves a hole)."""

    class BundledOnly(URLFetcher):
        """Serves ``data:`` URIs (what the HTML edition embeds) and refuses everything else."""

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise Refused(url)
            return super().fetch(url, headers)

    if "@font-face" not in html:  # with no font at all, Pango may crash the process instead of failing
        raise BuildError(f"{label}: the HTML declares no bundled font (@font-face)",
                         "render it from layouts/html_edition.py, which embeds them")
    if created is not None:
        stamp = created.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        html = html.replace("</title>", f'</title>\n<meta name="dcterms.created" content="{stamp}">'
                                        f'\n<meta name="dcterms.modified" content="{stamp}">', 1)
    collected = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collected)
    try:
        font_config = _isolated_font_config(FontConfiguration)
        document = weasyprint.HTML(string=html, url_fetcher=BundledOnly(), media_type="print")
        data = document.write_pdf(pdf_variant="pdf/ua-1", font_config=font_config,
                                  pdf_identifier=hashlib.md5(html.encode("utf-8")).hexdigest().encode("ascii"))
    except Refused as exc:
        raise BuildError(f"{label}: the HTML edition asks for {str(exc.args[0])[:80]!r}",
                         "the accessible edition may only use what the HTML embeds") from None
    finally:
        logger.removeHandler(collected)
    if collected.messages:
        raise BuildError(f"{label}: WeasyPrint: {collected.messages[0]}", "see the HTML edition of this handout")
    return data


def _isolated_font_config(factory):
    """A WeasyPrint FontConfiguration whose fontconfig knows no host font."""
    with _LOCK:
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(EMPTY_FONTCONFIG)
        try:
            return factory()
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


class _Collect(logging.Handler):
    """Keeps the errors WeasyPrint logs during one rendering (a missing alt or lang, a picture it cannot read)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def page_summary(data: bytes) -> tuple[int, tuple[float, float]]:
    """Page count and first page size (pt) of a PDF."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
        return len(pdf.pages), (box[2] - box[0], box[3] - box[1])
