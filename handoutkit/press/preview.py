"""Page images of built PDFs: contact sheets to look at before printing, and pages for pixel checks.

``render_pages`` rasterizes chosen pages; ``contact_sheet`` lays a PDF's pages
out side by side (a grid for long booklets) on one image.  Both use pdfium
(pypdfium2) with fixed options, so the same PDF bytes give the same pixels;
every font is embedded in our PDFs, so no host font is ever consulted.

pypdfium2 and Pillow are imported inside the functions: the other commands
never load them.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from handoutkit.errors import BuildError, HandoutError, plural

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from handoutkit.build import BuildOptions

BACKGROUND = (200, 200, 200)  # contact-sheet backdrop: pages read as paper on a gray table
GAP = 12                      # pixels around and between pages
ROW_WIDTH = 6.4               # a row holds pages up to this many page heights wide (8 booklet pages)
PREVIEW_HEIGHT = 300          # pixels per page in ``handout preview`` sheets (about 27 dpi for Letter)


@dataclass
class PreviewFile:
    """One contact sheet written by :func:`write_previews`."""

    topic: str
    handout: str  # the PDF's stem: booklet, booklet-print, checklist, ...
    path: Path
    pages: int


def _pdfium():
    try:
        import pypdfium2
        import PIL.Image  # noqa: F401  (pypdfium2's to_pil needs it)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise HandoutError(f"previews need pypdfium2 and Pillow ({exc.name} is not installed)",
                           "install them: pip install pypdfium2 Pillow") from None
    return pypdfium2


def _open(pdf: bytes):
    pdfium = _pdfium()
    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise HandoutError(f"cannot read PDF for preview: {exc}") from None


def _render(page, scale: float) -> "Image.Image":
    # Fixed options: white paper, RGB, no form fields or annotations drawn
    # (handouts have none; a viewer's form layer must not creep into images).
    bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=False, draw_annots=False)
    try:
        return bitmap.to_pil().convert("RGB")  # to_pil shares pdfium's buffer: copy before it is freed
    finally:
        bitmap.close()


def render_pages(pdf: bytes, pages: Sequence[int], dpi: float) -> list["Image.Image"]:
    """Pages ``pages`` (0-based) of ``pdf`` as RGB images at ``dpi`` dots per inch."""
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, not {dpi}")
    doc = _open(pdf)
    try:
        count = len(doc)
        images = []
        for index in pages:
            if not 0 <= index < count:
                raise IndexError(f"page {index} out of range: the PDF has {plural(count, 'page')}")
            page = doc[index]
            try:
                images.append(_render(page, dpi / 72.0))
            finally:
                page.close()
        return images
    finally:
        doc.close()


def grid_columns(count: int, aspect: float) -> int:
    """Pages per row for ``count`` pages of width/height ``aspect``.

    One row when they fit in :data:`ROW_WIDTH` page heights, else the fewest
    rows that do, filled evenly (24 booklet pages: 3 rows of 8).
    """
    fit = max(1, int(ROW_WIDTH / aspect))
    rows = math.ceil(max(count, 1) / fit)
    return math.ceil(max(count, 1) / rows)


def contact_sheet(pdf: bytes, *, max_pages: Optional[int] = None, height_px: int = PREVIEW_HEIGHT) -> "Image.Image":
    """The first ``max_pages`` pages (all when None) of ``pdf``, each ``height_px`` high, on one RGB image.

    Pages sit side by side on a gray backdrop; long documents make a grid
    (see :func:`grid_columns`), in reading order.
    """
    from PIL import Image

    if height_px < 8:
        raise ValueError(f"height_px too small: {height_px}")
    if max_pages is not None and max_pages < 1:
        raise ValueError(f"max_pages must be at least 1, not {max_pages}")
    doc = _open(pdf)
    try:
        count = len(doc) if max_pages is None else min(len(doc), max_pages)
        images = []
        for index in range(count):
            page = doc[index]
            try:
                images.append(_render(page, height_px / page.get_height()))
            finally:
                page.close()
    finally:
        doc.close()
    if not images:
        raise HandoutError("cannot preview a PDF without pages")
    columns = grid_columns(len(images), max(image.width for image in images) / height_px)
    rows = [images[i:i + columns] for i in range(0, len(images), columns)]
    cell_h = max(image.height for image in images)
    width = max(sum(image.width for image in row) + GAP * (len(row) + 1) for row in rows)
    sheet = Image.new("RGB", (width, len(rows) * (cell_h + GAP) + GAP), BACKGROUND)
    y = GAP
    for row in rows:
        x = GAP
        for image in row:
            sheet.paste(image, (x, y))
            x += image.width + GAP
        y += cell_h + GAP
    return sheet


def png_bytes(image: "Image.Image") -> bytes:
    """``image`` as an optimized PNG, with no time stamps or other varying metadata.

    Colour images are reduced to a 256-colour palette (median cut, which is
    deterministic): a third of the size, and no visible loss for flat page art.
    """
    from PIL import Image

    if image.mode == "RGB":
        image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_png(image: "Image.Image", target: Path) -> Path:
    """Save ``image`` to ``target`` atomically (see :func:`handoutkit.build.atomic_write`)."""
    from handoutkit.build import atomic_write

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, png_bytes(image))
    except OSError as exc:
        raise BuildError(f"{target}: cannot write ({exc.strerror})",
                         "check the output folder and free disk space") from None
    return target


def write_previews(source: Path, out: Path, topics: Optional[Iterable[str]] = None, dest: Optional[Path] = None,
                   options: Optional["BuildOptions"] = None, height_px: int = PREVIEW_HEIGHT,
                   languages: Optional[Iterable[str]] = None) -> list[PreviewFile]:
    """Lay out the chosen topics' handouts in memory and write one contact sheet per PDF a build would write.

    Sheets go to ``dest/<topic>-<handout>.png``, or without ``dest`` to
    ``out/<topic>/preview/<topic>-<handout>.png``.  No PDF is written, and no
    PNG either unless every handout laid out: like ``build``, all or nothing
    (each file itself is replaced atomically).  Health checks (review dates,
    reading grade) are not run: a preview is for looking, ``build`` is the gate.
    Every language of each topic, like ``build``, or only ``languages``.
    """
    from handoutkit.build import BuildOptions, check_glyphs, make_build_theme, render_handout, select_editions
    from handoutkit.content.load import load_project

    _pdfium()  # fail early, before laying anything out, if the renderer is missing
    options = options or BuildOptions()
    project = load_project(Path(source), topics)
    check_glyphs(project)
    sheets: list[tuple[PreviewFile, "Image.Image"]] = []
    for topic in select_editions(project, languages):
        theme = make_build_theme(project, options, topic.language)
        folder = Path(dest) if dest is not None else Path(out) / topic.id / "preview"
        for handout in topic.handouts:
            for built in render_handout(topic, handout, theme, options):
                stem = built.path.stem  # carries the edition suffix, like the PDF it shows
                image = contact_sheet(built.data, max_pages=None, height_px=height_px)
                sheets.append((PreviewFile(topic.id, stem, folder / f"{topic.id}-{stem}.png", built.pages), image))
    for item, image in sheets:
        write_png(image, item.path)
    return [item for item, _ in sheets]
