"""Serve until SIGINT or SIGTERM: the first stops cleanly, a second ends the process at once.

One helper for every emulator process (catalog, container, application server, plug-in
proxy), so they all behave alike:

- ``READY host:port`` on stdout once listening (a parent reads the port of port 0);
- a signal during start-up cancels the start (its own clean-up runs) and exits 130;
- the first signal after READY logs that it was heard and runs the clean stop (a container
  hands its primaries over, a server flushes its sessions); then one line, exit 130;
- a second signal, at any moment after the first, writes the process's "abandoned" line and
  exits 130 at once: a hung handover must not hold a user who signals again.

The handlers are ``splicer.signals``' process-wide ones, kept until the process exits, so a
signal in asyncio's teardown is never left to the defaults (a -15 death or a traceback).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from splicer import signals
from splicer.errors import Interrupted, Stopped


def print_ready(endpoint: str) -> None:
    print(f"READY {endpoint}", flush=True)


def serve(
    start: Callable[[], Awaitable[str]],
    stop: Callable[[], Awaitable[None]],
    *,
    name: str,
    log: logging.Logger,
    abandoned: str,
    ready: Callable[[str], None] = print_ready,
) -> None:
    """Start, say READY, serve until a signal, stop cleanly; never returns normally.

    ``start`` returns the endpoint it listens on.  Errors of ``start`` and ``stop`` propagate
    as they are (a configuration error keeps its exit code).

    :raises Stopped: after the clean stop a signal asked for (exit 130).
    :raises Interrupted: a signal came before READY; the start was cancelled (exit 130).
    """
    if not signals.installed():
        signals.install()  # an in-process caller: serving until signalled is this function's job
    state: dict[str, Any] = {}

    def first(signum: int) -> bool:
        loop, heard = state.get("loop"), state.get("heard")
        if loop is not None and heard is not None:
            signals.soon(loop, lambda: heard(signum))
        return True  # before the loop runs, _serve finds signals.heard() set and does not start

    with signals.on_signal(first, abandoned):
        started = asyncio.run(_serve(start, stop, ready, log, state))
    signum = signals.heard()
    what = signals.name(signum) if signum is not None else "a signal"
    if not started:
        raise Interrupted(f"{name}: interrupted by {what} during start-up")
    raise Stopped(f"{name} stopped cleanly on {what}")


async def _serve(
    start: Callable[[], Awaitable[str]],
    stop: Callable[[], Awaitable[None]],
    ready: Callable[[str], None],
    log: logging.Logger,
    state: dict[str, Any],
) -> bool:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    async def starter() -> str:
        return await start()

    starting = loop.create_task(starter())

    def heard(signum: int) -> None:
        log.info("CWWSM0397I: heard %s: stopping cleanly (a second signal stops at once)",
                 signals.name(signum))
        starting.cancel()  # a no-op once started
        stopping.set()

    state["loop"], state["heard"] = loop, heard
    if signals.heard() is not None:
        starting.cancel()  # signalled before the loop ran
    try:
        endpoint = await starting
    except asyncio.CancelledError:
        if signals.heard() is None:
            raise
        return False
    ready(endpoint)
    await stopping.wait()
    await stop()
    return True
