"""Record what splicing gives today over the corpus and the sample: tests/data/profiles/wxs-outputs.json.

The wxs profile must splice byte for byte as the engine did before profiles were data; this
file is that engine's record, and tests/test_profile_wxs.py recomputes every line of it.
Run it only to record a deliberate change of the wxs output:

    .venv/bin/python scripts/record_splice_outputs.py [--check]
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from splicer.errors import SplicerError, Where
from splicer.properties import load_properties
from splicer.webxml import splice_webxml
from splicer.webxml.unsplice import unsplice_webxml

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "webxml"
SAMPLE = REPO / "samples" / "MySessionTest" / "MySessionTestWeb" / "WEB-INF" / "web.xml"
RECORD = REPO / "tests" / "data" / "profiles" / "wxs-outputs.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inputs() -> list[tuple[str, bytes]]:
    """(name, bytes) of every corpus web.xml and the sample's, in a stable order."""
    found = [(f"corpus/{path.name}", path.read_bytes()) for path in sorted(CORPUS.glob("*.xml"))]
    return found + [("sample/web.xml", SAMPLE.read_bytes())]


def param_sets() -> dict[str, list[tuple[str, str]]]:
    return {"none": [], "sample": load_properties(REPO / "samples" / "splicer.properties").pairs()}


def outcome(data: bytes, params: list[tuple[str, str]], splice=splice_webxml, unsplice=unsplice_webxml) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What splicing *data* with *params* gives: output hash, actions, warnings, and unsplice's hash."""
    where = Where(("web.xml",))
    try:
        result = splice(data, params, where)
    except SplicerError as exc:
        return {"error": exc.message_id, "reason": exc.reason}
    back = unsplice(result.output, None, where)
    return {
        "output": _sha(result.output),
        "changed": result.changed,
        "actions": result.actions,
        "warnings": [warning.message_id for warning in result.warnings],
        "unspliced": _sha(back.output),
    }


def record() -> dict[str, dict[str, object]]:
    sets = param_sets()
    return {f"{name} [{label}]": outcome(data, params)
            for name, data in inputs() for label, params in sets.items()}


def main() -> int:
    now = record()
    if "--check" in sys.argv:
        before = json.loads(RECORD.read_text("utf-8"))
        differ = sorted(key for key in before.keys() | now.keys() if before.get(key) != now.get(key))
        print("\n".join(differ) or f"all {len(now)} outcomes as recorded")
        return 1 if differ else 0
    RECORD.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"{len(now)} outcomes written to {RECORD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
