"""The bad-input corpus: every case in tests/cases/ must fail with exactly its expected message.

Each case folder holds ``case.yaml`` (what to break in a copy of the shipped
``handouts/``) and ``expected.txt`` (the exact error output).  A case may
also hold a ``files/`` folder copied over the content (e.g. a broken image).
Each must exit 1, print the expected text, show no traceback and leave the
output folder untouched.

Refresh the expectations after an intended change of wording with

    HANDOUT_UPDATE_CASES=1 .venv/bin/python -m pytest tests/test_cases.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main

from conftest import SOURCE

CASES = Path(__file__).resolve().parent / "cases"
UPDATE = bool(os.environ.get("HANDOUT_UPDATE_CASES"))


def apply_case(case_dir: Path, root: Path) -> list[str]:
    """Copy the content to ``root/handouts`` and apply the case's edits; returns the CLI arguments."""
    content = root / "handouts"
    shutil.copytree(SOURCE, content)
    spec = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    if (case_dir / "files").is_dir():
        shutil.copytree(case_dir / "files", content, dirs_exist_ok=True)
    for edit in spec.get("edits", []):
        target = content / edit["file"]
        if "find" in edit:
            text = target.read_text(encoding="utf-8")
            assert edit["find"] in text, f"{case_dir.name}: {edit['find']!r} not found in {edit['file']}"
            target.write_text(text.replace(edit["find"], edit["replace"], 1), encoding="utf-8")
        elif "append" in edit:
            with target.open("a", encoding="utf-8") as handle:
                handle.write(edit["append"])
        elif "write" in edit:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(edit["write"], encoding="utf-8")
        elif "write_bytes_hex" in edit:
            target.write_bytes(bytes.fromhex(edit["write_bytes_hex"]))
        elif "symlink" in edit:
            outside = root / edit["symlink"]
            outside.write_bytes((SOURCE / "upper-back-pain" / "images" / "chin-tuck.svg").read_bytes())
            target.unlink(missing_ok=True)
            target.symlink_to(outside)
        elif edit.get("delete"):
            target.unlink()
        else:
            raise AssertionError(f"{case_dir.name}: unknown edit {edit}")
    return spec.get("args", ["build"])


CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "case.yaml").exists())


def test_corpus_is_large_enough():
    assert len(CASE_DIRS) >= 30


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case(case_dir: Path, tmp_path: Path, monkeypatch):
    args = apply_case(case_dir, tmp_path)
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working folder
    out = tmp_path / "output"
    out.mkdir()
    (out / "keep.pdf").write_bytes(b"%PDF-1.4 an earlier build")
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    expected_file = case_dir / "expected.txt"
    if UPDATE:
        expected_file.write_text(result.output, encoding="utf-8")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output == expected_file.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.rglob("*")) == ["keep.pdf"], "a failed build wrote files"
    assert (out / "keep.pdf").read_bytes() == b"%PDF-1.4 an earlier build"
