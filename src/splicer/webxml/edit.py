"""The splice: decided on the lxml tree, applied as text edits to the bytes, then checked.

It runs in small phases, each on a fresh parse of the previous phase's bytes so that every
offset comes from the document as it is: expand a self-closing root, update changed
param-values, move the session mapping first, insert what is missing.  The result is parsed
once more and must hold exactly what was meant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from splicer.errors import ConfigError, DescriptorError, Diagnostic, Where
from splicer.webxml import render
from splicer.webxml.locate import Layout, Span
from splicer.webxml.place import Anchor
from splicer.webxml.render import Node, Style
from splicer.webxml.sessioncheck import coverage, coverage_warning, other_session_managers
from splicer.webxml.source import Edit
from splicer.webxml.survey import Doc, Survey, child_element, read_doc, survey
from splicer.webxml.versions import RANK, line, require_filters

JAKARTA_WARNING = "CWWSM0530W"
UNKNOWN_VERSION_WARNING = "CWWSM0531W"
NOT_JAVA_ENCODING_WARNING = "CWWSM0552W"


@dataclass
class WebXmlResult:
    """The spliced bytes (the input plus insertions), what was done, and what to watch."""

    output: bytes
    changed: bool
    version: str
    jakarta: bool
    actions: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Plan:
    params: list[tuple[str, str]]
    updates: dict[str, str]  # name -> new value, for params whose value differs
    adds: list[tuple[str, str]]
    add_filter: bool
    mapping: str | None  # "add", "move" or None
    cover: bool  # the session mapping is made to reach every request (sessioncheck)
    add_listener: bool
    actions: list[str]


def _check_params(params: Sequence[tuple[str, str]], where: Where) -> list[tuple[str, str]]:
    seen: set[str] = set()
    for name, value in params:
        if name in seen:
            raise ConfigError(f"the parameter {name} is given twice", where, key=name)
        seen.add(name)
        for what, text in (("name", name), ("value", value)):
            bad = render.xml_unsafe(text)
            if bad is not None:
                raise ConfigError(
                    f"the parameter {what} {text!r} holds U+{ord(bad):04X}, which XML cannot hold",
                    where,
                    key=name,
                    value=value,
                )
        if not name.strip():
            raise ConfigError("a parameter has an empty name", where, key=name, value=value)
    return list(params)


def _plan(params: list[tuple[str, str]], found: Survey, namespace: str) -> _Plan:
    updates: dict[str, str] = {}
    adds: list[tuple[str, str]] = []
    actions: list[str] = []
    for name, value in params:
        if name not in found.params:
            adds.append((name, value))
            actions.append(f"add context-param {name}")
        elif found.values[name] != value.strip():
            # Containers trim param values, so surrounding blanks are no difference.
            updates[name] = value
            actions.append(f"update context-param {name}: {found.values[name]} -> {value}")
    mapping = found.mapping_action()
    if found.filter is None:
        actions.append(f"add filter {render.SESSION_FILTER_NAME}")
    if mapping == "add":
        actions.append(f"add filter-mapping {render.SESSION_FILTER_NAME} first")
    elif mapping == "move":
        actions.append(f"move filter-mapping {render.SESSION_FILTER_NAME} first")
    cover = found.mapping is not None and not coverage(found.mapping, namespace).complete
    if cover:
        actions.append(
            f"make filter-mapping {render.SESSION_FILTER_NAME} reach every request: "
            f"{render.SESSION_URL_PATTERN} for {render.SESSION_DISPATCHER}"
        )
    if found.listener is None:
        actions.append(f"add listener {render.SESSION_LISTENER_CLASS}")
    return _Plan(
        params, updates, adds, found.filter is None, mapping, cover, found.listener is None, actions
    )


def _expand_root(doc: Doc) -> list[Edit]:
    """``<web-app .../>`` becomes ``<web-app ...>`` + line break + ``</web-app>``."""
    span = doc.layout.span(doc.layout.root)
    if not span.self_closing:
        return []
    slash = doc.source.text.rindex("/", span.start, span.end)
    close = f"{doc.source.newline}{doc.place.root_indent}</{span.qname}>"
    return [Edit(slash, slash + 1, ""), Edit(span.end, span.end, close)]


def _update_values(doc: Doc, plan: _Plan, where: Where) -> list[Edit]:
    found = survey(doc, list(plan.updates), where)
    edits: list[Edit] = []
    for name, value in plan.updates.items():
        element = child_element(found.params[name], doc.info.namespace, "param-value")
        assert element is not None  # survey refuses a context-param without one
        span = doc.layout.span(element)
        if span.self_closing:
            text = f"<{span.qname}>{render.escape(value)}</{span.qname}>"
            edits.append(Edit(span.start, span.end, text))
        else:
            inner = doc.source.text[span.open_end : span.close_start]
            edits.append(
                Edit(span.open_end, span.close_start, render.replacement_value(inner, value))
            )
    return edits


def _cut(layout: Layout, span: Span) -> Edit:
    """Remove a node; with its line too when nothing else is on that line."""
    text = layout.text
    cut_start, cut_end = span.start, span.end
    line_end = layout.line_end(span.end)
    if layout.indent_before(span.start) is not None and not text[span.end : line_end].strip(" \t"):
        cut_start = layout.line_start(span.start)
        cut_end = line_end + (2 if text.startswith("\r\n", line_end) else 1)
        cut_end = min(cut_end, len(text))
    return Edit(cut_start, cut_end, "")


def _move_mapping(doc: Doc, where: Where) -> list[Edit]:
    """Cut the session filter's mapping (with its own lines) and put it before the first one."""
    found = survey(doc, [], where)
    assert found.mapping is not None
    span = doc.layout.span(found.mapping)
    first = doc.of_kind("filter-mapping")[0]
    anchor = doc.place.before(first)
    moved = anchor.lead + doc.source.text[span.start : span.end] + anchor.trail
    return [_cut(doc.layout, span), Edit(anchor.offset, anchor.offset, moved)]


