"""The one error boundary of the command line: a SplicerError becomes a message and an exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

from splicer.errors import Interrupted, SplicerError
from splicer.signals import SignalExit, name

__all__ = ["Interrupted", "echo", "fail", "report_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def report_errors(
    *, json_flag: str | None = None, interrupted: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn SplicerError (and an interrupt) into exit codes; with --json, also a JSON error.

    ``json_flag`` names the keyword argument that says --json: the flag, or an options
    object with an ``as_json`` (``RunOptions``).

    SIGINT and SIGTERM (``SignalExit``, or a plain KeyboardInterrupt where the entry point's
    handlers are not installed) end as ``Interrupted``: one line, exit 130; ``interrupted``
    adds what the command guarantees then.  Anything else is a bug and keeps its traceback,
    so it gets reported rather than hidden.
    """

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return command(*args, **kwargs)
            except SplicerError as error:
                fail(error, _as_json(json_flag, kwargs))
            except (KeyboardInterrupt, SignalExit) as exc:
                what = name(exc.signum) if isinstance(exc, SignalExit) else "SIGINT"
                reason = f"interrupted by {what}" + (f"; {interrupted}" if interrupted else "")
                fail(Interrupted(reason), _as_json(json_flag, kwargs))

        return run

    return decorate


def _as_json(json_flag: str | None, kwargs: dict[str, object]) -> bool:
    value = kwargs.get(json_flag) if json_flag else False
    return bool(getattr(value, "as_json", value))


def fail(error: SplicerError, as_json: bool = False) -> NoReturn:
    """The error's one line on stderr (and its JSON on stdout), then its exit code."""
    if as_json:
        import json

        echo(json.dumps({"error": error.to_json()}, indent=2))
    echo(error.message(), err=True)
    sys.exit(error.exit_code)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print a line as ``click.echo`` does (text, newline, flush), without importing click:
    `splice` starts without it (cli/fast.py)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # pythonw, a closed descriptor: there is nowhere to print
        return
    stream.write(text + "\n" if nl else text)
    stream.flush()
