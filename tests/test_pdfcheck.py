"""Tests for handoutkit.checks.pdfcheck: font inspection, sizes, text and the print-ready check."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import pypdf
import pytest
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from handoutkit.errors import BuildError
from handoutkit.checks.pdfcheck import (
    FontUse,
    check_print_ready,
    listed_fonts,
    fonts_used,
    half_page_texts,
    is_base14_name,
    page_sizes,
    page_texts,
    strip_subset_prefix,
)

FONTS = Path(__file__).resolve().parent.parent / "handoutkit" / "data" / "fonts"
ATKINSON = "CheckAtkinson"
DEJAVU = "CheckDejaVu"


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    if ATKINSON not in registered:
        pdfmetrics.registerFont(TTFont(ATKINSON, str(FONTS / "AtkinsonHyperlegible-Regular.ttf")))
    if DEJAVU not in registered:
        pdfmetrics.registerFont(TTFont(DEJAVU, str(FONTS / "DejaVuSans.ttf")))


def make_pdf(draw: Callable[[canvas.Canvas, int], None], pages: int = 1, pagesize=(396, 612),
             initial_font: str = "Helvetica") -> bytes:
    """A reportlab PDF whose page i (1-based) is drawn by ``draw(c, i)``.

    The initial font is named explicitly: handoutkit.render.fonts.register() changes
    reportlab's process-wide default, and these tests must not depend on
    whether another test ran first.
    """
    _register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize, invariant=1, initialFontName=initial_font)
    for number in range(1, pages + 1):
        draw(c, number)
        c.showPage()
    c.save()
    return buf.getvalue()


def text_in(font: str, size: float = 36) -> Callable[[canvas.Canvas, int], None]:
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont(font, size)
        c.drawString(72, 72, f"P{number}")

    return draw


def to_bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- fonts_used -----------------------------------------------------------------


def test_helvetica_is_reported_base14_and_not_embedded():
    pdf = make_pdf(text_in("Helvetica"), pages=2)
    assert fonts_used(pdf) == [FontUse("Helvetica", "Type1", embedded=False, base14=True, pages=[1, 2])]
    with pytest.raises(BuildError) as info:
        check_print_ready(pdf, label="handouts/neck/neck.pdf")
    message = info.value.format_message()
    assert message.startswith("handouts/neck/neck.pdf: ")
    assert "Helvetica" in message
    assert "not embedded" in message and "standard-14" in message
    assert "pages 1, 2" in message


def test_bundled_ttf_is_embedded_and_passes():
    pdf = make_pdf(text_in(ATKINSON), pages=3, initial_font=ATKINSON)
    assert fonts_used(pdf) == [
        FontUse("AtkinsonHyperlegible-Regular", "TrueType", embedded=True, base14=False, pages=[1, 2, 3])
    ]
    check_print_ready(pdf, label="ok.pdf")  # does not raise


def test_fonts_only_listed_in_resources_do_not_count():
    # reportlab lists Helvetica (its initial font, selected with "/F1 12 Tf"
    # at the top of every page) in every page's resources; it draws nothing.
    pdf = make_pdf(text_in(ATKINSON))
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    listed = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert "/Helvetica" in listed
    assert [f.name for f in fonts_used(pdf)] == ["AtkinsonHyperlegible-Regular"]


def test_empty_strings_do_not_count_as_drawing():
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont("Courier", 12)
        c.drawString(72, 100, "")
        c.setFont(ATKINSON, 12)
        c.drawString(72, 72, "text")

    assert [f.name for f in fonts_used(make_pdf(draw))] == ["AtkinsonHyperlegible-Regular"]


def test_pages_lists_where_each_font_draws():
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont(ATKINSON if number != 2 else DEJAVU, 20)
        c.drawString(72, 72, "x")

    uses = {f.name: f.pages for f in fonts_used(make_pdf(draw, pages=3))}
    assert uses == {"AtkinsonHyperlegible-Regular": [1, 3], "DejaVuSans": [2]}


def _form_only_pdf(font: str) -> bytes:
    """One page that draws text only through a form XObject, with the font
    removed from the page's own resources so only the form can supply it."""

    def draw(c: canvas.Canvas, number: int) -> None:
        if number == 1:
            c.beginForm("logo")
            c.setFont(font, 30)
            c.drawString(10, 10, "in form")
            c.endForm()
        c.doForm("logo")

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(draw, initial_font=ATKINSON))))
    resources = writer.pages[0]["/Resources"].get_object()
    del resources["/Font"]
    return to_bytes(writer)


