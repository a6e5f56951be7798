"""The content model: plain dataclasses, no reportlab, no YAML.

Everything a layout needs is here, already validated.  Text values are
:class:`Text`, a ``str`` that remembers where in which YAML file it was
written, so that problems found late (a glyph missing from the fonts, a card
too tall for a page) can still be reported as ``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator, Optional, Union

from handoutkit.errors import Location

UNKNOWN = Location("<unknown>")


class Text(str):
    """A string that carries the :class:`Location` it was read from."""

    __slots__ = ("where",)

    def __new__(cls, value: str, where: Location = UNKNOWN) -> "Text":
        obj = super().__new__(cls, value)
        obj.where = where
        return obj

    def __reduce__(self):  # keep the location through pickling (process pools)
        return (Text, (str(self), self.where))


# --------------------------------------------------------------------------- blocks


@dataclass
class Paragraph:
    text: Text


@dataclass
class Bullets:
    items: list[Text]


@dataclass
class Term:
    term: Text
    text: Text


@dataclass
class Terms:
    items: list[Term]


@dataclass
class Callout:
    text: Text
    title: Optional[Text] = None
    tone: str = "info"  # info | warning


@dataclass
class Figure:
    src: Path  # absolute, already confined to the content folder
    alt: Text
    caption: Optional[Text] = None


Block = Union[Paragraph, Bullets, Terms, Callout, Figure]


# --------------------------------------------------------------------------- sections


@dataclass
class Dose:
    sets: int
    reps: int
    times_per_day: int
    hold_seconds: Optional[int] = None
    # Where the dose was written (for parity messages); not part of what a dose is.
    where: Location = field(default=UNKNOWN, compare=False, repr=False)


@dataclass
class Exercise:
    id: Text
    name: Text
    purpose: Text
    image: Path
    image_alt: Text
    steps: list[Text]
    dose: Dose
    tip: Text
    url: Optional[Text] = None
    where: Location = UNKNOWN


@dataclass
class RedFlagGroup:
    urgency: str  # emergency | urgent | soon
    action: Text
    signs: list[Text]


@dataclass
class Habit:
    text: Text
    detail: Optional[Text] = None


@dataclass
class HabitGroup:
    title: Text
    habits: list[Habit]


SECTION_KINDS = ("text", "red_flags", "exercises", "habits")


@dataclass
class Section:
    id: str
    title: Text
    kind: str = "text"
    short_title: Optional[Text] = None
    summary: Optional[Text] = None
    blocks: list[Block] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)  # kind == exercises
    groups: list = field(default_factory=list)  # RedFlagGroup (red_flags) or HabitGroup (habits)
    where: Location = UNKNOWN
    groups_where: Location = UNKNOWN  # the 'groups:' key: what sets a checklist's length
    # Translations: the ``source_hash`` of the source section this one was
    # translated from, as recorded in the file (``translated_from:``).
    translated_from: Optional[Text] = None
    # A short hash of this section's content (comments and layout of the YAML
    # do not count): what a translation records, to tell when it is out of date.
    source_hash: str = ""

    @property
    def label(self) -> str:
        """The short name used in running headers and the contents page."""
        return self.short_title or self.title


# --------------------------------------------------------------------------- topic, handouts, brand


@dataclass
class SectionRef:
    """One section as a handout uses it; ``short`` asks for the summary only."""

    section: Section
    short: bool = False


@dataclass
class Handout:
    name: str  # also the output file stem: booklet -> booklet.pdf
    layout: str
    sections: list[SectionRef]
    title: Optional[Text] = None
    impose: Optional[str] = None  # "saddle-stitch" also writes <name>-print.pdf
    where: Location = UNKNOWN


@dataclass
class Topic:
    id: str  # the folder name
    folder: Path
    title: Text
    language: str
    version: Text
    last_reviewed: date
    review_due: date
    source: Text
    review_note: Text
    sections: list[Section]
    handouts: list[Handout] = field(default_factory=list)
    subtitle: Optional[Text] = None
    cover_image: Optional[Path] = None
    where: Location = UNKNOWN
    review_due_where: Location = UNKNOWN  # the 'review_due:' line, for "review overdue"
    # The languages topic.yaml declares translations for (``translations:``), as written.
    translation_languages: list[Text] = field(default_factory=list)
    # The translations found (``<topic>/<language>/``): topics of the same id in another language.
    translations: list["Topic"] = field(default_factory=list)
    # Set on a translation: the language of the topic it translates (None on a source topic).
    source_language: Optional[str] = None

    @property
    def editions(self) -> list["Topic"]:
        """The topic in every language it has: itself (the source) first, then its translations."""
        return [self, *self.translations]

    @property
    def language_suffix(self) -> str:
        """What a translation adds to its output file names before ``.pdf`` (``.es``); nothing for a source."""
        return f".{self.language}" if self.source_language else ""

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    @property
    def exercises(self) -> list[Exercise]:
        return [ex for s in self.sections if s.kind == "exercises" for ex in s.exercises]


@dataclass
class Colors:
    primary: str
    accent: str
    text: str
    background: str
    tint: str


PAPER_SIZES = ("letter", "a4")


@dataclass
class BrandText:
    """The brand's words in one more language (``translations:`` in brand.yaml)."""

    language: str
    tagline: Optional[Text] = None
    disclaimer: Optional[Text] = None
    address: Optional[Text] = None


@dataclass
class Brand:
    name: Text
    colors: Colors
    address: Text
    phone: Text
    disclaimer: Text
    paper: str = "letter"
    logo: Optional[Path] = None
    tagline: Optional[Text] = None
    website: Optional[Text] = None
    email: Optional[Text] = None
    emergency_number: Text = Text("911")
    where: Location = UNKNOWN
    language: str = "en"  # the language the fields above are written in
    translations: list[BrandText] = field(default_factory=list)

    def text_for(self, language: str) -> Optional[BrandText]:
        """The brand's words in ``language`` (None when brand.yaml has none)."""
        return next((t for t in self.translations if t.language == language), None)

    def localized(self, language: str) -> "Brand":
        """The brand with its tagline, disclaimer and address in ``language``, where brand.yaml gives them."""
        from dataclasses import replace

        words = self.text_for(language) if language != self.language else None
        if words is None:
            return self
        return replace(self, **{name: getattr(words, name) for name in ("tagline", "disclaimer", "address")
                                if getattr(words, name) is not None})

    def placeholders(self) -> dict[str, str]:
        """Values for ``{clinic_phone}`` and friends in content text."""
        return {
            "clinic_name": str(self.name),
            # a no-break space keeps "(555) 010-0199" on one line
            "clinic_phone": str(self.phone).replace(" ", "\u00a0"),
            "clinic_website": str(self.website or ""),
            "clinic_email": str(self.email or ""),
            "emergency_number": str(self.emergency_number),
        }


@dataclass
class Project:
    """Everything under one source folder: the brand and its topics."""

    folder: Path
    brand: Brand
    topics: list[Topic]


def iter_texts(obj) -> "Iterator[Text]":
    """Every :class:`Text` inside a model object, depth first (for whole-content checks)."""
    from dataclasses import fields, is_dataclass

    if isinstance(obj, Text):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from iter_texts(item)
    elif is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            if f.name != "where":
                yield from iter_texts(getattr(obj, f.name))
