"""The descriptor the server deploys: <alt-dd>, a WAR listed twice, an EAR inside the EAR."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, Tree, application_xml, read_tree, write_dir, write_zip, zip_bytes
from archives.zipbuild import raw_records
from conftest import REPO
from splicer import splice
from splicer.archives import open_app
from splicer.cli.splice_cmd import splice as splice_cli
from splicer.errors import DescriptorError, Where
from splicer.server.deploy import deploy
from splicer.verify.appcheck import check_modules

PROPERTIES = REPO / "samples" / "splicer.properties"
FILTER_CLASS = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
ALT = "alt/Web-web.xml"
OWN_XML = WEB_25.replace("Shop", "Own descriptor")
ALT_XML = WEB_25.replace("Shop", "Alternate descriptor")


def _alt_ear(alt_xml: str = ALT_XML, own_xml: str = OWN_XML, alt_entry: str = ALT, alt_dd: str = ALT) -> Tree:
    return {
        "META-INF/application.xml": application_xml(("Web.war", "web", alt_dd)),
        "Web.war": {"WEB-INF/web.xml": own_xml, "index.jsp": "<html/>"},
        alt_entry: alt_xml,
    }


def test_zipped_alt_dd_is_spliced_and_the_wars_own_left_alone(tmp_path: Path) -> None:
    """Regression (issue 7): with an <alt-dd>, WebSphere deploys the module with that file,
    but splice edited the WAR's own web.xml, and said nothing."""
    ear = write_zip(tmp_path / "app.ear", _alt_ear())
    before = ear.read_bytes()
    report = splice(ear, PROPERTIES)
    (module,) = report.modules
    assert (module.name, str(module.where), module.changed) == ("Web", f"{ear}!/{ALT}", True)
    assert [(w.message_id, str(w.where)) for w in module.warnings] == [("CWWSM0506W", f"{ear}!/{ALT}")]
    after = read_tree(ear)
    assert FILTER_CLASS.encode() in after[ALT] and b"Alternate descriptor" in after[ALT]
    assert after["Web.war!/WEB-INF/web.xml"] == OWN_XML.encode()
    old, new = raw_records(before), raw_records(ear.read_bytes())
    assert {name for name in old if old[name] != new[name]} == {ALT}  # the WAR is copied raw
    assert splice(ear, PROPERTIES).changed is False


def test_exploded_alt_dd(tmp_path: Path) -> None:
    ear = write_dir(tmp_path / "app.ear", _alt_ear())
    (module,) = splice(ear, PROPERTIES).modules
    assert str(module.where) == f"{ear}!/{ALT}"
    assert FILTER_CLASS.encode() in (ear / ALT).read_bytes()
    assert (ear / "Web.war" / "WEB-INF" / "web.xml").read_text() == OWN_XML


@pytest.mark.parametrize(("alt_entry", "alt_dd"), [
    pytest.param("alt\\Web-web.xml", ALT, id="entry-with-windows-separator"),
    pytest.param(ALT, "./alt/Web-web.xml", id="alt-dd-with-dot-slash"),
])
def test_alt_dd_under_another_spelling(tmp_path: Path, alt_entry: str, alt_dd: str) -> None:
    ear = write_zip(tmp_path / "app.ear", _alt_ear(alt_entry=alt_entry, alt_dd=alt_dd))
    report = splice(ear, PROPERTIES)
    assert str(report.modules[0].where) == f"{ear}!/{alt_entry}"
    assert FILTER_CLASS.encode() in read_tree(ear)[alt_entry]
    assert zipfile.ZipFile(ear).namelist() == list(_alt_ear(alt_entry=alt_entry))


def test_missing_alt_dd_is_an_error(tmp_path: Path) -> None:
    tree = _alt_ear()
    del tree[ALT]
    ear = write_zip(tmp_path / "app.ear", tree)
    before = ear.read_bytes()
    with pytest.raises(DescriptorError, match=r"^CWWSM0301E: .*application\.xml:3: application\.xml gives the web "
                                              r"module 'Web\.war' the alternate descriptor \(<alt-dd>\) "
                                              r"'alt/Web-web\.xml', which the archive does not contain$") as err:
        splice(ear, PROPERTIES)
    assert (err.value.exit_code, err.value.where) == (3, Where((str(ear), "META-INF/application.xml"), 3))
    assert ear.read_bytes() == before


def _server_filters(ear: Path) -> list[list[str]]:
    with open_app(ear) as reader:
        return [[f.filter_class for f in source.descriptor.filters.values()] for source in deploy(reader)]


