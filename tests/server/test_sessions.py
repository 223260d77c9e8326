"""Session managers: grid layout (fragmented or not), near cache, revalidation, batching."""

from __future__ import annotations

import asyncio

import pytest

from splicer.server.sessions.codec import (
    ATTRIBUTE_MAP,
    METADATA_MAP,
    Metadata,
    MetadataFormatError,
    parse_metadata,
    render_metadata,
)
from splicer.server.sessions.grid import GridSessionManager, GridSessionSettings
from splicer.server.sessions.local import LocalSessionManager
from splicer.server.sessions.nearcache import NearCache
from splicer.server.sessions.model import Session
from splicer.server.sessions.replication import Replicator, Write
from .recording_store import RecordingStore

SID = "4WnQaKbKMCdHRuD5PWdsZJf"
T0 = 1_375_239_609_000


def grid_manager(
    store: RecordingStore, *, clone: str = "A", fragmented: bool = True, interval: int = 0, table_size: int = 100
) -> GridSessionManager:
    settings = GridSessionSettings(
        "/MySessionTestWeb", clone, 1800, fragmented=fragmented, table_size=table_size, replication_interval=interval
    )
    return GridSessionManager(store, settings, Replicator(store, interval))


async def store_data(manager: GridSessionManager, session_id: str | None, value: str, now: int) -> Session:
    session = await manager.acquire(session_id, reuse_id=False, now_ms=now)
    session.set_attribute("DATA", value)
    await manager.release(session, now)
    return session


def test_metadata_round_trip_and_readable_form() -> None:
    meta = Metadata(SID, "/MySessionTestWeb", 3, "17f69k519", ("DATA", "a, b]"), T0, T0 + 5, 1800)
    raw = render_metadata(meta)
    assert raw.startswith(f"IBMHttpSessionData<{SID}>[sessionHandle=3, attributesSize=2, webApp=/MySessionTestWeb, ".encode())
    assert parse_metadata(raw) == meta


@pytest.mark.parametrize(
    "raw",
    [b"test02", b"IBMHttpSessionData<x>[sessionHandle=1]", b"IBMHttpSessionData<x>[sessionHandle]"],
    ids=["not-metadata", "missing-fields", "field-without-value"],
)
def test_metadata_refuses_foreign_values(raw: bytes) -> None:
    with pytest.raises(MetadataFormatError):
        parse_metadata(raw)


@pytest.mark.parametrize(
    ("fragmented", "attribute_entries"),
    [
        (True, {f"{SID}/MySessionTestWeb_DATA": b"test02"}),
        (False, {f"{SID}/MySessionTestWeb": b'{"DATA": "test02"}'}),
    ],
    ids=["fragmented-one-entry-per-attribute", "whole-session-one-entry"],
)
def test_grid_layout(fragmented: bool, attribute_entries: dict[str, bytes]) -> None:
    store = RecordingStore()
    manager = grid_manager(store, fragmented=fragmented)
    session = asyncio.run(store_data(manager, SID, "test02", T0))
    # reuse_id was False and the id was unknown: a fresh id, so look the keys up by it.
    expected = {k.replace(SID, session.id): v for k, v in attribute_entries.items()}
    assert store.maps[ATTRIBUTE_MAP] == expected
    meta = parse_metadata(store.maps[METADATA_MAP][f"{session.id}/MySessionTestWeb"])
    assert (meta.attribute_names, meta.version, meta.updated_by) == (("DATA",), 1, "A")


@pytest.mark.parametrize("fragmented", [True, False], ids=["fragmented", "whole"])
def test_other_server_reads_same_session(fragmented: bool) -> None:
    async def run() -> tuple[Session, Session]:
        store = RecordingStore()
        first = await store_data(grid_manager(store, clone="A", fragmented=fragmented), None, "test02", T0)
        other = grid_manager(store, clone="B", fragmented=fragmented)
        seen = await other.acquire(first.id, reuse_id=False, now_ms=T0 + 1000)
        return first, seen

    first, seen = asyncio.run(run())
    assert (seen.id, seen.get_attribute("DATA"), seen.creation_time, seen.is_new) == (first.id, "test02", T0, False)


def test_cached_session_revalidated_against_grid() -> None:
    async def run() -> tuple[str | None, int, int]:
        store = RecordingStore()
        a, b = grid_manager(store, clone="A"), grid_manager(store, clone="B")
        created = await store_data(a, None, "one", T0)
        await store_data(b, created.id, "two", T0 + 1)  # B changes it; A's cached copy is now stale
        again = await a.acquire(created.id, reuse_id=False, now_ms=T0 + 2)
        value = again.get_attribute("DATA")
        await a.release(again, T0 + 2)
        unchanged = await a.acquire(created.id, reuse_id=False, now_ms=T0 + 3)
        return value, a.revalidated, unchanged.version

    value, revalidated, version = asyncio.run(run())
    assert value == "two"  # not the stale "one" of the near cache
    assert (revalidated, version) == (1, 2)  # third access: metadata matched, cache served


