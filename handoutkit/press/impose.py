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

**Print-shop pages.**  Logical pages with a TrimBox smaller than the page
(as :func:`handoutkit.press.marks.add_print_marks` makes them: bleed and crop
marks around the trim) are placed by their TrimBox instead of their
MediaBox.  On each sheet side the two trims meet at the spine with no bleed
between them: each page is clipped at its trim on the spine side (by the
/BBox of its Form XObject, see below), while its outer, top and bottom bleed
is kept.
The side then gets TrimBox = the two trims, BleedBox = that plus the pages'
bleed, MediaBox = room for crop marks at the four outer corners and a
dashed fold mark above and below the spine, all outside the bleed.  Pages
without a TrimBox, or whose TrimBox fills the page, go on the office sheet
exactly as before.

**Creep.**  Folded together, the sheets of a thick booklet nest inside each
other, and each inner sheet sticks out a little further at the open edge
(the fore-edge) than the one around it: roughly one paper thickness per
sheet outside it.  Trimming the folded booklet square then cuts more off
the inner pages, so their outer margins shrink and their page numbers
drift towards the edge.  Creep compensation moves the pages of each sheet
towards the spine by (number of sheets outside it) x (creep per sheet):
nothing for the outermost sheet, most for the centre one.  It never moves
content across the spine: the spine-side clip stays at the fold, so a
shifted page loses that much of its inner margin (a few millimetres at
most, well inside the layouts' margins), and its outer edge moves into the
strip the trim removes.  ``creep`` is in points per sheet;
:func:`default_creep_mm` gives the build's default (0.1 mm, about the
thickness of 80-90 g/m2 paper, for booklets of more than 40 pages).

