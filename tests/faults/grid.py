"""A grid of real processes on loopback for fault injection: start, kill, pause, restart.

Every process is ``python -m splicer grid ...`` started on port 0 (the catalog's port is
kept, so a restarted catalog comes back where the containers look for it); each wait is
bounded and fails with what it waited for, and ``close`` kills whatever is left.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from splicer.grid.admin import fetch_placement
from splicer.grid.errors import GridError

REPO = Path(__file__).resolve().parents[2]
GRID, MAPSET = "session", "sessionMapSet"


class Child:
    """One grid process; ``endpoint`` from its READY line, stderr in ``log``."""

    def __init__(self, name: str, argv: list[str], log: Path) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.endpoint = ""
        self.paused = False

    async def start(self, timeout: float = 30.0) -> None:
        with self.log.open("ab") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv, stdout=asyncio.subprocess.PIPE, stderr=err, cwd=REPO,
                env={**os.environ, "PYTHONUNBUFFERED": "1",
                     "PYTHONPATH": str(REPO / "src")})
        assert self.proc.stdout is not None
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except asyncio.TimeoutError:
            await self.kill()
            raise AssertionError(f"{self.name} printed no READY line in {timeout:g} s; "
                                 f"log: {self.tail()}") from None
        if not line.startswith(b"READY "):
            await self.kill()
            raise AssertionError(f"{self.name} printed {line!r}; log: {self.tail()}")
        self.endpoint = line.decode().split()[1]

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def signal(self, sig: int) -> None:
        if self.running():
            os.kill(self.pid, sig)
            if sig == signal.SIGSTOP:
                self.paused = True
            elif sig == signal.SIGCONT:
                self.paused = False

    async def wait(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.name} did not exit in {timeout:g} s") from None

    async def kill(self) -> None:
        if self.proc is None:
            return
        if self.running():
            self.signal(signal.SIGCONT)  # a stopped process dies only once it runs
            self.proc.kill()
        await self.wait(30.0)

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])


async def until(predicate: Callable[[], Awaitable[bool]], timeout: float, what: str,
                every: float = 0.05) -> float:
    """Poll until true; the seconds it took; AssertionError naming ``what`` on timeout."""
    started = time.monotonic()
    while not await predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(every)
    return time.monotonic() - started


class ProcessGrid:
    """A catalog and containers as processes, with the XML files in ``workdir``."""

    def __init__(self, workdir: Path, og: Path, dp: Path, *, heartbeat: float,
                 failure: float, flush_ms: int) -> None:
        self.workdir = workdir
        self.og, self.dp = og, dp
        self.heartbeat, self.failure, self.flush_ms = heartbeat, failure, flush_ms
        self.catalog: Child | None = None
        self.catalog_port = 0
        self.containers: dict[str, Child] = {}
        self._starts = 0

    def _cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "splicer", "grid", *args]

    @property
    def catalog_endpoint(self) -> str:
        return f"127.0.0.1:{self.catalog_port}"

    async def start_catalog(self) -> None:
        self._starts += 1
        self.catalog = Child("cs0", self._cmd(
            "catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:6600:6601",
            "--listener-port", str(self.catalog_port), "--heartbeat-interval",
            str(self.heartbeat), "--failure-timeout", str(self.failure)),
            self.workdir / "cs0.log")
        await self.catalog.start()
        self.catalog_port = int(self.catalog.endpoint.rsplit(":", 1)[1])

    async def start_container(self, name: str) -> Child:
        child = Child(name, self._cmd(
            "container", name, "--objectgrid-xml", str(self.og), "--deployment-xml",
            str(self.dp), "--catalog", self.catalog_endpoint, "--host", "127.0.0.1",
            "--async-flush-ms", str(self.flush_ms)), self.workdir / f"{name}.log")
        await child.start()
        self.containers[name] = child
        return child

    async def placement(self) -> dict[str, Any] | None:
        """The catalog's answer, or None while it does not answer."""
        try:
            return await fetch_placement(self.catalog_endpoint, GRID, MAPSET)
        except GridError:
            return None

    async def primaries(self) -> dict[str, list[int]]:
        reply = await self.placement()
        found: dict[str, list[int]] = {}
        if reply and reply["placement"]:
            for p, part in enumerate(reply["placement"]["partitions"]):
                if part["primary"]:
                    found.setdefault(part["primary"], []).append(p)
        return found

    async def fully_placed(self, live: set[str], replicas: int) -> bool:
        """Every partition has a primary and its replicas on live containers, each replica
        holding its snapshot, and the catalog not settling."""
        reply = await self.placement()
        if not reply or reply["placement"] is None or reply.get("settling"):
            return False
        ready = {(p, name) for p, name in reply.get("ready", [])}
        want = min(replicas, len(live) - 1)
        for p, part in enumerate(reply["placement"]["partitions"]):
            holders = [r for r, _kind in part["replicas"]]
            if part["primary"] not in live or len(holders) != want:
                return False
            if any(r not in live or (p, r) not in ready for r in holders):
                return False
        return set(reply["containers"]) == live

    async def close(self) -> None:
        for child in [*self.containers.values(), self.catalog]:
            if child is not None:
                await child.kill()

    def logs(self) -> str:
        children = [c for c in [self.catalog, *self.containers.values()] if c is not None]
        return "\n".join(f"--- {c.name} ---\n{c.tail()}" for c in children)
