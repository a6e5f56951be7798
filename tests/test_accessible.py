"""The electronic editions (issue 13): HTML, tagged PDF/UA-1, PDF/A-2b archive copies.

Everything here is checked on real outputs of one real build of the shipped
topic with ``--html --accessible --archive``: the HTML in the system Chromium
with axe-core, the PDFs with pikepdf (structure tree, marked content, fonts,
XMP) and pypdf (text extraction order).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from browser_support import describe_violations, run_axe, screenshot
from conftest import SOURCE, TOPIC
from handoutkit.build import BuildOptions, build
from handoutkit.checks import accessibility
from handoutkit.content.load import load_project
from handoutkit.errors import BuildError
from handoutkit.press import archive
from handoutkit.press.tagged import render_tagged_pdf
from layouts.html_edition import FONT_FAMILIES

HANDOUTS = ("booklet", "exercise-sheet", "checklist")


@pytest.fixture(scope="module")
def weasyprint_log():
    """What WeasyPrint logs (warnings and up) while this module's fixtures build."""
    import logging

    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Keep(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield messages
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def editions(tmp_path_factory, weasyprint_log) -> dict[str, bytes]:
    """Every file of the shipped topic built with --html --accessible --archive: name → bytes."""
    out = tmp_path_factory.mktemp("editions")
    files = build(SOURCE, out, options=BuildOptions(html=True, accessible=True, archive=True))
    return {f.path.name: f.path.read_bytes() for f in files if f.topic == TOPIC}


@pytest.fixture(scope="module")
def topic():
    project = load_project(SOURCE)
    return project.brand, next(t for t in project.topics if t.id == TOPIC)


def handout_of(topic, name):
    return next(h for h in topic.handouts if h.name == name)


def expected_headings(topic, name) -> list[str]:
    """The section headings a handout shows, in content order (red flags last on the checklist)."""
    refs = handout_of(topic, name).sections
    if name == "checklist":
        refs = [r for r in refs if r.section.kind != "red_flags"] + [r for r in refs if r.section.kind == "red_flags"]
    return [str(r.section.title) for r in refs]


def test_every_edition_is_written_under_the_agreed_names(editions):
    for name in HANDOUTS:
        for suffix in (".pdf", "-archive.pdf", ".html", "-accessible.pdf"):
            assert f"{name}{suffix}" in editions
    assert "booklet-print-archive.pdf" in editions


def test_the_print_pdfs_stay_as_they_are(editions, built):
    for name in ("booklet.pdf", "booklet-print.pdf", "exercise-sheet.pdf", "checklist.pdf"):
        assert editions[name] == built[name]


# ----------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("name", HANDOUTS)
def test_html_passes_axe_with_landmarks_headings_and_no_requests(browser, editions, topic, name):
    html = editions[f"{name}.html"].decode("utf-8")
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    requests: list[str] = []
    page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    try:
        page.set_content(html, wait_until="load")
        violations = run_axe(page)
        assert violations == [], describe_violations(violations)
        for role in ("banner", "main", "contentinfo"):
            assert page.get_by_role(role).count() == 1, role
        headings = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
                                 ".map(h => [Number(h.tagName[1]), h.textContent.trim()])")
        assert [level for level, _ in headings].count(1) == 1
        assert accessibility.heading_problems(level for level, _ in headings) == []
        h2 = [text for level, text in headings if level == 2]
        wanted = expected_headings(topic[1], name)
        assert [t for t in h2 if t in wanted] == wanted
        assert page.evaluate("document.documentElement.lang") == topic[1].language
        red = page.locator("section.red-flags")
        assert red.count() == 1 and red.get_by_role("heading", level=2).count() == 1
        images = page.evaluate("[...document.images].map(i => [i.alt, i.naturalWidth])")
        assert all(alt.strip() and width > 0 for alt, width in images)  # every picture decoded, with alt
        # readable on a phone: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        fonts = page.evaluate("document.fonts.check('12pt hk-body')")
        assert fonts
        screenshot(page, f"html-{name}-phone")
    finally:
        page.close()
    assert requests == []  # no request of any kind: everything is in the file


