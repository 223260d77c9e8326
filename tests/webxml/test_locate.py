"""The scanner that maps lxml's nodes to offsets: tricky markup, and generated documents."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.webxml import splice_webxml
from splicer.webxml.locate import Layout, scan
from splicer.xmlsafe import parse_xml

from .conftest import WHERE, assert_spliced, is_subsequence


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<a/>", [("element", "<a/>")]),
        ("<a x='>' y=\"'/>\"></a>", [("element", "<a x='>' y=\"'/>\"></a>")]),
        ("<a><!-- <b> --><?p <c/>?><![CDATA[<d>]]></a >",
         [("element", "<a><!-- <b> --><?p <c/>?><![CDATA[<d>]]></a >"), ("comment", "<!-- <b> -->"), ("pi", "<?p <c/>?>")]),
        ("<?xml version='1.0'?><!-- <x> --><!DOCTYPE a [<!ATTLIST a b CDATA '>]'><!-- ]> -->]><a\n  b = 'c'\n/>",
         [("element", "<a\n  b = 'c'\n/>")]),
        ("<p:a xmlns:p='u'><p:b>t&gt;</p:b ></p:a><!-- after -->",
         [("element", "<p:a xmlns:p='u'><p:b>t&gt;</p:b ></p:a>"), ("element", "<p:b>t&gt;</p:b >")]),
    ],
    ids=["self-closing", "quoted-gt", "comment-pi-cdata", "prolog-and-subset", "prefixed"],
)
def test_scan(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(kind, text[s.start : s.end]) for kind, s in scan(text)] == expected


def test_spans_of_an_element() -> None:
    text = "<r><a k='v'>x<b/>y</a></r>"
    layout = Layout(text, parse_xml(text.encode(), Where()), Where())
    a = layout.root[0]
    span = layout.span(a)
    assert text[span.start : span.open_end] == "<a k='v'>"
    assert text[span.close_start : span.end] == "</a>"
    assert (span.qname, span.self_closing) == ("a", False)
    assert layout.span(a[0]).self_closing


def test_disagreement_with_lxml_is_refused() -> None:
    tree = parse_xml(b"<r><a/></r>", Where(("x.xml",)))
    with pytest.raises(DescriptorError) as caught:
        Layout("<r><b/></r>", tree, Where(("x.xml",)))
    assert caught.value.reason.startswith("cannot locate the markup: expected ('element', 'a')")


# -- generated documents ------------------------------------------------------------------

_attr_value = st.text(alphabet="ab>/ =", max_size=4)
_text = st.sampled_from(["", "t", " a>b ", "&amp;", "&#65;", "<![CDATA[<x/>]]>", "\n  "])
_misc = st.sampled_from(["", "<!-- c <x> -->", "<?pi <y/> ?>", "\n\n"])
_space = st.sampled_from(["", " ", "\n    ", "\t"])


@st.composite
def _attrs(draw: st.DrawFn) -> str:
    out = []
    for i in range(draw(st.integers(0, 2))):
        value = draw(_attr_value)
        quote = draw(st.sampled_from(["'", '"']))
        out.append(f"{draw(st.sampled_from([' ', chr(10)]))}a{i}{draw(_space)}={draw(_space)}{quote}{value}{quote}")
    return "".join(out)


@st.composite
def _element(draw: st.DrawFn, name: str, depth: int) -> str:
    open_tag = f"<{name}{draw(_attrs())}{draw(_space)}"
    if draw(st.booleans()) and depth > 0:
        return open_tag + "/>"
    body = [draw(_text)]
    for _ in range(draw(st.integers(0, 2)) if depth < 2 else 0):
        body += [draw(_misc), draw(_element(f"e{depth}", depth + 1)), draw(_text)]
    return f"{open_tag}>{''.join(body)}</{name}{draw(_space)}>"


_KINDS = {
    "context-param": "<context-param><param-name>other</param-name><param-value>v</param-value></context-param>",
    "filter": "<filter><filter-name>f</filter-name><filter-class>F</filter-class></filter>",
    "filter-mapping": "<filter-mapping><filter-name>f</filter-name><url-pattern>/*</url-pattern></filter-mapping>",
    "listener": "<listener><listener-class>L</listener-class></listener>",
}


@st.composite
def _web_app(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(["", "<?xml version='1.0'?>\n"])), draw(_misc), "<web-app>"]
    for _ in range(draw(st.integers(0, 5))):
        parts.append(draw(st.sampled_from(["\n  ", "", " ", "\r\n\t"])))
        parts.append(draw(st.one_of(st.sampled_from(sorted(_KINDS.values())), _element("servlet", 1), _misc)))
    parts.append(draw(st.sampled_from(["\n", ""])) + "</web-app>" + draw(_misc))
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(_element("root", 0))
def test_generated_spans_hold_their_elements(text: str) -> None:
    tree = parse_xml(text.encode(), Where())
    layout = Layout(text, tree, Where())
    for element in tree.getroot().iter(etree.Element):
        span = layout.span(element)
        alone = etree.fromstring(text[span.start : span.end].encode())
        assert (alone.tag, dict(alone.attrib), "".join(alone.itertext())) == (
            element.tag, dict(element.attrib), "".join(element.itertext()))


@settings(max_examples=150, deadline=None)
@given(_web_app())
def test_generated_descriptors_splice_faithfully(text: str) -> None:
    data = text.encode()
    params = [("objectGridName", "session")]
    result = splice_webxml(data, params, WHERE)
    assert is_subsequence(data, result.output)
    assert_spliced(result.output, params)
    again = splice_webxml(result.output, params, WHERE)
    assert (again.changed, again.output) == (False, result.output)


_OURS = {
    "mapping": "<filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern></filter-mapping>",
    "param": "<context-param>\n    <param-name>objectGridName</param-name>\n    <param-value> old </param-value>\n  </context-param>",
}


@st.composite
def _spliced_before(draw: st.DrawFn) -> str:
    """A descriptor holding our mapping (anywhere) and our param with an old value."""
    items = [draw(st.sampled_from(sorted(_KINDS.values()))) for _ in range(draw(st.integers(0, 4)))]
    items.insert(draw(st.integers(0, len(items))), _OURS["mapping"])
    items.insert(draw(st.integers(0, len(items))), _OURS["param"])
    seps = [draw(st.sampled_from(["\n  ", "", " ", "\n\n  ", "\n  <!-- c -->\n  "])) for _ in items]
    return "<web-app>" + "".join(s + i for s, i in zip(seps, items)) + "\n</web-app>\n"


def _others(data: bytes) -> list[bytes]:
    """The root's children that are not the splice's, serialised without their tails."""
    texts = [etree.tostring(c, with_tail=False) for c in etree.fromstring(data)]
    return [t for t in texts if b"HttpSession" not in t and b"objectGridName" not in t]


@settings(max_examples=150, deadline=None)
@given(_spliced_before())
def test_generated_updates_and_moves(text: str) -> None:
    data = text.encode()
    params = [("objectGridName", "session")]
    result = splice_webxml(data, params, WHERE)
    assert "update context-param objectGridName: old -> session" in result.actions
    assert_spliced(result.output, params)
    assert _others(result.output) == _others(data)
    again = splice_webxml(result.output, params, WHERE)
    assert (again.changed, again.output) == (False, result.output)
