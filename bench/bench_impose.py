"""Benchmark: imposing a long (400-page) booklet, with and without print marks and creep.

Not a test (timings on shared machines are noisy): run it by hand and paste
the table into notes.

    .venv/bin/python bench/bench_impose.py [--pages 400] [--runs 3]

It makes a synthetic booklet with reportlab (bundled font, invariant output,
so every run imposes the same bytes): each page has a colour band drawn 3 mm
past the page edge (as layouts do with print marks on), a heading, 30 lines
of body text and a page number.  Then, for each variant, a fresh Python
process (so one variant's caches and allocator state cannot flatter the
next) runs the stages and reports:

* wall time of each stage (marks, imposition), best of ``--runs``;
* tracemalloc peak: the most Python-allocated memory alive at once during
  one more run of the stages (the input bytes, read before, not counted);
* ru_maxrss: the process's peak resident set, imports and input included.

For scale it also prints the input size: "all pages held twice" would show
as a peak of several times the decoded content of the whole booklet.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MM = 72 / 25.4

VARIANTS = {
    "impose": dict(marks=False, creep_mm=0.0),
    "impose + creep 0.1 mm": dict(marks=False, creep_mm=0.1),
    "marks + impose": dict(marks=True, creep_mm=0.0),
    "marks + impose + creep 0.1 mm": dict(marks=True, creep_mm=0.1),
}

WORDS = ("your upper back may feel stiff after sitting for a long time so stand up move gently "
         "and keep breathing slowly while the muscles relax warm showers help too").split()


def make_booklet(pages: int) -> bytes:
    """A half-letter booklet of ``pages`` pages with bleeding bands and real text in the bundled font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    fonts = ROOT / "handoutkit" / "data" / "fonts"
    pdfmetrics.registerFont(TTFont("BenchBody", str(fonts / "AtkinsonHyperlegible-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("BenchBold", str(fonts / "AtkinsonHyperlegible-Bold.ttf")))
    width, height, bleed = 396.0, 612.0, 3 * MM
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1, initialFontName="BenchBody")
    for number in range(1, pages + 1):
        pdf.setFillColorRGB(0.11, 0.31, 0.45)
        pdf.rect(-bleed, height - 60, width + 2 * bleed, 60 + bleed, stroke=0, fill=1)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont("BenchBold", 18)
        pdf.drawString(36, height - 40, f"Section {number // 8 + 1}: page {number}")
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont("BenchBody", 13)
        for line in range(30):
            start = (number * 7 + line * 3) % len(WORDS)
            pdf.drawString(36, height - 90 - line * 16.5, " ".join((WORDS * 2)[start:start + 8]))
        pdf.setFont("BenchBold", 12)
        pdf.drawString(width - 60 if number % 2 else 36, 30, str(number))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# Runs in the child process: read the booklet, run the stages, print JSON.
CHILD = r"""
import json, resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from handoutkit.press.impose import impose_saddle_stitch
from handoutkit.press.marks import add_print_marks
path, marks, creep_mm, runs = sys.argv[2], sys.argv[3] == "1", float(sys.argv[4]), int(sys.argv[5])
data = open(path, "rb").read()

def stages():
    start = time.perf_counter()
    logical = add_print_marks(data) if marks else data
    middle = time.perf_counter()
    imposed = impose_saddle_stitch(logical, sheet_size=(792.0, 612.0), creep=creep_mm * 72 / 25.4)
    return middle - start, time.perf_counter() - middle, logical, imposed

# Wall time untraced (tracemalloc slows allocation-heavy code several times).
best_marks = best_impose = float("inf")
for _ in range(runs):
    marks_s, impose_s, logical, imposed = stages()
    best_marks, best_impose = min(best_marks, marks_s), min(best_impose, impose_s)
del logical, imposed
# Peak Python memory: one traced run (deterministic, so one is enough).
tracemalloc.start()
_, _, logical, imposed = stages()
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({
    "marks_s": best_marks if marks else 0.0, "impose_s": best_impose,
    "peak_mb": peak / 2**20, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "out_mb": len(imposed) / 2**20, "marked_mb": len(logical) / 2**20,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    booklet = make_booklet(options.pages)

    from pypdf import PdfReader

    decoded = sum(len(page.get_contents().get_data()) for page in PdfReader(io.BytesIO(booklet)).pages)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "booklet.pdf"
        path.write_bytes(booklet)
        for label, variant in VARIANTS.items():
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(ROOT), str(path), "1" if variant["marks"] else "0",
                 str(variant["creep_mm"]), str(options.runs)],
                check=True, capture_output=True, text=True,
            )
            rows.append((label, json.loads(done.stdout)))

    print(f"{options.pages}-page half-letter booklet: {len(booklet) / 2**20:.2f} MB PDF, "
          f"{decoded / 2**20:.2f} MB of decoded page content, {options.pages // 4} sheets")
    print(f"{'variant':32} {'marks s':>8} {'impose s':>9} {'total s':>8} {'traced peak MB':>15} "
          f"{'max RSS MB':>11} {'output MB':>10}")
    for label, row in rows:
        total = row["marks_s"] + row["impose_s"]
        print(f"{label:32} {row['marks_s']:8.2f} {row['impose_s']:9.2f} {total:8.2f} {row['peak_mb']:15.1f} "
              f"{row['maxrss_mb']:11.0f} {row['out_mb']:10.2f}")
    print(f"(times: best of {options.runs} untraced runs; traced peak: tracemalloc over one run, input bytes "
          f"excluded; max RSS: whole child process; Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
