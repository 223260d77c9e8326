"""A real browser through the emulated plug-in: store test02, stop the server, reload, still there."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from splicer import splice
from splicer.verify.topology import Topology, TopologyConfig
from verify.support import SAMPLES, BackgroundLoop, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[tuple[Topology, BackgroundLoop]]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent (Debian's chromium package): the browser test needs it")
    for name in ("objectGridStandAlone.xml", "objectGridDeploymentStandAlone.xml"):
        shutil.copy2(SAMPLES / name, tmp_path / name)
    space = Workspace(tmp_path)
    app = tmp_path / "MySessionTest.ear"
    splice(SAMPLES / "MySessionTest.ear", SAMPLES / "splicer.properties", output=app)
    config = TopologyConfig(app=app, objectgrid_xml=space.objectgrid_xml, deployment_xml=space.deployment_xml,
                            workdir=tmp_path / "run", log_dir=tmp_path / "logs", retry_interval=2.0)
    topo = Topology(config)
    with BackgroundLoop() as loop:
        try:
            loop.run(topo.start())
            yield topo, loop
        finally:
            loop.run(topo.stop())
    assert space.survivors() == []


def test_session_survives_in_a_browser(topology: tuple[Topology, BackgroundLoop]) -> None:
    from playwright.sync_api import sync_playwright

    topo, loop = topology
    url = f"{topo.front_door.url}/MySessionTestWeb/SessionTest.jsp"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url)
            session_id = page.text_content("#session-id")
            assert session_id and len(session_id.strip()) == 23
            page.fill("#data-field", "test02")
            with page.expect_navigation():
                page.click("#data-submit")
            assert page.text_content("#data") == "test02"
            affine = (page.text_content("#server-name") or "").rsplit("\\", 1)[-1]
            assert affine in topo.servers
            page.screenshot(path=str(ARTIFACTS / "failover-1-before-stop.png"))

            loop.run(topo.servers[affine].stop())  # the tutorial's stopServer
            page.reload()
            page.screenshot(path=str(ARTIFACTS / "failover-2-after-stop.png"))
            other = (page.text_content("#server-name") or "").rsplit("\\", 1)[-1]
            assert other in topo.servers and other != affine
            assert page.text_content("#session-id") == session_id
            assert page.text_content("#data") == "test02"
            cookies = {c["name"]: c["value"] for c in page.context.cookies()}
            assert cookies["JSESSIONID"][4:].startswith(session_id.strip() + ":")
        finally:
            browser.close()
