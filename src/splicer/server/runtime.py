"""One emulated application server: deploy the modules, connect their grids, serve, stop cleanly."""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aiohttp import web

from splicer.archives import AppReader, open_app
from splicer.errors import SplicerError, Where
from splicer.grid.auth import REQUIRED, SUPPORTED, Secret, Security, load_secret
from splicer.grid.errors import GridUnavailableError
from splicer.logs import http_logger
from splicer.server.app import DeployedModule, ServerApp, SessionTracking
from splicer.server.deploy import ModuleSource, container_cookies, deploy
from splicer.server.probe import ServerIdentity
from splicer.server.sessions.grid import GridSessionManager, GridSessionSettings
from splicer.server.sessions.local import LocalSessionManager
from splicer.server.sessions.replication import Replicator, SessionStore
from splicer.server.settings import GridParams, ServerConfigError, filter_params
from splicer.server.webapp import WebApp

log = logging.getLogger("splicer.server")



class GridStore(SessionStore, Protocol):
    """A session store on a grid connection, closed when the server stops."""

    async def close(self) -> None: ...


@dataclass(frozen=True)
class GridAccess:
    """How a module's grid client connects: its credentials (from web.xml's securityEnabled
    and credentialAuthentication, the secret from --secret-file) and how long it waits for
    a catalog that is not up yet."""

    security: Security = Security()
    catalog_wait: float = 0.0


GridConnector = Callable[[str, str, Where, GridAccess], Awaitable[GridStore]]


async def connect_grid(catalog: str, grid: str, where: Where, access: GridAccess) -> GridStore:
    """The real grid client, imported only by servers that have a spliced module."""
    from splicer.server.gridstore import connect_grid as connect

    return await connect(catalog, grid, where, access)


@dataclass(frozen=True)
class ServerOptions:
    """The command line of ``splicer server``."""

    name: str
    app: Path
    clone_id: str
    catalog: str | None = None
    host: str = "localhost"
    port: int = 0
    session_id_reuse: bool = False
    context_root: str | None = None
    # --override-catalog: --catalog wins over a module's catalogHostPort, as a catalog
    # service domain configured in WAS does; lets a test topology on free ports run an
    # application spliced with a fixed catalogHostPort.
    override_catalog: bool = False
    cell: str | None = None
    node: str | None = None
    # The grid's shared secret (securityEnabled=true modules authenticate with it); the
    # command line resolves SPLICER_GRID_SECRET_FILE into it.
    secret_file: Path | None = None
    # A server may start before its grid: its clients wait this long for the catalog.
    catalog_wait: float = 30.0


