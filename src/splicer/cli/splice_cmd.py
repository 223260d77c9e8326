"""`splice APP PROPERTIES`: the command build pipelines run (options shared with unsplice and migrate)."""

from __future__ import annotations

from pathlib import Path

import click

from splicer.cli.click_options import CONTEXT, run_options
from splicer.cli.run_options import RunOptions
from splicer.cli.splice_run import run

__all__ = ["EPILOG", "splice"]

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error (an APP with no web module too, unless --allow-empty), 3 the input cannot be
spliced safely, or the output cannot be written, 75 another splice still held APP or OUT
after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and --check never
write. Whatever the exit, no half-written file is left: APP is as it was, or completely
spliced."""


@click.command(epilog=EPILOG, context_settings=CONTEXT)
@click.version_option(package_name="splicer", prog_name="splice")
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", type=click.Path(path_type=Path))
@run_options(strict=True, profile=True)
def splice(app: Path, properties: Path, *, options: RunOptions) -> None:
    """Splice the eXtreme Scale session filter into every web module of APP.

    APP is an .ear, a .war, an exploded EAR/WAR directory, or a web.xml on its own
    (src/main/webapp/WEB-INF/web.xml); PROPERTIES is a splicer.properties file. APP is
    rewritten in place, atomically, unless -o is given. --profile splices another session
    manager's filter instead (`splicer profiles` lists them); PROPERTIES then holds its keys.
    """
    # The body is splice_run.run, which `splice` also runs without click (cli/fast.py).
    run(app, properties, options=options)
