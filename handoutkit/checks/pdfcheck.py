"""Checks on finished PDFs: fonts, page sizes, text.

Used two ways: the build pipeline calls :func:`check_print_ready` on every
PDF it writes as a self-check (a print shop will reject, or silently
substitute, fonts that are not embedded), and the tests use the inspection
helpers to assert what actually ended up in a PDF rather than what the code
meant to draw.

Pure pypdf, so it inspects any PDF, not only ours.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

import pypdf
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from handoutkit.errors import BuildError, plural

PdfSource = Union[bytes, bytearray, memoryview, pypdf.PdfReader]

# The 14 fonts every PDF reader must supply itself (PDF 32000-1, 9.6.2.2).
# They are the usual way a font ends up *not* embedded.
STANDARD_14 = frozenset(
    {
        "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
        "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
        "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic",
        "Symbol", "ZapfDingbats",
    }
)  # fmt: skip

# Family names that readers map onto the standard 14 (Acrobat's alias table
# and the MS core-font PostScript names).  Matched against the part of the
# name before the first "," or "-", so "Arial,Bold", "Arial-BoldMT" and
# "TimesNewRomanPS-ItalicMT" are caught without listing every style.
_BASE14_FAMILIES = frozenset(
    {
        "Courier", "Helvetica", "Times", "Symbol", "ZapfDingbats",
        "Arial", "ArialMT",
        "TimesNewRoman", "TimesNewRomanPS", "TimesNewRomanPSMT",
        "CourierNew", "CourierNewPS", "CourierNewPSMT",
        "SymbolMT",
    }
)  # fmt: skip

# A subset font's BaseFont starts with six capitals and "+" (9.6.4).
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")

_FONT_FILE_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass
class FontUse:
    """One font as found in a PDF.

    ``name`` is the /BaseFont without a subset tag (``ABCDEF+``); Type3 fonts,
    which have no BaseFont, are named by /Name or their resource key.
    ``subtype`` is the /Subtype without the slash (``TrueType``, ``Type0``,
    ``Type1``, ``Type3``...).  ``pages`` are the 1-based pages whose content,
    form XObjects or annotation appearances use the font; it is empty for a
    font found only in the AcroForm default resources.
    """

    name: str
    subtype: str
    embedded: bool
    base14: bool
    pages: list[int] = field(default_factory=list)


def _reader(pdf: PdfSource) -> pypdf.PdfReader:
    """Open ``pdf`` (bytes or an existing reader), turning parse failures into BuildError."""
    if isinstance(pdf, pypdf.PdfReader):
        return pdf
    try:
        return pypdf.PdfReader(io.BytesIO(bytes(pdf)))
    except Exception as exc:  # pypdf raises many types for broken files
        raise BuildError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _identity(obj: Any, resolved: Any) -> Any:
    """A key for cycle detection: the object number if indirect, else the Python object."""
    if isinstance(obj, IndirectObject):
        return (obj.idnum, obj.generation)
    ref = getattr(resolved, "indirect_reference", None)
    if ref is not None:
        return (ref.idnum, ref.generation)
    return id(resolved)


def strip_subset_prefix(base_font: str) -> str:
    """``"ABCDEF+Atkinson-Regular"`` -> ``"Atkinson-Regular"``; other names unchanged."""
    return _SUBSET_PREFIX.sub("", base_font)


def is_base14_name(name: str) -> bool:
    """True if ``name`` (subset tag allowed) is a standard-14 font or a common alias of one."""
    name = strip_subset_prefix(name)
    if name in STANDARD_14:
        return True
    family = re.split(r"[,-]", name.replace(" ", ""), maxsplit=1)[0]
    return family in _BASE14_FAMILIES


def _has_font_file(descriptor: Any) -> bool:
    descriptor = _resolve(descriptor)
    return isinstance(descriptor, DictionaryObject) and any(k in descriptor for k in _FONT_FILE_KEYS)


def _describe_font(font: DictionaryObject, resource_key: str) -> tuple[str, str, bool, bool]:
    """(name, subtype, embedded, base14) of one font dictionary."""
    subtype = str(font.get("/Subtype", "/unknown")).lstrip("/")
    base_font = font.get("/BaseFont")
    if base_font is None:
        name = str(font.get("/Name", resource_key)).lstrip("/")
    else:
        name = strip_subset_prefix(str(_resolve(base_font)).lstrip("/"))
    if subtype == "Type3":
        # Type3 glyphs are content-stream procedures stored in the PDF itself:
        # always embedded, never substituted, and never a standard-14 font.
        return name, subtype, True, False
    if subtype == "Type0":
        # A composite font keeps its program on the descendant CIDFont.
        descendants = _resolve(font.get("/DescendantFonts"))
        embedded = False
        if isinstance(descendants, ArrayObject):
            for descendant in descendants:
                descendant = _resolve(descendant)
                if isinstance(descendant, DictionaryObject) and _has_font_file(
                    descendant.get("/FontDescriptor")
                ):
                    embedded = True
        return name, subtype, embedded, is_base14_name(name)
    return name, subtype, _has_font_file(font.get("/FontDescriptor")), is_base14_name(name)


# What counts as "used": a font that shows at least one glyph.  Listing a
# font in /Resources is not enough: reportlab puts Helvetica (its initial
# font, selected by "/F1 12 Tf" at the top of every page) and every other
# font of the document into every page's resources, whether or not the page
# draws with it.  Judging by resources alone would fail every reportlab PDF
# and credit each font to every page.  So the checker reads the content
# streams and follows the text state (Tf, q/Q) to the text-showing operators.
_SHOW_TEXT = frozenset({b"Tj", b"TJ", b"'", b'"'})

# A font dictionary as drawn, with the resource name it was selected by
# (Type3 fonts have no /BaseFont, so that name may be all we have).
_Drawn = tuple[DictionaryObject, str]


def _shows_glyphs(operator: bytes, operands: list[Any]) -> bool:
    """True if a text-showing operator draws at least one character."""
    if operator == b"TJ":
        items = operands[0] if operands else []
        return any(isinstance(item, (str, bytes)) and len(item) > 0 for item in items)
    text = operands[-1] if operands else ""
    return isinstance(text, (str, bytes)) and len(text) > 0


def _lookup(resources: Any, category: str, name: Any) -> Any:
    """Resolve a named resource (e.g. /Font /F1) in a resource dictionary, or None."""
    res = _resolve(resources)
    if not isinstance(res, DictionaryObject):
        return None
    table = _resolve(res.get(category))
    if not isinstance(table, DictionaryObject):
        return None
    found = table.get(name)
    return None if found is None else _resolve(found)


class _FontScanner:
    """Finds the fonts that content streams actually draw with.

    Follows form XObjects (``Do``), tiling patterns (``scn``/``SCN``), soft
    masks (``gs``) and Type3 glyph procedures.  A form inherits the font in
    effect where it is drawn, so it is scanned per (form, inherited font);
    results are cached because booklets draw the same form on many pages.
    """

    def __init__(self, reader: pypdf.PdfReader) -> None:
        self.reader = reader
        self._cache: dict[tuple[Any, Any], list[_Drawn]] = {}

    def page_fonts(self, page: pypdf.PageObject) -> list[_Drawn]:
        """Fonts drawn by a page's content and its annotations' printed appearances."""
        fonts: dict[Any, _Drawn] = {}
        resources = page.get("/Resources")
        contents = page.get_contents()
        if contents is not None:
            self._scan(contents.operations, resources, None, fonts, set())
        for state in _printed_appearances(page):
            self._form(state, resources, None, fonts, set())
        return list(fonts.values())

    def _form(
        self, ref: Any, outer_resources: Any, font: _Drawn | None, fonts: dict[Any, _Drawn], path: set[Any]
    ) -> None:
        """Scan a form-like stream (form XObject, pattern, appearance, glyph procedure)."""
        stream = _resolve(ref)
        if not isinstance(stream, StreamObject):
            return
        key = (_identity(ref, stream), None if font is None else _identity(font[0], font[0]))
        if key[0] in path:  # a form that draws itself
            return
        cached = self._cache.get(key)
        if cached is None:
            found: dict[Any, _Drawn] = {}
            # Old PDFs may omit a form's /Resources; it then uses its caller's.
            resources = stream.get("/Resources", outer_resources)
            operations = ContentStream(stream, self.reader).operations
            self._scan(operations, resources, font, found, path | {key[0]})
            cached = self._cache[key] = list(found.values())
        for use in cached:
            fonts.setdefault(_identity(use[0], use[0]), use)

    def _scan(
        self,
        operations: list[tuple[list[Any], bytes]],
        resources: Any,
        font: _Drawn | None,
        fonts: dict[Any, _Drawn],
        path: set[Any],
    ) -> None:
        saved: list[_Drawn | None] = []
        for operands, operator in operations:
            if operator == b"q":
                saved.append(font)  # the text font is part of the graphics state
            elif operator == b"Q":
                font = saved.pop() if saved else font
            elif operator == b"Tf" and operands:
                found = _lookup(resources, "/Font", operands[0])
                font = (found, str(operands[0]).lstrip("/")) if isinstance(found, DictionaryObject) else None
            elif operator in _SHOW_TEXT:
                if font is not None and _shows_glyphs(operator, operands):
                    key = _identity(font[0], font[0])
                    if key not in fonts:
                        fonts[key] = font
                        if font[0].get("/Subtype") == "/Type3":
                            self._type3(font[0], fonts, path)
            elif operator == b"Do" and operands:
                xobject = _lookup(resources, "/XObject", operands[0])
                if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
                    self._form(xobject, resources, font, fonts, path)
            elif operator in (b"scn", b"SCN") and operands and isinstance(operands[-1], NameObject):
                # A tiling pattern's cell is content with its own resources.
                self._form(_lookup(resources, "/Pattern", operands[-1]), resources, None, fonts, path)
            elif operator == b"gs" and operands:
                state = _lookup(resources, "/ExtGState", operands[0])
                smask = _resolve(state.get("/SMask")) if isinstance(state, DictionaryObject) else None
                if isinstance(smask, DictionaryObject):
                    self._form(smask.get("/G"), resources, None, fonts, path)

    def _type3(self, font: DictionaryObject, fonts: dict[Any, _Drawn], path: set[Any]) -> None:
        """Glyph procedures of a Type3 font may show text in other fonts."""
        resources = font.get("/Resources")
        for _, proc in _items(font.get("/CharProcs")):
            self._form(proc, resources, None, fonts, path)


def _printed_appearances(page: pypdf.PageObject) -> list[Any]:
    """The normal appearance streams (references) of a page's annotations: what prints.

    /N is a stream, or a dictionary of states (checkbox /On, /Off).
    """
    found: list[Any] = []
    annots = _resolve(page.get("/Annots"))
    for annot in annots if isinstance(annots, ArrayObject) else []:
        annot = _resolve(annot)
        appearance = _resolve(annot.get("/AP")) if isinstance(annot, DictionaryObject) else None
        if isinstance(appearance, DictionaryObject):
            normal = appearance.get("/N")
            found += [normal] if isinstance(_resolve(normal), StreamObject) else [v for _, v in _items(normal)]
    return found


def _items(obj: Any) -> list[tuple[Any, Any]]:
    obj = _resolve(obj)
    return list(obj.items()) if isinstance(obj, DictionaryObject) else []


def fonts_used(pdf: PdfSource) -> list[FontUse]:
    """Every font the PDF draws text with, one entry per distinct (name, subtype, embedded, base14).

    A font counts on a page when the page's content, a form XObject, tiling
    pattern, soft mask or Type3 glyph procedure it draws, or the normal
    appearance of one of its annotations shows at least one glyph in it.
    Fonts merely listed in /Resources are ignored (see ``_SHOW_TEXT``).
    Fonts in the AcroForm default resources (/DR) are included with no
    pages, since a viewer may draw form fields with them.  Sorted by name.
    """
    reader = _reader(pdf)
    scanner = _FontScanner(reader)
    found: dict[tuple[str, str, bool, bool], FontUse] = {}
    described: dict[Any, tuple[str, str, bool, bool]] = {}

    def record(font: DictionaryObject, resource_key: str, page_number: int | None) -> None:
        key = _identity(font, font)
        facts = described.get(key)
        if facts is None:
            facts = described[key] = _describe_font(font, resource_key)
        use = found.setdefault(facts, FontUse(*facts))
        if page_number is not None and page_number not in use.pages:
            use.pages.append(page_number)

    for number, page in enumerate(reader.pages, start=1):
        for font, resource_key in scanner.page_fonts(page):
            record(font, resource_key, number)

    acroform = _resolve(reader.root_object.get("/AcroForm"))
    defaults = _resolve(acroform.get("/DR")) if isinstance(acroform, DictionaryObject) else None
    if isinstance(defaults, DictionaryObject):
        for key, ref in _items(defaults.get("/Font")):
            font = _resolve(ref)
            if isinstance(font, DictionaryObject):
                record(font, str(key).lstrip("/"), None)

    for use in found.values():
        use.pages.sort()
    return sorted(found.values(), key=lambda u: (u.name, u.subtype, u.embedded, u.base14))


def page_sizes(pdf: PdfSource) -> list[tuple[float, float]]:
    """MediaBox (width, height) of every page in points, rounded to 2 decimals.

    These are the raw box sizes; a page's /Rotate is not applied.
    """
    reader = _reader(pdf)
    return [
        (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
        for page in reader.pages
    ]


def page_texts(pdf: PdfSource) -> list[str]:
    """The text of every page, as pypdf's ``extract_text`` gives it."""
    reader = _reader(pdf)
    return [page.extract_text() for page in reader.pages]