@pytest.mark.parametrize("exploded", [pytest.param(False, id="zipped"), pytest.param(True, id="exploded")])
def test_server_and_verify_deploy_the_spliced_alt_dd(tmp_path: Path, exploded: bool) -> None:
    """An EAR whose WAR's own web.xml is unspliced: once the alt-dd is spliced the emulated
    server deploys the filter, and verify's check finds it."""
    ear = (write_dir if exploded else write_zip)(tmp_path / "app.ear", _alt_ear())
    assert _server_filters(ear) == [[]]
    assert [m.has_filter for m in check_modules(ear)] == [False]
    splice(ear, PROPERTIES)
    assert _server_filters(ear) == [[FILTER_CLASS]]
    assert [m.has_filter for m in check_modules(ear)] == [True]


def test_unspliced_alt_dd_with_a_spliced_wars_own_is_not_spliced(tmp_path: Path) -> None:
    """The WAR's own web.xml has the filter, but WebSphere deploys the module with the
    unspliced alt-dd: verify must call the module not spliced, and the server must agree."""
    war = write_zip(tmp_path / "Web.war", {"WEB-INF/web.xml": OWN_XML})
    splice(war, PROPERTIES)
    spliced_own = read_tree(war)["WEB-INF/web.xml"].decode()
    ear = write_zip(tmp_path / "app.ear", _alt_ear(own_xml=spliced_own))
    assert [m.has_filter for m in check_modules(ear)] == [False]
    assert _server_filters(ear) == [[]]


def test_a_war_listed_twice_is_one_module(tmp_path: Path) -> None:
    """Regression (issue 7): an application.xml listing one WAR twice gave two module reports."""
    app_xml = application_xml(("Web.war", "web"), ("./Web.war", "other"))
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": app_xml, "Web.war": {"WEB-INF/web.xml": WEB_25}})
    report = splice(ear, PROPERTIES)
    assert [(m.name, m.context_root) for m in report.modules] == [("Web", "/web")]
    assert [(w.message_id, str(w.where)) for w in report.warnings] == [
        ("CWWSM0507W", f"{ear}!/META-INF/application.xml:4")]
    assert "first on line 3" in report.warnings[0].text
    assert FILTER_CLASS.encode() in read_tree(ear)["Web.war!/WEB-INF/web.xml"]


@pytest.mark.parametrize("exploded", [pytest.param(False, id="zipped"), pytest.param(True, id="exploded")])
def test_an_ear_inside_the_ear_is_named_and_not_looked_into(tmp_path: Path, exploded: bool) -> None:
    inner: Tree = {"META-INF/application.xml": application_xml(("In.war", "in")), "In.war": {"WEB-INF/web.xml": WEB_25}}
    tree: Tree = {"META-INF/application.xml": application_xml(("Web.war", "web")),
                  "Web.war": {"WEB-INF/web.xml": WEB_25}, "lib/Inner.ear": inner}
    if exploded:
        ear = write_dir(tmp_path / "app.ear", {k: v for k, v in tree.items() if k != "Web.war"})
        write_zip(ear / "Web.war", {"WEB-INF/web.xml": WEB_25})
    else:
        ear = write_zip(tmp_path / "app.ear", tree)
    report = splice(ear, PROPERTIES)
    assert [m.name for m in report.modules] == ["Web"]
    assert [(w.message_id, str(w.where)) for w in report.warnings] == [("CWWSM0508W", f"{ear}!/lib/Inner.ear")]
    if exploded:  # write_dir explodes every nested dict, the inner EAR too
        assert (ear / "lib" / "Inner.ear" / "In.war" / "WEB-INF" / "web.xml").read_text() == WEB_25
    else:
        assert zipfile.ZipFile(ear).read("lib/Inner.ear") == zip_bytes(inner)


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(splice_cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_on_an_alt_dd_ear(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", _alt_ear())
    before = ear.read_bytes()
    assert _cli(str(ear), str(PROPERTIES), "--check", "-q")[0] == 1
    code, out, err = _cli(str(ear), str(PROPERTIES), "--diff", "--dry-run")
    assert code == 0 and out.startswith(f"--- a/{ear}!/{ALT}\n+++ b/{ear}!/{ALT}\n")
    assert f"CWWSM0506W: {ear}!/{ALT}: application.xml gives the module Web this alternate descriptor" in err
    code, stdout, _ = _cli(str(ear), str(PROPERTIES), "--json", "-o", str(tmp_path / "out.ear"))
    report = json.loads(stdout)
    assert (code, report["modules"][0]["descriptor"], [w["id"] for w in report["warnings"]]) == (
        0, f"{ear}!/{ALT}", ["CWWSM0506W"])
    assert ear.read_bytes() == before
    written = read_tree(tmp_path / "out.ear")
    assert FILTER_CLASS.encode() in written[ALT] and written["Web.war!/WEB-INF/web.xml"] == OWN_XML.encode()
