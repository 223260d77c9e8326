"""Fixtures for the plug-in tests: the tutorial's application as an EAR built in code."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

WEB_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
  <display-name>MySessionTestWeb</display-name>
</web-app>
"""

APPLICATION_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<application xmlns="http://java.sun.com/xml/ns/javaee" version="5">
  <display-name>MySessionTest</display-name>
  <module><web><web-uri>MySessionTestWeb.war</web-uri><context-root>/MySessionTestWeb</context-root></web></module>
  <module><web><web-uri>Admin.war</web-uri><context-root>ops/admin</context-root></web></module>
</application>
"""


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def ear(tmp_path: Path) -> Path:
    """MySessionTest.ear: two web modules, context roots /MySessionTestWeb and /ops/admin."""
    war = _zip({"WEB-INF/web.xml": WEB_XML, "SessionTest.jsp": b"<%= session.getId() %>"})
    path = tmp_path / "MySessionTest.ear"
    path.write_bytes(_zip({
        "META-INF/application.xml": APPLICATION_XML,
        "MySessionTestWeb.war": war,
        "Admin.war": war,
    }))
    return path
