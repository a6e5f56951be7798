"""Issue 9: page fill and page counts in every edition, on the shipped topic and a second topic of another shape.

tests/topics/low-back-pain has 5 sections (the shipped topic 12), 2 exercises
(6), no cover image and a long ``source``.  The fill of a page is the span of
its body text over the page height, measured on the PDF (tests/pagefill.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pagefill import EDITIONS, exempt, page_fills, render_editions

ROOT = Path(__file__).resolve().parents[1]
TOPICS = [(ROOT / "handouts", "upper-back-pain"), (ROOT / "tests" / "topics", "low-back-pain")]


@pytest.fixture(scope="module", params=TOPICS, ids=[t for _, t in TOPICS])
def rendered(request) -> dict:
    source, topic = request.param
    return {(edition, name): (layout, pdf) for edition, name, layout, pdf in render_editions(source, topic)}


def test_second_topic_has_another_shape():
    from handoutkit.content.load import load_project

    first = load_project(TOPICS[0][0], [TOPICS[0][1]]).topics[0]
    second = load_project(TOPICS[1][0], [TOPICS[1][1]]).topics[0]
    assert len(second.sections) != len(first.sections)
    assert len(second.exercises) < len(first.exercises)
    assert second.cover_image is None and first.cover_image is not None
    assert len(second.source) > 250
    assert "SAMPLE CONTENT" in second.review_note


def test_no_page_below_30_percent(rendered):
    low = []
    for (edition, name), (layout, pdf) in rendered.items():
        fills = page_fills(pdf.data, pdf.frames)
        skip = exempt(layout, fills)
        low += [f"{name} {edition} page {f.index + 1}: {f.fill:.0%}" for f in fills
                if f.index not in skip and f.fill < 0.30]
    assert not low, low


def test_large_print_at_most_2_25_times_the_pages(rendered):
    for (edition, name), (_, pdf) in rendered.items():
        if edition == "large-print":
            standard = rendered[("standard", name)][1].pages
            assert pdf.pages <= 2.25 * standard, (name, pdf.pages, standard)


def test_measure_sees_a_nearly_empty_page():
    """The measure itself: a page with one line of body text scores low, a full page high."""
    import io

    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Frame, PageBreak, PageTemplate, Paragraph, BaseDocTemplate

    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=(400, 600))
    frame = Frame(50, 50, 300, 500, id="f")
    doc.addPageTemplates([PageTemplate("body", [frame])])
    style = getSampleStyleSheet()["Normal"]
    doc.build([Paragraph("one line", style), PageBreak()] + [Paragraph("line " * 40, style) for _ in range(12)])
    rect = (frame._x1, frame._y1, frame._x2, frame._y2)
    fills = page_fills(buffer.getvalue(), [("body", [rect]), ("body", [rect])])
    assert fills[0].fill < 0.05 and fills[1].fill > 0.5


def test_editions_listed():
    assert set(EDITIONS) == {"standard", "large-print", "grayscale", "a4"}


def test_bitmaps_are_embedded_at_300_dpi_at_most(content, tmp_path):
    """A 3000 px square PNG printed about 2.7 in wide on the cover goes in at 300 dpi, not whole."""
    from PIL import Image

    from handoutkit.build import build
    from pdfutil import reader

    Image.new("RGB", (3000, 3000), "#1B4F72").save(content / "upper-back-pain" / "images" / "big.png")
    topic = content / "upper-back-pain" / "topic.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("images/cover.svg", "images/big.png"), encoding="utf-8")
    files = build(content, tmp_path / "out", handouts=["booklet"])
    pdf = reader(files[0].path.read_bytes())
    sizes = []
    for page in pdf.pages[:1]:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((obj["/Width"], obj["/Height"]))
    assert sizes, "the cover picture is not on page 1"
    width, height = max(sizes)
    assert width <= 1000 and height <= 1000, sizes  # at most 300 dpi over the cover's 3.3 in
