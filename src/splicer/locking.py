"""One splice at a time per file: an advisory lock that a second run waits for, then reads past.

*Where the lock lives.*  Not on the archive's own inode: the splice replaces it
(``os.replace``), so a run waiting on the old inode would wake up holding the lock of a file
that is no longer there, while a newcomer locks the new one, and both would write.  The
lock is an ``flock`` on a companion file beside the target, ``.<name>.splicer-lock``, which
says the holder's pid.  The holder removes it before it lets go, and whoever gets a lock
checks that the name still leads to the inode it locked (else it locks anew): the usual
protocol that makes a removable lock file safe.  A killed holder's lock is freed by the
kernel and its file is removed by the next run.  flock, not POSIX ``lockf``: closing any
other descriptor of the file (as reading it does) would drop a POSIX lock.

An exploded application in a folder the user may not write to is locked through its own
directory (it is never replaced); the holder's pid is then unknown.  An archive in such a
folder is not locked: this run cannot write there either, so it only reads (an archive
already spliced) or fails to write with a clear error.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from splicer.errors import BusyError, OutputError, Where

__all__ = ["DEFAULT_WAIT", "LOCK_SUFFIX", "Target", "hold", "lock_path", "sweep"]

DEFAULT_WAIT = 10.0
LOCK_SUFFIX = ".splicer-lock"
MAX_NAME = 200  # bytes of the target's name kept, so the lock's name fits 255 bytes
POLL = 0.05


class Target(NamedTuple):
    """A file or folder to lock: ``path`` as the user named it (for messages), ``real`` the
    place it is written (symlinks resolved; with ``follow=False`` only the folder's, for an
    output that a rename will replace, link or not)."""

    path: Path
    real: Path

    @classmethod
    def of(cls, path: Path, *, follow: bool = True) -> Target:
        real = Path(os.path.realpath(path)) if follow else Path(os.path.realpath(path.parent)) / path.name
        return cls(path, real)


def lock_path(real: Path) -> Path:
    name = real.name
    while len(os.fsencode(name)) > MAX_NAME:
        name = name[:-1]
    return real.parent / f".{name}{LOCK_SUFFIX}"


@contextmanager
def hold(targets: Sequence[Target], *, wait: float = DEFAULT_WAIT,
         waiting: Callable[[Target, int | None], None] | None = None) -> Iterator[None]:
    """Hold the lock of every target, taken in one order (so two runs never deadlock).

    :raises BusyError: a lock was still held by another run after ``wait`` seconds.
    """
    ordered = sorted({str(lock_path(t.real)): t for t in targets}.items())
    with ExitStack() as stack:
        for _key, target in ordered:
            held = _acquire(target, wait, waiting)
            if held is not None:
                stack.callback(held.release)
        for folder in {lock_path(t.real).parent for t in targets}:
            sweep(folder)  # lock files killed runs left, other targets' included
        yield


@dataclass
class _Held:
    fd: int
    lock_file: Path | None  # None: a directory locked through itself

    def release(self) -> None:
        try:
            if self.lock_file is not None:
                os.unlink(self.lock_file)  # before the unlock: no one may lock a named stale file
        except OSError:
            pass
        finally:
            os.close(self.fd)


def _acquire(target: Target, wait: float,
             waiting: Callable[[Target, int | None], None] | None) -> _Held | None:
    path = lock_path(target.real)
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise OutputError(f"cannot take the lock {path.name}: {exc.strerror or exc}",
                                  Where((str(target.path),))) from exc
            if target.real.is_dir():
                return _acquire_dir(target, wait, waiting)  # its files may be writable all the same
            # A folder this run cannot create a file in: it cannot write APP or OUT there
            # either, so it only reads (an already spliced app) or fails to write, unlocked.
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            left = deadline - time.monotonic()
            if left <= 0:
                raise _busy(target, holder, wait) from None
            if waiting is not None and not told:
                waiting(target, holder)
                told = True
            time.sleep(min(POLL, left))
            continue
        except BaseException:
            os.close(fd)
            raise
        if _still_named(fd, path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return _Held(fd, path)
        os.close(fd)  # its holder removed it as we locked it: lock the one there now


def _acquire_dir(target: Target, wait: float,
                 waiting: Callable[[Target, int | None], None] | None) -> _Held:
    fd = os.open(target.real, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return _Held(fd, None)
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                os.close(fd)
                raise _busy(target, None, wait) from None
            if waiting is not None and not told:
                waiting(target, None)
                told = True
            time.sleep(min(POLL, left))
        except BaseException:
            os.close(fd)
            raise


def _still_named(fd: int, path: Path) -> bool:
    try:
        here = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _busy(target: Target, holder: int | None, wait: float) -> BusyError:
    who = f"pid {holder}" if holder is not None else "another process"
    return BusyError(f"is being spliced by {who} (waited {wait:g} s)", Where((str(target.path),)),
                     hint="try again when it is done, or give --wait more seconds")


def sweep(folder: Path) -> list[Path]:
    """Remove the lock files of dead holders in ``folder`` (a lock nobody holds).

    Safe under the protocol above: the file is removed only while locked, and a run that
    opened it meanwhile finds the name gone and locks anew.
    """
    removed: list[Path] = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.endswith(LOCK_SUFFIX) and e.name.startswith(".")]
    except OSError:
        return removed
    for name in names:
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _still_named(fd, path):
                os.unlink(path)
                removed.append(path)
        except OSError:
            pass  # held (alive), or not ours to remove
        finally:
            os.close(fd)
    return removed
