"""`splice` started without click: a plain command line is read here, anything else goes to click.

Importing click costs some 30 ms (inspect, typing, uuid, datetime...): more than all the
work of splicing a small application, twice what the interpreter needs to start.  A build
pipeline runs ``splice APP PROPERTIES [flags]`` and ``splice --help``, so those are read
here, by the option table below, into the ``RunOptions`` the click command makes too, and
run by ``splice_run.run``, the body the click command runs.  Whatever this does not recognise (a misspelt option, ``--version``, ``-qv``, a
value click would refuse) returns False, and click parses, runs or explains it as usual.
A test holds the table and ``HELP`` to the click command's options and help text.

    python -m splicer.cli.fast     # print click's help for `splice`, to refresh HELP
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # typing is not imported for `splice --help`
if TYPE_CHECKING:
    from pathlib import Path

    from splicer.cli.run_options import RunOptions

__all__ = ["FLAGS", "VALUES", "HELP", "splice"]

# option spelling -> field of RunOptions
FLAGS = {
    "--dry-run": "dry_run", "--diff": "show_diff", "--check": "check", "--json": "as_json",
    "-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose",
    "--allow-unknown": "allow_unknown", "--strip-signatures": "strip_signatures",
    "--allow-name-clashes": "allow_name_clashes", "--allow-empty": "allow_empty", "--strict": "strict",
}
VALUES = {"-o": "output", "--output": "output", "--wait": "wait", "--profile": "profile"}
HELP_WIDTH = 78  # what click wraps at on a terminal of 80 columns or more, or none


def splice(args: Sequence[str]) -> bool:
    """Run `splice` for ``args`` (never returns: exits) if they are plain; else False."""
    if list(args) in (["-h"], ["--help"]):
        if _columns() < HELP_WIDTH + 2:
            return False  # click wraps to a narrower terminal
        from splicer.cli.splice_help import HELP

        sys.stdout.write(HELP + "\n")
        sys.stdout.flush()
        sys.exit(0)
    parsed = _parse(args)
    if parsed is None:
        return False
    from splicer.cli.splice_run import run

    app, properties, options = parsed
    run(app, properties, options=options)
    return True  # not reached: run exits


def _parse(args: Sequence[str]) -> tuple[Path, Path, RunOptions] | None:
    """APP, PROPERTIES and the options of a plain command line, else None."""
    positional: list[str] = []
    flags: dict[str, bool] = {}
    values: dict[str, str] = {}
    tokens = iter(args)
    for token in tokens:
        if not token.startswith("-") or token == "-":
            if not token or token == "-":
                return None
            positional.append(token)
            continue
        name, eq, value = token.partition("=") if token.startswith("--") else (token[:2], "", token[2:])
        if name in FLAGS and not eq and not value and FLAGS[name] not in flags:
            flags[FLAGS[name]] = True
            continue
        if name not in VALUES or VALUES[name] in values:
            return None  # unknown, repeated, --, -qv, --help among others: click's to say
        if not eq and not value:
            value = next(tokens, "")
        if not value or value.startswith("-"):
            return None
        values[VALUES[name]] = value
    if len(positional) != 2:
        return None
    from pathlib import Path

    from splicer.cli.run_options import DEFAULT_WAIT, RunOptions

    wait = DEFAULT_WAIT
    if "wait" in values:
        try:
            wait = float(values["wait"])
        except ValueError:
            return None
        if not 0 <= wait < float("inf"):
            return None
    output = Path(values["output"]) if "output" in values else None
    return Path(positional[0]), Path(positional[1]), RunOptions(output=output, wait=wait,
                                                                profile=values.get("profile"), **flags)


def _columns() -> int:
    """The terminal's width as click (shutil.get_terminal_size) finds it, without shutil."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
        columns = columns or 80
    return columns


if __name__ == "__main__":
    import click

    from splicer.cli.splice_cmd import splice as command

    print(command.get_help(click.Context(command, info_name="splice", terminal_width=HELP_WIDTH,
                                         **command.context_settings)))
