"""Accessibility checks for the electronic editions: the HTML file and the tagged PDF.

The build runs these on every HTML edition and tagged PDF it makes and
refuses to write one that fails (:func:`require`); ``handout check`` runs the
HTML rules and the content rules on every handout without writing anything
(:func:`findings`).  The tests use the same functions on real outputs, plus
axe-core in a real browser for the HTML.

HTML (:func:`html_problems`): ``lang`` and ``<title>`` set, the banner, main
and contentinfo landmarks, exactly one ``h1`` and heading levels that never
skip, alt text on every picture, no ``src``/``href`` leaving the file except
the clinic's own links.

Tagged PDF (:func:`tagged_pdf_problems`, with pikepdf): a structure tree,
``/MarkInfo /Marked true``, ``/Lang``, the title shown in the window bar
(``DisplayDocTitle``) and equal to the handout's, every piece of text and
every picture on every page inside marked content that is either an
``/Artifact`` or tied (by MCID through the page's structure parents) to an
element reachable from the structure root, every ``Figure`` with ``/Alt``,
heading levels that never skip, and every font embedded with a ToUnicode map
(so copied text is right) and one of the bundled families.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Iterable, Optional

from handoutkit.content.model import Brand, Project, Topic
from handoutkit.errors import HandoutError

HEADING = re.compile(r"^/?H([1-6])$")
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


# ----------------------------------------------------------------------------- HTML


def allowed_links(brand: Brand, topic: Topic) -> set[str]:
    """The clinic's own addresses: what an HTML edition may link to besides itself."""
    allowed = {f"mailto:{brand.email}"} if brand.email else set()
    if brand.website:
        allowed.add(str(brand.website))
    allowed.add("tel:" + re.sub(r"[\s()]", "", str(brand.phone)))
    allowed.update(str(ex.url) for ex in topic.exercises if ex.url)
    return allowed


@dataclass
class HtmlOutline:
    """What :class:`_Outline` collects from one HTML document."""

    lang: Optional[str] = None
    title: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    urls: list[tuple[str, str]] = field(default_factory=list)  # (attribute, value)
    ids: set[str] = field(default_factory=set)


class _Outline(HTMLParser):
    LANDMARKS = {"header": "banner", "nav": "navigation", "main": "main", "footer": "contentinfo"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = HtmlOutline()
        self._heading: Optional[int] = None
        self._text: list[str] = []
        self._in_title = False
        self._depth_sectioning = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.out.lang = attrs.get("lang")
        if tag == "title":
            self._in_title = True
        if "id" in attrs:
            self.out.ids.add(attrs["id"])
        if tag in self.LANDMARKS:
            self.out.landmarks.append(self.LANDMARKS[tag])
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = int(tag[1]), []
        if tag == "img":
            self.out.images.append(attrs)
        for name in ("src", "href", "action", "poster", "srcset"):
            if name in attrs:
                self.out.urls.append((name, attrs[name] or ""))
        if "style" in attrs:
            self.out.urls += [("style", url) for url in re.findall(r"url\(([^)]*)\)", attrs["style"] or "")]

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self._heading is not None and tag == f"h{self._heading}":
            self.out.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data):
        if self._in_title:
            self.out.title += data
        if self._heading is not None:
            self._text.append(data)


def outline(html: str) -> HtmlOutline:
    """Language, title, headings, landmarks, pictures and URLs of an HTML document."""
    parser = _Outline()
    parser.feed(html)
    parser.close()
    # url(...) inside the embedded stylesheet (pictures, fonts) must be data: too
    for style in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S | re.I):
        parser.out.urls += [("css", u.strip("'\" ")) for u in re.findall(r"url\(([^)]*)\)", style)]
    return parser.out


def heading_problems(levels: Iterable[int]) -> list[str]:
    """A first heading that is not level 1, or a level skipped on the way down."""
    problems, previous = [], 0
    for index, level in enumerate(levels):
        if index == 0 and level != 1:
            problems.append(f"the first heading is H{level}, not H1")
        elif level > previous + 1:
            problems.append(f"heading H{level} follows H{previous}: a level is skipped")
        previous = level
    return problems


