"""Print-shop marks: TrimBox, BleedBox and crop marks on finished PDF pages.

A print shop prints on paper larger than the finished page and cuts it down
("trims" it) afterwards.  What it needs in the file:

* the finished size, as each page's **TrimBox**;
* a **bleed**: anything meant to reach the paper's edge (the cover's colour
  band) drawn 3 mm past the trim, so a cut that is a hair off shows colour
  rather than a white sliver.  The **BleedBox** says how far that goes;
* **crop marks**: short hairlines outside the bleed, in line with the trim
  edges, that the guillotine operator aligns the blade with.

:func:`add_print_marks` turns a finished PDF into that, page by page, without
moving or re-rendering the content: the trim stays where the page was
(usually ``[0 0 w h]``), and the MediaBox grows around it on every side (to a
negative origin), so anything the layout drew past the page edge, which a
normal viewer clipped away, becomes visible in the bleed.  That is how the
layouts' full-bleed bands (``Theme.bleed``) reach the print shop; this module
never needs to know what is on the page.

The marks are vector lines in the *registration* colour (a Separation named
``All``, which prints on every plate; in process-colour terms 100 % of C, M,
Y and K), so they show on each separation the shop makes and line up across
them.  They start outside the bleed and never enter it: a mark inside the
bleed would be printed over the colour band and survive a slightly loose cut.

The same geometry is used by :mod:`handoutkit.press.impose` for imposed sheets,
which also get a fold mark at the spine (see :func:`fold_mark_lines`).

Pure pypdf, no reportlab: it works on any PDF.  The output is deterministic:
the same input bytes and parameters always give the same output bytes.
"""

from __future__ import annotations

import hashlib
import io
from typing import Callable, Optional

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    RectangleObject,
)

from handoutkit.render import styles
from handoutkit.errors import BuildError

MM = 72 / 25.4

#: Crop-mark length and its distance from the trim corner (the usual 12 mm / 3 mm).
MARK_LENGTH = 12 * MM
MARK_OFFSET = 3 * MM
#: Extra paper beyond the mark area, so no line end sits on the MediaBox edge
#: (some RIPs clip strokes that touch it).
MARK_MARGIN = 1 * MM
#: Line width of the marks in points: thin enough for an exact cut, thick
#: enough (unlike a 0-width "device hairline") to print on a 2400 dpi platesetter.
MARK_LINE_WIDTH = 0.3
#: Length of the fold marks on imposed sheets: shorter than a crop mark and
#: dashed, so nobody cuts along them.
FOLD_MARK_LENGTH = 6 * MM

#: A rectangle as (left, bottom, right, top) in points.
Box = tuple[float, float, float, float]
#: A straight line from (x0, y0) to (x1, y1).
Segment = tuple[float, float, float, float]

# The registration colour: a Separation named All paints every plate.  Its
# alternate space is only used by viewers and proofers, which show it as the
# darkest CMYK black.
_REGISTRATION_NAME = "/HKRegistration"


