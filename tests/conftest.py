"""Shared fixtures: the shipped content, built once per session, and editable copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handoutkit.build import build

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "handouts"
TOPIC = "upper-back-pain"


@pytest.fixture(scope="session", autouse=True)
def _private_check_cache(tmp_path_factory):
    """The readability cache (handoutkit.checks.cache) of a test run lives in its temp folder, not in ~/.cache."""
    import os

    saved = os.environ.get("HANDOUT_CACHE_DIR")
    os.environ["HANDOUT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("HANDOUT_CACHE_DIR", None)
    else:
        os.environ["HANDOUT_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, bytes]:
    """Every handout of the shipped topic, built on Letter paper: name → PDF bytes."""
    out = tmp_path_factory.mktemp("out")
    files = build(SOURCE, out)
    return {f.path.name: f.path.read_bytes() for f in files if f.topic == TOPIC}


@pytest.fixture(scope="session")
def built_a4(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("out_a4")
    files = build(SOURCE, out, paper="a4")
    return {f.path.name: f.path.read_bytes() for f in files if f.topic == TOPIC}


@pytest.fixture()
def content(tmp_path) -> Path:
    """A private copy of handouts/ that a test may break."""
    target = tmp_path / "handouts"
    shutil.copytree(SOURCE, target)
    return target


# Real-browser fixtures (Chromium + Playwright + axe-core), shared by the web and HTML tests.
from browser_support import browser  # noqa: E402,F401  (a fixture, imported to register it)
