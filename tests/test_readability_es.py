"""Spanish readability: the rule-based syllable counter, Fernández-Huerta, INFLESZ and the Spanish checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from conftest import SOURCE, TOPIC
from handoutkit.checks.health import load_check_config, run_checks
from handoutkit.checks.readability_es import (
    analyse, fernandez_huerta, fernandez_huerta_band, inflesz, inflesz_band, syllables,
)
from handoutkit.content.load import load_project

HELD_OUT = Path(__file__).resolve().parent / "data" / "es_syllables.tsv"


def _held_out() -> list[tuple[str, int]]:
    rows = []
    for line in HELD_OUT.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, count = line.split("\t")
            rows.append((word, int(count)))
    return rows


def test_syllable_counter_on_the_held_out_list():
    rows = _held_out()
    assert len(rows) >= 150
    misses = [(word, count, syllables(word)) for word, count in rows if syllables(word) != count]
    assert len(misses) / len(rows) <= 0.03, misses  # at least 97 % right


@pytest.mark.parametrize("word,count", [
    ("cuidado", 3), ("día", 2), ("creer", 2), ("que", 1), ("pingüino", 3), ("Uruguay", 3), ("hoy", 1),
    ("ayuda", 3), ("ahora", 3), ("4", 2), ("30", 2), ("", 0),
])
def test_syllable_rules(word, count):
    assert syllables(word) == count


def test_formulas_on_counts_worked_by_hand():
    # "El perro come. La casa es grande." 7 words, 2 sentences, 11 syllables (el pe-rro co-me la ca-sa es gran-de).
    stats = analyse(["El perro come. La casa es grande."])
    assert (stats.words, stats.sentences, stats.syllables) == (7, 2, 11)
    assert stats.inflesz == pytest.approx(206.835 - 62.3 * 11 / 7 - 7 / 2)
    assert stats.fernandez_huerta == pytest.approx(206.84 - 0.60 * (100 * 11 / 7) - 1.02 * 7 / 2)
    assert inflesz(200, 100, 5) == pytest.approx(206.835 - 124.6 - 20)
    assert fernandez_huerta(200, 100, 5) == pytest.approx(206.84 - 120 - 20.4)
    assert inflesz(0, 0, 0) == 0.0


@pytest.mark.parametrize("score,band", [(39.9, "muy difícil"), (40, "algo difícil"), (54.9, "algo difícil"),
                                        (55, "normal"), (65, "bastante fácil"), (80, "muy fácil")])
def test_inflesz_bands_follow_barrio_cantalejo(score, band):
    assert inflesz_band(score) == band


def test_fernandez_huerta_bands():
    assert [fernandez_huerta_band(s) for s in (20, 45, 55, 65, 75, 85, 95)] == [
        "muy difícil", "difícil", "algo difícil", "normal", "algo fácil", "fácil", "muy fácil"]


def test_plain_patient_spanish_scores_easier_than_technical_spanish():
    plain = analyse(["Llame al médico si tiene fiebre. Tome agua. Descanse en la cama."])
    technical = analyse(["La sintomatología inflamatoria concomitante requiere una evaluación "
                         "multidisciplinaria pormenorizada de las manifestaciones musculoesqueléticas."])
    assert plain.inflesz >= 65 > 40 > technical.inflesz
    assert plain.fernandez_huerta > technical.fernandez_huerta


def test_shipped_translation_reports_both_scores_per_section_and_passes():
    project = load_project(SOURCE)
    report = run_checks(project, load_check_config(SOURCE), project.topics[0].last_reviewed)
    rows = [r for r in report.translations if r["handout"] == "booklet"]
    assert {r["section"] for r in rows if r["section"]} == {s.id for s in project.topics[0].sections}
    assert all(r["inflesz"] >= 55 and r["fernandez_huerta"] > 0 for r in rows)
    assert [f.line() for f in report.findings] == []


def _edit(content: Path, name: str, old: str, new: str) -> None:
    path = content / TOPIC / "es" / "sections" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_hard_spanish_and_unexplained_words_are_warnings_in_check_and_json(content):
    _edit(content, "acupuncture.yaml", "Las agujas van en ciertos puntos de la espalda y el cuello.",
          "La estimulación neuromuscular periférica subsiguiente proporcionaría analgesia considerablemente "
          "prolongada mediante mecanismos neurofisiológicos endógenos.")
    _edit(content, "acupuncture.yaml", "Puede liberar endorfinas. Estas son los calmantes naturales del cuerpo.",
          "Puede liberar endorfinas y relajar el cuerpo.")
    result = CliRunner().invoke(main, ["check", "--source", str(content), "--format", "json",
                                       "--today", "2026-11-26"])
    data = json.loads(result.output)
    found = {(f["code"], f["section"], f["language"]) for f in data["findings"]}
    assert ("reading-ease", "acupuncture", "es") in found
    assert ("unexplained-term", "acupuncture", "es") in found
    message = next(f["message"] for f in data["findings"] if f["code"] == "reading-ease")
    assert message.startswith("acupuncture: INFLESZ ") and "is below 55" in message and "Fernández-Huerta" in message
    assert "endorfinas (los calmantes naturales del cuerpo)" in next(
        f["hint"] for f in data["findings"] if f["code"] == "unexplained-term")
    assert result.exit_code == 0  # warnings
    strict = CliRunner().invoke(main, ["check", "--source", str(content), "--strict", "--today", "2026-11-26"])
    assert strict.exit_code == 1
    assert "es/sections/acupuncture.yaml" in strict.output and "(es: Spanish readability)" in strict.output


def test_min_inflesz_comes_from_checks_yaml(content):
    (content / "checks.yaml").write_text("min_inflesz: 90\n", encoding="utf-8")
    project = load_project(content)
    report = run_checks(project, load_check_config(content), project.topics[0].last_reviewed)
    assert any(f.code == "reading-ease" and f.language == "es" for f in report.findings)
    assert report.limits["min_inflesz"] == 90
