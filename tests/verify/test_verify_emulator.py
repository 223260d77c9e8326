"""`splicer verify` on the real emulated topology: catalog, containers, servers, plug-in."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from appbuild import application_xml, write_zip
from splicer.verify.run import VerifyOptions, run_verify
from verify.support import Workspace, json_report, spliced_web_xml, verify_cli

pytestmark = pytest.mark.slow

PAGE = "<%@ page session=\"true\" %><html><body>session test</body></html>"
PLAIN_WEB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"><display-name>Admin</display-name></web-app>
"""


def test_spliced_sample_keeps_its_sessions(workspace: Workspace, tmp_path: Path) -> None:
    report_html = tmp_path / "report.html"
    started = time.monotonic()
    result = verify_cli(workspace.ear, workspace.properties, "--json", "--report", report_html,
                        "--keep-logs", tmp_path / "logs", *workspace.grid_options())
    elapsed = time.monotonic() - started
    print(f"verify of the spliced sample took {elapsed:.1f} s")  # the figure in the report
    data = json_report(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert data["ok"] is True and data["verdict"] == "sessions survived (with warnings)"
    steps = data["steps"]
    assert isinstance(steps, list)
    assert [s["verdict"] for s in steps] == ["pass"] * 6 + ["warn"]
    a = steps[0]["observation"]
    who = [s["observation"]["answered_by"] for s in steps]
    assert who[1] == who[0] and who[2] != who[0] and who[3] == who[0] and who[4] != who[0]
    assert {s["observation"]["session_id"] for s in steps} == {a["session_id"]}
    assert [s["observation"]["data"] for s in steps] == ["", *["test02"] * 6]
    assert "SIGKILL container" in steps[5]["action"]
    assert "replicationInterval=10 s" in steps[6]["detail"]
    # the cookie carries both clone ids after the failover, as WAS appends them (§2.5)
    assert steps[2]["observation"]["cookie"].count(":") == 2
    modules = data["modules"]
    assert modules == [{"name": "MySessionTestWeb", "uri": "MySessionTestWeb.war", "context_root": "/MySessionTestWeb",
                        "has_filter": True, "replication_interval": 10, "object_grid_name": "session",
                        "tested": True, "other_manager": None, "advice": ""}]
    page = lxml.html.document_fromstring(report_html.read_text())
    assert len(page.xpath("//table[@id='steps']/tbody/tr")) == 7
    assert len(page.xpath("//*[local-name()='circle']")) == len(data["requests"])
    assert {p.name for p in (tmp_path / "logs").iterdir()} >= {
        "catalog-cs0.log", "container-c0.log", "container-c1.log", "server1.log", "server2.log",
        "proxy-webserver1.log"}


def test_unspliced_sample_fails_naming_the_module(workspace: Workspace) -> None:
    result = verify_cli(workspace.ear, *workspace.grid_options())
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "module MySessionTestWeb /MySessionTestWeb: NO HttpSessionFilter (tested)" in out
    assert (f"FAIL: web module MySessionTestWeb (/MySessionTestWeb) has no HttpSessionFilter: its sessions live "
            f"in one server's memory and are lost when that server stops; splice it: splice {workspace.ear} "
            "splicer.properties") in out
    assert "step 3 FAIL: clean stop of A: failover: DATA is nothing instead of test02: the session data was lost" in out
    assert out.rstrip().splitlines()[-1].startswith("verdict: sessions lost")


@pytest.mark.parametrize(
    ("interval", "window_verdict"),
    [("0", "pass"), ("10", "warn")],
    ids=["interval-0-write-survives", "interval-10-write-lost"],
)
def test_every_module_is_reported_and_an_unspliced_one_fails(
    workspace: Workspace, tmp_path: Path, interval: str, window_verdict: str
) -> None:
    properties = tmp_path / f"interval{interval}.properties"
    text = workspace.properties.read_text()
    properties.write_text(text.replace("replicationInterval=10", f"replicationInterval={interval}"))
    shop = spliced_web_xml(workspace, tmp_path, properties)
    ear = write_zip(tmp_path / "Shop.ear", {
        "META-INF/application.xml": application_xml(("ShopWeb.war", "shop"), ("AdminWeb.war", "admin")),
        "ShopWeb.war": {"WEB-INF/web.xml": shop, "cart/Cart.jsp": PAGE},
        "AdminWeb.war": {"WEB-INF/web.xml": PLAIN_WEB_XML, "index.jsp": PAGE},
    })
    options = VerifyOptions(app=ear, objectgrid_xml=workspace.objectgrid_xml,
                            deployment_xml=workspace.deployment_xml)
    report = asyncio.run(run_verify(options))
    assert [(m.name, m.has_filter, m.tested) for m in report.modules] == [
        ("ShopWeb", True, True), ("AdminWeb", False, False)]
    assert report.url is not None and report.url.endswith("/shop/cart/Cart.jsp")
    assert [str(step.verdict) for step in report.steps] == ["pass"] * 6 + [window_verdict]
    assert report.replication_interval == int(interval)
    assert report.ok is False and report.verdict == "sessions lost"
    assert report.unspliced[0].advice(str(ear)).startswith("web module AdminWeb (/admin) has no HttpSessionFilter")


def test_a_component_that_fails_to_start_stops_the_others(workspace: Workspace) -> None:
    workspace.deployment_xml.write_text(workspace.deployment_xml.read_text().replace(
        'numberOfPartitions="47"', 'numberOfPartitions="many"'))
    result = verify_cli(workspace.ear, workspace.properties, *workspace.grid_options())
    assert result.returncode == 3, result.stdout + result.stderr
    assert "CWWSM0400E" in result.stderr and "container c" in result.stderr
    assert "exited with status" in result.stderr
    # the catalog had started; the workspace fixture asserts it is gone too


def test_an_app_spliced_with_catalog_host_port_uses_the_emulated_catalog(
        workspace: Workspace, tmp_path: Path, dead_address: str) -> None:
    """Bug: the emulated servers honoured the module's catalogHostPort, so an application
    spliced for its production catalog never started under verify (exit 3), or talked to
    whatever listened at that address.  verify's servers now always use its own catalog."""
    production = dead_address  # no catalog answers there, and none can bind it meanwhile
    properties = tmp_path / "production.properties"
    properties.write_text(workspace.properties.read_text().rstrip("\n") + f"\ncatalogHostPort={production}\n")
    web_xml = lxml.etree.fromstring(spliced_web_xml(workspace, tmp_path, properties))
    params = {p.findtext("{*}param-name"): p.findtext("{*}param-value") for p in web_xml.iterfind("{*}context-param")}
    assert params["catalogHostPort"] == production  # the module names the production catalog
    options = VerifyOptions(app=workspace.ear, properties=properties, objectgrid_xml=workspace.objectgrid_xml,
                            deployment_xml=workspace.deployment_xml)
    report = asyncio.run(run_verify(options))
    assert [str(step.verdict) for step in report.steps] == ["pass"] * 6 + ["warn"]
    assert report.ok is True
