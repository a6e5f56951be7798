"""Health-literacy checks behind ``handout check``.

Patient handouts are only useful if patients can read them.  This module
checks a loaded :class:`Project` against plain-language rules and reports
*findings* rather than raising, so one run lists every problem:

* reading level (Flesch-Kincaid grade, SMOG) per section as each handout
  uses it, and per handout; over-long sentences;
* medical words (``handoutkit/data/medical_words.yaml`` plus the clinic's
  own list) that are used without being explained the first time;
* print legibility: the smallest font size and the contrast of every brand
  colour pair text is drawn in;
* review dates (overdue is an error, due soon a warning);
* handout completeness: a "when to get help" section, a key-points section
  in booklets, the clinic's contact details.

Thresholds come from :class:`CheckConfig`, read from ``<source>/checks.yaml``
with the same declared-schema mechanism as the content, so a typo in the
config is a located error with a did-you-mean, not a silently ignored key.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

import yaml

from handoutkit.render import colors
from handoutkit.errors import ContentError, ContentErrors, Location, plural
from handoutkit.content.model import (
    Brand, Bullets, Callout, Colors, Figure, HabitGroup, Handout, Paragraph, Project, RedFlagGroup,
    SectionRef, Terms, Text, Topic,
)
from handoutkit.checks.readability import analyse, split_sentences, strip_markup, words
from handoutkit.content.schema import INVALID, TAG, Context, Field, Int, Record, Spec, Str, describe
from handoutkit.content.yamlsource import compose_file, display_path

if TYPE_CHECKING:  # styles imports reportlab; only the brand check needs it, at run time
    from handoutkit.render.styles import Theme

__all__ = [
    "CheckConfig",
    "Finding",
    "Report",
    "default_medical_words",
    "load_check_config",
    "run_checks",
]

CONFIG_FILE = "checks.yaml"
LEVELS = ("error", "warning")

# --------------------------------------------------------------------------- findings and config


@dataclass
class Finding:
    """One problem found by a check."""

    level: str  # "error" | "warning"
    code: str  # short stable id, e.g. "reading-grade", "unexplained-term"
    message: str
    where: Optional[Location] = None
    topic: Optional[str] = None
    handout: Optional[str] = None
    section: Optional[str] = None
    hint: Optional[str] = None
    language: Optional[str] = None  # set on findings about one language's edition (a translation)

    def line(self) -> str:
        """``file:line:col: level: message`` (plus an indented hint line), as compilers print."""
        head = f"{self.where}: {self.level}: {self.message}" if self.where else f"{self.level}: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def sort_key(self) -> tuple:
        # Located findings first, in file order; then the unlocated ones (brand-wide).
        where = self.where or Location("")
        return (self.where is None, where.file, where.line, where.column, LEVELS.index(self.level),
                self.code, self.message)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["where"] = str(self.where) if self.where else None
        return data


@lru_cache(maxsize=2)
def _bundled_medical_words(name: str = "medical_words.yaml") -> tuple[tuple[str, str], ...]:
    text = resources.files("handoutkit").joinpath("data", name).read_text(encoding="utf-8")
    # Package data written by us, not by clinic staff: safe_load is enough here.
    data = yaml.safe_load(text) or {}
    return tuple((_normalize_term(str(k)), str(v)) for k, v in data.items())


def default_medical_words() -> dict[str, str]:
    """The bundled list: lower-case term → plain wording (a fresh copy)."""
    return dict(_bundled_medical_words())


def default_medical_words_es() -> dict[str, str]:
    """The bundled Spanish list (medical_words_es.yaml): lower-case term → plain wording (a fresh copy)."""
    return dict(_bundled_medical_words("medical_words_es.yaml"))


@dataclass
class CheckConfig:
    """Thresholds for :func:`run_checks`; the defaults follow common plain-language guidance."""

    max_grade: float = 8.0
    min_font_size: float = 12.0
    min_contrast: float = colors.MIN_CONTRAST
    review_warning_days: int = 30
    max_sentence_words: int = 20  # sentences longer than this are listed
    medical_words: dict[str, str] = field(default_factory=default_medical_words)
    # Spanish translations (checks/spanish.py): INFLESZ at least this; their own word list.
    min_inflesz: float = 55.0
    medical_words_es: dict[str, str] = field(default_factory=default_medical_words_es)


# --------------------------------------------------------------------------- checks.yaml


@dataclass
class Number(Spec):
    """A plain (unquoted) number within [minimum, maximum]."""

    minimum: float = 0.0
    maximum: float = 100.0
    kind: str = "number"

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.ScalarNode) or node.tag == TAG + "null":
            return ctx.error(node, path, f"expected a number, got {describe(node)}")
        value = node.value.strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
            return ctx.error(node, path, f"expected a number, got {value!r}")
        if node.style is not None:
            return ctx.error(node, path, f"expected a number, got text {value!r}", "remove the quotes")
        number = float(value)
        if not self.minimum <= number <= self.maximum:
            return ctx.error(node, path, f"must be between {_num(self.minimum)} and {_num(self.maximum)}, got {value}")
        return number

    def doc(self):
        return f"number ({_num(self.minimum)}–{_num(self.maximum)})"


TERM_KEY = Str(max_len=60, pattern=r"[^\W\d_][\w'’ .-]*", kind="medical word",
               pattern_hint="write the word or phrase as it appears in text, e.g. herniated disc")
PLAIN_WORDING = Str(max_len=160, kind="plain wording")


class WordMap(Spec):
    """``medical_words``: term → plain wording; empty (or only comments) means no additions."""

    kind = "mapping of medical word to plain wording"

    def convert(self, node, ctx, path):
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null" and node.style is None:
            return {}  # "medical_words:" with every example still commented out
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path, f"expected word: plain wording lines, got {describe(node)}",
                             'write e.g.  kyphoplasty: "surgery that fills a broken spine bone with cement"')
        result: dict[str, str] = {}
        first_line: dict[str, int] = {}
        ok = True
        for key_node, value_node in node.value:
            key = TERM_KEY.convert(key_node, ctx, f"{path} key")
            if key is INVALID:
                ok = False
                continue
            term = _normalize_term(key)
            if term in first_line:
                ctx.error(key_node, f"{path}.{key}", f"{key!r} is listed twice (first on line {first_line[term]})",
                          "YAML keeps only the last one silently: remove one")
                ok = False
                continue
            first_line[term] = key_node.start_mark.line + 1
            value = PLAIN_WORDING.convert(value_node, ctx, f"{path}.{key}")
            if value is INVALID:
                ok = False
                continue
            result[term] = str(value)
        return result if ok else INVALID


CHECKS_FILE = Record(name="checks file", fields=[
    Field("max_grade", Number(1, 20), required=False,
          doc="highest Flesch-Kincaid grade a section or handout may have"),
    Field("min_font_size", Number(6, 72), required=False, doc="smallest font size in points"),
    Field("min_contrast", Number(1, 21), required=False, doc="lowest contrast ratio for text colours"),
    Field("review_warning_days", Int(0, 3650), required=False, doc="warn this many days before review_due"),
    Field("max_sentence_words", Int(5, 200), required=False, doc="sentences longer than this are listed"),
    Field("medical_words", WordMap(), required=False, doc="extra words to explain, or new wording for listed ones"),
    Field("min_inflesz", Number(0, 100), required=False,
          doc="lowest INFLESZ score (Szigriszt-Pazos) a Spanish section may have; 55 is 'normal' or easier"),
    Field("medical_words_es", WordMap(), required=False, doc="the same as medical_words, for Spanish text"),
], doc_text="`handouts/checks.yaml`: thresholds for `handout check`.")


def load_check_config(source: Path) -> CheckConfig:
    """Read ``<source>/checks.yaml`` (all keys optional); the defaults when there is no such file.

    Raises :class:`ContentErrors` (``file:line:col`` with a hint) for unknown
    keys, wrong types and out-of-range values.
    """
    path = Path(source) / CONFIG_FILE
    if not path.is_file():
        return CheckConfig()
    shown = display_path(path)
    try:
        node = compose_file(path, shown)
    except ContentError as err:
        raise ContentErrors([err]) from None
    if node is None:  # a file of comments only
        return CheckConfig()
    ctx = Context(shown)
    values = CHECKS_FILE.convert(node, ctx, "")
    if ctx.errors or values is INVALID:
        raise ContentErrors(ctx.errors)
    config = CheckConfig()
    for name in ("max_grade", "min_font_size", "min_contrast", "min_inflesz"):
        if name in values:
            setattr(config, name, float(values[name]))
    for name in ("review_warning_days", "max_sentence_words"):
        if name in values:
            setattr(config, name, int(values[name]))
    # The clinic's list extends the bundled one; the same word replaces its wording.
    config.medical_words.update(values.get("medical_words", {}))
    config.medical_words_es.update(values.get("medical_words_es", {}))
    return config


# --------------------------------------------------------------------------- report


@dataclass
class Report:
    """Everything one run of the checks found and measured."""

    findings: list[Finding]
    sections: list[dict]  # one row per topic / handout / section as used
    handouts: list[dict]  # one row per topic / handout
    brand: dict
    limits: dict = field(default_factory=dict)  # the thresholds used, for the text and JSON reports
    translations: list[dict] = field(default_factory=list)  # Spanish readability rows (checks/spanish.py)

    def errors(self, strict: bool = False) -> list[Finding]:
        """The findings that fail the run: errors, plus warnings when ``strict``."""
        return [f for f in self.findings if f.level == "error" or (strict and f.level == "warning")]

    def counts(self) -> tuple[int, int]:
        errors = sum(1 for f in self.findings if f.level == "error")
        return errors, len(self.findings) - errors

    def summary_line(self) -> str:
        errors, warnings = self.counts()
        return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"

    def to_text(self) -> str:
        """A report for people: per handout a table of sections, then the findings, then a count."""
        max_grade = self.limits.get("max_grade", CheckConfig.max_grade)
        out: list[str] = []
        for row in self.handouts:
            title = f"{row['topic']} / {row['handout']} ({row['layout']} layout)"
            out += [title, "-" * len(title)]
            rows = [r for r in self.sections if r["topic"] == row["topic"] and r["handout"] == row["handout"]]
            labels = [r["section"] + (" (summary)" if r["short"] else "") for r in rows] + ["whole handout"]
            width = max(len("section"), *(len(label) for label in labels))
            out.append(f"  {'section':<{width}}  {'grade':>5}  {'SMOG':>5}  {'words/sentence':>14}  {'words':>5}")
            for label, r in zip(labels, rows + [row]):
                if label == "whole handout":
                    out.append(f"  {'':-<{width}}  {'':->5}  {'':->5}  {'':->14}  {'':->5}")
                mark = "  above the limit" if r["grade"] > max_grade else ""
                out.append(f"  {label:<{width}}  {r['grade']:>5.1f}  {r['smog']:>5.1f}  "
                           f"{r['words_per_sentence']:>14.1f}  {r['words']:>5}{mark}")
            key_points = _yes(row["summary"]) if row["layout"] == "booklet" or row["summary"] else "not needed"
            out.append(f"  when to get help: {_yes(row['red_flags'])}   key points: {key_points}   "
                       f"clinic contact: {_yes(row['contact'])}")
            out.append("")
        if self.translations:
            from handoutkit.checks.spanish import report_lines

            out += report_lines(self.translations, self.limits.get("min_inflesz", CheckConfig.min_inflesz))
        brand = self.brand
        if brand:
            font = brand.get("smallest_font_size")
            if font is not None:
                out.append(f"brand: smallest font size {_num(font)} pt ({brand.get('smallest_font_style')}); "
                           f"minimum {_num(brand.get('min_font_size', 0))} pt")
            for pair in brand.get("contrast", []):
                status = "ok" if pair["ok"] else "TOO LOW"
                out.append(f"  contrast {pair['pair']:<24} {pair['ratio']:>5.2f}:1  "
                           f"(minimum {_num(pair['minimum'])}:1, {pair['use']})  {status}")
            out.append("")
        findings = sorted(self.findings, key=Finding.sort_key)
        if findings:
            out.append("findings:")
            out += [f.line() for f in findings]
        else:
            out.append("findings: none")
        out += ["", self.summary_line()]
        return "\n".join(out) + "\n"

    def to_json(self) -> str:
        """The report as JSON: sorted keys, 2-space indent, locations as ``file:line:col``."""
        errors, warnings = self.counts()
        data = {
            "findings": [f.to_dict() for f in sorted(self.findings, key=Finding.sort_key)],
            "sections": self.sections,
            "handouts": self.handouts,
            "brand": self.brand,
            "limits": self.limits,
            "translations": self.translations,
            "summary": {"errors": errors, "warnings": warnings},
        }
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Location):
        return str(value)
    if isinstance(value, (date, Path)):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# --------------------------------------------------------------------------- run


def run_checks(project: Project, config: CheckConfig, today: date, theme: Optional[Theme] = None) -> Report:
    """Run every check on ``project`` as of ``today``.

    ``theme`` is the one the PDFs are built with (e.g. a scaled one); by
    default the brand's own.  Problems found are reported as findings, never
    raised: a brand whose colours make :func:`make_theme` refuse it gets
    contrast errors in the report.
    """
    from handoutkit.checks.cache import results_cache

    # Readability measures are looked up in the user's cache first (keyed by
    # a hash of each text and the measuring code): unchanged sections cost a
    # lookup, not a syllable count.
    with results_cache():
        return _run_checks(project, config, today, theme)


def _run_checks(project: Project, config: CheckConfig, today: date, theme: Optional[Theme]) -> Report:
    findings: list[Finding] = []
    section_rows: list[dict] = []
    handout_rows: list[dict] = []
    translation_rows: list[dict] = []
    values = project.brand.placeholders()
    terms = _TermFinder(config.medical_words)
    for topic in project.topics:
        findings += _check_review(topic, config, today)
        measured: dict[tuple[str, bool], list[str]] = {}  # (section id, short) -> handouts using it so
        for handout in topic.handouts:
            rows, handout_row = _measure_handout(topic, handout, values, measured)
            section_rows += rows
            handout_rows.append(handout_row)
            findings += _check_handout_grade(topic, handout, handout_row, config)
            findings += _check_completeness(topic, handout, project.brand, handout_row)
        findings += _check_sections(topic, values, config, measured)
        findings += terms.check_topic(topic, values)
        findings += _check_translations(project, topic, config, translation_rows)
    brand_row, brand_findings = _check_brand(project.brand, config, theme)
    findings += brand_findings
    limits = {
        "max_grade": config.max_grade,
        "min_font_size": config.min_font_size,
        "min_contrast": config.min_contrast,
        "review_warning_days": config.review_warning_days,
        "max_sentence_words": config.max_sentence_words,
        "min_inflesz": config.min_inflesz,
        "today": today.isoformat(),
    }
    return Report(findings=sorted(findings, key=Finding.sort_key), sections=section_rows, handouts=handout_rows,
                  brand=brand_row, limits=limits, translations=translation_rows)


def _check_translations(project: Project, topic: Topic, config: CheckConfig, rows: list[dict]) -> list[Finding]:
    """Parity of each translation with its source (checks/parity.py), and Spanish readability (checks/spanish.py)."""
    from handoutkit.checks.parity import check_parity
    from handoutkit.checks.spanish import check_spanish

    findings = check_parity(topic, project.brand)
    for translation in topic.translations:
        found, measured = check_spanish(translation, project.brand.localized(translation.language), config)
        findings += found
        rows += measured
    return findings


# --------------------------------------------------------------------------- what patients read


# Placeholders patients dial or type rather than read.  Readability formulas
# count syllables of words; "(555) 010-0199" counts as two words of 14
# syllables, which alone lifted the shipped two-sentence red-flags summary
# from grade 7.1 to 12.0.  For scoring, each is counted as one short word;
# hints and sentence lengths still show the values as printed.
_DIALLED = ("clinic_phone", "emergency_number", "clinic_website", "clinic_email")
_DIALLED_STAND_IN = "it"


def _scoring_values(values: dict[str, str]) -> dict[str, str]:
    return {**values, **{name: _DIALLED_STAND_IN for name in _DIALLED if values.get(name)}}


def _fill(text: str, values: dict[str, str]) -> str:
    """Placeholders replaced by the brand's values, markup removed: the words as printed."""
    if "{" in text:
        # re.sub, not str.format: a stray brace must not crash a check.
        text = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)
    return strip_markup(text)


