"""plugin-cfg.xml reading and writing: the real format, round trips, named errors with file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from splicer.errors import HostileXmlError
from splicer.plugin.config import PluginConfigError, parse_config, read_config, to_xml, write_config

# The tutorial's merged cluster (section 5), completed into a whole file.
TUTORIAL = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Config ASDisableNagle="false" RefreshInterval="60">
   <Log LogLevel="Error" Name="C:\\IBM\\WebSphere85\\Plugins\\logs\\webserver1\\http_plugin.log"/>
   <Property Name="ESIEnable" Value="true"/>
   <VirtualHostGroup Name="default_host">
      <VirtualHost Name="*:80"/>
      <VirtualHost Name="*:9083"/>
   </VirtualHostGroup>
   <ServerCluster CloneSeparatorChange="false" GetDWLMTable="true" IgnoreAffinityRequests="false"
                  LoadBalance="Round Robin" Name="Shared_0_Cluster_0" PostBufferSize="64"
                  PostSizeLimit="-1" RemoveSpecialHeaders="true" RetryInterval="60">
      <Server CloneID="17f69k519" ConnectTimeout="5" ExtendedHandshake="false" LoadBalanceWeight="2"
              MaxConnections="-1" Name="kr050578Node01_Server01" ServerIOTimeout="900" WaitForContinue="false">
         <Transport Hostname="kr050578" Port="9083" Protocol="http"/>
         <Transport Hostname="kr050578" Port="9446" Protocol="https">
            <Property Name="keyring" Value="C:\\IBM\\WebSphere85\\Plugins\\config\\webserver1\\plugin-key.kdb"/>
            <Property Name="stashfile" Value="C:\\IBM\\WebSphere85\\Plugins\\config\\webserver1\\plugin-key.sth"/>
         </Transport>
      </Server>
      <Server CloneID="17f69k8ot" ConnectTimeout="5" ExtendedHandshake="false" LoadBalanceWeight="2"
              MaxConnections="-1" Name="kr050578Node04_Server02" ServerIOTimeout="900" WaitForContinue="false">
         <Transport Hostname="kr050578" Port="9084" Protocol="http"/>
      </Server>
      <PrimaryServers>
         <Server Name="kr050578Node01_Server01"/>
         <Server Name="kr050578Node04_Server02"/>
      </PrimaryServers>
   </ServerCluster>
   <!-- URI groups -->
   <UriGroup Name="default_host_Shared_0_Cluster_0_URIs">
      <Uri AffinityCookie="JSESSIONID" AffinityURLIdentifier="jsessionid" Name="/MySessionTestWeb/*"/>
   </UriGroup>
   <Route ServerCluster="Shared_0_Cluster_0" UriGroup="default_host_Shared_0_Cluster_0_URIs" VirtualHostGroup="default_host"/>
</Config>
"""


def test_reads_the_tutorial_cluster() -> None:
    cfg = parse_config(TUTORIAL, "plugin-cfg.xml")
    cluster = cfg.cluster("Shared_0_Cluster_0")
    assert [(s.name, s.clone_id, s.http.port if s.http else None) for s in cluster.primary_servers()] == [
        ("kr050578Node01_Server01", "17f69k519", 9083),
        ("kr050578Node04_Server02", "17f69k8ot", 9084),
    ]
    assert (cluster.get_dwlm_table, cluster.ignore_affinity_requests, cluster.retry_interval) == (True, False, 60.0)
    assert cluster.servers[0].transports[1].properties[0][0] == "keyring"
    assert dict(cluster.extra) == {"PostSizeLimit": "-1"}
    assert cfg.uri_groups[0].uris[0].affinity_cookie == "JSESSIONID"
    assert cfg.properties == (("ESIEnable", "true"),)


def test_write_then_read_is_the_same_model(tmp_path: Path) -> None:
    cfg = parse_config(TUTORIAL, "in.xml")
    out = tmp_path / "out.xml"
    write_config(cfg, out, "generated for the test")
    again = read_config(out)
    assert again == cfg
    text = out.read_text("iso-8859-1")
    assert text.startswith('<?xml version=\'1.0\' encoding=\'ISO-8859-1\'?>\n<!--generated for the test-->')
    assert 'MaxConnections="-1"' in text and 'GetDWLMTable="true"' in text


def test_written_file_is_stable() -> None:
    cfg = parse_config(TUTORIAL, "in.xml")
    assert to_xml(parse_config(to_xml(cfg), "again.xml")) == to_xml(cfg)


