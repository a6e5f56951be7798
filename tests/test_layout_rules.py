"""Issue 9: the pagination rules, checked on the printed text of both test topics in every edition.

Each rule is read off the real PDFs: which page a piece of text is on, and
how often it is printed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pagefill import render_editions
from pdfutil import norm, reader

ROOT = Path(__file__).resolve().parents[1]
TOPICS = [(ROOT / "handouts", "upper-back-pain"), (ROOT / "tests" / "topics", "low-back-pain")]


def page_texts(data: bytes) -> list[str]:
    return [norm(page.extract_text()) for page in reader(data).pages]


@pytest.fixture(scope="module", params=TOPICS, ids=[t for _, t in TOPICS])
def topic(request):
    source, name = request.param
    from handoutkit.content.load import load_project

    loaded = load_project(source, [name]).topics[0]
    pdfs = {(edition, handout): pdf for edition, handout, _, pdf in render_editions(source, name)}
    return loaded, pdfs


def squash(text: str) -> str:
    return norm(re.sub(r"\*\*", "", str(text)))


def pages_with(pages: list[str], text: str) -> list[int]:
    return [i for i, page in enumerate(pages) if squash(text)[:45] in page]


def test_red_flag_title_printed_once_in_the_booklet(topic):
    loaded, pdfs = topic
    section = next(s for s in loaded.sections if s.kind == "red_flags")
    for (edition, handout), pdf in pdfs.items():
        if handout == "booklet":
            text = " ".join(page_texts(pdf.data))
            assert text.count(squash(section.title)) == 1, edition


def test_red_flag_box_whole_or_split_between_groups(topic):
    loaded, pdfs = topic
    section = next(s for s in loaded.sections if s.kind == "red_flags")
    for (edition, handout), pdf in pdfs.items():
        if handout != "booklet":
            continue
        pages = page_texts(pdf.data)
        heading = pages_with(pages, section.title)
        group_pages = []
        for group in section.groups:
            on = {p for sign in group.signs for p in pages_with(pages, sign)}
            on |= set(pages_with(pages, group.action.replace("{emergency_number}", "911")
                                 .replace("{clinic_phone}", "(555) 010-0199")))
            assert len(on) == 1, (edition, group.urgency, on)  # a group is never split
            group_pages.append(on.pop())
        if len(set(group_pages)) > 1:  # split: never one group alone on a page, unless a page holds no more
            alone = [p for p in set(group_pages) if group_pages.count(p) == 1]
            assert len(alone) <= 1, (edition, group_pages)
        else:
            # Whole.  The heading stays with the first block after it: the lead-in
            # paragraph, or the box itself when there is none.
            first = pages_with(pages, section.blocks[0].text) if section.blocks else [group_pages[0]]
            assert heading == first, (edition, heading, first)


def test_lead_in_line_stays_with_its_list(topic):
    loaded, pdfs = topic
    from handoutkit.content.model import Bullets, Paragraph

    pairs = []
    for section in loaded.sections:
        for block, following in zip(section.blocks, section.blocks[1:]):
            if isinstance(block, Paragraph) and str(block.text).endswith(":") and isinstance(following, Bullets):
                pairs.append((block.text, following.items[0]))
    assert pairs
    for (edition, handout), pdf in pdfs.items():
        if handout == "booklet":
            pages = page_texts(pdf.data)
            for lead, first in pairs:
                assert pages_with(pages, lead) == pages_with(pages, first), (edition, lead)


def test_back_matter_said_once(topic):
    loaded, pdfs = topic
    for (edition, handout), pdf in pdfs.items():
        if handout != "booklet":
            continue
        pages = page_texts(pdf.data)
        # The contents page (page 2) carries the review note on purpose (README:
        # sample content says so up front); the back matter says each thing once.
        text = " ".join(pages[2:])
        for part in (loaded.review_note, loaded.source, "Next review due", str(loaded.version)):
            assert text.count(squash(part)[:60]) == 1, (edition, part)
        # The back cover is the last page and always shows the review dates.
        assert "Next review due" in pages[-1]


def test_cover_without_picture_is_designed(topic):
    loaded, pdfs = topic
    for (edition, handout), pdf in pdfs.items():
        if handout != "booklet":
            continue
        cover = page_texts(pdf.data)[0]
        if loaded.cover_image is not None:  # the picture fills the cover; no list of sections
            assert "In this booklet" not in cover and squash(loaded.title) in cover, edition
            continue
        assert "In this booklet" in cover, edition
        for section in loaded.sections:
            assert squash(section.label) in cover, (edition, section.label)


def test_habit_line_and_its_detail_on_one_page(topic):
    loaded, pdfs = topic
    habits = [h for s in loaded.sections if s.kind == "habits" for g in s.groups for h in g.habits if h.detail]
    for (edition, handout), pdf in pdfs.items():
        if handout == "booklet":
            pages = page_texts(pdf.data)
            for habit in habits:
                assert pages_with(pages, habit.text) == pages_with(pages, habit.detail), (edition, habit.text)


def test_sheet_review_note_once_on_the_last_page(topic):
    loaded, pdfs = topic
    for (edition, handout), pdf in pdfs.items():
        if handout == "exercise-sheet":
            pages = page_texts(pdf.data)
            on = pages_with(pages, loaded.review_note)
            assert on == [len(pages) - 1], (edition, on)


def test_large_print_card_too_tall_splits_at_a_step_with_continued(content, tmp_path):
    """A card taller than a large-print booklet page breaks between steps, "(continued)" on the next part."""
    from handoutkit.build import BuildOptions, build

    path = content / "upper-back-pain" / "sections" / "exercises.yaml"
    data = path.read_text(encoding="utf-8")
    long_steps = [f"Step {n}: move slowly and gently, keep breathing, and stop if the pain gets sharp or "
                  f"worse; then rest a moment before you go on to the next step of this exercise."
                  for n in range(1, 7)]
    block = "    steps:\n" + "".join(f'      - "{s}"\n' for s in long_steps)
    data = re.sub(r"(  - id: cat-cow\n(?:.*\n)*?)    steps:\n(?:      - .*\n)+", lambda m: m.group(1) + block, data,
                  count=1)
    path.write_text(data, encoding="utf-8")
    files = build(content, tmp_path / "out", handouts=["booklet"], options=BuildOptions(large_print=True))
    pages = page_texts(files[0].path.read_bytes())
    started = pages_with(pages, "5. Cat-cow")
    continued = [i for i, p in enumerate(pages) if "5. Cat-cow (continued)" in p]
    assert continued and continued[0] == started[0] + 1
    for step in long_steps:  # every step whole on one page
        on = [i for i, p in enumerate(pages) if norm(step) in p]
        assert len(on) == 1, step
    assert "Tip:" in pages[continued[-1]]


def test_second_topic_is_marked_sample_content():
    text = (ROOT / "tests" / "topics" / "low-back-pain" / "topic.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["review_note"].startswith("SAMPLE CONTENT") and "SAMPLE CONTENT" in text.splitlines()[0]


def test_every_section_in_the_outline_and_running_head_names_the_opening_section(topic):
    from pdfutil import visual_lines

    loaded, pdfs = topic
    for (edition, handout), pdf in pdfs.items():
        if handout != "booklet":
            continue
        outline = [item.title for item in reader(pdf.data).outline]
        assert outline[:len(loaded.sections)] == [str(s.label) for s in loaded.sections], edition
        pages = page_texts(pdf.data)
        for section in loaded.sections:
            # A page that opens with this section's heading is headed with its label,
            # even when a later section also starts on that page.
            for index in pages_with(pages, section.title):
                lines = visual_lines(pdf.data, index)
                if len(lines) > 1 and lines[1].startswith(squash(section.title)[:20]):
                    assert lines[0] == squash(section.label), (edition, index, lines[:2])
