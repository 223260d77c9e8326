"""Admin queries (xsadmin -mapsizes, xscmd findByKey / showPlacement) and their text output."""

from __future__ import annotations

import asyncio
import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from splicer.grid import membership
from splicer.grid.auth import ANONYMOUS, AuthenticationFailed, GridAuthError, Security
from splicer.grid.errors import GridError, GridUnavailableError
from splicer.grid.placement import PRIMARY
from splicer.grid.protocol import (Message, ProtocolError, RemoteError, parse_endpoints,
                                   unb64)

VALUE_WIDTH = 80  # longer values end in "...", as xscmd cuts them


@dataclass(frozen=True)
class SizeRow:
    map: str
    partition: int
    entries: int
    used_bytes: int
    shard_type: str


@dataclass(frozen=True)
class ContainerSizes:
    container: str
    rows: tuple[SizeRow, ...] | None  # None: the container did not answer


@dataclass(frozen=True)
class Hit:
    partition: int
    key: str
    value: bytes | None


async def ask(endpoint: str | tuple[str, int], message: Message, timeout: float = 5.0,
              security: Security | None = None) -> Message:
    """One request to the first server of ``host:port[,...]`` that answers; GridError else
    (GridAuthError when a server refuses this process's credentials)."""
    try:
        endpoints = [endpoint] if isinstance(endpoint, tuple) else parse_endpoints(endpoint)
    except ValueError as exc:
        raise GridError(f"bad catalog endpoints: {exc}") from None
    last = "no endpoint"
    for host, port in endpoints:
        try:
            channel = await membership.dial(host, port, me=ANONYMOUS,
                                            security=security or Security(), timeout=timeout,
                                            name="admin")
        except AuthenticationFailed as exc:
            raise GridAuthError(str(exc)) from None
        except (OSError, asyncio.TimeoutError) as exc:
            last = f"{host}:{port}: {exc or type(exc).__name__}"
            continue
        try:
            return await channel.request(message, timeout)
        except RemoteError as exc:
            if exc.code in ("auth_required", "auth_failed", "not_member"):
                raise GridAuthError(f"authentication failed with {host}:{port}: "
                                    f"{exc.text}") from None
            raise GridError(exc.text) from None
        except (ProtocolError, asyncio.TimeoutError) as exc:
            last = f"{host}:{port}: {exc or type(exc).__name__}"
        finally:
            await channel.close()
    raise GridUnavailableError(f"no server answered ({last})")


async def fetch_placement(catalog: str, grid: str, mapset: str,
                          security: Security | None = None) -> Message:
    """The catalog's placement of a mapSet: ``{"placement": {...}|None, "containers": {...}}``."""
    return await ask(catalog, {"op": "placement", "grid": grid, "mapset": mapset},
                     security=security)


async def primary_of(catalog: str, grid: str, mapset: str, partition: int,
                     security: Security | None = None) -> str | None:
    """The name of the container holding a partition's primary, None while unplaced."""
    reply = await fetch_placement(catalog, grid, mapset, security)
    placement = reply["placement"]
    if placement is None:
        return None
    primary: str | None = placement["partitions"][partition]["primary"]
    return primary


async def map_sizes(catalog: str, grid: str, mapset: str,
                    security: Security | None = None) -> list[ContainerSizes]:
    """Every container's shards of a mapSet with entry counts and bytes (xsadmin -mapsizes)."""
    reply = await fetch_placement(catalog, grid, mapset, security)

    async def one(name: str, host: str, port: int) -> ContainerSizes:
        try:
            stats = await ask((host, port), {"op": "stats", "grid": grid, "mapset": mapset},
                              security=security)
        except GridAuthError:
            raise
        except GridError:
            return ContainerSizes(name, None)
        return ContainerSizes(name, tuple(SizeRow(str(r[0]), int(r[1]), int(r[2]), int(r[3]),
                                                  str(r[4])) for r in stats["rows"]))

    containers = sorted(reply["containers"].items())
    return list(await asyncio.gather(*(one(n, str(e[0]), int(e[1])) for n, e in containers)))


def format_mapsizes(grid: str, mapset: str, sizes: list[ContainerSizes]) -> list[str]:
    lines = [f"*****Displaying Results for Grid - {grid}, MapSet - {mapset}*****", ""]
    header = ("Map Name", "Partition", "Map Entries", "Used Bytes", "Shard Type")
    all_rows = [r for s in sizes for r in s.rows or ()]
    width = max([len(header[0])] + [len(r.map) for r in all_rows])
    fmt = f"{{:<{width}}} {{:<9}} {{:<11}} {{:<10}} {{}}"
    total_entries = total_bytes = 0
    for container in sizes:
        lines.append(f"*** Listing Maps for {container.container} ***")
        if container.rows is None:
            lines += [f"(container {container.container} did not answer)", ""]
            continue
        lines.append(fmt.format(*header))
        for row in container.rows:
            lines.append(fmt.format(row.map, row.partition, row.entries, row.used_bytes,
                                    row.shard_type))
        entries = sum(r.entries for r in container.rows)
        used = sum(r.used_bytes for r in container.rows)
        lines += [f"Server Total: {entries} ({used} bytes)", ""]
        # the domain total counts primaries only: replicas are copies of the same entries
        total_entries += sum(r.entries for r in container.rows if r.shard_type == PRIMARY)
        total_bytes += sum(r.used_bytes for r in container.rows if r.shard_type == PRIMARY)
    lines.append(f"Total Domain Count: {total_entries} ({total_bytes} bytes)")
    return lines


