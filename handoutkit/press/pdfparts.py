"""Pre-serialised PDF objects and a small PDF writer, for personalised sheets at batch speed.

reportlab lays out each part of a sheet once (see :mod:`handoutkit.personal.sheets`);
this module keeps the result as PDF objects already turned into bytes, so a
sheet is written by joining bytes instead of parsing and re-serialising
objects with pypdf for every patient.

* :class:`Library` — one reportlab PDF whose pages are parts (a card, the
  write-in blanks, the furniture of page 2 of 3 ...).  Each page becomes a
  Form XObject; fonts, images and the like are shared by every part of the
  library.  Objects are stored as "parts": a tuple of ``bytes`` and ``int``
  (a reference to another object of the same library), so they can be given
  new object numbers in each output file without touching stream data.
* :class:`StampFonts` — the bundled body font, complete, as simple TrueType
  fonts of up to 256 characters each (plus a per-text subset of the symbol
  font for characters the body font lacks), so any name a patient has can be
  written on a page whose own fonts are subsets.
* :class:`PdfWriter` — numbers objects, writes them, the xref table and the
  trailer; used for one sheet at a time or for a merged stack.

Nothing here ever sees more than the page content of a patient's details:
metadata, file identifiers and font names are made from non-personal inputs.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO, Iterable, Sequence, Union

Parts = tuple  # of bytes and int (an object number local to the part's library)
Key = tuple  # (library key, local object number)

HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


# ----------------------------------------------------------------------------- serialising pypdf objects


def _leaf(obj) -> bytes:
    buffer = io.BytesIO()
    obj.write_to_stream(buffer)
    return buffer.getvalue()


def serialize(obj, out: list) -> None:
    """Append ``obj`` (a pypdf generic object, not a stream) to ``out`` as bytes and int references."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if isinstance(obj, IndirectObject):
        out.append(obj.idnum)
    elif isinstance(obj, DictionaryObject):
        out.append(b"<<")
        for key, value in obj.items():
            out.append(b" " + _leaf(key) + b" ")
            serialize(value, out)
        out.append(b" >>")
    elif isinstance(obj, ArrayObject):
        out.append(b"[")
        for index, value in enumerate(obj):
            if index:
                out.append(b" ")
            serialize(value, out)
        out.append(b"]")
    else:
        out.append(_leaf(obj))


def pack(items: Iterable[Union[bytes, int]]) -> Parts:
    """Join runs of bytes so a part list alternates bytes and references."""
    packed: list = []
    for item in items:
        if isinstance(item, bytes) and packed and isinstance(packed[-1], bytes):
            packed[-1] += item
        else:
            packed.append(item)
    return tuple(packed)


def stream_parts(dictionary: list, data: bytes) -> Parts:
    """A stream object: ``dictionary`` (parts of the entries, without << >> or /Length) and its data."""
    return pack([b"<<", *dictionary, b" /Length %d >>\nstream\n" % len(data), data, b"\nendstream"])


def refs(parts: Parts) -> list[int]:
    return [p for p in parts if isinstance(p, int)]


def render(parts: Parts, numbers: dict, library) -> bytes:
    """The bytes of one object, references renumbered through ``numbers[(library, local)]``."""
    if len(parts) == 1:
        return parts[0]
    return b"".join(p if isinstance(p, bytes) else b"%d 0 R" % numbers[(library, p)] for p in parts)


# ----------------------------------------------------------------------------- libraries of parts


@dataclass
class Library:
    """The pages of one reportlab PDF as Form XObjects, with everything they use, pre-serialised."""

    key: object  # unique among the libraries a writer sees, e.g. ("parts", 0)
    objects: dict[int, Parts]  # local number -> parts
    forms: list[int]  # the form XObject (local number) of each page
    sizes: list[tuple[float, float]]

    @classmethod
    def from_pdf(cls, key, data: bytes) -> "Library":
        from pypdf import PdfReader
        from pypdf.generic import IndirectObject, StreamObject

        reader = PdfReader(io.BytesIO(data))
        objects: dict[int, Parts] = {}
        todo: list[int] = []

        def take(items: list) -> None:
            todo.extend(p for p in items if isinstance(p, int))

        forms: list[int] = []
        sizes: list[tuple[float, float]] = []
        next_number = reader.trailer["/Size"]
        for page in reader.pages:
            box = page.mediabox
            width, height = float(box.width), float(box.height)
            content = page.get_contents()
            body = zlib.compress(content.get_data() if content is not None else b"", 6)
            resources: list = []
            serialize(page["/Resources"], resources)
            take(resources)
            entries = [b" /Type /XObject /Subtype /Form /BBox [0 0 %s %s] /Resources " % (num(width), num(height)),
                       *resources, b" /Filter /FlateDecode"]
            objects[next_number] = stream_parts(entries, body)
            forms.append(next_number)
            sizes.append((width, height))
            next_number += 1
        while todo:
            number = todo.pop()
            if number in objects:
                continue
            obj = IndirectObject(number, 0, reader).get_object()
            if isinstance(obj, StreamObject):
                entries: list = []
                for name, value in obj.items():
                    if name == "/Length":
                        continue
                    entries.append(b" " + _leaf(name) + b" ")
                    serialize(value, entries)
                raw = obj._data  # the stream as stored (still encoded)
                objects[number] = stream_parts(entries, raw)
            else:
                items: list = []
                serialize(obj, items)
                objects[number] = pack(items)
            take(list(objects[number]))
        return cls(key, objects, forms, sizes)

    def closure(self, roots: Iterable[int]) -> list[int]:
        """The local objects reachable from ``roots``, roots included, in a stable order."""
        seen: dict[int, None] = {}
        stack = sorted(set(roots), reverse=True)
        while stack:
            number = stack.pop()
            if number in seen:
                continue
            seen[number] = None
            stack.extend(sorted((r for r in refs(self.objects[number]) if r not in seen), reverse=True))
        return list(seen)


