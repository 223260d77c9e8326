"""Reading: names, bounded reads, nested WARs (zipped, stored, folders), directories, refusals."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.archives import Limits, open_app
from splicer.errors import ArchiveError, UsageError, Where

from .zipbuild import APP_XML, WEB_XML, E, ear_entries, make_zip, war_entries

WriteFile = Callable[[str, bytes], Path]


@pytest.mark.parametrize("war_method", [
    pytest.param(zipfile.ZIP_DEFLATED, id="deflated-war-spooled"),
    pytest.param(zipfile.ZIP_STORED, id="stored-war-read-in-place"),
])
@pytest.mark.parametrize("descriptors", [pytest.param(False, id="sizes-in-header"), pytest.param(True, id="data-descriptors")])
def test_nested_war_in_zipped_ear(write_file: WriteFile, war_method: int, descriptors: bool) -> None:
    war = make_zip(war_entries(), descriptors=descriptors)
    ear = write_file("app.ear", make_zip(ear_entries(war, war_method), descriptors=descriptors))
    with open_app(ear) as reader:
        assert not reader.is_dir
        assert reader.where == Where((str(ear),))
        assert reader.names() == ["META-INF/MANIFEST.MF", "META-INF/application.xml", "Web.war", "lib/util.jar"]
        assert reader.read("META-INF/application.xml") == APP_XML
        with reader.nested("Web.war") as inner:
            assert inner.where == Where((str(ear), "Web.war"))
            assert inner.names()[:3] == ["META-INF/", "META-INF/MANIFEST.MF", "WEB-INF/"]
            assert inner.has("WEB-INF/web.xml") and not inner.has("WEB-INF/missing.xml")
            assert inner.read("WEB-INF/web.xml") == WEB_XML


def test_folder_module_inside_a_zip(write_file: WriteFile) -> None:
    # An EAR whose WAR is not an archive but plain entries: Web.war/WEB-INF/web.xml.
    ear = write_file("app.ear", make_zip({"META-INF/MANIFEST.MF": b"M", "Web.war/index.jsp": b"i",
                                          "Web.war/WEB-INF/web.xml": WEB_XML}))
    with open_app(ear) as reader, reader.nested("Web.war") as inner:
        assert inner.is_dir
        assert inner.where == Where((str(ear), "Web.war"))
        assert inner.names() == ["index.jsp", "WEB-INF/web.xml"]
        assert inner.read("WEB-INF/web.xml") == WEB_XML


def test_directory_ear_with_zipped_and_exploded_wars(tmp_path: Path) -> None:
    root = tmp_path / "app.ear"
    (root / "Exploded.war" / "WEB-INF").mkdir(parents=True)
    (root / "Exploded.war" / "WEB-INF" / "web.xml").write_bytes(WEB_XML)
    (root / "Zipped.war").write_bytes(make_zip(war_entries()))
    with open_app(root) as reader:
        assert reader.is_dir
        assert reader.names() == ["Exploded.war/", "Exploded.war/WEB-INF/", "Exploded.war/WEB-INF/web.xml", "Zipped.war"]
        with reader.nested("Exploded.war") as exploded, reader.nested("Zipped.war") as zipped:
            assert exploded.is_dir and not zipped.is_dir
            assert exploded.read("WEB-INF/web.xml") == zipped.read("WEB-INF/web.xml") == WEB_XML
            assert zipped.where == Where((str(root), "Zipped.war"))


def test_directory_read_stays_inside_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "web.xml").write_bytes(b"secret")
    root = tmp_path / "app"
    root.mkdir()
    (root / "WEB-INF").symlink_to(outside)
    with open_app(root) as reader, pytest.raises(ArchiveError, match=r"^CWWSM0310E: .*WEB-INF/web.xml: path leads out") as err:
        reader.read("WEB-INF/web.xml")
    assert err.value.where == Where((str(root), "WEB-INF/web.xml"))


@pytest.mark.parametrize(("names", "expected"), [
    pytest.param(["META-INF/MANIFEST.MF"], [], id="unsigned"),
    pytest.param(["META-INF/A.SF"], [], id="sf-without-block"),
    pytest.param(["META-INF/A.SF", "META-INF/A.RSA"], ["META-INF/A.RSA", "META-INF/A.SF"], id="rsa"),
    pytest.param(["META-INF/k.sf", "META-INF/k.EC", "META-INF/o.DSA"], ["META-INF/k.EC", "META-INF/k.sf"], id="ec-mixed-case"),
    pytest.param(["WEB-INF/A.SF", "WEB-INF/A.RSA"], [], id="not-in-meta-inf"),
])
def test_signature_files(write_file: WriteFile, names: list[str], expected: list[str]) -> None:
    archive = write_file("signed.war", make_zip({name: b"x" for name in names}))
    with open_app(archive) as reader:
        assert reader.signature_files() == expected


def test_read_limits_are_configurable(write_file: WriteFile) -> None:
    archive = write_file("w.war", make_zip({"WEB-INF/web.xml": WEB_XML}))
    with open_app(archive, Limits(max_read=10)) as reader, pytest.raises(ArchiveError, match=r"over the limit of 10$") as err:
        reader.read("WEB-INF/web.xml")
    assert err.value.where == Where((str(archive), "WEB-INF/web.xml"))


def test_unsupported_method_is_refused_only_when_read(write_file: WriteFile) -> None:
    archive = write_file("w.war", make_zip({"a.txt": E(b"a" * 100, zipfile.ZIP_BZIP2), "b.txt": b"b"}))
    with open_app(archive) as reader:
        assert reader.read("b.txt") == b"b"
        with pytest.raises(ArchiveError, match=r"compression method 12 is not supported$") as err:
            reader.read("a.txt")
    assert err.value.where == Where((str(archive), "a.txt"))


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^CWWSM0100E: .*missing.ear: cannot open application: No such file") as err:
        open_app(tmp_path / "missing.ear")
    assert err.value.exit_code == 2


def test_missing_nested_module(write_file: WriteFile) -> None:
    ear = write_file("app.ear", make_zip({"a.txt": b"a"}))
    with open_app(ear) as reader, pytest.raises(ArchiveError, match=r"Web.war: no such nested module$") as err:
        reader.nested("Web.war")
    assert err.value.where == Where((str(ear), "Web.war"))


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        pytest.param("W\u00e9b.war".encode(), "W\u00e9b.war", id="utf8-bytes-without-flag"),
        pytest.param(b"W\x82b.war", "W\u00e9b.war", id="cp437-bytes"),
    ],
)
def test_names_without_the_utf8_flag(write_file: WriteFile, raw: bytes, name: str) -> None:
    """Regression: Info-ZIP's zip writes a name's UTF-8 bytes without bit 11; they were read
    as code page 437 ('W\u251c\u2310b.war'), where java.util.zip and jar read 'W\u00e9b.war', so
    application.xml's module was "not contained"."""
    placeholder = b"W" + b"x" * (len(raw) - 6) + b"b.war"
    data = make_zip({placeholder.decode(): make_zip(war_entries())}).replace(placeholder, raw)
    ear = write_file("app.ear", data)
    with open_app(ear) as reader:
        assert reader.names() == [name]
        with reader.nested(name) as war:
            assert war.read("WEB-INF/web.xml") == WEB_XML
