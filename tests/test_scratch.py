"""Scratch files and splice locks: unnamed while written, swept when their owner is dead."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from splicer import scratch
from splicer.archives.writing import atomic_output
from splicer.errors import BusyError
from splicer.locking import Target, hold, lock_path
from splicer.locking import sweep as sweep_locks

BOOT = scratch._boot_id()


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=60)
    return int(done.stdout)


def leftover(folder: Path, name: str, *, is_dir: bool = False) -> Path:
    path = folder / name
    if is_dir:
        path.mkdir()
        (path / "app" / "WEB-INF").mkdir(parents=True)
        (path / "app" / "WEB-INF" / "web.xml").write_text("<web-app/>")
    else:
        path.write_bytes(b"half an archive")
    return path


def test_the_output_has_no_name_until_it_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "app.ear"
    target.write_bytes(b"original")
    with atomic_output(target, mode_of=target) as fh:
        fh.write(b"spliced")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear"]  # nothing named yet
        assert os.readlink(f"/proc/self/fd/{fh.fileno()}").endswith("(deleted)")
    assert target.read_bytes() == b"spliced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear"]


def test_linking_the_unnamed_file_gives_the_same_inode(tmp_path: Path) -> None:
    """Regression (found building this): os.link("/proc/self/fd/N", path) calls plain
    link(2), which fails with EXDEV for every user; the output was silently copied."""
    fd = scratch.unnamed_file(tmp_path)
    assert fd is not None, "this Linux file system should support O_TMPFILE"
    try:
        os.write(fd, b"data")
        path = scratch.link_into(fd, tmp_path, ".app.ear.")
        assert os.stat(path).st_ino == os.fstat(fd).st_ino
        assert path.read_bytes() == b"data"
    finally:
        os.close(fd)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run as another user")
def test_an_unprivileged_user_gets_the_unnamed_file_linked_too() -> None:
    import tempfile

    _skip_unless_nobody_can_run_splicer()
    folder = Path(tempfile.mkdtemp(prefix="splicer-test-nobody-"))  # pytest's tmp is root's 0700
    os.chown(folder, 65534, 65534)
    try:
        done = _as_nobody(folder)
    finally:
        shutil.rmtree(folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "65534"]


def _skip_unless_nobody_can_run_splicer() -> None:
    """The checkout and its venv must be readable by nobody: a clone inside a 0700 folder
    (``mktemp -d``) is not, and nobody can then not even import splicer."""
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           sys.executable, "-c", "import splicer.cli.splice_run"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")})
    if done.returncode != 0:
        pytest.skip("user nobody cannot read this checkout or its venv (a parent folder is private): "
                    + (done.stderr.strip().splitlines() or ["?"])[-1])


def _as_nobody(folder: Path) -> subprocess.CompletedProcess[str]:
    code = ("import os, sys; from pathlib import Path; from splicer import scratch\n"
            "fd = scratch.unnamed_file(Path(sys.argv[1])); os.write(fd, b'x')\n"
            "p = scratch.link_into(fd, Path(sys.argv[1]), '.a.')\n"
            "print(os.stat(p).st_ino == os.fstat(fd).st_ino, os.stat(p).st_uid)")
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           sys.executable, "-c", code, str(folder)],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")})


def test_without_o_tmpfile_the_file_is_named_for_its_owner_and_removed_on_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scratch, "unnamed_file", lambda folder: None)
    target = tmp_path / "app.ear"
    target.write_bytes(b"original")
    with pytest.raises(RuntimeError), atomic_output(target, mode_of=target) as fh:
        fh.write(b"half")
        [named] = [p for p in tmp_path.iterdir() if p.name != "app.ear"]
        assert named.name.startswith(f".app.ear.{scratch.owner_tag()}-") and named.name.endswith(".splicing")
        raise RuntimeError("mid-write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear"]
    assert target.read_bytes() == b"original"


def test_a_refused_link_falls_back_to_a_named_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(fd: int, folder: Path, prefix: str) -> Path:
        raise PermissionError("linkat refused")

    monkeypatch.setattr(scratch, "link_into", refuse)
    target = tmp_path / "app.ear"
    target.write_bytes(b"original")
    target.chmod(0o640)
    with atomic_output(target, mode_of=target) as fh:
        fh.write(b"spliced" * 100_000)
    assert target.read_bytes() == b"spliced" * 100_000
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear"]


def test_sweep_removes_only_the_leftovers_of_dead_owners(tmp_path: Path) -> None:
    dead = dead_pid()
    gone = [
        leftover(tmp_path, f".app.ear.{BOOT}-{dead}-0-0a1b2c3d.splicing"),
        leftover(tmp_path, f".other.war.{BOOT}-{dead}-0-deadbeef.splicing"),
        leftover(tmp_path, f".out.{BOOT}-{dead}-0-0a1b2c3d.splicing", is_dir=True),  # a stage
        leftover(tmp_path, f".app.ear.{'f' * 8 if BOOT != 'f' * 8 else 'e' * 8}-{os.getpid()}-0-0a1b2c3d.splicing"),
    ]
    me = scratch.owner_tag()
    kept = [
        leftover(tmp_path, "app.ear"),
        leftover(tmp_path, f".app.ear.{me}-0a1b2c3d.splicing"),  # a live owner: this process
        leftover(tmp_path, ".app.ear.k2j3h4g5.splicing"),  # an older splicer's: no owner in it
        leftover(tmp_path, f"app.ear.{BOOT}-{dead}-0-0a1b2c3d.splicing.bak"),
    ]
    (tmp_path / f".link.{BOOT}-{dead}-0-0a1b2c3d.splicing").symlink_to(kept[0])
    locked = leftover(tmp_path, f".locked.{BOOT}-{dead}-0-0a1b2c3d.splicing")
    fd = os.open(locked, os.O_RDONLY)
    try:
        # Its name says dead, but someone holds its lock (a pid of another namespace): kept.
        fcntl.flock(fd, fcntl.LOCK_EX)
        removed = scratch.sweep(tmp_path)
    finally:
        os.close(fd)
    assert sorted(removed) == sorted(gone)
    assert all(p.exists() for p in kept) and locked.exists()
    assert (tmp_path / f".link.{BOOT}-{dead}-0-0a1b2c3d.splicing").is_symlink()


def test_a_live_process_that_reused_nothing_is_told_apart_by_its_start_time(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        start = scratch._start_time(child.pid)
        assert start is not None
        mine = leftover(tmp_path, f".app.ear.{BOOT}-{child.pid}-{start}-0a1b2c3d.splicing")
        reused = leftover(tmp_path, f".app.ear.{BOOT}-{child.pid}-{start + 1}-0a1b2c3d.splicing")
        assert scratch.sweep(tmp_path) == [reused]  # same pid, another process: its owner is dead
        assert mine.exists()
    finally:
        child.kill()
        child.wait(10)
    assert scratch.sweep(tmp_path) == [mine]


def test_a_stale_lock_file_is_swept_a_held_one_is_not(tmp_path: Path) -> None:
    held, stale = tmp_path / "held.ear", tmp_path / "stale.ear"
    lock_path(stale).write_text("12345\n")  # a killed run's
    with hold([Target.of(held)], wait=0):
        assert lock_path(held).read_text() == f"{os.getpid()}\n"
        assert sweep_locks(tmp_path) == []  # hold() swept the stale one already
        assert not lock_path(stale).exists()
        assert lock_path(held).exists()
    assert list(tmp_path.iterdir()) == []


def test_a_held_lock_refuses_after_the_wait_naming_the_holder(tmp_path: Path) -> None:
    app = tmp_path / "app.ear"
    app.write_bytes(b"x")
    told: list[int | None] = []
    with hold([Target.of(app)], wait=0):
        child = subprocess.run(
            [sys.executable, "-c",
             "import sys; from pathlib import Path; from splicer.locking import Target, hold\n"
             "from splicer.errors import BusyError\n"
             "try:\n    hold([Target.of(Path(sys.argv[1]))], wait=0.2).__enter__()\n"
             "except BusyError as e:\n    print(e.message())\n", str(app)],
            capture_output=True, text=True, timeout=60)
        assert child.stdout.strip() == (
            f"CWWSM0321E: {app}: is being spliced by pid {os.getpid()} (waited 0.2 s) "
            "(try again when it is done, or give --wait more seconds)"), child.stderr
        with pytest.raises(BusyError) as info:
            # flock conflicts between two opens in one process too
            with hold([Target.of(app)], wait=0.1, waiting=lambda t, pid: told.append(pid)):
                pass
    assert info.value.exit_code == 75
    assert told == [os.getpid()]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run as another user")
def test_a_folder_the_user_cannot_write_needs_no_lock_to_read() -> None:
    """An already spliced archive in a read-only folder was (and stays) exit 0; one that needs
    a change fails to write with exit 3, not a traceback about the lock file."""
    import tempfile

    _skip_unless_nobody_can_run_splicer()
    repo = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="splicer-test-readonly-"))
    try:
        os.chmod(folder, 0o755)  # root's: others may read, not create
        fresh = folder / "fresh.ear"
        shutil.copyfile(repo / "samples" / "MySessionTest.ear", fresh)
        spliced = folder / "spliced.ear"
        subprocess.run([sys.executable, "-m", "splicer", "splice", str(fresh), str(repo / "samples" / "splicer.properties"),
                        "-o", str(spliced), "-q"], check=True, timeout=60, cwd=repo)
        for path in (fresh, spliced):
            os.chmod(path, 0o644)
        runs = {name: subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                                      "-m", "splicer", "splice", str(folder / name),
                                      str(repo / "samples" / "splicer.properties"), "-q"],
                                     capture_output=True, text=True, timeout=60, cwd=repo,
                                     env={**os.environ, "PYTHONPATH": str(repo / "src")})
                for name in ("spliced.ear", "fresh.ear")}
        left = sorted(os.listdir(folder))
    finally:
        shutil.rmtree(folder)
    assert runs["spliced.ear"].returncode == 0, runs["spliced.ear"].stderr
    assert runs["fresh.ear"].returncode == 3, runs["fresh.ear"].stderr
    assert runs["fresh.ear"].stderr.startswith(f"CWWSM0320E: {folder / 'fresh.ear'}: cannot write: Permission denied")
    assert left == ["fresh.ear", "spliced.ear"]


def test_the_temp_folder_is_settled_without_tempfiles_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bug (met by the kill test, 1 kill in 250): tempfile's first gettempdir() writes and
    removes a file with a bare random name (`soksh4b6`) to probe the folder; killed at that
    instant, a splice left it behind, and no sweep can tell whose it is."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.setenv("TEMP", str(tmp_path))
    scratch.settle_temp_dir()
    assert tempfile.gettempdir() == str(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing was written to find it
