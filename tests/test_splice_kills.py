"""splice killed at random points, and run twice at once: never a half-written or lost file.

Real `splice` processes on a 24 MiB EAR (a WAR inside it), SIGKILLed at random moments: the
folder must then hold the original or the complete output (byte for byte the reference run's)
and nothing but the splice's own leftovers, which the next run removes; the temp folder (where
a nested archive may be spooled) must hold nothing else either.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from appbuild import write_zip
from splicer import scratch
from splicer.locking import Target, hold, lock_path

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
KILLS = 50
WEB_XML = ('<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="http://java.sun.com/xml/ns/javaee" '
           'version="3.0">\n  <display-name>Big</display-name>\n</web-app>\n')
# What a killed run may leave, for the next run to remove: its lock file, and (only where
# files cannot be unnamed, or in the instant between naming and renaming) an owner-named file.
LEFTOVER = re.compile(r"\.app\.ear\.(splicer-lock|[0-9a-f]{8}-\d+-\d+-[0-9a-z_]{8}\.splicing)")
SPOOL = re.compile(r"\.splicer-spool\.[0-9a-f]{8}-\d+-\d+-[0-9a-z_]{8}\.splicing")
# Without O_TMPFILE the output is named from the start; the child patches that in.
NO_TMPFILE = ("import sys; from splicer import scratch; scratch.unnamed_file = lambda folder: None\n"
              "from splicer.cli import splice_main; sys.argv[0] = 'splice'; splice_main()\n")


def big_ear(path: Path, mib: int = 24) -> Path:
    return write_zip(path, {"Web.war": {"WEB-INF/web.xml": WEB_XML,
                                        "WEB-INF/lib/big.jar": random.Random(7).randbytes(mib << 20)}},
                     method=zipfile.ZIP_STORED)


def settings(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def web_xml(ear: Path) -> str:
    with zipfile.ZipFile(ear) as outer, zipfile.ZipFile(outer.open("Web.war")) as war:
        return war.read("WEB-INF/web.xml").decode()


def splice_cmd(*args: str, no_tmpfile: bool = False) -> list[str]:
    if no_tmpfile:
        return [sys.executable, "-c", NO_TMPFILE, *args]
    return [sys.executable, "-m", "splicer", "splice", *args]


def writing(pid: int, folder: Path) -> bool:
    """True once ``pid`` holds an output file open in ``folder``: unnamed ("#inode (deleted)")
    or an owner-named scratch file."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(link.startswith(f"{folder}/") and link.endswith(".splicing") or
               link.startswith(f"{folder}/#") for link in links)


@pytest.mark.parametrize("no_tmpfile", [pytest.param(False, id="o_tmpfile"),
                                        pytest.param(True, id="named-fallback")])
