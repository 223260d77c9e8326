"""The splice: decided on the lxml tree, applied as text edits to the bytes, then checked.

It runs in small phases, each on a fresh parse of the previous phase's bytes so that every
offset comes from the document as it is: expand a self-closing root, update changed
param-values, move the session mapping first, insert what is missing.  The result is parsed
once more and must hold exactly what was meant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from splicer.errors import ConfigError, DescriptorError, Diagnostic, SpliceConflictError, Where
from splicer.webxml import render
from splicer.webxml.locate import Layout, Span
from splicer.webxml.place import Anchor
from splicer.webxml.render import Node, Style
from splicer.webxml.sessioncheck import REQUEST, coverage, coverage_warning, other_session_managers
from splicer.webxml.source import Edit
from splicer.webxml.survey import Doc, Survey, child_element, lacks_root_context, read_doc, survey
from splicer.webxml.versions import RANK, line, require_filters

if TYPE_CHECKING:
    from splicer.profiles import Profile

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
    profile: Profile
    params: list[tuple[str, str]]
    updates: dict[str, str]  # name -> new value, for params whose value differs
    adds: list[tuple[str, str]]  # context-params to add
    add_filter: bool
    mapping: str | None  # "add", "move" or None
    cover: bool  # the session mapping is made to reach every request (sessioncheck)
    add_listeners: list[str]  # listener classes
    actions: list[str]
    inits: list[tuple[str, str]] = field(default_factory=list)  # the filter's init-params
    extra_listeners: list[str] = field(default_factory=list)  # the root context's, when added

    def names(self, goes: str, among: list[str] | None = None) -> list[str]:
        """The param names (of *among*, else all) that go to *goes*."""
        names = [name for name, _ in self.params] if among is None else among
        return [name for name in names if self.profile.goes(name) == goes]


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


def _plan(params: list[tuple[str, str]], found: Survey, namespace: str, profile: Profile, where: Where) -> _Plan:
    updates: dict[str, str] = {}
    adds: list[tuple[str, str]] = []
    inits: list[tuple[str, str]] = []
    actions: list[str] = []
    for name, value in params:
        goes = profile.goes(name)
        if name not in found.params:
            if goes == "context-param":
                adds.append((name, value))
            elif found.filter is not None:
                # Splicing inserts whole elements; it does not grow a filter it finds.
                raise SpliceConflictError(
                    f"the filter {profile.filter_name} has no init-param {name}",
                    where.at(line(found.filter)),
                    hint="unsplice it first, or splice with the keys it was spliced with",
                )
            else:
                inits.append((name, value))
            actions.append(f"add {goes} {name}")
        elif found.values[name] != value.strip():
            # Containers trim param values, so surrounding blanks are no difference.
            updates[name] = value
            actions.append(f"update {goes} {name}: {found.values[name]} -> {value}")
    mapping = found.mapping_action()
    name = profile.filter_name
    if found.filter is None:
        actions.append(f"add filter {name}")
    if mapping == "add":
        actions.append(f"add filter-mapping {name}" + (" first" if profile.mapping_first else ""))
    elif mapping == "move":
        actions.append(f"move filter-mapping {name} first")
    cover = found.mapping is not None and not coverage(found.mapping, namespace, profile.url_pattern).complete
    if cover:
        actions.append(f"make filter-mapping {name} reach every request: {profile.url_pattern} for {REQUEST}")
    missing = found.missing_listeners()
    actions += [f"add listener {klass}" for klass in missing]
    return _Plan(profile, params, updates, adds, found.filter is None, mapping, cover, missing, actions, inits)


def _expand_root(doc: Doc) -> list[Edit]:
    """``<web-app .../>`` becomes ``<web-app ...>`` + line break + ``</web-app>``."""
    span = doc.layout.span(doc.layout.root)
    if not span.self_closing:
        return []
    slash = doc.source.text.rindex("/", span.start, span.end)
    close = f"{doc.source.newline}{doc.place.root_indent}</{span.qname}>"
    return [Edit(slash, slash + 1, ""), Edit(span.end, span.end, close)]


def _update_values(doc: Doc, plan: _Plan, where: Where) -> list[Edit]:
    names = list(plan.updates)
    found = survey(doc, plan.names("context-param", names), where, plan.profile, plan.names("init-param", names),
                   plan.extra_listeners)
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


def _move_mapping(doc: Doc, where: Where, profile: Profile) -> list[Edit]:
    """Cut the session filter's mapping (with its own lines) and put it before the first one."""
    found = survey(doc, [], where, profile)
    assert found.mapping is not None
    span = doc.layout.span(found.mapping)
    first = doc.of_kind("filter-mapping")[0]
    anchor = doc.place.before(first)
    moved = anchor.lead + doc.source.text[span.start : span.end] + anchor.trail
    return [_cut(doc.layout, span), Edit(anchor.offset, anchor.offset, moved)]


def _cover_mapping(doc: Doc, where: Where, profile: Profile) -> list[Edit]:
    """Make the session mapping ``/*`` for REQUEST (see sessioncheck for why so)."""
    found = survey(doc, [], where, profile)
    assert found.mapping is not None
    reach = coverage(found.mapping, doc.info.namespace, profile.url_pattern)
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
        pattern = f"<{prefix}url-pattern>{render.escape(profile.url_pattern)}</{prefix}url-pattern>"
        if reach.targets:
            first = layout.span(reach.targets[0])
            edits.append(Edit(first.start, first.end, pattern))
            edits += [_cut(layout, layout.span(other)) for other in reach.targets[1:]]
        else:
            edits.append(after(name_span, pattern))
    if reach.needs_request:
        request = f"<{prefix}dispatcher>{REQUEST}</{prefix}dispatcher>"
        edits.append(after(layout.span(reach.dispatchers[-1]), request))
    return edits