class AppServer:
    """Start with ``await start()`` (or ``async with``); ``stop()`` flushes pending grid writes."""

    def __init__(self, options: ServerOptions, *, connect: GridConnector = connect_grid) -> None:
        self.options = options
        self.identity = ServerIdentity.for_host(options.name, options.clone_id, options.cell, options.node)
        self._connect = connect
        self._reader: AppReader | None = None
        self._grids: dict[tuple[str, str, Security], GridStore] = {}
        self._modules: list[DeployedModule] = []
        self._runner: web.AppRunner | None = None
        self._secret: Secret | None = None
        self.port = 0

    async def __aenter__(self) -> AppServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def address(self) -> str:
        return f"{self.options.host}:{self.port}"

    async def start(self) -> None:
        try:
            if self.options.secret_file is not None:  # a bad file fails the start, used or not
                self._secret = load_secret(self.options.secret_file)
            self._reader = open_app(self.options.app)
            for source in deploy(self._reader, context_root=self.options.context_root):
                self._modules.append(await self._deploy_module(source))
            app = ServerApp(self.identity, self._modules, session_id_reuse=self.options.session_id_reuse).build()
            # Our own socket, so the bound port (of port 0) is read without aiohttp internals.
            try:
                sock = socket.create_server((self.options.host, self.options.port))
            except OSError as exc:  # the port in use, an address not this machine's: exit 69, one line
                raise GridUnavailableError(f"cannot listen on {self.options.host}:{self.options.port}: "
                                           f"{exc.strerror or exc}") from None
            try:
                self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0,
                                             logger=http_logger("splicer.server.http"))
                await self._runner.setup()
                await web.SockSite(self._runner, sock).start()
            except BaseException:
                sock.close()
                raise
            self.port = sock.getsockname()[1]
        except BaseException:
            await self.stop()
            raise
        for module in self._modules:
            log.info(
                "SRVE0250I: Web Module %s has been bound to default_host[%s] at %s.",
                module.webapp.name,
                self.address,
                module.webapp.context_root,
            )
        log.info("WSVR0001I: Server %s open for e-business", self.options.name)

    async def _deploy_module(self, source: ModuleSource) -> DeployedModule:
        webapp = WebApp(source.module.name, source.module.context_root, source.descriptor)
        log.info("SRVE0169I: Loading Web Module: %s.", webapp.name)
        local = SessionTracking(
            LocalSessionManager(webapp.context_root, webapp.session_timeout_seconds),
            container_cookies(source.descriptor),
            reuse_id=False,
        )
        session_filter = webapp.session_filter
        if session_filter is None:
            return DeployedModule(webapp, source.files, local)
        if not webapp.session_filter_mapped:
            log.warning("SESN0100W: %s declares HttpSessionFilter but maps it nowhere; sessions stay local", webapp.name)
            return DeployedModule(webapp, source.files, local)
        params = filter_params(source.descriptor.context_params, source.where)
        catalog = params.grid.catalog or self.options.catalog
        if self.options.override_catalog and self.options.catalog:
            catalog = self.options.catalog
        if catalog is None:
            raise ServerConfigError(
                "the HttpSessionFilter needs a catalog: no catalogHostPort context-param and no --catalog",
                source.where,
                key="catalogHostPort",
            )
        access = GridAccess(self._security(params.grid, source.where), self.options.catalog_wait)
        store = await self._grid(catalog, params.grid.object_grid_name, source.where, access)
        replicator = Replicator(store, params.grid.replication_interval)
        settings = GridSessionSettings(
            context_root=webapp.context_root,
            clone_id=self.options.clone_id,
            max_inactive=webapp.session_timeout_seconds,
            fragmented=params.grid.fragmented,
            table_size=params.grid.table_size,
            replication_interval=params.grid.replication_interval,
            object_grid_name=params.grid.object_grid_name,
            catalog=catalog,
        )
        manager = GridSessionManager(store, settings, replicator)
        replicator.start()
        log.info(
            "SESN8501I: %s keeps sessions in grid %s at %s (replicationInterval=%ss, fragmentedSession=%s)",
            webapp.name,
            params.grid.object_grid_name,
            catalog,
            params.grid.replication_interval,
            params.grid.fragmented,
        )
        return DeployedModule(webapp, source.files, local, SessionTracking(manager, params.cookies, params.reuse_session_id))

    def _security(self, grid: GridParams, where: Where) -> Security:
        """securityEnabled=false, or credentialAuthentication=Never: no credential offered
        (only a grid without a secret lets such a client in).  Supported: authenticate when
        the grid asks.  Required: the grid must prove the secret too."""
        if not grid.security_enabled or grid.credential_authentication == "Never":
            return Security()
        if self._secret is None:
            raise ServerConfigError(
                "securityEnabled=true: the grid client needs the grid's shared secret",
                where,
                key="securityEnabled",
                value="true",
                hint="start the server with --secret-file PATH (or SPLICER_GRID_SECRET_FILE=PATH)",
            )
        mode = REQUIRED if grid.credential_authentication == "Required" else SUPPORTED
        return Security(self._secret, mode)

    async def _grid(self, catalog: str, grid: str, where: Where, access: GridAccess) -> GridStore:
        """One grid client per (catalog, grid, credentials), shared by the modules that name them."""
        key = (catalog, grid, access.security)
        if key not in self._grids:
            self._grids[key] = await self._connect(catalog, grid, where, access)
        return self._grids[key]

    async def stop(self) -> None:
        """Clean stop: no new requests, pending session writes flushed, connections closed."""
        errors: list[BaseException] = []
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for module in self._modules:
            for tracking in (module.filtered, module.local):
                if tracking is None:
                    continue
                try:
                    await tracking.manager.close()
                except Exception as exc:  # keep closing the others; report below
                    log.error("SESN0301E: %s: pending session writes lost: %s", module.webapp.name, exc)
                    errors.append(exc)
        self._modules = []
        for store in self._grids.values():
            await store.close()
        self._grids = {}
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if errors:
            raise ServerStopError(f"{len(errors)} module(s) could not flush their pending session writes")
        log.info("WSVR0024I: Server %s stopped", self.options.name)


class ServerStopError(SplicerError, RuntimeError):
    """A clean stop that could not write every pending session to the grid."""

    message_id = "CWWSM0141E"
