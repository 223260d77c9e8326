"""What a descriptor holds of a session splice: filter, mappings, listeners, settings, per profile.

Read without judging, for `splicer inspect` and for the session rules of `splicer validate`
(the splice itself uses survey.py, which refuses conflicts instead of describing them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from splicer.properties_keys import KeySpec, ValueProblem
from splicer.webxml.versions import JAKARTA_NS, line, text_of

if TYPE_CHECKING:
    from splicer.profiles import Profile


def children(parent: etree._Element, namespace: str, local: str) -> list[etree._Element]:
    """The children of *parent* named *local* in *namespace* ("" for none)."""
    return parent.findall(f"{{{namespace}}}{local}" if namespace else local)


def child_text(parent: etree._Element, namespace: str, local: str) -> str | None:
    found = children(parent, namespace, local)
    return text_of(found[0]) if found else None


@dataclass(frozen=True)
class Setting:
    """One context-param (or init-param of the filter) of a profile's key, judged by its type."""

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
    """The session filter (found by name or by class), its mappings, the listener, the settings,
    as the profile whose filter the descriptor has (else the default profile) describes them."""

    filter: etree._Element | None
    filter_name: str | None
    filter_class: str | None
    mappings: list[etree._Element]  # the session filter's own filter-mappings
    first_mapping: etree._Element | None  # the descriptor's first filter-mapping, whoever's
    listener: etree._Element | None  # the first listener, when every one of the profile's is there
    settings: list[Setting]
    profile: Profile = field(repr=False, compare=False)
    missing_listeners: list[str] = field(default_factory=list)

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
            "profile": self.profile.name,
            "settings": [setting.to_json() for setting in self.settings],
        }


def _judge(spec: KeySpec, name: str, value: str | None, element: etree._Element) -> Setting:
    if value is None:
        return Setting(name, None, element, "the context-param has no <param-value>", spec.type.allowed,
                       spec.replaced_by)
    try:
        spec.type.validate(value)
    except ValueProblem as problem:
        detail = problem.detail + (f" ({problem.hint})" if problem.hint else "")
        return Setting(name, value, element, detail, spec.type.allowed, spec.replaced_by)
    return Setting(name, value, element, None, spec.type.allowed, spec.replaced_by)


def _matches(profile: Profile, name: str | None, klass: str | None) -> bool:
    return name == profile.filter_name or (not profile.shared_class and klass in profile.filter_classes.all())


def _profile_of(root: etree._Element, namespace: str) -> Profile:
    """The shipped profile whose filter the descriptor declares (the default first), else the default."""
    from splicer.profiles import default_profile, shipped

    filters = [(child_text(f, namespace, "filter-name"), child_text(f, namespace, "filter-class"))
               for f in children(root, namespace, "filter")]
    for profile in shipped().values():
        if any(_matches(profile, name, klass) for name, klass in filters):
            return profile
    return default_profile()


def read_session_state(root: etree._Element, namespace: str, profile: Profile | None = None) -> SessionState:
    """The session splice as the descriptor has it, in document order (*profile*: found from
    the filter when not given)."""
    profile = profile or _profile_of(root, namespace)
    session_filter: etree._Element | None = None
    for candidate in children(root, namespace, "filter"):
        name = child_text(candidate, namespace, "filter-name")
        klass = child_text(candidate, namespace, "filter-class")
        if _matches(profile, name, klass):
            session_filter = candidate
            break
    name = klass = None
    if session_filter is not None:
        name = child_text(session_filter, namespace, "filter-name")
        klass = child_text(session_filter, namespace, "filter-class")
    all_mappings = children(root, namespace, "filter-mapping")
    ours = [m for m in all_mappings if name is not None and child_text(m, namespace, "filter-name") == name]
    wanted = dict.fromkeys(profile.listener_classes(namespace == JAKARTA_NS))
    found = {child_text(li, namespace, "listener-class"): li for li in reversed(children(root, namespace, "listener"))}
    missing = [klass for klass in wanted if klass not in found]
    present = [found[klass] for klass in wanted if klass in found]
    listener = present[0] if present and not missing else None
    settings: list[Setting] = []
    params = children(root, namespace, "context-param")
    if session_filter is not None:
        params = params + children(session_filter, namespace, "init-param")
    for param in params:
        key = child_text(param, namespace, "param-name")
        spec = profile.keys.get(key) if key is not None else None
        kind = "init-param" if etree.QName(param).localname == "init-param" else "context-param"
        if key is not None and spec is not None and spec.goes == kind:
            settings.append(_judge(spec, key, child_text(param, namespace, "param-value"), param))
    return SessionState(session_filter, name, klass, ours, all_mappings[0] if all_mappings else None,
                        listener, settings, profile, missing)
