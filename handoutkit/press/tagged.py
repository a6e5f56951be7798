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
* **Whole elements**: WeasyPrint tags page by page, splitting a list or a
  section that crosses a page break in two; :class:`_WholeElements` joins
  the pieces again, so the tree has one element per HTML element.
* **Same input, same bytes**: the PDF identifier is a hash of the HTML, the
  dates are the print files' (``SOURCE_DATE_EPOCH`` or 2000-01-01), and the
  font subsets' timestamps are pinned to that date too.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import threading
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from handoutkit.clock import INVARIANT_STAMP as INVARIANT
from handoutkit.errors import BuildError

EMPTY_FONTCONFIG = Path(__file__).resolve().parents[1] / "data" / "fonts" / "empty-fonts.conf"
_LOCK = threading.Lock()  # the environment is process-wide: see _environment


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
        with _environment(FONTCONFIG_FILE=str(EMPTY_FONTCONFIG)):
            font_config = FontConfiguration()  # fontconfig reads FONTCONFIG_FILE here, and only here
        document = weasyprint.HTML(string=html, url_fetcher=BundledOnly(), media_type="print")
        # fontTools (WeasyPrint's font subsetter) stamps each subset's 'head' table with the time,
        # unless SOURCE_DATE_EPOCH is set: pin it to the document's date, so reruns give the same bytes.
        epoch = os.environ.get("SOURCE_DATE_EPOCH") or str(int((created or INVARIANT).timestamp()))
        with _environment(SOURCE_DATE_EPOCH=epoch), _WholeElements() as whole:
            data = document.write_pdf(pdf_variant="pdf/ua-1", font_config=font_config, finisher=whole.merge,
                                      pdf_identifier=hashlib.md5(html.encode("utf-8")).hexdigest().encode("ascii"))
    except Refused as exc:
        raise BuildError(f"{label}: the HTML edition asks for {str(exc.args[0])[:80]!r}",
                         "the accessible edition may only use what the HTML embeds") from None
    finally:
        logger.removeHandler(collected)
    if collected.messages:
        raise BuildError(f"{label}: WeasyPrint: {collected.messages[0]}", "see the HTML edition of this handout")
    return _describe_links(data, html)


def _describe_links(data: bytes, html: str) -> bytes:
    """Give each link annotation its link's text as ``/Contents`` (PDF/UA's alternate description).

    WeasyPrint puts the bare target there ("section-red-flags", a URL); a
    screen reader announcing a link should say what the link says.
    """
    import pikepdf
    from html import unescape

    texts: dict[str, str] = {}
    for href, inner in re.findall(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', html, flags=re.S):
        target = unescape(href)[1:] if href.startswith("#") else unescape(href)
        texts.setdefault(target, " ".join(unescape(re.sub(r"<[^>]+>", "", inner)).split()))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") == "/Link" and str(annotation.get("/Contents", "")) in texts:
                    annotation.Contents = pikepdf.String(texts[str(annotation.Contents)])
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


@contextmanager
def _environment(**values: str):
    """Set environment variables for a moment (under a lock: the environment is process-wide)."""
    with _LOCK:
        before = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for name, value in before.items():
                if value is None:
                    del os.environ[name]
                else:
                    os.environ[name] = value


class _WholeElements:
    """Joins the pieces of an element that WeasyPrint's structure tree splits at page breaks.

    WeasyPrint tags each page on its own: ``main`` becomes one ``Part`` per
    page, and a section, list or paragraph that runs over a page break
    becomes two elements, so a screen reader announces "list, 3 items" and
    then "list, 2 items" for one list of five.  While the tree is built this
    records which HTML element each structure element comes from (by
    wrapping WeasyPrint's ``_build_box_tree``); the finisher then merges, top
    down, each element into its preceding sibling when both come from the
    same HTML element, carry the same tag, start on different pages and hold
    only structure elements (their marked content stays where it is, mapped
    to the same leaves).  If a WeasyPrint version lacks the hook, the tree is
    left as WeasyPrint made it; the tests pin the joined shape.
    """

    MERGEABLE = {"Part", "Sect", "Art", "Div", "NonStruct", "L", "LI", "LBody", "Table", "TBody", "P"}

    def __init__(self) -> None:
        self.sources: dict[int, object] = {}
        self._module = None
        self._original = None

    def __enter__(self) -> "_WholeElements":
        from weasyprint.pdf import tags

        original = getattr(tags, "_build_box_tree", None)
        if original is None:
            return self
        sources = self.sources

        def recording(box, *args, **kwargs):
            for element in original(box, *args, **kwargs):
                sources.setdefault(id(element), getattr(box, "element", None))  # innermost call wins
                yield element

        self._module, self._original = tags, original
        tags._build_box_tree = recording
        return self

    def __exit__(self, *exc) -> None:
        if self._module is not None:
            self._module._build_box_tree = self._original

    def merge(self, document, pdf) -> None:
        """The write_pdf finisher: join page-split elements, top down."""
        import pydyf

        if not self.sources or "StructTreeRoot" not in pdf.catalog:
            return
        by_ref = {obj.reference: obj for obj in pdf.objects
                  if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"}

        def element(ref):
            return by_ref.get(ref) if isinstance(ref, bytes) else None

        def joinable(first, second) -> bool:
            source = self.sources.get(id(first))
            return (first["S"] == second["S"] and first["S"][1:] in self.MERGEABLE and source is not None
                    and self.sources.get(id(second)) is source and first.get("Pg") != second.get("Pg")
                    and all(element(k) is not None for k in (*first["K"], *second["K"])))

        def visit(parent) -> None:
            kept = pydyf.Array()
            for ref in parent["K"]:
                child, before = element(ref), element(kept[-1]) if kept else None
                if child is not None and before is not None and joinable(before, child):
                    for kid in child["K"]:
                        element(kid)["P"] = before.reference
                        before["K"].append(kid)
                    continue
                kept.append(ref)
            parent["K"] = kept
            for ref in kept:
                if element(ref) is not None:
                    visit(element(ref))

        root = pdf.objects[int(pdf.catalog["StructTreeRoot"].split()[0])]
        for ref in root["K"]:
            if element(ref) is not None:
                visit(element(ref))


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
