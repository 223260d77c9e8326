"""The catalog server: container membership, leases and routes; placer.py places the shards."""

from __future__ import annotations

import asyncio
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
from splicer.grid.placement import Claim
from splicer.grid.placer import Placer
from splicer.grid.protocol import Channel, Message, RemoteError, error_reply

log = logging.getLogger("splicer.grid")
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
        self.members: dict[str, Member] = {}
        self.placer = Placer(name, self.members, handover_timeout=handover_timeout,
                             spawn=self._spawn)
        self.listener = Listener(self._accept)
        self.stopping = False  # stopped or crashed: nothing new is started
        self.channels: set[Channel] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._monitor: asyncio.Task[None] | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self) -> str:
        log.info("CWOBJ2518I: Starting the ObjectGrid catalog service: %s in domain "
                 "DefaultDomain.", self.name)
        self.port = await self.listener.start(self.host, self.port)
        # no lease granted, nothing placed until a catalog before us surely ended (placer.py)
        self.placer.settle_until = time.monotonic() + self.failure_timeout * SURELY_OVER
        self._monitor = asyncio.get_running_loop().create_task(self._watch_heartbeats())
        self._spawn(self.placer.settle())
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
        await channel.closed.wait()
        if self.stopping:
            return  # a stopped catalog forgets nobody: it probes no port, places nothing
        member = self.members.get(str(channel.info.get("member")))
        if member is not None and member.channel is channel:
            await self._lost(member, member.gone_reason)  # at once: no placement counts it
        # kept until the requests it was handling (a registration, a handover) have ended:
        # stop() must cancel and wait for them
        await channel.finished()
        self.channels.discard(channel)

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
                self.placer.shard_ready(message)
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
        mismatch = self.placer.mismatch(grids)
        if mismatch is not None:
            return error_reply("config_mismatch", f"container {name} defines grid "
                               f"{mismatch!r} unlike the containers before it")
        old = self.members.get(name)
        if old is not None:
            if (old.channel.is_open and not old.gone
                    and time.monotonic() - old.last_seen < self.failure_timeout):
                return error_reply("duplicate", f"a container named {name} is already running")
            await self._lost(old, "it registered again")
        member = Member(name, str(message["host"]), int(message["port"]), channel, set(grids))
        self.members[name] = member
        channel.info["member"] = name
        log.info("CWOBJ7203I: container %s joined at %s:%d.", name, member.host, member.port)
        claims = [Claim.from_json(name, row) for row in message.get("shards", [])]
        # publishes (before the answer, on this connection) whatever it must change
        await self.placer.joined(member, grids, claims)
        return {"heartbeat_interval": self.heartbeat_interval, "lease": self.lease,
                **self._grant(member)}

    def _grant(self, member: Member) -> Message:
        """A lease renewal's answer: granted from now, unless settling or forgetting it."""
        if self.placer.settling or member.gone or self.members.get(member.name) is not member:
            return {"grant": False}
        member.last_grant = time.monotonic()
        return {"grant": True}

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
        await self.placer.lost(member.name)

    async def _leave(self, name: str) -> Message:
        """Clean stop of a container: hand each of its primaries to a replica first."""
        member = self.members.get(name)
        if member is None:
            return {}
        member.leaving = True
        await self.placer.leaving(name)
        if self.members.get(name) is member:
            del self.members[name]
        log.info("CWOBJ7204I: container %s left the grid after handing over.", name)
        return {}