def test_font_used_only_inside_a_form_xobject_is_found():
    pdf = _form_only_pdf("Times-Bold")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert "/Font" not in page["/Resources"]
    assert fonts_used(pdf) == [FontUse("Times-Bold", "Type1", embedded=False, base14=True, pages=[1])]
    with pytest.raises(BuildError, match="Times-Bold"):
        check_print_ready(pdf, label="form.pdf")
    assert [t.strip() for t in page_texts(pdf)] == ["in form"]


def test_unused_standard_font_in_resources_fails_preflight():
    # pdffonts and print shops list every font resource, drawn with or not
    pdf = make_pdf(text_in(ATKINSON), initial_font="Helvetica")
    assert "Helvetica" in {f.name for f in listed_fonts(pdf)}
    with pytest.raises(BuildError, match="Helvetica"):
        check_print_ready(pdf, label="unused.pdf")


def test_embedded_font_inside_form_passes():
    pdf = _form_only_pdf(ATKINSON)
    assert [(f.name, f.embedded) for f in fonts_used(pdf)] == [("AtkinsonHyperlegible-Regular", True)]
    check_print_ready(pdf, label="form.pdf")


def test_nested_form_inherits_the_callers_font():
    # The inner form shows text without its own Tf: it uses the font in
    # effect where it is drawn (graphics state is inherited by Do).
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Courier"),
            }
        )
    )
    inner = DecodedStreamObject()
    inner.set_data(b"BT 10 10 Td (inherited) Tj ET")
    inner.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0)] * 2 + [NumberObject(200)] * 2),
            NameObject("/Resources"): DictionaryObject(),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
            NameObject("/XObject"): DictionaryObject({NameObject("/Inner"): writer._add_object(inner)}),
        }
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf ET /Inner Do")
    page[NameObject("/Contents")] = writer._add_object(content)
    assert [(f.name, f.pages) for f in fonts_used(to_bytes(writer))] == [("Courier", [1])]


def test_annotation_appearance_and_form_defaults_are_searched():
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont(ATKINSON, 12)
        c.drawString(72, 500, "Name:")
        if number == 2:
            c.acroForm.textfield(name="patient", x=72, y=400, value="Sam", fontName="Courier")

    pdf = make_pdf(draw, pages=2)
    uses = {f.name: f for f in fonts_used(pdf)}
    assert uses["Courier"].pages == [2]  # from the widget's /AP /N stream
    assert not uses["Courier"].embedded and uses["Courier"].base14
    assert uses["AtkinsonHyperlegible-Regular"].pages == [1, 2]
    with pytest.raises(BuildError, match="Courier"):
        check_print_ready(pdf, label="form.pdf")


def test_font_only_in_acroform_defaults_has_no_pages():
    pdf = make_pdf(text_in(ATKINSON))
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    helv = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/DR"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/Helv"): writer._add_object(helv)})}
            ),
        }
    )
    uses = {f.name: f for f in fonts_used(to_bytes(writer))}
    assert uses["Helvetica"].pages == []
    with pytest.raises(BuildError, match="Helvetica .*form defaults"):
        check_print_ready(to_bytes(writer), label="x.pdf")


def _font_descriptor(writer: pypdf.PdfWriter, embedded: bool) -> DictionaryObject:
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject("/ABCDEF+Lato-Regular"),
            NameObject("/Flags"): NumberObject(32),
        }
    )
    if embedded:
        program = DecodedStreamObject()
        program.set_data(b"\x00\x01\x00\x00 not a real font program")
        descriptor[NameObject("/FontFile2")] = writer._add_object(program)
    return writer._add_object(descriptor)


def _one_font_page(writer: pypdf.PdfWriter, font: DictionaryObject, show: bytes = b"<0001> Tj") -> None:
    page = writer.add_blank_page(200, 200)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F9"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F9 12 Tf 10 10 Td " + show + b" ET")
    page[NameObject("/Contents")] = writer._add_object(content)


