"""PDF/A-2b archive copies of the print PDFs (pikepdf).

Clinics keep a copy of what they handed out.  The print PDFs already embed
every font (subset TrueType with ToUnicode maps; :mod:`handoutkit.checks.pdfcheck`
refuses anything else), carry no encryption, JavaScript, forms or external
content, and use device RGB and gray colour.  What PDF/A-2b adds, and this
module writes into a copy (the print file itself is never changed):

* an **output intent** with an sRGB ICC profile (made by Pillow's LittleCMS,
  so nothing is downloaded), which gives the device colours their meaning;
* **XMP metadata** holding the same title, author, subject, keywords, creator
  tool, producer and dates as the document information dictionary, plus the
  ``pdfaid`` claim (part 2, conformance B);
* the **print flag** on every annotation (the booklet's contents links), as
  PDF/A requires, and no ``/Trapped`` entry XMP would have to repeat.

The copy keeps the bytes reproducible: dates come from the print file (which
takes them from ``SOURCE_DATE_EPOCH``), no "metadata date" is stamped, and
the file ID is derived from the content.

A file drawing in CMYK (the print-shop files' crop marks are in registration
colour) cannot be labelled sRGB: it is refused rather than mislabelled.
"""

from __future__ import annotations

import io
from functools import lru_cache

from handoutkit.errors import BuildError

SRGB = "sRGB IEC61966-2.1"
ANNOTATION_PRINT = 4  # annotation flag bit 3: print the annotation


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """An sRGB ICC profile from LittleCMS (Pillow), the same bytes on every run."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def to_pdfa(data: bytes, label: str) -> bytes:
    """A PDF/A-2b copy of the PDF ``data`` (bytes in, bytes out)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Encrypt" in pdf.trailer:
            raise BuildError(f"{label}: encrypted; PDF/A allows no encryption")
        if _uses_cmyk(pdf):
            raise BuildError(f"{label}: uses CMYK colour (print-shop marks); an sRGB archive copy cannot hold it",
                             "make archive copies of the standard edition (without --print-marks)")
        icc = pikepdf.Stream(pdf, srgb_profile())
        icc["/N"] = 3
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String(SRGB), Info=pikepdf.String(SRGB),
            RegistryName=pikepdf.String("http://www.color.org"), DestOutputProfile=pdf.make_indirect(icc))])
        if "/Trapped" in pdf.docinfo:
            del pdf.docinfo["/Trapped"]
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta.load_from_docinfo(pdf.docinfo, raise_failure=True)
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                annotation.F = int(annotation.get("/F", 0)) | ANNOTATION_PRINT
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version="1.7")
    return out.getvalue()


def _uses_cmyk(pdf) -> bool:
    """Whether any page, or a form or picture it uses, draws in DeviceCMYK (or a CMYK-based colour space)."""
    import pikepdf

    seen: set[tuple] = set()

    def stream_uses(obj, resources) -> bool:
        for operands, operator in pikepdf.parse_content_stream(obj):
            if str(operator) in ("k", "K"):
                return True
            if str(operator) in ("cs", "CS") and operands and str(operands[0]) == "/DeviceCMYK":
                return True
        for space in ((resources or {}).get("/ColorSpace") or {}).values():
            # a Separation or DeviceN with a CMYK alternate (the registration colour) counts too
            if space == "/DeviceCMYK" or (isinstance(space, pikepdf.Array)
                                          and any(item == "/DeviceCMYK" for item in space)):
                return True
        for xobject in ((resources or {}).get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image" and xobject.get("/ColorSpace") == "/DeviceCMYK":
                return True
            if xobject.get("/Subtype") == "/Form" and stream_uses(xobject, xobject.get("/Resources")):
                return True
        return False

    return any(stream_uses(page, page.obj.get("/Resources")) for page in pdf.pages)


def pdfa_problems(data: bytes) -> list[str]:
    """What keeps ``data`` from being the PDF/A-2b copy we promise (an empty list: nothing).

    qpdf's structural check, the pdfaid claim, every Info entry mirrored in
    XMP, an sRGB output intent with its ICC profile, uncompressed XMP, no
    encryption, every font embedded, every annotation printable.
    """
    import pikepdf

    from handoutkit.checks.accessibility import iter_fonts

    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        problems += [f"qpdf: {p}" for p in pdf.check_pdf_syntax()]
        if "/Encrypt" in pdf.trailer:
            problems.append("encrypted")
        metadata = pdf.Root.get("/Metadata")
        if metadata is None:
            return problems + ["no XMP metadata"]
        if "/Filter" in metadata:
            problems.append("the XMP metadata stream is compressed")
        with pdf.open_metadata() as meta:
            if (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) != ("2", "B"):
                problems.append("XMP does not claim PDF/A-2b")
            for key, prop in (("/Title", "dc:title"), ("/Subject", "dc:description"), ("/Keywords", "pdf:Keywords"),
                              ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool")):
                if key in pdf.docinfo and str(pdf.docinfo[key]) != meta.get(prop):
                    problems.append(f"Info {key} {str(pdf.docinfo[key])!r} but XMP {prop} {meta.get(prop)!r}")
            if "/Author" in pdf.docinfo and meta.get("dc:creator") != [str(pdf.docinfo["/Author"])]:
                problems.append(f"Info /Author {str(pdf.docinfo['/Author'])!r} but XMP dc:creator {meta.get('dc:creator')!r}")
            for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
                if key in pdf.docinfo:
                    from pikepdf.models.metadata import decode_pdf_date

                    if decode_pdf_date(str(pdf.docinfo[key])).isoformat() != meta.get(prop):
                        problems.append(f"Info {key} and XMP {prop} differ")
        intents = pdf.Root.get("/OutputIntents") or []
        if not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i
                   and int(i.DestOutputProfile.get("/N", 0)) == 3 for i in intents):
            problems.append("no sRGB PDF/A output intent")
        for number, page in enumerate(pdf.pages, 1):
            for annotation in page.obj.get("/Annots", []):
                if not int(annotation.get("/F", 0)) & ANNOTATION_PRINT:
                    problems.append(f"page {number}: an annotation without the print flag")
            for font in iter_fonts(page.obj.get("/Resources")):
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"page {number}: font {font.get('/BaseFont')} not embedded")
    return sorted(set(problems), key=problems.index)


def require_pdfa(data: bytes, label: str) -> None:
    """Raise a :class:`BuildError` if ``data`` is not a PDF/A-2b copy we can stand behind."""
    problems = pdfa_problems(data)
    if problems:
        raise BuildError(f"{label}: not PDF/A-2b: {'; '.join(problems[:5])}")
