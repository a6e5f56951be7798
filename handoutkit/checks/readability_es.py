"""Spanish readability: syllables by rule, Fernández-Huerta and INFLESZ (Szigriszt-Pazos).

Spanish syllabification is regular, so syllables are counted by rule, not
from a dictionary: every vowel nucleus is one syllable, and two vowels side
by side share a nucleus (a diphthong: "cuidado", "aire", triphthongs like
"Uruguay") unless both are strong (a, e, o) or one is a written-accented
weak vowel (í, ú): then they are a hiatus ("creer", "día", "país").  The
"u" of "que", "qui", "gue", "gui" is silent ("güe" is not); "y" is a vowel
at the end of a word or before a consonant ("hoy", "muy", "y"); "h" between
vowels separates them ("ahora").  A held-out list of words with known
counts (tests/data/es_syllables.tsv) measures the accuracy.

The formulas, on counts of syllables S, words W and sentences F:

* **Fernández-Huerta** (1959, as corrected by Law 2011):
  ``206.84 − 60·S/W − 1.02·W/F``  (0.60 × syllables per 100 words).
  Scale: 90–100 muy fácil, 80–90 fácil, 70–80 algo fácil, 60–70 normal,
  50–60 algo difícil, 30–50 difícil, 0–30 muy difícil.
* **INFLESZ** (Barrio-Cantalejo 2008) reads the Szigriszt-Pazos
  perspicuity ``206.835 − 62.3·S/W − W/F`` on a scale validated for patient
  texts: < 40 muy difícil, 40–55 algo difícil, 55–65 normal, 65–80
  bastante fácil, > 80 muy fácil.  Patient texts should score 55 or more.

Sentences and words are split as for English (:mod:`readability`), which
already handles "¿...?" and "¡...!".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

from handoutkit.checks.readability import ANALYSIS_VERSION as _en_version
from handoutkit.checks.readability import split_sentences, words

_STRONG = set("aeoáéóíú")  # í and ú count as strong: an accent on a weak vowel makes a hiatus
_VOWELS = set("aeiouáéíóúü")
_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")
_Y_VOWEL = re.compile(r"y(?![aeiouáéíóú])")
_NOT_LETTER = re.compile(r"[^a-záéíóúüñ]")

# Numbers as read aloud ("2 a 4 semanas" = "dos a cuatro"): syllables of 0-20 and the tens.
_SMALL_NUMBERS = [2, 1, 1, 1, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 3, 2, 4, 4, 4, 4, 2]  # cero .. veinte
_TENS = {3: 2, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3}  # treinta, cuarenta ... noventa


def _number_syllables(digits: str) -> int:
    value = int(digits)
    if value <= 20:
        return _SMALL_NUMBERS[value]
    if value < 30:  # veinti-uno ... veinti-nueve
        return 2 + _SMALL_NUMBERS[value - 20]
    if value < 100:
        tens, units = divmod(value, 10)
        return _TENS[tens] + (1 + _SMALL_NUMBERS[units] if units else 0)  # treinta y dos
    return 2 * len(digits)  # longer numbers (phone numbers are scored as one short word by the caller)


def syllables(word: str) -> int:
    """Syllables of one Spanish word, by rule (0 for a token with no letters or digits)."""
    text = word.lower()
    digits = re.sub(r"\D", "", text)
    if digits and not re.search(r"[a-záéíóúüñ]", text):
        return _number_syllables(digits) if len(digits) <= 3 else 2 * len(digits)
    text = _NOT_LETTER.sub("", text)
    if not text:
        return 0
    text = _SILENT_U.sub("", text)
    text = _Y_VOWEL.sub("i", text)
    count = 0
    previous = ""
    for char in text:
        if char in _VOWELS:
            if not previous or _hiatus(previous, char):
                count += 1
            previous = char
        else:
            previous = ""
    return max(count, 1)


def _hiatus(first: str, second: str) -> bool:
    """Whether two vowels side by side belong to different syllables."""
    return (first in _STRONG and second in _STRONG) or first == second


# --------------------------------------------------------------------------- formulas


def fernandez_huerta(syllables_: int, words_: int, sentences: int) -> float:
    """Fernández-Huerta readability (corrected formula); 0.0 when there is nothing to measure."""
    if not words_ or not sentences:
        return 0.0
    return 206.84 - 60.0 * syllables_ / words_ - 1.02 * words_ / sentences


def inflesz(syllables_: int, words_: int, sentences: int) -> float:
    """Szigriszt-Pazos perspicuity, read on the INFLESZ scale; 0.0 when there is nothing to measure."""
    if not words_ or not sentences:
        return 0.0
    return 206.835 - 62.3 * syllables_ / words_ - words_ / sentences


def inflesz_band(score: float) -> str:
    """The INFLESZ band of a score (Barrio-Cantalejo 2008)."""
    for limit, band in ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"), (80, "bastante fácil")):
        if score < limit:
            return band
    return "muy fácil"


def fernandez_huerta_band(score: float) -> str:
    for limit, band in ((30, "muy difícil"), (50, "difícil"), (60, "algo difícil"), (70, "normal"),
                        (80, "algo fácil"), (90, "fácil")):
        if score < limit:
            return band
    return "muy fácil"


@dataclass
class SpanishStats:
    """Counts and scores of a body of Spanish text."""

    sentences: int = 0
    words: int = 0
    syllables: int = 0
    fernandez_huerta: float = 0.0
    inflesz: float = 0.0
    words_per_sentence: float = 0.0
    longest: list[tuple[int, str]] = field(default_factory=list)


# Bump when anything that changes a Spanish measurement changes (the syllable
# rules here; sentence splitting and tokenising come from readability, whose
# version is part of the key): cached results are keyed by it.
ANALYSIS_VERSION = f"es 1 / {_en_version}"

# The measures of one text, the unit analyse() adds up: sentence, word and
# syllable counts, and its three longest sentences as (words, sentence) in
# the order analyse() ranks them (most words first, ties in reading order).
_Part = tuple[int, int, int, tuple[tuple[int, str], ...]]


def _measure(text: str) -> _Part:
    n_sentences = n_words = n_syllables = 0
    found: list[tuple[int, str]] = []
    for sentence in split_sentences(text):
        tokens = words(sentence)
        n_sentences += 1
        n_words += len(tokens)
        n_syllables += sum(syllables(token) for token in tokens)
        found.append((len(tokens), sentence))
    return n_sentences, n_words, n_syllables, tuple(sorted(found, key=lambda item: -item[0])[:3])


@lru_cache(maxsize=65536)
def _part(text: str) -> _Part:
    """:func:`_measure`, remembered for the process and, during a build or check, on disk
    (the same cache as English readability: content texts only, never patient data)."""
    from handoutkit.checks import cache

    return cache.remembered("readability-es", ANALYSIS_VERSION, text, lambda t: _measure(t), _part_json,
                            _part_from_json)


def _part_json(part: _Part) -> list:
    return [part[0], part[1], part[2], [list(r) for r in part[3]]]


def _part_from_json(hit: object) -> Optional[_Part]:
    if isinstance(hit, list) and len(hit) == 4:
        return hit[0], hit[1], hit[2], tuple((n, s) for n, s in hit[3])
    return None


def analyse(texts: Iterable[str]) -> SpanishStats:
    """Measure ``texts`` (each split into sentences; a list item without a full stop is one).

    Each text is measured once (see :func:`_part`); the totals are sums, and
    the three longest sentences overall are among the three longest of each
    text: a stable sort of those, in reading order, ranks them as one pass would."""
    stats = SpanishStats()
    found: list[tuple[int, str]] = []
    for text in texts:
        sentences, words_, syllables_, longest = _part(text)
        stats.sentences += sentences
        stats.words += words_
        stats.syllables += syllables_
        found += longest
    if stats.words and stats.sentences:
        stats.fernandez_huerta = fernandez_huerta(stats.syllables, stats.words, stats.sentences)
        stats.inflesz = inflesz(stats.syllables, stats.words, stats.sentences)
        stats.words_per_sentence = stats.words / stats.sentences
    stats.longest = sorted(found, key=lambda item: -item[0])[:3]
    return stats
