"""The probe page in headless Chromium: the tutorial's form, and failover seen by a browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .processes import splicer_process
from .testapp import TUTORIAL_PARAMS, build_ear

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no chromium on PATH (the CI entry installs it)")


def test_browser_stores_data_and_keeps_it_across_servers(tmp_path: Path) -> None:
    """Cookies are per host, not per port: one browser sees server1, then server2, with
    the same JSESSIONID, as it would through the web server in front of them."""
    from playwright.sync_api import sync_playwright

    from splicer.grid.inprocess import run_grid

    from .test_grid_sessions import DEPLOYMENT_XML, OBJECTGRID_XML

    executable = chromium_path()
    ear = build_ear(tmp_path / "MySessionTest.ear", {**TUTORIAL_PARAMS, "replicationInterval": "0"})
    with run_grid(OBJECTGRID_XML, DEPLOYMENT_XML) as grid:
        common = ("--app", str(ear), "--port", "0", "--host", "127.0.0.1", "--catalog", grid.catalog_endpoint)
        with (
            splicer_process("server", "server1", "--clone-id", "cloneA", "--node", "n1", "--cell", "c1", *common) as one,
            splicer_process("server", "server2", "--clone-id", "cloneB", "--node", "n2", "--cell", "c2", *common) as two,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.goto(f"http://{one.address}/MySessionTestWeb/SessionTest.jsp")
                sid = page.inner_text("#session-id")
                page.fill("#data-field", "test02")
                page.click("#data-submit")
                page.wait_for_load_state()
                stored = (page.inner_text("#session-id"), page.inner_text("#data"), page.inner_text("#server-name"))
                page.goto(f"http://{two.address}/MySessionTestWeb/")  # the welcome file is SessionTest.jsp
                failed_over = (page.inner_text("#session-id"), page.inner_text("#data"), page.inner_text("#server-name"))
                cookie = {c["name"]: c["value"] for c in page.context.cookies()}["JSESSIONID"]
            finally:
                browser.close()
    assert stored == (sid, "test02", "c1\\n1\\server1")
    assert failed_over == (sid, "test02", "c2\\n2\\server2")
    assert cookie == f"0000{sid}:cloneA:cloneB"
