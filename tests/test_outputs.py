"""The shipped topic, built end to end: page sizes, counts, text, order, fonts, metadata, bytes."""

from __future__ import annotations

import re

import pytest

from handoutkit.build import build
from handoutkit.press.impose import saddle_stitch_order
from handoutkit.content.load import load_project
from handoutkit.checks.pdfcheck import fonts_used, half_page_texts, page_sizes, page_texts

from conftest import SOURCE
from pdfutil import font_resources, font_sizes, norm, reader, visual_lines

ALL = ("booklet.pdf", "booklet-print.pdf", "exercise-sheet.pdf", "checklist.pdf")
HALF_LETTER, LETTER, LETTER_LANDSCAPE = (396.0, 612.0), (612.0, 792.0), (792.0, 612.0)
A5, A4, A4_LANDSCAPE = (419.53, 595.28), (595.28, 841.89), (841.89, 595.28)


@pytest.fixture(scope="module")
def topic():
    return load_project(SOURCE).topics[0]


def close(size, expected, tolerance=0.5):
    return abs(size[0] - expected[0]) <= tolerance and abs(size[1] - expected[1]) <= tolerance


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_build_writes_the_four_pdfs(built):
    # ... in English, and in Spanish (booklet.es.pdf ...): the shipped topic's translation
    assert sorted(built) == sorted([*ALL, *(name.replace(".pdf", ".es.pdf") for name in ALL)])
    for data in built.values():
        assert data.startswith(b"%PDF-")


@pytest.mark.parametrize("paper, sizes", [
    ("letter", {"booklet.pdf": HALF_LETTER, "booklet-print.pdf": LETTER_LANDSCAPE,
                "exercise-sheet.pdf": LETTER, "checklist.pdf": LETTER}),
    ("a4", {"booklet.pdf": A5, "booklet-print.pdf": A4_LANDSCAPE, "exercise-sheet.pdf": A4, "checklist.pdf": A4}),
])
def test_every_page_has_the_exact_size(paper, sizes, built, built_a4):
    files = built if paper == "letter" else built_a4
    for name, expected in sizes.items():
        for number, size in enumerate(page_sizes(files[name]), 1):
            assert close(size, expected), f"{paper} {name} page {number} is {size}, expected {expected}"


def test_page_counts(built, built_a4):
    for files in (built, built_a4):
        booklet = len(reader(files["booklet.pdf"]).pages)
        assert booklet % 4 == 0 and booklet >= 8
        assert len(reader(files["booklet-print.pdf"]).pages) == booklet // 2
        assert 1 <= len(reader(files["exercise-sheet.pdf"]).pages) <= 2
        assert len(reader(files["checklist.pdf"]).pages) == 1


def test_no_page_is_blank(built):
    for name in ALL:
        for number, text in enumerate(page_texts(built[name]), 1):
            assert len(text.split()) >= 3, f"{name} page {number} has no text"


def test_booklet_cover_contents_and_back_cover(built, topic):
    texts = [norm(t) for t in page_texts(built["booklet.pdf"])]
    brand = load_project(SOURCE).brand
    assert topic.title in texts[0] and brand.name in texts[0]
    assert "What is in this booklet" in texts[1]
    back = texts[-1]
    assert norm(brand.disclaimer) in back
    assert f"Reviewed {topic.last_reviewed:%B %Y}" in back and f"Next review due {topic.review_due:%B %Y}" in back
    assert str(brand.phone) in back
    assert "licensed clinician" in back  # the sample-content review note


def test_notes_pages_pad_to_a_multiple_of_four(built):
    texts = page_texts(built["booklet.pdf"])
    notes = [i for i, t in enumerate(texts) if norm(t).startswith("Notes") or " Notes " in norm(t)[:40]]
    last_section_page = max(i for i, t in enumerate(texts[:-1]) if i not in notes)
    # notes pages, if any, sit between the last section page and the back cover
    assert all(last_section_page < i < len(texts) - 1 for i in notes)
    assert len(texts) % 4 == 0


def test_section_headings_in_order(built, topic):
    text = norm(" ".join(page_texts(built["booklet.pdf"])[2:]))
    position = 0
    for section in topic.sections:
        found = text.find(norm(section.title), position)
        assert found >= 0, f"heading {section.title!r} missing or out of order"
        position = found + 1


def test_contents_page_numbers_point_at_the_sections(built, topic):
    texts = [norm(t) for t in page_texts(built["booklet.pdf"])]
    lines = visual_lines(built["booklet.pdf"], 1)
    for section in topic.sections:
        match = next((re.fullmatch(re.escape(norm(section.label)) + r"[ .]*(\d+)", line) for line in lines
                      if line.startswith(norm(section.label) + " ")), None)
        assert match, f"{section.label!r} not in the contents page: {lines}"
        page = int(match.group(1))
        assert norm(section.title) in texts[page - 1], f"{section.label!r} listed on page {page}, not there"


def test_outline_has_one_entry_per_section_on_its_page(built, topic):
    pdf = reader(built["booklet.pdf"])
    entries = [(item.title, pdf.get_destination_page_number(item)) for item in pdf.outline]
    assert [title for title, _ in entries] == [str(s.label) for s in topic.sections]
    texts = [norm(page.extract_text()) for page in pdf.pages]
    for (title, index), section in zip(entries, topic.sections):
        assert norm(section.title) in texts[index]