**How a page is placed.**  Each logical page becomes a Form XObject: its
content stream copied as is (still compressed: never decoded, never parsed
into operators, which is what made merging pages slow at scale), its
resources cloned once per shared object, its /BBox the region to show (the
page's CropBox, or the trim plus bleed, cut at the spine).  The sheet side
draws it with ``q <a b c d e f> cm /P<n> Do Q``: the ``cm`` turns it upright
(for /Rotate), moves it to its slot and applies creep.

This module is pure pypdf (no reportlab): it runs on any PDF, which also
means it can re-impose a booklet that somebody else produced.
"""

from __future__ import annotations

import hashlib
import io
import math
from typing import Any, Optional

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)

from handoutkit.press import marks
from handoutkit.errors import BuildError
from handoutkit.press.marks import Box

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

# Creep applied when the caller does not choose: below about 40 pages (10
# sheets) the fore-edge step is under a millimetre and nobody sees it; above,
# 0.1 mm per sheet is about the thickness of 80-90 g/m2 office paper.
AUTO_CREEP_MM = 0.1
AUTO_CREEP_MIN_PAGES = 41

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


def default_creep_mm(page_count: int) -> float:
    """The creep per sheet, in mm, used when the caller gives none: 0.1 above 40 pages, else 0."""
    return AUTO_CREEP_MM if page_count >= AUTO_CREEP_MIN_PAGES else 0.0


def impose_saddle_stitch(
    pdf: bytes,
    *,
    sheet_size: tuple[float, float] | None = None,
    creep: float = 0.0,
    mark_length: float = marks.MARK_LENGTH,
    mark_offset: float = marks.MARK_OFFSET,
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

    Print-shop pages (a TrimBox inside the page, see the module docstring)
    are placed by their TrimBox and their size is the trim size.  The sheet
    side's TrimBox is then the two trims side by side, from (0, 0); its
    BleedBox adds the smallest bleed the pages have; its MediaBox adds room
    for crop marks ``mark_length`` long, ``mark_offset`` from the trim
    corners (lengths in points).  ``sheet_size`` must still fit the pair,
    but the trim is the pair itself: the shop's paper is larger anyway.

    ``creep`` is the creep per sheet in points (see the module docstring):
    sheet s (0 = outermost) has its pages moved ``s * creep`` towards the
    spine.  0 moves nothing.

    Title, author, subject, keywords, creator and the catalog's /Lang are
    copied.  The output is deterministic: the same input bytes and
    parameters always give the same output bytes, including the trailer /ID.

    Raises BuildError if the input is empty, unreadable, has no pages, mixes
    page sizes, does not fit ``sheet_size``, or the creep is negative or
    moves the centre pages by half a page or more.
    """
    if not pdf:
        raise BuildError("cannot impose booklet: the input PDF is empty (0 bytes)")
    pdf = bytes(pdf)
    if isinstance(creep, bool) or not isinstance(creep, (int, float)) or not math.isfinite(creep) or creep < 0:
        raise BuildError(f"cannot impose booklet: creep must be a length in points, 0 or more, not {creep!r}")
    marks.check_lengths(0.0, mark_length, mark_offset, doing="impose booklet")

    # What is held in memory, and why it stays modest for long booklets:
    #  * `pdf`: the caller's input bytes; io.BytesIO shares the buffer of an
    #    immutable bytes object instead of copying it.
    #  * `reader`: pypdf parses objects lazily and caches what it has parsed
    #    (page dictionaries, shared font/resource objects).  Content streams
    #    are never decoded or parsed: each page's *compressed* bytes become
    #    its Form XObject's bytes (see _FormMaker), so the output holds one
    #    compressed copy of each page, as the input does, plus a few dozen
    #    bytes of `q cm Do Q` per sheet side.
    #  * `writer`: the output, which pypdf can only serialise at the end.
    #    Shared resources (fonts, images) are cloned into it once per source
    #    object, not once per page: the writer remembers what it already
    #    cloned from this reader.
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
        logical_w, logical_h, bleed, print_shop = _survey_pages(reader)
        sheet_w, sheet_h = _fit_sheet(logical_w, logical_h, sheet_size)
        sheets = saddle_stitch_order(page_count)
        most = creep * (len(sheets) - 1)
        if most >= logical_w / 2:
            raise BuildError(
                f"cannot impose booklet: creep of {creep / marks.MM:.2f} mm per sheet moves the centre "
                f"pages {most / marks.MM:.1f} mm, half a page or more",
                hint="creep is about the paper thickness: 0.1 mm for ordinary paper",
            )
        if print_shop:
            # The sheet's trim is the pair itself, from (0, 0); the paper
            # around it (bleed, marks) is at negative coordinates and past
            # the pair, so the MediaBox is symmetric about the spine.
            offset_x = offset_y = 0.0
            trim: Box = (0.0, 0.0, 2 * logical_w, logical_h)
            bleed_box = marks.grow(trim, bleed)
            media = marks.media_box(trim, bleed, mark_length, mark_offset)
            sheet_w, sheet_h = media[2] - media[0], media[3] - media[1]
        else:
            # Offset of the pair's lower-left corner on the sheet (centring).
            offset_x = (sheet_w - 2 * logical_w) / 2
            offset_y = (sheet_h - logical_h) / 2
        spine = offset_x + logical_w

        writer = PdfWriter()
        # Raise the header version to the input's: content may rely on it
        # (transparency needs 1.4), and pypdf's writer starts at 1.3.
        writer.pdf_header = marks.max_header(writer.pdf_header, reader.pdf_header)

        # One registration colour space for all sides that do not already
        # get it from their marked pages; made on first use (see
        # marks.registration_colour for why not before).
        spaces: list[Any] = []

        def registration_space() -> Any:
            if not spaces:
                spaces.append(marks.registration_space(writer))
            return spaces[0]

        forms = _FormMaker(writer)
        for depth, (front, back) in enumerate(sheets):
            shift = depth * creep
            for left, right in (front, back):
                side = writer.add_page(PageObject.create_blank_page(None, sheet_w, sheet_h))
                if print_shop:
                    marks.set_boxes(side, trim, bleed_box, media)
                drawn: list[bytes] = []
                for number, slot_x, spine_side in ((left, spine - logical_w + shift, "right"),
                                                   (right, spine - shift, "left")):
                    if number is not None:
                        drawn.append(_place(side, forms, reader.pages[number - 1], number, slot_x, offset_y,
                                            spine=spine, spine_side=spine_side,
                                            bleed=bleed if print_shop else 0.0, clip=print_shop or shift > 0))
                if print_shop:
                    colour = marks.registration_colour(side, registration_space)
                    drawn.append(marks.marks_operators(
                        colour,
                        marks.crop_mark_lines(trim, bleed, mark_length, mark_offset),
                        marks.fold_mark_lines(spine, trim, bleed, mark_offset),
                    ))
                side[NameObject("/Contents")] = marks.add_stream(writer, b"".join(drawn))

        _copy_metadata(reader, writer)
        # Store repeated objects (the same font program or resource dict
        # reached through different pages, or two copies of one font in a
        # concatenated input) once, and drop anything left unreferenced.  No
        # arguments on purpose: both steps are on by default, and pypdf 7
        # renamed the keywords (remove_identicals/remove_orphans ->
        # remove_duplicates/remove_unreferenced), deprecating the old ones,
        # while pyproject still allows pypdf 5 and 6.
        writer.compress_identical_objects()
        # pypdf writes no /ID unless encrypting; set a fixed one so the file
        # is identifiable *and* reproducible.  There is no public setter in
        # pypdf 7, so set the attribute its trailer writer reads.  Both halves
        # are equal, as the spec asks for a file's first version.
        extra = ""
        if creep:
            extra += f" creep {creep:.4f}"
        if print_shop:
            extra += f" marks {bleed:.4f} {mark_length:.4f} {mark_offset:.4f}"
        file_id = _file_id(pdf, sheet_w, sheet_h, extra)
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


def _trim_box(page: PageObject) -> Box:
    """The part of a page that is the finished page: its TrimBox if it has one, else its MediaBox.

    Without a TrimBox the MediaBox (not the CropBox) is used, as imposition
    always has, so office booklets come out exactly as before.
    """
    return marks.box_of(page.trimbox if "/TrimBox" in page else page.mediabox)


def _page_size(page: PageObject) -> tuple[float, float]:
    """Width and height of a page's trim as displayed, i.e. after its /Rotate."""
    left, bottom, right, top = _trim_box(page)
    width, height = right - left, top - bottom
    if page.rotation % 180:
        return height, width
    return width, height


def _bleed_margin(page: PageObject) -> Optional[float]:
    """How far the page's printable area reaches past its trim on its narrowest side.

    None for a page that is not a print-shop page (no TrimBox, or a TrimBox
    that fills the page): there is nothing outside its trim.  The printable
    area is the BleedBox if the page has one (else nothing past the trim),
    cut to what the page shows (its CropBox).
    """
    if "/TrimBox" not in page:
        return None
    trim = _trim_box(page)
    shown = marks.box_of(page.cropbox)
    room = min(trim[0] - shown[0], trim[1] - shown[1], shown[2] - trim[2], shown[3] - trim[3])
    if room <= _SIZE_TOLERANCE_PT:
        return None
    if "/BleedBox" not in page:
        return 0.0
    bleed = _intersect(marks.box_of(page.bleedbox), shown)
    if bleed is None:
        return 0.0
    return max(0.0, min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]))