def test_near_cache_is_lru_bounded() -> None:
    cache = NearCache(2)
    sessions = [Session.create(f"{i:0>23}", "/w", T0, 60) for i in range(3)]
    cache.put("a", sessions[0])
    cache.put("b", sessions[1])
    assert cache.get("a") is sessions[0]  # a is now the most recent
    cache.put("c", sessions[2])
    assert ("a" in cache, "b" in cache, "c" in cache, len(cache), cache.evictions) == (True, False, True, 2, 1)


def test_manager_cache_never_exceeds_table_size() -> None:
    async def run() -> tuple[int, list[str]]:
        store = RecordingStore()
        manager = grid_manager(store, table_size=3)
        made = [await store_data(manager, None, str(i), T0 + i) for i in range(5)]
        evicted = await manager.acquire(made[0].id, reuse_id=False, now_ms=T0 + 10)
        return len(manager.cache), [made[0].id, evicted.id, evicted.get_attribute("DATA") or ""]

    size, (wanted, got, data) = asyncio.run(run())
    assert size == 3
    assert (got, data) == (wanted, "0")  # evicted from the cache, still found in the grid


def test_replication_interval_batches_until_tick_and_flushes_on_stop() -> None:
    async def run() -> tuple[list[int], list[int], int, bytes | None]:
        ticks: asyncio.Queue[None] = asyncio.Queue()
        store = RecordingStore()
        replicator = Replicator(store, 10, tick=ticks.get)
        settings = GridSessionSettings("/w", "A", 1800, replication_interval=10)
        manager = GridSessionManager(store, settings, replicator)
        replicator.start()
        first = await store_data(manager, None, "x", T0)
        await store_data(manager, first.id, "y", T0 + 1)
        before = [len(b) for b in store.batches]
        ticks.put_nowait(None)
        for _ in range(100):  # let the replicator task take the tick and write its batch
            if replicator.batches:
                break
            await asyncio.sleep(0)
        after_tick = [len(b) for b in store.batches]
        await store_data(manager, first.id, "z", T0 + 2)
        pending = replicator.pending_count
        await manager.close()
        return before, after_tick, pending, store.maps[ATTRIBUTE_MAP].get(f"{first.id}/w_DATA")

    before, after_tick, pending, final = asyncio.run(run())
    assert before == []  # nothing written within the interval
    assert after_tick == [2]  # one batch, coalesced: one attribute and one metadata entry
    assert pending == 2
    assert final == b"z"  # the clean stop flushed the last change


def test_interval_zero_writes_before_release_returns() -> None:
    store = RecordingStore()
    manager = grid_manager(store, interval=0)
    session = asyncio.run(store_data(manager, None, "now", T0))
    assert store.maps[ATTRIBUTE_MAP][f"{session.id}/MySessionTestWeb_DATA"] == b"now"
    assert len(store.batches) == 1


def test_failed_batch_stays_pending_and_newer_write_wins() -> None:
    async def run() -> tuple[int, bytes | None]:
        store = RecordingStore()
        replicator = Replicator(store, 5)
        await replicator.submit("s/w", [Write(ATTRIBUTE_MAP, "s/w_DATA", b"old")])
        store.fail_next = True
        with pytest.raises(ConnectionError):
            await replicator.flush()
        await replicator.submit("s/w", [Write(ATTRIBUTE_MAP, "s/w_DATA", b"new")])
        pending = replicator.pending_count
        await replicator.flush()
        return pending, store.maps[ATTRIBUTE_MAP].get("s/w_DATA")

    assert asyncio.run(run()) == (1, b"new")


def test_pending_session_served_from_cache_not_from_grid() -> None:
    async def run() -> tuple[str | None, int]:
        store = RecordingStore()
        manager = grid_manager(store, interval=10)
        created = await store_data(manager, None, "local", T0)
        store.gets.clear()
        again = await manager.acquire(created.id, reuse_id=False, now_ms=T0 + 1)
        return again.get_attribute("DATA"), len(store.gets)

    assert asyncio.run(run()) == ("local", 0)


@pytest.mark.parametrize(
    ("reuse", "same_id"), [(True, True), (False, False)], ids=["id-reuse", "no-reuse"]
)
def test_unknown_id_reuse(reuse: bool, same_id: bool) -> None:
    store = RecordingStore()
    for manager in (grid_manager(store), LocalSessionManager("/w", 60)):
        session = asyncio.run(manager.acquire(SID, reuse_id=reuse, now_ms=T0))
        assert (session.id == SID, session.is_new) == (same_id, True)


def test_expired_sessions_are_not_returned() -> None:
    async def run() -> tuple[bool, bool, dict[str, bytes]]:
        store = RecordingStore()
        grid = grid_manager(store)
        local = LocalSessionManager("/w", 1)
        g = await store_data(grid, None, "x", T0)
        s = await local.acquire(None, reuse_id=False, now_ms=T0)
        late = T0 + 1_801_000
        g2 = await grid.acquire(g.id, reuse_id=False, now_ms=late)
        s2 = await local.acquire(s.id, reuse_id=False, now_ms=T0 + 2000)
        return g2.id == g.id, s2.id == s.id, store.maps[ATTRIBUTE_MAP]

    grid_same, local_same, attributes = asyncio.run(run())
    assert (grid_same, local_same, attributes) == (False, False, {})
