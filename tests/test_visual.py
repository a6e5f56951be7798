"""Visual regression: chosen pages of each handout of the shipped topic, compared with reference PNGs.

The pages (``CASES``): the booklet's cover, contents, first text page, the
page with the first exercise card and the back cover; page 1 of the exercise
sheet and of the checklist; the front of the first imposed sheet of
``booklet-print.pdf``.  Each is rendered at 72 dpi in grayscale with pdfium
(every font is embedded, so no host font is involved) and compared with
``tests/visual/<topic>-<name>.png``.

**After an intentional layout change, refresh the references** and commit them:

    HANDOUT_UPDATE_VISUAL=1 /tmp/v/bin/pytest tests/test_visual.py    # or .venv/bin/python -m pytest ...

(only references whose pixels changed are rewritten).  On a failure the test
writes ``actual.png``, ``expected.png`` and ``diff.png`` (differences in red)
to ``tests/results/<topic>-<name>/`` (git-ignored) and names them.

How two renderings are compared (see :func:`compare`), and why:

1. Both are softened with a 3 × 3 box blur, so that a hairline that lands
   across two pixels instead of one does not count as a change.
2. A pixel differs when it is more than ``LEVEL`` = 48 gray levels outside the
   range of the other image's 3 × 3 neighbourhood (both ways round): a shift of
   up to one pixel (0.35 mm) is tolerated, anything larger is not.
3. The page fails when any 9 × 9-pixel area (3.2 mm square) holds
   ``WINDOW_LIMIT`` = 8 or more differing pixels, or when more than 0.5 % of
   all pixels differ.  The local limit does the work: one missing glyph is
   ~0.01 % of a page, and even a 2 mm shift of a whole box can stay under
   0.5 %, so a page-wide percentage alone would miss both.

Calibration (numbers are "most differing pixels in one 9 × 9 area", over the
eight pages): an identical rebuild gives 0; pdfium 6462 (pypdfium2 4.30)
against 8149 (pypdfium2 5.x) gives 0 (no pixel differs by more than 4 gray
levels); simulated rasterizer differences far larger than that (the whole page
shifted by 0.25 or 0.5 px, 2× and 3× supersampled rendering) give 0, and
pdfium's own grayscale mode at most 4.  Changes that must fail: one glyph
missing 12-49, a band of the page moved 2 mm 37-72 (1 mm: 21-62), the whole
page moved 2 mm 57-72, one word changed 11-38.  The tests below re-check both
sides of the line on every run.  What it does not see: a word swapped for one
of the same length and nearly the same shapes (``back`` → ``neck`` in small
gray checklist text gives 0); the text tests check wording.  Turning text
antialiasing off altogether gives 6-19: text-heavy pages fail.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageFilter, ImageOps
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import DecodedStreamObject

from conftest import ROOT, SOURCE, TOPIC
from handoutkit.build import BuildOptions, make_build_theme, render_handout
from handoutkit.content.load import load_project
from handoutkit.content.model import Topic
from handoutkit.press.preview import render_pages

REFERENCES = ROOT / "tests" / "visual"
RESULTS = ROOT / "tests" / "results"
UPDATE = os.environ.get("HANDOUT_UPDATE_VISUAL", "") not in ("", "0")

DPI = 72              # 1 pixel per point; Letter is 612 × 792 pixels
LEVEL = 48            # gray levels (of 255) beyond the neighbourhood range that make a pixel "different"
WINDOW = 9            # side of the square area the local limit counts in, pixels
WINDOW_LIMIT = 8      # this many differing pixels in one area fail the page
FRACTION_LIMIT = 0.005  # more than this share of differing pixels fails the page
MM = 72 / 25.4        # points per millimetre


# --- comparing images ---------------------------------------------------------------------------------------------

@dataclass
class Diff:
    mask: Image.Image  # 255 where the images differ
    count: int         # differing pixels
    fraction: float    # count / all pixels
    worst_area: int    # most differing pixels in one WINDOW × WINDOW area

    @property
    def ok(self) -> bool:
        return self.worst_area < WINDOW_LIMIT and self.fraction <= FRACTION_LIMIT

    def summary(self) -> str:
        return (f"{self.count} pixels differ ({self.fraction:.3%}; limit {FRACTION_LIMIT:.1%}), up to "
                f"{self.worst_area} in one {WINDOW}×{WINDOW} area (limit {WINDOW_LIMIT - 1})")


def _outside(a: Image.Image, b: Image.Image) -> Image.Image:
    """255 where ``a`` is more than LEVEL darker or lighter than every pixel of ``b``'s 3 × 3 neighbourhood."""
    darker = ImageChops.subtract(b.filter(ImageFilter.MinFilter(3)), a)  # min(b) - a, clipped at 0
    lighter = ImageChops.subtract(a, b.filter(ImageFilter.MaxFilter(3)))  # a - max(b)
    return ImageChops.lighter(darker, lighter).point(lambda v: 255 if v > LEVEL else 0)


