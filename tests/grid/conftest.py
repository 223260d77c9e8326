"""Grid test helpers: the sample XML, variants of it written to tmp_path, real processes."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from loopback import reserved_port

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0  # a catalog or container prints READY within seconds, even on a loaded machine
SAMPLE_OG = REPO / "samples" / "objectGridStandAlone.xml"
SAMPLE_DP = REPO / "samples" / "objectGridDeploymentStandAlone.xml"

OG_HEAD = ('<objectGridConfig xmlns="http://ibm.com/ws/objectgrid/config">\n'
           '<objectGrids><objectGrid name="session" txTimeout="30">\n')
DP_HEAD = ('<deploymentPolicy xmlns="http://ibm.com/ws/objectgrid/deploymentPolicy">\n'
           '<objectgridDeployment objectgridName="session">\n')


def objectgrid_xml(ttl_metadata: str = 'ttlEvictorType="LAST_ACCESS_TIME" timeToLive="3600"',
                   extra_maps: str = "") -> str:
    return (OG_HEAD
            + f'<backingMap name="objectgridSessionMetadata" lockStrategy="PESSIMISTIC" '
              f'{ttl_metadata} copyMode="NO_COPY"/>\n'
            + '<backingMap name="objectgridSessionAttribute.*" template="true" '
              'ttlEvictorType="NONE"/>\n'
            + extra_maps
            + "</objectGrid></objectGrids></objectGridConfig>\n")


def deployment_xml(partitions: int = 47, min_sync: int = 0, max_sync: int = 0,
                   max_async: int = 1, extra_attrs: str = "") -> str:
    return (DP_HEAD
            + f'<mapSet name="sessionMapSet" numberOfPartitions="{partitions}" '
              f'minSyncReplicas="{min_sync}" maxSyncReplicas="{max_sync}" '
              f'maxAsyncReplicas="{max_async}" {extra_attrs}>\n'
            + '<map ref="objectgridSessionMetadata"/>\n'
            + '<map ref="objectgridSessionAttribute.*"/>\n'
            + "</mapSet></objectgridDeployment></deploymentPolicy>\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class Proc:
    """A `python -m splicer grid ...` child; its READY line gives the address it listens on."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.log = log
        self.err = log.open("wb")
        self.popen = subprocess.Popen([sys.executable, "-m", "splicer", "grid", *args],
                                      stdout=subprocess.PIPE, stderr=self.err, cwd=REPO,
                                      env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.popen.stdout is not None
        line = self._first_line(READY_TIMEOUT)
        if not line.startswith("READY "):
            self.kill()
            raise AssertionError(f"{args[:2]} printed {line!r}, log: {log.read_text()}")
        self.endpoint = line.split()[1]

    def _first_line(self, timeout: float) -> str:
        """The first line on stdout, or what was wrong when none came within ``timeout`` s."""
        assert self.popen.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.popen.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                return f"nothing in {timeout:g} s"
        return self.popen.stdout.readline().decode().strip()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        self.err.close()


@pytest.fixture
def catalog_port() -> Iterator[int]:
    """A port refused until the test starts its catalog on it (a client or a container
    started first waits for it); no other test's server can take it meanwhile."""
    with reserved_port() as port:
        yield port


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[list[Proc]]:
    """Started children are appended here and always SIGKILLed at the end of the test."""
    started: list[Proc] = []
    try:
        yield started
    finally:
        for proc in reversed(started):
            proc.kill()


def start_catalog(procs: list[Proc], tmp_path: Path, *, heartbeat: float = 0.2,
                  failure: float = 1.0) -> Proc:
    proc = Proc(["catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:6600:6601",
                 "--listener-port", "0", "--heartbeat-interval", str(heartbeat),
                 "--failure-timeout", str(failure)], tmp_path / "cs0.log")
    procs.append(proc)
    return proc


def start_container(procs: list[Proc], tmp_path: Path, name: str, catalog: Proc,
                    og: Path = SAMPLE_OG, dp: Path = SAMPLE_DP, *extra: str) -> Proc:
    proc = Proc(["container", name, "--objectgrid-xml", str(og), "--deployment-xml", str(dp),
                 "--catalog", catalog.endpoint, "--host", "127.0.0.1", *extra],
                tmp_path / f"{name}.log")
    procs.append(proc)
    return proc


def wait_until(predicate: object, timeout: float = 20.0, what: str = "condition") -> None:
    """Poll a no-argument callable until true; a readable failure instead of a hang."""
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
