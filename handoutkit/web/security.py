"""Safety on a clinic network: one ASGI middleware in front of every route.

In order, for every request:

1. **Host allow-list.**  A request whose ``Host`` header is not one of the
   server's own names is refused (400).  This defeats DNS rebinding: a page
   on another site that points its own name at 127.0.0.1 still sends its
   own name as the Host.
2. **Size limits.**  A body over the limit for its path (a form, or a CSV
   upload) is refused with 413, by ``Content-Length`` before reading and by
   counting bytes while reading (for chunked bodies).
3. **Same origin.**  Every POST must carry an ``Origin`` (or, failing that,
   a ``Referer``) of this very server, else 403.  The routes then check the
   form's CSRF token (:meth:`Guard.token_ok`): an HMAC of a random,
   HttpOnly, SameSite=Strict cookie under a secret made at start-up
   (the signed double-submit pattern: nothing is kept on the server).
4. **Access code.**  When the server has one (required for any address but
   loopback), every page but the sign-in page and the static files needs the
   session cookie it sets: HttpOnly, SameSite=Strict, signed, 12 hours.  The
   code is compared in constant time; wrong codes are throttled per client.
5. **Headers** on every response: a strict Content-Security-Policy (only
   this server's scripts, styles, fonts and images; no inline script; no
   framing), ``nosniff``, ``Referrer-Policy: same-origin`` (so a form's
   Origin is sent: ``no-referrer`` would turn it into ``null``), and
   ``Cache-Control: no-store`` unless a route chose otherwise.

Cookies carry random values and signatures only, never anything personal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import socket
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Optional
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "hk_csrf"
SESSION_COOKIE = "hk_session"
SESSION_SECONDS = 12 * 3600
FORM_LIMIT = 64 * 1024          # a plan form is a few kilobytes
UPLOAD_LIMIT = 1024 * 1024      # a CSV of several hundred patients
UPLOAD_PATHS = ("/batch",)
OPEN_PATHS = ("/signin", "/static/", "/fonts/")  # reachable without signing in
MAX_FAILURES = 5                # wrong access codes per client ...
FAILURE_WINDOW = 60.0           # ... per this many seconds

PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; font-src 'self'; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# PDFs open in the browser's own viewer, which a document policy would block; they hold no script.
PDF_POLICY = "frame-ancestors 'none'"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def host_names(bind_host: str, extra: tuple[str, ...] = ()) -> set[str]:
    """The names a browser may use for this server: loopback, the bound address, this machine's names."""
    names = set(LOOPBACK) | {h.lower().strip("[]") for h in extra}
    if bind_host not in ("0.0.0.0", "::", ""):
        names.add(bind_host.lower().strip("[]"))
    if not is_loopback(bind_host):
        hostname = socket.gethostname().lower()
        names |= {hostname, f"{hostname}.local", socket.getfqdn().lower()}
        try:
            names |= {info[4][0] for info in socket.getaddrinfo(hostname, None)}
        except OSError:
            pass
    return names


def split_host(value: str) -> str:
    """``Host`` header → host name without port, lower case (``[::1]:8000`` → ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass
class Guard:
    """The server's security settings and secrets (made fresh at each start)."""

    hosts: set[str]
    access_code: Optional[str] = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    form_limit: int = FORM_LIMIT
    upload_limit: int = UPLOAD_LIMIT
    failures: dict = field(default_factory=lambda: defaultdict(deque))
    revoked: set = field(default_factory=set)

    # ---------------------------------------------------------------- tokens

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.secret, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()

    def token_for(self, cookie: str) -> str:
        """The CSRF token a form must send back with this client's cookie."""
        return self._sign("csrf", cookie)

    def token_ok(self, cookie: Optional[str], token: Optional[str]) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.token_for(cookie), token)

    def code_ok(self, given: str) -> bool:
        """Constant time whatever the lengths: both sides are hashed to 32 bytes first."""
        if self.access_code is None:
            return True
        return hmac.compare_digest(hashlib.sha256(given.encode()).digest(),
                                   hashlib.sha256(self.access_code.encode()).digest())

    def new_session(self) -> str:
        value = f"{int(time.time()) + SESSION_SECONDS}.{secrets.token_urlsafe(16)}"
        return f"{value}.{self._sign('session', value)}"

    def session_ok(self, cookie: Optional[str]) -> bool:
        if not cookie or cookie.count(".") != 2:
            return False
        value, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(self._sign("session", value), signature):
            return False
        expires = value.split(".", 1)[0]
        return expires.isdigit() and int(expires) > time.time() and value not in self.revoked

    def end_session(self, cookie: Optional[str]) -> None:
        if self.session_ok(cookie):
            now = time.time()  # forget revocations of sessions that have expired anyway
            self.revoked = {value for value in self.revoked if int(value.split(".", 1)[0]) > now}
            self.revoked.add(cookie.rsplit(".", 1)[0])

    # ---------------------------------------------------------------- throttling

    def throttled(self, client: str) -> bool:
        times = self.failures[client]
        while times and times[0] < time.monotonic() - FAILURE_WINDOW:
            times.popleft()
        if not times:
            self.failures.pop(client, None)
        return len(times) >= MAX_FAILURES

    def failed(self, client: str) -> None:
        self.failures[client].append(time.monotonic())


