"""`splicer init [PATH]`: write the commented sample splicer.properties the wheel carries."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

import click

from splicer.cli.boundary import report_errors
from splicer.errors import OutputError, UsageError, Where

EPILOG = """\b
Exit codes: 0 written, 2 usage error (PATH exists without --force, or its folder is missing),
3 the file could not be written (nothing is left half-written), 130 interrupted."""


def sample_properties() -> bytes:
    """The commented sample: the tutorial's seven settings and every other documented key."""
    return resources.files("splicer").joinpath("samples", "splicer.properties").read_bytes()


def write_sample(path: Path, *, force: bool = False) -> Path:
    """Write the sample to *path* (a folder gets ``splicer.properties`` inside), atomically."""
    if path.is_dir():
        path = path / "splicer.properties"
    where = Where((str(path),))
    if path.exists() and not force:
        raise UsageError("already exists", where, hint="pass --force to replace it")
    if not path.parent.is_dir():
        raise UsageError("the folder does not exist", where)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(sample_properties())
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", where) from exc
    return path


@click.command(epilog=EPILOG)
@click.argument("path", type=click.Path(path_type=Path), default=Path("splicer.properties"))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@report_errors()
def init(path: Path, force: bool) -> None:
    """Write the commented sample splicer.properties to PATH (default: ./splicer.properties;
    '-' prints it). The tutorial's seven settings are on; every other key is commented."""
    if str(path) == "-":
        click.echo(sample_properties().decode("latin-1"), nl=False)
        return
    written = write_sample(path, force=force)
    click.echo(f"wrote {written}; edit it, then: splice APP {written}", err=True)
