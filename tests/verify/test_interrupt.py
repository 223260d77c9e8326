"""Ctrl-C (SIGINT) or SIGTERM in the middle of `splicer verify` leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from splicer.verify.run import temp_folder
from verify.support import REPO, Workspace, descendants, wait_gone

pytestmark = pytest.mark.slow


def as_foreground_job() -> None:
    """Run in the child before exec: SIGINT at its default, as a terminal's foreground job has it.

    A shell without job control starts background commands (``make test &``, a CI script's
    ``cmd &``) with SIGINT ignored, and that disposition is inherited by pytest and by every
    process it starts; Python then installs no KeyboardInterrupt handler, so the Ctrl-C this
    test sends would be ignored and verify would run to its end.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_ready(log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.is_file() and "READY " in log.read_text(errors="replace"):
            return
        time.sleep(0.02)
    pytest.fail(f"{log.name} never said READY")


@pytest.mark.parametrize(
    ("sig", "when"),
    [
        (signal.SIGINT, "catalog-cs0.log"),  # while the topology is starting
        (signal.SIGINT, "proxy-webserver1.log"),  # everything up, the scenario running
        (signal.SIGTERM, "proxy-webserver1.log"),
    ],
    ids=["sigint-during-start", "sigint-during-scenario", "sigterm-during-scenario"],
)
def test_a_signal_stops_every_child(workspace: Workspace, tmp_path: Path, sig: signal.Signals, when: str) -> None:
    """Bug: under a runner that ignores SIGINT (a background job of a script) the Ctrl-C cases
    failed, verify ran to its end and exited 0; the child now gets SIGINT at its default."""
    logs = tmp_path / "logs"
    verify = subprocess.Popen(
        [sys.executable, "-m", "splicer", "verify", str(workspace.ear), str(workspace.properties),
         "--keep-logs", str(logs), *workspace.grid_options()],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_foreground_job,
    )
    try:
        wait_for_ready(logs / when)
        children = descendants(verify.pid)
        assert children, "verify had started no process yet"
        verify.send_signal(sig)
        out, err = verify.communicate(timeout=60)
    finally:
        if verify.poll() is None:
            verify.kill()
            verify.wait()
    assert verify.returncode == 130, out + err
    assert "CWWSM0399E: interrupted; every process verify started has been stopped" in err
    assert wait_gone(children) == [], "children of verify outlived it"
    assert workspace.survivors() == []


def test_children_die_with_a_killed_verify(workspace: Workspace, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL leaves verify no chance to clean up: the kernel's parent-death signal does it.

    Bug: its `splicer-verify-*` temporary folder stayed forever; the next verify removes it."""
    logs = tmp_path / "logs"
    temp = tmp_path / "tmp"
    temp.mkdir()
    verify = subprocess.Popen(
        [sys.executable, "-m", "splicer", "verify", str(workspace.ear), str(workspace.properties),
         "--keep-logs", str(logs), *workspace.grid_options()],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(temp)},
    )
    try:
        wait_for_ready(logs / "proxy-webserver1.log")
        children = descendants(verify.pid)
        assert len(children) >= 4, children  # catalog, containers, proxy (a server may be restarting)
        verify.kill()
        verify.wait(30)
    finally:
        if verify.poll() is None:
            verify.kill()
            verify.wait()
    assert verify.returncode == -signal.SIGKILL
    assert wait_gone(children) == []
    [left] = os.listdir(temp)
    assert left.startswith("splicer-verify-")
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    with temp_folder() as mine:  # what the next verify does first
        assert os.listdir(temp) == [mine.name]
    assert os.listdir(temp) == []
