"""`splicer server` as a real process: READY line, serving, SIGTERM a clean stop (exit 130), errors on stderr."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from appbuild import write_zip

from .processes import splicer_process
from .testapp import PLAIN_WEB_XML, TUTORIAL_PARAMS, build_ear, session_war

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
    assert code == 130  # a signal ends every command with 130, after the clean stop
    assert "WSVR0001I: Server server1 open for e-business" in log and "WSVR0024I: Server server1 stopped" in log
    assert log.splitlines()[-1] == "CWWSM0398I: server server1 stopped cleanly on SIGTERM"


def test_a_malformed_request_is_one_log_line_not_a_traceback(tmp_path: Path) -> None:
    """Bug: aiohttp wrote a traceback per malformed request into the server's log."""
    import socket

    war = write_zip(tmp_path / "Plain.war", session_war(PLAIN_WEB_XML))
    args = ("server", "server1", "--app", str(war), "--port", "0", "--clone-id", "A", "--host", "127.0.0.1")
    with splicer_process(*args) as proc:
        host, _, port = proc.address.rpartition(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.0 400 Bad Request")
        code = proc.terminate()
        log = proc.stderr()
    assert code == 130
    assert "Traceback" not in log
    bad = [line for line in log.splitlines() if "Error handling request" in line]
    assert len(bad) == 1 and bad[0].endswith(
        "server1 Error handling request from 127.0.0.1: 400 Invalid character in Content-Length: b'Content-Length: abc'"), bad


def test_unknown_catalog_is_a_clear_startup_error(tmp_path: Path, dead_address: str) -> None:
    import subprocess
    import sys

    dead = dead_address  # held for the test: no other test's catalog can take it
    ear = build_ear(tmp_path / "MySessionTest.ear")
    done = subprocess.run(
        [sys.executable, "-m", "splicer", "server", "server1", "--app", str(ear), "--port", "0", "--clone-id", "A", "--catalog", dead, "--catalog-wait", "0.5"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 69  # a runtime failure (sysexits' EX_UNAVAILABLE), not a usage error
    assert done.stdout == b""
    assert re.search(
        rf"^CWWSM0142E: {re.escape(str(ear))}!/MySessionTestWeb.war!/WEB-INF/web.xml: the session grid cannot be used: no catalog server answered at {dead} after waiting 0.5 s \({dead}: connection refused\)",
        done.stderr.decode(),
        re.MULTILINE,
    )
    # it waited for the catalog first, saying so (retry 1 comes within the first 0.1 s)
    assert re.search(rf"CWOBJ7222W: waiting for catalog {dead}: connection refused \(retry 1, [0-9.]+ s of 0.5 s\)", done.stderr.decode())


def test_a_port_in_use_is_one_line_and_exit_69(tmp_path: Path) -> None:
    """Regression: `splicer server` on a port in use gave a traceback and exit 1 (the grid's
    servers say 'cannot listen on …' and exit 69, EX_UNAVAILABLE)."""
    import socket
    import subprocess
    import sys

    war = tmp_path / "plain.war"  # not spliced: no catalog to wait for before it listens
    write_zip(war, session_war(PLAIN_WEB_XML))
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "splicer", "server", "server1", "--app", str(war), "--host", "127.0.0.1",
             "--port", str(port), "--clone-id", "A"],
            capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 69, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"CWWSM0134E: cannot listen on 127.0.0.1:{port}: ")


def _probe(address: str, token: str | None, data: str | None = None) -> tuple[str, str, str]:
    url = f"http://{address}/MySessionTestWeb/SessionTest.jsp" + (f"?DATA={data}" if data else "")
    request = urllib.request.Request(url, headers={"Cookie": f"JSESSIONID={token}"} if token else {})
    with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - loopback test server
        body = resp.read().decode()
        cookie = re.search(r"JSESSIONID=([^;]+)", resp.headers.get("Set-Cookie", ""))
    sid = re.search(r'<td id="session-id">([^<]*)</td>', body)
    value = re.search(r'<td id="data">([^<]*)</td>', body)
    assert sid is not None and value is not None, body
    return sid.group(1), value.group(1), cookie.group(1) if cookie else ""


def test_sigterm_flushes_pending_writes_and_sigkill_loses_them(tmp_path: Path) -> None:
    """replicationInterval=60: nothing reaches the grid within the test unless a clean stop
    flushes it.  SIGTERM: server2 finds the session and its data.  SIGKILL: the write is lost;
    server2 (reuseSessionId=true) keeps the id but has no data."""
    from splicer.grid.inprocess import run_grid

    from .test_grid_sessions import DEPLOYMENT_XML, OBJECTGRID_XML

    ear = build_ear(tmp_path / "MySessionTest.ear", {**TUTORIAL_PARAMS, "replicationInterval": "60"})
    results: dict[str, tuple[str, str, str]] = {}
    logs: dict[str, str] = {}
    with run_grid(OBJECTGRID_XML, DEPLOYMENT_XML) as grid:
        common = ("--app", str(ear), "--port", "0", "--host", "127.0.0.1", "--catalog", grid.catalog_endpoint)
        for stop in ("sigterm", "sigkill"):
            with splicer_process("server", "server1", "--clone-id", "cloneA", *common) as one:
                sid, _, token = _probe(one.address, None, "test02")
                code = one.terminate() if stop == "sigterm" else one.kill()
                logs[stop] = one.stderr()
            with splicer_process("server", "server2", "--clone-id", "cloneB", *common) as two:
                results[stop] = _probe(two.address, token)
                assert two.terminate() == 130
            results[stop + "-first"] = (sid, str(code), token)
    sid, code, token = results["sigterm-first"]
    assert code == "130"
    assert results["sigterm"] == (sid, "test02", f"{token}:cloneB")
    assert "SESN0310I: /MySessionTestWeb: 2 pending session writes flushed to the grid" in logs["sigterm"]
    assert "SESN0310I" not in logs["sigkill"]
    sid, code, token = results["sigkill-first"]
    assert code == "-9"
    assert results["sigkill"] == (sid, "&nbsp;", f"{token}:cloneB")


def _wait_refused(address: str, timeout: float = 20.0) -> None:
    """Until nothing accepts connections at ``address`` (a bounded wait, not a sleep)."""
    import socket
    import time

    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, int(port))) != 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"{address} still accepts connections after {timeout:g} s")


