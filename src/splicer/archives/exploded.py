"""Write changes into an exploded (directory) application, in place or into a copied tree."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath

from splicer import scratch
from splicer.archives.directory import DirAppReader
from splicer.archives.reading import LIMITS, Limits, ZipAppReader, open_app
from splicer.archives.writing import Changes, atomic_output, rewrite_zip, temp_prefix
from splicer.errors import ArchiveError, OutputError, SplicerError, Where

__all__ = ["write_tree"]


def write_tree(src: Path, changes: Changes, out: Path | None = None, *, limits: Limits = LIMITS) -> None:
    """Apply ``changes`` to the directory application ``src``.

    In place (``out`` None): every changed file, and every zipped module inside the tree, is
    first written to a temp file beside it; only when all of them are written are they moved
    over the originals, one ``os.replace`` each.  So an error leaves every file as it was.
    With ``out``: the tree is copied to a temp folder beside ``out``, changed there, then
    renamed to ``out``, which must not exist yet (or be an empty folder).

    :raises ArchiveError: a change names a missing module or leads out of the tree.
    :raises OutputError: the output cannot be written.
    """
    where = Where((str(src),))
    try:
        if out is None:
            scratch.sweep_tree(src)  # what killed runs left beside the files, if their owners are gone
            _apply(src, changes, where, limits)
            return
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise OutputError("output already exists; choose a new path", Where((str(out),)))
        scratch.sweep(out.parent)
        # Named for its owner and locked by it, so a killed run's stage is removed by the next.
        stage, stage_lock = scratch.scratch_dir(out.parent, temp_prefix(out))
        try:
            tree = stage / "app"
            shutil.copytree(src, tree, symlinks=True)
            _refuse_links_to(src, tree, changes, where)
            _apply(tree, changes, where, limits)
            os.replace(tree, out)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
            os.close(stage_lock)
    except SplicerError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", Where((str(out or src),))) from exc


def _refuse_links_to(src: Path, tree: Path, changes: Changes, where: Where, prefix: str = "") -> None:
    """A changed file of the copy reached through an absolute link still names the input's
    file: writing it would change the input, and the output would deploy the input's bytes."""
    source = os.path.realpath(src)
    for name, value in changes.items():
        key = prefix + name.rstrip("/")
        real = os.path.realpath(tree / PurePosixPath(key))
        if not Path(real).is_relative_to(os.path.realpath(tree)) and Path(real).is_relative_to(source):
            raise ArchiveError(
                f"with -o, the copy would still reach {real} of the input through an absolute symbolic link",
                where.child(key),
                hint="make the link relative, or splice in place",
            )
        if isinstance(value, dict):
            _refuse_links_to(src, tree, value, where, key + "/")


def _apply(root: Path, changes: Changes, where: Where, limits: Limits) -> None:
    with ExitStack() as commits:
        # Each atomic_output replaces its file when the stack unwinds without error, and
        # removes its temp file when it unwinds with one.
        _stage(DirAppReader(root, where, limits), changes, commits)


@contextmanager
def _on_success(action: Callable[[], object]) -> Iterator[None]:
    yield  # an exception unwinding the stack is raised here, and the action never runs
    action()


@contextmanager
def _made_folders(folder: Path) -> Iterator[None]:
    """Create ``folder`` (a new WEB-INF/) and its missing parents; remove them again if the
    stack unwinds with an error, so a failed splice leaves no empty folder in the input."""
    missing: list[Path] = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir()
    try:
        yield
    except BaseException:
        for new in missing:  # innermost first; the temp file inside is already gone
            try:
                new.rmdir()
            except OSError:
                pass
        raise


def _stage(reader: DirAppReader, changes: Changes, commits: ExitStack) -> None:
    for name, value in changes.items():
        key = name.rstrip("/") if isinstance(value, dict) else name
        path = reader.path_of(key)
        here = reader.where.child(key)
        if isinstance(value, dict):
            if path.is_dir():
                _stage(DirAppReader(path, here, reader.limits, boundary=reader.boundary), value, commits)
            elif path.is_file():
                path = Path(os.path.realpath(path))  # a zipped WAR behind a link: the link stays
                with open_app(path, reader.limits) as module:
                    assert isinstance(module, ZipAppReader)
                    module.where = here
                    fh = commits.enter_context(atomic_output(path, mode_of=path))
                    rewrite_zip(module, value, fh)
            else:
                raise ArchiveError("no such nested module to change", here)
        elif value is None:
            if not path.is_file():
                raise ArchiveError("cannot delete a missing file", here)
            commits.enter_context(_on_success(path.unlink))
        else:
            if path.is_dir():
                raise ArchiveError("is a directory, cannot give it bytes", here)
            if path.is_symlink():
                # The file the link names is written (path_of kept it inside the tree); the link stays.
                if not path.exists():
                    raise ArchiveError(f"dangling symbolic link: it names {os.readlink(path)}, which does not exist", here)
                path = Path(os.path.realpath(path))
            commits.enter_context(_made_folders(path.parent))
            fh = commits.enter_context(atomic_output(path, mode_of=path if path.exists() else None))
            fh.write(value)
