"""Benchmark (not a test): personalised sheets in batches, and cold builds of bigger topics.

    .venv/bin/python bench/bench_batch.py            # everything (a few minutes)
    .venv/bin/python bench/bench_batch.py --quick    # 20 and 200 sheets, 1x and 10x content

Part 1, batches.  Each measurement runs in a fresh process (so peak RSS is
its own) on the shipped topic:

* "same plan": every row the same three exercises and doses, different names;
* "different selections": every row a different ordered choice of exercises.

Columns: ``render`` is the library path (check rows, lay out, stamp; PDF bytes
in memory, nothing written) in one process — the figure the targets are
about; ``cli -j1`` / ``cli -j2`` is ``handout batch --out DIR -q`` end to end
(process start, content loading, checks, writing every file); ``peak RSS`` is
the render process's.

Part 2, cold ``handout build`` and booklet-only build time at 1x, 10x and
100x the topic's sections (synthesised in a temporary folder by repeating
every section under new ids).
"""

from __future__ import annotations

import argparse
import csv
import itertools
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
EXERCISES = ["chin-tuck", "shoulder-blade-squeeze", "doorway-chest-stretch", "seated-thoracic-extension", "cat-cow",
             "bird-dog"]
HANDOUT = [sys.executable, "-c", "import cli; cli.run()"]


def write_csv(path: Path, count: int, kind: str) -> None:
    selections = [p for k in (2, 3, 4) for p in itertools.permutations(EXERCISES, k)]  # 30 + 120 + 360 = 510
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "date", "clinician", "exercises", "doses", "note"])
        for i in range(count):
            if kind == "same":
                chosen, doses = ["chin-tuck", "doorway-chest-stretch", "cat-cow"], "chin-tuck:sets=2,reps=8"
            else:
                chosen = list(selections[i % len(selections)])
                doses = f"{chosen[0]}:reps={1 + i // len(selections)}"  # beyond 510 rows, doses make them differ
            out.writerow([f"Ana Ñandú {i:05d}", "2026-12-01", "J. Lee", " ".join(chosen), doses,
                          "Take it slowly." if i % 3 == 0 else ""])


def render_only(csv_path: str) -> dict:
    """One process: load, check every row, lay out, stamp every sheet into memory."""
    import resource

    started = time.perf_counter()
    from handoutkit.personal.batch import check_batch
    from handoutkit.build import BuildOptions, make_build_theme
    from handoutkit.content.load import load_project

    project = load_project(SOURCE)
    theme = make_build_theme(project, BuildOptions())
    loaded = time.perf_counter()
    job = check_batch(project, Path(csv_path), theme)
    checked = time.perf_counter()
    maker = job.maker
    maker.realise(job.layouts)
    parts = time.perf_counter()
    total = 0
    for row, layout in zip(job.rows, job.layouts):
        total += len(maker.sheet_pdf(maker.template(layout), row.plan.patient))
    done = time.perf_counter()
    return {"rows": len(job.rows), "load": loaded - started, "check_layout": checked - loaded, "parts": parts - checked,
            "stamp": done - parts, "render": done - loaded, "bytes": total, "parts_count": len(maker.located),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def cli_batch(csv_path: Path, jobs: int, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(HANDOUT + ["batch", str(csv_path), "--source", str(SOURCE), "--out", str(out), "-q",
                              "--jobs", str(jobs)], check=True, cwd=ROOT)
    return time.perf_counter() - started


def part1(counts: list[int], folder: Path) -> list[str]:
    lines = ["| sheets | rows | render (s) | per sheet (ms) | parts+layout (s) | stamp (ms/sheet) | cli -j1 (s) | cli -j2 (s) | peak RSS (MB) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, label in (("same", "same plan"), ("different", "different selections")):
        for count in counts:
            path = folder / f"{kind}-{count}.csv"
            write_csv(path, count, kind)
            result = json.loads(subprocess.run([sys.executable, __file__, "--render-only", str(path)], check=True,
                                               capture_output=True, text=True, cwd=ROOT).stdout)
            j1 = cli_batch(path, 1, folder / "out")
            j2 = cli_batch(path, 2, folder / "out")
            lines.append(f"| {count} | {label} | {result['render']:.2f} | {1000 * result['render'] / count:.1f} | "
                         f"{result['check_layout'] + result['parts']:.2f} | {1000 * result['stamp'] / count:.2f} | "
                         f"{j1:.2f} | {j2:.2f} | {result['peak_rss_mb']:.0f} |")
            print(lines[-1], flush=True)
    return lines


def synthesise(factor: int, folder: Path) -> Path:
    """handouts/ with the topic's sections repeated ``factor`` times (new section and exercise ids)."""
    target = folder / f"x{factor}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(SOURCE, target)
    topic = target / TOPIC
    topic_yaml = topic / "topic.yaml"
    text = topic_yaml.read_text()
    ids = re.search(r"^sections: \[(.*)\]$", text, re.M).group(1).split(", ")
    listed = list(ids)
    for copy in range(2, factor + 1):
        for section in ids:
            new = f"{section}-{copy}"
            body = (topic / "sections" / f"{section}.yaml").read_text()
            body = re.sub(r"^(  - id: )(\S+)$", rf"\g<1>\g<2>-{copy}", body, flags=re.M)
            (topic / "sections" / f"{new}.yaml").write_text(body)
            listed.append(new)
    topic_yaml.write_text(text.replace(f"sections: [{', '.join(ids)}]", f"sections: [{', '.join(listed)}]"))
    return target


def part2(factors: list[int], folder: Path) -> list[str]:
    lines = ["| content | handout build (s) | booklet only (s) | booklet pages |", "|---|---:|---:|---:|"]
    for factor in factors:
        source = synthesise(factor, folder)
        out = folder / f"out-x{factor}"
        times = []
        for extra in ([], ["--handout", "booklet"]):
            shutil.rmtree(out, ignore_errors=True)
            started = time.perf_counter()
            run = subprocess.run(HANDOUT + ["build", "--source", str(source), "--out", str(out), *extra],
                                 capture_output=True, text=True, cwd=ROOT)
            times.append(time.perf_counter() - started)
            if run.returncode:
                print(run.stdout[-2000:], run.stderr[-2000:], file=sys.stderr)
                raise SystemExit(f"build failed at {factor}x")
        pages = re.search(r"booklet\.pdf \((\d+) pages", run.stdout)
        lines.append(f"| {factor}x | {times[0]:.1f} | {times[1]:.1f} | {pages.group(1) if pages else '?'} |")
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20 and 200 sheets; 1x and 10x content")
    parser.add_argument("--render-only", metavar="CSV", help=argparse.SUPPRESS)
    parser.add_argument("--skip-builds", action="store_true", help="only the batch part")
    args = parser.parse_args()
    if args.render_only:
        print(json.dumps(render_only(args.render_only)))
        return
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as temp:
        folder = Path(temp)
        print("\nPersonalised sheets (targets: same plan 200 < 0.6 s render; different 200 < 3 s; "
              "RSS at 2,000 within 1.5x of 200)\n", flush=True)
        table = part1([20, 200] if args.quick else [20, 200, 2000], folder)
        print("\n" + "\n".join(table), flush=True)
        if not args.skip_builds:
            print("\nCold builds of bigger topics\n", flush=True)
            table = part2([1, 10] if args.quick else [1, 10, 100], folder)
            print("\n" + "\n".join(table), flush=True)


if __name__ == "__main__":
    main()
