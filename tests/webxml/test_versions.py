"""Each descriptor version gets the shapes its grammar allows; 2.2 and strangers are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from splicer.webxml.catalog import SchemaCatalog
from splicer.errors import DescriptorError, Where
from splicer.webxml import (
    JAKARTA_WARNING,
    UNKNOWN_VERSION_WARNING,
    minimal_webxml,
    splice_webxml,
    validate_webxml,
)

from conftest import require_schema

from .conftest import TUTORIAL_PARAMS, WHERE, assert_spliced, children

SCHEMA_FORMS = [
    ("http://java.sun.com/xml/ns/j2ee", "2.4"),
    ("http://java.sun.com/xml/ns/javaee", "2.5"),
    ("http://java.sun.com/xml/ns/javaee", "3.0"),
    ("http://xmlns.jcp.org/xml/ns/javaee", "3.1"),
    ("http://xmlns.jcp.org/xml/ns/javaee", "4.0"),
    ("https://jakarta.ee/xml/ns/jakartaee", "5.0"),
    ("https://jakarta.ee/xml/ns/jakartaee", "6.0"),
    ("https://jakarta.ee/xml/ns/jakartaee", "6.1"),
    ("https://jakarta.ee/xml/ns/jakartaee", "6.2"),
]
BODY = """  <display-name>d</display-name>
  <context-param><param-name>p</param-name><param-value>v</param-value></context-param>
  <filter><filter-name>f</filter-name><filter-class>F</filter-class></filter>
  <filter-mapping><filter-name>f</filter-name><url-pattern>/f</url-pattern></filter-mapping>
  <listener><listener-class>L</listener-class></listener>
  <servlet><servlet-name>s</servlet-name><servlet-class>S</servlet-class></servlet>
  <servlet-mapping><servlet-name>s</servlet-name><url-pattern>/s</url-pattern></servlet-mapping>
  <welcome-file-list><welcome-file>index.html</welcome-file></welcome-file-list>
