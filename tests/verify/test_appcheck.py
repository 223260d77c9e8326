"""Which modules send their sessions to the grid, and which page verify requests in each."""

from __future__ import annotations

from pathlib import Path

import pytest

from appbuild import application_xml, write_zip
from splicer.verify.appcheck import check_modules, probe_path
from splicer.verify.model import ModuleCheck

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">\n'
FILTER = ("<filter><filter-name>HttpSessionFilter</filter-name>"
          "<filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class></filter>\n")
MAP_URL = ("<filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern>"
           "</filter-mapping>\n")
MAP_SERVLET = ("<filter-mapping><filter-name>HttpSessionFilter</filter-name><servlet-name>jsp</servlet-name>"
               "</filter-mapping>\n")


def param(name: str, value: str) -> str:
    return f"<context-param><param-name>{name}</param-name><param-value>{value}</param-value></context-param>\n"


def web_xml(*parts: str) -> str:
    return HEAD + "".join(parts) + "</web-app>\n"


@pytest.mark.parametrize(
    ("files", "has_filter", "interval", "grid"),
    [
        ({"WEB-INF/web.xml": web_xml(param("replicationInterval", "0"), param("objectGridName", "g2"), FILTER, MAP_URL)},
         True, 0, "g2"),
        ({"WEB-INF/web.xml": web_xml(FILTER, MAP_SERVLET)}, True, 10, "session"),
        ({"WEB-INF/web.xml": web_xml(param("replicationInterval", "10"), FILTER)}, False, None, None),
        ({"WEB-INF/web.xml": web_xml(param("replicationInterval", "10"))}, False, None, None),
        ({"index.jsp": "<html/>"}, False, None, None),
    ],
    ids=["url-mapped", "servlet-mapped-defaults", "declared-not-mapped", "params-only", "no-web-xml"],
)
def test_check_modules(tmp_path: Path, files: dict[str, str], has_filter: bool, interval: int | None,
                       grid: str | None) -> None:
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "web")),
        "Web.war": dict(files),
    })
    assert check_modules(ear) == [ModuleCheck("Web", "Web.war", "/web", has_filter, interval, grid)]


def test_a_bare_war_is_its_own_module(tmp_path: Path) -> None:
    war = write_zip(tmp_path / "Shop.war", {"WEB-INF/web.xml": web_xml(FILTER, MAP_URL)})
    assert check_modules(war) == [ModuleCheck("Shop", "", "/Shop", True, 10, "session")]


@pytest.mark.parametrize(
    ("names", "page"),
    [
        (["a.jsp", "x/SessionTest.jsp"], "/web/x/SessionTest.jsp"),
        (["WEB-INF/hidden.jsp", "b/c.jsp"], "/web/b/c.jsp"),
        (["index.html"], "/web/SessionTest.jsp"),
    ],
    ids=["prefers-session-test", "first-public-jsp", "no-jsp"],
)
def test_probe_path(tmp_path: Path, names: list[str], page: str) -> None:
    ear = write_zip(tmp_path / "app.ear", {
        "META-INF/application.xml": application_xml(("Web.war", "/web/")),
        "Web.war": {name: "<html/>" for name in names},
    })
    module = check_modules(ear)[0]
    assert probe_path(ear, module) == page


def test_a_module_migrated_to_another_profile_is_named_not_emulated(tmp_path: Path) -> None:
    """verify emulates eXtreme Scale's filter only: a Hazelcast one is said to be what it is."""
    hazelcast = ("<filter><filter-name>hazelcastWebFilter</filter-name>"
                 "<filter-class>com.hazelcast.web.WebFilter</filter-class></filter>\n"
                 "<filter-mapping><filter-name>hazelcastWebFilter</filter-name><url-pattern>/*</url-pattern>"
                 "</filter-mapping>\n")
    war = write_zip(tmp_path / "Shop.war", {"WEB-INF/web.xml": web_xml(hazelcast)})
    (module,) = check_modules(war)
    assert (module.has_filter, module.other_manager) == (False, "Hazelcast web session manager (hazelcast-wm)")
    assert "does not emulate" in module.advice()


def test_a_module_with_two_session_managers_is_reported(tmp_path: Path) -> None:
    """HttpSessionFilter beside Ignite's: the module counts among those whose sessions are not the grid's."""
    from splicer.verify.model import VerifyReport

    ignite = ("<filter><filter-name>IgniteWebSessionsFilter</filter-name>"
              "<filter-class>org.apache.ignite.cache.websession.WebSessionFilter</filter-class></filter>\n")
    war = write_zip(tmp_path / "Shop.war", {"WEB-INF/web.xml": web_xml(FILTER, MAP_URL, ignite)})
    (module,) = check_modules(war)
    assert (module.has_filter, module.other_manager) == (True, "Apache Ignite web session clustering (ignite-web)")
    assert "two session managers" in module.advice()
    report = VerifyReport(app=str(war), mode="emulator", modules=[module])
    assert report.unspliced == [module] and not report.ok
