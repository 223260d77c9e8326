"""Clients that start before the catalog: backoff, what they say while waiting, the end.

Issue 8: while the only catalog was down, a new ``GridClient.connect`` (a server starting)
failed at once.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket

import pytest

from splicer.grid.bootstrap import FIRST_DELAY, MAX_DELAY, backoff
from splicer.grid.catalog import Catalog
from splicer.grid.client import GridClient
from splicer.grid.config import load_grids
from splicer.grid.container import Container
from splicer.grid.errors import GridError
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG
from tests.grid.test_membership import Lines, grid_log  # noqa: F401 - the fixture

META = "objectgridSessionMetadata"


def free_port() -> int:
    with socket.socket() as probe:  # bind, read the port, close: nobody listens there now
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_backoff_doubles_from_the_first_delay_to_the_cap_with_jitter() -> None:
    rng = random.Random(8)
    delays = [[backoff(attempt, rng) for attempt in range(1, 10)] for _ in range(50)]
    for row in delays:
        for attempt, delay in enumerate(row, start=1):
            ceiling = min(MAX_DELAY, FIRST_DELAY * 2 ** (attempt - 1))
            assert ceiling / 2 <= delay <= ceiling
    assert len({row[0] for row in delays}) > 1  # jitter: clients do not retry in step


def test_a_client_gives_up_after_the_wait_saying_what_it_waited_for(grid_log: Lines) -> None:
    dead = f"127.0.0.1:{free_port()}"
    with pytest.raises(GridError) as info:
        asyncio.run(GridClient.connect(dead, catalog_wait=0.8))
    assert info.value.reason == (f"no catalog server answered at {dead} after waiting 0.8 s "
                                 f"({dead}: connection refused)")
    waits = [r.getMessage() for r in grid_log.matching("CWOBJ7222W")]
    assert len(waits) >= 2, waits
    for retry, line in enumerate(waits, start=1):
        found = re.fullmatch(rf"CWOBJ7222W: waiting for catalog {dead}: connection refused "
                             rf"\(retry {retry}, ([0-9.]+) s of 0.8 s\)", line)
        assert found is not None, line
        assert float(found[1]) <= 0.8


def test_without_a_wait_a_client_fails_at_once() -> None:
    dead = f"127.0.0.1:{free_port()}"
    with pytest.raises(GridError, match=rf"^CWWSM0134E: no catalog server answered at {dead} "
                                        rf"\({dead}: connection refused\)$"):
        asyncio.run(GridClient.connect(dead))


async def logged(lines: Lines, text: str, what: str, timeout: float = 30.0) -> None:
    """Until a log line holds ``text``: each step waits for the client to have seen it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not lines.matching(text):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def test_a_client_started_before_the_catalog_and_its_containers_connects_and_works(
        grid_log: Lines) -> None:
    """The catalog comes up after the client, the container later still: the client waits
    through `connection refused`, then through a catalog that knows no grid yet."""
    port = free_port()
    grids = load_grids(SAMPLE_OG, SAMPLE_DP)

    async def main() -> bytes | None:
        client_task = asyncio.create_task(
            GridClient.connect(f"127.0.0.1:{port}", catalog_wait=60.0, retry_for=20.0))
        await logged(grid_log, ": connection refused (retry 2,", "two refused attempts")
        assert not client_task.done()
        catalog = Catalog("cs0", host="127.0.0.1", port=port, heartbeat_interval=0.2,
                          failure_timeout=1.0)
        await catalog.start()
        container = Container("c0", grids, catalog.endpoint, host="127.0.0.1")
        try:
            await logged(grid_log, "(grids: none yet) (retry", "an attempt that met the catalog")
            assert not client_task.done()
            await container.start()
            client = await asyncio.wait_for(client_task, 30)
            async with client:
                await client.put(META, "S1xxxxxxxxxxxxxxxxxxxxxx/ctx", b"late but here")
                return await client.get(META, "S1xxxxxxxxxxxxxxxxxxxxxx/ctx")
        finally:
            container.crash()
            await catalog.stop()

    assert asyncio.run(main()) == b"late but here"
    waits = [r.getMessage() for r in grid_log.matching("CWOBJ7222W: waiting for catalog")]
    assert any(f"127.0.0.1:{port}: grid 'session' is not known to catalog cs0 (grids: none "
               "yet) (retry" in line for line in waits), waits
    assert len(grid_log.matching("CWOBJ7223I: catalog 127.0.0.1:")) == 1
