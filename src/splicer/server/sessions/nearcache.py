"""The near cache of grid sessions: at most ``sessionTableSize`` entries, least recently used out."""

from __future__ import annotations

from collections import OrderedDict

from splicer.server.sessions.model import Session


class NearCache:
    """An LRU map of session key -> Session.  Evicting is always safe: pending writes live in
    the replicator, not here, and an evicted session is simply read from the grid again."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"near cache capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[str, Session] = OrderedDict()
        self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def get(self, key: str) -> Session | None:
        session = self._entries.get(key)
        if session is not None:
            self._entries.move_to_end(key)
        return session

    def put(self, key: str, session: Session) -> None:
        self._entries[key] = session
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
            self.evictions += 1

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
