"""splice on entry names as other tools write them: Windows separators, ./, mixed spellings, case."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, Tree, application_xml, read_tree, write_dir, write_zip
from archives.zipbuild import raw_records
from conftest import REPO
from splicer import splice
from splicer.cli.splice_cmd import splice as splice_cli
from splicer.errors import ArchiveError, Where

PROPERTIES = REPO / "samples" / "splicer.properties"
CLASS = b"\xca\xfe\xba\xbe" + bytes(range(256)) * 4


def _war(descriptor: str, **more: str | bytes) -> Tree:
    """A WAR as a Windows or shell tool writes it: its descriptor under *descriptor*."""
    return {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "WEB-INF\\classes\\App.class": CLASS,
            descriptor: WEB_25, "index.jsp": "<html/>", **more}


def _changed(before: bytes, after: bytes) -> set[str]:
    """Entries whose raw record (header, data, descriptor) is not copied byte for byte."""
    old, new = raw_records(before), raw_records(after)
    assert set(old) == set(new)
    return {name for name in old if old[name] != new[name]}


SPELLINGS = [
    pytest.param("WEB-INF\\web.xml", id="windows-separators"),
    pytest.param("./WEB-INF/web.xml", id="dot-slash"),
    pytest.param(".\\WEB-INF\\web.xml", id="dot-backslash"),
    pytest.param("WEB-INF//web.xml", id="double-slash"),
    pytest.param("web-inf/web.xml", id="case-variant"),
]


@pytest.mark.parametrize("name", SPELLINGS)
def test_descriptor_spelled_otherwise_is_spliced_where_it_is(tmp_path: Path, name: str) -> None:
    """Regression (issue 7): a WAR whose descriptor is `WEB-INF\\web.xml` or `./WEB-INF/web.xml`
    was given a second, near-empty WEB-INF/web.xml, which replaced the application's own once
    the WAR was expanded; its own descriptor was left unspliced."""
    tree = _war(name)
    war = write_zip(tmp_path / "shop.war", tree)
    before = war.read_bytes()
    report = splice(war, PROPERTIES)
    assert zipfile.ZipFile(war).namelist() == list(tree)  # no second descriptor
    assert b"HttpSessionFilter" in read_tree(war)[name]
    assert _changed(before, war.read_bytes()) == {name}
    (module,) = report.modules
    assert (str(module.where), module.created, module.changed) == (f"{war}!/{name}", False, True)
    assert [(w.message_id, str(w.where)) for w in module.warnings if w.message_id == "CWWSM0504W"] == [
        ("CWWSM0504W", f"{war}!/{name}")]
    assert splice(war, PROPERTIES).changed is False  # idempotent under its own name too


@pytest.mark.parametrize("name", SPELLINGS)
def test_spelled_descriptor_in_a_nested_war(tmp_path: Path, name: str) -> None:
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": application_xml(("Web.war", "web")),
                                          "Web.war": _war(name), "lib/x.jar": b"\x00jar"})
    before = ear.read_bytes()
    (module,) = splice(ear, PROPERTIES).modules
    assert str(module.where) == f"{ear}!/Web.war!/{name}"
    after = read_tree(ear)
    assert b"HttpSessionFilter" in after[f"Web.war!/{name}"]
    assert [n for n in after if n.startswith("Web.war!/")] == [f"Web.war!/{n}" for n in _war(name)]
    assert _changed(before, ear.read_bytes()) == {"Web.war"}


@pytest.mark.parametrize(("entry", "web_uri"), [
    pytest.param(".\\Web.war", "Web.war", id="windows-war-entry"),
    pytest.param("./Web.war", "Web.war", id="dot-slash-war-entry"),
    pytest.param("web\\Web.war", "web/Web.war", id="windows-subfolder"),
])
def test_war_entry_spelled_otherwise(tmp_path: Path, entry: str, web_uri: str) -> None:
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": application_xml((web_uri, "web")),
                                          entry: _war("WEB-INF/web.xml")})
    report = splice(ear, PROPERTIES)
    assert [(m.name, str(m.where)) for m in report.modules] == [("Web", f"{ear}!/{entry}!/WEB-INF/web.xml")]
    assert [(w.message_id, str(w.where)) for w in report.warnings] == [("CWWSM0504W", f"{ear}!/{entry}")]
    after = read_tree(ear)
    assert b"HttpSessionFilter" in after[f"{entry}!/WEB-INF/web.xml"]
    assert zipfile.ZipFile(ear).namelist() == ["META-INF/application.xml", entry]


def test_folder_module_in_a_zip_with_mixed_spellings(tmp_path: Path) -> None:
    """An exploded WAR inside a zipped EAR, written by a Windows tool: the change goes to the
    EAR's own entry, spelled as it is; no `Web.war/WEB-INF/web.xml` is added."""
    tree: Tree = {"./Web.war/index.jsp": "<html/>", "Web.war\\WEB-INF\\web.xml": WEB_25, "lib/x.jar": b"\x00"}
    ear = write_zip(tmp_path / "app.ear", tree)
    before = ear.read_bytes()
    (module,) = splice(ear, PROPERTIES).modules
    assert (module.name, str(module.where)) == ("Web", f"{ear}!/Web.war!/WEB-INF\\web.xml")
    assert zipfile.ZipFile(ear).namelist() == list(tree)
    assert b"HttpSessionFilter" in read_tree(ear)["Web.war\\WEB-INF\\web.xml"]
    assert _changed(before, ear.read_bytes()) == {"Web.war\\WEB-INF\\web.xml"}


