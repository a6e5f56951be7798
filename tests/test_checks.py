"""Tests for handoutkit.checks.health: the health-literacy checks behind ``handout check``.

The shipped content must pass; editable copies of it (the ``content``
fixture copies handouts/ with shutil.copytree) are broken on purpose to see
each check fire at the right file and line.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from handoutkit.checks.health import CheckConfig, Finding, Report, load_check_config, run_checks
from handoutkit.errors import ContentErrors, Location
from handoutkit.content.load import load_project

SOURCE = Path(__file__).resolve().parents[1] / "handouts"
TOPIC = "upper-back-pain"
# A fixed "today" well before the shipped review date, so these tests do not
# start failing the day the sample content is due for review.
TODAY = date(2027, 1, 15)


def check(source: Path, today: date = TODAY, config: CheckConfig | None = None) -> Report:
    return run_checks(load_project(source), config or load_check_config(source), today)


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def codes(report: Report, section: str | None = None) -> list[str]:
    """Finding codes, optionally only those about one section."""
    return [f.code for f in report.findings if section is None or f.section == section]


@pytest.fixture(scope="module")
def shipped() -> Report:
    return check(SOURCE)


# --------------------------------------------------------------------------- the shipped content


def test_shipped_content_has_no_errors(shipped):
    assert shipped.errors() == [], "\n".join(f.line() for f in shipped.errors())


def test_shipped_sections_are_at_most_grade_8(shipped):
    assert shipped.sections, "no sections measured"
    for row in shipped.sections:
        assert row["grade"] <= 8, row
        assert row["words"] > 0 and row["sentences"] > 0, row
    for row in shipped.handouts:
        assert row["grade"] <= 8, row


def test_shipped_rows_cover_every_handout_and_section_as_used(shipped):
    project = load_project(SOURCE)
    expected = [(h.name, ref.section.id, ref.short) for t in project.topics for h in t.handouts for ref in h.sections]
    assert [(r["handout"], r["section"], r["short"]) for r in shipped.sections] == expected
    assert {r["handout"] for r in shipped.handouts} == {"booklet", "exercise-sheet", "checklist"}
    for row in shipped.handouts:
        assert row["red_flags"] is True and row["contact"] is True
    booklet = next(r for r in shipped.handouts if r["handout"] == "booklet")
    assert booklet["summary"] is True


def test_short_section_is_measured_on_its_summary_only(shipped):
    full = next(r for r in shipped.sections if r["handout"] == "booklet" and r["section"] == "red-flags")
    short = next(r for r in shipped.sections if r["handout"] == "checklist" and r["section"] == "red-flags")
    assert short["short"] and not full["short"]
    assert short["words"] < 40 < full["words"]
    # placeholders are filled with the brand's values, never measured as "{clinic_phone}"
    assert any("(555) 010-0199" in sentence for _, sentence in short["longest"])
    assert not any("{" in sentence for row in shipped.sections for _, sentence in row["longest"])


def test_shipped_brand_passes_font_and_contrast(shipped):
    assert shipped.brand["smallest_font_size"] >= 12
    assert len(shipped.brand["contrast"]) == 7
    assert all(pair["ok"] for pair in shipped.brand["contrast"])


def test_json_round_trips_with_the_expected_keys(shipped):
    text = shipped.to_json()
    data = json.loads(text)
    assert set(data) == {"findings", "sections", "handouts", "brand", "limits", "summary", "translations"}
    assert data["summary"] == {"errors": len(shipped.errors()), "warnings": len(shipped.findings) - len(shipped.errors())}
    row = data["sections"][0]
    assert {"topic", "handout", "section", "grade", "smog", "words", "sentences", "words_per_sentence",
            "longest"} <= set(row)
    assert all(isinstance(pair, list) and isinstance(pair[0], int) for pair in row["longest"])
    assert {"red_flags", "summary", "contact", "grade", "smog"} <= set(data["handouts"][0])
    assert {"smallest_font_size", "contrast"} <= set(data["brand"])
    assert {"pair", "ratio", "minimum", "ok"} <= set(data["brand"]["contrast"][0])
    for finding in data["findings"]:
        assert finding["where"] is None or re.fullmatch(r".+:\d+:\d+", finding["where"])
    # stable: the same report gives the same text, keys sorted
    assert shipped.to_json() == text
    assert json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) == text


def test_text_report_has_tables_findings_and_a_summary_line(shipped):
    text = shipped.to_text()
    assert "upper-back-pain / booklet" in text
    assert re.search(r"^\s+causes\s+\d+\.\d\s+\d+\.\d\s+\d+\.\d\s+\d+", text, re.M)
    assert "whole handout" in text
    errors, warnings = shipped.counts()
    assert text.rstrip().splitlines()[-1] == f"{errors} errors, {warnings} warning{'s' if warnings != 1 else ''}"


# --------------------------------------------------------------------------- reading level

HARD_CAUSES = """
title: "What can cause severe upper back pain?"
short_title: "Causes"
kind: text
blocks:
  - paragraph: "Musculoskeletal abnormalities of the thoracic vertebrae, particularly degenerative intervertebral pathology accompanied by inflammatory complications, frequently necessitate comprehensive multidisciplinary evaluation incorporating radiological investigations."
  - paragraph: "Osteoporotic compression fractures, rheumatological conditions including ankylosing spondylitis, and neurological complications associated with radiculopathy characteristically demonstrate considerable interindividual variability regarding symptomatology and prognosis."
