"""The plug-in's routing rules (was-plugin.md §2), pure: no sockets, an injectable clock and random source."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from splicer.plugin.model import PluginConfig, Route, Server, ServerCluster, Uri

Kind = Literal["affinity", "round-robin", "failover", "backup", "no-route", "unavailable"]


@dataclass(frozen=True)
class RequestInfo:
    """What routing looks at: the virtual host (host, port), the raw path and the cookies."""

    path: str  # raw path without the query; may carry ;jsessionid=...
    host: str = "localhost"
    port: int = 80
    cookies: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    cluster: ServerCluster
    uri: Uri


@dataclass(frozen=True)
class Decision:
    """Where one attempt goes, and why; ``status`` is set only when the web server answers itself."""

    kind: Kind
    cluster: ServerCluster | None = None
    server: Server | None = None
    clone_ids: tuple[str, ...] = ()
    status: int | None = None

    @property
    def forward(self) -> bool:
        return self.server is not None


def parse_cookie_header(header: str) -> dict[str, str]:
    """Cookie header -> {name: value}; the first cookie of a name wins, as the plug-in reads it.

    Hand-written because http.cookies.SimpleCookie drops the whole header on one odd cookie.
    """
    cookies: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


def url_session_id(path: str, identifier: str) -> str | None:
    """The value of the ``;<identifier>=`` path parameter, if any."""
    match = re.search(rf";{re.escape(identifier)}=([^;/?#]*)", path)
    return match.group(1) if match else None


def clone_ids(session_value: str, separator: str) -> tuple[str, ...]:
    """``0000<id>:A:B`` -> ("A", "B"): everything after the first separator, left to right."""
    return tuple(part for part in session_value.split(separator)[1:] if part)


def strip_path_parameters(path: str) -> str:
    """``/ctx/a.jsp;jsessionid=x`` -> ``/ctx/a.jsp``: URIs are matched without path parameters."""
    return "/".join(segment.split(";", 1)[0] for segment in path.split("/"))


def uri_matches(pattern: str, path: str) -> bool:
    """Uri Name patterns: exact (``/hello``) or with ``*`` wildcards (``/ctx/*``, ``*.jsp``).

    Hand-written rather than fnmatch: the plug-in knows only ``*``; ``?`` and ``[`` are literal.
    """
    regex = ".*".join(re.escape(piece) for piece in pattern.split("*"))
    return re.fullmatch(regex, path) is not None


def vhost_matches(vhost: str, host: str, port: int) -> bool:
    """``*:80``, ``www.example.com:9080``, ``*:*``; host names compare without case."""
    vh_host, sep, vh_port = vhost.rpartition(":")
    if not sep or vh_host.endswith(":"):  # no port given, or a bare IPv6 address
        vh_host, vh_port = vhost, "*"
    host_ok = vh_host == "*" or vh_host.strip("[]").lower() == host.strip("[]").lower()
    port_ok = vh_port == "*" or vh_port == str(port)
    return host_ok and port_ok


def _specificity(pattern: str) -> tuple[int, int]:
    # The reference leaves precedence unconfirmed; we take exact over wildcard, then the
    # pattern with the most literal characters, then file order.
    return ("*" not in pattern, len(pattern.replace("*", "")))


class _ClusterState:
    """Per-cluster run-time state: current weights, the round-robin cursor, marked-down servers."""

    def __init__(self, cluster: ServerCluster, rng: random.Random) -> None:
        self.weights = {s.name: s.load_balance_weight for s in cluster.servers}
        primaries = cluster.primary_servers()
        # The starting member is random, so many web-server processes do not all hit one member.
        self.cursor = rng.randrange(len(primaries)) if primaries else 0
        self.down_until: dict[str, float] = {}


class Router:
    """The plug-in's decisions for one configuration; state lives here, one per proxy process."""

    def __init__(
        self,
        config: PluginConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        retry_interval: float | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.rng = rng or random.Random()
        self.retry_interval_override = retry_interval
        self._clusters = {c.name: c for c in config.clusters}
        self._vhgs = {g.name: g for g in config.virtual_host_groups}
        self._uri_groups = {g.name: g for g in config.uri_groups}
        self._state = {c.name: _ClusterState(c, self.rng) for c in config.clusters}

    # ------------------------------------------------------------------ matching

    def match(self, info: RequestInfo) -> RouteMatch | None:
        """The Route whose virtual host and Uri fit the request, the most specific Uri first."""
        path = strip_path_parameters(info.path)
        best: tuple[tuple[int, int], int, RouteMatch] | None = None
        order = 0
        for route in self.config.routes:
            hosts = self._vhgs[route.virtual_host_group].hosts
            if not any(vhost_matches(vh, info.host, info.port) for vh in hosts):
                continue
            for uri in self._uri_groups[route.uri_group].uris:
                order -= 1
                if uri_matches(uri.name, path):
                    rank = (_specificity(uri.name), order, RouteMatch(route, self._clusters[route.server_cluster], uri))
                    if best is None or rank[:2] > best[:2]:
                        best = rank
        return best[2] if best else None

    def affinity(self, info: RequestInfo, match: RouteMatch) -> tuple[str, ...]:
        """Clone IDs from the affinity cookie, else from the URL's ``;jsessionid=``."""
        value = info.cookies.get(match.uri.affinity_cookie)
        if value is None:
            value = url_session_id(info.path, match.uri.affinity_url_identifier)
        if not value:
            return ()
        return clone_ids(value, "+" if match.cluster.clone_separator_change else ":")

    # ------------------------------------------------------------------ choosing

    def choose(self, info: RequestInfo, tried: Collection[str] = ()) -> Decision:
        """The server for the next attempt; ``tried`` names the servers this request already failed on."""
        match = self.match(info)
        if match is None:
            return Decision("no-route", status=404)
        cluster = match.cluster
        state = self._state[cluster.name]
        now = self.clock()
        ids = self.affinity(info, match)
        retrying = bool(tried)

        def usable(server: Server) -> bool:
            return server.name not in tried and not self.is_down(cluster.name, server.name, now)

        primaries = cluster.primary_servers()
        affinity_missed = False
        for clone in ids:  # left to right; the first one not marked down wins
            server = next((s for s in primaries if s.clone_id == clone), None)
            if server is None:
                continue
            if usable(server):
                if not cluster.ignore_affinity_requests:
                    state.weights[server.name] -= 1
                return Decision("failover" if retrying else "affinity", cluster, server, ids)
            affinity_missed = True

        candidates = [s for s in primaries if usable(s)]
        if candidates:
            server = self._balance(cluster, state, primaries, candidates)
            kind: Kind = "failover" if retrying or affinity_missed else "round-robin"
            return Decision(kind, cluster, server, ids)
        # Backups only when no primary can take the request, in listed order, no balancing.
        for server in cluster.backup_servers():
            if usable(server):
                return Decision("backup", cluster, server, ids)
        return Decision("unavailable", cluster, None, ids, status=503)

    def _balance(
        self, cluster: ServerCluster, state: _ClusterState, primaries: list[Server], candidates: list[Server]
    ) -> Server:
        if cluster.load_balance == "Random":
            return self.rng.choice(candidates)
        names = {s.name for s in candidates}
        weighted = {s.name for s in candidates if s.load_balance_weight > 0}
        if not weighted:
            # Only weight-0 members are left: they still beat a 503, taken in turn.
            return self._next_in_turn(state, primaries, lambda s: s.name in names)
        if all(state.weights[n] <= 0 for n in weighted):
            self._reset_weights(cluster, state, weighted)
        server = self._next_in_turn(state, primaries, lambda s: s.name in weighted and state.weights[s.name] > 0)
        state.weights[server.name] -= 1
        return server

    @staticmethod
    def _next_in_turn(state: _ClusterState, primaries: list[Server], ok: Callable[[Server], bool]) -> Server:
        count = len(primaries)
        for step in range(count):
            index = (state.cursor + step) % count
            if ok(primaries[index]):
                state.cursor = (index + 1) % count
                return primaries[index]
        raise AssertionError("no eligible member although candidates were checked")

    @staticmethod
    def _reset_weights(cluster: ServerCluster, state: _ClusterState, weighted: set[str]) -> None:
        # The exact tWAS formula is unconfirmed; the reference proposes adding each member's
        # configured weight until every one is above zero, which keeps the configured ratio.
        while any(state.weights[n] <= 0 for n in weighted):
            for server in cluster.servers:
                if server.load_balance_weight > 0:
                    state.weights[server.name] += server.load_balance_weight

    # ------------------------------------------------------------------ marking down

    def retry_interval(self, cluster_name: str) -> float:
        if self.retry_interval_override is not None:
            return self.retry_interval_override
        return self._clusters[cluster_name].retry_interval

    def mark_down(self, cluster_name: str, server_name: str, now: float | None = None) -> None:
        """The server refused or timed out: skip it until RetryInterval seconds have passed."""
        moment = self.clock() if now is None else now
        self._state[cluster_name].down_until[server_name] = moment + self.retry_interval(cluster_name)

    def mark_up(self, cluster_name: str, server_name: str) -> None:
        """The server answered: clear its mark."""
        self._state[cluster_name].down_until.pop(server_name, None)

    def is_down(self, cluster_name: str, server_name: str, now: float | None = None) -> bool:
        moment = self.clock() if now is None else now
        until = self._state[cluster_name].down_until.get(server_name)
        return until is not None and moment < until

    def weights(self, cluster_name: str) -> dict[str, int]:
        return dict(self._state[cluster_name].weights)