def num(value: float) -> bytes:
    """A PDF number, short and stable: at most 3 decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def pdf_string(text: str) -> bytes:
    """A PDF text string: literal if plain ASCII, else UTF-16BE hex."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"
    raw = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + raw + b")"


# ----------------------------------------------------------------------------- fonts for stamped text


@dataclass
class StampFont:
    """One simple TrueType font of up to 256 characters: ``codes`` maps a character to its byte."""

    key: object
    resource: str  # name in a page's /Font dictionary, e.g. "HKS0"
    codes: dict[int, int]
    objects: dict[int, Parts]  # local numbers: 1 is the font dictionary


def _make_stamp_font(key, resource: str, tag: str, font_name: str, subset: Sequence[int]) -> StampFont:
    """A font like reportlab's own TrueType subsets: code ``i`` draws character ``subset[i]``."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font_name).face
    program = face.makeSubset(list(subset))
    base = tag + "+" + face.name.decode("latin-1")
    have = face.charToGlyph
    codes = {cp: i for i, cp in enumerate(subset) if cp in have and (i or cp)}
    widths = b" ".join(num(face.charWidths.get(cp, 0) if cp in have else 0) for cp in subset)
    cmap = _to_unicode(base, [(i, cp) for cp, i in sorted(codes.items(), key=lambda kv: kv[1])])
    flags = (face.flags & ~32) | 4  # symbolic, as reportlab marks its subsets
    bbox = b" ".join(num(v) for v in face.bbox)
    name = pdf_name(base)
    objects = {
        1: pack([b"<< /Type /Font /Subtype /TrueType /BaseFont " + name
                 + b" /FirstChar 0 /LastChar %d /Widths [" % (len(subset) - 1) + widths + b"] /FontDescriptor ",
                 2, b" /ToUnicode ", 3, b" >>"]),
        2: pack([b"<< /Type /FontDescriptor /FontName " + name + b" /Flags %d /FontBBox [" % flags + bbox
                 + b"] /ItalicAngle " + num(face.italicAngle) + b" /Ascent " + num(face.ascent)
                 + b" /Descent " + num(face.descent) + b" /CapHeight " + num(face.capHeight)
                 + b" /StemV " + num(face.stemV) + b" /MissingWidth " + num(face.defaultWidth or 0)
                 + b" /FontFile2 ", 4, b" >>"]),
        3: stream_parts([b" /Filter /FlateDecode"], zlib.compress(cmap, 9)),
        4: stream_parts([b" /Filter /FlateDecode /Length1 %d" % len(program)], zlib.compress(program, 9)),
    }
    return StampFont(key, resource, codes, objects)


def pdf_name(name: str) -> bytes:
    out = []
    for char in name:
        code = ord(char)
        out.append(char if 33 <= code <= 126 and char not in "#()<>[]{}/%" else f"#{code:02X}")
    return ("/" + "".join(out)).encode("latin-1")


def _to_unicode(name: str, pairs: list[tuple[int, int]]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
             f"/CMapName /{name} def", "/CMapType 2 def", "1 begincodespacerange", "<00> <FF>", "endcodespacerange"]
    for start in range(0, len(pairs), 100):
        block = pairs[start:start + 100]
        lines.append(f"{len(block)} beginbfchar")
        for code, cp in block:
            utf16 = chr(cp).encode("utf-16-be").hex().upper()
            lines.append(f"<{code:02X}> <{utf16}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


class StampFonts:
    """The fonts text is stamped with: the body font complete, the symbol font per text.

    The body font (Atkinson Hyperlegible) is cut into 256-character simple
    fonts once; chunk 0 uses the character's own code for U+0000-U+00FF.  A
    character the body font lacks is drawn with the symbol font (DejaVu
    Sans), in a subset made for the characters of that text only.
    """

    def __init__(self) -> None:
        from handoutkit.render import fonts

        fonts.register()
        body = sorted(fonts.charset(fonts.BODY))
        self.body_chars = frozenset(body)
        chunks = [list(range(256))]
        rest = [cp for cp in body if cp >= 256]
        for start in range(0, len(rest), 255):
            chunks.append([0] + rest[start:start + 255])
        self.body = [_make_stamp_font(("stamp-font", i), f"HKS{i}", "HKST" + "ABCDEFGHIJ"[i // 26] + chr(65 + i % 26),
                                      fonts.BODY, chunk) for i, chunk in enumerate(chunks)]
        self.symbol_chars = fonts.charset(fonts.SYMBOL)

    def runs(self, text: str) -> list[tuple[object, bytes]]:
        """``text`` as (font, encoded bytes) runs; the symbol-font subsets are made for ``text``'s own characters.

        A simple font holds 255 characters besides code 0, so a text with more
        distinct characters outside the body font gets several symbol subsets.
        """
        text = text.replace("\u00a0", " ")
        extra = sorted({ord(c) for c in text if ord(c) not in self.body_chars})
        fallbacks = [_symbol_font(tuple(extra[i:i + 255]), i // 255) for i in range(0, len(extra), 255)]
        runs: list[tuple[object, bytearray]] = []
        for char in text:
            cp = ord(char)
            font = next((f for f in self.body if cp in f.codes), None) or next(
                (f for f in fallbacks if cp in f.codes), None)
            if font is None:
                raise ValueError(f"no bundled font can draw U+{cp:04X}")
            if runs and runs[-1][0] is font:
                runs[-1][1].append(font.codes[cp])
            else:
                runs.append((font, bytearray([font.codes[cp]])))
        return [(font, bytes(data)) for font, data in runs]


@lru_cache(maxsize=32)
def _symbol_font(chars: tuple[int, ...], index: int = 0) -> StampFont:
    # The key is the characters themselves: in this process's memory only.  The subset tag must
    # differ between subsets in one file (viewers may merge fonts of the same name); it is made
    # from the characters, which the subset's own ToUnicode map lists anyway.
    from handoutkit.render import fonts

    digest = hashlib.sha256(repr(chars).encode()).digest()
    tag = "".join(chr(65 + b % 26) for b in digest[:6])
    # The resource name comes from the characters too: two stamped texts on one page (a name and a
    # note) each get their own subset, and a shared name would draw one text with the other's codes.
    return _make_stamp_font(("symbol-font", chars), f"HKSF{tag}{index}", tag, fonts.SYMBOL, [0, *chars])


@lru_cache(maxsize=1)
def stamp_fonts() -> StampFonts:
    return StampFonts()


def text_width(text: str, size: float) -> float:
    """Width of ``text`` as :class:`StampFonts` draws it."""
    widths = _widths()
    total = 0.0
    for char in text:
        width = widths.get(char)
        if width is None:
            width = widths[char] = _char_width(char)
        total += width
    return total * size / 1000


@lru_cache(maxsize=1)
def _widths() -> dict:
    return {}


def _char_width(char: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handoutkit.render import fonts

    char = " " if char == "\u00a0" else char
    font = fonts.BODY if ord(char) in fonts.charset(fonts.BODY) else fonts.SYMBOL
    return stringWidth(char, font, 1000)


# ----------------------------------------------------------------------------- the writer


class PdfWriter:
    """Writes numbered objects to ``sink`` (anything with ``write``), then the xref and trailer."""

    def __init__(self, sink: BinaryIO, header: bool = True) -> None:
        self.sink = sink
        self.position = 0
        self.offsets: dict[int, int] = {}
        self.next_number = 1
        self.numbers: dict = {}  # (library key, local number) -> number in this file
        if header:
            self._write(HEADER)

    def _write(self, data: bytes) -> None:
        self.sink.write(data)
        self.position += len(data)

    def allocate(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    def write_object(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def add(self, body: bytes) -> int:
        number = self.allocate()
        self.write_object(number, body)
        return number

    def include(self, library_key, objects: dict[int, Parts], locals_: Iterable[int]) -> None:
        """Write the given objects of a library unless already written; references are renumbered."""
        numbers = self.numbers
        todo = [n for n in locals_ if (library_key, n) not in numbers]
        for n in todo:
            numbers[(library_key, n)] = self.allocate()
        for n in todo:
            self.write_object(numbers[(library_key, n)], render(objects[n], numbers, library_key))

    def finish(self, root: int, info: int, file_id: bytes) -> None:
        start = self.position
        size = self.next_number
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 65535 f \n")
        ident = file_id.hex().encode()
        lines.append(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                     % (size, root, info, ident, ident, start))
        self._write(b"".join(lines))


def info_dict(title: str, author: str, subject: str, keywords: str) -> bytes:
    """The document information dictionary: content facts only, fixed dates (output is reproducible)."""
    stamp = b"(D:20000101000000+00'00')"
    return (b"<< /Title " + pdf_string(title) + b" /Author " + pdf_string(author) + b" /Subject "
            + pdf_string(subject) + b" /Keywords " + pdf_string(keywords)
            + b" /Creator (handoutkit) /Producer (handoutkit) /CreationDate " + stamp + b" /ModDate " + stamp
            + b" /Trapped /False >>")


def file_id(*parts: bytes) -> bytes:
    digest = hashlib.md5()
    for part in parts:
        digest.update(part)
        digest.update(b"\0")
    return digest.digest()
