"""The HTTP application on real loopback sockets: probe page, cookies, files, status."""

from __future__ import annotations

import asyncio
import re
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from splicer.archives import open_app
from splicer.server.app import CLONE_HEADER, SERVER_HEADER, DeployedModule, ServerApp, SessionTracking
from splicer.server.probe import ServerIdentity
from splicer.server.sessions.grid import GridSessionManager, GridSessionSettings
from splicer.server.sessions.local import LocalSessionManager
from splicer.server.sessions.replication import Replicator
from splicer.server.settings import SESSION_FILTER_CLASS, CookieSettings
from splicer.server.webapp import WebApp
from splicer.webxml.model import Descriptor, FilterDef, FilterMapping

from .recording_store import RecordingStore
from .test_patterns import descriptor

ROOT = "/MySessionTestWeb"
SESSION_FILTER = FilterDef("HttpSessionFilter", SESSION_FILTER_CLASS)


def war_dir(tmp_path: Path) -> Path:
    root = tmp_path / "MySessionTestWeb.war"
    (root / "WEB-INF").mkdir(parents=True)
    (root / "WEB-INF" / "web.xml").write_text("<web-app/>")
    (root / "META-INF").mkdir()
    (root / "META-INF" / "MANIFEST.MF").write_text("Manifest-Version: 1.0\n")
    (root / "SessionTest.jsp").write_text("<%= session.getId() %>")
    (root / "style.css").write_text("body { color: black }")
    (root / "index.html").write_text("<p>welcome</p>")
    return root