def _cover_mapping(doc: Doc, where: Where) -> list[Edit]:
    """Make the session mapping ``/*`` for REQUEST (see sessioncheck for why so)."""
    found = survey(doc, [], where)
    assert found.mapping is not None
    reach = coverage(found.mapping, doc.info.namespace)
    layout = doc.layout
    name = child_element(found.mapping, doc.info.namespace, "filter-name")
    assert name is not None  # a mapping is found by its filter-name
    name_span = layout.span(name)
    prefix = name_span.qname.rpartition(":")[0]
    prefix += ":" if prefix else ""

    def after(span: Span, markup: str) -> Edit:
        # On a line of its own, indented as the element before it, when that one has its own.
        indent = layout.indent_before(span.start)
        lead = "" if indent is None else doc.source.newline + indent
        return Edit(span.end, span.end, lead + markup)

    edits: list[Edit] = []
    if reach.needs_pattern:
        pattern = f"<{prefix}url-pattern>{render.SESSION_URL_PATTERN}</{prefix}url-pattern>"
        if reach.targets:
            first = layout.span(reach.targets[0])
            edits.append(Edit(first.start, first.end, pattern))
            edits += [_cut(layout, layout.span(other)) for other in reach.targets[1:]]
        else:
            edits.append(after(name_span, pattern))
    if reach.needs_request:
        request = f"<{prefix}dispatcher>{render.SESSION_DISPATCHER}</{prefix}dispatcher>"
        edits.append(after(layout.span(reach.dispatchers[-1]), request))
    return edits


def _insert_missing(doc: Doc, plan: _Plan) -> list[Edit]:
    place, dtd = doc.place, doc.info.dtd_content
    wanted: list[tuple[str, Node, Anchor]] = []
    if plan.adds:
        anchor = place.last_among("context-param")
        for name, value in plan.adds:
            wanted.append(("context-param", render.context_param(name, value), anchor))
    if plan.add_filter:
        wanted.append(("filter", render.session_filter(dtd), place.first_among("filter")))
    if plan.mapping == "add":
        node = render.session_mapping(dtd)
        wanted.append(("filter-mapping", node, place.first_among("filter-mapping")))
    if plan.add_listener:
        wanted.append(("listener", render.session_listener(dtd), place.first_among("listener")))
    groups: dict[Anchor, list[tuple[str, Node]]] = {}
    for kind, node, anchor in wanted:
        groups.setdefault(anchor, []).append((kind, node))
    edits: list[Edit] = []
    for anchor, members in groups.items():
        pieces = []
        for kind, node in members:
            style = Style(place.prefix, place.unit, doc.source.newline, place.compact(kind))
            pieces.append(anchor.lead + render.to_text(node, anchor.indent, style) + anchor.trail)
        order = min(RANK[kind] for kind, _ in members)
        edits.append(Edit(anchor.offset, anchor.offset, "".join(pieces) + anchor.close, order))
    return edits