@pytest.mark.parametrize("embedded", [True, False])
def test_type0_embedding_is_read_from_the_descendant(embedded):
    writer = pypdf.PdfWriter()
    descendant = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject("/ABCDEF+Lato-Regular"),
            NameObject("/FontDescriptor"): _font_descriptor(writer, embedded),
        }
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject("/ABCDEF+Lato-Regular"),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([writer._add_object(descendant)]),
        }
    )
    _one_font_page(writer, font)
    assert fonts_used(to_bytes(writer)) == [FontUse("Lato-Regular", "Type0", embedded, False, [1])]


def test_type3_font_is_embedded_and_its_glyph_fonts_are_found():
    writer = pypdf.PdfWriter()
    helper = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Symbol"),
            }
        )
    )
    glyph = DecodedStreamObject()
    glyph.set_data(b"1000 0 d0 BT /S 1 Tf (a) Tj ET")
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type3"),
            NameObject("/FontBBox"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/FontMatrix"): ArrayObject([FloatObject(v) for v in (0.001, 0, 0, 0.001, 0, 0)]),
            NameObject("/CharProcs"): DictionaryObject({NameObject("/a"): writer._add_object(glyph)}),
            NameObject("/Encoding"): DictionaryObject(
                {NameObject("/Differences"): ArrayObject([NumberObject(97), NameObject("/a")])}
            ),
            NameObject("/FirstChar"): NumberObject(97),
            NameObject("/LastChar"): NumberObject(97),
            NameObject("/Widths"): ArrayObject([NumberObject(1000)]),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/S"): helper})}
            ),
        }
    )
    _one_font_page(writer, font, show=b"(a) Tj")
    uses = fonts_used(to_bytes(writer))
    assert uses == [
        FontUse("F9", "Type3", embedded=True, base14=False, pages=[1]),
        FontUse("Symbol", "Type1", embedded=False, base14=True, pages=[1]),
    ]


def test_tj_array_with_only_spacing_draws_nothing():
    writer = pypdf.PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    _one_font_page(writer, font, show=b"[-250 () 100] TJ")
    assert fonts_used(to_bytes(writer)) == []
    writer2 = pypdf.PdfWriter()
    _one_font_page(writer2, font, show=b"[-250 (x) 100] TJ")
    assert [f.name for f in fonts_used(to_bytes(writer2))] == ["Helvetica"]


def test_self_referencing_form_does_not_loop():
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(100, 100)
    form = DecodedStreamObject()
    form.set_data(b"/Me Do")
    ref = writer._add_object(form)
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0)] * 2 + [NumberObject(100)] * 2),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/XObject"): DictionaryObject({NameObject("/Me"): ref})}
            ),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Me"): ref})}
    )
    content = DecodedStreamObject()
    content.set_data(b"/Me Do")
    page[NameObject("/Contents")] = writer._add_object(content)
    assert fonts_used(to_bytes(writer)) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Helvetica", True),
        ("Helvetica-BoldOblique", True),
        ("Times-Roman", True),
        ("Courier-Oblique", True),
        ("Symbol", True),
        ("ZapfDingbats", True),
        ("ABCDEF+Helvetica", True),
        ("Arial", True),
        ("Arial,Bold", True),
        ("ArialMT", True),
        ("Arial-BoldMT", True),
        ("TimesNewRoman", True),
        ("TimesNewRomanPS-ItalicMT", True),
        ("CourierNewPSMT", True),
        ("AtkinsonHyperlegible-Regular", False),
        ("ABCDEF+DejaVuSans", False),
        ("HelveticaNeue", False),
        ("Timeless", False),
        ("ArialRounded", False),
    ],
)
def test_base14_names_and_aliases(name, expected):
    assert is_base14_name(name) is expected


def test_strip_subset_prefix():
    assert strip_subset_prefix("AAAAAA+DejaVuSans") == "DejaVuSans"
    assert strip_subset_prefix("AAAAA+DejaVuSans") == "AAAAA+DejaVuSans"  # only 6 capitals
    assert strip_subset_prefix("Helvetica") == "Helvetica"


def test_accepts_an_open_reader():
    pdf = make_pdf(text_in(ATKINSON))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert fonts_used(reader) == fonts_used(pdf)
    assert page_sizes(reader) == [(396.0, 612.0)]


# --- page_sizes, page_texts, half_page_texts --------------------------------------


def test_page_sizes_are_rounded_mediabox_sizes():
    assert page_sizes(make_pdf(text_in(ATKINSON), pages=2, pagesize=A5)) == [(419.53, 595.28)] * 2
    assert page_sizes(make_pdf(text_in(ATKINSON))) == [(396.0, 612.0)]