@pytest.mark.parametrize("name", ALL)
def test_every_font_is_embedded_and_none_is_base14(built, name):
    fonts = fonts_used(built[name])
    assert fonts, "no fonts found at all"
    for font in fonts:
        assert font.embedded, f"{name}: {font.name} is not embedded"
        assert not font.base14, f"{name}: uses base-14 font {font.name}"
    assert any("Atkinson" in f.name for f in fonts)


@pytest.mark.parametrize("name", ALL)
def test_no_font_resource_names_a_standard_font(built, name):
    # even an unused Helvetica in a resource dictionary fails print-shop preflight
    names = font_resources(built[name])
    assert names and all("Atkinson" in n or "DejaVu" in n for n in names), sorted(names)


@pytest.mark.parametrize("name", ALL)
def test_no_text_smaller_than_12_points(built, name):
    sizes = font_sizes(built[name])
    assert sizes and min(sizes) >= 12, f"{name}: font sizes {sorted(sizes)}"


@pytest.mark.parametrize("name", ALL)
def test_metadata(built, name, topic):
    pdf = reader(built[name])
    info = pdf.metadata
    assert info.title and info.author == load_project(SOURCE).brand.name
    assert topic.title in info.subject
    assert pdf.trailer["/Root"].get("/Lang") == topic.language


def test_imposed_sheets_hold_the_right_pages_in_saddle_stitch_order(built):
    logical = [squash(t) for t in page_texts(built["booklet.pdf"])]
    halves = half_page_texts(built["booklet-print.pdf"])
    order = saddle_stitch_order(len(logical))
    sides = [side for sheet in order for side in sheet]
    assert len(halves) == len(sides)
    for number, ((left_text, right_text), (left, right)) in enumerate(zip(halves, sides), 1):
        assert squash(left_text) == logical[left - 1], f"imposed page {number}: left half is not page {left}"
        assert squash(right_text) == logical[right - 1], f"imposed page {number}: right half is not page {right}"
    # the known 8-page pattern, as a printer would check it: first sheet is [n | 1], [2 | n-1]
    n = len(logical)
    assert sides[0] == (n, 1) and sides[1] == (2, n - 1)


def test_rebuild_gives_identical_bytes(built, tmp_path):
    files = build(SOURCE, tmp_path)
    again = {f.path.name: f.path.read_bytes() for f in files}
    for name in ALL:
        assert again[name] == built[name], f"{name} differs between two builds"


def test_exercise_sheet_content(built, topic):
    text = norm(" ".join(page_texts(built["exercise-sheet.pdf"])))
    for label in ("Patient", "Date", "Clinician", "Sets", "Reps", "Hold", "Times a day"):
        assert label in text
    position = 0
    for exercise in topic.exercises:
        found = text.find(norm(exercise.name), position)
        assert found >= 0, f"{exercise.name} missing or out of order"
        position = found
        for step in exercise.steps:
            assert norm(step)[:40] in text
    red_flags = topic.section("red-flags")
    assert norm(red_flags.title) in text


def test_checklist_content(built, topic):
    text = norm(page_texts(built["checklist.pdf"])[0])
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        assert day in text
    for group in topic.section("lifestyle").groups:
        for habit in group.habits:
            assert norm(habit.text) in text
    assert norm(topic.section("red-flags").title) in text


# Every fact of the seed article, by the words a reader would look for.
SEED_FACTS = [
    "thoracic spine", "rib cage", "muscle strain", "herniated disc", "spinal stenosis", "compression fracture",
    "osteoporosis", "fibromyalgia", "osteoarthritis", "rheumatoid arthritis", "range of motion", "x-ray",
    "CT scan", "MRI", "blood test", "NSAIDs", "ibuprofen", "muscle relaxant", "steroid injection",
    "massage", "mobilization", "manipulation", "posture", "heat", "ice", "chiropract", "acupuncture",
    "endorphins", "discectomy", "laminectomy", "spinal fusion", "lose", "core", "bend", "yoga", "meditation",
    "smok",
]


def test_booklet_keeps_every_seed_fact(built):
    text = norm(" ".join(page_texts(built["booklet.pdf"]))).lower()
    missing = [fact for fact in SEED_FACTS if fact.lower() not in text]
    assert not missing, f"seed facts missing from the booklet: {missing}"


RED_FLAGS = ["chest pain", "breath", "bladder", "bowel", "numb", "weak", "fall", "fever", "weight", "cancer",
             "night", "2–4 weeks"]


def test_booklet_has_every_red_flag(built):
    text = norm(" ".join(page_texts(built["booklet.pdf"]))).lower()
    missing = [flag for flag in RED_FLAGS if flag.lower() not in text]
    assert not missing, f"red flags missing: {missing}"


def test_running_header_names_the_section_at_the_top_of_each_page(built, topic):
    data = built["booklet.pdf"]
    pages = len(reader(data).pages)
    texts = [norm(t) for t in page_texts(data)]
    current = None
    checked = 0
    for index in range(2, pages - 1):  # body pages: after cover and contents, before the back cover
        lines = visual_lines(data, index)
        header, first = lines[0], lines[1]
        # the header is drawn last, so the page's extracted text starts with its body
        starting = next((s for s in topic.sections if texts[index].startswith(norm(s.title))), None)
        if starting is not None:
            current = starting
        if norm(first) == "Notes":
            assert header == "Notes"
            continue
        assert current is not None and header == norm(current.label), f"page {index + 1}: header {header!r}"
        checked += 1
        for section in topic.sections:  # the last heading on the page is in effect on the next page
            if norm(section.title) in texts[index]:
                current = section
    assert checked >= len(topic.sections)
