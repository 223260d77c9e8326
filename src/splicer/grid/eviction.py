"""Time-to-live eviction, as a backingMap's ttlEvictorType and timeToLive say."""

from __future__ import annotations

from collections.abc import Iterable

from splicer.grid.config import BackingMap, MapSet
from splicer.grid.store import Entry, Op, Shard

# How often a container sweeps at most / at least: a tiny timeToLive (tests) is swept a few
# times per lifetime, the documented 3600 s is swept once a second, which costs little.
MIN_SWEEP = 0.05
MAX_SWEEP = 1.0


def expired(bmap: BackingMap, entry: Entry, now: float) -> bool:
    """Whether the entry outlived its map's timeToLive, measured from the evictor's clock."""
    if bmap.ttl_evictor == "NONE" or bmap.time_to_live <= 0:
        return False
    since = {
        "CREATION_TIME": entry.created,
        "LAST_UPDATE_TIME": entry.updated,
        "LAST_ACCESS_TIME": entry.accessed,
    }[bmap.ttl_evictor]
    return now - since >= bmap.time_to_live


def sweep(shard: Shard, now: float) -> list[Op]:
    """Remove every expired entry of a primary shard; the removals, for the replicas.

    Replicas are never swept on their own: they follow their primary's removals, so a copy
    never disagrees with the primary about what is still alive.
    """
    removed: list[Op] = []
    if not shard.is_primary:
        return removed
    for name, entries in shard.maps.items():
        bmap = shard.backing_map(name)
        if bmap is None or bmap.ttl_evictor == "NONE":
            continue
        for key in [k for k, e in entries.items() if expired(bmap, e, now)]:
            removed.append(shard.remove(name, key))
    return removed


def sweep_interval(mapsets: Iterable[MapSet]) -> float:
    """A quarter of the shortest timeToLive, kept between MIN_SWEEP and MAX_SWEEP seconds."""
    ttls = [m.time_to_live for ms in mapsets for m in ms.maps
            if m.ttl_evictor != "NONE" and m.time_to_live > 0]
    if not ttls:
        return MAX_SWEEP
    return max(MIN_SWEEP, min(MAX_SWEEP, min(ttls) / 4))
