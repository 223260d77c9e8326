"""The verify report: the step table, JSON, and the HTML page with its SVG timeline."""

from __future__ import annotations

import json

import lxml.html
import pytest

from splicer.verify.model import Endpoint, Event, ModuleCheck, Step, Verdict, VerifyReport
from splicer.verify.probe import Observation
from splicer.verify.report import render_html, render_json, render_text, step_rows

SID = "A2MB4IJozU_VM8IffsMNfdR"


def seen(at: float, request: str, server: str | None, data: str | None, *, status: int | None = 200,
         error: str | None = None) -> Observation:
    return Observation(request=request, at=at, status=status, server=server,
                       session_id=SID if status == 200 else None, data=data, error=error)


def sample_report(*, app: str = "MySessionTest.ear", lost: bool = False, filtered: bool = True) -> VerifyReport:
    get = "GET /MySessionTestWeb/SessionTest.jsp"
    first = seen(0.1, get, "server1", "")
    store = seen(0.2, "POST /MySessionTestWeb/SessionTest.jsp DATA=test02", "server1", "test02")
    over = seen(0.9, get, "server2", "" if lost else "test02")
    back = seen(3.4, get, "server1", "test02")
    steps = [
        Step(1, "first request: a new session", "a new session id", observation=first, verdict=Verdict.PASS, attempts=1),
        Step(2, "store DATA=test02", "same server", observation=store, verdict=Verdict.PASS, attempts=1),
        Step(3, "clean stop of A: failover", "another server", action="SIGTERM server1 (pid 7)",
             observation=over, verdict=Verdict.FAIL if lost else Verdict.PASS, attempts=1,
             detail="DATA is nothing instead of test02: the session data was lost" if lost else ""),
        Step(4, "start A again: fail-back", "server A again", observation=None if lost else back,
             verdict=Verdict.SKIP if lost else Verdict.WARN, detail="not run" if lost else "a warning"),
    ]
    requests = [(1, first), (2, store), (3, over)] + ([] if lost else [(4, back)])
    return VerifyReport(
        app=app, mode="emulator", url="http://127.0.0.1:1234/MySessionTestWeb/SessionTest.jsp",
        modules=[ModuleCheck("MySessionTestWeb", "MySessionTestWeb.war", "/MySessionTestWeb", filtered,
                             10 if filtered else None, "session" if filtered else None, tested=True)],
        topology=[Endpoint("catalog", "cs0", "127.0.0.1:2899", 1), Endpoint("server", "server1", "127.0.0.1:9080", 2, "abc"),
                  Endpoint("server", "server2", "127.0.0.1:9081", 3, "def")],
        steps=steps, requests=requests,
        events=[Event(0.8, "SIGTERM server1 (pid 7)", "server1"), Event(1.5, "started server1", "server1")],
        retry_interval=2.0, replication_interval=10, duration=4.2,
    )


@pytest.mark.parametrize(
    ("report", "ok", "verdict"),
    [
        (sample_report(), True, "sessions survived (with warnings)"),
        (sample_report(lost=True), False, "sessions lost"),
        (sample_report(filtered=False), False, "sessions lost"),
        (VerifyReport(app="x.ear", mode="emulator"), False, "not verified"),
    ],
    ids=["survived", "lost-at-failover", "unspliced-module", "no-steps"],
)
def test_verdict(report: VerifyReport, ok: bool, verdict: str) -> None:
    assert report.ok is ok
    assert report.verdict == verdict


def test_text_table_has_one_row_per_step_and_names_the_unspliced_module() -> None:
    report = sample_report(lost=True, filtered=False)
    text = render_text(report)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("step"))
    assert lines[header].split() == ["step", "what", "request", "server", "session", "id", "DATA", "verdict"]
    rows = lines[header + 2: header + 2 + len(report.steps)]
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4"]
    assert rows[2].split()[-1] == "FAIL" and "server2" in rows[2]
    assert rows[3].split()[-1] == "SKIP"
    assert "FAIL: web module MySessionTestWeb (/MySessionTestWeb) has no HttpSessionFilter" in text
    assert "splice it" in text
    assert lines[-1] == "verdict: sessions lost (4.2 s)"


def test_step_rows_show_who_answered() -> None:
    report = sample_report()
    report.steps[3].observation = seen(3.4, "GET /x", None, None, status=None, error="ClientConnectorError")
    assert step_rows(report)[3][3] == "(no answer)"


def test_json_round_trips_every_step_and_request() -> None:
    data = json.loads(render_json(sample_report()))
    assert data["ok"] is True
    assert [step["verdict"] for step in data["steps"]] == ["pass", "pass", "pass", "warn"]
    assert data["steps"][2]["observation"]["server"] == "server2"
    assert data["steps"][2]["action"] == "SIGTERM server1 (pid 7)"
    assert [r["step"] for r in data["requests"]] == [1, 2, 3, 4]
    assert data["modules"][0]["has_filter"] is True
    assert data["replication_interval_s"] == 10


def test_html_has_the_steps_the_timeline_and_the_topology() -> None:
    report = sample_report(app="<script>alert(1)</script>.ear")
    page = render_html(report)
    doc = lxml.html.document_fromstring(page)
    assert not doc.xpath("//script"), "the app name must be escaped, not run"
    rows = doc.xpath("//table[@id='steps']/tbody/tr")
    assert [row.get("class") for row in rows] == ["pass", "pass", "pass", "warn"]
    assert doc.xpath("string(//table[@id='steps']/tbody/tr[3]/td[4])") == "server2"
    circles = doc.xpath("//*[local-name()='svg'][@id='timeline']//*[local-name()='circle']")
    assert len(circles) == len(report.requests)
    lanes = doc.xpath("//*[local-name()='svg'][@id='timeline']/*[local-name()='text']/text()")
    assert {"server1", "server2"} <= set(lanes)
    # requests answered by server2 sit on server2's lane
    lane_y = {circle.get("cy") for circle in circles[2:3]}
    assert len(lane_y) == 1 and lane_y != {circles[0].get("cy")}
    assert doc.xpath("string(//span[@id='verdict'])") == "sessions survived (with warnings)"
    assert "127.0.0.1:9081" in doc.xpath("string(//table[@id='topology'])")
    assert "http://" not in "".join(doc.xpath("//link/@href | //script/@src | //img/@src"))
