"""`splicer validate` over the real-world corpus in one command, as CI would run it.

Every file the official schemas accept (INDEX.tsv's offline check) validates with exit 0; the
schema-invalid ones fail naming the line of the element at fault; once with ../shared/schemas,
once with the Debian Tomcat jars found by themselves (where they hold the version).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import installed_schemas


def index(corpus: Path) -> dict[str, str]:
    """file -> the offline schema check INDEX.tsv records for it."""
    rows = (line.split("\t") for line in (corpus / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:])
    return {row[0]: row[-1] for row in rows}


def run_corpus(corpus: Path, *schema_args: str) -> tuple[int, dict[str, list[dict[str, object]]], dict[str, object]]:
    files = sorted(str(p) for p in corpus.glob("*.xml"))
    done = subprocess.run([sys.executable, "-m", "splicer", "validate", "--json", *schema_args, *files],
                          capture_output=True, text=True, timeout=120, check=False)
    doc = json.loads(done.stdout)
    by_file: dict[str, list[dict[str, object]]] = defaultdict(list)
    for finding in doc["findings"]:
        by_file[Path(str(finding["location"])).name].append(finding)
    return done.returncode, by_file, doc


def check_against_index(corpus: Path, by_file: dict[str, list[dict[str, object]]],
                        unchecked: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    for name, status in index(corpus).items():
        found = by_file.get(name, [])
        codes = {str(f["code"]) for f in found}
        errors = [f for f in found if f["severity"] == "error"]
        if name in unchecked:
            continue
        if status.startswith("valid"):
            assert errors == [], name
        elif status.startswith("INVALID"):
            wx101 = [f for f in errors if f["code"] == "WX101"]
            assert wx101, name
            lines = (corpus / name).read_text(encoding="latin-1").splitlines()
            for f in wx101:
                # The line named holds the start tag of the element the message names.
                element = re.search(r"<([\w-]+)>|Element '([\w-]+)'|element ([\w-]+)", str(f["message"]))
                assert element, f
                tag = next(g for g in element.groups() if g)
                assert f"<{tag}" in lines[int(str(f["line"])) - 1], (name, f)
        elif status.startswith("not well-formed"):
            assert codes == {"WX002"}, name
        elif status.startswith("no schema"):
            assert codes & {"WX104", "WX105"}, name


def test_corpus_with_the_shared_schemas(corpus_dir: Path, schemas_dir: Path) -> None:
    code, by_file, doc = run_corpus(corpus_dir, "--schemas", str(schemas_dir))
    assert code == 3  # the one malformed file is unreadable input
    assert doc["schemas"] == [str(schemas_dir)]
    assert not any(f["code"] in ("WX102", "WX103") for found in by_file.values() for f in found)
    check_against_index(corpus_dir, by_file)
    # Each valid file alone exits 0; each schema-invalid one exits 1.
    statuses = index(corpus_dir)
    for name in ("tomcat__test-webapp-fragments.xml", "dspace__6_x-solr.xml", "wicket__wicket-examples.xml"):
        alone = subprocess.run([sys.executable, "-m", "splicer", "validate", "--schemas", str(schemas_dir),
                                str(corpus_dir / name)], capture_output=True, timeout=60, check=False)
        assert alone.returncode == (0 if statuses[name].startswith("valid") else 1), name


def test_corpus_with_the_tomcat_jars_found_by_themselves(corpus_dir: Path) -> None:
    catalog = installed_schemas()
    if not catalog.sources:
        pytest.skip("no Tomcat servlet-api jar here (apt-get install libtomcat10-java libtomcat9-java)")
    code, by_file, doc = run_corpus(corpus_dir)
    assert code == 3
    assert doc["schemas"] == catalog.describe()
    missing = {name: f for name, found in by_file.items() for f in found if f["code"] == "WX102"}
    # One warning per version the jars lack, not one per file.
    messages = [str(f["message"]) for f in missing.values()]
    assert len(messages) == len(set(m.split(" among")[0] for m in messages))
    versions_lacking = {re.search(r"\((\S+\.xsd)\)", m).group(1) for m in messages}  # type: ignore[union-attr]
    assert all(not catalog.has(name) for name in versions_lacking)
    descriptors = {Path(str(d["location"])).name: d for d in doc["descriptors"]}  # type: ignore[union-attr]
    unchecked = {name for name, d in descriptors.items() if d["schema"] is None}
    check_against_index(corpus_dir, by_file, unchecked)
    # The files the jars cover were all checked by a schema.
    assert len(unchecked) < len(descriptors) // 3
