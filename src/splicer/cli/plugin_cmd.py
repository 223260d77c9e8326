"""`splicer plugin gen|merge|proxy`: GenPluginCfg, pluginCfgMerge and the emulated IHS."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from splicer.cli.boundary import report_errors
from splicer.errors import UsageError


@click.group()
def plugin() -> None:
    """The web server plug-in: generate, merge and serve plugin-cfg.xml."""


@plugin.command()
@click.option("--server", required=True, help="Application server name (GenPluginCfg -server.name).")
@click.option("--host", required=True, help="Host name the plug-in connects to.")
@click.option("--port", required=True, type=click.IntRange(1, 65535), help="The server's HTTP port.")
@click.option("--clone-id", help="The server's HttpSessionCloneId; without it the file has no CloneID.")
@click.option("--app", "app", required=True, type=click.Path(exists=True, path_type=Path), help="The EAR or WAR deployed on the server.")
@click.option("--node", default="localhostNode01", show_default=True, help="Node name.")
@click.option("--cell", help="Cell name [default: <node>Cell].")
@click.option("--weight", default=2, show_default=True, type=click.IntRange(0), help="LoadBalanceWeight.")
@click.option("--connect-timeout", default=5.0, show_default=True, type=click.FloatRange(0), help="ConnectTimeout, seconds.")
@click.option("--retry-interval", default=60.0, show_default=True, type=click.FloatRange(0), help="RetryInterval, seconds.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="plugin-cfg.xml to write.")
@report_errors()
def gen(
    server: str, host: str, port: int, clone_id: str | None, app: Path, node: str, cell: str | None,
    weight: int, connect_timeout: float, retry_interval: float, output: Path,
) -> None:
    """GenPluginCfg: a single-server plugin-cfg.xml for APP's web modules."""
    from splicer.plugin.generate import GenOptions, gen_plugin_cfg

    options = GenOptions(
        server=server, host=host, port=port, clone_id=clone_id, node=node, cell=cell,
        load_balance_weight=weight, connect_timeout=connect_timeout, retry_interval=retry_interval,
    )
    for line in gen_plugin_cfg(app, options, output):
        click.echo(line)


@plugin.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Merged file; without it the last FILE is the output, as pluginCfgMerge takes it.")
@report_errors()
def merge(files: tuple[Path, ...], output: Path | None) -> None:
    """pluginCfgMerge: merge FILES into one plugin-cfg.xml."""
    from splicer.plugin.merge import plugin_cfg_merge

    inputs = list(files)
    if output is None:
        if len(inputs) < 3:
            raise UsageError("give at least two input files and the output (or -o OUTPUT)")
        output = inputs.pop()
    result = plugin_cfg_merge(inputs, output, click.echo)
    for warning in result.warnings:
        click.echo(str(warning), err=True)


@plugin.command()
@click.option("--config", "config_path", required=True, type=click.Path(path_type=Path), help="plugin-cfg.xml to route with.")
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0: any free port).")
@click.option("--retry-interval", type=click.FloatRange(0), help="Seconds a failed server stays marked down, overriding the file's RetryInterval.")
@click.option("--vhost-port", default=80, show_default=True, type=click.IntRange(0, 65535),
              help="Port used to match VirtualHost entries (IHS's port); 0: the Host header's port.")
@click.option("--seed", type=int, help="Seed for the random round-robin starting member.")
@report_errors()
def proxy(config_path: Path, host: str, port: int, retry_interval: float | None, vhost_port: int, seed: int | None) -> None:
    """The emulated IBM HTTP Server: prints READY host:port, stops on SIGTERM (exit 130)."""
    from splicer.plugin.config import read_config
    from splicer.plugin.proxy import PluginProxy
    from splicer.serving import serve

    config = read_config(config_path)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("splicer.plugin")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    server = PluginProxy(config, vhost_port=vhost_port or None, retry_interval=retry_interval, seed=seed)

    async def start() -> str:
        bound_host, bound_port = await server.start(host, port)
        return f"{bound_host}:{bound_port}"

    serve(start, server.stop, name="plugin proxy", log=logger,
          abandoned="CWWSM0396E: stopped by a second signal: requests in flight were cut off")
