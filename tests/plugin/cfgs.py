"""Build plugin-cfg.xml models in code for the routing and proxy tests."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import Any

from splicer.plugin.model import (
    PluginConfig,
    Route,
    Server,
    ServerCluster,
    Transport,
    Uri,
    UriGroup,
    VirtualHostGroup,
)


def server(name: str, clone: str | None = None, weight: int = 2, port: int = 9080, host: str = "127.0.0.1") -> Server:
    return Server(name=name, transports=(Transport(host, port, "http"),), clone_id=clone, load_balance_weight=weight)


def config(
    primaries: Sequence[Server],
    backups: Sequence[Server] = (),
    *,
    uris: Sequence[str | Uri] = ("/app/*",),
    hosts: Sequence[str] = ("*:80",),
    cluster_name: str = "c1",
    **cluster: Any,
) -> PluginConfig:
    """One cluster, one VirtualHostGroup, one UriGroup, one Route."""
    sc = ServerCluster(
        name=cluster_name,
        servers=tuple(primaries) + tuple(backups),
        primary=tuple(s.name for s in primaries),
        backup=tuple(s.name for s in backups),
        **cluster,
    )
    group = UriGroup(f"{cluster_name}_URIs", tuple(u if isinstance(u, Uri) else Uri(u) for u in uris))
    vhg = VirtualHostGroup("default_host", tuple(hosts))
    return PluginConfig(
        virtual_host_groups=(vhg,),
        clusters=(sc,),
        uri_groups=(group,),
        routes=(Route(sc.name, group.name, vhg.name),),
    )


def with_cluster(cfg: PluginConfig, **changes: Any) -> PluginConfig:
    return dataclasses.replace(cfg, clusters=tuple(dataclasses.replace(c, **changes) for c in cfg.clusters))


class FakeClock:
    """An injectable monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FixedStart(random.Random):
    """The random source with a known starting member (index 0), so sequences are exact."""

    def randrange(self, *args: Any, **kwargs: Any) -> int:
        return 0
