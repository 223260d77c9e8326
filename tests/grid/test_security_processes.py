"""Real processes: a grid with a secret, wrong secrets, and a server started before its grid."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.grid.conftest import REPO, SAMPLE_DP, SAMPLE_OG, Proc, start_container, wait_until
from tests.grid.test_auth import secret_file

pytestmark = pytest.mark.slow


def splicer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splicer", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


def secure_catalog(procs: list[Proc], tmp_path: Path, secret: Path, port: int = 0) -> Proc:
    proc = Proc(["catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:6600:6601",
                 "--listener-port", str(port), "--heartbeat-interval", "0.2",
                 "--failure-timeout", "1.0", "--secret-file", str(secret)], tmp_path / "cs0.log")
    procs.append(proc)
    return proc


def mapsizes(catalog: Proc, *extra: str, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    return splicer("grid", "mapsizes", "-g", "session", "-m", "sessionMapSet",
                   "--catalog", catalog.endpoint, *extra, env=env)


def test_a_grid_with_a_secret_lets_in_only_who_holds_it(procs: list[Proc], tmp_path: Path) -> None:
    secret = secret_file(tmp_path)
    catalog = secure_catalog(procs, tmp_path, secret)
    start_container(procs, tmp_path, "c0", catalog, SAMPLE_OG, SAMPLE_DP,
                    "--secret-file", str(secret))
    # the environment names the file (never the secret) just as well
    os.environ["SPLICER_GRID_SECRET_FILE"] = str(secret)
    try:
        start_container(procs, tmp_path, "c1", catalog)
    finally:
        del os.environ["SPLICER_GRID_SECRET_FILE"]

    def both_listed() -> bool:
        done = mapsizes(catalog, "--secret-file", str(secret))
        return done.returncode == 0 and done.stdout.count("Server Total: 0 (0 bytes)") == 2

    wait_until(both_listed, what="mapsizes listing c0 and c1 with the secret")
    refused = mapsizes(catalog)
    assert refused.returncode == 4, refused.stderr
    assert re.fullmatch(rf"CWWSM0133E: authentication failed with {catalog.endpoint}: catalog "
                        r"cs0 requires authentication \(securityEnabled\): connect with the "
                        r"domain's secret file \(--secret-file or SPLICER_GRID_SECRET_FILE\)\n",
                        refused.stderr), refused.stderr
    wrong = secret_file(tmp_path, "wrong.secret", "not-the-domain-secret-0123")
    refused = mapsizes(catalog, env={"SPLICER_GRID_SECRET_FILE": str(wrong)})
    assert refused.returncode == 4
    assert f"does not prove the secret of {wrong} (the secret files differ)" in refused.stderr
    log = (tmp_path / "cs0.log").read_text()
    assert "Traceback" not in log
    assert len(re.findall(r"CWOBJ7221W: cs0 refused a connection from client at 127\.0\.0\.1:\d+: "
                          r"catalog cs0 requires authentication", log)) == 1


def test_a_container_with_another_secret_exits_4_naming_the_catalog(procs: list[Proc],
                                                                   tmp_path: Path) -> None:
    catalog = secure_catalog(procs, tmp_path, secret_file(tmp_path))
    wrong = secret_file(tmp_path, "wrong.secret", "not-the-domain-secret-0123")
    done = splicer("grid", "container", "c0", "--objectgrid-xml", str(SAMPLE_OG),
                   "--deployment-xml", str(SAMPLE_DP), "--catalog", catalog.endpoint,
                   "--host", "127.0.0.1", "--secret-file", str(wrong))
    assert (done.returncode, done.stdout) == (4, "")
    assert re.search(rf"^CWWSM0133E: container c0: authentication failed with {catalog.endpoint}: "
                     rf"catalog cs0 at {catalog.endpoint} does not prove the secret of {wrong} "
                     r"\(the secret files differ\)$", done.stderr, re.M), done.stderr
    assert "Traceback" not in done.stderr
    without = splicer("grid", "container", "c0", "--objectgrid-xml", str(SAMPLE_OG),
                      "--deployment-xml", str(SAMPLE_DP), "--catalog", catalog.endpoint)
    assert without.returncode == 4 and "requires authentication" in without.stderr


@pytest.mark.parametrize(("mode", "text", "message"), [
    (0o644, "s3cret-of-the-domain-0123", r"permissions 0644 of the secret file are too open"),
    (0o600, "", r"the secret file is empty"),
], ids=["too-open", "empty"])
def test_a_bad_secret_file_stops_the_catalog_with_exit_2(tmp_path: Path, mode: int, text: str,
                                                        message: str) -> None:
    bad = secret_file(tmp_path, text=text, mode=mode)
    done = splicer("grid", "catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:6600:6601",
                   "--listener-port", "0", "--secret-file", str(bad))
    assert (done.returncode, done.stdout) == (2, "")
    assert re.match(rf"CWWSM0132E: {re.escape(str(bad))}: {message}", done.stderr), done.stderr


def read_ready(popen: subprocess.Popen[bytes], timeout: float) -> str:
    """The address of the READY line, waiting at most ``timeout`` seconds."""
    assert popen.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(popen.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = popen.stdout.readline().decode().strip()
                if line.startswith("READY "):
                    return line.split()[1]
                if not line:
                    break
            elif popen.poll() is not None:
                break
    raise AssertionError(f"no READY line within {timeout:g} s (exit {popen.poll()})")


@pytest.fixture
def server_first(tmp_path: Path, catalog_port: int
                 ) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`splicer server` started against a catalog port nobody listens on yet."""
    from tests.server.testapp import TUTORIAL_PARAMS, build_ear

    ear = build_ear(tmp_path / "MySessionTest.ear", {**TUTORIAL_PARAMS, "replicationInterval": "0"})
    port = catalog_port
    log = tmp_path / "server1.log"
    with log.open("wb") as err:
        popen = subprocess.Popen(
            [sys.executable, "-m", "splicer", "server", "server1", "--app", str(ear), "--port", "0",
             "--host", "127.0.0.1", "--clone-id", "A", "--catalog", f"127.0.0.1:{port}",
             "--catalog-wait", "60"],
            stdout=subprocess.PIPE, stderr=err, cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        yield popen, port, log
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGKILL)
        popen.wait(30)
        if popen.stdout is not None:
            popen.stdout.close()


