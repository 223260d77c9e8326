"""Session rules across a web.xml and the web-fragment.xml files a container merges into it.

Servlet 3.0 (section 8.2) has the container merge the ``META-INF/web-fragment.xml`` of each
jar in ``WEB-INF/lib`` into the module's descriptor, unless web.xml is complete
(``metadata-complete="true"``, or a version before 2.5), and only the fragments its
``<absolute-ordering>`` names when that has no ``<others/>``.  What a merged fragment
declares acts as if web.xml declared it, so a fragment can bring a second session manager,
redeclare the session filter, or make the application no longer distributable, with nothing
in web.xml to show it.  The codes are documented in the README (``splicer validate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from lxml import etree

from splicer.webxml.grammars import Grammar
from splicer.webxml.sessioncheck import SESSION_MANAGERS, SPRING_SESSION_FILTER_NAME
from splicer.webxml.sessionstate import SessionState, child_text, children, read_session_state
from splicer.webxml.versions import line, text_of

if TYPE_CHECKING:
    from splicer.profiles import Profile

Severity = Literal["error", "warning", "note"]
# Versions a container takes as complete whatever they say: fragments came with Servlet 3.0,
# and Jetty and JBoss/WildFly treat a descriptor before 2.5 as metadata-complete.
_COMPLETE_VERSIONS = frozenset({"2.2", "2.3", "2.4"})
_LISTED = 5  # jars named in a note; the rest are counted


class Part(NamedTuple):
    """One descriptor of the module: its root element, grammar, and how messages name it."""

    root: etree._Element
    grammar: Grammar
    label: str  # web.xml, or the jar of a fragment (WEB-INF/lib/monitor.jar)

    @property
    def ns(self) -> str:
        return self.grammar.namespace


class MergeFinding(NamedTuple):
    """A finding on an element of web.xml (``source`` None) or of fragment number ``source``."""

    code: str
    severity: Severity
    message: str
    element: etree._Element
    source: int | None


def fragments_ignored(web: Part) -> str | None:
    """Why the container merges no fragment into *web*; None when it merges them."""
    if (web.root.get("metadata-complete") or "").strip().lower() == "true":
        return 'web.xml says metadata-complete="true"'
    if web.grammar.form == "dtd" or web.grammar.version in _COMPLETE_VERSIONS:
        return f"web.xml is {web.grammar.label}, complete by its version (fragments came with Servlet 3.0)"
    return None


def _jars(parts: Sequence[Part]) -> str:
    names = [part.label for part in parts]
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def _excluded(web: Part, fragments: Sequence[Part]) -> tuple[etree._Element, list[int]] | None:
    """web.xml's <absolute-ordering> without <others/>, and the fragments it leaves out."""
    found = children(web.root, web.ns, "absolute-ordering")
    if not found or children(found[0], web.ns, "others"):
        return None
    listed = {text_of(name) for name in children(found[0], web.ns, "name")}
    return found[0], [i for i, part in enumerate(fragments) if child_text(part.root, part.ns, "name") not in listed]


def manager_of(name: str | None, klass: str, profile: Profile) -> str | None:
    """The session manager a filter or listener belongs to, unless it is *profile*'s own
    (the table CWWSM0550W uses, then the other shipped profiles' packages)."""
    if klass and (profile.owns(klass) or klass in profile.listener_classes(False) + profile.listener_classes(True)):
        return None
    from splicer.profiles import other_managers

    who = next((who for who, package in [*SESSION_MANAGERS, *other_managers(profile)] if klass.startswith(package)),
               None)
    if who is None and name == SPRING_SESSION_FILTER_NAME != profile.filter_name:
        who = "Spring Session"  # its usual declaration: a DelegatingFilterProxy named after its bean
    return who


class _Module:
    """What web.xml says of the session filter, for the rules on each merged fragment."""

    def __init__(self, web: Part | None) -> None:
        from splicer.profiles import default_profile

        self.state: SessionState | None = read_session_state(web.root, web.ns) if web is not None else None
        self.profile = self.state.profile if self.state is not None else default_profile()
        self.spliced = self.state is not None and self.state.present
        self.severity: Severity = "error" if self.spliced else "warning"
        self.filters = {child_text(f, web.ns, "filter-name"): f for f in children(web.root, web.ns, "filter")} \
            if web is not None else {}
        self.distributable = web is not None and bool(children(web.root, web.ns, "distributable"))
        p = self.profile
        self.own = (f"{p.manager}'s {p.filter_name}, spliced into web.xml" if self.spliced
                    else f"{p.manager}'s {p.filter_name}, which a splice puts into web.xml")

    def is_session_filter(self, name: str | None, klass: str) -> bool:
        p = self.profile
        return name == p.filter_name or (not p.shared_class and klass in p.filter_classes.all())