def _survey_pages(reader: PdfReader) -> tuple[float, float, float, bool]:
    """(width, height, bleed, print_shop) of the booklet's pages.

    Raises BuildError naming the first page whose size differs from page 1.
    ``print_shop`` is true if any page is a print-shop page; ``bleed`` is the
    smallest bleed of those (pages without one count as 0), so the sheet's
    BleedBox never claims colour that a page does not have.
    """
    first = _page_size(reader.pages[0])
    margins = []
    for index, page in enumerate(reader.pages):
        size = _page_size(page)
        if abs(size[0] - first[0]) > _SIZE_TOLERANCE_PT or abs(size[1] - first[1]) > _SIZE_TOLERANCE_PT:
            raise BuildError(
                "cannot impose booklet: all pages must be the same size, but "
                f"page {index + 1} is {size[0]:.2f}x{size[1]:.2f} pt and "
                f"page 1 is {first[0]:.2f}x{first[1]:.2f} pt"
            )
        margins.append(_bleed_margin(page))
    print_shop = any(m is not None for m in margins)
    bleed = min((m or 0.0) for m in margins) if print_shop else 0.0
    return first[0], first[1], round(bleed, 4), print_shop


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


def _intersect(a: Box, b: Box) -> Optional[Box]:
    """The overlap of two boxes, or None if they do not overlap."""
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def _map_box(transform: Transformation, box: Box) -> Box:
    """The bounding box of ``box`` after ``transform`` (exact for quarter turns and moves)."""
    corners = [transform.apply_on(c) for c in ((box[0], box[1]), (box[0], box[3]), (box[2], box[1]), (box[2], box[3]))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _inverse(transform: Transformation) -> Transformation:
    """The transformation that undoes ``transform``."""
    a, b, c, d, e, f = transform.ctm
    det = a * d - b * c
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return Transformation((ia, ib, ic, id_, -(ia * e + ic * f), -(ib * e + id_ * f)))


class _FormMaker:
    """Turns logical pages into Form XObjects in ``writer``, without parsing their content.

    A page's content stream becomes the form's stream byte for byte, still
    compressed (several streams are joined, as the PDF spec defines an array
    of streams); its resources are cloned into the writer, which clones each
    shared object (a font, an image) once however many pages use it.
    """

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer

    def form(self, page: PageObject, bbox: Box) -> IndirectObject:
        """A Form XObject drawing ``page`` (in its own coordinates) clipped to ``bbox``."""
        form = self._stream(page)
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        # The BBox clips the form: the page's CropBox, or the trim-and-bleed
        # region for print-shop and creep placement.
        form[NameObject("/BBox")] = RectangleObject([FloatObject(round(v, 4)) for v in bbox])
        resources = page.get("/Resources")  # pypdf copies inherited resources onto each page
        if resources is None:
            resources = marks._inherited(page, "/Resources")
        if resources is not None:
            form[NameObject("/Resources")] = page.raw_get("/Resources").clone(self.writer) \
                if "/Resources" in page else resources.clone(self.writer)
        if "/Group" in page:  # a transparency group (blending) belongs with the content it groups
            form[NameObject("/Group")] = page.raw_get("/Group").clone(self.writer)
        return self.writer._add_object(form)

    def _stream(self, page: PageObject) -> StreamObject:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, StreamObject) and not isinstance(contents, ContentStream):
            # The common case (reportlab writes one stream per page): copy
            # the encoded bytes and their filters, never decoding them.
            form = EncodedStreamObject()
            form._data = contents._data  # pypdf keeps a read stream's encoded bytes here
            for key in ("/Filter", "/DecodeParms"):
                if key in contents:
                    form[NameObject(key)] = contents.raw_get(key).clone(self.writer)
            return form
        # An array of streams (or nothing): their decoded bytes joined,
        # each on its own line so no operator runs into the next one.
        parts = list(contents) if isinstance(contents, ArrayObject) else ([contents] if contents else [])
        data = b"\n".join(part.get_object().get_data() for part in parts)
        form = DecodedStreamObject()
        form.set_data(data)
        return form.flate_encode()


