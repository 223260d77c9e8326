"""One HTTP session and the interface every session manager offers the HTTP layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Session:
    """An HttpSession: times in epoch milliseconds, string attributes, change tracking.

    ``version`` and ``updated_by`` identify the attribute contents: every write that changes
    an attribute bumps the version and names the writing clone, so a near-cached copy can be
    checked against the grid's metadata without reading the attributes again.
    """

    id: str
    context_root: str
    creation_time: int
    last_access_time: int
    max_inactive_interval: int
    attributes: dict[str, str] = field(default_factory=dict)
    version: int = 0
    updated_by: str = ""
    # getLastAccessedTime() during a request: the access before this one (servlet semantics).
    previous_access_time: int = 0
    is_new: bool = True
    dirty: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)

    @classmethod
    def create(cls, session_id: str, context_root: str, now_ms: int, max_inactive: int) -> Session:
        return cls(session_id, context_root, now_ms, now_ms, max_inactive, previous_access_time=now_ms)

    def get_attribute(self, name: str) -> str | None:
        return self.attributes.get(name)

    def set_attribute(self, name: str, value: str) -> None:
        self.attributes[name] = value
        self.dirty.add(name)
        self.removed.discard(name)

    def remove_attribute(self, name: str) -> None:
        if self.attributes.pop(name, None) is not None:
            self.removed.add(name)
            self.dirty.discard(name)

    @property
    def changed(self) -> bool:
        return bool(self.dirty or self.removed)

    def expired(self, now_ms: int) -> bool:
        """A max inactive interval of 0 or less means the session never times out."""
        if self.max_inactive_interval <= 0:
            return False
        return now_ms - self.last_access_time > self.max_inactive_interval * 1000

    def access(self, now_ms: int) -> None:
        """Start of a request that uses the session."""
        self.previous_access_time = self.last_access_time
        self.last_access_time = now_ms

    def mark_clean(self) -> None:
        self.dirty.clear()
        self.removed.clear()
        self.is_new = False


class SessionManager(Protocol):
    """What a deployed module asks of its session manager, once per request."""

    kind: str  # "grid" or "local", shown on /_splicer/status

    async def acquire(self, requested_id: str | None, *, reuse_id: bool, now_ms: int) -> Session:
        """The requested session when it exists and is valid; else a new one (under the
        requested id when *reuse_id* is set, HttpSessionIdReuse)."""
        ...

    async def release(self, session: Session, now_ms: int) -> None:
        """End of the request: store what changed (now, or queued for the next batch)."""
        ...

    async def close(self) -> None:
        """Clean stop: every pending write reaches its store."""
        ...

    def describe(self) -> dict[str, object]:
        """Settings and counters for /_splicer/status."""
        ...
