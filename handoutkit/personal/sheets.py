"""Personalised exercise sheets: laid out once per selection, patient details stamped on.

A personalised sheet is the topic's exercise sheet with only the exercises a
clinician chose, at the doses they chose, and the patient's name, the date,
the clinician and a note written into the blanks.  Printing a stack for a
clinic day must be fast, so the work is split by what changes how often:

1. **Parts** (once per process, per distinct part): each card (exercise,
   dose, number), the write-in blanks, the red-flag box, the furniture of
   "page 2 of 3"... is a flowable from :mod:`layouts.exercise_sheet`,
   measured once (``wrap``) and drawn once on its own page of a *library*
   PDF, which becomes Form XObjects (:class:`handoutkit.press.pdfparts.Library`).
   Parts of one library share its font subsets.
2. **Layout** (once per selection): the parts are paginated with the rules of
   reportlab's frames as the standard sheet uses them (space before/after
   collapse, a part that does not fit moves to the next page, the last card
   kept with the red-flag box); a page is a list of placed forms.  The blank
   positions come from anchors drawn inside the write-in part.
3. **Stamp** (once per patient): the fields are written at the blanks with
   :class:`handoutkit.press.pdfparts.StampFonts` (the body font complete, so any
   name has its glyphs) and the sheet's bytes are joined from pre-serialised
   objects: no layout, no parsing.

Patient details never reach reportlab, the metadata, the file identifier or
a file name: only the stamp content stream of page 1 carries them.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import BinaryIO, Iterable, Optional, Sequence

from handoutkit.press import pdfparts
from handoutkit.errors import FitError, HandoutError
from handoutkit.content.model import Handout, Topic
from handoutkit.personal.plans import Patient, Selection, make_dose
from handoutkit.render.styles import Theme

PAD = 6.0  # room around a part on its library page: borders are drawn half outside their box
CHUNK = 64  # parts per library PDF (fixed, so the output does not depend on --jobs)
FUZZ = 1e-6  # reportlab's rl_config._FUZZ
NOTE_LINES = 3  # lines of the Notes box when a plan has a note


def pick_handout(topic: Topic, name: Optional[str] = None) -> Handout:
    """The topic's exercise-sheet handout: ``name``, else the one called exercise-sheet, else the first."""
    sheets = [h for h in topic.handouts if h.layout == "exercise-sheet"]
    if name is not None:
        for handout in topic.handouts:
            if handout.name == name:
                if handout.layout != "exercise-sheet":
                    raise HandoutError(f"handout {name!r} of {topic.id} uses the {handout.layout} layout",
                                       "personal plans use an exercise-sheet handout"
                                       + (f": {', '.join(h.name for h in sheets)}" if sheets else ""))
                return handout
        raise HandoutError(f"{topic.id} has no handout named {name!r}",
                           f"exercise-sheet handouts: {', '.join(h.name for h in sheets) or 'none'}")
    if not sheets:
        raise HandoutError(f"{topic.id} has no exercise-sheet handout",
                           "add one to its handouts.yaml (layout: exercise-sheet)")
    return next((h for h in sheets if h.name == "exercise-sheet"), sheets[0])


@dataclass
class Piece:
    """One part: a flowable measured once (or a page of furniture), drawn once in a library."""

    key: tuple
    flowable: object = None
    width: float = 0.0
    height: float = 0.0
    space_before: float = 0.0
    space_after: float = 0.0
    page: tuple = (0.0, 0.0)  # its library page
    sink: Optional[dict] = None  # write-in anchors (see exercise_sheet.WriteInAnchor)


@dataclass
class SheetLayout:
    """Where each part goes on each page of one selection's sheet (page origin of each part's page)."""

    key: tuple
    pages: list  # of lists of (piece key, x, y)


@dataclass
class SheetTemplate:
    """A laid-out selection: page contents, the forms they use and the blanks, ready to stamp."""

    key: tuple
    pages: list  # of (content bytes, [(resource name, library index, local form number)])
    fields: dict  # blank name -> (page index, x, baseline y, width)
    blob: Optional[tuple] = None  # single-file objects before the stamp: see SheetMaker._blob