def test_a_second_signal_abandons_a_flush_the_grid_cannot_take(tmp_path: Path) -> None:
    """Bug: during a clean stop a second SIGTERM or Ctrl-C was swallowed, so a server whose
    grid had gone kept retrying its pending writes for the grid client's whole retry window
    (20 s).  The second signal now ends it at once, saying the writes were not flushed."""
    import signal

    from splicer.grid.inprocess import run_grid

    from .test_grid_sessions import DEPLOYMENT_XML, OBJECTGRID_XML

    ear = build_ear(tmp_path / "MySessionTest.ear", {**TUTORIAL_PARAMS, "replicationInterval": "60"})
    with run_grid(OBJECTGRID_XML, DEPLOYMENT_XML) as grid:
        common = ("--app", str(ear), "--port", "0", "--host", "127.0.0.1", "--catalog", grid.catalog_endpoint)
        with splicer_process("server", "server1", "--clone-id", "cloneA", *common) as one:
            _probe(one.address, None, "test02")  # a write waiting for the 60 s batch
            for name in ("c0", "c1"):
                grid.kill_container(name)  # the grid keeps its catalog but holds no shard now
            one.popen.send_signal(signal.SIGTERM)
            _wait_refused(one.address)  # the clean stop has begun: the listener is closed
            one.popen.send_signal(signal.SIGTERM)  # not SIGINT: a background `make test &` ignores that
            code = one.popen.wait(10)  # well inside the 20 s the flush would keep retrying
            log = one.stderr()
    assert code == 130
    assert "SESN0310I" not in log
    assert log.rstrip().splitlines()[-1] == (
        "CWWSM0396E: stopped by a second signal: pending session writes were not flushed (SIGTERM)")
