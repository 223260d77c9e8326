"""The tutorial's topology on loopback: catalog, two containers, two servers, the plug-in."""

from __future__ import annotations

import asyncio
import secrets
import string
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

from splicer.verify.model import Endpoint as ReportEndpoint
from splicer.verify.ports import LOOPBACK, Endpoint, Reservation
from splicer.verify.process import Component, TopologyError, run_command

GRID, MAPSET = "session", "sessionMapSet"  # the session grid of the samples
SERVER_NAMES = ("server1", "server2")
CONTAINER_NAMES = ("c0", "c1")
_CLONE_ALPHABET = string.ascii_lowercase + string.digits


def clone_ids(count: int) -> list[str]:
    """Distinct 9-character clone ids, the shape of the tutorial's ``17f69k519``."""
    ids: list[str] = []
    while len(ids) < count:
        candidate = "".join(secrets.choice(_CLONE_ALPHABET) for _ in range(9))
        if candidate not in ids:
            ids.append(candidate)
    return ids


def splicer_argv(*args: str) -> list[str]:
    """``python -m splicer ...`` with this interpreter, so a virtualenv needs no activation."""
    return [sys.executable, "-m", "splicer", *args]


@dataclass
class TopologyConfig:
    """What to start: the application, the grid's XML, the plug-in's RetryInterval."""

    app: Path
    objectgrid_xml: Path
    deployment_xml: Path
    workdir: Path
    log_dir: Path
    retry_interval: float = 0.5
    host: str = LOOPBACK
    start_timeout: float = 20.0
    clone_ids: list[str] = field(default_factory=lambda: clone_ids(len(SERVER_NAMES)))
    # With a secret file, every process of the run authenticates with it (securityEnabled).
    secret_file: Path | None = None


