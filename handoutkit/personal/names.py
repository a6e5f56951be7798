"""Patient details as text we can print exactly, and messages that never repeat them.

A name on a sheet is printed exactly as typed or not at all (issue 8):

* it is normalised to NFC first, so a decomposed accent (``Jose`` + U+0301)
  becomes the one character ``é`` the fonts draw;
* characters that would print wrongly are refused with a message naming the
  problem (and for scripts the script), never the value: control and
  invisible formatting characters, non-characters (U+FFFF ...), private-use
  and unassigned code points, marks that stay loose after NFC (the stamp
  places glyph after glyph, it cannot stack a mark on its letter), and
  right-to-left scripts (Hebrew, Arabic ...), which the stamp would draw in
  logical order with unjoined letters; the hint suggests a Latin spelling;
* characters no bundled font has (CJK, Thai ...) are refused the same way.

Everything accepted is drawn glyph by glyph from the bundled fonts with a
ToUnicode map, and the tests read every accepted name back from the page.

:func:`shown` is the one way a message may mention a value from a plan or
CSV: only a token that looks like an id (lower-case letters, digits and
hyphens) is quoted; anything else is "a value", because a name typed into
the wrong column must not reach a message.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

from handoutkit.render import fonts

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_RTL = {"R", "AL", "AN", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "PDF", "PDI", "FSI"}
_ID_LIKE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def script_of(char: str) -> str:
    """The script word of a character's Unicode name ("Hebrew", "Arabic", "CJK" ...)."""
    name = unicodedata.name(char, "")
    return (name.split()[0].title() if name else "an unknown").replace("Cjk", "CJK")


def check_personal(field_name: str, value: str, max_len: int) -> tuple[Optional[str], Optional[str]]:
    """(cleaned value, None) or (None, problem): the problem never quotes the value."""
    cleaned, problem, _ = check_text(value, max_len)
    return cleaned, problem


def check_text(value: str, max_len: int) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(NFC value with runs of white space made one space, problem, hint); see the module docstring."""
    if _CONTROL.search(value):
        return None, "contains a control character (a tab or line break is fine only in a note)", None
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    if not cleaned:
        return None, "is empty", None
    if len(cleaned) > max_len:
        return None, f"is {len(cleaned)} characters long; the limit is {max_len}", None
    latin = "write it in Latin letters, e.g. as on the patient's ID card"
    for char in cleaned:
        cp = ord(char)
        category = unicodedata.category(char)
        if is_noncharacter(cp) or category == "Cs":
            return None, f"contains U+{cp:04X}, which is not a character", "retype it: it may come from a broken export"
        if category in ("Co", "Cn"):
            return None, f"contains U+{cp:04X}, a private-use or unassigned code point that prints as a box", \
                "retype it without that character"
        if unicodedata.bidirectional(char) in _RTL:
            if category == "Cf":
                return None, f"contains U+{cp:04X}, an invisible direction mark", "retype it without that character"
            return None, (f"is written in {script_of(char)} script, which this sheet cannot print correctly "
                          "(right-to-left letters would come out reversed and unjoined)"), latin
        if category == "Cf":
            return None, f"contains U+{cp:04X}, an invisible formatting character", "retype it without that character"
        if category.startswith("M"):
            return None, f"contains U+{cp:04X}, a combining mark that cannot be joined to its letter", \
                "type the letter with its accent as one character, or leave the mark out"
    missing = fonts.missing_chars(cleaned)
    if missing:
        scripts = sorted({script_of(c) for c in missing})
        return None, (f"contains {', '.join(scripts)} characters that no bundled font can draw, "
                      "so the sheet cannot print them"), latin
    return cleaned, None, None


def shown(token: str, fallback: str = "a value") -> str:
    """``token`` quoted if it looks like an id (safe to repeat), else ``fallback``: never a name."""
    token = token.strip()
    return repr(token) if _ID_LIKE.fullmatch(token) else fallback


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_PATH_PART = re.compile(r"[a-z_][a-z0-9_]*(\[\d+\])*")


def scrub(message: str) -> str:
    """A message with every quoted value that is not id-like replaced by "a value" (punctuation such
    as '[' in a hint is kept: it holds no letter of a name)."""
    def one(match: re.Match) -> str:
        inner = match.group(0)[1:-1]
        return match.group(0) if not any(c.isalpha() for c in inner) else shown(inner)

    return _QUOTED.sub(one, message)


def scrub_path(path: str) -> str:
    """A field path (``exercises[2].dose``) with any part that is not a plain key replaced."""
    if not path:
        return path
    return ".".join(part if _PATH_PART.fullmatch(part) else "(a key)" for part in path.split("."))