def test_html_links_are_only_the_clinics_own(editions, topic):
    brand, topic_ = topic
    allowed = accessibility.allowed_links(brand, topic_)
    for name in HANDOUTS:
        html = editions[f"{name}.html"].decode("utf-8")
        found = accessibility.outline(html)
        for attribute, url in found.urls:
            assert url.startswith(("data:", "#")) or url in allowed, (name, attribute, url[:60])
        assert accessibility.html_problems(html, allowed, lang=topic_.language) == []
    booklet = accessibility.outline(editions["booklet.html"].decode("utf-8"))
    assert ("href", str(brand.website)) in booklet.urls
    assert any(url.startswith("data:font/woff;base64,") for _, url in booklet.urls)  # fonts embedded


def test_html_has_every_exercise_with_its_alt_text_and_dose_table(editions, topic):
    html = editions["exercise-sheet.html"].decode("utf-8")
    for exercise in topic[1].exercises:
        assert f'alt="{exercise.image_alt}"' in html.replace("&#34;", '"')
        assert str(exercise.name) in html
    assert html.count('<th scope="col">Sets</th>') == len(topic[1].exercises)
    checklist = editions["checklist.html"].decode("utf-8")
    assert checklist.count('<th scope="row">') == sum(len(g.habits) for s in topic[1].sections
                                                      if s.kind == "habits" for g in s.groups)


def test_html_checker_catches_what_axe_would(editions, topic):
    html = editions["checklist.html"].decode("utf-8")
    broken = re.sub(r"<h2 (.*?)</h2>", r"<h3 \1</h3>", html.replace('<html lang="en">', "<html>"), count=1, flags=re.S)
    broken = broken.replace("</main>", '<img src="https://tracker.example.com/p.gif" alt=""></main>')
    problems = accessibility.html_problems(broken, accessibility.allowed_links(*topic))
    assert "<html> has no lang" in problems
    assert any("H3 follows H1" in p for p in problems)
    assert any("without alt text" in p for p in problems)
    assert any("tracker.example.com" in p and "leaves the file" in p for p in problems)


def test_large_print_html_uses_18pt_body_text(tmp_path):
    files = build(SOURCE, tmp_path, handouts=["checklist"], options=BuildOptions(html=True, large_print=True))
    html = next(f for f in files if f.path.name == "checklist-large-print.html").path.read_text()
    assert re.search(r'html \{ font-family: "hk-body", "hk-symbol"; font-size: 18(\.0)?pt', html)


# ----------------------------------------------------------------------------- tagged PDF


def struct_nodes(pdf) -> list:
    return [node for top in accessibility.structure(pdf) for node in top.walk()]


@pytest.mark.parametrize("name", HANDOUTS)
def test_tagged_pdf_structure(editions, topic, name):
    data = editions[f"{name}-accessible.pdf"]
    handout = handout_of(topic[1], name)
    title = str(handout.title or topic[1].title)
    assert accessibility.tagged_pdf_problems(data, title, topic[1].language, FONT_FAMILIES) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == title
        nodes = struct_nodes(pdf)
        tags = {n.tag for n in nodes}
        assert {"H1", "H2", "P"} <= tags
        if name != "checklist":  # the checklist's content is a grid and paragraphs
            assert {"L", "LI", "LBody"} <= tags
        headings = [int(n.tag[1]) for n in nodes if re.fullmatch(r"H[1-6]", n.tag)]
        assert headings[0] == 1 and headings.count(1) == 1
        assert accessibility.heading_problems(headings) == []
        figures = [n.alt for n in nodes if n.tag == "Figure"]
        if name != "checklist":
            assert figures == [str(ex.image_alt) for ex in topic[1].exercises]
            assert tags >= {"Table", "TR", "TH", "TD"}
        if name == "checklist":
            assert tags >= {"Table", "TH", "TD"}
        # embedded fonts: the bundled ones only (no host-font fallback), with ToUnicode
        names = set()
        for page in pdf.pages:
            for font in accessibility.iter_fonts(page.obj.get("/Resources")):
                names.add(str(font.BaseFont).split("+", 1)[-1])
                assert "/ToUnicode" in font
        assert names and all(any(n == f or n.startswith(f + "-") for f in FONT_FAMILIES) for n in names), names


