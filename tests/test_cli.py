"""The ``handout`` CLI, driven with click's CliRunner: success output and every error kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

from conftest import TOPIC


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_prints_one_line_per_file_with_page_count(content, tmp_path):
    out = tmp_path / "out"
    result = run("build", "--source", str(content), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    names = ("booklet.pdf", "booklet-print.pdf", "exercise-sheet.pdf", "checklist.pdf")
    spanish = tuple(name.replace(".pdf", ".es.pdf") for name in names)  # the shipped Spanish translation
    assert len(lines) == 8
    for line, name in zip(lines, names + spanish):
        assert re.match(rf"wrote .*{TOPIC}/{re.escape(name)} \(\d+ pages?, ", line), line
    assert "flip on short edge" in lines[1]
    assert "volteando por el borde corto" in lines[5]  # the reminder in the booklet's language
    assert sorted(p.name for p in (out / TOPIC).iterdir()) == sorted(names + spanish)


def test_build_one_handout_of_one_topic(content, tmp_path):
    out = tmp_path / "out"
    result = run("build", TOPIC, "--handout", "checklist", "--source", str(content), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / TOPIC).iterdir()) == ["checklist.es.pdf", "checklist.pdf"]


def test_list_shows_topics_handouts_and_sizes(content):
    result = run("list", "--source", str(content))
    assert result.exit_code == 0
    assert f"{TOPIC}:" in result.output
    assert "booklet.pdf  [booklet, 5.5 × 8.5 in]" in result.output
    assert "booklet-print.pdf  [saddle-stitch, 11 × 8.5 in]" in result.output
    assert "checklist.pdf  [checklist, 8.5 × 11 in]" in result.output


def test_usage_error_exits_2(content):
    result = run("build", "--paper", "a5", "--source", str(content))
    assert result.exit_code == 2


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def break_yaml_syntax(content: Path) -> str:
    path = content / TOPIC / "sections" / "acupuncture.yaml"
    path.write_text(path.read_text() + "\nbroken: [unclosed\n")
    return r"acupuncture\.yaml:\d+:\d+: YAML syntax error"


def drop_required_field(content: Path) -> str:
    path = content / TOPIC / "topic.yaml"
    text = path.read_text()
    path.write_text(re.sub(r"(?m)^review_due:.*\n", "", text))
    return r"topic\.yaml:1:1: review_due: missing required field"


def name_missing_section(content: Path) -> str:
    replace_in(content / TOPIC / "handouts.yaml", "- lifestyle", "- lifestyle-changes")
    return r"handouts\.yaml:\d+:\d+: checklist\.sections\[1\]: no section named 'lifestyle-changes'"


def make_card_too_tall(content: Path) -> str:
    path = content / TOPIC / "sections" / "exercises.yaml"
    long_step = "Move slowly and gently, keep breathing, and stop if it hurts. " * 3
    text = path.read_text()
    # give the first exercise six very long steps: its card cannot fit on one booklet page
    text = re.sub(r"(?s)(steps:\n)((?:\s+- .*?\n)+?)(\s+dose:)",
                  lambda m: m.group(1) + "".join(f'      - "{long_step.strip()}"\n' for _ in range(6)) + m.group(3),
                  text, count=1)
    path.write_text(text)
    return r"exercises\.yaml:\d+:\d+: exercise chin-tuck: does not fit on one page of the booklet \(needs \d+ pt, has \d+ pt\)"


def remove_folder(content: Path) -> str:
    import shutil

    shutil.rmtree(content)
    return r"content folder not found"


@pytest.mark.parametrize("breaker", [remove_folder, break_yaml_syntax, drop_required_field, name_missing_section,
                                     make_card_too_tall])
def test_bad_input_gives_one_located_error_and_writes_nothing(content, tmp_path, breaker):
    out = tmp_path / "out"
    (out / TOPIC).mkdir(parents=True)
    old_pdf = out / TOPIC / "booklet.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 previous good build")
    before = snapshot(out)
    expected = breaker(content)
    result = run("build", "--source", str(content), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert re.search(expected, result.output), result.output
    assert "Traceback" not in result.output
    assert "hint:" in result.output
    assert snapshot(out) == before, "output folder changed by a failed build"


def test_unknown_topic_and_handout_are_errors(content, tmp_path):
    result = run("build", "upper-back", "--source", str(content), "--out", str(tmp_path))
    assert result.exit_code == 1 and "no topic named 'upper-back'" in result.output
    assert "did you mean 'upper-back-pain'?" in result.output
    result = run("build", "--handout", "bookelt", "--source", str(content), "--out", str(tmp_path))
    assert result.exit_code == 1 and "did you mean 'booklet'?" in result.output
    assert not any(tmp_path.rglob("*.pdf"))


def test_two_builds_into_one_folder_at_once_leave_only_complete_files(content, tmp_path):
    import subprocess
    import sys

    from pypdf import PdfReader

    out = tmp_path / "out"
    # English only: the race is the point here, and two Spanish builds would double the time.
    command = [sys.executable, "-m", "cli", "build", "--source", str(content), "--out", str(out), "--language", "en"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for process in runs:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
    files = sorted(p.name for p in (out / TOPIC).iterdir())
    assert files == sorted(["booklet.pdf", "booklet-print.pdf", "exercise-sheet.pdf", "checklist.pdf"]), files
    for pdf in (out / TOPIC).iterdir():
        assert len(PdfReader(pdf).pages) >= 1


def test_check_reports_on_the_shipped_topic_and_writes_nothing(content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "--source", str(content), "--today", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "whole handout" in result.output and result.output.rstrip().endswith("0 errors, 0 warnings")
    result = run("check", "--source", str(content), "--format", "json", "--today", "2026-11-26")
    import json

    data = json.loads(result.output)
    assert {row["handout"] for row in data["handouts"]} == {"booklet", "exercise-sheet", "checklist"}
    assert all(row["grade"] <= 8 for row in data["sections"])
    assert not any(tmp_path.rglob("*.pdf"))


def make_hard_to_read(content: Path) -> None:
    hard = ("Nonsteroidal anti-inflammatory medications demonstrate considerable efficacy in ameliorating "
            "inflammatory musculoskeletal conditions characterised by persistent thoracic discomfort.")
    replace_in(content / TOPIC / "sections" / "acupuncture.yaml", "blocks:\n", f'blocks:\n  - paragraph: "{hard} {hard}"\n')


def test_strict_turns_warnings_into_errors_for_check_and_build(content, tmp_path):
    make_hard_to_read(content)
    result = run("check", "--source", str(content), "--today", "2026-11-26")
    assert result.exit_code == 0 and "acupuncture.yaml" in result.output and "reading grade" in result.output
    result = run("check", "--strict", "--source", str(content), "--today", "2026-11-26")
    assert result.exit_code == 1
    out = tmp_path / "out"
    result = run("build", "--source", str(content), "--out", str(out), "--today", "2026-11-26")
    assert result.exit_code == 0 and "warning:" in result.output and (out / TOPIC / "booklet.pdf").exists()
    out_strict = tmp_path / "strict"
    result = run("build", "--strict", "--source", str(content), "--out", str(out_strict), "--today", "2026-11-26")
    assert result.exit_code == 1 and "nothing was written" in result.output
    assert not out_strict.exists()


def test_build_refuses_content_past_its_review_date(content, tmp_path):
    result = run("build", "--source", str(content), "--out", str(tmp_path / "out"), "--today", "2031-01-01")
    assert result.exit_code == 1
    assert re.search(r"topic\.yaml:\d+:\d+: error: .*review overdue", result.output), result.output
    assert not (tmp_path / "out").exists()