"""
DTD_23 = (
    '<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" '
    '"http://java.sun.com/dtd/web-app_2_3.dtd">\n'
)


def _local_names(element: etree._Element) -> list[str]:
    return [etree.QName(c).localname for c in element if isinstance(c.tag, str)]


def _ours(root: etree._Element, kind: str, name_child: str, name: str) -> etree._Element:
    found = [e for e in children(root, kind) if any(etree.QName(c).localname == name_child and (c.text or "").strip() == name for c in e)]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(("namespace", "version"), SCHEMA_FORMS, ids=[v for _, v in SCHEMA_FORMS])
def test_schema_versions(namespace: str, version: str, schemas: SchemaCatalog) -> None:
    require_schema(schemas, f"web-app_{version.replace('.', '_')}.xsd")
    data = f'<web-app xmlns="{namespace}" version="{version}">\n{BODY}</web-app>\n'.encode()
    assert validate_webxml(data, schemas) == []
    result = splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert validate_webxml(result.output, schemas) == []
    root = assert_spliced(result.output, TUTORIAL_PARAMS)
    assert (result.version, result.jakarta) == (version, namespace.startswith("https://jakarta.ee"))
    flt = _ours(root, "filter", "filter-name", "HttpSessionFilter")
    assert _local_names(flt) == ["description", "display-name", "filter-name", "filter-class"]
    mapping = children(root, "filter-mapping")[0]
    assert _local_names(mapping) == ["filter-name", "url-pattern", "dispatcher"]
    listener = children(root, "listener")[0]
    assert _local_names(listener) == ["description", "display-name", "listener-class"]
    if result.jakarta:
        assert [w.message_id for w in result.warnings] == [JAKARTA_WARNING]
        assert "javax.servlet class and will not load in a Jakarta container" in result.warnings[0].text
        assert result.warnings[0].where == WHERE.at(1)
    else:
        assert result.warnings == []


def test_servlet_23_shapes_and_order(schemas: SchemaCatalog) -> None:
    data = f'<?xml version="1.0" encoding="ISO-8859-1"?>\n{DTD_23}<web-app>\n{BODY}</web-app>\n'.encode("latin-1")
    assert validate_webxml(data, schemas) == []
    result = splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert validate_webxml(result.output, schemas) == []
    root = assert_spliced(result.output, TUTORIAL_PARAMS)
    assert result.version == "2.3" and result.warnings == []
    flt = _ours(root, "filter", "filter-name", "HttpSessionFilter")
    assert _local_names(flt) == ["filter-name", "display-name", "description", "filter-class"]
    assert _local_names(children(root, "filter-mapping")[0]) == ["filter-name", "url-pattern"]
    assert _local_names(children(root, "listener")[0]) == ["listener-class"]
    assert _local_names(root) == (
        ["display-name"] + ["context-param"] * 8 + ["filter"] * 2 + ["filter-mapping"] * 2
        + ["listener"] * 2 + ["servlet", "servlet-mapping", "welcome-file-list"]
    )


def test_servlet_23_by_system_id_only() -> None:
    data = b'<!DOCTYPE web-app SYSTEM "http://java.sun.com/dtd/web-app_2_3.dtd">\n<web-app>\n</web-app>\n'
    assert splice_webxml(data, [], WHERE).version == "2.3"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN" "http://java.sun.com/j2ee/dtds/web-app_2_2.dtd">',
        "<!DOCTYPE web-app PUBLIC '-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN' 'web-app_2_2.dtd'>",
    ],
    ids=["double-quoted", "single-quoted"],
)
def test_servlet_22_is_refused_with_the_way_out(doctype: str) -> None:
    data = f"<?xml version='1.0'?>\n{doctype}\n\n<web-app>\n  <display-name>x</display-name>\n</web-app>\n".encode()
    with pytest.raises(DescriptorError) as caught:
        splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert caught.value.reason == "a Servlet 2.2 descriptor cannot take the session filter"
    assert caught.value.where == WHERE.at(4)
    assert caught.value.hint is not None
    assert "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" in caught.value.hint
    assert "Servlet 2.4+" in caught.value.hint


def test_no_namespace_no_doctype_is_unknown_and_written_the_23_way() -> None:
    data = b"<web-app>\n  <servlet><servlet-name>s</servlet-name><servlet-class>S</servlet-class></servlet>\n</web-app>\n"
    result = splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert result.version == "unknown"
    assert [(w.message_id, w.where) for w in result.warnings] == [(UNKNOWN_VERSION_WARNING, WHERE.at(1))]
    root = assert_spliced(result.output, TUTORIAL_PARAMS)
    assert _local_names(children(root, "filter-mapping")[0]) == ["filter-name", "url-pattern"]
    assert _local_names(children(root, "listener")[0]) == ["listener-class"]


def test_missing_version_attribute_takes_the_namespace_first_version() -> None:
    data = b'<web-app xmlns="http://java.sun.com/xml/ns/javaee">\n</web-app>\n'
    assert splice_webxml(data, [], WHERE).version == "2.5"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<web-fragment xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"/>',
         "the root element is <web-fragment>, not <web-app>"),
        (b'<web-app xmlns="urn:nothing" version="3.0"/>',
         "the root element is in the namespace 'urn:nothing', which no Servlet version uses"),
        (b"<web-app><unclosed></web-app>", "not well-formed XML: "),
        (b"", "not well-formed XML: "),
    ],
    ids=["fragment", "foreign-namespace", "malformed", "empty"],
)
def test_not_a_web_app(data: bytes, reason: str) -> None:
    with pytest.raises(DescriptorError) as caught:
        splice_webxml(data, [], WHERE)
    assert caught.value.reason.startswith(reason)
    assert caught.value.where.parts == WHERE.parts


def test_minimal_descriptor(schemas: SchemaCatalog) -> None:
    data = minimal_webxml()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n') and b"\r" not in data
    root = etree.fromstring(data)
    assert (etree.QName(root).namespace, root.get("version")) == ("http://java.sun.com/xml/ns/javaee", "3.0")
    assert root.get("metadata-complete") == "false" and len(root) == 0
    assert validate_webxml(data, schemas) == []
    result = splice_webxml(data, TUTORIAL_PARAMS, Where(("a.war", "WEB-INF/web.xml")))
    assert validate_webxml(result.output, schemas) == []
    assert_spliced(result.output, TUTORIAL_PARAMS)
    assert result.output.startswith(data[: data.index(b"</web-app>")] + b"    <context-param>\n")