def _section_texts(ref: SectionRef) -> list[tuple[Text, str]]:
    """The patient text of a section as a handout uses it, in reading order, as (text, role).

    Role "term" marks the term of a ``terms:`` item: a heading, so it is left
    out of reading scores (like titles), but it counts as explaining a medical
    word.  Headings, image alt text, ids and paths are not patient prose.
    """
    section = ref.section
    if ref.short:
        return [(section.summary, "text")] if section.summary else []
    out: list[tuple[Text, str]] = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            out.append((block.text, "text"))
        elif isinstance(block, Bullets):
            out += [(item, "text") for item in block.items]
        elif isinstance(block, Terms):
            for item in block.items:
                out += [(item.term, "term"), (item.text, "text")]
        elif isinstance(block, Callout):
            out.append((block.text, "text"))
        elif isinstance(block, Figure) and block.caption:
            out.append((block.caption, "text"))  # printed under the picture, unlike alt text
    for exercise in section.exercises:
        out += [(exercise.purpose, "text"), *((step, "text") for step in exercise.steps), (exercise.tip, "text")]
    for group in section.groups:
        if isinstance(group, RedFlagGroup):
            out += [(group.action, "text"), *((sign, "text") for sign in group.signs)]
        elif isinstance(group, HabitGroup):
            for habit in group.habits:
                out.append((habit.text, "text"))
                if habit.detail:
                    out.append((habit.detail, "text"))
    return out


