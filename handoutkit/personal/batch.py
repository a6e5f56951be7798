"""Personal sheets for one patient (``handout sheet``) or a CSV of patients (``handout batch``).

Both check everything before writing anything they will not keep:

* a plan's exercise ids, doses and patient details are checked against the
  topic and against the blanks' widths (a name too long for its blank is a
  bad row, not a crash halfway through);
* ``batch`` skips bad rows and writes the good ones, reporting each bad row
  by row number and column; with ``strict`` any bad row fails the run and
  nothing is written.

Work is split as :mod:`handoutkit.personal.sheets` describes: parts are laid out
once, each distinct selection is paginated once, and each patient costs a
stamp.  ``jobs`` > 1 spreads the part rendering and, for a folder of files,
the writing over forked processes; the files are the same whatever ``jobs``
is, because what a process does never depends on which process does it.

Nothing personal leaves the page: file names are ``exercise-sheet-<hash>``
(hash of the sheet without patient details) or numbered by CSV row, always
with four digits (``exercise-sheet-row-0002.pdf``) whatever the batch size;
messages name rows and columns, never values.

Writing goes through :mod:`handoutkit.press.output`, as ``handout build``
does: a batch folder is staged beside ``--out`` and swapped in as a whole
(the sheets of an earlier batch go with ``replace_old``; files we did not
write stay), a merged stack replaces its file atomically, the folder is
locked against a concurrent run, a dead run's temporary files (which hold
patient names) are removed by the next run, and temporary files are
owner-only.  Forked workers die with their parent (``PR_SET_PDEATHSIG`` on
Linux, a watchdog thread elsewhere), so a killed run stops writing at once.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Optional

from handoutkit.errors import ContentError, ContentErrors, HandoutError, Location, plural
from handoutkit.content.model import Project, Topic
from handoutkit.personal.csvfile import MAX_ROW, RowProblem
from handoutkit.personal.names import shown as show
from handoutkit.personal.sheets import NOTE_LINES, SheetMaker, StackWriter, pick_handout
from handoutkit.personal.plans import BatchRow, Plan, read_batch, resolve
from handoutkit.press.output import OutputError, OutputFolder, check_target
from handoutkit.render.styles import Theme

ROW_WIDTH = len(str(MAX_ROW))  # file names keep one width whatever the batch size
ROW_NAME = "exercise-sheet-row-{number:0" + str(ROW_WIDTH) + "d}.pdf"
ROW_PATTERN = re.compile(r"exercise-sheet-row-\d+\.pdf")  # any width: earlier versions used 3 or more
PROGRESS_MIN = 5  # show a progress bar for jobs of more than this many sheets

FIELD_LABELS = {"patient": "name", "clinician": "clinician", "date": "date", "note": "note"}
FIELD_OPTIONS = {"patient": "--patient", "clinician": "--clinician", "date": "--date", "note": "--note"}


def default_jobs() -> int:
    return os.cpu_count() or 1


def _fork_context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform: run in one process
        return None


class NoEdition(HandoutError):
    """The topic has no translation in the language asked for (a bad row in a batch, not a bad batch)."""


def in_language(project: Project, topic: Topic, theme: Theme, language: Optional[str]) -> tuple[Topic, Theme]:
    """The topic's edition in ``language`` (its source when None) and the theme in that language.

    The theme keeps its paper and edition; only its words (labels, brand text, hyphenation) change.
    A translation out of parity with its source (a red flag or a dose missing...) is never printed,
    whoever asks for it: the parity errors about that language raise, as the build's gate does.
    """
    edition = topic
    if language is not None and language != topic.language:
        edition = next((t for t in topic.translations if t.language == language), None)
        if edition is None:
            have = ", ".join(t.language for t in topic.editions)
            raise NoEdition(f"topic {topic.id} has no {show(language)} edition", f"its languages: {have}")
        _check_parity(project, topic, language)
    if theme.labels.language != edition.language:
        from handoutkit.render.styles import make_theme

        theme = make_theme(project.brand.localized(edition.language), theme.paper, large_print=theme.large_print,
                           grayscale=theme.grayscale, bleed=theme.bleed, language=edition.language)
    return edition, theme


def _check_parity(project: Project, topic: Topic, language: str) -> None:
    from handoutkit.checks.parity import check_parity

    errors = sorted((f for f in check_parity(topic, project.brand) if f.language == language and f.level == "error"),
                    key=lambda f: f.sort_key())
    if errors:
        raise HandoutError("\n".join([f.line() for f in errors]
                                      + [f"{plural(len(errors), 'problem')} found; nothing was written."]))


def find_topic(project: Project, name: Optional[str]) -> Topic:
    from handoutkit.personal.plans import did_you_mean

    ids = [t.id for t in project.topics]
    if name is None:
        if len(ids) == 1:
            return project.topics[0]
        raise HandoutError("which topic? the content folder has several", f"name one with --topic: {', '.join(ids)}")
    for topic in project.topics:
        if topic.id == name:
            return topic
    label = show(name, "")
    raise HandoutError(f"no topic named {label}" if label else "the topic given is not a topic of the content folder",
                       did_you_mean(name, ids) or f"topics: {', '.join(ids)}")


# ----------------------------------------------------------------------------- one sheet


@dataclass
class SheetResult:
    data: bytes
    pages: int
    name: str  # the default file name: exercise-sheet-<hash>.pdf


def make_sheet(project: Project, plan: Plan, theme: Theme, topic_name: Optional[str] = None,
               handout: Optional[str] = None, maker: Optional[SheetMaker] = None,
               language: Optional[str] = None) -> SheetResult:
    """One personalised sheet in memory.  Raises :class:`ContentErrors` naming options or file:line.

    ``language`` (or the plan's ``language:``): the topic's translation to print in.
    """
    if topic_name and plan.topic and topic_name != plan.topic:
        raise HandoutError(f"the plan is for topic {show(plan.topic)}, the command names {show(topic_name)}",
                           "drop the topic argument or change 'topic:' in the plan")
    topic, theme = in_language(project, find_topic(project, topic_name or plan.topic), theme,
                               language or plan.language)
    if maker is not None and maker.topic is not topic:
        maker = None  # a warm maker of another language
    maker = maker or SheetMaker(topic, theme, pick_handout(topic, handout))
    selection, errors = resolve(plan, topic)
    note_lines = NOTE_LINES if plan.patient.note else 0
    if not errors:
        errors = [ContentError(Location(FIELD_OPTIONS[f]), "", f"{FIELD_LABELS[f]} {m}", "use a shorter form, e.g. initials")
                  for f, m in maker.check_patient(plan.patient, note_lines)]
    if errors:
        raise ContentErrors(errors)
    template = maker.template(maker.layout(selection, note_lines))
    data = maker.sheet_pdf(template, plan.patient)
    maker.check_sample(template, plan.patient)
    return SheetResult(data, len(template.pages), f"exercise-sheet-{maker.digest(template)}.pdf")


def write_sheet(out: Optional[Path], name: str, data: bytes) -> Path:
    """Write one sheet: to ``out`` (replaced atomically; a folder or a device is refused), or as
    ``name`` in the current folder, never replacing a file (``name-2`` ... if taken).  Mode 0600."""
    if out is None:
        with OutputFolder(Path.cwd()) as folder:
            return folder.write_new(name, data)
    check_target(out, want_dir=False)
    with OutputFolder(out.parent if str(out.parent) else Path(".")) as folder:
        return folder.write_file(out.name, data)


# ----------------------------------------------------------------------------- batches


@dataclass
class BatchJob:
    """A checked batch: the good rows with their layouts, the bad rows, and warnings."""

    maker: SheetMaker
    rows: list[BatchRow]
    layouts: list  # SheetLayout per good row
    problems: list[RowProblem]
    shown: str
    warnings: list[RowProblem] = field(default_factory=list)
    makers: list = field(default_factory=list)  # the SheetMaker of each good row (rows may differ in language)

    def maker_of(self, index: int) -> SheetMaker:
        return self.makers[index] if self.makers else self.maker

    def distinct_makers(self) -> list[SheetMaker]:
        """Each maker once, in first-use order (the default language's first)."""
        seen: dict[int, SheetMaker] = {id(self.maker): self.maker}
        for maker in self.makers:
            seen.setdefault(id(maker), maker)
        return list(seen.values())

    def messages(self) -> list[str]:
        return [p.text(self.shown) for p in sorted(self.problems, key=lambda p: (p.number, p.column))]

    def warning_messages(self) -> list[str]:
        return [f"warning: {p.text(self.shown)}" for p in sorted(self.warnings, key=lambda p: (p.number, p.column))]

    def bad_rows(self) -> int:
        return len({p.number for p in self.problems})


@dataclass
class BatchResult:
    written: int = 0
    skipped: int = 0
    pages: int = 0
    paths: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def check_batch(project: Project, csv_path: Path, theme: Theme, topic_name: Optional[str] = None,
                handout: Optional[str] = None, data: Optional[bytes] = None,
                maker: Optional[SheetMaker] = None, language: Optional[str] = None) -> BatchJob:
    """Read and check every row; lay out each distinct selection (no drawing yet).

    ``data``: the CSV's content when it is held in memory (``csv_path`` then
    only names it); ``maker``: a warm :class:`SheetMaker` for the batch's
    topic to reuse (a long-running front end keeps one per topic).
    """
    plans = read_batch(Path(csv_path), data)
    rows, problems = plans.rows, plans.problems
    # One batch prints one topic: --topic, else the first row's topic column, else the only topic.
    first = next((r.plan.topic for r in rows if r.plan.topic), None)
    try:
        topic = find_topic(project, topic_name or first)
    except HandoutError as err:
        if topic_name or first is None:
            raise
        row = next(r for r in rows if r.plan.topic)
        raise HandoutError(f"{plans.shown}:{row.line}: row {row.number}, topic: {err.message}", err.hint) from None
    # A batch may mix languages: each row prints in its language column's edition; an empty cell
    # takes --language, else the topic's own. One SheetMaker per language, made when first needed.
    default = language or topic.language
    makers: dict[str, SheetMaker] = {}

    def maker_for(lang: str) -> SheetMaker:
        if lang not in makers:
            edition, edition_theme = in_language(project, topic, theme, lang)
            chosen = pick_handout(edition, handout)
            warm = maker is not None and (maker.topic, maker.handout, maker.theme) == (edition, chosen, edition_theme)
            makers[lang] = maker if warm else SheetMaker(edition, edition_theme, chosen)
        return makers[lang]

    first_maker = maker_for(default)  # --language naming a language the topic lacks stops the batch
    good: list[BatchRow] = []
    layouts = []
    row_makers: list[SheetMaker] = []
    for row in rows:
        if row.plan.topic and row.plan.topic != topic.id:
            problems.append(RowProblem(row.number, row.line, "topic", f"differs from the batch's topic ({topic.id})",
                                       "one batch prints one topic: split the file"))
            continue
        try:
            row_maker = maker_for(row.plan.language or default)
        except NoEdition as err:
            problems.append(RowProblem(row.number, row.line, "language", err.message, err.hint or ""))
            continue
        edition = row_maker.topic
        selection, errors = resolve(row.plan, edition)
        for err in errors:
            column = err.where.file.split(", ", 1)[1] if ", " in err.where.file else "exercises"
            problems.append(RowProblem(row.number, row.line, column, err.problem, err.hint))
        if errors:
            continue
        note_lines = NOTE_LINES if row.plan.patient.note else 0
        fits = row_maker.check_patient(row.plan.patient, note_lines)
        for name, message in fits:
            problems.append(RowProblem(row.number, row.line, FIELD_LABELS[name], message, "use a shorter form, e.g. initials"))
        if fits:
            continue
        good.append(row)
        layouts.append(row_maker.layout(selection, note_lines))
        row_makers.append(row_maker)
    return BatchJob(first_maker, good, layouts, problems, plans.shown, plans.warnings, row_makers)


# ----------------------------------------------------------------------------- workers


_ACTIVE: Optional["_Runner"] = None  # what forked workers work on (inherited, never pickled)
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Pool initializer: a worker must stop writing the moment its parent dies (kill -9 included)."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:  # elsewhere: a watchdog on the parent's pid
        def watch() -> None:
            while os.getppid() == parent:
                threading.Event().wait(0.1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


class _Runner:
    def __init__(self, job: BatchJob, stage) -> None:
        self.job, self.stage = job, stage

    def write_rows(self, span: tuple[int, int]) -> int:
        job = self.job
        for index in range(*span):
            row, layout, maker = job.rows[index], job.layouts[index], job.maker_of(index)
            template = maker.template(layout)
            data = maker.sheet_pdf(template, row.plan.patient)
            self.stage.write(ROW_NAME.format(number=row.number), data, mode=0o600)
        return span[1] - span[0]


def _render_chunk(work):
    which, keys = work
    return _ACTIVE.job.distinct_makers()[which].render_chunk(keys)


def _write_rows(span):
    return _ACTIVE.write_rows(span)


def _pool(context, jobs: int):
    return context.Pool(jobs, initializer=_die_with_parent, initargs=(os.getpid(),))


# ----------------------------------------------------------------------------- running a batch


def check_out(out: Optional[Path], merge: bool) -> None:
    """Refuse an output path before any work: a device, a folder for --merge, a file for a folder..."""
    if out is None:
        return
    check_target(out, want_dir=not merge)
    if not merge:
        here, target = Path.cwd().resolve(), out.resolve()
        if target == here or target in here.parents or target.parent == target:
            raise OutputError(f"{out}: is the current folder or contains it; a batch folder is replaced as a whole",
                              "use a folder of its own, e.g. --out sheets")


def run_batch(job: BatchJob, out: Optional[Path], merge: bool = False, jobs: int = 1,
              progress: Optional[Callable] = None, stdout: Optional[BinaryIO] = None,
              replace_old: bool = False, wait: Optional[Callable[[], None]] = None) -> BatchResult:
    """Write the good rows: one file per row into ``out`` (a folder), or one stack (``merge``).

    ``out`` None with ``merge`` writes the stack to ``stdout``.  ``progress``
    is a context manager factory like ``click.progressbar(length=, label=)``.
    ``wait`` is called if another run holds the output folder.
    """
    global _ACTIVE
    result = BatchResult(skipped=job.bad_rows())
    if not job.rows:
        return result
    check_out(out, merge)
    context = _fork_context() if jobs > 1 else None
    total = len(job.rows)
    bar = progress(total) if progress is not None and total > PROGRESS_MIN else None
    if out is None:
        _render_parts(job, context, jobs, merge)
        with (bar if bar is not None else _Null()) as update:
            result.pages = _write_stack(job, stdout, update)
        result.written = total
        return result
    target = out.resolve()
    with OutputFolder(target.parent, wait=wait) as folder:
        stage = None
        if not merge:
            current = target
            old = sorted(p.name for p in current.iterdir() if ROW_PATTERN.fullmatch(p.name)) if current.is_dir() else []
            if old and not replace_old:
                raise HandoutError(f"{out}: holds {plural(len(old), 'sheet')} from an earlier batch "
                                   f"({old[0]}...), which could be printed with this one",
                                   "choose an empty folder, or pass --replace to delete them first")
            stage = folder.stage(target.name, mode=0o700)
        _render_parts(job, context, jobs, merge)
        runner = _ACTIVE = _Runner(job, stage)
        try:
            with (bar if bar is not None else _Null()) as update:
                if merge:
                    pages = []
                    folder.write_file(target.name, lambda handle: pages.append(_write_stack(job, handle, update)))
                    result.pages = pages[0]
                    result.paths = [out]
                else:
                    spans = _spans(total, jobs if context is not None else 1)
                    if context is not None and len(spans) > 1:
                        with _pool(context, min(jobs, len(spans))) as pool:
                            for count in pool.imap_unordered(_write_rows, spans):
                                update(count)
                    else:
                        for span in spans:
                            update(runner.write_rows(span))
                    stage.carry_over(lambda rel: not ROW_PATTERN.fullmatch(rel))  # --replace: old sheets go
                    stage.commit()
                    result.paths = [out / ROW_NAME.format(number=r.number) for r in job.rows]
        finally:
            _ACTIVE = None
    result.written = total
    return result


def _render_parts(job: BatchJob, context, jobs: int, merge: bool) -> None:
    """The parts (the only reportlab work), in processes when there is enough of it, and a print-ready check."""
    global _ACTIVE
    makers = job.distinct_makers()
    work = []  # (which maker, chunk of part keys): each language's parts are its own maker's
    for which, maker in enumerate(makers):
        mine = [layout for index, layout in enumerate(job.layouts) if job.maker_of(index) is maker]
        work += [(which, keys) for keys in maker.chunks(maker.missing(mine), pad_page=merge)]
    if context is not None and len(work) > 1:
        _ACTIVE = _Runner(job, None)
        try:
            with _pool(context, min(jobs, len(work))) as pool:
                for (which, keys), (library, sinks) in zip(work, pool.map(_render_chunk, work)):
                    makers[which].add_library(keys, library, sinks)
        finally:
            _ACTIVE = None
    else:
        for which, keys in work:
            makers[which].add_library(keys, *makers[which].render_chunk(keys))
    # a print-ready check on one sheet per library (fonts live in the libraries)
    for index, (row, layout) in enumerate(zip(job.rows, job.layouts)):
        maker = job.maker_of(index)
        if not maker.libraries_of(layout) <= maker.checked_libraries:
            maker.check_sample(maker.template(layout), row.plan.patient)


class _Null:
    def __enter__(self):
        return lambda n: None

    def __exit__(self, *exc):
        return False


def _spans(total: int, jobs: int) -> list[tuple[int, int]]:
    size = max(1, min(100, -(-total // (jobs * 4))))  # several spans a worker: even load, steady progress
    return [(start, min(total, start + size)) for start in range(0, total, size)]


def _write_stack(job: BatchJob, sink: BinaryIO, update) -> int:
    stack = StackWriter(job.maker, sink)
    for index, (row, layout) in enumerate(zip(job.rows, job.layouts)):
        maker = job.maker_of(index)
        stack.add(maker.template(layout), row.plan.patient, maker)
        update(1)
    return stack.close()
