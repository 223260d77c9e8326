"""Built-in rules for what the official schemas miss and containers reject, each with a code.

The codes are documented in the README (``splicer validate``).  A rule names the element at
fault; the caller turns it into ``LOCATION:LINE:COL``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from splicer.webxml.grammars import Grammar, defined_versions
from splicer.webxml.sessionstate import child_text, children, read_session_state
from splicer.webxml.versions import JAKARTA_NS, text_of

Severity = Literal["error", "warning"]

# Elements a container refuses to see twice (Servlet 3.0 section 14.2; Tomcat's WebRuleSet).
AT_MOST_ONCE = {
    "web-app": ("session-config", "jsp-config", "login-config", "absolute-ordering"),
    "web-fragment": ("session-config", "jsp-config", "login-config", "name", "ordering"),
}
# Servlets a container declares itself (Tomcat's conf/web.xml, Jetty's webdefault.xml).
CONTAINER_SERVLETS = frozenset({"default", "jsp"})
# Where url-patterns sit, as paths of local names below the root.
URL_PATTERN_PLACES = (
    ("filter-mapping",),
    ("servlet-mapping",),
    ("security-constraint", "web-resource-collection"),
    ("jsp-config", "jsp-property-group"),
)


@dataclass(frozen=True)
class RuleFinding:
    code: str
    severity: Severity
    message: str
    element: etree._Element


def _complete(grammar: Grammar, root: etree._Element) -> bool:
    """Whether the descriptor alone declares every filter and servlet: before Servlet 3.0
    (no annotations, no fragments) or with metadata-complete="true"."""
    if grammar.kind != "web-app":
        return False  # a fragment's mappings may name what web.xml or another fragment declares
    if grammar.form == "dtd" or grammar.version in ("2.4", "2.5"):
        return True
    return (root.get("metadata-complete") or "").strip().lower() == "true"


def check_url_pattern(pattern: str) -> tuple[Severity, str] | None:
    """What is wrong with a url-pattern, after the rules of Servlet 12.2 as Tomcat applies them."""
    if "\n" in pattern or "\r" in pattern:
        return "error", "a url-pattern cannot span lines"
    if pattern == "*":
        return "error", "'*' is not a url-pattern; write '/*' to match every path"
    if pattern.startswith("*."):
        if "/" in pattern:
            return "error", f"the extension pattern {pattern!r} cannot contain '/'"
        return None
    if pattern == "" or pattern.startswith("/"):
        body = pattern[:-2] if pattern.endswith("/*") else pattern
        if "*" in body:
            return "warning", f"in {pattern!r} the '*' matches only a literal '*' (a path pattern ends in '/*')"
        return None
    return "error", f"the url-pattern {pattern!r} must start with '/' or '*.'"


def _walk(root: etree._Element, ns: str, path: tuple[str, ...]) -> Iterator[etree._Element]:
    level = [root]
    for local in path:
        level = [c for parent in level for c in children(parent, ns, local)]
    yield from level


def _names(root: etree._Element, ns: str) -> Iterator[RuleFinding]:
    """Undeclared names in mappings (WX201, WX202), duplicates (WX205, WX206)."""
    for kind, key, label in (("filter", "filter-name", "filter"), ("servlet", "servlet-name", "servlet"),
                             ("context-param", "param-name", "context-param")):
        seen: dict[str, etree._Element] = {}
        for element in children(root, ns, kind):
            name = child_text(element, ns, key)
            if name is None:
                continue
            if name in seen:
                first_line = getattr(seen[name], "sourceline", "?")
                yield RuleFinding("WX205", "error", f"the {label} {name!r} is declared twice "
                                  f"(first on line {first_line}); containers refuse the application", element)
            else:
                seen[name] = element
    owners: dict[str, str] = {}
    for mapping in children(root, ns, "servlet-mapping"):
        servlet = child_text(mapping, ns, "servlet-name") or ""
        for pattern_element in children(mapping, ns, "url-pattern"):
            pattern = "".join(str(t) for t in pattern_element.itertext()).strip()
            other = owners.setdefault(pattern, servlet)
            if other != servlet:
                yield RuleFinding("WX206", "error", f"the url-pattern {pattern!r} is mapped to the servlets "
                                  f"{other!r} and {servlet!r}; a pattern maps to one servlet", pattern_element)


def _references(root: etree._Element, ns: str, complete: bool) -> Iterator[RuleFinding]:
    filters = {child_text(f, ns, "filter-name") for f in children(root, ns, "filter")}
    servlets = {child_text(s, ns, "servlet-name") for s in children(root, ns, "servlet")}
    severity: Severity = "error" if complete else "warning"
    why = ("containers refuse it, as the descriptor is complete (before Servlet 3.0, or "
           'metadata-complete="true")' if complete
           else "containers refuse it unless an annotation or a web-fragment.xml declares it")
    for mapping in children(root, ns, "filter-mapping"):
        name = child_text(mapping, ns, "filter-name")
        if name is not None and name not in filters:
            yield RuleFinding("WX201", severity, f"the filter-mapping names the filter {name!r}, which is not "
                              f"declared; {why}", mapping)
        for element in children(mapping, ns, "servlet-name"):
            target = text_of(element)
            if target != "*" and target not in servlets:
                # Containers accept it; the mapping just never matches that servlet.
                yield RuleFinding("WX202", "warning", f"the filter-mapping names the servlet {target!r}, which "
                                  "is not declared here, so it may never apply", element)
    for mapping in children(root, ns, "servlet-mapping"):
        name = child_text(mapping, ns, "servlet-name")
        if name is None or name in servlets:
            continue
        if name in CONTAINER_SERVLETS:
            yield RuleFinding("WX202", "warning", f"the servlet {name!r} is not declared here; it is the "
                              "container's own in Tomcat and Jetty, and not portable", mapping)
        else:
            yield RuleFinding("WX202", severity, f"the servlet-mapping names the servlet {name!r}, which is "
                              f"not declared; {why}", mapping)


def _url_patterns(root: etree._Element, ns: str) -> Iterator[RuleFinding]:
    for path in URL_PATTERN_PLACES:
        for holder in _walk(root, ns, path):
            for element in children(holder, ns, "url-pattern"):
                pattern = "".join(str(t) for t in element.itertext()).strip()
                problem = check_url_pattern(pattern)
                if problem is not None:
                    code = "WX203" if problem[0] == "error" else "WX204"
                    yield RuleFinding(code, problem[0], problem[1], element)


def _once(root: etree._Element, ns: str, grammar: Grammar) -> Iterator[RuleFinding]:
    if grammar.form == "dtd":
        return  # the 2.2/2.3 DTDs say "?" themselves
    for local in AT_MOST_ONCE.get(grammar.kind, ()):
        found = children(root, ns, local)
        for extra in found[1:]:
            yield RuleFinding("WX207", "error", f"<{local}> may appear only once (first on line "
                              f"{getattr(found[0], 'sourceline', '?')})", extra)


def _session(root: etree._Element, ns: str) -> Iterator[RuleFinding]:
    state = read_session_state(root, ns)
    profile = state.profile
    jakarta = ns == JAKARTA_NS
    if state.filter is None:
        if state.listener is not None:
            yield RuleFinding("WX303", "warning", "the session listener is declared without the "
                              f"{profile.filter_name} filter, so sessions do not go to the grid", state.listener)
        return
    if state.filter_name != profile.filter_name or state.filter_class not in profile.filter_classes.all():
        yield RuleFinding("WX305", "error", f"the session filter must be named {profile.filter_name} with the "
                          f"class {profile.filter_class(jakarta)}; found {state.filter_name!r} with "
                          f"{state.filter_class!r}", state.filter)
    if not state.mappings:
        yield RuleFinding("WX301", "error", f"the filter {state.filter_name} has no filter-mapping, so it "
                          "never runs", state.filter)
    elif profile.mapping_first and not state.mapping_first:
        yield RuleFinding("WX302", "error", f"the mapping of {state.filter_name} must be the first "
                          "filter-mapping: mapping order is filter order", state.mappings[0])
    for missing in state.missing_listeners:
        yield RuleFinding("WX303", "error", f"the session listener {missing} is missing", state.filter)
    for setting in state.settings:
        if setting.problem is not None:
            shown = "" if setting.value is None else f"={setting.value!r}"
            kind = etree.QName(setting.element).localname
            yield RuleFinding("WX304", "error", f"the {kind} {setting.name}{shown}: {setting.problem}; "
                              f"allowed: {setting.allowed}", setting.element)
        elif setting.replaced_by is not None:
            yield RuleFinding("WX306", "warning", f"the context-param {setting.name} is a 7.0 setting; "
                              f"replaced by {setting.replaced_by}", setting.element)
    if jakarta and not profile.supports(True):
        yield RuleFinding("WX307", "warning", "the session filter is a javax.servlet class, which a Jakarta "
                          "EE 9+ container does not load", state.filter)


def check_rules(tree: etree._ElementTree, grammar: Grammar) -> list[RuleFinding]:
    """Every built-in rule's findings for a web.xml or web-fragment.xml, in document order."""
    root = tree.getroot()
    findings: list[RuleFinding] = []
    if grammar.schema_file is None:
        if grammar.form == "none" and not grammar.namespace:
            findings.append(RuleFinding("WX105", "warning", f"<{grammar.kind}> declares no namespace and no "
                                        "DOCTYPE: no official grammar applies and the version is unknown",
                                        root))
        else:
            defined = ", ".join(defined_versions(grammar.kind, grammar.namespace)) or "none"
            findings.append(RuleFinding("WX104", "error", f"no official grammar defines version "
                                        f"{grammar.version!r} in the namespace {grammar.namespace} "
                                        f"(versions there: {defined})", root))
    if grammar.kind == "application":
        return findings
    ns = grammar.namespace
    findings += _names(root, ns)
    findings += _references(root, ns, _complete(grammar, root))
    findings += _url_patterns(root, ns)
    findings += _once(root, ns, grammar)
    findings += _session(root, ns)
    return findings