def _prose(ref: SectionRef) -> list[Text]:
    """The reading-level texts of a section (headings such as a term's name left out)."""
    return [text for text, role in _section_texts(ref) if role == "text"]


def _stats_row(texts: list[str], values: dict[str, str]) -> dict:
    """Reading measures of ``texts`` with the brand's values filled in."""
    stats = analyse([_fill(t, _scoring_values(values)) for t in texts])
    shown = analyse([_fill(t, values) for t in texts]).longest if stats.longest else []
    return {
        # A negative Flesch-Kincaid grade (very short words) means "very easy", not less than nothing.
        "grade": round(max(stats.fk_grade, 0.0), 1),
        "smog": round(stats.smog, 1),
        "words": stats.words,
        "sentences": stats.sentences,
        "words_per_sentence": round(stats.words_per_sentence, 1),
        "longest": [[len(words(sentence)), sentence] for _, sentence in shown],
    }


def _measure_handout(topic: Topic, handout: Handout, values: dict[str, str],
                     measured: dict[tuple[str, bool], list[str]]) -> tuple[list[dict], dict]:
    rows = []
    all_texts: list[str] = []
    for ref in handout.sections:
        texts = _prose(ref)
        all_texts += texts
        row = {"topic": topic.id, "handout": handout.name, "section": ref.section.id, "short": ref.short}
        row.update(_stats_row(texts, values))
        rows.append(row)
        measured.setdefault((ref.section.id, ref.short), []).append(handout.name)
    total = {"topic": topic.id, "handout": handout.name, "layout": handout.layout}
    total.update(_stats_row(all_texts, values))
    return rows, total


