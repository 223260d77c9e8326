"""Fencing on the container side: which requests and replication frames a shard takes.

The catalog stamps every change of a partition's placement with a new epoch (placement.py),
as Raft's terms or Kafka's leader epochs.  A container keeps, per shard, the newest epoch it
knows, and together with its lease (lease.py):

- a primary answers a client only with the request's epoch equal to its own, a valid lease
  and no handover under way.  An older epoch in the request means the client's routes are
  old, a newer one that this container missed a placement: both are refused with
  ``stale_epoch``, on which the client fetches routes again and retries;
- a primary that hears of a newer epoch for one of its shards (from a client, or from a
  replica that refuses its frames) steps down: it serves and replicates that shard again
  only once the placement of that epoch arrived, or a grant of a renewal sent after it
  stepped down (the catalog sends placements before grants on one connection, so such a
  grant means that this catalog never issued the epoch);
- a replica refuses frames older than its epoch from another container than the primary
  its newest placement names (a primary that was replaced and does not know it yet), and
  that primary steps down.  The named primary's frames are taken whatever their epoch: a
  partition's epoch also changes when only its replicas do, and the primary may read that
  placement a moment after its replica;
- an asynchronous batch that a replica refuses is not lost silently: the replica is owed
  a snapshot, sent at the next heartbeat;
- a write is acknowledged only once every synchronous replica of the placement applied it:
  a refusal, a lost connection or no answer within the sync timeout is a ``retry`` (the
  client sends the write again; writes are idempotent), never an OK.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from splicer.grid.lease import lease_clock
from splicer.grid.protocol import Message, error_reply, retrieved
from splicer.grid.replication import HOLD, Ack, replicate
from splicer.grid.store import Shard, ShardKey, shard_name

if TYPE_CHECKING:
    from splicer.grid.container import Container

log = logging.getLogger("splicer.grid")


class Refusal(Exception):
    """A request this container answers with an error code instead of doing it."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


def may_act(c: Container, shard: Shard) -> bool:
    """Whether this primary may replicate now (and, if not stopping, serve)."""
    return shard.is_primary and shard.stepped_down is None and c.lease.valid()


def check_request(c: Container, shard: Shard, message: Message) -> None:
    """Refuse a client's request that this primary must not answer (a Refusal)."""
    epoch = message.get("epoch")  # admin tools send none
    if epoch is not None and int(epoch) != shard.epoch:
        name = shard_name(shard.key)
        if int(epoch) < shard.epoch:
            raise Refusal("stale_epoch", f"{name} is at epoch {shard.epoch} on {c.name}; the "
                          f"request's routes are of epoch {epoch}: fetch them again")
        step_down(c, shard, int(epoch), "a client")
        raise Refusal("stale_epoch", f"{c.name} has {name} at epoch {shard.epoch}, the "
                      f"request names epoch {epoch}: it waits for that placement")
    if shard.stepped_down is not None:
        raise Refusal("retry", f"{c.name} stepped down from {shard_name(shard.key)}: it heard "
                      f"of epoch {shard.heard}, newer than its {shard.epoch}")
    if c.leaving:
        raise Refusal("retry", f"{c.name} is stopping")
    if not c.lease.valid():
        raise Refusal("retry", f"{c.name} serves no primary: {c.lease.describe()} (its "
                      "renewals are not answered)")
    if shard.frozen:
        raise Refusal("retry", f"{shard_name(shard.key)} is moving to another container")


def step_down(c: Container, shard: Shard, epoch: int, who: str) -> None:
    """A newer epoch exists for this primary: stop serving it until it is explained."""
    if epoch <= shard.epoch or not shard.is_primary:
        return
    shard.heard = max(shard.heard, epoch)
    if shard.stepped_down is None:
        shard.stepped_down = lease_clock()
        log.warning("CWOBJ7214W: %s steps down from %s: %s knows epoch %d, this container "
                    "%d.", c.name, shard_name(shard.key), who, epoch, shard.epoch)
        c.renew_soon()


def placed(shard: Shard, epoch: int) -> None:
    """The catalog's placement of this shard at ``epoch`` arrived."""
    if epoch < shard.epoch:
        log.warning("CWOBJ7215W: placement of %s at epoch %d, older than the %d known here.",
                    shard_name(shard.key), epoch, shard.epoch)
    shard.epoch = epoch
    if shard.stepped_down is not None and epoch >= shard.heard:
        shard.stepped_down = None


def granted(c: Container, sent_at: float) -> None:
    """A renewal sent at ``sent_at`` was granted: every placement the catalog had then is
    here, so a newer epoch heard before that was never this catalog's."""
    for shard in c.shards.values():
        if shard.stepped_down is not None and shard.stepped_down < sent_at:
            log.info("CWOBJ7216I: %s serves %s again: the catalog has no epoch %d.",
                     c.name, shard_name(shard.key), shard.heard)
            shard.stepped_down = None


