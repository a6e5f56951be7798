"""The content format, declared once: brand, topic, section, exercise and handout files.

These declarations drive validation (:mod:`handoutkit.content.load`) and the
generated reference page ``docs/content-format.md`` (:func:`reference_markdown`).
To add a field: declare it here, add it to the dataclass in
:mod:`handoutkit.content.model`, and regenerate the docs with ``handout docs``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from handoutkit.content import assets
from handoutkit.content.model import (
    PAPER_SIZES, SECTION_KINDS, Brand, BrandText, Bullets, Callout, Colors, Dose, Exercise, Figure, Habit,
    HabitGroup, Paragraph, RedFlagGroup, Term, Terms, Text,
)
from handoutkit.content.schema import (
    INVALID, Bool, Choice, Context, Date, Field, Int, ListOf, OneOf, Record, Spec, Str, StrOrRecord, describe,
    did_you_mean,
)

PLACEHOLDERS = ("clinic_name", "clinic_phone", "clinic_website", "clinic_email", "emergency_number")
ID_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"


class ContentContext(Context):
    """A conversion context that knows the folder assets must stay inside."""

    def __init__(self, shown: str, base: Path) -> None:
        super().__init__(shown)
        self.base = base


class ProseText(Str):
    """Patient-facing text: checks ``{placeholders}`` and ``**bold**`` markup."""

    def convert(self, node, ctx, path):
        value = super().convert(node, ctx, path)
        if value is INVALID:
            return value
        for name in re.findall(r"\{([^{}]*)\}", value):
            if name not in PLACEHOLDERS:
                hint = did_you_mean(name, PLACEHOLDERS) or f"placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
                return ctx.error(node, path, f"unknown placeholder {{{name}}}", hint)
        if value.count("**") % 2:
            return ctx.error(node, path, "unbalanced ** (bold markers come in pairs)", "write **word** to make a word bold")
        return value


class Asset(Str):
    """A path to an image inside the content folder, checked on disk."""

    def __init__(self) -> None:
        super().__init__(kind="image path (PNG, JPEG or SVG, relative to the content folder)")

    def convert(self, node, ctx, path):
        value = super().convert(node, ctx, path)
        if value is INVALID:
            return value
        resolved, problem = assets.resolve_asset(str(value), ctx.base)
        shown = str(value).replace("\0", "\\0")
        if resolved is None and problem and problem.startswith("file not found"):
            return ctx.error(node, path, problem, _nearby_images(ctx.base, str(value)))
        if problem is None:
            problem = assets.check_image(resolved)
        if problem:
            # Every image message names the file, and says what to do.
            message = problem if shown in problem else f"{shown}: {problem}"
            return ctx.error(node, path, message, _asset_hint(problem))
        return resolved


def _asset_hint(problem: str) -> Optional[str]:
    if "outside the content folder" in problem or "'..'" in problem or "absolute path" in problem:
        return ("copy the image into the topic's folder (e.g. images/) and give its path from there; "
                "brand images are relative to the content folder")
    if "cannot be read" in problem:
        return "open the picture in an image editor and save it again as a plain PNG or JPEG"
    if "simplify" in problem:
        return "merge or simplify the shapes in your drawing program, or save the picture as a PNG"
    if "limit" in problem:
        return "export the picture smaller: 300 dpi at the printed size is enough"
    return None


def _nearby_images(base: Path, relative: str) -> str:
    """A hint naming the images that do exist in the folder the path points into."""
    folder = (base / relative).parent
    names = sorted(str(p.relative_to(base)) for p in folder.glob("*")
                   if p.suffix.lower() in assets.IMAGE_SUFFIXES) if folder.is_dir() else []
    if not names:
        return "no PNG, JPEG or SVG files there"
    return did_you_mean(relative, names) or f"images there: {', '.join(names)}"


def text(max_len: Optional[int] = None) -> Str:
    return ProseText(max_len=max_len)


def record(name: str, fields: list[Field], build: Callable[[dict], Any], doc: str = "") -> Record:
    return Record(name=name, fields=fields, build=build, doc_text=doc)


def _pick(values: dict, cls, *names: str, **extra):
    """Build ``cls`` from the values present (absent optional fields keep their default)."""
    kwargs = {n: values[n] for n in names if n in values}
    kwargs.update(extra)
    return cls(**kwargs)


class MapOf(Spec):
    """A mapping whose keys are checked by ``key`` (e.g. language codes) and values by ``value``.

    Converts to a list of ``(key, value)`` pairs in file order; the key is a
    :class:`Text` (it keeps its location).
    """

    kind = "mapping"

    def __init__(self, key: Str, value: Spec, doc_text: str) -> None:
        self.key, self.value, self.doc_text = key, value, doc_text

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.MappingNode):
            return ctx.error(node, path, f"expected {self.doc_text}, got {describe(node)}")
        pairs: list[tuple[Text, Any]] = []
        ok = True
        for key_node, value_node in node.value:
            key = self.key.convert(key_node, ctx, f"{path} key")
            if key is INVALID:
                ok = False
                continue
            if any(key == seen for seen, _ in pairs):
                ctx.error(key_node, f"{path}.{key}", f"duplicate key {str(key)!r}",
                          "YAML keeps only the last one silently: remove one")
                ok = False
                continue
            value = self.value.convert(value_node, ctx, f"{path}.{key}")
            ok = ok and value is not INVALID
            pairs.append((key, value))
        return pairs if ok else INVALID

    def doc(self):
        return self.doc_text


COLOR = Str(pattern=r"#[0-9A-Fa-f]{6}", pattern_hint='write colours as quoted hex: "#1B4F72"', kind="colour")
URL = Str(pattern=r"https://[^\s/$.?#][^\s]*", pattern_hint="use a full https:// address", kind="https URL")
ID = Str(pattern=ID_PATTERN, pattern_hint="use lower-case letters, digits and hyphens, e.g. chin-tuck", kind="id")
LANGUAGE = Str(pattern=r"[a-z]{2}(-[A-Z]{2})?", kind="language code", pattern_hint="e.g. en or es")

# ----------------------------------------------------------------------------- brand

COLORS = record("colours", [
    Field("primary", COLOR, doc="headings and colour bands; must contrast with background and white"),
    Field("accent", COLOR, doc="the red-flag box"),
    Field("text", COLOR, doc="body text"),
    Field("background", COLOR, doc="page background, normally white"),
    Field("tint", COLOR, doc="light panel behind callouts"),
], lambda v: _pick(v, Colors, "primary", "accent", "text", "background", "tint"))

BRAND = record("brand", [
    Field("name", text(60), doc="the clinic's name, as printed"),
    Field("tagline", text(90), required=False),
    Field("logo", Asset(), required=False, doc="relative to the handouts folder"),
    Field("colors", COLORS),
    Field("address", text(120)),
    Field("phone", text(30), doc="printed large in the colour bands beside the clinic's name: at most 30 characters"),
    Field("website", text(60), required=False),
    Field("email", text(60), required=False),
    Field("emergency_number", text(12), required=False),
    Field("disclaimer", text(600)),
    Field("paper", Choice(PAPER_SIZES), required=False, default="letter"),
    Field("language", LANGUAGE, required=False, default="en", doc="the language the text above is written in"),
    Field("translations", MapOf(LANGUAGE, record("brand text", [
        Field("tagline", text(90), required=False),
        Field("disclaimer", text(600), required=False),
        Field("address", text(120), required=False, doc="only if it is written differently"),
    ], lambda v: v), "language code → brand text"), required=False,
          doc="the tagline and disclaimer in each language a topic is translated into, e.g. `es: {disclaimer: ...}`"),
], lambda v: _pick(v, Brand, "name", "tagline", "logo", "colors", "address", "phone", "website", "email",
                   "emergency_number", "disclaimer", "paper", "language", where=v["__where__"],
                   translations=[BrandText(str(code), **{k: t[k] for k in ("tagline", "disclaimer", "address")
                                                        if k in t})
                                 for code, t in v.get("translations", [])]),
   doc="`handouts/brand.yaml`: the clinic's identity, shared by every topic.")

# ----------------------------------------------------------------------------- topic

TOPIC = record("topic", [
    Field("title", text(80)),
    Field("subtitle", text(140), required=False),
    Field("language", LANGUAGE, doc="the language the topic is written in"),
    Field("version", Str(max_len=20)),
    Field("last_reviewed", Date()),
    Field("review_due", Date()),
    Field("source", text(300)),
    Field("review_note", text(300), doc="printed on the back cover; say who must review sample content"),
    Field("cover_image", Asset(), required=False),
    Field("sections", ListOf(ID, min_items=1), doc="section ids in reading order; each is sections/<id>.yaml"),
    Field("translations", ListOf(LANGUAGE, min_items=1), required=False,
          doc="languages the topic is translated into; each is a folder `<topic>/<language>/`"),
], lambda v: v, doc="`<topic>/topic.yaml`: the topic's metadata and its section order.")

TRANSLATION = record("translation", [
    Field("title", text(80)),
    Field("subtitle", text(140), required=False, doc="required when the source topic has one"),
    Field("source", text(300)),
    Field("review_note", text(300), doc="say that a sample translation must be reviewed by a qualified translator"),
    Field("cover_image", Asset(), required=False, doc="default: the source topic's picture"),
    Field("handouts", MapOf(ID, record("translated handout", [Field("title", text(80))], lambda v: v),
                            "handout name → {title: ...}"), required=False,
          doc="a translated title for each handout whose source has one"),
], lambda v: v, doc=(
    "`<topic>/<language>/topic.yaml`: one translation of a topic, in the language its folder is named after "
    "(declared in the source's `translations:`). Beside it, `<language>/sections/<id>.yaml` holds every section "
    "of the source, in the section format below, with `translated_from:` set to the source section's hash "
    "(`handout check` prints it). Version, review dates, section order and `handouts.yaml` are the source's; "
    "image paths are relative to the topic folder, so a translation shares the source's pictures "
    "(with its own alt text) unless it names others. Each translated file is built as "
    "`<handout>.<language>.pdf` (e.g. `booklet.es.pdf`), and `handout check` holds it to parity with the source."))

# ----------------------------------------------------------------------------- blocks

TERM = record("term", [Field("term", text(80)), Field("text", text())],
              lambda v: Term(v["term"], v["text"]))
CALLOUT = record("callout", [
    Field("text", text()),
    Field("title", text(80), required=False),
    Field("tone", Choice(("info", "warning")), required=False, default="info"),
], lambda v: _pick(v, Callout, "text", "title", "tone"))
FIGURE = record("image", [
    Field("src", Asset()),
    Field("alt", text(200)),
    Field("caption", text(200), required=False),
], lambda v: _pick(v, Figure, "src", "alt", "caption"))

BLOCK = OneOf(
    variants={
        "paragraph": text(),
        "bullets": ListOf(text(), min_items=1),
        "terms": ListOf(TERM, min_items=1),
        "callout": CALLOUT,
        "image": FIGURE,
    },
    wrap={
        "paragraph": Paragraph,
        "bullets": Bullets,
        "terms": Terms,
        "callout": lambda v: v,
        "image": lambda v: v,
    },
)

# ----------------------------------------------------------------------------- section kinds

DOSE = record("dose", [
    Field("sets", Int(1, 20)),
    Field("reps", Int(1, 100)),
    Field("times_per_day", Int(1, 12)),
    Field("hold_seconds", Int(1, 600), required=False),
], lambda v: _pick(v, Dose, "sets", "reps", "times_per_day", "hold_seconds", where=v["__where__"]))

EXERCISE = record("exercise", [
    Field("id", ID),
    Field("name", text(40)),
    Field("purpose", text(200)),
    Field("image", Asset()),
    Field("image_alt", text(200)),
    Field("steps", ListOf(text(200), min_items=2, max_items=6)),
    Field("dose", DOSE),
    Field("tip", text(220)),
    Field("url", URL, required=False, doc="optional video or web page (https only)"),
], lambda v: _pick(v, Exercise, "id", "name", "purpose", "image", "image_alt", "steps", "dose", "tip", "url",
                   where=v["__where__"]))

RED_FLAG_GROUP = record("red-flag group", [
    Field("urgency", Choice(("emergency", "urgent", "soon"))),
    Field("action", text(160)),
    Field("signs", ListOf(text(160), min_items=1)),
], lambda v: RedFlagGroup(v["urgency"], v["action"], v["signs"]))

HABIT = record("habit", [
    Field("text", text(48), doc="the checklist line, first person"),
    Field("detail", text(), required=False, doc="the booklet's explanation"),
], lambda v: _pick(v, Habit, "text", "detail"))
HABIT_GROUP = record("habit group", [
    Field("title", text(40)),
    Field("habits", ListOf(HABIT, min_items=1, max_items=8)),
], lambda v: HabitGroup(v["title"], v["habits"]))


class SectionGroups(Spec):
    """``groups`` means red-flag groups or habit groups, depending on the section's kind."""

    kind = "list of groups"

    def __init__(self) -> None:
        self.red_flags = ListOf(RED_FLAG_GROUP, min_items=1)
        self.habits = ListOf(HABIT_GROUP, min_items=1)

    def convert(self, node, ctx, path):
        # The section's kind is not known while its fields are converted one by
        # one, so the shape of the first group picks the reading; load.py then
        # checks that kind and groups agree.
        first = _first_keys(node)
        spec = self.habits if "habits" in first or "title" in first else self.red_flags
        return spec.convert(node, ctx, path)

    def doc(self):
        return "list of red-flag groups (kind red_flags) or habit groups (kind habits)"


