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
(hash of the sheet without patient details) or numbered by CSV row; no
temporary file is made outside the output folder, and the one made there
(for an atomic rename) is removed on any failure; messages name rows and
columns, never values.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Optional

from handoutkit.errors import ContentError, ContentErrors, HandoutError, Location, plural
from handoutkit.content.model import Project, Topic
from handoutkit.personal.sheets import NOTE_LINES, SheetMaker, StackWriter, pick_handout
from handoutkit.personal.plans import BatchRow, Plan, RowProblem, read_batch, resolve
from handoutkit.render.styles import Theme

ROW_NAME = "exercise-sheet-row-{number:0{width}d}.pdf"
ROW_PATTERN = re.compile(r"exercise-sheet-row-\d+\.pdf")
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
    raise HandoutError(f"no topic named {name!r}", did_you_mean(name, ids) or f"topics: {', '.join(ids)}")


# ----------------------------------------------------------------------------- one sheet


@dataclass
class SheetResult:
    data: bytes
    pages: int
    name: str  # the default file name: exercise-sheet-<hash>.pdf


def make_sheet(project: Project, plan: Plan, theme: Theme, topic_name: Optional[str] = None,
               handout: Optional[str] = None, maker: Optional[SheetMaker] = None) -> SheetResult:
    """One personalised sheet in memory.  Raises :class:`ContentErrors` naming options or file:line."""
    if topic_name and plan.topic and topic_name != plan.topic:
        raise HandoutError(f"the plan is for topic {plan.topic!r}, the command names {topic_name!r}",
                           "drop the topic argument or change 'topic:' in the plan")
    topic = find_topic(project, topic_name or plan.topic)
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


def write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name``, or ``name-2`` ... if taken: a sheet never replaces another patient's."""
    stem, suffix = os.path.splitext(name)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        target = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        if target.exists():
            continue
        temp = _temp_in(folder, target.name)
        try:
            with open(temp, "wb") as handle:
                handle.write(data)
            os.link(temp, target)  # fails if the name was taken meanwhile: never overwrite
            return target
        except FileExistsError:
            continue
        finally:
            Path(temp).unlink(missing_ok=True)
    raise HandoutError(f"{folder}: too many files named {stem}-N{suffix}")


def _temp_in(folder: Path, name: str) -> str:
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return temp


def replace_file(target: Path, data: bytes) -> None:
    """Write ``target`` atomically (temporary file in the same folder, then rename; removed on failure).

    The file keeps the temporary file's mode, 0600: a patient's sheet is
    readable by its owner only.
    """
    temp = _temp_in(target.parent, target.name)
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------- batches


@dataclass
class BatchJob:
    """A checked batch: the good rows with their layouts, and the bad rows."""

    maker: SheetMaker
    rows: list[BatchRow]
    layouts: list  # SheetLayout per good row
    problems: list[RowProblem]
    shown: str

    def messages(self) -> list[str]:
        return [p.text(self.shown) for p in sorted(self.problems, key=lambda p: (p.number, p.column))]


@dataclass
class BatchResult:
    written: int = 0
    skipped: int = 0
    pages: int = 0
    paths: list = field(default_factory=list)
    messages: list = field(default_factory=list)


def check_batch(project: Project, csv_path: Path, theme: Theme, topic_name: Optional[str] = None,
                handout: Optional[str] = None, data: Optional[bytes] = None,
                maker: Optional[SheetMaker] = None) -> BatchJob:
    """Read and check every row; lay out each distinct selection (no drawing yet).

    ``data``: the CSV's content when it is held in memory (``csv_path`` then
    only names it); ``maker``: a warm :class:`SheetMaker` for the batch's
    topic to reuse (a long-running front end keeps one per topic).
    """
    from handoutkit.content.yamlsource import display_path

    shown = display_path(Path(csv_path))
    rows, problems = read_batch(Path(csv_path), data)
    # One batch prints one topic: --topic, else the first row's topic column, else the only topic.
    topic = find_topic(project, topic_name or next((r.plan.topic for r in rows if r.plan.topic), None))
    chosen = pick_handout(topic, handout)
    if maker is None or (maker.topic, maker.handout, maker.theme) != (topic, chosen, theme):
        maker = SheetMaker(topic, theme, chosen)
    good: list[BatchRow] = []
    layouts = []
    for row in rows:
        if row.plan.topic and row.plan.topic != topic.id:
            problems.append(RowProblem(row.number, row.line, "topic", f"topic {row.plan.topic!r} differs from the batch's ({topic.id})",
                                       "one batch prints one topic: split the file"))
            continue
        selection, errors = resolve(row.plan, topic)
        for err in errors:
            column = err.where.file.split(", ", 1)[1] if ", " in err.where.file else "exercises"
            problems.append(RowProblem(row.number, row.line, column, err.problem, err.hint))
        if errors:
            continue
        note_lines = NOTE_LINES if row.plan.patient.note else 0
        fits = maker.check_patient(row.plan.patient, note_lines)
        for name, message in fits:
            problems.append(RowProblem(row.number, row.line, FIELD_LABELS[name], message, "use a shorter form, e.g. initials"))
        if fits:
            continue
        good.append(row)
        layouts.append(maker.layout(selection, note_lines))
    return BatchJob(maker, good, layouts, problems, shown)


