"""Preflight without parsing content streams (issue 10): fonts from resource dictionaries, sizes from the layout.

Each guarantee of ``check_print_ready`` is exercised with a PDF that breaks it, including
fonts reachable only through the Form XObjects of an imposed sheet.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from handoutkit.checks.pdfcheck import check_print_ready, fonts_used, resource_fonts
from handoutkit.errors import BuildError
from handoutkit.press.impose import impose_saddle_stitch
from layouts.common import RecordingCanvas
from pdfutil import font_sizes

ROOT = Path(__file__).resolve().parent.parent
ATKINSON = "PreflightAtkinson"


def _font() -> str:
    if ATKINSON not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(ATKINSON, str(ROOT / "handoutkit/data/fonts/AtkinsonHyperlegible-Regular.ttf")))
    return ATKINSON


def _booklet(pages: int, small_on: int = 0, base14_on: int = 0) -> tuple[bytes, frozenset[float]]:
    """A booklet drawn on a RecordingCanvas; one page may use 9 pt text or Helvetica."""
    buffer = io.BytesIO()
    canvas = RecordingCanvas(buffer, pagesize=(396, 612), invariant=1, initialFontName=_font(), initialFontSize=12)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica" if number == base14_on else _font(), 9 if number == small_on else 14)
        canvas.drawString(72, 72, f"page {number}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), frozenset(canvas.font_sizes)


def test_recorded_sizes_are_the_sizes_in_the_file():
    data, sizes = _booklet(4, small_on=3)
    assert sizes == font_sizes(data) == {9.0, 14.0}


def test_text_below_the_minimum_fails():
    data, sizes = _booklet(4, small_on=3)
    check_print_ready(data, label="ok.pdf", font_sizes=sizes, min_font_size=9)
    with pytest.raises(BuildError, match=r"^small\.pdf: .*text set in 9 pt, below the minimum of 12 pt"):
        check_print_ready(data, label="small.pdf", font_sizes=sizes, min_font_size=12)


def test_every_handout_records_the_sizes_its_file_holds(built_files):
    for name, (data, sizes) in built_files.items():
        assert sizes == font_sizes(data), name
        assert min(sizes) >= 12, name


@pytest.fixture(scope="module")
def built_files():
    import layouts
    from handoutkit.build import BuildOptions, make_build_theme
    from handoutkit.content.load import load_project

    project = load_project(ROOT / "handouts")
    theme = make_build_theme(project, BuildOptions())
    topic = project.topics[0]
    out = {}
    for handout in topic.handouts:
        rendered = layouts.render(layouts.RenderJob(topic=topic, handout=handout, theme=theme))
        out[handout.name] = (rendered.data, rendered.font_sizes)
    return out


def test_base14_font_inside_an_imposed_sheets_forms_fails():
    # On the imposed sheet every logical page is a Form XObject: the
    # Helvetica of page 3 is only reachable through the side's /XObject.
    data, _ = _booklet(8, base14_on=3)
    imposed = impose_saddle_stitch(data)
    side = pypdf.PdfReader(io.BytesIO(imposed)).pages[2]
    assert "/Font" not in side["/Resources"]
    assert {f.name for f in resource_fonts(imposed) if f.base14} == {"Helvetica"}
    with pytest.raises(BuildError, match=r"^booklet-print\.pdf: not print-ready: 1 font .*Helvetica"):
        check_print_ready(imposed, label="booklet-print.pdf")
    check_print_ready(impose_saddle_stitch(_booklet(8)[0]), label="clean.pdf")


def _font_dict(base: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject(base)})


def _stream(data: bytes, **entries) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update({NameObject(k): v for k, v in entries.items()})
    return stream


def _to_bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_font_in_a_tiling_pattern_and_a_soft_mask_fails():
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(200, 200)
    bbox = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)])
    pattern = writer._add_object(_stream(
        b"BT /P 8 Tf (x) Tj ET", **{"/Type": NameObject("/Pattern"), "/PatternType": NumberObject(1),
                                    "/PaintType": NumberObject(1), "/TilingType": NumberObject(1), "/BBox": bbox,
                                    "/XStep": NumberObject(10), "/YStep": NumberObject(10),
                                    "/Resources": DictionaryObject({NameObject("/Font"): DictionaryObject(
                                        {NameObject("/P"): writer._add_object(_font_dict("/Courier"))})})}))
    group = writer._add_object(_stream(
        b"BT /G 8 Tf (y) Tj ET", **{"/Type": NameObject("/XObject"), "/Subtype": NameObject("/Form"), "/BBox": bbox,
                                    "/Resources": DictionaryObject({NameObject("/Font"): DictionaryObject(
                                        {NameObject("/G"): writer._add_object(_font_dict("/Times-Roman"))})})}))
    state = DictionaryObject({NameObject("/SMask"): DictionaryObject({NameObject("/S"): NameObject("/Luminosity"),
                                                                      NameObject("/G"): group})})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Pattern"): DictionaryObject({NameObject("/Tile"): pattern}),
        NameObject("/ExtGState"): DictionaryObject({NameObject("/Mask"): state}),
    })
    page[NameObject("/Contents")] = writer._add_object(_stream(b"/Mask gs /Pattern cs /Tile scn 0 0 100 100 re f"))
    pdf = _to_bytes(writer)
    # The same fonts the content-parsing scan finds, without parsing.
    assert {f.name for f in resource_fonts(pdf)} == {f.name for f in fonts_used(pdf)} == {"Courier", "Times-Roman"}
    with pytest.raises(BuildError, match="2 fonts"):
        check_print_ready(pdf, label="pattern.pdf")
