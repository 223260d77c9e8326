"""Real processes on loopback: the tutorial's grid, and crashes under both replication kinds."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from splicer.grid.admin import fetch_placement, map_sizes
from splicer.grid.client import GridClient, GridOp
from splicer.grid.hashing import partition_of
from tests.grid.conftest import (REPO, SAMPLE_DP, SAMPLE_OG, Proc, deployment_xml,
                                 objectgrid_xml, start_catalog, start_container, wait_until,
                                 write)

pytestmark = pytest.mark.slow
SAMPLE_FILES = (SAMPLE_OG, SAMPLE_DP)
META = "objectgridSessionMetadata"
ATTR = "objectgridSessionAttribute"


def admin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splicer", "grid", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def primaries(catalog: str) -> dict[str, list[int]]:
    reply = asyncio.run(fetch_placement(catalog, "session", "sessionMapSet"))
    found: dict[str, list[int]] = {name: [] for name in reply["containers"]}
    for p, part in enumerate((reply["placement"] or {"partitions": []})["partitions"]):
        if part["primary"]:
            found.setdefault(part["primary"], []).append(p)
    return found


def balanced(catalog: str, containers: int) -> bool:
    counts = [len(v) for v in primaries(catalog).values()]
    return len(counts) == containers and sum(counts) == 47 and max(counts) - min(counts) <= 1


def test_tutorial_section_2_catalog_two_containers_mapsizes(procs: list[Proc],
                                                            tmp_path: Path) -> None:
    catalog = start_catalog(procs, tmp_path)
    for name in ("c0", "c1"):
        start_container(procs, tmp_path, name, catalog)
    wait_until(lambda: balanced(catalog.endpoint, 2), what="primaries balanced over c0, c1")
    result = admin("mapsizes", "-g", "session", "-m", "sessionMapSet",
                   "--catalog", catalog.endpoint)
    assert result.returncode == 0, result.stderr
    sections = re.split(r"^\*\*\* Listing Maps for (\w+) \*\*\*$", result.stdout, flags=re.M)
    shards = {name: re.findall(r"^objectgridSessionMetadata +(\d+) +0 +0 +(\w+)$", body, re.M)
              for name, body in zip(sections[1::2], sections[2::2])}
    assert set(shards) == {"c0", "c1"}
    for kind in ("Primary", "AsynchronousReplica"):
        held = {name: {int(p) for p, k in rows if k == kind} for name, rows in shards.items()}
        assert held["c0"] | held["c1"] == set(range(47))
        assert not held["c0"] & held["c1"]
        assert {len(held["c0"]), len(held["c1"])} == {23, 24}
    log = (tmp_path / "c0.log").read_text()
    assert "CWOBJ1001I: c0 ObjectGrid server is ready to process requests." in log
    assert "CWOBJ1511I: objectgridSessionMetadata:sessionMapSet:0 (primary) is open for business." in log


async def write_sessions(catalog: str, ids: list[str]) -> None:
    async with await GridClient.connect(catalog, grid="session") as client:
        for sid in ids:
            await client.batch([GridOp("put", META, f"{sid}/MySessionTestWeb", sid.encode()),
                                GridOp("put", ATTR, f"{sid}/MySessionTestWeb_DATA", b"test02")])


async def read_sessions(catalog: str, ids: list[str]) -> list[str]:
    """The ids whose metadata or DATA attribute did not come back intact."""
    missing = []
    async with await GridClient.connect(catalog, grid="session", retry_for=30.0) as client:
        for sid in ids:
            meta = await client.get(META, f"{sid}/MySessionTestWeb")
            data = await client.get(ATTR, f"{sid}/MySessionTestWeb_DATA")
            if meta != sid.encode() or data != b"test02":
                missing.append(sid)
    return missing


def test_sigkill_under_sync_replication_loses_no_session(procs: list[Proc],
                                                         tmp_path: Path) -> None:
    og = write(tmp_path, "og.xml", objectgrid_xml())
    dp = write(tmp_path, "dp.xml", deployment_xml(max_sync=1, max_async=0))
    catalog = start_catalog(procs, tmp_path)
    containers = {n: start_container(procs, tmp_path, n, catalog, og, dp)
                  for n in ("c0", "c1", "c2")}
    wait_until(lambda: balanced(catalog.endpoint, 3), what="primaries balanced")
    ids = [f"S{i:04d}xxxxxxxxxxxxxxxxxx" for i in range(1000)]
    asyncio.run(write_sessions(catalog.endpoint, ids))
    victim = max(primaries(catalog.endpoint).items(), key=lambda kv: len(kv[1]))[0]
    containers[victim].kill(signal.SIGKILL)
    assert asyncio.run(read_sessions(catalog.endpoint, ids)) == []
    after = primaries(catalog.endpoint)
    assert victim not in after and sum(len(v) for v in after.values()) == 47


def test_sigkill_under_async_replication_loses_the_last_window(procs: list[Proc],
                                                               tmp_path: Path) -> None:
    """Batches leave WINDOW after their first write.  Once the replicas hold every older
    write, K new writes to the victim's partitions take milliseconds, far less than WINDOW,
    and the kill follows at once: no batch holding them has left, so exactly K are lost.
    The guard below fails loudly instead if the machine was ever that slow."""
    window, k = 5.0, 10
    og = write(tmp_path, "og.xml", objectgrid_xml())
    dp = write(tmp_path, "dp.xml", deployment_xml(max_sync=0, max_async=1))
    catalog = start_catalog(procs, tmp_path)
    containers = {n: start_container(procs, tmp_path, n, catalog, og, dp,
                                     "--async-flush-ms", str(int(window * 1000)))
                  for n in ("c0", "c1")}
    wait_until(lambda: balanced(catalog.endpoint, 2), timeout=30, what="primaries balanced")
    old = [f"O{i:04d}xxxxxxxxxxxxxxxxxx" for i in range(200)]
    asyncio.run(write_sessions(catalog.endpoint, old))
    wait_until(lambda: replicas_caught_up(catalog.endpoint), timeout=30,
               what="replicas holding every older write")
    victim = "c1"
    held = set(primaries(catalog.endpoint)[victim])
    recent = [sid for sid in (f"N{i:04d}xxxxxxxxxxxxxxxxxx" for i in range(500))
              if partition_of(sid, 47) in held][:k]

    async def write_then_kill() -> float:
        async with await GridClient.connect(catalog.endpoint, grid="session") as client:
            started = time.monotonic()
            for sid in recent:
                await client.batch([
                    GridOp("put", META, f"{sid}/MySessionTestWeb", sid.encode()),
                    GridOp("put", ATTR, f"{sid}/MySessionTestWeb_DATA", b"test02")])
            containers[victim].popen.send_signal(signal.SIGKILL)
            return time.monotonic() - started

    elapsed = asyncio.run(write_then_kill())
    containers[victim].kill()
    assert elapsed < window, f"writes and kill took {elapsed:.2f} s, not inside the window"
    lost = asyncio.run(read_sessions(catalog.endpoint, old + recent))
    print(f"async replication, {window:g} s window: lost {len(lost)} of the last {k} writes "
          f"(written and killed within {elapsed * 1000:.0f} ms)")
    assert lost == recent, f"lost {lost}, expected exactly the recent {recent}"


def replicas_caught_up(catalog: str) -> bool:
    rows = [r for s in asyncio.run(map_sizes(catalog, "session", "sessionMapSet"))
            for r in s.rows or ()]
    primary = sum(r.entries for r in rows if r.shard_type == "Primary")
    return primary > 0 and primary == sum(r.entries for r in rows if r.shard_type != "Primary")


def test_sigterm_hands_over_before_exiting(procs: list[Proc], tmp_path: Path) -> None:
    """A clean stop flushes even a 30 s asynchronous batch to the replicas first."""
    catalog = start_catalog(procs, tmp_path)
    containers = {n: start_container(procs, tmp_path, n, catalog, *SAMPLE_FILES,
                                     "--async-flush-ms", "30000") for n in ("c0", "c1")}
    wait_until(lambda: balanced(catalog.endpoint, 2), what="primaries balanced")
    ids = [f"T{i:04d}xxxxxxxxxxxxxxxxxx" for i in range(100)]
    asyncio.run(write_sessions(catalog.endpoint, ids))
    containers["c0"].kill(signal.SIGTERM)
    assert containers["c0"].popen.returncode == 130  # a signal ends every command with 130
    assert (tmp_path / "c0.log").read_text().splitlines()[-1] == (
        "CWWSM0398I: container c0 stopped cleanly on SIGTERM")
    assert asyncio.run(read_sessions(catalog.endpoint, ids)) == []
    assert list(primaries(catalog.endpoint)) == ["c1"]
    assert "CWOBJ7204I: container c0 left the grid after handing over." in (
        tmp_path / "cs0.log").read_text()


def test_a_hung_container_is_found_by_missed_heartbeats(procs: list[Proc],
                                                        tmp_path: Path) -> None:
    og = write(tmp_path, "og.xml", objectgrid_xml())
    dp = write(tmp_path, "dp.xml", deployment_xml(max_sync=1, max_async=0))
    catalog = start_catalog(procs, tmp_path, heartbeat=0.1, failure=0.6)
    containers = {n: start_container(procs, tmp_path, n, catalog, og, dp) for n in ("c0", "c1")}
    wait_until(lambda: balanced(catalog.endpoint, 2), what="primaries balanced")
    ids = [f"H{i:04d}xxxxxxxxxxxxxxxxxx" for i in range(50)]
    asyncio.run(write_sessions(catalog.endpoint, ids))
    containers["c1"].popen.send_signal(signal.SIGSTOP)  # alive, sockets open, silent
    try:
        wait_until(lambda: list(primaries(catalog.endpoint)) == ["c0"],
                   what="the silent container dropped")
        assert asyncio.run(read_sessions(catalog.endpoint, ids)) == []
    finally:
        containers["c1"].popen.send_signal(signal.SIGCONT)
    assert "CWOBJ7205W: container c1 is gone (no heartbeat for 0.6 s)" in (
        tmp_path / "cs0.log").read_text()


def test_a_second_signal_ends_a_stop_the_catalog_does_not_answer(procs: list[Proc],
                                                                 tmp_path: Path) -> None:
    """Bug: during a clean stop a second SIGTERM or Ctrl-C was swallowed, so a container whose
    catalog did not answer its handover waited the whole 30 s.  It now exits at once.

    Bug (flaky, 1 run in 3 under load: exit -2, not 2): the process removed its handlers while
    asyncio was tearing down, and this test kept signalling, so a late SIGINT met the default
    handler.  The handlers now stay until exit, and the test signals exactly twice: the second
    time once the process has said it heard the first."""
    catalog = start_catalog(procs, tmp_path)
    containers = {n: start_container(procs, tmp_path, n, catalog) for n in ("c0", "c1")}
    wait_until(lambda: balanced(catalog.endpoint, 2), what="primaries balanced")
    c0 = containers["c0"].popen
    log = tmp_path / "c0.log"
    catalog.popen.send_signal(signal.SIGSTOP)  # alive, sockets open: the handover hangs
    try:
        c0.send_signal(signal.SIGTERM)
        wait_until(lambda: "CWWSM0397I: heard SIGTERM: stopping cleanly" in log.read_text(),
                   timeout=10, what="c0 saying it heard SIGTERM")
        c0.send_signal(signal.SIGTERM)  # not SIGINT: a background `make test &` ignores that
        try:
            code = c0.wait(10)  # the hung handover would take 30 s
        except subprocess.TimeoutExpired:
            pytest.fail("c0 did not exit within 10 s of the second signal")
    finally:
        catalog.popen.send_signal(signal.SIGCONT)
    assert code == 130
    assert log.read_text().rstrip().splitlines()[-1] == (
        "CWWSM0396E: stopped by a second signal, without a clean stop (no handover) (SIGTERM)")
