"""GenPluginCfg for one stand-alone server: a single-server plugin-cfg.xml for an application's web modules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath, PureWindowsPath

from splicer.modules import WebModule, web_modules
from splicer.plugin.config import write_config
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

DEFAULT_NODE = "localhostNode01"
DEFAULT_PLUGIN_ROOT = "/opt/IBM/WebSphere/Plugins"
DEFAULT_WEBSERVER = "webserver1"

# Config attributes as tWAS 8.5 GenPluginCfg writes them: none of them changes routing,
# but a real plug-in (and pluginCfgMerge) expects a file that looks like its own.
CONFIG_ATTRIBUTES = (
    ("ASDisableNagle", "false"),
    ("AcceptAllContent", "true"),
    ("AppServerPortPreference", "HostHeader"),
    ("ChunkedResponse", "false"),
    ("FIPSEnable", "false"),
    ("FailoverToNext", "false"),
    ("HTTPMaxHeaders", "300"),
    ("IISDisableNagle", "false"),
    ("IISPluginPriority", "High"),
    ("IgnoreDNSFailures", "false"),
    ("KillWebServerStartUpOnParseErr", "false"),
    ("MarkBusyDown", "false"),
    ("OS400ConvertQueryStringToJobCCSID", "false"),
    ("RefreshInterval", "60"),
    ("ResponseChunkSize", "64"),
    ("SSLConsolidate", "true"),
    ("StrictSecurity", "false"),
    ("TrustedProxyEnable", "false"),
    ("VHostMatchingCompat", "false"),
)


@dataclass(frozen=True)
class GenOptions:
    """The facts GenPluginCfg reads from a profile; here they come from the command line."""

    server: str
    host: str
    port: int
    clone_id: str | None = None
    node: str = DEFAULT_NODE
    cell: str | None = None
    virtual_host_group: str = "default_host"
    load_balance_weight: int = 2
    connect_timeout: float = 5.0
    server_io_timeout: float = 900.0
    retry_interval: float = 60.0
    post_buffer_size: int = 64
    plugin_root: str = DEFAULT_PLUGIN_ROOT
    webserver: str = DEFAULT_WEBSERVER

    @property
    def cell_name(self) -> str:
        return self.cell or f"{self.node}Cell"

    @property
    def cluster_name(self) -> str:
        # A stand-alone server's file names its one cluster <server>_<node>_Cluster (was-plugin.md §4.1).
        return f"{self.server}_{self.node}_Cluster"

    @property
    def server_name(self) -> str:
        return f"{self.node}_{self.server}"


def _join(root: str, *parts: str) -> str:
    # The plug-in's paths belong to the web server's machine: keep that machine's separators.
    if "\\" in root or (len(root) > 1 and root[1] == ":"):
        return str(PureWindowsPath(root, *parts))
    return str(PurePosixPath(root, *parts))


def uri_pattern(context_root: str) -> str:
    """``/MySessionTestWeb`` -> ``/MySessionTestWeb/*``; the root context ``/`` -> ``/*``."""
    return context_root.rstrip("/") + "/*"


def generate_config(modules: Sequence[WebModule], options: GenOptions) -> PluginConfig:
    """The single-server plugin-cfg.xml model: one cluster, one server, one Uri per web module."""
    o = options
    server = Server(
        name=o.server_name,
        transports=(Transport(o.host, o.port, "http"),),
        clone_id=o.clone_id or None,
        load_balance_weight=o.load_balance_weight,
        connect_timeout=o.connect_timeout,
        server_io_timeout=o.server_io_timeout,
        extra=(("ExtendedHandshake", "false"), ("MaxConnections", "-1"), ("WaitForContinue", "false")),
    )
    cluster = ServerCluster(
        name=o.cluster_name,
        servers=(server,),
        primary=(server.name,),
        retry_interval=o.retry_interval,
        ignore_affinity_requests=True,
        post_buffer_size=o.post_buffer_size,
        extra=(("PostSizeLimit", "-1"),),
    )
    # The server's own port and the web server's port 80, as default_host aliases carry them.
    hosts = tuple(dict.fromkeys((f"*:{o.port}", "*:80")))
    uris = tuple(dict.fromkeys(uri_pattern(m.context_root) for m in modules))
    uri_group = UriGroup(f"{o.virtual_host_group}_{cluster.name}_URIs", tuple(Uri(u) for u in uris))
    log_path = _join(o.plugin_root, "logs", o.webserver, "http_plugin.log")
    return PluginConfig(
        attributes=CONFIG_ATTRIBUTES,
        log=(("LogLevel", "Error"), ("Name", log_path)),
        properties=(
            ("ESIEnable", "true"),
            ("ESIMaxCacheSize", "1024"),
            ("ESIInvalidationMonitor", "false"),
            ("ESIEnableToPassCookies", "false"),
            ("PluginInstallRoot", _join(o.plugin_root) + ("\\" if "\\" in o.plugin_root else "/")),
        ),
        virtual_host_groups=(VirtualHostGroup(o.virtual_host_group, hosts),),
        clusters=(cluster,),
        uri_groups=(uri_group,) if uris else (),
        routes=(Route(cluster.name, uri_group.name, o.virtual_host_group),) if uris else (),
    )


def gen_plugin_cfg(app: Path, options: GenOptions, output: Path, *, now: datetime | None = None) -> list[str]:
    """Generate and write the file for *app*; returns the PLGC lines GenPluginCfg prints."""
    modules = web_modules(app)
    config = generate_config(modules, options)
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y.%m.%d at %H:%M:%S %Z")
    comment = (
        f"HTTP server plugin config file for the server {options.server_name} "
        f"generated on {stamp}"
    )
    write_config(config, output, comment)
    return [
        f"PLGC0008I: The plug-in is generating a single server plug-in configuration file for the "
        f"cell {options.cell_name}, node {options.node}, server {options.server}.",
        f"PLGC0005I: Plug-in configuration file = {output}",
    ]
