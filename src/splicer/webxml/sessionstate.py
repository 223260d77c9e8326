"""What a descriptor holds of the eXtreme Scale session splice: filter, mappings, listener, settings.

Read without judging, for `splicer inspect` and for the session rules of `splicer validate`
(the splice itself uses survey.py, which refuses conflicts instead of describing them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from splicer.properties_keys import KNOWN_KEYS, ValueProblem
from splicer.webxml.render import SESSION_FILTER_CLASS, SESSION_FILTER_NAME, SESSION_LISTENER_CLASS
from splicer.webxml.versions import line, text_of


def children(parent: etree._Element, namespace: str, local: str) -> list[etree._Element]:
    """The children of *parent* named *local* in *namespace* ("" for none)."""
    return parent.findall(f"{{{namespace}}}{local}" if namespace else local)


def child_text(parent: etree._Element, namespace: str, local: str) -> str | None:
    found = children(parent, namespace, local)
    return text_of(found[0]) if found else None


@dataclass(frozen=True)
class Setting:
    """One context-param of a documented splicer.properties key, judged by the key table."""

    name: str
    value: str | None  # None: the context-param has no <param-value>
    element: etree._Element = field(repr=False, compare=False)
    problem: str | None = None  # why the key's type refuses the value
    allowed: str | None = None
    replaced_by: str | None = None  # a 7.0-era key: what replaced it

    @property
    def line(self) -> int | None:
        return line(self.element)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "line": self.line, "valid": self.problem is None,
                "problem": self.problem, "legacy": self.replaced_by is not None}


@dataclass(frozen=True)
class SessionState:
    """The session filter (found by name or by class), its mappings, the listener, the settings."""

    filter: etree._Element | None
    filter_name: str | None
    filter_class: str | None
    mappings: list[etree._Element]  # the session filter's own filter-mappings
    first_mapping: etree._Element | None  # the descriptor's first filter-mapping, whoever's
    listener: etree._Element | None
    settings: list[Setting]

    @property
    def present(self) -> bool:
        return self.filter is not None

    @property
    def mapping_first(self) -> bool:
        return bool(self.mappings) and self.first_mapping is self.mappings[0]

    def to_json(self) -> dict[str, object]:
        return {
            "filter": self.present,
            "filter_class": self.filter_class,
            "mapped": bool(self.mappings),
            "mapping_first": self.mapping_first,
            "listener": self.listener is not None,
            "settings": [setting.to_json() for setting in self.settings],
        }


def _judge(name: str, value: str | None, element: etree._Element) -> Setting:
    spec = KNOWN_KEYS[name]
    if value is None:
        return Setting(name, None, element, "the context-param has no <param-value>", spec.type.allowed,
                       spec.replaced_by)
    try:
        spec.type.validate(value)
    except ValueProblem as problem:
        detail = problem.detail + (f" ({problem.hint})" if problem.hint else "")
        return Setting(name, value, element, detail, spec.type.allowed, spec.replaced_by)
    return Setting(name, value, element, None, spec.type.allowed, spec.replaced_by)


def read_session_state(root: etree._Element, namespace: str) -> SessionState:
    """The session splice as the descriptor has it, in document order."""
    session_filter: etree._Element | None = None
    for candidate in children(root, namespace, "filter"):
        name = child_text(candidate, namespace, "filter-name")
        klass = child_text(candidate, namespace, "filter-class")
        if name == SESSION_FILTER_NAME or klass == SESSION_FILTER_CLASS:
            session_filter = candidate
            break
    name = klass = None
    if session_filter is not None:
        name = child_text(session_filter, namespace, "filter-name")
        klass = child_text(session_filter, namespace, "filter-class")
    all_mappings = children(root, namespace, "filter-mapping")
    ours = [m for m in all_mappings if name is not None and child_text(m, namespace, "filter-name") == name]
    listener = next(
        (li for li in children(root, namespace, "listener")
         if child_text(li, namespace, "listener-class") == SESSION_LISTENER_CLASS),
        None,
    )
    settings: list[Setting] = []
    for param in children(root, namespace, "context-param"):
        key = child_text(param, namespace, "param-name")
        if key is not None and key in KNOWN_KEYS:
            settings.append(_judge(key, child_text(param, namespace, "param-value"), param))
    return SessionState(session_filter, name, klass, ours, all_mappings[0] if all_mappings else None,
                        listener, settings)