def test_defaults_when_attributes_are_absent() -> None:
    cfg = parse_config(
        b'<Config><VirtualHostGroup Name="v"><VirtualHost Name="*:80"/></VirtualHostGroup>'
        b'<ServerCluster Name="c"><Server Name="s"><Transport Hostname="h" Port="1"/></Server></ServerCluster>'
        b'<UriGroup Name="u"><Uri Name="/x/*"/></UriGroup><Route ServerCluster="c" UriGroup="u" VirtualHostGroup="v"/></Config>'
    )
    cluster = cfg.cluster("c")
    assert (cluster.load_balance, cluster.retry_interval, cluster.ignore_affinity_requests,
            cluster.clone_separator_change, cluster.post_buffer_size) == ("Round Robin", 60.0, True, False, 64)
    # No PrimaryServers list: every server is a primary.
    assert [s.name for s in cluster.primary_servers()] == ["s"]
    assert cluster.servers[0].clone_id is None
    assert (cfg.uri_groups[0].uris[0].affinity_cookie, cfg.uri_groups[0].uris[0].affinity_url_identifier) == (
        "JSESSIONID", "jsessionid")


ROUTE_OK = b'<Route ServerCluster="c" UriGroup="u" VirtualHostGroup="v"/>'
GROUPS = b'<VirtualHostGroup Name="v"><VirtualHost Name="*:80"/></VirtualHostGroup>'
URIS = b'<UriGroup Name="u"><Uri Name="/x/*"/></UriGroup>'


def _doc(cluster: bytes, route: bytes = ROUTE_OK) -> bytes:
    return b"<Config>\n" + GROUPS + b"\n" + cluster + b"\n" + URIS + b"\n" + route + b"\n</Config>"


CLUSTER = b'<ServerCluster Name="c"><Server Name="s"><Transport Hostname="h" Port="1"/></Server></ServerCluster>'


@pytest.mark.parametrize(
    ("data", "reason", "line", "key", "value"),
    [
        (b"<Plugin/>", r"^the root element is <Plugin>, not <Config>$", 1, None, None),
        (_doc(CLUSTER, b'<Route ServerCluster="nope" UriGroup="u" VirtualHostGroup="v"/>'),
         r"^Route names the ServerCluster 'nope', which is not defined$", 5, "ServerCluster", "nope"),
        (_doc(CLUSTER, b'<Route ServerCluster="c" UriGroup="u" VirtualHostGroup="x"/>'),
         r"^Route names the VirtualHostGroup 'x', which is not defined$", 5, "VirtualHostGroup", "x"),
        (_doc(b'<ServerCluster Name="c" RetryInterval="soon"/>'),
         r"^ServerCluster@RetryInterval must be a number$", 3, "RetryInterval", "soon"),
        (_doc(b'<ServerCluster Name="c" GetDWLMTable="yes"/>'),
         r"^ServerCluster@GetDWLMTable must be true or false$", 3, "GetDWLMTable", "yes"),
        (_doc(b'<ServerCluster Name="c" LoadBalance="Fastest"/>'),
         r"^ServerCluster@LoadBalance is not known$", 3, "LoadBalance", "Fastest"),
        (_doc(b'<ServerCluster Name="c"><PrimaryServers><Server Name="ghost"/></PrimaryServers></ServerCluster>'),
         r"^PrimaryServers names the server 'ghost', which cluster 'c' does not define$", 3, "Name", "ghost"),
        (_doc(b'<ServerCluster Name="c"><Server Name="s"><Transport Hostname="h" Port="x"/></Server></ServerCluster>'),
         r"^Transport@Port must be an integer$", 3, "Port", "x"),
        (_doc(b'<ServerCluster><Server Name="s"/></ServerCluster>'),
         r"^<ServerCluster> needs the attribute Name$", 3, "Name", None),
    ],
    ids=["wrong-root", "route-unknown-cluster", "route-unknown-vhost-group", "retry-not-number",
         "flag-not-boolean", "unknown-load-balance", "primary-unknown-server", "port-not-integer", "missing-name"],
)
def test_errors_name_file_line_and_key(
    data: bytes, reason: str, line: int, key: str | None, value: str | None
) -> None:
    with pytest.raises(PluginConfigError) as caught:
        parse_config(data, "plugin-cfg.xml")
    err = caught.value
    assert err.where.parts == ("plugin-cfg.xml",)
    assert err.where.line == line
    assert (err.key, err.value) == (key, value)
    assert err.exit_code == 2
    assert re.search(reason, err.reason), err.reason


def test_entities_are_refused() -> None:
    data = b'<!DOCTYPE Config [<!ENTITY x "boom">]><Config>&x;</Config>'
    with pytest.raises(HostileXmlError) as caught:
        parse_config(data, "evil.xml")
    assert caught.value.where.parts == ("evil.xml",)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PluginConfigError, match=r"^CWWSM0150E: .*absent\.xml: cannot read the plug-in configuration") as caught:
        read_config(tmp_path / "absent.xml")
    assert caught.value.where.parts == (str(tmp_path / "absent.xml"),)


def test_malformed_xml_is_a_configuration_error_with_its_line() -> None:
    """A malformed plugin-cfg.xml exited 3 (unsafe input) while malformed grid XML exits 2."""
    with pytest.raises(PluginConfigError, match="not well-formed") as info:
        parse_config(b"<Config>\n<ServerCluster>\n</Config>\n", "plugin-cfg.xml")
    assert info.value.exit_code == 2
    assert info.value.where.parts == ("plugin-cfg.xml",)
    assert info.value.where.line == 3
