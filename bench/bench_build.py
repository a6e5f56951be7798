"""Benchmark: how long a cold ``handout build`` of everything takes, and where the time goes.

Not a test (timings on shared machines are noisy): run it by hand and paste
the table into notes.

    .venv/bin/python bench/bench_build.py [--runs 5]

It measures (1) the whole CLI as a fresh process, as a clinic user runs it,
(2) importing reportlab alone in a fresh process, for scale, and (3) inside
one process: loading and validating the content, then each handout's layout.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_process(args: list[str], runs: int) -> tuple[list[float], float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    handout = Path(sys.executable).with_name("handout")
    rows = []
    with tempfile.TemporaryDirectory() as out:
        times, peak = timed_process([str(handout), "build", "--out", out], options.runs)
        rows.append(("cold `handout build` (all handouts, new process)", times, peak))
    times, _ = timed_process([sys.executable, "-c", "import reportlab.platypus, reportlab.pdfgen.canvas"], options.runs)
    rows.append(("import reportlab only (new process)", times, None))

    sys.path.insert(0, str(ROOT))
    from handoutkit.build import check_glyphs, render_handout
    from handoutkit.content.load import load_project
    from handoutkit.render.styles import make_theme

    stages: dict[str, list[float]] = {}
    for _ in range(options.runs):
        start = time.perf_counter()
        project = load_project(ROOT / "handouts")
        check_glyphs(project)
        theme = make_theme(project.brand)
        stages.setdefault("load + validate content, make theme", []).append(time.perf_counter() - start)
        for topic in project.topics:
            for handout in topic.handouts:
                start = time.perf_counter()
                files = render_handout(topic, handout, theme)
                label = f"lay out {topic.id}/{handout.name}" + (" (+ imposition)" if len(files) > 1 else "")
                stages.setdefault(label, []).append(time.perf_counter() - start)
    for label, times in stages.items():
        rows.append((label + " (warm, in process)", times, None))

    print(f"{'what':62} {'min s':>7} {'median s':>9} {'peak RSS MB':>12}")
    for label, times, peak in rows:
        peak_text = f"{peak:12.0f}" if peak else f"{'':12}"
        print(f"{label:62} {min(times):7.3f} {statistics.median(times):9.3f} {peak_text}")
    print(f"({options.runs} runs each; Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