def half_page_texts(pdf: PdfSource) -> list[tuple[str, str]]:
    """The (left half, right half) text of every page, e.g. of an imposed sheet side.

    pypdf ignores the page boxes when extracting text, so cropping a copy
    of the page to one half does not work.  Instead this records where
    each text run starts: pypdf calls the visitor once per run with the
    current transformation matrix (cm) and text matrix (tm); the run's x
    origin on the page is tm's translation mapped through cm.  A run is
    assigned to the half its start lies in, so a line crossing the fold is
    credited to the half it starts in.  Each half's text is stripped of
    leading and trailing whitespace.  Text inside form XObjects (the logical
    pages of an imposed sheet) is placed where the form puts it (see
    :func:`text_runs`).
    """
    reader = _reader(pdf)
    return [_split_halves(page) for page in reader.pages]


def _split_halves(page: pypdf.PageObject) -> tuple[str, str]:
    """(left, right) text of one page, split at the middle of its MediaBox."""
    box = page.mediabox
    middle = float(box.left) + float(box.width) / 2
    halves: tuple[list[str], list[str]] = ([], [])
    for text, cm, tm, *_ in text_runs(page):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        halves[0 if x < middle else 1].append(text)
    return "".join(halves[0]).strip(), "".join(halves[1]).strip()


