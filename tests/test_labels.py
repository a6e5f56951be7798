"""The per-language string tables (handoutkit/render/labels.py) and the layouts' use of them.

Every table has the keys and placeholders of the English one; dates, weekday
heads and plural forms come from CLDR; and a handout laid out with the
Spanish table prints none of the English labels (the content itself is the
English topic here: the labels are what is under test).
"""

from __future__ import annotations

import io
import re
import string
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
import yaml

from handoutkit.content.load import load_project
from handoutkit.errors import HandoutError
from handoutkit.render.labels import LABELS_DIR, available_languages, labels_for
from handoutkit.render.styles import make_theme
from layouts import RenderJob, render

HANDOUTS = Path(__file__).resolve().parents[1] / "handouts"


def _fields(value) -> set[str]:
    values = value.values() if isinstance(value, dict) else [value]
    return {name for v in values for _, name, _, _ in string.Formatter().parse(str(v)) if name}


def test_every_table_has_the_english_keys_and_placeholders():
    english = yaml.safe_load((LABELS_DIR / "en.yaml").read_text(encoding="utf-8"))
    assert set(available_languages()) >= {"en", "es"}
    for language in available_languages():
        table = yaml.safe_load((LABELS_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
        assert set(table) == set(english), language
        for key, value in english.items():
            if key in ("locale", "hyphenation"):
                continue
            assert _fields(table[key]) == _fields(value), (language, key)


def test_dates_follow_the_locale():
    day = date(2026, 11, 26)
    assert labels_for("en").month_year(day) == "November 2026"
    assert labels_for("es").month_year(day) == "noviembre de 2026"
    assert labels_for("es").long_date(day) == "26 de noviembre de 2026"
    assert labels_for("en").long_date(day) == "November 26, 2026"
    assert labels_for("es-US").locale == "es_US"  # a regional code uses its base language's table


def test_weekdays_and_plurals_come_from_cldr():
    assert labels_for("en").weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert labels_for("es").weekdays == ("Lun", "Mar", "Mié", "Jue", "Vie", "Sáb", "Dom")
    assert labels_for("en").count("sheets", 1) == "1 sheet"
    assert labels_for("es").count("sheets", 3) == "3 hojas"
    assert labels_for("es").count("notes_pages", 1) == "1 página de notas"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(HandoutError, match=r"no printed labels for language 'xx'") as info:
        labels_for("xx")
    assert "en, es" in info.value.hint


# Every English label a layout can print, as it would appear in the text layer.
ENGLISH_LABELS = ("Patient information", "What is in this booklet", "Notes", "About this booklet", "Phone ",
                  "Sets", "Reps", "Hold", "Times a day", "Tip:", "Patient name", "Clinician", "Questions? Call us",
                  "Page ", "Week of", "Today I", "Version ", "Reviewed", "Next review due", "November")


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("name", ["booklet", "exercise-sheet", "checklist"])
def test_spanish_labels_replace_every_english_label(name):
    project = load_project(HANDOUTS)
    topic = project.topics[0]
    # Only the labels are under test: the content's own text is cleared of the
    # words that would otherwise match ("Notes" is not in it; "Hold" is).
    topic = replace(topic, language="es")
    handout = next(h for h in topic.handouts if h.name == name)
    theme = make_theme(project.brand, language="es")
    rendered = render(RenderJob(topic=topic, handout=handout, theme=theme))
    text = _text(rendered.data)
    labels = labels_for("es")
    expected = {"booklet": [labels["cover_kicker"], labels["contents_heading"], "Sobre este folleto",
                            "Repeticiones", "Versión 1.0. Revisado en noviembre de 2026"],
                "exercise-sheet": ["Paciente:", "Atendido por", "¿Dudas? Llámenos",
                                   "Página 1 de ", "Veces al día"],
                "checklist": ["Semana del", "Hoy…", "Lun", "Mié", "Sáb", "¿Dudas? Llámenos"]}[name]
    flat = re.sub(r"\s+", " ", text)
    for phrase in expected:
        assert phrase in flat, phrase
    content_words = re.sub(r"\s+", " ", " ".join(str(t) for t in _content_texts(topic)))
    for label in ENGLISH_LABELS:
        if label.strip() in content_words:
            continue  # the English content says it; the label check cannot tell them apart here
        assert label not in flat, label
    assert pypdf.PdfReader(io.BytesIO(rendered.data)).trailer["/Root"]["/Lang"] == "es"


def _content_texts(topic):
    from handoutkit.content.model import iter_texts

    return list(iter_texts(topic))
