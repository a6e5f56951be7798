"""The personal-sheet corpus: adversarial CSV and plan files, each with its exact expected output.

Each folder in tests/personal-cases/ holds ``input.csv`` or ``plan.yaml``
(bytes exactly as a spreadsheet or an editor saved them: BOM, CRLF, UTF-16,
Latin-1 ...), ``case.yaml`` (the command and exit code) and
``expected.txt`` (everything the command prints).  Every case uses the
sentinel patient name ``Zyxwv Qutsr`` somewhere a patient detail can land,
and no message may contain it (issue 8, item 8).  A failing case writes
nothing; a passing case prints the sentinel on the page.

Refresh the expectations after an intended change of wording with

    HANDOUT_UPDATE_CASES=1 .venv/bin/python -m pytest tests/test_personal_cases.py

and read the diff before committing it.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from cli import main

from conftest import SOURCE
from pdfutil import norm

CASES = Path(__file__).resolve().parent / "personal-cases"
UPDATE = bool(os.environ.get("HANDOUT_UPDATE_CASES"))
SENTINEL = "Zyxwv Qutsr"
PIECES = ("Zyxwv", "Qutsr", "שרה", "ליל", "王小明", "حداد", "Bo Li")  # names of the cases, in parts
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "case.yaml").exists())


@pytest.mark.parametrize("case_dir", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_personal_case(case_dir: Path, tmp_path: Path, monkeypatch):
    spec = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    source = next(p for p in case_dir.iterdir() if p.name in ("input.csv", "plan.yaml"))
    shutil.copy(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working folder
    args = [a.format(input=source.name, out="out") for a in spec["args"]] + ["--source", str(SOURCE)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    expected_file = case_dir / "expected.txt"
    if UPDATE:
        expected_file.write_text(result.output, encoding="utf-8")
    assert result.exit_code == spec["exit"], result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.output == expected_file.read_text(encoding="utf-8")
    for piece in PIECES:
        assert piece.lower() not in result.output.lower(), f"a message repeats patient data ({piece})"
    written = sorted(p.name for p in (tmp_path / "out").rglob("*")) if (tmp_path / "out").exists() else []
    if spec["exit"]:
        assert written == [], "a refused run wrote files"
    else:
        assert written == ["stack.pdf"]
        pages = pypdf.PdfReader(io.BytesIO((tmp_path / "out" / "stack.pdf").read_bytes())).pages
        text = norm(" ".join(page.extract_text() for page in pages))
        assert SENTINEL in text
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name] + (["out"] if written else []))


def test_corpus_covers_the_issue():
    assert len(CASE_DIRS) >= 30
