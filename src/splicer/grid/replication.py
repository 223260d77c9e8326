"""Primary-to-replica replication: one ordered link per peer, synchronous or batched.

Every replication message for a shard travels on the one connection to its replica's
container, in the order the primary applied the writes, so the replica replays them in that
order.  A new replica (or one whose link broke) first gets a snapshot of the whole shard.

Synchronous replicas get each write at once and the primary answers its client only after
they acknowledged it.  Asynchronous replicas get writes in batches: a batch is sent exactly
``flush_delay`` seconds after the first write that is not yet sent (default 0.2 s, the
``--async-flush-ms`` of ``splicer grid container``).  So a primary killed less than
``flush_delay`` after a write loses it; writes older than that reached the replica.

Every frame carries the epoch of the primary's placement of the shard (fencing.py): a replica
that knows a newer one refuses it.  A batch leaves only while the primary may still act for
the shard (``guard``): held while its lease is renewed, dropped once it is no longer the
primary (its replicas are then owed a snapshot instead).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Optional

from splicer.grid import membership
from splicer.grid.auth import Peer, Security
from splicer.grid.listener import cancel_and_wait
from splicer.grid.placement import SYNC
from splicer.grid.protocol import Channel, Message, ProtocolError
from splicer.grid.store import Op, Shard, ShardKey

DEFAULT_FLUSH_DELAY = 0.2
# The epoch a batch of a shard leaves with (guard(key, forced)); HOLD: not now, the primary
# cannot act for a moment (its lease lapsed); None: never, it is no longer the primary.
Guard = Callable[[ShardKey, bool], Optional[int]]
HOLD = -1
# Told of a batch that a replica refused (peer, shard, answer): it is owed a snapshot.
Refused = Callable[[str, ShardKey, Message], None]
# After a failed connection to a peer, replication to it pauses this long: a dead peer is
# soon dropped by the catalog, and until then no snapshot is built for nothing.
RECONNECT_PAUSE = 2.0
log = logging.getLogger("splicer.grid")


class Ack(NamedTuple):
    """The answer to come to a frame sent to ``peer``; ``sync``: a write waits for it."""

    peer: str
    future: asyncio.Future[Message]
    sync: bool


@dataclass
class ReplicaState:
    """What the primary knows of one replica of one of its shards."""

    peer: str
    kind: str
    needs_snapshot: bool = True


class PeerLink:
    """The connection from this container to one peer container, opened on first use."""

    def __init__(self, me: str, peer: str, host: str, port: int, flush_delay: float,
                 on_broken: Callable[[str], None], security: Security | None = None,
                 guard: Guard | None = None, refused: Refused | None = None) -> None:
        self.me = me
        self.guard = guard
        self.refused = refused
        self.security = security or Security()
        self.peer = peer
        self.endpoint = (host, port)
        self.flush_delay = flush_delay
        self.on_broken = on_broken
        self.channel: Channel | None = None
        self._backlog: list[tuple[Message, asyncio.Future[Message] | None]] = []
        self._connecting: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._pending: dict[ShardKey, list[Op]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.closed = False
        self.failed_at: float | None = None

    def backing_off(self) -> bool:
        return (self.failed_at is not None
                and time.monotonic() - self.failed_at < RECONNECT_PAUSE)

    def submit(self, message: Message, want_ack: bool) -> asyncio.Future[Message] | None:
        """Put a message on the link in order; the answer's future when an ack is wanted."""
        if self.channel is not None and self.channel.is_open:
            if want_ack:
                return self.channel.call(message)
            self.channel.send(message)
            return None
        future = asyncio.get_running_loop().create_future() if want_ack else None
        if self.closed:  # its container stopped: no new connection
            if future is not None:
                future.set_exception(ProtocolError(f"the link to {self.peer} is closed"))
            return future
        self._backlog.append((message, future))
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
        return future

    async def _connect(self) -> None:
        try:
            # a hello as container `me`: the peer takes replication only from members
            channel = await membership.dial(*self.endpoint, me=Peer("container", self.me),
                                            security=self.security, timeout=3.0,
                                            name=f"{self.me}->{self.peer}")
        except (OSError, asyncio.TimeoutError) as exc:
            self._connecting = None
            self.failed_at = time.monotonic()
            self._fail_backlog(ProtocolError(f"cannot reach {self.peer}: {exc}"))
            self.on_broken(self.peer)
            return
        self.channel = channel
        self._connecting = None
        self.failed_at = None
        for message, future in self._backlog:
            if future is None:
                channel.send(message)
            else:
                _chain(channel.call(message), future)
        self._backlog.clear()
        self._watcher = asyncio.get_running_loop().create_task(self._watch(channel))

    async def _watch(self, channel: Channel) -> None:
        await channel.closed.wait()
        if self.channel is channel:
            self.channel = None
            self._pending.clear()  # the replicas will be sent a fresh snapshot instead
            if not self.closed:
                self.on_broken(self.peer)

    def _fail_backlog(self, exc: Exception) -> None:
        for _message, future in self._backlog:
            if future is not None and not future.done():
                future.set_exception(exc)
        self._backlog.clear()
        self._pending.clear()

    def enqueue_async(self, key: ShardKey, ops: list[Op]) -> None:
        """Add writes to the batch; the batch leaves flush_delay after its first write."""
        self._pending.setdefault(key, []).extend(ops)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.flush_delay, self.flush)

    def flush(self, key: ShardKey | None = None, force: bool = False) -> None:
        """Send the batched writes now: all of them, or one shard's (before a sync write);
        ``force``: even while the primary cannot act (a handover, a stop)."""
        if key is None and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        keys = list(self._pending) if key is None else [key] if key in self._pending else []
        held = {}
        for k in keys:
            ops = self._pending.pop(k)
            epoch = self.guard(k, force) if self.guard is not None else 0
            if epoch is None:
                continue
            if epoch == HOLD:
                held[k] = ops
                continue
            # answered, though nobody waits: a refused batch must not vanish unnoticed
            ack = self.submit(apply_message(self.me, k, ops, epoch),
                              want_ack=self.refused is not None)
            if ack is not None:
                ack.add_done_callback(functools.partial(self._answered, k))
        self._pending.update(held)  # no write came in meanwhile: the order stays
        if held and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.flush_delay, self.flush)
        elif not self._pending and self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _answered(self, key: ShardKey, future: asyncio.Future[Message]) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the link broke: on_broken owes every replica there a snapshot
        if not future.result().get("ok") and self.refused is not None:
            self.refused(self.peer, key, future.result())

    async def close(self) -> None:
        """Close the link; return once its connection attempt and its watcher ended."""
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
        await cancel_and_wait([self._connecting])
        self._fail_backlog(ProtocolError(f"the link to {self.peer} is closed"))
        if self.channel is not None:
            await self.channel.close()
        await cancel_and_wait([self._watcher])


