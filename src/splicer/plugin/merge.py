"""pluginCfgMerge: several plugin-cfg.xml files into one, the shared URIs served by one failover cluster."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from splicer.errors import Diagnostic, UsageError, Where
from splicer.plugin.config import read_config, write_config
from splicer.plugin.model import (
    PluginConfig,
    Route,
    Server,
    ServerCluster,
    Uri,
    UriGroup,
    VirtualHostGroup,
)

# (Uri Name, VirtualHost Name): what the merge technote says must stay unique across routes.
Key = tuple[str, str]


@dataclass(frozen=True)
class _Hosted:
    cluster: str
    uri: Uri
    vhg: str
    uri_group: str


@dataclass(frozen=True)
class MergeResult:
    config: PluginConfig
    shared_clusters: tuple[str, ...]
    warnings: tuple[Diagnostic, ...]


class _Names:
    """Unique group names: a name is reused for identical content, else gets a numeric suffix."""

    def __init__(self) -> None:
        self.used: dict[str, tuple[str, ...]] = {}

    def claim(self, base: str, content: tuple[str, ...]) -> tuple[str, bool]:
        name, n = base, 0
        while name in self.used and self.used[name] != content:
            n += 1
            name = f"{base}_{n}"
        new = name not in self.used
        self.used[name] = content
        return name, new


class _Output:
    """The groups, clusters and routes of the merged file, in the order they are produced."""

    def __init__(self) -> None:
        self.vhgs: list[VirtualHostGroup] = []
        self.uri_groups: list[UriGroup] = []
        self.clusters: list[ServerCluster] = []
        self.routes: list[Route] = []
        self._vhg_names = _Names()
        self._ug_names = _Names()

    def add_routes(self, cluster: str, pairs: Sequence[tuple[Uri, str]], vhg_base: str, ug_base: str) -> None:
        """Routes for (Uri, VirtualHost) pairs: Uris served on the same hosts share one route."""
        hosts_of: dict[str, list[str]] = {}
        uri_of: dict[str, Uri] = {}
        for uri, host in pairs:
            hosts_of.setdefault(uri.name, []).append(host)
            uri_of.setdefault(uri.name, uri)
        buckets: dict[tuple[str, ...], list[Uri]] = {}
        for name, host_list in hosts_of.items():
            buckets.setdefault(tuple(host_list), []).append(uri_of[name])
        for hosts, uris in buckets.items():
            vhg, new = self._vhg_names.claim(vhg_base, hosts)
            if new:
                self.vhgs.append(VirtualHostGroup(vhg, hosts))
            ug, new = self._ug_names.claim(ug_base, tuple(u.name for u in uris))
            if new:
                self.uri_groups.append(UriGroup(ug, tuple(uris)))
            self.routes.append(Route(cluster, ug, vhg))


def _hosted_keys(cfg: PluginConfig, warnings: list[Diagnostic]) -> dict[Key, _Hosted]:
    keys: dict[Key, _Hosted] = {}
    for route in cfg.routes:
        hosts = cfg.virtual_host_group(route.virtual_host_group).hosts
        for uri in cfg.uri_group(route.uri_group).uris:
            for host in hosts:
                key = (uri.name, host.lower())
                if key in keys:
                    if keys[key].cluster != route.server_cluster:
                        warnings.append(Diagnostic(
                            "CWWSM0540W",
                            f"URI {uri.name} on {host} is routed twice (to {keys[key].cluster} and "
                            f"{route.server_cluster}); the first route is kept",
                            Where((cfg.source,)),
                        ))
                    continue
                keys[key] = _Hosted(route.server_cluster, uri, route.virtual_host_group, route.uri_group)
    return keys


def _shared_cluster(
    name: str, members: Sequence[tuple[int, ServerCluster]], warnings: list[Diagnostic]
) -> ServerCluster:
    """One cluster holding every member of the inputs that serve the same keys.

    Server names get ``_<input>`` so they stay unique; cluster attributes come from the leftmost
    input; every server is primary (the failover variant) unless an input made it a backup.
    """
    servers: list[Server] = []
    primary: list[str] = []
    backup: list[str] = []
    for index, cluster in members:
        for server in cluster.servers:
            renamed = dataclasses.replace(server, name=f"{server.name}_{index}")
            servers.append(renamed)
            (backup if server.name in cluster.backup else primary).append(renamed.name)
    seen: dict[str, str] = {}
    for server in servers:
        if not server.clone_id:
            warnings.append(Diagnostic(
                "CWWSM0541W",
                f"server {server.name} in {name} has no CloneID: requests for its sessions cannot "
                "stick to it; set HttpSessionCloneId on the server and CloneID here",
            ))
        elif server.clone_id in seen:
            warnings.append(Diagnostic(
                "CWWSM0542W",
                f"servers {seen[server.clone_id]} and {server.name} in {name} share the CloneID "
                f"{server.clone_id}: affinity cannot tell them apart",
            ))
        else:
            seen[server.clone_id] = server.name
    return dataclasses.replace(
        members[0][1], name=name, servers=tuple(servers), primary=tuple(primary), backup=tuple(backup)
    )


def merge_configs(configs: Sequence[PluginConfig]) -> MergeResult:
    """The pluginCfgMerge algorithm (was-plugin.md §4.2), failover variant, without -sortVhostGrp."""
    if len(configs) < 2:
        raise UsageError(f"pluginCfgMerge needs at least 2 input files, got {len(configs)}")
    warnings: list[Diagnostic] = []
    hosted = [_hosted_keys(cfg, warnings) for cfg in configs]
    owners: dict[Key, list[int]] = {}
    for i, input_keys in enumerate(hosted):
        for key in input_keys:
            owners.setdefault(key, []).append(i)

    out = _Output()
    # Shared keys, grouped by exactly which (input, cluster) pairs host them.
    groups: dict[tuple[tuple[int, str], ...], list[Key]] = {}
    for key, who in owners.items():
        if len(who) > 1:
            groups.setdefault(tuple((i, hosted[i][key].cluster) for i in who), []).append(key)
    shared: list[str] = []
    for n, (signature, keys) in enumerate(groups.items()):
        name = f"Shared_{n}_Cluster_0"
        members = [(i, configs[i].cluster(cname)) for i, cname in signature]
        out.clusters.append(_shared_cluster(name, members, warnings))
        shared.append(name)
        leftmost = signature[0][0]
        shared_pairs = [(hosted[leftmost][key].uri, key[1]) for key in keys]
        out.add_routes(name, shared_pairs, f"/cell/sharedCell_{n}/vHostGroup/shared_host", f"{name}_URIs")

    # Keys only one input serves keep their cluster, renamed <cluster>_<input>.
    for i, own in enumerate(hosted):
        by_route: dict[tuple[str, str, str], list[tuple[Uri, str]]] = {}
        for key, h in own.items():
            if len(owners[key]) == 1:
                by_route.setdefault((h.cluster, h.vhg, h.uri_group), []).append((h.uri, key[1]))
        kept: set[str] = set()
        for (cname, vhg, ug), pairs in by_route.items():
            renamed = f"{cname}_{i}"
            if cname not in kept:
                kept.add(cname)
                out.clusters.append(dataclasses.replace(configs[i].cluster(cname), name=renamed))
            out.add_routes(renamed, pairs, f"{vhg}_{i}", f"{ug}_{i}")

    first = configs[0]
    merged = PluginConfig(
        attributes=first.attributes,
        log=first.log,
        properties=first.properties,
        virtual_host_groups=tuple(out.vhgs),
        clusters=tuple(out.clusters),
        uri_groups=tuple(out.uri_groups),
        routes=tuple(out.routes),
        source="merged",
    )
    return MergeResult(merged, tuple(shared), tuple(warnings))


def plugin_cfg_merge(
    inputs: Sequence[Path], output: Path, echo: Callable[[str], None], *, now: datetime | None = None
) -> MergeResult:
    """Read, merge and write, printing the lines pluginCfgMerge prints."""
    if len(inputs) < 2:
        raise UsageError(f"pluginCfgMerge needs at least 2 input files, got {len(inputs)}")
    echo("Merging:")
    configs: list[PluginConfig] = []
    for n, path in enumerate(inputs):
        found = path.is_file()
        echo(f"Found file {path}: {'true' if found else 'false'}")
        if not found:
            raise UsageError("the plug-in configuration file does not exist", Where((str(path),)))
        configs.append(read_config(path))
        if n == 0:
            echo("Merging a non-ODC generated plugin-cfg.xml")
    result = merge_configs(configs)
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y.%m.%d at %H:%M:%S %Z")
    write_config(result.config, output, f" This config file was generated by splicer plugin merge on {stamp} ")
    echo(f"Merged plugin config file written to {output}")
    echo("Merge Complete")
    return result
