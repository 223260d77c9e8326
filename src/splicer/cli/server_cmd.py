"""`splicer server NAME --app APP ...`: one emulated WebSphere application server."""

from __future__ import annotations

import re
from pathlib import Path

import click

from splicer.cli.boundary import report_errors

EPILOG = """\b
Prints `READY host:port` on stdout once listening. SIGTERM stops cleanly (pending session
writes reach the grid first); SIGKILL is a crash. Status JSON: /_splicer/status.
Exit status: 2 usage or configuration error (a bad module, a bad --secret-file); 4 the grid
refused the credentials (authentication failed); 3 the clean stop could not flush every
pending session write; 69 no catalog answered within --catalog-wait (a runtime failure);
130 stopped by SIGINT or SIGTERM, after the clean stop (a second signal ends it at once)."""




def _clone_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    # The clone id travels inside the cookie after ':'; a separator or a cookie-unsafe
    # character in it would break every affinity decision downstream.
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise click.BadParameter(f"{value!r}: use letters, digits, '_', '.' or '-' (like 17f69k519)")
    return value


@click.command(epilog=EPILOG)
@click.argument("name")
@click.option("--app", "app", required=True, type=click.Path(exists=True, path_type=Path), help="EAR, WAR or exploded directory to deploy.")
@click.option("--port", type=click.IntRange(0, 65535), default=9080, show_default=True, help="HTTP port; 0 picks a free one.")
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
@click.option("--clone-id", required=True, callback=_clone_id, help="HttpSessionCloneId: this server's token in the session cookie.")
@click.option("--catalog", metavar="HOST:PORT[,HOST:PORT]", help="Catalog server(s), unless a module sets catalogHostPort.")
@click.option(
    "--override-catalog",
    is_flag=True,
    help="Use --catalog even where a module sets catalogHostPort (a WAS catalog service domain).",
)
@click.option("--session-id-reuse", is_flag=True, help="HttpSessionIdReuse: a new session takes an unknown incoming id.")
@click.option("--context-root", help="Context root of a bare WAR (default: the file name without .war).")
@click.option("--cell", help="Cell name shown as Server Name (default: <host>Node01Cell).")
@click.option("--node", help="Node name shown as Server Name (default: <host>Node01).")
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The grid's shared secret, a file readable by its owner only; modules spliced with "
    "securityEnabled=true authenticate with it [default: the file $SPLICER_GRID_SECRET_FILE names].",
)
@click.option(
    "--catalog-wait",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Seconds to keep trying a catalog that is not up yet (backoff with jitter); 0 fails at once.",
)
@report_errors()
def server(
    name: str,
    app: Path,
    port: int,
    host: str,
    clone_id: str,
    catalog: str | None,
    override_catalog: bool,
    session_id_reuse: bool,
    context_root: str | None,
    cell: str | None,
    node: str | None,
    secret_file: Path | None,
    catalog_wait: float,
) -> None:
    """Deploy APP's web modules and serve them like WebSphere server NAME."""
    from splicer.grid.auth import secret_path
    from splicer.server.process import run
    from splicer.server.runtime import ServerOptions

    options = ServerOptions(
        name=name,
        app=app,
        clone_id=clone_id,
        catalog=catalog,
        override_catalog=override_catalog,
        host=host,
        port=port,
        session_id_reuse=session_id_reuse,
        context_root=context_root,
        cell=cell,
        node=node,
        secret_file=secret_path(secret_file),
        catalog_wait=catalog_wait,
    )
    run(options)
