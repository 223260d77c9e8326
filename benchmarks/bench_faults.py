"""Faults under load, per fault and replication mode: writes, faults, lost, stale, stalls.

    python benchmarks/bench_faults.py [--rounds 10] [--modes sync,async,none]
                                      [--faults kill,pause,catalog,restart]

For every mode and fault, a fresh grid of real processes on loopback (one catalog, three
containers, 13 partitions, failure timeout 1 s, heartbeats every 0.1 s, asynchronous batches
every 0.2 s) takes 32 writers through one client while the fault is injected ``--rounds``
times (tests/faults/harness.py says what each fault does and what is counted).  Prints a
Markdown table, the rows of RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "src")]

from tests.faults.harness import FAULTS, MODES, Outcome, Scenario, run  # noqa: E402


def row(outcome: Outcome, seconds: float) -> str:
    s = outcome.scenario
    lost = f"{len(outcome.lost):,}"
    if outcome.lost_before_fault and s.mode == "async":  # the promise: the flush window
        lost += (f" (acknowledged ≤ {max(outcome.lost_before_fault) * 1000:.0f} ms before "
                 "the fault)")
    elif outcome.lost:
        lost += " (what the victim's primaries held)"
    return (f"| {s.mode} | {s.faults[0]} | {len(outcome.faults)} | {outcome.writes:,} | "
            f"{outcome.reads:,} | {len(outcome.errors)} | {lost} | {len(outcome.stale)} | "
            f"{outcome.longest_stall:.2f} s | {seconds:.0f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--faults", default=",".join(FAULTS))
    args = parser.parse_args()
    modes = args.modes.split(",")
    faults = args.faults.split(",")
    for name in modes + faults:
        if name not in MODES and name not in FAULTS:
            raise SystemExit(f"unknown mode or fault {name!r}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.rounds} rounds "
          "per row, 32 writers in flight")
    print("| replication | fault | faults | writes | reads | errors | lost | stale | "
          "longest stall | run |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for mode in modes:
        for fault in faults:
            scenario = Scenario(mode=mode, faults=(fault,), rounds=args.rounds)
            with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
                started = time.monotonic()
                outcome = asyncio.run(run(scenario, Path(tmp)))
            print(row(outcome, time.monotonic() - started), flush=True)


if __name__ == "__main__":
    main()
