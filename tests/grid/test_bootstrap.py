"""Clients and containers that start before the catalog: backoff, what they say while
waiting, the end.

Issue 8: while the only catalog was down, a new ``GridClient.connect`` (a server starting)
failed at once.  A container's start polled every 0.2 s, silent until it gave up.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from splicer.grid.bootstrap import FIRST_DELAY, MAX_DELAY, backoff
from splicer.grid.catalog import Catalog
from splicer.grid.client import GridClient
from splicer.grid.config import load_grids
from splicer.grid.container import Container
from splicer.grid.errors import GridError
from tests.grid.conftest import REPO, SAMPLE_DP, SAMPLE_OG, Proc, wait_until
from tests.grid.test_security_processes import read_ready
from tests.grid.test_stop import others
from tests.grid.test_membership import Lines, grid_log  # noqa: F401 - the fixture

META = "objectgridSessionMetadata"


def test_backoff_doubles_from_the_first_delay_to_the_cap_with_jitter() -> None:
    rng = random.Random(8)
    delays = [[backoff(attempt, rng) for attempt in range(1, 10)] for _ in range(50)]
    for row in delays:
        for attempt, delay in enumerate(row, start=1):
            ceiling = min(MAX_DELAY, FIRST_DELAY * 2 ** (attempt - 1))
            assert ceiling / 2 <= delay <= ceiling
    assert len({row[0] for row in delays}) > 1  # jitter: clients do not retry in step


def test_a_client_gives_up_after_the_wait_saying_what_it_waited_for(grid_log: Lines,
                                                                    dead_address: str) -> None:
    dead = dead_address
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


def test_without_a_wait_a_client_fails_at_once(dead_address: str) -> None:
    dead = dead_address
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
        grid_log: Lines, catalog_port: int) -> None:
    """The catalog comes up after the client, the container later still: the client waits
    through `connection refused`, then through a catalog that knows no grid yet."""
    port = catalog_port
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


def refused_waits(text: str, catalog: str, wait: str) -> list[float]:
    """When (seconds into the wait) each CWOBJ7222W line of a wait for a catalog that
    refuses connections was logged; their retries count 1, 2, 3..."""
    found = re.findall(rf"CWOBJ7222W: waiting for catalog {re.escape(catalog)}: connection "
                       rf"refused \(retry (\d+), ([0-9.]+) s of {re.escape(wait)} s\)", text)
    assert [int(retry) for retry, _ in found] == list(range(1, len(found) + 1)), text
    return [float(elapsed) for _, elapsed in found]


def container(tmp_path: Path, catalog: str, wait: str) -> subprocess.Popen[bytes]:
    with (tmp_path / "c0.log").open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "splicer", "grid", "container", "c0", "--objectgrid-xml",
             str(SAMPLE_OG), "--deployment-xml", str(SAMPLE_DP), "--catalog", catalog,
             "--host", "127.0.0.1", "--catalog-wait", wait],
            stdout=subprocess.PIPE, stderr=err, cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.slow
def test_a_container_started_before_its_catalog_waits_and_joins_once_it_is_up(
        tmp_path: Path, procs: list[Proc], catalog_port: int) -> None:
    """Bug: a container polled its catalog every 0.2 s without backoff and said nothing until
    it gave up; it now waits as the app servers do (bootstrap.wait_for_catalog)."""
    catalog = f"127.0.0.1:{catalog_port}"
    log = tmp_path / "c0.log"
    popen = container(tmp_path, catalog, "60")
    try:
        wait_until(lambda: len(refused_waits(log.read_text(), catalog, "60")) >= 2, timeout=60,
                   what="the container to say twice that it waits for its catalog")
        assert popen.poll() is None
        procs.append(Proc(["catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:6600:6601",
                           "--listener-port", str(catalog_port), "--heartbeat-interval", "0.2",
                           "--failure-timeout", "1.0"], tmp_path / "cs0.log"))
        assert read_ready(popen, timeout=60).startswith("127.0.0.1:")

        async def use() -> bytes | None:
            async with await GridClient.connect(catalog, retry_for=30.0) as client:
                await client.put(META, "S1xxxxxxxxxxxxxxxxxxxxxx/ctx", b"joined late")
                return await client.get(META, "S1xxxxxxxxxxxxxxxxxxxxxx/ctx")
        assert asyncio.run(use()) == b"joined late"  # c0 holds every primary
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGKILL)
        popen.wait(30)
        assert popen.stdout is not None
        popen.stdout.close()
    text = log.read_text()
    assert re.search(rf"CWOBJ7223I: catalog {catalog} answered after [0-9.]+ s", text), text
    assert "Traceback" not in text


@pytest.mark.parametrize("option", ["--catalog-wait", "--catalog-timeout"],
                         ids=["catalog-wait", "its-former-name"])
def test_a_container_whose_catalog_never_comes_exits_69_after_its_wait(
        tmp_path: Path, dead_address: str, option: str) -> None:
    """The container's wait is --catalog-wait, as `splicer server`'s; its former name
    --catalog-timeout (hidden) still works for the scripts that pass it."""
    done = subprocess.run(
        [sys.executable, "-m", "splicer", "grid", "container", "c0", "--objectgrid-xml",
         str(SAMPLE_OG), "--deployment-xml", str(SAMPLE_DP), "--catalog", dead_address,
         "--host", "127.0.0.1", option, "1.5"],
        capture_output=True, text=True, timeout=60, cwd=REPO)
    assert (done.returncode, done.stdout) == (69, ""), done.stderr  # never READY
    assert done.stderr.endswith(
        f"CWWSM0134E: container c0: no catalog server answered at {dead_address} after "
        f"waiting 1.5 s ({dead_address}: connection refused)\n"), done.stderr
    waits = refused_waits(done.stderr, dead_address, "1.5")
    assert len(waits) >= 2 and all(elapsed < 1.5 for elapsed in waits), waits


def test_a_catalog_that_accepts_and_never_answers_a_client_is_cut_at_the_wait(
        grid_log: Lines) -> None:
    """Bug: an attempt was cut only by its own timeouts, so a catalog that accepts
    connections and never answers held a client's connect for its whole request timeout
    (30 s here) past a 1 s --catalog-wait; the attempt is now cut at the end of the wait."""

    async def main() -> GridError:
        with socket.socket() as silent:  # accepts (the kernel does), never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            catalog = f"127.0.0.1:{silent.getsockname()[1]}"
            connecting = asyncio.create_task(GridClient.connect(catalog, timeout=30.0,
                                                                catalog_wait=1.0))
            try:
                await asyncio.wait_for(asyncio.shield(connecting), 10)
            except GridError as exc:
                assert others() == []  # the cut fetch ended with the connect
                return exc
            except TimeoutError:
                connecting.cancel()
                raise AssertionError("the attempt ran past the 1 s wait") from None
            raise AssertionError("connected to a catalog that never answered")

    error = asyncio.run(main())
    catalog = error.reason.split(" at ", 1)[1].split(" ", 1)[0]
    assert error.reason == (f"no catalog server answered at {catalog} after waiting 1 s "
                            f"({catalog}: no answer before the wait ran out)")
    assert grid_log.matching("CWOBJ7222W") == []  # one attempt, cut: no retry


def test_a_registration_the_catalog_never_answers_is_cut_at_the_containers_wait(
        grid_log: Lines, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: a container's attempt (2 s to connect, 30 s for the catalog to answer its
    registration) could overrun --catalog-wait by 32 s; it is now cut at the end of the
    wait, and nothing of the attempt is left running."""
    stuck = asyncio.Event()

    async def never_answers(self: Catalog, channel: object, message: object) -> None:
        stuck.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(Catalog, "_register", never_answers)

    async def main() -> GridError:
        catalog = Catalog("cs0", host="127.0.0.1", port=0, heartbeat_interval=0.2,
                          failure_timeout=1.0)
        await catalog.start()
        container = Container("c0", load_grids(SAMPLE_OG, SAMPLE_DP), catalog.endpoint,
                              host="127.0.0.1", catalog_wait=1.5)
        try:
            await asyncio.wait_for(container.start(), 15)
        except GridError as exc:
            error = exc
        except TimeoutError:
            raise AssertionError("the registration ran past the 1.5 s wait") from None
        else:
            raise AssertionError("the container joined a catalog that never answered")
        finally:
            await catalog.stop()
        assert stuck.is_set()  # the catalog took the connection and the registration
        assert others() == []  # the container's cut attempt, the catalog's stuck handler
        return error

    error = asyncio.run(main())
    catalog = error.reason.split(" at ", 1)[1].split(" ", 1)[0]
    assert error.reason == (f"container c0: no catalog server answered at {catalog} after "
                            f"waiting 1.5 s ({catalog}: no answer before the wait ran out)")
