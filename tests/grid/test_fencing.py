"""Fencing in one process: leases, epochs on requests and frames, honest acknowledgements.

Issue 8: a paused primary went on serving once resumed, and ``_await_sync`` answered OK
whatever the synchronous replica said.  The process-level proof is tests/faults; these are
the rules one by one, on the real servers in one event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.grid import container as container_module
from splicer.grid import membership
from splicer.grid.auth import Peer
from splicer.grid.catalog import Catalog
from splicer.grid.client import GridClient
from splicer.grid.errors import GridError
from splicer.grid.hashing import partition_of
from splicer.grid.inprocess import InProcessGrid
from splicer.grid.lease import LEASE_SHARE, check_timeouts
from splicer.grid.protocol import Channel, Message, b64, error_reply
from tests.grid.test_inprocess import run_with_grid, sync_files

META = "objectgridSessionMetadata"
KEY = "S0001xxxxxxxxxxxxxxxxxxx/ctx"
P = partition_of(KEY, 47)
MAPSET = ("session", "sessionMapSet")


def holders(grid: InProcessGrid) -> tuple[str, list[str]]:
    part = grid.catalog.placer.placements[MAPSET].parts[P]
    assert part.primary is not None
    return part.primary, list(part.replicas)


async def until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def test_a_primary_whose_lease_is_not_renewed_serves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> None:
        await client.put(META, KEY, b"v")
        primary, _ = holders(grid)
        # the catalog still answers, but grants nothing: as for a container it wrote off
        monkeypatch.setattr(grid.catalog, "_grant", lambda member: {"grant": False})
        lease = grid.containers[primary].lease
        await until(lambda: not lease.valid(), "the lease to run out", 5.0)
        client.retry_for = 0.3
        with pytest.raises(GridError, match=rf"serves no primary: lease over for"):
            await client.get(META, KEY)
        with pytest.raises(GridError, match=rf"serves no primary: lease over for"):
            await client.put(META, KEY, b"w")
        monkeypatch.undo()  # grants again: it serves again, the write above not applied
        client.retry_for = 10.0
        assert await client.get(META, KEY) == b"v"
    run_with_grid(*sync_files(tmp_path), body)


def test_a_request_of_another_epoch_is_refused_and_the_client_fetches_routes_again(
        tmp_path: Path) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> None:
        await client.put(META, KEY, b"1")
        primary, _ = holders(grid)
        old = grid.catalog.placer.placements[MAPSET].parts[P].epoch
        assert client.routes is not None and client.routes.epochs["sessionMapSet"][P] == old
        placement = grid.catalog.placer.placements[MAPSET]
        placement.force.add(P)  # a new epoch for the same placement
        grid.catalog.placer.publish(placement)
        shard = grid.containers[primary].shards[(*MAPSET, P)]
        await until(lambda: shard.epoch > old, "the primary to read the new placement")
        request = {"op": "get", "grid": "session", "mapset": "sessionMapSet", "partition": P,
                   "map": META, "key": KEY}
        channel = await Channel.connect("localhost", grid.containers[primary].port)
        try:
            stale = await channel.call({**request, "epoch": old})
            newer = await channel.call({**request, "epoch": shard.epoch + 5})
        finally:
            await channel.close()
        assert (stale["ok"], stale["error"]) == (False, "stale_epoch")
        assert "the request's routes are of epoch" in stale["message"]
        assert (newer["ok"], newer["error"]) == (False, "stale_epoch")
        # heard of an epoch the catalog never issued: it steps down until the next grant
        # shows the catalog has no such placement, then serves again
        assert await client.get(META, KEY) == b"1"
        assert client.routes.epochs["sessionMapSet"][P] == shard.epoch > old
        assert shard.stepped_down is None
    run_with_grid(*sync_files(tmp_path), body)


def test_a_replica_refuses_frames_of_an_older_epoch_from_a_primary_it_does_not_follow(
        tmp_path: Path) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> Message:
        await client.put(META, KEY, b"kept")
        primary, (replica,) = holders(grid)
        other = next(n for n in grid.containers if n not in (primary, replica))
        channel = await membership.dial("localhost", grid.containers[replica].port,
                                        me=Peer("container", other), security=grid.security)
        try:  # a primary of long ago, that missed every placement since: epoch 1
            reply = await channel.call({
                "op": "repl_apply", "grid": "session", "mapset": "sessionMapSet",
                "partition": P, "source": other, "epoch": 1,
                "ops": [["put", META, KEY, b64(b"stale"), 0.0, 0.0]]})
        finally:
            await channel.close()
        shard = grid.containers[replica].shards[(*MAPSET, P)]
        assert shard.maps[META][KEY].value == b"kept"
        assert reply["epoch"] == shard.epoch > 1
        return reply
    reply = run_with_grid(*sync_files(tmp_path), body, containers=("c0", "c1", "c2"))
    assert (reply["ok"], reply["error"]) == (False, "stale_epoch")


def test_a_write_its_synchronous_replica_did_not_apply_is_not_acknowledged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug: _await_sync answered OK whatever the replica said."""
    def refuse(c: object, message: Message) -> Message:
        return error_reply("internal", "disk full")

    async def body(grid: InProcessGrid, client: GridClient) -> None:
        await client.put(META, KEY, b"1")
        monkeypatch.setitem(container_module._HANDLERS, "repl_apply", refuse)
        client.retry_for = 0.5
        with pytest.raises(GridError, match=r"did not apply the write: internal: disk full"):
            await client.put(META, KEY, b"2")
        monkeypatch.undo()
        client.retry_for = 10.0
        await client.put(META, KEY, b"3")  # the replica takes it again
        _, (replica,) = holders(grid)
        shard = grid.containers[replica].shards[(*MAPSET, P)]
        assert shard.maps[META][KEY].value == b"3"
    run_with_grid(*sync_files(tmp_path), body)