async def _together(*steps: Awaitable[object]) -> None:
    """Run ``steps`` at once; when one fails, the others are cancelled and waited for before
    its error goes on, so nothing starts behind the back of the stop that follows."""
    tasks = [asyncio.ensure_future(step) for step in steps]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class Topology:
    """Starts the components in dependency order and stops them all, whatever happens.

    Use as ``async with Topology(config) as topo:``; leaving the block, by success,
    failure or cancellation (Ctrl-C), stops every process it started.
    """

    def __init__(self, config: TopologyConfig) -> None:
        self.config = config
        self.catalog: Component | None = None
        self.containers: dict[str, Component] = {}
        self.servers: dict[str, Component] = {}
        self.clone_of: dict[str, str] = dict(zip(SERVER_NAMES, config.clone_ids, strict=True))
        self.proxy: Component | None = None
        self.plugin_cfg = config.workdir / "plugin-cfg.xml"
        # the ports named before their component listens, held until the stop (ports.py)
        self.reserved: list[Reservation] = []

    def _log(self, name: str) -> Path:
        return self.config.log_dir / f"{name}.log"

    def _secret_args(self) -> list[str]:
        secret = self.config.secret_file
        return [] if secret is None else ["--secret-file", str(secret)]

    @property
    def catalog_address(self) -> str:
        if self.catalog is None or self.catalog.endpoint is None:
            raise TopologyError("the catalog server is not running")
        return str(self.catalog.endpoint)

    @property
    def front_door(self) -> Endpoint:
        if self.proxy is None or self.proxy.endpoint is None:
            raise TopologyError("the web server plug-in is not running")
        return self.proxy.endpoint

    def components(self) -> list[Component]:
        found = [self.proxy, *self.servers.values(), *self.containers.values(), self.catalog]
        return [component for component in found if component is not None]

    async def __aenter__(self) -> Topology:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def reserve_ports(self, count: int) -> list[int]:
        """``count`` ports held for this topology until its stop: nobody else is given them
        meanwhile, and its own components listen on them beside the holder."""
        reservation = Reservation(count, self.config.host)
        self.reserved.append(reservation)
        return reservation.ports

    async def start(self) -> None:
        """The catalog; then the containers and, once a grid is there to connect to, the
        servers; and, at the same time, the plug-in in front of them: its configuration needs
        only the servers' ports, reserved now, and it routes to them once they listen."""
        await self.start_catalog()
        ports = dict(zip(SERVER_NAMES, self.reserve_ports(len(SERVER_NAMES))))
        front = {name: (Endpoint(self.config.host, port), self.clone_of[name]) for name, port in ports.items()}

        async def grid_then_servers() -> None:
            await self.start_containers()
            await self.start_servers(ports)

        await _together(grid_then_servers(), self.start_proxy(front))

    async def start_grid(self) -> None:
        await self.start_catalog()
        await self.start_containers()

    async def start_catalog(self) -> None:
        config = self.config
        config.workdir.mkdir(parents=True, exist_ok=True)
        # named, never bound, by the emulated catalog (one server: no peers to talk to)
        client_port, peer_port = self.reserve_ports(2)
        self.catalog = Component("catalog", "cs0", splicer_argv(
            "grid", "catalog", "cs0",
            "--catalog-endpoints", f"cs0:{config.host}:{client_port}:{peer_port}",
            "--listener-port", "0", "--host", config.host, *self._secret_args(),
        ), self._log("catalog-cs0"))
        await self.catalog.start(config.start_timeout)

    async def start_containers(self) -> None:
        config = self.config
        for name in CONTAINER_NAMES:
            self.containers[name] = Component("container", name, splicer_argv(
                "grid", "container", name,
                "--objectgrid-xml", str(config.objectgrid_xml),
                "--deployment-xml", str(config.deployment_xml),
                "--catalog", self.catalog_address, "--host", config.host, "--port", "0",
                *self._secret_args(),
            ), self._log(f"container-{name}"))
        await asyncio.gather(*(c.start(config.start_timeout) for c in self.containers.values()))

    async def start_servers(self, ports: dict[str, int] | None = None) -> None:
        """The servers, on ``ports`` (missing: ports reserved now).  A restart comes back on
        the same port, which the plug-in's file names and this topology holds meanwhile."""
        ports = ports or dict(zip(SERVER_NAMES, self.reserve_ports(len(SERVER_NAMES))))
        for name in SERVER_NAMES:
            self.servers[name] = Component("server", name, self._server_argv(name, ports[name]),
                                           self._log(name))
        await asyncio.gather(*(s.start(self.config.start_timeout) for s in self.servers.values()))

    async def start_proxy(self, servers: dict[str, tuple[Endpoint, str]]) -> Endpoint:
        """The plug-in routing to ``servers`` (name -> endpoint, clone id), however started."""
        await self.write_plugin_cfg(servers)
        self.proxy = Component("proxy", "webserver1", splicer_argv(
            "plugin", "proxy", "--config", str(self.plugin_cfg), "--host", self.config.host, "--port", "0",
            "--retry-interval", f"{self.config.retry_interval:g}",
        ), self._log("proxy-webserver1"))
        return await self.proxy.start(self.config.start_timeout)

    def _server_argv(self, name: str, port: int) -> list[str]:
        # --override-catalog: an application spliced with catalogHostPort (its production
        # catalog) must still use this run's catalog, never whatever listens at that address.
        return splicer_argv(
            "server", name, "--app", str(self.config.app), "--host", self.config.host,
            "--port", str(port), "--clone-id", self.clone_of[name], "--catalog", self.catalog_address,
            "--override-catalog", "--session-id-reuse", *self._secret_args(),
        )

    async def write_plugin_cfg(self, servers: dict[str, tuple[Endpoint, str]]) -> None:
        """GenPluginCfg for each server, then pluginCfgMerge, as the tutorial's section 5."""
        config = self.config
        singles: list[Path] = []
        commands = []
        for index, (name, (endpoint, clone)) in enumerate(servers.items(), start=1):
            single = config.workdir / f"plugin-cfg_{index}.xml"
            singles.append(single)
            commands.append(self._cli([
                "plugin", "gen", "--server", name, "--host", endpoint.host, "--port", str(endpoint.port),
                "--clone-id", clone, "--app", str(config.app), "--node", f"localhostNode0{index}",
                "--retry-interval", f"{config.retry_interval:g}", "-o", str(single),
            ], "plugin-gen"))
        await asyncio.gather(*commands)
        await self._cli(["plugin", "merge", *map(str, singles), "-o", str(self.plugin_cfg)], "plugin-merge")

    async def _cli(self, args: list[str], log_name: str) -> None:
        status = await run_command(splicer_argv(*args), timeout=self.config.start_timeout,
                                   log_path=self._log(log_name))
        if status != 0:
            raise TopologyError(f"`splicer {' '.join(args[:2])}` failed with status {status}",
                                hint=f"see {self._log(log_name)}")

    async def stop(self) -> None:
        """Stop everything: the front first, the grid last, each by SIGTERM then SIGKILL."""
        try:
            for tier in ([self.proxy], list(self.servers.values()), list(self.containers.values()),
                         [self.catalog]):
                await asyncio.gather(*(c.stop(5.0) for c in tier if c is not None))
        finally:
            # Cancelled or failed half-way: nothing may survive us.
            for component in self.components():
                if component.running:
                    component.kill_now()
            for reservation in self.reserved:
                reservation.close()
            self.reserved.clear()

    async def primary_of(self, session_id: str) -> tuple[int, str]:
        """(partitions of the mapSet, container holding the session's primary), from the catalog."""
        from splicer.grid.admin import fetch_placement
        from splicer.grid.auth import Security, load_secret
        from splicer.grid.hashing import partition_of

        secret = self.config.secret_file
        security = Security.member(load_secret(secret) if secret is not None else None)
        reply = await fetch_placement(self.catalog_address, GRID, MAPSET, security)
        placement = reply.get("placement")
        if not placement:
            raise TopologyError(f"the catalog has no placement for grid {GRID}, mapSet {MAPSET}")
        partitions = placement["partitions"]
        primary = partitions[partition_of(session_id, len(partitions))]["primary"]
        if primary not in self.containers:
            raise TopologyError(f"partition of session {session_id} has no primary on a container "
                                f"of this run ({primary!r})")
        return len(partitions), str(primary)

    def describe(self) -> list[ReportEndpoint]:
        return [
            ReportEndpoint(
                role=c.role,
                name=c.name,
                address=str(c.endpoint) if c.endpoint else "",
                pid=c.pid,
                clone_id=self.clone_of.get(c.name) if c.role == "server" else None,
                log=str(c.log_path),
            )
            for c in [self.catalog, *self.containers.values(), *self.servers.values(), self.proxy]
            if c is not None
        ]

