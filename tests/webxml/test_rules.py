"""The built-in rules of `splicer validate`: a planted violation of each, found by file, line and code.

Each planted line carries a marker comment naming the codes expected on it; the test reads
the markers, so the expectations cannot drift from the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from splicer.findings import Finding
from splicer.validating import validate
from splicer.webxml.catalog import SchemaCatalog
from splicer.webxml.rules import check_url_pattern

NO_SCHEMAS = SchemaCatalog([])  # the rules alone: the grammar layer only warns WX102 once

JAVAEE_30 = 'xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"'
JAKARTA_60 = 'xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"'
FILTER = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
LISTENER = "com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"

# Every structural rule, in a descriptor that is complete (so undeclared names are errors).
STRUCTURE = f"""<?xml version="1.0" encoding="UTF-8"?>
<web-app {JAVAEE_30} metadata-complete="true">
  <context-param><param-name>a</param-name><param-value>1</param-value></context-param>
  <context-param><param-name>a</param-name><param-value>2</param-value></context-param> <!-- WX205 -->
  <filter><filter-name>f</filter-name><filter-class>x.F</filter-class></filter>
  <filter><filter-name>f</filter-name><filter-class>x.G</filter-class></filter> <!-- WX205 -->
  <filter-mapping><filter-name>f</filter-name><url-pattern>*</url-pattern></filter-mapping> <!-- WX203 -->
  <filter-mapping><filter-name>ghost</filter-name><url-pattern>/a/*.jsp</url-pattern></filter-mapping> <!-- WX201 WX204 -->
  <filter-mapping><filter-name>f</filter-name>
    <servlet-name>nobody</servlet-name></filter-mapping> <!-- WX202 -->
  <servlet><servlet-name>s</servlet-name><servlet-class>x.S</servlet-class></servlet>
  <servlet><servlet-name>s</servlet-name><servlet-class>x.S2</servlet-class></servlet> <!-- WX205 -->
  <servlet><servlet-name>t</servlet-name><servlet-class>x.T</servlet-class></servlet>
  <servlet-mapping><servlet-name>s</servlet-name><url-pattern>/s</url-pattern></servlet-mapping>
  <servlet-mapping><servlet-name>t</servlet-name><url-pattern>/s</url-pattern></servlet-mapping> <!-- WX206 -->
  <servlet-mapping><servlet-name>ghost</servlet-name><url-pattern>*.do/x</url-pattern></servlet-mapping> <!-- WX202 WX203 -->
  <servlet-mapping><servlet-name>default</servlet-name><url-pattern>static</url-pattern></servlet-mapping> <!-- WX202 WX203 -->
  <session-config><session-timeout>30</session-timeout></session-config>
  <session-config><session-timeout>31</session-timeout></session-config> <!-- WX207 -->
  <jsp-config/>
  <jsp-config/> <!-- WX207 -->
  <security-constraint><web-resource-collection><web-resource-name>r</web-resource-name>
      <url-pattern>admin/*</url-pattern></web-resource-collection></security-constraint> <!-- WX203 -->
  <login-config/>
  <login-config/> <!-- WX207 -->
</web-app>
"""

# The session rules splicer owns: mapping not first, listener missing, settings by the key table.
SESSION = f"""<?xml version="1.0" encoding="UTF-8"?>
<web-app {JAVAEE_30}>
  <context-param><param-name>replicationInterval</param-name><param-value>61</param-value></context-param> <!-- WX304 -->
  <context-param><param-name>objectGridType</param-name><param-value>remote</param-value></context-param> <!-- WX304 -->
  <context-param><param-name>catalogHostPort</param-name></context-param> <!-- WX304 -->
  <context-param><param-name>persistenceMechanism</param-name><param-value>ObjectGridStore</param-value></context-param> <!-- WX306 -->
  <context-param><param-name>objectGridName</param-name><param-value>session</param-value></context-param>
  <filter><filter-name>other</filter-name><filter-class>x.Other</filter-class></filter>
  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{FILTER}</filter-class></filter> <!-- WX303 -->
  <filter-mapping><filter-name>other</filter-name><url-pattern>/*</url-pattern></filter-mapping>
  <filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping> <!-- WX302 -->
</web-app>
"""

# The session class under another name, never mapped, in the Jakarta namespace.
SESSION_MISNAMED = f"""<?xml version="1.0" encoding="UTF-8"?>
<web-app {JAKARTA_60}>
  <filter><filter-name>sessions</filter-name><filter-class>{FILTER}</filter-class></filter> <!-- WX305 WX301 WX307 -->
  <listener><listener-class>{LISTENER}</listener-class></listener>
</web-app>
"""

# The listener without the filter: sessions stay in memory.
LISTENER_ONLY = f"""<web-app {JAVAEE_30}>
  <listener><listener-class>{LISTENER}</listener-class></listener> <!-- WX303 -->
</web-app>
"""

NS_MISMATCH = """<?xml version="1.0"?>
<web-app xmlns="http://java.sun.com/xml/ns/j2ee" version="3.0"> <!-- WX104 -->
</web-app>
"""

NO_NAMESPACE = """<web-app> <!-- WX105 -->
  <filter-mapping><filter-name>ghost</filter-name><url-pattern>/*</url-pattern></filter-mapping> <!-- WX201 -->
</web-app>
"""

FRAGMENT = """<web-fragment xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">
  <name>a</name>
  <name>b</name> <!-- WX207 -->
  <filter-mapping><filter-name>declared-elsewhere</filter-name><url-pattern>/*</url-pattern></filter-mapping> <!-- WX201 -->
</web-fragment>
"""

CASES = {
    "structure": (STRUCTURE, "web.xml"),
    "session": (SESSION, "web.xml"),
    "session-misnamed": (SESSION_MISNAMED, "web.xml"),
    "listener-only": (LISTENER_ONLY, "web.xml"),
    "namespace-mismatch": (NS_MISMATCH, "web.xml"),
    "no-namespace": (NO_NAMESPACE, "web.xml"),
    "fragment": (FRAGMENT, "web-fragment.xml"),
}

WARNINGS = {"WX102", "WX105", "WX204", "WX306", "WX307"}


def markers(text: str) -> list[tuple[int, str]]:
    """(line, code) for every code named in a marker comment, in order."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        for comment in re.findall(r"<!--(.*?)-->", line):
            found += [(number, code) for code in re.findall(r"WX\d{3}", comment)]
    return sorted(found)


def run(tmp_path: Path, text: str, name: str) -> tuple[Path, list[Finding]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = validate([path], catalog=NO_SCHEMAS)
    return path, [f for f in report.findings if f.code != "WX102"]


@pytest.mark.parametrize("case", list(CASES))
def test_every_planted_violation_is_found_where_it_is(tmp_path: Path, case: str) -> None:
    text, name = CASES[case]
    path, findings = run(tmp_path, text, name)
    assert {f.location for f in findings} <= {str(path)}
    assert sorted((f.line, f.code) for f in findings) == markers(text)


def test_complete_descriptors_make_undeclared_names_errors(tmp_path: Path) -> None:
    _, findings = run(tmp_path, STRUCTURE, "web.xml")
    by_code = {(f.code, f.severity) for f in findings}
    assert ("WX201", "error") in by_code and ("WX202", "error") in by_code
    # A container-provided servlet is only a warning, even in a complete descriptor.
    default = [f for f in findings if f.code == "WX202" and "'default'" in f.message]
    assert [f.severity for f in default] == ["warning"]


def test_incomplete_descriptors_make_undeclared_names_warnings(tmp_path: Path) -> None:
    """Servlet 3.0+ without metadata-complete: an annotation or fragment may declare the filter."""
    text = STRUCTURE.replace(' metadata-complete="true"', "")
    _, findings = run(tmp_path, text, "web.xml")
    assert {f.severity for f in findings if f.code in ("WX201", "WX202")} == {"warning"}


def test_severities(tmp_path: Path) -> None:
    for text, name in CASES.values():
        _, findings = run(tmp_path, text, name)
        for f in findings:
            if f.code in WARNINGS:
                assert f.severity == "warning", f
            elif f.code not in ("WX201", "WX202", "WX303"):
                assert f.severity == "error", f


def test_columns_point_at_the_start_tag(tmp_path: Path) -> None:
    _, findings = run(tmp_path, STRUCTURE, "web.xml")
    (star,) = [f for f in findings if f.code == "WX203" and "'*' is not" in f.message]
    line = STRUCTURE.splitlines()[star.line - 1]
    assert line[star.column - 1 :].startswith("<url-pattern>*</url-pattern>")


def test_a_valid_spliced_descriptor_has_no_findings(tmp_path: Path) -> None:
    text = f"""<web-app {JAVAEE_30}>
  <context-param><param-name>objectGridType</param-name><param-value>REMOTE</param-value></context-param>
  <filter><filter-name>HttpSessionFilter</filter-name><filter-class>{FILTER}</filter-class></filter>
  <filter><filter-name>other</filter-name><filter-class>x.Other</filter-class></filter>
  <filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping>
  <filter-mapping><filter-name>other</filter-name><url-pattern>*.jsp</url-pattern></filter-mapping>
  <listener><listener-class>{LISTENER}</listener-class></listener>
</web-app>"""
    assert run(tmp_path, text, "web.xml")[1] == []


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/*", None),
        ("/", None),
        ("", None),
        ("/app/*", None),
        ("*.jsp", None),
        ("/exact.html", None),
        ("/a%25b", None),
        ("*", "error"),
        ("*.do/x", "error"),
        ("admin/*", "error"),
        ("/a\nb", "error"),
        ("/a/*.jsp", "warning"),
        ("/a*", "warning"),
        ("/*/*", "warning"),
    ],
    ids=lambda value: repr(value),
)
def test_url_pattern_syntax(pattern: str, expected: str | None) -> None:
    problem = check_url_pattern(pattern)
    assert (problem[0] if problem else None) == expected
