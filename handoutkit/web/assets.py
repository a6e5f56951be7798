"""Files the pages serve: exercise pictures (confined, type sniffed from bytes), the UI fonts, static files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

# The UI text uses the bundled Atkinson Hyperlegible (the handouts' own font): no host or remote fonts.
UI_FONTS = ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")
STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}


def sniff_image(path: Path, folder: Path) -> tuple[bytes, str]:
    """The picture's bytes and type, if it lies inside ``folder`` and is an SVG, PNG or JPEG; else LookupError."""
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(Path(folder).resolve()) or not resolved.is_file():
        raise LookupError(str(path))
    data = resolved.read_bytes()
    head = data[:512].lstrip()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096]:
        return data, "image/svg+xml"
    raise LookupError(str(path))


async def font(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in UI_FONTS:
        raise HTTPException(404, "No such font.")
    data = resources.files("handoutkit").joinpath("data", "fonts", name).read_bytes()
    return Response(data, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise HTTPException(404, "No such file.")
    data = resources.files("handoutkit.web").joinpath("static", name).read_bytes()
    return Response(data, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})