def html_problems(html: str, links: Iterable[str] = (), lang: Optional[str] = None) -> list[str]:
    """What is wrong with an HTML edition (an empty list: nothing)."""
    found = outline(html)
    problems: list[str] = []
    if not found.lang:
        problems.append("<html> has no lang")
    elif lang and found.lang != lang:
        problems.append(f"<html lang={found.lang!r}>, the content's language is {lang!r}")
    if not found.title.strip():
        problems.append("no <title>")
    for landmark in ("banner", "main", "contentinfo"):
        if found.landmarks.count(landmark) != 1:
            problems.append(f"{found.landmarks.count(landmark)} {landmark} landmarks, not 1")
    levels = [level for level, _ in found.headings]
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} H1 headings, not 1")
    problems += heading_problems(levels)
    for attrs in found.images:
        if not (attrs.get("alt") or "").strip():
            problems.append(f"a picture without alt text ({(attrs.get('src') or '')[:40]}...)")
    allowed = set(links)
    for attribute, url in found.urls:
        if url.startswith("data:") or url in allowed:
            continue
        if url.startswith("#"):
            if url[1:] not in found.ids:
                problems.append(f"{attribute}={url!r} points to no element")
            continue
        problems.append(f"{attribute}={url[:60]!r} leaves the file (only the clinic's own links may)")
    return problems


# ----------------------------------------------------------------------------- tagged PDF


@dataclass
class StructNode:
    """One structure element, for reports and tests."""

    tag: str
    alt: Optional[str]
    children: list["StructNode"]

    def walk(self) -> Iterable["StructNode"]:
        yield self
        for child in self.children:
            yield from child.walk()


def structure(pdf) -> list[StructNode]:
    """The structure tree of an open pikepdf ``Pdf``, as plain nodes in reading order."""
    import pikepdf

    def node(elem) -> Optional[StructNode]:
        if not isinstance(elem, pikepdf.Dictionary) or "/S" not in elem:
            return None
        alt = elem.get("/Alt")
        return StructNode(str(elem.S)[1:], str(alt) if alt is not None else None,
                          [n for n in (node(k) for k in _kids(elem)) if n is not None])

    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return []
    return [n for n in (node(k) for k in _kids(root)) if n is not None]


def _kids(elem) -> list:
    import pikepdf

    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _reachable_mcids(pdf) -> dict[tuple, set[int]]:
    """Page object id → MCIDs that belong to elements reachable from the structure root."""
    import pikepdf

    found: dict[tuple, set[int]] = {}
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return found
    stack = [(k, None) for k in _kids(root)]
    seen: set[tuple] = set()
    while stack:
        item, page = stack.pop()
        if isinstance(item, int) or (isinstance(item, pikepdf.Object) and item._type_code == pikepdf.ObjectType.integer):
            if page is not None:
                found.setdefault(page, set()).add(int(item))
            continue
        if not isinstance(item, pikepdf.Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        pg = item.get("/Pg")
        here = pg.objgen if pg is not None else page
        if item.get("/Type") == "/MCR":
            if here is not None:
                found.setdefault(here, set()).add(int(item.MCID))
            continue
        if "/S" in item:
            stack += [(k, here) for k in _kids(item)]
    return found


def _content_problems(pdf, mcids: dict[tuple, set[int]]) -> list[str]:
    """Text or pictures outside marked content tied to the tree (or to an artifact), per page."""
    import pikepdf

    problems = []
    for number, page in enumerate(pdf.pages, 1):
        allowed = mcids.get(page.obj.objgen, set())
        stack: list[tuple[str, Optional[int]]] = []
        loose = orphan = 0
        images = page.Resources.get("/XObject", {}) if "/Resources" in page else {}
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                props = operands[1]
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                stack.append((str(operands[0]), int(mcid) if mcid is not None else None))
            elif op == "BMC":
                stack.append((str(operands[0]), None))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op in TEXT_OPERATORS or (op == "Do" and images.get(str(operands[0]), {}).get("/Subtype")
                                           == "/Image"):
                if any(tag == "/Artifact" for tag, _ in stack):
                    continue
                ids = [m for _, m in stack if m is not None]
                if not ids:
                    loose += 1
                elif ids[-1] not in allowed:
                    orphan += 1
        if loose:
            problems.append(f"page {number}: {loose} text or picture operations outside marked content")
        if orphan:
            problems.append(f"page {number}: {orphan} marked content items tied to no element of the structure tree")
    return problems


def _font_problems(pdf, families: Iterable[str]) -> list[str]:
    """Fonts not embedded, without a ToUnicode map, or not one of ``families``."""
    problems = []
    families = tuple(families)
    seen: set[tuple] = set()
    for page in pdf.pages:
        for font in iter_fonts(page.obj.get("/Resources")):
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            name = str(font.get("/BaseFont", "/?"))[1:]
            family = name.split("+", 1)[-1]
            if not any(family == f or family.startswith(f + "-") for f in families):
                problems.append(f"font {name}: not a bundled font")
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"font {name}: not embedded")
            if "/ToUnicode" not in font:
                problems.append(f"font {name}: no ToUnicode map (copied text would be wrong)")
    return problems


