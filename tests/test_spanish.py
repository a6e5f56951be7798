"""The Spanish edition: the shipped translation built in every edition, checked as finished PDFs.

Every edition (standard, large print, grayscale, A4, print marks) is built
once in Spanish, and each file is checked for its name (``.es`` before
``.pdf``), ``/Lang es``, localised dates and labels with no English label
words, and (for the standard edition) byte-identical rebuilds.  The parity
check itself is tested case by case in tests/cases/parity-*.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from conftest import SOURCE, TOPIC
from handoutkit.build import BuildOptions, build
from handoutkit.checks.health import load_check_config, run_checks
from handoutkit.content.load import load_project
from handoutkit.errors import HandoutError
from handoutkit.render.styles import Hyphenator
from pdfutil import norm, reader

NAMES = ("booklet", "booklet-print", "exercise-sheet", "checklist")
EDITIONS = {
    "standard": BuildOptions(),
    "large-print": BuildOptions(large_print=True),
    "grayscale": BuildOptions(grayscale=True),
    "a4": BuildOptions(paper="a4"),
    "marks": BuildOptions(print_marks=True),
}
# English label words that must not appear anywhere in a Spanish PDF (the
# content is Spanish, the labels come from es.yaml).  Whole words, any case.
ENGLISH_WORDS = ("patient", "information", "contents", "notes", "page", "sets", "reps", "hold", "times a day",
                 "tip", "clinician", "questions", "call us", "week of", "today", "mon", "tue", "wed", "thu", "fri",
                 "sat", "sun", "version", "reviewed", "next review", "continued", "about this", "phone",
                 "emergency", "november", "booklet", "what is in")


@pytest.fixture(scope="module")
def spanish(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """edition → file name → bytes, every edition built once in Spanish only."""
    out = {}
    for edition, options in EDITIONS.items():
        folder = tmp_path_factory.mktemp(f"es-{edition}")
        files = build(SOURCE, folder, options=options, languages=["es"])
        out[edition] = {f.path.name: f.data for f in files if f.topic == TOPIC}
    return out


def _text(data: bytes) -> str:
    """The PDF's text, whitespace folded and words hyphenated at a line end joined again."""
    text = " ".join(page.extract_text() for page in reader(data).pages)
    return norm(re.sub(r"(?<=[a-záéíóúñü])-\n(?=[a-záéíóúñü])", "", text))


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_edition_builds_in_spanish_with_language_names(spanish, edition):
    suffix = EDITIONS[edition].suffix()
    expected = {f"{name}{suffix}.es.pdf" for name in NAMES}
    assert set(spanish[edition]) == expected
    for name, data in spanish[edition].items():
        pdf = reader(data)
        assert pdf.trailer["/Root"]["/Lang"] == "es", name
        assert len(pdf.pages) >= 1


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_no_english_label_in_any_spanish_pdf(spanish, edition):
    for name, data in spanish[edition].items():
        text = _text(data).lower()
        for word in ENGLISH_WORDS:
            assert not re.search(rf"(?<![\wáéíóúñ]){re.escape(word)}(?![\wáéíóúñ])", text), (name, word)


def test_spanish_labels_dates_and_brand_text(spanish):
    files = spanish["standard"]
    booklet = [norm(p.extract_text()) for p in reader(files["booklet.es.pdf"]).pages]
    assert "Información para el paciente" in booklet[0]
    assert "Qué hay en este folleto" in booklet[1]
    assert "Versión 1.0. Revisado en noviembre de 2026. Próxima revisión: noviembre de 2028." in booklet[-1]
    assert "Teléfono (555) 010-0199" in booklet[-1]
    assert "Este material da información general solamente." in " ".join(booklet)  # the brand's Spanish disclaimer
    assert "TRADUCCIÓN DE MUESTRA" in booklet[-1]  # the review note: a sample translation to be reviewed
    assert "Clínica de muestra de handoutkit" in booklet[0]  # the Spanish tagline
    sheet = _text(files["exercise-sheet.es.pdf"])
    assert "Series: 1 · Repeticiones: 10 · Mantener: 5 s · Veces al día: 2" in sheet
    assert "Consejo:" in sheet and "¿Dudas? Llámenos" in sheet and re.search(r"Página 1 de \d", sheet)
    checklist = _text(files["checklist.es.pdf"])
    assert all(day in checklist for day in ("Lun", "Mar", "Mié", "Jue", "Vie", "Sáb", "Dom"))
    assert "Semana del" in checklist and "Hoy…" in checklist


