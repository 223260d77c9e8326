"""The grid client: routes from the catalog, then straight to the primary of each partition.

Contract (docs/architecture.md, "the grid client")::

    client = await GridClient.connect("host:port[,host:port]", grid="session")
    await client.get(map_name, key) -> bytes | None
    await client.put(map_name, key, value) -> None        # once acknowledged
    await client.remove(map_name, key) -> None
    await client.batch([GridOp("put", map, key, value), GridOp("remove", map, key)])
    await client.close()

A request that meets a dead container, a moved primary or a handover fetches a fresh route
table and tries again, for at most ``retry_for`` seconds.  When the catalog is down the last
routes are used: containers serve without it.  Every request carries the epoch its route
has for the partition; a container with another one refuses it (``stale_epoch``) and the
client fetches routes again, so it never acts on a placement that was replaced.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from splicer.grid import membership
from splicer.grid.auth import ANONYMOUS, AuthenticationFailed, GridAuthError, Security
from splicer.grid.bootstrap import describe_failure, wait_for_catalog
from splicer.grid.config import BackingMap, GridDefinition, MapSet
from splicer.grid.errors import GridError, GridUnavailableError
from splicer.grid.hashing import partition_of
from splicer.grid.listener import cancel_and_wait
from splicer.grid.protocol import (Channel, Message, ProtocolError, RemoteError, b64,
                                   parse_endpoints, retrieved, unb64)

# Answers after which a fresh route table may help; anything else is the caller's mistake.
_RETRYABLE = {"not_primary", "retry", "internal", "stale_epoch"}
_REFUSED = {"auth_required", "auth_failed", "not_member"}  # the connection, not the request


@dataclass(frozen=True)
class GridOp:
    """One write of a batch: kind "put" (with value) or "remove"."""

    kind: str
    map: str
    key: str
    value: bytes | None = None


@dataclass
class RouteTable:
    epoch: int
    definition: GridDefinition
    primaries: dict[str, list[tuple[str, int] | None]]
    epochs: dict[str, list[int]]  # per mapSet, per partition: the placement's epoch


class GridClient:
    """A connection to one grid through its catalog service."""

    def __init__(self, catalogs: list[tuple[str, int]], grid: str, *, timeout: float,
                 retry_for: float, security: Security | None = None) -> None:
        self.catalogs = catalogs
        self.grid = grid
        self.timeout = timeout
        self.retry_for = retry_for
        self.security = security or Security()
        self.last_failure = "no catalog server asked yet"  # why the last refresh failed
        self.routes: RouteTable | None = None
        self._channels: dict[tuple[str, int], Channel] = {}
        self._connecting: dict[tuple[str, int], asyncio.Task[Channel]] = {}
        self._refreshing: asyncio.Task[bool] | None = None
        self.closed = False  # close() began: nothing new is started

    @classmethod
    async def connect(cls, catalog: str, grid: str = "session", *, timeout: float = 5.0,
                      retry_for: float = 20.0, security: Security | None = None,
                      catalog_wait: float = 0.0) -> GridClient:
        """Fetch the route table from the first catalog that answers; GridError if none
        answers (within ``catalog_wait`` seconds, retried with backoff) or the grid is
        unknown; GridAuthError when a catalog refuses this process's credentials."""
        try:
            endpoints = parse_endpoints(catalog)
        except ValueError as exc:
            raise GridError(f"bad catalog endpoints: {exc}") from None
        client = cls(endpoints, grid, timeout=timeout, retry_for=retry_for, security=security)
        try:
            await wait_for_catalog(client.refresh, lambda: client.last_failure, catalog,
                                   catalog_wait)
        except BaseException:
            await client.close()  # a fetch the wait's end cut is still running: end it
            raise
        return client

    # -- routes --------------------------------------------------------------------------
    async def refresh(self) -> bool:
        """Ask the catalog for routes (one request at a time); False when none answered."""
        if self.closed:
            return False
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._fetch_routes())
            self._refreshing.add_done_callback(retrieved)  # shielded: its waiter may be gone
        return await asyncio.shield(self._refreshing)

    async def _fetch_routes(self) -> bool:
        failures = []
        for host, port in self.catalogs:
            try:
                channel = await self._dial(host, port, "client->catalog")
            except (OSError, asyncio.TimeoutError) as exc:
                failures.append(f"{host}:{port}: {describe_failure(exc)}")
                continue
            try:
                reply = await channel.request({"op": "routes", "grid": self.grid}, self.timeout)
            except RemoteError as exc:
                if exc.code == "unknown_grid":
                    raise GridError(exc.text) from None
                if exc.code in _REFUSED:
                    raise GridAuthError(f"authentication failed with {host}:{port}: "
                                        f"{exc.text}") from None
                failures.append(f"{host}:{port}: {exc.text}")
                continue
            except (ProtocolError, asyncio.TimeoutError) as exc:
                failures.append(f"{host}:{port}: {describe_failure(exc)}")
                continue
            finally:
                await channel.close()
            if reply.get("settling") and self.routes is not None:
                return True  # a restarted catalog, not placing yet: the old routes still work
            self.routes = RouteTable(
                int(reply["epoch"]), GridDefinition.from_json(reply["definition"]),
                {name: [(str(e[0]), int(e[1])) if e else None for e in info["primaries"]]
                 for name, info in reply["mapsets"].items()},
                {name: [int(e) for e in info.get("epochs", [])]
                 for name, info in reply["mapsets"].items()})
            return True
        self.last_failure = "; ".join(failures) or "no catalog endpoint"
        return False

    async def _dial(self, host: str, port: int, name: str) -> Channel:
        """A connection that says hello (and authenticates) when this client has a secret;
        GridAuthError at once when it is refused: retrying would not change the secret."""
        try:
            return await membership.dial(host, port, me=ANONYMOUS, security=self.security,
                                         timeout=self.timeout, name=name)
        except AuthenticationFailed as exc:
            raise GridAuthError(str(exc)) from None

    def _resolve(self, map_name: str) -> tuple[MapSet, BackingMap]:
        assert self.routes is not None
        found = self.routes.definition.resolve(map_name)
        if found is None:
            names = ", ".join(m.name for ms in self.routes.definition.mapsets for m in ms.maps)
            raise GridError(f"map {map_name!r} is not a map of grid {self.grid!r} "
                            f"(maps: {names})")
        return found

    # -- operations ----------------------------------------------------------------------
    async def get(self, map_name: str, key: str) -> bytes | None:
        mapset, _ = self._resolve(map_name)
        reply = await self._call(mapset, key, {"op": "get", "map": map_name, "key": key})
        value = reply.get("value")
        return None if value is None else unb64(str(value))

    async def put(self, map_name: str, key: str, value: bytes) -> None:
        mapset, _ = self._resolve(map_name)
        await self._call(mapset, key, {"op": "put", "map": map_name, "key": key,
                                       "value": b64(value)})

    async def remove(self, map_name: str, key: str) -> None:
        mapset, _ = self._resolve(map_name)
        await self._call(mapset, key, {"op": "remove", "map": map_name, "key": key})

    async def batch(self, ops: Sequence[GridOp]) -> None:
        """Apply writes grouped by partition: each partition's group is applied at once
        (and replicated as one), the groups concurrently."""
        groups: dict[tuple[str, int], tuple[MapSet, str, list[list[Any]]]] = {}
        for op in ops:
            if op.kind not in ("put", "remove") or (op.kind == "put") != (op.value is not None):
                raise GridError(f"batch operation {op.kind!r} on {op.key!r}: a put needs a "
                                "value, a remove has none")
            mapset, _ = self._resolve(op.map)
            p = partition_of(op.key, mapset.partitions)
            entry = [op.kind, op.map, op.key] + ([b64(op.value)] if op.value is not None else [])
            groups.setdefault((mapset.name, p), (mapset, op.key, []))[2].append(entry)
        await asyncio.gather(*(self._call(mapset, key, {"op": "batch", "ops": entries})
                               for mapset, key, entries in groups.values()))

    async def _call(self, mapset: MapSet, key: str, message: Message) -> Message:
        partition = partition_of(key, mapset.partitions)
        request = {**message, "grid": self.grid, "mapset": mapset.name, "partition": partition}
        deadline = time.monotonic() + self.retry_for
        delay = 0.02
        last = "no route yet"
        while True:
            assert self.routes is not None
            endpoint = self.routes.primaries.get(mapset.name, [None] * (partition + 1))[partition]
            epochs = self.routes.epochs.get(mapset.name, [])
            if partition < len(epochs):
                request["epoch"] = epochs[partition]
            if endpoint is not None:
                try:
                    channel = await self._channel(endpoint)
                    return await channel.request(request, self.timeout)
                except RemoteError as exc:
                    if exc.code in _REFUSED:
                        raise GridAuthError(f"authentication failed with {endpoint[0]}:"
                                            f"{endpoint[1]}: {exc.text}") from None
                    if exc.code not in _RETRYABLE:
                        raise GridError(exc.text) from None
                    last = exc.text
                except (OSError, ProtocolError, asyncio.TimeoutError) as exc:
                    self._drop(endpoint)
                    last = f"{endpoint[0]}:{endpoint[1]}: {exc or type(exc).__name__}"
            if time.monotonic() + delay > deadline:
                raise GridUnavailableError(f"partition {partition} of {self.grid}:{mapset.name} has no "
                                           f"reachable primary after {self.retry_for:g} s ({last})")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
            await self.refresh()  # when no catalog answers, the last routes stay in use

    async def _channel(self, endpoint: tuple[str, int]) -> Channel:
        channel = self._channels.get(endpoint)
        if channel is not None and channel.is_open:
            return channel
        if self.closed:
            raise GridError("the grid client is closed")
        # concurrent requests to a container share one connection attempt
        pending = self._connecting.get(endpoint)
        if pending is None:
            pending = asyncio.get_running_loop().create_task(
                self._dial(*endpoint, "client"))
            pending.add_done_callback(retrieved)  # shielded: its waiters may be gone
            self._connecting[endpoint] = pending
        try:
            channel = await asyncio.shield(pending)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self.closed and pending.cancelled() and not (task and task.cancelling()):
                # close() ended the attempt this request shared, not the request's task
                raise GridError("the grid client is closed") from None
            raise
        finally:
            if self._connecting.get(endpoint) is pending and pending.done():
                del self._connecting[endpoint]
        self._channels[endpoint] = channel
        return channel

    def _drop(self, endpoint: tuple[str, int]) -> None:
        channel = self._channels.pop(endpoint, None)
        if channel is not None:
            channel.abort()

    async def close(self) -> None:
        """Close every connection; return once the route fetch and every connection attempt
        still under way have ended (a connection one of them made as it was cancelled is
        closed too).  A request after it, or waiting on such an attempt, fails with GridError."""
        self.closed = True
        attempts = list(self._connecting.values())
        await cancel_and_wait([self._refreshing, *attempts])
        self._connecting.clear()
        made = [task.result() for task in attempts
                if not task.cancelled() and task.exception() is None]
        for channel in {*self._channels.values(), *made}:
            await channel.close()
        self._channels.clear()

    async def __aenter__(self) -> GridClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
