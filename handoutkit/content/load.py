"""Loading a source folder (brand + topics) into a validated :class:`Project`.

This is the only module that reads content files.  It composes each YAML
file, converts it with the declarations in :mod:`handoutkit.content.content_schema`,
then checks what spans files: section files against the topic's list,
handout compositions against sections and layouts, unique exercise ids.
Every problem found is collected and raised together as
:class:`ContentErrors`, sorted by file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Optional


from handoutkit.content import content_schema as cs
from handoutkit.errors import ContentError, ContentErrors, HandoutError, Location
from handoutkit.content.model import (
    Brand, Handout, HabitGroup, Project, RedFlagGroup, Section, SectionRef, Topic,
)
from handoutkit.content.schema import INVALID, Spec, did_you_mean
from handoutkit.content.translations import load_translations, section_hash
from handoutkit.content.yamlsource import compose_file, display_path

# Which section kinds each layout can show in full.  Declared here (not imported
# from layouts/) so validating content never needs reportlab.  Any section with a
# summary can be shown short ({section: id, short: true}) in any layout: that is
# one paragraph.  The checklist is one page of tick boxes, so a text section in
# full (terms, callouts, lists) is refused there rather than overflowing it.
LAYOUT_KINDS: dict[str, frozenset[str]] = {
    "booklet": frozenset({"text", "red_flags", "exercises", "habits"}),
    "exercise-sheet": frozenset({"text", "red_flags", "exercises"}),
    "checklist": frozenset({"red_flags", "habits"}),
}


class _Loader:
    def __init__(self, source: Path) -> None:
        self.source = source
        self.errors: list[ContentError] = []

    def shown(self, path: Path) -> str:
        return display_path(path)

    def read(self, path: Path, spec: Spec, base: Path):
        """Compose and convert one file; INVALID when it has errors (recorded)."""
        shown = self.shown(path)
        try:
            node = compose_file(path, shown)
        except ContentError as err:
            self.errors.append(err)
            return INVALID
        if node is None:
            self.errors.append(ContentError(Location(shown, 1, 1), "", "file is empty"))
            return INVALID
        ctx = cs.ContentContext(shown, base)
        value = spec.convert(node, ctx, "")
        self.errors.extend(ctx.errors)
        return INVALID if ctx.errors else value

    def error(self, where: Location, path: str, message: str, hint: Optional[str] = None) -> None:
        self.errors.append(ContentError(where, path, message, hint))


def find_topics(source: Path) -> list[str]:
    """Topic ids under ``source``: every folder holding a ``topic.yaml``."""
    return sorted(p.parent.name for p in source.glob("*/topic.yaml"))


def topic_names(source: Path, topics: Optional[Iterable[str]] = None) -> list[str]:
    """The topic ids a command names (all of them by default), checked against the folders, nothing read.

    Raises :class:`HandoutError` for a missing content folder, one without
    topics, or a name that is not a topic.
    """
    source = Path(source)
    if not source.is_dir():
        raise HandoutError(f"{source}: content folder not found",
                           "run the command from the project folder, or pass --source DIR")
    available = find_topics(source)
    wanted = list(topics) if topics else available
    if not available:
        raise HandoutError(f"{source}: no topics found (no */topic.yaml)",
                           "each topic is a folder with a topic.yaml; see README.md")
    for name in wanted:
        if name not in available:
            raise HandoutError(f"{source}: no topic named {name!r}",
                               did_you_mean(name, available) or f"topics: {', '.join(available)}")
    return wanted


def load_project(source: Path, topics: Optional[Iterable[str]] = None,
                 layouts: Mapping[str, frozenset[str]] = LAYOUT_KINDS) -> Project:
    """Load and validate ``source`` (e.g. ``handouts/``): its brand and the chosen topics.

    Raises :class:`HandoutError` for a missing folder or unknown topic and
    :class:`ContentErrors` listing every content problem found.
    """
    source = Path(source)
    wanted = topic_names(source, topics)
    loader = _Loader(source)
    brand_file = source / "brand.yaml"
    brand = loader.read(brand_file, cs.BRAND, source) if brand_file.exists() else None
    if brand is None:
        loader.error(Location(loader.shown(brand_file)), "", "brand file not found",
                     "every content folder needs a brand.yaml; copy the one in handouts/")
    loaded = [_load_topic(loader, source / name, layouts) for name in wanted]
    if loader.errors:
        raise ContentErrors(loader.errors)
    assert isinstance(brand, Brand)
    return Project(folder=source, brand=brand, topics=[t for t in loaded if t is not None])


def _load_topic(loader: _Loader, folder: Path, layouts: Mapping[str, frozenset[str]]) -> Optional[Topic]:
    topic_file = folder / "topic.yaml"
    meta = loader.read(topic_file, cs.TOPIC, folder)
    if meta is INVALID:
        return None
    shown_topic = loader.shown(topic_file)
    if meta["review_due"] <= meta["last_reviewed"]:
        loader.error(meta["__marks__"]["review_due"], "review_due",
                     f"{meta['review_due']} is not after last_reviewed ({meta['last_reviewed']})",
                     "set review_due to the date the next review is due, e.g. two years after the last")

    sections: list[Section] = []
    listed: set[str] = set()
    for section_id in meta["sections"]:
        if section_id in listed:
            loader.error(section_id.where, "sections", f"section {section_id!r} is listed twice")
            continue
        listed.add(section_id)
        path = folder / "sections" / f"{section_id}.yaml"
        if not path.is_file():
            existing = sorted(p.stem for p in (folder / "sections").glob("*.yaml"))
            loader.error(section_id.where, "sections", f"no file sections/{section_id}.yaml for section {section_id!r}",
                         did_you_mean(section_id, existing) or f"section files: {', '.join(existing) or 'none'}")
            continue
        section = _load_section(loader, path, section_id, folder)
        if section is not None:
            sections.append(section)
    for path in sorted((folder / "sections").glob("*.yaml")):
        if path.stem not in listed:
            loader.error(Location(loader.shown(path), 1, 1), "", f"section file is not listed in {shown_topic}",
                         f"add {path.stem} to 'sections:' in topic.yaml, or delete the file")
    _check_unique_exercises(loader, sections)

    _check_languages(loader, meta)
    topic = Topic(
        id=folder.name, folder=folder, title=meta["title"], subtitle=meta.get("subtitle"),
        language=str(meta["language"]), version=meta["version"], last_reviewed=meta["last_reviewed"],
        review_due=meta["review_due"], source=meta["source"], review_note=meta["review_note"],
        cover_image=meta.get("cover_image"), sections=sections, where=meta["__where__"],
        translation_languages=list(meta.get("translations", [])),
        review_due_where=meta["__marks__"].get("review_due", meta["__where__"]),
    )
    # Handouts are checked even when a section failed, against the listed ids,
    # so one run reports every problem.
    topic.handouts = _load_handouts(loader, folder, topic, layouts, listed_ids=list(meta["sections"]))
    topic.translations = load_translations(loader, topic)
    return topic


def _check_languages(loader: _Loader, meta: dict) -> None:
    """The topic's language and each translation's must have printed labels (handoutkit/data/labels/)."""
    from handoutkit.render.labels import available_languages, table_language

    codes = [(meta["language"], meta["__marks__"]["language"], "language")]
    codes += [(code, code.where, f"translations[{i}]") for i, code in enumerate(meta.get("translations", []), 1)]
    for code, where, path in codes:
        if table_language(str(code)) is None:
            loader.error(where, path, f"no printed labels for language {str(code)!r}",
                         f"languages with labels: {', '.join(available_languages())}; "
                         f"add handoutkit/data/labels/{code}.yaml")


def _load_section(loader: _Loader, path: Path, section_id: str, folder: Path) -> Optional[Section]:
    data = loader.read(path, cs.SECTION, folder)
    if data is INVALID:
        return None
    where = data["__where__"]
    marks = data["__marks__"]
    kind = data["kind"]
    section = Section(
        id=section_id, title=data["title"], kind=kind, short_title=data.get("short_title"),
        summary=data.get("summary"), blocks=data.get("blocks", []), exercises=data.get("exercises", []),
        groups=data.get("groups", []), where=where, groups_where=marks.get("groups", where),
        translated_from=data.get("translated_from"), source_hash=section_hash(path),
    )
    needs = {"exercises": "exercises", "red_flags": "groups", "habits": "groups"}.get(kind)
    if needs and not data.get(needs):
        loader.error(where, needs, f"a section of kind {kind} needs '{needs}:'")
    if kind != "exercises" and data.get("exercises"):
        loader.error(marks["exercises"], "exercises", f"only sections of kind exercises may list exercises (this one is {kind})",
                     "add 'kind: exercises'")
    if kind in ("text", "exercises") and data.get("groups"):
        loader.error(marks["groups"], "groups", f"'groups:' belongs to sections of kind red_flags or habits (this one is {kind})")
    expected = {"red_flags": RedFlagGroup, "habits": HabitGroup}.get(kind)
    if expected and any(not isinstance(g, expected) for g in section.groups):
        other = "habits (title, habits)" if expected is RedFlagGroup else "red flags (urgency, action, signs)"
        loader.error(marks.get("groups", where), "groups", f"groups are written as {other} but the section's kind is {kind}",
                     f"check 'kind:' (line {marks.get('kind', where).line or '?'})" if "kind" in marks else "add the right 'kind:'")
    if kind == "text" and not section.blocks:
        loader.error(where, "blocks", "a text section needs 'blocks:' with at least one paragraph")
    return section


def _check_unique_exercises(loader: _Loader, sections: list[Section]) -> None:
    seen: dict[str, Location] = {}
    for section in sections:
        for exercise in section.exercises:
            if exercise.id in seen:
                first = seen[exercise.id]
                loader.error(exercise.id.where, "id", f"exercise id {exercise.id!r} is used twice (first at {first})")
            else:
                seen[exercise.id] = exercise.id.where


def _load_handouts(loader: _Loader, folder: Path, topic: Topic,
                   layouts: Mapping[str, frozenset[str]], listed_ids: list[str]) -> list[Handout]:
    path = folder / "handouts.yaml"
    if not path.is_file():
        loader.error(Location(loader.shown(path)), "", "file not found",
                     "each topic needs a handouts.yaml saying which sections go into which handout")
        return []
    data = loader.read(path, cs.HANDOUTS, folder)
    if data is INVALID:
        return []
    ids = [str(i) for i in listed_ids]
    loaded = {s.id for s in topic.sections}
    handouts = []
    for name, spec in data.items():
        where = spec["__where__"]
        layout = str(spec["layout"])
        if layout not in layouts:
            loader.error(spec["layout"].where, f"{name}.layout", f"unknown layout {layout!r}",
                         did_you_mean(layout, list(layouts)) or f"layouts: {', '.join(layouts)}")
            continue
        refs: list[SectionRef] = []
        raw = spec["sections"]
        items = [(s, False, s.where) for s in listed_ids] if raw == "all" else raw
        for i, (section_id, short, ref_where) in enumerate(items, 1):
            if section_id not in ids:
                loader.error(ref_where if isinstance(ref_where, Location) else where, f"{name}.sections[{i}]",
                             f"no section named {section_id!r}",
                             did_you_mean(section_id, ids) or f"sections: {', '.join(ids)}")
                continue
            if section_id not in loaded:  # its own file had errors, already reported
                continue
            section = topic.section(section_id)
            if short and not section.summary:
                loader.error(ref_where, f"{name}.sections[{i}]",
                             f"section {section_id!r} has no summary, which 'short: true' needs",
                             f"add 'summary:' to sections/{section_id}.yaml")
                continue
            if not short and section.kind not in layouts[layout]:
                loader.error(ref_where, f"{name}.sections[{i}]",
                             f"the {layout} layout cannot show sections of kind {section.kind} in full "
                             f"({section_id!r}, {section.where.file})",
                             f"it shows in full: {', '.join(sorted(layouts[layout]))}; any section with a summary "
                             f"can be shown short: {{section: {section_id}, short: true}}")
                continue
            refs.append(SectionRef(section, short))
        handouts.append(Handout(name=name, layout=layout, sections=refs, title=spec.get("title"),
                                impose=spec.get("impose"), where=where))
    return handouts
