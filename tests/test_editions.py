"""The print editions: large print, grayscale, reproducible and structurally valid files.

Every edition is built once per session from the shipped content (Letter and
A4) and checked as finished PDFs: page sizes and counts, no checklist row
cut across pages, nothing below 18 pt in large print, nothing but grays in
grayscale (content streams, form XObjects, shadings and images), fonts
embedded, byte-identical rebuilds, SOURCE_DATE_EPOCH, and qpdf's structural
check (through pikepdf) with no errors or warnings.  The contrast rule is
checked in both colour modes with a brand that passes in colour and fails
only in grayscale.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from cli import main
from conftest import SOURCE, TOPIC
from handoutkit import clock
from handoutkit.render import colors
from handoutkit.build import BuildOptions, build
from handoutkit.checks.health import CheckConfig, run_checks
from handoutkit.errors import ContentErrors, HandoutError
from handoutkit.content.load import load_project
from handoutkit.checks.pdfcheck import fonts_used
from handoutkit.render.styles import BOOKLET_PAGE, LARGE_PRINT_MIN_SIZE, PAPER, contrast_pairs, make_theme
from pdfutil import font_resources, font_sizes, norm, reader

PAPERS = ("letter", "a4")
EDITIONS = ("large-print", "grayscale")
HANDOUTS = ("booklet", "booklet-print", "exercise-sheet", "checklist")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def _options(edition: str, paper: str) -> BuildOptions:
    return BuildOptions(paper=paper, large_print=edition == "large-print", grayscale=edition == "grayscale")


def _build(out: Path, options: BuildOptions, source: Path = SOURCE, **kwargs) -> dict[str, bytes]:
    """Build into ``out``; handout name (without the edition suffix) → bytes (English; Spanish: test_spanish.py)."""
    kwargs.setdefault("languages", ["en"])
    files = build(source, out, options=options, **kwargs)
    suffix = options.suffix()
    return {f.path.name.removesuffix(".pdf").removesuffix(suffix): f.data for f in files if f.topic == TOPIC}


@pytest.fixture(scope="session")
def editions(tmp_path_factory) -> dict[tuple[str, str], dict[str, bytes]]:
    """(edition, paper) → handout → PDF bytes, every edition built once."""
    out = {}
    for edition in EDITIONS:
        for paper in PAPERS:
            folder = tmp_path_factory.mktemp(f"{edition}-{paper}")
            out[(edition, paper)] = _build(folder, _options(edition, paper))
    return out


@pytest.fixture(scope="session")
def project():
    return load_project(SOURCE)


CASES = [(edition, paper) for edition in EDITIONS for paper in PAPERS]


# ----------------------------------------------------------------------------- pages


def _sizes(data: bytes) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in reader(data).pages]


@pytest.mark.parametrize("edition,paper", CASES)
def test_file_names_page_sizes_and_counts(editions, built, built_a4, edition, paper):
    files = editions[(edition, paper)]
    assert set(files) == set(HANDOUTS)
    sheet_w, sheet_h = (round(v, 1) for v in PAPER[paper])
    page_w, page_h = (round(v, 1) for v in BOOKLET_PAGE[paper])
    booklet = reader(files["booklet"])
    assert len(booklet.pages) % 4 == 0
    assert set(_sizes(files["booklet"])) == {(page_w, page_h)}
    assert len(reader(files["booklet-print"]).pages) == len(booklet.pages) // 2
    assert set(_sizes(files["booklet-print"])) == {(sheet_h, sheet_w)}  # landscape
    for name in ("exercise-sheet", "checklist"):
        assert set(_sizes(files[name])) == {(sheet_w, sheet_h)}
    standard = built if paper == "letter" else built_a4
    counts = {name: len(reader(files[name]).pages) for name in HANDOUTS}
    std = {name: len(reader(standard[name + ".pdf"]).pages) for name in HANDOUTS}
    if edition == "grayscale":
        assert counts == std  # colour is all that changes
    else:
        assert all(counts[name] >= std[name] for name in HANDOUTS), (counts, std)
        assert counts["checklist"] >= 1


@pytest.mark.parametrize("edition,paper", CASES)
def test_booklet_keeps_its_parts(editions, project, edition, paper):
    """Cover, contents, every section heading, notes padding and the back cover, in every edition."""
    topic = project.topics[0]
    pages = [norm(p.extract_text()) for p in reader(editions[(edition, paper)]["booklet"]).pages]
    assert norm(str(topic.title)) in pages[0]
    assert "What is in this booklet" in pages[1]
    text = " ".join(pages)
    for section in topic.sections:
        assert norm(str(section.title)) in text, section.id
    assert project.brand.phone in pages[-1] and norm(topic.review_note) in pages[-1]  # the back cover
    assert "Next review due" in pages[-1]


@pytest.mark.parametrize("edition,paper", CASES)
def test_checklist_rows_are_never_cut(editions, project, edition, paper):
    """Each habit's text on exactly one page, once; every page has the band and the day columns;
    the red-flag alert is on the last page only."""
    pages = [norm(p.extract_text()) for p in reader(editions[(edition, paper)]["checklist"]).pages]
    lifestyle = project.topics[0].section("lifestyle")
    for group in lifestyle.groups:
        for habit in group.habits:
            text = norm(str(habit.text))
            assert sum(page.count(text) for page in pages) == 1, (text, len(pages))
    alert = norm(str(project.topics[0].section("red-flags").title))
    for number, page in enumerate(pages, 1):
        assert "Questions? Call us" in page and project.brand.phone in page
        assert all(day in page for day in DAYS), number
        assert (alert in page) == (number == len(pages)), number
        if len(pages) > 1:
            assert f"Page {number} of {len(pages)}" in page


# ----------------------------------------------------------------------------- large print


def test_large_print_theme_sizes(project):
    theme = make_theme(project.brand, large_print=True)
    sizes = {name: style.fontSize for name, style in theme.styles.items()}
    assert min(sizes.values()) >= LARGE_PRINT_MIN_SIZE and sizes["body"] >= 18
    assert sizes["h1"] >= 22 and sizes["h2"] >= 20 and sizes["h3"] >= 20 and sizes["title"] > sizes["h1"]
    assert theme.large_print and theme.pt(10) > 10
    standard = make_theme(project.brand)
    assert standard.pt(36.5) == 36.5 and standard.styles["body"].fontSize == 13


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", HANDOUTS)
def test_large_print_nothing_below_18_points(editions, name, paper):
    """Every Tf in the page content streams and their form XObjects: page furniture included."""
    sizes = font_sizes(editions[("large-print", paper)][name])
    assert sizes and min(sizes) >= 18, sorted(sizes)


# ----------------------------------------------------------------------------- grayscale


def _colour_problems(data: bytes) -> list[str]:
    """Every colour operator, shading and image that is not gray, in pages and (nested) form XObjects."""
    problems: list[str] = []
    pdf = pikepdf.open(io.BytesIO(data))
    seen: set = set()

    def components(values) -> list[float]:
        return [float(v) for v in values]

    def scan_stream(stream) -> None:
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op in ("rg", "RG"):
                r, g, b = components(operands)
                if not (r == g == b):
                    problems.append(f"{op} {r} {g} {b}")
            elif op in ("k", "K", "sc", "scn", "SC", "SCN", "cs", "CS"):
                problems.append(f"{op} {[str(o) for o in operands]}")

    def scan_resources(resources) -> None:
        if resources is None:
            return
        for shading in (resources.get("/Shading") or {}).values():
            function = shading.get("/Function")
            for key in ("/C0", "/C1"):
                values = components(function.get(key, [])) if function is not None else []
                if values and len(set(values)) != 1:
                    problems.append(f"shading {key} {values}")
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image":
                if str(xobject.get("/ColorSpace")) != "/DeviceGray":
                    problems.append(f"image in {xobject.get('/ColorSpace')}")
            elif xobject.get("/Subtype") == "/Form":
                scan_stream(xobject)
                scan_resources(xobject.get("/Resources"))

    for page in pdf.pages:
        scan_stream(page)
        scan_resources(page.get("/Resources"))
    return problems


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", HANDOUTS)
def test_grayscale_draws_only_grays(editions, name, paper):
    assert _colour_problems(editions[("grayscale", paper)][name]) == []


def test_the_colour_scan_sees_colour(built):
    """The check above is not vacuous: the standard edition has brand colours."""
    assert any(p.startswith("rg") for p in _colour_problems(built["booklet.pdf"]))


def test_grayscale_keeps_luminance_and_contrast(project):
    theme = make_theme(project.brand, grayscale=True)
    for name, value in vars(project.brand.colors).items():
        if not isinstance(value, str) or not value.startswith("#"):
            continue
        gray = colors.to_gray(value)
        assert gray[1:3] == gray[3:5] == gray[5:7]
        assert abs(colors.relative_luminance(gray) - colors.relative_luminance(value)) < 0.005
        r, g, b = theme.color(name).rgb()
        assert r == g == b
    for pair in contrast_pairs(project.brand):
        assert abs(pair.gray_ratio - pair.color_ratio) < 0.1
        assert pair.ratio == min(pair.gray_ratio, pair.color_ratio) >= 4.5


@pytest.fixture(scope="session")
def raster_content(tmp_path_factory) -> Path:
    """The shipped content with a PNG logo (with transparency) and a JPEG picture in the introduction."""
    content = tmp_path_factory.mktemp("raster") / "handouts"
    shutil.copytree(SOURCE, content)
    logo = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((4, 4, 60, 60), fill=(27, 79, 114, 255))
    logo.save(content / "assets" / "logo.png")
    brand = content / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("logo: assets/logo.svg", "logo: assets/logo.png"),
                     encoding="utf-8")
    photo = Image.new("RGB", (120, 80), (200, 60, 40))
    ImageDraw.Draw(photo).rectangle((10, 10, 60, 60), fill=(20, 120, 200))
    photo.save(content / TOPIC / "images" / "photo.jpg", quality=90)
    intro = content / TOPIC / "sections" / "introduction.yaml"
    intro.write_text(intro.read_text(encoding="utf-8").replace(
        "blocks:\n", 'blocks:\n  - image: {src: images/photo.jpg, alt: "A test picture", caption: "A picture"}\n', 1),
        encoding="utf-8")
    return content


def _images(data: bytes) -> list[tuple[str, int]]:
    """(colour space, components) of every image XObject, masks excluded."""
    pdf = pikepdf.open(io.BytesIO(data))
    found, seen = [], set()

    def walk(resources) -> None:
        for xobject in ((resources or {}).get("/XObject") or {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image":
                space = str(xobject.get("/ColorSpace"))
                found.append((space, {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}.get(space, 0)))
            else:
                walk(xobject.get("/Resources"))

    for page in pdf.pages:
        walk(page.get("/Resources"))
    return found


def test_grayscale_bitmaps_have_one_channel(raster_content, tmp_path):
    colour = _build(tmp_path / "colour", BuildOptions(), source=raster_content, handouts=["booklet"])
    gray = _build(tmp_path / "gray", BuildOptions(grayscale=True), source=raster_content, handouts=["booklet"])
    assert sorted(_images(colour["booklet"])) == [("/DeviceRGB", 3)] * 2  # the logo and the picture
    assert sorted(_images(gray["booklet"])) == [("/DeviceGray", 1)] * 2
    assert _colour_problems(gray["booklet"]) == []
    assert _pdf_problems(gray["booklet"]) == []


def test_svg_colours_and_gradients_become_gray(tmp_path):
    from layouts import common

    svg = tmp_path / "gradient.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="60">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#ff0000"/><stop offset="1" stop-color="#0000ff"/>'
        '</linearGradient></defs>'
        '<rect x="0" y="0" width="50" height="60" fill="url(#g)" stroke="#0ac81e"/>'
        '<circle cx="75" cy="30" r="20" fill="#123456" fill-opacity="0.5"/></svg>', encoding="utf-8")
    found = []

    def walk(node) -> None:
        for attr in ("fillColor", "strokeColor"):
            value = getattr(node, attr, None)
            if value is not None and hasattr(value, "rgb"):
                found.append(value)
        found.extend(getattr(node, "_rl_colors", None) or [])
        for child in getattr(node, "contents", None) or []:
            walk(child)

    walk(common.picture(svg, 100, 60, theme=None))
    assert found and not all(len(set(c.rgb())) == 1 for c in found)  # the colour drawing is untouched...
    found.clear()
    walk(common._svg_drawing(str(svg), svg.stat().st_mtime, True))
    assert len(found) == 4 and all(len(set(c.rgb())) == 1 for c in found)  # ...the gray copy is all grays


# ----------------------------------------------------------------------------- contrast in both modes


# Passes 4.5:1 in colour (4.51:1 on white) but its luminance-preserving gray,
# #777777, rounds to 4.48:1: a brand that must be refused for both editions.
GRAY_FAILING = {"primary": '"#008766"', "tint": '"#FFFFFF"'}


@pytest.fixture()
def gray_failing_brand(content) -> Path:
    brand = content / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    text = re.sub(r'primary: "#[0-9A-Fa-f]{6}"', f'primary: {GRAY_FAILING["primary"]}', text)
    text = re.sub(r'tint: "#[0-9A-Fa-f]{6}"', f'tint: {GRAY_FAILING["tint"]}', text)
    brand.write_text(text, encoding="utf-8")
    return content


def test_brand_failing_only_in_grayscale_is_refused(gray_failing_brand):
    brand = load_project(gray_failing_brand).brand
    assert colors.contrast_ratio("#008766", "#FFFFFF") >= 4.5 > colors.contrast_ratio("#777777", "#FFFFFF")
    with pytest.raises(ContentErrors) as info:
        make_theme(brand)  # the colour edition too: one brand, printable both ways
    message = info.value.format_message()
    assert "colors.primary (#008766) on colors.background (#FFFFFF): contrast 4.48:1 in grayscale" in message
    assert "#777777 on #FFFFFF; 4.51:1 in colour" in message and "below the minimum 4.5:1" in message
    assert re.search(r"brand\.yaml:\d+:\d+: brand: colors\.primary", message), message
    failing = {(p.foreground, p.background) for p in contrast_pairs(brand) if p.ratio < 4.5}
    assert failing == {("primary", "background"), ("background", "primary"), ("primary", "tint")}


def test_handout_check_reports_the_grayscale_failure(gray_failing_brand):
    report = run_checks(load_project(gray_failing_brand), CheckConfig(), date(2026, 1, 1))
    low = [f for f in report.findings if f.code == "contrast"]
    assert len(low) == 3 and all(f.level == "error" and "in grayscale" in f.message for f in low)
    row = next(r for r in report.brand["contrast"] if r["pair"] == "primary on background")
    assert row["ok"] is False and row["ratio"] == 4.48
    result = CliRunner().invoke(main, ["check", "--source", str(gray_failing_brand), "--today", "2026-01-01"])
    assert result.exit_code == 1 and "TOO LOW" in result.output


def test_build_refuses_the_grayscale_failing_brand(gray_failing_brand, tmp_path):
    with pytest.raises(HandoutError) as info:
        build(gray_failing_brand, tmp_path / "out", options=BuildOptions(grayscale=True), today=date(2026, 1, 1))
    assert "in grayscale" in info.value.format_message()
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- fonts, reproducibility, validity


@pytest.mark.parametrize("edition,paper", CASES)
def test_fonts_embedded_and_bundled(editions, edition, paper):
    for name, data in editions[(edition, paper)].items():
        used = fonts_used(data)
        assert used and all(f.embedded and not f.base14 for f in used), name
        names = font_resources(data)
        assert names and all("Atkinson" in n or "DejaVu" in n for n in names), (name, sorted(names))


@pytest.mark.parametrize("edition", EDITIONS)
def test_rebuild_gives_identical_bytes(editions, edition, tmp_path):
    again = _build(tmp_path, _options(edition, "letter"))
    assert again == editions[(edition, "letter")]


def test_no_wall_clock_date_without_source_date_epoch(editions, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    info = reader(editions[("large-print", "letter")]["booklet"]).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20000101000000+00'00'"


def test_source_date_epoch_sets_the_dates(editions, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    options = _options("large-print", "letter")
    first = _build(tmp_path / "one", options, handouts=["checklist"])
    second = _build(tmp_path / "two", options, handouts=["checklist"])
    assert first == second
    assert first["checklist"] != editions[("large-print", "letter")]["checklist"]
    info = reader(first["checklist"]).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20231114221320+00'00'"
    assert clock.build_date() == date(2023, 11, 14)


def test_source_date_epoch_must_be_a_number(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(HandoutError) as info:
        clock.build_date()
    assert "SOURCE_DATE_EPOCH" in info.value.format_message()
    result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path / "out"),
                                       "--handout", "checklist"])
    assert result.exit_code == 1 and "SOURCE_DATE_EPOCH" in result.output
    assert not (tmp_path / "out").exists()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert clock.source_date_epoch() is None


def _pdf_problems(data: bytes) -> list[str]:
    """qpdf's --check, through pikepdf: errors and warnings, both."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        check = getattr(pdf, "check_pdf_syntax", None) or pdf.check
        return list(check()) + [f"WARNING: {w}" for w in pdf.get_warnings()]


