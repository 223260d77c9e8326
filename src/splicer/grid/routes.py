"""What the catalog tells clients and admin tools: a grid's routes and a mapSet's placement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from splicer.grid.config import GridDefinition
from splicer.grid.protocol import Message, RemoteError

if TYPE_CHECKING:
    from splicer.grid.catalog import Catalog


def known_grid(c: Catalog, grid: str) -> GridDefinition:
    found = c.placer.definitions.get(grid)
    if found is None:
        known = ", ".join(sorted(c.placer.definitions)) or "none yet"
        # not_ready: no container has registered yet, so a client may wait for one
        raise RemoteError("unknown_grid" if c.placer.definitions else "not_ready",
                          f"grid {grid!r} is not known to catalog {c.name} (grids: {known})")
    return found


def routes(c: Catalog, grid: str) -> Message:
    """Per mapSet the endpoint of every partition's primary and the epoch of its placement."""
    definition = known_grid(c, grid)
    endpoints = {m.name: [m.host, m.port] for m in c.members.values()}
    mapsets = {}
    for mapset in definition.mapsets:
        table = c.placer.placements.get((grid, mapset.name))
        primaries = [endpoints.get(part.primary) if part.primary else None
                     for part in table.parts] if table else [None] * mapset.partitions
        mapsets[mapset.name] = {
            "epoch": table.epoch if table else 0, "primaries": primaries,
            "epochs": [part.epoch for part in table.parts] if table else [0] * len(primaries)}
    # settling: a restarted catalog that has not adopted the shards yet; a client keeps
    # the routes it has (the containers still serve on them)
    return {"epoch": c.placer.epoch, "settling": c.placer.settling,
            "definition": definition.to_json(), "mapsets": mapsets}


def placement(c: Catalog, grid: str, mapset_name: str) -> Message:
    """A mapSet's placement (xscmd showPlacement), the live containers, ready replicas."""
    definition = known_grid(c, grid)
    if definition.mapset(mapset_name) is None:
        raise RemoteError("unknown_map", f"mapSet {mapset_name!r} is not in grid {grid!r} "
                          f"(mapSets: {', '.join(m.name for m in definition.mapsets)})")
    table = c.placer.placements.get((grid, mapset_name))
    return {"placement": table.to_json() if table else None,
            "containers": {m.name: [m.host, m.port] for m in c.members.values()
                           if grid in m.grids and not m.gone},
            # replicas known to hold their primary's snapshot; settling: not placing yet
            "ready": sorted(table.ready) if table else [],
            "settling": c.placer.settling}
