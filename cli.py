"""The ``handout`` command line: parses options and calls the library, nothing more.

    handout build [TOPIC...] [--handout NAME] [--source DIR] [--out DIR] [--paper letter|a4] [--strict]
    handout list [--source DIR]
    handout check [TOPIC...] [--strict] [--format text|json]
    handout docs [--write]

Errors from content are printed as ``file:line:col: field: message`` with a
hint, and exit with code 1; usage errors exit with code 2 (click's rule).
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import click

from handoutkit.errors import HandoutError

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
@strict_option
@today_option
def build(topics: tuple[str, ...], handouts: tuple[str, ...], source: Path, out: Path, paper: Optional[str],
          large_print: bool, grayscale: bool, print_marks: bool, creep_mm: Optional[float],
          strict: bool, today: Optional[datetime]) -> None:
    """Build every handout of every topic (or only the TOPICS named)."""
    from handoutkit.build import BuildOptions, build as run_build

    options = BuildOptions(paper=paper.lower() if paper else None, large_print=large_print, grayscale=grayscale,
                           print_marks=print_marks, creep_mm=creep_mm)
    files = run_build(source, out, topics=topics or None, handouts=handouts or None, options=options,
                      strict=strict, today=today.date() if today else None,
                      warn=lambda line: click.echo(line, err=True))
    for item in files:
        extra = f"; {item.note}" if item.note else ""
        pages = f"{item.pages} page{'s' if item.pages != 1 else ''}"
        click.echo(f"wrote {item.path} ({pages}, {_inches(item.page_size)}{extra})")


@main.command(name="list")
@source_option
def list_command(source: Path) -> None:
    """Show the topics, their handouts, layouts and page sizes."""
    from handoutkit.load import load_project
    from handoutkit.styles import BOOKLET_PAGE, PAPER

    project = load_project(source)
    paper = project.brand.paper
    for topic in project.topics:
        click.echo(f"{topic.id}: {topic.title} (v{topic.version}, review due {topic.review_due})")
        for handout in topic.handouts:
            size = BOOKLET_PAGE[paper] if handout.layout == "booklet" else PAPER[paper]
            sections = ", ".join(ref.section.id + (" (short)" if ref.short else "") for ref in handout.sections)
            click.echo(f"  {handout.name}.pdf  [{handout.layout}, {_inches(size)}]  {sections}")
            if handout.impose:
                sheet = PAPER[paper]
                click.echo(f"  {handout.name}-print.pdf  [{handout.impose}, {_inches((sheet[1], sheet[0]))}]")


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
    from handoutkit.build import check_glyphs
    from handoutkit.checks import load_check_config, run_checks
    from handoutkit.load import load_project

    project = load_project(source, topics or None)
    check_glyphs(project)
    report = run_checks(project, load_check_config(source), today.date() if today else date.today())
    click.echo(report.to_json() if output_format == "json" else report.to_text(), nl=output_format == "json")
    failing = report.errors(strict=strict)
    if failing:
        raise HandoutError(f"check failed: {len(failing)} problem{'s' if len(failing) != 1 else ''}"
                           + (" (warnings count as errors with --strict)" if strict else ""))


@main.command()
@click.option("--write", "write_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              is_flag=False, flag_value="docs/content-format.md",
              help="Write the page (default path docs/content-format.md) instead of printing it.")
def docs(write_path: Optional[Path]) -> None:
    """Print (or --write) the content format reference, generated from the schema."""
    from handoutkit.docs import reference_markdown

    text = reference_markdown()
    if write_path is None:
        click.echo(text, nl=False)
        return
    from handoutkit.build import atomic_write

    write_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(write_path, text.encode("utf-8"))
    click.echo(f"wrote {write_path}")


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
