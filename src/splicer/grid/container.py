"""A container server: holds shards, serves reads and writes, replicates, follows the catalog."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from typing import Any

from splicer.grid import container_ops, membership
from splicer.grid.auth import AuthenticationFailed, GridAuthError, Peer, Security
from splicer.grid.catalog import listen
from splicer.grid.config import GridDefinition, MapSet
from splicer.grid.container_ops import Refusal
from splicer.grid.errors import GridError
from splicer.grid.eviction import expired, sweep, sweep_interval
from splicer.grid.hashing import partition_of
from splicer.grid.placement import SYNC
from splicer.grid.protocol import (Channel, Message, ProtocolError, RemoteError, b64,
                                   error_reply, parse_endpoints, unb64)
from splicer.grid.replication import (DEFAULT_FLUSH_DELAY, PeerLink, ReplicaState, barrier,
                                      replicate)
from splicer.grid.store import Op, Shard, ShardKey, shard_name

log = logging.getLogger("splicer.grid")
Answer = Message | None | Awaitable[Message | None]


class Container:
    """One container server; ``start()`` listens and registers, ``stop()`` hands over."""

    def __init__(self, name: str, grids: dict[str, GridDefinition], catalog: str, *,
                 host: str = "localhost", port: int = 0,
                 flush_delay: float = DEFAULT_FLUSH_DELAY, catalog_timeout: float = 30.0,
                 security: Security | None = None) -> None:
        self.name = name
        self.security = security or Security()
        self.grids = grids
        self.catalog_endpoints = parse_endpoints(catalog)
        self.host = host
        self.port = port
        self.flush_delay = flush_delay
        self.catalog_timeout = catalog_timeout
        self.heartbeat_interval = 1.0
        self.shards: dict[ShardKey, Shard] = {}
        self.replicas: dict[ShardKey, dict[str, ReplicaState]] = {}
        self.links: dict[str, PeerLink] = {}
        self.peers: dict[str, tuple[str, int]] = {}
        self.catalog: Channel | None = None
        self.server: asyncio.Server | None = None
        self.channels: set[Channel] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._acks: set[asyncio.Future[Message]] = set()

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    # -- life cycle ----------------------------------------------------------------------
    async def start(self) -> str:
        self.server = await listen(self._accept, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        deadline = time.monotonic() + self.catalog_timeout
        try:
            while not await self._register():
                if time.monotonic() > deadline:
                    raise GridError(f"container {self.name} reached no catalog server at "
                                    f"{_fmt(self.catalog_endpoints)} in "
                                    f"{self.catalog_timeout:g} s")
                await asyncio.sleep(0.2)
        except BaseException:
            await self._close_all()
            raise
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._heartbeats()), loop.create_task(self._sweeper())]
        log.info("CWOBJ1001I: %s ObjectGrid server is ready to process requests.", self.name)
        return self.endpoint

    async def stop(self, timeout: float = 30.0) -> None:
        """Clean stop: the catalog moves our primaries to their replicas, then we leave."""
        if self.catalog is not None and self.catalog.is_open:
            try:
                await self.catalog.request({"op": "leave", "name": self.name}, timeout)
            except (ProtocolError, RemoteError, asyncio.TimeoutError) as exc:
                log.warning("CWOBJ0050W: %s left without a handover: %s", self.name, exc)
        for link in self.links.values():
            link.flush()
        await asyncio.sleep(0)
        await self._close_all()
        log.info("CWOBJ0044I: %s stopped.", self.name)

    def crash(self) -> None:
        """Drop every connection at once, as a killed process would (in-process tests)."""
        for task in self._tasks:
            task.cancel()
        if self.server is not None:
            self.server.close()
        for channel in [self.catalog, *self.channels,
                        *(link.channel for link in self.links.values())]:
            if channel is not None:
                channel.abort()
        for link in self.links.values():
            link.closed = True

    async def _close_all(self) -> None:
        for task in self._tasks:
            task.cancel()
        for link in self.links.values():
            await link.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        for channel in [self.catalog, *self.channels]:
            if channel is not None:
                await channel.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        channel = await membership.accept(
            reader, writer, me=Peer("container", self.name), security=self.security,
            handler=self._handle, name=f"{self.name}<-peer",
            admit=lambda peer: membership.admit_container_peer(peer, self.name,
                                                               lambda: self.peers))
        if channel is None:
            return
        self.channels.add(channel)
        await channel.closed.wait()
        self.channels.discard(channel)

    async def _register(self) -> bool:
        shards = [[k[0], k[1], k[2], s.role] for k, s in self.shards.items()]
        message = {"op": "register", "name": self.name, "host": self.host, "port": self.port,
                   "grids": {n: g.to_json() for n, g in self.grids.items()}, "shards": shards}
        for host, port in self.catalog_endpoints:
            try:
                channel = await membership.dial(host, port, me=Peer("container", self.name),
                                                security=self.security, handler=self._handle,
                                                timeout=2.0, name=f"{self.name}->catalog")
            except AuthenticationFailed as exc:
                raise GridAuthError(f"container {self.name}: {exc}") from None
            except (OSError, asyncio.TimeoutError):
                continue
            if membership.peer_of(channel).role != "catalog":
                await channel.close()
                raise GridError(f"{host}:{port} is {membership.peer_of(channel)}, not a catalog "
                                "server: check --catalog")
            # set before the answer: the catalog places shards (and our replicas report
            # shard_ready on this channel) before it answers the registration
            self.catalog = channel
            try:
                reply = await channel.request(message, timeout=30.0)
            except RemoteError as exc:
                self.catalog = None
                await channel.close()
                raise GridError(f"the catalog refused container {self.name}: {exc.text}") from None
            except (ProtocolError, asyncio.TimeoutError):
                self.catalog = None
                await channel.close()
                continue
            self.heartbeat_interval = float(reply.get("heartbeat_interval", 1.0))
            return True
        return False

    async def _heartbeats(self) -> None:
        lost = False
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            container_ops.repair(self)
            if self.catalog is not None and self.catalog.is_open:
                with contextlib.suppress(ProtocolError):
                    self.catalog.send({"op": "heartbeat", "name": self.name})
                continue
            if not lost:
                log.warning("CWOBJ7211W: %s lost the catalog service; placement is frozen, "
                            "shards keep serving.", self.name)
                lost = True
            with contextlib.suppress(GridError):
                if await self._register():
                    log.info("CWOBJ7212I: %s registered again with the catalog service.",
                             self.name)
                    lost = False

    async def _sweeper(self) -> None:
        interval = sweep_interval(ms for g in self.grids.values() for ms in g.mapsets)
        while True:
            await asyncio.sleep(interval)
            now = time.time()
            for shard in list(self.shards.values()):
                removed = sweep(shard, now)
                if removed:
                    self._track(replicate(self.name, shard, self.replicas.get(shard.key, {}),
                                          self.links, removed))

    def _track(self, acks: list[asyncio.Future[Message]]) -> None:
        for ack in acks:  # answers nobody waits for must still be retrieved
            self._acks.add(ack)
            ack.add_done_callback(self._untrack)

    def _untrack(self, ack: asyncio.Future[Message]) -> None:
        self._acks.discard(ack)
        if not ack.cancelled():
            ack.exception()

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
        if write and shard.frozen:
            raise Refusal("retry", f"{shard_name(key)} is moving to another container")
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
            self._track(replicate(self.name, shard, self.replicas.get(shard.key, {}),
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
        if not acks:
            return {}
        return self._await_sync(shard, acks)

    async def _await_sync(self, shard: Shard, acks: list[asyncio.Future[Message]]) -> Message:
        results = await asyncio.gather(*acks, return_exceptions=True)
        for result in results:
            if isinstance(result, dict) and result.get("error") == "need_snapshot":
                # a replica lost track: give the sync ones the whole shard, which holds
                # this write, before answering
                states = self.replicas.get(shard.key, {})
                for state in states.values():
                    state.needs_snapshot = state.needs_snapshot or state.kind == SYNC
                await barrier(self.name, shard, states, self.links, 10.0)
                break
        # a replica that died took the ack with it; the catalog re-places it
        return {}


def _fmt(endpoints: list[tuple[str, int]]) -> str:
    return ",".join(f"{h}:{p}" for h, p in endpoints)


_HANDLERS: dict[str, Any] = {
    "get": Container.op_get, "put": Container.op_put, "remove": Container.op_remove,
    "batch": Container.op_batch,
    **container_ops.HANDLERS,
}