def _first_keys(node: yaml.Node) -> set[str]:
    if isinstance(node, yaml.SequenceNode) and node.value and isinstance(node.value[0], yaml.MappingNode):
        return {k.value for k, _ in node.value[0].value if isinstance(k, yaml.ScalarNode)}
    return set()


SECTION = record("section", [
    Field("title", text(80)),
    Field("short_title", text(28), required=False),
    Field("kind", Choice(SECTION_KINDS), required=False, default="text"),
    Field("summary", text(260), required=False, doc="1–2 sentences used when a handout asks for the short version"),
    Field("blocks", ListOf(BLOCK), required=False),
    Field("exercises", ListOf(EXERCISE, min_items=1), required=False, doc="kind exercises only"),
    Field("groups", SectionGroups(), required=False, doc="kind red_flags or habits only"),
    Field("translated_from", Str(pattern=r"[0-9a-f]{12}", kind="source section hash",
                                 pattern_hint="copy the hash `handout check` gives for the source section"),
          required=False, doc="translations only: the hash of the source section this was translated from"),
], lambda v: v, doc="`<topic>/sections/<id>.yaml`: one section.")

# ----------------------------------------------------------------------------- handouts

SECTION_REF = StrOrRecord(
    short=ID,
    full=record("section reference", [Field("section", ID), Field("short", Bool(), required=False)],
                lambda v: (v["section"], v.get("short", False), v["__where__"])),
    from_short=lambda v: (v, False, v.where),
)


