"""The one error boundary of the command line: a SplicerError becomes a message and an exit code."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from splicer.errors import EXIT_UNSAFE, SplicerError

P = ParamSpec("P")
R = TypeVar("R")


class Interrupted(SplicerError):
    """Ctrl-C (or a SIGTERM turned into it) stopped the command; the clean-up has run."""

    exit_code = EXIT_UNSAFE
    message_id = "CWWSM0399E"


def report_errors(*, json_flag: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn SplicerError (and an interrupt) into exit codes; with --json, also a JSON error.

    Anything else is a bug and keeps its traceback, so it gets reported rather than hidden.
    """

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return command(*args, **kwargs)
            except SplicerError as error:
                if json_flag and kwargs.get(json_flag):
                    click.echo(json.dumps({"error": error.to_json()}, indent=2))
                click.echo(error.message(), err=True)
                sys.exit(error.exit_code)
            except KeyboardInterrupt:
                interrupted = Interrupted("interrupted; nothing was written")
                if json_flag and kwargs.get(json_flag):
                    click.echo(json.dumps({"error": interrupted.to_json()}, indent=2))
                click.echo(interrupted.message(), err=True)
                sys.exit(interrupted.exit_code)

        return run

    return decorate