def _filter(module: _Module, part: Part, flt: etree._Element, index: int) -> list[MergeFinding]:
    name = child_text(flt, part.ns, "filter-name")
    klass = child_text(flt, part.ns, "filter-class") or ""
    found: list[MergeFinding] = []
    state = module.state
    if name is not None and name in module.filters:
        first = module.filters[name]
        what = "the session filter" if state is not None and first is state.filter else "the filter"
        found.append(MergeFinding("WX309", "error", (
            f"{what} {name} is declared in web.xml too (line {line(first)}): the container merges the two "
            "into one, web.xml's class, init-params and mappings overriding this fragment's, and some "
            "containers start it twice instead"), flt, index))
    elif module.is_session_filter(name, klass):
        if module.spliced and state is not None:
            text = (f"a second session filter ({name}, {klass or 'no class'}): web.xml declares it as "
                    f"{state.filter_name} (line {line(state.filter) if state.filter is not None else '?'}); "
                    "both wrap the requests they map, each with a session of its own")
        else:
            text = (f"the fragment declares the session filter itself ({name}, {klass or 'no class'}); a "
                    f"splice puts {module.profile.filter_name} into web.xml too, which then merges with it or "
                    "runs beside it")
        found.append(MergeFinding("WX309", module.severity, text, flt, index))
    who = manager_of(name, klass, module.profile)
    if who is not None:
        found.append(MergeFinding("WX308", module.severity, (
            f"the filter {name} ({klass}) belongs to {who}, another session manager than the module's "
            f"({module.own}): both wrap the same requests, and one of them is not the session the "
            "application sees"), flt, index))
    return found


def _conflict(module: _Module, declared: dict[str, tuple[str, Part, etree._Element]], part: Part,
              flt: etree._Element, index: int) -> list[MergeFinding]:
    """WX314: two merged fragments declare one filter name with different classes, and web.xml,
    which would settle it, does not declare it: Servlet 3.0 section 8.2.3 has the container
    refuse to deploy the application."""
    name = child_text(flt, part.ns, "filter-name")
    klass = child_text(flt, part.ns, "filter-class") or ""
    if name is None or name in module.filters:
        return []
    first = declared.setdefault(name, (klass, part, flt))
    if first[0] == klass or first[1] is part:
        return []
    return [MergeFinding("WX314", "error", (
        f"the filter {name} is {klass or 'without a class'} here and {first[0] or 'without a class'} in "
        f"{first[1].label} (line {line(first[2])}), and web.xml does not declare it: the container refuses "
        "to deploy the application (Servlet 3.0 section 8.2.3); declare the filter in web.xml, whose "
        "declaration wins, or drop one of the jars"), flt, index)]


def merged_fragments(web: Part | None, fragments: Sequence[Part]) -> tuple[list[int], MergeFinding | None]:
    """Which *fragments* the container merges into *web* (their indexes), and the note that
    says why the others are not (WX310, WX311), if any is left out."""
    everyone = list(range(len(fragments)))
    if web is None or not fragments:
        return everyone, None
    why = fragments_ignored(web)
    if why is not None:
        count = len(fragments)
        return [], MergeFinding("WX310", "note", (
            f"{why}: the container merges none of the {count} web-fragment.xml file{'s' if count > 1 else ''} "
            f"of its library jars ({_jars(fragments)}); each is checked on its own, not against web.xml"),
            web.root, None)
    excluded = _excluded(web, fragments)
    if excluded is None or not excluded[1]:
        return everyone, None
    element, out = excluded
    return [i for i in everyone if i not in out], MergeFinding("WX311", "note", (
        "<absolute-ordering> without <others/> leaves out the fragments it does not name: the "
        f"container does not merge those of {_jars([fragments[i] for i in out])}; the session "
        "rules skip them"), element, None)


def check_fragments(web: Part | None, fragments: Sequence[Part]) -> list[MergeFinding]:
    """The session rules across *web* (None: the module has no web.xml) and the *fragments*
    of its library jars, in order: web.xml's note, then each merged fragment's findings."""
    merged, note = merged_fragments(web, fragments)
    findings = [] if note is None else [note]
    if not merged:
        return findings
    module = _Module(web)
    declared: dict[str, tuple[str, Part, etree._Element]] = {}  # filters only fragments declare
    for index in merged:
        part = fragments[index]
        if module.distributable and not children(part.root, part.ns, "distributable"):
            findings.append(MergeFinding("WX313", "warning", (
                "web.xml is <distributable/> but this fragment is not: the merged application is "
                "distributable only if every fragment is, so the container's own session replication "
                "(Tomcat's cluster managers, WebSphere's memory-to-memory) is off for it"), part.root, index))
        for flt in children(part.root, part.ns, "filter"):
            findings += _filter(module, part, flt, index)
            findings += _conflict(module, declared, part, flt, index)
        for listener in children(part.root, part.ns, "listener"):
            klass = child_text(listener, part.ns, "listener-class") or ""
            who = manager_of(None, klass, module.profile)
            if who is not None:
                findings.append(MergeFinding("WX308", module.severity, (
                    f"the listener {klass} belongs to {who}, another session manager than the module's "
                    f"({module.own}): both handle the same sessions' events"), listener, index))
    return findings