# --------------------------------------------------------------------------- reading level


def _clip(sentence: str, limit: int = 80) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _longest_hint(longest: list) -> str:
    shown = "; ".join(f"“{_clip(s)}” ({n} words)" for n, s in longest[:2])
    return f"shorten or split the longest sentences and use shorter words: {shown}"


def measured_sections(topic: Topic, measured: dict[tuple[str, bool], list[str]]):
    """Each measured (section, way of use) with what a finding about it names: the section's ref, the
    handouts using it that way (and as text), the section as shown ("id (summary)") and where to fix it.
    Shared by the English and the Spanish readability findings."""
    for (section_id, short), handouts in measured.items():
        section = topic.section(section_id)
        what = f"{section_id} (summary)" if short else section_id
        where = section.summary.where if short and section.summary else section.where
        yield section_id, SectionRef(section, short), handouts, ", ".join(handouts), what, where


def _check_sections(topic: Topic, values: dict[str, str], config: CheckConfig,
                    measured: dict[tuple[str, bool], list[str]]) -> list[Finding]:
    """Grade and sentence-length warnings, once per section and way of use (full or summary),
    naming every handout that uses it so: the fix is in one file whichever handout shows it."""
    findings = []
    for section_id, ref, handouts, used, what, where in measured_sections(topic, measured):
        row = _stats_row(_prose(ref), values)
        if row["sentences"] and row["grade"] > config.max_grade:
            findings.append(Finding(
                "warning", "reading-grade",
                f"{what}: reading grade {row['grade']:.1f} is above {_num(config.max_grade)} "
                f"(Flesch-Kincaid; SMOG {row['smog']:.1f}; {row['words_per_sentence']:.1f} words a sentence; in {used})",
                where, topic.id, handouts[0], section_id, _longest_hint(row["longest"])))
        long = _long_sentences(ref, values, config.max_sentence_words)
        if long:
            n, sentence, text = long[0]
            count = len(long)
            findings.append(Finding(
                "warning", "long-sentence",
                f"{what}: {plural(count, 'sentence')} longer than {config.max_sentence_words} words "
                f"(longest {n} words; in {used})",
                text.where, topic.id, handouts[0], section_id,
                f"split it: “{_clip(sentence)}”"))
    return findings


