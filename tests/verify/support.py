"""Helpers of the verify tests: is a process alive, which processes are ours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    """The pids still alive after ``timeout`` seconds (an empty list when all are gone)."""
    deadline = time.monotonic() + timeout
    while True:
        left = [pid for pid in pids if alive(pid)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def processes_mentioning(marker: str) -> list[int]:
    """Pids of live processes whose command line contains ``marker`` (this one excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmdline and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def descendants(root: int) -> list[int]:
    """Every live process whose ancestry leads to ``root``, by walking /proc's parent pids."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        current = frontier.pop()
        children = [pid for pid, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return [pid for pid in found if alive(pid)]


REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


@dataclass
class Workspace:
    """A folder whose path is in every command line verify starts, so leftovers are findable."""

    root: Path

    @property
    def objectgrid_xml(self) -> Path:
        return self.root / "objectGridStandAlone.xml"

    @property
    def deployment_xml(self) -> Path:
        return self.root / "objectGridDeploymentStandAlone.xml"

    @property
    def ear(self) -> Path:
        return self.root / "MySessionTest.ear"

    @property
    def properties(self) -> Path:
        return self.root / "splicer.properties"

    def grid_options(self) -> list[str]:
        return ["--objectgrid-xml", str(self.objectgrid_xml), "--deployment-xml", str(self.deployment_xml)]

    def survivors(self) -> list[int]:
        return wait_gone(processes_mentioning(str(self.root)), timeout=10.0)


def verify_cli(*args: str | Path, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splicer", "verify", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def json_report(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON on stdout (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return data


def spliced_web_xml(workspace: Workspace, tmp: Path, properties: Path | None = None) -> bytes:
    """The sample's web.xml after a real splice: what a spliced module carries."""
    from splicer import splice

    out = tmp / "spliced.ear"
    splice(workspace.ear, properties or workspace.properties, output=out)
    with zipfile.ZipFile(out) as ear, zipfile.ZipFile(ear.open("MySessionTestWeb.war")) as war:
        return war.read("WEB-INF/web.xml")


class BackgroundLoop:
    """An event loop in a thread, so a test can keep async components alive between calls."""

    def __init__(self) -> None:
        import asyncio
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)

    def __enter__(self) -> BackgroundLoop:
        self.thread.start()
        return self

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