def _place(side: PageObject, forms: _FormMaker, page: PageObject, number: int, x: float, y: float, *,
           spine: float = 0.0, spine_side: str = "right", bleed: float = 0.0, clip: bool = False) -> bytes:
    """Put logical ``page`` on sheet ``side`` as displayed, its trim's lower-left corner at (x, y), unscaled.

    The page becomes a Form XObject (resource ``/P<number>`` of the side),
    and the returned operators draw it: ``q <cm> cm /P<number> Do Q``, the
    ``cm`` turning (for /Rotate), moving and creeping it.  The form is
    clipped (its /BBox) to the page's CropBox; with ``clip``, to the trim
    plus ``bleed`` on three sides, cut on ``spine_side`` (the page's edge at
    the fold) at the sheet's ``spine`` x, so neither its bleed nor a creep
    shift can cross onto the facing page.  Annotations other than links to
    pages of the booklet are moved along with the page.
    """
    trim = _trim_box(page)
    # A form ignores the source's /Rotate, so apply it ourselves: /Rotate
    # turns the page clockwise for display, i.e. -rotation in PDF's
    # counter-clockwise convention.
    rotation = page.rotation % 360
    turn = Transformation().rotate(-rotation) if rotation else Transformation()
    # Then move the turned trim's lower-left corner (a box need not start at
    # 0, 0) to the slot.
    min_x, min_y, _, _ = _map_box(turn, trim)
    transform = turn.translate(x - min_x, y - min_y)
    shown = marks.box_of(page.cropbox)
    if clip:
        # Work out the visible region on the sheet, then map it back into
        # the page's own coordinates, where the form's BBox clips.
        left, bottom, right, top = marks.grow(_map_box(transform, trim), bleed)
        if spine_side == "right":
            right = spine
        else:
            left = spine
        region = _intersect(_map_box(_inverse(transform), (left, bottom, right, top)), shown)
        # A page shifted so far that nothing of it is left on its half: draw nothing.
        if region is None:
            return b""
        shown = region
    name = NameObject(f"/P{number}")
    resources = side[NameObject("/Resources")] if "/Resources" in side else None
    if not isinstance(resources, DictionaryObject):
        resources = side[NameObject("/Resources")] = DictionaryObject()
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
    xobjects[name] = forms.form(page, shown)
    _move_annotations(side, page, transform)
    matrix = " ".join(_num(v) for v in transform.ctm)
    return f"q {matrix} cm {name} Do Q\n".encode("ascii")