def test_without_any_catalog_a_container_renews_its_own_lease_and_keeps_serving(
        tmp_path: Path) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> None:
        await client.put(META, KEY, b"1")
        primary, _ = holders(grid)
        lease = grid.containers[primary].lease
        crashed = time.monotonic()
        grid.catalog.crash()  # nothing listens at its port any more
        # well past the lease the catalog granted last
        await until(lambda: time.monotonic() - crashed > 3 * lease.length, "three leases")
        assert lease.valid()
        await client.put(META, KEY, b"2")
        assert await client.get(META, KEY) == b"2"
    run_with_grid(*sync_files(tmp_path), body)


def test_a_restarted_catalog_issues_epochs_newer_than_any_it_adopted(tmp_path: Path) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> None:
        await client.put(META, KEY, b"kept")
        before = [part.epoch for part in grid.catalog.placer.placements[MAPSET].parts]
        port = grid.catalog.port
        grid.catalog.crash()
        await grid.catalog.stop()
        grid.catalog = Catalog("cs0", host="localhost", port=port, heartbeat_interval=0.2,
                               failure_timeout=1.0, security=grid.security)
        await grid.catalog.start()
        await grid.wait_placed()
        after = [part.epoch for part in grid.catalog.placer.placements[MAPSET].parts]
        assert min(after) > max(before)
        for c in grid.containers.values():
            assert all(shard.epoch in after for shard in c.shards.values())
        assert await client.get(META, KEY) == b"kept"  # routes fetched again on stale_epoch
    run_with_grid(*sync_files(tmp_path), body)


@pytest.mark.parametrize(("heartbeat", "failure"), [(1.0, 5.0), (0.2, 1.0), (0.1, 0.6)],
                         ids=["defaults", "tests", "hung-container-test"])
def test_heartbeats_renew_a_lease_well_before_it_ends(heartbeat: float, failure: float) -> None:
    assert check_timeouts(heartbeat, failure) is None
    assert Catalog("cs0", heartbeat_interval=heartbeat, failure_timeout=failure).lease == (
        failure * LEASE_SHARE)


def test_a_catalog_whose_heartbeats_cannot_keep_a_lease_is_refused() -> None:
    with pytest.raises(GridError, match=r"^CWWSM0131E: --heartbeat-interval 1 must be shorter "
                                        r"than half of --failure-timeout 2: a primary's lease "
                                        r"lasts 1 s and each heartbeat renews it$") as info:
        Catalog("cs0", heartbeat_interval=1.0, failure_timeout=2.0)
    assert info.value.exit_code == 2
