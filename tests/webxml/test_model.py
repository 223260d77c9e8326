"""The read model the emulated application server deploys from."""

from __future__ import annotations

from pathlib import Path

import pytest

from splicer.errors import DescriptorError, HostileXmlError, Where
from splicer.webxml import (
    CookieConfig,
    FilterDef,
    FilterMapping,
    ServletDef,
    ServletMapping,
    SessionConfig,
    read_descriptor,
    splice_webxml,
)

from .conftest import TUTORIAL_PARAMS, WHERE

RICH = b"""<?xml version="1.0" encoding="UTF-8"?>
<app:web-app xmlns:app="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">
  <app:display-name> Session Test </app:display-name>
  <app:distributable/>
  <app:context-param><app:param-name>a</app:param-name><app:param-value> 1 </app:param-value></app:context-param>
  <app:context-param><app:param-name>b</app:param-name><app:param-value/></app:context-param>
  <app:filter>
    <app:filter-name>enc</app:filter-name><app:filter-class>Enc</app:filter-class>
    <app:init-param><app:param-name>charset</app:param-name><app:param-value>UTF-8</app:param-value></app:init-param>
  </app:filter>
  <app:filter-mapping><app:filter-name>enc</app:filter-name><app:servlet-name>jsp</app:servlet-name>
    <app:dispatcher>FORWARD</app:dispatcher><app:dispatcher>INCLUDE</app:dispatcher></app:filter-mapping>
  <app:listener><app:listener-class>L1</app:listener-class></app:listener>
  <app:servlet><app:servlet-name>jsp</app:servlet-name><app:jsp-file>/SessionTest.jsp</app:jsp-file>
    <app:load-on-startup>2</app:load-on-startup></app:servlet>
  <app:servlet-mapping><app:servlet-name>jsp</app:servlet-name><app:url-pattern>/t</app:url-pattern><app:url-pattern>*.do</app:url-pattern></app:servlet-mapping>
  <app:session-config>
    <app:session-timeout>30</app:session-timeout>
    <app:cookie-config><app:name>JSESSIONID</app:name><app:path>/</app:path><app:http-only>true</app:http-only><app:secure>false</app:secure></app:cookie-config>
    <app:tracking-mode>COOKIE</app:tracking-mode>
  </app:session-config>
  <app:welcome-file-list><app:welcome-file>index.html</app:welcome-file><app:welcome-file>index.jsp</app:welcome-file></app:welcome-file-list>
</app:web-app>
"""


def test_rich_descriptor() -> None:
    d = read_descriptor(RICH, WHERE)
    assert (d.version, d.namespace, d.jakarta) == ("3.1", "http://xmlns.jcp.org/xml/ns/javaee", False)
    assert (d.display_name, d.distributable) == ("Session Test", True)
    assert d.context_params == {"a": "1", "b": ""}
    assert d.filters == {"enc": FilterDef("enc", "Enc", {"charset": "UTF-8"})}
    assert d.filter_mappings == [FilterMapping("enc", (), ("jsp",), ("FORWARD", "INCLUDE"))]
    assert d.listeners == ["L1"]
    assert d.servlets == {"jsp": ServletDef("jsp", None, "/SessionTest.jsp", {}, 2)}
    assert d.servlet_mappings == [ServletMapping("jsp", ("/t", "*.do"))]
    assert d.session_config == SessionConfig(30, CookieConfig("JSESSIONID", "/", None, True, False, None), ("COOKIE",))
    assert d.welcome_files == ["index.html", "index.jsp"]


def test_spliced_tutorial_reads_back(data_dir: Path) -> None:
    d = read_descriptor((data_dir / "tutorial-2.5-spliced.xml").read_bytes(), WHERE)
    assert list(d.context_params.items()) == TUTORIAL_PARAMS
    assert d.filters["HttpSessionFilter"].filter_class == "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
    assert d.filter_mappings == [FilterMapping("HttpSessionFilter", ("/*",), (), ("REQUEST",))]
    assert d.listeners == ["com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"]
    assert d.session_config is None and d.welcome_files == ["index.html", "SessionTest.jsp"]


def test_reads_servlet_22_and_23_forms() -> None:
    data = (
        b'<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN" "x">\n'
        b"<web-app><servlet><servlet-name>s</servlet-name><servlet-class>S</servlet-class></servlet>"
        b"<session-config><session-timeout>5</session-timeout></session-config></web-app>"
    )
    d = read_descriptor(data, WHERE)
    assert (d.version, d.namespace) == ("2.2", "")
    assert d.servlets["s"].servlet_class == "S"
    assert d.session_config == SessionConfig(5, None, ())


@pytest.mark.parametrize(
    ("body", "reason", "line"),
    [
        ("<context-param><param-name>a</param-name></context-param>\n"
         "<context-param><param-name>a</param-name></context-param>",
         "the context-param a is declared twice", 3),
        ("<filter><filter-name>f</filter-name></filter>\n<filter><filter-name>f</filter-name></filter>",
         "the filter f is declared twice", 3),
        ("<servlet><servlet-class>S</servlet-class></servlet>", "<servlet> has no <servlet-name>", 2),
        ("<session-config><session-timeout>half</session-timeout></session-config>",
         "<session-timeout> is not a whole number: 'half'", 2),
    ],
    ids=["context-param-twice", "filter-twice", "servlet-without-name", "bad-timeout"],
)
def test_refusals(body: str, reason: str, line: int) -> None:
    data = f'<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">\n{body}\n</web-app>'.encode()
    with pytest.raises(DescriptorError) as caught:
        read_descriptor(data, WHERE)
    assert caught.value.reason == reason
    assert caught.value.where == WHERE.at(line)


def test_hostile_is_refused() -> None:
    data = b'<!DOCTYPE web-app [<!ENTITY e "x">]><web-app>&e;</web-app>'
    with pytest.raises(HostileXmlError):
        read_descriptor(data, Where(("w.war",)))


def test_every_corpus_file_that_splices_reads(corpus_dir: Path) -> None:
    read = 0
    for path in sorted(corpus_dir.glob("*.xml")):
        data = path.read_bytes()
        try:
            spliced = splice_webxml(data, TUTORIAL_PARAMS, Where((path.name,))).output
        except DescriptorError:
            continue
        d = read_descriptor(spliced, Where((path.name,)))
        assert d.filter_mappings[0].filter_name == "HttpSessionFilter", path.name
        assert d.context_params["objectGridName"] == "session"
        read += 1
    assert read >= 58
