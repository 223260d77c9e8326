"""``splicer grid``: the emulated eXtreme Scale grid (catalog, container) and its admin commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from splicer.cli.boundary import report_errors
from splicer.signals import run_async

if TYPE_CHECKING:
    from splicer.grid.auth import Security

CATALOG_HELP = "catalog listener host:port[,host:port...] (xscmd -cep)"
F = TypeVar("F", bound=Callable[..., object])

# The options the container and the admin commands share, declared once (each use makes
# its own click.Option).
catalog_option = click.option("--catalog", "-cep", default="localhost:2809", show_default=True,
                              help=CATALOG_HELP)
grid_option = click.option("-g", "--grid", "grid_name", required=True,
                           help="the grid (objectGrid name)")
mapset_option = click.option("-m", "-ms", "--mapset", required=True, help="the mapSet")


def secret_file_option(command: F) -> F:
    """--secret-file: the domain's shared secret (securityEnabled); never the secret itself."""
    return click.option(
        "--secret-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="the grid's shared secret, a file readable by its owner only; turns "
             "authentication on [default: the file $SPLICER_GRID_SECRET_FILE names, else off]",
    )(command)


def member_security(secret_file: Path | None) -> Security:
    """With a secret (option or environment) every connection authenticates, both ways."""
    from splicer.grid.auth import Security, find_secret

    return Security.member(find_secret(secret_file))


@click.group()
def grid() -> None:
    """The session grid: catalog and container servers, and xscmd/xsadmin-style queries.

    \b
    Exit status: 2 usage or configuration error (bad XML, an unknown grid or map, a bad
    --secret-file); 4 authentication failed (the secret files differ, or security is on at
    one end only); 69 no catalog or server answered, or the address is taken (a runtime
    failure: try again once the grid is up); 130 stopped by SIGINT or SIGTERM (a server:
    after its clean stop); the servers' other codes are in the README."""


@grid.command()
@click.argument("name")
@click.option("--catalog-endpoints", "-catalogServiceEndPoints", "endpoints", required=True,
              help="serverName:hostName:clientPort:peerPort (one catalog server)")
@click.option("--listener-port", "-listenerPort", type=click.IntRange(0, 65535), default=2809,
              show_default=True, help="where containers and clients connect; 0 = any free port")
@click.option("--listener-host", "--host", "host", default=None,
              help="address to listen on [default: the host of this server's endpoint]")
@click.option("--heartbeat-interval", type=click.FloatRange(0.01), default=1.0, show_default=True,
              help="seconds between container heartbeats")
@click.option("--failure-timeout", type=click.FloatRange(0.05), default=5.0, show_default=True,
              help="seconds without a heartbeat before a container counts as dead")
@secret_file_option
@report_errors()
def catalog(name: str, endpoints: str, listener_port: int, host: str | None,
            heartbeat_interval: float, failure_timeout: float, secret_file: Path | None) -> None:
    """Start catalog server NAME (startXsServer cs0 -catalogServiceEndPoints ...)."""
    from splicer.grid.catalog import Catalog, parse_catalog_endpoints
    from splicer.grid.process import run_catalog

    own_host, _client_port, _peer_port = parse_catalog_endpoints(endpoints, name)
    security = member_security(secret_file)
    run_catalog(Catalog(name, host=host or own_host, port=listener_port,
                        heartbeat_interval=heartbeat_interval, failure_timeout=failure_timeout,
                        security=security))


@grid.command()
@click.argument("name")
@click.option("--objectgrid-xml", "-objectGridFile", type=click.Path(path_type=Path),
              required=True, help="the objectGrid XML (grids and backing maps)")
@click.option("--deployment-xml", "-deploymentPolicyFile", type=click.Path(path_type=Path),
              required=True, help="the deployment policy XML (mapSets, partitions, replicas)")
@catalog_option
@click.option("--host", default="localhost", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="0 = any free port")
@click.option("--async-flush-ms", type=click.IntRange(1), default=200, show_default=True,
              help="asynchronous replicas get writes in batches this many ms after the first")
