"""Time `splicer verify` on the spliced sample, against starting one splicer process.

    python benchmarks/bench_verify.py [--rounds 5]

Each round runs the whole scenario (catalog, two containers, two servers, the plug-in; the
seven steps; every process stopped) as a user runs it, in a fresh ``splicer verify``; the
reference is ``python -m splicer --version`` (one process of the same interpreter starting),
interleaved with it.  Every round must pass all seven steps.  Medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "MySessionTest.ear"
PROPERTIES = REPO / "samples" / "splicer.properties"


def timed(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        spliced = Path(folder) / "MySessionTest.ear"
        subprocess.run([sys.executable, "-m", "splicer", "splice", str(SAMPLE), str(PROPERTIES), "-o", str(spliced),
                        "-q"], check=True)
        verify, reference, reported = [], [], []
        for _ in range(args.rounds):
            seconds, done = timed([sys.executable, "-m", "splicer", "verify", str(spliced), "--json"])
            report = json.loads(done.stdout)
            steps = report["steps"]
            if done.returncode != 0 or len(steps) != 7 or any(s["verdict"] not in ("pass", "warn") for s in steps):
                raise SystemExit(f"verify did not run all seven steps well (exit {done.returncode}):\n{done.stdout}")
            verify.append(seconds)
            reported.append(report["duration_s"])
            reference.append(timed([sys.executable, "-m", "splicer", "--version"])[0])
    base = statistics.median(reference)
    print("| contender | median s | ratio |\n|---|---:|---:|")
    print(f"| python -m splicer --version (reference) | {base:.2f} | 1.00 |")
    print(f"| splicer verify, spliced sample, 7 steps (wall) | {statistics.median(verify):.2f} | "
          f"{statistics.median(verify) / base:.1f} |")
    print(f"| the same, as the report times it | {statistics.median(reported):.2f} | "
          f"{statistics.median(reported) / base:.1f} |")
    print(f"rounds {args.rounds}: " + ", ".join(f"{s:.2f}" for s in verify) + " s")


if __name__ == "__main__":
    main()
