"""Health-literacy checks for Spanish text: the Spanish half of ``handout check``.

For every Spanish edition of a topic (a translation, ``language: es``), as
each handout uses its sections:

* INFLESZ (Szigriszt-Pazos) and Fernández-Huerta per section and per
  handout (:mod:`readability_es`); a section below ``min_inflesz`` in
  ``checks.yaml`` (default 55: "normal" or easier on the INFLESZ scale) is
  a warning naming the longest sentences;
* sentences longer than ``max_sentence_words`` (the same limit as English);
* medical words (``handoutkit/data/medical_words_es.yaml`` plus the
  clinic's ``medical_words_es``) used without an explanation the first
  time: in brackets, with "es", "son", "significa" or "quiere decir" after
  it, "llamado" or "se llama" before it, or a next sentence opening with
  "Esto es", "Estos son", "Es decir"...

Findings carry the edition's language, so a build of other languages is not
held up by them.  The English measures (Flesch-Kincaid, SMOG) are not
applied to Spanish text: their syllable counts and grade scales are English.
"""

from __future__ import annotations

import re

from handoutkit.checks.health import (
    CheckConfig, Finding, _clip, _fill, _long_sentences, _prose, _scoring_values, _TermFinder, measured_sections,
)
from handoutkit.checks.readability_es import analyse, fernandez_huerta_band, inflesz_band
from handoutkit.content.model import Brand, Topic
from handoutkit.errors import plural

SPANISH = ("es",)


def is_spanish(topic: Topic) -> bool:
    return topic.language.split("-")[0] in SPANISH


def _row(texts: list[str], values: dict[str, str]) -> dict:
    stats = analyse([_fill(t, _scoring_values(values)) for t in texts])
    return {
        "inflesz": round(stats.inflesz, 1),
        "inflesz_band": inflesz_band(stats.inflesz) if stats.words else "",
        "fernandez_huerta": round(stats.fernandez_huerta, 1),
        "fernandez_huerta_band": fernandez_huerta_band(stats.fernandez_huerta) if stats.words else "",
        "words": stats.words,
        "sentences": stats.sentences,
        "syllables": stats.syllables,
        "words_per_sentence": round(stats.words_per_sentence, 1),
        "longest": [[n, sentence] for n, sentence in analyse([_fill(t, values) for t in texts]).longest],
    }


def check_spanish(topic: Topic, brand: Brand, config: CheckConfig) -> tuple[list[Finding], list[dict]]:
    """Findings and readability rows (per section as used, then per handout) of a Spanish edition."""
    if not is_spanish(topic):
        return [], []
    values = brand.placeholders()
    rows: list[dict] = []
    measured: dict[tuple[str, bool], list[str]] = {}
    for handout in topic.handouts:
        texts_all: list[str] = []
        for ref in handout.sections:
            texts = _prose(ref)
            texts_all += texts
            rows.append({"topic": topic.id, "language": topic.language, "handout": handout.name,
                         "section": ref.section.id, "short": ref.short, **_row(texts, values)})
            measured.setdefault((ref.section.id, ref.short), []).append(handout.name)
        rows.append({"topic": topic.id, "language": topic.language, "handout": handout.name, "section": None,
                     "short": False, **_row(texts_all, values)})
    findings = _section_findings(topic, values, config, measured)
    findings += _SpanishTermFinder(config.medical_words_es).check_topic(topic, values)
    for finding in findings:
        finding.language = topic.language
    return findings, rows


