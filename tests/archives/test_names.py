"""Deployed paths: one spelling of every entry name, and the readers' lookups built on it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splicer.archives import open_app
from splicer.archives.names import clash_key, deployed_name, strip_segments
from splicer.archives.reading import check_name
from splicer.errors import ArchiveError, Where

from .zipbuild import WEB_XML, make_zip

WriteFile = Callable[[str, bytes], Path]


@pytest.mark.parametrize(("name", "path"), [
    pytest.param("WEB-INF/web.xml", "WEB-INF/web.xml", id="plain"),
    pytest.param("WEB-INF\\web.xml", "WEB-INF/web.xml", id="windows-separator"),
    pytest.param("./WEB-INF/web.xml", "WEB-INF/web.xml", id="dot-slash"),
    pytest.param(".\\WEB-INF\\web.xml", "WEB-INF/web.xml", id="dot-backslash"),
    pytest.param("WEB-INF//web.xml", "WEB-INF/web.xml", id="double-slash"),
    pytest.param("WEB-INF/./web.xml", "WEB-INF/web.xml", id="inner-dot"),
    pytest.param("/WEB-INF/web.xml", "WEB-INF/web.xml", id="leading-slash"),
    pytest.param("WEB-INF\\", "WEB-INF/", id="folder-keeps-its-slash"),
    pytest.param("./", "", id="only-dot"),
    pytest.param("a/../b", "a/../b", id="dot-dot-kept-for-check-name"),
    pytest.param("web-inf/Web.XML", "web-inf/Web.XML", id="case-kept"),
])
def test_deployed_name(name: str, path: str) -> None:
    assert deployed_name(name) == path


@pytest.mark.parametrize(("a", "b", "same"), [
    pytest.param("WEB-INF/web.xml", "web-inf/web.xml", True, id="case"),
    pytest.param("WEB-INF/web.xml", "WEB-INF\\web.xml", True, id="separator"),
    pytest.param("Caf\u00e9.war", "Cafe\u0301.war", True, id="nfc-nfd"),
    pytest.param("Stra\u00dfe.jsp", "STRASSE.jsp", False, id="no-full-case-folding"),
    pytest.param("WEB-INF/web.xml", "WEB-INF/web.xml/", False, id="file-and-folder"),
])
def test_clash_key(a: str, b: str, same: bool) -> None:
    assert (clash_key(a) == clash_key(b)) is same


@pytest.mark.parametrize(("name", "depth", "rest"), [
    pytest.param("Web.war/WEB-INF/web.xml", 1, "WEB-INF/web.xml", id="plain"),
    pytest.param("./Web.war\\WEB-INF\\web.xml", 1, "WEB-INF\\web.xml", id="rest-keeps-its-spelling"),
    pytest.param("web//Web.war/./index.jsp", 2, "index.jsp", id="two-deep"),
    pytest.param("Web.war/", 1, "", id="the-folder-itself"),
])
def test_strip_segments(name: str, depth: int, rest: str) -> None:
    assert strip_segments(name, depth) == rest


def test_lookup_finds_every_spelling_in_archive_order(write_file: WriteFile) -> None:
    war = write_file("w.war", make_zip({"WEB-INF\\web.xml": WEB_XML, "index.jsp": b"i", "./web-inf/WEB.xml": b"x"}))
    with open_app(war) as reader:
        assert reader.lookup("WEB-INF/web.xml") == ["WEB-INF\\web.xml", "./web-inf/WEB.xml"]
        assert reader.lookup("index.JSP") == ["index.jsp"]
        assert reader.lookup("missing.jsp") == []
        assert reader.clashes() == [["WEB-INF\\web.xml", "./web-inf/WEB.xml"]]
        # Extraction writes entries in archive order: the last one is the file left.
        assert reader.winner(reader.lookup("WEB-INF/web.xml"), "WEB-INF/web.xml")[0] == "./web-inf/WEB.xml"


def test_folder_entries_are_not_clashes(write_file: WriteFile) -> None:
    war = write_file("w.war", make_zip({"META-INF/": b"", "meta-inf/": b"", "WEB-INF/web.xml": WEB_XML}))
    with open_app(war) as reader:
        assert reader.clashes() == []


def test_nested_war_spelled_otherwise(write_file: WriteFile) -> None:
    ear = write_file("app.ear", make_zip({".\\Web.war": make_zip({"WEB-INF\\web.xml": WEB_XML})}))
    with open_app(ear) as reader, reader.nested("Web.war") as war:
        assert war.where == Where((str(ear), ".\\Web.war"))
        assert war.read("WEB-INF\\web.xml") == WEB_XML


def test_folder_module_with_mixed_spellings(write_file: WriteFile) -> None:
    """A folder module's entries keep their own spelling, and map back to the EAR's entries."""
    ear = write_file("app.ear", make_zip({"./Web.war/index.jsp": b"i", "Web.war\\WEB-INF\\web.xml": WEB_XML}))
    with open_app(ear) as reader, reader.nested("Web.war") as war:
        assert war.is_dir and war.names() == ["index.jsp", "WEB-INF\\web.xml"]
        assert war.lookup("WEB-INF/web.xml") == ["WEB-INF\\web.xml"]
        assert war.read("WEB-INF\\web.xml") == WEB_XML
        assert war.outer_name("WEB-INF\\web.xml") == "Web.war\\WEB-INF\\web.xml"


def test_signature_files_under_any_spelling(write_file: WriteFile) -> None:
    war = write_file("w.war", make_zip({"META-INF\\A.SF": b"s", "./META-INF/A.RSA": b"r", "WEB-INF/web.xml": WEB_XML}))
    with open_app(war) as reader:
        assert reader.signature_files() == ["./META-INF/A.RSA", "META-INF\\A.SF"]


def test_exploded_names_follow_links_inside_and_stop_at_loops(tmp_path: Path) -> None:
    root = tmp_path / "app.ear"
    (root / "build" / "Web.war" / "WEB-INF").mkdir(parents=True)
    (root / "build" / "Web.war" / "WEB-INF" / "web.xml").write_bytes(WEB_XML)
    (root / "Web.war").symlink_to("build/Web.war")
    (root / "build" / "Web.war" / "loop").symlink_to("..")
    (root / "outside").symlink_to(tmp_path)
    with open_app(root) as reader:
        names = reader.names()
    assert "Web.war/WEB-INF/web.xml" in names and "build/Web.war/WEB-INF/web.xml" in names
    assert "outside/" in names and not [n for n in names if n.startswith("outside/") and n != "outside/"]
    assert "Web.war/loop/" in names and "Web.war/loop/Web.war/" not in names


def test_exploded_case_variants_clash(tmp_path: Path) -> None:
    root = tmp_path / "shop.war"
    for folder in ("WEB-INF", "web-inf"):
        (root / folder).mkdir(parents=True)
        (root / folder / "web.xml").write_bytes(WEB_XML)
    with open_app(root) as reader:
        assert reader.clashes() == [["WEB-INF/web.xml", "web-inf/web.xml"]]
        # Already extracted: the server on this file system opens the exact path.
        assert reader.winner(["WEB-INF/web.xml", "web-inf/web.xml"], "WEB-INF/web.xml")[0] == "WEB-INF/web.xml"


def test_exploded_dangling_link_is_named(tmp_path: Path) -> None:
    root = tmp_path / "shop.war"
    (root / "WEB-INF").mkdir(parents=True)
    (root / "WEB-INF" / "web.xml").symlink_to("../conf/web.xml")
    with open_app(root) as reader:
        assert reader.lookup("WEB-INF/web.xml") == ["WEB-INF/web.xml"]
        with pytest.raises(ArchiveError, match=r"^CWWSM0310E: .*WEB-INF/web.xml: dangling symbolic link: it names "
                                               r"\.\./conf/web\.xml, which does not exist$") as err:
            reader.read("WEB-INF/web.xml")
    assert err.value.where == Where((str(root), "WEB-INF/web.xml"))


def test_exploded_link_of(tmp_path: Path) -> None:
    root = tmp_path / "shop.war"
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "web.xml").write_bytes(WEB_XML)
    (root / "WEB-INF").mkdir()
    (root / "WEB-INF" / "web.xml").symlink_to(os.path.join("..", "conf", "web.xml"))
    with open_app(root) as reader:
        assert reader.link_of("WEB-INF/web.xml") == "conf/web.xml"
        assert reader.link_of("conf/web.xml") is None


def _unsafe_by_pathlib(name: str) -> bool:
    """check_name as it was written with pathlib (a PureWindowsPath per entry, 1 s on 20,000)."""
    from pathlib import PureWindowsPath

    parts = name.replace("\\", "/").split("/")
    return bool(not name or "\x00" in name or name[0] in "/\\" or ".." in parts or PureWindowsPath(name).drive)


@given(st.text(alphabet="aZé1 :./\\\x00", max_size=8))
@settings(max_examples=3000, deadline=None)
def test_check_name_refuses_what_the_pathlib_check_refused(name: str) -> None:
    """The string-only check_name (issue 10) refuses exactly the names the pathlib one did."""
    try:
        check_name(name, Where())
        refused = False
    except ArchiveError:
        refused = True
    assert refused == _unsafe_by_pathlib(name)


@pytest.mark.parametrize("name", ["C:evil.txt", "c:/x", "z:\\x", "a/../b", "..\\x", "/abs", "\\abs", "\\\\srv\\share\\x", ""])
def test_check_name_refuses(name: str) -> None:
    with pytest.raises(ArchiveError, match="^.*unsafe entry name"):
        check_name(name, Where(("app.war",)))


@pytest.mark.parametrize("name", ["1:x", "é:x", "ab:c", "...", "a/.../b", "WEB-INF/web.xml", "a..b"])
def test_check_name_accepts(name: str) -> None:
    check_name(name, Where(("app.war",)))


NAME_CHARS = st.text(alphabet="aZ:./\\\x00\nÅé", max_size=6)


@given(st.lists(NAME_CHARS, max_size=6))
@settings(max_examples=2000, deadline=None)
def test_clash_keys_in_bulk_are_clash_key_of_each(names: list[str]) -> None:
    from splicer.archives.names import clash_keys

    assert clash_keys(names) == [clash_key(name) for name in names]


@given(st.lists(NAME_CHARS, max_size=6))
@settings(max_examples=2000, deadline=None)
def test_names_safe_in_bulk_are_safe_one_by_one(names: list[str]) -> None:
    """all_safe (issue 10: one scan for 20,000 names) never passes what check_name refuses."""
    from splicer.archives.reading import all_safe

    if all_safe(names):
        for name in names:
            check_name(name, Where())
    else:
        assert not names or any(_unsafe_by_pathlib(name) or ".." in name or "\n" in name for name in names)