def test_sigkills_at_random_points_leave_the_original_or_the_output(tmp_path: Path, no_tmpfile: bool) -> None:
    kills = KILLS if not no_tmpfile else KILLS // 5
    original = big_ear(tmp_path / "original.ear")
    props = settings(tmp_path / "splicer.properties", "objectGridName=session\nreplicationInterval=10\n")
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    reference = tmp_path / "reference" / "app.ear"
    reference.parent.mkdir()
    shutil.copyfile(original, reference)
    started = time.monotonic()
    subprocess.run(splice_cmd(str(reference), str(props), "-q"), check=True, timeout=120, env=env)
    full_run = time.monotonic() - started
    expected = (original.read_bytes(), reference.read_bytes())
    assert expected[0] != expected[1]

    work = tmp_path / "work"
    work.mkdir()
    app = work / "app.ear"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    mid_write = 0
    for i in range(kills):
        if not app.exists() or app.read_bytes() != expected[0]:
            shutil.copyfile(original, app)  # each run has work to do; leftovers stay for it
        proc = subprocess.Popen(splice_cmd(str(app), str(props), "-q", no_tmpfile=no_tmpfile),
                                env=env, stderr=subprocess.DEVNULL)
        try:
            if i % 2:  # anywhere from the interpreter's start to the end of the run
                time.sleep(rng.uniform(0, full_run * 1.2))
            else:  # once the output is being written, somewhere inside the write
                deadline = time.monotonic() + 30
                while not writing(proc.pid, work) and proc.poll() is None:
                    assert time.monotonic() < deadline, f"kill {i}: the splice wrote nothing in 30 s"
                    time.sleep(0.002)
                mid_write += writing(proc.pid, work)
                time.sleep(rng.uniform(0, full_run / 3))
        finally:
            proc.kill()
            proc.wait(30)
        assert app.read_bytes() in expected, f"kill {i} (seed {seed}): a half-written app.ear"
        others = [p.name for p in work.iterdir() if p.name != "app.ear"]
        assert all(LEFTOVER.fullmatch(name) for name in others), f"kill {i} (seed {seed}): {others}"
        spools = os.listdir(tmp_path / "tmp")
        assert all(SPOOL.fullmatch(name) for name in spools), f"kill {i} (seed {seed}): {spools}"
    print(f"{kills} SIGKILLs (seed {seed}), {mid_write} of them mid-write; full run {full_run:.2f} s")
    assert mid_write >= kills // 4, f"only {mid_write} of {kills} kills landed mid-write (seed {seed})"

    shutil.copyfile(original, app)
    done = subprocess.run(splice_cmd(str(app), str(props), "-q", no_tmpfile=no_tmpfile),
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(work)) == ["app.ear"], "the next run removes every leftover"
    assert app.read_bytes() == expected[1]
    if not no_tmpfile:
        assert os.listdir(tmp_path / "tmp") == []  # the spools were unnamed: nothing to sweep


def test_sigkills_of_an_exploded_app_leave_each_file_whole(tmp_path: Path) -> None:
    """An exploded EAR whose WAR is zipped: the WAR is rewritten in place inside the tree,
    with the same unnamed file; a kill leaves it whole and nothing beside it."""
    original = big_ear(tmp_path / "Web.war.src")  # any big zip: here the WAR's bytes
    with zipfile.ZipFile(original) as ear:
        war = ear.read("Web.war")
    props = settings(tmp_path / "splicer.properties", "objectGridName=session\nreplicationInterval=10\n")
    reference = tmp_path / "reference" / "app.ear"
    reference.mkdir(parents=True)
    (reference / "Web.war").write_bytes(war)
    subprocess.run(splice_cmd(str(reference), str(props), "-q"), check=True, timeout=120)
    expected = (war, (reference / "Web.war").read_bytes())
    assert expected[0] != expected[1]
    app = tmp_path / "work" / "app.ear"
    app.mkdir(parents=True)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for i in range(KILLS // 5):
        if not (app / "Web.war").exists() or (app / "Web.war").read_bytes() != war:
            (app / "Web.war").write_bytes(war)
        proc = subprocess.Popen(splice_cmd(str(app), str(props), "-q"), stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not writing(proc.pid, app) and proc.poll() is None:
                assert time.monotonic() < deadline, f"kill {i}: the splice wrote nothing in 30 s"
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.2))
        finally:
            proc.kill()
            proc.wait(30)
        assert (app / "Web.war").read_bytes() in expected, f"kill {i} (seed {seed}): a half-written WAR"
        inside = [n for n in os.listdir(app) if n != "Web.war"]
        assert all(re.fullmatch(r"\.Web\.war\.[0-9a-f]{8}-\d+-\d+-[0-9a-z_]{8}\.splicing", n) for n in inside), inside
    (app / "Web.war").write_bytes(war)
    subprocess.run(splice_cmd(str(app), str(props), "-q"), check=True, timeout=120)
    assert os.listdir(app) == ["Web.war"] and os.listdir(app.parent) == ["app.ear"], "leftovers remain"
    assert (app / "Web.war").read_bytes() == expected[1]