_ACTIVE: Optional["_Runner"] = None  # what forked workers work on (inherited, never pickled)


class _Runner:
    def __init__(self, job: BatchJob, out: Optional[Path], width: int) -> None:
        self.job, self.out, self.width = job, out, width

    def write_rows(self, span: tuple[int, int]) -> int:
        job = self.job
        maker = job.maker
        for index in range(*span):
            row, layout = job.rows[index], job.layouts[index]
            template = maker.template(layout)
            data = maker.sheet_pdf(template, row.plan.patient)
            replace_file(self.out / ROW_NAME.format(number=row.number, width=self.width), data)
        return span[1] - span[0]


def _render_chunk(keys):
    return _ACTIVE.job.maker.render_chunk(keys)


def _write_rows(span):
    return _ACTIVE.write_rows(span)


def run_batch(job: BatchJob, out: Optional[Path], merge: bool = False, jobs: int = 1,
              progress: Optional[Callable] = None, stdout: Optional[BinaryIO] = None,
              replace_old: bool = False) -> BatchResult:
    """Write the good rows: one file per row into ``out`` (a folder), or one stack (``merge``).

    ``out`` None with ``merge`` writes the stack to ``stdout``.  ``progress``
    is a context manager factory like ``click.progressbar(length=, label=)``.
    """
    global _ACTIVE
    maker = job.maker
    result = BatchResult(skipped=len({p.number for p in job.problems}))
    if not job.rows:
        return result
    context = _fork_context() if jobs > 1 else None
    width = max(3, len(str(max(r.number for r in job.rows))))
    if not merge:
        out.mkdir(parents=True, exist_ok=True)
        old = sorted(p.name for p in out.iterdir() if ROW_PATTERN.fullmatch(p.name))
        if old and not replace_old:
            raise HandoutError(f"{out}: holds {plural(len(old), 'sheet')} from an earlier batch "
                               f"({old[0]}...), which could be printed with this one",
                               "choose an empty folder, or pass --replace to delete them first")
    runner = _Runner(job, out, width)
    _ACTIVE = runner
    try:
        # 1. parts: the only reportlab work, in processes when there is enough of it
        chunks = maker.chunks(maker.missing(job.layouts), pad_page=merge)
        if context is not None and len(chunks) > 1:
            with context.Pool(min(jobs, len(chunks))) as pool:
                for keys, (library, sinks) in zip(chunks, pool.map(_render_chunk, chunks)):
                    maker.add_library(keys, library, sinks)
        else:
            for keys in chunks:
                maker.add_library(keys, *maker.render_chunk(keys))
        # a print-ready check on one sheet per library (fonts live in the libraries)
        for row, layout in zip(job.rows, job.layouts):
            if not maker.libraries_of(layout) <= maker.checked_libraries:
                maker.check_sample(maker.template(layout), row.plan.patient)
        # 2. stamping and writing
        total = len(job.rows)
        bar = progress(total) if progress is not None and total > PROGRESS_MIN else None
        with (bar if bar is not None else _Null()) as update:
            if merge:
                result.pages = _write_stack(job, out, stdout, update)
                result.paths = [out] if out else []
            else:
                spans = _spans(total, jobs if context is not None else 1)
                if context is not None and len(spans) > 1:
                    with context.Pool(min(jobs, len(spans))) as pool:
                        for count in pool.imap_unordered(_write_rows, spans):
                            update(count)
                else:
                    for span in spans:
                        update(runner.write_rows(span))
                result.paths = [out / ROW_NAME.format(number=r.number, width=width) for r in job.rows]
        result.written = total
    finally:
        _ACTIVE = None
    return result


class _Null:
    def __enter__(self):
        return lambda n: None

    def __exit__(self, *exc):
        return False


def _spans(total: int, jobs: int) -> list[tuple[int, int]]:
    size = max(1, min(100, -(-total // (jobs * 4))))  # several spans a worker: even load, steady progress
    return [(start, min(total, start + size)) for start in range(0, total, size)]


def _write_stack(job: BatchJob, out: Optional[Path], stdout: Optional[BinaryIO], update) -> int:
    maker = job.maker
    if out is None:
        stack = StackWriter(maker, stdout)
        for row, layout in zip(job.rows, job.layouts):
            stack.add(maker.template(layout), row.plan.patient)
            update(1)
        return stack.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_in(out.parent, out.name)
    try:
        with open(temp, "wb") as handle:
            stack = StackWriter(maker, handle)
            for row, layout in zip(job.rows, job.layouts):
                stack.add(maker.template(layout), row.plan.patient)
                update(1)
            pages = stack.close()
        os.replace(temp, out)
        return pages
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
