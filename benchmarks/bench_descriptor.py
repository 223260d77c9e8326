"""Splice time against descriptor size: it must grow linearly (issue 7), up to 10 MB.

    python benchmarks/bench_descriptor.py [--sizes 0.1,1,3,10] [--rounds 3] [--src DIR]

Each size is a WAR holding a web.xml as JSP precompilation (Jasper's JspC) writes it: one
servlet and one servlet-mapping per page, thousands of them.  ``splicer.splice`` runs on
it in full (read the WAR, plan, edit the descriptor, write a new WAR); the reference, in
the same run, is lxml parsing the same descriptor once, the least any XML-aware tool pays.
The best of --rounds is kept.  Seconds per MB stay flat when the time is linear; the last
line divides the largest size's seconds per MB by the smallest's (quadratic time would
make it about the ratio of the sizes, 100 for 0.1 and 10 MB).  --src measures another
checkout's code, e.g. the one before the fix::

    git archive 3684659 src | tar -x -C /tmp/before
    python benchmarks/bench_descriptor.py --src /tmp/before/src --rounds 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROPERTIES = "objectGridName=session\nobjectGridType=REMOTE\nreplicationInterval=10\n"


def make_webxml(size: int) -> bytes:
    """A generated Servlet 3.1 descriptor of about *size* bytes (LF line breaks)."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">\n'
        "    <display-name>Generated</display-name>\n"
    )
    parts, total, page = [head], len(head), 0
    while total < size:
        jsp = f"org.apache.jsp.WEB_002dINF.pages.page{page}_jsp"
        pair = (
            f"    <servlet>\n        <servlet-name>{jsp}</servlet-name>\n"
            f"        <servlet-class>{jsp}</servlet-class>\n    </servlet>\n"
            f"    <servlet-mapping>\n        <servlet-name>{jsp}</servlet-name>\n"
            f"        <url-pattern>/WEB-INF/pages/page{page}.jsp</url-pattern>\n    </servlet-mapping>\n"
        )
        parts.append(pair)
        total += len(pair)
        page += 1
    parts.append("</web-app>\n")
    return "".join(parts).encode()


def make_war(path: Path, descriptor: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as war:
        war.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        war.writestr("WEB-INF/web.xml", descriptor)
        war.writestr("index.jsp", "<html><body>shop</body></html>\n")


def best_of(rounds: int, job: object) -> float:
    assert callable(job)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(work: Path, megabytes: float, rounds: int) -> tuple[int, float, float]:
    from lxml import etree

    from splicer import splice

    descriptor = make_webxml(int(megabytes * 1_000_000))
    war = work / f"shop-{megabytes}.war"
    make_war(war, descriptor)
    out = work / f"spliced-{megabytes}.war"
    properties = work / "splicer.properties"
    seconds = best_of(rounds, lambda: splice(war, properties, output=out))
    with zipfile.ZipFile(out) as spliced:
        assert b"<filter-name>HttpSessionFilter</filter-name>" in spliced.read("WEB-INF/web.xml")
    parse = best_of(rounds, lambda: etree.fromstring(descriptor))
    return len(descriptor), seconds, parse


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="0.1,1,3,10", help="descriptor sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the splicer package's parent folder")
    args = parser.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    sizes = [float(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "splicer.properties").write_text(PROPERTIES)
        import splicer

        print(f"splicer: {Path(splicer.__file__).parent}")
        splice_s = {}
        print(f"{'MB':>6} {'splice s':>9} {'s per MB':>9} {'lxml parse s':>13} {'splice/parse':>13}")
        for megabytes in sizes:
            size, seconds, parse = measure(work, megabytes, args.rounds)
            per_mb = seconds / (size / 1e6)
            splice_s[megabytes] = per_mb
            print(f"{size / 1e6:>6.2f} {seconds:>9.3f} {per_mb:>9.3f} {parse:>13.3f} {seconds / parse:>13.1f}")
        # The smallest size also pays a run's fixed costs (settings, opening and writing the
        # WAR), which flatter the ratio; the next size up shows the growth alone.
        last = sizes[-1]
        for first in sizes[:2] if len(sizes) > 2 else sizes[:1]:
            print(f"s per MB at {last:g} MB / s per MB at {first:g} MB = {splice_s[last] / splice_s[first]:.2f}"
                  f" (linear: about 1; quadratic: up to {last / first:g})")


if __name__ == "__main__":
    main()
