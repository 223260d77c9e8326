"""Offline validation against the declared schema or DTD."""

from __future__ import annotations

from pathlib import Path

import pytest

from splicer.errors import HostileXmlError
from splicer.webxml import validate_webxml
from splicer.webxml.catalog import SchemaCatalog, SchemaUnusable

JAVAEE_30 = 'xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"'
DTD_23 = '<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" "http://java.sun.com/dtd/web-app_2_3.dtd">\n'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (f"<web-app {JAVAEE_30}>\n  <display-name>x</display-name>\n</web-app>", []),
        (f"<web-app {JAVAEE_30}>\n  <bogus/>\n</web-app>", ["line 2: Element 'bogus': This element is not expected."]),
        (f"{DTD_23}<web-app>\n  <display-name>x</display-name>\n</web-app>", []),
        (f"{DTD_23}<web-app>\n  <servlet><servlet-name>s</servlet-name><jsp-file>/a.jsp</jsp-file></servlet>\n"
         "  <listener/>\n</web-app>",
         ["line 4: <listener> is not allowed here in <web-app> (after <servlet>); the DTD expects servlet, "]),
        ("<web-app>\n</web-app>", ["line 1: no schema for namespace none and version unknown"]),
        ('<web-app xmlns="http://java.sun.com/xml/ns/j2ee" version="3.0"/>',
         ["line 1: no schema for namespace http://java.sun.com/xml/ns/j2ee and version 3.0"]),
    ],
    ids=["valid-xsd", "bogus-element", "valid-dtd", "dtd-order", "no-namespace", "mismatch"],
)
def test_validate(schemas: SchemaCatalog, data: str, expected: list[str]) -> None:
    errors = validate_webxml(data.encode(), schemas)
    assert len(errors) >= len(expected)
    for error, prefix in zip(errors, expected):
        assert error.startswith(prefix), error
    if not expected:
        assert errors == []


def test_hostile_instance_is_refused_not_validated(schemas: SchemaCatalog) -> None:
    with pytest.raises(HostileXmlError):
        validate_webxml(b'<!DOCTYPE web-app [<!ENTITY e "x">]><web-app>&e;</web-app>', schemas)


def test_a_missing_import_fails_instead_of_fetching(schemas: SchemaCatalog, tmp_path: Path) -> None:
    """Without a local xml.xsd the compile fails: the resolver never hands libxml2 a URL."""
    for source in reversed(schemas.sources):  # the first source holding a name wins
        for name in source.names:
            if name != "xml.xsd":
                (tmp_path / name).write_bytes(source.read(name))
    with pytest.raises(SchemaUnusable, match=r"web-app_3_0\.xsd does not compile"):
        validate_webxml(f"<web-app {JAVAEE_30}/>".encode(), tmp_path)


def test_every_import_goes_through_the_local_resolver(
    schemas: SchemaCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The absolute URLs the schemas import are answered from the folder, never fetched."""
    from splicer.webxml import catalog as module

    asked: list[str] = []
    original = module._Resolver.resolve

    def recording(self: module._Resolver, url: str, public_id: str, context: object = None) -> object:
        asked.append(url)
        return original(self, url, public_id, context)

    monkeypatch.setattr(module._Resolver, "resolve", recording)
    data = b'<web-app xmlns="http://java.sun.com/xml/ns/j2ee" version="2.4"/>'
    assert validate_webxml(data, SchemaCatalog(schemas.sources)) == []
    assert "http://www.w3.org/2001/xml.xsd" in asked
    assert any(url.startswith("http://www.ibm.com/webservices/xsd/") for url in asked)
