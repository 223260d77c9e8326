"""`splicer server` as a real process: READY line, serving, SIGTERM exit 0, errors on stderr."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from appbuild import write_zip

from .processes import splicer_process
from .testapp import PLAIN_WEB_XML, build_ear, session_war

pytestmark = pytest.mark.slow


def fetch(url: str) -> tuple[str, str, str]:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback test server
        body = resp.read().decode()
        return body, resp.headers.get("X-Splicer-Server", ""), resp.headers.get("Set-Cookie", "")


def test_local_server_process_ready_serves_and_stops_cleanly(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "Plain.war", session_war(PLAIN_WEB_XML))
    args = ("server", "server1", "--app", str(war), "--port", "0", "--clone-id", "17f69k519", "--host", "127.0.0.1")
    with splicer_process(*args, "--cell", "kr050578Node03Cell", "--node", "kr050578Node05") as proc:
        body, server, cookie = fetch(f"http://{proc.address}/Plain/SessionTest.jsp?DATA=test01")
        code = proc.terminate()
        log = proc.stderr()
    assert re.search(r'<td id="server-name">kr050578Node03Cell\\kr050578Node05\\server1</td>', body)
    assert re.search(r'<td id="data">test01</td>', body)
    assert server == "server1"
    assert re.fullmatch(r"JSESSIONID=0000[A-Za-z0-9_-]{23}:17f69k519; HttpOnly; Path=/", cookie)
    assert code == 0
    assert "WSVR0001I: Server server1 open for e-business" in log and "WSVR0024I: Server server1 stopped" in log


def test_unknown_catalog_is_a_clear_startup_error(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:  # a port nobody listens on: bind, read it, close
        probe.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    ear = build_ear(tmp_path / "MySessionTest.ear")
    done = subprocess.run(
        [sys.executable, "-m", "splicer", "server", "server1", "--app", str(ear), "--port", "0", "--clone-id", "A", "--catalog", dead],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert re.search(
        rf"^CWWSM0140E: {re.escape(str(ear))}!/MySessionTestWeb.war!/WEB-INF/web.xml: the session grid cannot be used: no catalog server answered at {dead}",
        done.stderr.decode(),
        re.MULTILINE,
    )
