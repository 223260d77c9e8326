"""`splice APP PROPERTIES`: the command build pipelines run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from splicer.cli.boundary import report_errors
from splicer.errors import EXIT_CHECK_FOUND_WORK, EXIT_OK, UsageError
from splicer.locking import Target

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error, 3 the input cannot be spliced safely, 75 another splice still held APP or OUT
after --wait, 130 interrupted (SIGINT/SIGTERM). Whatever the exit, no half-written file
is left: APP is as it was, or completely spliced."""


@click.command(epilog=EPILOG)
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write a new archive here; APP is left untouched.")
@click.option("--dry-run", is_flag=True, help="Change nothing; report what would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of every web.xml that changes.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when splicing would change anything.")
@click.option("--json", "as_json", is_flag=True, help="Print one machine-readable report on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print warnings and errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each module's actions.")
@click.option("--allow-unknown", is_flag=True, help="Pass unknown keys through as context-params, with a warning.")
@click.option("--strip-signatures", is_flag=True, help="Remove the signature of a signed module instead of refusing it.")
@click.option("--allow-name-clashes", is_flag=True,
              help="Accept entries that are one file once deployed (WEB-INF/web.xml and web-inf/web.xml); "
                   "splice the one extraction leaves instead of refusing.")
@click.option("--strict", is_flag=True,
              help="Refuse (exit 3) a descriptor with another session manager, or whose session "
                   "filter mapping does not reach every request, instead of warning.")
@click.option("--wait", "wait", type=click.FloatRange(0), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another splice of APP or OUT to finish before giving up (exit 75).")
@report_errors(json_flag="as_json", interrupted="no half-written file is left")
def splice(
    app: Path,
    properties: Path,
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
    strict: bool,
    wait: float,
) -> None:
    """Splice the eXtreme Scale session filter into every web module of APP.

    APP is an .ear, a .war, or an exploded EAR/WAR directory; PROPERTIES is a
    splicer.properties file. APP is rewritten in place, atomically, unless -o is given.
    """
    from splicer.splicing import splice as run_splice

    if quiet and verbose:
        raise UsageError("-q and -v contradict each other")
    if check and output is not None:
        raise UsageError("--check writes nothing, so -o makes no sense with it")
    # --diff shows the change and still makes it; add --dry-run for the diff alone.
    writes_nothing = dry_run or check

    def waiting(target: Target, holder: int | None) -> None:
        if not quiet:
            who = f"pid {holder}" if holder is not None else "another process"
            click.echo(f"CWWSM0034I: {target.path} is being spliced by {who}; waiting up to {wait:g} s.", err=True)

    report = run_splice(
        app,
        properties,
        output=output,
        dry_run=writes_nothing,
        allow_unknown=allow_unknown,
        strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes,
        strict=strict,
        wait=wait,
        waiting=waiting,
    )
    # Human text goes to stderr when stdout carries JSON or a diff.
    human_to_stderr = as_json or show_diff
    if not quiet:
        for line in report.info_lines(verbose=verbose):
            click.echo(line, err=human_to_stderr)
    for warning in report.all_warnings():
        click.echo(str(warning), err=True)
    if show_diff:
        # With --json, stdout carries the one JSON document only; the diff is for humans then.
        for module in report.modules:
            text = module.diff()
            if text:
                click.echo(text, nl=False, err=as_json)
    if as_json:
        payload = report.to_json()
        payload["check"] = check
        click.echo(json.dumps(payload, indent=2))
    sys.exit(EXIT_CHECK_FOUND_WORK if check and report.changed else EXIT_OK)

