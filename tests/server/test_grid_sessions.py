"""Two emulated servers on one real grid (in-process, real sockets): the tutorial's failover."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import pytest

from conftest import REPO
from splicer.grid.client import GridClient
from splicer.grid.inprocess import grid_in_process
from splicer.server.gridstore import SessionGridUnavailable
from splicer.server.runtime import AppServer, ServerOptions
from splicer.server.sessions.codec import ATTRIBUTE_MAP, METADATA_MAP, parse_metadata
from splicer.server.settings import ServerConfigError

from .testapp import TUTORIAL_PARAMS, build_ear

OBJECTGRID_XML = REPO / "samples" / "objectGridStandAlone.xml"
DEPLOYMENT_XML = REPO / "samples" / "objectGridDeploymentStandAlone.xml"
PAGE = "/MySessionTestWeb/SessionTest.jsp"


def cell(page: str, ident: str) -> str:
    match = re.search(rf'<td id="{ident}"[^>]*>(.*?)</td>', page, re.DOTALL)
    assert match is not None, ident
    return match.group(1)


async def probe(http: aiohttp.ClientSession, server: AppServer, token: str | None, **params: str) -> tuple[str, str, str]:
    headers = {"Cookie": f"JSESSIONID={token}"} if token else {}
    async with http.get(f"http://{server.address}{PAGE}", headers=headers, params=params) as resp:
        body = await resp.text()
        sent = resp.cookies.get("JSESSIONID")
        return cell(body, "session-id"), cell(body, "data"), sent.value if sent else ""


@pytest.mark.parametrize("fragmented", ["true", "false"], ids=["fragmented", "whole-session"])
def test_session_moves_between_servers_through_the_grid(tmp_path: Path, fragmented: str) -> None:
    ear = build_ear(tmp_path / "MySessionTest.ear", {**TUTORIAL_PARAMS, "replicationInterval": "0", "fragmentedSession": fragmented})

    async def run() -> tuple[list[tuple[str, str, str]], bytes | None, bytes | None]:
        async with grid_in_process(OBJECTGRID_XML, DEPLOYMENT_XML) as grid:
            catalog = grid.catalog_endpoint
            one = ServerOptions("server1", ear, "cloneA", catalog=catalog, host="127.0.0.1")
            two = ServerOptions("server2", ear, "cloneB", catalog=catalog, host="127.0.0.1")
            async with AppServer(one) as s1, AppServer(two) as s2, aiohttp.ClientSession() as http:
                sid, _, token = await probe(http, s1, None)
                await probe(http, s1, token, DATA="test02")
                seen = [await probe(http, s2, token)]
                seen.append(await probe(http, s1, seen[0][2], DATA="back"))
                seen.append(await probe(http, s2, seen[0][2]))
            client = await GridClient.connect(catalog)
            try:
                meta = await client.get(METADATA_MAP, f"{sid}/MySessionTestWeb")
                data = await client.get(ATTRIBUTE_MAP, f"{sid}/MySessionTestWeb_DATA")
            finally:
                await client.close()
            return [(sid, "", token)] + seen, meta, data

    (first, over, back, again), meta, data = asyncio.run(run())
    sid = first[0]
    assert over == (sid, "test02", f"0000{sid}:cloneA:cloneB")
    assert back == (sid, "back", "")  # fail-back: cloneA already listed, no Set-Cookie
    assert again == (sid, "back", "")  # server2's near cache was revalidated, not served stale
    assert meta is not None and parse_metadata(meta).context_root == "/MySessionTestWeb"
    assert data == (b"back" if fragmented == "true" else None)


def test_unknown_grid_name_stops_the_deployment(tmp_path: Path) -> None:
    ear = build_ear(tmp_path / "a.ear", {**TUTORIAL_PARAMS, "objectGridName": "nosuchgrid"})

    async def run() -> None:
        async with grid_in_process(OBJECTGRID_XML, DEPLOYMENT_XML, containers=("c0",)) as grid:
            server = AppServer(ServerOptions("server1", ear, "A", catalog=grid.catalog_endpoint, host="127.0.0.1"))
            await server.start()

    with pytest.raises(ServerConfigError, match=r"^CWWSM0140E: .*WEB-INF/web.xml: the session grid cannot be used: grid 'nosuchgrid' is not known") as info:
        asyncio.run(run())
    assert (info.value.key, info.value.value) == ("objectGridName", "nosuchgrid")


@pytest.mark.parametrize("override", [True, False], ids=["override-catalog", "module-catalog-wins"])
def test_catalog_host_port_and_override(tmp_path: Path, override: bool, dead_address: str) -> None:
    """Bug (module-catalog-wins failed ~1 in 50 runs under load): the dead catalogHostPort
    was a port freed before use, which another test's catalog could bind in between; the
    dead_address fixture holds it bound, never listening, for the whole test."""
    dead = dead_address
    ear = build_ear(tmp_path / "a.ear", {**TUTORIAL_PARAMS, "catalogHostPort": dead})

    async def run() -> dict[str, object]:
        async with grid_in_process(OBJECTGRID_XML, DEPLOYMENT_XML, containers=("c0",)) as grid:
            options = ServerOptions(
                "s1", ear, "A", catalog=grid.catalog_endpoint, host="127.0.0.1", override_catalog=override, catalog_wait=0.0
            )
            async with AppServer(options) as server, aiohttp.ClientSession() as http:
                async with http.get(f"http://{server.address}/_splicer/status") as resp:
                    status: dict[str, object] = await resp.json()
                    return status

    if override:
        modules = asyncio.run(run())["modules"]
        assert isinstance(modules, list)
        assert modules[0]["sessions"]["grid"]["catalog"] != dead
    else:
        with pytest.raises(SessionGridUnavailable, match=rf"^CWWSM0142E: .*no catalog server answered at {dead}"):
            asyncio.run(run())
