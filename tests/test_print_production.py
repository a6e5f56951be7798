"""Print production: print-shop files (bleed, TrimBox/BleedBox, crop marks), creep, long booklets.

Real PDFs throughout: the shipped topic built with ``print_marks``, and
synthetic booklets from reportlab for what the shipped topic cannot show
(full-bleed colour on every page, 48- and 400-page booklets).  Crop marks
are checked twice: as the lines the content stream strokes, and as dark
pixels in a pypdfium2 rendering.
"""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from reportlab.pdfgen import canvas

from handoutkit.build import BuildOptions, build
from handoutkit.errors import BuildError
from handoutkit.press.impose import default_creep_mm, impose_saddle_stitch, saddle_stitch_order
from handoutkit.press.marks import add_print_marks
from handoutkit.checks.pdfcheck import check_print_ready, half_page_texts, page_texts

from conftest import SOURCE, TOPIC
from test_impose import HALF_LETTER, _register_font, make_booklet, text_origins

MM = 72 / 25.4
BLEED = 3 * MM  # 8.5039 pt
MARK_OFFSET, MARK_LENGTH = 3 * MM, 12 * MM
A5 = (419.5276, 595.2756)

MARKED = ("booklet-marks.pdf", "booklet-print-marks.pdf", "exercise-sheet-marks.pdf", "checklist-marks.pdf")


def _build(tmp_path_factory, name: str, **options) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp(name)
    files = build(SOURCE, out, options=BuildOptions(**options), languages=["en"])  # Spanish: test_spanish.py
    return {f.path.name: f.path.read_bytes() for f in files if f.topic == TOPIC}


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> dict[str, bytes]:
    return _build(tmp_path_factory, "marks", print_marks=True)


@pytest.fixture(scope="module")
def marked_a4(tmp_path_factory) -> dict[str, bytes]:
    return _build(tmp_path_factory, "marks_a4", print_marks=True, paper="a4")


def pages(data: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(data)).pages)


def box(rectangle) -> list[float]:
    return [float(v) for v in rectangle]


def grown(trim: list[float], by: float) -> list[float]:
    return [trim[0] - by, trim[1] - by, trim[2] + by, trim[3] + by]


