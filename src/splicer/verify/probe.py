"""The session probe page (the tutorial's SessionTest.jsp) as one user with one cookie sees it."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urljoin, urlsplit

import aiohttp
import lxml.html

COOKIE = "JSESSIONID"
# Headers the emulated servers and plug-in add so a test can tell who answered.
SERVER_HEADER = "X-Splicer-Server"
CLONE_HEADER = "X-Splicer-Clone"
ROUTE_HEADER = "X-Splicer-Route"

# The emulator's page marks each value with an id; the tutorial's JSP on a real WAS only
# has a two-column table, so the labels of its first column are the fallback.
_IDS = {"session_id": "session-id", "server_name": "server-name", "data": "data"}
_LABELS = {"session id": "session_id", "server name": "server_name", "any data": "data"}


@dataclass(frozen=True)
class ProbePage:
    """What the page says: session id, the server's name, the DATA attribute, the form."""

    session_id: str | None
    server_name: str | None
    data: str | None
    form_action: str | None
    form_method: str


def _cell_text(element: lxml.html.HtmlElement) -> str:
    # The JSP prints &nbsp; for "no data": a non-breaking space is emptiness, not data.
    return str(element.text_content()).replace("\xa0", " ").strip()


def parse_probe_page(html: str) -> ProbePage:
    """Read the probe page, by element id when present, else by the table's labels."""
    values: dict[str, str | None] = dict.fromkeys(_IDS)
    if not html.strip():
        return ProbePage(None, None, None, None, "post")
    root = lxml.html.document_fromstring(html)
    for field, element_id in _IDS.items():
        found = root.xpath("//*[@id=$id]", id=element_id)
        if isinstance(found, list) and found and isinstance(found[0], lxml.html.HtmlElement):
            values[field] = _cell_text(found[0])
    for row in root.iter("tr"):
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        if len(cells) < 2:
            continue
        label = _cell_text(cells[0]).rstrip(":").strip().lower()
        field_name = _LABELS.get(label)
        if field_name is not None and values[field_name] is None:
            values[field_name] = _cell_text(cells[1])
    action: str | None = None
    method = "post"
    for form in root.iter("form"):
        if form.xpath(".//input[@name='DATA'] | .//textarea[@name='DATA']"):
            action = form.get("action")
            method = (form.get("method") or "get").lower()
            break
    return ProbePage(
        session_id=values["session_id"] or None,
        server_name=values["server_name"] or None,
        data=values["data"],
        form_action=action,
        form_method=method,
    )


def cookie_session_id(cookie: str | None) -> str | None:
    """The session id inside a WAS JSESSIONID value: after the 4-char cache id, before ':'."""
    if not cookie or len(cookie) <= 4:
        return None
    return cookie[4:].split(":", 1)[0].split("+", 1)[0] or None


def cookie_clones(cookie: str | None) -> list[str]:
    """The clone ids of a JSESSIONID value, left to right (the affinity order)."""
    if not cookie or ":" not in cookie:
        return []
    return [clone for clone in cookie.split(":")[1:] if clone]


@dataclass
class Observation:
    """One request through the front door and what came back."""

    request: str
    at: float
    status: int | None = None
    server: str | None = None
    page_server: str | None = None
    clone: str | None = None
    route: str | None = None
    cookie: str | None = None
    session_id: str | None = None
    data: str | None = None
    error: str | None = None

    @property
    def page_server_short(self) -> str | None:
        """The page's Server Name without cell and node (``cell\\node\\server1`` -> ``server1``)."""
        if not self.page_server:
            return None
        return self.page_server.replace("/", "\\").rsplit("\\", 1)[-1] or None

    @property
    def answered_by(self) -> str | None:
        """The server that answered: as its page names it, else as the header names it."""
        return self.page_server_short or self.server

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    def to_json(self) -> dict[str, object]:
        return asdict(self) | {"answered_by": self.answered_by}


class ProbeUser:
    """A browser-like user of the probe page: keeps the JSESSIONID cookie, fills the form.

    The cookie is kept by hand, not by a cookie jar, so the report can show the exact
    value (cache id, session id, clone list) each request carried and received.
    """

    def __init__(self, http: aiohttp.ClientSession, url: str, *, started: float | None = None) -> None:
        self.http = http
        self.url = url
        self.cookie: str | None = None
        self.started = time.monotonic() if started is None else started
        self._form_url: str | None = None
        self._form_method = "post"

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    async def get(self, timeout: float = 10.0) -> Observation:
        """Reload the page, as the tutorial does after each server change."""
        return await self._request("GET", self.url, None, f"GET {self.path}", timeout)

    async def store(self, value: str, timeout: float = 10.0) -> Observation:
        """Submit the page's form with DATA=value."""
        url = self._form_url or self.url
        label = f"{self._form_method.upper()} {self.path} DATA={value}"
        return await self._request(self._form_method.upper(), url, {"DATA": value}, label, timeout)

    async def _request(
        self, method: str, url: str, form: dict[str, str] | None, label: str, timeout: float
    ) -> Observation:
        seen = Observation(request=label, at=round(time.monotonic() - self.started, 3))
        try:
            for _ in range(5):  # follow a few redirects by hand, carrying the cookie
                headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
                async with self.http.request(
                    method,
                    url,
                    params=form if method == "GET" else None,
                    data=form if method != "GET" else None,
                    headers=headers,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=timeout),
                ) as response:
                    self._take_cookie(response)
                    location = response.headers.get("Location")
                    if response.status in (301, 302, 303, 307, 308) and location:
                        url = urljoin(str(response.url), location)
                        if response.status in (301, 302, 303):
                            method, form = "GET", None
                        continue
                    body = await response.text(errors="replace")
                    self._observe(seen, response, body)
                    return seen
            seen.error = "too many redirects"
        except (aiohttp.ClientError, TimeoutError) as exc:
            seen.error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        return seen

    def _take_cookie(self, response: aiohttp.ClientResponse) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            if COOKIE in jar:
                self.cookie = jar[COOKIE].value

    def _observe(self, seen: Observation, response: aiohttp.ClientResponse, body: str) -> None:
        seen.status = response.status
        seen.server = response.headers.get(SERVER_HEADER)
        seen.clone = response.headers.get(CLONE_HEADER)
        seen.route = response.headers.get(ROUTE_HEADER)
        seen.cookie = self.cookie
        page = parse_probe_page(body) if "html" in response.headers.get("Content-Type", "html") else None
        if page is not None:
            seen.session_id = page.session_id
            seen.data = page.data
            seen.page_server = page.server_name
            if page.form_action is not None:
                self._form_url = urljoin(str(response.url), page.form_action)
                self._form_method = page.form_method
        if seen.session_id is None and response.status == 200:
            seen.session_id = cookie_session_id(self.cookie)
