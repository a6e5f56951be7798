"""Small helpers the tests use to read PDFs (beyond handoutkit.pdfcheck)."""

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
