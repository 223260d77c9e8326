"""Build samples/MySessionTest.ear from its sources in samples/MySessionTest/, reproducibly.

The tutorial's test application: an EAR with META-INF/application.xml and one web module,
MySessionTestWeb (context root /MySessionTestWeb), holding SessionTest.jsp and an unspliced
Servlet 2.5 web.xml.  Every byte depends only on the sources: fixed timestamps, fixed order
(the manifest first), fixed attributes.  tests/test_sample.py rebuilds it and compares.

    python scripts/build_sample.py [OUT.ear]
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "samples" / "MySessionTest"
DEFAULT_OUT = REPO / "samples" / "MySessionTest.ear"
WEB_MODULE = "MySessionTestWeb"
# The moment of the tutorial's first screen (2013-07-31 11:59:38).
TIMESTAMP = (2013, 7, 31, 11, 59, 38)
MANIFEST = "META-INF/MANIFEST.MF"


def _ordered_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    manifest = folder / MANIFEST
    return ([manifest] if manifest in files else []) + [p for p in files if p != manifest]


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def build_war(folder: Path) -> bytes:
    return _zip([(p.relative_to(folder).as_posix(), p.read_bytes()) for p in _ordered_files(folder)])


def build_ear() -> bytes:
    module_dir = SOURCES / WEB_MODULE
    entries: list[tuple[str, bytes]] = []
    for path in _ordered_files(SOURCES):
        if module_dir in path.parents:
            continue
        entries.append((path.relative_to(SOURCES).as_posix(), path.read_bytes()))
    entries.append((f"{WEB_MODULE}.war", build_war(module_dir)))
    return _zip(entries)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.write_bytes(build_ear())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
