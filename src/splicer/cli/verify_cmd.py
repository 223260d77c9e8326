"""`splicer verify`: does the spliced application keep its sessions when a server dies?"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from splicer.cli.boundary import report_errors
from splicer.errors import OutputError, UsageError, Where
from splicer.signals import SignalExit

if TYPE_CHECKING:
    from splicer.verify.model import VerifyReport

EXIT_SESSIONS_LOST = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C (and SIGTERM)


def _named_commands(values: tuple[str, ...], option: str) -> dict[str, str]:
    commands: dict[str, str] = {}
    for value in values:
        name, sep, command = value.partition("=")
        if not sep or not name.strip() or not command.strip():
            raise UsageError(f"{option} takes SERVER=COMMAND, got {value!r}")
        commands[name.strip()] = command
    return commands


EPILOG = """\b
Exit status: 0 the sessions survived (warnings allowed); 1 a session was lost, a step
could not be run (a stop/start command failed) or a web module has no HttpSessionFilter;
2 wrong usage; 3 the emulated topology would not start, or --report cannot be written;
69 the grid the run asks stopped answering; 130 interrupted (everything started has
been stopped)."""


@click.command(epilog=EPILOG)
@click.argument("app", required=False, type=click.Path(exists=True, path_type=Path))
@click.argument("properties", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML report (step table, timeline, topology) to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report instead of the table.")
@click.option("--keep-logs", type=click.Path(file_okay=False, path_type=Path),
              help="Keep every process's log in this folder (default: a temporary folder, removed).")
@click.option("--retry-interval", default=0.5, show_default=True, type=click.FloatRange(0.1, 60),
              help="The plug-in's RetryInterval, seconds (shortened from 60 so the run is quick).")
@click.option("--objectgrid-xml", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The grid's objectGrid XML [default: ./samples/objectGridStandAlone.xml, else the session grid sample shipped with splicer].")
@click.option("--deployment-xml", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The grid's deployment policy [default: ./samples/objectGridDeploymentStandAlone.xml, else the sample shipped with splicer].")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The grid's shared secret: the emulated grid and servers authenticate with it "
                   "[default: $SPLICER_GRID_SECRET_FILE; else a generated one when the app has "
                   "securityEnabled=true, else none].")
@click.option("--url", help="Run against a real deployment: the probe page's URL through the web server.")
@click.option("--stop-cmd", multiple=True, metavar="SERVER=CMD", help="With --url: a shell command that stops SERVER.")
@click.option("--start-cmd", multiple=True, metavar="SERVER=CMD", help="With --url: a shell command that starts SERVER.")
@click.option("--failback-timeout", default=180.0, show_default=True, type=click.FloatRange(1),
              help="With --url: seconds to wait for requests to return to a restarted server.")
@click.option("--command-timeout", default=300.0, show_default=True, type=click.FloatRange(1),
              help="With --url: seconds a stop or start command may take.")
@report_errors(json_flag="as_json")
def verify(
    app: Path | None, properties: Path | None, report_path: Path | None, as_json: bool,
    keep_logs: Path | None, retry_interval: float, objectgrid_xml: Path | None,
    deployment_xml: Path | None, secret_file: Path | None, url: str | None, stop_cmd: tuple[str, ...],
    start_cmd: tuple[str, ...], failback_timeout: float, command_timeout: float,
) -> None:
    """Check that APP's sessions survive the loss of a server.

    Splices APP into a temporary copy first when PROPERTIES is given.  Starts a catalog,
    two grid containers, two application servers and the web server plug-in, each its own
    process on loopback, and runs the tutorial's failover and fail-back test through the
    plug-in, then kills a server, the container holding the session and a server right
    after a write.  With --url, runs the same test against a real deployment, using the
    --stop-cmd/--start-cmd commands of each server.  Exits 0 only when the sessions survived.
    """
    from splicer.verify.report import render_html, render_json, render_text

    if report_path is not None and not report_path.parent.is_dir():
        # Checked before the run: finding out after it would throw the whole run away.
        raise UsageError("--report: the folder of the report does not exist", Where((str(report_path),)))
    if url is not None:
        from splicer.verify.realdeploy import RealDeployment, verify_url

        deployment = RealDeployment(
            url=url,
            stop=_named_commands(stop_cmd, "--stop-cmd"),
            start=_named_commands(start_cmd, "--start-cmd"),
            failback_timeout=failback_timeout,
            command_timeout=command_timeout,
            log_dir=keep_logs,
        )
        run: Callable[[], VerifyReport] = functools.partial(verify_url, deployment, app)
    else:
        if app is None:
            raise UsageError("give the application to verify (APP), or --url for a real deployment")
        if stop_cmd or start_cmd:
            raise UsageError("--stop-cmd and --start-cmd go with --url")
        from splicer.grid.auth import secret_path
        from splicer.verify.run import VerifyOptions, verify_app

        options = VerifyOptions(app=app, properties=properties, retry_interval=retry_interval,
                                keep_logs=keep_logs, objectgrid_xml=objectgrid_xml,
                                deployment_xml=deployment_xml, secret_file=secret_path(secret_file))
        run = functools.partial(verify_app, options)
    try:
        report = run()
    except (KeyboardInterrupt, SignalExit, asyncio.CancelledError):
        # Ctrl-C (or SIGTERM) cancelled the run; the topology was stopped on the way out.
        click.echo("CWWSM0399E: interrupted; every process verify started has been stopped", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if report_path is not None:
        try:
            report_path.write_text(render_html(report), "utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write the report: {exc.strerror or exc}", Where((str(report_path),))) from None
    click.echo(render_json(report) if as_json else render_text(report), nl=False)
    if report_path is not None and not as_json:
        click.echo(f"report: {report_path}")
    sys.exit(0 if report.ok else EXIT_SESSIONS_LOST)
