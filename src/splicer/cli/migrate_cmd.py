"""`splicer migrate APP --from NAME --to NAME PROPERTIES`: one session manager out, another in."""

from __future__ import annotations

from pathlib import Path

import click

from splicer.cli.click_options import CONTEXT, run_options
from splicer.cli.run_options import RunOptions
from splicer.cli.splice_run import finish, guarded

EPILOG = """\b
Exit codes: 0 done (or nothing to do), 1 --check found work, 2 usage or configuration
error (an unknown or broken profile, a bad PROPERTIES, an APP with no web module unless
--allow-empty), 3 the input cannot be edited safely (a descriptor that would be left with
two session managers among them), or the output cannot be written, 75 another run still
held APP or OUT after --wait, 130 interrupted (SIGINT/SIGTERM). --diff, --dry-run and
--check never write. Whatever the exit, no half-written file is left."""


@click.command(epilog=EPILOG, context_settings=CONTEXT)
@click.argument("app", type=click.Path(path_type=Path))
@click.argument("properties", type=click.Path(path_type=Path))
@click.option("--from", "source", required=True, metavar="NAME|PATH", help="The profile spliced now.")
@click.option("--to", "target", required=True, metavar="NAME|PATH", help="The profile to splice instead.")
@run_options()
@guarded
def migrate(app: Path, properties: Path, source: str, target: str, *, options: RunOptions) -> None:
    """Replace one session manager with another in every web module of APP.

    What the --from profile splices (its filter, mappings, listeners and documented keys)
    goes, and the --to profile's filter, mapping and listeners come in with the keys of
    PROPERTIES, in one atomic rewrite with splice's options. The result is byte for byte
    what splicing the --to profile into the never-spliced application gives.
    """
    from splicer.migrating import migrate as run_migrate

    finish(run_migrate(app, source, target, properties, **options.engine()), options)
