"""Fault injection: a load that records every acknowledged write, faults, and the checker.

``run(Scenario(...), workdir)`` starts a catalog and three containers as processes, runs
``in_flight`` writers through one GridClient, injects the scenario's faults one after the
other (each followed by a wait for the grid to be whole again), stops the load, reads every
key back and returns an ``Outcome``:

- writes: acknowledged writes; half of them go to keys written once (so a lost one is seen
  at the end however much is written afterwards), half update a few hot keys per writer;
- reads: sent during the load, of hot keys and of the writer's last new key; a read is
  *stale* when it returns an older value than a write acknowledged before the read was sent;
- lost: acknowledged writes whose value is not there at the end (or a newer one);
- for asynchronous replication, how long before its fault each lost write was acknowledged
  (the promise is: at most the flush window);
- the longest stall: the longest time a write or read took, retries included.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from splicer.grid.client import GridClient
from splicer.grid.errors import GridError
from splicer.grid.hashing import partition_of
from tests.faults.grid import GRID, ProcessGrid, until
from tests.grid.conftest import deployment_xml, objectgrid_xml

META = "objectgridSessionMetadata"
MODES = {"sync": (1, 0), "async": (0, 1), "none": (0, 0)}  # (maxSync, maxAsync)
FAULTS = ("kill", "pause", "catalog", "restart")


@dataclass(frozen=True)
class Scenario:
    mode: str = "sync"
    faults: tuple[str, ...] = FAULTS
    rounds: int = 1
    containers: int = 3
    partitions: int = 13
    heartbeat: float = 0.1
    failure: float = 1.0
    flush_ms: int = 200
    in_flight: int = 32
    hot_keys: int = 4  # per writer
    client_timeout: float = 2.0
    calm: float = 0.4  # seconds of plain load before each fault and before the end

    @property
    def replicas(self) -> int:
        return sum(MODES[self.mode])


@dataclass
class Fault:
    kind: str
    victim: str
    started: float
    recovered: float = 0.0
    partitions: frozenset[int] = frozenset()  # whose primary the victim held


@dataclass
class Record:
    acks: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)
    reads: list[tuple[str, float, float, int]] = field(default_factory=list)  # seq -1: None
    errors: list[tuple[str, float, float, str]] = field(default_factory=list)


@dataclass
class Outcome:
    scenario: Scenario
    faults: list[Fault]
    writes: int
    reads: int
    errors: list[tuple[str, float, float, str]]
    lost: list[tuple[str, int, float]]  # key, seq, ack time
    stale: list[tuple[str, int, int]]  # key, value read, newer value acknowledged before
    longest_stall: float
    # per lost write: seconds between its acknowledgement and the fault that lost it
    lost_before_fault: list[float]

    def row(self) -> str:
        kinds = ", ".join(sorted({f.kind for f in self.faults}))
        window = (f"; lost writes acknowledged at most {max(self.lost_before_fault) * 1000:.0f}"
                  f" ms before their fault" if self.lost_before_fault else "")
        return (f"{self.scenario.mode:5} {kinds:28} faults {len(self.faults):3}  writes "
                f"{self.writes:7}  reads {self.reads:6}  errors {len(self.errors)}  lost "
                f"{len(self.lost)}  stale {len(self.stale)}  longest stall "
                f"{self.longest_stall:.2f} s{window}")


def value_of(data: bytes | None) -> int:
    return -1 if data is None else int(data)


class Load:
    """``in_flight`` writers, each owning its keys, recording acks, errors and reads."""

    def __init__(self, client: GridClient, scenario: Scenario, rng: random.Random) -> None:
        self.client = client
        self.scenario = scenario
        self.rng = rng
        self.record = Record()
        self.stopping = asyncio.Event()
        self.hot = [[f"w{w:02d}h{h}/ctx" for h in range(scenario.hot_keys)]
                    for w in range(scenario.in_flight)]
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.tasks = [loop.create_task(self._writer(w)) for w in range(self.scenario.in_flight)]

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.gather(*self.tasks)

    async def _writer(self, w: int) -> None:
        last_new = ""
        seq = 0
        while not self.stopping.is_set():
            seq += 1
            if seq % 2:
                key = last_new = f"w{w:02d}n{seq:07d}/ctx"
            else:
                key = self.hot[w][(seq // 2) % len(self.hot[w])]
            await self._put(key, seq)
            if seq % 2 == 0:
                other = self.rng.choice(self.hot[self.rng.randrange(len(self.hot))])
                await self._get(other)
                await self._get(last_new)

    async def _put(self, key: str, seq: int) -> None:
        sent = time.monotonic()
        try:
            await self.client.put(META, key, str(seq).encode())
        except GridError as exc:
            self.record.errors.append((key, sent, time.monotonic(), str(exc)))
            return
        self.record.acks.setdefault(key, []).append((seq, sent, time.monotonic()))

    async def _get(self, key: str) -> None:
        sent = time.monotonic()
        try:
            value = value_of(await self.client.get(META, key))
        except GridError as exc:
            self.record.errors.append((key, sent, time.monotonic(), str(exc)))
            return
        self.record.reads.append((key, sent, time.monotonic(), value))


async def _victim(grid: ProcessGrid) -> tuple[str, frozenset[int]]:
    """The container with the most primaries, and those partitions."""
    found = await grid.primaries()
    name = max(found, key=lambda n: (len(found[n]), n))
    return name, frozenset(found[name])


async def _whole(grid: ProcessGrid, scenario: Scenario, what: str) -> None:
    live = set(grid.containers)
    await until(lambda: grid.fully_placed(live, scenario.replicas), 60,
                f"{what}: every partition placed on {sorted(live)} with ready replicas")


async def fault_kill(grid: ProcessGrid, scenario: Scenario) -> Fault:
    """SIGKILL the container with the most primaries, then start it again."""
    name, parts = await _victim(grid)
    fault = Fault("kill", name, time.monotonic(), partitions=parts)
    grid.containers[name].signal(signal.SIGKILL)
    await grid.containers[name].wait(10)

    async def promoted() -> bool:
        return name not in await grid.primaries() and (
            sum(map(len, (await grid.primaries()).values())) == scenario.partitions)
    await until(promoted, 30, f"{name}'s primaries promoted after SIGKILL")
    await grid.start_container(name)
    await _whole(grid, scenario, f"{name} restarted after SIGKILL")
    return fault


async def fault_pause(grid: ProcessGrid, scenario: Scenario) -> Fault:
    """SIGSTOP the container with the most primaries for longer than the failure timeout
    (until the catalog has replaced it, and at least 1.5 times the timeout), SIGCONT."""
    name, parts = await _victim(grid)
    child = grid.containers[name]
    fault = Fault("pause", name, time.monotonic(), partitions=parts)
    child.signal(signal.SIGSTOP)
    try:
        async def replaced() -> bool:
            reply = await grid.placement()
            return bool(reply) and name not in reply["containers"] and name not in (
                await grid.primaries())
        await until(replaced, 30, f"the catalog to replace paused {name}")
        await asyncio.sleep(max(0.0, fault.started + 1.5 * scenario.failure - time.monotonic()))
    finally:
        child.signal(signal.SIGCONT)
    await _whole(grid, scenario, f"{name} back after SIGSTOP/SIGCONT")
    return fault


async def fault_catalog(grid: ProcessGrid, scenario: Scenario) -> Fault:
    """SIGKILL the catalog, leave it down for the failure timeout, start it again."""
    assert grid.catalog is not None
    fault = Fault("catalog", "cs0", time.monotonic())
    grid.catalog.signal(signal.SIGKILL)
    await grid.catalog.wait(10)
    await asyncio.sleep(scenario.failure)  # the grid runs without a catalog meanwhile
    await grid.start_catalog()
    await _whole(grid, scenario, "catalog restarted")
    return fault


async def fault_restart(grid: ProcessGrid, scenario: Scenario) -> Fault:
    """SIGTERM (a clean stop with handover) the container with the most primaries, then
    start it again."""
    name, parts = await _victim(grid)
    fault = Fault("restart", name, time.monotonic(), partitions=parts)
    grid.containers[name].signal(signal.SIGTERM)
    await grid.containers[name].wait(30)
    await grid.start_container(name)
    await _whole(grid, scenario, f"{name} restarted after SIGTERM")
    return fault


INJECT: dict[str, Callable[[ProcessGrid, Scenario], Awaitable[Fault]]] = {
    "kill": fault_kill, "pause": fault_pause, "catalog": fault_catalog,
    "restart": fault_restart,
}


async def final_values(client: GridClient, keys: list[str], in_flight: int) -> dict[str, int]:
    values: dict[str, int] = {}
    queue = iter(keys)

    async def reader() -> None:
        for key in queue:
            values[key] = value_of(await client.get(META, key))
    await asyncio.gather(*(reader() for _ in range(in_flight)))
    return values


def check(scenario: Scenario, record: Record, faults: list[Fault],
          final: dict[str, int]) -> Outcome:
    lost = [(key, seq, acked) for key, acks in record.acks.items()
            for seq, _sent, acked in acks if final[key] < seq]
    stale = []
    for key, sent, _done, value in record.reads:
        newest = max((seq for seq, _s, acked in record.acks.get(key, ()) if acked < sent),
                     default=-1)
        if value < newest:
            stale.append((key, value, newest))
    before = []
    for key, _seq, acked in lost:
        p = partition_of(key, scenario.partitions)
        # the first fault of its primary not over when it was acknowledged (an answer sent
        # just before a SIGKILL may arrive just after it was sent)
        later = [f for f in faults if f.recovered >= acked and p in f.partitions]
        before.append(max(0.0, min(f.started for f in later) - acked) if later
                      else float("inf"))
    spans = ([acked - sent for acks in record.acks.values() for _q, sent, acked in acks]
             + [done - sent for _k, sent, done, _v in record.reads]
             + [done - sent for _k, sent, done, _t in record.errors])
    return Outcome(scenario, faults, sum(map(len, record.acks.values())), len(record.reads),
                   record.errors, lost, stale, max(spans, default=0.0), before)


async def run(scenario: Scenario, workdir: Path, seed: int = 8) -> Outcome:
    """Start the grid, load it, inject the faults, check; everything started is stopped."""
    sync, asynchronous = MODES[scenario.mode]
    og = workdir / "og.xml"
    og.write_text(objectgrid_xml(), encoding="utf-8")
    dp = workdir / "dp.xml"
    dp.write_text(deployment_xml(partitions=scenario.partitions, max_sync=sync,
                                 max_async=asynchronous), encoding="utf-8")
    grid = ProcessGrid(workdir, og, dp, heartbeat=scenario.heartbeat,
                       failure=scenario.failure, flush_ms=scenario.flush_ms)
    try:
        await grid.start_catalog()
        await asyncio.gather(*(grid.start_container(f"c{i}")
                               for i in range(scenario.containers)))
        await _whole(grid, scenario, "the grid started")
        client = await GridClient.connect(grid.catalog_endpoint, GRID,
                                          timeout=scenario.client_timeout, retry_for=30.0)
        try:
            load = Load(client, scenario, random.Random(seed))
            load.start()
            faults = []
            try:
                for _ in range(scenario.rounds):
                    for kind in scenario.faults:
                        await asyncio.sleep(scenario.calm)
                        fault = await INJECT[kind](grid, scenario)
                        fault.recovered = time.monotonic()
                        faults.append(fault)
                await asyncio.sleep(scenario.calm)
            finally:
                await load.stop()
            final = await final_values(client, sorted(load.record.acks), scenario.in_flight)
        finally:
            await client.close()
        return check(scenario, load.record, faults, final)
    except BaseException as exc:
        exc.add_note(grid.logs())
        raise
    finally:
        await grid.close()
