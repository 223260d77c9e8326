"""What `splice` does once its command line is read, and how it prints; click is not needed here.

The click command (``splice_cmd``) and the start-up path that reads a plain command line
without click (``fast``) both call ``run``, so the two cannot drift apart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from splicer.cli.boundary import echo, report_errors
from splicer.errors import EXIT_CHECK_FOUND_WORK, EXIT_OK, UsageError

if TYPE_CHECKING:
    from splicer.locking import Target
    from splicer.report import SpliceReport

__all__ = ["check_options", "waiting_notice", "finish", "run"]


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
            echo(f"CWWSM0034I: {target.path} is being spliced by {who}; waiting up to {wait:g} s.", err=True)

    return waiting


def finish(report: SpliceReport, *, check: bool, show_diff: bool, as_json: bool, quiet: bool,
           verbose: bool) -> NoReturn:
    """Print the report (lines, warnings, diff, JSON) and exit: 1 when --check found work."""
    report.check = check
    # Human text goes to stderr when stdout carries JSON or a diff.
    human_to_stderr = as_json or show_diff
    if not quiet:
        for line in report.info_lines(verbose=verbose):
            echo(line, err=human_to_stderr)
    for warning in report.all_warnings():
        echo(str(warning), err=True)
    if show_diff:
        # With --json, stdout carries the one JSON document only; the diff is for humans then.
        for module in report.modules:
            text = module.diff()
            if text:
                echo(text, nl=False, err=as_json)
    if as_json:
        import json

        payload = report.to_json()
        payload["check"] = check
        echo(json.dumps(payload, indent=2))
    sys.exit(EXIT_CHECK_FOUND_WORK if check and report.changed else EXIT_OK)


@report_errors(json_flag="as_json", interrupted="no half-written file is left")
def run(
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
    profile: str | None = None,
) -> None:
    """`splice APP PROPERTIES` with its options: splice, print the report, exit."""
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
        profile=profile,
    )
    finish(report, check=check, show_diff=show_diff, as_json=as_json, quiet=quiet, verbose=verbose)
