"""Page fill: how much of each printed page the body text spans, measured on the real PDF.

For each page, the text boxes PDFium finds inside the page's story frames
(the geometry the layout reports in ``RenderedPdf.frames``, so bands,
running heads and footers are not counted) are collected; the page's fill is
the distance from the top of the highest to the bottom of the lowest, as a
fraction of the page height.  A page with a title and one line near the top
scores low; a page of text top to bottom scores about the frame's share of
the page.

Used by tests/test_pagefill.py and by bench/page_fill.py (the table in the
closing note).
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2


@dataclass
class PageFill:
    index: int  # 0-based
    template: str  # the page template: cover, body, notes, back, first, later, ...
    fill: float  # 0..1 of the page height


def page_fills(data: bytes, frames: list) -> list[PageFill]:
    """The fill of every page of ``data``; ``frames`` is ``RenderedPdf.frames``."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        assert len(pdf) == len(frames), f"{len(pdf)} pages but {len(frames)} frame records"
        out = []
        for index, (template, rects) in enumerate(frames):
            page = pdf[index]
            height = page.get_height()
            text = page.get_textpage()
            tops, bottoms = [], []
            for i in range(text.count_rects()):
                left, bottom, right, top = text.get_rect(i)
                cx, cy = (left + right) / 2, (bottom + top) / 2
                if any(x1 - 1 <= cx <= x2 + 1 and y1 - 1 <= cy <= y2 + 1 for x1, y1, x2, y2 in rects):
                    tops.append(top)
                    bottoms.append(bottom)
            fill = (max(tops) - min(bottoms)) / height if tops else 0.0
            out.append(PageFill(index, template, fill))
            text.close()
            page.close()
        return out
    finally:
        pdf.close()


def exempt(layout: str, fills: list[PageFill]) -> set[int]:
    """Pages the 30 % rule does not apply to: covers, notes pages and the booklet's last content page."""
    skip = {f.index for f in fills if f.template in ("cover", "back", "notes")}
    if layout == "booklet":
        content = [f.index for f in fills if f.index not in skip]
        if content:
            skip.add(content[-1])
    return skip


EDITIONS = {
    "standard": {},
    "large-print": {"large_print": True},
    "grayscale": {"grayscale": True},
    "a4": {"paper": "a4"},
}


def render_editions(source, topic_id: str, editions=tuple(EDITIONS)):
    """Yield (edition, handout name, layout, RenderedPdf) for every handout of a topic in each edition."""
    from pathlib import Path

    import layouts
    from handoutkit.build import BuildOptions, make_build_theme
    from handoutkit.content.load import load_project

    project = load_project(Path(source), [topic_id])
    topic = project.topics[0]
    for edition in editions:
        theme = make_build_theme(project, BuildOptions(**EDITIONS[edition]))
        for handout in topic.handouts:
            rendered = layouts.render(layouts.RenderJob(topic=topic, handout=handout, theme=theme))
            yield edition, handout.name, handout.layout, rendered