def _section_findings(topic: Topic, values: dict[str, str], config: CheckConfig,
                      measured: dict[tuple[str, bool], list[str]]) -> list[Finding]:
    findings = []
    for section_id, ref, handouts, used, what, where in measured_sections(topic, measured):
        row = _row(_prose(ref), values)
        if row["sentences"] and row["inflesz"] < config.min_inflesz:
            shown = "; ".join(f"“{_clip(s)}” ({n} palabras)" for n, s in row["longest"][:2])
            findings.append(Finding(
                "warning", "reading-ease",
                f"{what}: INFLESZ {row['inflesz']:.1f} ({row['inflesz_band']}) is below {config.min_inflesz:g} "
                f"(Fernández-Huerta {row['fernandez_huerta']:.1f}; {row['words_per_sentence']:.1f} words a "
                f"sentence; {topic.language}, in {used})",
                where, topic.id, handouts[0], section_id,
                f"shorten or split the longest sentences and use shorter words: {shown}"))
        long = _long_sentences(ref, values, config.max_sentence_words)
        if long:
            n, sentence, text = long[0]
            findings.append(Finding(
                "warning", "long-sentence",
                f"{what}: {plural(len(long), 'sentence')} longer than {config.max_sentence_words} words "
                f"(longest {n} words; {topic.language}, in {used})",
                text.where, topic.id, handouts[0], section_id, f"split it: “{_clip(sentence)}”"))
    return findings


# Explained right after the word ("La estenosis es ...", "... vértebras (los huesos de la columna)").
_DEFINED_AFTER = re.compile(r"\s+(?:es|son|significa|significan|quiere\s+decir)\s", re.I)
# ... or by the next sentence, when the word ends its sentence ("... endorfinas. Estas son ...").
_DEFINED_NEXT = re.compile(
    r"\s*(?:[\w’'-]+\s*)?[.!?:]\s+(?:esto\s+es|estos\s+son|estas\s+son|eso\s+es|ese\s+es|esa\s+es|"
    r"es\s+decir|esto\s+significa|esto\s+quiere\s+decir)\b", re.I)
# ... or named before it: "se llama buena ergonomía", "también conocido como ...".
_NAMED_BEFORE = re.compile(r"\b(?:llamad[oa]s?|se\s+llaman?|conocid[oa]s?\s+como)\s+(?:[\w’'-]+\s+){0,2}$", re.I)


class _SpanishTermFinder(_TermFinder):
    """The English finder's first-use logic with Spanish ways of explaining a word."""

    @staticmethod
    def explained(text: str, match: re.Match) -> bool:
        before, after = text[: match.start()], text[match.end():]
        return ("(" in after[:3] or before.endswith("(")
                or bool(_DEFINED_AFTER.match(after))
                or bool(_NAMED_BEFORE.search(before))
                or bool(_DEFINED_NEXT.match(after)))


def report_lines(rows: list[dict], min_inflesz: float) -> list[str]:
    """The Spanish part of the text report: per handout, INFLESZ and Fernández-Huerta per section."""
    out: list[str] = []
    handouts = [row for row in rows if row["section"] is None]
    for total in handouts:
        title = f"{total['topic']} / {total['handout']} ({total['language']}: Spanish readability)"
        out += [title, "-" * len(title)]
        parts = [r for r in rows if r["section"] is not None and r["topic"] == total["topic"]
                 and r["language"] == total["language"] and r["handout"] == total["handout"]]
        labels = [r["section"] + (" (summary)" if r["short"] else "") for r in parts] + ["whole handout"]
        width = max(len("section"), *(len(label) for label in labels))
        out.append(f"  {'section':<{width}}  {'INFLESZ':>7}  {'F-Huerta':>8}  {'words/sentence':>14}  {'words':>5}")
        for label, row in zip(labels, parts + [total]):
            if label == "whole handout":
                out.append(f"  {'':-<{width}}  {'':->7}  {'':->8}  {'':->14}  {'':->5}")
            mark = "  below the limit" if row["sentences"] and row["inflesz"] < min_inflesz else ""
            out.append(f"  {label:<{width}}  {row['inflesz']:>7.1f}  {row['fernandez_huerta']:>8.1f}  "
                       f"{row['words_per_sentence']:>14.1f}  {row['words']:>5}  {row['inflesz_band']}{mark}")
        out.append("")
    return out
