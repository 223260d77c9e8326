"""`splicer validate`: inputs (files, WARs, EARs, exploded), the finding format, exit codes, outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, application_xml, write_dir, write_zip
from conftest import require_schema
from splicer.cli import main
from splicer.validating import validate
from splicer.webxml.catalog import SchemaCatalog

LINE = re.compile(r"^(?P<loc>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning) (?P<code>WX\d{3}) (?P<msg>.+)$")
DTD_23 = ('<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" '
          '"http://java.sun.com/dtd/web-app_2_3.dtd">\n')
VALID_30 = '<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0">\n  <display-name>ok</display-name>\n</web-app>\n'
BOGUS_30 = '<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0">\n  <display-name>x</display-name>\n    <bogus/>\n</web-app>\n'
SLASH_STAR = '<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0">\n  <filter-mapping><filter-name>f</filter-name><url-pattern>/a*</url-pattern></filter-mapping>\n</web-app>\n'


@pytest.fixture(scope="module")
def schemas_path(schemas: SchemaCatalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schemas of the session's catalog as a folder, for --schemas."""
    folder = tmp_path_factory.mktemp("schemas")
    for source in reversed(schemas.sources):
        for name in source.names:
            (folder / name).write_bytes(source.read(name))
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def findings(out: str) -> list[dict[str, str]]:
    parsed = [LINE.match(line) for line in out.splitlines()]
    assert all(parsed), out
    return [m.groupdict() for m in parsed if m]


def test_a_valid_file_exits_0_and_says_so_on_stderr(tmp_path: Path, schemas_path: Path) -> None:
    (tmp_path / "web.xml").write_text(VALID_30)
    code, out, err = run("--schemas", str(schemas_path), str(tmp_path / "web.xml"))
    assert (code, out) == (0, "")
    assert err.startswith("0 errors, 0 warnings in 1 descriptor (schemas: ")


def test_a_schema_error_exits_1_naming_its_line_and_column(tmp_path: Path, schemas_path: Path) -> None:
    path = tmp_path / "web.xml"
    path.write_text(BOGUS_30)
    code, out, _ = run("--schemas", str(schemas_path), str(path))
    assert code == 1
    (f,) = findings(out)
    assert (f["loc"], f["line"], f["col"], f["sev"], f["code"]) == (str(path), "3", "5", "error", "WX101")
    assert f["msg"].startswith("Element 'bogus': This element is not expected.")


def test_a_23_order_error_names_the_misplaced_element_not_the_root(tmp_path: Path, schemas: SchemaCatalog) -> None:
    """libxml2 reports 'web-app content does not follow the DTD' on the root's line."""
    text = (DTD_23 + "<web-app>\n  <display-name>x</display-name>\n"
            "  <servlet><servlet-name>s</servlet-name><jsp-file>/a.jsp</jsp-file></servlet>\n"
            "  <context-param><param-name>p</param-name><param-value>v</param-value></context-param>\n"
            "</web-app>\n")
    path = tmp_path / "web.xml"
    path.write_text(text)
    (f,) = validate([path], catalog=schemas).findings
    assert (f.line, f.column, f.code) == (5, 3, "WX101")
    assert f.message.startswith("<context-param> is not allowed here in <web-app> (after <servlet>); the DTD expects ")


def test_warnings_pass_unless_strict(tmp_path: Path, schemas_path: Path) -> None:
    path = tmp_path / "web.xml"
    path.write_text(SLASH_STAR)
    code, out, _ = run("--schemas", str(schemas_path), str(path))
    assert code == 0 and [f["code"] for f in findings(out)] == ["WX201", "WX204"]
    assert run("--schemas", str(schemas_path), "--strict", str(path))[0] == 1