def _num(value: float) -> str:
    """A number for a content stream: at most 4 decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _move_annotations(side: PageObject, page: PageObject, transform: Transformation) -> None:
    """Copy ``page``'s annotations (except links to booklet pages) onto ``side``, moved by ``transform``.

    Links to other logical pages cannot work on an imposed sheet (and paper
    has no links), and cloning one would clone the page it points to, whole,
    as an orphan: they are left out.  Web links and other annotations keep
    working where their page now is.
    """
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else None
    if not isinstance(annots, ArrayObject):
        return
    from pypdf.generic._appearance_stream import transform_annotation_appearance

    writer = side.indirect_reference.pdf
    for annot in annots:
        if _is_internal_link(annot):
            continue
        annot = annot.get_object()
        copy = annot.clone(writer, ignore_fields=("/P", "/StructParent", "/Parent"), force_duplicate=True)
        copy = copy.indirect_reference.get_object() if copy.indirect_reference is not None else copy
        copy[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in _map_box(transform, marks.box_of(annot["/Rect"])))
        if "/QuadPoints" in annot:
            q = annot["/QuadPoints"]
            copy[NameObject("/QuadPoints")] = ArrayObject(
                FloatObject(v) for i in range(0, len(q), 2) for v in transform.apply_on((q[i], q[i + 1]), True))
        transform_annotation_appearance(copy, transform)
        copy[NameObject("/P")] = side.indirect_reference
        ref = copy.indirect_reference or writer._add_object(copy)
        side.setdefault(NameObject("/Annots"), ArrayObject()).append(ref)


def _is_internal_link(annot: Any) -> bool:
    """True for a link annotation that jumps to a page of this document."""
    annot = annot.get_object()
    if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
        return False
    action = annot.get("/A")
    action = action.get_object() if action is not None else None
    return "/Dest" in annot or (isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo")


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


def _file_id(pdf: bytes, sheet_w: float, sheet_h: float, extra: str = "") -> bytes:
    """A 16-byte file identifier derived from the input and the imposition parameters.

    The sheet size is included so that the same booklet imposed onto
    different sheets gets different IDs (they are different files); so are
    creep and mark settings (``extra``, empty when neither applies, which
    keeps the IDs of plain impositions what they always were).
    """
    digest = hashlib.sha256(pdf)
    digest.update(f"saddle-stitch {sheet_w:.4f}x{sheet_h:.4f}{extra}".encode("ascii"))
    return digest.digest()[:16]
