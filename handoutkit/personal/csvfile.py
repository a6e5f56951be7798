"""Batch CSV files as spreadsheets save them, read so that no row is ever lost or merged silently.

The reader is our own small tokenizer, not :mod:`csv`: Python's reader
happily runs an unbalanced quote across the rest of the file, which put the
following patients into the first patient's Notes box.  Here every physical
line belongs to exactly one spreadsheet row, and each row knows the lines it
spans and where each quoted cell opened.

What is accepted (what Excel, LibreOffice, Numbers and Google Sheets save):

* UTF-8 with or without a byte-order mark; UTF-16 with a BOM (Excel's
  "Unicode text"); anything else is refused with a hint to save as CSV UTF-8;
* line ends CRLF, LF or CR;
* comma, semicolon (European Excel) or tab separators: the separator is the
  one that splits the header into known column names; a first line
  ``sep=;`` (Excel's hint) is honoured;
* blank lines before the header and between rows (skipped; row numbers stay
  the spreadsheet's, blank rows counted);
* empty trailing header cells (Excel's formatted-but-empty columns);
* the rules of RFC 4180 quoting: ``"a, b"``, and ``""`` for a quote inside quotes.

The multi-line rule (issue 8, item 1).  A quoted cell may span lines only
when the file clearly means a multi-line note: the cell is in the ``note``
column, spans at most :data:`NOTE_SPAN` lines (the Notes box prints three),
its closing quote ends the cell, and none of its continuation lines could be
a row of its own (holds as many separators as the header has columns minus
one).  Such a note is accepted and reported as a warning naming the row, the
column and the lines.  Any other cell spanning lines, or a quote never
closed, fails the whole file (exit 1, nothing printed, even without
``--strict``): the rows after it cannot be trusted.  The message names the
row, the column and the line where the quote opened.

Other row rules: more cells than the header has columns is a bad row (an
unquoted comma split a cell: ``chin-tuck:sets=2,reps=8``); text after a
closing quote is a bad row; identical rows are both printed, with a warning
naming both row numbers.

Structured results for any front end (the CLI, a web page):
:func:`parse_batch` returns a :class:`BatchFile` whose ``problems`` and
``warnings`` are :class:`RowProblem` (row, line, column, message, hint);
a problem with the file as a whole raises :class:`CsvFileError`, which
carries the same fields.  No message quotes a cell of the name, clinician,
date or note columns, nor any cell of a file without a recognised header;
other values are quoted only when they look like ids
(:func:`handoutkit.personal.names.shown`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from handoutkit.errors import HandoutError

COLUMNS = ("name", "date", "clinician", "exercises", "doses", "note", "topic", "language")
COLUMN_ALIASES = {"patient": "name", "patient_name": "name", "dose": "doses", "notes": "note",
                  "exercise": "exercises", "visit_date": "date"}
REQUIRED_COLUMNS = ("name", "exercises")
SEPARATORS = (",", ";", "\t")
NOTE_SPAN = 3  # lines a quoted note may span: the Notes box has three
MAX_ROW = 9999  # spreadsheet rows: file names have four digits whatever the batch size
HEADER_HINT = "the first row names the columns, e.g. name,date,clinician,exercises,doses,note"


@dataclass(frozen=True)
class RowProblem:
    """One problem (or warning) with one row, for a message or a form field."""

    number: int  # spreadsheet row number: blank rows counted, the header's row included
    line: int  # the file line the row (or the quoted cell) starts on
    column: str  # a column name, or "(row)"
    message: str
    hint: Optional[str] = None

    def text(self, shown: str) -> str:
        out = f"{shown}:{self.line}: row {self.number}, {self.column}: {self.message}"
        return out + (f"\n  hint: {self.hint}" if self.hint else "")


class CsvFileError(HandoutError):
    """The file as a whole cannot be trusted (encoding, header, an unclosed or runaway quote)."""

    def __init__(self, shown: str, message: str, hint: Optional[str] = None, line: int = 0,
                 number: int = 0, column: str = "") -> None:
        self.shown, self.line, self.number, self.column, self.problem = shown, line, number, column, message
        where = f"{shown}:{line}" if line else shown
        if number:
            where += f": row {number}" + (f", {column}" if column else "")
        super().__init__(f"{where}: {message}", hint)


@dataclass
class Cell:
    value: str
    line: int  # where the cell starts (for a quoted cell: where its quote opened)
    end_line: int
    quoted: bool = False
    closed: bool = True  # a quoted cell's quote was closed
    trailing: bool = False  # text after the closing quote


@dataclass
class Record:
    number: int
    line: int
    end_line: int
    cells: list[Cell]

    def blank(self) -> bool:
        return not any(c.value.strip() for c in self.cells)


@dataclass
class CsvRow:
    """A data row: its cells by column name (absent columns are empty)."""

    number: int
    line: int
    values: dict[str, str]


@dataclass
class BatchFile:
    shown: str
    columns: list[Optional[str]]
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)


def decode(data: bytes, shown: str) -> str:
    """The file's text, line ends made ``\\n``; refuses what is not UTF-8 (or UTF-16 with a BOM)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise CsvFileError(shown, "file starts like UTF-16 text but is not",
                               "save it as 'CSV UTF-8' from your spreadsheet program") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CsvFileError(shown, "file is not UTF-8 text", "save it as 'CSV UTF-8' from your spreadsheet program",
                               line=line) from None
    if "\x00" in text:
        raise CsvFileError(shown, "file holds NUL characters: it is not a CSV text file",
                           "save it as 'CSV UTF-8' from your spreadsheet program")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def tokenize(text: str, sep: str, first_line: int = 1) -> list[Record]:
    """Records (spreadsheet rows) with their cells and lines, by RFC 4180 quoting."""
    records: list[Record] = []
    i, n, line = 0, len(text), first_line
    while i < n:
        start, cells = line, []
        while True:
            cell_line = line
            if i < n and text[i] == '"':
                i += 1
                parts, closed = [], False
                while i < n:
                    char = text[i]
                    if char == '"':
                        if i + 1 < n and text[i + 1] == '"':
                            parts.append('"')
                            i += 2
                            continue
                        i += 1
                        closed = True
                        break
                    if char == "\n":
                        line += 1
                    parts.append(char)
                    i += 1
                rest = i
                while i < n and text[i] not in (sep, "\n"):
                    i += 1
                after = text[rest:i]
                cells.append(Cell("".join(parts) + after, cell_line, line, True, closed, bool(after.strip())))
            else:
                begin = i
                while i < n and text[i] not in (sep, "\n"):
                    i += 1
                cells.append(Cell(text[begin:i], cell_line, line))
            if i < n and text[i] == sep:
                i += 1
                continue
            if i < n:  # the line end closing the record
                i += 1
                line += 1
            break
        records.append(Record(len(records) + 1, start, cells[-1].end_line, cells))
    return records


