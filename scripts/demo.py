"""`make demo`: splice the bundled sample into build/, show what changed, then verify it.

The committed sample is never touched: the spliced copy goes to build/MySessionTest.ear.
The verify step starts the emulated cluster (catalog, two containers, two servers, the
plug-in) and runs the tutorial's failover and fail-back test on the spliced copy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "MySessionTest.ear"
PROPERTIES = REPO / "samples" / "splicer.properties"
BUILD = REPO / "build"


def run(*args: str) -> int:
    print(f"$ splicer {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, "-m", "splicer", *args], cwd=REPO, check=False).returncode


def main() -> int:
    BUILD.mkdir(exist_ok=True)
    spliced = BUILD / "MySessionTest.ear"
    rel = lambda p: str(p.relative_to(REPO))  # noqa: E731 - printing paths relative to the repo
    # --diff only shows what would change (it never writes); -o then writes the spliced copy.
    code = run("splice", rel(SAMPLE), rel(PROPERTIES), "--diff") or run(
        "splice", rel(SAMPLE), rel(PROPERTIES), "-o", rel(spliced), "-q")
    if code != 0:
        return code
    print(flush=True)
    # A second run proves idempotence: nothing left to do, exit 0 from --check.
    code = run("splice", rel(spliced), rel(PROPERTIES), "--check", "-q")
    if code != 0:
        return code
    print(flush=True)
    report = BUILD / "verify-report.html"
    code = run("verify", rel(spliced), "--report", rel(report))
    if code == 0:
        print(f"\nThe sessions survived. Report: {rel(report)}")
    return code


if __name__ == "__main__":
    sys.exit(main())
