"""The emulated web server plug-in: plugin-cfg.xml read/generate/merge, routing rules, the proxy."""

from splicer.plugin.config import PluginConfigError, parse_config, read_config, write_config
from splicer.plugin.model import PluginConfig
from splicer.plugin.routing import Decision, RequestInfo, Router

__all__ = [
    "Decision",
    "PluginConfig",
    "PluginConfigError",
    "RequestInfo",
    "Router",
    "parse_config",
    "read_config",
    "write_config",
]
