"""A container server: holds shards, serves reads and writes, replicates, follows the catalog."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable
from typing import Any

from splicer.grid import container_ops, fencing, heartbeat, membership
from splicer.grid.auth import AuthenticationFailed, GridAuthError, Peer, Security
from splicer.grid.bootstrap import describe_failure, wait_for_catalog
from splicer.grid.config import GridDefinition, MapSet
from splicer.grid.errors import GridError, GridUnavailableError
from splicer.grid.eviction import expired, sweep, sweep_interval
from splicer.grid.fencing import Refusal
from splicer.grid.hashing import partition_of
from splicer.grid.lease import Lease, lease_clock
from splicer.grid.listener import Listener, cancel_and_wait
from splicer.grid.placement import SYNC
from splicer.grid.protocol import (Channel, Message, ProtocolError, RemoteError, b64,
                                   error_reply, parse_endpoints, unb64)
from splicer.grid.replication import DEFAULT_FLUSH_DELAY, Ack, PeerLink, ReplicaState, replicate
from splicer.grid.store import Op, Shard, ShardKey, shard_name

log = logging.getLogger("splicer.grid")
Answer = Message | None | Awaitable[Message | None]


class Container:
    """One container server; ``start()`` listens and registers, ``stop()`` hands over."""

    def __init__(self, name: str, grids: dict[str, GridDefinition], catalog: str, *,
                 host: str = "localhost", port: int = 0,
                 flush_delay: float = DEFAULT_FLUSH_DELAY, catalog_wait: float = 30.0,
                 security: Security | None = None) -> None:
        self.name = name
        self.security = security or Security()
        self.grids = grids
        self.catalog_endpoints = parse_endpoints(catalog)
        self.host = host
        self.port = port
        self.flush_delay = flush_delay
        self.catalog_wait = catalog_wait  # bootstrap.py: how long its start waits for one
        self.heartbeat_interval = 1.0
        self.shards: dict[ShardKey, Shard] = {}
        self.replicas: dict[ShardKey, dict[str, ReplicaState]] = {}
        self.links: dict[str, PeerLink] = {}
        self.peers: dict[str, tuple[str, int]] = {}
        self.catalog: Channel | None = None
        self.last_failure = "no catalog server asked yet"  # why the last registration failed
        self.listener = Listener(self._accept)
        self.channels: set[Channel] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._acks: set[asyncio.Future[Message]] = set()
        self.lease = Lease()  # granted by the catalog; no primary serves without it
        self.leaving = False  # a clean stop began: the primaries serve no more requests
        self.renew_now = asyncio.Event()

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    # -- life cycle ----------------------------------------------------------------------
    async def start(self) -> str:
        self.port = await self.listener.start(self.host, self.port)
        try:
            # the app servers' wait (bootstrap.py): backoff with jitter, each wait logged
            await wait_for_catalog(self._register, lambda: self.last_failure,
                                   _fmt(self.catalog_endpoints), self.catalog_wait)
        except GridUnavailableError as exc:
            await self.close()
            raise GridUnavailableError(f"container {self.name}: {exc.reason}") from None
        except BaseException:
            await self.close()
            raise
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(heartbeat.keep(self)), loop.create_task(self._sweeper())]
        log.info("CWOBJ1001I: %s ObjectGrid server is ready to process requests.", self.name)
        return self.endpoint

    async def stop(self, timeout: float = 30.0) -> None:
        """Clean stop: the catalog moves our primaries to their replicas, then we leave."""
        self.leaving = True  # from now on clients go to the new primaries
        if self.catalog is not None and self.catalog.is_open:
            try:
                await self.catalog.request({"op": "leave", "name": self.name}, timeout)
            except (ProtocolError, RemoteError, asyncio.TimeoutError) as exc:
                log.warning("CWOBJ0050W: %s left without a handover: %s", self.name, exc)
        for link in self.links.values():
            link.flush(force=True)
        await asyncio.sleep(0)
        await self.close()
        log.info("CWOBJ0044I: %s stopped.", self.name)

    def crash(self) -> None:
        """Drop every connection at once, as a killed process would (in-process tests)."""
        self.lease.end()
        for task in self._tasks:
            task.cancel()
        self.listener.abort()
        for channel in [self.catalog, *self.channels,
                        *(link.channel for link in self.links.values())]:
            if channel is not None:
                channel.abort()
        for link in self.links.values():
            link.closed = True

    async def close(self) -> None:
        """Drop everything without a handover, and return once every task of this container
        has ended; after ``crash()``, waits for what the crash cancelled."""
        # nothing is served from here on: the catalog may take the listener's end for death
        self.leaving = True
        self.lease.end()
        await cancel_and_wait(self._tasks)
        await self.listener.close()
        for channel in [self.catalog, *self.channels]:
            if channel is not None:
                await channel.close()
        # last: the requests those connections carried may have written to the links
        for link in self.links.values():
            await link.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        channel = await membership.accept(
            reader, writer, me=Peer("container", self.name), security=self.security,
            handler=self._handle, name=f"{self.name}<-peer",
            admit=lambda peer: membership.admit_container_peer(peer, self.name,
                                                               lambda: self.peers))
        if channel is None:
            return
        self.channels.add(channel)
        await channel.finished()  # with its requests in flight: close() must reach them
        self.channels.discard(channel)

    async def _register(self) -> bool:
        # what we hold, with the epoch of its placement: a restarted catalog adopts the newest
        shards = [[k[0], k[1], k[2], s.role, s.epoch, s.is_primary or s.source is not None]
                  for k, s in self.shards.items()]
        message = {"op": "register", "name": self.name, "host": self.host, "port": self.port,
                   "grids": {n: g.to_json() for n, g in self.grids.items()}, "shards": shards}
        failures = []
        for host, port in self.catalog_endpoints:
            try:
                channel = await membership.dial(host, port, me=Peer("container", self.name),
                                                security=self.security, handler=self._handle,
                                                timeout=2.0, name=f"{self.name}->catalog")
            except AuthenticationFailed as exc:
                raise GridAuthError(f"container {self.name}: {exc}") from None
            except (OSError, asyncio.TimeoutError) as exc:
                failures.append(f"{host}:{port}: {describe_failure(exc)}")
                continue
            if membership.peer_of(channel).role != "catalog":
                await channel.close()
                raise GridError(f"{host}:{port} is {membership.peer_of(channel)}, not a catalog "
                                "server: check --catalog")
            # set before the answer: the catalog places shards (and our replicas report
            # shard_ready on this channel) before it answers the registration
            self.catalog = channel
            sent = lease_clock()
            try:
                reply = await channel.request(message, timeout=30.0)
            except RemoteError as exc:
                self.catalog = None
                await channel.close()
                raise GridError(f"the catalog refused container {self.name}: {exc.text}") from None
            except (ProtocolError, asyncio.TimeoutError) as exc:
                self.catalog = None
                await channel.close()
                failures.append(f"{host}:{port}: {describe_failure(exc)}")
                continue
            self.heartbeat_interval = float(reply.get("heartbeat_interval", 1.0))
            self.lease.length = float(reply.get("lease", self.lease.length))
            if reply.get("grant"):
                heartbeat.renewed(self, sent)
            return True
        self.last_failure = "; ".join(failures) or "no catalog endpoint"
        return False

    def renew_soon(self) -> None:
        """Ask for a lease grant now rather than at the next heartbeat."""
        self.renew_now.set()

    def sync_timeout(self) -> float:
        """How long a write waits for its synchronous replicas: a replica silent that long
        is probably paused, and dropped by the catalog soon after."""
        return max(self.lease.length, 1.0)

    async def _sweeper(self) -> None:
        interval = sweep_interval(ms for g in self.grids.values() for ms in g.mapsets)
        while True:
            await asyncio.sleep(interval)
            now = time.time()
            for shard in list(self.shards.values()):
                if not fencing.may_act(self, shard):
                    continue  # a replica's copy follows its primary; a fenced one waits
                removed = sweep(shard, now)
                if removed:
                    self.track(shard, replicate(self.name, shard,
                                                self.replicas.get(shard.key, {}),
                                                self.links, removed))

    def track(self, shard: Shard, acks: list[Ack]) -> None:
        """Answers nobody waits for: retrieved, and a refusal for a stale epoch heeded."""
        for ack in acks:
            self._acks.add(ack.future)
            ack.future.add_done_callback(functools.partial(self._untrack, shard, ack))

    def _untrack(self, shard: Shard, ack: Ack, _future: asyncio.Future[Message]) -> None:
        self._acks.discard(ack.future)
        fencing.answered(self, shard, ack)

    # -- requests ------------------------------------------------------------------------
    def _handle(self, channel: Channel, message: Message) -> Answer:
        op = message.get("op")
        handler = _HANDLERS.get(str(op))
        if handler is None:
            return error_reply("bad_request", f"unknown operation {op!r}")
        refusal = membership.container_refusal(self.name, channel, message)
        if refusal is not None:
            return refusal
        try:
            result: Answer = handler(self, message)
            return result
        except Refusal as exc:
            return error_reply(exc.code, str(exc))
        except (KeyError, TypeError, ValueError) as exc:
            return error_reply("bad_request", f"malformed {op} request: {exc!r}")

    def _mapset(self, message: Message) -> tuple[GridDefinition, MapSet]:
        grid = self.grids.get(str(message.get("grid")))
        if grid is None:
            raise Refusal("unknown_grid", f"grid {message.get('grid')!r} is not served here; "
                          f"grids: {', '.join(self.grids)}")
        mapset = grid.mapset(str(message.get("mapset")))
        if mapset is None:
            raise Refusal("unknown_map", f"mapSet {message.get('mapset')!r} is not in grid "
                          f"{grid.name!r}")
        return grid, mapset

    def _primary(self, message: Message, write: bool) -> Shard:
        grid, mapset = self._mapset(message)
        key: ShardKey = (grid.name, mapset.name, int(message["partition"]))
        shard = self.shards.get(key)
        if shard is None or not shard.is_primary:
            raise Refusal("not_primary", f"{self.name} holds no primary of {shard_name(key)}")
        fencing.check_request(self, shard, message)  # epoch, lease, handover
        if write and sum(s.kind == SYNC for s in self.replicas.get(key, {}).values()) < mapset.min_sync:
            raise Refusal("retry", f"{shard_name(key)} has fewer than minSyncReplicas="
                          f"{mapset.min_sync} synchronous replicas")
        return shard

    def _checked_map(self, shard: Shard, map_name: str, key: str) -> None:
        if shard.backing_map(map_name) is None:
            raise Refusal("unknown_map", f"map {map_name!r} is not in mapSet "
                          f"{shard.mapset.name!r} of grid {shard.key[0]!r}")
        if partition_of(key, shard.mapset.partitions) != shard.key[2]:
            raise Refusal("bad_request", f"key {key!r} does not belong to partition "
                          f"{shard.key[2]}")

    def op_get(self, message: Message) -> Message:
        shard = self._primary(message, write=False)
        map_name, key = str(message["map"]), str(message["key"])
        self._checked_map(shard, map_name, key)
        entries = shard.maps.get(map_name, {})
        entry = entries.get(key)
        bmap = shard.backing_map(map_name)
        now = time.time()
        if entry is None or bmap is None:
            return {"value": None}
        if expired(bmap, entry, now):
            self.track(shard, replicate(self.name, shard, self.replicas.get(shard.key, {}),
                                        self.links, [shard.remove(map_name, key)]))
            return {"value": None}
        entry.accessed = now
        return {"value": b64(entry.value)}

    def op_put(self, message: Message) -> Answer:
        return self._write(message, [["put", message["map"], message["key"], message["value"]]])

    def op_remove(self, message: Message) -> Answer:
        return self._write(message, [["remove", message["map"], message["key"]]])

    def op_batch(self, message: Message) -> Answer:
        return self._write(message, list(message["ops"]))

    def _write(self, message: Message, requested: list[list[Any]]) -> Answer:
        """Apply on the primary now (so arrival order is apply order), then replicate."""
        shard = self._primary(message, write=True)
        for kind, map_name, key, *_ in requested:
            if kind not in ("put", "remove"):
                raise Refusal("bad_request", f"unknown batch operation {kind!r}")
            self._checked_map(shard, str(map_name), str(key))
        done: list[Op] = []
        now = time.time()
        for kind, map_name, key, *value in requested:
            if kind == "put":
                done.append(shard.put(str(map_name), str(key), unb64(str(value[0])), now))
            else:
                done.append(shard.remove(str(map_name), str(key)))
        acks = replicate(self.name, shard, self.replicas.get(shard.key, {}), self.links, done)
        if not any(ack.sync for ack in acks):
            self.track(shard, acks)
            return {}
        # acknowledged only once every synchronous replica applied it (fencing.py)
        return fencing.await_sync(self, shard, acks)


def _fmt(endpoints: list[tuple[str, int]]) -> str:
    return ",".join(f"{h}:{p}" for h, p in endpoints)


_HANDLERS: dict[str, Any] = {
    "get": Container.op_get, "put": Container.op_put, "remove": Container.op_remove,
    "batch": Container.op_batch,
    **container_ops.HANDLERS,
}
