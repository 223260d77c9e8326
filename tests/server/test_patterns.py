"""Servlet url-pattern matching and the filter chain of a module."""

from __future__ import annotations

import pytest

from splicer.server.patterns import dispatch_applies, matches
from splicer.server.settings import SESSION_FILTER_CLASS
from splicer.server.webapp import WebApp
from splicer.webxml.model import Descriptor, FilterDef, FilterMapping, ServletMapping


def descriptor(
    filters: tuple[FilterDef, ...] = (),
    mappings: tuple[FilterMapping, ...] = (),
    servlets: tuple[tuple[str, str], ...] = (),
) -> Descriptor:
    return Descriptor(
        version="3.0",
        namespace="http://java.sun.com/xml/ns/javaee",
        filters={f.name: f for f in filters},
        filter_mappings=list(mappings),
        servlet_mappings=[ServletMapping(name, (pattern,)) for name, pattern in servlets],
    )


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/*", "/SessionTest.jsp", True),
        ("*", "/img/a.png", True),
        ("/SessionTest.jsp", "/SessionTest.jsp", True),
        ("/SessionTest.jsp", "/SessionTest.jspx", False),
        ("/app/*", "/app", True),
        ("/app/*", "/app/x/y.jsp", True),
        ("/app/*", "/application", False),
        ("*.jsp", "/dir/SessionTest.jsp", True),
        ("*.jsp", "/dir.jsp/x.html", False),
        ("/", "/index.html", True),
        ("/", "/SessionTest.jsp", False),
    ],
    ids=[
        "slash-star",
        "bare-star-websphere",
        "exact",
        "exact-no-prefix",
        "prefix-itself",
        "prefix-below",
        "prefix-not-substring",
        "extension",
        "extension-last-segment-only",
        "default-takes-files",
        "default-not-jsp",
    ],
)
def test_matches(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("dispatchers", "expected"),
    [((), True), (("REQUEST",), True), (("FORWARD", "request"), True), (("FORWARD", "INCLUDE"), False)],
    ids=["none-means-request", "request", "case-insensitive", "no-request"],
)
def test_dispatch_applies(dispatchers: tuple[str, ...], expected: bool) -> None:
    assert dispatch_applies(dispatchers) is expected


SESSION = FilterDef("HttpSessionFilter", SESSION_FILTER_CLASS)
AUDIT = FilterDef("Audit", "com.example.AuditFilter")


@pytest.mark.parametrize(
    ("mappings", "servlets", "path", "chain"),
    [
        ((FilterMapping("HttpSessionFilter", ("*",)),), (), "/SessionTest.jsp", ["HttpSessionFilter"]),
        (
            (FilterMapping("Audit", ("/*",)), FilterMapping("HttpSessionFilter", ("/*",))),
            (),
            "/a.jsp",
            ["Audit", "HttpSessionFilter"],
        ),
        (
            (FilterMapping("HttpSessionFilter", servlet_names=("Report",)), FilterMapping("Audit", ("/*",))),
            (("Report", "/report/*"),),
            "/report/x",
            ["Audit", "HttpSessionFilter"],
        ),
        ((FilterMapping("HttpSessionFilter", ("/secure/*",)),), (), "/open.jsp", []),
        ((FilterMapping("HttpSessionFilter", ("/*",), dispatchers=("FORWARD",)),), (), "/a.jsp", []),
        ((FilterMapping("Missing", ("/*",)),), (), "/a.jsp", []),
    ],
    ids=["tutorial-star", "mapping-order", "url-before-servlet-name", "not-mapped-here", "forward-only", "undeclared"],
)
def test_filter_chain(
    mappings: tuple[FilterMapping, ...], servlets: tuple[tuple[str, str], ...], path: str, chain: list[str]
) -> None:
    app = WebApp("Web", "/Web", descriptor((SESSION, AUDIT), mappings, servlets))
    assert [f.name for f in app.filter_chain(path)] == chain
    assert app.session_filtered(path) is ("HttpSessionFilter" in chain)


@pytest.mark.parametrize(
    ("servlets", "path", "servlet"),
    [
        ((("A", "/x/*"), ("B", "/x/y/*")), "/x/y/z", "B"),
        ((("A", "/x/*"), ("B", "/x/y")), "/x/y", "B"),
        ((("A", "*.do"), ("B", "/")), "/a.do", "A"),
        ((("B", "/"),), "/a.html", "B"),
        ((("B", "/"),), "/a.jsp", None),
    ],
    ids=["longest-prefix", "exact-first", "extension-before-default", "default", "jsp-servlet-not-default"],
)
def test_servlet_for(servlets: tuple[tuple[str, str], ...], path: str, servlet: str | None) -> None:
    assert WebApp("Web", "/Web", descriptor(servlets=servlets)).servlet_for(path) == servlet
