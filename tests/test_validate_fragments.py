"""`splicer validate` looks into WEB-INF/lib: each jar's web-fragment.xml, checked on its own and
against web.xml's session filter (WX308-WX314), in real archives built here."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import Tree, application_xml, write_dir, write_zip, zip_bytes
from splicer.archives import open_app, zipraw
from splicer.archives.reading import ZipAppReader
from splicer.errors import Where
from splicer.cli import main
from splicer.findings import Finding
from splicer.libjars import library_jars, read_fragment
from splicer.validating import validate
from splicer.webxml.catalog import SchemaCatalog

NS = "http://xmlns.jcp.org/xml/ns/javaee"
WXS_FILTER = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
WXS_LISTENER = "com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
SPLICED = (f"  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{WXS_FILTER}</filter-class></filter>\n"
           "  <filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n"
           f"  <listener><listener-class>{WXS_LISTENER}</listener-class></listener>\n")
SPRING = ("  <filter><filter-name>springSessionRepositoryFilter</filter-name>"
          "<filter-class>org.springframework.web.filter.DelegatingFilterProxy</filter-class></filter>\n"
          "  <filter-mapping><filter-name>springSessionRepositoryFilter</filter-name>"
          "<url-pattern>/*</url-pattern></filter-mapping>\n")
MELODY = ("  <filter><filter-name>javamelody</filter-name>"
          "<filter-class>net.bull.javamelody.MonitoringFilter</filter-class></filter>\n")
HAZELCAST_LISTENER = "  <listener><listener-class>com.hazelcast.web.SessionListener</listener-class></listener>\n"
FRAGMENT = "META-INF/web-fragment.xml"
RULES = {"WX308", "WX309", "WX310", "WX311", "WX312", "WX313", "WX314"}


def web(body: str = "", *, version: str = "3.1", attrs: str = "") -> str:
    return f'<web-app xmlns="{NS}" version="{version}"{attrs}>\n{body}</web-app>\n'


def fragment(body: str = "", *, name: str | None = None) -> str:
    named = f"  <name>{name}</name>\n" if name else ""
    return f'<web-fragment xmlns="{NS}" version="3.1">\n{named}{body}</web-fragment>\n'


def jar(fragment_xml: str | None, entry: str = FRAGMENT) -> Tree:
    tree: Tree = {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\r\n\r\n", "org/lib/Thing.class": b"\xca\xfe\xba\xbe"}
    if fragment_xml is not None:
        tree[entry] = fragment_xml
    return tree


def check(path: Path) -> list[Finding]:
    """The findings of one run without schemas, the once-per-run WX102 left out."""
    report = validate([path], catalog=SchemaCatalog([]))
    return [f for f in report.findings if f.code != "WX102"]


def codes(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in found]


def war(tmp_path: Path, web_xml: str | None, jars: Tree, *, stored: bool = False) -> Path:
    tree: Tree = {} if web_xml is None else {"WEB-INF/web.xml": web_xml}
    tree |= {f"WEB-INF/lib/{name}": value for name, value in jars.items()}
    tree.setdefault("index.html", "<p>hi</p>")
    return write_zip(tmp_path / "app.war", tree, method=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


# --- where fragments are found, and where the findings say they are ------------------------


def test_an_ear_names_the_fragment_inside_the_jar_inside_the_war(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "/web")),
        "Web.war": {"WEB-INF/web.xml": web(SPLICED), "WEB-INF/lib/session.jar": jar(fragment(SPRING)),
                    "WEB-INF/lib/plain.jar": jar(None)},
    })
    (found,) = [f for f in check(ear) if f.code in RULES]
    assert (found.location, found.line, found.column, found.code, found.severity) == (
        f"{ear}!/Web.war!/WEB-INF/lib/session.jar!/META-INF/web-fragment.xml", 2, 3, "WX308", "error")
    assert "Spring Session" in found.message and "WebSphere eXtreme Scale" in found.message


@pytest.mark.parametrize("stored", [False, True], ids=["deflated-jars", "stored-jars"])
def test_a_bare_war_with_jars_stored_or_deflated(tmp_path: Path, stored: bool) -> None:
    app = war(tmp_path, web(SPLICED), {"a.jar": jar(None), "session.jar": jar(fragment(SPRING)),
                                       "z.jar": jar(fragment(MELODY))}, stored=stored)
    found = check(app)
    assert [(f.location, f.code) for f in found] == [(f"{app}!/WEB-INF/lib/session.jar!/{FRAGMENT}", "WX308")]


def test_an_exploded_war_and_an_exploded_war_inside_a_zipped_ear(tmp_path: Path) -> None:
    exploded = write_dir(tmp_path / "exploded.war", {"WEB-INF/web.xml": web(SPLICED),
                                                      "WEB-INF/lib/session.jar": zip_bytes(jar(fragment(SPRING)))})
    # An EAR whose WAR is a folder of entries (Web.war/WEB-INF/...), stored: read in place.
    ear = tmp_path / "app.ear"
    ear.write_bytes(zip_bytes({
        "META-INF/application.xml": application_xml(("Web.war", "/web")),
        "Web.war/WEB-INF/web.xml": web(SPLICED),
        "Web.war/WEB-INF/lib/session.jar": zip_bytes(jar(fragment(SPRING))),
    }, method=zipfile.ZIP_STORED))
    assert [(f.location, f.code) for f in check(exploded)] == [
        (f"{exploded}/WEB-INF/lib/session.jar!/{FRAGMENT}", "WX308")]
    assert [(f.location, f.code) for f in check(ear)] == [
        (f"{ear}!/Web.war/WEB-INF/lib/session.jar!/{FRAGMENT}", "WX308")]


def test_only_jars_directly_in_web_inf_lib_under_any_deployed_spelling(tmp_path: Path) -> None:
    app = write_zip(tmp_path / "app.war", {
        "WEB-INF/web.xml": web(SPLICED),
        "WEB-INF\\lib\\windows.jar": jar(fragment(SPRING)),  # written by a Windows tool: WEB-INF/lib/windows.jar
        "WEB-INF/lib/nested/deeper.jar": jar(fragment(SPRING)),  # not on the class path
        "WEB-INF/classes/inside.jar": jar(fragment(SPRING)),
        "WEB-INF/lib/notes.txt": "not a jar",
    })
    assert [(f.location, f.code) for f in check(app)] == [(f"{app}!/WEB-INF\\lib\\windows.jar!/{FRAGMENT}", "WX308")]


def test_a_fragment_is_schema_checked_like_a_standalone_one(tmp_path: Path, schemas: SchemaCatalog) -> None:
    bogus = fragment("  <bogus/>\n  <filter-mapping><filter-name>f</filter-name><url-pattern>*</url-pattern></filter-mapping>\n")
    app = war(tmp_path, web(), {"lib.jar": jar(bogus)})
    report = validate([app], catalog=schemas)
    assert [(f.location, f.line, f.code) for f in report.findings if f.code != "WX102"] == [
        (f"{app}!/WEB-INF/lib/lib.jar!/{FRAGMENT}", 2, "WX101"), (f"{app}!/WEB-INF/lib/lib.jar!/{FRAGMENT}", 3, "WX201"),
        (f"{app}!/WEB-INF/lib/lib.jar!/{FRAGMENT}", 3, "WX203")]
    assert [d.kind for d in report.descriptors] == ["web-app", "web-fragment"]


# --- a damaged jar is a finding where it is, and the rest is still checked ------------------


def _zeros_jar(mib: int) -> bytes:
    # Zeros stored in a jar: deflated in the WAR over 100:1, what a bomb looks like.
    return zip_bytes({"blob.bin": bytes(mib << 20)}, method=zipfile.ZIP_STORED)


@pytest.mark.parametrize(("content", "stored", "reason"), [
    (b"PK\x03\x04 not really a jar", False, "cannot read: not a zip archive"),
    (zip_bytes(jar(None))[:-30], True, "cannot read: not a zip archive, or truncated"),
    (_zeros_jar(2), False, "cannot read: compression ratio"),  # inflated in memory to look at it
    (_zeros_jar(5), False, "cannot read: compression ratio"),  # past spool_memory: spooled by nested()
    (zip_bytes({FRAGMENT: fragment(), "../../evil.class": b"x"}), True, "cannot read ../../evil.class: unsafe entry name"),
], ids=["not-a-zip", "truncated-stored", "bomb-in-memory", "bomb-spooled", "zip-slip"])
def test_a_damaged_jar_is_wx001_on_the_jar(tmp_path: Path, content: bytes, stored: bool, reason: str) -> None:
    app = war(tmp_path, web(SPLICED), {"bad.jar": content, "session.jar": jar(fragment(SPRING))}, stored=stored)
    report = validate([app], catalog=SchemaCatalog([]))
    found = [f for f in report.findings if f.code != "WX102"]
    assert [(f.location, f.code) for f in found] == [(f"{app}!/WEB-INF/lib/bad.jar", "WX001"),
                                                     (f"{app}!/WEB-INF/lib/session.jar!/{FRAGMENT}", "WX308")]
    assert found[0].message.startswith(reason), found[0].message
    assert report.exit_code == 3


# --- a fragment a container does not see ---------------------------------------------------


@pytest.mark.parametrize("entry", ["./META-INF/web-fragment.xml", "META-INF\\web-fragment.xml",
                                   "meta-inf/web-fragment.xml"], ids=["dot-slash", "backslash", "lower-case"])
def test_a_fragment_spelled_otherwise_is_checked_and_wx312(tmp_path: Path, entry: str) -> None:
    mapping = "  <filter-mapping><filter-name>x</filter-name><url-pattern>*</url-pattern></filter-mapping>\n"
    app = war(tmp_path, web(SPLICED), {"lib.jar": jar(fragment(SPRING + mapping), entry)})
    found = check(app)
    assert [(f.location, f.code, f.severity) for f in found] == [
        (f"{app}!/WEB-INF/lib/lib.jar!/{entry}", "WX201", "warning"),
        (f"{app}!/WEB-INF/lib/lib.jar!/{entry}", "WX203", "error"),
        (f"{app}!/WEB-INF/lib/lib.jar!/{entry}", "WX312", "warning")]  # and no WX308: it is not merged
    assert f"as '{entry}', not 'META-INF/web-fragment.xml'" in found[-1].message
    # With the exact spelling present too, that one is the fragment, as java.util.zip finds it.
    both = jar(fragment(SPRING), entry) | {FRAGMENT: fragment(SPRING)}
    assert codes(check(war(tmp_path, web(SPLICED), {"lib.jar": both}))) == [("WX308", "error")]


def test_a_standalone_jar_with_its_fragment_spelled_otherwise(tmp_path: Path) -> None:
    lib = write_zip(tmp_path / "lib.jar", jar(fragment(), "META-INF\\web-fragment.xml"))
    assert [(f.location, f.code) for f in check(lib)] == [(f"{lib}!/META-INF\\web-fragment.xml", "WX312")]


# --- WX308: another session manager ----------------------------------------------------------

HAZELCAST_SPLICED = ("  <filter><filter-name>hazelcastWebFilter</filter-name>"
                     "<filter-class>com.hazelcast.web.WebFilter</filter-class></filter>\n"
                     "  <filter-mapping><filter-name>hazelcastWebFilter</filter-name><url-pattern>/*</url-pattern>"
                     "<dispatcher>FORWARD</dispatcher><dispatcher>INCLUDE</dispatcher><dispatcher>REQUEST</dispatcher>"
                     "</filter-mapping>\n" + HAZELCAST_LISTENER)


@pytest.mark.parametrize(("web_xml", "fragment_body", "expected"), [
    (web(SPLICED), SPRING, [("WX308", "error")]),
    (web(), SPRING, [("WX308", "warning")]),
    (None, SPRING, [("WX308", "warning")]),  # an annotation-only module: nothing spliced
    (web(SPLICED), HAZELCAST_LISTENER, [("WX308", "error")]),
    (web(HAZELCAST_SPLICED), f"  <filter><filter-name>x</filter-name><filter-class>{WXS_FILTER}</filter-class></filter>\n",
     [("WX308", "error")]),  # the other profiles' managers count too
    (web(HAZELCAST_SPLICED), HAZELCAST_LISTENER, []),  # the module's own manager
    (web(SPLICED), MELODY, []),
    (web(SPLICED), f"  <listener><listener-class>{WXS_LISTENER}</listener-class></listener>\n", []),
], ids=["spliced", "not-spliced", "no-web-xml", "listener", "other-profile", "own-listener", "no-manager",
        "own-listener-again"])
def test_wx308_another_session_manager_in_a_fragment(tmp_path: Path, web_xml: str | None, fragment_body: str,
                                                      expected: list[tuple[str, str]]) -> None:
    found = [f for f in check(war(tmp_path, web_xml, {"lib.jar": jar(fragment(fragment_body))})) if f.code in RULES]
    assert codes(found) == expected


# --- WX309: a filter web.xml declares, or the session filter, again -------------------------


@pytest.mark.parametrize(("web_xml", "fragment_body", "expected", "says"), [
    (web(SPLICED + MELODY), MELODY, [("WX309", "error")], "the filter javamelody is declared in web.xml too (line 5)"),
    (web(SPLICED + MELODY), MELODY.replace(">javamelody<", ">melody<"), [], ""),
    (web(SPLICED), f"  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{WXS_FILTER}</filter-class>"
     "</filter>\n", [("WX309", "error")], "the session filter HttpSessionFilter is declared in web.xml too"),
    (web(SPLICED), f"  <filter><filter-name>sessions</filter-name><filter-class>{WXS_FILTER}</filter-class></filter>\n",
     [("WX309", "error")], "a second session filter (sessions, "),
    (web(), f"  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{WXS_FILTER}</filter-class>"
     "</filter>\n", [("WX309", "warning")], "the fragment declares the session filter itself"),
    # Regression: two filters without <filter-name> (schema-invalid, WX101) were "the same name", None.
    (web(SPLICED + "  <filter><filter-class>a.B</filter-class></filter>\n"),
     "  <filter><filter-class>c.D</filter-class></filter>\n", [], ""),
], ids=["same-name", "other-name", "session-filter-name", "session-filter-class", "not-spliced", "nameless"])
def test_wx309_a_filter_declared_again_by_a_fragment(tmp_path: Path, web_xml: str, fragment_body: str,
                                                     expected: list[tuple[str, str]], says: str) -> None:
    found = [f for f in check(war(tmp_path, web_xml, {"lib.jar": jar(fragment(fragment_body))})) if f.code in RULES]
    assert codes(found) == expected
    assert all(f.message.startswith(says) for f in found)


# --- WX310, WX311: fragments the container does not merge -----------------------------------


@pytest.mark.parametrize(("web_xml", "expected"), [
    (web(SPLICED, attrs=' metadata-complete="true"'), [("WX310", "note")]),
    (web(SPLICED, attrs=' metadata-complete="false"'), [("WX308", "error"), ("WX308", "error")]),
    (web(SPLICED, version="2.4").replace(NS, "http://java.sun.com/xml/ns/j2ee"), [("WX310", "note")]),
    (web(SPLICED, version="2.5").replace(NS, "http://java.sun.com/xml/ns/javaee"), [("WX308", "error")] * 2),
], ids=["metadata-complete", "not-complete", "servlet-2.4", "servlet-2.5"])
def test_wx310_fragments_of_a_complete_web_xml_are_a_note_once(tmp_path: Path, web_xml: str,
                                                               expected: list[tuple[str, str]]) -> None:
    bad = fragment(SPRING + "  <filter-mapping><filter-name>x</filter-name><url-pattern>*</url-pattern></filter-mapping>\n")
    app = war(tmp_path, web_xml, {"a.jar": jar(bad), "b.jar": jar(fragment(SPRING))})
    found = check(app)
    assert codes([f for f in found if f.code in RULES]) == expected
    # Each fragment is still checked on its own: a container still reads it.
    assert ("WX203", "error") in codes(found)
    if expected[0][0] == "WX310":
        note = next(f for f in found if f.code == "WX310")
        assert (note.location, note.line) == (f"{app}!/WEB-INF/web.xml", 1)
        assert "none of the 2 web-fragment.xml files of its library jars (WEB-INF/lib/a.jar, WEB-INF/lib/b.jar)" \
            in note.message
        assert validate([app], catalog=SchemaCatalog([]), strict=True).exit_code == 1  # the WX203, not the note


def test_a_note_alone_passes_strict(tmp_path: Path, schemas: SchemaCatalog) -> None:
    app = war(tmp_path, web(SPLICED, attrs=' metadata-complete="true"'), {"a.jar": jar(fragment(SPRING))})
    report = validate([app], catalog=schemas, strict=True)
    assert codes(report.findings) == [("WX310", "note")] and report.exit_code == 0
    assert report.summary().startswith("0 errors, 0 warnings, 1 note in 2 descriptors")


@pytest.mark.parametrize(("ordering", "merged", "left_out"), [
    ("<name>a</name>", ["a.jar"], "WEB-INF/lib/b.jar, WEB-INF/lib/c.jar;"),
    ("<name>a</name><others/>", ["a.jar", "b.jar", "c.jar"], None),
    ("<name>b</name><name>a</name>", ["a.jar", "b.jar"], "WEB-INF/lib/c.jar;"),
], ids=["leaves-out-b-and-unnamed", "others", "both-named"])
def test_wx311_absolute_ordering_without_others(tmp_path: Path, ordering: str, merged: list[str],
                                                 left_out: str | None) -> None:
    web_xml = web(SPLICED + f"  <absolute-ordering>{ordering}</absolute-ordering>\n")
    app = war(tmp_path, web_xml, {"a.jar": jar(fragment(SPRING, name="a")), "b.jar": jar(fragment(SPRING, name="b")),
                                  "c.jar": jar(fragment(SPRING))})
    found = [f for f in check(app) if f.code in RULES]
    notes = [f for f in found if f.code == "WX311"]
    assert [f.location.split("/lib/")[1].split("!")[0] for f in found if f.code == "WX308"] == merged
    if left_out is None:
        assert notes == []
    else:
        (note,) = notes
        assert (note.location, note.line, note.severity) == (f"{app}!/WEB-INF/web.xml", 5, "note")
        assert f"merge those of {left_out}" in note.message


# --- WX313: distributable --------------------------------------------------------------------


@pytest.mark.parametrize(("web_body", "fragment_body", "expected"), [
    ("  <distributable/>\n", MELODY, [("WX313", "warning")]),
    ("  <distributable/>\n", "  <distributable/>\n" + MELODY, []),
    ("", MELODY, []),
], ids=["fragment-not-distributable", "both", "web-xml-not-distributable"])
def test_wx313_a_fragment_that_is_not_distributable(tmp_path: Path, web_body: str, fragment_body: str,
                                                    expected: list[tuple[str, str]]) -> None:
    app = war(tmp_path, web(web_body), {"monitor.jar": jar(fragment(fragment_body))})
    found = [f for f in check(app) if f.code in RULES]
    assert codes(found) == expected
    assert all(f.location == f"{app}!/WEB-INF/lib/monitor.jar!/{FRAGMENT}" and f.line == 1 for f in found)


# --- WX314: two fragments, one filter name, two classes -------------------------------------

AUDIT_A = "  <filter><filter-name>audit</filter-name><filter-class>org.a.AuditFilter</filter-class></filter>\n"
AUDIT_B = "  <filter><filter-name>audit</filter-name><filter-class>org.b.AuditFilter</filter-class></filter>\n"


@pytest.mark.parametrize(("web_body", "second", "expected"), [
    ("", AUDIT_B, [("WX314", "error")]),
    ("", AUDIT_A, []),  # the same declaration twice merges
    (AUDIT_A, AUDIT_B, [("WX309", "error"), ("WX309", "error")]),  # web.xml declares it: web.xml wins
], ids=["conflict", "same-class", "web-xml-settles-it"])
def test_wx314_two_fragments_declare_one_filter_with_two_classes(tmp_path: Path, web_body: str, second: str,
                                                                 expected: list[tuple[str, str]]) -> None:
    app = war(tmp_path, web(web_body), {"a.jar": jar(fragment(AUDIT_A)), "b.jar": jar(fragment(second))})
    found = [f for f in check(app) if f.code in RULES]
    assert codes(found) == expected
    if expected == [("WX314", "error")]:
        (finding,) = found
        assert finding.location == f"{app}!/WEB-INF/lib/b.jar!/{FRAGMENT}"
        assert "org.b.AuditFilter here and org.a.AuditFilter in WEB-INF/lib/a.jar (line 2)" in finding.message


def test_an_unreadable_web_xml_merges_nothing_but_fragments_are_checked(tmp_path: Path) -> None:
    app = war(tmp_path, "<web-app><oops></web-app>", {"a.jar": jar(fragment(SPRING + "  <bogus-mapping/>\n"))})
    assert [(f.location.rsplit("!/", 1)[1], f.code) for f in check(app)] == [("WEB-INF/web.xml", "WX002")]
    app = war(tmp_path, "<web-app><oops></web-app>", {"a.jar": jar("<web-fragment>")})
    assert [(f.location.rsplit("!/", 1)[1], f.code) for f in check(app)] == [("WEB-INF/web.xml", "WX002"),
                                                                             (FRAGMENT, "WX002")]


# --- the output formats carry the new locations ----------------------------------------------


def test_json_and_github_name_the_fragment_inside_the_jar(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "/web"), ("Other.war", "/other")),
        "Web.war": {"WEB-INF/web.xml": web(SPLICED, attrs=' metadata-complete="true"'),
                    "WEB-INF/lib/session.jar": jar(fragment(SPRING))},
        "Other.war": {"WEB-INF/web.xml": web(SPLICED), "WEB-INF/lib/session.jar": jar(fragment(SPRING))},
    })
    runner = CliRunner()
    done = runner.invoke(main, ["validate", "--format", "json", str(ear)])
    doc = json.loads(done.stdout)
    rules = [f for f in doc["findings"] if f["code"] in RULES]
    assert [(f["location"], f["line"], f["column"], f["severity"], f["code"]) for f in rules] == [
        (f"{ear}!/Web.war!/WEB-INF/web.xml", 1, 1, "note", "WX310"),
        (f"{ear}!/Other.war!/WEB-INF/lib/session.jar!/{FRAGMENT}", 2, 3, "error", "WX308")]
    assert doc["notes"] == 1 and done.exit_code == doc["exit_code"] == 1
    github = runner.invoke(main, ["validate", "--format", "github", str(ear)]).stdout.splitlines()
    annotations = [line for line in github if "WX31" in line or "WX308" in line]
    assert annotations[0].startswith(f"::notice file={ear},line=1,col=1,title=splicer WX310::WX310 "
                                     "Web.war!/WEB-INF/web.xml:1: web.xml says metadata-complete=\"true\"")
    assert annotations[1].startswith(f"::error file={ear},line=2,col=3,title=splicer WX308::WX308 "
                                     f"Other.war!/WEB-INF/lib/session.jar!/{FRAGMENT}:2: the filter springSession")
    text = runner.invoke(main, ["validate", str(ear)]).stdout
    assert f"{ear}!/Web.war!/WEB-INF/web.xml:1:1: note WX310 web.xml says" in text


# --- cost: a jar without a fragment is looked at, not opened --------------------------------


@pytest.mark.parametrize("stored", [True, False], ids=["stored-jars", "deflated-jars"])
def test_only_jars_whose_directory_names_a_fragment_are_opened_and_none_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: bool) -> None:
    jars: Tree = {f"plain{i}.jar": jar(None) for i in range(20)} | {"session.jar": jar(fragment(SPRING))}
    # A name that mentions the fragment elsewhere is opened (the test is on names), and found to have none.
    jars["docs.jar"] = jar(None) | {"docs/web-fragment.xml.txt": "how to"}
    app = war(tmp_path, web(SPLICED), jars, stored=stored)
    opened: list[str] = []
    init = ZipAppReader.__init__

    def recording(self: ZipAppReader, blob: zipraw.Blob, where: Where, *args: object, **kwargs: object) -> None:
        opened.append(where.parts[-1])
        init(self, blob, where, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ZipAppReader, "__init__", recording)
    with open_app(app) as reader:
        found = [(name, read_fragment(reader, name)) for name in library_jars(reader)]
        assert reader._children == []  # each jar let go before the next
    assert opened == [str(app), "WEB-INF/lib/session.jar", "WEB-INF/lib/docs.jar"]
    assert [(name, f.entry, f.exact) for name, f in found if f is not None] == [
        ("WEB-INF/lib/session.jar", FRAGMENT, True)]


def test_central_directory_is_the_bytes_read_directory_parses() -> None:
    data = b"#!/bin/sh\nexec java -jar $0\n" + zip_bytes(jar(fragment()))  # a launcher shifts every offset
    blob = zipraw.BytesBlob(data)
    assert zipraw.central_directory(blob) == b"".join(e.central for e in zipraw.read_directory(blob).entries)
    with pytest.raises(zipraw.ZipFormatError, match="^no end of central|^not a zip archive, or truncated"):
        zipraw.central_directory(zipraw.BytesBlob(data[:-30]))
