"""GenPluginCfg and pluginCfgMerge: the files they write, their output lines, and the round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from plugin.cfgs import config, server
from splicer.cli import main
from splicer.errors import UsageError
from splicer.plugin.config import read_config
from splicer.plugin.generate import GenOptions, gen_plugin_cfg, uri_pattern
from splicer.plugin.merge import merge_configs, plugin_cfg_merge
from splicer.plugin.routing import RequestInfo, Router


def gen(ear: Path, out: Path, server_name: str, port: int, clone: str | None, node: str) -> Path:
    gen_plugin_cfg(ear, GenOptions(server=server_name, host="localhost", port=port, clone_id=clone, node=node), out)
    return out


def test_gen_writes_a_single_server_file(ear: Path, tmp_path: Path) -> None:
    out = tmp_path / "plugin-cfg_1.xml"
    lines = gen_plugin_cfg(ear, GenOptions("server1", "localhost", 9080, "17f69k519"), out)
    assert lines == [
        "PLGC0008I: The plug-in is generating a single server plug-in configuration file for the cell "
        "localhostNode01Cell, node localhostNode01, server server1.",
        f"PLGC0005I: Plug-in configuration file = {out}",
    ]
    root = etree.parse(str(out)).getroot()
    assert root.tag == "Config" and root.get("RefreshInterval") == "60"
    assert [c.tag for c in root if isinstance(c.tag, str)] == [
        "Log", "Property", "Property", "Property", "Property", "Property",
        "VirtualHostGroup", "ServerCluster", "UriGroup", "Route",
    ]
    assert [v.get("Name") for v in root.iterfind("VirtualHostGroup[@Name='default_host']/VirtualHost")] == ["*:9080", "*:80"]
    cluster = root.find("ServerCluster")
    assert cluster is not None
    assert {k: cluster.get(k) for k in ("Name", "LoadBalance", "RetryInterval", "GetDWLMTable",
                                        "CloneSeparatorChange", "IgnoreAffinityRequests")} == {
        "Name": "server1_localhostNode01_Cluster", "LoadBalance": "Round Robin", "RetryInterval": "60",
        "GetDWLMTable": "false", "CloneSeparatorChange": "false", "IgnoreAffinityRequests": "true",
    }
    srv = cluster.find("Server")
    assert srv is not None
    assert {k: srv.get(k) for k in ("Name", "CloneID", "LoadBalanceWeight", "ConnectTimeout")} == {
        "Name": "localhostNode01_server1", "CloneID": "17f69k519", "LoadBalanceWeight": "2", "ConnectTimeout": "5",
    }
    assert dict(srv.find("Transport").attrib) == {"Hostname": "localhost", "Port": "9080", "Protocol": "http"}  # type: ignore[union-attr]
    assert [s.get("Name") for s in cluster.iterfind("PrimaryServers/Server")] == ["localhostNode01_server1"]
    uris = root.findall("UriGroup/Uri")
    assert [(u.get("Name"), u.get("AffinityCookie"), u.get("AffinityURLIdentifier")) for u in uris] == [
        ("/MySessionTestWeb/*", "JSESSIONID", "jsessionid"),
        ("/ops/admin/*", "JSESSIONID", "jsessionid"),
    ]
    route = root.find("Route")
    assert route is not None and dict(route.attrib) == {
        "ServerCluster": "server1_localhostNode01_Cluster",
        "UriGroup": "default_host_server1_localhostNode01_Cluster_URIs",
        "VirtualHostGroup": "default_host",
    }


def test_gen_without_clone_id_writes_none(ear: Path, tmp_path: Path) -> None:
    cfg = read_config(gen(ear, tmp_path / "p.xml", "server1", 9080, None, "n1"))
    assert cfg.clusters[0].servers[0].clone_id is None


@pytest.mark.parametrize(("root", "pattern"), [("/MySessionTestWeb", "/MySessionTestWeb/*"), ("/", "/*")],
                         ids=["context-root", "root-context"])
def test_uri_pattern(root: str, pattern: str) -> None:
    assert uri_pattern(root) == pattern


def test_merge_two_servers_of_one_app_gives_one_failover_cluster(ear: Path, tmp_path: Path) -> None:
    one = gen(ear, tmp_path / "plugin-cfg_1.xml", "server1", 9080, "17f69k519", "node1")
    two = gen(ear, tmp_path / "plugin-cfg_2.xml", "server2", 9081, "17f69k8ot", "node2")
    lines: list[str] = []
    out = tmp_path / "plugin-cfg.xml"
    result = plugin_cfg_merge([one, two], out, lines.append)
    assert lines == [
        "Merging:",
        f"Found file {one}: true",
        "Merging a non-ODC generated plugin-cfg.xml",
        f"Found file {two}: true",
        f"Merged plugin config file written to {out}",
        "Merge Complete",
    ]
    merged = read_config(out)
    assert result.warnings == ()
    # *:80 and both uris are served by both inputs; *:9080 and *:9081 by one each.
    shared = merged.cluster("Shared_0_Cluster_0")
    assert [(s.name, s.clone_id, s.http.port if s.http else None) for s in shared.primary_servers()] == [
        ("node1_server1_0", "17f69k519", 9080),
        ("node2_server2_1", "17f69k8ot", 9081),
    ]
    assert shared.backup == ()
    assert shared.retry_interval == 60.0 and shared.load_balance == "Round Robin"
    pairs = sorted(
        (uri.name, vh, r.server_cluster)
        for r in merged.routes
        for uri in merged.uri_group(r.uri_group).uris
        for vh in merged.virtual_host_group(r.virtual_host_group).hosts
    )
    assert pairs == [
        ("/MySessionTestWeb/*", "*:80", "Shared_0_Cluster_0"),
        ("/MySessionTestWeb/*", "*:9080", "server1_node1_Cluster_0"),
        ("/MySessionTestWeb/*", "*:9081", "server2_node2_Cluster_1"),
        ("/ops/admin/*", "*:80", "Shared_0_Cluster_0"),
        ("/ops/admin/*", "*:9080", "server1_node1_Cluster_0"),
        ("/ops/admin/*", "*:9081", "server2_node2_Cluster_1"),
    ]
    # Config-level content comes from the first input.
    assert merged.attributes == read_config(one).attributes and merged.log == read_config(one).log


def test_merged_file_routes_with_failover(ear: Path, tmp_path: Path) -> None:
    """The round trip: gen for two servers, merge, and the router sees one cluster, two primaries."""
    one = gen(ear, tmp_path / "plugin-cfg_1.xml", "server1", 9080, "17f69k519", "node1")
    two = gen(ear, tmp_path / "plugin-cfg_2.xml", "server2", 9081, "17f69k8ot", "node2")
    plugin_cfg_merge([one, two], tmp_path / "plugin-cfg.xml", lambda line: None)
    router = Router(read_config(tmp_path / "plugin-cfg.xml"))
    info = RequestInfo("/MySessionTestWeb/SessionTest.jsp", "localhost", 80,
                       {"JSESSIONID": "00004WnQaKbKMCdHRuD5PWdsZJf:17f69k519"})
    first = router.choose(info)
    assert (first.cluster.name if first.cluster else None, first.server.name if first.server else None, first.kind) == (
        "Shared_0_Cluster_0", "node1_server1_0", "affinity")
    router.mark_down("Shared_0_Cluster_0", "node1_server1_0")
    second = router.choose(info)
    assert (second.server.name if second.server else None, second.kind) == ("node2_server2_1", "failover")


def test_merge_keeps_unshared_apps_apart_and_backups() -> None:
    a = config([server("s1", "c1")], [server("b1", "cb")], uris=["/shop/*"], cluster_name="A")
    b = config([server("s2", "c2")], uris=["/shop/*", "/blog/*"], cluster_name="B")
    result = merge_configs([a, b])
    merged = result.config
    shared = merged.cluster("Shared_0_Cluster_0")
    assert (shared.primary, shared.backup) == (("s1_0", "s2_1"), ("b1_0",))
    blog = [r for r in merged.routes if merged.uri_group(r.uri_group).uris[0].name == "/blog/*"]
    assert [r.server_cluster for r in blog] == ["B_1"]
    assert [s.name for s in merged.cluster("B_1").servers] == ["s2"]
    assert result.shared_clusters == ("Shared_0_Cluster_0",)


@pytest.mark.parametrize(
    ("clones", "message_id", "text"),
    [
        ((None, "c2"), "CWWSM0541W", r"^server s1_0 in Shared_0_Cluster_0 has no CloneID"),
        (("-1", "-1"), "CWWSM0542W", r"^servers s1_0 and s2_1 in Shared_0_Cluster_0 share the CloneID -1"),
    ],
    ids=["missing-clone-id", "same-clone-id"],
)
def test_merge_warns_when_affinity_cannot_work(clones: tuple[str | None, str | None], message_id: str, text: str) -> None:
    result = merge_configs([config([server("s1", clones[0])]), config([server("s2", clones[1])])])
    assert [w.message_id for w in result.warnings] == [message_id]
    assert re.search(text, result.warnings[0].text)


def test_merge_needs_two_inputs() -> None:
    with pytest.raises(UsageError, match=r"^CWWSM0100E: pluginCfgMerge needs at least 2 input files, got 1$"):
        merge_configs([config([server("s1")])])


def test_merge_missing_input(tmp_path: Path) -> None:
    lines: list[str] = []
    with pytest.raises(UsageError) as caught:
        plugin_cfg_merge([tmp_path / "a.xml", tmp_path / "b.xml"], tmp_path / "out.xml", lines.append)
    assert caught.value.where.parts == (str(tmp_path / "a.xml"),)
    assert lines == ["Merging:", f"Found file {tmp_path / 'a.xml'}: false"]
    assert not (tmp_path / "out.xml").exists()


def test_cli_gen_and_both_merge_forms(ear: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    one, two = tmp_path / "plugin-cfg_1.xml", tmp_path / "plugin-cfg_2.xml"
    for out, name, port, clone in ((one, "server1", "9080", "17f69k519"), (two, "server2", "9081", "17f69k8ot")):
        res = runner.invoke(main, ["plugin", "gen", "--server", name, "--host", "localhost", "--port", port,
                                   "--clone-id", clone, "--app", str(ear), "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert res.output.splitlines()[-1] == f"PLGC0005I: Plug-in configuration file = {out}"
    positional = runner.invoke(main, ["plugin", "merge", str(one), str(two), str(tmp_path / "m1.xml")])
    option = runner.invoke(main, ["plugin", "merge", str(one), str(two), "-o", str(tmp_path / "m2.xml")])
    assert (positional.exit_code, option.exit_code) == (0, 0), positional.output + option.output
    assert positional.output.splitlines()[-1] == "Merge Complete"
    assert read_config(tmp_path / "m1.xml") == read_config(tmp_path / "m2.xml")


def test_cli_merge_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["plugin", "merge", str(tmp_path / "a.xml"), str(tmp_path / "b.xml")])
    assert res.exit_code == 2
    assert "CWWSM0100E: give at least two input files and the output (or -o OUTPUT)" in res.output
