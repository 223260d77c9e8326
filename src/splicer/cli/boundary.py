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


def report_errors(*, json_flag: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn SplicerError (and a broken pipe) into exit codes; with --json, also a JSON error.

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
                click.echo("CWWSM0399E: interrupted; nothing was written", err=True)
                sys.exit(EXIT_UNSAFE)

        return run

    return decorate
