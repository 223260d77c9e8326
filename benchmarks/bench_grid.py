"""Time the grid through its client on loopback, against a bare asyncio echo, in one run.

    python benchmarks/bench_grid.py [--ops 3000] [--concurrency 32] [--failovers 3] [--src DIR]

Every server is its own process, as in production: one catalog and two containers started
with ``python -m splicer grid ...`` from the sample XML (47 partitions, one asynchronous
replica), and, as the reference, an asyncio echo server speaking the same frame layout
(4-byte length + payload) with no grid logic.  Measured, each as a median of three rounds:

- echo round trips per second, one request in flight (the reference);
- session writes (metadata put, 100-byte value) and reads per second, one in flight and
  ``--concurrency`` in flight, through ``GridClient``;
- the same writes with one *synchronous* replica (a second grid, maxSyncReplicas=1);
- failover: SIGKILL of the container with most primaries, until every partition has a
  primary on a live container again (the catalog polled every 5 ms), repeated ``--failovers``
  times with a fresh container started in between.

Ratios are grid ops/s divided by echo round trips/s measured in the same run, so they carry
over to other machines better than the raw figures; on a shared machine the CPU time the
servers spent per operation (from /proc, Linux) moves least of all.  ``--src`` runs another checkout's
``splicer`` (client and servers), e.g. the commit before a change::

    git worktree add /tmp/before HEAD~3 && python benchmarks/bench_grid.py --src /tmp/before/src
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# before argparse: the package is imported from it
SRC = Path(sys.argv[sys.argv.index("--src") + 1]) if "--src" in sys.argv[:-1] else REPO / "src"
sys.path.insert(0, str(SRC))

from splicer.grid.admin import fetch_placement  # noqa: E402
from splicer.grid.client import GridClient  # noqa: E402

SAMPLE_OG = REPO / "samples" / "objectGridStandAlone.xml"
SAMPLE_DP = REPO / "samples" / "objectGridDeploymentStandAlone.xml"
VALUE = b"x" * 100
ECHO_SERVER = """
import asyncio, struct, sys
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readexactly(4)
            body = await reader.readexactly(struct.unpack(">I", head)[0])
            writer.write(head + body)
    except asyncio.IncompleteReadError:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print("READY 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


class Child:
    def __init__(self, argv: list[str]) -> None:
        self.popen = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      cwd=REPO, env={**os.environ, "PYTHONPATH": str(SRC)})
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline().decode().split()
        if not line or line[0] != "READY":
            self.stop()
            raise SystemExit(f"{argv[3:5]} did not start")
        self.endpoint = line[1]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        self.popen.wait(timeout=30)


def grid_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "splicer", "grid", *args]


def start_grid(og: Path, dp: Path, names: list[str]) -> tuple[Child, dict[str, Child]]:
    catalog = Child(grid_cmd("catalog", "cs0", "--catalog-endpoints", "cs0:127.0.0.1:1:2",
                             "--listener-port", "0", "--heartbeat-interval", "0.2",
                             "--failure-timeout", "1.0"))
    containers = {n: start_container(n, catalog, og, dp) for n in names}
    return catalog, containers


def start_container(name: str, catalog: Child, og: Path, dp: Path) -> Child:
    return Child(grid_cmd("container", name, "--objectgrid-xml", str(og), "--deployment-xml",
                          str(dp), "--catalog", catalog.endpoint, "--host", "127.0.0.1"))


async def rate(n: int, concurrency: int, op: Callable[[int], Awaitable[object]]) -> float:
    """Operations per second for n calls of op, at most `concurrency` in flight."""
    queue = iter(range(n))

    async def worker() -> None:
        for i in queue:
            await op(i)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - started)


def median3(measure: Callable[[], Awaitable[float]]) -> float:
    return statistics.median(asyncio.run(measure()) for _ in range(3))