def iter_fonts(resources, depth: int = 0):
    """The font dictionaries of a resource dictionary and of the Form XObjects it uses."""
    if resources is None or depth > 8:
        return
    for font in (resources.get("/Font") or {}).values():
        yield font
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from iter_fonts(xobject.get("/Resources"), depth + 1)


def tagged_pdf_problems(data: bytes, title: str, lang: str, families: Iterable[str]) -> list[str]:
    """What keeps ``data`` from being the tagged PDF we promise (an empty list: nothing)."""
    import pikepdf

    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            return ["no structure tree (StructTreeRoot)"]
        mark = root.get("/MarkInfo")
        if mark is None or not bool(mark.get("/Marked", False)):
            problems.append("not marked (/MarkInfo /Marked true)")
        if str(root.get("/Lang", "")) != lang:
            problems.append(f"/Lang is {str(root.get('/Lang', ''))!r}, not {lang!r}")
        prefs = root.get("/ViewerPreferences")
        if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
            problems.append("the title is not shown in the window bar (DisplayDocTitle)")
        if str(pdf.docinfo.get("/Title", "")) != title:
            problems.append(f"title {str(pdf.docinfo.get('/Title', ''))!r}, not {title!r}")
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            if meta.get("pdfuaid:part") != "1":
                problems.append("XMP does not claim PDF/UA-1 (pdfuaid:part)")
            if meta.get("dc:title") != title:
                problems.append(f"XMP dc:title {meta.get('dc:title')!r}, not {title!r}")
        nodes = [n for top in structure(pdf) for n in top.walk()]
        for n in nodes:
            if n.tag == "Figure" and not (n.alt or "").strip():
                problems.append("a Figure without /Alt")
        levels = [int(HEADING.match(n.tag).group(1)) for n in nodes if HEADING.match(n.tag)]
        problems += heading_problems(levels)
        problems += _content_problems(pdf, _reachable_mcids(pdf))
        problems += _font_problems(pdf, families)
    return problems


# ----------------------------------------------------------------------------- build gate and handout check


def require(problems: list[str], label: str) -> None:
    """Raise a :class:`BuildError` naming ``label`` if there are problems: such a file is never written."""
    if problems:
        from handoutkit.errors import BuildError

        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BuildError(f"{label}: not accessible: {shown}",
                         "this is a template or content problem; see handout check")


def findings(project: Project, theme) -> list:
    """``handout check`` findings: each handout's HTML edition against the HTML rules, and alt text."""
    from handoutkit.checks.health import Finding
    from layouts import RenderJob
    from layouts.html_edition import render_html

    out = []
    for topic in project.topics:
        links = allowed_links(project.brand, topic)
        for handout in topic.handouts:
            html = render_html(RenderJob(topic=topic, handout=handout, theme=theme))
            for problem in html_problems(html, links, lang=topic.language):
                out.append(Finding("error", "accessibility", f"{handout.name} (HTML edition): {problem}",
                                   where=handout.where, topic=topic.id, handout=handout.name,
                                   hint="the HTML and tagged PDF editions must pass these rules"))
        for ex in topic.exercises:
            out += _alt_findings(topic, str(ex.image_alt), ex.image.name, ex.where)
        for section in topic.sections:
            for block in section.blocks:
                if hasattr(block, "alt"):
                    out += _alt_findings(topic, str(block.alt), block.src.name, block.alt.where)
    return out


def _alt_findings(topic: Topic, alt: str, filename: str, where) -> list:
    """Alt text that tells a screen-reader user nothing: a file name, or a word or two."""
    from handoutkit.checks.health import Finding

    words = alt.split()
    stem = filename.rsplit(".", 1)[0].lower()
    if alt.strip().lower() in (filename.lower(), stem) or re.search(r"\.(svg|png|jpe?g)\b", alt, re.I) \
            or len(words) < 3:
        return [Finding("warning", "alt-text", f"the alt text for {filename} ({alt!r}) does not describe the picture",
                        where=where, topic=topic.id,
                        hint="say in a short sentence what the picture shows, as you would on the phone")]
    return []


def add_accessibility_findings(report, project: Project) -> None:
    """Add :func:`findings` (with the brand's own theme) to a ``handout check`` report, in order."""
    from handoutkit.checks.health import Finding
    from handoutkit.render.styles import make_theme

    try:
        theme = make_theme(project.brand)
    except HandoutError:  # a brand the theme refuses (contrast) is already an error in the report
        return
    report.findings = sorted(report.findings + findings(project, theme), key=Finding.sort_key)
