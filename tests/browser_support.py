"""Real-browser test support shared by the web page and HTML edition tests.

Debian's Chromium (``apt-get install -y chromium``) is driven by Playwright for
Python through ``executable_path``: Playwright's own browser download cannot be
reached here. axe-core comes from npm (``.ci/run`` installs it under
``.ci/node``); its ``axe.min.js`` is injected into each page under test.

Outside CI a missing browser skips these tests with the reason; under
``CI=true`` it fails them, so a broken install is never a silent skip.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "tests" / "results"
CHROMIUM_FLAGS = [
    # The closed network refuses Chromium's background connections; these keep it quiet and fast.
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    """The system Chromium, or fail (CI) / skip (elsewhere) saying what is missing."""
    for name in (os.environ.get("HANDOUT_CHROMIUM", ""), "chromium", "chromium-browser"):
        found = name and shutil.which(name)
        if found:
            return found
    _missing("no system Chromium (apt-get install -y chromium)")
    raise AssertionError  # unreachable: _missing raises


def axe_source() -> str:
    """axe-core's axe.min.js, from AXE_CORE_JS or .ci/node (npm install --prefix .ci/node axe-core)."""
    candidates = [os.environ.get("AXE_CORE_JS", ""), str(ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    _missing("axe-core not installed (npm install --prefix .ci/node axe-core)")
    raise AssertionError


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless system Chromium driven by Playwright, shared by the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def run_axe(page: Any, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")) -> list[dict]:
    """Inject axe-core into the page and return its violations (an empty list is a pass)."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags))
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    """A readable summary for an assertion message."""
    return json.dumps([{"id": v["id"], "impact": v.get("impact"), "help": v["help"],
                        "targets": [n["target"] for n in v["nodes"]][:5]} for v in violations], indent=1)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under tests/results/screenshots/ and return its path."""
    target = RESULTS / "screenshots" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target