def test_two_concurrent_splices_of_one_file_keep_both_settings(tmp_path: Path) -> None:
    """Bug: two splices of one file both exited 0 and the later rename silently won."""
    app = big_ear(tmp_path / "app.ear")
    one = settings(tmp_path / "one.properties", "objectGridName=session\nreplicationInterval=10\n")
    two = settings(tmp_path / "two.properties", "objectGridName=session\nsessionTableSize=2000\n")
    procs = [subprocess.Popen(splice_cmd(str(app), str(props), "--wait", "60"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for props in (one, two)]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert [code for _out, _err, code in results] == [0, 0], results
    descriptor = web_xml(app)
    for name, value in (("replicationInterval", "10"), ("sessionTableSize", "2000")):
        assert re.search(rf"<param-name>{name}</param-name>\s*<param-value>{value}</param-value>", descriptor), name
    assert sorted(os.listdir(tmp_path)) == ["app.ear", "one.properties", "two.properties"]


def test_a_second_splice_waits_then_splices_the_first_ones_result(tmp_path: Path) -> None:
    app = big_ear(tmp_path / "app.ear", mib=1)
    one = settings(tmp_path / "one.properties", "objectGridName=session\nreplicationInterval=10\n")
    two = settings(tmp_path / "two.properties", "objectGridName=session\nsessionTableSize=2000\n")
    first = tmp_path / "first.ear"
    subprocess.run(splice_cmd(str(app), str(one), "-o", str(first), "-q"), check=True, timeout=120)
    with hold([Target.of(app)], wait=0):  # this test is "the first splice"
        second = subprocess.Popen(splice_cmd(str(app), str(two), "--wait", "60"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert second.stderr is not None
        line = second.stderr.readline()  # blocks until it says it waits (or exits)
        assert line == f"CWWSM0034I: {app} is being spliced by pid {os.getpid()}; waiting up to 60 s.\n"
        os.replace(first, app)  # the first splice's result lands
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    descriptor = web_xml(app)
    assert "<param-name>replicationInterval</param-name>" in descriptor
    assert "<param-name>sessionTableSize</param-name>" in descriptor
    assert not lock_path(app).exists()


def test_a_splice_still_locked_after_wait_is_refused_with_exit_75(tmp_path: Path) -> None:
    app = big_ear(tmp_path / "app.ear", mib=1)
    before = app.read_bytes()
    props = settings(tmp_path / "one.properties", "objectGridName=session\n")
    with hold([Target.of(app)], wait=0):
        done = subprocess.run(splice_cmd(str(app), str(props), "--wait", "0.3", "-q"),
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 75
    assert done.stderr.splitlines() == [
        f"CWWSM0321E: {app}: is being spliced by pid {os.getpid()} (waited 0.3 s) "
        "(try again when it is done, or give --wait more seconds)"]
    assert app.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["app.ear", "one.properties"]


def test_an_output_is_locked_too(tmp_path: Path) -> None:
    app = big_ear(tmp_path / "app.ear", mib=1)
    props = settings(tmp_path / "one.properties", "objectGridName=session\n")
    out = tmp_path / "out.ear"
    with hold([Target.of(out, follow=False)], wait=0):
        done = subprocess.run(splice_cmd(str(app), str(props), "-o", str(out), "--wait", "0", "-q"),
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 75, done.stderr
    assert f"CWWSM0321E: {out}: is being spliced by pid {os.getpid()}" in done.stderr
    assert not out.exists()


def test_a_killed_runs_owner_named_leftover_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """The fallback's promise, shown with a leftover made the way a killed run makes it."""
    app = big_ear(tmp_path / "app.ear", mib=1)
    props = settings(tmp_path / "one.properties", "objectGridName=session\n")
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    start = scratch._start_time(victim.pid)
    name = f".app.ear.{scratch._boot_id()}-{victim.pid}-{start}-0a1b2c3d.splicing"
    (tmp_path / name).write_bytes(b"PK half")
    lock_path(app).write_text(f"{victim.pid}\n")
    victim.kill()
    victim.wait(10)
    done = subprocess.run(splice_cmd(str(app), str(props), "-q"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path)) == ["app.ear", "one.properties"]