"""


def test_hard_section_gets_a_reading_grade_warning_at_its_file(content):
    write(content / TOPIC / "sections" / "causes.yaml", HARD_CAUSES)
    report = check(content)
    grade = [f for f in report.findings if f.code == "reading-grade" and f.section == "causes"]
    assert len(grade) == 1, [f.line() for f in report.findings]
    finding = grade[0]
    assert finding.level == "warning"
    assert finding.where.file.endswith("upper-back-pain/sections/causes.yaml")
    assert finding.where.line == 1
    assert re.search(r"reading grade \d+\.\d is above 8", finding.message)
    assert "Musculoskeletal abnormalities" in finding.hint  # the longest sentences, clipped
    quoted = re.findall(r"“([^”]*)”", finding.hint)
    assert len(quoted) == 2 and all(len(q) <= 80 for q in quoted) and quoted[0].endswith("…")
    row = next(r for r in report.sections if r["handout"] == "booklet" and r["section"] == "causes")
    assert row["grade"] > 8
    # a warning: the run passes unless --strict
    assert report.errors() == []
    assert report.errors(strict=True)
    assert finding in report.errors(strict=True)


def test_long_sentences_are_listed_once_per_section(content):
    write(content / TOPIC / "sections" / "causes.yaml", HARD_CAUSES)
    report = check(content)
    long = [f for f in report.findings if f.code == "long-sentence" and f.section == "causes"]
    assert len(long) == 1
    assert "2 sentences longer than 20 words" in long[0].message
    assert long[0].where.line == 6  # the paragraph holding the longest sentence (23 words)
    assert "longest 23 words" in long[0].message
    fewer = check(content, config=CheckConfig(max_sentence_words=40))
    assert "long-sentence" not in codes(fewer)


# --------------------------------------------------------------------------- medical words

TERMS_SECTION = """
title: "What is upper back pain?"
short_title: "Upper back pain"
kind: text
summary: "Your upper back runs from your neck to the bottom of your rib cage."
blocks:
  - paragraph: "Sciatica can make pain run down your leg."
  - paragraph: "Scoliosis (a sideways curve of the spine) can also cause pain."
  - paragraph: "Kyphosis is a forward rounding of the upper back."
  - paragraph: "This pain is called radiculopathy. It comes from a pinched nerve."
  - paragraph: "A doctor may suggest an epidural. This is a shot near your spinal nerves."
  - paragraph: "Ask about NSAIDS and Corticosteroids before you take them."
  - paragraph: "Sciatica (pain down the leg) is mentioned again, too late."
