"""`splice APP PROPERTIES`: the command build pipelines run; its options and output, which unsplice shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from splicer.cli.splice_run import check_options, finish, run, waiting_notice

__all__ = ["CONTEXT", "EPILOG", "check_options", "finish", "output_options", "profile_option", "splice",
           "waiting_notice"]

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


def profile_option(command: F) -> F:
    """--profile NAME|PATH, the session manager splice, unsplice and migrate work with."""
    option = click.option("--profile", "profile", metavar="NAME|PATH", default=None,
                          help="The session manager: a profile `splicer profiles` lists, or a profile "
                               "folder's path (default: wxs, eXtreme Scale's).")
    return option(command)


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
@profile_option
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
    profile: str | None,
) -> None:
    """Splice the eXtreme Scale session filter into every web module of APP.

    APP is an .ear, a .war, an exploded EAR/WAR directory, or a web.xml on its own
    (src/main/webapp/WEB-INF/web.xml); PROPERTIES is a splicer.properties file. APP is
    rewritten in place, atomically, unless -o is given. --profile splices another session
    manager's filter instead (`splicer profiles` lists them); PROPERTIES then holds its keys.
    """
    # The body is splice_run.run, which `splice` also runs without click (cli/fast.py).
    run(app, properties, output=output, dry_run=dry_run, show_diff=show_diff, check=check, as_json=as_json,
        quiet=quiet, verbose=verbose, allow_unknown=allow_unknown, strip_signatures=strip_signatures,
        allow_name_clashes=allow_name_clashes, allow_empty=allow_empty, strict=strict, wait=wait,
        profile=profile)
