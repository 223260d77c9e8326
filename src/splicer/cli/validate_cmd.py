"""`splicer validate PATH...`: web.xml checks for developers and CI, in the format annotators parse."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, cast

import click

from splicer.cli.boundary import report_errors
from splicer.errors import UsageError

OutputForm = Literal["text", "json", "github"]

EPILOG = """\b
Each finding is one line:  LOCATION:LINE:COL: error|warning CODE message
Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with --strict),
2 usage error, 3 unreadable or hostile input, 130 interrupted (SIGINT/SIGTERM).
The codes are listed in the README."""


@click.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--schemas", "schemas", multiple=True, type=click.Path(path_type=Path), metavar="DIR|JAR",
              help="A folder or jar holding the official .xsd/.dtd files (repeatable). "
                   "Default: the servlet-api jars of $CATALINA_HOME/lib and /usr/share/java.")
@click.option("--format", "form", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text: one finding a line; json: one document; github: workflow annotations.")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
def validate(paths: tuple[Path, ...], schemas: tuple[Path, ...], form: str, as_json: bool, strict: bool) -> None:
    """Validate web.xml, web-fragment.xml and application.xml files, and WARs and EARs.

    PATH is a descriptor file, or a WAR or EAR, zipped or exploded. Each descriptor is
    checked against the official schema or DTD of the version it declares (offline, from
    the container's own jars), and by built-in rules the schemas miss.
    """
    _run(paths=paths, schemas=schemas, form="json" if as_json else form, as_json=as_json or form == "json",
         strict=strict, conflict=as_json and form == "github")


@report_errors(json_flag="as_json")
def _run(*, paths: tuple[Path, ...], schemas: tuple[Path, ...], form: str, as_json: bool, strict: bool,
         conflict: bool) -> None:
    from splicer.validating import validate as run_validate

    if conflict:
        raise UsageError("--json and --format github contradict each other")
    report = run_validate(list(paths), schemas=list(schemas), strict=strict)
    click.echo(report.render(cast(OutputForm, "json" if as_json else form)), nl=False)
    click.echo(report.summary(), err=True)
    sys.exit(report.exit_code)
