"""The web application (Starlette) and ``handout serve``'s server (uvicorn).

Starlette is a small, well-kept ASGI toolkit: routing, forms (with
python-multipart, whose limits we set), a test client and Jinja2 templates,
and nothing we do not use (no ORM, no sessions, no auth framework to
configure around).  uvicorn serves it with a clean Ctrl-C shutdown.
"""

from __future__ import annotations

import logging
import socket
import threading
import traceback
import webbrowser
from pathlib import Path
from typing import Callable, Optional

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from handoutkit.errors import HandoutError
from handoutkit.web import assets, routes
from handoutkit.web.security import Guard, GuardMiddleware, host_names, is_loopback
from handoutkit.web.service import Busy, Service

log = logging.getLogger("handoutkit.web")
MIN_CODE = 8  # characters: an access code shorter than this is refused at start-up


def create_app(source: Path, guard: Optional[Guard] = None, max_builds: int = 2, wait: float = 5.0) -> ASGIApp:
    """The whole site for one content folder, wrapped in the security middleware."""
    guard = guard or Guard(hosts=host_names("127.0.0.1") | {"testserver"})
    env = jinja2.Environment(loader=jinja2.PackageLoader("handoutkit.web", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    app = Starlette(
        routes=[
            Route("/", routes.library),
            Route("/pdf/{topic}/{stem}.pdf", routes.handout_pdf),
            Route("/thumb/{topic}/{stem}.png", routes.thumbnail),
            Route("/html/{topic}/{handout}.html", routes.html_edition),
            Route("/topics/{topic}/exercises/{exercise}/picture", routes.exercise_image),
            Route("/plan", routes.plan_topics),
            Route("/plan/{topic}", routes.plan_page, methods=["GET"]),
            Route("/plan/{topic}", routes.plan_submit, methods=["POST"]),
            Route("/plan/{topic}/preview", routes.plan_preview, methods=["POST"]),
            Route("/batch", routes.batch_page, methods=["GET"]),
            Route("/batch", routes.batch_submit, methods=["POST"]),
            Route("/check", routes.check_page),
            Route("/signin", routes.signin_page, methods=["GET"]),
            Route("/signin", routes.signin_submit, methods=["POST"]),
            Route("/signout", routes.signout, methods=["POST"]),
            Route("/static/{name}", assets.static),
            Route("/fonts/{name}", assets.font),
        ],
        exception_handlers={HTTPException: routes.http_error, Busy: routes.busy, 500: _server_error},
    )
    app.state.service = Service(source, max_builds=max_builds, wait=wait)
    app.state.guard = guard
    app.state.templates = Jinja2Templates(env=env)
    return SafeErrors(GuardMiddleware(app, guard))


async def _server_error(request, exc) -> "Response":
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("Something went wrong on the server. The error was logged without any patient "
                             "details; please report it.\n", status_code=500)


class SafeErrors:
    """Outermost layer: a failure is logged as its type and code location only.

    Exception messages can quote values (a bug could put a patient's name in
    one), so neither they nor the request body ever reach the log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # Starlette has already answered 500; the server would log the message
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("%s %s failed: %s\n%s", scope.get("method"), scope.get("path"), type(exc).__name__, frames)


def check_serve_options(host: str, access_code: Optional[str]) -> None:
    """Refuse to serve other computers without an access code (usage error: exit 2)."""
    import click

    if access_code is not None and len(access_code) < MIN_CODE:
        raise click.UsageError(f"the access code must be at least {MIN_CODE} characters long")
    if not is_loopback(host) and not access_code:
        raise click.UsageError(
            f"--host {host} lets other computers reach this server: it needs an access code. "
            "Give one with --access-code or the HANDOUT_ACCESS_CODE environment variable, "
            "or leave --host at 127.0.0.1 (this computer only).")


def serve(source: Path, host: str = "127.0.0.1", port: int = 8000, access_code: Optional[str] = None,
          allow_hosts: tuple[str, ...] = (), open_browser: bool = False, max_builds: int = 2,
          say: Callable[[str], None] = print) -> None:
    """Run the server until Ctrl-C.  ``port`` 0 picks a free port (the address printed tells which)."""
    import uvicorn

    check_serve_options(host, access_code)
    if not Path(source).is_dir():
        raise HandoutError(f"{source}: no such folder", "give the content folder with --source")
    guard = Guard(hosts=host_names(host, allow_hosts), access_code=access_code)
    app = create_app(Path(source), guard, max_builds=max_builds)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said outright: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say so, and with
    # it on a keep-alive client waits ~40 ms for each response's second segment.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise HandoutError(f"cannot listen on {host}:{port} ({exc.strerror})",
                           "another program may be using the port: try --port 8001") from None
    sock.listen(128)  # connections made as soon as the address is printed wait for the server, not fail
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{bound}/"
    config = uvicorn.Config(app, lifespan="off", server_header=False, log_level="info",
                            limit_concurrency=100, timeout_keep_alive=5)
    server = uvicorn.Server(config)
    say(f"handout serve: {url} (content: {source}); press Ctrl-C to stop")
    if not is_loopback(host):
        say(f"  other computers: use this computer's name or address; accepted host names: "
            f"{', '.join(sorted(guard.hosts))} (add more with --allow-host)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down cleanly, then re-raises the Ctrl-C it caught
        pass
    say("handout serve: stopped")