def batch_epoch(c: Container, key: ShardKey, forced: bool) -> int | None:
    """The epoch an asynchronous batch leaves with; HOLD while this primary cannot act for a
    moment (its lease lapsed, it stepped down: sent once it may again); None, and a snapshot
    owed to the replicas instead, once it is no longer the primary."""
    shard = c.shards.get(key)
    if shard is not None and shard.is_primary:
        return shard.epoch if forced or may_act(c, shard) else HOLD
    for state in c.replicas.get(key, {}).values():
        state.needs_snapshot = True
    return None


def refused_frame(c: Container, shard: Shard | None, message: Message) -> Message | None:
    """A replica's answer to a frame older than the epoch it knows from another container
    than the primary it follows, else None."""
    epoch = int(message.get("epoch", 0))
    if shard is None or epoch >= shard.epoch or (
            not shard.is_primary and message.get("source") == shard.primary):
        return None
    return {**error_reply("stale_epoch", f"{c.name} has {shard_name(shard.key)} at epoch "
                          f"{shard.epoch}; {message.get('source')} sent epoch {epoch}"),
            "epoch": shard.epoch}


def batch_refused(c: Container, peer: str, key: ShardKey, reply: Message) -> None:
    """A replica refused an asynchronous batch: it gets the whole shard instead."""
    state = c.replicas.get(key, {}).get(peer)
    if state is not None:
        state.needs_snapshot = True
        c.renew_soon()  # the heartbeat loop sends owed snapshots (container_ops.repair)
    shard = c.shards.get(key)
    if shard is not None and reply.get("error") == "stale_epoch":
        step_down(c, shard, int(reply.get("epoch", shard.epoch + 1)), f"replica {peer}")


def answered(c: Container, shard: Shard, ack: Ack) -> str | None:
    """What is wrong with an answered frame (None: applied); a stale epoch steps down."""
    future = ack.future
    if future.cancelled():
        return "cancelled"
    if future.exception() is not None:
        return str(future.exception()) or type(future.exception()).__name__
    reply = future.result()
    if reply.get("ok"):
        return None
    if reply.get("error") == "stale_epoch":
        step_down(c, shard, int(reply.get("epoch", shard.epoch + 1)), f"replica {ack.peer}")
    return f"{reply.get('error')}: {reply.get('message', '')}"


async def await_sync(c: Container, shard: Shard, acks: list[Ack]) -> Message:
    """The answer to a write once its synchronous replicas answered: {} only when all of
    them applied it; ``stale_epoch`` or ``retry`` otherwise."""
    for ack in acks:  # those left behind by an early answer must not log
        ack.future.add_done_callback(retrieved)
    c.track(shard, [a for a in acks if not a.sync])
    pending = [a for a in acks if a.sync]
    for attempt in range(2):
        if not pending:
            return {}
        await _answered_all(pending, c.sync_timeout())
        resend: list[Ack] = []
        for ack in pending:
            problem = answered(c, shard, ack)
            if problem is None:
                continue
            if shard.stepped_down is not None:
                return error_reply("stale_epoch", f"{c.name} is no longer the primary of "
                                   f"{shard_name(shard.key)}: {problem}")
            state = c.replicas.get(shard.key, {}).get(ack.peer)
            if attempt == 0 and problem.startswith("need_snapshot") and state is not None:
                # the replica lost track: the whole shard, which holds this write, instead
                state.needs_snapshot = True
                for again in replicate(c.name, shard, {ack.peer: state}, c.links, []):
                    again.future.add_done_callback(retrieved)
                    resend.append(again)
                continue
            return error_reply("retry", f"synchronous replica {ack.peer} of "
                               f"{shard_name(shard.key)} did not apply the write: {problem}")
        pending = resend
    return {} if not pending else error_reply("retry", "synchronous replicas kept refusing")


async def _answered_all(acks: list[Ack], timeout: float) -> None:
    """Until every ack is done; one not answered within ``timeout`` fails with a
    TimeoutError (a timer per ack is cheaper than asyncio.wait for every write)."""
    loop = asyncio.get_running_loop()
    timers = [loop.call_later(timeout, _expire, ack.future, timeout) for ack in acks]
    try:
        for ack in acks:
            try:
                await ack.future
            except asyncio.CancelledError:
                # cancelling this write's task cancels the ack it awaits too: a stop then
                # must end the task, not wait for the other acks
                task = asyncio.current_task()
                if not ack.future.cancelled() or (task is not None and task.cancelling()):
                    raise  # this write's task, not the ack
            except Exception:  # noqa: S110 - answered() reads it
                pass
    finally:
        for timer in timers:
            timer.cancel()


def _expire(future: asyncio.Future[Message], timeout: float) -> None:
    if not future.done():
        future.set_exception(asyncio.TimeoutError(f"no answer within {timeout:g} s"))