@asynccontextmanager
async def serving(app: ServerApp) -> AsyncIterator[str]:
    runner = web.AppRunner(app.build(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def module(files_root: Path, tracking: SessionTracking, filtered: SessionTracking | None, config: Descriptor) -> DeployedModule:
    return DeployedModule(WebApp("MySessionTestWeb", ROOT, config), open_app(files_root), tracking, filtered)


def local_tracking(**cookie: object) -> SessionTracking:
    return SessionTracking(LocalSessionManager(ROOT, 1800), CookieSettings(**cookie), reuse_id=False)  # type: ignore[arg-type]


def grid_tracking(store: RecordingStore, clone: str, *, reuse: bool = False) -> SessionTracking:
    settings = GridSessionSettings(ROOT, clone, 1800, replication_interval=0)
    return SessionTracking(GridSessionManager(store, settings, Replicator(store, 0)), CookieSettings(), reuse)


FILTERED = descriptor((SESSION_FILTER,), (FilterMapping("HttpSessionFilter", ("*",)),))


def cell(page: str, ident: str) -> str:
    match = re.search(rf'<td id="{ident}"[^>]*>(.*?)</td>', page, re.DOTALL)
    assert match is not None, ident
    return match.group(1)


async def get(http: aiohttp.ClientSession, url: str, cookie: str | None = None, **kw: object) -> tuple[int, str, dict[str, str]]:
    headers = {"Cookie": f"JSESSIONID={cookie}"} if cookie else {}
    async with http.request(str(kw.pop("method", "GET")), url, headers=headers, allow_redirects=False, **kw) as resp:  # type: ignore[arg-type]
        sent = resp.headers.getall("Set-Cookie", [])
        return resp.status, await resp.text(), {"set-cookie": ";".join(sent), "server": resp.headers.get(SERVER_HEADER, "")}


def token_of(set_cookie: str) -> str:
    match = re.search(r"JSESSIONID=([^;]+)", set_cookie)
    assert match is not None, set_cookie
    return match.group(1)


def test_failover_and_fail_back_between_two_servers(tmp_path: Path) -> None:
    """The tutorial's screens: a session made on server1, read on server2, back on server1."""
    files = war_dir(tmp_path)
    store = RecordingStore()

    async def run() -> list[tuple[str, str, str, str]]:
        one = ServerApp(ServerIdentity("server1", "cloneA", "c1Cell", "n1"), [module(files, local_tracking(), grid_tracking(store, "cloneA"), FILTERED)])
        two = ServerApp(ServerIdentity("server2", "cloneB", "c2Cell", "n2"), [module(files, local_tracking(), grid_tracking(store, "cloneB"), FILTERED)])
        steps = []
        async with serving(one) as url1, serving(two) as url2, aiohttp.ClientSession() as http:
            page = f"{ROOT}/SessionTest.jsp"
            _, body, h = await get(http, url1 + page)
            token = token_of(h["set-cookie"])
            steps.append((cell(body, "session-id"), cell(body, "data"), token, h["server"]))
            _, body, h = await get(http, url1 + page, token, method="POST", data={"DATA": "test02"})
            steps.append((cell(body, "session-id"), cell(body, "data"), h["set-cookie"], cell(body, "server-name")))
            _, body, h = await get(http, url2 + page, token)
            token = token_of(h["set-cookie"])
            steps.append((cell(body, "session-id"), cell(body, "data"), token, cell(body, "server-name")))
            _, body, h = await get(http, url1 + page, token)
            steps.append((cell(body, "session-id"), cell(body, "data"), h["set-cookie"], h["server"]))
        return steps

    (sid, empty, token1, server), stored, over, back = asyncio.run(run())
    assert (len(sid), empty, token1, server) == (23, "&nbsp;", f"0000{sid}:cloneA", "server1")
    assert stored == (sid, "test02", "", "c1Cell\\n1\\server1")
    assert over == (sid, "test02", f"0000{sid}:cloneA:cloneB", "c2Cell\\n2\\server2")
    assert back == (sid, "test02", "", "server1")  # fail-back: no Set-Cookie, clone list kept


def test_local_sessions_are_not_shared(tmp_path: Path) -> None:
    files = war_dir(tmp_path)

    async def run() -> tuple[str, str, str]:
        one = ServerApp(ServerIdentity("server1", "A", "c", "n"), [module(files, local_tracking(), None, descriptor())])
        two = ServerApp(ServerIdentity("server2", "B", "c", "n"), [module(files, local_tracking(), None, descriptor())])
        async with serving(one) as url1, serving(two) as url2, aiohttp.ClientSession() as http:
            _, body, h = await get(http, url1 + f"{ROOT}/SessionTest.jsp?DATA=test02")
            _, body2, h2 = await get(http, url2 + f"{ROOT}/SessionTest.jsp", token_of(h["set-cookie"]))
            return cell(body, "session-id"), cell(body2, "session-id"), cell(body2, "data")

    first, second, data = asyncio.run(run())
    assert first != second and data == "&nbsp;"


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/style.css", 200, "text/css"),
        ("/", 200, "text/html"),
        ("/WEB-INF/web.xml", 404, None),
        ("/web-inf/web.xml", 404, None),
        ("/META-INF/MANIFEST.MF", 404, None),
        ("/x/../WEB-INF/web.xml", 404, None),
        ("/missing.png", 404, None),
        ("/any/path/Other.jsp", 200, "text/html"),
        ("", 302, None),
        ("/SessionTest.jsp", 405, None),
        ("/style.css", 405, None),
    ],
    ids=[
        "static",
        "welcome-file",
        "web-inf",
        "web-inf-lower",
        "meta-inf",
        "dot-dot",
        "missing",
        "every-jsp",
        "bare-root",
        "jsp-put",
        "file-put",
    ],
)
def test_files_and_private_dirs(tmp_path: Path, path: str, status: int, content_type: str | None) -> None:
    files = war_dir(tmp_path)

    async def run() -> tuple[int, str | None, str]:
        server = ServerApp(ServerIdentity("server1", "A", "c", "n"), [module(files, local_tracking(), None, descriptor())])
        async with serving(server) as url, aiohttp.ClientSession() as http:
            method = "PUT" if status == 405 else "GET"
            async with http.request(method, url + ROOT + path, allow_redirects=False) as resp:
                kind = resp.content_type if resp.status == 200 else None
                return resp.status, kind, resp.headers.get(SERVER_HEADER, "") + "/" + resp.headers.get(CLONE_HEADER, "")

    assert asyncio.run(run()) == (status, content_type, "server1/A")