class SheetMaker:
    """Makes personalised sheets for one topic, handout and theme; caches parts, layouts, templates."""

    def __init__(self, topic: Topic, theme: Theme, handout: Optional[Handout] = None, template_cache: int = 16) -> None:
        from reportlab.pdfgen.canvas import Canvas

        from layouts import RenderJob, exercise_sheet

        self.topic, self.theme = topic, theme
        self.handout = handout or pick_handout(topic)
        self.job = RenderJob(topic=topic, handout=self.handout, theme=theme)
        self.sheet = exercise_sheet
        self.furniture = exercise_sheet.Furniture(self.job)
        self.width = self.furniture.frame_width
        self._measure_canvas = Canvas(io.BytesIO())
        self.pieces: dict[tuple, Piece] = {}
        self.located: dict[tuple, tuple[int, int]] = {}  # piece key -> (library index, page index)
        self.libraries: list[pdfparts.Library] = []
        self.anchors: dict[tuple, dict] = {}  # piece key -> anchors as drawn on its library page
        self.layouts: dict[tuple, SheetLayout] = {}
        self.templates: OrderedDict = OrderedDict()
        self.template_cache = template_cache
        self.checked_libraries: set[int] = set()
        body, cell = theme.style("body"), theme.style("cell")
        self.sizes = (body.fontSize, cell.fontSize)  # stamped text: body size, down to 12 pt if needed
        self.lift = cell.leading - cell.fontSize  # from the cell bottom to the labels' baseline
        self.text_color = theme.color("text")
        self.blank_heights = exercise_sheet.blank_heights(theme)
        self.info = pdfparts.info_dict(
            self.job.title, str(theme.brand.name),
            f"{topic.title}: exercise plan from {theme.brand.name}",
            f"patient education, {topic.id}, version {topic.version}, exercise plan")

    # ------------------------------------------------------------------------- parts

    def _piece(self, key: tuple) -> Piece:
        piece = self.pieces.get(key)
        if piece is None:
            piece = self.pieces[key] = self._make_piece(key)
        return piece

    def _make_piece(self, key: tuple) -> Piece:
        from layouts import common

        theme, width, kind = self.theme, self.width, key[0]
        if kind in ("furniture", "notes-page"):
            return Piece(key, page=self.furniture.page_size)
        sink = None
        topic = self.topic
        if kind == "write-ins":
            flowables, sink = self.sheet.personal_write_ins(theme, width)
            flowable = flowables[0]
        elif kind == "notes":
            flowables, sink = self.sheet.personal_write_ins(theme, width, key[1])
            flowable = flowables[1]
        elif kind == "card":
            _, exercise_id, dose, number = key
            exercise = next(ex for ex in topic.exercises if ex.id == exercise_id)
            exercise = replace(exercise, dose=make_dose(dose))
            flowable = self.sheet.sheet_card(theme, exercise, width, number)
        elif kind in ("summary", "lead"):
            section = topic.section(key[1])
            flowable = common.sourced(common.para(theme, section.summary or "", "body"), section.where, f"section {section.id}")
        elif kind == "red-flags":
            flowable = common.red_flag_box(theme, topic.section(key[1]), width, short=key[2])
        elif kind == "heading":
            section = topic.section(key[1])
            flowable = common.sourced(common.para(theme, section.title, "h2"), section.where, f"section {section.id}")
        elif kind == "block":
            flowable = self._block_flowables(key[1], key[2])[key[3]][0]
        elif kind == "review-space":
            flowable = self.furniture.footer.review_space()
        else:  # pragma: no cover - keys are made in this module only
            raise KeyError(key)
        w, h = flowable.wrapOn(self._measure_canvas, width, 10_000_000)
        if sink is not None:  # a table with fixed sizes wraps its cells only when drawn: learn the blank widths
            flowable.drawOn(self._measure_canvas, PAD, PAD, _sW=width - w)
        return Piece(key, flowable, w, h, flowable.getSpaceBefore(), flowable.getSpaceAfter(),
                     (width + 2 * PAD, h + 2 * PAD), sink)

    def _block_flowables(self, section_id: str, index: int) -> list:
        from layouts import common

        cache = self.__dict__.setdefault("_blocks", {})
        if (section_id, index) not in cache:
            section = self.topic.section(section_id)
            cache[(section_id, index)] = _flatten(common.block_flowables(self.theme, section.blocks[index], self.width))
        return cache[(section_id, index)]

    # ------------------------------------------------------------------------- layout

    def _story(self, selection: Selection, note_lines: int) -> list[list[tuple]]:
        """The sheet's parts in order, in groups that stay on one page; mirrors exercise_sheet._story."""
        groups: list[list[tuple]] = [[("write-ins",)]]
        if note_lines:
            groups.append([("notes", note_lines)])
        cards = [[("card", exercise_id, tuple(dose), n)] for n, (exercise_id, dose) in enumerate(selection, 1)]
        refs = self.handout.sections
        placed = False
        for index, ref in enumerate(refs):
            section = ref.section
            if section.kind == "red_flags":
                key = ("red-flags", section.id, ref.short)
                if index == len(refs) - 1 and groups and groups[-1][-1][0] == "card":
                    groups[-1] = groups[-1] + [key]  # the box closes the sheet: keep it with the last card
                else:
                    groups.append([key])
            elif ref.short:
                groups.append([("summary", section.id)])
            elif section.kind == "exercises":
                if placed:
                    continue
                placed = True
                if section.summary:
                    groups.append([("lead", section.id)])
                groups += cards
            else:
                group, keep_next = [("heading", section.id)], True  # h2 keeps with what follows
                for i in range(len(section.blocks)):
                    for j, (flowable, together) in enumerate(self._block_flowables(section.id, i)):
                        key = ("block", section.id, i, j)
                        if together or keep_next:
                            group.append(key)
                        else:
                            groups.append(group)
                            group = [key]
                        keep_next = bool(getattr(flowable, "keepWithNext", False))
                groups.append(group)
        if not placed:
            groups += cards
        # as exercise_sheet._build: room for the last page's review note, kept with the last block
        # (a page never holds only the review note)
        groups[-1] = groups[-1] + [("review-space",)]
        return groups

    def layout(self, selection: Selection, note_lines: int = 0) -> SheetLayout:
        """Paginate a selection with the frame rules of the standard sheet (cached)."""
        key = (selection, note_lines)
        found = self.layouts.get(key)
        if found is not None:
            return found
        furniture = self.furniture
        groups = self._story(selection, note_lines)
        pages: list[list] = [[]]
        y, at_top, after = furniture.top(1), True, 0.0

        def new_page() -> None:
            nonlocal y, at_top, after
            pages.append([])
            y, at_top, after = furniture.top(len(pages)), True, 0.0

        for group in groups:
            pieces = [self._piece(k) for k in group]
            if len(pieces) > 1 and not at_top:
                # KeepTogether: move to a new page when the group does not fit here.
                total = pieces[0].height
                for prev, cur in zip(pieces, pieces[1:]):
                    total += max(prev.space_after, cur.space_before) + cur.height
                space = max(pieces[0].space_before - after, 0)
                if total > y - furniture.bottom - space:
                    new_page()
            for piece in pieces:
                while True:
                    space = 0.0 if at_top else max(piece.space_before - after, 0)
                    if y - space - piece.height < furniture.bottom - FUZZ:
                        if at_top:
                            raise FitError(f"{self.topic.id}: {piece.key[0]} {' '.join(map(str, piece.key[1:2]))}: "
                                           f"does not fit on one page of the exercise sheet "
                                           f"(needs {piece.height:.0f} pt, has {y - furniture.bottom:.0f} pt)",
                                           "choose fewer exercises or shorten the text")
                        new_page()
                        continue
                    y -= space + piece.height
                    pages[-1].append((piece.key, furniture.x - PAD, y - PAD))  # hAlign is applied when drawn
                    y -= piece.space_after
                    after, at_top = piece.space_after, False
                    break
        total = len(pages)
        for number, placements in enumerate(pages, 1):
            placements.insert(0, (("furniture", number, total), 0.0, 0.0))
        found = self.layouts[key] = SheetLayout(key, pages)
        return found

    # ------------------------------------------------------------------------- libraries

    def missing(self, layouts: Iterable[SheetLayout]) -> list[tuple]:
        """Parts the layouts use that no library has yet, in first-use order."""
        out: dict[tuple, None] = {}
        for sheet in layouts:
            for page in sheet.pages:
                for key, _, _ in page:
                    if key not in self.located:
                        out[key] = None
        return list(out)

    def chunks(self, keys: Sequence[tuple], pad_page: bool = False) -> list[list[tuple]]:
        keys = list(keys)
        if pad_page and ("notes-page",) not in self.located and ("notes-page",) not in keys:
            keys.append(("notes-page",))
        for key in keys:
            self._piece(key)
        return [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)]

    def render_chunk(self, keys: Sequence[tuple]) -> tuple[pdfparts.Library, list]:
        """Draw parts, one per page, into a library PDF (safe to run in a forked worker)."""
        from reportlab.pdfgen.canvas import Canvas

        from handoutkit.render import fonts

        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=self.furniture.page_size, invariant=1, pageCompression=1,
                        initialFontName=fonts.BODY, initialFontSize=12, initialLeading=15.6)
        sinks = []
        for key in keys:
            piece = self._piece(key)
            canvas.setPageSize(piece.page)
            if key[0] == "furniture":
                self.furniture.draw(canvas, key[1], key[2])
            elif key[0] == "notes-page":
                self.furniture.draw_notes_page(canvas)
            else:
                piece.flowable.drawOn(canvas, PAD, PAD, _sW=self.width - piece.width)
            sinks.append(dict(piece.sink) if piece.sink is not None else None)
            canvas.showPage()
        canvas.save()
        library = pdfparts.Library.from_pdf(None, buffer.getvalue())  # keyed by add_library
        return library, sinks

    def add_library(self, keys: Sequence[tuple], library: pdfparts.Library, sinks: list) -> None:
        index = len(self.libraries)
        library.key = ("parts", id(self), index)  # unique across makers: a mixed-language stack holds several
        self.libraries.append(library)
        for page, (key, sink) in enumerate(zip(keys, sinks)):
            self.located[key] = (index, page)
            if sink is not None:
                self.anchors[key] = sink

    def realise(self, layouts: Iterable[SheetLayout], pad_page: bool = False, map_=map) -> None:
        """Render every part the layouts need and no library has (``map_`` may be a pool's map)."""
        chunks = self.chunks(self.missing(layouts), pad_page)
        if not chunks:
            return
        for keys, (library, sinks) in zip(chunks, map_(self.render_chunk, chunks)):
            self.add_library(keys, library, sinks)

    # ------------------------------------------------------------------------- templates

    def template(self, layout: SheetLayout) -> SheetTemplate:
        found = self.templates.get(layout.key)
        if found is not None:
            self.templates.move_to_end(layout.key)
            return found
        self.realise([layout])
        pages = []
        fields: dict = {}
        for page_index, placements in enumerate(layout.pages):
            ops, xobjects = [], []
            for i, (key, x, y) in enumerate(placements):
                library, page = self.located[key]
                name = b"/X%d" % i
                xobjects.append((name, library, self.libraries[library].forms[page]))
                ops.append(b"q 1 0 0 1 %s %s cm %s Do Q\n" % (pdfparts.num(x), pdfparts.num(y), name))
                for anchor, (ax, ay, room) in self.anchors.get(key, {}).items():
                    fields[anchor] = (page_index, x + ax, y + ay + self.lift, room)
            pages.append((b"".join(ops), xobjects))
        found = SheetTemplate(layout.key, pages, fields)
        self.templates[layout.key] = found
        while len(self.templates) > self.template_cache:
            self.templates.popitem(last=False)
        return found

    def _write_template(self, writer: pdfparts.PdfWriter, template: SheetTemplate) -> list[int]:
        """The objects every sheet of a template shares; returns the content stream of each page."""
        contents = []
        for index, (content, xobjects) in enumerate(template.pages):
            for _, library, form in xobjects:
                lib = self.libraries[library]
                writer.include(lib.key, lib.objects, lib.closure([form]))
            key = ("content", id(self), template.key, index)  # per maker: a selection's pages differ by language
            number = writer.numbers.get(key)
            if number is None:
                number = writer.numbers[key] = writer.add(
                    b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
            contents.append(number)
        return contents

    def _page(self, numbers: dict, template: SheetTemplate, index: int, parent: int, content, fonts: dict) -> bytes:
        _, xobjects = template.pages[index]
        width, height = self.furniture.page_size
        entries = [b"%s %d 0 R" % (name, numbers[(self.libraries[library].key, form)]) for name, library, form in xobjects]
        resources = b"<< /XObject << " + b" ".join(entries) + b" >>"
        if fonts:
            resources += b" /Font << " + b" ".join(b"/%s %d 0 R" % (r.encode(), n) for r, n in fonts.items()) + b" >>"
        resources += b" >>"
        if isinstance(content, list):
            contents = b"[" + b" ".join(b"%d 0 R" % c for c in content) + b"]"
        else:
            contents = b"%d 0 R" % content
        return (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources " % (parent, pdfparts.num(width), pdfparts.num(height))
                + resources + b" /Contents " + contents + b" >>")

    # ------------------------------------------------------------------------- stamping

    def check_patient(self, patient: Patient, note_lines: int = 0) -> list[tuple[str, str]]:
        """(field, problem) for each detail that does not fit its blank; problems never quote values."""
        problems = []
        try:
            self._stamp_lines(patient, self._rooms(note_lines))
        except _DoesNotFit as exc:
            problems.append((exc.field, exc.message))
        return problems

    def two_line_size(self, name: str) -> float:
        """The largest size two stamped lines may have in a blank's row (0: one line only)."""
        height = self.blank_heights.get(name)
        if height is None:
            return 0.0
        below = self.lift + 2  # the row's bottom padding, then the labels' baseline
        return (height - below) / (LINE_RISE + ASCENT)

    def _rooms(self, note_lines: int) -> dict:
        rooms = {name: room for name, (_, _, room) in self._piece(("write-ins",)).sink.items()}
        if note_lines:
            rooms.update({name: room for name, (_, _, room) in self._piece(("notes", note_lines)).sink.items()})
        return rooms

    def _stamp_lines(self, patient: Patient, rooms: dict) -> list[tuple[str, str, float, float]]:
        """(blank, text, font size, rise above the blank's baseline) for each line to write."""
        big = self.sizes[0]
        out = []
        for name, text in patient.fields().items():
            if name == "note":
                lines = _wrap(text, big, [rooms[k] for k in sorted((k for k in rooms if k.startswith("note-")),
                                                                  key=lambda k: int(k[5:]))])
                if lines is None:
                    count = sum(1 for k in rooms if k.startswith("note-"))
                    raise _DoesNotFit("note", f"is too long for the {count} lines of the Notes box" if count else
                                      "has no Notes box on this sheet")
                out += [(f"note-{i}", line, big, 0.0) for i, line in enumerate(lines, 1)]
                continue
            fitted = fit_blank(text, rooms[name], big, self.two_line_size(name))
            if fitted is None:
                width = pdfparts.text_width(text, MIN_STAMP)
                raise _DoesNotFit(name, f"is too long for its blank, even on two lines ({width:.0f} pt at "
                                        f"{MIN_STAMP:g} pt; the blank is {rooms[name]:.0f} pt)")
            out += [(name, line, size, rise) for line, size, rise in fitted]
        return out

    def stamp(self, template: SheetTemplate, patient: Patient) -> tuple[bytes, list]:
        """The content stream writing ``patient`` into the blanks, and the stamp fonts it uses."""
        rooms = {name: room for name, (_, _, _, room) in template.fields.items()}
        try:
            lines = self._stamp_lines(patient, rooms)
        except _DoesNotFit as exc:
            raise FitError(f"{exc.field}: {exc.message}", "use a shorter form, e.g. initials") from None
        if not lines:
            return b"", []
        fonts = pdfparts.stamp_fonts()
        color = self.text_color
        ops = [b"q %s %s %s rg\n" % (pdfparts.num(color.red), pdfparts.num(color.green), pdfparts.num(color.blue))]
        used: dict = {}
        for name, text, size, rise in lines:
            _, x, y, _ = template.fields[name]
            ops.append(b"BT 1 0 0 1 %s %s Tm" % (pdfparts.num(x), pdfparts.num(round(y + rise, 2))))
            for font, data in fonts.runs(text):
                used[font.key] = font
                ops.append(b" /%s %s Tf <%s> Tj" % (font.resource.encode(), pdfparts.num(size), data.hex().encode()))
            ops.append(b" ET\n")
        ops.append(b"Q\n")
        return b"".join(ops), list(used.values())

    def _write_stamp(self, writer: pdfparts.PdfWriter, template: SheetTemplate, patient: Patient) -> tuple[Optional[int], dict]:
        stream, fonts = self.stamp(template, patient)
        if not stream:
            return None, {}
        names = {}
        for font in fonts:
            writer.include(font.key, font.objects, sorted(font.objects))
            names[font.resource] = writer.numbers[(font.key, 1)]
        packed = zlib.compress(stream, 6)
        number = writer.add(b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed + b"\nendstream")
        return number, names

    # ------------------------------------------------------------------------- output

    def _blob(self, template: SheetTemplate) -> tuple:
        """Everything of a one-sheet file but page 1 and the stamp, written once per template."""
        if template.blob is None:
            sink = io.BytesIO()
            writer = pdfparts.PdfWriter(sink)
            catalog, pages_root, info = writer.allocate(), writer.allocate(), writer.allocate()
            contents = self._write_template(writer, template)
            page_numbers = [writer.allocate() for _ in template.pages]
            for index in range(1, len(template.pages)):
                writer.write_object(page_numbers[index],
                                    self._page(writer.numbers, template, index, pages_root, contents[index], {}))
            writer.write_object(pages_root, _pages(page_numbers))
            writer.write_object(catalog, self._catalog(pages_root))
            writer.write_object(info, self.info)
            data = sink.getvalue()
            digest = hashlib.sha256(data).digest()
            template.blob = (data, writer.position, dict(writer.offsets), writer.next_number, dict(writer.numbers),
                             catalog, pages_root, info, page_numbers[0], contents[0], digest)
        return template.blob

    def digest(self, template: SheetTemplate) -> str:
        """A short hash of the sheet without patient details: content, selection, doses, options."""
        return self._blob(template)[-1].hex()[:10]

    def sheet_pdf(self, template: SheetTemplate, patient: Patient) -> bytes:
        """One personalised sheet as PDF bytes."""
        data, position, offsets, next_number, numbers, catalog, pages_root, info, page1, content1, digest = self._blob(template)
        sink = io.BytesIO()
        writer = pdfparts.PdfWriter(sink, header=False)
        writer.position, writer.offsets, writer.next_number, writer.numbers = position, dict(offsets), next_number, dict(numbers)
        stamp, font_numbers = self._write_stamp(writer, template, patient)
        writer.write_object(page1, self._page(writer.numbers, template, 0, pages_root,
                                              [content1, stamp] if stamp else content1, font_numbers))
        writer.finish(catalog, info, digest[:16])
        return data + sink.getvalue()

    def _catalog(self, pages_root: int) -> bytes:
        return (b"<< /Type /Catalog /Pages %d 0 R /Lang " % pages_root + pdfparts.pdf_string(self.topic.language)
                + b" /PageMode /UseNone /ViewerPreferences << /DisplayDocTitle true >> >>")

    def libraries_of(self, layout: SheetLayout) -> set[int]:
        return {self.located[key][0] for page in layout.pages for key, _, _ in page}

    def check_sample(self, template: SheetTemplate, patient: Patient) -> None:
        """Run the print-ready check on one sheet per library not yet checked (the fonts live there)."""
        libraries = {library for _, xobjects in template.pages for _, library, _ in xobjects}
        if libraries <= self.checked_libraries:
            return
        from handoutkit.checks import pdfcheck

        pdfcheck.check_print_ready(self.sheet_pdf(template, patient), label=f"{self.topic.id} exercise plan")
        self.checked_libraries |= libraries


class StackWriter:
    """Several sheets in one PDF, each starting on an odd page (a Notes page pads odd-length sheets)."""

    def __init__(self, maker: SheetMaker, sink: BinaryIO, pad: bool = True) -> None:
        self.maker, self.pad = maker, pad
        self.writer = pdfparts.PdfWriter(sink)
        self.catalog, self.pages_root, self.info = (self.writer.allocate() for _ in range(3))
        self.writer.write_object(self.info, maker.info)
        self.kids: list[int] = []
        self.ident = hashlib.md5(b"stack")
        self.sheets = 0

    def add(self, template: SheetTemplate, patient: Patient, maker: Optional["SheetMaker"] = None) -> None:
        """Append one patient's sheet; ``maker``: the sheet's own maker when a stack mixes languages."""
        maker, writer = maker or self.maker, self.writer
        contents = maker._write_template(writer, template)
        stamp, fonts = maker._write_stamp(writer, template, patient)
        for index in range(len(template.pages)):
            number = writer.allocate()
            content = [contents[0], stamp] if index == 0 and stamp else contents[index]
            writer.write_object(number, maker._page(writer.numbers, template, index, self.pages_root, content,
                                                    fonts if index == 0 else {}))
            self.kids.append(number)
        if self.pad and len(template.pages) % 2:
            self.kids.append(self._notes_page(maker))
        self.ident.update(repr(template.key).encode())  # the selection: no patient detail
        self.sheets += 1

    def _notes_page(self, maker: "SheetMaker") -> int:
        """A lined Notes page in the sheet's own language (so one per maker in a mixed stack)."""
        writer = self.writer
        library, page = maker.located[("notes-page",)]
        lib = maker.libraries[library]
        form = lib.forms[page]
        writer.include(lib.key, lib.objects, lib.closure([form]))
        key = ("content", "notes-page", lib.key)
        if key not in writer.numbers:
            content = b"q 1 0 0 1 0 0 cm /X0 Do Q\n"
            writer.numbers[key] = writer.add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        width, height = maker.furniture.page_size
        return writer.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /X0 %d 0 R >> >> "
                          b"/Contents %d 0 R >>" % (self.pages_root, pdfparts.num(width), pdfparts.num(height),
                                                   writer.numbers[(lib.key, form)], writer.numbers[key]))

    def close(self) -> int:
        """Finish the file; returns its page count."""
        writer = self.writer
        writer.write_object(self.pages_root, _pages(self.kids))
        writer.write_object(self.catalog, self.maker._catalog(self.pages_root))
        writer.finish(self.catalog, self.info, self.ident.digest())
        return len(self.kids)