"""


def test_unexplained_term_is_reported_at_its_line_and_explained_ones_are_not(content):
    write(content / TOPIC / "sections" / "introduction.yaml", TERMS_SECTION)
    report = check(content)
    terms = {f.message.split("'")[1].lower(): f for f in report.findings
             if f.code == "unexplained-term" and f.section == "introduction"}
    assert set(terms) == {"sciatica", "nsaids", "corticosteroids"}, [f.line() for f in report.findings]
    sciatica = terms["sciatica"]
    assert sciatica.level == "warning"
    assert str(sciatica.where).endswith("upper-back-pain/sections/introduction.yaml:6:16")
    assert sciatica.message == "introduction: unexplained medical word 'Sciatica' (first use in booklet)"
    assert sciatica.hint == 'explain it the first time, e.g. "Sciatica (pain that runs down the leg from a pinched nerve)"'
    assert terms["nsaids"].where.line == 11  # case-insensitive, plural found
    # the exercise sheet only shows the summary, which has no medical words
    assert all(f.handout == "booklet" for f in terms.values())


def test_term_explained_in_a_terms_item_or_later_in_the_paragraph(content):
    write(content / TOPIC / "sections" / "introduction.yaml", """
        title: "What is upper back pain?"
        kind: text
        summary: "Your upper back runs from your neck to the bottom of your rib cage."
        blocks:
          - terms:
              - term: "Sciatica"
                text: "Pain that runs down your leg from a pinched nerve."
          - paragraph: "Heat, massage and mobilization may help. Mobilization means gently moving a joint."
          - paragraph: "Sciatica often gets better on its own."
    """)
    report = check(content)
    assert "unexplained-term" not in codes(report, "introduction"), [f.line() for f in report.findings]


def test_checks_yaml_adds_medical_words(content):
    write(content / TOPIC / "sections" / "introduction.yaml", """
        title: "What is upper back pain?"
        kind: text
        summary: "Your upper back runs from your neck to the bottom of your rib cage."
        blocks:
          - paragraph: "A rotator cuff tear can hurt your shoulder."
    """)
    assert "unexplained-term" not in codes(check(content), "introduction")
    with (content / "checks.yaml").open("a", encoding="utf-8") as f:
        f.write('medical_words:\n  Rotator cuff: "the muscles that hold your shoulder in place"\n')
    config = load_check_config(content)
    assert config.medical_words["rotator cuff"] == "the muscles that hold your shoulder in place"
    assert "vertebrae" in config.medical_words  # the bundled list is extended, not replaced
    finding = next(f for f in check(content).findings if f.code == "unexplained-term" and f.section == "introduction")
    assert "'rotator cuff'" in finding.message and finding.where.line == 5


# --------------------------------------------------------------------------- review dates


def test_review_overdue_is_an_error_and_due_soon_a_warning(shipped):
    topic = load_project(SOURCE).topics[0]
    due = topic.review_due
    overdue = check(SOURCE, today=due + timedelta(days=1))
    [finding] = [f for f in overdue.findings if f.code == "review-overdue"]
    assert finding.level == "error" and finding in overdue.errors()
    assert f"review overdue since {due.isoformat()}" in finding.message
    # At the review_due line (issue 9: it pointed at topic.yaml:1:1).
    assert finding.where == topic.review_due_where and finding.where.file.endswith("upper-back-pain/topic.yaml")
    review_line = next(n for n, line in enumerate((SOURCE / "upper-back-pain" / "topic.yaml").read_text(
        encoding="utf-8").splitlines(), 1) if line.startswith("review_due:"))
    assert finding.where.line == review_line

    soon = check(SOURCE, today=due - timedelta(days=10))
    [finding] = [f for f in soon.findings if f.code == "review-due-soon"]
    assert finding.level == "warning" and "in 10 days" in finding.message
    assert soon.errors() == [] and finding in soon.errors(strict=True)

    assert check(SOURCE, today=due).findings and "review-due-soon" in codes(check(SOURCE, today=due))
    later = check(SOURCE, today=due - timedelta(days=31))
    assert not {"review-overdue", "review-due-soon"} & set(codes(later))


# --------------------------------------------------------------------------- checks.yaml


def test_shipped_checks_yaml_spells_out_the_defaults():
    assert (SOURCE / "checks.yaml").is_file()
    config, defaults = load_check_config(SOURCE), CheckConfig()
    assert config == defaults


def test_no_checks_yaml_gives_the_defaults(tmp_path):
    assert load_check_config(tmp_path) == CheckConfig()


def test_checks_yaml_unknown_key_is_located_with_did_you_mean(tmp_path):
    write(tmp_path / "checks.yaml", """
        max_grade: 8
        min_font_size: 12
        max_grad: 7
    """)
    with pytest.raises(ContentErrors) as info:
        load_check_config(tmp_path)
    message = str(info.value.format_message())
    assert re.search(r"checks\.yaml:3:1: max_grad: unknown key 'max_grad'", message), message
    assert "did you mean 'max_grade'?" in message


@pytest.mark.parametrize("line, expected", [
    ('max_grade: "eight"', "expected a number"),
    ('max_grade: "8"', "remove the quotes"),
    ("review_warning_days: 2.5", "expected a whole number"),
    ("min_contrast: 40", "must be between 1 and 21"),
    ("medical_words: [sciatica]", "expected word: plain wording lines"),
    ("medical_words:\n  sciatica:", "expected plain wording, got nothing"),
])
def test_checks_yaml_wrong_values_are_located(tmp_path, line, expected):
    (tmp_path / "checks.yaml").write_text(f"max_sentence_words: 20\n{line}\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as info:
        load_check_config(tmp_path)
    message = info.value.format_message()
    assert expected in message and re.search(r"checks\.yaml:\d+:\d+: ", message), message


# --------------------------------------------------------------------------- brand: contrast and fonts


def test_low_contrast_brand_is_reported_not_raised(content):
    brand = content / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace('text: "#1A1A1A"', 'text: "#AAAAAA"'), encoding="utf-8")
    report = check(content)  # make_theme would raise on this brand: run_checks must not
    low = [f for f in report.findings if f.code == "contrast"]
    assert low and all(f.level == "error" for f in low)
    assert {f.message.split(":")[0] for f in low} == {"brand"}
    text_on_page = next(f for f in low if "colors.text (#AAAAAA) on colors.background" in f.message)
    assert str(text_on_page.where).endswith("brand.yaml:8:9")
    assert "below the minimum 4.5:1" in text_on_page.message
    pair = next(p for p in report.brand["contrast"] if p["pair"] == "text on background")
    assert pair["ok"] is False and pair["ratio"] < 4.5
    assert report.brand["smallest_font_size"] >= 12  # fonts still measured
    assert report.errors()


def test_font_size_below_the_minimum_is_an_error(shipped):
    report = run_checks(load_project(SOURCE), CheckConfig(min_font_size=13), TODAY)
    [finding] = [f for f in report.findings if f.code == "font-size"]
    assert finding.level == "error" and finding.where is None
    assert "smallest font size is 12 pt" in finding.message and "minimum is 13 pt" in finding.message
    assert finding.line().startswith("error: smallest font size")


# --------------------------------------------------------------------------- handout completeness


def test_handout_without_red_flags_or_key_points_is_warned(content):
    handouts = content / TOPIC / "handouts.yaml"
    handouts.write_text(handouts.read_text(encoding="utf-8")
                        + "mini:\n  layout: booklet\n  sections: [introduction, causes]\n", encoding="utf-8")
    report = check(content)
    mini = [f for f in report.findings if f.handout == "mini"]
    assert {f.code for f in mini} == {"no-red-flags", "no-summary"}
    assert all(f.level == "warning" and f.where.file.endswith("handouts.yaml") for f in mini)
    assert any("no 'when to get help' section" in f.message for f in mini)
    row = next(r for r in report.handouts if r["handout"] == "mini")
    assert row["red_flags"] is False and row["summary"] is False and row["contact"] is True


# --------------------------------------------------------------------------- Finding


def test_finding_line_format():
    finding = Finding("warning", "reading-grade", "causes: reading grade 9.1 is above 8",
                      Location("handouts/upper-back-pain/sections/causes.yaml", 5, 16), hint="split it")
    assert finding.line() == ("handouts/upper-back-pain/sections/causes.yaml:5:16: warning: causes: "
                              "reading grade 9.1 is above 8\n  hint: split it")
    assert Finding("error", "font-size", "too small").line() == "error: too small"
