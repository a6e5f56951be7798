"""Time and peak memory of the largest inputs within the documented limits (issue 9).

    .venv/bin/python bench/bench_limits.py

Each case copies the shipped content, makes one input as large as the limits
allow, and runs ``handout build`` in a child process (wall time, and peak RSS
from getrusage).  Figures go in the README / notes; nothing here is a timed test.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HANDOUT = str(Path(sys.executable).with_name("handout"))


def paragraph(size: int) -> str:
    sentence = "Gentle movement helps your back heal and keeps it from getting stiff. "
    return (sentence * (size // len(sentence) + 1))[:size]


def case_paragraph(content: Path, size: int) -> None:
    path = content / "upper-back-pain" / "sections" / "acupuncture.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f'  - paragraph: "{paragraph(size)}"\n', encoding="utf-8")


def case_png(content: Path, side: int) -> None:
    from PIL import Image

    Image.new("RGB", (side, side), "white").save(content / "upper-back-pain" / "images" / "big.png")
    path = content / "upper-back-pain" / "topic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("images/cover.svg", "images/big.png"), encoding="utf-8")


def case_svg(content: Path, count: int) -> None:
    shapes = "".join(f'<path d="M{i % 200} {i % 150}h5v5z" fill="#1B4F72"/>' for i in range(count))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="180">{shapes}</svg>'
    (content / "upper-back-pain" / "images" / "cover.svg").write_text(svg, encoding="utf-8")


CASES = [
    ("paragraph 100 KB", case_paragraph, 100_000),
    ("paragraph 400 KB", case_paragraph, 400_000),
    ("paragraph 990 KB", case_paragraph, 990_000),
    ("PNG cover 4000x4000 (16 Mpx, the limit)", case_png, 4000),
    ("PNG cover 6300x6300 (refused)", case_png, 6300),
    ("SVG cover 4,900 paths (under the limit)", case_svg, 4900),
    ("SVG cover 40,000 paths (refused)", case_svg, 40_000),
]


def run(label: str, make, arg, options: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "handouts"
        shutil.copytree(ROOT / "handouts", content)
        make(content, arg)
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        proc = subprocess.run([HANDOUT, "build", "--source", str(content), "--out", str(Path(tmp) / "out"),
                               *options], capture_output=True, text=True)
        took = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = "built" if proc.returncode == 0 else "error: " + proc.stderr.strip().splitlines()[0][:110]
        print(f"| {label} {' '.join(options)} | {took:.1f} s | {max(peak, before) / 1024:.0f} MiB | {result} |",
              flush=True)


def main() -> None:
    print("| input | time | peak RSS (max so far) | result |\n|---|---|---|---|")
    for label, make, arg in CASES:
        run(label, make, arg, [])
    run("paragraph 400 KB", case_paragraph, 400_000, ["--large-print"])


if __name__ == "__main__":
    main()
