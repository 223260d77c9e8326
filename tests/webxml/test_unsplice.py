"""unsplice_webxml: what splicing added comes out with its own text, and nothing else does."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splicer.errors import DescriptorError, SplicerError
from splicer.properties_keys import KNOWN_KEYS
from splicer.webxml import minimal_webxml, splice_webxml
from splicer.webxml.unsplice import created_by_splice, cut, deletions, unsplice_webxml

from .conftest import TUTORIAL_PARAMS, WHERE

FORMS = {
    "2.3": ('<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" '
            '"http://java.sun.com/dtd/web-app_2_3.dtd">', "", ""),
    "2.4": ("", "http://java.sun.com/xml/ns/j2ee", "2.4"),
    "2.5": ("", "http://java.sun.com/xml/ns/javaee", "2.5"),
    "3.0": ("", "http://java.sun.com/xml/ns/javaee", "3.0"),
    "3.1": ("", "http://xmlns.jcp.org/xml/ns/javaee", "3.1"),
    "4.0": ("", "http://xmlns.jcp.org/xml/ns/javaee", "4.0"),
    "6.0": ("", "https://jakarta.ee/xml/ns/jakartaee", "6.0"),
    "none": ("", "", ""),
}

# Children a descriptor may have without any of the splice in it: (name, [(child, text)]).
POOL = [
    ("display-name", "Shop & Co"),
    ("description", "Caf\u00e9 cr\u00e8me"),
    ("distributable", None),
    ("context-param", [("param-name", "contextConfigLocation"), ("param-value", "/WEB-INF/app.xml")]),
    ("context-param", [("param-name", "webAppRootKey"), ("param-value", " spaced ")]),
    ("filter", [("filter-name", "encoding"), ("filter-class", "org.example.EncodingFilter")]),
    ("filter-mapping", [("filter-name", "encoding"), ("url-pattern", "/*")]),
    ("filter-mapping", [("filter-name", "encoding"), ("servlet-name", "shop")]),
    ("listener", [("listener-class", "org.example.StartupListener")]),
    ("servlet", [("servlet-name", "shop"), ("servlet-class", "org.example.Shop")]),
    ("servlet-mapping", [("servlet-name", "shop"), ("url-pattern", "/shop/*")]),
    ("session-config", [("session-timeout", "30")]),
    ("welcome-file-list", [("welcome-file", "index.jsp")]),
    ("error-page", [("error-code", "404"), ("location", "/404.jsp")]),
]


@dataclass(frozen=True)
class Layout:
    newline: str
    unit: str
    one_line: bool
    blanks: str


def _element(name: str, content: str | list[tuple[str, str]] | None, prefix: str, indent: str, style: Layout,
             compact: bool) -> str:
    tag = prefix + name
    if content is None:
        return f"<{tag}/>"
    if isinstance(content, str):
        return f"<{tag}>{content.replace('&', '&amp;')}</{tag}>"
    if compact or style.one_line:
        return f"<{tag}>" + "".join(f"<{prefix}{c}>{t}</{prefix}{c}>" for c, t in content) + f"</{tag}>"
    inner = indent + style.unit
    body = "".join(f"{style.newline}{inner}<{prefix}{c}>{t}</{prefix}{c}>" for c, t in content)
    return f"<{tag}>{body}{style.newline}{indent}</{tag}>"


@st.composite
def descriptors(draw: st.DrawFn) -> bytes:
    """A web.xml of any form, layout, line break and encoding, without the splice in it."""
    form = draw(st.sampled_from(sorted(FORMS)))
    doctype, namespace, version = FORMS[form]
    prefix = draw(st.sampled_from(["", "w:"])) if namespace else ""
    style = Layout(draw(st.sampled_from(["\n", "\r\n", "\r"])), draw(st.sampled_from(["  ", "    ", "\t", " "])),
                   draw(st.booleans()), draw(st.sampled_from(["", " ", "  "])))
    encoding = draw(st.sampled_from(["UTF-8", "ISO-8859-1", "UTF-16", "BOM"]))
    nl, child_indent = style.newline, style.unit
    kinds = draw(st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=7))
    parts: list[str] = []
    for index, kind in enumerate(kinds):
        name, content = POOL[kind]
        text = _element(name, content, prefix, child_indent, style, draw(st.booleans()))
        if style.one_line:
            parts.append(style.blanks + text)
            continue
        # Mostly one a line; sometimes two on a line, a trailing comment, a blank line.
        shape = draw(st.sampled_from(["line", "line", "line", "same-line", "comment-after", "blank-line",
                                      "comment-before", "other-break"]))
        if shape == "other-break":  # a line ending that is not the document's own
            other = "\r\n" if nl == "\n" else "\n"
            parts.append(f"{other}{child_indent}{text}")
        elif shape == "same-line" and index:
            parts.append(" " + text)
        elif shape == "comment-after":
            parts.append(f"{nl}{child_indent}{text} <!-- {name} -->")
        elif shape == "blank-line":
            parts.append(f"{nl}{nl}{child_indent}{text}")
        elif shape == "comment-before":
            parts.append(f"{nl}{child_indent}<!-- the {name} -->{nl}{child_indent}{text}")
        else:
            parts.append(f"{nl}{child_indent}{text}")
    ns = ""
    if namespace:
        ns = f' xmlns{":" + prefix[:-1] if prefix else ""}="{namespace}" version="{version}"'
    close_on_own_line = not style.one_line and draw(st.booleans())
    tail = (nl if close_on_own_line else style.blanks) + f"</{prefix}web-app>"
    declared = encoding == "ISO-8859-1" or (encoding != "BOM" and draw(st.booleans()))  # Latin-1 must say so
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>{nl}' if declared else ""
    head = declaration + (doctype + nl if doctype else "")
    text = f"{head}<{prefix}web-app{ns}>{''.join(parts)}{tail}{nl if draw(st.booleans()) else ''}"
    if encoding == "BOM":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding == "UTF-16":
        return text.encode("utf-16")
    return text.encode(encoding.lower(), "xmlcharrefreplace")


VALUES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
PARAMS = st.lists(st.tuples(st.sampled_from(sorted(KNOWN_KEYS)), VALUES), min_size=0, max_size=5,
                  unique_by=lambda p: p[0])


@settings(max_examples=300, deadline=None)
@given(descriptors(), PARAMS)
def test_unsplice_of_splice_is_the_original(original: bytes, params: list[tuple[str, str]]) -> None:
    spliced = splice_webxml(original, params, WHERE)
    assert spliced.changed
    result = unsplice_webxml(spliced.output, None, WHERE)
    assert result.output == original
    assert result.params == params
    assert unsplice_webxml(spliced.output, [name for name, _ in params], WHERE).output == original
    # Nothing left to take out: the original comes back as it is.
    again = unsplice_webxml(original, None, WHERE)
    assert (again.changed, again.output) == (False, original)


@settings(max_examples=100, deadline=None)
@given(descriptors(), PARAMS, PARAMS)
def test_spliced_twice_with_other_settings_comes_back_whole(original: bytes, first: list[tuple[str, str]],
                                                           second: list[tuple[str, str]]) -> None:
    twice = splice_webxml(splice_webxml(original, first, WHERE).output, second, WHERE).output
    assert unsplice_webxml(twice, None, WHERE).output == original


@pytest.mark.parametrize("params", [[], TUTORIAL_PARAMS], ids=["no-params", "tutorial"])
def test_what_splicing_created_is_recognised(params: list[tuple[str, str]]) -> None:
    created = splice_webxml(minimal_webxml(), params, WHERE).output
    result = unsplice_webxml(created, None, WHERE)
    assert result.output == minimal_webxml()
    assert created_by_splice(created, result, WHERE)
    # Anything added since makes it the user's.
    edited = created.replace(b"</web-app>", b"    <display-name>mine</display-name>\n</web-app>")
    assert not created_by_splice(edited, unsplice_webxml(edited, None, WHERE), WHERE)


FILTER = ("<filter><filter-name>HttpSessionFilter</filter-name>"
          "<filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class></filter>")
NS25 = 'xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"'


def test_documented_keys_are_ours_only_beside_the_session_filter() -> None:
    """Another application's context-param called traceFile is its own: without PROPERTIES,
    the documented keys are removed only where the session filter or listener is."""
    foreign = (f"<web-app {NS25}>\n  <context-param><param-name>traceFile</param-name>"
               "<param-value>/tmp/t</param-value></context-param>\n</web-app>\n").encode()
    assert unsplice_webxml(foreign, None, WHERE).changed is False
    assert unsplice_webxml(foreign, ["traceFile"], WHERE).output == f"<web-app {NS25}>\n</web-app>\n".encode()
    ours = foreign.replace(b"</web-app>", f"  {FILTER}\n</web-app>".encode())
    assert unsplice_webxml(ours, None, WHERE).output == f"<web-app {NS25}>\n</web-app>\n".encode()


def test_a_filter_of_that_name_with_another_class_is_not_ours() -> None:
    other = FILTER.replace("com.ibm.ws.xs.sessionmanager.HttpSessionFilter", "org.example.Sessions")
    data = (f"<web-app {NS25}>\n  {other}\n  <filter-mapping><filter-name>HttpSessionFilter</filter-name>"
            "<url-pattern>/*</url-pattern></filter-mapping>\n</web-app>\n").encode()
    result = unsplice_webxml(data, None, WHERE)
    assert (result.changed, result.output) == (False, data)


def test_every_session_mapping_goes_with_the_filter() -> None:
    mapping = "<filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>{}</url-pattern></filter-mapping>"
    data = (f"<web-app {NS25}>\n  {FILTER}\n  {mapping.format('/*')}\n  <display-name>d</display-name>\n"
            f"  {mapping.format('/a/*')}\n</web-app>\n").encode()
    result = unsplice_webxml(data, None, WHERE)
    assert result.output == f"<web-app {NS25}>\n  <display-name>d</display-name>\n</web-app>\n".encode()
    assert result.actions == ["remove filter HttpSessionFilter", "remove filter-mapping HttpSessionFilter",
                              "remove filter-mapping HttpSessionFilter"]


@pytest.mark.parametrize(("text", "span", "expected"), [
    pytest.param("<a/>\n  <x/>\n  <b/>", (7, 11), "<a/>\n  <b/>", id="alone-on-its-line"),
    pytest.param("<a/>\r\n  <x/>\n<b/>", (8, 12), "<a/>\r\n<b/>", id="after-a-line-ending-otherwise"),
    pytest.param("<a/>\n  <x/>\r\n<b/>", (7, 11), "<a/>\r\n<b/>", id="before-a-line-ending-otherwise"),
    pytest.param("<a/>\n  <x/> <!--c-->", (7, 11), "<a/> <!--c-->", id="start-of-line-more-after"),
    pytest.param("<a/> <x/>\n  <b/>", (5, 9), "<a/> <b/>", id="end-of-line-after-markup"),
    pytest.param("<a/> <x/> <b/>", (5, 9), "<a/> <b/>", id="between-markup-on-one-line"),
])
def test_cut_takes_the_text_the_anchor_brought(text: str, span: tuple[int, int], expected: str) -> None:
    low, high = cut(text, span[0], span[1], "\n")
    assert text[:low] + text[high:] == expected
    (only,) = deletions(text, [span], "\n")
    assert text[: only[0]] + text[only[1]:] == expected


@pytest.mark.parametrize("original", [
    pytest.param(f"<web-app {NS25}/>", id="self-closing"),
    pytest.param(f"<web-app {NS25}></web-app>", id="close-on-the-open-line"),
])
def test_a_root_without_children_comes_back_closed_on_its_own_line(original: str) -> None:
    """The one shape splicing does not keep apart: a root with no element children is written
    the same whether it was <web-app/>, <web-app></web-app> or closed on a line of its own,
    so unsplice gives the last (documented in the README)."""
    spliced = splice_webxml(original.encode(), TUTORIAL_PARAMS, WHERE).output
    assert unsplice_webxml(spliced, None, WHERE).output == f"<web-app {NS25}>\n</web-app>".encode()


def test_hostile_and_broken_input_is_refused_as_splice_refuses_it() -> None:
    with pytest.raises(SplicerError):
        unsplice_webxml(b'<!DOCTYPE web-app [<!ENTITY x "y">]><web-app>&x;</web-app>', None, WHERE)
    with pytest.raises(DescriptorError):
        unsplice_webxml(b"<web-app>", None, WHERE)
    with pytest.raises(DescriptorError, match="not <web-app>"):
        unsplice_webxml(b"<application/>", None, WHERE)
