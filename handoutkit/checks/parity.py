"""Language parity: a translation must say the same things as its source.

A Spanish booklet that lacks a red flag the English one has is a safety
problem, so ``handout check`` (and the build's gate) compares every
translation of a topic with its source, section by section:

* every declared language has a translation folder, and every source
  section a translated file (and no more);
* each section keeps its kind and, when the source has one, a summary;
* the same exercises, in the same order, with identical doses and links;
* the same number of red-flag signs in each urgency group, and the same
  habits per checklist group;
* the same phone numbers, web addresses and numbers-with-units (2–4 weeks,
  30 seconds) in corresponding sections; number words count ("two weeks");
* every handout with a title in the source has one in the translation;
* the brand has the tagline and disclaimer in the language;
* each translated section records the hash of the source section it was
  made from (``translated_from:``); when the source has changed since, the
  warning "translation may be out of date" names the section.

Everything but the last is an error.  Findings carry ``file:line:col``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Optional

from handoutkit.checks.health import Finding
from handoutkit.content.model import (
    UNKNOWN, Brand, Exercise, HabitGroup, RedFlagGroup, Section, Text, Topic, iter_texts,
)
from handoutkit.content.yamlsource import display_path
from handoutkit.errors import Location, plural

__all__ = ["check_parity", "language_name", "facts"]


def language_name(code: str) -> str:
    """"Spanish" for ``es`` (CLDR, in English: the report's language)."""
    from babel import Locale

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en").split(" (")[0]
    except (ValueError, LookupError):
        return code


def _file(path: Path) -> Location:
    return Location(display_path(path), 1, 1)


def check_parity(topic: Topic, brand: Optional[Brand] = None) -> list[Finding]:
    """Every parity problem between ``topic`` (a source) and its declared translations."""
    findings: list[Finding] = []
    for code in topic.translation_languages:
        language = str(code)
        if language == topic.language:
            continue  # reported by the loader
        translation = next((t for t in topic.translations if t.language == language), None)
        found = [_missing_language(topic, code)] if translation is None else _compare_topic(topic, translation)
        if brand is not None:
            found += _brand_text(topic, brand, language)
        for finding in found:
            finding.language = language  # a build of other languages is not held up by this one
        findings += found
    return findings


def _error(topic: Topic, where: Location, message: str, hint: Optional[str] = None,
           section: Optional[str] = None, level: str = "error") -> Finding:
    return Finding(level, "parity", message, where, topic.id, section=section, hint=hint)


def _missing_language(topic: Topic, code: Text) -> Finding:
    folder = topic.folder / str(code)
    wanted = [folder / "topic.yaml"] + [folder / "sections" / f"{s.id}.yaml" for s in topic.sections]
    missing = [display_path(p) for p in wanted if not p.is_file()]
    return _error(topic, code.where,
                  f"{topic.id}: {language_name(str(code))} ({code}) is declared but not translated: "
                  f"missing {', '.join(missing)}",
                  f"translate the topic into {display_path(folder)}/, or remove {str(code)!r} from translations:")


def _compare_topic(source: Topic, translation: Topic) -> list[Finding]:
    findings: list[Finding] = []
    name = language_name(translation.language)
    folder = source.folder / translation.language
    present = {section.id: section for section in translation.sections}
    for section in source.sections:
        path = folder / "sections" / f"{section.id}.yaml"
        if not path.is_file():
            findings.append(_error(source, translation.where,
                                   f"{section.id}: no {name} translation (missing {display_path(path)})",
                                   f"translate sections/{section.id}.yaml into {display_path(path)}",
                                   section.id))
        elif section.id in present:
            findings += _compare_section(source, section, present[section.id], name)
    source_ids = {section.id for section in source.sections}
    for path in sorted((folder / "sections").glob("*.yaml")):
        if path.stem not in source_ids:
            findings.append(_error(source, _file(path),
                                   f"{path.stem}: not a section of the source topic",
                                   "add it to the source (and its sections:) first, or delete the file",
                                   path.stem))
    if source.subtitle and not translation.subtitle:
        findings.append(_error(source, translation.where, f"{source.id}: the source has a subtitle; "
                               f"the {name} translation has none", "add subtitle: to the translation"))
    for handout, translated in zip(source.handouts, translation.handouts):
        if handout.title and not translated.title:
            findings.append(_error(source, translation.where,
                                   f"{handout.name}: the handout has a title in the source but none in {name}",
                                   f"add  handouts: {{{handout.name}: {{title: ...}}}}  to the translation"))
    return findings


def _compare_section(topic: Topic, source: Section, translated: Section, name: str) -> list[Finding]:
    sid = source.id
    findings: list[Finding] = []

    def error(where: Location, message: str, hint: Optional[str] = None) -> None:
        findings.append(_error(topic, where, f"{sid}: {message}", hint, sid))

    if source.kind != translated.kind:
        error(translated.where, f"kind is {translated.kind} in {name} but {source.kind} in the source",
              f"set kind: {source.kind}")
        return findings
    if source.summary and not translated.summary:
        error(translated.where, "the source has a summary; the translation has none", "translate summary: too")
    findings += [_error(topic, where, f"{sid}: {message}", hint, sid)
                 for where, message, hint in _exercise_problems(source.exercises, translated, name)]
    if source.kind == "red_flags":
        for where, message in _red_flag_problems(source, translated, name):
            error(where, message, "every warning sign of the source must be in the translation, in its group")
    if source.kind == "habits":
        for where, message in _habit_problems(source, translated, name):
            error(where, message, "translate every habit of the source, in its group")
    for where, message in _fact_problems(source, translated, name):
        error(where, message, "phone numbers, web addresses and amounts must match the source exactly")
    findings += _staleness(topic, source, translated)
    return findings


# ----------------------------------------------------------------------------- exercises


def _exercise_problems(source: list[Exercise], translated: Section, name: str) -> Iterable[tuple]:
    ids = [str(e.id) for e in source]
    theirs = [str(e.id) for e in translated.exercises]
    for exercise in translated.exercises:
        if str(exercise.id) not in ids:
            yield (exercise.id.where, f"exercise {str(exercise.id)!r} is not in the source",
                   f"exercises there: {', '.join(ids)}")
    for exercise_id in ids:
        if exercise_id not in theirs:
            yield (translated.where, f"exercise {exercise_id!r} of the source is missing in {name}",
                   "translate every exercise of the source")
    common = [i for i in theirs if i in ids]
    expected = [i for i in ids if i in theirs]
    for position, (got, want) in enumerate(zip(common, expected), 1):
        if got != want:
            exercise = next(e for e in translated.exercises if e.id == got)
            yield (exercise.id.where, f"exercise {got!r} is in position {position}; in the source it is "
                   f"{want!r}", f"keep the source's order: {', '.join(expected)}")
            break
    by_id = {str(e.id): e for e in source}
    for exercise in translated.exercises:
        original = by_id.get(str(exercise.id))
        if original is None:
            continue
        if exercise.dose != original.dose:
            yield (exercise.dose.where, f"exercise {str(exercise.id)!r}: dose {_dose(exercise)} differs from the "
                   f"source's {_dose(original)}", "doses must be identical: copy the source's dose")
        if (exercise.url or None) != (original.url or None):
            yield (getattr(exercise.url, "where", exercise.where),
                   f"exercise {str(exercise.id)!r}: url {exercise.url or 'none'} differs from the source's "
                   f"{original.url or 'none'}", "use the source's url (a page in the language may be added later)")


def _dose(exercise: Exercise) -> str:
    dose = exercise.dose
    parts = [f"sets {dose.sets}", f"reps {dose.reps}"]
    if dose.hold_seconds:
        parts.append(f"hold {dose.hold_seconds} s")
    parts.append(f"times a day {dose.times_per_day}")
    return "(" + ", ".join(parts) + ")"


# ----------------------------------------------------------------------------- red flags and habits


def _red_flag_problems(source: Section, translated: Section, name: str) -> Iterable[tuple[Location, str]]:
    def counts(section: Section) -> Counter:
        total: Counter = Counter()
        for group in section.groups:
            if isinstance(group, RedFlagGroup):
                total[group.urgency] += len(group.signs)
        return total

    ours, theirs = counts(source), counts(translated)
    for urgency in sorted(set(ours) | set(theirs), key=("emergency", "urgent", "soon").index):
        if ours[urgency] != theirs[urgency]:
            group = next((g for g in translated.groups if getattr(g, "urgency", None) == urgency), None)
            where = group.action.where if group is not None else translated.where
            yield (where, f"{plural(theirs[urgency], 'sign')} in the {urgency} group in {name}, "
                          f"{ours[urgency]} in the source")


def _habit_problems(source: Section, translated: Section, name: str) -> Iterable[tuple[Location, str]]:
    ours = [g for g in source.groups if isinstance(g, HabitGroup)]
    theirs = [g for g in translated.groups if isinstance(g, HabitGroup)]
    if len(ours) != len(theirs):
        yield (translated.where, f"{plural(len(theirs), 'habit group')} in {name}, {len(ours)} in the source")
        return
    for index, (mine, other) in enumerate(zip(ours, theirs), 1):
        if len(mine.habits) != len(other.habits):
            yield (other.title.where, f"habit group {index} has {plural(len(other.habits), 'habit')} in {name}, "
                                      f"{len(mine.habits)} in the source")


# ----------------------------------------------------------------------------- phone numbers, addresses, amounts

_PHONE = re.compile(r"\{(?:clinic_phone|emergency_number)\}|\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b|\b911\b")
_URL = re.compile(r"\{(?:clinic_website|clinic_email)\}|https?://[^\s)\"”]+|\b[\w.-]+@[\w-]+\.[\w.]+\b"
                  r"|\b(?:www\.)?[\w-]+\.(?:org|com|net|gov|edu)(?:/[^\s)\"”]*)?")
# Number words of both languages (not "one"/"un"/"una": in Spanish they are
# also the article, "una semana" = "a week").
_NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "doce": 12, "quince": 15, "veinte": 20, "treinta": 30,
}
_UNITS = {
    "second": "s", "seconds": "s", "segundo": "s", "segundos": "s", "s": "s",
    "minute": "min", "minutes": "min", "minuto": "min", "minutos": "min", "min": "min",
    "hour": "h", "hours": "h", "hora": "h", "horas": "h",
    "day": "day", "days": "day", "día": "day", "días": "day",
    "week": "week", "weeks": "week", "semana": "week", "semanas": "week",
    "month": "month", "months": "month", "mes": "month", "meses": "month",
    "year": "year", "years": "year", "año": "year", "años": "year",
    "time": "times", "times": "times", "vez": "times", "veces": "times",
    "mg": "mg", "kg": "kg", "lb": "lb", "pound": "lb", "pounds": "lb", "libra": "lb", "libras": "lb",
    "inch": "in", "inches": "in", "pulgada": "in", "pulgadas": "in", "cm": "cm",
    "%": "%", "percent": "%", "por ciento": "%", "degrees": "deg", "grados": "deg",
}
_NUMBER = r"\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?<![\w-])({_NUMBER})(?:\s*(?:–|-|to|or|and|a|o|y)\s*({_NUMBER}))?\s*"
    rf"({'|'.join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))})(?![\w])", re.I)