def test_every_translated_fact_is_printed(spanish):
    """Each red flag, exercise and habit of the translation is on the page (the parity check holds
    them to the source's)."""
    translation = load_project(SOURCE).topics[0].translations[0]
    booklet = _text(spanish["standard"]["booklet.es.pdf"])
    for section in translation.sections:
        for group in section.groups:
            for item in getattr(group, "signs", []) + [h.text for h in getattr(group, "habits", [])]:
                assert norm(str(item)) in booklet, item
        for exercise in section.exercises:
            assert norm(str(exercise.name)) in booklet


def test_spanish_rebuild_is_byte_identical(spanish, tmp_path):
    again = build(SOURCE, tmp_path, languages=["es"])
    assert {f.path.name: f.path.read_bytes() for f in again} == spanish["standard"]


def test_build_all_languages_by_default_and_pick_one(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path), "--handout", "checklist",
                                  "--language", "es"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / TOPIC).iterdir()) == ["checklist.es.pdf"]
    result = runner.invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path), "--language", "fr"])
    assert result.exit_code == 1
    assert "no topic has language 'fr'" in result.output and "languages: en, es" in result.output


def test_list_shows_languages():
    result = CliRunner().invoke(main, ["list", "--source", str(SOURCE)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "languages: en (source), es" in result.output
    assert "booklet.es.pdf  [booklet, 5.5 × 8.5 in]" in result.output
    assert "booklet-print.es.pdf  [saddle-stitch, 11 × 8.5 in]" in result.output


def test_shipped_translation_is_in_parity():
    project = load_project(SOURCE)
    report = run_checks(project, load_check_config(SOURCE), project.topics[0].last_reviewed)
    assert [f.line() for f in report.findings if f.code == "parity"] == []
    translation = project.topics[0].translations[0]
    assert [s.id for s in translation.sections] == [s.id for s in project.topics[0].sections]
    assert all(s.translated_from == source.source_hash
               for s, source in zip(translation.sections, project.topics[0].sections))


def test_parity_gates_only_the_languages_built(content, tmp_path):
    """A Spanish file out of parity stops a Spanish build, not an English one."""
    path = content / TOPIC / "es" / "sections" / "red-flags.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('      - "Fiebre o escalofríos"\n', ""), encoding="utf-8")
    with pytest.raises(HandoutError, match="4 signs|5 signs in the urgent group"):
        build(content, tmp_path / "es", handouts=["checklist"], languages=["es"])
    assert not (tmp_path / "es").exists()
    files = build(content, tmp_path / "en", handouts=["checklist"], languages=["en"])
    assert [f.path.name for f in files] == ["checklist.pdf"]


def test_spanish_hyphenation_keeps_three_letters_each_side():
    hyphenate = Hyphenator("es")
    pairs = list(hyphenate("estiramiento"))
    assert pairs and all(len(a) >= 3 and len(b) >= 3 for a, b in pairs)
    assert list(hyphenate("suave")) == []  # "sua-ve" would leave two letters
    import pickle

    assert pickle.loads(pickle.dumps(hyphenate)) == hyphenate  # themes go to worker processes


def test_unknown_language_code_is_a_located_error(content):
    path = content / TOPIC / "topic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("translations: [es]", "translations: [es, fr]"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--source", str(content)])
    assert result.exit_code == 1
    assert re.search(r"topic\.yaml:\d+:\d+: translations\[2\]: no printed labels for language 'fr'", result.output)