def compare(actual: Image.Image, expected: Image.Image) -> Diff:
    """Compare two grayscale renderings of the same size; see the module docstring."""
    assert actual.size == expected.size and actual.mode == expected.mode == "L"
    a, b = (image.filter(ImageFilter.BoxBlur(1)) for image in (actual, expected))
    mask = ImageChops.lighter(_outside(a, b), _outside(b, a))
    count = mask.histogram()[255]
    # Mean over every WINDOW × WINDOW area (a black border so edge areas count only real pixels).
    padded = ImageOps.expand(mask, border=WINDOW, fill=0)
    densest = padded.filter(ImageFilter.BoxBlur(WINDOW // 2)).getextrema()[1]
    return Diff(mask, count, count / (mask.width * mask.height), round(densest * WINDOW * WINDOW / 255))


def diff_picture(actual: Image.Image, mask: Image.Image) -> Image.Image:
    """``actual`` faded to light gray, with the differing pixels (grown by one pixel, to be seen) in red."""
    faded = actual.point(lambda v: 150 + v * 105 // 255)
    picture = Image.merge("RGB", (faded, faded, faded))
    return Image.composite(Image.new("RGB", actual.size, (230, 0, 0)), picture, mask.filter(ImageFilter.MaxFilter(3)))


def render(pdf: bytes, page: int) -> Image.Image:
    return render_pages(pdf, [page], DPI)[0].convert("L")


def load_png(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("L")


def save_png(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)


def check_page(name: str, actual: Image.Image, *, references: Path = REFERENCES, results: Path = RESULTS,
               update: bool = UPDATE) -> None:
    """Compare ``actual`` with the reference ``name``; on failure write the three images and fail."""
    reference = references / f"{name}.png"
    out = results / name
    shutil.rmtree(out, ignore_errors=True)  # never leave a stale failure next to a pass
    refresh = f"if the change is intended, refresh the references: HANDOUT_UPDATE_VISUAL=1 pytest {Path(__file__).name}"
    if update:
        old = load_png(reference) if reference.exists() else None
        if old is None or old.size != actual.size or old.tobytes() != actual.tobytes():
            save_png(actual, reference)
            warnings.warn(f"HANDOUT_UPDATE_VISUAL: wrote {reference}", stacklevel=2)
        return
    if not reference.exists():
        pytest.fail(f"no reference image {reference.relative_to(ROOT) if reference.is_relative_to(ROOT) else reference}; "
                    f"create it with HANDOUT_UPDATE_VISUAL=1 pytest {Path(__file__).name}")
    expected = load_png(reference)
    if expected.size != actual.size:
        save_png(actual, out / "actual.png")
        save_png(expected, out / "expected.png")
        pytest.fail(f"{name}: page is {actual.size[0]}×{actual.size[1]} px, reference {expected.size[0]}×"
                    f"{expected.size[1]} px (page size changed); see {out}/; {refresh}")
    diff = compare(actual, expected)
    if not diff.ok:
        save_png(actual, out / "actual.png")
        save_png(expected, out / "expected.png")
        save_png(diff_picture(actual, diff.mask), out / "diff.png")
        pytest.fail(f"{name} looks different: {diff.summary()}; see {out}/diff.png; {refresh}")


# --- which pages --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def topic() -> Topic:
    return load_project(SOURCE, [TOPIC]).topics[0]


def outline_pages(pdf: bytes) -> dict[str, int]:
    """Outline (bookmark) title → 0-based page, first occurrence, nested entries included."""
    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                pages.setdefault(str(item.title), reader.get_destination_page_number(item))

    walk(reader.outline)
    return pages


def first_page_of(kind: str) -> Callable[[bytes, Topic], int]:
    """The page where the booklet's first section of ``kind`` starts (found by its outline entry)."""

    def find(pdf: bytes, topic: Topic) -> int:
        booklet = next(h for h in topic.handouts if h.layout == "booklet")
        pages = outline_pages(pdf)
        for ref in booklet.sections:
            if ref.section.kind == kind:
                for title in (ref.section.short_title, ref.section.title):
                    if title and str(title) in pages:
                        return pages[str(title)]
        raise AssertionError(f"no outline entry for a {kind!r} section in the booklet (outline: {sorted(pages)})")

    return find


def first_exercise_page(pdf: bytes, topic: Topic) -> int:
    """The booklet page that shows the first exercise card (the section may open with text on the page before)."""
    booklet = next(h for h in topic.handouts if h.layout == "booklet")
    exercise = next(ex for ref in booklet.sections if ref.section.kind == "exercises" for ex in ref.section.exercises)
    name = " ".join(str(exercise.name).split())
    reader = PdfReader(io.BytesIO(pdf))
    for index in range(first_page_of("exercises")(pdf, topic), len(reader.pages)):
        if name in " ".join(reader.pages[index].extract_text().split()):
            return index
    raise AssertionError(f"no booklet page shows the exercise {name!r}")


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# name -> (built file, page chooser)
CASES: dict[str, tuple[str, Callable[[bytes, Topic], int]]] = {
    "booklet-cover": ("booklet.pdf", lambda pdf, topic: 0),
    "booklet-contents": ("booklet.pdf", lambda pdf, topic: 1),
    "booklet-text": ("booklet.pdf", first_page_of("text")),
    "booklet-exercise": ("booklet.pdf", first_exercise_page),
    "booklet-back-cover": ("booklet.pdf", lambda pdf, topic: page_count(pdf) - 1),
    "exercise-sheet-page1": ("exercise-sheet.pdf", lambda pdf, topic: 0),
    "checklist-page1": ("checklist.pdf", lambda pdf, topic: 0),
    "booklet-print-sheet1-front": ("booklet-print.pdf", lambda pdf, topic: 0),
}


def case_page(name: str, built: dict[str, bytes], topic: Topic) -> tuple[bytes, int]:
    file, choose = CASES[name]
    return built[file], choose(built[file], topic)


# --- the references -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_page_matches_reference(name, built, topic):
    pdf, page = case_page(name, built, topic)
    check_page(f"{TOPIC}-{name}", render(pdf, page))


def test_references_are_few_small_and_grayscale():
    if UPDATE:
        pytest.skip("references being refreshed")
    files = sorted(REFERENCES.glob("*.png"))
    assert {f.stem for f in files} == {f"{TOPIC}-{name}" for name in CASES}, "orphan or missing reference images"
    assert sum(f.stat().st_size for f in files) < 1_000_000
    for f in files:
        with Image.open(f) as image:
            assert image.mode == "L", f"{f.name} is {image.mode}, not grayscale"


# --- the tolerance: rendering noise passes, visible changes fail --------------------------------------------------

def edited(pdf: bytes, index: int, edit: Callable[[bytes, float, float], bytes]) -> bytes:
    """A one-page PDF: page ``index`` with its content stream rewritten by ``edit(content, width, height)``."""
    writer = PdfWriter()
    page = writer.add_page(PdfReader(io.BytesIO(pdf)).pages[index])
    stream = DecodedStreamObject()
    stream.set_data(edit(page.get_contents().get_data(), float(page.mediabox.width), float(page.mediabox.height)))
    page.replace_contents(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def shifted(pdf: bytes, index: int, dx: float, dy: float) -> bytes:
    """A one-page PDF: page ``index`` with everything moved by (dx, dy) points (pypdf Transformation)."""
    writer = PdfWriter()
    page = writer.add_page(PdfReader(io.BytesIO(pdf)).pages[index])
    page.add_transformation(Transformation().translate(dx, dy))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def band_shifted(pdf: bytes, index: int, bottom: float, top: float, dx: float, dy: float) -> bytes:
    """Whatever lies in the band ``bottom``..``top`` (fractions of the page height) drawn (dx, dy) points off."""

    def edit(content: bytes, width: float, height: float) -> bytes:
        y0, y1 = bottom * height, top * height
        outside = b"q 0 0 %.2f %.2f re 0 %.2f %.2f %.2f re W n\n" % (width, y0, y1, width, height - y1)
        inside = b"q 0 %.2f %.2f %.2f re W n 1 0 0 1 %.2f %.2f cm\n" % (y0, width, y1 - y0, dx, dy)
        return outside + content + b"\nQ\n" + inside + content + b"\nQ\n"

    return edited(pdf, index, edit)


def glyph_dropped(pdf: bytes, index: int) -> bytes:
    """One letter of a line of body text replaced by a space in the content stream: a glyph gone missing."""

    def edit(content: bytes, width: float, height: float) -> bytes:
        strings = [m for m in re.finditer(rb"\(([A-Za-z][A-Za-z ,.']{24,})\)", content)]
        assert strings, "no plain text string found in the page's content stream"
        match = strings[len(strings) // 2]
        at = match.start(1) + next(i for i, c in enumerate(match.group(1)) if i >= 4 and chr(c).islower())
        return content[:at] + b" " + content[at + 1:]

    return edited(pdf, index, edit)


@pytest.fixture(scope="module")
def dense_pages(built, topic) -> list[tuple[bytes, int]]:
    """Pages with the most hairlines and small text: the hardest for the tolerance."""
    return [case_page("exercise-sheet-page1", built, topic), case_page("booklet-text", built, topic),
            case_page("checklist-page1", built, topic)]


def test_same_pdf_renders_identically(dense_pages):
    pdf, page = dense_pages[0]
    assert render(pdf, page).tobytes() == render(pdf, page).tobytes()


@pytest.mark.parametrize("variant", ["subpixel-0.25", "subpixel-0.5", "supersampled", "pdfium-grayscale"])
def test_tolerance_absorbs_rendering_noise(dense_pages, variant):
    """Far larger differences than two pdfium versions make (none beyond 4 gray levels) still pass."""
    import pypdfium2 as pdfium

    for pdf, page in dense_pages:
        actual = render(pdf, page)
        if variant.startswith("subpixel"):
            px = float(variant.split("-")[1])
            other = render(shifted(pdf, page, px * 72 / DPI, -px * 72 / DPI), 0)
        elif variant == "supersampled":
            other = render_pages(pdf, [page], DPI * 3)[0].convert("L").resize(actual.size, Image.Resampling.BOX)
        else:
            doc = pdfium.PdfDocument(pdf)
            other = doc[page].render(scale=DPI / 72, grayscale=True, may_draw_forms=False,
                                     draw_annots=False).to_pil().convert("L")
            doc.close()
        assert other.tobytes() != actual.tobytes()
        diff = compare(other, actual)
        assert diff.ok and diff.worst_area <= WINDOW_LIMIT // 2, f"{variant}: {diff.summary()}"


@pytest.mark.parametrize("dx, dy", [(2 * MM, 0), (0, -2 * MM)], ids=["right", "down"])
def test_whole_page_moved_2mm_fails(dense_pages, dx, dy):
    pdf, page = dense_pages[0]
    assert not compare(render(shifted(pdf, page, dx, dy), 0), render(pdf, page)).ok


@pytest.mark.parametrize("band", [(0.3, 0.4), (0.45, 0.55), (0.6, 0.7)])
@pytest.mark.parametrize("dx, dy", [(2 * MM, 0), (0, -2 * MM)], ids=["right", "down"])
def test_one_band_moved_2mm_fails(dense_pages, band, dx, dy):
    """Everything inside one horizontal band of the page (a box, a few lines) 2 mm off; the rest in place."""
    for pdf, page in dense_pages[:2]:
        original = render(pdf, page)
        moved = render(band_shifted(pdf, page, *band, dx, dy), 0)
        assert moved.tobytes() != original.tobytes(), "the band is empty: nothing to move"
        diff = compare(moved, original)
        assert not diff.ok, diff.summary()


def test_one_missing_glyph_fails(dense_pages):
    for pdf, page in dense_pages:
        diff = compare(render(glyph_dropped(pdf, page), 0), render(pdf, page))
        assert not diff.ok, diff.summary()
        assert diff.fraction < FRACTION_LIMIT  # caught by the local limit: the page-wide share is far too small


def test_one_changed_paragraph_fails(content, built, topic):
    """The booklet rendered (in memory, as the build does) from content with one paragraph changed."""
    booklet = next(h for h in topic.handouts if h.layout == "booklet")
    section = next(ref.section for ref in booklet.sections if ref.section.kind == "text")
    path = content / TOPIC / "sections" / f"{section.id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    block = next(b for b in data["blocks"] if "paragraph" in b)
    block["paragraph"] = block["paragraph"].rstrip(".").rsplit(" ", 1)[0] + "."  # drop the last word
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    project = load_project(content, [TOPIC])
    changed_topic = project.topics[0]
    changed_booklet = next(h for h in changed_topic.handouts if h.name == booklet.name)
    changed = render_handout(changed_topic, changed_booklet, make_build_theme(project, BuildOptions()))[0].data
    original_pdf, page = case_page("booklet-text", built, topic)
    changed_page = first_page_of("text")(changed, changed_topic)
    diff = compare(render(changed, changed_page), render(original_pdf, page))
    assert not diff.ok, diff.summary()


def test_failure_writes_actual_expected_and_red_diff(tmp_path, dense_pages):
    pdf, page = dense_pages[0]
    references, results = tmp_path / "visual", tmp_path / "results"
    with pytest.warns(UserWarning, match="HANDOUT_UPDATE_VISUAL: wrote"):
        check_page("sample", render(pdf, page), references=references, results=results, update=True)
    assert (references / "sample.png").exists()
    check_page("sample", render(pdf, page), references=references, results=results, update=False)  # passes
    with pytest.raises(pytest.fail.Exception, match=r"sample looks different: .*HANDOUT_UPDATE_VISUAL=1"):
        check_page("sample", render(glyph_dropped(pdf, page), 0), references=references, results=results,
                   update=False)
    assert sorted(p.name for p in (results / "sample").iterdir()) == ["actual.png", "diff.png", "expected.png"]
    with Image.open(results / "sample" / "diff.png") as picture:
        diff = picture.convert("RGB")
    assert (230, 0, 0) in {color for _, color in diff.getcolors(1 << 20)}
    check_page("sample", render(pdf, page), references=references, results=results, update=False)
    assert not (results / "sample").exists()  # a later pass clears the old failure


def test_missing_reference_says_how_to_make_it(tmp_path, dense_pages):
    pdf, page = dense_pages[0]
    with pytest.raises(pytest.fail.Exception, match="HANDOUT_UPDATE_VISUAL=1"):
        check_page("absent", render(pdf, page), references=tmp_path, results=tmp_path, update=False)


# --- handout preview ----------------------------------------------------------------------------------------------

def run_cli(*args: str):
    from cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_preview_writes_one_png_per_handout_pdf(tmp_path):
    out = tmp_path / "out"
    result = run_cli("preview", "--source", str(SOURCE), "--out", str(out), "--language", "en")
    assert result.exit_code == 0, result.output
    folder = out / TOPIC / "preview"
    names = ["booklet", "booklet-print", "exercise-sheet", "checklist"]
    lines = result.output.strip().splitlines()
    assert [re.sub(r" \(\d+ pages?\)$", "", line) for line in lines] == [f"wrote {folder / f'{TOPIC}-{n}.png'}"
                                                                         for n in names], result.output
    assert lines[-1].endswith("(1 page)")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{TOPIC}-{n}.png" for n in names)
    assert not list(out.rglob("*.pdf"))  # previews are made in memory
    for name in names:
        path = folder / f"{TOPIC}-{name}.png"
        assert path.stat().st_size > 0
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 100 and image.height > 100
    with Image.open(folder / f"{TOPIC}-booklet.png") as booklet, Image.open(folder / f"{TOPIC}-checklist.png") as one:
        assert booklet.height > 2 * one.height  # a long booklet is a grid, not one very wide row


def test_preview_dest_and_paper(tmp_path):
    dest = tmp_path / "previews"
    result = run_cli("preview", TOPIC, "--source", str(SOURCE), "--out", str(tmp_path / "unused"),
                     "--dest", str(dest), "--paper", "a4", "--language", "es")
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 4  # the Spanish handouts
    assert f"{TOPIC}-booklet.es.png" in result.output
    assert not (tmp_path / "unused").exists()
    with Image.open(dest / f"{TOPIC}-checklist.es.png") as image:  # one A4 page: 210 × 297 mm plus the margins
        assert abs((image.width - 24) / (image.height - 24) - 210 / 297) < 0.02


def test_contact_sheet_is_deterministic_and_sized(built):
    from handoutkit.press.preview import GAP, contact_sheet, png_bytes

    pdf = built["booklet.pdf"]
    sheet = contact_sheet(pdf, max_pages=3, height_px=120)
    assert sheet.mode == "RGB" and sheet.height == 120 + 2 * GAP  # one row
    assert png_bytes(sheet) == png_bytes(contact_sheet(pdf, max_pages=3, height_px=120))
    grid = contact_sheet(pdf, max_pages=None, height_px=60)
    rows = (grid.height - GAP) // (60 + GAP)
    assert rows > 1 and grid.width < 9 * (60 + GAP)
    with pytest.raises(IndexError, match="out of range"):
        render_pages(pdf, [page_count(pdf)], 30)


def test_preview_unknown_topic_exits_1_with_one_message(tmp_path):
    result = run_cli("preview", "no-such-topic", "--source", str(SOURCE), "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no topic named 'no-such-topic'" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_other_commands_do_not_import_pdfium(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; import cli; "
            f"r = CliRunner().invoke(cli.main, ['list', '--source', {str(SOURCE)!r}]); assert r.exit_code == 0; "
            f"r = CliRunner().invoke(cli.main, ['build', '--handout', 'checklist', '--source', {str(SOURCE)!r}, "
            f"'--out', {str(tmp_path)!r}]); assert r.exit_code == 0, r.output; "
            "print('pypdfium2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
