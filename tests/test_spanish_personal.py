"""Per-patient language: `handout sheet --language es`, a plan's `language:`, the batch CSV's language column."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from conftest import SOURCE, TOPIC
from pdfutil import norm, reader


def run(*args: str):
    return CliRunner().invoke(main, [*args], catch_exceptions=False)


def _text(data: bytes) -> str:
    return norm(" ".join(page.extract_text() for page in reader(data).pages))


def test_sheet_in_spanish(tmp_path):
    out = tmp_path / "ana.pdf"
    result = run("sheet", TOPIC, "--source", str(SOURCE), "--exercise", "chin-tuck", "--dose", "chin-tuck:sets=2",
                 "--patient", "Ana Ruiz", "--date", "2026-12-01", "--language", "es", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert reader(data).trailer["/Root"]["/Lang"] == "es"
    text = _text(data)
    assert "Paciente:" in text and "Atendido por:" in text and "Barbilla hacia atrás" in text
    assert "Series: 2 · Repeticiones: 10" in text  # the dose change, with Spanish labels
    assert "Ana Ruiz" in text and "Patient name" not in text and "Chin tucks" not in text


def test_plan_file_names_the_language(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("topic: upper-back-pain\nlanguage: es\nexercises: [bird-dog]\n", encoding="utf-8")
    out = tmp_path / "plan.pdf"
    assert run("sheet", "--plan", str(plan), "--source", str(SOURCE), "--out", str(out)).exit_code == 0
    assert "Perro de caza" in _text(out.read_bytes())


def test_unknown_language_for_a_sheet(tmp_path):
    result = CliRunner().invoke(main, ["sheet", TOPIC, "--source", str(SOURCE), "--exercise", "chin-tuck",
                                       "--language", "fr", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "topic upper-back-pain has no 'fr' edition" in result.output and "its languages: en, es" in result.output


def test_batch_language_column(tmp_path):
    csv = tmp_path / "plans.csv"
    csv.write_text("name,exercises,language\nAna Ruiz,chin-tuck;cat-cow,es\nBo Li,bird-dog,\nCy,bird-dog,en\n",
                   encoding="utf-8")
    out = tmp_path / "day.pdf"
    result = CliRunner().invoke(main, ["batch", str(csv), "--source", str(SOURCE), "--out", str(out), "--merge"])
    assert result.exit_code == 0, result.output
    # the row in another language is reported by row and column, and skipped
    assert "plans.csv:4: row 4, language: differs from the batch's language (es)" in result.output
    text = _text(out.read_bytes())
    assert "Ana Ruiz" in text and "Bo Li" in text and "Barbilla hacia atrás" in text and "Perro de caza" in text
    assert reader(out.read_bytes()).trailer["/Root"]["/Lang"] == "es"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,exercises,language\nAna,chin-tuck,español\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(bad), "--source", str(SOURCE), "--out", str(tmp_path / "b.pdf"),
                                       "--merge"])
    assert result.exit_code == 1 and "row 2, language: is not a language code" in result.output
