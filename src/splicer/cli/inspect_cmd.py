"""`splicer inspect APP`: each web module's descriptor and session state, as a table or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from splicer.cli.boundary import report_errors

EPILOG = """\b
Exit codes: 0 read, 2 usage error (APP missing), 3 APP or a module's web.xml cannot be read,
130 interrupted (SIGINT/SIGTERM)."""


@click.command(epilog=EPILOG)
@click.argument("app", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document for tools.")
@report_errors(json_flag="as_json")
def inspect(app: Path, as_json: bool) -> None:
    """Show each web module of APP: context root, descriptor version and namespace, the
    session filter (present, mapped first), its listener and settings, signatures, warnings.

    APP is an .ear or .war, zipped or exploded. Nothing is written.
    """
    from splicer.inspecting import inspect as run_inspect
    from splicer.inspecting import render_table

    report = run_inspect(app)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo(render_table(report), nl=False)
    sys.exit(report.exit_code)
