"""Start `python -m splicer ...` processes for tests: wait for READY, always stop them."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

READY_TIMEOUT = 30.0


class Proc:
    def __init__(self, popen: subprocess.Popen[bytes], address: str) -> None:
        self.popen = popen
        self.address = address

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM (a clean stop) and the exit code."""
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout)

    def kill(self) -> int:
        """SIGKILL: a crash."""
        self.popen.kill()
        return self.popen.wait(10)

    def stderr(self) -> str:
        assert self.popen.stderr is not None
        return self.popen.stderr.read().decode(errors="replace")


def _read_ready(popen: subprocess.Popen[bytes]) -> str:
    assert popen.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(popen.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                line = popen.stdout.readline().decode().strip()
                if line.startswith("READY "):
                    return line.removeprefix("READY ")
                if not line and popen.poll() is not None:
                    break
            elif popen.poll() is not None:
                break
    finally:
        selector.close()
    err = popen.stderr.read().decode(errors="replace") if popen.stderr else ""
    raise RuntimeError(f"no READY line from {popen.args!r} (exit {popen.poll()}): {err}")


@contextmanager
def splicer_process(*args: str) -> Iterator[Proc]:
    """`python -m splicer ARGS` until READY; killed on the way out whatever happened."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    popen = subprocess.Popen(
        [sys.executable, "-m", "splicer", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    try:
        yield Proc(popen, _read_ready(popen))
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait(10)
        for stream in (popen.stdout, popen.stderr):
            if stream is not None:
                stream.close()