class TooLarge(HTTPException):
    """A body that grew past its limit while being read (the routes answer 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is too large (the limit is {limit // 1024} KB).")


def cookies_of(scope: Scope) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(Headers(scope=scope).get("cookie", ""))
    except Exception:  # a malformed Cookie header is treated as no cookies
        return {}
    return {k: v.value for k, v in jar.items()}


def cookie_header(name: str, value: str, max_age: Optional[int] = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


class GuardMiddleware:
    """The checks of this module's docstring, in front of the app."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guard = self.guard
        headers = Headers(scope=scope)
        path = scope["path"]
        host = split_host(headers.get("host", ""))
        refusal = None
        if host not in guard.hosts:
            refusal = _refuse(400, "This server does not answer to that host name. Use the address it printed "
                                   "when it started.")
        limit = guard.upload_limit if path in UPLOAD_PATHS else guard.form_limit
        length = headers.get("content-length")
        if refusal is None and length is not None and (not length.isdigit() or int(length) > limit):
            refusal = _refuse(413, f"The request is too large (the limit is {limit // 1024} KB).")
        if refusal is None and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            if not _same_origin(headers, scope, headers.get("host", "")):
                refusal = _refuse(403, "This form was not sent from this server's own page. Reload the page "
                                       "and send it again.")
        cookies = cookies_of(scope)
        if refusal is None and guard.access_code is not None and not path.startswith(OPEN_PATHS):
            if not guard.session_ok(cookies.get(SESSION_COOKIE)):
                if scope["method"] in ("GET", "HEAD"):
                    target = path + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
                    refusal = RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
                else:
                    refusal = _refuse(401, "Sign in first: the access code is needed to use this server.")
        new_cookie = None
        if not cookies.get(CSRF_COOKIE):
            new_cookie = secrets.token_urlsafe(24)
        scope.setdefault("state", {})
        scope["state"]["csrf_cookie"] = cookies.get(CSRF_COOKIE) or new_cookie

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = MutableHeaders(scope=message)
                kind = out.get("content-type", "")
                out.setdefault("content-security-policy", PDF_POLICY if kind.startswith("application/pdf") else PAGE_POLICY)
                out["x-content-type-options"] = "nosniff"
                out["x-frame-options"] = "DENY"
                out["referrer-policy"] = "same-origin"
                out["cross-origin-opener-policy"] = "same-origin"
                out["cross-origin-resource-policy"] = "same-origin"
                out["permissions-policy"] = "camera=(), microphone=(), geolocation=()"
                out.setdefault("cache-control", "no-store")
                if new_cookie:
                    out.append("set-cookie", cookie_header(CSRF_COOKIE, new_cookie))
            await send(message)

        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except TooLarge as exc:
            if started:
                raise
            await _refuse(413, exc.detail)(scope, receive, send_with_headers)


def _same_origin(headers: Headers, scope: Scope, host_header: str) -> bool:
    expected = f"{scope.get('scheme', 'http')}://{host_header.lower()}"
    origin = headers.get("origin")
    if origin is not None:
        return origin.lower() == expected
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == expected
    return False


def _refuse(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)