def test_url_rewriting_and_url_encoding(tmp_path: Path) -> None:
    files = war_dir(tmp_path)

    async def run() -> tuple[str, str, str, str]:
        tracking = local_tracking(use_cookies=False, use_url_encoding=True)
        server = ServerApp(ServerIdentity("server1", "A", "c", "n"), [module(files, tracking, None, descriptor())])
        async with serving(server) as url, aiohttp.ClientSession() as http:
            _, body, h = await get(http, url + f"{ROOT}/SessionTest.jsp?DATA=kept")
            sid = cell(body, "session-id")
            action = re.search(r'action="([^"]+)"', body)
            assert action is not None
            _, body2, _ = await get(http, url + action.group(1))
            return sid, h["set-cookie"], action.group(1), cell(body2, "data")

    sid, set_cookie, action, data = asyncio.run(run())
    assert (set_cookie, action, data) == ("", f"{ROOT}/SessionTest.jsp;jsessionid=0000{sid}:A", "kept")


@pytest.mark.parametrize(("reuse", "same"), [(True, True), (False, False)], ids=["HttpSessionIdReuse", "default"])
def test_unknown_incoming_id(tmp_path: Path, reuse: bool, same: bool) -> None:
    files = war_dir(tmp_path)
    sid = "4WnQaKbKMCdHRuD5PWdsZJf"

    async def run() -> tuple[str, str]:
        server = ServerApp(ServerIdentity("server2", "B", "c", "n"), [module(files, local_tracking(), None, descriptor())], session_id_reuse=reuse)
        async with serving(server) as url, aiohttp.ClientSession() as http:
            _, body, h = await get(http, url + f"{ROOT}/SessionTest.jsp", f"0000{sid}:A")
            return cell(body, "session-id"), token_of(h["set-cookie"])

    got, token = asyncio.run(run())
    assert (got == sid) is same
    assert token == (f"0000{sid}:A:B" if same else f"0000{got}:B")


def test_data_is_escaped_and_status_lists_modules(tmp_path: Path) -> None:
    files = war_dir(tmp_path)
    store = RecordingStore()
    audit = FilterDef("Audit", "com.example.Audit")
    config = descriptor(
        (SESSION_FILTER, audit), (FilterMapping("HttpSessionFilter", ("/*",)), FilterMapping("Audit", ("/*",)))
    )

    async def run() -> tuple[str, dict[str, object]]:
        server = ServerApp(ServerIdentity("server1", "A", "c", "n"), [module(files, local_tracking(), grid_tracking(store, "A"), config)])
        async with serving(server) as url, aiohttp.ClientSession() as http:
            _, body, _ = await get(http, url + f"{ROOT}/SessionTest.jsp", params={"DATA": "<b>&"})
            async with http.get(url + "/_splicer/status") as resp:
                return cell(body, "data"), await resp.json()

    data, status = asyncio.run(run())
    assert data == "&lt;b&gt;&amp;"
    modules = status["modules"]
    assert isinstance(modules, list)
    assert (status["name"], status["cloneId"], modules[0]["contextRoot"], modules[0]["sessionManager"]) == ("server1", "A", ROOT, "grid")
    assert [f["behaviour"] for f in modules[0]["filters"]][1] == "pass-through"


@pytest.mark.parametrize("path", ["/WEB-INF%5Cweb.xml", "/.%5CWEB-INF%5Cweb.xml", "/web-inf%5Cweb.xml"],
                         ids=["backslash", "dot-backslash", "lower-case"])
def test_private_dirs_spelled_with_backslashes(tmp_path: Path, path: str) -> None:
    """Regression: a WAR written by a Windows tool holds `WEB-INF\\web.xml`; a request for
    `/WEB-INF%5Cweb.xml` named that entry exactly and was served the descriptor, because the
    private-folder check split the path on `/` only (WebSphere expands it into WEB-INF/)."""
    war = tmp_path / "MySessionTestWeb.war"
    with zipfile.ZipFile(war, "w") as archive:
        archive.writestr("WEB-INF\\web.xml", "<web-app/>")
        archive.writestr("index.html", "<p>welcome</p>")

    async def run() -> tuple[int, int]:
        with open_app(war) as files:
            deployed = DeployedModule(WebApp("MySessionTestWeb", ROOT, descriptor()), files, local_tracking())
            server = ServerApp(ServerIdentity("server1", "A", "c", "n"), [deployed])
            async with serving(server) as url, aiohttp.ClientSession() as http:
                async with http.get(url + ROOT + "/index.html") as resp:
                    served = resp.status
                async with http.get(url + ROOT + path, allow_redirects=False) as resp:
                    return served, resp.status

    assert asyncio.run(run()) == (200, 404)
