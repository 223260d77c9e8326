"""`splicer validate` over the whole web.xml corpus in one command, as CI runs it.

Each run is a fresh process (interpreter start, schemas found and compiled once, every file
validated); the reference is the same interpreter importing the command line and exiting,
measured in the same run, so the ratio says what validating costs beyond starting up.

    python benchmarks/bench_validate.py [--corpus ../shared/corpus/webxml] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def seconds(command: list[str], rounds: int) -> float:
    """The median wall time of *command* over *rounds* runs (exit codes 0 and 1 are findings)."""
    times: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1, 3):
            raise SystemExit(f"{command[:4]}... exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "webxml")
    parser.add_argument("--schemas", type=Path, default=SHARED / "schemas")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.corpus.glob("*.xml"))
    if not files:
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    splicer = [sys.executable, "-m", "splicer", "validate"]
    contenders = [
        ("startup: python -m splicer --version (reference)", [sys.executable, "-m", "splicer", "--version"]),
        (f"validate {len(files)} files, --schemas {args.schemas.name}/", [*splicer, "--schemas", str(args.schemas), *files]),
        (f"validate {len(files)} files, schemas found by themselves", [*splicer, *files]),
    ]
    reference = None
    print("| contender | seconds | ratio |\n|---|---:|---:|")
    for label, command in contenders:
        took = seconds(command, args.rounds)
        reference = reference or took
        print(f"| {label} | {took:.2f} | {took / reference:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