Matrix = tuple[float, float, float, float, float, float]


def _multiply(m: Any, n: Any) -> Matrix:
    """``m`` then ``n``, as PDF composes matrices (row vectors: p' = p x m x n)."""
    a, b, c, d, e, f = (float(v) for v in m)
    g, h, i, j, k, l_ = (float(v) for v in n)
    return (a * g + b * i, a * h + b * j, c * g + d * i, c * h + d * j, e * g + f * i + k, e * h + f * j + l_)


def text_runs(page: pypdf.PageObject) -> list[tuple[str, Matrix, Any, Any, Any]]:
    """Every non-empty text run of a page as (text, cm, tm, font, size), cm in *page* coordinates.

    pypdf's text visitor reports the current transformation matrix of the
    content stream the text is in; for text inside a Form XObject (an
    imposed sheet draws each logical page as one) that is relative to the
    form, so a run drawn on the right half would be reported at its
    position on the logical page.  This follows ``Do`` and composes each
    form's /Matrix and the ``cm`` in force where it is drawn.
    """
    runs: list[tuple[str, Matrix, Any, Any, Any]] = []
    identity: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    # One frame per Do being drawn: [matrix from its space to the page,
    # entered].  pypdf reports pending text of the caller at the Do itself,
    # before any operator of the form: such text belongs to the caller.
    frames: list[list[Any]] = []
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None

    def outer() -> Matrix:
        return next((frame[0] for frame in reversed(frames) if frame[1]), identity)

    def before(operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        if frames and not frames[-1][1]:
            frames[-1][1] = True
        if operator == b"Do":
            base = _multiply(cm, outer())
            if not frames and operands:  # the page's own forms: their /Matrix is at hand
                xobject = _lookup(resources, "/XObject", operands[0])
                matrix = xobject.get("/Matrix") if isinstance(xobject, DictionaryObject) else None
                if isinstance(matrix, ArrayObject) and len(matrix) == 6:
                    base = _multiply(matrix, base)
            frames.append([base, False])

    def after(operator: bytes, *_: Any) -> None:
        if operator == b"Do" and frames:
            frames.pop()

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text:
            runs.append((text, _multiply(cm, outer()), tm, font, size))

    page.extract_text(visitor_text=visit, visitor_operand_before=before, visitor_operand_after=after)
    return runs


def listed_fonts(pdf: PdfSource) -> list[FontUse]:
    """Every font named in a page's (or form XObject's) resources, drawn with or not.

    Preflight tools such as ``pdffonts`` list these, so a print shop sees an
    unembedded Helvetica even when nothing is drawn with it; ``pages`` says
    whose resources list it.
    """
    reader = _reader(pdf)
    found: dict[Any, FontUse] = {}

    def walk(resources: Any, page_number: int, path: set[Any]) -> None:
        resources = _resolve(resources)
        if not isinstance(resources, DictionaryObject):
            return
        for key, ref in _items(resources.get("/Font")):
            font = _resolve(ref)
            if not isinstance(font, DictionaryObject):
                continue
            ident = _identity(ref, font)
            if ident not in found:
                name, subtype, embedded, base14 = _describe_font(font, str(key))
                found[ident] = FontUse(name, subtype, embedded, base14)
            if page_number not in found[ident].pages:
                found[ident].pages.append(page_number)
        for _, ref in _items(resources.get("/XObject")):
            xobject = _resolve(ref)
            ident = _identity(ref, xobject)
            if isinstance(xobject, DictionaryObject) and xobject.get("/Subtype") == "/Form" and ident not in path:
                walk(xobject.get("/Resources"), page_number, path | {ident})

    for number, page in enumerate(reader.pages, 1):
        walk(page.get("/Resources"), number, set())
    return list(found.values())


def resource_fonts(pdf: PdfSource) -> list[FontUse]:
    """Every font reachable from a resource dictionary, from the object structure alone.

    Walks each page's resources, and from there the resources of form
    XObjects, tiling patterns, soft masks and Type3 fonts, then the normal
    appearances of annotations and the AcroForm default resources (those
    fonts have no pages).  Any font a page can draw with is named in one of
    these, so this finds a superset of :func:`fonts_used` without decoding
    or parsing a single content stream: the cost is a few dictionary
    lookups per page, shared resources visited once.
    """
    reader = _reader(pdf)
    found: dict[Any, FontUse] = {}
    walked: dict[Any, set[Any]] = {}  # resource dict -> fonts reachable from it

    def font_keys(resources: Any, path: frozenset) -> set[Any]:
        resources_ = _resolve(resources)
        if not isinstance(resources_, DictionaryObject):
            return set()
        ident = _identity(resources, resources_)
        if ident in path:
            return set()
        cached = walked.get(ident)
        if cached is not None:
            return cached
        keys: set[Any] = set()
        inner = path | {ident}
        for key, ref in _items(resources_.get("/Font")):
            font = _resolve(ref)
            if not isinstance(font, DictionaryObject):
                continue
            fid = _identity(ref, font)
            if fid not in found:
                found[fid] = FontUse(*_describe_font(font, str(key).lstrip("/")))
            keys.add(fid)
            if font.get("/Subtype") == "/Type3":
                keys |= font_keys(font.get("/Resources"), inner)
        for _, ref in _items(resources_.get("/XObject")):
            xobject = _resolve(ref)
            if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form":
                keys |= font_keys(xobject.get("/Resources"), inner)
        for _, ref in _items(resources_.get("/Pattern")):
            pattern = _resolve(ref)
            if isinstance(pattern, DictionaryObject):
                keys |= font_keys(pattern.get("/Resources"), inner)
        for _, ref in _items(resources_.get("/ExtGState")):
            state = _resolve(ref)
            smask = _resolve(state.get("/SMask")) if isinstance(state, DictionaryObject) else None
            group = _resolve(smask.get("/G")) if isinstance(smask, DictionaryObject) else None
            if isinstance(group, StreamObject):
                keys |= font_keys(group.get("/Resources"), inner)
        walked[ident] = keys
        return keys

    for number, page in enumerate(reader.pages, 1):
        keys = set(font_keys(page.get("/Resources"), frozenset()))
        for state in _printed_appearances(page):
            stream = _resolve(state)
            if isinstance(stream, StreamObject):
                keys |= font_keys(stream.get("/Resources"), frozenset())
        for key in keys:
            if number not in found[key].pages:
                found[key].pages.append(number)

    acroform = _resolve(reader.root_object.get("/AcroForm"))
    defaults = _resolve(acroform.get("/DR")) if isinstance(acroform, DictionaryObject) else None
    if isinstance(defaults, DictionaryObject):
        font_keys(defaults, frozenset())
    for use in found.values():
        use.pages.sort()
    return sorted(found.values(), key=lambda u: (u.name, u.subtype, u.embedded, u.base14, u.pages))


def check_print_ready(pdf: PdfSource, *, label: str, font_sizes: Optional[Iterable[float]] = None,
                      min_font_size: Optional[float] = None) -> None:
    """Raise BuildError naming ``label`` unless the PDF is fit to send to a printer.

    Fit means: at least one page, and every font embedded and none of them
    a standard-14 font (those are never embedded by reportlab and a print
    shop's substitute changes line breaks and glyph coverage).  Fonts are
    judged from the resource dictionaries and font descriptors
    (:func:`resource_fonts`): every font a page could draw with, drawn or
    merely listed, as preflight tools list them, and no content stream is
    parsed.

    With ``font_sizes`` (every size the layout set text in, as the layout
    recorded it while drawing: see ``layouts.common.RecordingCanvas``) and
    ``min_font_size``, a size below the minimum is an error too.
    """
    try:
        reader = _reader(pdf)
        page_count = len(reader.pages)
        uses = resource_fonts(reader) if page_count else []
        acroform = _resolve(reader.root_object.get("/AcroForm"))
        defaults = _resolve(acroform.get("/DR")) if isinstance(acroform, DictionaryObject) else None
        in_defaults = {_describe_font(_resolve(ref), str(key).lstrip("/"))
                       for key, ref in _items(defaults.get("/Font") if isinstance(defaults, DictionaryObject) else None)
                       if isinstance(_resolve(ref), DictionaryObject)}
    except BuildError as exc:
        raise BuildError(f"{label}: {exc.message}") from exc
    except Exception as exc:  # pypdf raises many types for damaged files
        raise BuildError(f"{label}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if page_count == 0:
        raise BuildError(f"{label}: the PDF has no pages")

    problems = []
    merged: dict[tuple[str, str, bool, bool], list[int]] = {}
    for use in uses:
        pages = merged.setdefault((use.name, use.subtype, use.embedded, use.base14), [])
        pages.extend(p for p in use.pages if p not in pages)
    for (name, subtype, embedded, base14), pages in merged.items():
        reasons = []
        if not embedded:
            reasons.append("not embedded")
        if base14:
            reasons.append("a standard-14 font")
        if reasons:
            places = [f"pages {', '.join(map(str, sorted(pages)))}"] if pages else []
            if (name, subtype, embedded, base14) in in_defaults:
                places.append("form defaults")
            where = " and ".join(places)
            problems.append(f"{name} ({subtype}; {' and '.join(reasons)}; {where})")
    if problems:
        raise BuildError(
            f"{label}: not print-ready: {plural(len(problems), 'font')} "
            f"must be embedded and not standard-14: {'; '.join(problems)}",
            hint="register a bundled font from handoutkit/data/fonts and use it for every style; "
            "reportlab's built-in Helvetica/Times/Courier are never embedded",
        )
    if font_sizes is not None and min_font_size is not None:
        small = sorted({size for size in font_sizes if size < min_font_size - 1e-6})
        if small:
            shown = ", ".join(f"{size:g}" for size in small)
            raise BuildError(
                f"{label}: not print-ready: text set in {shown} pt, below the minimum of {min_font_size:g} pt",
                hint="every paragraph style and every string drawn on the canvas must use the theme's sizes",
            )