def stroked_lines(page: pypdf.PageObject) -> list[tuple[float, float, float, float]]:
    """Every straight line (m ... l) the page strokes, in default user space, with the CTM followed."""
    ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    saved, path, lines = [], [], []
    point = (0.0, 0.0)

    def apply(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        return a * x + c * y + e, b * x + d * y + f

    for operands, operator in page.get_contents().operations:
        if operator == b"q":
            saved.append(ctm)
        elif operator == b"Q":
            ctm = saved.pop()
        elif operator == b"cm":
            a2, b2, c2, d2, e2, f2 = (float(v) for v in operands)
            a, b, c, d, e, f = ctm
            ctm = (a2 * a + b2 * c, a2 * b + b2 * d, c2 * a + d2 * c, c2 * b + d2 * d,
                   e2 * a + f2 * c + e, e2 * b + f2 * d + f)
        elif operator == b"m":
            point = apply(*(float(v) for v in operands))
        elif operator == b"l":
            end = apply(*(float(v) for v in operands))
            path.append((*point, *end))
            point = end
        elif operator in (b"S", b"s"):
            lines += path
            path = []
        elif operator in (b"n", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"re"):
            if operator != b"re":
                path = []
    return lines


def expected_crop_marks(trim: list[float]) -> set[tuple[float, ...]]:
    left, bottom, right, top = trim
    start, end = max(MARK_OFFSET, BLEED), max(MARK_OFFSET, BLEED) + MARK_LENGTH
    marks = set()
    for x, sx in ((left, -1), (right, 1)):
        for y, sy in ((bottom, -1), (top, 1)):
            marks.add((x + sx * start, y, x + sx * end, y))
            marks.add((x, y + sy * start, x, y + sy * end))
    return {tuple(round(v, 2) for v in line) for line in marks}


def outside(line: tuple[float, ...], area: list[float]) -> bool:
    """True if the segment lies entirely outside the (closed) rectangle ``area`` (0.01 pt slack for rounding)."""
    x0, y0, x1, y1 = line
    return (max(x0, x1) <= area[0] + 0.01 or min(x0, x1) >= area[2] - 0.01
            or max(y0, y1) <= area[1] + 0.01 or min(y0, y1) >= area[3] - 0.01)


class Render:
    """A page rendered by pdfium, read back in PDF coordinates."""

    def __init__(self, data: bytes, index: int, scale: float = 3.0) -> None:
        document = pypdfium2.PdfDocument(data)
        page = document[index]
        self.image = page.render(scale=scale).to_pil().convert("RGB")
        self.media = box(pages(data)[index].cropbox)
        self.scale = scale

    def pixels(self, x: float, y: float, radius: float = 1.0) -> list[tuple[int, int, int]]:
        """The pixels within ``radius`` points of (x, y)."""
        cx, cy = (x - self.media[0]) * self.scale, (self.media[3] - y) * self.scale
        r = max(1, round(radius * self.scale))
        return [self.image.getpixel((int(cx) + dx, int(cy) + dy))
                for dx in range(-r, r + 1) for dy in range(-r, r + 1)]

    def dark(self, x: float, y: float) -> bool:
        # A 0.3 pt line is under one pixel wide at this scale, so anti-aliasing
        # may spread it over two columns at half strength: mid-grey counts.
        return min(sum(p) / 3 for p in self.pixels(x, y)) < 180

    def blank(self, x: float, y: float, radius: float = 3.0) -> bool:
        return min(min(p) for p in self.pixels(x, y, radius)) > 245

    def colour(self, x: float, y: float) -> tuple[int, int, int]:
        return self.pixels(x, y, 0)[0]


# --- the shipped topic with print marks --------------------------------------


def test_marked_build_names_its_files_marks(marked, marked_a4):
    assert sorted(marked) == sorted(MARKED)
    assert sorted(marked_a4) == sorted(MARKED)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_page_has_trim_bleed_and_room_for_marks(paper, marked, marked_a4):
    files = marked if paper == "letter" else marked_a4
    booklet = HALF_LETTER if paper == "letter" else A5
    sheet = (612.0, 792.0) if paper == "letter" else (595.2756, 841.8898)
    trims = {
        "booklet-marks.pdf": booklet,
        "booklet-print-marks.pdf": (2 * booklet[0], booklet[1]),  # the two trims, meeting at the spine
        "exercise-sheet-marks.pdf": sheet,
        "checklist-marks.pdf": sheet,
    }
    for name, (width, height) in trims.items():
        for number, page in enumerate(pages(files[name]), 1):
            where = f"{paper} {name} page {number}"
            trim = box(page.trimbox)
            assert trim == pytest.approx([0, 0, width, height], abs=1e-3), where
            bleed = box(page.bleedbox)
            assert bleed == pytest.approx(grown(trim, 8.5039), abs=1e-3), where
            media = box(page.mediabox)
            assert box(page.cropbox) == media, where
            room = MARK_OFFSET + MARK_LENGTH
            assert media[0] < bleed[0] - room and media[1] < bleed[1] - room, where
            assert media[2] > bleed[2] + room and media[3] > bleed[3] + room, where


def test_letter_imposed_trim_is_letter_landscape(marked):
    for page in pages(marked["booklet-print-marks.pdf"]):
        assert box(page.trimbox) == [0, 0, 792, 612]


@pytest.mark.parametrize("name", MARKED)
def test_crop_marks_are_stroked_outside_the_bleed(name, marked):
    for number, page in enumerate(pages(marked[name]), 1):
        trim, bleed = box(page.trimbox), box(page.bleedbox)
        lines = {tuple(round(v, 2) for v in line) for line in stroked_lines(page)}
        expected = expected_crop_marks(trim)
        assert expected <= lines, f"{name} page {number}: missing {sorted(expected - lines)}"
        assert all(outside(line, bleed) for line in expected)
        if name == "booklet-print-marks.pdf":
            # Dashed fold marks at the spine, above and below the trim, outside the bleed.
            # (The logical pages' own marks are still in the stream, clipped
            # away at the trim; the fold marks are the 6 mm lines.)
            spine = (trim[0] + trim[2]) / 2
            folds = [line for line in lines - expected
                     if line[0] == line[2] == round(spine, 2) and abs(abs(line[3] - line[1]) - 6 * MM) < 0.02]
            assert len(folds) == 2 and all(outside(line, bleed) for line in folds)
            assert min(line[3] for line in folds) < bleed[1] - 6 * MM + 0.1
            assert max(line[3] for line in folds) > bleed[3] + 6 * MM - 0.1


def test_crop_marks_show_when_printed(marked):
    data = marked["booklet-marks.pdf"]
    trim = box(pages(data)[0].trimbox)
    render = Render(data, 0)
    middle = max(MARK_OFFSET, BLEED) + MARK_LENGTH / 2  # halfway along each mark
    for x, sx in ((trim[0], -1), (trim[2], 1)):
        for y, sy in ((trim[1], -1), (trim[3], 1)):
            assert render.dark(x + sx * middle, y), (x, y)
            assert render.dark(x, y + sy * middle), (x, y)
            # The corner square between the marks, past the bleed, is empty paper.
            assert render.blank(x + sx * middle, y + sy * middle), (x, y)


def test_marks_do_not_touch_the_pages_text(marked, built):
    # Same text as the standard edition, page for page (the marks are not text).
    assert page_texts(marked["booklet-marks.pdf"]) == page_texts(built["booklet.pdf"])


def test_imposed_marked_booklet_is_in_saddle_stitch_order(marked):
    squash = lambda text: "".join(text.split())  # noqa: E731
    logical = [squash(t) for t in page_texts(marked["booklet-marks.pdf"])]
    imposed = marked["booklet-print-marks.pdf"]
    # half_page_texts splits at the MediaBox middle: that must be the spine.
    for page in pages(imposed):
        media, trim = box(page.mediabox), box(page.trimbox)
        assert (media[0] + media[2]) / 2 == pytest.approx((trim[0] + trim[2]) / 2, abs=1e-3)
    sides = [side for sheet in saddle_stitch_order(len(logical)) for side in sheet]
    halves = half_page_texts(imposed)
    assert len(halves) == len(sides)
    for number, ((left_text, right_text), (left, right)) in enumerate(zip(halves, sides), 1):
        assert squash(left_text) == logical[left - 1], f"imposed page {number}: left half is not page {left}"
        assert squash(right_text) == logical[right - 1], f"imposed page {number}: right half is not page {right}"


def test_marked_files_are_print_ready(marked, marked_a4):
    for files in (marked, marked_a4):
        for name, data in files.items():
            check_print_ready(data, label=name)


def test_rebuild_with_marks_gives_identical_bytes(marked, tmp_path):
    again = build(SOURCE, tmp_path, options=BuildOptions(print_marks=True), languages=["en"])
    for item in again:
        if item.topic == TOPIC:
            assert item.path.read_bytes() == marked[item.path.name], f"{item.path.name} differs between builds"


def test_standard_edition_is_imposed_exactly_as_before(built):
    # Without --print-marks and at most 40 pages (no automatic creep), the
    # build imposes the booklet with the plain call, whose bytes
    # test_impose.py pins to the pre-marks output.
    assert len(pages(built["booklet.pdf"])) <= 40
    assert built["booklet-print.pdf"] == impose_saddle_stitch(built["booklet.pdf"], sheet_size=(792.0, 612.0))
    for name in ("booklet.pdf", "booklet-print.pdf", "exercise-sheet.pdf", "checklist.pdf"):
        assert all("/TrimBox" not in page for page in pages(built[name])), name


def test_explicit_creep_applies_to_a_short_booklet(built, tmp_path):
    files = build(SOURCE, tmp_path, handouts=["booklet"], options=BuildOptions(creep_mm=0.5), languages=["en"])
    by_name = {f.path.name: f for f in files}
    item = by_name["booklet-print.pdf"]
    assert "creep 0.5 mm per sheet" in item.note
    plain = pages(built["booklet-print.pdf"])
    crept = pages(item.path.read_bytes())
    # The third sheet's front (two sheets outside it) moved 1 mm towards the spine on each half.
    before = {text: x for text, x, _ in text_origins(plain[4])}
    after = {text: x for text, x, _ in text_origins(crept[4])}
    assert before.keys() == after.keys()
    for text, x in before.items():
        moved = after[text] - x if x < 396 else x - after[text]
        assert moved == pytest.approx(2 * 0.5 * MM, abs=0.01), text


# --- marks on synthetic pages ---------------------------------------------------


def bleeding_booklet(count: int, size: tuple[float, float] = HALF_LETTER, bleed: float = BLEED) -> bytes:
    """Every page filled edge to edge and ``bleed`` past it: even pages red, odd pages blue.

    In a saddle-stitched booklet even pages are always on the left of a
    sheet side and odd pages on the right, so colour tells the halves apart.
    """
    font = _register_font()
    width, height = size
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, invariant=1, initialFontName=font)
    for number in range(1, count + 1):
        pdf.setFillColorRGB(*((0.9, 0.1, 0.1) if number % 2 == 0 else (0.1, 0.1, 0.9)))
        pdf.rect(-bleed, -bleed, width + 2 * bleed, height + 2 * bleed, stroke=0, fill=1)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont(font, 48)
        pdf.drawString(72, 72, f"P{number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def is_red(rgb) -> bool:
    return rgb[0] > 180 and rgb[2] < 80


def is_blue(rgb) -> bool:
    return rgb[2] > 180 and rgb[0] < 80


def test_layout_drawn_past_the_edge_shows_in_the_bleed_only():
    data = add_print_marks(bleeding_booklet(4))
    render = Render(data, 1)  # page 2: red
    w, h = HALF_LETTER
    for x, y in ((-BLEED / 2, h / 2), (w + BLEED / 2, h / 2), (w / 2, -BLEED / 2), (w / 2, h + BLEED / 2)):
        assert is_red(render.colour(x, y)), (x, y)
    # Past the bleed is paper (the fill stopped at 3 mm).
    for x, y in ((-BLEED - 3, h / 2), (w + BLEED + 3, h / 2), (w / 2, -BLEED - 3), (w / 2, h + BLEED + 3)):
        assert render.blank(x, y, radius=1), (x, y)


@pytest.mark.parametrize("creep_mm", [0.0, 2.0])
def test_imposed_sheet_keeps_outer_bleed_and_cuts_at_the_spine(creep_mm):
    w, h = HALF_LETTER
    data = impose_saddle_stitch(add_print_marks(bleeding_booklet(8)), creep=creep_mm * MM)
    for index in range(4):  # both sides of both sheets; sheet 2 is shifted by the creep
        shift = (index // 2) * creep_mm * MM
        render = Render(data, index)
        # Left half red up to the spine, right half blue from it: no bleed
        # (and no creep shift) crosses the fold.
        assert is_red(render.colour(w - 1, h / 2)) and is_blue(render.colour(w + 1, h / 2)), index
        assert is_red(render.colour(w - 1, h + BLEED / 2)) and is_blue(render.colour(w + 1, -BLEED / 2)), index
        # Outer, top and bottom bleeds are kept (moved with the page by the creep).
        assert is_red(render.colour(shift - BLEED / 2, h / 2)), index
        assert is_blue(render.colour(2 * w - shift + BLEED / 2, h / 2)), index
        assert is_red(render.colour(w / 2, h + BLEED / 2)) and is_blue(render.colour(1.5 * w, -BLEED / 2)), index
        # Crop marks at the sheet's outer corners, fold marks at the spine, paper elsewhere.
        middle = BLEED + MARK_LENGTH / 2
        for x in (0.0, 2 * w):
            assert render.dark(x, -middle) and render.dark(x, h + middle), index
        assert render.dark(-middle, 0) and render.dark(2 * w + middle, h), index
        assert render.dark(w, h + BLEED + 1.5 * MM) and render.dark(w, -BLEED - 1.5 * MM), index
        # The fold mark is dashed (2 pt on, 2 pt off): in its first gap the
        # pages' own solid crop marks at the spine must not show through.
        assert min(sum(p) / 3 for p in render.pixels(w, h + BLEED + 3, 0.3)) > 200, index
        assert render.blank(-middle, -middle) and render.blank(w / 2, h + middle), index


def test_larger_bleed_keeps_the_marks_out_of_it():
    data = add_print_marks(make_booklet(1), bleed=5 * MM)
    page = pages(data)[0]
    bleed = box(page.bleedbox)
    assert bleed == pytest.approx(grown([0, 0, 396, 612], 5 * MM), abs=1e-3)
    lines = stroked_lines(page)
    assert len(lines) == 8 and all(outside(line, bleed) for line in lines)
    media = box(page.mediabox)
    assert all(media[0] < min(l[0], l[2]) and max(l[0], l[2]) < media[2] for l in lines)  # noqa: E741


def test_marks_keep_metadata_text_and_version_of_the_input(built):
    data = add_print_marks(make_booklet(4, title="Neck pain"))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Neck pain"
    assert [p.extract_text().strip() for p in reader.pages] == ["P1", "P2", "P3", "P4"]
    # The shipped booklet is PDF 1.4 (reportlab); pypdf's writer would say 1.3.
    assert built["booklet.pdf"].startswith(b"%PDF-1.4")
    assert add_print_marks(built["booklet.pdf"]).startswith(b"%PDF-1.4")
    # The outline (one entry per section) survives.
    assert len(pypdf.PdfReader(io.BytesIO(add_print_marks(built["booklet.pdf"]))).outline) == len(
        pypdf.PdfReader(io.BytesIO(built["booklet.pdf"])).outline)


@pytest.mark.parametrize("garbage", [b"", b"not a pdf"])
def test_marks_on_garbage_is_a_build_error(garbage):
    with pytest.raises(BuildError, match="cannot add print marks"):
        add_print_marks(garbage)


@pytest.mark.parametrize("options", [{"bleed": -1.0}, {"mark_length": 0.0}, {"mark_offset": math.nan}])
def test_marks_with_bad_lengths_is_a_build_error(options):
    with pytest.raises(BuildError, match="cannot add print marks"):
        add_print_marks(make_booklet(1), **options)


def test_marks_module_does_not_import_reportlab():
    code = "import sys, handoutkit.press.marks, handoutkit.press.impose; print(any(m.startswith('reportlab') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "False"


# --- creep ------------------------------------------------------------------------


def _half_origins(page: pypdf.PageObject) -> tuple[tuple[str, float], tuple[str, float]]:
    (left, lx, _), (right, rx, _) = sorted(text_origins(page), key=lambda run: run[1])
    return (left, lx), (right, rx)


def test_creep_48_pages_moves_the_centre_sheet_most():
    creep = default_creep_mm(48) * MM
    assert creep == pytest.approx(0.1 * MM)
    imposed = pages(impose_saddle_stitch(make_booklet(48), creep=creep))
    assert len(imposed) == 24
    (left, lx), (right, rx) = _half_origins(imposed[0])
    assert (left, right) == ("P48", "P1") and (lx, rx) == (pytest.approx(72, abs=0.005), pytest.approx(468, abs=0.005))
    centre = 11 * 0.1 * MM  # 11 sheets outside the centre one
    for side, expected in ((22, ("P26", "P23")), (23, ("P24", "P25"))):
        (left, lx), (right, rx) = _half_origins(imposed[side])
        assert (left, right) == expected
        assert lx - 72 == pytest.approx(centre, abs=0.005) and 468 - rx == pytest.approx(centre, abs=0.005)


def test_no_automatic_creep_up_to_40_pages():
    assert default_creep_mm(40) == 0.0
    imposed = pages(impose_saddle_stitch(make_booklet(40), creep=default_creep_mm(40) * MM))
    for side in (0, 19):
        (_, lx), (_, rx) = _half_origins(imposed[side])
        assert (lx, rx) == (72, 468)


# --- long booklets -----------------------------------------------------------------


def test_400_page_booklet_with_marks_and_creep():
    creep = default_creep_mm(400) * MM
    imposed = impose_saddle_stitch(add_print_marks(make_booklet(400)), sheet_size=(792.0, 612.0), creep=creep)
    reader = pypdf.PdfReader(io.BytesIO(imposed))
    assert len(reader.pages) == 200
    order = saddle_stitch_order(400)
    for sheet in (0, 1, 37, 98, 99):
        for face, (left, right) in enumerate(order[sheet]):
            page = reader.pages[2 * sheet + face]
            assert box(page.trimbox) == [0, 0, 792, 612]
            (left_text, lx), (right_text, rx) = _half_origins(page)
            assert (left_text, right_text) == (f"P{left}", f"P{right}"), (sheet, face)
            assert lx == pytest.approx(72 + sheet * creep, abs=0.005)
            assert rx == pytest.approx(468 - sheet * creep, abs=0.005)
