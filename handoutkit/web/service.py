"""What the web pages ask of the library, with the caches a long-running server needs.

Every answer comes from the functions the CLI calls: the content is loaded and
gated by :func:`handoutkit.build.load_checked_project`, handouts are laid out
by :func:`handoutkit.build.render_handout`, personal sheets come from
:func:`handoutkit.personal.batch.make_sheet` and batches from
:func:`check_batch`/:func:`run_batch`, the report from
:func:`handoutkit.checks.health.run_checks`.  Nothing here validates, lays
out or paginates on its own.

Caching: the content folder is fingerprinted (path, size and modification
time of every file) on each request, so an edit shows on reload; loaded
projects, built handouts, thumbnails and warm :class:`SheetMaker` objects
are kept in small LRU caches keyed by that fingerprint and the options, so
memory stays bounded whatever the traffic.  Nothing personal is ever cached:
personal sheets are stamped per request and returned.

Builds are CPU work in a worker thread.  reportlab and pdfium are not made
for concurrent use, so one lock runs them one at a time; a semaphore admits
at most ``max_builds`` requests to wait for it, and a request that cannot be
admitted within ``wait`` seconds gets :class:`Busy` (the page answers 503),
so one client's burst of big builds cannot starve everyone else.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import anyio
import anyio.to_thread

from handoutkit import clock
from handoutkit.build import BuildOptions, BuiltFile, load_checked_project, make_build_theme, render_handout
from handoutkit.content.model import Project, Topic
from handoutkit.errors import HandoutError

T = TypeVar("T")

EDITIONS = {"standard": {}, "large-print": {"large_print": True}, "grayscale": {"grayscale": True}}
PAPERS = ("letter", "a4")
THUMB_DPI = 24  # a first page about 200 px tall: enough to recognise a handout


def _only_language(project: Project) -> str:
    """The language of a batch whose topic the CSV names: the topics' one language, else English labels."""
    languages = {topic.language for topic in project.topics}
    return languages.pop() if len(languages) == 1 else "en"


class Busy(Exception):
    """Too many builds are running or waiting: try again shortly."""