def _long_sentences(ref: SectionRef, values: dict[str, str], limit: int) -> list[tuple[int, str, Text]]:
    """Sentences over ``limit`` words, longest first, each with the text it is in (to locate it)."""
    found = []
    for text, role in _section_texts(ref):
        if role != "text":
            continue
        for sentence in split_sentences(_fill(text, values)):
            n = len(words(sentence))
            if n > limit:
                found.append((n, sentence, text))
    found.sort(key=lambda item: -item[0])  # stable: ties stay in reading order
    return found


def _check_handout_grade(topic: Topic, handout: Handout, row: dict, config: CheckConfig) -> list[Finding]:
    if not row["sentences"] or row["grade"] <= config.max_grade:
        return []
    return [Finding(
        "warning", "reading-grade",
        f"{handout.name}: reading grade {row['grade']:.1f} for the whole handout is above "
        f"{_num(config.max_grade)} (Flesch-Kincaid; SMOG {row['smog']:.1f})",
        handout.where, topic.id, handout.name, None, _longest_hint(row["longest"]))]


# --------------------------------------------------------------------------- medical words

# Words that introduce a definition when they come right after the term...
_DEFINED_AFTER = re.compile(r"\s+(?:is|are|means)\s", re.I)
# ...or open the next sentence, when the term ends its sentence ("It may
# release endorphins. These are your body's natural pain relievers."; one
# word may follow the term: "rule out inflammatory causes. These are ...").
# Not "It is" / "They are": "You may have sciatica. It is common." explains nothing.
_DEFINED_NEXT = re.compile(
    r"\s*(?:[\w’'-]+\s*)?[.!?:]\s+(?:this\s+is|these\s+are|that\s+is|this\s+means|that\s+means)\b", re.I)
