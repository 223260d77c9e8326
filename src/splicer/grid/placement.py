"""Where every shard lives: primaries and replicas of a mapSet's partitions on containers.

Pure bookkeeping, no I/O: the catalog calls these methods when containers come and go and
pushes the resulting table to the containers.  Rules, in the order the catalog applies them:
a lost primary is replaced by its first live replica (promotion); a partition with no shard
left gets an empty primary; replicas are added up to maxSync+maxAsync on distinct containers;
shard counts are evened out by moving replicas; primaries are evened out by swapping a
primary with an in-sync replica (a handover the catalog runs with the old primary first).

Every partition carries an epoch (a term, as in Raft or Kafka's leader epochs): the catalog
stamps a partition with a new one each time it publishes a change of its primary or replicas
(``stamp``), so a shard, a client's route or a replication frame from an older placement is
told from a newer one.  A restarted catalog rebuilds the table from what the containers
report (``adopt_claims``): per partition, the claim of the newest epoch wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from splicer.grid.config import MapSet

PRIMARY = "Primary"
SYNC = "SynchronousReplica"
ASYNC = "AsynchronousReplica"


@dataclass
class Partition:
    primary: str | None = None
    replicas: list[str] = field(default_factory=list)
    epoch: int = 0  # of the last published change of primary or replicas

    def holders(self) -> list[str]:
        return ([self.primary] if self.primary else []) + self.replicas


@dataclass(frozen=True)
class Claim:
    """A shard a registering container says it holds: role, the epoch of the placement it
    last had for it, and whether it holds data (a primary, or a replica with a snapshot)."""

    container: str
    partition: int
    role: str
    epoch: int
    ready: bool

    @classmethod
    def from_json(cls, container: str, row: list[Any]) -> tuple[str, str, Claim]:
        """``[grid, mapset, partition, role, epoch, ready]`` -> (grid, mapset, claim)."""
        grid, mapset, p, role, *rest = row
        epoch = int(rest[0]) if rest else 0
        ready = bool(rest[1]) if len(rest) > 1 else role == PRIMARY
        return str(grid), str(mapset), cls(container, int(p), str(role), epoch, ready)

    def rank(self) -> tuple[int, int, bool]:
        """Newest epoch first; within it the primary, then a synchronous replica."""
        return self.epoch, _ROLE_RANK.get(self.role, 0), self.ready


_ROLE_RANK = {PRIMARY: 2, SYNC: 1, ASYNC: 0}


class MapSetPlacement:
    """The placement of one mapSet of one grid, with an epoch per partition."""

    def __init__(self, grid: str, mapset: MapSet) -> None:
        self.grid = grid
        self.mapset = mapset
        self.parts = [Partition() for _ in range(mapset.partitions)]
        # (partition, container) pairs whose replica has received its primary's snapshot
        self.ready: set[tuple[int, str]] = set()
        self.epoch = 0  # the newest partition epoch
        self.force: set[int] = set()  # partitions whose next publication needs a new epoch
        self._published: dict[int, tuple[str | None, tuple[str, ...]]] = {}

    # -- reading -------------------------------------------------------------------------
    def kind(self, partition: int, container: str) -> str | None:
        part = self.parts[partition]
        if part.primary == container:
            return PRIMARY
        if container in part.replicas:
            return SYNC if part.replicas.index(container) < self.mapset.max_sync else ASYNC
        return None

    def roles_of(self, container: str) -> dict[int, str]:
        roles = {}
        for p in range(len(self.parts)):
            kind = self.kind(p, container)
            if kind:
                roles[p] = kind
        return roles

    def load(self, live: dict[str, str]) -> tuple[Counter[str], Counter[str]]:
        """(primaries, all shards) per live container, zero for the empty ones."""
        primaries: Counter[str] = Counter({c: 0 for c in live})
        shards: Counter[str] = Counter({c: 0 for c in live})
        for part in self.parts:
            if part.primary:
                primaries[part.primary] += 1
            for holder in part.holders():
                shards[holder] += 1
        return primaries, shards

    def to_json(self) -> dict[str, Any]:
        return {"grid": self.grid, "mapset": self.mapset.name, "epoch": self.epoch,
                "partitions": [{"primary": part.primary, "epoch": part.epoch,
                                "replicas": [[r, self.kind(p, r)] for r in part.replicas]}
                               for p, part in enumerate(self.parts)]}

    def stamp(self, next_epoch: Callable[[], int]) -> None:
        """Give a new epoch to every partition changed since it was last published."""
        for p, part in enumerate(self.parts):
            shape = (part.primary, tuple(part.replicas))
            if shape != self._published.get(p) or p in self.force:
                part.epoch = next_epoch()
                self._published[p] = shape
        self.force.clear()
        self.epoch = max((part.epoch for part in self.parts), default=0)

    # -- changing ------------------------------------------------------------------------
    def adopt_claims(self, claims: Iterable[Claim], unheld_only: bool = False) -> set[int]:
        """Rebuild partitions from what containers report; the partitions taken.

        Per partition the claim of the newest epoch wins the primary (a replica of that
        epoch when its primary did not report: a synchronous one first); replicas with data
        of that same epoch stay its replicas, in sync.  Older claims are not taken: such a
        shard missed a change (a primary that was replaced while it was paused), and the
        catalog places it again as a replica that gets a snapshot.  ``unheld_only``: only
        partitions that have no holder at all (a catalog running for a while).
        """
        by_part: dict[int, list[Claim]] = {}
        for claim in claims:
            if 0 <= claim.partition < len(self.parts):
                by_part.setdefault(claim.partition, []).append(claim)
        taken = set()
        for p, group in sorted(by_part.items()):
            part = self.parts[p]
            if unheld_only and part.holders():
                continue
            best = max(group, key=Claim.rank)
            peers = sorted((c for c in group if c is not best and c.role != PRIMARY
                            and c.epoch == best.epoch and c.ready),
                           key=Claim.rank, reverse=True)
            part.primary = best.container
            part.replicas = [c.container for c in peers][:self.mapset.replicas]
            part.epoch = max(part.epoch, best.epoch)
            self.ready -= {(p, c.container) for c in group}
            self.ready |= {(p, r) for r in part.replicas}
            taken.add(p)
        return taken

    def drop(self, container: str) -> bool:
        """Forget a container: promote a live replica wherever it held the primary."""
        changed = False
        for p, part in enumerate(self.parts):
            if container in part.replicas:
                part.replicas.remove(container)
                changed = True
            if part.primary == container:
                # an in-sync replica first, and among those the first, which is synchronous
                # when there is one: it has every acknowledged write
                ready = [r for r in part.replicas if (p, r) in self.ready]
                part.primary = None
                if part.replicas:
                    part.primary = (ready or part.replicas)[0]
                    part.replicas.remove(part.primary)
                changed = True
            self.ready.discard((p, container))
        return changed

    def fill(self, live: dict[str, str], replace_lost: bool = True) -> bool:
        """Give every partition a primary and its replicas on distinct live containers."""
        changed = False
        primaries, shards = self.load(live)
        for p, part in enumerate(self.parts):
            if part.primary is None and part.replicas:
                # adopted replicas whose primary never came back: promote, as on a loss
                ready = [r for r in part.replicas if (p, r) in self.ready]
                part.primary = (ready or part.replicas)[0]
                part.replicas.remove(part.primary)
                primaries[part.primary] += 1
                changed = True
            if part.primary is None and live:
                target = min(live, key=lambda c: (primaries[c], shards[c], c))
                part.primary = target
                primaries[target] += 1
                shards[target] += 1
                changed = True
            if not replace_lost or part.primary is None:
                continue
            while len(part.replicas) < min(self.mapset.replicas, len(live) - 1):
                replica = self._replica_target(part, live, shards)
                if replica is None:
                    break
                part.replicas.append(replica)
                shards[replica] += 1
                changed = True
        return changed

    def _replica_target(self, part: Partition, live: dict[str, str],
                        shards: Counter[str], exclude: str | None = None) -> str | None:
        candidates = [c for c in live if c not in part.holders() and c != exclude]
        if not candidates:
            return None
        primary_host = live.get(part.primary or "", "")
        # developmentMode=false: prefer another host than the primary's.  With every
        # container on one host the real grid would leave the replica unplaced; the
        # emulator still places it so that a one-machine topology is replicated at all.
        strict = not self.mapset.development_mode
        return min(candidates, key=lambda c: (strict and live[c] == primary_host, shards[c], c))

    def spread_replicas(self, live: dict[str, str]) -> bool:
        """Move replicas toward the emptiest containers until shard counts differ by 1.

        The emptiest container takes a replica from the fullest container that has one it
        may take (not of a partition it already holds).
        """
        changed = False
        _, shards = self.load(live)
        for _ in range(len(self.parts) * max(1, self.mapset.replicas)):
            move = None
            low = min(shards, key=lambda c: (shards[c], c), default=None)
            for high in sorted(shards, key=lambda c: (-shards[c], c)):
                if low is None or shards[high] - shards[low] <= 1:
                    break
                move = next(((p, high) for p, part in enumerate(self.parts)
                             if high in part.replicas and low not in part.holders()), None)
                if move is not None:
                    break
            if move is None or low is None:
                break
            p, high = move
            part = self.parts[p]
            part.replicas[part.replicas.index(high)] = low
            self.ready.discard((p, high))
            shards[high] -= 1
            shards[low] += 1
            changed = True
        return changed

    def primary_moves(self, live: dict[str, str]) -> list[tuple[int, str, str]]:
        """Handovers (partition, from, to) that even out primaries, using ready replicas.

        The emptiest container that holds an in-sync replica of a partition whose primary
        sits on a container with at least two primaries more takes that primary over; the
        fullest such primary container (then the highest partition) goes first.
        """
        primaries, _ = self.load(live)
        moves: list[tuple[int, str, str]] = []
        planned: set[int] = set()
        for _ in range(len(self.parts)):
            move = None
            for low in sorted(primaries, key=lambda c: (primaries[c], c)):
                options = [(primaries[part.primary], p, part.primary)
                           for p, part in enumerate(self.parts)
                           if part.primary is not None and p not in planned
                           and low in part.replicas and (p, low) in self.ready
                           and primaries[part.primary] - primaries[low] > 1]
                if options:
                    _, p, high = max(options)
                    move = (p, high, low)
                    break
            if move is None:
                break
            planned.add(move[0])
            moves.append(move)
            primaries[move[1]] -= 1
            primaries[move[2]] += 1
        return moves

    def apply_move(self, partition: int, old: str, new: str) -> None:
        """Swap roles: the in-sync replica becomes primary, the old primary takes its slot."""
        part = self.parts[partition]
        if part.primary != old or new not in part.replicas:
            return
        part.replicas[part.replicas.index(new)] = old
        part.primary = new
        self.ready.discard((partition, new))
        # the demoted primary had every write: it is in sync as a replica from the start
        self.ready.add((partition, old))
