"""Child processes of the topology: READY, clean stop, crash, process groups, failures."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest

from splicer.verify.ports import Endpoint
from splicer.verify.process import Component, TopologyError, run_command
from verify.support import alive, wait_gone


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


READY_THEN_SLEEP = """
    import time
    print("READY 127.0.0.1:4321", flush=True)
    time.sleep(60)
"""

# Announces a grandchild's pid, then READY: a group kill must take the grandchild too.
WITH_GRANDCHILD = """
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    print(f"grandchild {child.pid}", flush=True)
    print("READY 127.0.0.1:4322", flush=True)
    time.sleep(60)
"""

IGNORES_SIGTERM = """
    import signal, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("READY 127.0.0.1:4323", flush=True)
    time.sleep(60)
"""


def test_start_reads_ready_and_stop_is_sigterm(tmp_path: Path) -> None:
    async def scenario() -> None:
        component = Component("server", "s1", python(READY_THEN_SLEEP), tmp_path / "s1.log")
        assert await component.start(10) == Endpoint("127.0.0.1", 4321)
        pid = component.pid
        assert pid is not None and component.running
        assert await component.stop(5) == -15
        assert not component.running and not alive(pid)
        assert "READY 127.0.0.1:4321" in (tmp_path / "s1.log").read_text()

    asyncio.run(scenario())


def test_kill_takes_the_whole_process_group(tmp_path: Path) -> None:
    async def scenario() -> int:
        component = Component("server", "s2", python(WITH_GRANDCHILD), tmp_path / "s2.log")
        await component.start(10)
        line = next(l for l in (tmp_path / "s2.log").read_text().splitlines() if l.startswith("grandchild"))
        grandchild = int(line.split()[1])
        assert alive(grandchild)
        await component.kill()
        assert component.proc is not None and component.proc.returncode == -9
        return grandchild

    grandchild = asyncio.run(scenario())
    assert wait_gone([grandchild]) == []


def test_stop_escalates_to_sigkill(tmp_path: Path) -> None:
    async def scenario() -> int | None:
        component = Component("server", "s3", python(IGNORES_SIGTERM), tmp_path / "s3.log")
        await component.start(10)
        return await component.stop(0.5)

    assert asyncio.run(scenario()) == -9


@pytest.mark.parametrize(
    ("code", "timeout", "reason", "in_hint"),
    [
        ("import sys; print('no grid here', file=sys.stderr); sys.exit(3)", 10,
         "container c0 exited with status 3 before READY", "no grid here"),
        ("import time; print('starting', flush=True); time.sleep(60)", 0.5,
         "container c0 printed no READY line within 0.5 s", "starting"),
    ],
    ids=["exits-early", "never-ready"],
)
def test_start_failure_names_the_component_and_its_log(
    tmp_path: Path, code: str, timeout: float, reason: str, in_hint: str
) -> None:
    component = Component("container", "c0", python(code), tmp_path / "c0.log")
    with pytest.raises(TopologyError, match=f"^CWWSM0400E: .*c0.log: {reason}") as caught:
        asyncio.run(component.start(timeout))
    assert caught.value.reason == reason
    assert caught.value.where.parts == (str(tmp_path / "c0.log"),)
    assert caught.value.hint is not None and in_hint in caught.value.hint
    assert component.pid is not None and not alive(component.pid)
    assert Component.live == set()


@pytest.mark.parametrize(
    ("command", "status"),
    [("exit 0", 0), ("echo out; echo err >&2; exit 4", 4), ([sys.executable, "-c", "raise SystemExit(2)"], 2)],
    ids=["ok", "shell-status", "argv"],
)
def test_run_command_returns_the_status_and_logs(tmp_path: Path, command: str | list[str], status: int) -> None:
    log = tmp_path / "cmd.log"
    assert asyncio.run(run_command(command, timeout=10, log_path=log)) == status
    text = log.read_text()
    assert text.startswith("--- ")
    if status == 4:
        assert "out\n" in text and "err\n" in text


def test_run_command_timeout_kills_its_group(tmp_path: Path) -> None:
    log = tmp_path / "slow.log"
    with pytest.raises(TopologyError, match=r"^CWWSM0400E: .*slow.log: command did not finish within 0.5 s: sleep 30"):
        asyncio.run(run_command("sleep 30", timeout=0.5, log_path=log))
