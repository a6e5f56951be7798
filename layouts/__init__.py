"""The reportlab layouts, one module per handout design.

Each layout module has ``render(job: RenderJob) -> RenderedPdf``.  The
registry below maps the ``layout:`` names used in ``handouts.yaml`` to their
modules; modules are imported on first use so that validating content (and
``handout list``) never pays for importing reportlab.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Optional

from handoutkit.content.model import Handout, Topic
from handoutkit.render.styles import Theme

MODULES = {
    "booklet": "layouts.booklet",
    "exercise-sheet": "layouts.exercise_sheet",
    "checklist": "layouts.checklist",
}


@dataclass
class RenderJob:
    """One handout of one topic to lay out with one theme."""

    topic: Topic
    handout: Handout
    theme: Theme

    @property
    def title(self) -> str:
        return str(self.handout.title or self.topic.title)


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    page_size: tuple[float, float]
    note: Optional[str] = None  # e.g. how many notes pages were padded
    # Every font size text was set in, as the layout drew it (common.RecordingCanvas);
    # None when a layout does not record them.
    font_sizes: Optional[frozenset[float]] = None
    # Per page: (page template id, [(x1, y1, x2, y2) of each frame the story flows in]).
    # Geometry only, for measuring the printed page (tests/pagefill.py): where the
    # body is, so page furniture (bands, running heads, footers) is not counted as content.
    frames: list = field(default_factory=list)


def render(job: RenderJob) -> RenderedPdf:
    """Lay out ``job`` with the layout its handout names."""
    module = importlib.import_module(MODULES[job.handout.layout])
    return module.render(job)
