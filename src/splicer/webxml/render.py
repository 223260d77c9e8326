"""Elements as markup in the document's style; what the elements are comes from the profile."""

from __future__ import annotations

import re
from typing import Final, NamedTuple, Union

# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Node(NamedTuple):
    """An element to write: a local name and either text or child nodes."""

    name: str
    content: Union[str, tuple["Node", ...]]


def escape(value: str) -> str:
    """Character data for *value*; a carriage return is kept as a reference, as parsers drop it."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def __getattr__(name: str) -> str:
    # The default profile's names, for the read-only checks (validate, inspect) that still
    # speak of one session manager; splicing itself takes its profile as an argument.
    if name in _DEFAULT_NAMES:
        from splicer.profiles import default_profile

        profile = default_profile()
        return {
            "SESSION_FILTER_NAME": profile.filter_name,
            "SESSION_FILTER_CLASS": profile.filter_class(False),
            "SESSION_LISTENER_CLASS": profile.listener_classes(False)[0],
        }[name]
    raise AttributeError(name)


_DEFAULT_NAMES = ("SESSION_FILTER_NAME", "SESSION_FILTER_CLASS", "SESSION_LISTENER_CLASS")


def xml_unsafe(value: str) -> str | None:
    """The first character XML 1.0 cannot hold, or None."""
    match = _NOT_XML.search(value)
    return match.group(0) if match else None


def context_param(name: str, value: str) -> Node:
    return Node("context-param", (Node("param-name", name), Node("param-value", value)))


class Style(NamedTuple):
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
