"""Loading a topic's translations: ``<topic>/<language>/topic.yaml`` and ``<language>/sections/<id>.yaml``.

A topic declares its languages in ``topic.yaml`` (``translations: [es]``).
Each translation is a folder named after its language, beside ``sections/``,
holding a ``topic.yaml`` (:data:`content_schema.TRANSLATION`: title,
subtitle, source line, review note, handout titles) and the same section
files as the source, in the same format, each recording the hash of the
source section it was translated from (``translated_from:``).

A translation becomes a :class:`Topic` of its own (same id and folder, its
own language, ``source_language`` set), with the source's version, review
dates, section order and handouts; images resolve against the topic folder,
so pictures are shared.  What the translation lacks or adds (a missing
section file, a different exercise list...) is not a load error: the parity
check (:mod:`handoutkit.checks.parity`) reports all of it, with locations,
in ``handout check`` and as the build's gate.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import yaml

from handoutkit.content import content_schema as cs
from handoutkit.content.model import Handout, Section, SectionRef, Topic
from handoutkit.content.schema import INVALID

if TYPE_CHECKING:
    from handoutkit.content.load import _Loader


def section_hash(path: Path) -> str:
    """A short hash of a section file's content: its data, not its comments, quoting or line breaks.

    ``translated_from`` is left out, so a translation's own record does not count.
    """
    try:
        # libyaml when PyYAML has it (the same data as safe_load, several times faster:
        # this runs for every section of every topic with translations)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""  # the file's own errors are reported by the loader
    if isinstance(data, dict):
        data.pop("translated_from", None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def translation_folder(topic: Topic, language: str) -> Path:
    return topic.folder / language


def load_translations(loader: "_Loader", source: Topic) -> list[Topic]:
    """Every declared translation of ``source`` that has a ``topic.yaml``; problems go to ``loader``."""
    out = []
    for language in source.translation_languages:
        if str(language) == source.language:
            loader.error(language.where, "translations",
                         f"{language!r} is the topic's own language, not a translation",
                         "list only the other languages the topic is translated into")
            continue
        if (translation_folder(source, language) / "topic.yaml").is_file():
            translated = _load_translation(loader, source, str(language))
            if translated is not None:
                out.append(translated)
    return out


def _load_translation(loader: "_Loader", source: Topic, language: str) -> Optional[Topic]:
    from handoutkit.content.load import _load_section

    folder = translation_folder(source, language)
    meta = loader.read(folder / "topic.yaml", cs.TRANSLATION, source.folder)
    if meta is INVALID:
        return None
    sections: list[Section] = []
    for section in source.sections:
        path = folder / "sections" / f"{section.id}.yaml"
        if path.is_file():  # a missing one is a parity error, reported with the others
            translated = _load_section(loader, path, section.id, source.folder)
            if translated is not None:
                sections.append(translated)
    topic = Topic(
        id=source.id, folder=source.folder, title=meta["title"], subtitle=meta.get("subtitle"),
        language=language, version=source.version, last_reviewed=source.last_reviewed,
        review_due=source.review_due, source=meta["source"], review_note=meta["review_note"],
        cover_image=meta.get("cover_image", source.cover_image), sections=sections, where=meta["__where__"],
        source_language=source.language, review_due_where=source.review_due_where,
    )
    titles = {str(name): value["title"] for name, value in meta.get("handouts", [])}
    topic.handouts = [_translated_handout(handout, topic, titles.get(handout.name)) for handout in source.handouts]
    return topic


def _translated_handout(handout: Handout, topic: Topic, title) -> Handout:
    """The source handout's composition over the translated sections (missing ones left out)."""
    present = {section.id: section for section in topic.sections}
    refs = [SectionRef(present[ref.section.id], ref.short) for ref in handout.sections if ref.section.id in present]
    return Handout(name=handout.name, layout=handout.layout, sections=refs, title=title, impose=handout.impose,
                   where=getattr(title, "where", topic.where))