def test_unreadable_and_hostile_input_exit_3_and_the_rest_is_still_checked(tmp_path: Path, schemas_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<web-app>\n<oops></web-app>")
    (tmp_path / "hostile.xml").write_text('<!DOCTYPE web-app [<!ENTITY e "x">]>\n<web-app>&e;</web-app>')
    (tmp_path / "broken.war").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "other.xml").write_text("<project/>")
    (tmp_path / "bad.xml").write_text(BOGUS_30)
    names = ["broken.xml", "hostile.xml", "broken.war", "other.xml", "bad.xml"]
    code, out, _ = run("--schemas", str(schemas_path), *[str(tmp_path / n) for n in names])
    assert code == 3
    got = [(Path(f["loc"]).name, f["code"]) for f in findings(out)]
    assert got == [("broken.xml", "WX002"), ("hostile.xml", "WX003"), ("broken.war", "WX001"),
                   ("other.xml", "WX004"), ("bad.xml", "WX101")]


@pytest.mark.parametrize(
    "args",
    [["missing.xml"], ["--schemas", "nowhere", "web.xml"], ["--json", "--format", "github", "web.xml"], []],
    ids=["missing-path", "missing-schemas", "json-and-github", "no-path"],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web.xml").write_text(VALID_30)
    code, out, err = run(*args)
    assert code == 2, err


def test_json_is_one_document(tmp_path: Path, schemas_path: Path) -> None:
    path = tmp_path / "web.xml"
    path.write_text(BOGUS_30)
    code, out, err = run("--schemas", str(schemas_path), "--json", str(path))
    doc = json.loads(out)
    assert code == 1 and doc["exit_code"] == 1 and doc["errors"] == 1 and doc["format"] == 1
    assert doc["descriptors"] == [{"location": str(path), "kind": "web-app", "version": "3.0",
                                   "namespace": "http://java.sun.com/xml/ns/javaee", "schema": "web-app_3_0.xsd"}]
    assert doc["findings"][0] | {"message": ""} == {"location": str(path), "line": 3, "column": 5,
                                                    "severity": "error", "code": "WX101", "message": ""}
    assert doc["schemas"] == [str(schemas_path)]
    assert run("--schemas", str(schemas_path), "--format", "json", str(path))[1] == out


def test_json_usage_error_is_json(tmp_path: Path) -> None:
    code, out, _ = run("--json", str(tmp_path / "missing.xml"))
    assert code == 2 and json.loads(out)["error"]["exit_code"] == 2


def test_github_annotations(tmp_path: Path, schemas_path: Path) -> None:
    path = tmp_path / "web.xml"
    path.write_text(BOGUS_30)
    write_zip(tmp_path / "app.war", {"WEB-INF/web.xml": BOGUS_30})
    code, out, _ = run("--schemas", str(schemas_path), "--format", "github", str(path), str(tmp_path / "app.war"))
    first, second = out.splitlines()
    assert code == 1
    escaped = str(path).replace(":", "%3A").replace(",", "%2C")
    assert first.startswith(f"::error file={escaped},line=3,col=5,title=splicer WX101::WX101 Element 'bogus'")
    # A finding inside an archive is annotated on the archive; the entry is named in the message.
    assert second.startswith(f"::error file={tmp_path / 'app.war'},line=3,col=5,title=splicer WX101::"
                             "WX101 WEB-INF/web.xml:3: Element 'bogus'")


def test_archives_are_read_to_the_descriptor_each_module_deploys_with(tmp_path: Path, schemas: SchemaCatalog) -> None:
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "/web"), ("Other.war", "/other")),
        "Web.war": {"WEB-INF/web.xml": BOGUS_30},
        "Other.war": {"index.html": "<p>annotation-only module: no web.xml</p>"},
    })
    exploded = write_dir(tmp_path / "exploded.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "/web")),
        "Web.war": {"WEB-INF/web.xml": BOGUS_30},
    })
    war = write_zip(tmp_path / "bare.war", {"WEB-INF/web.xml": BOGUS_30})
    report = validate([ear, exploded, war], catalog=schemas)
    locations = [f.location for f in report.findings if f.code == "WX101"]
    assert locations == [f"{ear}!/Web.war!/WEB-INF/web.xml", f"{exploded}/Web.war/WEB-INF/web.xml",
                         f"{war}!/WEB-INF/web.xml"]
    kinds = [(d.location, d.kind) for d in report.descriptors]
    assert (f"{ear}!/META-INF/application.xml", "application") in kinds


