"""The one exception family of handoutkit.

Every error a user can cause is a :class:`HandoutError`, which is a
``click.ClickException``: the CLI prints ``message`` on one line (plus an
optional hint) and exits with code 1, never a traceback.  Library code raises
these and never calls ``sys.exit``, so any front end (CLI, web page, tests)
can catch one type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Iterable, Optional

import click


@dataclass(frozen=True, order=True)
class Location:
    """Where a value came from: a file and, when known, a 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


def plural(count: int, word: str) -> str:
    """``plural(1, "page")`` → "1 page", ``plural(3, "page")`` → "3 pages": for counts in messages."""
    return f"{count} {word}{'' if count == 1 else 's'}"


class HandoutError(click.ClickException):
    """Base of every handoutkit error.  Exit code 1."""

    exit_code = 1

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.hint = hint

    def format_message(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message

    def show(self, file: Optional[IO] = None) -> None:
        # click prefixes "Error: "; our messages already start with file:line,
        # which editors and CI logs can jump to, so print them bare.
        click.echo(self.format_message(), file=file, err=True)


class ContentError(HandoutError):
    """One problem in the YAML content or the brand, located to file:line:col."""

    def __init__(self, where: Location, path: str, message: str, hint: Optional[str] = None) -> None:
        self.where = where
        self.path = path
        self.problem = message
        text = f"{where}: {path}: {message}" if path else f"{where}: {message}"
        super().__init__(text, hint)

    def sort_key(self) -> tuple:
        return (self.where.file, self.where.line, self.where.column, self.path, self.problem)


class ContentErrors(HandoutError):
    """Several content errors found in one run, reported together, sorted."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = sorted(errors, key=ContentError.sort_key)
        lines = []
        for err in self.errors:
            lines.append(err.message)
            if err.hint:
                lines.append(f"  hint: {err.hint}")
        count = len(self.errors)
        lines.append(f"{plural(count, 'error')} found; nothing was written.")
        super().__init__("\n".join(lines))


class FitError(HandoutError):
    """Content does not fit the box or page the layout gives it."""


class FitErrors(HandoutError):
    """Every handout of a build that did not fit, reported together: "N errors found; nothing was written"."""

    def __init__(self, errors: Iterable[FitError]) -> None:
        self.errors = list(errors)
        lines = [err.format_message() for err in self.errors]
        lines.append(f"{plural(len(self.errors), 'error')} found; nothing was written.")
        super().__init__("\n".join(lines))


class BuildError(HandoutError):
    """A build step failed for a reason that is not the content's fault (disk, fonts, a bug)."""
