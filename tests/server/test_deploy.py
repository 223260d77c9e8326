"""Deploying archives: modules, context roots, web.xml read, refusals with their place."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from appbuild import application_xml, write_dir, write_zip
from splicer.archives import open_app
from splicer.errors import UsageError, Where
from splicer.server.deploy import container_cookies, deploy
from splicer.server.runtime import AppServer, ServerOptions
from splicer.server.settings import CookieSettings, ServerConfigError
from splicer.webxml.model import read_descriptor

from .testapp import PLAIN_WEB_XML, TUTORIAL_PARAMS, build_ear, session_war, spliced_web_xml


def test_deploy_ear_reads_each_module(tmp_path: Path) -> None:
    ear = build_ear(tmp_path / "MySessionTest.ear", plain_module=True)
    with open_app(ear) as reader:
        sources = deploy(reader)
        seen = [(s.module.context_root, s.descriptor.context_params.get("objectGridName"), str(s.where)) for s in sources]
    assert seen == [
        ("/MySessionTestWeb", "session", f"{ear}!/MySessionTestWeb.war!/WEB-INF/web.xml"),
        ("/plain", None, f"{ear}!/Plain.war!/WEB-INF/web.xml"),
    ]


@pytest.mark.parametrize(
    ("context_root", "expected"), [(None, "/Shop"), ("/store/", "/store")], ids=["file-stem", "option"]
)
def test_bare_war_context_root(tmp_path: Path, context_root: str | None, expected: str) -> None:
    war = write_zip(tmp_path / "Shop.war", session_war(PLAIN_WEB_XML))
    with open_app(war) as reader:
        assert [s.module.context_root for s in deploy(reader, context_root=context_root)] == [expected]


def test_war_without_web_xml_runs_with_empty_descriptor(tmp_path: Path) -> None:
    war = write_dir(tmp_path / "NoXml.war", {"WEB-INF/lib/": b"", "a.jsp": "x"})
    with open_app(war) as reader:
        (source,) = deploy(reader)
    assert (source.descriptor.filters, source.descriptor.context_params) == ({}, {})


def test_context_root_option_refused_for_ear(tmp_path: Path) -> None:
    ear = build_ear(tmp_path / "a.ear")
    with open_app(ear) as reader, pytest.raises(UsageError, match=r"^CWWSM0100E: .*--context-root applies to a bare WAR") as info:
        deploy(reader, context_root="/x")
    assert info.value.where == Where((str(ear),))


def test_shared_context_root_refused(tmp_path: Path) -> None:
    tree = {
        "META-INF/application.xml": application_xml(("A.war", "same"), ("B.war", "same")),
        "A.war": session_war(PLAIN_WEB_XML),
        "B.war": session_war(PLAIN_WEB_XML),
    }
    ear = write_zip(tmp_path / "two.ear", tree)  # type: ignore[arg-type]
    with open_app(ear) as reader, pytest.raises(ServerConfigError, match=r"^CWWSM0140E: .*share the context root /same") as info:
        deploy(reader)
    assert info.value.where == Where((str(ear), "B.war", "WEB-INF/web.xml"))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (PLAIN_WEB_XML, CookieSettings()),
        (
            '<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"><session-config>'
            "<cookie-config><name>SID</name><path>/shop</path></cookie-config>"
            "<tracking-mode>URL</tracking-mode></session-config></web-app>",
            CookieSettings(name="SID", path="/shop", use_cookies=False, use_url_encoding=True),
        ),
    ],
    ids=["defaults", "cookie-config-and-url-tracking"],
)
def test_container_cookies(xml: str, expected: CookieSettings) -> None:
    assert container_cookies(read_descriptor(xml.encode(), Where(("web.xml",)))) == expected


async def _no_grid(catalog: str, grid: str, where: Where, access: object) -> object:
    raise AssertionError(f"no grid connection expected, got {catalog} {grid}")


@pytest.mark.parametrize(
    ("params", "catalog", "key", "message"),
    [
        ({"objectGridName": "session"}, None, "catalogHostPort", r"needs a catalog"),
        ({**TUTORIAL_PARAMS, "objectGridType": "EMBEDDED"}, "localhost:1", "objectGridType", r"EMBEDDED .* not emulated"),
        ({**TUTORIAL_PARAMS, "replicationInterval": "61"}, "localhost:1", "replicationInterval", r"out of range"),
        ({**TUTORIAL_PARAMS, "fragmentedSession": "yes"}, "localhost:1", "fragmentedSession", r"must be true or false"),
        ({**TUTORIAL_PARAMS, "sessionTableSize": "many"}, "localhost:1", "sessionTableSize", r"whole number"),
    ],
    ids=["no-catalog", "embedded", "interval-too-big", "bad-boolean", "bad-number"],
)
def test_filter_settings_refused_at_start(tmp_path: Path, params: dict[str, str], catalog: str | None, key: str, message: str) -> None:
    ear = build_ear(tmp_path / "a.ear", params)
    server = AppServer(ServerOptions("server1", ear, "A", catalog=catalog), connect=_no_grid)  # type: ignore[arg-type]
    with pytest.raises(ServerConfigError, match=rf"^CWWSM0140E: {ear}!/MySessionTestWeb.war!/WEB-INF/web.xml: .*{message}") as info:
        asyncio.run(server.start())
    assert (info.value.key, info.value.where.parts[-1]) == (key, "WEB-INF/web.xml")


PARAMS_ONLY_WEB_XML = PLAIN_WEB_XML.replace(
    "<session-config>",
    "<context-param><param-name>objectGridName</param-name><param-value>session</param-value></context-param>\n"
    "  <session-config>",
)


@pytest.mark.parametrize("web_xml", [PLAIN_WEB_XML, PARAMS_ONLY_WEB_XML], ids=["plain", "params-without-filter"])
def test_module_without_filter_serves_local_sessions(tmp_path: Path, web_xml: str) -> None:
    war = write_zip(tmp_path / "Plain.war", session_war(web_xml))

    async def run() -> tuple[dict[str, object], int, str]:
        async with AppServer(ServerOptions("server1", war, "A", host="127.0.0.1"), connect=_no_grid) as server:  # type: ignore[arg-type]
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://{server.address}/_splicer/status") as resp:
                    status = await resp.json()
                async with http.get(f"http://{server.address}/Plain/images/logo.txt") as resp:
                    return status, resp.status, await resp.text()

    status, code, text = asyncio.run(run())
    (module,) = status["modules"]  # type: ignore[misc]
    assert (module["contextRoot"], module["sessionFilter"], module["sessionManager"], module["sessionTimeoutMinutes"]) == (
        "/Plain",
        False,
        "local",
        20,
    )
    assert (code, text) == (200, "logo")
