"""The click options of splice, unsplice and migrate, declared once; the command gets them as one RunOptions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from splicer.cli.run_options import DEFAULT_WAIT, RunOptions

__all__ = ["CONTEXT", "run_options"]

R = TypeVar("R")
CONTEXT = {"help_option_names": ["-h", "--help"]}

# Where to write, what to show, what to accept: every one of the three commands has these.
_SHARED = (
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
)
_STRICT = click.option(
    "--strict", is_flag=True,
    help="Refuse (exit 3) a descriptor with another session manager, or whose session "
         "filter mapping does not reach every request, instead of warning.")
_WAIT = click.option(
    "--wait", "wait", type=click.FloatRange(0), default=DEFAULT_WAIT, show_default=True, metavar="SECONDS",
    help="How long to wait for another splice of APP or OUT to finish before giving up (exit 75).")
_PROFILE = click.option(
    "--profile", "profile", metavar="NAME|PATH", default=None,
    help="The session manager: a profile `splicer profiles` lists, or a profile "
         "folder's path (default: wxs, eXtreme Scale's).")


def run_options(*, strict: bool = False, profile: bool = False) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The options in this order: the shared ones, --strict (splice), --wait, --profile (splice,
    unsplice); their values reach the command as one keyword argument, ``options``."""
    options = (*_SHARED, *((_STRICT,) if strict else ()), _WAIT, *((_PROFILE,) if profile else ()))

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(command)
        def collect(**params: Any) -> R:
            given = {name: params.pop(name) for name in RunOptions._fields if name in params}
            return command(**params, options=RunOptions(**given))

        for option in reversed(options):  # as if written one above the other, in this order
            collect = option(collect)
        return collect

    return decorate