def test_exploded_war_with_a_case_variant(tmp_path: Path) -> None:
    war = write_dir(tmp_path / "shop.war", {"web-inf/web.xml": WEB_25, "index.jsp": "x"})
    (module,) = splice(war, PROPERTIES).modules
    assert str(module.where) == f"{war}!/web-inf/web.xml"
    assert "CWWSM0504W" in [w.message_id for w in module.warnings]
    assert sorted(p.relative_to(war).as_posix() for p in war.rglob("*")) == ["index.jsp", "web-inf", "web-inf/web.xml"]
    assert b"HttpSessionFilter" in (war / "web-inf" / "web.xml").read_bytes()


CLASHES = [
    pytest.param("WEB-INF/web.xml", "WEB-INF\\web.xml", id="separator"),
    pytest.param("WEB-INF/web.xml", "web-inf/web.xml", id="case"),
    pytest.param("./WEB-INF/web.xml", "WEB-INF/web.xml", id="dot-slash"),
]


def _two(first: str, second: str) -> Tree:
    return _war(first, **{second: WEB_25.replace("Shop", "Second")})


@pytest.mark.parametrize("nested", [pytest.param(False, id="war"), pytest.param(True, id="war-in-ear")])
@pytest.mark.parametrize(("first", "second"), CLASHES)
def test_two_spellings_of_one_path_are_refused(tmp_path: Path, first: str, second: str, nested: bool) -> None:
    """Regression (issue 7): with the same path under two spellings, one was spliced and the
    other, which wins on extraction, was left alone."""
    war = _two(first, second)
    app = write_zip(tmp_path / "app.ear", {"Web.war": war}) if nested else write_zip(tmp_path / "shop.war", war)
    before = app.read_bytes()
    pattern = rf"^CWWSM0310E: .*: entries '{re.escape(first)}' and '{re.escape(second)}' are one file once deployed: "
    how = "on a case-insensitive file system \\(Windows, macOS\\)" if first.lower() == second.lower() else "once expanded"
    with pytest.raises(ArchiveError, match=pattern + rf"WEB-INF/web\.xml {how} \(.*--allow-name-clashes .*\)$") as err:
        splice(app, PROPERTIES)
    assert (err.value.exit_code, err.value.where) == (3, Where((str(app), "Web.war") if nested else (str(app),)))
    assert app.read_bytes() == before


@pytest.mark.parametrize(("first", "second"), CLASHES)
def test_allow_name_clashes_splices_the_entry_extraction_leaves(tmp_path: Path, first: str, second: str) -> None:
    war = write_zip(tmp_path / "shop.war", _two(first, second))
    before = war.read_bytes()
    report = splice(war, PROPERTIES, allow_name_clashes=True)
    after = read_tree(war)
    assert b"HttpSessionFilter" in after[second] and b"Second" in after[second]
    assert _changed(before, war.read_bytes()) == {second}  # the other one is copied raw
    assert [(w.message_id, str(w.where)) for w in report.warnings] == [("CWWSM0505W", f"{war}!/{second}")]
    assert str(report.modules[0].where) == f"{war}!/{second}"