def _registration_space() -> ArrayObject:
    tint = DictionaryObject({
        NameObject("/FunctionType"): NumberObject(2),
        NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
        NameObject("/C0"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/C1"): ArrayObject([NumberObject(1)] * 4),
        NameObject("/N"): NumberObject(1),
    })
    return ArrayObject([NameObject("/Separation"), NameObject("/All"), NameObject("/DeviceCMYK"), tint])


def check_lengths(bleed: float, mark_length: float, mark_offset: float, *, doing: str = "add print marks") -> None:
    """Raise BuildError ("cannot <doing>: ...") unless the lengths are sane numbers of points."""
    for name, value in (("bleed", bleed), ("mark_length", mark_length), ("mark_offset", mark_offset)):
        # `not 0 <= value` is also true for NaN.
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 200 * MM:
            raise BuildError(f"cannot {doing}: {name} must be a length in points from 0 to 200 mm, not {value!r}")
    if mark_length <= 0:
        raise BuildError(f"cannot {doing}: mark_length must be positive, not {mark_length!r}")


def grow(box: Box, by: float) -> Box:
    """``box`` with ``by`` points added on every side."""
    left, bottom, right, top = box
    return left - by, bottom - by, right + by, top + by


def mark_start(bleed: float, mark_offset: float) -> float:
    """How far from the trim the marks begin: ``mark_offset``, but never inside the bleed."""
    return max(mark_offset, bleed)


def media_box(trim: Box, bleed: float, mark_length: float = MARK_LENGTH, mark_offset: float = MARK_OFFSET) -> Box:
    """The paper a marked page needs: the bleed box grown by the mark area and a small margin.

    Measured from the bleed box (not the trim) so a larger bleed never
    pushes the marks off the paper.
    """
    return grow(trim, bleed + mark_offset + mark_length + MARK_MARGIN)


def crop_mark_lines(trim: Box, bleed: float, mark_length: float = MARK_LENGTH,
                    mark_offset: float = MARK_OFFSET) -> list[Segment]:
    """The eight crop-mark lines of a trim box: two per corner, in line with the trim edges.

    Each starts ``mark_start(bleed, mark_offset)`` from the trim corner and
    runs ``mark_length`` outwards, so it stays outside the bleed box.
    """
    left, bottom, right, top = trim
    start = mark_start(bleed, mark_offset)
    end = start + mark_length
    lines: list[Segment] = []
    for x, sx in ((left, -1), (right, 1)):
        for y, sy in ((bottom, -1), (top, 1)):
            lines.append((x + sx * start, y, x + sx * end, y))  # horizontal, along the top/bottom edge
            lines.append((x, y + sy * start, x, y + sy * end))  # vertical, along the left/right edge
    return lines


def fold_mark_lines(x: float, trim: Box, bleed: float, mark_offset: float = MARK_OFFSET) -> list[Segment]:
    """Short vertical lines at ``x`` above and below ``trim``, outside the bleed: where to fold."""
    _, bottom, _, top = trim
    start = mark_start(bleed, mark_offset)
    return [(x, top + start, x, top + start + FOLD_MARK_LENGTH),
            (x, bottom - start, x, bottom - start - FOLD_MARK_LENGTH)]


def _num(value: float) -> str:
    """A coordinate as short, stable PDF number text (4 decimals is 1/700 mm)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def marks_operators(colour: str, crop: list[Segment], fold: Optional[list[Segment]] = None) -> bytes:
    """Content-stream bytes that stroke ``crop`` solid and ``fold`` dashed in colour space ``colour``.

    Self-contained (its own q/Q, line width, cap, dash and colour), so it
    can follow any content.
    """
    ops = [f"q {colour} CS 1 SCN {_num(MARK_LINE_WIDTH)} w 0 J 0 j [] 0 d"]
    # Butt caps: a line ends exactly where it is drawn, never inside the bleed.
    ops += [f"{_num(x0)} {_num(y0)} m {_num(x1)} {_num(y1)} l S" for x0, y0, x1, y1 in crop]
    if fold:
        ops.append("[2 2] 0 d")
        ops += [f"{_num(x0)} {_num(y0)} m {_num(x1)} {_num(y1)} l S" for x0, y0, x1, y1 in fold]
    ops.append("Q")
    return ("\n".join(ops) + "\n").encode("ascii")


def add_stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    """Store ``data`` as a flate-compressed stream object in ``writer`` and return its reference."""
    stream = DecodedStreamObject()
    stream.set_data(data)
    # pypdf has no public call to add a free-standing object; _add_object is
    # what its own page methods use.
    return writer._add_object(stream.flate_encode())


def registration_space(writer: PdfWriter) -> IndirectObject:
    """Store the registration colour space in ``writer`` once, for every page to share."""
    return writer._add_object(_registration_space())


def registration_colour(page: PageObject, space: Callable[[], IndirectObject]) -> str:
    """Give ``page`` the registration colour space; return its resource name.

    The page must belong to a writer.  If the page already has the colour
    space under our name (an imposed sheet inherits it from its marked
    pages), that one is used; otherwise ``space()`` is called for a
    reference to one (see :func:`registration_space`).  Calling it only when
    needed matters: pypdf's compress_identical_objects() can point pages at
    an unreferenced duplicate and then drop it, leaving a dangling reference.

    Resources are only ever added to, so changing a dictionary shared with
    other pages (reportlab shares font tables, pypdf may share resource
    dictionaries) changes nothing they draw.
    """
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject):
        # Missing here: inherited from the page tree.  Give the page its own
        # copy so the marks' colour cannot leak into other pages' namespace.
        inherited = _inherited(page, "/Resources")
        resources = DictionaryObject(inherited) if isinstance(inherited, DictionaryObject) else DictionaryObject()
        page[NameObject("/Resources")] = resources
    spaces = resources.get("/ColorSpace")
    spaces = spaces.get_object() if spaces is not None else None
    if not isinstance(spaces, DictionaryObject):
        spaces = DictionaryObject()
        resources[NameObject("/ColorSpace")] = spaces
    wanted = _registration_space()
    name, number = _REGISTRATION_NAME, 0
    while name in spaces and spaces[name].get_object() != wanted:  # taken by something else: pick another name
        number += 1
        name = f"{_REGISTRATION_NAME}{number}"
    if name not in spaces:
        spaces[NameObject(name)] = space()
    return name


def _inherited(page: PageObject, key: str) -> object:
    """The value of an inheritable page attribute, looked up the page tree; None if nowhere."""
    node: object = page
    for _ in range(64):  # a page tree deeper than this is a loop
        if not isinstance(node, DictionaryObject):
            return None
        if key in node:
            return node[key].get_object()
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def append_contents(page: PageObject, marks: IndirectObject, save: IndirectObject,
                    restore: IndirectObject) -> None:
    """Draw the ``marks`` stream after the page's own content, which is wrapped in ``save``/``restore``.

    The page's streams are referenced as they are, never decoded: wrapping
    them in q ... Q (two tiny shared streams) is enough for the marks to be
    drawn in default user space whatever graphics state the content leaves.
    """
    contents = page.get("/Contents")
    resolved = contents.get_object() if contents is not None else None
    if isinstance(resolved, ArrayObject):
        existing = list(resolved)
    elif isinstance(resolved, DictionaryObject):  # one stream
        existing = [contents]
    else:  # no content
        existing = []
    wrapped = [save, *existing, restore] if existing else []
    page[NameObject("/Contents")] = ArrayObject([*wrapped, marks])


def set_boxes(page: PageObject, trim: Box, bleed_box: Box, media: Box) -> None:
    """Set TrimBox, BleedBox, MediaBox and CropBox (the CropBox shows the whole sheet, marks included)."""
    def rect(box: Box) -> RectangleObject:
        return RectangleObject([FloatObject(round(v, 4)) for v in box])

    page[NameObject("/MediaBox")] = rect(media)
    page[NameObject("/CropBox")] = rect(media)
    page[NameObject("/BleedBox")] = rect(bleed_box)
    page[NameObject("/TrimBox")] = rect(trim)
    # Left over from a previous crop, an ArtBox could lie outside the new
    # trim; it describes the old page, so drop it.
    if "/ArtBox" in page:
        del page["/ArtBox"]


def box_of(rectangle: RectangleObject) -> Box:
    """A pypdf rectangle as a normalised (left, bottom, right, top) tuple of floats."""
    x0, y0, x1, y1 = (float(v) for v in rectangle)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def add_print_marks(pdf: bytes, *, bleed: float = styles.BLEED, mark_length: float = MARK_LENGTH,
                    mark_offset: float = MARK_OFFSET) -> bytes:
    """Return ``pdf`` as a print-shop file: TrimBox, BleedBox, crop marks, larger MediaBox.

    For each page, the trim is its current TrimBox (by default its CropBox,
    by default its MediaBox: what a viewer shows).  The content is not moved:
    TrimBox = that box, BleedBox = trim grown by ``bleed``, MediaBox and
    CropBox = bleed box grown by ``mark_offset + mark_length`` and a 1 mm
    margin.  Crop marks are drawn at the four corners of the trim, in line
    with its edges, ``mark_length`` long and starting ``mark_offset`` from
    the corner (or at the bleed, if the bleed is larger), so never inside the
    bleed.  All lengths are in points.

    Everything else (fonts, links, outline, metadata, page rotation) is kept.
    Raises BuildError for an empty or unreadable PDF, one without pages, or
    negative or absurd lengths.
    """
    check_lengths(bleed, mark_length, mark_offset)
    if not pdf:
        raise BuildError("cannot add print marks: the input PDF is empty (0 bytes)")
    pdf = bytes(pdf)
    try:
        reader = PdfReader(io.BytesIO(pdf))
        page_count = len(reader.pages)
    except Exception as exc:  # pypdf raises many types for broken files
        raise BuildError(f"cannot add print marks: input is not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if page_count == 0:
        raise BuildError("cannot add print marks: the input PDF has no pages")

    try:
        # clone_from copies every object but shares the (compressed) stream
        # bytes with the reader; no content stream is decoded or re-encoded,
        # since the marks go in a separate stream after the page's own.
        writer = PdfWriter(clone_from=reader)
        # pypdf's writer starts at %PDF-1.3; never announce less than the input did.
        writer.pdf_header = max_header(writer.pdf_header, reader.pdf_header)
        save, restore = add_stream(writer, b"q\n"), add_stream(writer, b"Q\n")
        space = registration_space(writer)  # one object for all pages
        marks_by_geometry: dict[tuple[Box, str], IndirectObject] = {}
        for page in writer.pages:
            trim = box_of(page.trimbox)
            bleed_box = grow(trim, bleed)
            set_boxes(page, trim, bleed_box, media_box(trim, bleed, mark_length, mark_offset))
            colour = registration_colour(page, lambda: space)
            key = (trim, colour)
            if key not in marks_by_geometry:  # pages of one size share one marks stream
                ops = marks_operators(colour, crop_mark_lines(trim, bleed, mark_length, mark_offset))
                marks_by_geometry[key] = add_stream(writer, ops)
            append_contents(page, marks_by_geometry[key], save, restore)
        writer._ID = ArrayObject([ByteStringObject(_file_id(pdf, bleed, mark_length, mark_offset))] * 2)
        out = io.BytesIO()
        writer.write(out)
    except BuildError:
        raise
    except Exception as exc:  # a damaged object deep inside an otherwise readable file
        raise BuildError(f"cannot add print marks: failed while marking pages ({type(exc).__name__}: {exc})") from exc
    return out.getvalue()


def max_header(ours: str, theirs: str) -> str:
    """The later of two ``%PDF-x.y`` headers; ours if theirs is unparsable."""

    def version(header: str) -> tuple[int, int]:
        major, _, minor = header.removeprefix("%PDF-").partition(".")
        return int(major), int(minor)

    try:
        return theirs if version(theirs) > version(ours) else ours
    except ValueError:
        return ours


def _file_id(pdf: bytes, bleed: float, mark_length: float, mark_offset: float) -> bytes:
    """A fixed 16-byte /ID from the input and the parameters: reproducible, and new for a new file."""
    digest = hashlib.sha256(pdf)
    digest.update(f"print-marks {bleed:.4f} {mark_length:.4f} {mark_offset:.4f}".encode("ascii"))
    return digest.digest()[:16]