@click.option("--catalog-wait", type=click.FloatRange(0), default=30.0, show_default=True,
              help="seconds to keep trying a catalog that is not up yet (backoff with "
                   "jitter); 0 fails at once")
# the option's first name, the one scripts written before --catalog-wait still pass
@click.option("--catalog-timeout", type=click.FloatRange(0), default=None, hidden=True)
@secret_file_option
@report_errors()
def container(name: str, objectgrid_xml: Path, deployment_xml: Path, catalog: str, host: str,
              port: int, async_flush_ms: int, catalog_wait: float,
              catalog_timeout: float | None, secret_file: Path | None) -> None:
    """Start container server NAME holding shards of the grids in the XML files."""
    from splicer.grid.config import load_grids
    from splicer.grid.container import Container
    from splicer.grid.process import run_container

    wait = _catalog_wait(catalog_wait, catalog_timeout)
    grids = load_grids(objectgrid_xml, deployment_xml)
    security = member_security(secret_file)
    run_container(Container(name, grids, _endpoints(catalog), host=host, port=port,
                            flush_delay=async_flush_ms / 1000, catalog_wait=wait,
                            security=security))


def _catalog_wait(catalog_wait: float, catalog_timeout: float | None) -> float:
    """--catalog-wait, or its former name --catalog-timeout; not both."""
    from click.core import ParameterSource

    from splicer.errors import UsageError

    if catalog_timeout is None:
        return catalog_wait
    given = click.get_current_context().get_parameter_source("catalog_wait")
    if given not in (None, ParameterSource.DEFAULT):
        raise UsageError("give --catalog-wait only (--catalog-timeout is its former name)")
    return catalog_timeout


def _endpoints(catalog: str) -> str:
    from splicer.errors import UsageError
    from splicer.grid.protocol import parse_endpoints

    try:
        parse_endpoints(catalog)
    except ValueError as exc:
        raise UsageError(f"--catalog: {exc}") from None
    return catalog


@grid.command()
@grid_option
@mapset_option
@catalog_option
@secret_file_option
@report_errors()
def mapsizes(grid_name: str, mapset: str, catalog: str, secret_file: Path | None) -> None:
    """Entries and bytes of every shard, per container (xsadmin -mapsizes)."""
    from splicer.grid.admin import format_mapsizes, map_sizes

    security = member_security(secret_file)
    sizes = run_async(map_sizes(_endpoints(catalog), grid_name, mapset, security))
    click.echo("\n".join(format_mapsizes(grid_name, mapset, sizes)))


@grid.command()
@grid_option
@click.option("-m", "--map", "map_name", required=True, help="the map")
@click.option("-fs", "--filter-string", "pattern", default=".*", show_default=True,
              help="regular expression the whole key must match")
@click.option("-rv", "--return-values", "values", is_flag=True, help="also show the values")
@catalog_option
@secret_file_option
@report_errors()
def findbykey(grid_name: str, map_name: str, pattern: str, values: bool, catalog: str,
              secret_file: Path | None) -> None:
    """Keys (and values) of a map matching a regular expression (xscmd -c findByKey)."""
    from splicer.grid.admin import find_by_key, format_findbykey

    security = member_security(secret_file)
    hits = run_async(find_by_key(_endpoints(catalog), grid_name, map_name, pattern, values,
                                   security))
    click.echo("\n".join(format_findbykey(hits, values)))


@grid.command()
@grid_option
@mapset_option
@catalog_option
@secret_file_option
@report_errors()
def placement(grid_name: str, mapset: str, catalog: str, secret_file: Path | None) -> None:
    """Primary and replicas of every partition (xscmd -c showPlacement)."""
    from splicer.grid.admin import fetch_placement, format_placement

    security = member_security(secret_file)
    reply = run_async(fetch_placement(_endpoints(catalog), grid_name, mapset, security))
    click.echo("\n".join(format_placement(grid_name, mapset, reply)))
