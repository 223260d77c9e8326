"""What a parsed descriptor already has of the splice, and the conflicts that stop it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from lxml import etree

from splicer.errors import SpliceConflictError, Where
from splicer.webxml.locate import Layout
from splicer.webxml.place import Placement
from splicer.webxml.source import Source
from splicer.webxml.versions import VersionInfo, detect_version, line, text_of
from splicer.xmlencodings import Encoding, decide
from splicer.xmlsafe import parse_xml

if TYPE_CHECKING:
    from splicer.profiles import Profile


class Doc:
    """One parse of the bytes: tree and version now; text, offsets and placement on demand.

    A descriptor that needs no change is judged from the tree alone, so the scanner only
    runs on documents that are about to be edited.
    """

    def __init__(self, data: bytes, where: Where) -> None:
        self.data = data
        self.where = where
        self.tree = parse_xml(data, where)
        self.info: VersionInfo = detect_version(self.tree, where)
        self.root = self.tree.getroot()

    @functools.cached_property
    def encoding(self) -> Encoding:
        """The encoding as Java's XML parser reads the file (splicer.xmlencodings)."""
        return decide(self.data, self.where)

    @functools.cached_property
    def source(self) -> Source:
        return Source(self.data, self.tree.docinfo.encoding, self.where)

    @functools.cached_property
    def layout(self) -> Layout:
        return Layout(self.source.text, self.tree, self.where)

    @functools.cached_property
    def place(self) -> Placement:
        return Placement(self.layout, self.info.namespace, self.source.newline)

    def element_children(self) -> list[etree._Element]:
        return [c for c in self.root if isinstance(c.tag, str)]

    def of_kind(self, kind: str) -> list[etree._Element]:
        """The root's children named *kind* in the root's namespace."""
        ns = self.info.namespace
        return self.root.findall(f"{{{ns}}}{kind}" if ns else kind)


def read_doc(data: bytes, where: Where) -> Doc:
    return Doc(data, where)


def child_text(element: etree._Element, namespace: str, local: str) -> str | None:
    """The stripped text of the first child *local* (in *namespace*), or None if absent."""
    child = child_element(element, namespace, local)
    return None if child is None else text_of(child)


def child_element(element: etree._Element, namespace: str, local: str) -> etree._Element | None:
    tag = f"{{{namespace}}}{local}" if namespace else local
    return element.find(tag)


@dataclass
class Survey:
    """The descriptor's params for our keys (context-params, or init-params of our filter),
    and our filter, mapping and listeners."""

    params: dict[str, etree._Element]
    values: dict[str, str]
    filter: etree._Element | None
    mapping: etree._Element | None  # the first mapping of the session filter
    mapping_first: bool
    listeners: dict[str, etree._Element | None]  # by class, None where it is missing
    first_wanted: bool = True

    @property
    def listener(self) -> etree._Element | None:
        """The first listener, when every one is there."""
        found = list(self.listeners.values())
        return None if None in found or not found else found[0]

    def missing_listeners(self) -> list[str]:
        return [klass for klass, element in self.listeners.items() if element is None]

    def mapping_action(self) -> Literal["add", "move"] | None:
        if self.mapping is None:
            return "add"
        return None if self.mapping_first or not self.first_wanted else "move"


def survey(doc: Doc, names: list[str], where: Where, profile: Profile, init_names: Sequence[str] = (),
           extra_listeners: Sequence[str] = ()) -> Survey:
    """Find what exists; raise SpliceConflictError where the file contradicts the splice.

    *names* are context-params, *init_names* init-params of the session filter.
    """
    ns = doc.info.namespace
    filter_name, filter_class = profile.filter_name, profile.filter_class(doc.info.jakarta)
    params: dict[str, etree._Element] = {}
    values: dict[str, str] = {}
    _collect(doc.of_kind("context-param"), set(names), ns, where, params, values)
    session_filter = _session_filter(doc, where, filter_name, filter_class, profile.shared_class)
    if session_filter is not None and init_names:
        inits = session_filter.findall(f"{{{ns}}}init-param" if ns else "init-param")
        _collect(inits, set(init_names), ns, where, params, values, kind="init-param")

    mappings = doc.of_kind("filter-mapping")
    ours = [m for m in mappings if child_text(m, ns, "filter-name") == filter_name]
    classes = {klass: None for klass in [*profile.listener_classes(doc.info.jakarta), *extra_listeners]}
    listeners: dict[str, etree._Element | None] = dict(classes)
    for li in doc.of_kind("listener"):
        klass = child_text(li, ns, "listener-class")
        if klass in classes and listeners[klass] is None:
            listeners[klass] = li
    return Survey(
        params=params,
        values=values,
        filter=session_filter,
        mapping=ours[0] if ours else None,
        mapping_first=bool(ours) and mappings[0] is ours[0],
        listeners=listeners,
        first_wanted=profile.mapping_first,
    )


def _collect(candidates: list[etree._Element], wanted: set[str], ns: str, where: Where,
             params: dict[str, etree._Element], values: dict[str, str], kind: str = "context-param") -> None:
    for cp in candidates:
        name = child_text(cp, ns, "param-name")
        if name is None or name not in wanted:
            continue
        if name in params:
            raise SpliceConflictError(
                f"the {kind} {name} is set twice (lines {line(params[name])} "
                f"and {line(cp)}); which one is meant?",
                where.at(line(cp)),
                hint="remove one of them",
            )
        value = child_text(cp, ns, "param-value")
        if value is None:
            raise SpliceConflictError(
                f"the {kind} {name} has no <param-value>", where.at(line(cp))
            )
        params[name], values[name] = cp, value


def _session_filter(doc: Doc, where: Where, filter_name: str, filter_class: str,
                    shared_class: bool) -> etree._Element | None:
    ns = doc.info.namespace
    session_filter: etree._Element | None = None
    for flt in doc.of_kind("filter"):
        name, klass = child_text(flt, ns, "filter-name"), child_text(flt, ns, "filter-class")
        if name == filter_name:
            if session_filter is not None:
                raise SpliceConflictError(
                    f"the filter {filter_name} is declared twice",
                    where.at(line(flt)),
                )
            if klass != filter_class:
                raise SpliceConflictError(
                    f"a filter named {filter_name} already exists with the class {klass}",
                    where.at(line(flt)),
                    hint=f"rename that filter or make its class {filter_class}",
                )
            session_filter = flt
        elif klass == filter_class and not shared_class:
            raise SpliceConflictError(
                f"the session filter class is already declared under the name {name}",
                where.at(line(flt)),
                hint=f"name that filter {filter_name} so that splicing recognises it",
            )
    return session_filter


def lacks_root_context(doc: Doc, profile: Profile) -> bool:
    """Whether the profile needs a root context (root-context in its manifest) and the
    descriptor has neither its listener nor its context-param: then splicing adds both."""
    root = profile.root_context
    if root is None:
        return False
    ns = doc.info.namespace
    has_listener = any(child_text(li, ns, "listener-class") == root.listener for li in doc.of_kind("listener"))
    has_param = any(child_text(cp, ns, "param-name") == root.param_name for cp in doc.of_kind("context-param"))
    return not has_listener and not has_param
