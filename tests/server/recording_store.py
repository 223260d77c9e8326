"""A dict-backed SessionStore that records every batch, to observe what managers write and when.

The real grid is exercised by the integration tests; these unit tests need to see the batches.
"""

from __future__ import annotations

from collections.abc import Sequence

from splicer.server.sessions.replication import Write


class RecordingStore:
    def __init__(self) -> None:
        self.maps: dict[str, dict[str, bytes]] = {}
        self.batches: list[list[Write]] = []
        self.gets: list[tuple[str, str]] = []
        self.fail_next = False
        self.closed = False

    async def get(self, map_name: str, key: str) -> bytes | None:
        self.gets.append((map_name, key))
        return self.maps.get(map_name, {}).get(key)

    async def write(self, writes: Sequence[Write]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("grid unreachable")
        self.batches.append(list(writes))
        for write in writes:
            entries = self.maps.setdefault(write.map_name, {})
            if write.value is None:
                entries.pop(write.key, None)
            else:
                entries[write.key] = write.value

    async def close(self) -> None:
        self.closed = True