@pytest.mark.parametrize("name", HANDOUTS)
def test_tagged_pdf_text_extracts_in_content_order(editions, topic, name):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(editions[f"{name}-accessible.pdf"])).pages)
    text = " ".join(text.split())
    position = 0
    for heading in expected_headings(topic[1], name):
        found = text.find(heading, position)
        assert found >= 0, f"{heading!r} missing or out of order"
        position = found
    if name == "exercise-sheet":
        position = 0
        for exercise in topic[1].exercises:
            for piece in (str(exercise.name), " ".join(str(exercise.steps[0]).split())):
                found = text.find(piece, position)
                assert found >= 0, piece
                position = found


def test_link_annotations_say_what_the_link_says(editions, topic):
    with pikepdf.open(io.BytesIO(editions["booklet-accessible.pdf"])) as pdf:
        contents = [str(a.Contents) for p in pdf.pages for a in p.obj.get("/Annots", []) if a.Subtype == "/Link"]
    labels = [str(r.section.label) for r in handout_of(topic[1], "booklet").sections]
    assert contents[:len(labels)] == labels
    assert str(topic[0].website) in contents


@pytest.mark.parametrize("name", HANDOUTS)
def test_elements_split_by_page_breaks_are_whole_again(editions, name):
    """One element per HTML element: one Part for <main>, one Sect per <section>, one L per list..."""
    html = editions[f"{name}.html"].decode("utf-8")
    with pikepdf.open(io.BytesIO(editions[f"{name}-accessible.pdf"])) as pdf:
        assert len(pdf.pages) > 1  # there are page breaks to join across
        top = accessibility.structure(pdf)
        nodes = struct_nodes(pdf)
    assert [t.tag for t in top] == ["Document"]
    assert [c.tag for c in top[0].children] == ["NonStruct", "Part", "NonStruct"]  # header, main, footer
    count = {tag: sum(1 for n in nodes if n.tag == tag) for tag in ("Sect", "L", "LI", "Table", "TR", "Art")}
    assert count["Sect"] == len(re.findall(r"<section\b", html))
    assert count["L"] == len(re.findall(r"<(?:ul|ol|dl)\b", html))
    assert count["LI"] == len(re.findall(r"<(?:li|dt|dd)\b", html))
    assert count["Table"] == html.count("<table") and count["TR"] == html.count("<tr>")
    assert count["Art"] == html.count("<article")


def test_booklet_structure_tree_summary(editions):
    """The summary the closing note shows, held to what the booklet is."""
    with pikepdf.open(io.BytesIO(editions["booklet-accessible.pdf"])) as pdf:
        nodes = struct_nodes(pdf)
    counts = {tag: sum(1 for n in nodes if n.tag == tag) for tag in ("H1", "H2", "H3", "Figure", "Table", "L", "Sect")}
    assert counts == {"H1": 1, "H2": 14, "H3": 12, "Figure": 6, "Table": 6, "L": 23, "Sect": 13}


def test_tagged_pdf_checker_catches_untagged_text_and_missing_alt(editions):
    data = editions["exercise-sheet-accessible.pdf"]
    title = "Your upper back exercises"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = next(iter(pdf.pages[0].Resources.Font.keys()))
        pdf.pages[0].contents_add(pikepdf.Stream(pdf, f"BT {font} 12 Tf 72 72 Td <0001> Tj ET".encode()),
                                  prepend=False)
        stack = list(pdf.Root.StructTreeRoot.K)
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Dictionary) and item.get("/S") == "/Figure":
                del item["/Alt"]
                break
            if isinstance(item, pikepdf.Dictionary):
                kids = item.get("/K")
                stack += list(kids) if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else [])
        del pdf.Root.ViewerPreferences["/DisplayDocTitle"]
        out = io.BytesIO()
        pdf.save(out)
    problems = accessibility.tagged_pdf_problems(out.getvalue(), title, "en", FONT_FAMILIES)
    assert "page 1: 1 text or picture operations outside marked content" in problems
    assert "a Figure without /Alt" in problems
    assert any("DisplayDocTitle" in p for p in problems)
    assert accessibility.tagged_pdf_problems(editions["exercise-sheet.pdf"], title, "en", FONT_FAMILIES) == [
        "no structure tree (StructTreeRoot)"]
    assert accessibility.heading_problems([1, 2, 4]) == ["heading H4 follows H2: a level is skipped"]


