"""Every real web.xml of ../shared/corpus, wrapped in a WAR, through the whole splice."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from appbuild import write_zip
from conftest import REPO, SHARED
from splicer import splice
from splicer.errors import DescriptorError
from splicer.webxml import validate_webxml

PROPERTIES = REPO / "samples" / "splicer.properties"
CORPUS = SHARED / "corpus" / "webxml"
MALFORMED = "glassfish__MALFORMED-cmp-cascadeDelete.xml"


def _corpus_rows() -> list[dict[str, str]]:
    index = CORPUS / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["root_element"] == "web-app"]


ROWS = _corpus_rows()
REFUSED = {row["file"] for row in ROWS if row["declared_servlet_version"] == "2.2"} | {MALFORMED}


def _war_of(tmp_path: Path, name: str) -> Path:
    return write_zip(
        tmp_path / f"{Path(name).stem}.war",
        {
            "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n\r\n",
            "WEB-INF/web.xml": (CORPUS / name).read_bytes(),
            "index.jsp": "<html>hello</html>\n" * 50,
        },
    )


def _entries(path: Path) -> dict[str, tuple[int, tuple[int, ...], bytes]]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: (i.compress_type, i.date_time, archive.read(i.filename)) for i in archive.infolist()}


def test_corpus_is_present(corpus_dir: Path) -> None:
    assert len(ROWS) == 62, "the corpus should hold 62 web-app descriptors"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_exit_3(name: str, tmp_path: Path, corpus_dir: Path) -> None:
    war = _war_of(tmp_path, name)
    before = war.read_bytes()
    with pytest.raises(DescriptorError) as info:
        splice(war, PROPERTIES)
    assert info.value.exit_code == 3
    assert info.value.where.parts == (str(war), "WEB-INF/web.xml")
    assert war.read_bytes() == before


@pytest.mark.parametrize("name", sorted(row["file"] for row in ROWS if row["file"] not in REFUSED))
def test_splices_validly_and_idempotently(name: str, tmp_path: Path, corpus_dir: Path, schemas_dir: Path) -> None:
    war = _war_of(tmp_path, name)
    original = (CORPUS / name).read_bytes()
    out = tmp_path / "out.war"
    report = splice(war, PROPERTIES, output=out)
    assert report.changed
    before, after = _entries(war), _entries(out)
    assert list(before) == list(after)
    spliced = after["WEB-INF/web.xml"][2]
    # Untouched entries are the same; the descriptor keeps its method and time.
    assert {k: v for k, v in before.items() if k != "WEB-INF/web.xml"} == {k: v for k, v in after.items() if k != "WEB-INF/web.xml"}
    assert after["WEB-INF/web.xml"][:2] == before["WEB-INF/web.xml"][:2]
    # Only insertions: the original is a subsequence of the result, in order.
    remaining = iter(spliced)
    assert all(byte in remaining for byte in original), "an original byte was lost"
    if validate_webxml(original, schemas_dir) == []:
        assert validate_webxml(spliced, schemas_dir) == []
    # A second splice changes no byte.
    again = tmp_path / "again.war"
    second = splice(out, PROPERTIES, output=again)
    assert not second.changed
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip is not installed")
@pytest.mark.parametrize("name", ["tomcat__conf-web.xml", "spring-petclinic__web-2016.xml", "struts1__blank.xml"])
def test_unzip_and_jar_accept_the_output(name: str, tmp_path: Path, corpus_dir: Path) -> None:
    out = tmp_path / "out.war"
    splice(_war_of(tmp_path, name), PROPERTIES, output=out)
    assert subprocess.run(["unzip", "-tq", str(out)], capture_output=True, check=False).returncode == 0
    if shutil.which("jar"):
        listing = subprocess.run(["jar", "tf", str(out)], capture_output=True, text=True, check=True).stdout
        assert "WEB-INF/web.xml" in listing.splitlines()
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
