"""Run a catalog or a container as a process: READY once listening, SIGTERM a clean stop."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from splicer.grid.catalog import Catalog
from splicer.grid.container import Container
from splicer.grid.errors import GridError
from splicer.logs import log_to_stderr


def configure_logging(name: str) -> None:
    log_to_stderr(name, "splicer.grid")


async def _serve(start: Callable[[], Awaitable[str]], stop: Callable[[], Awaitable[None]]) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        endpoint = await start()
        try:
            print(f"READY {endpoint}", flush=True)
            await stopping.wait()
        finally:
            await _stop(stop, loop)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def _stop(stop: Callable[[], Awaitable[None]], loop: asyncio.AbstractEventLoop) -> None:
    """The clean stop; a second SIGTERM or Ctrl-C abandons it.

    A container's handover waits for the catalog (30 s when it does not answer); a user who
    signals again wants the process gone now, as after a SIGKILL.
    """
    task = asyncio.ensure_future(stop())
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise  # this task itself was cancelled, not the stop
        raise GridError("stopped by a second signal, without a clean stop (no handover)") from None


def run_catalog(catalog: Catalog) -> None:
    configure_logging(catalog.name)
    asyncio.run(_serve(catalog.start, catalog.stop))


def run_container(container: Container) -> None:
    """Serve until SIGTERM; then hand the primaries over (the catalog drives it) and exit."""
    configure_logging(container.name)
    asyncio.run(_serve(container.start, container.stop))