def _insert_missing(doc: Doc, plan: _Plan) -> list[Edit]:
    from splicer.profile_fragments import fragment_context, listener_contexts

    place, info, profile = doc.place, doc.info, plan.profile
    context = fragment_context(profile, info.version, info.dtd_content, info.jakarta, plan.inits)
    wanted: list[tuple[str, Node, Anchor]] = []
    if plan.adds:
        anchor = place.last_among("context-param")
        for name, value in plan.adds:
            wanted.append(("context-param", render.context_param(name, value), anchor))
    if plan.add_filter:
        wanted.append(("filter", profile.fragments.render("filter", context), place.first_among("filter")))
    if plan.mapping == "add":
        node = profile.fragments.render("mapping", context)
        slot = place.first_among if profile.mapping_first else place.last_among
        wanted.append(("filter-mapping", node, slot("filter-mapping")))
    known = {listener["class"]: listener for listener in listener_contexts(profile, info.jakarta)}
    for klass in plan.add_listeners:
        listener = known.get(klass, {"name": "", "class": klass})
        node = profile.fragments.render("listener", {**context, "listener": listener})
        wanted.append(("listener", node, place.first_among("listener")))
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
    found = survey(doc, plan.names("context-param"), where, plan.profile, plan.names("init-param"),
                   plan.extra_listeners)
    problems = [
        f"context-param {name} is not {value!r}"
        for name, value in plan.params
        if found.values.get(name) != value.strip()
    ]
    if found.filter is None:
        problems.append("the session filter is missing")
    if found.mapping is None or (plan.profile.mapping_first and not found.mapping_first):
        problems.append("the session filter mapping is not the first")
    elif not coverage(found.mapping, doc.info.namespace, plan.profile.url_pattern).complete:
        problems.append("the session filter mapping does not reach every request")
    problems += [f"the session listener {klass} is missing" for klass in found.missing_listeners()]
    count = len(doc.element_children())
    if count != children:
        problems.append(f"{count} elements under the root, expected {children}")
    if problems:
        raise DescriptorError(
            "the spliced descriptor failed its own check: " + "; ".join(problems), where
        )


def _warnings(doc: Doc, where: Where, profile: Profile) -> list[Diagnostic]:
    found = other_session_managers(doc.root, doc.info.namespace, where, profile)
    if not doc.encoding.java_reads:
        text = (
            f"the descriptor declares the encoding {doc.encoding.declared!r}, which Python reads "
            "but Java's XML parser does not: the application server will refuse the descriptor"
        )
        found.append(Diagnostic(NOT_JAVA_ENCODING_WARNING, text, where.at(1)))
    return found + _version_warnings(doc, where, profile)


def _version_warnings(doc: Doc, where: Where, profile: Profile) -> list[Diagnostic]:
    at = where.at(line(doc.tree.getroot()))
    if not profile.supports(doc.info.jakarta) and doc.info.form != "none":
        family, other = ("Jakarta EE", "javax.servlet") if doc.info.jakarta else ("Java EE", "jakarta.servlet")
        text = (
            f"the descriptor is Servlet {doc.info.version} ({family}); the session filter "
            f"{profile.filter_class(doc.info.jakarta)} is a {other} class and will not load in a "
            f"{family.split()[0]} container"
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
    data: bytes, params: Sequence[tuple[str, str]], where: Where, profile: Profile | None = None
) -> WebXmlResult:
    """Splice the session filter, its mapping, its listener and *params* into a web.xml.

    Raises DescriptorError (Servlet 2.2, not a web-app, unreadable), HostileXmlError
    (entities), SpliceConflictError (the file contradicts the splice), ConfigError (a
    parameter XML cannot hold).  With nothing to do, ``output is data``.
    """
    if profile is None:
        from splicer.profiles import default_profile

        profile = default_profile()
    checked = _check_params(params, where)
    doc = read_doc(data, where)
    require_filters(doc.info, doc.tree, where)
    extra: list[str] = []
    root = profile.root_context
    if root is not None and lacks_root_context(doc, profile):
        # The manager's own root context, for an application that has none.
        extra.append(root.listener)
        if root.param_name not in [name for name, _ in checked]:
            checked.append((root.param_name, root.param_value))
    names = [name for name, _ in checked]
    context_names = [name for name in names if profile.goes(name) == "context-param"]
    found = survey(doc, context_names, where, profile, [name for name in names if name not in context_names], extra)
    plan = _plan(checked, found, doc.info.namespace, profile, where)
    plan.extra_listeners = extra
    warnings = _warnings(doc, where, profile)
    if plan.cover:
        assert found.mapping is not None
        reach = coverage(found.mapping, doc.info.namespace, profile.url_pattern)
        warnings.append(coverage_warning(reach, where, found.mapping, profile))
    result = WebXmlResult(data, False, doc.info.version, doc.info.jakarta, plan.actions, warnings)
    if not plan.actions:
        return result
    children = len(doc.element_children()) + len(plan.adds) + plan.add_filter + len(plan.add_listeners)
    children += plan.mapping == "add"
    output = data
    phases: tuple[Callable[[Doc], list[Edit]], ...] = (
        lambda d: _expand_root(d),
        lambda d: _update_values(d, plan, where) if plan.updates else [],
        lambda d: _move_mapping(d, where, profile) if plan.mapping == "move" else [],
        lambda d: _cover_mapping(d, where, profile) if plan.cover else [],
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