def _chain(source: asyncio.Future[Message], target: asyncio.Future[Message]) -> None:
    def done(f: asyncio.Future[Message]) -> None:
        if target.done():
            return
        if f.cancelled():
            target.cancel()
        elif f.exception() is not None:
            target.set_exception(f.exception())  # type: ignore[arg-type]
        else:
            target.set_result(f.result())
    source.add_done_callback(done)


def apply_message(me: str, key: ShardKey, ops: list[Op], epoch: int) -> Message:
    return {"op": "repl_apply", "grid": key[0], "mapset": key[1], "partition": key[2],
            "source": me, "epoch": epoch, "ops": ops}


def snapshot_message(me: str, shard: Shard, kind: str) -> Message:
    return {"op": "repl_snapshot", "grid": shard.key[0], "mapset": shard.key[1],
            "partition": shard.key[2], "source": me, "epoch": shard.epoch, "kind": kind,
            "maps": shard.snapshot()}


def replicate(me: str, shard: Shard, states: dict[str, ReplicaState],
              links: dict[str, PeerLink], ops: list[Op]) -> list[Ack]:
    """Send ops (already applied on the primary) to every replica; the answers to come
    (a write waits for the ``sync`` ones).

    Runs without awaiting anything, so the order of writes on every link is the order in
    which the primary applied them.
    """
    acks: list[Ack] = []
    for state in states.values():
        link = links.get(state.peer)
        if link is None or link.backing_off():
            state.needs_snapshot = True
            continue
        sync = state.kind == SYNC
        if state.needs_snapshot:
            link.flush(shard.key)
            ack = link.submit(snapshot_message(me, shard, state.kind), want_ack=True)
            state.needs_snapshot = False
            if ack is not None:
                acks.append(Ack(state.peer, ack, sync))
        elif sync:
            link.flush(shard.key)  # earlier async writes of this shard go first
            ack = link.submit(apply_message(me, shard.key, ops, shard.epoch), want_ack=True)
            if ack is not None:
                acks.append(Ack(state.peer, ack, True))
        elif ops:
            link.enqueue_async(shard.key, ops)
    return acks


async def barrier(me: str, shard: Shard, states: dict[str, ReplicaState],
                  links: dict[str, PeerLink], timeout: float) -> bool:
    """Flush every replica of a shard and wait until each confirmed it: before a handover."""
    acks = []
    for state in states.values():
        link = links.get(state.peer)
        if link is None:
            continue
        if state.needs_snapshot:
            message = snapshot_message(me, shard, state.kind)
            state.needs_snapshot = False
        else:
            link.flush(shard.key, force=True)
            message = apply_message(me, shard.key, [], shard.epoch)
        ack = link.submit(message, want_ack=True)
        if ack is not None:
            acks.append(ack)
    if not acks:
        return True
    done = await asyncio.wait_for(asyncio.gather(*acks, return_exceptions=True), timeout)
    return all(isinstance(a, dict) and a.get("ok") for a in done)
