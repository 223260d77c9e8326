"""A stopped grid server leaves nothing running and says nothing more.

Bug: ``Catalog.stop()`` cancelled its tasks without awaiting them, and neither it nor a
container knew the handlers of their connections (Python 3.11's ``Server.wait_closed()``
does not wait for them).  A stopped catalog could still forget a container and re-place
its shards, probe a port, or take a registration; at the loop's teardown, each cancelled
handler logged an "Exception in callback ... CancelledError" traceback.  Each test here
stops its servers in-process while such work is under way, then asserts that no task is
left, that the stop logged nothing, and that the loop's teardown printed nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
from collections.abc import Awaitable, Callable

import pytest

from splicer.grid import membership
from splicer.grid.auth import Peer, Secret, Security
from splicer.grid.catalog import Catalog
from splicer.grid.client import GridClient, RouteTable
from splicer.grid.config import load_grids
from splicer.grid.container import Container
from splicer.grid.errors import GridError
from splicer.grid.inprocess import InProcessGrid, grid_in_process
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG

META = "objectgridSessionMetadata"


def others() -> list[str]:
    """The tasks of this loop other than the test's own: what a stop left running."""
    me = asyncio.current_task()
    return sorted(repr(t.get_coro()) for t in asyncio.all_tasks() if t is not me)


