"""One child process of the topology: started in its own process group, stopped for sure."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, ClassVar

from splicer.errors import SplicerError, Where
from splicer.verify.ports import Endpoint, parse_ready


class TopologyError(SplicerError, RuntimeError):
    """A component of the emulated topology did not start or did not behave."""

    message_id = "CWWSM0400E"


def _parent_death_hook() -> Callable[[int, int], int] | None:
    # Linux can kill a child when its parent dies (PR_SET_PDEATHSIG), the only guard left
    # when `splicer verify` itself is killed with SIGKILL and no finally block runs.  The
    # function is looked up here, in the parent, so the child only makes one libc call
    # between fork and exec.
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[[int, int], int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _parent_death_hook()
_PR_SET_PDEATHSIG = 1


def _in_child_before_exec() -> None:
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


class Component:
    """A child process that prints ``READY host:port`` once it listens.

    Each start gets its own session (so its own process group): Ctrl-C in the terminal
    reaches only `splicer verify`, which then stops the components in order, and a
    component's own children go down with it when its group is signalled.
    """

    # Every live component, so an emergency stop can reach them all synchronously.
    live: ClassVar[set[Component]] = set()

    def __init__(self, role: str, name: str, argv: Sequence[str], log_path: Path) -> None:
        self.role = role
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.endpoint: Endpoint | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self._log: IO[bytes] | None = None
        self._drain: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Component({self.role} {self.name} pid={self.pid} at {self.endpoint})"

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self, timeout: float = 20.0) -> Endpoint:
        """Start the process and wait for its READY line; raise TopologyError otherwise."""
        if self.running:
            raise TopologyError(f"{self.role} {self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log = self.log_path.open("ab")
        log.write(f"--- start {self.starts + 1}: {' '.join(self.argv)}\n".encode())
        log.flush()
        self.starts += 1
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            start_new_session=True,
            preexec_fn=_in_child_before_exec,
        )
        Component.live.add(self)
        try:
            endpoint = await asyncio.wait_for(self._await_ready(), timeout)
        except TimeoutError:
            await self.kill()
            raise self._failure(f"printed no READY line within {timeout:g} s") from None
        except BaseException:
            await self.kill()
            raise
        if endpoint is None:
            await self.wait(5.0)
            raise self._failure(f"exited with status {self.proc.returncode} before READY")
        self.endpoint = endpoint
        self._drain = asyncio.create_task(self._copy_rest(), name=f"drain {self.name}")
        return endpoint

    async def _await_ready(self) -> Endpoint | None:
        assert self.proc is not None and self.proc.stdout is not None and self._log is not None
        while line := await self.proc.stdout.readline():
            self._log.write(line)
            self._log.flush()
            endpoint = parse_ready(line.decode("utf-8", "replace"))
            if endpoint is not None:
                return endpoint
        return None

    async def _copy_rest(self) -> None:
        # The pipe must be read to the end or a chatty component would block on a full pipe.
        assert self.proc is not None and self.proc.stdout is not None and self._log is not None
        log = self._log
        while chunk := await self.proc.stdout.read(65536):
            log.write(chunk)
            log.flush()

    def _failure(self, what: str) -> TopologyError:
        return TopologyError(
            f"{self.role} {self.name} {what}",
            Where((str(self.log_path),)),
            hint="last lines of its log: " + " | ".join(self.log_tail()),
        )

    def log_tail(self, lines: int = 8) -> list[str]:
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if line.strip()][-lines:]

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    async def wait(self, timeout: float) -> bool:
        """Wait for the process to exit; True when it did."""
        if self.proc is None:
            return True
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            return False
        await self._finish()
        return True

    async def stop(self, timeout: float = 5.0) -> int | None:
        """Clean stop: SIGTERM to the group, then SIGKILL when it does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self._signal_group(signal.SIGTERM)
            if not await self.wait(timeout):
                await self.kill()
        # A component's own children share its group and must not outlive it either.
        self._signal_group(signal.SIGKILL)
        await self._finish()
        return self.proc.returncode

    async def kill(self) -> None:
        """Crash: SIGKILL to the whole group, no chance to flush anything."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        await self.wait(10.0)
        await self._finish()

    async def _finish(self) -> None:
        if self._drain is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._drain), 2.0)
            self._drain.cancel()
            self._drain = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.proc is not None and self.proc.returncode is not None:
            Component.live.discard(self)

    def kill_now(self) -> None:
        """Synchronous SIGKILL of the group, for when the event loop is gone."""
        self._signal_group(signal.SIGKILL)
        Component.live.discard(self)


def kill_all_now() -> None:
    """SIGKILL every component still alive: the last resort of a failed cleanup."""
    for component in list(Component.live):
        component.kill_now()


# However the interpreter ends (an exception nobody caught, a second Ctrl-C that broke out
# of the cleanup), the components go with it.
atexit.register(kill_all_now)


async def run_command(command: str | Sequence[str], *, timeout: float, log_path: Path) -> int:
    """Run a command to its end, its output appended to ``log_path``; a string goes to the shell.

    Returns its exit status; a command still running after ``timeout`` seconds is killed
    with its process group and reported as a TopologyError.  Output goes to a file, not a
    pipe, so a command that leaves a server running in the background still returns.
    """
    text = command if isinstance(command, str) else shlex.join(command)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        log.write(f"--- {time.strftime('%H:%M:%S')} $ {text}\n".encode())
        log.flush()
        options: dict[str, Any] = {
            "stdin": asyncio.subprocess.DEVNULL, "stdout": log, "stderr": log, "start_new_session": True,
        }
        if isinstance(command, str):
            proc = await asyncio.create_subprocess_shell(command, **options)
        else:
            proc = await asyncio.create_subprocess_exec(*command, **options)
        try:
            return await asyncio.wait_for(proc.wait(), timeout)
        except (TimeoutError, asyncio.CancelledError) as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise TopologyError(
                f"command did not finish within {timeout:g} s: {text}",
                Where((str(log_path),)),
            ) from None