class _Lru(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or_make(self, key, make: Callable[[], T]) -> T:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = make()
        self[key] = value
        while len(self) > self.size:
            self.popitem(last=False)
        return value


def options_for(paper: Optional[str], edition: str = "standard") -> BuildOptions:
    """Build options from the pages' choices (unknown values are refused, not guessed)."""
    if paper is not None and paper not in PAPERS:
        raise HandoutError(f"unknown paper size {paper!r}", f"use one of: {', '.join(PAPERS)}")
    if edition not in EDITIONS:
        raise HandoutError(f"unknown edition {edition!r}", f"use one of: {', '.join(EDITIONS)}")
    return BuildOptions(paper=paper, **EDITIONS[edition])


@dataclass
class HandoutFile:
    """One PDF of the library page: built from the current content, not personal."""

    topic: str
    stem: str  # the handout, or its imposed file: booklet, booklet-print, checklist ...
    file: BuiltFile

    @property
    def name(self) -> str:
        return self.file.path.name


class Service:
    """The library, as the web pages use it, for one content folder."""

    def __init__(self, source: Path, max_builds: int = 2, wait: float = 5.0) -> None:
        self.source = Path(source)
        self.max_builds = max_builds
        self.wait = wait
        self._admit: Optional[anyio.Semaphore] = None
        self._render = threading.Lock()  # reportlab and pdfium: one build at a time
        self._projects = _Lru(2)
        self._handouts = _Lru(24)
        self._thumbs = _Lru(64)
        self._makers = _Lru(8)
        self._reports = _Lru(2)

    # ------------------------------------------------------------------ admission

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` in a worker thread when admitted; :class:`Busy` after ``wait`` seconds."""
        if self._admit is None:  # made lazily: it belongs to the server's event loop
            self._admit = anyio.Semaphore(self.max_builds)
        admitted = False
        with anyio.move_on_after(self.wait):
            await self._admit.acquire()
            admitted = True
        if not admitted:
            raise Busy()
        try:
            return await anyio.to_thread.run_sync(self._locked, func, args)
        finally:
            self._admit.release()

    def _locked(self, func: Callable[..., T], args: tuple) -> T:
        with self._render:
            return func(*args)

    # ------------------------------------------------------------------ content

    def fingerprint(self) -> str:
        """A hash of every file's path, size and modification time under the content folder, and the date."""
        digest = hashlib.sha256(clock.build_date().isoformat().encode())
        for folder, dirs, files in os.walk(self.source):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        return digest.hexdigest()

    def project(self, key: Optional[str] = None) -> Project:
        """The content, loaded and gated as ``handout build`` does; raises the CLI's errors."""
        key = key or self.fingerprint()

        def load() -> Any:
            try:
                return load_checked_project(self.source)
            except HandoutError as err:  # cached too: a broken folder is not re-read until it changes
                return err

        loaded = self._projects.get_or_make(key, load)
        if isinstance(loaded, HandoutError):
            raise loaded
        return loaded

    def topic(self, project: Project, topic_id: str, language: Optional[str] = None) -> Topic:
        """A topic by id, in ``language`` (one of its editions; None: its source language)."""
        for topic in project.topics:
            if topic.id == topic_id:
                if language is None:
                    return topic
                for edition in topic.editions:
                    if edition.language == language:
                        return edition
        raise LookupError(topic_id)

    def _handout(self, topic_id: str, handout_name: str, language: Optional[str]):
        """(content fingerprint, project, topic edition, handout) from the current content; LookupError if none."""
        key = self.fingerprint()
        project = self.project(key)
        topic = self.topic(project, topic_id, language)
        handout = next((h for h in topic.handouts if h.name == handout_name), None)
        if handout is None:
            raise LookupError(handout_name)
        return key, project, topic, handout

    def handout_files(self, topic_id: str, handout_name: str, options: BuildOptions,
                      language: Optional[str] = None) -> list[HandoutFile]:
        """The PDFs ``handout build`` would write for one handout with these options, from the current content."""
        key, project, topic, handout = self._handout(topic_id, handout_name, language)

        def make() -> list[BuiltFile]:
            from handoutkit.checks.health import load_check_config

            theme = make_build_theme(project, options, topic.language)
            return render_handout(topic, handout, theme, options, load_check_config(self.source).min_font_size)

        files = self._handouts.get_or_make((key, topic_id, topic.language, handout.name, options), make)
        return [HandoutFile(topic_id, f.handout, f) for f in files]

    def html_edition(self, topic_id: str, handout_name: str, options: BuildOptions,
                     language: Optional[str] = None) -> BuiltFile:
        """The handout's HTML edition (``handout build --html``), checked as the build checks it."""
        from dataclasses import replace

        from handoutkit.build import electronic_editions

        key, project, topic, handout = self._handout(topic_id, handout_name, language)
        screen = replace(options, html=True, accessible=False, archive=False)
        return self._handouts.get_or_make(
            (key, topic_id, topic.language, handout.name, screen),
            lambda: electronic_editions(topic, handout, make_build_theme(project, options, topic.language), screen))[0]

    def handout_file(self, topic_id: str, stem: str, options: BuildOptions,
                     language: Optional[str] = None) -> HandoutFile:
        """One PDF by its stem (``booklet-print`` is the booklet's imposed file)."""
        base = stem[: -len("-print")] if stem.endswith("-print") else stem
        for name in dict.fromkeys((stem, base)):
            try:
                for item in self.handout_files(topic_id, name, options, language):
                    if item.stem == stem:
                        return item
            except LookupError:
                continue
        raise LookupError(stem)

    def thumbnail(self, topic_id: str, stem: str, options: BuildOptions, language: Optional[str] = None) -> bytes:
        """A PNG of the first page of one handout."""
        item = self.handout_file(topic_id, stem, options, language)

        def draw() -> bytes:
            from handoutkit.press.preview import render_pages

            image = render_pages(item.file.data, [0], THUMB_DPI)[0]
            sink = io.BytesIO()
            image.save(sink, "PNG", optimize=True)
            return sink.getvalue()

        return self._thumbs.get_or_make((self.fingerprint(), topic_id, language, stem, options), draw)

    def maker(self, project: Project, topic: Topic, options: BuildOptions, key: str):
        """A warm SheetMaker for the topic's exercise sheet with these options (parts laid out once)."""
        from handoutkit.personal.sheets import SheetMaker, pick_handout

        return self._makers.get_or_make((key, topic.id, topic.language, options),
                                        lambda: SheetMaker(topic, make_build_theme(project, options, topic.language),
                                                           pick_handout(topic)))

    def sheet(self, topic_id: str, plan, options: BuildOptions, language: Optional[str] = None):
        """One personal sheet (:class:`SheetResult`) from the same call as ``handout sheet [--language]``."""
        from handoutkit.personal.batch import make_sheet

        key = self.fingerprint()
        project = self.project(key)
        topic = self.topic(project, topic_id, language)
        maker = self.maker(project, topic, options, key)
        return make_sheet(project, plan, maker.theme, topic_name=topic_id, maker=maker, language=language)

    def sheet_preview(self, topic_id: str, plan, options: BuildOptions, language: Optional[str] = None,
                      dpi: float = 60) -> bytes:
        """A PNG of the first page of a personal sheet (the page's live preview)."""
        from handoutkit.press.preview import render_pages

        result = self.sheet(topic_id, plan, options, language)
        image = render_pages(result.data, [0], dpi)[0]
        sink = io.BytesIO()
        image.save(sink, "PNG")
        return sink.getvalue()

    def batch(self, data: bytes, topic_id: Optional[str], options: BuildOptions, language: Optional[str] = None):
        """A checked batch (:class:`BatchJob`) of an uploaded CSV held in memory (``language``: as --language)."""
        from handoutkit.personal.batch import check_batch

        key = self.fingerprint()
        project = self.project(key)
        maker = None
        if topic_id and language is None:
            maker = self.maker(project, self.topic(project, topic_id), options, key)
        theme = maker.theme if maker else make_build_theme(project, options, _only_language(project))
        return check_batch(project, Path("upload.csv"), theme, topic_name=topic_id, data=data, maker=maker,
                           language=language)

    def batch_stack(self, job) -> tuple[bytes, int]:
        """The good rows of a checked batch as one PDF for double-sided printing, in memory."""
        from handoutkit.personal.batch import run_batch

        sink = io.BytesIO()
        result = run_batch(job, None, merge=True, jobs=1, stdout=sink)
        return sink.getvalue(), result.pages

    def report(self, today: Optional[date] = None):
        """The ``handout check`` report of every topic."""
        from handoutkit.checks.health import load_check_config, run_checks
        from handoutkit.build import check_glyphs
        from handoutkit.content.load import load_project

        def check():
            project = load_project(self.source)
            check_glyphs(project)
            return run_checks(project, load_check_config(self.source), today or clock.build_date())

        return self._reports.get_or_make((self.fingerprint(), today), check)
