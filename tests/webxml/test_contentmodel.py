"""DTD content models as derivatives: the first child a model refuses, and what it wanted there."""

from __future__ import annotations

import pytest

from splicer.webxml.contentmodel import EPS, Mismatch, Model, first_mismatch

# (icon?, name, (class | jsp)?, param*) written by hand in the Model form.
SERVLET: Model = ("seq", ("alt", ("el", "icon"), EPS),
                  ("seq", ("el", "name"),
                   ("seq", ("alt", ("alt", ("el", "class"), ("el", "jsp")), EPS), ("star", ("el", "param")))))


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        (["name"], None),
        (["icon", "name", "jsp", "param", "param"], None),
        (["name", "param", "class"], Mismatch(2, ["param"], "param")),
        (["class"], Mismatch(0, ["icon", "name"], None)),
        (["icon"], Mismatch(None, ["name"], "icon")),
        (["name", "class", "jsp"], Mismatch(2, ["param"], "class")),
        ([], Mismatch(None, ["icon", "name"], None)),
    ],
    ids=["minimal", "full", "out-of-order", "missing-first", "missing-at-end", "choice-twice", "empty"],
)
def test_first_mismatch(children: list[str], expected: Mismatch | None) -> None:
    assert first_mismatch(SERVLET, children) == expected


def test_the_23_web_app_order_from_the_dtd(schemas: object) -> None:
    from splicer.webxml.catalog import SchemaCatalog
    from splicer.webxml.contentmodel import from_lxml

    assert isinstance(schemas, SchemaCatalog)
    dtd = schemas.validator("web-app_2_3.dtd")
    (web_app,) = [d for d in getattr(dtd, "iterelements")() if d.name == "web-app"]
    model = from_lxml(web_app.content)
    assert first_mismatch(model, ["display-name", "filter", "filter-mapping", "listener", "servlet"]) is None
    found = first_mismatch(model, ["display-name", "servlet", "listener", "servlet-mapping"])
    assert found is not None and (found.index, found.previous) == (2, "servlet")
    assert found.expected[:3] == ["servlet", "servlet-mapping", "session-config"]
