"""The plugin-cfg.xml model: Config, VirtualHostGroup, ServerCluster, Server, Transport, UriGroup, Route."""

from __future__ import annotations

from dataclasses import dataclass, field

Attrs = tuple[tuple[str, str], ...]

DEFAULT_AFFINITY_COOKIE = "JSESSIONID"
DEFAULT_AFFINITY_URL_ID = "jsessionid"


@dataclass(frozen=True)
class Transport:
    hostname: str
    port: int
    protocol: str = "http"
    properties: Attrs = ()  # keyring / stashfile / certLabel on https transports


@dataclass(frozen=True)
class Server:
    name: str
    transports: tuple[Transport, ...]
    clone_id: str | None = None
    load_balance_weight: int = 2
    connect_timeout: float = 0.0
    server_io_timeout: float = 0.0
    extra: Attrs = ()  # every other attribute, kept so a merge loses nothing

    @property
    def http(self) -> Transport | None:
        """The transport the emulated plug-in talks to (plain http first, as the emulator is http only)."""
        for transport in self.transports:
            if transport.protocol.lower() == "http":
                return transport
        return self.transports[0] if self.transports else None


@dataclass(frozen=True)
class ServerCluster:
    name: str
    servers: tuple[Server, ...]
    primary: tuple[str, ...] = ()
    backup: tuple[str, ...] = ()
    load_balance: str = "Round Robin"
    retry_interval: float = 60.0
    ignore_affinity_requests: bool = True
    clone_separator_change: bool = False
    get_dwlm_table: bool = False
    post_buffer_size: int = 64  # KB
    server_io_timeout_retry: int = -1
    remove_special_headers: bool = True
    extra: Attrs = ()

    def server(self, name: str) -> Server:
        for server in self.servers:
            if server.name == name:
                return server
        raise KeyError(name)

    def primary_servers(self) -> list[Server]:
        """PrimaryServers in listed order; a cluster without the list load-balances over all servers."""
        if not self.primary and not self.backup:
            return list(self.servers)
        return [self.server(name) for name in self.primary]

    def backup_servers(self) -> list[Server]:
        return [self.server(name) for name in self.backup]


@dataclass(frozen=True)
class VirtualHostGroup:
    name: str
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class Uri:
    name: str
    affinity_cookie: str = DEFAULT_AFFINITY_COOKIE
    affinity_url_identifier: str = DEFAULT_AFFINITY_URL_ID


@dataclass(frozen=True)
class UriGroup:
    name: str
    uris: tuple[Uri, ...]


@dataclass(frozen=True)
class Route:
    server_cluster: str
    uri_group: str
    virtual_host_group: str


@dataclass(frozen=True)
class PluginConfig:
    attributes: Attrs = ()
    log: Attrs | None = None
    properties: Attrs = ()
    virtual_host_groups: tuple[VirtualHostGroup, ...] = ()
    clusters: tuple[ServerCluster, ...] = ()
    uri_groups: tuple[UriGroup, ...] = ()
    routes: tuple[Route, ...] = ()
    source: str = field(default="plugin-cfg.xml", compare=False)

    def cluster(self, name: str) -> ServerCluster:
        return {c.name: c for c in self.clusters}[name]

    def uri_group(self, name: str) -> UriGroup:
        return {g.name: g for g in self.uri_groups}[name]

    def virtual_host_group(self, name: str) -> VirtualHostGroup:
        return {g.name: g for g in self.virtual_host_groups}[name]
