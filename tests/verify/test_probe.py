"""Reading the probe page (emulator's and the tutorial's real JSP), cookies, READY lines."""

from __future__ import annotations

import pytest

from splicer.server.probe import ServerIdentity, render_probe
from splicer.server.sessions.model import Session
from splicer.verify.ports import Endpoint, parse_ready
from splicer.verify.probe import ProbePage, cookie_clones, cookie_session_id, parse_probe_page

# What the tutorial's SessionTest.jsp prints on a real WAS (section 4, step 1): a table only.
TUTORIAL_PAGE = """<html><head><title>IBM WAS Session Tester</title></head>
<body><p>Your session details:</p>
<table border="1"><tbody>
<tr><td>Session Id:</td><td>4WnQaKbKMCdHRuD5PWdsZJf</td></tr>
<tr><td>Session creation date:</td><td>Wed Jul 31 13:00:09 KST 2013</td></tr>
<tr><td>Last time session accessed:</td><td>Wed Jul 31 13:00:39 KST 2013</td></tr>
<tr><td>Server Name:</td><td>kr050578Node03Cell\\kr050578Node05\\server1</td></tr>
<tr><td>Any data:</td><td>%s</td></tr>
</tbody></table>
<form action="SessionTest.jsp" method="POST"><input type="text" name="DATA"><input type="submit"></form>
</body></html>"""


def emulator_page(data: str | None) -> str:
    session = Session.create("A2MB4IJozU_VM8IffsMNfdR", "/MySessionTestWeb", 1375243209000, 1800)
    if data is not None:
        session.attributes["DATA"] = data
    identity = ServerIdentity("server2", "17f69k8ot", "kr050578Node04Cell", "kr050578Node06")
    return render_probe(session, identity, "/MySessionTestWeb/SessionTest.jsp")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(TUTORIAL_PAGE % "test02",
                     ProbePage("4WnQaKbKMCdHRuD5PWdsZJf", "kr050578Node03Cell\\kr050578Node05\\server1",
                               "test02", "SessionTest.jsp", "post"), id="tutorial-jsp-with-data"),
        pytest.param(TUTORIAL_PAGE % "&nbsp;",
                     ProbePage("4WnQaKbKMCdHRuD5PWdsZJf", "kr050578Node03Cell\\kr050578Node05\\server1",
                               "", "SessionTest.jsp", "post"), id="tutorial-jsp-nbsp-is-no-data"),
        pytest.param(emulator_page("test02"),
                     ProbePage("A2MB4IJozU_VM8IffsMNfdR", "kr050578Node04Cell\\kr050578Node06\\server2",
                               "test02", "/MySessionTestWeb/SessionTest.jsp", "post"), id="emulator-with-data"),
        pytest.param(emulator_page(None),
                     ProbePage("A2MB4IJozU_VM8IffsMNfdR", "kr050578Node04Cell\\kr050578Node06\\server2",
                               "", "/MySessionTestWeb/SessionTest.jsp", "post"), id="emulator-no-data"),
        pytest.param(emulator_page("<b>x</b> & y"),
                     ProbePage("A2MB4IJozU_VM8IffsMNfdR", "kr050578Node04Cell\\kr050578Node06\\server2",
                               "<b>x</b> & y", "/MySessionTestWeb/SessionTest.jsp", "post"), id="emulator-escaped-data"),
        pytest.param("", ProbePage(None, None, None, None, "post"), id="empty-body"),
        pytest.param("<html><body><h1>Error 500</h1></body></html>", ProbePage(None, None, None, None, "post"),
                     id="error-page"),
    ],
)
def test_parse_probe_page(html: str, expected: ProbePage) -> None:
    assert parse_probe_page(html) == expected


@pytest.mark.parametrize(
    ("cookie", "session_id", "clones"),
    [
        ("0000A2MB4IJozU_VM8IffsMNfdR:v544d0o0", "A2MB4IJozU_VM8IffsMNfdR", ["v544d0o0"]),
        ("0001A2MB4IJozU_VM8IffsMNfdR:a:b", "A2MB4IJozU_VM8IffsMNfdR", ["a", "b"]),
        ("0000A2MB4IJozU_VM8IffsMNfdR", "A2MB4IJozU_VM8IffsMNfdR", []),
        ("0000", None, []),
        (None, None, []),
    ],
    ids=["one-clone", "failed-over", "no-clone", "cache-id-only", "absent"],
)
def test_cookie_parts(cookie: str | None, session_id: str | None, clones: list[str]) -> None:
    assert cookie_session_id(cookie) == session_id
    assert cookie_clones(cookie) == clones


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("READY 127.0.0.1:8080\n", Endpoint("127.0.0.1", 8080)),
        ("READY localhost:1", Endpoint("localhost", 1)),
        ("READY [::1]:9080", Endpoint("::1", 9080)),
        ("READY 127.0.0.1:0", None),
        ("READY 127.0.0.1:65536", None),
        ("READY 127.0.0.1", None),
        ("starting on 127.0.0.1:8080", None),
        ("  READY 127.0.0.1:80 extra", None),
    ],
    ids=["ipv4", "name", "ipv6", "port-zero", "port-too-big", "no-port", "other-line", "trailing-words"],
)
def test_parse_ready(line: str, expected: Endpoint | None) -> None:
    assert parse_ready(line) == expected


def test_endpoint_text_brackets_ipv6() -> None:
    assert str(Endpoint("::1", 80)) == "[::1]:80"
    assert Endpoint("127.0.0.1", 80).url == "http://127.0.0.1:80"
