"""`splicer migrate APP --from NAME --to NAME PROPERTIES`: one session manager out, another in."""

from __future__ import annotations

from pathlib import Path

import click

from splicer.cli.boundary import report_errors
from splicer.cli.splice_cmd import CONTEXT, check_options, finish, output_options, waiting_notice

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error (an unknown or broken profile, a bad PROPERTIES, an APP with no web module unless
--allow-empty), 3 the input cannot be edited safely (a descriptor that would be left with
two session managers among them), or the output cannot be written, 75 another run still
held APP or OUT after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and
--check never write. Whatever the exit, no half-written file is left."""


@click.command(epilog=EPILOG, context_settings=CONTEXT)
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", type=click.Path(path_type=Path))
@click.option("--from", "source", required=True, metavar="NAME|PATH", help="The profile spliced now.")
@click.option("--to", "target", required=True, metavar="NAME|PATH", help="The profile to splice instead.")
@output_options
@click.option("--wait", "wait", type=click.FloatRange(0), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another splice of APP or OUT to finish before giving up (exit 75).")
@report_errors(json_flag="as_json", interrupted="no half-written file is left")
def migrate(
    app: Path,
    properties: Path,
    source: str,
    target: str,
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
) -> None:
    """Replace one session manager with another in every web module of APP.

    What the --from profile splices (its filter, mappings, listeners and documented keys)
    goes, and the --to profile's filter, mapping and listeners come in with the keys of
    PROPERTIES, in one atomic rewrite with splice's options. The result is byte for byte
    what splicing the --to profile into the never-spliced application gives.
    """
    from splicer.migrating import migrate as run_migrate

    check_options(quiet=quiet, verbose=verbose, check=check, show_diff=show_diff, output=output)
    report = run_migrate(
        app,
        source,
        target,
        properties,
        output=output,
        dry_run=dry_run or check or show_diff,
        allow_unknown=allow_unknown,
        strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes,
        allow_empty=allow_empty,
        wait=wait,
        waiting=waiting_notice(quiet, wait),
    )
    finish(report, check=check, show_diff=show_diff, as_json=as_json, quiet=quiet, verbose=verbose)
