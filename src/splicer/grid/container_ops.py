"""The container's other half: follow the catalog's placement, take replication, answer admin."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from splicer.grid import fencing
from splicer.grid.fencing import Refusal
from splicer.grid.placement import PRIMARY, SYNC
from splicer.grid.protocol import Message, b64
from splicer.grid.replication import Ack, PeerLink, ReplicaState, barrier, replicate
from splicer.grid.store import Shard, ShardKey, shard_name

if TYPE_CHECKING:
    from splicer.grid.container import Container

log = logging.getLogger("splicer.grid")


def _refuse(code: str, text: str) -> Refusal:
    return Refusal(code, text)


def op_placement(c: Container, message: Message) -> Message:
    """Reconcile our shards with the catalog's table for one mapSet (runs inline, in order)."""
    grid, mapset = c._mapset(message)
    for name, (host, port) in message.get("endpoints", {}).items():
        if name != c.name and c.peers.get(name) != (host, int(port)):
            c.peers[name] = (host, int(port))
            old = c.links.pop(name, None)
            if old is not None:  # the peer restarted on another port
                old.closed = True
                if old.channel is not None:
                    old.channel.abort()
    first_map = mapset.maps[0].name
    for p, entry in enumerate(message["partitions"]):
        key: ShardKey = (grid.name, mapset.name, p)
        primary = entry["primary"]
        epoch = int(entry.get("epoch", message.get("epoch", 0)))
        replicas: dict[str, str] = {r: kind for r, kind in entry["replicas"]}
        shard = c.shards.get(key)
        if primary == c.name:
            if shard is None:
                shard = c.shards[key] = Shard(key, mapset, PRIMARY)
                log.info("CWOBJ1511I: %s:%s:%d (primary) is open for business.",
                         first_map, mapset.name, p)
            elif not shard.is_primary:
                shard.promote()
                log.info("CWOBJ1511I: %s:%s:%d (primary) is open for business.",
                         first_map, mapset.name, p)
            shard.frozen, shard.primary = False, c.name
            fencing.placed(shard, epoch)
            _follow_replicas(c, shard, replicas)
            if not c.lease.valid():
                c.renew_soon()  # a new primary asks for its lease now, not at the next beat
        elif c.name in replicas:
            kind = replicas[c.name]
            c.replicas.pop(key, None)
            if shard is None:
                shard = c.shards[key] = Shard(key, mapset, kind)
            else:
                if shard.is_primary:
                    # an old primary: what it holds may miss writes the new one took, so
                    # it throws it away for the new primary's snapshot
                    shard.source = None
                shard.role, shard.frozen, shard.stepped_down = kind, False, None
            shard.primary = primary
            fencing.placed(shard, epoch)
        elif shard is not None:
            del c.shards[key]
            c.replicas.pop(key, None)
    return {}


def _follow_replicas(c: Container, shard: Shard, wanted: dict[str, str]) -> None:
    states = c.replicas.setdefault(shard.key, {})
    for peer in [p for p in states if p not in wanted]:
        del states[peer]
    for peer, kind in wanted.items():
        if peer not in c.peers:
            continue
        if peer not in c.links:
            host, port = c.peers[peer]
            c.links[peer] = PeerLink(c.name, peer, host, port, c.flush_delay,
                                     lambda name: _link_broken(c, name), c.security,
                                     guard=lambda *args: fencing.batch_epoch(c, *args),
                                     refused=lambda *args: fencing.batch_refused(c, *args))
        state = states.get(peer)
        if state is None:
            states[peer] = ReplicaState(peer, kind)
        else:
            if kind == SYNC and state.kind != SYNC:
                c.links[peer].flush(shard.key)  # a synchronous replica holds every write
            state.kind = kind
    # new replicas get their snapshot now, not at the next write
    if any(s.needs_snapshot for s in states.values()) and fencing.may_act(c, shard):
        c.track(shard, _send_snapshots(c, shard))


def _send_snapshots(c: Container, shard: Shard) -> list[Ack]:
    return replicate(c.name, shard, {k: s for k, s in c.replicas.get(shard.key, {}).items()
                                     if s.needs_snapshot}, c.links, [])


def _link_broken(c: Container, peer: str) -> None:
    """A replica link dropped: the replicas there get a full snapshot when it is back.

    The link stays: its next message connects again.  If the peer is dead, the catalog
    removes it from the placement soon; if it was a passing fault, ``repair`` resends.
    """
    for states in c.replicas.values():
        state = states.get(peer)
        if state is not None:
            state.needs_snapshot = True