def key_pattern(pattern: str) -> str:
    """-fs as a regular expression; one that is not, but is a wildcard (the tutorial types
    `-fs "*"`, which the real xscmd accepts), is read as a shell-style wildcard instead."""
    try:
        re.compile(pattern)
        return pattern
    except re.error as exc:
        if "*" in pattern or "?" in pattern:
            return fnmatch.translate(pattern)
        raise GridError(f"-fs {pattern!r} is not a regular expression: {exc}",
                        hint="'.*' matches every key") from None


async def find_by_key(catalog: str, grid: str, map_name: str, pattern: str,
                      values: bool = True, security: Security | None = None) -> list[Hit]:
    """Keys of a map matching a regular expression entirely, over every primary shard."""
    pattern = key_pattern(pattern)
    routes = await ask(catalog, {"op": "routes", "grid": grid}, security=security)
    maps = [m for ms in routes["definition"]["mapsets"] for m in ms["maps"]]
    if not any(m["name"] == map_name or (m["template"] and re.fullmatch(m["name"], map_name))
               for m in maps):
        raise GridError(f"The specified map name {map_name!r} does not exist in grid {grid!r} "
                        f"(maps: {', '.join(m['name'] for m in maps)})")
    hits: list[Hit] = []
    for mapset in routes["definition"]["mapsets"]:
        reply = await fetch_placement(catalog, grid, str(mapset["name"]), security)
        answers = await asyncio.gather(*(
            ask((str(e[0]), int(e[1])), {"op": "find", "grid": grid, "map": map_name,
                                         "pattern": pattern, "values": values},
                security=security)
            for e in reply["containers"].values()))
        for answer in answers:
            hits += [Hit(int(p), str(k), unb64(v) if v is not None else None)
                     for p, k, v in answer["hits"]]
    return sorted(hits, key=lambda h: (h.partition, h.key))


def render_value(value: bytes) -> str:
    """Text when the bytes are printable UTF-8, else hex; cut to VALUE_WIDTH characters."""
    try:
        text = value.decode("utf-8")
        printable = text.isprintable()
    except UnicodeDecodeError:
        printable = False
    if not printable:
        text = "0x" + value.hex()
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH] + "..."


def format_findbykey(hits: list[Hit], values: bool) -> list[str]:
    lines = ["CWXSI0068I: Executing command: findByKey", f"{len(hits)} matching keys found.", ""]
    width = max([3] + [len(h.key) for h in hits])
    lines.append(f"{'Partition':<9} {'Key':<{width}}" + (" Value" if values else ""))
    lines.append("-" * (10 + width + (6 if values else 0)))
    for hit in hits:
        row = f"{hit.partition:<9} {hit.key:<{width}}"
        if values and hit.value is not None:
            row += " " + render_value(hit.value)
        lines.append(row.rstrip())
    lines += ["", "CWXSI0040I: The findByKey command completed successfully."]
    return lines


def format_placement(grid: str, mapset: str, reply: dict[str, Any]) -> list[str]:
    placement = reply["placement"]
    if placement is None:
        return [f"*** Grid {grid}, mapSet {mapset}: no placement yet (too few containers) ***"]
    parts = placement["partitions"]
    containers = reply["containers"]
    lines = [f"*** Placement of grid {grid}, mapSet {mapset}: {len(parts)} partitions, "
             f"epoch {placement['epoch']} ***"]
    fmt = "{:<9} {:<19} {:<14} {}"
    lines.append(fmt.format("Partition", "Shard Type", "Container", "Host:Port"))
    count: dict[str, int] = {name: 0 for name in containers}
    for p, part in enumerate(parts):
        shards = ([[part["primary"], PRIMARY]] if part["primary"] else []) + part["replicas"]
        if not shards:
            lines.append(fmt.format(p, "(unplaced)", "-", "-"))
        for name, kind in shards:
            host, port = containers.get(name, ["?", "?"])
            lines.append(fmt.format(p, kind, name, f"{host}:{port}"))
        if part["primary"]:
            count[part["primary"]] = count.get(part["primary"], 0) + 1
    lines.append("Primaries per container: " + ", ".join(f"{n} {c}" for n, c in sorted(count.items())))
    lines.append("CWXSI0040I: The showPlacement command completed successfully.")
    return lines
