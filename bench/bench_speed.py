"""Benchmark: build speed and scale against bare reportlab, as ratios measured in the same run.

Not a test (timings on shared machines are noisy): run it by hand and paste
the table into the README and notes.

    .venv/bin/python bench/bench_speed.py [--runs 5] [--quick]

The yardstick is the bare reportlab booklet script of ../shared/bench-baseline
(``build_reportlab.py``: one booklet of the same article, ``--repeat K``
multiplies its body), run in fresh processes interleaved with ours, so both
see the same machine load; every figure is the minimum of ``--runs`` runs.
Times are CPU time (user + system, the process and its children): on
machines shared with other developers' builds and tests, wall time swings
by 2-3x from one run to the next, CPU time far less.  ``--jobs`` is
compared by wall time, since using both cores is its point.
It reports:

1. cold ``handout build --language en`` of the shipped topic (its four
   English PDFs; fresh output folder; check cache empty, then warm) against
   one bare booklet;
2. cost per booklet page at 1x, 10x, 20x and 50x the shipped text
   (``handout build --handout booklet``: booklet, imposition and checks)
   against bare reportlab at the same multiples: the extra time over 1x
   divided by the extra pages, so process start and imports cancel out;
   peak memory (RSS) of each;
3. a library of 50 generated topics: cold, then warm with one section of
   one topic changed, against building that one topic alone (cold);
4. ``--jobs 1`` against ``--jobs 2`` on a 6-topic library (``--force``).

Every run gets a fresh temporary cache folder (``HANDOUT_CACHE_DIR``) unless
it is a warm run, which keeps the cache of the run before it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "handouts"
TOPIC = "upper-back-pain"
BASELINE = Path(os.environ.get("BENCH_BASELINE", ROOT.parent.parent / "shared" / "bench-baseline"))
if not BASELINE.is_dir():
    BASELINE = Path("/work/shared/bench-baseline")
HANDOUT = [str(Path(sys.executable).with_name("handout"))]
# The yardstick lays out the English article: build the English handouts (the shipped
# topic also has a Spanish translation, which a plain `handout build` makes too).
LANGUAGE = ["--language", "en"]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import synthesise  # noqa: E402  (handouts/ with the topic's sections repeated N times)

# Runs a command and prints its wall time and the peak RSS of the process tree's largest child.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
if done.returncode:
    sys.stderr.write(done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:])
    sys.exit(done.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "stdout": done.stdout.decode()[-200000:]}))
"""


def measure(args: list[str], env: dict | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr}")
    return json.loads(done.stdout)


def baseline(repeat: int, out: Path) -> dict:
    return measure([sys.executable, str(BASELINE / "build_reportlab.py"), "--repeat", str(repeat), "--out", str(out)])


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def handout_build(source: Path, out: Path, *extra: str, cache: Path | None = None, fresh: bool = True) -> dict:
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    cache = cache or Path(tempfile.mkdtemp(prefix="bench-cache-"))
    try:
        return measure(HANDOUT + ["build", "--source", str(source), "--out", str(out), *LANGUAGE, *extra],
                       env={"HANDOUT_CACHE_DIR": str(cache)})
    finally:
        if fresh:
            shutil.rmtree(cache, ignore_errors=True)


def library(count: int, folder: Path) -> Path:
    """handouts/ with ``count`` topics: the shipped one, and copies named topic-02 ... with their number in the title."""
    target = folder / f"library-{count}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(SOURCE, target)
    for number in range(2, count + 1):
        topic = target / f"topic-{number:02d}"
        shutil.copytree(SOURCE / TOPIC, topic)
        meta = topic / "topic.yaml"
        meta.write_text(re.sub(r'^title: "(.*)"$', rf'title: "\1 {number}"', meta.read_text(), count=1, flags=re.M))
    return target


# What the ratios compare: CPU time (user + system) of the process and its children,
# which other developers' load on the shared machine disturbs far less than wall
# time; --jobs compares wall time (it is about using both cores).
METRIC = "cpu"


def best(runs: list[dict], metric: str = "") -> dict:
    key = metric or METRIC
    return min(runs, key=lambda r: r[key])


def part_cold(runs: int, folder: Path) -> tuple[list[str], dict]:
    """Cold builds: fresh output folder and fresh process; check cache empty, then warm (as after any earlier run)."""
    warm_cache = folder / "cold-cache"
    handout_build(SOURCE, folder / "warm-up", cache=warm_cache)  # fills the readability cache only
    ours, ours_warm, bare = [], [], []
    for _ in range(runs):  # interleaved: all see the same load
        bare.append(baseline(1, folder / "bare.pdf"))
        ours.append(handout_build(SOURCE, folder / "cold"))
        shutil.rmtree(folder / "cold-warm", ignore_errors=True)
        ours_warm.append(handout_build(SOURCE, folder / "cold-warm", cache=warm_cache, fresh=False))
        assert ours_warm[-1]["stdout"].count("wrote ") == 4, ours_warm[-1]["stdout"]
    o, w, b = best(ours), best(ours_warm), best(bare)
    return [f"| cold `handout build`, shipped topic (4 PDFs), empty check cache | {o[METRIC]:.2f} | {b[METRIC]:.2f} | "
            f"**{o[METRIC] / b[METRIC]:.2f}x** | ≤ 2.5x | {o['rss_mb']:.0f} / {b['rss_mb']:.0f} |",
            f"| the same, readability results cached by an earlier run | {w[METRIC]:.2f} | {b[METRIC]:.2f} | "
            f"**{w[METRIC] / b[METRIC]:.2f}x** | ≤ 2.5x | {w['rss_mb']:.0f} / {b['rss_mb']:.0f} |"], o