# "... is called (good) ergonomics", "also known as the thoracic spine": up to two words between.
_NAMED_BEFORE = re.compile(r"\b(?:called|known\s+as)\s+(?:[\w’'-]+\s+){0,2}$", re.I)


def _normalize_term(term: str) -> str:
    return " ".join(term.lower().split())


class _TermFinder:
    """Finds the first use of each medical word in a handout and whether it is explained."""

    def __init__(self, medical_words: dict[str, str]) -> None:
        self.words = {_normalize_term(k): v for k, v in medical_words.items()}
        self.pattern = self._compile(self.words) if self.words else None
        # The listed words inside each phrase: explaining "spinal stenosis" explains "stenosis".
        self.parts: dict[str, list[str]] = {
            term: [other for other in self.words if other != term and re.search(
                rf"(?<![\w-]){re.escape(other)}(?:e?s)?(?![\w-])", term)]
            for term in self.words if " " in term
        }

    @staticmethod
    def _compile(terms: Iterable[str]) -> Optional[re.Pattern]:
        # Longest first, so a phrase wins over a word inside it; whole words
        # only, and a hyphen joins words ("anti-inflammatory" is not "inflammatory").
        alternatives = sorted(set(terms), key=lambda t: (-len(t), t))
        if not alternatives:
            return None
        body = "|".join(r"\s+".join(re.escape(part) for part in term.split()) for term in alternatives)
        return re.compile(rf"(?<![\w-])({body})(?:e?s)?(?![\w-])", re.I)

    @staticmethod
    def key(match: re.Match) -> str:
        return _normalize_term(match.group(1))

    @staticmethod
    def explained(text: str, match: re.Match) -> bool:
        before, after = text[: match.start()], text[match.end():]
        return ("(" in after[:3]  # vertebrae (bones of the spine)
                or before.endswith("(")  # long-term (chronic): the plain words come first
                or bool(_DEFINED_AFTER.match(after))
                or bool(_NAMED_BEFORE.search(before))
                or bool(_DEFINED_NEXT.match(after)))

    def check_topic(self, topic: Topic, values: dict[str, str]) -> list[Finding]:
        if self.pattern is None:
            return []
        # The same unexplained use can be the first in several handouts (a section
        # shared by the booklet and the checklist): report it once, naming them all.
        found: dict[tuple[Location, str], tuple[str, str, list[str]]] = {}
        for handout in topic.handouts:
            seen: set[str] = set()
            for ref in handout.sections:
                for text, role in _section_texts(ref):
                    for term, written in self._unexplained_first_uses(text, role, values, seen):
                        entry = found.setdefault((text.where, term), (ref.section.id, written, []))
                        entry[2].append(handout.name)
        return [
            Finding("warning", "unexplained-term",
                    f"{section_id}: unexplained medical word '{written}' (first use in {', '.join(handouts)})",
                    where, topic.id, handouts[0], section_id,
                    f'explain it the first time, e.g. "{written} ({self.words[term]})"')
            for (where, term), (section_id, written, handouts) in found.items()
        ]

    def _unexplained_first_uses(self, text: Text, role: str, values: dict[str, str],
                                seen: set[str]) -> list[tuple[str, str]]:
        """(term, as written) for each listed word first used, unexplained, in ``text``; updates ``seen``."""
        plain = _fill(text, values)
        matches = list(self.pattern.finditer(plain))
        out = []
        for match in matches:
            term = self.key(match)
            if term in seen:
                continue
            seen.add(term)
            seen.update(self.parts.get(term, ()))
            # Explained here, or later in the same paragraph: "massage, mobilization
            # and manipulation. Mobilization means gently moving a joint."
            if role == "term" or any(self.explained(plain, m) for m in matches if self.key(m) == term):
                continue
            out.append((term, " ".join(match.group(0).split())))
        return out


