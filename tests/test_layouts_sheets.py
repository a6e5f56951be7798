"""Tests for the full-sheet layouts: the exercise sheet and the fridge checklist.

Each test renders the shipped content (handouts/) and checks the finished
PDF, not the code's intentions: page count and size, the text a patient
reads, fonts (bundled and embedded, nothing below 12 pt as drawn), and that
a checklist that cannot fit on one page fails with a located FitError
instead of growing a second page or shrinking its text.
"""

from __future__ import annotations

import io
import math
import re
import shutil
from pathlib import Path

import pypdf
import pytest
import yaml
from pypdf.generic import ContentStream, DictionaryObject, StreamObject

from handoutkit.errors import FitError
from handoutkit.content.load import load_project
from handoutkit.content.model import Project
from handoutkit.render.styles import MIN_FONT_SIZE, make_theme
from layouts import RenderedPdf, RenderJob, checklist, exercise_sheet

HANDOUTS = Path(__file__).resolve().parents[1] / "handouts"
LETTER = (612.0, 792.0)
A4 = (595.28, 841.89)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(HANDOUTS)


def _render(project: Project, name: str, paper: str | None = None) -> RenderedPdf:
    topic = project.topics[0]
    handout = next(h for h in topic.handouts if h.name == name)
    theme = make_theme(project.brand, paper=paper)
    module = {"exercise-sheet": exercise_sheet, "checklist": checklist}[handout.layout]
    return module.render(RenderJob(topic=topic, handout=handout, theme=theme))


@pytest.fixture(scope="module")
def sheet(project: Project) -> RenderedPdf:
    return _render(project, "exercise-sheet")


@pytest.fixture(scope="module")
def fridge(project: Project) -> RenderedPdf:
    return _render(project, "checklist")


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def _squash(text: str) -> str:
    """Text with every run of whitespace as one space: table cells and wrapped lines differ only there."""
    return re.sub(r"\s+", " ", text)


def _text(data: bytes) -> str:
    return _squash(" ".join(page.extract_text() for page in _reader(data).pages))


def _page_size(data: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in _reader(data).pages]


def _assert_size(data: bytes, expected: tuple[float, float]) -> None:
    for width, height in _page_size(data):
        assert width == pytest.approx(expected[0], abs=0.5)
        assert height == pytest.approx(expected[1], abs=0.5)


