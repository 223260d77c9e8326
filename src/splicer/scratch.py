"""Scratch files and folders that a killed run cannot leave behind for good.

A file being written has no name at all until it is complete (Linux ``O_TMPFILE``): a
SIGKILL then leaves nothing.  Where that is not possible (a file system without it, another
system, no ``/proc``), and for scratch folders, the name carries its owner,
``<prefix><boot>-<pid>-<start>-<random><suffix>``, and the owner holds an ``flock`` on it, so
the next run can tell a dead owner's leftover (its lock is free and its process is gone, or
is another one now: the start time differs, or the machine rebooted) and remove it.  Both
tests must say "dead" before anything is removed, so a live owner in another pid namespace
(which flock still sees) or on a file system without flock (which the name still tells) is
never robbed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from functools import cache
from pathlib import Path

__all__ = ["SUFFIX", "owner_tag", "scratch_name", "unnamed_file", "named_file", "link_into",
           "scratch_dir", "sweep", "sweep_tree", "settle_temp_dir", "temp_dir"]

SUFFIX = ".splicing"
_OWNED = re.compile(r"(?P<boot>[0-9a-f]{8})-(?P<pid>[0-9]+)-(?P<start>[0-9]+)-[0-9a-z_]{8}$")


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text("ascii")[:8]
    except OSError:
        return "00000000"  # unknown: liveness then rests on the pid alone


def _start_time(pid: int) -> int | None:
    """Clock ticks from boot to the start of ``pid`` (stable for a process; a reused pid
    gets another); None where there is no /proc, no such process, or only its zombie
    (dead, its files closed and its locks gone, waiting for its parent to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()  # the command name may hold spaces
    return None if fields[0] in (b"Z", b"X") else int(fields[19])


def owner_tag() -> str:
    """``<boot>-<pid>-<start>`` of this process (recomputed after a fork)."""
    pid = os.getpid()
    return f"{_boot_id()}-{pid}-{_start_time(pid) or 0}"


def scratch_name(prefix: str, suffix: str = SUFFIX) -> str:
    return f"{prefix}{owner_tag()}-{os.urandom(4).hex()}{suffix}"


def _alive(boot: str, pid: int, start: int) -> bool:
    if boot != _boot_id() and "00000000" not in (boot, _boot_id()):
        return False  # written before the last reboot
    if pid == os.getpid():
        return start in (0, _start_time(pid) or 0)
    now = _start_time(pid)
    if now is not None:
        return start in (0, now)
    if Path("/proc/self/stat").exists():
        return False  # /proc works and has no such process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _lock(fd: int, blocking: bool = True) -> bool:
    """flock; False when another holds it.  A file system without flock counts as free."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise
    return True


def unnamed_file(folder: Path) -> int | None:
    """A new empty file in ``folder`` with no name (read-write, mode 0600, locked), or None
    where the file system, the kernel or a missing /proc (needed to name it later) forbid."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        fd = os.open(folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        # EOPNOTSUPP: the file system has no O_TMPFILE; EISDIR/EINVAL: the kernel is older.
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None
        raise
    _lock(fd)
    return fd


def named_file(folder: Path, prefix: str) -> tuple[int, Path]:
    """A new empty file named for its owner (mode 0600), locked before anyone can judge it:
    in the instant before the lock its name still says its owner is alive."""
    while True:
        path = folder / scratch_name(prefix)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        _lock(fd)
        return fd, path


def link_into(fd: int, folder: Path, prefix: str) -> Path:
    """Give the unnamed file ``fd`` an owner's scratch name in ``folder`` (its own folder).

    ``linkat(procfd, "N", AT_FDCWD, path, AT_SYMLINK_FOLLOW)`` with ``procfd`` the folder
    ``/proc/self/fd``: the route open(2) documents for unprivileged users (AT_EMPTY_PATH
    would need CAP_DAC_READ_SEARCH).  Not ``os.link("/proc/self/fd/N", path)``: without a
    dir fd CPython calls plain link(2), which links the magic symlink itself and fails
    with EXDEV, for root too.
    """
    proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            path = folder / scratch_name(prefix)
            try:
                os.link(str(fd), path, src_dir_fd=proc, follow_symlinks=True)
            except FileExistsError:
                continue
            return path
    finally:
        os.close(proc)


def scratch_dir(parent: Path, prefix: str, suffix: str = SUFFIX) -> tuple[Path, int]:
    """A new folder named for its owner, and an fd holding its lock until closed."""
    while True:
        path = parent / scratch_name(prefix, suffix)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        _lock(fd)
        return path, fd


def sweep(folder: Path, prefix: str = ".", suffix: str = SUFFIX) -> list[Path]:
    """Remove the scratch files and folders of dead owners in ``folder``; the ones removed.

    Only names of the form above are looked at; anything unreadable or not ours is left.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        owned = _OWNED.search(name[len(prefix):len(name) - len(suffix)])
        if owned is None or _alive(owned["boot"], int(owned["pid"]), int(owned["start"])):
            continue
        if _remove_if_unlocked(Path(entry.path), entry):
            removed.append(Path(entry.path))
    return removed


def sweep_tree(root: Path) -> list[Path]:
    """``sweep`` every folder of an exploded application (links are not followed)."""
    removed: list[Path] = []
    for folder, dirs, _files in os.walk(root):
        removed += sweep(Path(folder))
        dirs[:] = [name for name in dirs if os.path.isdir(os.path.join(folder, name))]
    return removed


def settle_temp_dir() -> None:
    """Fix tempfile's folder without its probe (once per process, by the command line).

    ``tempfile.gettempdir()`` first writes and removes a file with a bare random name
    (``soksh4b6``) in each candidate folder: a SIGKILL at that instant leaves it behind, and no
    sweep can tell whose it is (the kill test met one in 250 kills).  The same candidates in
    the same order, TMPDIR, TEMP, TMP, /tmp, /var/tmp, /usr/tmp: the first folder this
    process may write to.  None found: tempfile probes as usual.
    """
    import tempfile

    if tempfile.tempdir is not None:
        return
    named = [os.environ.get(var) for var in ("TMPDIR", "TEMP", "TMP")]
    for folder in [f for f in named if f] + ["/tmp", "/var/tmp", "/usr/tmp"]:
        if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            tempfile.tempdir = os.path.abspath(folder)
            return


def temp_dir() -> str:
    """The temporary folder, settled without a probe (``settle_temp_dir``).  The splice
    engine gives it as ``dir=`` to every temporary file it makes, so `splice` need not
    import tempfile (random, shutil, bz2, lzma: ~4 ms) when it starts: a run that writes no
    temporary file (a no-op) never does."""
    import tempfile

    settle_temp_dir()
    return tempfile.gettempdir()


def _remove_if_unlocked(path: Path, entry: os.DirEntry[str]) -> bool:
    is_dir = entry.is_dir(follow_symlinks=False)
    if not (is_dir or entry.is_file(follow_symlinks=False)):
        return False  # a link or a device with our kind of name is not ours
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_DIRECTORY if is_dir else 0))
    except OSError:
        return False
    try:
        if not _lock(fd, blocking=False):
            return False  # its owner holds it: alive after all (another pid namespace, say)
        if is_dir:
            import shutil  # here: its import (bz2, lzma, fnmatch) is start-up time for every run

            shutil.rmtree(path)
        else:
            os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
