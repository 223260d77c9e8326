"""The data of one shard: its maps, entries with their times, and the operations on them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from splicer.grid.config import BackingMap, MapSet
from splicer.grid.placement import PRIMARY
from splicer.grid.protocol import b64, unb64

ShardKey = tuple[str, str, int]  # grid, mapSet, partition
# One replicated operation: ["put", map, key, base64 value, created, updated] or
# ["remove", map, key].  Idempotent, so a retried or re-sent operation does no harm.
Op = list[Any]


@dataclass
class Entry:
    value: bytes
    created: float
    updated: float
    accessed: float


def shard_name(key: ShardKey) -> str:
    return f"{key[0]}:{key[1]}:{key[2]}"


@dataclass
class Shard:
    """One partition of a mapSet held by this container, as primary or as a replica."""

    key: ShardKey
    mapset: MapSet
    role: str
    maps: dict[str, dict[str, Entry]] = field(default_factory=dict)
    source: str | None = None  # replicas: the primary whose snapshot this copy holds
    primary: str | None = None  # the primary that the newest placement known here names
    frozen: bool = False  # primaries: a handover is under way, requests wait for the new primary
    epoch: int = 0  # of the newest placement (or replication frame) this copy knows
    # primaries that heard of an epoch newer than theirs: when (lease clock) they stepped
    # down; they serve again once the placement of that epoch, or a fresher grant, arrives
    stepped_down: float | None = None
    heard: int = 0

    def __post_init__(self) -> None:
        for bmap in self.mapset.maps:
            if not bmap.template:
                self.maps.setdefault(bmap.name, {})

    @property
    def is_primary(self) -> bool:
        return self.role == PRIMARY

    def backing_map(self, name: str) -> BackingMap | None:
        return self.mapset.find_map(name)

    def map_for(self, name: str, create: bool) -> dict[str, Entry] | None:
        """The map's entries; a name a template matches is created on first write."""
        found = self.maps.get(name)
        if found is None and create and self.backing_map(name) is not None:
            found = self.maps[name] = {}
        return found

    def put(self, map_name: str, key: str, value: bytes, now: float | None = None) -> Op:
        now = time.time() if now is None else now
        entries = self.map_for(map_name, create=True)
        assert entries is not None, map_name  # callers resolve the map first
        old = entries.get(key)
        created = old.created if old else now
        entries[key] = Entry(value, created, now, now)
        return ["put", map_name, key, b64(value), created, now]

    def remove(self, map_name: str, key: str) -> Op:
        entries = self.maps.get(map_name)
        if entries is not None:
            entries.pop(key, None)
        return ["remove", map_name, key]

    def apply(self, ops: list[Op], now: float | None = None) -> None:
        """Replay a primary's operations on this copy (the replica side of replication)."""
        now = time.time() if now is None else now
        for op in ops:
            if op[0] == "put":
                entries = self.map_for(op[1], create=True)
                if entries is not None:
                    entries[op[2]] = Entry(unb64(op[3]), float(op[4]), float(op[5]), now)
            elif op[0] == "remove":
                self.remove(op[1], op[2])

    def snapshot(self) -> dict[str, list[list[Any]]]:
        return {name: [[k, b64(e.value), e.created, e.updated] for k, e in entries.items()]
                for name, entries in self.maps.items()}

    def load_snapshot(self, maps: dict[str, list[list[Any]]], source: str,
                      now: float | None = None) -> None:
        now = time.time() if now is None else now
        self.maps = {}
        self.__post_init__()
        for name, rows in maps.items():
            self.maps[name] = {k: Entry(unb64(v), float(c), float(u), now) for k, v, c, u in rows}
        self.source = source

    def promote(self, now: float | None = None) -> None:
        """Become the primary.  Replicas never see reads, so their access times are only a
        lower bound: restart every clock at promotion, so nothing is evicted early."""
        now = time.time() if now is None else now
        self.role = PRIMARY
        self.source = None
        self.frozen = False
        for entries in self.maps.values():
            for entry in entries.values():
                entry.accessed = now

    def sizes(self) -> list[tuple[str, int, int]]:
        """(map, entries, used bytes) for every map of the shard; bytes = keys + values."""
        return [(name, len(entries),
                 sum(len(k.encode("utf-8")) + len(e.value) for k, e in entries.items()))
                for name, entries in sorted(self.maps.items())]
