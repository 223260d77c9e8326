"""Time splice against a plain zipfile rewrite and the unzip/zip pipeline, in one run.

    python benchmarks/bench_splice.py [--ear PATH] [--workdir DIR]

Without --ear the EAR of make_ear.py (seed 2013, about 80 MB) is generated into
benchmarks/out/ once.  Each contender runs in its own child process, so its peak memory
(ru_maxrss, children included for the pipeline) is its own:

- splice: ``splicer.splice(app, properties, output=...)`` (reads, plans, edits, rewrites);
- zipfile: read every entry and write every entry again, nested WARs too, web.xml replaced;
- unzip/zip: unzip the EAR, unzip each WAR, edit web.xml, zip each WAR, zip the EAR.

The two references write the web.xml that splice wrote (taken from splice's output), so
all three do the same job.  Ratios are reference time / splice time.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROPERTIES = """\
objectGridType=REMOTE
objectGridName=session
catalogHostPort=cat1.example.com:2809,cat2.example.com:2809
replicationInterval=10
sessionTableSize=1000
fragmentedSession=true
"""
WEB_XML = "WEB-INF/web.xml"


def run_splice(ear: Path, work: Path) -> None:
    from splicer import splice

    splice(ear, work / "splicer.properties", output=work / "splice.ear")


def _descriptors(work: Path) -> dict[str, bytes]:
    """web.xml of each WAR as splice wrote it: what the references must write too."""
    with zipfile.ZipFile(work / "splice.ear") as ear:
        wars = [n for n in ear.namelist() if n.endswith(".war")]
        return {n: zipfile.ZipFile(ear.open(n)).read(WEB_XML) for n in wars}


def run_zipfile(ear: Path, work: Path) -> None:
    descriptors = _descriptors(work)
    with zipfile.ZipFile(ear) as src, zipfile.ZipFile(work / "zipfile.ear", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in descriptors:
                # What a plain script does: the WAR in memory, every entry read and written.
                inner_out = io.BytesIO()
                with zipfile.ZipFile(io.BytesIO(data)) as war, zipfile.ZipFile(inner_out, "w") as new:
                    for item in war.infolist():
                        body = descriptors[info.filename] if item.filename == WEB_XML else war.read(item)
                        new.writestr(item, body)
                data = inner_out.getvalue()
            dst.writestr(info, data)
        dst.comment = src.comment


def run_pipeline(ear: Path, work: Path) -> None:
    descriptors = _descriptors(work)
    tree = work / "pipeline"
    subprocess.run(["unzip", "-q", str(ear), "-d", str(tree)], check=True)
    for war, web_xml in descriptors.items():
        exploded = tree / (war + ".d")
        subprocess.run(["unzip", "-q", str(tree / war), "-d", str(exploded)], check=True)
        (exploded / WEB_XML).write_bytes(web_xml)
        (tree / war).unlink()
        subprocess.run(["zip", "-q", "-r", "-X", str(tree / war), "."], cwd=exploded, check=True)
        shutil.rmtree(exploded)
    subprocess.run(["zip", "-q", "-r", "-X", str(work / "pipeline.ear"), "."], cwd=tree, check=True)


CONTENDERS = {"splice": run_splice, "zipfile": run_zipfile, "unzip/zip": run_pipeline}


def child(name: str, ear: Path, work: Path) -> None:
    """Run one contender and print its time and peak memory as JSON."""
    start = time.perf_counter()
    CONTENDERS[name](ear, work)
    seconds = time.perf_counter() - start
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))


def measure(name: str, ear: Path, work: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", name, "--ear", str(ear), "--workdir", str(work)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def check_outputs(work: Path) -> None:
    """Every output holds the same entries and the same spliced descriptors."""
    spliced = _descriptors(work)
    for name in ("zipfile.ear", "pipeline.ear"):
        with zipfile.ZipFile(work / name) as zf:
            assert zf.testzip() is None
            for war, web_xml in spliced.items():
                assert zipfile.ZipFile(zf.open(war)).read(WEB_XML) == web_xml, (name, war)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ear", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--child", choices=sorted(CONTENDERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.ear, args.workdir)
        return
    ear = args.ear
    if ear is None:
        ear = HERE / "out" / "bench.ear"
        if not ear.exists():
            sys.path.insert(0, str(HERE))
            from make_ear import make_ear

            ear.parent.mkdir(exist_ok=True)
            make_ear(ear)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        work = Path(folder)
        (work / "splicer.properties").write_text(PROPERTIES)
        results = {name: measure(name, ear, work) for name in CONTENDERS}  # splice first: the others need its web.xml
        check_outputs(work)
        base = results["splice"]["seconds"]
        print(f"input: {ear} ({ear.stat().st_size / 1e6:.1f} MB)")
        print(f"{'contender':<10} {'seconds':>8} {'peak MiB':>9} {'ratio':>6}  output MB")
        for name, result in results.items():
            out = {"splice": "splice.ear", "zipfile": "zipfile.ear", "unzip/zip": "pipeline.ear"}[name]
            print(f"{name:<10} {result['seconds']:>8.2f} {result['peak_mib']:>9.1f} {result['seconds'] / base:>6.2f}"
                  f"  {(work / out).stat().st_size / 1e6:.1f}")
        print("ratio = contender time / splice time (higher: splice is faster)")


if __name__ == "__main__":
    main()
