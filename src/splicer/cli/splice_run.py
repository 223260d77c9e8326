"""What `splice` does once its command line is read, and how splice, unsplice and migrate end; no click.

The click command (``splice_cmd``) and the start-up path that reads a plain command line
without click (``fast``) both call ``run``, so the two cannot drift apart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, ParamSpec, TypeVar

from splicer.cli.boundary import echo, report_errors
from splicer.cli.run_options import RunOptions
from splicer.errors import EXIT_CHECK_FOUND_WORK, EXIT_OK

if TYPE_CHECKING:
    from splicer.report import SpliceReport

__all__ = ["finish", "guarded", "run"]

P = ParamSpec("P")
R = TypeVar("R")


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """The error boundary of splice, unsplice and migrate; their ``options`` say whether --json."""
    return report_errors(json_flag="options", interrupted="no half-written file is left")(command)


def finish(report: SpliceReport, options: RunOptions) -> NoReturn:
    """Print the report (lines, warnings, diff, JSON) and exit: 1 when --check found work."""
    report.check = options.check
    # Human text goes to stderr when stdout carries JSON or a diff.
    human_to_stderr = options.as_json or options.show_diff
    if not options.quiet:
        for line in report.info_lines(verbose=options.verbose):
            echo(line, err=human_to_stderr)
    for warning in report.all_warnings():
        echo(str(warning), err=True)
    if options.show_diff:
        # With --json, stdout carries the one JSON document only; the diff is for humans then.
        for module in report.modules:
            text = module.diff()
            if text:
                echo(text, nl=False, err=options.as_json)
    if options.as_json:
        import json

        payload = report.to_json()
        payload["check"] = options.check
        echo(json.dumps(payload, indent=2))
    sys.exit(EXIT_CHECK_FOUND_WORK if options.check and report.changed else EXIT_OK)


@guarded
def run(app: Path, properties: Path, *, options: RunOptions) -> None:
    """`splice APP PROPERTIES` with its options: splice, print the report, exit."""
    from splicer.splicing import splice

    report = splice(app, properties, strict=options.strict, profile=options.profile, **options.engine())
    finish(report, options)