def part_pages(factors: list[int], runs: int, folder: Path) -> tuple[list[str], dict]:
    rows, data = [], {}
    for factor in factors:
        source = synthesise(factor, folder)
        ours, bare = [], []
        for _ in range(runs):
            bare.append(baseline(factor, folder / f"bare-x{factor}.pdf"))
            ours.append(handout_build(source, folder / f"pages-x{factor}", "--handout", "booklet"))
        o, b = best(ours), best(bare)
        pages = pdf_pages(folder / f"pages-x{factor}" / TOPIC / "booklet.pdf")
        bare_pages = pdf_pages(folder / f"bare-x{factor}.pdf")
        data[factor] = (o, b, pages, bare_pages)
        print(f"  {factor}x: ours {o[METRIC]:.2f} s {pages} p {o['rss_mb']:.0f} MB; "
              f"bare {b[METRIC]:.2f} s {bare_pages} p {b['rss_mb']:.0f} MB", flush=True)
    one_o, one_b, one_p, one_bp = data[factors[0]]
    for factor in factors[1:]:
        o, b, pages, bare_pages = data[factor]
        ours_pp = (o[METRIC] - one_o[METRIC]) / (pages - one_p)
        bare_pp = (b[METRIC] - one_b[METRIC]) / (bare_pages - one_bp)
        target = "≤ 2x, < 150 MiB" if factor == 20 else "linear"
        rows.append(f"| per booklet page, {factor}x text ({pages} pages; bare {bare_pages}) | "
                    f"{1000 * ours_pp:.1f} ms | {1000 * bare_pp:.1f} ms | **{ours_pp / bare_pp:.2f}x** | {target} | "
                    f"{o['rss_mb']:.0f} / {b['rss_mb']:.0f} |")
    return rows, data


def part_library(count: int, runs: int, folder: Path, one_topic: dict) -> list[str]:
    source = library(count, folder)
    out, cache = folder / "library-out", folder / "library-cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    # once: it is long, and its cache (build records) is what the warm runs start from
    cold = handout_build(source, out, cache=cache, fresh=False)
    section = sorted((source / "topic-07" / "sections").glob("*.yaml"))[0]
    original = section.read_text()
    warm = []
    for run in range(runs):
        section.write_text(original + f"\n# edit {run}\n")  # a real change every run
        result = handout_build(source, out, cache=cache, fresh=False)
        assert result["stdout"].count("wrote ") == 4 and result["stdout"].count("unchanged ") == 4 * (count - 1), \
            result["stdout"][-500:]
        warm.append(result)
    section.write_text(original)
    w = best(warm)
    return [f"| library of {count} topics, cold | {cold[METRIC]:.2f} | {one_topic[METRIC]:.2f} (one topic) | "
            f"{cold[METRIC] / one_topic[METRIC]:.1f}x | (≈ {count}x) | {cold['rss_mb']:.0f} |",
            f"| library of {count} topics, one section changed | {w[METRIC]:.2f} | {one_topic[METRIC]:.2f} "
            f"(one topic) | **{w[METRIC] / one_topic[METRIC]:.2f}x** | < 2x | {w['rss_mb']:.0f} |"]


def part_jobs(count: int, runs: int, folder: Path) -> list[str]:
    source = library(count, folder)
    times = {1: [], 2: []}
    for _ in range(runs):
        for jobs in (1, 2):
            times[jobs].append(handout_build(source, folder / f"jobs-{jobs}", "--jobs", str(jobs)))
    one, two = best(times[1], "wall"), best(times[2], "wall")
    same = all((folder / "jobs-1" / p.relative_to(folder / "jobs-2")).read_bytes() == p.read_bytes()
               for p in (folder / "jobs-2").rglob("*.pdf"))
    return [f"| {count} topics `--jobs 2` vs `--jobs 1` (files identical: {'yes' if same else 'NO'}) | "
            f"{two['wall']:.2f} wall | {one['wall']:.2f} wall (jobs 1) | **{two['wall'] / one['wall']:.2f}x** | < 1x on 2 cores | "
            f"{two['rss_mb']:.0f} / {one['rss_mb']:.0f} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1x/10x/20x only, 20-topic library, 3 runs")
    options = parser.parse_args()
    runs = 3 if options.quick else options.runs
    factors = [1, 10, 20] if options.quick else [1, 10, 20, 50]
    started = time.time()
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}, "
          f"baseline {BASELINE}", flush=True)
    rows = ["| what | handoutkit (CPU s) | bare reportlab (CPU s) | ratio | target | peak RSS MB (ours / bare) |",
            "|---|---:|---:|---:|---|---:|"]
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as temp:
        folder = Path(temp)
        cold_rows, one_topic = part_cold(runs, folder)
        rows += cold_rows
        print("\n".join(cold_rows), flush=True)
        page_rows, _ = part_pages(factors, max(2, runs - 2), folder)
        rows += page_rows
        rows += part_library(20 if options.quick else 50, runs, folder, one_topic)
        rows += part_jobs(6, max(2, runs - 2), folder)
    print("\n" + "\n".join(rows))
    print(f"\n(min of {runs} runs; {time.time() - started:.0f} s; load at the end {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