def test_a_server_started_before_its_grid_waits_for_it_and_works(
        server_first: tuple[subprocess.Popen[bytes], int, Path], procs: list[Proc],
        tmp_path: Path) -> None:
    popen, port, log = server_first
    wait_until(lambda: "CWOBJ7222W: waiting for catalog" in log.read_text(), timeout=30,
               what="the server to say it waits for the catalog")
    assert popen.poll() is None
    catalog = Proc(["catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:6600:6601",
                    "--listener-port", str(port), "--heartbeat-interval", "0.2",
                    "--failure-timeout", "1.0"], tmp_path / "cs0.log")
    procs.append(catalog)
    start_container(procs, tmp_path, "c0", catalog)
    address = read_ready(popen, timeout=60)
    url = f"http://{address}/MySessionTestWeb/SessionTest.jsp?DATA=early-bird"
    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback test server
        session = re.search(r'<td id="session-id">([^<]*)</td>', resp.read().decode())
    assert session is not None
    found = splicer("grid", "findbykey", "-g", "session", "-m", "objectgridSessionAttribute",
                    "-fs", ".*", "-rv", "--catalog", catalog.endpoint)
    assert found.returncode == 0 and f"{session[1]}/MySessionTestWeb_DATA" in found.stdout
    text = log.read_text()
    assert re.search(rf"CWOBJ7222W: waiting for catalog 127\.0\.0\.1:{port}: connection refused "
                     r"\(retry 1, [0-9.]+ s of 60 s\)", text), text
    assert "CWOBJ7223I: catalog" in text and "Traceback" not in text
