"""Saddle-stitch imposition: logical booklet pages -> printer sheets.

A saddle-stitched booklet is a stack of sheets folded once down the middle
and stapled on the fold.  Each sheet carries four logical pages, two per
side, so the reading order has to be shuffled before printing.  This stage
takes the logical booklet PDF (every page the same size, e.g. half-letter
396x612 pt or A5) and returns one output page per sheet *side*, twice as
wide as a logical page (half-letter -> Letter landscape, A5 -> A4
landscape), in print order: sheet 1 front, sheet 1 back, sheet 2 front, ...

Both halves of every side are upright, so the user prints duplex with
"flip on short edge".

This module is pure pypdf (no reportlab): it runs on any PDF, which also
means it can re-impose a booklet that somebody else produced.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, Optional

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, TextStringObject

from handoutkit.errors import BuildError

#: A position on one side of a sheet: a 1-based logical page, or None for a blank pad.
Slot = Optional[int]
#: One side of a sheet as (left, right).
Side = tuple[Slot, Slot]
#: One sheet as (front, back).
Sheet = tuple[Side, Side]

# Two page sizes closer than this (in points) count as equal.  PDF producers
# round box coordinates differently (A5 is 419.527... pt, written as 419.53 or
# 419.5276), and a hundredth of a point is far below anything a printer shows.
_SIZE_TOLERANCE_PT = 0.01

_MM = 72 / 25.4

# Paper the pair of logical pages is snapped to when no sheet size is given,
# as landscape (width, height) in points.  Two half-letter pages are exactly
# Letter, but two A5 pages are 296 x 210 mm, 1 mm narrower than A4 (A5 is
# 148 mm wide, A4 297 mm long), and nobody stocks 296 mm paper: a printer
# driver would then centre or scale the page on its own, so snap to the real
# sheet and centre the pair ourselves.
_STANDARD_SHEETS = (
    ("Letter", (11 * 72, 8.5 * 72)),
    ("Legal", (14 * 72, 8.5 * 72)),
    ("Tabloid", (17 * 72, 11 * 72)),
    ("A4", (297 * _MM, 210 * _MM)),
    ("A3", (420 * _MM, 297 * _MM)),
)
# How much larger than the pair a standard sheet may be and still be chosen:
# just over 1 mm, enough for A5 -> A4.  Anything bigger would be a visible
# margin the user did not ask for; they can pass sheet_size for that.
_SNAP_SLACK_PT = 3.0

# Info-dictionary keys carried over to the imposed PDF.  Dates and Producer are
# left out on purpose: the output is a new file made by a different program.
_COPIED_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator")


def saddle_stitch_order(page_count: int) -> list[Sheet]:
    """Return the page placement for a saddle-stitched booklet of ``page_count`` pages.

    One entry per sheet, outermost sheet first, as ``(front, back)``; each side
    is ``(left, right)`` with 1-based logical page numbers, ``None`` where a
    blank pad goes.  The count is padded up to a multiple of 4 (every sheet
    holds four pages); the pads are the last logical pages, so they land on
    the inside of the back cover, where a blank page looks intentional.

    For n (padded) pages, sheet s (0-based) is::

        front = (n - 2s, 1 + 2s)      back = (2 + 2s, n - 1 - 2s)

    so 8 pages give ``[((8, 1), (2, 7)), ((6, 3), (4, 5))]``.
    """
    if isinstance(page_count, bool) or not isinstance(page_count, int):
        raise TypeError(f"page_count must be an int, not {type(page_count).__name__}")
    if page_count < 1:
        raise ValueError(f"page_count must be at least 1, not {page_count}")
    padded = -(-page_count // 4) * 4

    def slot(page: int) -> Slot:
        return page if page <= page_count else None

    return [
        (
            (slot(padded - 2 * s), slot(1 + 2 * s)),
            (slot(2 + 2 * s), slot(padded - 1 - 2 * s)),
        )
        for s in range(padded // 4)
    ]


def impose_saddle_stitch(
    pdf: bytes, *, sheet_size: tuple[float, float] | None = None
) -> bytes:
    """Impose a logical booklet PDF for saddle-stitch printing.

    ``pdf`` is the logical booklet; all its pages must have the same size
    (w, h).  The result has one page per sheet side, in print order, each
    ``sheet_size`` big with the two logical pages placed
    side by side, unscaled and upright, centred if the sheet is larger than
    the pair.  A sheet size given in the other orientation (e.g. Letter
    portrait for half-letter pages) is turned to fit; a sheet too small for
    the pair in either orientation is an error, because scaling the pages
    would silently change the printed type size.

    Without ``sheet_size`` the sheet is ``(2w, h)``, except that a standard
    paper size (Letter, Legal, Tabloid, A4, A3 landscape) at most about 1 mm
    larger is used instead: two A5 pages go on A4 (841.89x595.28 pt), which
    is 1 mm wider than the pair.

    Title, author, subject, keywords, creator and the catalog's /Lang are
    copied.  The output is deterministic: the same input bytes and sheet size
    always give the same output bytes, including the trailer /ID.

    Raises BuildError if the input is empty, unreadable, has no pages, mixes
    page sizes, or does not fit ``sheet_size``.
    """
    if not pdf:
        raise BuildError("cannot impose booklet: the input PDF is empty (0 bytes)")
    pdf = bytes(pdf)

    # What is held in memory, and why it stays modest for long booklets:
    #  * `pdf`: the caller's input bytes; io.BytesIO shares the buffer of an
    #    immutable bytes object instead of copying it.
    #  * `reader`: pypdf parses objects lazily and caches what it has parsed
    #    (page dictionaries, shared font/resource objects, decoded content).
    #    We never build a list of page copies; pages are fetched by index
    #    only when their sheet side is built.
    #  * `writer`: the output, which pypdf can only serialise at the end, so
    #    it holds one page dictionary and one *compressed* content stream per
    #    sheet side.  Shared resources (fonts, images) are cloned into it
    #    once per source object, not once per page: the writer remembers what
    #    it already cloned from this reader.
    # merge_transformed_page() builds a parsed ContentStream (a Python list of
    # operators, many times the size of the raw bytes); compressing each side
    # straight after merging replaces it with flate bytes, so only one side's
    # parsed operators are alive at a time.
    try:
        reader = PdfReader(io.BytesIO(pdf))
        page_count = len(reader.pages)
    except Exception as exc:  # pypdf raises many types for broken files
        raise BuildError(
            f"cannot impose booklet: input is not a readable PDF ({type(exc).__name__}: {exc})"
        ) from exc
    if page_count == 0:
        raise BuildError("cannot impose booklet: the input PDF has no pages")

    try:
        logical_w, logical_h = _uniform_page_size(reader)
        sheet_w, sheet_h = _fit_sheet(logical_w, logical_h, sheet_size)
        # Offset of the pair's lower-left corner on the sheet (centring).
        offset_x = (sheet_w - 2 * logical_w) / 2
        offset_y = (sheet_h - logical_h) / 2

        writer = PdfWriter()
        # Raise the header version to the input's: content may rely on it
        # (transparency needs 1.4), and pypdf's writer starts at 1.3.
        writer.pdf_header = _max_header(writer.pdf_header, reader.pdf_header)

        for front, back in saddle_stitch_order(page_count):
            for left, right in (front, back):
                side = writer.add_page(PageObject.create_blank_page(None, sheet_w, sheet_h))
                for number, slot_x in ((left, offset_x), (right, offset_x + logical_w)):
                    if number is not None:
                        _place(side, reader.pages[number - 1], slot_x, offset_y)
                # Serialise and flate the merged operators now (see the memory
                # note above); this also keeps the output small.
                side.compress_content_streams()

        _copy_metadata(reader, writer)
        # Store repeated objects (the same font program or resource dict
        # reached through different pages) once, and drop the objects that
        # merging orphaned (the replaced uncompressed content streams).  No
        # arguments on purpose: both steps are on by default, and pypdf 7
        # renamed the keywords (remove_identicals/remove_orphans ->
        # remove_duplicates/remove_unreferenced), deprecating the old ones,
        # while pyproject still allows pypdf 5 and 6.
        writer.compress_identical_objects()
        # pypdf writes no /ID unless encrypting; set a fixed one so the file
        # is identifiable *and* reproducible.  There is no public setter in
        # pypdf 7, so set the attribute its trailer writer reads.  Both halves
        # are equal, as the spec asks for a file's first version.
        file_id = _file_id(pdf, sheet_w, sheet_h)
        writer._ID = ArrayObject([ByteStringObject(file_id), ByteStringObject(file_id)])

        out = io.BytesIO()
        writer.write(out)
    except BuildError:
        raise
    except Exception as exc:  # a damaged object deep inside an otherwise readable file
        raise BuildError(
            f"cannot impose booklet: failed while placing pages ({type(exc).__name__}: {exc})"
        ) from exc
    return out.getvalue()


def _page_size(page: PageObject) -> tuple[float, float]:
    """Width and height of a page as displayed, i.e. after its /Rotate."""
    width = float(page.mediabox.width)
    height = float(page.mediabox.height)
    if page.rotation % 180:
        return height, width
    return width, height


def _uniform_page_size(reader: PdfReader) -> tuple[float, float]:
    """Return the common page size, or raise BuildError naming the first odd page."""
    first = _page_size(reader.pages[0])
    for index, page in enumerate(reader.pages):
        size = _page_size(page)
        if abs(size[0] - first[0]) > _SIZE_TOLERANCE_PT or abs(size[1] - first[1]) > _SIZE_TOLERANCE_PT:
            raise BuildError(
                "cannot impose booklet: all pages must be the same size, but "
                f"page {index + 1} is {size[0]:.2f}x{size[1]:.2f} pt and "
                f"page 1 is {first[0]:.2f}x{first[1]:.2f} pt"
            )
    return first


def _fit_sheet(
    logical_w: float, logical_h: float, sheet_size: tuple[float, float] | None
) -> tuple[float, float]:
    """Choose the output sheet size: the default pair size, or ``sheet_size`` turned to fit."""
    pair_w, pair_h = 2 * logical_w, logical_h
    if sheet_size is None:
        for _name, (w, h) in _STANDARD_SHEETS:
            if (
                -_SIZE_TOLERANCE_PT <= w - pair_w <= _SNAP_SLACK_PT
                and -_SIZE_TOLERANCE_PT <= h - pair_h <= _SNAP_SLACK_PT
            ):
                return w, h
        return pair_w, pair_h
    try:
        width, height = (float(v) for v in sheet_size)
    except (TypeError, ValueError) as exc:
        raise BuildError(
            f"cannot impose booklet: sheet_size must be (width, height) in points, not {sheet_size!r}"
        ) from exc
    if not (width > 0 and height > 0):
        raise BuildError(f"cannot impose booklet: sheet_size must be positive, not {sheet_size!r}")
    for w, h in ((width, height), (height, width)):
        if w + _SIZE_TOLERANCE_PT >= pair_w and h + _SIZE_TOLERANCE_PT >= pair_h:
            return w, h
    raise BuildError(
        f"cannot impose booklet: sheet {width:.2f}x{height:.2f} pt is too small for two "
        f"{logical_w:.2f}x{logical_h:.2f} pt pages side by side ({pair_w:.2f}x{pair_h:.2f} pt)",
        hint="use a larger sheet, or lay the booklet out on a smaller page size",
    )


def _place(side: PageObject, page: PageObject, x: float, y: float) -> None:
    """Draw logical ``page`` on sheet ``side`` as displayed, lower-left corner at (x, y), unscaled."""
    box = page.mediabox
    left, bottom = float(box.left), float(box.bottom)
    right, top = float(box.right), float(box.top)
    # Merging ignores the source's /Rotate, so apply it ourselves: /Rotate
    # turns the page clockwise for display, i.e. -rotation in PDF's
    # counter-clockwise convention.  (pypdf's transfer_rotation_to_content()
    # would do this, but in pypdf 7 it needs the page to belong to a writer,
    # and cloning every logical page into a writer would double memory.)
    rotation = page.rotation % 360
    turn = Transformation().rotate(-rotation) if rotation else Transformation()
    corners = [turn.apply_on(corner) for corner in ((left, bottom), (left, top), (right, bottom), (right, top))]
    # Then move the turned box's lower-left corner (a MediaBox need not start
    # at 0, 0) to the slot.
    min_x = min(cx for cx, _ in corners)
    min_y = min(cy for _, cy in corners)
    side.merge_transformed_page(_without_internal_links(page), turn.translate(x - min_x, y - min_y))


def _is_internal_link(annot: Any) -> bool:
    """True for a link annotation that jumps to a page of this document."""
    annot = annot.get_object()
    if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
        return False
    action = annot.get("/A")
    action = action.get_object() if action is not None else None
    return "/Dest" in annot or (isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo")


def _without_internal_links(page: PageObject) -> PageObject:
    """``page``, or a shallow view of it whose /Annots lacks links to other pages.

    Merging clones a page's annotations into the writer, and cloning a link
    whose /Dest names another logical page clones that whole page (content,
    resources) as an orphan object: a table of contents would drag a copy of
    every page it lists into the output.  Those links cannot work on an
    imposed sheet anyway (and paper has no links), so leave them out.  Web
    links and other annotations are kept.  The view shares every value with
    the original page, so it costs one small dictionary.
    """
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else None
    if not isinstance(annots, ArrayObject):
        return page
    kept = ArrayObject(annot for annot in annots if not _is_internal_link(annot))
    if len(kept) == len(annots):
        return page
    view = PageObject(page.pdf)
    view.update(page)
    # get_contents() reads the source document through the page's reference.
    view.indirect_reference = page.indirect_reference
    if kept:
        view[NameObject("/Annots")] = kept
    else:
        del view["/Annots"]
    return view


def _max_header(ours: str, theirs: str) -> str:
    """The later of two ``%PDF-x.y`` headers; ours if theirs is unparsable."""

    def version(header: str) -> tuple[int, int]:
        major, _, minor = header.removeprefix("%PDF-").partition(".")
        return int(major), int(minor)

    try:
        return theirs if version(theirs) > version(ours) else ours
    except ValueError:
        return ours


def _copy_metadata(reader: PdfReader, writer: PdfWriter) -> None:
    """Copy descriptive Info entries and the catalog /Lang from input to output."""
    info: dict[str, Any] = dict(reader.metadata or {})
    copied = {key: info[key] for key in _COPIED_INFO_KEYS if key in info and info[key] is not None}
    if copied:
        writer.add_metadata(copied)
    # /Lang is what screen readers and PDF/UA checkers use; the imposed file
    # is mostly for printing, but it should still say what language it is.
    lang = reader.root_object.get("/Lang")
    if lang is not None:
        writer.root_object[NameObject("/Lang")] = TextStringObject(str(lang.get_object()))


def _file_id(pdf: bytes, sheet_w: float, sheet_h: float) -> bytes:
    """A 16-byte file identifier derived from the input and the imposition parameters.

    The sheet size is included so that the same booklet imposed onto
    different sheets gets different IDs (they are different files).
    """
    digest = hashlib.sha256(pdf)
    digest.update(f"saddle-stitch {sheet_w:.4f}x{sheet_h:.4f}".encode("ascii"))
    return digest.digest()[:16]