class SectionList(Spec):
    """``all`` or a list of section references."""

    kind = "all, or a list of section ids"

    def __init__(self) -> None:
        self.items = ListOf(SECTION_REF, min_items=1)

    def convert(self, node, ctx, path):
        if isinstance(node, yaml.ScalarNode) and node.value == "all":
            return "all"
        return self.items.convert(node, ctx, path)

    def doc(self):
        return "`all`, or a list of section ids / `{section: id, short: true}`"


HANDOUT = record("handout", [
    Field("layout", ID, doc="booklet, exercise-sheet or checklist"),
    Field("title", text(80), required=False),
    Field("sections", SectionList()),
    Field("impose", Choice(("saddle-stitch",)), required=False, doc="also write <name>-print.pdf, imposed for folding"),
], lambda v: v, doc="one entry of `<topic>/handouts.yaml`; its key is the output file name.")


class HandoutMap(Spec):
    """``handouts.yaml``: handout name → handout record."""

    kind = "mapping of handout name to handout"

    def convert(self, node, ctx, path):
        if not isinstance(node, yaml.MappingNode) or not node.value:
            return ctx.error(node, "(top)", "expected handout names with their settings, e.g. 'booklet:'")
        result: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            name = ID.convert(key_node, ctx, "(handout name)")
            if name is INVALID:
                ok = False
                continue
            if name in result:
                ctx.error(key_node, name, f"duplicate handout {name!r}", "YAML keeps only the last one silently")
                ok = False
                continue
            value = HANDOUT.convert(value_node, ctx, name)
            if value is INVALID:
                ok = False
                result[name] = None
            else:
                result[name] = value
        return result if ok else INVALID


HANDOUTS = HandoutMap()

FILE_SPECS: dict[str, Spec] = {
    "brand.yaml": BRAND,
    "topic.yaml": TOPIC,
    "sections/<id>.yaml": SECTION,
    "handouts.yaml": HANDOUTS,
    "<language>/topic.yaml": TRANSLATION,
}
