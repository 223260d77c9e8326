"""`unsplice APP [PROPERTIES]`: take out what splice put in, with splice's options and exit codes."""

from __future__ import annotations

from pathlib import Path

import click

from splicer.cli.boundary import report_errors
from splicer.cli.splice_cmd import CONTEXT, check_options, finish, output_options, profile_option, waiting_notice

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error (an APP with no web module too, unless --allow-empty), 3 the input cannot be
edited safely, or the output cannot be written, 75 another run still held APP or OUT
after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and --check never
write. Whatever the exit, no half-written file is left."""


@click.command(epilog=EPILOG, context_settings=CONTEXT)
@click.version_option(package_name="splicer", prog_name="unsplice")
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", required=False, type=click.Path(path_type=Path))
@output_options
@click.option("--wait", "wait", type=click.FloatRange(0), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another splice of APP or OUT to finish before giving up (exit 75).")
@profile_option
@report_errors(json_flag="as_json", interrupted="no half-written file is left")
def unsplice(
    app: Path,
    properties: Path | None,
    output: Path | None,
    dry_run: bool,
    show_diff: bool,
    check: bool,
    as_json: bool,
    quiet: bool,
    verbose: bool,
    allow_unknown: bool,
    strip_signatures: bool,
    allow_name_clashes: bool,
    allow_empty: bool,
    wait: float,
    profile: str | None,
) -> None:
    """Remove what splice adds from every web module of APP.

    The session filter, its mappings, its listener, and the context-params of every
    documented splicer.properties key (only those of PROPERTIES, when given), each with
    the line it came on; a web.xml that splice created is deleted again. Every other byte
    stays. APP is an .ear, a .war, an exploded EAR/WAR directory, or a web.xml on its own,
    rewritten in place, atomically, unless -o is given. --profile: another session
    manager's elements (its filter, mappings, listeners, documented keys).
    """
    from splicer.unsplicing import unsplice as run_unsplice

    check_options(quiet=quiet, verbose=verbose, check=check, show_diff=show_diff, output=output)
    report = run_unsplice(
        app,
        properties,
        output=output,
        dry_run=dry_run or check or show_diff,
        allow_unknown=allow_unknown,
        strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes,
        allow_empty=allow_empty,
        wait=wait,
        waiting=waiting_notice(quiet, wait),
        profile=profile,
    )
    finish(report, check=check, show_diff=show_diff, as_json=as_json, quiet=quiet, verbose=verbose)
