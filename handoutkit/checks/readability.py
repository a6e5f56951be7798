"""Offline health-literacy measures for plain-language patient text.

Patient-education guidance asks for text at about a 6th-8th grade reading
level.  This module measures that without any network access (``textstat``
downloads data at run time, so it is not used):

* :func:`split_sentences` splits patient text into sentences, knowing the
  abbreviations such text uses (``e.g.``, ``Dr.``, ``a.m.``, ``U.S.``...),
  decimals (``2.5 mg``), numbered steps and list items or headings that end
  without a full stop.
* :func:`words` tokenises; :func:`count_syllables` counts syllables with the
  ``pyphen`` en_US hyphenation patterns as the main signal, corrected by a
  small rule set.
* :func:`analyse` returns :class:`TextStats` with the Flesch-Kincaid grade
  and SMOG index; :func:`grade_label` formats a grade for reports.

Numbers are counted roughly as spoken: ``12`` is "twelve" (1), ``250`` is
"two hundred fifty" (5), ``2.5`` is "two point five" (3), and a range
``2-4`` is "two to four" (3).  Dates and versions ("12.05.2024") are
read as separate numbers, and digit runs too long to say as one number
(phone numbers) as one syllable per digit: close enough for a grade.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

import pyphen

__all__ = [
    "TextStats",
    "analyse",
    "count_syllables",
    "flesch_kincaid_grade",
    "grade_label",
    "smog_index",
    "split_sentences",
    "strip_markup",
    "words",
]

# One shared hyphenator: building it parses the pattern file, which is slow.
# Created lazily so that importing this module stays cheap.
_hyphenator: Optional[pyphen.Pyphen] = None


def _hyphen_positions(word: str) -> list[int]:
    global _hyphenator
    if _hyphenator is None:
        _hyphenator = pyphen.Pyphen(lang="en_US")
    return _hyphenator.positions(word)


# --------------------------------------------------------------------------
# Markup and tokens
# --------------------------------------------------------------------------

_BOLD_RE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)
# Single-star emphasis only when it hugs a word, so "5 * 3" survives.
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", re.S)
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def strip_markup(text: str) -> str:
    """Remove the inline markup handout content may carry (``**bold**``,
    ``__bold__``, ``*italic*``, ``[text](url)``), keeping the words."""
    if "*" not in text and "_" not in text and "[" not in text:
        return text  # most texts carry no markup: skip the three passes
    text = _LINK_RE.sub(r"\1", text)
    text = _BOLD_RE.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _ITALIC_RE.sub(r"\1", text)
    # Unbalanced leftovers ("**Note" cut off mid-edit) are still not words.
    return text.replace("**", "").replace("__", "")


# A part is letters/digits with internal apostrophes ("don't", "patient's")
# or digit separators ("2.5", "1,000", "10:30", "1/2").  Parts joined by a
# hyphen or an en dash form one word: "follow-up", "anti-inflammatory",
# "2–4".  The em dash is punctuation between words, so it never joins.
_PART = r"[^\W_]+(?:(?:['’]|(?<=\d)[.,:/](?=\d))[^\W_]+)*"
_WORD_RE = re.compile(rf"{_PART}(?:[-‐‑–]{_PART})*")
_JOINERS_RE = re.compile(r"[-‐‑–]")


def words(text: str) -> list[str]:
    """Words of ``text``: runs of letters/digits with internal apostrophes,
    hyphenated compounds and numbers ("2.5", "2–4") each count as one word.

    Markup is stripped first, so ``**Stop**`` is the word ``Stop``.
    """
    return _WORD_RE.findall(strip_markup(text))


# --------------------------------------------------------------------------
# Syllables
# --------------------------------------------------------------------------

_VOWELS = frozenset("aeiouy")
_PLAIN_VOWELS = frozenset("aeiou")

# Words whose spelling misleads every simple rule; kept deliberately short:
# a rule that fixes a family of words is preferred to a list entry.
_EXCEPTIONS: dict[str, int] = {
    "acne": 2,
    "business": 2,
    "businesses": 3,
    "diabetes": 4,
    "eye": 1,
    "eyes": 1,
    "herpes": 2,
    "recipe": 3,
    "syncope": 3,
    "apnea": 3,
    "people": 2,
    "peoples": 2,
}

# Letters read one by one ("MRI", "NHS"); W is the only multi-syllable one.
_LETTER_NAMES = {"w": 3}
# Initialisms common in patient text that contain vowels, so the "no vowel
# means spelled out" test alone would read them as words.
_INITIALISMS = frozenset(
    {"mri", "icu", "ecg", "ekg", "eeg", "bmi", "er", "iv", "gi", "uti", "ent",
     "ibs", "adhd", "hiv", "copd", "ok", "uk", "ob", "ot", "pt"}
)

_ONES = [0, 1, 1, 1, 1, 1, 1, 2, 1, 1]          # zero one two ... seven nine
_TEENS = [1, 2, 1, 2, 2, 2, 2, 3, 2, 2]         # ten eleven ... nineteen
_TENS = [0, 0, 2, 2, 2, 2, 2, 3, 2, 2]          # twenty ... ninety


def _integer_syllables(n: int) -> int:
    """Syllables of ``n`` read aloud in US English ("two hundred fifty")."""
    if n < 10:
        return max(1, _ONES[n]) if n else 2  # "zero"
    if n < 20:
        return _TEENS[n - 10]
    if n < 100:
        return _TENS[n // 10] + (_ONES[n % 10] if n % 10 else 0)
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + 2 + (_integer_syllables(rest) if rest else 0)
    # Years and similar four-digit numbers are read in pairs: "nineteen
    # ninety" rather than "one thousand nine hundred ninety".
    if 1100 <= n <= 9999 and n % 1000 >= 100 and (n // 100) % 10:
        hi, lo = divmod(n, 100)
        return _integer_syllables(hi) + (_integer_syllables(lo) if lo else 2)
    for scale, scale_syllables in ((10**9, 2), (10**6, 2), (10**3, 2)):
        if n >= scale:
            head, rest = divmod(n, scale)
            if head >= 1000:  # beyond billions: not worth spelling out
                return len(str(n))
            return (_integer_syllables(head) + scale_syllables
                    + (_integer_syllables(rest) if rest else 0))
    return 1  # pragma: no cover - every n >= 1000 hits a scale above


def _number_syllables(token: str) -> int:
    """Syllables of a numeric token: "2.5" is "two point five", "10:30" is
    "ten thirty", "1/2" is read as two numbers, ordinals keep their stem."""
    digits = re.sub(r"[^\d.,:/]", "", token)
    if "," in digits and re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        digits = digits.replace(",", "")  # thousands separators
    total = 0
    for chunk in re.split(r"[:/,]", digits):
        pieces = chunk.split(".")
        if len(pieces) == 2 and all(pieces):
            # A decimal: "two point five", digits after the point one by one.
            whole, frac = pieces
            total += _whole_syllables(whole) + 1
            total += sum(_whole_syllables(d) for d in frac)
        else:
            # A date or version ("12.05.2024", "1.2.3"): separate numbers.
            total += sum(_whole_syllables(p) for p in pieces if p)
    return max(1, total)


def _whole_syllables(digits: str) -> int:
    """Syllables of a run of digits read as one number.  Leading zeros
    ("08") are not read; very long runs (phone numbers) are read digit by
    digit, roughly one syllable each."""
    if len(digits) > 12:
        return len(digits)
    return _integer_syllables(int(digits))


def _vowel_groups(word: str) -> list[tuple[int, int]]:
    """Spans (start, end) of vowel runs in a lowercase word.

    "y" is a vowel except at the start of the word ("yes").  A run splits
    after a "y" that a vowel follows ("my-al-gia", "ly-ing", "pla-yer"),
    except before a final silent "e"/"es"/"ed" ("dyed", "played").
    """
    groups: list[tuple[int, int]] = []
    i, n = 0, len(word)
    while i < n:
        c = word[i]
        is_vowel = c in _PLAIN_VOWELS or (c == "y" and i > 0)
        if not is_vowel:
            i += 1
            continue
        start = i
        i += 1
        while i < n and word[i] in _VOWELS:
            if word[i - 1] == "y" and word[i:] not in ("e", "es", "ed"):
                break  # y + vowel starts a new syllable: "my-al", "pla-yer"
            i += 1
        groups.append((start, i))
    return groups


def _hiatus(word: str, start: int, end: int, first: bool) -> int:
    """Extra syllables in the vowel run ``word[start:end]`` that the
    hyphenation patterns did not split (e.g. "vid-e-o", "ar-e-a").

    Most rules answer yes/no, returned as a bool (an int of 0 or 1)."""
    run = word[start:end]
    before = word[start - 1] if start > 0 else ""
    after = word[end:]
    if before in ("q", "g") and run.startswith("u"):
        run = run[1:]  # "qu"/"gu": the u is a consonant ("quiet", "language")
        if not run:
            return False
    if run in ("ia", "iu"):
        # "-cial", "-tial", "-gia", "-sia" are one syllable; "ium" never is.
        return run == "iu" or before not in ("c", "t", "g", "s")
    if run in ("io", "iou"):
        # "-tion", "-sion", "-cious", "-xious", "-gion"; "-llion", "-nion",
        # "-vior" (million, opinion, behavior) after an earlier vowel.
        if before in ("c", "t", "s", "x", "g"):
            return False
        return first or before not in ("l", "n", "v")
    if run in ("eo", "eou"):
        # osteo, video, stereo, hideous; not "surgeon", "gorgeous",
        # "herbaceous" ("people" is an exception).
        return before not in ("g", "c")
    if run == "eoa":
        return 2  # "oste-o-ar-thritis"
    if run == "ea":
        # A final "-ea" after another syllable: "area", "idea", "urea"; a
        # one-syllable word ("sea", "pea") keeps it together.
        return after == "" and not first
    if run == "ua":
        return True  # "gradual", "usual", "actual" (qu/gu handled above)
    if run == "ue":
        return after.startswith("n")  # "fluent", "influence"
    if run == "ie":
        # "client", "quiet": -ie- before t/n, but not "patient", "ancient"
        # or "friend".
        return (after[:1] in ("t", "n") and before not in ("c", "t", "")
                and not after.startswith("nd"))
    if run in ("uo", "uu"):
        return True  # "duo", "fluoride", "vacuum"
    return False


# Suffixes that keep the silent e of their stem silent ("movement").
_E_SUFFIXES = ("ments", "ment", "fully", "ful", "ness", "less", "ly")
# First parts of common compounds that end in a silent e.  Short on
# purpose: "fore" would break "forest", "here" would break "hereditary".
_SILENT_E_HEADS = ("some", "home", "time", "life", "base", "side", "whole",
                   "care", "there", "where", "like")


def _silent_e_before_suffix(word: str) -> bool:
    """True for a stem ending in consonant + silent e before a suffix that
    starts with a consonant ("move|ment", "large|ly", "care|ful")."""
    for suffix in _E_SUFFIXES:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if len(stem) < 3 or stem[-1] != "e" or stem[-2] in _VOWELS:
                return False
            if len(stem) <= 4 and stem.count("e") == 2 and not set(stem) & set("aiouy"):
                return False  # "ele|ment", "tene|ment": that e is spoken
            # Consonant + le/re is a syllable of its own ("gentle|ness").
            syllabic = stem[-2] in "lr" and stem[-3] not in _VOWELS
            return not syllabic
    return False


@lru_cache(maxsize=8192)
def _word_syllables(word: str) -> int:
    """Syllables of one lowercase alphabetic word (no hyphens, no digits)."""
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    groups = _vowel_groups(word)
    if not groups:
        return 1  # "hmm", "st": still a spoken unit
    # Hyphenation points are the main signal: each one inside a vowel run is
    # an extra syllable ("cre-ate", "qui-et", "di-a-be-tes").  Where the
    # patterns say nothing, the hiatus rules above decide.
    cuts = set(_hyphen_positions(word)) if len(word) > 3 else set()
    count = 0
    for index, (start, end) in enumerate(groups):
        inside = sum(1 for p in cuts if start < p < end)
        if inside:
            count += 1 + inside
        else:
            count += 1 + _hiatus(word, start, end, index == 0)

    last_start, last_end = groups[-1]
    tail = word[last_end:]
    lone_e = last_end - last_start == 1 and word[last_start] == "e"
    before_e = word[last_start - 1] if last_start > 0 else ""
    consonant_before = bool(before_e) and before_e not in _VOWELS
    if len(groups) > 1 and lone_e and consonant_before:
        two_before = word[last_start - 2] if last_start > 1 else ""
        syllabic_end = (before_e in "lr" and two_before
                        and two_before not in _VOWELS and two_before != before_e)
        if tail == "":
            # Silent final e ("posture", "exercise"), but consonant + le/re
            # is its own syllable ("muscle", "table", "centre").
            if not syllabic_end:
                count -= 1
        elif tail == "s":
            # "-es" is silent after most consonants ("likes") but a syllable
            # after a sibilant ("stretches", "pieces", "changes") and in
            # consonant + les ("muscles").
            sibilant = (before_e in "szxcg"
                        or word[:last_start].endswith(("ch", "sh"))
                        and not word.endswith("aches"))  # "ache" is /k/
            if not sibilant and not syllabic_end:
                count -= 1
        elif tail == "d":
            # "-ed" adds a syllable only after t or d ("wanted", "needed")
            # and in consonant + "led" ("tingled", "handled").
            if before_e not in "td" and not syllabic_end:
                count -= 1
    if word.endswith(("ism", "isms")):
        count += 1  # syllabic m: "rheu-ma-tis-m" is four
    if _silent_e_before_suffix(word):
        count -= 1  # "move-ment", "safe-ly", "use-ful", "aware-ness"
    elif word.startswith(_SILENT_E_HEADS):
        # Compounds whose first part ends in a silent e: "some-thing",
        # "life-style", "care-giver".
        head = next(h for h in _SILENT_E_HEADS if word.startswith(h))
        if len(word) > len(head) + 2 and word[len(head)] not in _VOWELS:
            count -= 1
    if word.startswith("every"):
        count -= 1  # "ev'ry": the middle e is silent in speech
    if word.endswith("ing"):
        # "being", "seeing", "doing" when the patterns did not split them.
        s, e = groups[-1]
        if e - s > 1 and e == len(word) - 2 and not any(s < p < e for p in cuts):
            count += 1
    if word.endswith(("gue", "gues", "gued", "que", "ques")) and len(groups) > 1 \
            and not word.startswith("argu"):
        count -= 1  # silent "ue": "fatigue", "technique", "tongue"
    return max(1, count)


@lru_cache(maxsize=16384)
def count_syllables(word: str) -> int:
    """Syllables in ``word``, always at least 1.

    Letters use pyphen's en_US hyphenation points corrected by rules for
    silent final e, consonant + "le", "-es"/"-ed" endings and vowel runs
    that are two syllables.  Hyphenated compounds count their parts;
    apostrophes are dropped (a consonant + "n't" is a syllable: "did-n't").
    Numbers are counted as spoken (see the module docstring); all-capital
    initialisms ("MRI", "NHS") are read letter by letter.
    """
    word = word.strip()
    parts = [p for p in _JOINERS_RE.split(word) if p]
    if len(parts) > 1:
        total = sum(count_syllables(p) for p in parts)
        # "2–4" is "two to four": the dash between numbers is a spoken word.
        if all(any(ch.isdigit() for ch in p) for p in parts):
            total += len(parts) - 1
        return total
    if not parts:
        return 1
    word = parts[0]
    if any(ch.isdigit() for ch in word):
        letters = re.sub(r"[^A-Za-z]", "", word)
        number = _number_syllables(word)
        # "1st", "3rd", "10th": the suffix is part of the spoken number;
        # "B12", "mg2": count the letters too.
        if letters.lower() in ("st", "nd", "rd", "th", ""):
            return number
        return number + count_syllables(letters)

    extra = 0
    plain = word.replace("’", "'")
    if re.search(r"[^aeiouy'\W]n't$", plain.lower()):
        extra = 1  # "didn't", "isn't", "wouldn't"
    letters_only = "".join(ch for ch in plain if ch.isalpha())
    if not letters_only:
        return 1
    lower = letters_only.lower()
    if letters_only.isupper() and 2 <= len(letters_only) <= 5 and (
        not (set(lower) & _VOWELS) or lower in _INITIALISMS
    ):
        return sum(_LETTER_NAMES.get(ch, 1) for ch in lower)
    if not lower.isascii():
        # Accented loan words ("café"): fold to ASCII for the rules.
        folded = unicodedata.normalize("NFKD", lower)
        lower = "".join(ch for ch in folded if ch.isascii() and ch.isalpha())
        if not lower:
            return 1
    return _word_syllables(lower) + extra


# --------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------

# Never end a sentence: titles and abbreviations always followed by more.
_NEVER_FINAL = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "e.g", "i.e", "vs", "cf", "approx",
     "tel", "ext", "dept", "jr", "sr", "mt", "incl",
     "eg", "ie", "esp", "ph.d", "m.d", "d.o", "r.n", "n.b"}
)
# Abbreviations only before a number ("No. 5", "p. 4", "Fig. 2"); before
# anything else they are ordinary words ending a sentence ("Just say no.").
_BEFORE_NUMBER = frozenset({"no", "nos", "p", "pp", "ca", "fig", "vol"})
# Often end a sentence ("...at 8 a.m. Then rest."): a boundary when the
# next word is capitalised.
_MAYBE_FINAL = frozenset({"etc", "a.m", "p.m", "am", "pm"})
# Country names: mostly mid-sentence ("the U.S. Food and Drug
# Administration"), so a boundary only before a common sentence opener.
_PLACE_FINAL = frozenset({"u.s", "u.k", "u.s.a", "e.u"})
_OPENERS = frozenset(
    """a an the this that these those it its if in on at for to you your we
    our they their he she his her most many some all each every one do don't
    does not no never always call ask tell take try talk see get go use keep
    stop avoid make be is are was there here when while after before during
    then also but and or so as because although however what why how who
    where which other others more less people patients children""".split()
)

_TERMINATOR_RE = re.compile(r"[.!?…]+[\"'”’)\]]*")
_LIST_MARKER_RE = re.compile(
    r"^\s*(?:[-*+•‣◦▪●]|\(?\d{1,3}[.)]|\(?[a-z][)]|step\s+\d+[.:)]?)\s+",
    re.I,
)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_WINDOW = 80
_SPACES_RE = re.compile(r"\s*")
_STEP_NUMBER_RE = re.compile(r"(?:^|[.!?][\"'”’)\]]*\s+)\(?\d{1,3}$")
_ABBREV_TAIL_RE = re.compile(r"((?:[A-Za-z]+\.)*[A-Za-z]+)$")


def _split_blocks(text: str) -> list[str]:
    """Hard blocks: paragraphs, list items and headings.

    A blank line always separates; a line that starts with a list marker
    starts a new block.  A single newline inside a paragraph is just a wrap
    (YAML literal blocks keep them), unless the line before ends without
    punctuation and the next begins with a capital letter, which is how a
    heading above its paragraph looks.
    """
    blocks: list[str] = []
    for para in _BLANK_LINE_RE.split(text):
        current: list[str] = []
        for line in para.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            starts_item = bool(_LIST_MARKER_RE.match(stripped))
            heading_break = bool(
                len(current) == 1
                and current[0][:1].isupper()
                and not re.search(r"[.!?:;,\-–—(\"'“‘]$", current[-1])
                and stripped[:1].isupper()
                and len(words(current[-1])) <= 8
            )
            if current and (starts_item or heading_break):
                blocks.append(" ".join(current))
                current = []
            current.append(stripped)
        if current:
            blocks.append(" ".join(current))
    return blocks


def _is_boundary(block: str, dot_start: int, match_end: int) -> bool:
    """Decide whether the terminator at ``block[dot_start:match_end]`` ends
    a sentence."""
    # Only a short window either side is looked at: slicing the whole block
    # for every full stop made long texts quadratic.
    if match_end < len(block) and not block[match_end].isspace():
        return False  # "2.5", "e.g.," "U.S.-based": not followed by a space
    j = _SPACES_RE.match(block, match_end).end()
    if j >= len(block):
        return True
    rest = block[j:j + _WINDOW]
    mark = block[dot_start:match_end]
    nxt = rest[0]
    next_word = re.match(r"[\w']+", rest)
    next_token = next_word.group(0) if next_word else ""
    if nxt.islower():
        # A lowercase continuation is never a new sentence in edited text
        # ("take 1 tab. daily", "e.g. ice").
        return False
    if not mark.startswith("."):
        return True  # "?" and "!" always end a sentence
    # The step-number pattern's "^" can only match a window that starts the
    # block: a cut window is _WINDOW characters long, never just a number.
    before = block[max(0, dot_start - _WINDOW):dot_start]
    number = _STEP_NUMBER_RE.search(before)
    if number:
        # "Rest. 2. Bend your knees.": a number right after a sentence end
        # numbers a step, unless that "end" was "p." or "No." ("See p. 4.").
        prev = _ABBREV_TAIL_RE.search(before[: number.start() + 1].rstrip(".!? "))
        if not (prev and prev.group(1).lower() in _BEFORE_NUMBER):
            return False
    tail = _ABBREV_TAIL_RE.search(before)
    if not tail:
        return True  # after a digit, a bracket or a quote
    token = tail.group(1)
    key = token.lower()
    if key in _NEVER_FINAL:
        return False
    if key in _BEFORE_NUMBER:
        return not nxt.isdigit()
    if key in _MAYBE_FINAL:
        return nxt.isupper()
    if key in _PLACE_FINAL:
        return next_token.lower() in _OPENERS
    if len(token) == 1 and token.isupper():
        # An initial ("J. Smith", "Dr. A. B. Jones") is followed by another
        # initial or a surname after a title; "vitamin D. Walk daily." ends.
        prev = _ABBREV_TAIL_RE.search(before[: -1].rstrip(". ")) if len(before) > 1 else None
        prev_key = prev.group(1).lower() if prev else ""
        follows_title = prev_key in _NEVER_FINAL or (
            len(prev_key) == 1 and before[:-1].rstrip().endswith(".")
        )
        next_is_initial = bool(re.match(r"[A-Z]\.", rest))
        if follows_title or next_is_initial:
            return False
    if "." in token:
        # Unknown dotted abbreviation ("q.d."): end only before a capital.
        return nxt.isupper()
    return True


def split_sentences(text: str) -> list[str]:
    """Split patient text into sentences.

    Markup is stripped first.  Known abbreviations (e.g., i.e., Dr., vs.,
    a.m., p.m., U.S., etc.) and decimals do not end a sentence; numbered or
    bulleted steps lose their marker; a list item or heading without a final
    full stop is a sentence of its own.  Pieces without any word are dropped.
    """
    text = strip_markup(text).replace("\r\n", "\n").replace("\r", "\n")
    sentences: list[str] = []
    for block in _split_blocks(text):
        block = _LIST_MARKER_RE.sub("", block, count=1).strip()
        start = 0
        for m in _TERMINATOR_RE.finditer(block):
            if _is_boundary(block, m.start(), m.end()):
                sentences.append(block[start:m.end()])
                start = m.end()
        sentences.append(block[start:])
    out: list[str] = []
    for sentence in sentences:
        # A numbered step that follows a sentence on the same line ("Rest.
        # 2. Stand up.") leaves its number at the start of the next piece.
        sentence = _LIST_MARKER_RE.sub("", sentence.strip(), count=1).strip()
        sentence = re.sub(r"\s+", " ", sentence)
        if words(sentence):
            out.append(sentence)
    return out


# --------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------


@dataclass
class TextStats:
    """Counts and readability grades for a body of text.

    ``longest`` holds up to three ``(word_count, sentence)`` pairs, longest
    first, so a report can point the author at the sentences to shorten.
    """

    sentences: int = 0
    words: int = 0
    syllables: int = 0
    polysyllables: int = 0
    fk_grade: float = 0.0
    smog: float = 0.0
    words_per_sentence: float = 0.0
    longest: list[tuple[int, str]] = field(default_factory=list)


def flesch_kincaid_grade(words_: int, sentences: int, syllables: int) -> float:
    """Flesch-Kincaid grade level; 0.0 when there is nothing to measure."""
    if not words_ or not sentences:
        return 0.0
    return 0.39 * (words_ / sentences) + 11.8 * (syllables / words_) - 15.59


def smog_index(polysyllables: int, sentences: int) -> float:
    """SMOG grade, scaled to a 30-sentence sample; 0.0 without sentences."""
    if not sentences:
        return 0.0
    return 1.0430 * math.sqrt(polysyllables * 30 / sentences) + 3.1291


# Bump when anything that changes a measurement changes (sentence splitting,
# tokenising, syllable rules, the hyphenation patterns used): cached results
# are keyed by it (handoutkit.checks.cache).
ANALYSIS_VERSION = f"1 pyphen {getattr(pyphen, '__version__', '?')}"

# The measures of one text, the unit analyse() adds up: sentence, word,
# syllable and polysyllable counts, and its three longest sentences as
# (-words, index of the sentence in the text, sentence).
_Part = tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]


def _measure(text: str) -> _Part:
    n_sentences = n_words = n_syllables = n_poly = 0
    ranked: list[tuple[int, int, str]] = []
    for sentence in split_sentences(text):
        tokens = words(sentence)
        if not tokens:
            continue
        n_sentences += 1
        n_words += len(tokens)
        for token in tokens:
            syl = count_syllables(token)
            n_syllables += syl
            if syl >= 3:
                n_poly += 1
        # The index keeps ties in reading order.
        ranked.append((-len(tokens), len(ranked), sentence))
    ranked.sort()
    return n_sentences, n_words, n_syllables, n_poly, tuple(ranked[:3])


@lru_cache(maxsize=65536)
def _part(text: str) -> _Part:
    """:func:`_measure`, remembered for the process and, during a build or check, on disk."""
    from handoutkit.checks import cache

    # _measure looked up at call time, so a test can replace it
    return cache.remembered("readability", ANALYSIS_VERSION, text, lambda t: _measure(t), _part_json,
                            _part_from_json)


def _part_json(part: _Part) -> list:
    return [part[0], part[1], part[2], part[3], [list(r) for r in part[4]]]


def _part_from_json(hit: object) -> Optional[_Part]:
    if isinstance(hit, list) and len(hit) == 5:
        return hit[0], hit[1], hit[2], hit[3], tuple((n, i, s) for n, i, s in hit[4])
    return None


def analyse(texts: Iterable[str]) -> TextStats:
    """Measure ``texts``: each item is a paragraph, list item, step or
    heading, and is split into sentences on its own (an item never runs on
    into the next).  Empty input gives all zeros.

    Each item is measured once (see :func:`_part`); the totals are sums,
    and the three longest sentences overall are among the three longest of
    each item, ties kept in reading order."""
    if isinstance(texts, str):
        texts = [texts]  # a lone string is one text, not its characters
    n_sentences = n_words = n_syllables = n_poly = 0
    ranked: list[tuple[int, int, str]] = []
    for text in texts:
        if not text:
            continue
        sentences, words_, syllables, poly, longest = _part(str(text))
        ranked += [(neg, n_sentences + index, sentence) for neg, index, sentence in longest]
        n_sentences += sentences
        n_words += words_
        n_syllables += syllables
        n_poly += poly
    ranked.sort()
    return TextStats(
        sentences=n_sentences,
        words=n_words,
        syllables=n_syllables,
        polysyllables=n_poly,
        fk_grade=flesch_kincaid_grade(n_words, n_sentences, n_syllables),
        smog=smog_index(n_poly, n_sentences),
        words_per_sentence=n_words / n_sentences if n_sentences else 0.0,
        longest=[(-neg, s) for neg, _, s in ranked[:3]],
    )


def grade_label(fk: float) -> str:
    """Human label for a grade, e.g. ``"grade 7.2"``.

    A negative Flesch-Kincaid value (very short, one-syllable text) means
    nothing to a reader, so it is shown as grade 0.0; NaN/inf as "n/a".
    """
    if not math.isfinite(fk):
        return "grade n/a"
    return f"grade {max(fk, 0.0):.1f}"