# --------------------------------------------------------------------------- review, completeness


def _check_review(topic: Topic, config: CheckConfig, today: date) -> list[Finding]:
    due = topic.review_due
    days = (due - today).days
    hint = "have a clinician review the content, then update last_reviewed and review_due in topic.yaml"
    if days < 0:
        return [Finding("error", "review-overdue",
                        f"{topic.id}: review overdue since {due.isoformat()} ({plural(-days, 'day')} ago)",
                        topic.review_due_where, topic.id, hint=hint)]
    if days <= config.review_warning_days:
        when = "today" if days == 0 else f"in {plural(days, 'day')}"
        return [Finding("warning", "review-due-soon", f"{topic.id}: review due {due.isoformat()} ({when})",
                        topic.review_due_where, topic.id, hint=hint)]
    return []


def _is_key_points(ref: SectionRef) -> bool:
    section = ref.section
    names = " ".join(str(t) for t in (section.title, section.short_title) if t).lower()
    return section.id == "summary" or "key points" in names or "summary" in names


def _check_completeness(topic: Topic, handout: Handout, brand: Brand, row: dict) -> list[Finding]:
    """Warnings for a missing help section, key points or contact; records the three flags in ``row``."""
    findings = []
    row["red_flags"] = any(ref.section.kind == "red_flags" for ref in handout.sections)
    row["summary"] = any(_is_key_points(ref) for ref in handout.sections)
    row["contact"] = bool(brand.phone and brand.address)
    if not row["red_flags"]:
        findings.append(Finding("warning", "no-red-flags", f"{handout.name}: no 'when to get help' section",
                                handout.where, topic.id, handout.name,
                                hint="add the red_flags section (short: true gives its summary)"))
    if handout.layout == "booklet" and not row["summary"]:
        findings.append(Finding("warning", "no-summary", f"{handout.name}: no key points or summary section",
                                handout.where, topic.id, handout.name,
                                hint="end the booklet with a short 'Key points' section"))
    if not row["contact"]:
        findings.append(Finding("warning", "no-contact", f"{handout.name}: the clinic's phone or address is missing",
                                brand.where, topic.id, handout.name, hint="add phone: and address: to brand.yaml"))
    return findings


