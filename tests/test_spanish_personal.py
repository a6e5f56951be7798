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
    """Rows print in their own language; an empty cell takes the topic's language (or --language)."""
    csv = tmp_path / "plans.csv"
    csv.write_text("name,exercises,language\nAna Ruiz,chin-tuck;cat-cow,es\nBo Li,bird-dog,\nCy Obi,bird-dog,en\n"
                   "Di Park,bird-dog,fr\nEva Gil,bird-dog,es\n", encoding="utf-8")
    out = tmp_path / "day.pdf"
    result = CliRunner().invoke(main, ["batch", str(csv), "--source", str(SOURCE), "--out", str(out), "--merge"])
    assert result.exit_code == 0, result.output
    # a language the topic lacks is a bad row, named by row and column, without the patient's name
    assert "plans.csv:5: row 5, language: topic upper-back-pain has no 'fr' edition" in result.output
    assert "Di Park" not in result.output
    pages = [norm(page.extract_text()) for page in reader(out.read_bytes()).pages]
    # each patient's first page, in CSV order, in the row's language
    firsts = [(i, p) for i, p in enumerate(pages) if any(n in p for n in ("Ana Ruiz", "Bo Li", "Cy Obi", "Eva Gil"))]
    assert [next(n for n in ("Ana Ruiz", "Bo Li", "Cy Obi", "Eva Gil") if n in p) for _, p in firsts] == \
        ["Ana Ruiz", "Bo Li", "Cy Obi", "Eva Gil"]
    spanish = {"Ana Ruiz", "Eva Gil"}
    for _, page in firsts:
        name = next(n for n in ("Ana Ruiz", "Bo Li", "Cy Obi", "Eva Gil") if n in page)
        if name in spanish:
            assert "Paciente:" in page and "Patient name" not in page, name
        else:
            assert "Patient name" in page and "Paciente:" not in page, name
    assert "Barbilla hacia atrás" in pages[firsts[0][0]] and "Perro de caza" in pages[firsts[3][0]]
    assert "Bird-dog" in pages[firsts[1][0]] and "Bird-dog" in pages[firsts[2][0]]
    # each sheet starts on an odd page, padded by a Notes page in the sheet's own language
    assert all(i % 2 == 0 for i, _ in firsts)
    notes = []
    for (i, first), (j, _) in zip(firsts, firsts[1:] + [(len(pages), "")]):
        last = pages[j - 1]
        if last.startswith(("Notes", "Notas")):  # a padding page: in the sheet's own language
            spanish_sheet = any(n in first for n in spanish)
            assert last.startswith("Notas" if spanish_sheet else "Notes"), (i, j)
            notes.append(last[:5])
    assert "Notas" in notes and "Notes" in notes
    # --language sets the language of rows that leave the cell empty
    result = CliRunner().invoke(main, ["batch", str(csv), "--source", str(SOURCE), "--out", str(tmp_path / "es.pdf"),
                                       "--merge", "--language", "es"])
    assert result.exit_code == 0, result.output
    bo = next(norm(p.extract_text()) for p in reader((tmp_path / "es.pdf").read_bytes()).pages
              if "Bo Li" in p.extract_text())
    assert "Paciente:" in bo and "Perro de caza" in bo


def test_mixed_language_batch_as_files_matches_single_sheets(tmp_path):
    """One file per row: each row's sheet equals `handout sheet` for the same plan and language."""
    csv = tmp_path / "plans.csv"
    csv.write_text("name,exercises,language\nAna Ruiz,chin-tuck,es\nBo Li,chin-tuck,en\n", encoding="utf-8")
    out = tmp_path / "sheets"
    result = CliRunner().invoke(main, ["batch", str(csv), "--source", str(SOURCE), "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    ana = _text((out / "exercise-sheet-row-0002.pdf").read_bytes())
    bo = _text((out / "exercise-sheet-row-0003.pdf").read_bytes())
    assert "Ana Ruiz" in ana and "Barbilla hacia atrás" in ana and "Chin tucks" not in ana
    assert "Bo Li" in bo and "Chin tucks" in bo and "Barbilla" not in bo
    assert reader((out / "exercise-sheet-row-0002.pdf").read_bytes()).trailer["/Root"]["/Lang"] == "es"
    assert reader((out / "exercise-sheet-row-0003.pdf").read_bytes()).trailer["/Root"]["/Lang"] == "en"


def test_bad_language_code_in_a_batch(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,exercises,language\nAna,chin-tuck,español\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(bad), "--source", str(SOURCE), "--out", str(tmp_path / "b.pdf"),
                                       "--merge"])
    assert result.exit_code == 1 and "row 2, language: is not a language code" in result.output


def test_a_translation_out_of_parity_is_never_printed_for_a_patient(tmp_path, content):
    """A Spanish red flag removed: Spanish sheets and batch rows stop; English ones still print."""
    red = content / TOPIC / "es" / "sections" / "red-flags.yaml"
    lines = red.read_text(encoding="utf-8").splitlines(keepends=True)
    item = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- ") and i > 5
                and lines[i - 1].rstrip().endswith(":") and "signs" in lines[i - 1])
    red.write_text("".join(lines[:item] + lines[item + 1:]), encoding="utf-8")
    csv = tmp_path / "plans.csv"
    csv.write_text("name,exercises,language\nAna Ruiz,chin-tuck,es\nBo Li,bird-dog,en\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(csv), "--source", str(content), "--out", str(tmp_path / "d.pdf"),
                                       "--merge"])
    assert result.exit_code == 1 and not (tmp_path / "d.pdf").exists()
    assert "red-flags.yaml" in result.output and "nothing was written" in result.output
    assert "Ana Ruiz" not in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["sheet", TOPIC, "--source", str(content), "--exercise", "chin-tuck",
                                       "--language", "es", "--out", str(tmp_path / "a.pdf")])
    assert result.exit_code == 1 and not (tmp_path / "a.pdf").exists() and "red-flags.yaml" in result.output
    english = tmp_path / "en.csv"
    english.write_text("name,exercises\nBo Li,bird-dog\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(english), "--source", str(content), "--out", str(tmp_path / "e.pdf"),
                                       "--merge"])
    assert result.exit_code == 0, result.output