def test_the_alt_dd_is_the_descriptor_validated(tmp_path: Path, schemas: SchemaCatalog) -> None:
    app_xml = application_xml(("Web.war", "/web", "dd/web.xml"))
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": app_xml,
        "dd/web.xml": BOGUS_30,
        "Web.war": {"WEB-INF/web.xml": VALID_30},
    })
    report = validate([ear], catalog=schemas)
    assert [f.location for f in report.findings if f.code == "WX101"] == [f"{ear}!/dd/web.xml"]


def test_a_listed_module_that_is_missing_is_wx011(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": application_xml(("Gone.war", "/gone"))})
    report = validate([ear], catalog=SchemaCatalog([]))
    assert [(f.location, f.code) for f in report.findings if f.code != "WX102"] == [
        (f"{ear}!/META-INF/application.xml", "WX011")]
    assert report.exit_code == 1


def test_a_folder_with_nothing_to_validate_is_wx010(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Main.java").write_text("class Main {}")
    report = validate([tmp_path / "src"], catalog=SchemaCatalog([]))
    assert [(f.location, f.code, f.severity) for f in report.findings] == [(str(tmp_path / "src"), "WX010", "error")]


def test_a_version_without_schema_warns_once_per_run(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"web{n}.xml").write_text(VALID_30)
    report = validate(sorted(tmp_path.glob("*.xml")), catalog=SchemaCatalog([]))
    (warning,) = report.findings
    assert (warning.code, warning.location, warning.line) == ("WX102", str(tmp_path / "web0.xml"), 1)
    assert "Servlet 3.0 (web-app_3_0.xsd)" in warning.message
    assert report.exit_code == 0 and validate(sorted(tmp_path.glob("*.xml")), catalog=SchemaCatalog([]),
                                              strict=True).exit_code == 1


def test_a_schema_that_does_not_compile_warns_once(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "web-app_3_0.xsd").write_text("<broken")
    for n in range(2):
        (tmp_path / f"web{n}.xml").write_text(VALID_30)
    report = validate([tmp_path / "web0.xml", tmp_path / "web1.xml"], schemas=[folder])
    assert [f.code for f in report.findings] == ["WX103"]
    assert report.exit_code == 0


def test_application_xml_is_validated_against_its_schema(tmp_path: Path, schemas: SchemaCatalog) -> None:
    require_schema(schemas, "application_6.xsd")
    bad = ('<application xmlns="http://java.sun.com/xml/ns/javaee" version="6">\n'
           "  <module><web><web-uri>Web.war</web-uri><context-root>/w</context-root></web></module>\n"
           "  <bogus/>\n</application>\n")
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": bad, "Web.war": {"WEB-INF/web.xml": WEB_25}})
    report = validate([ear], catalog=schemas)
    assert [(f.location, f.line, f.code) for f in report.findings] == [(f"{ear}!/META-INF/application.xml", 3, "WX101")]


def test_a_library_jar_with_a_web_fragment(tmp_path: Path) -> None:
    fragment = ('<web-fragment xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">\n'
                "  <filter-mapping><filter-name>f</filter-name><url-pattern>*</url-pattern></filter-mapping>\n"
                "</web-fragment>\n")
    jar = write_zip(tmp_path / "lib.jar", {"META-INF/web-fragment.xml": fragment, "a/B.class": b"\xca\xfe"})
    report = validate([jar], catalog=SchemaCatalog([]))
    assert [(f.location, f.line, f.code) for f in report.findings if f.code != "WX102"] == [
        (f"{jar}!/META-INF/web-fragment.xml", 2, "WX201"), (f"{jar}!/META-INF/web-fragment.xml", 2, "WX203")]
    assert [d.kind for d in report.descriptors] == ["web-fragment"]
