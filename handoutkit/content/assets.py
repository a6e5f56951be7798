"""Checking image files that content refers to (pictures, logo, cover).

Content is written by many hands, so an image path is treated as untrusted:
it must stay inside the content folder (no ``..``, no absolute paths, no
symlinks leading out), be PNG, JPEG or SVG by its bytes and not only its
name, stay under a pixel cap (Pillow decompression bombs), and SVGs may not
carry text (its font would not be embedded), scripts or external references.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

# A 300 dpi full-page Letter image is ~8.4 Mpx.  16 Mpx (64 MB decoded as RGBA) leaves
# room and keeps a build under 300 MiB; 40 Mpx (a 6300 x 6300 PNG of 154 KB) took 650 MB.
MAX_PIXELS = 16_000_000
MAX_IMAGE_BYTES = 20_000_000
MAX_SVG_BYTES = 2_000_000
# An illustration is tens to hundreds of shapes; past these, converting and drawing
# an SVG costs seconds and hundreds of MB (40,000 paths: 80 s, 449 MB).
MAX_SVG_ELEMENTS = 5_000
MAX_SVG_PATH_DATA = 400_000  # characters of path data (d=, points=) in the whole file
IMAGE_SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg"}
SVG_ALLOWED = {
    "svg", "g", "path", "line", "polyline", "polygon", "circle", "ellipse", "rect",
    "title", "desc", "metadata", "defs", "linearGradient", "radialGradient", "stop",
}


def resolve_asset(relative: str, base: Path) -> tuple[Optional[Path], Optional[str]]:
    """Resolve ``relative`` under ``base``; returns (path, None) or (None, problem)."""
    if not relative or relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        return None, "must be a path relative to the content folder, not an absolute path"
    if "\0" in relative or any(ord(c) < 32 for c in relative):
        return None, "contains a control character (such as \\0); write the file name in plain characters"
    if "\\" in relative:
        return None, "use forward slashes (/) in paths"
    if any(part == ".." for part in Path(relative).parts):
        return None, "must stay inside the content folder ('..' is not allowed)"
    candidate = base / relative
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None, f"file not found: {relative}"
    try:
        real.relative_to(base.resolve())
    except ValueError:
        return None, "leads outside the content folder (through a symbolic link)"
    if not real.is_file():
        return None, f"{relative} is not a file"
    return real, None


def check_image(path: Path) -> Optional[str]:
    """Return a problem with the image file at ``path``, or None if it is usable."""
    kind = IMAGE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        return f"{path.suffix or 'this file type'} is not supported; use PNG, JPEG or SVG"
    if kind == "svg":
        return _check_svg(path)
    return _check_bitmap(path, kind)


@contextmanager
def strict_pillow():
    """Pillow with its own safety checks on, whatever another library set.

    WeasyPrint (the electronic edition) sets ``ImageFile.LOAD_TRUNCATED_IMAGES``
    for the whole process when imported; with it, Pillow skips the check that
    refuses a PNG text chunk inflating past ``MAX_TEXT_CHUNK`` (a zTXt bomb)
    and half-reads truncated files.  Image checks and decoding run under this.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _check_bitmap(path: Path, kind: str) -> Optional[str]:
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return f"image is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}"
    with path.open("rb") as handle:
        head = handle.read(8)
    if kind == "png" and head != b"\x89PNG\r\n\x1a\n":
        return "is not a PNG file (its contents do not match its name)"
    if kind == "jpeg" and not head.startswith(b"\xff\xd8\xff"):
        return "is not a JPEG file (its contents do not match its name)"
    from PIL import Image  # Pillow comes with reportlab; imported late to keep start-up fast

    try:
        # open() reads only the header, so the pixel count is known before any decoding.
        with strict_pillow(), Image.open(path) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                return f"image is {width}×{height} pixels; the limit is {MAX_PIXELS:,} pixels"
            img.verify()
    except Exception as exc:  # Pillow raises many types for broken files
        return f"image cannot be read ({type(exc).__name__}: {exc})"
    return None


def _check_svg(path: Path) -> Optional[str]:
    size = path.stat().st_size
    if size > MAX_SVG_BYTES:
        return f"SVG is {size:,} bytes; the limit is {MAX_SVG_BYTES:,}"
    raw = path.read_bytes()
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        return "SVG with a DOCTYPE or entities is not accepted"
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        return f"SVG cannot be read ({exc})"
    if _local(root.tag) != "svg":
        return "is not an SVG file (no <svg> root element)"
    problem = _check_svg_size(root)
    if problem:
        return problem
    elements, path_data = 0, 0
    for element in root.iter():
        elements += 1
        if elements > MAX_SVG_ELEMENTS:
            return (f"SVG has more than {MAX_SVG_ELEMENTS:,} elements; simplify the drawing "
                    "(an illustration needs far fewer) or use a PNG")
        path_data += len(element.get("d", "")) + len(element.get("points", ""))
        if path_data > MAX_SVG_PATH_DATA:
            return (f"SVG has more than {MAX_SVG_PATH_DATA:,} characters of path data; simplify the drawing "
                    "or use a PNG")
        name = _local(element.tag)
        if name == "text" or name == "tspan":
            return "SVG contains <text>; convert text to paths (its font would not be embedded)"
        if name not in SVG_ALLOWED:
            return f"SVG element <{name}> is not supported (allowed: shapes, paths and groups)"
        for attr, value in element.attrib.items():
            if _local(attr) == "href" and not value.startswith("#"):
                return "SVG refers to an outside file or address; embed shapes instead"
            for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", value):
                if not target.startswith("#"):
                    return f"SVG refers to an outside address ({_local(attr)}: url({target[:40]})); use colours or #ids"
    return None


def _svg_length(value: str) -> Optional[float]:
    match = re.match(r"\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)", value)
    return float(match.group(1)) if match else None


def _check_svg_size(root) -> Optional[str]:
    """The drawing's width, height and viewBox must be positive, finite numbers (0 or nan divide by zero)."""
    for name in ("width", "height"):
        raw = root.get(name)
        if raw is None or raw.strip().endswith("%"):
            continue
        number = _svg_length(raw)
        if number is None or not math.isfinite(number) or number <= 0:
            return f"SVG {name}={raw!r} must be a positive number"
    raw = root.get("viewBox")
    if raw is not None:
        parts = re.split(r"[\s,]+", raw.strip())
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers) or numbers[2] <= 0 or numbers[3] <= 0:
            return f"SVG viewBox={raw!r} must be four numbers with a positive width and height"
    if root.get("width") is None and raw is None:
        return "SVG has no width, height or viewBox; its size is unknown"
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
