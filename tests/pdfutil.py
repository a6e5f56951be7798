"""Small helpers the tests use to read PDFs (beyond handoutkit.checks.pdfcheck)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def norm(text: str) -> str:
    """Whitespace-folded text, for comparisons that ignore line wrapping."""
    return " ".join(text.split())


def font_sizes(data: bytes) -> set[float]:
    """Every font size set with Tf in the page content streams and their form XObjects."""
    sizes: set[float] = set()
    pdf = reader(data)

    def scan(stream_bytes: bytes) -> None:
        for match in re.finditer(rb"/[^\s/]+\s+([\d.]+)\s+Tf", stream_bytes):
            sizes.add(float(match.group(1)))

    def walk_xobjects(resources) -> None:
        xobjects = resources.get("/XObject") if resources else None
        if not xobjects:
            return
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Form":
                scan(obj.get_data())
                walk_xobjects(obj.get("/Resources"))

    for page in pdf.pages:
        contents = page.get_contents()
        if contents is not None:
            scan(contents.get_data())
        walk_xobjects(page.get("/Resources"))
    return sizes


def visual_lines(data: bytes, page_index: int) -> list[str]:
    """The text of one page as printed lines, top to bottom, runs ordered left to right.

    pypdf's plain extraction follows content-stream order, which for a
    contents page puts the dot leader and number before the entry's label.
    """
    page = reader(data).pages[page_index]
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, *_):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((round(y), x, text))

    page.extract_text(visitor_text=visit)
    lines: dict[int, list[tuple[float, str]]] = {}
    for y, x, text in runs:
        key = next((k for k in lines if abs(k - y) <= 2), y)
        lines.setdefault(key, []).append((x, text))
    return [norm(" ".join(t for _, t in sorted(parts))) for _, parts in sorted(lines.items(), reverse=True)]


def font_resources(data: bytes) -> set[str]:
    """Name of every font in any resource dictionary of the file, used or not."""
    from handoutkit.checks.pdfcheck import listed_fonts

    return {font.name for font in listed_fonts(data)}