def column_key(cell: str) -> str:
    key = re.sub(r"[\s-]+", "_", cell.strip().lower())
    return COLUMN_ALIASES.get(key, key)


def _pick_separator(line: str) -> str:
    def score(sep: str) -> tuple[int, int]:
        return (sum(column_key(c.strip('"')) in COLUMNS for c in line.split(sep)), line.count(sep))

    return max(SEPARATORS, key=score)


def parse_batch(data: bytes, shown: str) -> BatchFile:
    """Read a batch file's rows as cells by column; see the module docstring for the rules."""
    text = decode(data, shown)
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CsvFileError(shown, "file is empty", HEADER_HINT)
    offset = 0
    sep_line = re.fullmatch(r'"?sep=(.)"?,*', lines[first].strip())
    if sep_line:
        sep = sep_line.group(1)
        offset = first + 1
        text = "\n".join(lines[offset:])
    else:
        sep = _pick_separator(lines[first])
    records = tokenize(text, sep, first_line=offset + 1)
    _check_quotes(records, shown, lines, sep, None)
    content = [r for r in records if not r.blank()]
    if not content:
        raise CsvFileError(shown, "file has no header row", HEADER_HINT)
    header = content[0]
    columns = _read_header(header, shown)
    _check_quotes(records, shown, lines, sep, (header, columns))
    result = BatchFile(shown, columns)
    seen: dict[tuple, int] = {}
    for record in records:
        if record.number <= header.number or record.blank():
            continue
        if record.number > MAX_ROW:
            raise CsvFileError(shown, f"has more than {MAX_ROW} rows", "split it into smaller files",
                               line=record.line, number=record.number)
        problems = result.problems

        def problem(column: str, message: str, hint: Optional[str] = None, line: int = record.line) -> None:
            problems.append(RowProblem(record.number, line, column, message, hint))

        if len(record.cells) > len(columns):
            problem("(row)", f"has {len(record.cells)} cells; the header has {len(columns)} columns",
                    "a cell holding the separator must be in double quotes, e.g. \"chin-tuck:sets=2,reps=8\"")
        values: dict[str, str] = {}
        for index, cell in enumerate(record.cells[: len(columns)]):
            column = columns[index]
            if column is None:
                if cell.value.strip():
                    problem(f"column {index + 1}", "has a value but the header names no column there",
                            "add a column name to the header, or remove the value")
                continue
            if cell.trailing:
                problem(column, "has text after its closing quote", "a quoted cell ends at its closing quote",
                        line=cell.line)
            if cell.end_line > cell.line:
                result.warnings.append(RowProblem(
                    record.number, cell.line, column,
                    f"a quoted note spans lines {cell.line}–{cell.end_line}; it is printed as one paragraph"))
            values[column] = cell.value.strip()
        key = tuple(values.get(c, "") for c in COLUMNS)
        if key in seen:
            result.warnings.append(RowProblem(record.number, record.line, "(row)",
                                              f"is the same as row {seen[key]}: both are printed",
                                              "delete one if the patient should get one sheet"))
        else:
            seen[key] = record.number
        result.rows.append(CsvRow(record.number, record.line, values))
    return result


