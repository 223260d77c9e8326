"""`splice APP PROPERTIES`: the command build pipelines run; its options and output, which unsplice shares."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from splicer.cli.boundary import report_errors
from splicer.errors import EXIT_CHECK_FOUND_WORK, EXIT_OK, UsageError
from splicer.locking import Target

if TYPE_CHECKING:
    from splicer.report import SpliceReport

F = TypeVar("F", bound=Callable[..., object])
CONTEXT = {"help_option_names": ["-h", "--help"]}

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error (an APP with no web module too, unless --allow-empty), 3 the input cannot be
spliced safely, or the output cannot be written, 75 another splice still held APP or OUT
after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and --check never
write. Whatever the exit, no half-written file is left: APP is as it was, or completely
spliced."""


def output_options(command: F) -> F:
    """The options splice and unsplice share: where to write, what to show, what to accept."""
    options = [
        click.option("-o", "--output", type=click.Path(path_type=Path),
                     help="Write a new archive (or web.xml) here; APP is left untouched."),
        click.option("--dry-run", is_flag=True, help="Write nothing; report what would change."),
        click.option("--diff", "show_diff", is_flag=True,
                     help="Print a unified diff of every web.xml that would change; write nothing."),
        click.option("--check", is_flag=True, help="Write nothing; print what would change and exit 1 if anything would."),
        click.option("--json", "as_json", is_flag=True, help="Print one machine-readable report on stdout."),
        click.option("-q", "--quiet", is_flag=True, help="Print warnings and errors only."),
        click.option("-v", "--verbose", is_flag=True, help="Also print each module's actions."),
        click.option("--allow-unknown", is_flag=True, help="Accept unknown keys in PROPERTIES, with a warning."),
        click.option("--strip-signatures", is_flag=True,
                     help="Remove the signature of a signed module instead of refusing it."),
        click.option("--allow-name-clashes", is_flag=True,
                     help="Accept entries that are one file once deployed (WEB-INF/web.xml and web-inf/web.xml); "
                          "edit the one extraction leaves instead of refusing."),
        click.option("--allow-empty", is_flag=True,
                     help="Accept an APP with no web module (exit 0 with a warning) instead of refusing it (exit 2)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def check_options(*, quiet: bool, verbose: bool, check: bool, show_diff: bool, output: Path | None) -> None:
    if quiet and verbose:
        raise UsageError("-q and -v contradict each other")
    for flag, given in (("--check", check), ("--diff", show_diff)):
        if given and output is not None:
            raise UsageError(f"{flag} writes nothing, so -o makes no sense with it",
                             hint="leave out -o, or run once more without the flag to write")


def waiting_notice(quiet: bool, wait: float) -> Callable[[Target, int | None], None]:
    def waiting(target: Target, holder: int | None) -> None:
        if not quiet:
            who = f"pid {holder}" if holder is not None else "another process"
            click.echo(f"CWWSM0034I: {target.path} is being spliced by {who}; waiting up to {wait:g} s.", err=True)

    return waiting


def finish(report: SpliceReport, *, check: bool, show_diff: bool, as_json: bool, quiet: bool,
           verbose: bool) -> NoReturn:
    """Print the report (lines, warnings, diff, JSON) and exit: 1 when --check found work."""
    report.check = check
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


@click.command(epilog=EPILOG, context_settings=CONTEXT)
@click.version_option(package_name="splicer", prog_name="splice")
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", type=click.Path(path_type=Path))
@output_options
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
    allow_empty: bool,
    strict: bool,
    wait: float,
) -> None:
    """Splice the eXtreme Scale session filter into every web module of APP.

    APP is an .ear, a .war, an exploded EAR/WAR directory, or a web.xml on its own
    (src/main/webapp/WEB-INF/web.xml); PROPERTIES is a splicer.properties file. APP is
    rewritten in place, atomically, unless -o is given.
    """
    from splicer.splicing import splice as run_splice

    check_options(quiet=quiet, verbose=verbose, check=check, show_diff=show_diff, output=output)
    # --diff, like black's and ruff's, only shows: a CI step that looks must not change the artifact.
    report = run_splice(
        app,
        properties,
        output=output,
        dry_run=dry_run or check or show_diff,
        allow_unknown=allow_unknown,
        strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes,
        allow_empty=allow_empty,
        strict=strict,
        wait=wait,
        waiting=waiting_notice(quiet, wait),
    )
    finish(report, check=check, show_diff=show_diff, as_json=as_json, quiet=quiet, verbose=verbose)