def _number(text: str) -> str:
    value = _NUMBER_WORDS.get(text.lower())
    return str(value) if value is not None else text.replace(",", ".")


def facts(text: str) -> list[str]:
    """The phone numbers, addresses and amounts in ``text``, normalised: ``phone 5550100199``, ``2 week``."""
    out = []
    for match in _PHONE.finditer(text):
        value = match.group(0)
        out.append("phone " + (value if value.startswith("{") else re.sub(r"\D", "", value)))
    for match in _URL.finditer(text):
        out.append("address " + match.group(0).rstrip(".,;:").lower())
    for match in _AMOUNT.finditer(text):
        unit = _UNITS[match.group(3).lower()]
        out += [f"{_number(n)} {unit}" for n in match.groups()[:2] if n]
    return out


def _section_texts(section: Section) -> list[Text]:
    skip = {id(section.translated_from)}
    skip |= {id(e.id) for e in section.exercises} | {id(e.url) for e in section.exercises if e.url}
    return [text for text in iter_texts(section) if id(text) not in skip]


def _fact_problems(source: Section, translated: Section, name: str) -> Iterable[tuple[Location, str]]:
    ours: Counter = Counter()
    for text in _section_texts(source):
        ours.update(facts(text))
    theirs: Counter = Counter()
    first: dict[str, Location] = {}
    for text in _section_texts(translated):
        for fact in facts(text):
            theirs[fact] += 1
            first.setdefault(fact, text.where)
    for fact in sorted(set(ours) | set(theirs)):
        if ours[fact] != theirs[fact]:
            kind, _, value = fact.partition(" ") if fact.startswith(("phone ", "address ")) else ("amount", "", fact)
            shown = _shown(kind, value)
            where = first.get(fact, translated.where)
            yield (where, f"{kind} {shown} appears {_times(theirs[fact])} in {name}, {_times(ours[fact])} "
                          f"in the source")


