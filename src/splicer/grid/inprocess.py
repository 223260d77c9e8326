"""A whole grid inside one process, for fast tests: in the caller's event loop or a thread.

The servers are the real ones on real loopback sockets; only the processes are shared.
``kill`` drops a server's connections at once (what SIGKILL does to its sockets),
``stop`` is the clean stop of SIGTERM.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import Future
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from splicer.grid.auth import Secret, Security
from splicer.grid.catalog import Catalog
from splicer.grid.config import GridDefinition, load_grids
from splicer.grid.container import Container
from splicer.grid.replication import DEFAULT_FLUSH_DELAY

T = TypeVar("T")


class InProcessGrid:
    """A catalog and its containers in this event loop; ``catalog_endpoint`` for clients."""

    def __init__(self, grids: dict[str, GridDefinition], *, host: str = "localhost",
                 heartbeat_interval: float = 0.2, failure_timeout: float = 1.0,
                 flush_delay: float = DEFAULT_FLUSH_DELAY, secret: Secret | None = None) -> None:
        self.grids = grids
        self.host = host
        self.flush_delay = flush_delay
        self.security = Security.member(secret)  # with a secret, every connection authenticates
        self.catalog = Catalog("cs0", host=host, port=0, heartbeat_interval=heartbeat_interval,
                               failure_timeout=failure_timeout, security=self.security)
        self.containers: dict[str, Container] = {}
        self.killed: list[Container] = []  # their tasks are waited for at close()

    @property
    def catalog_endpoint(self) -> str:
        return self.catalog.endpoint

    async def start_container(self, name: str) -> Container:
        container = Container(name, self.grids, self.catalog_endpoint, host=self.host,
                              flush_delay=self.flush_delay, catalog_wait=5.0,
                              security=self.security)
        await container.start()
        self.containers[name] = container
        return container

    async def stop_container(self, name: str) -> None:
        await self.containers.pop(name).stop()

    def kill_container(self, name: str) -> None:
        container = self.containers.pop(name)
        container.crash()
        self.killed.append(container)

    async def wait_placed(self, timeout: float = 10.0) -> None:
        """Until every partition has a primary and as many replicas as containers allow."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.placed():
            if loop.time() > deadline:
                raise TimeoutError("the grid did not reach its full placement")
            await asyncio.sleep(0.02)

    def placed(self) -> bool:
        live = len(self.containers)
        for grid in self.grids.values():
            for mapset in grid.mapsets:
                placement = self.catalog.placer.placements.get((grid.name, mapset.name))
                if placement is None:
                    return False
                want = min(mapset.replicas, live - 1)
                for p, part in enumerate(placement.parts):
                    if part.primary not in self.containers or len(part.replicas) < want:
                        return False
                    if any((p, r) not in placement.ready for r in part.replicas):
                        return False
                primaries, _ = placement.load({c: self.host for c in self.containers})
                if max(primaries.values()) - min(primaries.values()) > 1:
                    return False
        # and every container may serve: it has its placement and a lease granted
        return all(c.lease.valid() and all(s.stepped_down is None for s in c.shards.values())
                   for c in self.containers.values())

    async def close(self) -> None:
        """Crash every container (no handovers at teardown: nothing is left to hand over
        to), stop the catalog; return once no task of theirs is left."""
        for container in list(self.containers.values()):
            container.crash()
            self.killed.append(container)
        self.containers.clear()
        await self.catalog.stop()  # before it sees their connections close: it forgets nobody
        for container in self.killed:
            await container.close()
        self.killed.clear()


@asynccontextmanager
async def grid_in_process(objectgrid_xml: Path, deployment_xml: Path,
                          containers: Sequence[str] = ("c0", "c1"),
                          **options: Any) -> AsyncIterator[InProcessGrid]:
    """Start a catalog and the named containers in the running loop; stop them after."""
    grid = InProcessGrid(load_grids(objectgrid_xml, deployment_xml), **options)
    await grid.catalog.start()
    try:
        for name in containers:
            await grid.start_container(name)
        await grid.wait_placed()
        yield grid
    finally:
        await grid.close()


class ThreadedGrid:
    """An InProcessGrid running in its own thread and event loop (for sync callers)."""

    def __init__(self, grid: InProcessGrid, loop: asyncio.AbstractEventLoop) -> None:
        self.grid = grid
        self.loop = loop

    @property
    def catalog_endpoint(self) -> str:
        return self.grid.catalog_endpoint

    def call(self, coro: Any) -> Any:
        """Run a coroutine on the grid's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def kill_container(self, name: str) -> None:
        self.loop.call_soon_threadsafe(self.grid.kill_container, name)


@contextmanager
def run_grid(objectgrid_xml: Path, deployment_xml: Path,
             containers: Sequence[str] = ("c0", "c1"), **options: Any) -> Iterator[ThreadedGrid]:
    """``grid_in_process`` in a background thread: yields once the grid is placed."""
    loop = asyncio.new_event_loop()
    started: Future[ThreadedGrid] = Future()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with grid_in_process(objectgrid_xml, deployment_xml, containers,
                                       **options) as grid:
                started.set_result(ThreadedGrid(grid, loop))
                await stop.wait()
        except BaseException as exc:
            if not started.done():
                started.set_exception(exc)
            else:
                raise

    def run() -> None:
        try:
            loop.run_until_complete(main())
        finally:
            # What asyncio.run does: the tasks still pending (a catalog's probes of a lost
            # container's port) end before the loop closes.  Destroyed pending, they left an
            # un-awaited coroutine for the GC to warn about in whichever test came next.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending))

    thread = threading.Thread(target=run, name="splicer-grid", daemon=True)
    thread.start()
    try:
        yield started.result(timeout=60)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
