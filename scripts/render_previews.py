"""Render small PNG images of built handouts (for the README and for a look before printing).

    .venv/bin/python scripts/render_previews.py [--out-dir output] [--dest docs/images]

Reads the PDFs from ``output/<topic>/`` (run ``handout build`` first) and writes
one contact-sheet PNG per handout: the booklet's first pages, the exercise
sheet's pages and the checklist.  Uses pypdfium2 (from the test extra), no
system tools.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def contact_sheet(pdf_path: Path, dest: Path, max_pages: int, height_px: int = 360) -> Path:
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(str(pdf_path))
    images = []
    for index in range(min(len(pdf), max_pages)):
        page = pdf[index]
        scale = height_px / page.get_height()
        images.append(page.render(scale=scale).to_pil())
    gap = 12
    width = sum(i.width for i in images) + gap * (len(images) + 1)
    sheet = Image.new("RGB", (width, height_px + 2 * gap), (200, 200, 200))
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    dest.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(dest, optimize=True)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "output")
    parser.add_argument("--dest", type=Path, default=ROOT / "docs" / "images")
    options = parser.parse_args()
    for topic in sorted(p for p in options.out_dir.iterdir() if p.is_dir()):
        for name, pages in (("booklet", 4), ("exercise-sheet", 2), ("checklist", 1), ("booklet-print", 2)):
            pdf = topic / f"{name}.pdf"
            if pdf.exists():
                print("wrote", contact_sheet(pdf, options.dest / f"{topic.name}-{name}.png", pages))


if __name__ == "__main__":
    main()