# --------------------------------------------------------------------------- brand: fonts and colours

# Known-good colours, used only to build a theme for measuring font sizes when
# the brand's own colours fail make_theme's contrast check: sizes do not depend
# on colours, and the contrast problem itself is reported by _check_contrast.
_SAFE_COLORS = Colors(primary="#1B4F72", accent="#A93226", text="#1A1A1A", background="#FFFFFF", tint="#EAF2F8")


def _check_brand(brand: Brand, config: CheckConfig, theme: Optional[Theme]) -> tuple[dict, list[Finding]]:
    findings: list[Finding] = []
    row: dict = {"min_font_size": config.min_font_size}
    contrast_rows, contrast_findings = _check_contrast(brand, config)
    row["contrast"] = contrast_rows
    findings += contrast_findings
    if theme is None:
        from handoutkit.render.styles import make_theme  # reportlab: only when fonts are checked

        try:
            theme = make_theme(brand)
        except ContentErrors:
            theme = make_theme(replace(brand, colors=_SAFE_COLORS))
    sizes = {name: float(style.fontSize) for name, style in theme.styles.items()}
    if sizes:
        style, smallest = min(sizes.items(), key=lambda item: (item[1], item[0]))
        row["smallest_font_size"] = smallest
        row["smallest_font_style"] = style
        if smallest < config.min_font_size:
            small = sorted(name for name, size in sizes.items() if size < config.min_font_size)
            findings.append(Finding(
                "error", "font-size",
                f"smallest font size is {_num(smallest)} pt (style '{style}'); the minimum is "
                f"{_num(config.min_font_size)} pt",
                hint=f"styles below the minimum: {', '.join(small)}; do not scale the theme below 1"))
    return row, findings


def _check_contrast(brand: Brand, config: CheckConfig) -> tuple[list[dict], list[Finding]]:
    # Computed from the brand's colours, not from a theme: make_theme refuses a
    # low-contrast brand, and this check must report that, not crash on it.
    from handoutkit.render.styles import contrast_pairs

    rows, findings = [], []
    for pair in contrast_pairs(brand):
        ok = pair.ratio >= config.min_contrast
        rows.append({"pair": f"{pair.foreground} on {pair.background}", "foreground": pair.foreground,
                     "background": pair.background, "use": pair.use, "ratio": round(pair.ratio, 2),
                     "minimum": config.min_contrast, "ok": ok})
        if not ok:
            findings.append(Finding("error", "contrast", "brand: " + pair.message(brand, config.min_contrast),
                                    pair.where, hint=pair.hint))
    return rows, findings


# --------------------------------------------------------------------------- small helpers


def _num(value: float) -> str:
    """8.0 → "8", 4.5 → "4.5": thresholds as people write them."""
    return f"{value:g}"




def _yes(value: bool) -> str:
    return "yes" if value else "NO"
