"""The text of the elements splicing adds, in the shapes each descriptor form allows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Union

SESSION_FILTER_NAME: Final = "HttpSessionFilter"
SESSION_FILTER_CLASS: Final = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
SESSION_FILTER_DESCRIPTION: Final = "Filter that provides for an ObjectGrid based Session Manager."
SESSION_LISTENER_NAME: Final = "IBMSessionListener"
SESSION_LISTENER_CLASS: Final = "com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
# The tutorial's page shows "*", which conforming containers reject; "/*" is the valid form.
SESSION_URL_PATTERN: Final = "/*"
SESSION_DISPATCHER: Final = "REQUEST"

# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Node:
    """An element to write: a local name and either text or child nodes."""

    name: str
    content: Union[str, tuple["Node", ...]]


def escape(value: str) -> str:
    """Character data for *value*; a carriage return is kept as a reference, as parsers drop it."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def xml_unsafe(value: str) -> str | None:
    """The first character XML 1.0 cannot hold, or None."""
    match = _NOT_XML.search(value)
    return match.group(0) if match else None


def context_param(name: str, value: str) -> Node:
    return Node("context-param", (Node("param-name", name), Node("param-value", value)))


def session_filter(dtd_content: bool) -> Node:
    """The filter: 2.3 order (name first) for the DTD form, else the schema order."""
    name = Node("filter-name", SESSION_FILTER_NAME)
    display = Node("display-name", SESSION_FILTER_NAME)
    description = Node("description", SESSION_FILTER_DESCRIPTION)
    klass = Node("filter-class", SESSION_FILTER_CLASS)
    if dtd_content:
        return Node("filter", (name, display, description, klass))
    return Node("filter", (description, display, name, klass))


def session_mapping(dtd_content: bool) -> Node:
    """The mapping; Servlet 2.3 has no <dispatcher>, and leaving it out means REQUEST anyway."""
    parts = [Node("filter-name", SESSION_FILTER_NAME), Node("url-pattern", SESSION_URL_PATTERN)]
    if not dtd_content:
        parts.append(Node("dispatcher", SESSION_DISPATCHER))
    return Node("filter-mapping", tuple(parts))


def session_listener(dtd_content: bool) -> Node:
    """The listener; in Servlet 2.3 a listener holds only its class."""
    klass = Node("listener-class", SESSION_LISTENER_CLASS)
    if dtd_content:
        return Node("listener", (klass,))
    description = Node("description", SESSION_LISTENER_NAME)
    return Node("listener", (description, Node("display-name", SESSION_LISTENER_NAME), klass))


@dataclass(frozen=True)
class Style:
    """How the document writes elements: prefix, nesting unit, line break, one-line or not."""

    prefix: str
    unit: str
    newline: str
    compact: bool = False


def to_text(node: Node, indent: str, style: Style) -> str:
    """*node* as markup; its first line is not indented (the anchor supplies that)."""
    tag = f"{style.prefix}{node.name}"
    if isinstance(node.content, str):
        return f"<{tag}>{escape(node.content)}</{tag}>"
    inner = indent + style.unit
    if style.compact:
        body = "".join(to_text(child, inner, style) for child in node.content)
        return f"<{tag}>{body}</{tag}>"
    lines = [style.newline + inner + to_text(child, inner, style) for child in node.content]
    return f"<{tag}>{''.join(lines)}{style.newline}{indent}</{tag}>"


def replacement_value(old_inner: str, value: str) -> str:
    """New inner text for a <param-value>, keeping blanks around a plain old value."""
    if "<" in old_inner or "&" in old_inner or not old_inner.strip():
        return escape(value)
    head = old_inner[: len(old_inner) - len(old_inner.lstrip())]
    tail = old_inner[len(old_inner.rstrip()) :]
    return f"{head}{escape(value)}{tail}"


_MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://java.sun.com/xml/ns/javaee http://java.sun.com/xml/ns/javaee/web-app_3_0.xsd"
         version="3.0" metadata-complete="false">
</web-app>
"""


def minimal_webxml() -> bytes:
    """An empty Servlet 3.0 descriptor for a WAR that has none (UTF-8, LF).

    metadata-complete="false" keeps the application's annotations and web-fragments in
    force, so adding the descriptor changes nothing but what splicing puts in it.
    """
    return _MINIMAL.encode("utf-8")