def test_page_texts():
    assert [t.strip() for t in page_texts(make_pdf(text_in(ATKINSON), pages=3))] == ["P1", "P2", "P3"]


def test_half_page_texts_splits_at_the_middle():
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont(ATKINSON, 20)
        c.drawString(50, 300, f"left{number}")
        c.drawString(450, 300, f"right{number}")
        c.drawString(380, 100, "straddles")  # starts left of 396: counts as left

    pdf = make_pdf(draw, pages=2, pagesize=(792, 612))
    assert half_page_texts(pdf) == [("left1\nstraddles", "right1"), ("left2\nstraddles", "right2")]


def test_half_page_texts_of_empty_halves():
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont(ATKINSON, 20)
        c.drawString(500, 300, "only right")

    assert half_page_texts(make_pdf(draw, pagesize=(792, 612))) == [("", "only right")]


# --- check_print_ready -----------------------------------------------------


def test_zero_page_pdf_is_not_print_ready():
    with pytest.raises(BuildError, match=r"^empty\.pdf: .*no pages"):
        check_print_ready(to_bytes(pypdf.PdfWriter()), label="empty.pdf")


def test_garbage_is_not_print_ready():
    with pytest.raises(BuildError, match=r"^junk\.pdf: not a readable PDF"):
        check_print_ready(b"this is not a PDF", label="junk.pdf")


def test_garbage_is_a_build_error_for_the_helpers():
    for helper in (fonts_used, page_sizes, page_texts, half_page_texts):
        with pytest.raises(BuildError):
            helper(b"")


def test_check_lists_every_bad_font():
    def draw(c: canvas.Canvas, number: int) -> None:
        c.setFont("Helvetica", 12)
        c.drawString(72, 100, "a")
        c.setFont("Times-Roman", 12)
        c.drawString(72, 80, "b")
        c.setFont(ATKINSON, 12)
        c.drawString(72, 60, "c")

    with pytest.raises(BuildError) as info:
        check_print_ready(make_pdf(draw), label="mixed.pdf")
    message = info.value.message
    assert "2 fonts" in message
    assert "Helvetica" in message and "Times-Roman" in message
    assert "Atkinson" not in message
    assert info.value.hint and "handoutkit/data/fonts" in info.value.hint


def _simple_font(writer: pypdf.PdfWriter, base_font: str) -> DictionaryObject:
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject(base_font),
            }
        )
    )


def _raw_page(writer: pypdf.PdfWriter, content: bytes, resources: DictionaryObject) -> None:
    page = writer.add_blank_page(200, 200)
    page[NameObject("/Resources")] = resources
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)


def test_q_and_big_q_restore_the_font():
    writer = pypdf.PdfWriter()
    fonts = DictionaryObject(
        {
            NameObject("/A"): _simple_font(writer, "/Courier"),
            NameObject("/B"): _simple_font(writer, "/Times-Roman"),
        }
    )
    # B is selected inside q...Q, so the text after Q is drawn in A.
    _raw_page(
        writer,
        b"BT /A 12 Tf ET q BT /B 12 Tf ET Q BT 10 10 Td (x) Tj ET",
        DictionaryObject({NameObject("/Font"): fonts}),
    )
    assert [f.name for f in fonts_used(to_bytes(writer))] == ["Courier"]


def test_shared_form_is_credited_with_each_callers_font():
    writer = pypdf.PdfWriter()
    form = DecodedStreamObject()
    form.set_data(b"BT 10 10 Td (shared) Tj ET")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0)] * 2 + [NumberObject(200)] * 2),
        }
    )
    form_ref = writer._add_object(form)
    fonts = DictionaryObject(
        {
            NameObject("/A"): _simple_font(writer, "/Courier"),
            NameObject("/B"): _simple_font(writer, "/Times-Roman"),
        }
    )
    resources = DictionaryObject(
        {
            NameObject("/Font"): fonts,
            NameObject("/XObject"): DictionaryObject({NameObject("/Shared"): form_ref}),
        }
    )
    _raw_page(writer, b"BT /A 12 Tf ET /Shared Do", resources)
    _raw_page(writer, b"BT /B 12 Tf ET /Shared Do", resources)
    assert [(f.name, f.pages) for f in fonts_used(to_bytes(writer))] == [("Courier", [1]), ("Times-Roman", [2])]