async def until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def run_quietly(main: Callable[[], Awaitable[list[logging.LogRecord]]],
                caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """Run ``main`` (it returns the records logged during its stop), then the loop's teardown
    and a garbage collection: nothing may be logged by the stop nor after it."""
    caplog.set_level(logging.DEBUG)
    during_stop = asyncio.run(main())
    gc.collect()  # a task destroyed pending, a coroutine never awaited: said now
    assert [r.getMessage() for r in during_stop] == []
    late = [f"{r.name}: {r.getMessage()}" for r in caplog.records
            if r.name == "asyncio" and r.levelno >= logging.WARNING]
    assert late == []
    assert capsys.readouterr() == ("", "")


async def stop_logging_nothing(caplog: pytest.LogCaptureFixture,
                               stop: Callable[[], Awaitable[None]]) -> list[logging.LogRecord]:
    mark = len(caplog.records)
    await stop()
    assert others() == []  # checked before anything else runs on this loop
    return [r for r in caplog.records[mark:] if r.name.startswith("splicer")]


def test_catalog_stop_with_a_pending_probe_and_handshake_leaves_no_task(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """A container whose connection closed while its port still answers is probed until its
    lease is surely over (1.8 s here); a connection that has not said hello yet waits in
    its handshake (10 s).  The stop ends both, and the catalog forgets nobody after it."""

    async def main() -> list[logging.LogRecord]:
        catalog = Catalog("cs0", host="127.0.0.1", heartbeat_interval=0.2, failure_timeout=3.0,
                          port=0)
        await catalog.start()
        with socket.socket() as port_of_c9, socket.socket() as silent:
            port_of_c9.bind(("127.0.0.1", 0))
            port_of_c9.listen()  # connects are accepted (by the kernel): c9 may be alive
            await until(lambda: not catalog.placer.settling, "the catalog to settle")
            c9 = await membership.dial("127.0.0.1", catalog.port, me=Peer("container", "c9"),
                                       security=Security())
            reply = await c9.request({"op": "register", "name": "c9", "host": "127.0.0.1",
                                      "port": port_of_c9.getsockname()[1], "grids": {},
                                      "shards": []})
            assert reply["grant"] is True  # a lease runs: c9 is not forgotten at once
            c9.abort()
            await c9.close()
            await until(lambda: any("CWOBJ7207I: container c9 is unreachable" in r.getMessage()
                                    for r in caplog.records), "the catalog to probe c9")
            handling = catalog.listener.handling
            silent.connect(("127.0.0.1", catalog.port))  # says nothing: a handshake under way
            await until(lambda: catalog.listener.handling == handling + 1,
                        "the catalog to accept the connection")
            assert any("_forget" in task for task in others()), others()
            assert "c9" in catalog.members  # not forgotten yet
            return await stop_logging_nothing(caplog, catalog.stop)

    run_quietly(main, caplog, capsys)


def test_crash_then_stop_of_a_catalog_with_containers_leaves_no_task(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """crash() drops every connection at once; the stop after it waits for what it ended,
    and the containers' stops theirs (their heartbeats, sweepers, links, handlers)."""

    async def main() -> list[logging.LogRecord]:
        async with grid_in_process(SAMPLE_OG, SAMPLE_DP, ("c0", "c1")) as grid:
            async with await GridClient.connect(grid.catalog_endpoint) as client:
                await client.put(META, "s1/ctx", b"v")
            grid.catalog.crash()

            async def stop_all() -> None:
                await grid.catalog.stop()
                for name in list(grid.containers):
                    await grid.stop_container(name)  # no catalog to hand over to: warned
            mark = len(caplog.records)
            await stop_all()
            assert others() == []
            stopped = [r.getMessage() for r in caplog.records[mark:]]
            assert sorted(m for m in stopped if "CWOBJ0044I" in m) == [
                "CWOBJ0044I: c0 stopped.", "CWOBJ0044I: c1 stopped."]
            return []

    run_quietly(main, caplog, capsys)


def test_a_container_stop_while_a_handshake_and_a_client_are_connected_leaves_no_task(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """The clean stop of a container (its handover), with a client and a connection in its
    handshake open; then its catalog's."""

    async def main() -> list[logging.LogRecord]:
        catalog = Catalog("cs0", host="127.0.0.1", port=0, heartbeat_interval=0.2,
                          failure_timeout=1.0)
        await catalog.start()
        container = Container("c0", load_grids(SAMPLE_OG, SAMPLE_DP), catalog.endpoint,
                              host="127.0.0.1")
        await container.start()
        with socket.socket() as silent:
            async with await GridClient.connect(catalog.endpoint) as client:
                await client.put(META, "s1/ctx", b"v")  # retried until c0 is placed
                silent.connect(("127.0.0.1", container.port))
                await until(lambda: container.listener.handling == 2,
                            "the container to accept both connections")
                mark = len(caplog.records)
                await container.stop()
            await catalog.stop()
            assert others() == []
        said = [r for r in caplog.records[mark:] if r.name.startswith("splicer")]
        # what a clean stop says: c0 left after handing over, c0 stopped; nothing else
        assert sorted(r.getMessage()[:10] for r in said) == ["CWOBJ0044I", "CWOBJ7204I"]
        return []

    run_quietly(main, caplog, capsys)


def test_a_client_closed_while_it_connects_to_a_container_ends_the_attempt(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    """Bug: GridClient.close() closed its connections, not the attempts still under way: a
    request's dial of a container (here in its handshake, with a container that never
    answers) went on after close() returned, its waiting request with it, for up to its
    30 s timeout.  close() now cancels and waits for each (listener.cancel_and_wait), closes
    the connection it made, and the request fails at once saying the client is closed."""

    async def main() -> list[logging.LogRecord]:
        with socket.socket() as silent:  # a container that accepts and says nothing
            silent.bind(("127.0.0.1", 0))
            silent.listen()
            silent.setblocking(False)
            endpoint = ("127.0.0.1", silent.getsockname()[1])
            definition = load_grids(SAMPLE_OG, SAMPLE_DP)["session"]
            mapset = definition.mapsets[0]
            client = GridClient([endpoint], "session", timeout=30.0, retry_for=30.0,
                                security=Security.member(Secret(b"k" * 32, "a test secret")))
            client.routes = RouteTable(1, definition,
                                       {mapset.name: [endpoint] * mapset.partitions}, {})
            put = asyncio.create_task(client.put(META, "s1/ctx", b"v"))
            accepted: list[socket.socket] = []

            def dialled() -> bool:
                with contextlib.suppress(BlockingIOError):
                    accepted.append(silent.accept()[0])
                return bool(accepted)
            await until(dialled, "the client to connect to the container")
            with accepted[0]:
                mark = len(caplog.records)
                await client.close()
                with pytest.raises(GridError) as info:
                    await asyncio.wait_for(put, 10)  # not the handshake's 30 s
                assert info.value.reason == "the grid client is closed"
                assert others() == []
                accepted[0].settimeout(10)
                try:
                    while accepted[0].recv(4096):  # the client's hello, then the end
                        pass
                except TimeoutError:
                    pytest.fail("close() left the attempt's connection open")
            return [r for r in caplog.records[mark:] if r.name.startswith("splicer")]

    run_quietly(main, caplog, capsys)


def test_a_stop_ends_the_requests_of_a_connection_its_peer_closed(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: a server forgot a connection as soon as its peer closed it, with the requests it
    was still handling (a registration, a handover): its stop neither ended nor waited for
    them, and they acted after it.  The connection is now kept until they end."""
    handling = asyncio.Event()

    async def never_answers(self: Catalog, channel: object, message: object) -> None:
        handling.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(Catalog, "_register", never_answers)

    async def main() -> list[logging.LogRecord]:
        catalog = Catalog("cs0", host="127.0.0.1", port=0, heartbeat_interval=0.2,
                          failure_timeout=1.0)
        await catalog.start()
        c9 = await membership.dial("127.0.0.1", catalog.port, me=Peer("container", "c9"),
                                   security=Security())
        c9.call({"op": "register", "name": "c9", "host": "127.0.0.1", "port": 1,
                 "grids": {}, "shards": []})
        await until(handling.is_set, "the catalog to handle the registration")
        await c9.close()  # gone, its registration still under way at the catalog
        await until(lambda: not any("_read_loop" in task for task in others()),
                    "the catalog to see the connection close")
        for _ in range(5):  # its connection's handler wakes up: it forgot the connection
            await asyncio.sleep(0)
        assert any("_await_answer" in task for task in others()), others()  # still handled
        return await stop_logging_nothing(caplog, catalog.stop)

    run_quietly(main, caplog, capsys)
