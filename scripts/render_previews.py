"""Render the README images (docs/images/) from built handouts.

    .venv/bin/handout build && .venv/bin/python scripts/render_previews.py [--out-dir output] [--dest docs/images]

Reads the PDFs from ``<out-dir>/<topic>/`` (run ``handout build`` first) and
writes one contact-sheet PNG per handout with
:func:`handoutkit.press.preview.contact_sheet`, the same code as ``handout
preview``: the booklet's first pages, the exercise sheet's pages, the
checklist and the first imposed sheet.  Same PDFs in, same PNG bytes out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from handoutkit.press.preview import contact_sheet, write_png  # noqa: E402

# handout PDF stem -> pages shown in its README image
PAGES = {"booklet": 4, "exercise-sheet": 2, "checklist": 1, "booklet-print": 2}
HEIGHT_PX = 360


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "output", help="folder with the built PDFs")
    parser.add_argument("--dest", type=Path, default=ROOT / "docs" / "images", help="folder for the PNGs")
    options = parser.parse_args(argv)
    if not options.out_dir.is_dir():
        parser.error(f"{options.out_dir}: not found; run 'handout build' first")
    written = 0
    for topic in sorted(p for p in options.out_dir.iterdir() if p.is_dir()):
        for name, pages in PAGES.items():
            pdf = topic / f"{name}.pdf"
            if pdf.exists():
                image = contact_sheet(pdf.read_bytes(), max_pages=pages, height_px=HEIGHT_PX)
                print("wrote", write_png(image, options.dest / f"{topic.name}-{name}.png"))
                written += 1
    if not written:
        parser.error(f"no handout PDFs in {options.out_dir}/*/; run 'handout build' first")
    return 0


if __name__ == "__main__":
    sys.exit(main())