# ----------------------------------------------------------------------------- helpers


class _DoesNotFit(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _pages(kids: list[int]) -> bytes:
    return (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
            + b"] /Count %d >>" % len(kids))


def _flatten(flowables: list) -> list:
    """A section's block flowables as (flowable, keep with the previous one) pairs; KeepTogether opened."""
    from reportlab.platypus import KeepTogether

    out: list = []
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):
            inner = _flatten(flowable._content)
            out += [(f, i > 0 or together) for i, (f, together) in enumerate(inner)]
        else:
            out.append((flowable, False))
    return out


MIN_STAMP = 12.0  # no stamped detail is printed smaller (body text is 12 pt or more)
LINE_RISE = 1.1  # the first of two lines sits this many font sizes above the blank's baseline
ASCENT = 0.95  # the top of an accented capital, in font sizes (Atkinson Hyperlegible)


def fit_blank(text: str, room: float, size: float, two_lines_up_to: float = 0.0) -> Optional[list[tuple[str, float, float]]]:
    """``text`` in a blank ``room`` pt wide, as (line, size, rise) tuples; None if it cannot fit.

    One line at ``size`` if it fits; else the larger of one line shrunk (never
    below :data:`MIN_STAMP`) and two lines split at a space at up to
    ``two_lines_up_to`` pt (what the row's height allows), preferring one
    line unless two are at least 2 pt larger (large print keeps its size).
    """
    sizes = [size - step / 2 for step in range(int((size - MIN_STAMP) * 2) + 1)] or [MIN_STAMP]
    one = next((s for s in sizes if pdfparts.text_width(text, s) <= room), None)
    if one == size:
        return [(text, size, 0.0)]
    words = text.split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    two = None
    if splits:
        first, second = min(splits, key=lambda pair: max(pdfparts.text_width(p, 1) for p in pair))
        two = next((s for s in sizes if s <= two_lines_up_to
                    and max(pdfparts.text_width(first, s), pdfparts.text_width(second, s)) <= room), None)
    if two is not None and (one is None or two >= one + 2):
        return [(first, two, round(two * LINE_RISE, 2)), (second, two, 0.0)]
    return None if one is None else [(text, one, 0.0)]


def _wrap(text: str, size: float, rooms: list[float]) -> Optional[list[str]]:
    """Words of ``text`` in lines of the given widths, or None if they need more lines."""
    lines: list[str] = []
    for word in text.split():
        if lines and pdfparts.text_width(lines[-1] + " " + word, size) <= rooms[len(lines) - 1]:
            lines[-1] += " " + word
        else:
            if len(lines) >= len(rooms) or pdfparts.text_width(word, size) > rooms[len(lines)]:
                return None
            lines.append(word)
    return lines
