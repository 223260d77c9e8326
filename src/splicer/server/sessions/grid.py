"""Sessions kept in the grid, as the WXS HttpSessionFilter keeps them, with a near cache.

A cached session is revalidated on every access with one read of its metadata entry: the
metadata carries the attribute version (``sessionHandle``) and the writing clone
(``updatedBy``), and only when they differ from the cached copy are the attributes read
again.  So a session changed by the other server is never served stale, and an unchanged
one costs one small read.  A session whose own writes are still waiting for the next batch
(replicationInterval > 0) is served from the cache: it is newer than the grid's copy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from splicer.server.ids import new_session_id
from splicer.server.sessions import codec
from splicer.server.sessions.codec import ATTRIBUTE_MAP, METADATA_MAP, Metadata
from splicer.server.sessions.model import Session
from splicer.server.sessions.nearcache import NearCache
from splicer.server.sessions.replication import Replicator, SessionStore, Write

log = logging.getLogger("splicer.server")


@dataclass(frozen=True)
class GridSessionSettings:
    """The filter's context-params that shape storage (defaults: the 8.6 documentation)."""

    context_root: str
    clone_id: str
    max_inactive: int
    fragmented: bool = True
    table_size: int = 1000
    replication_interval: int = 10
    object_grid_name: str = "session"  # where the store connects; shown on /_splicer/status
    catalog: str = ""


class GridSessionManager:
    """HttpSessionFilter's session manager: grid storage, near cache, replication batches."""

    kind = "grid"

    def __init__(self, store: SessionStore, settings: GridSessionSettings, replicator: Replicator) -> None:
        self.store = store
        self.settings = settings
        self.replicator = replicator
        self.cache = NearCache(settings.table_size)
        self.reads = 0
        self.revalidated = 0

    def _key(self, session_id: str) -> str:
        return codec.session_key(session_id, self.settings.context_root)

    async def acquire(self, requested_id: str | None, *, reuse_id: bool, now_ms: int) -> Session:
        if requested_id is not None:
            found = await self._load(requested_id, now_ms)
            if found is not None:
                found.access(now_ms)
                return found
        session_id = requested_id if (requested_id is not None and reuse_id) else new_session_id()
        session = Session.create(session_id, self.settings.context_root, now_ms, self.settings.max_inactive)
        self.cache.put(self._key(session_id), session)
        return session

    async def _load(self, session_id: str, now_ms: int) -> Session | None:
        key = self._key(session_id)
        cached = self.cache.get(key)
        if cached is not None and self.replicator.has_pending(key):
            return None if cached.expired(now_ms) else cached
        self.reads += 1
        raw = await self.store.get(METADATA_MAP, key)
        if raw is None:
            self.cache.drop(key)
            return None
        try:
            meta = codec.parse_metadata(raw)
        except codec.MetadataFormatError:
            self.cache.drop(key)
            return None
        if meta.expired(now_ms):
            self.cache.drop(key)
            await self.replicator.submit(key, self._removals(meta))
            return None
        if cached is not None and (cached.version, cached.updated_by) == (meta.version, meta.updated_by):
            self.revalidated += 1
            cached.last_access_time = max(cached.last_access_time, meta.last_access_time)
            cached.max_inactive_interval = meta.max_inactive_interval
            return cached
        attributes = await self._read_attributes(meta)
        session = Session(
            id=session_id,
            context_root=self.settings.context_root,
            creation_time=meta.creation_time,
            last_access_time=meta.last_access_time,
            max_inactive_interval=meta.max_inactive_interval,
            attributes=attributes,
            version=meta.version,
            updated_by=meta.updated_by,
            previous_access_time=meta.last_access_time,
            is_new=False,
        )
        self.cache.put(key, session)
        return session

    async def _read_attributes(self, meta: Metadata) -> dict[str, str]:
        key = self._key(meta.session_id)
        if not self.settings.fragmented:
            raw = await self.store.get(ATTRIBUTE_MAP, key)
            return codec.decode_blob(raw) if raw is not None else {}
        attributes: dict[str, str] = {}
        for name in meta.attribute_names:
            raw = await self.store.get(ATTRIBUTE_MAP, codec.attribute_key(meta.session_id, meta.context_root, name))
            if raw is not None:
                attributes[name] = codec.decode_value(raw)
        return attributes

    def _removals(self, meta: Metadata) -> list[Write]:
        key = self._key(meta.session_id)
        writes = [Write(METADATA_MAP, key, None), Write(ATTRIBUTE_MAP, key, None)]
        writes += [
            Write(ATTRIBUTE_MAP, codec.attribute_key(meta.session_id, meta.context_root, name), None)
            for name in meta.attribute_names
        ]
        return writes

    async def release(self, session: Session, now_ms: int) -> None:
        """Write the metadata (last access changes every time) and the attributes: only the
        changed ones when fragmented, the whole session otherwise (fragmentedSession=false
        replicates the full session on every request that used it)."""
        settings = self.settings
        if session.changed:
            session.version += 1
            session.updated_by = settings.clone_id
        key = self._key(session.id)
        writes: list[Write] = []
        if settings.fragmented:
            for name in sorted(session.dirty):
                value = codec.encode_value(session.attributes[name])
                writes.append(Write(ATTRIBUTE_MAP, codec.attribute_key(session.id, settings.context_root, name), value))
            for name in sorted(session.removed):
                writes.append(Write(ATTRIBUTE_MAP, codec.attribute_key(session.id, settings.context_root, name), None))
        else:
            writes.append(Write(ATTRIBUTE_MAP, key, codec.encode_blob(session.attributes)))
        # Metadata last: a reader that sees the new version finds the attributes in place.
        meta = Metadata(
            session_id=session.id,
            context_root=settings.context_root,
            version=session.version,
            updated_by=session.updated_by,
            attribute_names=tuple(sorted(session.attributes)),
            creation_time=session.creation_time,
            last_access_time=session.last_access_time,
            max_inactive_interval=session.max_inactive_interval,
        )
        writes.append(Write(METADATA_MAP, key, codec.render_metadata(meta)))
        session.mark_clean()
        self.cache.put(key, session)
        await self.replicator.submit(key, writes)

    async def close(self) -> None:
        flushed = await self.replicator.stop()
        if flushed:
            log.info("SESN0310I: %s: %d pending session writes flushed to the grid", self.settings.context_root, flushed)
        self.cache.clear()

    def describe(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "objectGridName": self.settings.object_grid_name,
            "catalog": self.settings.catalog,
            "fragmentedSession": self.settings.fragmented,
            "sessionTableSize": self.settings.table_size,
            "replicationInterval": self.settings.replication_interval,
            "cached": len(self.cache),
            "evictions": self.cache.evictions,
            "metadataReads": self.reads,
            "revalidatedFromCache": self.revalidated,
            "pendingWrites": self.replicator.pending_count,
            "batches": self.replicator.batches,
            "written": self.replicator.written,
        }
