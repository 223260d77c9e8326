"""The catalog's placement of shards: adopt claims, settle, fill, hand primaries over, publish.

The catalog (catalog.py) speaks with containers: it admits them, renews their leases,
notices when one is gone.  What it decides for them is here: which container holds each
partition's primary and replicas of each mapSet, how a primary moves to a replica without
losing acknowledged writes (a ``demote`` handover), and each new placement sent to every
container at a newer epoch.  Every change runs under one lock, in the order it was asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING

from splicer.grid.config import GridDefinition
from splicer.grid.placement import Claim, MapSetPlacement
from splicer.grid.protocol import Message, ProtocolError, RemoteError

if TYPE_CHECKING:
    from splicer.grid.catalog import Member

log = logging.getLogger("splicer.grid")
PlacementKey = tuple[str, str]  # grid, mapSet
Claims = list[tuple[str, str, Claim]]  # grid, mapSet, what a container reports it holds


class Placer:
    """The placements of one catalog, for the containers in ``members`` (the catalog's)."""

    def __init__(self, name: str, members: Mapping[str, Member], *, handover_timeout: float,
                 spawn: Callable[[Coroutine[None, None, None]], None]) -> None:
        self.name = name
        self.members = members
        self.handover_timeout = handover_timeout
        self._spawn = spawn  # the catalog's: a stopped catalog starts nothing
        self.definitions: dict[str, GridDefinition] = {}
        self.placements: dict[PlacementKey, MapSetPlacement] = {}
        self.epoch = 0
        self.lock = asyncio.Lock()
        self._dirty: set[PlacementKey] = set()
        self._kicked = False
        # For SURELY_OVER of the failure timeout after it starts, a catalog grants no lease
        # and places nothing: a catalog before it may have granted leases it cannot know
        # of, and containers renew their own while no catalog listens (lease.py).
        # Meanwhile containers register and report what they hold; then the newest claims
        # are adopted, and only then is anything placed anew.
        self.settle_until = 0.0
        self._settled = False

    @property
    def settling(self) -> bool:
        """Not placing yet: a new catalog waits for leases of a catalog before it to end."""
        return not self._settled

    def mismatch(self, grids: Mapping[str, GridDefinition]) -> str | None:
        """The name of a grid defined unlike the containers before did it, if any."""
        for grid_name, definition in grids.items():
            known = self.definitions.get(grid_name)
            if known is not None and known != definition:
                return grid_name
        return None

    async def joined(self, member: Member, grids: Mapping[str, GridDefinition],
                     claims: Claims) -> None:
        """A container registered, reporting what it holds; whatever must change is
        published (on its connection too) before this returns."""
        self.definitions.update(grids)
        # epochs issued from now on are newer than any the container knows
        self.epoch = max([self.epoch, *(claim.epoch for _, _, claim in claims)])
        async with self.lock:
            if self.settling:
                member.claims = claims
            else:
                self._adopt(claims, unheld_only=True)
            await self._replace_locked(joined=True)

    async def lost(self, name: str) -> None:
        """A container is gone (forgotten): its shards are placed anew."""
        async with self.lock:
            for key, placement in self.placements.items():
                if placement.drop(name):
                    self._dirty.add(key)
            await self._replace_locked(joined=False)

    async def leaving(self, name: str) -> None:
        """Clean stop of a container: each of its primaries is handed to a replica first."""
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

    def shard_ready(self, message: Message) -> None:
        """A replica holds its primary's snapshot: it may become primary, rebalance soon."""
        placement = self.placements.get((str(message["grid"]), str(message["mapset"])))
        if placement is not None:
            placement.ready.add((int(message["partition"]), str(message["name"])))
        if not self._kicked:  # one rebalance for a burst of ready replicas
            self._kicked = True
            self._spawn(self._rebalance_soon())

    async def settle(self) -> None:
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

    def _adopt(self, claims: Claims, unheld_only: bool) -> None:
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

    async def _rebalance_soon(self) -> None:
        await asyncio.sleep(0.05)
        self._kicked = False
        async with self.lock:
            await self._replace_locked(joined=False)

    def _live(self, grid: str) -> dict[str, str]:
        return {m.name: m.host for m in self.members.values()
                if grid in m.grids and not m.leaving and not m.gone}

    async def _replace_locked(self, joined: bool) -> None:
        if self.settling:
            return  # settle() places everything at once
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
                    self.publish(placement)

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

    def publish(self, placement: MapSetPlacement) -> None:
        """Send ``placement`` at a new epoch to every container of its grid."""
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