def test_exploded_case_variants_are_refused_then_the_exact_one_spliced(tmp_path: Path) -> None:
    war = write_dir(tmp_path / "shop.war", {"WEB-INF/web.xml": WEB_25, "web-inf/web.xml": WEB_25})
    with pytest.raises(ArchiveError, match=r"entries 'WEB-INF/web.xml' and 'web-inf/web.xml' are one file") as err:
        splice(war, PROPERTIES)
    assert err.value.exit_code == 3
    assert (war / "WEB-INF" / "web.xml").read_text() == (war / "web-inf" / "web.xml").read_text() == WEB_25
    report = splice(war, PROPERTIES, allow_name_clashes=True)
    # Already extracted on a case-sensitive file system: the server opens WEB-INF/web.xml.
    assert str(report.modules[0].where) == f"{war}!/WEB-INF/web.xml"
    assert b"HttpSessionFilter" in (war / "WEB-INF" / "web.xml").read_bytes()
    assert (war / "web-inf" / "web.xml").read_text() == WEB_25


def test_clash_anywhere_in_the_war_is_refused(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "shop.war", _war("WEB-INF/web.xml", **{"img/Logo.png": b"a", "img\\logo.png": b"b"}))
    with pytest.raises(ArchiveError, match=r"entries 'img/Logo.png' and 'img\\logo.png' are one file"):
        splice(war, PROPERTIES)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(splice_cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def windows_war(tmp_path: Path) -> Path:
    return write_zip(tmp_path / "shop.war", _war("WEB-INF\\web.xml"))


def test_cli_check_dry_run_and_diff(windows_war: Path) -> None:
    before = windows_war.read_bytes()
    assert run(str(windows_war), str(PROPERTIES), "--check", "-q")[0] == 1
    code, out, err = run(str(windows_war), str(PROPERTIES), "--diff", "--dry-run")
    assert code == 0
    assert out.startswith(f"--- a/{windows_war}!/WEB-INF\\web.xml\n+++ b/{windows_war}!/WEB-INF\\web.xml\n")
    assert f"CWWSM0504W: {windows_war}!/WEB-INF\\web.xml: the entry is spelled" in err
    assert windows_war.read_bytes() == before


def test_cli_json_and_output(windows_war: Path, tmp_path: Path) -> None:
    before = windows_war.read_bytes()
    out = tmp_path / "out.war"
    code, stdout, _ = run(str(windows_war), str(PROPERTIES), "--json", "-o", str(out))
    assert code == 0
    report = json.loads(stdout)
    (module,) = report["modules"]
    assert module["descriptor"] == f"{windows_war}!/WEB-INF\\web.xml"
    assert [(w["id"], w["where"]) for w in report["warnings"]] == [("CWWSM0504W", f"{windows_war}!/WEB-INF\\web.xml")]
    assert windows_war.read_bytes() == before
    assert zipfile.ZipFile(out).namelist() == list(_war("WEB-INF\\web.xml"))
    assert _changed(before, out.read_bytes()) == {"WEB-INF\\web.xml"}
    assert run(str(out), str(PROPERTIES), "--check", "-q")[0] == 0


def test_cli_clash_exits_3_with_a_json_error(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "shop.war", _two("WEB-INF/web.xml", "WEB-INF\\web.xml"))
    before = war.read_bytes()
    code, stdout, _ = run(str(war), str(PROPERTIES), "--json")
    assert code == 3
    error = json.loads(stdout)["error"]
    assert (error["id"], error["where"], error["exit_code"]) == ("CWWSM0310E", str(war), 3)
    assert error["reason"] == "entries 'WEB-INF/web.xml' and 'WEB-INF\\web.xml' are one file once deployed: WEB-INF/web.xml once expanded"
    code, _, err = run(str(war), str(PROPERTIES), "--allow-name-clashes")
    assert code == 0 and "CWWSM0505W" in err
    assert war.read_bytes() != before
