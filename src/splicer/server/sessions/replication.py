"""replicationInterval: write changed sessions at the end of each request, or in batches.

With an interval of 0 the writes of a request reach the store before its response is sent.
With N seconds, writes are coalesced per key and sent as one batch every N seconds, and on a
clean stop; a crash loses whatever was still waiting, exactly the risk the real setting has.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("splicer.server")


@dataclass(frozen=True)
class Write:
    """One change to the store: a put, or a remove when ``value`` is None."""

    map_name: str
    key: str
    value: bytes | None


class SessionStore(Protocol):
    """The two operations a session manager needs from the grid."""

    async def get(self, map_name: str, key: str) -> bytes | None: ...

    async def write(self, writes: Sequence[Write]) -> None:
        """Apply *writes* in order; return once the store acknowledged all of them."""
        ...


class Replicator:
    """Sends the writes of released sessions to the store, now or every *interval* seconds.

    *tick* replaces the wait between batches (``asyncio.sleep(interval)``) so tests can
    drive batches by hand.
    """

    def __init__(
        self,
        store: SessionStore,
        interval: float,
        *,
        tick: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if interval < 0:
            raise ValueError(f"replication interval must be 0 or more seconds, not {interval}")
        self.store = store
        self.interval = interval
        self._tick = tick or (lambda: asyncio.sleep(interval))
        # session key -> (map, key) -> latest write: coalesced, in order of last change.
        self._pending: dict[str, dict[tuple[str, str], Write]] = {}
        self._inflight: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.written = 0

    @property
    def batched(self) -> bool:
        return self.interval > 0

    @property
    def pending_count(self) -> int:
        return sum(len(writes) for writes in self._pending.values())

    def has_pending(self, session_key: str) -> bool:
        """True while the store does not yet hold this session's latest writes."""
        return session_key in self._pending or session_key in self._inflight

    async def submit(self, session_key: str, writes: Sequence[Write]) -> None:
        if not writes:
            return
        if not self.batched:
            await self.store.write(writes)
            self.written += len(writes)
            return
        queued = self._pending.setdefault(session_key, {})
        for write in writes:
            # Re-inserting moves the key to the end, so a batch keeps the order of last change.
            queued.pop((write.map_name, write.key), None)
            queued[(write.map_name, write.key)] = write

    async def flush(self) -> int:
        """Send everything pending as one batch; on failure it stays pending (unless newer
        writes for the same keys arrived meanwhile) and the error propagates."""
        if not self._pending:
            return 0
        taken = self._pending
        self._pending = {}
        self._inflight = set(taken)
        writes = [write for queued in taken.values() for write in queued.values()]
        try:
            await self.store.write(writes)
        except BaseException:
            for session_key, queued in taken.items():
                newer = self._pending.setdefault(session_key, {})
                for key, write in queued.items():
                    newer.setdefault(key, write)
            raise
        finally:
            self._inflight = set()
        self.batches += 1
        self.written += len(writes)
        return len(writes)

    def start(self) -> None:
        if self.batched and self._task is None:
            self._task = asyncio.create_task(self._run(), name="splicer-replicator")

    async def stop(self) -> int:
        """Clean stop: no more batches on the timer, then one last flush of what is pending."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        return await self.flush()

    async def _run(self) -> None:
        while True:
            await self._tick()
            try:
                count = await self.flush()
            except Exception as exc:  # a grid outage must not kill the timer; retry next tick
                log.error("SESN0300E: replication batch of %d writes failed: %s", self.pending_count, exc)
            else:
                if count:
                    log.debug("replicated %d writes", count)
