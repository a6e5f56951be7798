"""Time and peak memory of the largest inputs within the documented limits (issue 9).

    .venv/bin/python bench/bench_limits.py

Each case copies the shipped content, makes one input as large as the limits
allow, and runs ``handout build`` in a child process (wall time, and peak RSS
from getrusage).  Figures go in the README / notes; nothing here is a timed test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HANDOUT = str(Path(sys.executable).with_name("handout"))
BASE = 0.0  # the baseline's seconds, set by main()


def paragraph(size: int) -> str:
    sentence = "Gentle movement helps your back heal and keeps it from getting stiff. "
    return (sentence * (size // len(sentence) + 1))[:size]


def case_paragraph(content: Path, size: int) -> None:
    path = content / "upper-back-pain" / "sections" / "acupuncture.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f'  - paragraph: "{paragraph(size)}"\n', encoding="utf-8")


def case_png(content: Path, side: int) -> None:
    # In a child process: a big image made here would raise this process's peak
    # RSS, which Linux reports for the build's child processes too.
    target = content / "upper-back-pain" / "images" / "big.png"
    subprocess.run([sys.executable, "-c", "import sys; from PIL import Image; "
                    "Image.new('RGB', (int(sys.argv[1]),) * 2, 'white').save(sys.argv[2])", str(side), str(target)],
                   check=True)
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
    ("shipped content, unchanged", lambda content, arg: None, 0),
    ("SVG cover 4,900 paths (under the limit)", case_svg, 4900),
    ("SVG cover 40,000 paths (refused)", case_svg, 40_000),
]


def run(label: str, make, arg, options: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "handouts"
        shutil.copytree(ROOT / "handouts", content)
        make(content, arg)
        start = time.perf_counter()
        with open(Path(tmp) / "stderr", "w+") as err, open(Path(tmp) / "stdout", "w+") as out:
            proc = subprocess.Popen([HANDOUT, "build", "--source", str(content), "--out", str(Path(tmp) / "out"),
                                     *options], stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
            took = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            out.seek(0)
            pages = re.search(r"booklet[^ ]*\.pdf \((\d+) pages", out.read())
            message = err.read().strip()
        peak = usage.ru_maxrss
        result = (f"built ({pages.group(1)}-page booklet)" if pages else "built") if proc.returncode == 0 \
            else "error: " + re.sub(r"^\S*/handouts/", "", message.splitlines()[0])[:100]
        ratio = f"{took / BASE:.1f}" if BASE else "–"
        print(f"| {label} {' '.join(options)} | {took:.1f} s | {ratio} | {peak / 1024:.0f} MiB "
              f"| {result} |", flush=True)


BASELINE = Path("/work/shared/bench-baseline/build_reportlab.py")


def baseline_seconds() -> float:
    """The bare reportlab booklet script (the yardstick), timed in the same go, best of 3."""
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, str(BASELINE), "--out", str(Path(tmp) / "b.pdf")], check=True,
                           capture_output=True)
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    base = baseline_seconds() if BASELINE.exists() else 0.0
    if base:
        print(f"bare reportlab booklet (bench-baseline/build_reportlab.py): {base:.2f} s; times below are "
              "a whole `handout build` (3 handouts + imposition) of the shipped topic with one input enlarged\n")
    print("| input | time | × baseline | peak RSS | result |\n|---|---|---|---|---|")
    global BASE
    BASE = base
    for label, make, arg in CASES:
        run(label, make, arg, [])
    run("paragraph 400 KB", case_paragraph, 400_000, ["--large-print"])


if __name__ == "__main__":
    main()