def _verify(doc: Doc, plan: _Plan, children: int, where: Where) -> None:
    """The result, parsed again, must hold exactly the splice and lose no element."""
    found = survey(doc, [name for name, _ in plan.params], where)
    problems = [
        f"context-param {name} is not {value!r}"
        for name, value in plan.params
        if found.values.get(name) != value.strip()
    ]
    if found.filter is None:
        problems.append("the session filter is missing")
    if not found.mapping_first:
        problems.append("the session filter mapping is not the first")
    elif found.mapping is not None and not coverage(found.mapping, doc.info.namespace).complete:
        problems.append("the session filter mapping does not reach every request")
    if found.listener is None:
        problems.append("the session listener is missing")
    count = len(doc.element_children())
    if count != children:
        problems.append(f"{count} elements under the root, expected {children}")
    if problems:
        raise DescriptorError(
            "the spliced descriptor failed its own check: " + "; ".join(problems), where
        )


def _warnings(doc: Doc, where: Where) -> list[Diagnostic]:
    found = other_session_managers(doc.root, doc.info.namespace, where)
    if not doc.encoding.java_reads:
        text = (
            f"the descriptor declares the encoding {doc.encoding.declared!r}, which Python reads "
            "but Java's XML parser does not: the application server will refuse the descriptor"
        )
        found.append(Diagnostic(NOT_JAVA_ENCODING_WARNING, text, where.at(1)))
    return found + _version_warnings(doc, where)


def _version_warnings(doc: Doc, where: Where) -> list[Diagnostic]:
    at = where.at(line(doc.tree.getroot()))
    if doc.info.jakarta:
        text = (
            f"the descriptor is Servlet {doc.info.version} (Jakarta EE); the session filter "
            f"{render.SESSION_FILTER_CLASS} is a javax.servlet class and will not load in a "
            "Jakarta container"
        )
        return [Diagnostic(JAKARTA_WARNING, text, at)]
    if doc.info.form == "none":
        text = (
            "the descriptor declares no namespace and no Servlet DOCTYPE, so its Servlet version "
            "is unknown; the filter, its mapping and the listener were written in the Servlet "
            "2.3 form (no <dispatcher>, which means REQUEST)"
        )
        return [Diagnostic(UNKNOWN_VERSION_WARNING, text, at)]
    return []


def splice_webxml(
    data: bytes, params: Sequence[tuple[str, str]], where: Where
) -> WebXmlResult:
    """Splice the session filter, its mapping, its listener and *params* into a web.xml.

    Raises DescriptorError (Servlet 2.2, not a web-app, unreadable), HostileXmlError
    (entities), SpliceConflictError (the file contradicts the splice), ConfigError (a
    parameter XML cannot hold).  With nothing to do, ``output is data``.
    """
    checked = _check_params(params, where)
    doc = read_doc(data, where)
    require_filters(doc.info, doc.tree, where)
    found = survey(doc, [name for name, _ in checked], where)
    plan = _plan(checked, found, doc.info.namespace)
    warnings = _warnings(doc, where)
    if plan.cover:
        assert found.mapping is not None
        warnings.append(coverage_warning(coverage(found.mapping, doc.info.namespace), where, found.mapping))
    result = WebXmlResult(data, False, doc.info.version, doc.info.jakarta, plan.actions, warnings)
    if not plan.actions:
        return result
    children = len(doc.element_children()) + len(plan.adds) + plan.add_filter + plan.add_listener
    children += plan.mapping == "add"
    output = data
    phases: tuple[Callable[[Doc], list[Edit]], ...] = (
        lambda d: _expand_root(d),
        lambda d: _update_values(d, plan, where) if plan.updates else [],
        lambda d: _move_mapping(d, where) if plan.mapping == "move" else [],
        lambda d: _cover_mapping(d, where) if plan.cover else [],
        lambda d: _insert_missing(d, plan),
    )
    for phase in phases:
        edits = phase(doc)
        if edits:
            output = doc.source.apply(edits)
            doc = read_doc(output, where)
    _verify(doc, plan, children, where)
    result.output, result.changed = output, output != data
    return result
