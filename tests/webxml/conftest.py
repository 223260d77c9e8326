"""Fixtures and checks shared by the web.xml tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from splicer.errors import Where
from splicer.webxml import SESSION_FILTER_CLASS, SESSION_FILTER_NAME, SESSION_LISTENER_CLASS

# The seven parameters of the tutorial's run (000_48d2f527b834979d.txt, step 4.4).
TUTORIAL_PARAMS: list[tuple[str, str]] = [
    ("securityEnabled", "false"),
    ("fragmentedSession", "true"),
    ("sessionTableSize", "1000"),
    ("objectGridType", "REMOTE"),
    ("reuseSessionId", "true"),
    ("replicationInterval", "10"),
    ("objectGridName", "session"),
]

WHERE = Where(("app.ear", "Web.war", "WEB-INF/web.xml"))
DATA = Path(__file__).resolve().parent.parent / "data" / "webxml"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def is_subsequence(small: bytes, big: bytes) -> bool:
    """Every byte of *small* appears in *big*, in order: nothing of the input was lost."""
    it = iter(big)
    return all(b in it for b in small)


def children(root: etree._Element, local: str) -> list[etree._Element]:
    return [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == local]


def text(element: etree._Element, local: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return "".join(str(t) for t in child.itertext()).strip()
    return None


def assert_spliced(output: bytes, params: list[tuple[str, str]]) -> etree._Element:
    """Check with plain lxml (not the code under test) that the splice is all there."""
    root = etree.fromstring(output, etree.XMLParser(resolve_entities=False, no_network=True))
    values = {text(cp, "param-name"): text(cp, "param-value") for cp in children(root, "context-param")}
    for name, value in params:
        assert values.get(name) == value, name
        assert sum(text(cp, "param-name") == name for cp in children(root, "context-param")) == 1
    filters = [f for f in children(root, "filter") if text(f, "filter-name") == SESSION_FILTER_NAME]
    assert len(filters) == 1
    assert text(filters[0], "filter-class") == SESSION_FILTER_CLASS
    mappings = children(root, "filter-mapping")
    assert text(mappings[0], "filter-name") == SESSION_FILTER_NAME
    assert sum(text(m, "filter-name") == SESSION_FILTER_NAME for m in mappings) == 1
    listeners = [li for li in children(root, "listener") if text(li, "listener-class") == SESSION_LISTENER_CLASS]
    assert len(listeners) == 1
    return root