@pytest.mark.parametrize("edition,paper", CASES + [("standard", "letter"), ("standard", "a4")])
def test_every_file_passes_the_structural_check(editions, built, built_a4, edition, paper):
    if edition == "standard":
        files = {name.removesuffix(".pdf"): data for name, data in (built if paper == "letter" else built_a4).items()}
    else:
        files = editions[(edition, paper)]
    for name, data in files.items():
        assert _pdf_problems(data) == [], name


def test_cli_editions_combine(tmp_path):
    result = CliRunner().invoke(main, ["build", "--source", str(SOURCE), "--out", str(tmp_path), "--handout",
                                       "checklist", "--large-print", "--grayscale", "--paper", "a4"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / TOPIC / "checklist-large-print-grayscale.pdf").read_bytes()
    assert _colour_problems(data) == [] and min(font_sizes(data)) >= 18 and _pdf_problems(data) == []


def test_large_print_checklist_breaks_a_long_group_between_habits(content, tmp_path):
    """A group taller than a page goes habit by habit, its title repeated "(continued)"; no row is lost or cut."""
    import yaml

    path = content / TOPIC / "sections" / "lifestyle.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # 8 habits (the most a group may have) of up to 48 characters: three lines each at 18 pt, taller than a page
    data["groups"][0]["habits"] += [{"text": f"Extra habit {i + 1:02d}, to make this group much longer"}
                                    for i in range(6)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files = _build(tmp_path, BuildOptions(large_print=True), source=content, handouts=["checklist"])
    pages = [norm(p.extract_text()) for p in reader(files["checklist"]).pages]
    assert len(pages) >= 3
    for group in data["groups"]:
        for habit in group["habits"]:
            assert sum(page.count(norm(habit["text"])) for page in pages) == 1, habit
    assert any(f"{data['groups'][0]['title']} (continued)" in page for page in pages[1:])
    assert all(all(day in page for day in DAYS) for page in pages)
    assert _pdf_problems(files["checklist"]) == [] and min(font_sizes(files["checklist"])) >= 18
    with pytest.raises(HandoutError):  # the standard edition keeps its one-page rule
        build(content, tmp_path / "std", handouts=["checklist"])
