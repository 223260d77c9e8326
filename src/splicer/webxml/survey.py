"""What a parsed descriptor already has of the splice, and the conflicts that stop it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree

from splicer.errors import SpliceConflictError, Where
from splicer.webxml.locate import Layout
from splicer.webxml.place import Placement
from splicer.webxml.render import SESSION_FILTER_CLASS, SESSION_FILTER_NAME, SESSION_LISTENER_CLASS
from splicer.webxml.source import Source
from splicer.webxml.versions import VersionInfo, detect_version, line, text_of
from splicer.xmlsafe import parse_xml


@dataclass
class Doc:
    """One parse of the bytes: tree, version, text, node offsets, placement rules."""

    tree: etree._ElementTree
    info: VersionInfo
    source: Source
    layout: Layout
    place: Placement


def read_doc(data: bytes, where: Where) -> Doc:
    tree = parse_xml(data, where)
    info = detect_version(tree, where)
    source = Source(data, tree.docinfo.encoding, where)
    layout = Layout(source.text, tree, where)
    return Doc(tree, info, source, layout, Placement(layout, info.namespace, source.newline))


def child_text(element: etree._Element, namespace: str, local: str) -> str | None:
    """The stripped text of the first child *local* (in *namespace*), or None if absent."""
    child = child_element(element, namespace, local)
    return None if child is None else text_of(child)


def child_element(element: etree._Element, namespace: str, local: str) -> etree._Element | None:
    tag = f"{{{namespace}}}{local}" if namespace else local
    return element.find(tag)


@dataclass
class Survey:
    """The descriptor's context-params for our keys, and our filter, mapping and listener."""

    params: dict[str, etree._Element]
    values: dict[str, str]
    filter: etree._Element | None
    mapping: etree._Element | None  # the first mapping of the session filter
    mapping_first: bool
    listener: etree._Element | None

    def mapping_action(self) -> Literal["add", "move"] | None:
        if self.mapping is None:
            return "add"
        return None if self.mapping_first else "move"


def survey(doc: Doc, names: list[str], where: Where) -> Survey:
    """Find what exists; raise SpliceConflictError where the file contradicts the splice."""
    place, ns = doc.place, doc.info.namespace
    params: dict[str, etree._Element] = {}
    values: dict[str, str] = {}
    wanted = set(names)
    for cp in place.of_kind("context-param"):
        name = child_text(cp, ns, "param-name")
        if name is None or name not in wanted:
            continue
        if name in params:
            raise SpliceConflictError(
                f"the context-param {name} is set twice (lines {line(params[name])} "
                f"and {line(cp)}); which one is meant?",
                where.at(line(cp)),
                hint="remove one of them",
            )
        value = child_text(cp, ns, "param-value")
        if value is None:
            raise SpliceConflictError(
                f"the context-param {name} has no <param-value>", where.at(line(cp))
            )
        params[name], values[name] = cp, value

    session_filter: etree._Element | None = None
    for flt in place.of_kind("filter"):
        name, klass = child_text(flt, ns, "filter-name"), child_text(flt, ns, "filter-class")
        if name == SESSION_FILTER_NAME:
            if session_filter is not None:
                raise SpliceConflictError(
                    f"the filter {SESSION_FILTER_NAME} is declared twice",
                    where.at(line(flt)),
                )
            if klass != SESSION_FILTER_CLASS:
                raise SpliceConflictError(
                    f"a filter named {SESSION_FILTER_NAME} already exists with the class {klass}",
                    where.at(line(flt)),
                    hint=f"rename that filter or make its class {SESSION_FILTER_CLASS}",
                )
            session_filter = flt
        elif klass == SESSION_FILTER_CLASS:
            raise SpliceConflictError(
                f"the session filter class is already declared under the name {name}",
                where.at(line(flt)),
                hint=f"name that filter {SESSION_FILTER_NAME} so that splicing recognises it",
            )

    mappings = place.of_kind("filter-mapping")
    ours = [m for m in mappings if child_text(m, ns, "filter-name") == SESSION_FILTER_NAME]
    listeners = [
        li
        for li in place.of_kind("listener")
        if child_text(li, ns, "listener-class") == SESSION_LISTENER_CLASS
    ]
    return Survey(
        params=params,
        values=values,
        filter=session_filter,
        mapping=ours[0] if ours else None,
        mapping_first=bool(ours) and mappings[0] is ours[0],
        listener=listeners[0] if listeners else None,
    )
