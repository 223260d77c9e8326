"""The catalog server: container membership, leases, shard placement, handovers and routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field

from splicer.grid import membership, routes
from splicer.grid.auth import Peer, Security
from splicer.grid.config import GridDefinition
from splicer.grid.errors import GridError
from splicer.grid.lease import LEASE_SHARE, SURELY_OVER, check_timeouts, nothing_listens
from splicer.grid.listener import Listener, cancel_and_wait
from splicer.grid.placement import Claim, MapSetPlacement
from splicer.grid.protocol import Channel, Message, ProtocolError, RemoteError, error_reply

log = logging.getLogger("splicer.grid")
PlacementKey = tuple[str, str]  # grid, mapSet
Answer = Message | None | Awaitable[Message | None]


@dataclass
class Member:
    name: str
    host: str
    port: int
    channel: Channel
    grids: set[str]
    last_seen: float = field(default_factory=time.monotonic)
    leaving: bool = False
    gone_reason: str = "its connection closed"
    last_grant: float = 0.0  # when (monotonic) the catalog last granted it a lease
    claims: list[tuple[str, str, Claim]] = field(default_factory=list)  # told while settling
    gone: bool = False  # connection closed: forgotten once its lease is surely over
    forgetting: asyncio.Task[None] | None = None


def parse_catalog_endpoints(text: str, name: str) -> tuple[str, int, int]:
    """``name:host:clientPort:peerPort[,...]`` -> this server's (host, clientPort, peerPort).

    Only a domain of one catalog server is emulated: peers would need the quorum protocol.
    """
    entries = []
    for part in text.split(","):
        fields = part.strip().split(":")
        if len(fields) != 4 or not fields[2].isdigit() or not fields[3].isdigit():
            raise GridError(f"catalog endpoint {part.strip()!r} is not "
                            "serverName:hostName:clientPort:peerPort")
        entries.append((fields[0], fields[1], int(fields[2]), int(fields[3])))
    own = [e for e in entries if e[0] == name]
    if not own:
        raise GridError(f"catalog server {name!r} is not in --catalog-endpoints {text!r}")
    if len(entries) > 1:
        raise GridError("a catalog service domain of several catalog servers is not emulated; "
                        f"give only {name}'s own endpoint")
    return own[0][1], own[0][2], own[0][3]


class Catalog:
    """One catalog server; containers register on its listener port, clients ask it routes."""

    def __init__(self, name: str, *, host: str = "localhost", port: int = 2809,
                 heartbeat_interval: float = 1.0, failure_timeout: float = 5.0,
                 handover_timeout: float = 10.0, security: Security | None = None) -> None:
        self.name = name
        self.security = security or Security()
        self.host = host
        self.port = port
        self.heartbeat_interval = heartbeat_interval
        self.failure_timeout = failure_timeout
        problem = check_timeouts(heartbeat_interval, failure_timeout)
        if problem is not None:
            raise GridError(problem)
        self.lease = failure_timeout * LEASE_SHARE  # what a grant lets a container serve
        self.handover_timeout = handover_timeout
        self.definitions: dict[str, GridDefinition] = {}
        self.members: dict[str, Member] = {}
        self.placements: dict[PlacementKey, MapSetPlacement] = {}
        self.epoch = 0
        self.lock = asyncio.Lock()
        self.listener = Listener(self._accept)
        self.stopping = False  # stopped or crashed: nothing new is started
        self.channels: set[Channel] = set()
        self._dirty: set[PlacementKey] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._monitor: asyncio.Task[None] | None = None
        self._kicked = False
        # For SURELY_OVER of the failure timeout after it starts, a catalog grants no lease
        # and places nothing: a catalog before it may have granted leases it cannot know
        # of, and containers renew their own while no catalog listens (lease.py).
        # Meanwhile containers register and report what they hold; then the newest claims
        # are adopted, and only then is anything placed anew.
        self.settle_until = 0.0
        self._settled = False

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> str:
        log.info("CWOBJ2518I: Starting the ObjectGrid catalog service: %s in domain "
                 "DefaultDomain.", self.name)
        self.port = await self.listener.start(self.host, self.port)
        self.settle_until = time.monotonic() + self.failure_timeout * SURELY_OVER
        self._monitor = asyncio.get_running_loop().create_task(self._watch_heartbeats())
        self._spawn(self._settle())
        log.info("CWOBJ1001I: %s ObjectGrid server is ready to process requests.", self.name)
        return self.endpoint

    def _stop_listening(self) -> None:
        self.stopping = True
        for task in [self._monitor, *self._tasks]:
            if task is not None:
                task.cancel()
        self.listener.abort()

    async def stop(self) -> None:
        """Close every connection; return once every task of this catalog has ended (its
        probes of lost containers' ports, the handlers of its connections)."""
        self._stop_listening()
        for channel in list(self.channels):
            await channel.close()
        await cancel_and_wait([self._monitor, *self._tasks])
        await self.listener.close()

    def crash(self) -> None:
        """Drop every connection at once (in-process tests of a dead catalog); ``stop()``
        afterwards waits for what this cancelled."""
        self._stop_listening()
        for channel in list(self.channels):
            channel.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        channel = await membership.accept(reader, writer, me=Peer("catalog", self.name),
                                          security=self.security, handler=self._handle,
                                          name=f"{self.name}<-peer")
        if channel is None:
            return
        if self.stopping:  # its handshake ended after the stop began
            await channel.close()
            return
        self.channels.add(channel)
        await channel.finished()  # with its requests in flight: stop() must reach them
        self.channels.discard(channel)
        if self.stopping:
            return  # a stopped catalog forgets nobody: it probes no port, places nothing
        member = self.members.get(str(channel.info.get("member")))
        if member is not None and member.channel is channel:
            await self._lost(member, member.gone_reason)

    def _spawn(self, coro: Coroutine[None, None, None]) -> None:
        if self.stopping:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _watch_heartbeats(self) -> None:
        every = min(self.heartbeat_interval, self.failure_timeout / 2)
        while True:
            before = time.monotonic()
            await asyncio.sleep(every)
            now = time.monotonic()
            if now - before > every + self.failure_timeout / 2:
                # this catalog was stopped or starved, not its containers: their heartbeats
                # wait unread in its sockets; writing them all off would re-place every shard
                for member in self.members.values():
                    member.last_seen = max(member.last_seen, now)
                continue
            for member in list(self.members.values()):
                if not member.gone and now - member.last_seen > self.failure_timeout:
                    member.gone_reason = f"no heartbeat for {self.failure_timeout:g} s"
                    member.channel.abort()  # _accept sees the close and calls _lost

    # -- membership ----------------------------------------------------------------------
    def _handle(self, channel: Channel, message: Message) -> Answer:
        op = message.get("op")
        refusal = membership.catalog_refusal(self.name, channel, message)
        if refusal is not None:
            return refusal
        try:
            if op == "heartbeat":  # a lease renewal
                member = self.members.get(str(message.get("name")))
                if member is not None and member.channel is channel:
                    member.last_seen = time.monotonic()
                    return self._grant(member)
                return {"grant": False}
            if op == "register":
                return self._register(channel, message)
            if op == "leave":
                return self._leave(str(message["name"]))
            if op == "shard_ready":
                self._shard_ready(message)
                return None
            if op == "routes":
                return routes.routes(self, str(message.get("grid")))
            if op == "placement":
                return routes.placement(self, str(message.get("grid")),
                                        str(message.get("mapset")))
        except RemoteError as exc:  # a refusal raised below, answered as ok=false
            return error_reply(exc.code, exc.text)
        except (KeyError, TypeError, ValueError) as exc:
            return error_reply("bad_request", f"malformed {op} request: {exc!r}")
        return error_reply("bad_request", f"unknown operation {op!r}")

    async def _register(self, channel: Channel, message: Message) -> Message:
        name = str(message["name"])
        grids = {n: GridDefinition.from_json(d) for n, d in message["grids"].items()}
        for grid_name, definition in grids.items():
            known = self.definitions.get(grid_name)
            if known is not None and known != definition:
                return error_reply("config_mismatch", f"container {name} defines grid "
                                   f"{grid_name!r} unlike the containers before it")
        old = self.members.get(name)
        if old is not None:
            if (old.channel.is_open and not old.gone
                    and time.monotonic() - old.last_seen < self.failure_timeout):
                return error_reply("duplicate", f"a container named {name} is already running")
            await self._lost(old, "it registered again")
        self.definitions.update(grids)
        member = Member(name, str(message["host"]), int(message["port"]), channel, set(grids))
        self.members[name] = member
        channel.info["member"] = name
        log.info("CWOBJ7203I: container %s joined at %s:%d.", name, member.host, member.port)
        claims = [Claim.from_json(name, row) for row in message.get("shards", [])]
        # epochs issued from now on are newer than any the container knows
        self.epoch = max([self.epoch, *(claim.epoch for _, _, claim in claims)])
        async with self.lock:
            if self._settling():
                member.claims = claims
            else:
                self._adopt(claims, unheld_only=True)
            # publishes (before the answer, on this connection) whatever it must change
            await self._replace_locked(joined=True)
        return {"heartbeat_interval": self.heartbeat_interval, "lease": self.lease,
                **self._grant(member)}

    def _grant(self, member: Member) -> Message:
        """A lease renewal's answer: granted from now, unless settling or forgetting it."""
        if self._settling() or member.gone or self.members.get(member.name) is not member:
            return {"grant": False}
        member.last_grant = time.monotonic()
        return {"grant": True}

    def _adopt(self, claims: list[tuple[str, str, Claim]], unheld_only: bool) -> None:
        """Take what containers report they hold (lease.py, placement.adopt_claims)."""
        by_key: dict[PlacementKey, list[Claim]] = {}
        for grid, mapset_name, claim in claims:
            by_key.setdefault((grid, mapset_name), []).append(claim)
        for key, group in by_key.items():
            known = self.definitions.get(key[0])
            mapset = known.mapset(key[1]) if known else None
            if mapset is None:
                continue
            placement = self.placements.get(key)
            if placement is None:
                placement = self.placements[key] = MapSetPlacement(key[0], mapset)
            placement.adopt_claims(group, unheld_only)
            # a claimant whose claim was not taken hears of its shard at a newer epoch
            placement.force.update(c.partition for c in group
                                   if 0 <= c.partition < len(placement.parts))
            self._dirty.add(key)

    async def _lost(self, member: Member, why: str) -> None:
        """Forget a container whose connection closed, once its lease is surely over."""
        if member.forgetting is None:
            if self.stopping:
                return
            member.gone = True
            member.forgetting = asyncio.get_running_loop().create_task(
                self._forget(member, why))
            self._tasks.add(member.forgetting)
            member.forgetting.add_done_callback(self._tasks.discard)
        await asyncio.wait([member.forgetting])  # not raising if a stop cancelled it

    async def _forget(self, member: Member, why: str) -> None:
        surely_over = member.last_grant + self.failure_timeout * SURELY_OVER
        told = False
        # it may be alive, cut off, and still serving on its lease until then, unless
        # nothing listens at its port any more: its process is gone (a dying process may
        # close its connections a moment before its listener, so look again)
        while (left := surely_over - time.monotonic()) > 0:
            if await nothing_listens([(member.host, member.port)], timeout=min(left, 1.0)):
                break
            if not told:
                log.info("CWOBJ7207I: container %s is unreachable (%s); its shards move when "
                         "its lease is surely over, in %.2f s.", member.name, why, left)
                told = True
            await asyncio.sleep(min(0.1, max(0.0, surely_over - time.monotonic())))
        if self.members.get(member.name) is not member:
            return
        del self.members[member.name]
        log.warning("CWOBJ7205W: container %s is gone (%s); its shards are re-placed.",
                    member.name, why)
        async with self.lock:
            for key, placement in self.placements.items():
                if placement.drop(member.name):
                    self._dirty.add(key)
            await self._replace_locked(joined=False)

    async def _leave(self, name: str) -> Message:
        """Clean stop of a container: hand each of its primaries to a replica first."""
        member = self.members.get(name)
        if member is None:
            return {}
        member.leaving = True
        async with self.lock:
            for key, placement in self.placements.items():
                moves = []
                for p, part in enumerate(placement.parts):
                    if part.primary == name and part.replicas:
                        ready = [r for r in part.replicas if (p, r) in placement.ready]
                        moves.append((p, name, (ready or part.replicas)[0]))
                await self._handover(placement, moves)
                if placement.drop(name):
                    self._dirty.add(key)
            await self._replace_locked(joined=False)
        if self.members.get(name) is member:
            del self.members[name]
        log.info("CWOBJ7204I: container %s left the grid after handing over.", name)
        return {}

    def _shard_ready(self, message: Message) -> None:
        placement = self.placements.get((str(message["grid"]), str(message["mapset"])))
        if placement is not None:
            placement.ready.add((int(message["partition"]), str(message["name"])))
        if not self._kicked:  # one rebalance for a burst of ready replicas
            self._kicked = True
            self._spawn(self._rebalance_soon())

    def _settling(self) -> bool:
        return not self._settled

    @property
    def settling(self) -> bool:
        """Not placing yet: a new catalog waits for leases of a catalog before it to end."""
        return self._settling()

    async def _settle(self) -> None:
        """Once every lease a catalog before us may have granted is over: adopt what the
        containers reported, newest epoch first, then place the rest."""
        await asyncio.sleep(max(0.0, self.settle_until - time.monotonic()))
        async with self.lock:
            claims = [claim for m in self.members.values() if not m.gone for claim in m.claims]
            for member in self.members.values():
                member.claims = []
            self._adopt(claims, unheld_only=False)
            self._settled = True
            await self._replace_locked(joined=True)
        if claims:
            log.info("CWOBJ7208I: catalog %s adopted %d shards that %d containers reported.",
                     self.name, len(claims), len({c.container for _, _, c in claims}))

    async def _rebalance_soon(self) -> None:
        await asyncio.sleep(0.05)
        self._kicked = False
        async with self.lock:
            await self._replace_locked(joined=False)

    # -- placement -----------------------------------------------------------------------
    def _live(self, grid: str) -> dict[str, str]:
        return {m.name: m.host for m in self.members.values()
                if grid in m.grids and not m.leaving and not m.gone}

    async def _replace_locked(self, joined: bool) -> None:
        if self._settling():
            return  # _settle places everything at once
        for grid, definition in self.definitions.items():
            live = self._live(grid)
            for mapset in definition.mapsets:
                key = (grid, mapset.name)
                placement = self.placements.get(key)
                if placement is None:
                    if len(live) < mapset.num_initial_containers:
                        continue
                    placement = self.placements[key] = MapSetPlacement(grid, mapset)
                replace = joined or mapset.auto_replace_lost_shards
                changed = placement.fill(live, replace_lost=replace)
                if replace:
                    changed = placement.spread_replicas(live) or changed
                moves = placement.primary_moves(live)
                changed = await self._handover(placement, moves) or changed
                if changed or key in self._dirty:
                    self._publish(placement)

    async def _handover(self, placement: MapSetPlacement, moves: list[tuple[int, str, str]]) -> bool:
        by_old: dict[str, list[tuple[int, str, str]]] = {}
        for move in moves:
            by_old.setdefault(move[1], []).append(move)
        moved = False
        for old, group in by_old.items():
            member = self.members.get(old)
            if member is None:
                continue
            shards = [[placement.grid, placement.mapset.name, p] for p, _, _ in group]
            try:
                reply = await member.channel.request({"op": "demote", "shards": shards,
                                                      "timeout": self.handover_timeout},
                                                     self.handover_timeout + 1)
                if not reply.get("flushed", False):
                    raise RemoteError("not_flushed", "a replica did not confirm every write")
            except (ProtocolError, RemoteError, asyncio.TimeoutError) as exc:
                # the old primary keeps its role: the next placement it gets unfreezes it
                log.warning("CWOBJ7206W: handover from %s failed: %s", old, exc)
                self._dirty.add((placement.grid, placement.mapset.name))
                continue
            for p, _, new in group:
                placement.apply_move(p, old, new)
            moved = True
        return moved

    def _publish(self, placement: MapSetPlacement) -> None:
        placement.stamp(self._next_epoch)
        key = (placement.grid, placement.mapset.name)
        self._dirty.discard(key)
        endpoints = {m.name: [m.host, m.port] for m in self.members.values()
                     if placement.grid in m.grids}
        message = {"op": "placement", **placement.to_json(), "endpoints": endpoints}
        for member in list(self.members.values()):
            if placement.grid in member.grids and member.channel.is_open:
                with contextlib.suppress(ProtocolError):
                    member.channel.send(message)

    def _next_epoch(self) -> int:
        self.epoch += 1
        return self.epoch
