"""What comparing entry names as deployed paths costs on a WAR of many entries.

A generated WAR of N entries (JSPs, classes, static files; its descriptor spelled
``WEB-INF/web.xml``, or ``WEB-INF\\web.xml`` with every name in Windows form) is read in
one process, best of a few rounds each:

- reference: ``zipfile.ZipFile(...).namelist()``, the cheapest listing Python has;
- open: ``open_app`` (the central directory read, every name checked, no duplicates);
- deployed index: every name resolved (``\\``, ``./``, ``//``, case) and the clashes found;
- plan: the whole ``splice --dry-run`` plan of the WAR (clash check, descriptor lookup, splice).

    python benchmarks/bench_names.py [--entries 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from splicer.archives import open_app
from splicer.plan import make_plan

WEB_XML = b'<?xml version="1.0"?>\n<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"/>\n'
PARAMS = [("objectGridName", "session"), ("replicationInterval", "10")]


def make_war(path: Path, entries: int, windows: bool) -> None:
    sep = "\\" if windows else "/"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as war:
        war.writestr(f"WEB-INF{sep}web.xml", WEB_XML)
        for i in range(entries - 1):
            folder = ("WEB-INF/classes/com/shop/p%d" % (i % 97), "jsp/section%d" % (i % 31), "static/img")[i % 3]
            war.writestr(f"{folder}/file{i}.{('class', 'jsp', 'png')[i % 3]}".replace("/", sep), b"x")


def best(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| WAR | contender | ms | ratio |\n|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for windows in (False, True):
            war = Path(folder) / ("windows.war" if windows else "plain.war")
            make_war(war, args.entries, windows)

            def index() -> None:
                with open_app(war) as reader:
                    reader.lookup("WEB-INF/web.xml")
                    reader.clashes()

            def plan() -> None:
                with open_app(war) as reader:
                    make_plan(reader, PARAMS)

            contenders: list[tuple[str, Callable[[], object]]] = [
                ("zipfile namelist (reference)", lambda: zipfile.ZipFile(war).namelist()),
                ("open_app", lambda: open_app(war).close()),
                ("open_app + deployed index + clashes", index),
                ("whole plan (splice --dry-run)", plan),
            ]
            reference = None
            label = f"{args.entries} entries, {'Windows' if windows else '/'} names"
            for name, action in contenders:
                took = best(action, args.rounds)
                reference = reference or took
                print(f"| {label} | {name} | {took * 1000:.1f} | {took / reference:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
