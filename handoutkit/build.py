"""The build pipeline: content folder → validated model → layouts → PDFs in ``output/``.

This is the library entry point every front end calls (the CLI today, a
local web page later).  It renders every requested handout into memory
first and writes nothing until all of them succeeded, then swaps each topic's
folder in as a whole (:mod:`handoutkit.press.output`: a staging folder, one
atomic exchange, a lock against concurrent builds, recovery and cleaning of
a run that died), so a failed or interrupted build never leaves a partial,
truncated or mixed set of PDFs in ``output/<topic>/``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from handoutkit import clock

from handoutkit.render import fonts

from handoutkit.press import impose

from handoutkit.checks import pdfcheck
from handoutkit.errors import BuildError, ContentError, ContentErrors, FitError, FitErrors, HandoutError, plural
from handoutkit.content.load import load_project
from handoutkit.content.model import Handout, Project, Topic, iter_texts
from handoutkit.content.schema import did_you_mean
from handoutkit.render.styles import BLEED, PAPER, Theme, make_theme

if TYPE_CHECKING:
    from handoutkit.checks.health import CheckConfig


@dataclass(frozen=True)
class BuildOptions:
    """How to print: every option a front end can set for a build.

    Without options the output is the standard edition on the brand's paper.
    Options that change what a file looks like also change its name (see
    :meth:`suffix`), so editions never overwrite each other.
    """

    paper: Optional[str] = None      # "letter" | "a4"; None: the brand's paper
    large_print: bool = False        # body text 18 pt, headings to match (ACB large-print guidance)
    grayscale: bool = False          # brand colours mapped to grays of equal luminance
    print_marks: bool = False        # 3 mm bleed, TrimBox/BleedBox, crop marks (print-shop files)
    creep_mm: Optional[float] = None  # per-sheet creep for saddle stitching; None: automatic
    html: bool = False               # also the HTML edition: <name>.html (layouts/html_edition.py)
    accessible: bool = False         # also the tagged PDF/UA-1 edition: <name>-accessible.pdf
    archive: bool = False            # also PDF/A-2b copies of the print PDFs: <name>-archive.pdf

    def suffix(self) -> str:
        """``-large-print``, ``-grayscale``, ``-marks``, in that order, for the options in force."""
        parts = [name for name, on in (("large-print", self.large_print), ("grayscale", self.grayscale),
                                       ("marks", self.print_marks)) if on]
        return "".join(f"-{p}" for p in parts)

    def screen_suffix(self) -> str:
        """The suffix for the electronic editions: print marks do not apply to them."""
        return replace(self, print_marks=False).suffix()


@dataclass
class BuiltFile:
    """One PDF the build produced (in memory until written)."""

    topic: str
    handout: str
    path: Path
    data: bytes
    pages: int
    page_size: tuple[float, float]
    note: Optional[str] = None
    language: str = "en"
    unchanged: bool = False  # an incremental build left this file alone (``data`` is then empty)


def check_glyphs(project: Project) -> None:
    """Every character of the content must be drawable by a bundled font."""
    errors = []
    seen: set[int] = set()
    drawable: dict[str, bool] = {}  # each distinct character is looked up once, not once per use
    for text in iter_texts([project.brand, *project.topics]):
        if id(text) in seen:  # a section is reachable from its topic and from each handout using it
            continue
        seen.add(id(text))
        chars = set(text)
        for char in chars - drawable.keys():
            drawable[char] = not fonts.missing_chars(char)
        if all(drawable[char] for char in chars):
            continue
        missing = fonts.missing_chars(text)  # in order of first use, for the message
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
            errors.append(ContentError(text.where, "", f"no bundled font can draw {shown}",
                                       "replace the character with plain text (e.g. '->' with 'to')"))
    if errors:
        raise ContentErrors(errors)


def render_handout(topic: Topic, handout: Handout, theme: Theme,
                   options: BuildOptions = BuildOptions(), min_font_size: float = 12.0) -> list[BuiltFile]:
    """Lay out one handout: its PDF, plus the imposed print version if it asks for one.

    Returns files with paths relative to the output folder; nothing is written.
    Text the layout set below ``min_font_size`` (``handouts/checks.yaml``'s
    ``min_font_size`` in a build) fails the print-ready check.
    """
    import layouts  # imported here so validation-only callers never load reportlab
    from handoutkit.press import marks
    from handoutkit.render.styles import MM

    rendered = layouts.render(layouts.RenderJob(topic=topic, handout=handout, theme=theme))
    # A translation's files carry its language before .pdf (booklet.es.pdf); the source's keep their names.
    stem = handout.name + options.suffix() + topic.language_suffix
    label = f"{topic.id}/{stem}.pdf"
    data = rendered.data
    if options.print_marks:
        # Marks go on the logical pages first; imposition then places each
        # page by the TrimBox this sets and keeps its outer bleed, so the
        # imposed file needs no second look at the layout.
        data = marks.add_print_marks(data, bleed=theme.bleed or BLEED)
    pdfcheck.check_print_ready(data, label=label, font_sizes=rendered.font_sizes, min_font_size=min_font_size)
    files = [BuiltFile(topic.id, handout.name, Path(topic.id) / f"{stem}.pdf", data,
                       rendered.pages, rendered.page_size, rendered.note, topic.language)]
    if handout.impose == "saddle-stitch":
        sheet_w, sheet_h = PAPER[theme.paper]
        creep_mm = options.creep_mm if options.creep_mm is not None else impose.default_creep_mm(rendered.pages)
        if not creep_mm >= 0:  # also catches NaN
            raise BuildError(f"creep must be 0 mm or more, not {creep_mm!r}")
        imposed = impose.impose_saddle_stitch(data, sheet_size=(sheet_h, sheet_w),  # landscape
                                              creep=creep_mm * MM)
        print_label = f"{topic.id}/{handout.name}-print{options.suffix()}{topic.language_suffix}.pdf"
        pdfcheck.check_print_ready(imposed, label=print_label, font_sizes=rendered.font_sizes,
                                   min_font_size=min_font_size)
        sheets = (rendered.pages + 3) // 4
        labels = theme.labels  # the reminder is in the booklet's language, like everything printed
        note = labels.text("print_reminder", sheets=labels.count("sheets", sheets))
        if options.print_marks:
            note += "; " + labels["trim_reminder"]
        if creep_mm:
            note += "; " + labels.text("creep_note", mm=labels.number(creep_mm))
        # A print-shop sheet is trimmed to the two pages; an office sheet is the paper.
        size = (2 * rendered.page_size[0], rendered.page_size[1]) if options.print_marks else (sheet_h, sheet_w)
        files.append(BuiltFile(topic.id, handout.name + "-print", Path(print_label), imposed, sheets * 2,
                               size, note, topic.language))
    if options.archive:
        files += [archive_copy(item, topic.language_suffix) for item in list(files)]
    if options.html or options.accessible:
        files += electronic_editions(topic, handout, theme, options)
    return files


def archive_copy(item: BuiltFile, language_suffix: str = "") -> BuiltFile:
    """The PDF/A-2b copy of a print file, checked: ``booklet.pdf`` → ``booklet-archive.pdf``.

    A translation's language stays last: ``booklet.es.pdf`` → ``booklet-archive.es.pdf``.
    """
    from handoutkit.press import archive

    stem = item.path.stem.removesuffix(language_suffix)
    path = item.path.with_name(f"{stem}-archive{language_suffix}{item.path.suffix}")
    data = archive.to_pdfa(item.data, str(path))
    archive.require_pdfa(data, str(path))
    return BuiltFile(item.topic, item.handout, path, data, item.pages, item.page_size, "PDF/A-2b archive copy",
                     item.language)


def electronic_editions(topic: Topic, handout: Handout, theme: Theme, options: BuildOptions) -> list[BuiltFile]:
    """The HTML edition and/or the tagged PDF of one handout, each checked (see checks/accessibility.py)."""
    import layouts
    from handoutkit.checks import accessibility
    from handoutkit.press.tagged import page_summary, render_tagged_pdf
    from layouts.html_edition import FONT_FAMILIES, render_html

    job = layouts.RenderJob(topic=topic, handout=handout, theme=theme)
    stem = handout.name + options.screen_suffix()
    language = topic.language_suffix  # a translation's language goes last: booklet.es.html, booklet-accessible.es.pdf
    html = render_html(job)
    label = f"{topic.id}/{stem}{language}.html"
    accessibility.require(accessibility.html_problems(html, accessibility.allowed_links(theme.brand, topic),
                                                      lang=topic.language), label)
    files = []
    if options.html:
        data = html.encode("utf-8")
        files.append(BuiltFile(topic.id, handout.name, Path(label), data, 0, (0, 0),
                               f"HTML edition, {len(data) // 1024} kB, no external requests", topic.language))
    if options.accessible:
        label = f"{topic.id}/{stem}-accessible{language}.pdf"
        data = render_tagged_pdf(html, label, created=clock.document_datetime())
        accessibility.require(accessibility.tagged_pdf_problems(data, job.title, topic.language, FONT_FAMILIES),
                              label)
        pages, size = page_summary(data)
        files.append(BuiltFile(topic.id, handout.name, Path(label), data, pages, size, "tagged PDF/UA-1",
                               topic.language))
    return files


def make_build_theme(project: Project, options: BuildOptions, language: str = "en") -> Theme:
    """The theme for a build: the brand with the options' paper, print size and colour mode.

    ``language`` (a topic's) picks the printed labels and hyphenation.
    """
    paper = options.paper
    if paper is not None and paper not in PAPER:
        raise HandoutError(f"unknown paper size {paper!r}", f"use one of: {', '.join(PAPER)}")
    return make_theme(project.brand.localized(language), paper, large_print=options.large_print,
                      grayscale=options.grayscale, bleed=BLEED if options.print_marks else 0.0, language=language)


def run_health_checks(project: Project, source: Path, strict: bool = False, today: Optional[date] = None,
                      warn: Optional[Callable[[str], None]] = None, theme: Optional[Theme] = None,
                      config: Optional["CheckConfig"] = None, languages: Optional[Iterable[str]] = None) -> None:
    """The ``handout check`` rules, as a build gate.

    Errors (an overdue review, low contrast, a translation out of parity)
    always stop the build; warnings (reading grade, unexplained words,
    review due soon, a translation that may be out of date) are passed to
    ``warn`` and stop the build only when ``strict``.  ``theme`` is the one
    the build lays out with (made once, see :func:`build`); ``config`` the
    loaded ``checks.yaml``.  ``languages``: the languages being built;
    findings about other languages' translations are left out (an empty
    list keeps only the findings about the source languages).
    """
    from handoutkit.checks.health import load_check_config, run_checks

    config = config or load_check_config(source)
    report = run_checks(project, config, today or clock.build_date(), theme=theme)
    if languages is not None:
        wanted = set(languages)
        report.findings = [f for f in report.findings if f.language is None or f.language in wanted]
    blocking = report.errors(strict=strict)
    if blocking:
        count = len(blocking)
        lines = [finding.line() for finding in sorted(blocking, key=lambda f: f.sort_key())]
        lines.append(f"{plural(count, 'problem')} found"
                     + (" (--strict turns warnings into errors)" if strict else "") + "; nothing was written.")
        raise HandoutError("\n".join(lines))
    if warn is not None:
        for finding in sorted(report.findings, key=lambda f: f.sort_key()):
            warn(finding.line())


def load_checked_project(source: Path, topics: Optional[Iterable[str]] = None, strict: bool = False,
                         today: Optional[date] = None, warn: Optional[Callable[[str], None]] = None,
                         languages: Optional[Iterable[str]] = None) -> Project:
    """Load ``source`` and apply the build's gates: every glyph drawable, the health checks' errors.

    What every front end does before it lays anything out (``build``, the
    personal sheets, the web page): raises a :class:`HandoutError` whose
    message is the ``file:line:col`` report the CLI prints.  ``languages``:
    as in :func:`run_health_checks` (the languages about to be made).
    """
    project = load_project(Path(source), topics)
    check_glyphs(project)
    run_health_checks(project, Path(source), strict=strict, today=today, warn=warn,
                      languages=list(languages) if languages is not None else None)
    return project


def build(source: Path, out: Path, topics: Optional[Iterable[str]] = None,
          handouts: Optional[Iterable[str]] = None, paper: Optional[str] = None, strict: bool = False,
          today: Optional[date] = None, warn: Optional[Callable[[str], None]] = None,
          options: Optional[BuildOptions] = None, jobs: int = 1, shard: Optional[tuple[int, int]] = None,
          force: bool = False, languages: Optional[Iterable[str]] = None) -> list[BuiltFile]:
    """Build the chosen handouts of the chosen topics from ``source`` into ``out``.

    Every language of every topic by default (the source and each
    translation); ``languages`` picks some (e.g. ``["es"]``).

    Raises a :class:`HandoutError` (nothing written) if any content is
    invalid, fails a health check (or, with ``strict``, warns), or any
    handout fails to lay out.  Warnings go to ``warn``.

    Work items (:mod:`handoutkit.press.work`) whose inputs have not changed
    since they were last built into ``out`` are not loaded, checked or laid
    out, and their files are left alone: they come back with ``unchanged``
    set and no data.  ``force`` rebuilds them anyway.  ``jobs`` processes lay
    out the rest (same bytes as one); ``shard`` ``(K, N)`` builds only the
    items of shard K of N.
    """
    from handoutkit.checks.health import load_check_config
    from handoutkit.content.load import topic_names
    from handoutkit.press import work

    source, out = Path(source), Path(out)
    languages = list(languages) if languages else None
    options = options or BuildOptions()
    if paper is not None:
        options = replace(options, paper=paper)
    wanted = list(handouts or [])
    # The item's edition: what the file names say (paper and creep are settings).
    edition = "+".join(["print" + options.suffix()]
                       + [name for name in ("html", "accessible", "archive") if getattr(options, name, False)])
    items = work.plan(source, topic_names(source, topics), edition)
    if languages is not None:  # every language of every topic by default (see select_editions)
        known = sorted({item.language for item in items})
        for language in languages:
            if language not in known:
                raise HandoutError(f"no topic has language {language!r}",
                                   did_you_mean(language, known) or f"languages: {', '.join(known)}")
        items = [item for item in items if item.language in languages]
    items = [item for item in items if work.in_shard(item, shard)]
    settings = {"options": asdict(options), "handouts": sorted(wanted), "strict": strict,
                "date": (today or clock.build_date()).isoformat(),
                "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH")}
    shared = work.shared_digest(source)
    digests = {item: work.inputs_digest(source, item, settings, shared) for item in items}
    records = work.BuildRecords()
    kept: dict[work.WorkItem, dict] = {}
    for item in items if not force else []:
        record = records.unchanged(out, item, digests[item])
        if record is not None:
            kept[item] = record
    todo = [item for item in items if item not in kept]
    files: list[BuiltFile] = []
    if todo:
        # load_checked_project's gates, with the themes made in between: once,
        # here, and the health checks measure the same ones.
        project = load_project(source, sorted({item.topic for item in todo}))
        fonts.register()  # the layouts need it anyway; check_glyphs then reuses the parsed faces
        check_glyphs(project)
        # Each item is one topic in one language: the source or a translation.
        wanted_editions = {(item.topic, item.language) for item in todo}
        editions = [edition for topic in project.topics for edition in topic.editions
                    if (edition.id, edition.language) in wanted_editions]
        building = sorted({item.language for item in todo})  # a declared language may lack its files
        # The themes (one per language) are made once, here, and the health
        # checks measure the same ones.  A brand that make_theme refuses (low
        # contrast) is left to the health checks, which report it with every
        # other problem.
        try:
            themes: Optional[dict[str, Theme]] = {language: make_build_theme(project, options, language)
                                                  for language in building}
        except ContentErrors:
            themes = None
        config = load_check_config(source)
        # Translations out of parity stop the languages being built, not the others.
        run_health_checks(project, source, strict=strict, today=today, warn=warn,
                          theme=next(iter(themes.values()), None) if themes else None, config=config,
                          languages=building)
        if themes is None:
            themes = {language: make_build_theme(project, options, language) for language in building}
        known = sorted({h.name for t in project.topics for h in t.handouts}
                       | {entry["handout"] for record in kept.values() for entry in record["files"]})
        for name in wanted:
            if name not in known:
                raise HandoutError(f"no handout named {name!r}", did_you_mean(name, known) or f"handouts: {', '.join(known)}")
        units = [(topic, handout) for topic in editions for handout in topic.handouts
                 if not wanted or handout.name in wanted]
        min_font_size = config.min_font_size

        def render_unit(unit: tuple[Topic, Handout]) -> tuple[list[BuiltFile], Optional[FitError]]:
            try:
                return render_handout(unit[0], unit[1], themes[unit[0].language], options, min_font_size), None
            except FitError as exc:  # every handout that does not fit is reported, then nothing is written
                return [], exc

        results = work.run_units(render_unit, units, jobs)
        misfits = [misfit for _, misfit in results if misfit is not None]
        if misfits:
            raise FitErrors(misfits)
        files = [built for result, _ in results for built in result]
    if files:  # all unchanged: the output folder is not even locked
        write_files(out, files, warn)
    for item in todo:
        records.put(out, item, digests[item], [
            {"file": f.path.relative_to(out / item.topic).as_posix(), "sha256": hashlib.sha256(f.data).hexdigest(),
             "handout": f.handout, "pages": f.pages, "page_size": list(f.page_size), "note": f.note}
            for f in files if f.topic == item.topic and f.language == item.language])
    records.save()
    # In the order of the items; within an item, as laid out (or as recorded).
    ordered: list[BuiltFile] = []
    for item in items:
        if item in kept:
            ordered += [BuiltFile(item.topic, entry["handout"], out / item.topic / entry["file"], b"", entry["pages"],
                                  tuple(entry["page_size"]), entry["note"], item.language, unchanged=True)
                        for entry in kept[item]["files"]]
        else:
            ordered += [f for f in files if f.topic == item.topic and f.language == item.language]
    return ordered


def select_editions(project: Project, languages: Optional[Iterable[str]] = None) -> list[Topic]:
    """Every topic in every language it has, or only in ``languages``; an unknown language is an error."""
    editions = [edition for topic in project.topics for edition in topic.editions]
    if not languages:
        return editions
    wanted = list(languages)
    known = sorted({edition.language for edition in editions})
    for language in wanted:
        if language not in known:
            raise HandoutError(f"no topic has language {language!r}",
                               did_you_mean(language, known) or f"languages: {', '.join(known)}")
    return [edition for edition in editions if edition.language in wanted]


def write_files(out: Path, files: list[BuiltFile], warn: Optional[Callable[[str], None]] = None) -> None:
    """Write the files under ``out``, each topic's folder swapped in as a whole (:mod:`handoutkit.press.output`).

    Every topic is staged before any is swapped, so a failure while writing
    (a full disk, no permission) changes nothing.  Files of a topic that this
    build does not make (other editions, other handouts) are carried over.
    """
    from handoutkit.press.output import OutputFolder

    by_topic: dict[str, list[BuiltFile]] = {}
    for item in files:
        by_topic.setdefault(item.path.parts[0], []).append(item)
    wait = (lambda: warn(f"{out}: waiting for another handout run writing there")) if warn else None
    with OutputFolder(out, wait=wait) as folder:
        stages = []
        for topic, items in by_topic.items():
            stage = folder.stage(topic)
            for item in items:
                stage.write(Path(*item.path.parts[1:]).as_posix(), item.data, mode=0o644)
            stage.carry_over()
            stages.append(stage)
        for stage in stages:
            stage.commit()
    for item in files:
        item.path = out / item.path


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so readers see the old file or the new one, never a mix."""
    from handoutkit.press.output import OutputFolder

    with OutputFolder(target.parent) as folder:
        folder.write_file(target.name, data, mode=0o644)
