"""`splicer inspect APP`: each module's descriptor, session state and signature, as a table or JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import WEB_25, application_xml, write_dir, write_zip
from conftest import REPO
from splicer import inspect, splice
from splicer.cli import main

SAMPLE = REPO / "samples" / "MySessionTest.ear"
PROPERTIES = REPO / "samples" / "splicer.properties"
FILTER = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
LISTENER = "com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
JAKARTA = f"""<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <context-param><param-name>replicationInterval</param-name><param-value>ten</param-value></context-param>
  <filter><filter-name>other</filter-name><filter-class>x.Other</filter-class></filter>
  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{FILTER}</filter-class></filter>
  <filter-mapping><filter-name>other</filter-name><url-pattern>/*</url-pattern></filter-mapping>
  <filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping>
</web-app>
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["inspect", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_sample_before_and_after_splicing(tmp_path: Path) -> None:
    before = inspect(SAMPLE)
    (module,) = before.modules
    assert (before.kind, before.signed, module.uri, module.context_root) == ("ear", False, "MySessionTestWeb.war",
                                                                             "/MySessionTestWeb")
    assert (module.version, module.namespace) == ("2.5", "http://java.sun.com/xml/ns/javaee")
    assert module.descriptor == f"{SAMPLE}!/MySessionTestWeb.war!/WEB-INF/web.xml"
    assert module.session is not None and not module.session.present and module.session.settings == []

    spliced = tmp_path / "spliced.ear"
    splice(SAMPLE, PROPERTIES, output=spliced)
    (after,) = inspect(spliced).modules
    assert after.session is not None
    assert (after.session.present, after.session.mapping_first, after.session.listener is not None) == (True, True, True)
    assert [(s.name, s.value, s.problem) for s in after.session.settings] == [
        ("securityEnabled", "false", None), ("fragmentedSession", "true", None), ("sessionTableSize", "1000", None),
        ("objectGridType", "REMOTE", None), ("reuseSessionId", "true", None), ("replicationInterval", "10", None),
        ("objectGridName", "session", None)]
    assert after.warnings == []


def test_table_on_a_terminal(tmp_path: Path) -> None:
    spliced = tmp_path / "spliced.ear"
    splice(SAMPLE, PROPERTIES, output=spliced)
    code, out, _ = run(str(spliced))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{spliced}: EAR, 1 web module, not signed"
    assert lines[2].split() == ["MODULE", "CONTEXT", "ROOT", "VERSION", "FILTER", "FIRST", "LISTENER", "SETTINGS", "SIGNED"]
    assert lines[3].split() == ["MySessionTestWeb.war", "/MySessionTestWeb", "2.5", "yes", "yes", "yes", "7", "no"]
    assert "  replicationInterval  10" in lines


def test_json_for_tools(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "shop.war", {"WEB-INF/web.xml": JAKARTA})
    code, out, _ = run("--json", str(war))
    doc = json.loads(out)
    assert code == 0 and doc["kind"] == "war" and doc["format"] == 1
    (module,) = doc["modules"]
    assert module["context_root"] == "/shop" and module["version"] == "6.0"
    assert module["session"] | {"settings": None} == {"filter": True, "filter_class": FILTER, "mapped": True,
                                                      "mapping_first": False, "listener": False, "settings": None,
                                                      "profile": "wxs"}
    (setting,) = module["session"]["settings"]
    assert (setting["name"], setting["value"], setting["valid"], setting["line"]) == ("replicationInterval", "ten", False, 2)
    assert [w["id"] for w in module["warnings"]] == ["WX302", "WX303", "WX304", "WX307"]


def test_signed_modules_are_shown(tmp_path: Path) -> None:
    signed = {"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "META-INF/SIGNER.SF": "x", "META-INF/SIGNER.RSA": "x",
              "WEB-INF/web.xml": WEB_25}
    ear = write_zip(tmp_path / "app.ear", {"META-INF/application.xml": application_xml(("Web.war", "/web")),
                                           "Web.war": signed})
    (module,) = inspect(ear).modules
    assert module.signed and module.signature_files == ["META-INF/SIGNER.RSA", "META-INF/SIGNER.SF"]
    assert not inspect(ear).signed


def test_an_exploded_ear_and_a_module_without_web_xml(tmp_path: Path) -> None:
    app = write_dir(tmp_path / "app", {
        "META-INF/application.xml": application_xml(("Web.war", "/web"), ("Anno.war", "/anno")),
        "Web.war": {"WEB-INF/web.xml": WEB_25},
        "Anno.war": {"WEB-INF/classes/A.class": b"\xca\xfe"},
    })
    report = inspect(app)
    assert [(m.uri, m.context_root, m.descriptor is not None) for m in report.modules] == [
        ("Web.war", "/web", True), ("Anno.war", "/anno", False)]
    code, out, _ = run(str(app))
    assert code == 0 and "no web.xml" in out


def test_an_unreadable_descriptor_exits_3_after_showing_the_rest(tmp_path: Path) -> None:
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Bad.war", "/bad"), ("Good.war", "/good")),
        "Bad.war": {"WEB-INF/web.xml": "<web-app><oops></web-app>"},
        "Good.war": {"WEB-INF/web.xml": WEB_25},
    })
    code, out, _ = run(str(ear))
    assert code == 3
    assert "unreadable" in out and "Good.war" in out


@pytest.mark.parametrize("kind", ["missing", "corrupt"])
def test_bad_apps(tmp_path: Path, kind: str) -> None:
    app = tmp_path / "app.ear"
    if kind == "corrupt":
        app.write_bytes(b"PK\x03\x04 broken")
    code, out, err = run("--json", str(app))
    assert code == (2 if kind == "missing" else 3)
    assert json.loads(out)["error"]["exit_code"] == code


def test_inspect_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "MySessionTest.ear"
    shutil.copyfile(SAMPLE, copy)
    run(str(copy))
    assert copy.read_bytes() == SAMPLE.read_bytes()


def _fragment(name: str, body: str = "") -> str:
    return f'<web-fragment xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1"><name>{name}</name>{body}</web-fragment>'


SPRING_FILTER = ("<filter><filter-name>springSessionRepositoryFilter</filter-name>"
                 "<filter-class>org.springframework.web.filter.DelegatingFilterProxy</filter-class></filter>")


def test_the_fragments_of_the_library_jars_and_which_are_merged(tmp_path: Path) -> None:
    web = (f'<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">\n'
           f"  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{FILTER}</filter-class></filter>\n"
           "  <filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n"
           f"  <listener><listener-class>{LISTENER}</listener-class></listener>\n"
           "  <absolute-ordering><name>spring</name></absolute-ordering>\n</web-app>\n")
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "/web"), ("Bare.war", "/bare")),
        "Web.war": {"WEB-INF/web.xml": web,
                    "WEB-INF/lib/spring.jar": {"META-INF/web-fragment.xml": _fragment("spring", SPRING_FILTER)},
                    "WEB-INF/lib/other.jar": {"META-INF/web-fragment.xml": _fragment("other", SPRING_FILTER)},
                    "WEB-INF/lib/odd.jar": {"META-INF\\web-fragment.xml": _fragment("odd")},
                    "WEB-INF/lib/bad.jar": b"not a jar at all"},
        # No web.xml: every fragment is merged, and nothing is spliced yet.
        "Bare.war": {"WEB-INF/lib/spring.jar": {"META-INF/web-fragment.xml": _fragment("spring", SPRING_FILTER)}},
    })
    code, out, _ = run("--json", str(ear))
    web_module, bare = json.loads(out)["modules"]
    inside = f"{ear}!/Web.war!/WEB-INF/lib"
    assert web_module["fragments"] == [
        {"jar": "WEB-INF/lib/spring.jar", "location": f"{inside}/spring.jar!/META-INF/web-fragment.xml",
         "name": "spring", "merged": True},
        {"jar": "WEB-INF/lib/other.jar", "location": f"{inside}/other.jar!/META-INF/web-fragment.xml",
         "name": "other", "merged": False},
        {"jar": "WEB-INF/lib/odd.jar", "location": f"{inside}/odd.jar!/META-INF\\web-fragment.xml",
         "name": "odd", "merged": False}]
    assert [(w["id"], w["where"]) for w in web_module["warnings"]] == [
        ("WX312", f"{inside}/odd.jar!/META-INF\\web-fragment.xml"), ("WX001", f"{inside}/bad.jar"),
        ("WX311", f"{ear}!/Web.war!/WEB-INF/web.xml:5"), ("WX308", f"{inside}/spring.jar!/META-INF/web-fragment.xml:1")]
    assert [f["merged"] for f in bare["fragments"]] == [True] and [w["id"] for w in bare["warnings"]] == ["WX308"]
    assert code == 0  # a jar that cannot be read is a warning here; validate exits 3 for it
    code, table, _ = run(str(ear))
    assert f"{ear}!/Web.war: web-fragment.xml in 3 library jars\n  WEB-INF/lib/spring.jar (name spring)  merged\n" in table
