"""The ``handout`` command line: parses options and calls the library, nothing more.

    handout build [TOPIC...] [--handout NAME] [--source DIR] [--out DIR] [--paper letter|a4] [--strict]
                  [--html] [--accessible] [--archive]
    handout list [--source DIR]
    handout check [TOPIC...] [--strict] [--format text|json]
    handout docs [--write]
    handout serve [--source DIR] [--host 127.0.0.1] [--port 8000] [--open]

Errors from content are printed as ``file:line:col: field: message`` with a
hint, and exit with code 1; usage errors exit with code 2 (click's rule).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Optional

import click

from handoutkit.errors import HandoutError, plural

PAPER_CHOICES = click.Choice(["letter", "a4"], case_sensitive=False)


def _inches(size: tuple[float, float]) -> str:
    w, h = (round(v / 72, 2) for v in size)
    return f"{w:g} × {h:g} in"


def source_option(func):
    return click.option("--source", type=click.Path(path_type=Path, file_okay=False), default=Path("handouts"),
                        show_default=True, help="Folder with brand.yaml and one folder per topic.")(func)


def strict_option(func):
    return click.option("--strict", is_flag=True,
                        help="Treat warnings (reading grade, unexplained words, review due soon) as errors.")(func)


def today_option(func):
    return click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
                        help="Date to judge review dates by (default: today).")(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="handoutkit", prog_name="handout")
def main() -> None:
    """Turn patient-education content written in YAML into print-ready PDF handouts."""


@main.command()
@click.argument("topics", nargs=-1)
@click.option("--handout", "handouts", multiple=True, metavar="NAME",
              help="Build only this handout (e.g. booklet, exercise-sheet, checklist). Repeatable.")
@source_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("output"), show_default=True,
              help="Folder to write PDFs into, one subfolder per topic.")
@click.option("--paper", type=PAPER_CHOICES, default=None,
              help="Paper size; overrides the brand's 'paper' (letter: half-letter booklet; a4: A5 booklet).")
@click.option("--large-print", is_flag=True, help="Large-print edition: 18 pt body text (files named *-large-print.pdf).")
@click.option("--grayscale", is_flag=True, help="Black-and-white edition: brand colours as grays (*-grayscale.pdf).")
@click.option("--print-marks", is_flag=True,
              help="Print-shop files: 3 mm bleed, crop marks, TrimBox and BleedBox (*-marks.pdf).")
@click.option("--creep", "creep_mm", type=click.FloatRange(min=0, max=2), default=None, metavar="MM",
              help="Saddle-stitch creep per sheet in mm (default: 0.1 for booklets over 40 pages, else 0).")
@click.option("--html", is_flag=True, help="Also the HTML edition: one self-contained accessible file (*.html).")
@click.option("--accessible", is_flag=True, help="Also the tagged PDF/UA-1 edition for screen readers (*-accessible.pdf).")
@click.option("--archive", is_flag=True, help="Also PDF/A-2b archive copies of the print PDFs (*-archive.pdf).")
@click.option("--language", "languages", multiple=True, metavar="CODE",
              help="Build only this language (e.g. es; default: every language). Repeatable.")
@strict_option
@today_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Lay out handouts in this many processes (same files as 1).")
@click.option("--shard", default=None, metavar="K/N",
              help="Build only shard K of N of the work (deterministic: for CI matrices and indexed jobs).")
@click.option("--force", is_flag=True, help="Rebuild even what is unchanged since the last build into --out.")
def build(topics: tuple[str, ...], handouts: tuple[str, ...], source: Path, out: Path, paper: Optional[str],
          large_print: bool, grayscale: bool, print_marks: bool, creep_mm: Optional[float], html: bool,
          accessible: bool, archive: bool, languages: tuple[str, ...], strict: bool, today: Optional[datetime],
          jobs: int, shard: Optional[str], force: bool) -> None:
    """Build every handout of every topic (or only the TOPICS named).

    Handouts whose inputs (content, images, brand, options, tool version)
    have not changed since they were built into --out are reported
    "unchanged" and left alone.
    """
    from handoutkit.build import BuildOptions, build as run_build
    from handoutkit.press.work import parse_shard

    try:
        shard_range = parse_shard(shard) if shard is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--shard'") from None
    if archive and print_marks:
        raise click.UsageError("--archive makes PDF/A copies of the standard print files; "
                               "it cannot be combined with --print-marks (CMYK crop marks)")
    options = BuildOptions(paper=paper.lower() if paper else None, large_print=large_print, grayscale=grayscale,
                           print_marks=print_marks, creep_mm=creep_mm, html=html, accessible=accessible,
                           archive=archive)
    files = run_build(source, out, topics=topics or None, handouts=handouts or None, options=options,
                      languages=languages or None, strict=strict, today=today.date() if today else None,
                      warn=lambda line: click.echo(line, err=True), jobs=jobs, shard=shard_range, force=force)
    for item in files:
        verb = "unchanged" if item.unchanged else "wrote"
        if not item.pages:  # the HTML edition: no pages
            click.echo(f"{verb} {item.path} ({item.note})")
            continue
        extra = f"; {item.note}" if item.note else ""
        pages = plural(item.pages, "page")
        click.echo(f"{verb} {item.path} ({pages}, {_inches(item.page_size)}{extra})")


@main.command(name="list")
@source_option
def list_command(source: Path) -> None:
    """Show the topics, their handouts, layouts and page sizes."""
    from handoutkit.content.load import load_project
    from handoutkit.render.styles import BOOKLET_PAGE, PAPER

    project = load_project(source)
    paper = project.brand.paper
    for topic in project.topics:
        languages = ", ".join([topic.language + " (source)"] + [t.language for t in topic.translations])
        click.echo(f"{topic.id}: {topic.title} (v{topic.version}, review due {topic.review_due}; "
                   f"languages: {languages})")
        for edition in topic.editions:
            suffix = edition.language_suffix
            if suffix:
                click.echo(f"  {edition.language}: {edition.title}")
            for handout in edition.handouts:
                size = BOOKLET_PAGE[paper] if handout.layout == "booklet" else PAPER[paper]
                sections = ", ".join(ref.section.id + (" (short)" if ref.short else "") for ref in handout.sections)
                click.echo(f"  {handout.name}{suffix}.pdf  [{handout.layout}, {_inches(size)}]  {sections}")
                if handout.impose:
                    sheet = PAPER[paper]
                    click.echo(f"  {handout.name}-print{suffix}.pdf  [{handout.impose}, "
                               f"{_inches((sheet[1], sheet[0]))}]")


@main.command()
@click.argument("topics", nargs=-1)
@source_option
@strict_option
@today_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A readable report, or JSON for other programs.")
def check(topics: tuple[str, ...], source: Path, strict: bool, today: Optional[datetime], output_format: str) -> None:
    """Validate content and report reading level, plain language, fonts, contrast and review dates.

    Writes no PDFs.  Exit code 1 when there are errors (or, with --strict, warnings).
    """
    from handoutkit import clock
    from handoutkit.build import check_glyphs
    from handoutkit.checks.accessibility import add_accessibility_findings
    from handoutkit.checks.health import load_check_config, run_checks
    from handoutkit.content.load import load_project

    project = load_project(source, topics or None)
    check_glyphs(project)
    report = run_checks(project, load_check_config(source), today.date() if today else clock.build_date())
    add_accessibility_findings(report, project)
    click.echo(report.to_json() if output_format == "json" else report.to_text(), nl=output_format == "json")
    failing = report.errors(strict=strict)
    if failing:
        raise HandoutError(f"check failed: {plural(len(failing), 'problem')}"
                           + (" (warnings count as errors with --strict)" if strict else ""))


@main.command()
@click.option("--write", "write_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              is_flag=False, flag_value="docs/content-format.md",
              help="Write the page (default path docs/content-format.md) instead of printing it.")
def docs(write_path: Optional[Path]) -> None:
    """Print (or --write) the content format reference, generated from the schema."""
    from handoutkit.content.docs import reference_markdown

    text = reference_markdown()
    if write_path is None:
        click.echo(text, nl=False)
        return
    from handoutkit.build import atomic_write

    write_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(write_path, text.encode("utf-8"))
    click.echo(f"wrote {write_path}")


@main.command()
@click.argument("topics", nargs=-1)
@source_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("output"), show_default=True,
              help="Output folder: previews go to <out>/<topic>/preview/ unless --dest is given.")
@click.option("--dest", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Put every preview in this folder instead, named <topic>-<handout>.png.")
@click.option("--paper", type=PAPER_CHOICES, default=None,
              help="Paper size; overrides the brand's 'paper' (letter: half-letter booklet; a4: A5 booklet).")
@click.option("--language", "languages", multiple=True, metavar="CODE",
              help="Only this language (e.g. es; default: every language). Repeatable.")
def preview(topics: tuple[str, ...], source: Path, out: Path, dest: Optional[Path], paper: Optional[str],
            languages: tuple[str, ...]) -> None:
    """Write a PNG of each handout's pages side by side, to look at before printing.

    Lays the handouts out in memory (no PDF is written) and saves one small
    contact sheet per PDF that 'handout build' would write.
    """
    from handoutkit.build import BuildOptions
    from handoutkit.press.preview import write_previews

    options = BuildOptions(paper=paper.lower() if paper else None)
    for item in write_previews(source, out, topics=topics or None, dest=dest, options=options,
                               languages=languages or None):
        click.echo(f"wrote {item.path} ({plural(item.pages, 'page')})")


def _personal_setup(source: Path, paper: Optional[str], large_print: bool, grayscale: bool,
                    language: Optional[str] = None):
    """Load and check the content (as build does: errors stop, warnings are left to `handout check`).

    The translation in ``language`` is held to parity; other translations do not hold the sheets up.
    """
    from handoutkit.build import BuildOptions, load_checked_project, make_build_theme

    project = load_checked_project(source, languages=[language] if language else [])
    options = BuildOptions(paper=paper.lower() if paper else None, large_print=large_print, grayscale=grayscale)
    return project, make_build_theme(project, options)


def _edition_options(func):
    func = click.option("--language", default=None, metavar="CODE",
                        help="Print in this language (a translation of the topic, e.g. es; default: the topic's own).")(func)
    func = click.option("--grayscale", is_flag=True, help="Brand colours as grays.")(func)
    func = click.option("--large-print", is_flag=True, help="Large-print edition (18 pt body text).")(func)
    return click.option("--paper", type=PAPER_CHOICES, default=None, help="Paper size; overrides the brand's.")(func)


@main.command()
@click.argument("topic", required=False)
@click.option("--exercise", "exercises", multiple=True, metavar="ID",
              help="An exercise to include, in order (repeatable; ids may also be separated by ; or spaces).")
@click.option("--dose", "doses", multiple=True, metavar="ID:KEY=N,...",
              help="Change a dose, e.g. chin-tuck:sets=2,reps=8 (keys: sets, reps, hold_seconds or hold "
                   "(0: no hold), times_per_day). Repeatable.")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="A YAML plan file (exercises, doses, and optionally topic, patient, clinician, date, note).")
@click.option("--patient", default=None, metavar="NAME", help="Written into the Patient name blank (printed only).")
@click.option("--clinician", default=None, metavar="NAME", help="Written into the Clinician blank.")
@click.option("--date", "visit_date", default=None, metavar="YYYY-MM-DD", help="Written into the Date blank.")
@click.option("--note", default=None, metavar="TEXT", help="A note printed in a Notes box (up to 3 lines).")
@click.option("--handout", default=None, metavar="NAME", help="The exercise-sheet handout to use (default: exercise-sheet).")
@source_option
@_edition_options
@click.option("--out", default=None, metavar="FILE|-",
              help="Output file, or - for standard output (default: exercise-sheet-<hash>.pdf here; "
                   "the hash covers content and plan, not the patient; an existing file is never replaced).")
def sheet(topic: Optional[str], exercises: tuple[str, ...], doses: tuple[str, ...], plan_file: Optional[Path],
          patient: Optional[str], clinician: Optional[str], visit_date: Optional[str], note: Optional[str],
          handout: Optional[str], source: Path, paper: Optional[str], large_print: bool, grayscale: bool,
          language: Optional[str], out: Optional[str]) -> None:
    """Print one patient's exercise sheet: chosen exercises and doses, name and date in the blanks.

    The patient's details appear on the page only: not in the file's metadata,
    its name, or any message.
    """
    from handoutkit.personal.batch import make_sheet, write_sheet
    from handoutkit.personal.plans import load_plan_file, plan_from_options
    from handoutkit.press.output import check_target

    if out not in (None, "-"):
        check_target(Path(out), want_dir=False)  # before any work: a folder or a device is refused
    base = load_plan_file(plan_file) if plan_file else None
    plan = plan_from_options(exercises, doses, base, patient=patient, clinician=clinician, visit_date=visit_date,
                             note=note)
    language = language or plan.language
    project, theme = _personal_setup(source, paper, large_print, grayscale, language)
    result = make_sheet(project, plan, theme, topic_name=topic, handout=handout, language=language)
    pages = plural(result.pages, "page")
    if out == "-":
        stream = sys.stdout.buffer
        stream.write(result.data)
        stream.flush()
        return
    target = write_sheet(None if out is None else Path(out), result.name, result.data)
    shown = target.name if out is None else out
    click.echo(f"wrote {shown} ({pages}, {_inches(theme.sheet_size)})")


@main.command()
@click.argument("csv_file", metavar="PLANS.CSV", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--out", required=True, metavar="DIR|FILE|-",
              help="Folder for one PDF per row (exercise-sheet-row-NNNN.pdf, NNNN = the spreadsheet row), "
                   "replaced as a whole; with --merge a PDF file, or - for standard output.")
@click.option("--merge", is_flag=True,
              help="One PDF to print as a stack: every sheet starts on an odd page (a Notes page fills the back).")
@click.option("--strict", is_flag=True, help="Any bad row fails the run and nothing is written.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to use (default: the number of cores); the output is the same for any N.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@click.option("--replace", "replace_old", is_flag=True,
              help="Remove the sheets of an earlier batch in the --out folder (other files stay).")
@click.option("--topic", default=None, metavar="TOPIC", help="The topic (default: the CSV's topic column, or the only topic).")
@click.option("--handout", default=None, metavar="NAME", help="The exercise-sheet handout to use (default: exercise-sheet).")
@source_option
@_edition_options
def batch(csv_file: Path, out: str, merge: bool, strict: bool, jobs: Optional[int], quiet: bool, replace_old: bool,
          topic: Optional[str], handout: Optional[str], source: Path, paper: Optional[str], large_print: bool,
          grayscale: bool, language: Optional[str]) -> None:
    """Print one sheet per row of PLANS.CSV (columns: name, date, clinician, exercises, doses, note).

    Exercises are ids separated by ; or spaces; doses are ID:key=N,... entries
    (see `handout sheet --help`).  Bad rows are reported by row and column and
    skipped; --strict makes any bad row fail the run before anything is written.
    """
    import contextlib

    from handoutkit.personal.batch import check_batch, check_out, default_jobs, run_batch

    target = None if (merge and out == "-") else Path(out)
    if out == "-" and not merge:
        raise click.UsageError("--out - (standard output) needs --merge: a folder of files cannot go to a stream")
    check_out(target, merge)  # before any work: a device, a folder for --merge, the current folder...
    project, theme = _personal_setup(source, paper, large_print, grayscale, language)
    job = check_batch(project, csv_file, theme, topic_name=topic, handout=handout, language=language)
    messages = job.messages()
    bad = job.bad_rows()
    for line in job.warning_messages():
        click.echo(line, err=True)
    if messages and (strict or not job.rows):
        tail = (plural(bad, "bad row") + (" (--strict)" if strict else "")
                + "; nothing was written.") if job.rows or bad else "no rows; nothing was written."
        raise HandoutError("\n".join(messages + [tail]))
    if not job.rows:
        raise HandoutError(f"{job.shown}: no rows to print", "add one row per patient under the header")
    for line in messages:
        click.echo(line, err=True)

    @contextlib.contextmanager
    def progress(total: int):
        started = time.perf_counter()
        done = [0]

        def rate(_item) -> str:
            elapsed = time.perf_counter() - started
            return f"{done[0] / elapsed:.0f} sheets/s" if elapsed > 0 and done[0] else ""

        with click.progressbar(length=total, label="sheets", file=sys.stderr, show_pos=True, show_eta=True,
                               item_show_func=rate) as bar:
            def update(count: int) -> None:
                done[0] += count
                bar.update(count, done[0])

            yield update

    result = run_batch(job, target, merge=merge, jobs=jobs or default_jobs(), progress=None if quiet else progress,
                       stdout=sys.stdout.buffer, replace_old=replace_old,
                       wait=lambda: click.echo(f"{out}: waiting for another handout run writing there", err=True))
    if quiet or target is None:
        if bad and not quiet:
            click.echo(f"{result.written} sheets written; {plural(bad, 'bad row')} skipped", err=True)
        return
    skipped = f"; {plural(bad, 'bad row')} skipped" if bad else ""
    if merge:
        click.echo(f"wrote {target} ({result.written} sheets, {result.pages} pages: print double-sided{skipped})")
    else:
        click.echo(f"wrote {result.written} sheets to {target}{skipped}")


@main.command()
@source_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. 127.0.0.1: this computer only; 0.0.0.0: the clinic network "
                   "(needs an access code).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free port).")
@click.option("--access-code", envvar="HANDOUT_ACCESS_CODE", default=None, metavar="CODE",
              help="Code staff type to sign in (at least 8 characters; or set HANDOUT_ACCESS_CODE). "
                   "Required with any --host but 127.0.0.1.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another host name or address browsers use to reach this server (repeatable).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
def serve(source: Path, host: str, port: int, access_code: Optional[str], allow_hosts: tuple[str, ...],
          open_browser: bool) -> None:
    """Start the local web page: library, exercise plans, batches, content check.  Ctrl-C stops it.

    Patient details travel in form posts only and are never stored, logged
    or cached.
    """
    from handoutkit.web.app import serve as run_server

    run_server(source, host=host, port=port, access_code=access_code, allow_hosts=allow_hosts,
               open_browser=open_browser, say=lambda line: click.echo(line, err=True))


def run() -> None:
    """Console-script entry point: unexpected failures get one line, not a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except HandoutError as err:  # raised outside click's own handling (should not happen)
        err.show()
        sys.exit(err.exit_code)
    except Exception as exc:  # a bug, not bad input: say so, keep the details one flag away
        if os.environ.get("HANDOUT_DEBUG"):
            traceback.print_exc()
        click.echo(f"handout: internal error: {type(exc).__name__}: {exc}\n"
                   "  hint: set HANDOUT_DEBUG=1 to see the traceback, and please report it", err=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
