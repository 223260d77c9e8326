"""Time-to-live eviction: the evictor clocks, the sweep, and a tiny TTL on a live grid."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from splicer.grid.admin import find_by_key, map_sizes
from splicer.grid.client import GridClient
from splicer.grid.config import BackingMap, load_grids
from splicer.grid.eviction import MAX_SWEEP, MIN_SWEEP, expired, sweep, sweep_interval
from splicer.grid.inprocess import grid_in_process
from splicer.grid.placement import ASYNC, PRIMARY
from splicer.grid.store import Entry, Shard
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG, deployment_xml, objectgrid_xml, write

# created at 0, updated at 50, last read at 80; the map's timeToLive is 100
ENTRY = Entry(b"v", created=0.0, updated=50.0, accessed=80.0)


@pytest.mark.parametrize(("evictor", "now", "gone"), [
    ("NONE", 10_000.0, False),
    ("CREATION_TIME", 99.0, False),
    ("CREATION_TIME", 100.0, True),
    ("LAST_UPDATE_TIME", 149.0, False),
    ("LAST_UPDATE_TIME", 150.0, True),
    ("LAST_ACCESS_TIME", 179.0, False),
    ("LAST_ACCESS_TIME", 180.0, True),
], ids=["none", "creation-alive", "creation-gone", "update-alive", "update-gone",
        "access-alive", "access-gone"])
def test_each_evictor_counts_from_its_own_clock(evictor: str, now: float, gone: bool) -> None:
    bmap = BackingMap("m", ttl_evictor=evictor, time_to_live=100)
    assert expired(bmap, ENTRY, now) is gone


def test_sweep_removes_expired_entries_of_primaries_only() -> None:
    mapset = load_grids(SAMPLE_OG, SAMPLE_DP)["session"].mapsets[0]
    primary = Shard(("session", "sessionMapSet", 0), mapset, PRIMARY)
    primary.put("objectgridSessionMetadata", "old/c", b"1", now=0.0)
    primary.put("objectgridSessionMetadata", "new/c", b"2", now=3000.0)
    primary.put("objectgridSessionAttribute", "old/c_DATA", b"3", now=0.0)  # evictor NONE
    replica = Shard(primary.key, mapset, ASYNC)
    replica.load_snapshot(primary.snapshot(), "c0", now=0.0)
    assert sweep(replica, now=3700.0) == []
    assert sweep(primary, now=3700.0) == [["remove", "objectgridSessionMetadata", "old/c"]]
    assert set(primary.maps["objectgridSessionMetadata"]) == {"new/c"}
    assert set(primary.maps["objectgridSessionAttribute"]) == {"old/c_DATA"}


def test_sweep_interval_follows_the_shortest_ttl() -> None:
    mapsets = load_grids(SAMPLE_OG, SAMPLE_DP)["session"].mapsets
    assert sweep_interval(mapsets) == MAX_SWEEP
    assert sweep_interval([]) == MAX_SWEEP


@pytest.mark.parametrize(("evictor", "touched_survives"), [
    ("LAST_ACCESS_TIME", True), ("CREATION_TIME", False),
], ids=["last-access", "creation"])
def test_tiny_ttl_on_a_live_grid(tmp_path: Path, evictor: str, touched_survives: bool) -> None:
    og = write(tmp_path, "og.xml",
               objectgrid_xml(f'ttlEvictorType="{evictor}" timeToLive="1"'))
    dp = write(tmp_path, "dp.xml", deployment_xml(partitions=5))
    assert sweep_interval(load_grids(og, dp)["session"].mapsets) == max(MIN_SWEEP, 0.25)

    async def main() -> tuple[bytes | None, int]:
        async with grid_in_process(og, dp, ("c0", "c1"), flush_delay=0.05) as grid:
            client = await GridClient.connect(grid.catalog_endpoint, grid="session")
            try:
                await client.put("objectgridSessionMetadata", "touched/c", b"t")
                await client.put("objectgridSessionMetadata", "idle/c", b"i")
                await client.put("objectgridSessionAttribute", "idle/c_DATA", b"no ttl")
                # read one entry every 0.2 s until the other is evicted; findByKey looks
                # without reading, so it leaves the idle entry's access time alone
                deadline = asyncio.get_running_loop().time() + 20  # a 1 s TTL, swept every 0.25 s
                while await find_by_key(grid.catalog_endpoint, "session",
                                        "objectgridSessionMetadata", "idle/c"):
                    assert asyncio.get_running_loop().time() < deadline, "idle/c not evicted in 20 s"
                    await client.get("objectgridSessionMetadata", "touched/c")
                    await asyncio.sleep(0.2)
                await asyncio.sleep(0.3)  # the removal reaches the replica in one batch
                survivor = await client.get("objectgridSessionMetadata", "touched/c")
                sizes = await map_sizes(grid.catalog_endpoint, "session", "sessionMapSet")
                left = sum(r.entries for s in sizes for r in s.rows or ()
                           if r.map == "objectgridSessionMetadata")
                assert await client.get("objectgridSessionAttribute", "idle/c_DATA") == b"no ttl"
                return survivor, left
            finally:
                await client.close()

    survivor, left_on_primary_and_replica = asyncio.run(main())
    if touched_survives:
        assert survivor == b"t"
        assert left_on_primary_and_replica == 2  # the touched entry, on primary and replica
    else:
        assert survivor is None
