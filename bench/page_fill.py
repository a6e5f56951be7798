"""Page counts and the lowest page fill of every handout, edition and topic (for the issue-9 note).

    .venv/bin/python bench/page_fill.py [SOURCE TOPIC]...

Default: the shipped topic and the second test topic.  The fill is measured on
the real PDF by tests/pagefill.py (body text span / page height); pages the
rule exempts (covers, notes, the booklet's last content page) are left out of
the minimum and listed apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pagefill import exempt, page_fills, render_editions  # noqa: E402

PAIRS = [(ROOT / "handouts", "upper-back-pain"), (ROOT / "tests" / "topics", "low-back-pain")]


def main(argv: list[str]) -> None:
    pairs = [(Path(argv[i]), argv[i + 1]) for i in range(0, len(argv), 2)] or PAIRS
    print("| topic | handout | edition | pages | lowest fill (page) | fills |")
    print("|---|---|---|---|---|---|")
    for source, topic in pairs:
        for edition, name, layout, rendered in render_editions(source, topic):
            fills = page_fills(rendered.data, rendered.frames)
            skip = exempt(layout, fills)
            ruled = [f for f in fills if f.index not in skip]
            low = min(ruled, key=lambda f: f.fill) if ruled else None
            lowest = f"{low.fill:.0%} (p{low.index + 1})" if low else "–"
            shown = " ".join(f"{f.fill:.0%}{'*' if f.index in skip else ''}" for f in fills)
            print(f"| {topic} | {name} | {edition} | {rendered.pages} | {lowest} | {shown} |")


if __name__ == "__main__":
    main(sys.argv[1:])
