"""Per-language string tables: every word the layouts print that is not content.

Layouts never write English (or any language) themselves: a cover's
"Patient information", a dose table's "Sets", "Page 2 of 3", the checklist's
weekday heads and the review line all come from :class:`Labels`, looked up
by the topic's language (``theme.labels``).  The words live in
``handoutkit/data/labels/<language>.yaml``, one file per language with the
same keys; dates, month names, weekday names, numbers and plural rules come
from Babel's CLDR data for the table's ``locale``, so "November 2026" is
"noviembre de 2026" in Spanish without a table of month names.

Adding a language: copy ``en.yaml`` to ``<language>.yaml``, translate the
values (keep the ``{placeholders}``), set ``locale`` and ``hyphenation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from handoutkit.errors import HandoutError

LABELS_DIR = Path(__file__).resolve().parent.parent / "data" / "labels"
DEFAULT_LANGUAGE = "en"


def available_languages() -> list[str]:
    """The languages there is a string table for, e.g. ``["en", "es"]``."""
    return sorted(p.stem for p in LABELS_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class Labels:
    """One language's printed words, dates and numbers."""

    language: str
    locale: str  # CLDR locale, e.g. en_US, es_US
    hyphenation: Optional[str]  # pyphen dictionary name, or None: no hyphenation
    strings: dict

    def __getitem__(self, key: str) -> str:
        value = self.strings[key]
        if not isinstance(value, str):
            raise KeyError(f"{key} is a counted label: use Labels.count")
        return value

    def text(self, key: str, **values: object) -> str:
        """The label ``key`` with its ``{placeholders}`` filled in."""
        return self[key].format(**values) if values else self[key]

    def count(self, key: str, n: int) -> str:
        """A counted label in the plural form CLDR gives ``n`` ("1 sheet", "3 sheets")."""
        from babel import Locale

        forms = self.strings[key]
        form = Locale.parse(self.locale).plural_form(n)
        return (forms.get(form) or forms["other"]).format(n=self.number(n))

    def number(self, value: Union[int, float]) -> str:
        """A number as the locale writes it (1,234.5 in en_US and es_US; 1.234,5 in es_ES)."""
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def month_year(self, day: date) -> str:
        """"November 2026" / "noviembre de 2026" (CLDR skeleton yMMMM)."""
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", day, locale=self.locale)

    def long_date(self, day: date) -> str:
        """"November 26, 2026" / "26 de noviembre de 2026" (CLDR long date)."""
        from babel.dates import format_date

        return format_date(day, "long", locale=self.locale)

    @property
    def weekdays(self) -> tuple[str, ...]:
        """Abbreviated weekday names, Monday first, capitalised for column heads ("Mon", "Lun")."""
        from babel.dates import get_day_names

        names = get_day_names("abbreviated", context="stand-alone", locale=self.locale)
        return tuple(names[i][:1].upper() + names[i][1:] for i in range(7))


def table_language(language: str) -> Optional[str]:
    """The table that serves ``language``: its own (``es-US``), else its base language's (``es``); None if none."""
    for code in (language, language.split("-")[0]):
        if (LABELS_DIR / f"{code}.yaml").is_file():
            return code
    return None


@lru_cache(maxsize=None)
def labels_for(language: str = DEFAULT_LANGUAGE) -> Labels:
    """The string table of ``language`` (a topic's ``language:`` code, e.g. ``es`` or ``es-US``)."""
    import yaml

    code = table_language(language)
    path = LABELS_DIR / f"{code}.yaml"
    if code is None:
        raise HandoutError(f"no printed labels for language {language!r}",
                           f"languages with labels: {', '.join(available_languages())}; "
                           f"add handoutkit/data/labels/{language}.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    locale = str(data.pop("locale"))
    hyphenation = data.pop("hyphenation", None)
    return Labels(language=language, locale=locale, hyphenation=hyphenation, strings=data)