def test_tagged_pdf_uses_no_host_font_and_fetches_nothing(editions):
    # DejaVu Serif is installed on this machine; the isolated fontconfig must not see it.
    html = editions["checklist.html"].decode("utf-8").replace(
        "</main>", '<p style="font-family: \'DejaVu Serif\', serif">Serif text</p></main>')
    data = render_tagged_pdf(html, "test")
    assert "Serif text" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = {str(f.BaseFont).split("+", 1)[-1] for p in pdf.pages
                 for f in accessibility.iter_fonts(p.obj.get("/Resources"))}
    assert fonts and all(f.startswith(FONT_FAMILIES) for f in fonts), fonts
    for src in ("file:///etc/hostname", "https://example.org/x.png"):
        with pytest.raises(BuildError, match="the HTML edition asks for"):
            render_tagged_pdf(html.replace("</main>", f'<img src="{src}" alt="x"></main>'), "test")
    with pytest.raises(BuildError, match="declares no bundled font"):
        render_tagged_pdf('<!DOCTYPE html><html lang="en"><title>t</title><p>x</p></html>', "test")


def test_electronic_editions_are_reproducible(tmp_path, monkeypatch, editions):
    options = BuildOptions(html=True, accessible=True, archive=True)
    # a second build, seconds after the module's: font subsets once carried the time of day
    again = {f.path.name: f.data for f in build(SOURCE, tmp_path / "a", handouts=["booklet"], options=options)}
    for name, data in again.items():
        assert data == editions[name], name
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    first = {f.path.name: f.data for f in build(SOURCE, tmp_path / "b", handouts=["checklist"], options=options)}
    with pikepdf.open(io.BytesIO(first["checklist-accessible.pdf"])) as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20251201")
    with pikepdf.open(io.BytesIO(first["checklist-archive.pdf"])) as pdf, pdf.open_metadata() as meta:
        assert meta["xmp:CreateDate"].startswith("2025-12-01")


# ----------------------------------------------------------------------------- PDF/A


@pytest.mark.parametrize("name", ["booklet", "booklet-print", "exercise-sheet", "checklist"])
def test_archive_copies_are_pdfa_2b(editions, name):
    data = editions[f"{name}-archive.pdf"]
    assert archive.pdfa_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert list(pdf.check_pdf_syntax()) == []
        assert "/Encrypt" not in pdf.trailer and "/Filter" not in pdf.Root.Metadata
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert meta["dc:title"] == str(pdf.docinfo.Title)
            assert meta["dc:creator"] == [str(pdf.docinfo.Author)]
            assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
            if "/CreationDate" in pdf.docinfo:  # reportlab's files; the imposed file (pypdf) has no dates
                assert meta["xmp:CreateDate"] == "2000-01-01T00:00:00+00:00"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1" and str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        assert intent.DestOutputProfile.N == 3 and intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"
        for page in pdf.pages:
            for font in accessibility.iter_fonts(page.obj.get("/Resources")):
                assert "/FontFile2" in font.FontDescriptor
            for annotation in page.obj.get("/Annots", []):
                assert int(annotation.F) & 4
        # the same pages as the print file
        assert len(pdf.pages) == len(PdfReader(io.BytesIO(editions[f"{name}.pdf"])).pages)


def test_archive_checker_and_refusals(editions, tmp_path):
    problems = archive.pdfa_problems(editions["checklist.pdf"])
    assert "no XMP metadata" in problems
    marks = build(SOURCE, tmp_path, handouts=["checklist"], options=BuildOptions(print_marks=True))[0].data
    with pytest.raises(BuildError, match="CMYK"):
        archive.to_pdfa(marks, "checklist-marks.pdf")


# ----------------------------------------------------------------------------- CLI and handout check