def _read_header(header: Record, shown: str) -> list[Optional[str]]:
    from handoutkit.personal.plans import did_you_mean

    keys = [column_key(c.value) for c in header.cells]
    while keys and not keys[-1]:  # Excel's empty trailing columns
        keys.pop()
    keys += [""] * (len(header.cells) - len(keys))
    if not any(k in COLUMNS for k in keys):
        # No known column: the first row may be a patient's row. Say nothing of its cells.
        raise CsvFileError(shown, "the first row is not a header: none of its cells names a known column",
                           HEADER_HINT, line=header.line)
    columns: list[Optional[str]] = []
    for index, key in enumerate(keys, 1):
        if not key:
            columns.append(None)
            continue
        if key not in COLUMNS:
            # A recognised header's cells are column titles; still, only lower-case ones are repeated
            # (a capitalised one may be a patient's name pasted into the header row).
            cell = header.cells[index - 1].value.strip()
            title = re.fullmatch(r"[a-z0-9][a-z0-9 _-]{0,39}", cell)
            named = f"unknown column {cell!r}" if title else "is not a known column name"
            raise CsvFileError(shown, f"column {index}: {named}",
                               did_you_mean(key, COLUMNS) or f"columns: {', '.join(COLUMNS)}", line=header.line)
        if key in columns:
            raise CsvFileError(shown, f"column {index}: column {key!r} appears twice", line=header.line)
        columns.append(key)
    for needed in REQUIRED_COLUMNS:
        if needed not in columns:
            raise CsvFileError(shown, f"the header has no {needed!r} column", HEADER_HINT, line=header.line)
    return columns


def _check_quotes(records: list[Record], shown: str, lines: list[str], sep: str, header) -> None:
    """Refuse an unclosed quote, and a cell spanning lines that is not clearly a multi-line note."""
    first = next((r.number for r in records if not r.blank()), 0)
    for record in records:
        if header is None and record.number > first:
            break  # rows after the header are checked once the columns are known
        for index, cell in enumerate(record.cells):
            column = ""
            if header is not None and record.number > header[0].number:
                columns = header[1]
                column = (columns[index] or f"column {index + 1}") if index < len(columns) else f"column {index + 1}"
            elif header is not None:
                continue
            label = {"line": cell.line, "number": record.number, "column": column}
            if not cell.closed:
                raise CsvFileError(shown, f"a quote opens on line {cell.line} and is never closed, so every line "
                                   "after it would be read into this one cell",
                                   "close the quote, or remove it (a cell with a quote inside is written \"like \"\"this\"\"\")",
                                   **label)
            if cell.end_line == cell.line or header is None:
                continue
            span = cell.end_line - cell.line + 1
            columns = header[1]
            named = sum(1 for c in columns if c)
            inner = lines[cell.line: cell.end_line]  # the continuation lines (0-based list, 1-based lines)
            looks_like_rows = any(line.count(sep) >= named - 1 for line in inner)
            if column == "note" and span <= NOTE_SPAN and not cell.trailing and not looks_like_rows \
                    and len(record.cells) <= len(columns):
                continue
            why = ("its lines look like rows of their own" if looks_like_rows else
                   f"only a note may span lines, and at most {NOTE_SPAN}" if column != "note" or span > NOTE_SPAN else
                   "the row does not end where the quote closes")
            raise CsvFileError(shown, f"a quoted cell opens on line {cell.line} and runs to line {cell.end_line} "
                               f"({why}); the file is not read, so no row is lost or merged",
                               "check the quotes on that line: a quote inside a cell is written \"\"", **label)


def read_batch_file(path: Path, data: Optional[bytes] = None) -> BatchFile:
    """:func:`parse_batch` on a file (or on ``data``, then ``path`` only names it in messages)."""
    from handoutkit.content.yamlsource import display_path

    shown = display_path(Path(path))
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CsvFileError(shown, f"cannot read file ({exc.strerror})") from None
    return parse_batch(data, shown)
