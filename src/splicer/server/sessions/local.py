"""Sessions kept in the server's memory only: they die with the process."""

from __future__ import annotations

from splicer.server.ids import new_session_id
from splicer.server.sessions.model import Session

# Expired sessions are swept at most this often (ms); each access also checks its own session.
SWEEP_EVERY_MS = 60_000


class LocalSessionManager:
    """The web container's own in-memory session table (no persistence, no sharing)."""

    kind = "local"

    def __init__(self, context_root: str, max_inactive: int) -> None:
        self.context_root = context_root
        self.max_inactive = max_inactive
        self._sessions: dict[str, Session] = {}
        self._last_sweep = 0

    def __len__(self) -> int:
        return len(self._sessions)

    async def acquire(self, requested_id: str | None, *, reuse_id: bool, now_ms: int) -> Session:
        self._sweep(now_ms)
        if requested_id is not None:
            found = self._sessions.get(requested_id)
            if found is not None and not found.expired(now_ms):
                found.access(now_ms)
                return found
            self._sessions.pop(requested_id, None)
        session_id = requested_id if (requested_id is not None and reuse_id) else new_session_id()
        session = Session.create(session_id, self.context_root, now_ms, self.max_inactive)
        self._sessions[session_id] = session
        return session

    async def release(self, session: Session, now_ms: int) -> None:
        session.mark_clean()

    async def close(self) -> None:
        self._sessions.clear()

    def describe(self) -> dict[str, object]:
        return {"kind": self.kind, "sessions": len(self._sessions), "maxInactiveInterval": self.max_inactive}

    def _sweep(self, now_ms: int) -> None:
        if now_ms - self._last_sweep < SWEEP_EVERY_MS:
            return
        self._last_sweep = now_ms
        for session_id in [s.id for s in self._sessions.values() if s.expired(now_ms)]:
            del self._sessions[session_id]
