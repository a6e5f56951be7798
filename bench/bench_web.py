"""Benchmark (not a test): the web page's personalised sheets, one client and twenty at once.

    .venv/bin/python bench/bench_web.py            # 300 sequential sheets, then 20 clients x 1,000 requests, twice
    .venv/bin/python bench/bench_web.py --quick    # 100 sequential, 20 clients x 200

Starts the real server, ``handout serve --port 0`` (bound to 127.0.0.1: the
benchmark never leaves this computer), in a subprocess and talks HTTP/1.1 to
it with keep-alive connections, as browsers do.  Every request is a POST of
the plan form with a different patient name (a personalised sheet is never
cached), the CSRF token and cookie of its client, and is checked: status
200, a PDF body.  Anything else counts as an error.

1. Latency, warm: after a warm-up request (which lays out the topic's parts),
   N sequential sheets on one connection; p50 / p95 / max in ms.
2. Load: 20 client threads, each with its own connection and cookie, share
   1,000 requests over 10 different exercise selections; errors, requests
   per second, p50 / p95 under load, and the server's resident memory
   (VmRSS from /proc) after each 100 requests.  The round is run twice: if
   memory is flat, the second round ends where the first did.

For scale, the bare reportlab script of /work/shared/bench-baseline/
(``batch_reportlab.py``, each sheet laid out anew) runs in the same go; its
per-sheet time is the yardstick for the ratio column.
"""

from __future__ import annotations

import argparse
import http.client
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "handouts"
TOPIC = "upper-back-pain"
BASELINE = Path("/work/shared/bench-baseline")
EXERCISES = ["chin-tuck", "shoulder-blade-squeeze", "doorway-chest-stretch", "seated-thoracic-extension", "cat-cow",
             "bird-dog"]
SELECTIONS = [EXERCISES[i:i + k] for k in (2, 3) for i in range(5)][:10]


class Client:
    """One browser: a keep-alive connection, its CSRF cookie and the token of the form page."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as browsers do (no Nagle delay)
        self.conn.request("GET", f"/plan/{TOPIC}")
        page = self.conn.getresponse()
        html = page.read().decode()
        self.cookie = page.getheader("set-cookie").split(";")[0]
        self.token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def sheet(self, number: int, selection: list[str]) -> tuple[float, bool]:
        fields = [("csrf", self.token), ("patient", f"Patient {number:05d}"), ("clinician", "J. Lee"),
                  ("date", "2026-12-04"), ("action", "download")]
        fields += [(f"include-{e}", "1") for e in selection]
        body = urlencode(fields).encode()
        started = time.perf_counter()
        self.conn.request("POST", f"/plan/{TOPIC}", body=body, headers={
            "Origin": self.origin, "Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        ok = response.status == 200 and data.startswith(b"%PDF-") and response.getheader("cache-control") == "no-store"
        return elapsed, ok


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def start_server() -> tuple[subprocess.Popen, str, Path]:
    log = Path(tempfile.mkdtemp(prefix="bench-web-")) / "server.log"
    handle = open(log, "w")
    process = subprocess.Popen([sys.executable, "-c", "import cli; cli.run()", "serve", "--source", str(SOURCE),
                                "--host", "127.0.0.1", "--port", "0"], stdout=handle, stderr=handle, cwd=ROOT)
    for _ in range(200):
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", log.read_text())
        if match:
            return process, match.group(1), log
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def load_round(url: str, pid: int, clients: int, total: int) -> dict:
    counter = iter(range(total))
    lock = threading.Lock()
    times: list[float] = []
    errors = [0]
    memory: list[float] = []

    def work() -> None:
        client = Client(url)
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            try:
                elapsed, ok = client.sheet(number, SELECTIONS[number % len(SELECTIONS)])
            except (OSError, http.client.HTTPException):
                elapsed, ok = 0.0, False
                client = Client(url)
            with lock:
                times.append(elapsed)
                errors[0] += not ok
                if len(times) % 100 == 0:
                    memory.append(rss_mb(pid))

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"requests": len(times), "errors": errors[0], "per_s": len(times) / wall, "p50": pct(times, 0.5),
            "p95": pct(times, 0.95), "max": max(times) * 1000, "memory": memory}


def baseline_ms(count: int) -> float:
    """Per-sheet milliseconds of the bare reportlab batch script, in-process loop only."""
    script = BASELINE / "batch_reportlab.py"
    if not script.exists():
        return float("nan")
    with tempfile.TemporaryDirectory() as out:
        timing = Path(out) / "timing.txt"
        subprocess.run([sys.executable, str(script), "-n", str(count), "--outdir", out, "--timing", str(timing)],
                       check=True, cwd=BASELINE, capture_output=True)
        return float(re.search(r"per_sheet_ms=([\d.]+)", timing.read_text()).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sequential, total, clients = (100, 200, 20) if args.quick else (300, 1000, 20)

    base = baseline_ms(50)
    process, url, log = start_server()
    try:
        client = Client(url)
        cold, _ = client.sheet(0, SELECTIONS[0])
        for selection in SELECTIONS[1:]:  # warm: each selection laid out once (the target is about a warm topic)
            client.sheet(0, selection)
        rss_warm = rss_mb(process.pid)
        times, bad = [], 0
        for number in range(1, sequential + 1):
            elapsed, ok = client.sheet(number, SELECTIONS[0])
            times.append(elapsed)
            bad += not ok
        rounds = [load_round(url, process.pid, clients, total) for _ in range(2)]
    finally:
        process.terminate()
        process.wait(timeout=30)
    names = [f"Patient {n:05d}" for n in range(0, 5)]
    logged = log.read_text()
    leaked = [name for name in names if name in logged]

    print(f"bare reportlab sheet (batch_reportlab.py -n 50, per sheet): {base:.1f} ms")
    print(f"first sheet after start (cold topic): {cold * 1000:.0f} ms; server RSS when warm: {rss_warm:.0f} MB")
    print()
    print("| measurement | requests | errors | p50 (ms) | p95 (ms) | max (ms) | p95 / bare reportlab sheet |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| one client, warm, sequential | {len(times)} | {bad} | {pct(times, 0.5):.1f} | {pct(times, 0.95):.1f} | "
          f"{max(times) * 1000:.1f} | {pct(times, 0.95) / base:.2f} |")
    for index, result in enumerate(rounds, 1):
        print(f"| {clients} clients, round {index} ({result['per_s']:.0f} req/s) | {result['requests']} | "
              f"{result['errors']} | {result['p50']:.1f} | {result['p95']:.1f} | {result['max']:.1f} | "
              f"{result['p95'] / base:.2f} |")
    print()
    for index, result in enumerate(rounds, 1):
        print(f"server RSS (MB) after each 100 requests, round {index}: "
              + " ".join(f"{m:.0f}" for m in result["memory"]))
    print(f"patient names found in the server's log: {len(leaked)}")


if __name__ == "__main__":
    main()