def _multiply(a: list[float], b: list[float]) -> list[float]:
    """Product of two PDF matrices [a b c d e f] (a applied first)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _drawn_text_sizes(data: bytes) -> list[tuple[str, float]]:
    """(text, size in points as it lands on the page) for every text run that shows glyphs.

    The size a Tf sets is scaled by the text matrix and the CTM (a picture
    scaled to 50% would halve its labels), so a Tf scan alone cannot show
    what prints.  pypdf's text visitor follows Tf, Tm, cm and form XObjects.
    """
    sizes: list[tuple[str, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        m = _multiply(tm, cm)
        sizes.append((text, font_size * math.hypot(m[2], m[3])))

    for page in _reader(data).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def _tf_sizes(data: bytes) -> list[float]:
    r"""The size of every Tf in the page content streams and the form XObjects they draw.

    Parsed as operators rather than with the regex ``/F\d+ ([\d.]+) Tf``:
    reportlab names its TrueType subsets ``/F2+0``, which that pattern never
    matches, so it would pass on any PDF made with the bundled fonts.
    """
    reader = _reader(data)
    sizes: list[float] = []
    seen: set = set()

    def scan(stream, resources) -> None:
        for operands, operator in ContentStream(stream, reader).operations:
            if operator == b"Tf":
                sizes.append(float(operands[1]))
            elif operator == b"Do" and isinstance(resources, DictionaryObject):
                xobjects = resources.get("/XObject")
                form = xobjects.get_object().get(operands[0]) if xobjects is not None else None
                form = form.get_object() if form is not None else None
                if isinstance(form, StreamObject) and form.get("/Subtype") == "/Form" and id(form) not in seen:
                    seen.add(id(form))
                    scan(form, form.get("/Resources", resources))

    for page in reader.pages:
        scan(page.get_contents(), page.get("/Resources").get_object())
    return sizes


def _font_resources(data: bytes) -> set[str]:
    """/BaseFont of every font in any page's or form's resources, used or not (as pdffonts lists them)."""
    names: set[str] = set()
    for page in _reader(data).pages:
        stack = [page.get("/Resources")]
        while stack:
            resources = stack.pop()
            resources = resources.get_object() if resources is not None else None
            if not isinstance(resources, DictionaryObject):
                continue
            for font in (resources.get("/Font") or DictionaryObject()).get_object().values():
                names.add(str(font.get_object().get("/BaseFont")))
            for xobject in (resources.get("/XObject") or DictionaryObject()).get_object().values():
                xobject = xobject.get_object()
                if xobject.get("/Subtype") == "/Form":
                    stack.append(xobject.get("/Resources"))
    return names


def _check_fonts(data: bytes) -> None:
    try:
        from handoutkit.checks.pdfcheck import fonts_used
    except ImportError:  # pdfcheck is someone else's work in progress
        pytest.skip("handoutkit.checks.pdfcheck not available")
    used = fonts_used(data)
    assert used, "no fonts found"
    for font in used:
        assert font.embedded, f"{font.name} is not embedded"
        assert not font.base14, f"{font.name} is a standard-14 font"
        assert font.name.startswith(("AtkinsonHyperlegible", "DejaVuSans")), font.name


# ----------------------------------------------------------------------------- exercise sheet


def test_exercise_sheet_pages_and_size(sheet: RenderedPdf) -> None:
    assert 1 <= sheet.pages <= 2
    assert len(_reader(sheet.data).pages) == sheet.pages
    assert sheet.page_size == pytest.approx(LETTER, abs=0.5)
    _assert_size(sheet.data, LETTER)


def test_exercise_sheet_text(project: Project, sheet: RenderedPdf) -> None:
    text = _text(sheet.data)
    for word in ("Patient", "Date", "Clinician", "Your upper back exercises"):
        assert word in text
    # Every exercise, numbered 1..n, in content order.
    positions = []
    for number, exercise in enumerate(project.topics[0].exercises, 1):
        label = _squash(f"{number}. {exercise.name}")
        assert label in text, label
        positions.append(text.index(label))
    assert positions == sorted(positions)
    red_flags = project.topics[0].section("red-flags")
    assert _squash(red_flags.title) in text
    # The red-flag box closes the sheet: after the last exercise.
    assert text.index(_squash(red_flags.title)) > positions[-1]


def test_exercise_sheet_furniture_on_every_page(project: Project, sheet: RenderedPdf) -> None:
    topic = project.topics[0]
    pages = [_squash(p.extract_text()) for p in _reader(sheet.data).pages]
    for number, page in enumerate(pages, 1):
        # The review dates and note once, on the last page (issue 9: in every footer
        # they took a fifth of each large-print page); the contact line on every page.
        last = number == len(pages)
        assert ("Version 1.0" in page and "Next review due" in page) == last
        assert (_squash(topic.review_note)[:40] in page) == last
        assert str(project.brand.phone) in page
        if len(pages) > 1:
            assert f"Page {number} of {len(pages)}" in page
    for page in pages[1:]:
        assert "continued" in page
    # The red-flag box is never alone on the last page: an exercise comes with it.
    if len(pages) > 1:
        assert any(ex.name in pages[-1] for ex in topic.exercises)


def test_exercise_sheet_metadata(sheet: RenderedPdf) -> None:
    meta = _reader(sheet.data).metadata
    assert meta.title == "Your upper back exercises"
    assert meta.author == "Riverside Spine & Physio"


def test_exercise_sheet_is_reproducible(project: Project, sheet: RenderedPdf) -> None:
    assert _render(project, "exercise-sheet").data == sheet.data


def test_exercise_sheet_a4(project: Project) -> None:
    rendered = _render(project, "exercise-sheet", paper="a4")
    assert 1 <= rendered.pages <= 2
    _assert_size(rendered.data, A4)
    assert rendered.page_size == pytest.approx(A4, abs=0.01)


# ----------------------------------------------------------------------------- checklist


def test_checklist_one_page(fridge: RenderedPdf) -> None:
    assert fridge.pages == 1
    assert len(_reader(fridge.data).pages) == 1
    _assert_size(fridge.data, LETTER)


def test_checklist_text(project: Project, fridge: RenderedPdf) -> None:
    text = _text(fridge.data)
    assert "My weekly back-care checklist" in text
    assert "Week of" in text
    for day in DAYS:
        assert day in text
    lifestyle = project.topics[0].section("lifestyle")
    for group in lifestyle.groups:
        assert _squash(group.title) in text
        for habit in group.habits:
            assert _squash(habit.text) in text, habit.text
    assert _squash(project.topics[0].section("red-flags").title) in text
    assert "Next review due" in text


def test_checklist_a4(project: Project) -> None:
    rendered = _render(project, "checklist", paper="a4")
    assert rendered.pages == 1
    _assert_size(rendered.data, A4)


def _crowded_copy(tmp_path: Path, extra: int) -> Project:
    """The shipped project, with ``extra`` more habits in every lifestyle group."""
    copy = tmp_path / "handouts"
    shutil.copytree(HANDOUTS, copy)
    path = copy / "upper-back-pain" / "sections" / "lifestyle.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for group in data["groups"]:
        group["habits"] += [{"text": f"Another small habit number {i + 1}"} for i in range(extra)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_project(copy)


def test_checklist_too_many_habits_is_a_fit_error(tmp_path: Path) -> None:
    crowded = _crowded_copy(tmp_path, extra=6)
    with pytest.raises(FitError) as info:
        _render(crowded, "checklist")
    assert "lifestyle.yaml" in info.value.message
    assert "section lifestyle" in info.value.message


def test_checklist_overflow_guard_without_the_precheck(tmp_path: Path, monkeypatch) -> None:
    """Even if the up-front measuring were wrong, KeepInFrame(mode="error") stops a second page."""
    crowded = _crowded_copy(tmp_path, extra=6)
    monkeypatch.setattr(checklist, "_raise_too_tall", lambda *args: None)
    with pytest.raises(FitError) as info:
        _render(crowded, "checklist")
    assert "lifestyle.yaml" in info.value.message


def test_checklist_a_few_more_habits_still_fit(tmp_path: Path) -> None:
    """Spare room is spent on taller rows, not wasted: one more habit per group shrinks the rows, not the text."""
    rendered = _render(_crowded_copy(tmp_path, extra=1), "checklist")
    assert rendered.pages == 1
    assert "Another small habit number 1" in _text(rendered.data)


# ----------------------------------------------------------------------------- both: fonts


@pytest.mark.parametrize("name", ["exercise-sheet", "checklist"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_no_text_below_minimum_size(project: Project, name: str, paper: str) -> None:
    data = _render(project, name, paper=paper).data
    sizes = _drawn_text_sizes(data)
    assert sizes, "no text found"
    small = [(text, round(size, 2)) for text, size in sizes if size < MIN_FONT_SIZE - 0.01]
    assert not small, small[:5]
    # And every Tf, even one that shows nothing (reportlab's drawing renderer
    # used to open each picture with an idle "/F1 10 Tf" in Helvetica).
    tf = _tf_sizes(data)
    assert tf and min(tf) >= MIN_FONT_SIZE, sorted(set(tf))


@pytest.mark.parametrize("name", ["exercise-sheet", "checklist"])
def test_fonts_bundled_and_embedded(project: Project, name: str) -> None:
    data = _render(project, name).data
    _check_fonts(data)
    # Not even an idle Helvetica in a resource dictionary: preflight tools reject it.
    resources = _font_resources(data)
    assert resources and all("Atkinson" in n or "DejaVu" in n for n in resources), sorted(resources)
