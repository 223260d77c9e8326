"""The HTTP side of the emulated server: an aiohttp application serving every deployed module."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from splicer.archives.names import deployed_name
from splicer.errors import SplicerError
from splicer.server import cookies
from splicer.server.cookies import SessionToken
from splicer.server.patterns import is_jsp_path
from splicer.server.probe import DATA_ATTRIBUTE, ServerIdentity, render_probe
from splicer.server.sessions.model import SessionManager
from splicer.server.settings import CookieSettings
from splicer.server.webapp import WebApp

log = logging.getLogger("splicer.server")

SERVER_HEADER = "X-Splicer-Server"
CLONE_HEADER = "X-Splicer-Clone"
STATUS_PATH = "/_splicer/status"
_PRIVATE_DIRS = ("web-inf", "meta-inf")


class ModuleFiles(Protocol):
    """The entries of one WAR (an archives.AppReader fits)."""

    def has(self, name: str) -> bool: ...

    def read(self, name: str) -> bytes: ...


@dataclass
class SessionTracking:
    """How one request path of a module keeps sessions: manager, cookie settings, id reuse."""

    manager: SessionManager
    cookies: CookieSettings
    reuse_id: bool


@dataclass
class DeployedModule:
    """A module ready to serve: its web.xml view, its files, and its session tracking.

    ``filtered`` applies where the HttpSessionFilter is mapped; ``local`` everywhere else.
    """

    webapp: WebApp
    files: ModuleFiles
    local: SessionTracking
    filtered: SessionTracking | None = None

    def tracking(self, path: str) -> SessionTracking:
        if self.filtered is not None and self.webapp.session_filtered(path):
            return self.filtered
        return self.local

    def describe(self) -> dict[str, object]:
        info = self.webapp.describe()
        info["sessionFilter"] = self.filtered is not None
        info["sessionManager"] = (self.filtered or self.local).manager.kind
        info["sessions"] = {
            "local": self.local.manager.describe(),
            **({"grid": self.filtered.manager.describe()} if self.filtered is not None else {}),
        }
        return info


def incoming_token(request: web.Request, settings: CookieSettings, url_token: str | None) -> SessionToken | None:
    """The session token a request carries: the cookie first (every cookie of that name, in
    order, as WAS does), then ``;jsessionid=`` in the URL.

    The Cookie header is split by hand because request.cookies (SimpleCookie) keeps one value
    per name, while a browser may send several JSESSIONID cookies (different paths) and the
    first usable one wins.
    """
    if settings.use_cookies:
        for header in request.headers.getall("Cookie", []):
            for part in header.split(";"):
                name, sep, value = part.strip().partition("=")
                if sep and name == settings.name:
                    token = cookies.parse_token(value)
                    if token is not None:
                        return token
    if url_token is not None:
        return cookies.parse_token(url_token)
    return None


class ServerApp:
    """Routes requests to modules by the longest matching context root."""

    def __init__(
        self,
        identity: ServerIdentity,
        modules: Sequence[DeployedModule],
        *,
        session_id_reuse: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.identity = identity
        self.modules = sorted(modules, key=lambda m: len(m.webapp.context_root), reverse=True)
        self.session_id_reuse = session_id_reuse
        self.clock = clock

    def build(self) -> web.Application:
        app = web.Application()
        app.on_response_prepare.append(self._stamp)
        app.router.add_get(STATUS_PATH, self.status)
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    async def _stamp(self, request: web.Request, response: web.StreamResponse) -> None:
        response.headers[SERVER_HEADER] = self.identity.name
        response.headers[CLONE_HEADER] = self.identity.clone_id

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "name": self.identity.name,
                "cloneId": self.identity.clone_id,
                "fullName": self.identity.full_name,
                "sessionIdReuse": self.session_id_reuse,
                "modules": [m.describe() for m in self.modules],
            }
        )

    def _resolve(self, path: str) -> tuple[DeployedModule, str] | None:
        for module in self.modules:
            root = module.webapp.context_root.rstrip("/")
            if root == "" or path == root or path.startswith(root + "/"):
                return module, path[len(root) :]
        return None

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        path, url_token = cookies.split_url_session(request.path)
        found = self._resolve(path)
        if found is None:
            raise web.HTTPNotFound(text=f"SRVE0190E: File not found: {path}")
        module, inner = found
        if inner == "":
            raise web.HTTPFound(module.webapp.context_root.rstrip("/") + "/")
        inner = posixpath.normpath(inner) + ("/" if inner.endswith("/") and inner != "/" else "")
        if inner.startswith("//"):
            inner = inner[1:]
        # As the WAR is deployed: WEB-INF\web.xml, an entry a Windows tool wrote, is in WEB-INF/.
        first = deployed_name(inner).split("/", 1)[0].lower()
        if first in _PRIVATE_DIRS or first == "..":
            raise web.HTTPNotFound(text=f"SRVE0190E: File not found: {inner}")
        if inner.endswith("/"):
            inner = self._welcome(module, inner)
        if is_jsp_path(inner):
            return await self.probe(request, module, inner, url_token)
        return self.static(request, module, inner)

    def _welcome(self, module: DeployedModule, directory: str) -> str:
        for welcome in module.webapp.welcome_files:
            candidate = directory + welcome
            if is_jsp_path(candidate) or module.files.has(candidate.lstrip("/")):
                return candidate
        raise web.HTTPNotFound(text=f"SRVE0190E: File not found: {directory}")

    def static(self, request: web.Request, module: DeployedModule, inner: str) -> web.Response:
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        name = inner.lstrip("/")
        try:
            body = module.files.read(name) if name and module.files.has(name) else None
        except SplicerError:  # a name the archive reader refuses (NUL, drive letter...) is no file
            body = None
        if body is None:
            raise web.HTTPNotFound(text=f"SRVE0190E: File not found: {inner}")
        content_type, encoding = mimetypes.guess_type(name)
        # A compressed file (x.tar.gz) is served as the bytes it is, not as an encoded tar.
        if content_type is None or encoding is not None:
            content_type = "application/octet-stream"
        return web.Response(body=body, content_type=content_type)

    async def probe(
        self, request: web.Request, module: DeployedModule, inner: str, url_token: str | None
    ) -> web.Response:
        """SessionTest.jsp: get (or create) the session, store DATA when sent, show it."""
        if request.method not in ("GET", "HEAD", "POST"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD", "POST"])
        tracking = module.tracking(inner)
        incoming = incoming_token(request, tracking.cookies, url_token)
        data = request.query.get(DATA_ATTRIBUTE)
        if request.method == "POST":
            form = await request.post()
            posted = form.get(DATA_ATTRIBUTE)
            if isinstance(posted, str):
                data = posted
        now_ms = int(self.clock() * 1000)
        reuse = self.session_id_reuse or tracking.reuse_id
        try:
            session = await tracking.manager.acquire(
                incoming.session_id if incoming else None, reuse_id=reuse, now_ms=now_ms
            )
            if data is not None:
                session.set_attribute(DATA_ATTRIBUTE, data)
            decision = cookies.decide(incoming, session.id, self.identity.clone_id)
            action = module.webapp.context_root.rstrip("/") + inner
            if tracking.cookies.use_url_encoding:
                action = cookies.encode_url(action, decision.token)
            page = render_probe(session, self.identity, action)
            await tracking.manager.release(session, now_ms)
        except SplicerError as error:
            log.error("SESN0200E: session store failed for %s: %s", inner, error)
            raise web.HTTPInternalServerError(text=f"SESN0200E: the session store failed: {error.reason}") from None
        response = web.Response(text=page, content_type="text/html")
        response.headers["Cache-Control"] = 'no-cache="set-cookie, set-cookie2"'
        if decision.set_cookie and tracking.cookies.use_cookies:
            settings = tracking.cookies
            response.set_cookie(
                settings.name, decision.token.render(), path=settings.path, domain=settings.domain, httponly=True
            )
        return response