def cpu_seconds(children: list[Child]) -> float:
    """CPU time (user and system) these processes have used so far; 0 without /proc."""
    total = 0
    for child in children:
        try:
            fields = Path(f"/proc/{child.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def timed(servers: list[Child], n: int, measure: Callable[[], float]) -> tuple[float, float]:
    """(ops/s, the servers' CPU microseconds per operation) of a median-of-3 measure."""
    before = cpu_seconds(servers)
    ops = measure()
    return ops, (cpu_seconds(servers) - before) / (3 * n) * 1e6


def echo_rate(endpoint: str, n: int, concurrency: int) -> float:
    """Round trips per second through the echo server."""
    host, port = endpoint.rsplit(":", 1)
    frame = len(VALUE).to_bytes(4, "big") + VALUE

    async def measure() -> float:
        streams = [await asyncio.open_connection(host, int(port)) for _ in range(concurrency)]
        free = list(streams)

        async def op(_i: int) -> None:
            reader, writer = free.pop()
            writer.write(frame)
            await reader.readexactly(len(frame))
            free.append((reader, writer))
        result = await rate(n, concurrency, op)
        for _, writer in streams:
            writer.close()
        return result
    return median3(measure)


def grid_rates(catalog: str, n: int, concurrency: int,
               servers: list[Child]) -> tuple[tuple[float, float], tuple[float, float]]:
    async def writes() -> float:
        async with await GridClient.connect(catalog, grid="session") as client:
            return await rate(n, concurrency, lambda i: client.put(
                "objectgridSessionMetadata", f"bench{i:06d}xxxxxxxxxxxxx/ctx", VALUE))

    async def reads() -> float:
        async with await GridClient.connect(catalog, grid="session") as client:
            return await rate(n, concurrency, lambda i: client.get(
                "objectgridSessionMetadata", f"bench{i:06d}xxxxxxxxxxxxx/ctx"))
    return (timed(servers, n, lambda: median3(writes)),
            timed(servers, n, lambda: median3(reads)))


def wait_placed(catalog: str, containers: int, timeout: float = 60.0) -> None:
    """Until every partition has its primary and replica, each replica holding its
    snapshot, and primaries are balanced (a new catalog first waits out older leases)."""
    async def placed() -> bool:
        reply = await fetch_placement(catalog, "session", "sessionMapSet")
        if reply["placement"] is None or reply.get("settling"):
            return False
        ready = {(p, name) for p, name in reply.get("ready", [])}
        if "ready" not in reply:  # a checkout from before it was told (--src)
            ready = {(p, r) for p, part in enumerate(reply["placement"]["partitions"])
                     for r, _ in part["replicas"]}
        counts: dict[str, int] = {}
        for p, part in enumerate(reply["placement"]["partitions"]):
            counts[part["primary"]] = counts.get(part["primary"], 0) + 1
            if part["primary"] is None or any((p, r) not in ready for r, _ in part["replicas"]):
                return False
            if len(part["replicas"]) != min(1, containers - 1):
                return False
        return len(counts) == containers and max(counts.values()) - min(counts.values()) <= 1

    deadline = time.monotonic() + timeout
    while not asyncio.run(placed()):
        if time.monotonic() > deadline:
            raise SystemExit(f"the grid at {catalog} was not placed in {timeout:g} s")
        time.sleep(0.05)


def failover_seconds(catalog: Child, containers: dict[str, Child], og: Path, dp: Path,
                     rounds: int, children: list[Child]) -> list[float]:
    times = []
    for r in range(rounds):
        async def victim() -> str:
            reply = await fetch_placement(catalog.endpoint, "session", "sessionMapSet")
            counts: dict[str, int] = {}
            for part in reply["placement"]["partitions"]:
                counts[part["primary"]] = counts.get(part["primary"], 0) + 1
            return max(counts, key=lambda c: counts[c])

        name = asyncio.run(victim())
        live = [c for c in containers if c != name]

        async def until_placed() -> float:
            started = time.perf_counter()
            containers[name].stop(signal.SIGKILL)
            while True:
                reply = await fetch_placement(catalog.endpoint, "session", "sessionMapSet")
                if all(p["primary"] in live for p in reply["placement"]["partitions"]):
                    return time.perf_counter() - started
                await asyncio.sleep(0.005)
        times.append(asyncio.run(until_placed()))
        del containers[name]
        fresh = containers[f"n{r}"] = start_container(f"n{r}", catalog, og, dp)
        children.append(fresh)
        wait_placed(catalog.endpoint, len(containers))  # the newcomer took its share
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--src", type=Path, default=SRC, help="the splicer package's parent folder")
    parser.add_argument("--failovers", type=int, default=3)
    args = parser.parse_args()
    echo = Child([sys.executable, "-c", ECHO_SERVER])
    children = [echo]
    try:
        e1 = timed([echo], args.ops, lambda: echo_rate(echo.endpoint, args.ops, 1))
        en = timed([echo], args.ops,
                   lambda: echo_rate(echo.endpoint, args.ops, args.concurrency))
        catalog, containers = start_grid(SAMPLE_OG, SAMPLE_DP, ["c0", "c1"])
        servers = [catalog, *containers.values()]
        children += servers
        wait_placed(catalog.endpoint, 2)
        w1, r1 = grid_rates(catalog.endpoint, args.ops, 1, servers)
        wn, rn = grid_rates(catalog.endpoint, args.ops, args.concurrency, servers)
        with tempfile.TemporaryDirectory() as tmp:
            sync_dp = Path(tmp) / "sync.xml"
            sync_dp.write_text(SAMPLE_DP.read_text().replace(
                'maxSyncReplicas="0" maxAsyncReplicas="1"', 'maxSyncReplicas="1" maxAsyncReplicas="0"'))
            scat, sconts = start_grid(SAMPLE_OG, sync_dp, ["s0", "s1"])
            sync_servers = [scat, *sconts.values()]
            children += sync_servers
            wait_placed(scat.endpoint, 2)
            sw1, _ = grid_rates(scat.endpoint, args.ops, 1, sync_servers)
            swn, _ = grid_rates(scat.endpoint, args.ops, args.concurrency, sync_servers)
        fail = failover_seconds(catalog, containers, SAMPLE_OG, SAMPLE_DP, args.failovers,
                                children)
    finally:
        for child in children:
            if child.popen.poll() is None:
                child.stop(signal.SIGKILL)
    c = args.concurrency
    echo1, echo_n = e1[0], en[0]
    rows = [
        ("echo round trip, 1 in flight (reference)", e1, echo1),
        (f"echo round trip, {c} in flight (reference)", en, echo_n),
        ("grid write, async replica, 1 in flight", w1, echo1),
        ("grid read, 1 in flight", r1, echo1),
        (f"grid write, async replica, {c} in flight", wn, echo_n),
        (f"grid read, {c} in flight", rn, echo_n),
        ("grid write, sync replica, 1 in flight", sw1, echo1),
        (f"grid write, sync replica, {c} in flight", swn, echo_n),
    ]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.ops} ops per round, "
          f"median of 3 rounds, splicer from {SRC}")
    print("| measure | ops/s | ratio to echo | servers' CPU per op |")
    print("|---|---:|---:|---:|")
    for label, (value, cpu), reference in rows:
        print(f"| {label} | {value:,.0f} | {value / reference:.2f} | {cpu:.0f} us |")
    print(f"\nSIGKILL to every partition primary again: "
          f"{', '.join(f'{t * 1000:.0f} ms' for t in fail)} (median "
          f"{statistics.median(fail) * 1000:.0f} ms; echo round trip "
          f"{1e6 / echo1:.0f} us, so {statistics.median(fail) * echo1:.0f} round trips)")


if __name__ == "__main__":
    main()
