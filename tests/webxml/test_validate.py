"""Offline validation against the declared schema or DTD."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from splicer.errors import HostileXmlError
from splicer.webxml import validate_webxml

JAVAEE_30 = 'xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"'
DTD_23 = '<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" "http://java.sun.com/dtd/web-app_2_3.dtd">\n'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (f"<web-app {JAVAEE_30}>\n  <display-name>x</display-name>\n</web-app>", []),
        (f"<web-app {JAVAEE_30}>\n  <bogus/>\n</web-app>", ["line 2: Element '{http://java.sun.com/xml/ns/javaee}bogus': "]),
        (f"{DTD_23}<web-app>\n  <display-name>x</display-name>\n</web-app>", []),
        (f"{DTD_23}<web-app>\n  <servlet/>\n  <listener/>\n</web-app>", ["line 2: Element web-app content does not follow the DTD, expecting (icon? "]),
        ("<web-app>\n</web-app>", ["line 1: no schema for namespace none and version unknown"]),
        ('<web-app xmlns="http://java.sun.com/xml/ns/j2ee" version="3.0"/>',
         ["line 1: no schema for namespace http://java.sun.com/xml/ns/j2ee and version 3.0"]),
    ],
    ids=["valid-xsd", "bogus-element", "valid-dtd", "dtd-order", "no-namespace", "mismatch"],
)
def test_validate(schemas_dir: Path, data: str, expected: list[str]) -> None:
    errors = validate_webxml(data.encode(), schemas_dir)
    assert len(errors) >= len(expected)
    for error, prefix in zip(errors, expected):
        assert error.startswith(prefix), error
    if not expected:
        assert errors == []


def test_hostile_instance_is_refused_not_validated(schemas_dir: Path) -> None:
    with pytest.raises(HostileXmlError):
        validate_webxml(b'<!DOCTYPE web-app [<!ENTITY e "x">]><web-app>&e;</web-app>', schemas_dir)


def test_a_missing_import_fails_instead_of_fetching(schemas_dir: Path, tmp_path: Path) -> None:
    """Without a local xml.xsd the compile fails: the resolver never hands libxml2 a URL."""
    for path in schemas_dir.iterdir():
        if path.name != "xml.xsd":
            shutil.copy(path, tmp_path / path.name)
    with pytest.raises(etree.XMLSchemaParseError):
        validate_webxml(f"<web-app {JAVAEE_30}/>".encode(), tmp_path)