def _shown(kind: str, value: str) -> str:
    if kind == "phone" and value.isdigit() and len(value) == 10:
        return f"({value[:3]}) {value[3:6]}-{value[6:]}"
    return value


def _times(n: int) -> str:
    return {0: "0 times", 1: "once", 2: "twice"}.get(n, f"{n} times")


# ----------------------------------------------------------------------------- staleness and brand


def _staleness(topic: Topic, source: Section, translated: Section) -> list[Finding]:
    recorded = translated.translated_from
    if recorded is not None and str(recorded) == source.source_hash:
        return []
    where = recorded.where if recorded is not None else translated.where
    since = (f"sections/{source.id}.yaml has changed since it was translated (translated_from {recorded}, "
             f"now {source.source_hash})" if recorded is not None else
             "it does not record the source version it was translated from")
    return [_error(topic, where, f"{source.id}: translation may be out of date: {since}",
                   f"compare with sections/{source.id}.yaml, update the translation, then set "
                   f"translated_from: {source.source_hash}", source.id, level="warning")]


def _brand_text(topic: Topic, brand: Brand, language: str) -> list[Finding]:
    if language == brand.language:
        return []
    words = brand.text_for(language)
    missing = [name for name in ("tagline", "disclaimer")
               if getattr(brand, name) and (words is None or getattr(words, name) is None)]
    if not missing:
        return []
    return [Finding("error", "parity",
                    f"brand: no {language_name(language)} {' or '.join(missing)} for {topic.id}'s {language} "
                    f"translation", brand.where if brand.where is not UNKNOWN else None, topic.id,
                    hint=f"add  translations: {{{language}: {{{', '.join(m + ': ...' for m in missing)}}}}}  "
                         f"to brand.yaml")]
