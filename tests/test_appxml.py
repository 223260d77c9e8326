"""application.xml: web modules and context roots across every platform version."""

from __future__ import annotations

import pytest

from splicer.appxml import read_application_xml
from splicer.errors import DescriptorError, HostileXmlError, Where

WHERE = Where(("app.ear", "META-INF/application.xml"))

J2EE_13 = b"""<?xml version="1.0"?>
<!DOCTYPE application PUBLIC "-//Sun Microsystems, Inc.//DTD J2EE Application 1.3//EN"
 "http://java.sun.com/dtd/application_1_3.dtd">
<application>
  <display-name>Old</display-name>
  <module><ejb>beans.jar</ejb></module>
  <module><web><web-uri>Shop.war</web-uri><context-root>/shop</context-root></web></module>
</application>
"""


def _ns_app(namespace: str, version: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<application xmlns="{namespace}" version="{version}">\n'
        f"{body}\n</application>\n"
    ).encode()


WEB = "<module><web><web-uri>A.war</web-uri><context-root>alpha</context-root></web></module>"
WEB_NO_ROOT = "<module><web><web-uri>B.war</web-uri></web></module>"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(J2EE_13, [("Shop.war", "/shop")], id="1.3-dtd"),
        pytest.param(_ns_app("http://java.sun.com/xml/ns/j2ee", "1.4", WEB), [("A.war", "alpha")], id="1.4-j2ee"),
        pytest.param(_ns_app("http://java.sun.com/xml/ns/javaee", "6", WEB + WEB_NO_ROOT), [("A.war", "alpha"), ("B.war", None)], id="6-javaee"),
        pytest.param(_ns_app("http://xmlns.jcp.org/xml/ns/javaee", "8", WEB), [("A.war", "alpha")], id="8-jcp"),
        pytest.param(_ns_app("https://jakarta.ee/xml/ns/jakartaee", "10", WEB), [("A.war", "alpha")], id="10-jakarta"),
    ],
)
def test_web_modules_in_order(data: bytes, expected: list[tuple[str, str | None]]) -> None:
    modules = read_application_xml(data, WHERE)
    assert [(m.web_uri, m.context_root) for m in modules] == expected


def test_not_an_application() -> None:
    with pytest.raises(DescriptorError, match=r"^CWWSM0301E: app\.ear!/META-INF/application\.xml:1: root element") as info:
        read_application_xml(b"<web-app/>", WHERE)
    assert info.value.where.line == 1


def test_web_module_without_uri_names_the_line() -> None:
    data = _ns_app("http://java.sun.com/xml/ns/javaee", "6", "<module>\n<web><context-root>x</context-root></web></module>")
    with pytest.raises(DescriptorError, match="has no <web-uri>") as info:
        read_application_xml(data, WHERE)
    assert info.value.where.line == 4


def test_entities_are_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE application [<!ENTITY x SYSTEM "file:///etc/passwd">]><application>&x;</application>'
    with pytest.raises(HostileXmlError) as info:
        read_application_xml(data, WHERE)
    assert "root:" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(J2EE_13.replace(b"</web></module>", b"</web><alt-dd>dd/shop.xml</alt-dd></module>"),
                     [("Shop.war", "dd/shop.xml")], id="1.3-dtd"),
        pytest.param(_ns_app("http://java.sun.com/xml/ns/javaee", "6",
                             "<module><web><web-uri>A.war</web-uri></web><alt-dd> alt/A.xml </alt-dd></module>" + WEB_NO_ROOT),
                     [("A.war", "alt/A.xml"), ("B.war", None)], id="6-javaee-trimmed"),
        pytest.param(_ns_app("https://jakarta.ee/xml/ns/jakartaee", "10",
                             "<module><web><web-uri>A.war</web-uri></web><alt-dd></alt-dd></module>"),
                     [("A.war", None)], id="10-empty-names-nothing"),
        pytest.param(_ns_app("http://java.sun.com/xml/ns/javaee", "6",
                             "<module><ejb>b.jar</ejb><alt-dd>b.xml</alt-dd></module>"), [], id="ejb-module-not-listed"),
    ],
)
def test_alt_dd_of_a_web_module(data: bytes, expected: list[tuple[str, str | None]]) -> None:
    """<alt-dd> is a sibling of <web> in <module>: the descriptor WebSphere deploys it with."""
    assert [(m.web_uri, m.alt_dd) for m in read_application_xml(data, WHERE)] == expected
