"""`unsplice APP [PROPERTIES]`: take out what splice put in, with splice's options and exit codes."""

from __future__ import annotations

from pathlib import Path

import click

from splicer.cli.click_options import CONTEXT, run_options
from splicer.cli.run_options import RunOptions
from splicer.cli.splice_run import finish, guarded

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error (an APP with no web module too, unless --allow-empty), 3 the input cannot be
edited safely, or the output cannot be written, 75 another run still held APP or OUT
after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and --check never
write. Whatever the exit, no half-written file is left."""


@click.command(epilog=EPILOG, context_settings=CONTEXT)
@click.version_option(package_name="splicer", prog_name="unsplice")
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", required=False, type=click.Path(path_type=Path))
@run_options(profile=True)
@guarded
def unsplice(app: Path, properties: Path | None, *, options: RunOptions) -> None:
    """Remove what splice adds from every web module of APP.

    The session filter, its mappings, its listener, and the context-params of every
    documented splicer.properties key (only those of PROPERTIES, when given), each with
    the line it came on; a web.xml that splice created is deleted again. Every other byte
    stays. APP is an .ear, a .war, an exploded EAR/WAR directory, or a web.xml on its own,
    rewritten in place, atomically, unless -o is given. --profile: another session
    manager's elements (its filter, mappings, listeners, documented keys).
    """
    from splicer.unsplicing import unsplice as run_unsplice

    finish(run_unsplice(app, properties, profile=options.profile, **options.engine()), options)