def repair(c: Container) -> None:
    """Resend snapshots that a broken link left owing, without waiting for a write."""
    for key, states in c.replicas.items():
        shard = c.shards.get(key)
        owing = [s for s in states.values() if s.needs_snapshot
                 and s.peer in c.links and not c.links[s.peer].backing_off()]
        if shard is not None and owing and fencing.may_act(c, shard):
            c.track(shard, _send_snapshots(c, shard))


def op_repl_snapshot(c: Container, message: Message) -> Message:
    grid, mapset = c._mapset(message)
    key: ShardKey = (grid.name, mapset.name, int(message["partition"]))
    shard = c.shards.get(key)
    stale = fencing.refused_frame(c, shard, message)
    if stale is not None:
        return stale
    epoch = int(message.get("epoch", 0))
    if shard is not None and shard.is_primary and not shard.frozen and epoch <= shard.epoch:
        raise _refuse("not_replica", f"{c.name} is the primary of {shard_name(key)}")
    if shard is None:
        shard = c.shards[key] = Shard(key, mapset, str(message["kind"]))
    elif shard.is_primary:
        # handed over, or replaced at a newer epoch: a replica of the new primary now
        shard.role, shard.frozen, shard.stepped_down = str(message["kind"]), False, None
        c.replicas.pop(key, None)
    shard.load_snapshot(message["maps"], str(message["source"]))
    shard.epoch, shard.primary = max(shard.epoch, epoch), str(message["source"])
    if c.catalog is not None and c.catalog.is_open:
        c.catalog.send({"op": "shard_ready", "name": c.name, "grid": key[0],
                        "mapset": key[1], "partition": key[2]})
    return {}


def op_repl_apply(c: Container, message: Message) -> Message:
    grid, mapset = c._mapset(message)
    key: ShardKey = (grid.name, mapset.name, int(message["partition"]))
    shard = c.shards.get(key)
    stale = fencing.refused_frame(c, shard, message)
    if stale is not None:
        return stale
    if shard is not None and shard.is_primary:
        fencing.step_down(c, shard, int(message.get("epoch", 0)), str(message["source"]))
    if shard is None or shard.is_primary or shard.source != message["source"]:
        raise _refuse("need_snapshot", f"{c.name} has no copy of {shard_name(key)} "
                      f"from {message['source']}")
    shard.apply(message["ops"])
    shard.epoch = max(shard.epoch, int(message.get("epoch", 0)))
    return {}


async def op_demote(c: Container, message: Message) -> Message:
    """Stop writes on the named primaries and push every write to their replicas."""
    flushed = True
    for grid_name, mapset_name, p in message["shards"]:
        shard = c.shards.get((grid_name, mapset_name, int(p)))
        if shard is None or not shard.is_primary:
            continue
        shard.frozen = True
        ok = await barrier(c.name, shard, c.replicas.get(shard.key, {}), c.links,
                           float(message.get("timeout", 10.0)))
        flushed = flushed and ok
    return {"flushed": flushed}


def op_stats(c: Container, message: Message) -> Message:
    grid, mapset = c._mapset(message)
    rows = []
    for key, shard in sorted(c.shards.items()):
        if key[0] == grid.name and key[1] == mapset.name:
            for map_name, entries, used in shard.sizes():
                rows.append([map_name, key[2], entries, used, shard.role])
    return {"container": c.name, "host": c.host, "port": c.port, "rows": rows}


def op_find(c: Container, message: Message) -> Message:
    grid = c.grids.get(str(message.get("grid")))
    if grid is None:
        raise _refuse("unknown_grid", f"grid {message.get('grid')!r} is not served here")
    map_name = str(message["map"])
    try:
        pattern = re.compile(str(message["pattern"]))
    except re.error as exc:
        raise _refuse("bad_request", f"-fs {message['pattern']!r} is not a regular "
                      f"expression: {exc}") from None
    with_values = bool(message.get("values"))
    hits = []
    for key, shard in sorted(c.shards.items()):
        if key[0] != grid.name or not fencing.may_act(c, shard):
            continue
        for k, entry in shard.maps.get(map_name, {}).items():
            if pattern.fullmatch(k):
                hits.append([key[2], k, b64(entry.value) if with_values else None])
    return {"hits": hits}


HANDLERS = {
    "placement": op_placement, "repl_snapshot": op_repl_snapshot,
    "repl_apply": op_repl_apply, "demote": op_demote, "stats": op_stats, "find": op_find,
}