def test_cli_flags(tmp_path):
    from cli import main

    result = CliRunner().invoke(main, ["build", TOPIC, "--handout", "checklist", "--html", "--accessible", "--archive",
                                       "--source", str(SOURCE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "checklist.html (HTML edition" in result.output and "checklist-accessible.pdf (2 pages" in result.output
    assert (tmp_path / TOPIC / "checklist-archive.pdf").is_file()
    result = CliRunner().invoke(main, ["build", "--archive", "--print-marks", "--source", str(SOURCE),
                                       "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--print-marks" in result.output


def test_handout_check_flags_alt_text_that_says_nothing(content):
    from cli import main

    path = content / TOPIC / "sections" / "exercises.yaml"
    text = path.read_text()
    old = "A person sitting tall, gently sliding the chin straight back to make a double chin."
    assert old in text
    path.write_text(text.replace(old, "chin-tuck.svg"))
    result = CliRunner().invoke(main, ["check", "--source", str(content)])
    assert "the alt text for chin-tuck.svg ('chin-tuck.svg') does not describe the picture" in result.output
    assert "exercises.yaml" in result.output


def test_any_topic_figures_raster_pictures_video_links_and_a4(content, tmp_path):
    """Content the shipped topic does not use: a figure block (PNG) with caption, an exercise video link, A4."""
    from PIL import Image

    folder = content / TOPIC
    Image.new("RGB", (60, 40), (30, 90, 140)).save(folder / "images" / "diagram.png")
    intro = folder / "sections" / "introduction.yaml"
    intro.write_text(intro.read_text() + '  - image: {src: images/diagram.png, alt: "A blue box standing for the '
                     'upper back.", caption: "Your upper back, drawn simply."}\n')
    exercises = folder / "sections" / "exercises.yaml"
    exercises.write_text(exercises.read_text().replace("  - id: chin-tuck\n",
                                                       "  - id: chin-tuck\n    url: https://video.example.org/chin-tuck\n", 1))
    files = build(content, tmp_path, paper="a4", handouts=["booklet", "exercise-sheet"],
                  options=BuildOptions(html=True, accessible=True),
                  languages=["en"])  # the figure and the link are added to the English source only
    by_name = {f.path.name: f.data for f in files}
    html = by_name["booklet.html"].decode("utf-8")
    assert re.search(r'<figure>\s*<img src="data:image/png;base64,[^"]+" alt="A blue box standing for the upper '
                     r'back.">\s*<figcaption>Your upper back, drawn simply.</figcaption>', html)
    sheet = by_name["exercise-sheet.html"].decode("utf-8")
    assert '<a href="https://video.example.org/chin-tuck">' in sheet
    assert set(accessibility.html_problems(sheet, ["tel:555010-0199"])) == {
        f"href='{url}' leaves the file (only the clinic's own links may)"
        for url in ("https://www.example.org/riverside-spine", "mailto:frontdesk@example.org",
                    "https://video.example.org/chin-tuck")}
    with pikepdf.open(io.BytesIO(by_name["booklet-accessible.pdf"])) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 595, 842]
        nodes = struct_nodes(pdf)
        assert "A blue box standing for the upper back." in [n.alt for n in nodes if n.tag == "Figure"]
        assert "Caption" in {n.tag for n in nodes}


def test_weasyprint_reads_the_whole_stylesheet(editions, weasyprint_log):
    """No CSS WeasyPrint ignores (a typo or an unsupported property would silently change the tagged PDF)."""
    assert weasyprint_log == []


OTHER_SOURCE = SOURCE.parent / "tests" / "topics"  # a second topic of another shape (no cover picture, 2 exercises)


def test_a_second_topic_passes_the_same_rules(browser, tmp_path):
    project = load_project(OTHER_SOURCE)
    files = build(OTHER_SOURCE, tmp_path, options=BuildOptions(html=True, accessible=True))
    by_name = {f.path.name: f.data for f in files}
    for topic_ in project.topics:
        links = accessibility.allowed_links(project.brand, topic_)
        for handout in topic_.handouts:
            html = by_name[f"{handout.name}.html"].decode("utf-8")
            assert accessibility.html_problems(html, links, lang=topic_.language) == []
            assert accessibility.tagged_pdf_problems(by_name[f"{handout.name}-accessible.pdf"],
                                                     str(handout.title or topic_.title), topic_.language,
                                                     FONT_FAMILIES) == []
            page = browser.new_page()
            try:
                page.set_content(html, wait_until="load")
                violations = run_axe(page)
                assert violations == [], describe_violations(violations)
            finally:
                page.close()


def test_grayscale_electronic_editions_have_no_colour(tmp_path):
    """Text colours come from the grayscale theme; pictures are grayed as the print edition grays them."""
    import pypdfium2 as pdfium

    files = build(SOURCE, tmp_path, handouts=["exercise-sheet"],
                  options=BuildOptions(html=True, accessible=True, grayscale=True))
    by_name = {f.path.name: f.data for f in files}
    assert accessibility.html_problems(by_name["exercise-sheet-grayscale.html"].decode("utf-8"),
                                       accessibility.allowed_links(*_shipped())) == []
    document = pdfium.PdfDocument(by_name["exercise-sheet-grayscale-accessible.pdf"])
    for index in range(2):  # the band and the first cards' pictures
        image = document[index].render(scale=0.5).to_pil().convert("RGB")
        raw = image.tobytes()
        assert max(max(abs(raw[i] - raw[i + 1]), abs(raw[i + 1] - raw[i + 2])) for i in range(0, len(raw), 3)) <= 2


def _shipped():
    project = load_project(SOURCE)
    return project.brand, next(t for t in project.topics if t.id == TOPIC)


def test_a_topic_in_spanish_gets_spanish_labels_and_lang(browser, content, tmp_path):
    """lang, /Lang and every printed label follow the topic's language (the per-language label tables)."""
    topic_file = content / TOPIC / "topic.yaml"
    # A Spanish-source topic: its Spanish translation folder is then not a translation.
    topic_file.write_text(topic_file.read_text().replace("language: en", "language: es")
                          .replace("translations: [es]", "# translations: [es]"))
    files = build(content, tmp_path, handouts=["exercise-sheet"], options=BuildOptions(html=True, accessible=True))
    by_name = {f.path.name: f.data for f in files}
    html = next(data for name, data in by_name.items() if name.endswith(".html")).decode("utf-8")
    assert '<html lang="es">' in html
    for label in ("Series", "Repeticiones", "Mantener", "Veces al día", "Consejo:", "Saltar al contenido"):
        assert label in html
    for english in (">Sets<", ">Reps<", ">Tip:<", "Skip to the content", "How much"):
        assert english not in html
    pdf_data = next(data for name, data in by_name.items() if name.endswith("-accessible.pdf") or
                    "-accessible." in name)
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        assert str(pdf.Root.Lang) == "es"
    page = browser.new_page()
    try:
        page.set_content(html, wait_until="load")
        violations = run_axe(page)
        assert violations == [], describe_violations(violations)
    finally:
        page.close()


@pytest.mark.parametrize("name", HANDOUTS)
def test_the_spanish_translation_has_spanish_editions(browser, editions, name):
    """lang, /Lang and every printed label follow the translation's language; axe passes on it too."""
    html = editions[f"{name}.es.html"].decode("utf-8")
    assert '<html lang="es">' in html
    assert "Saltar al contenido" in html and "Skip to the content" not in html
    if name == "exercise-sheet":
        for label in ("Series", "Repeticiones", "Mantener", "Veces al día", "Consejo:", "Cuánto hacer"):
            assert label in html
        for english in (">Sets<", ">Reps<", ">Tip:<", "How much"):
            assert english not in html
    with pikepdf.open(io.BytesIO(editions[f"{name}-accessible.es.pdf"])) as pdf:
        assert str(pdf.Root.Lang) == "es"
        assert str(pdf.docinfo.Title) == accessibility.outline(html).title
    assert f"{name}-archive.es.pdf" in editions
    page = browser.new_page()
    try:
        page.set_content(html, wait_until="load")
        violations = run_axe(page)
        assert violations == [], describe_violations(violations)
    finally:
        page.close()


def test_every_electronic_file_of_every_language_passes_the_rules(editions, topic):
    """Whatever languages the topic is built in (booklet.html, booklet.es.html ...), every file passes."""
    brand, topic_ = topic
    links = accessibility.allowed_links(brand, topic_)
    html_files = sorted(name for name in editions if name.endswith(".html"))
    assert len(html_files) >= len(HANDOUTS)
    for name in html_files:
        parts = name[:-len(".html")].split(".")
        language = parts[1] if len(parts) > 1 else topic_.language
        html = editions[name].decode("utf-8")
        assert accessibility.html_problems(html, links, lang=language) == [], name
        title = accessibility.outline(html).title
        pdf_name = f"{parts[0]}-accessible{'.' + language if len(parts) > 1 else ''}.pdf"
        assert accessibility.tagged_pdf_problems(editions[pdf_name], title, language, FONT_FAMILIES) == [], pdf_name
    archives = [name for name in editions if "-archive" in name]
    assert len(archives) >= 4
    for name in archives:
        assert archive.pdfa_problems(editions[name]) == [], name
