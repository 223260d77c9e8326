"""What would keep requests from the replicated session: another session manager, a narrow mapping.

Two warnings, both refusals under ``splice --strict``:

- CWWSM0550W, another session manager already declared.  Two managers each wrap the
  request's session: whichever filter runs first hands the application its own session,
  and the other's is never seen, or both replicate the same data to two places.  Splicing
  proceeds (the descriptor may be on its way from one to the other); the warning names it.
- CWWSM0551W, the session filter's mapping does not reach every request: mapped to a
  servlet name (JSPs and every other servlet get a local session), to a narrower pattern,
  or for dispatchers without REQUEST.  *Decision:* splice makes that mapping what it
  writes itself, ``/*`` for REQUEST: the first target becomes ``<url-pattern>/*``, other
  targets go (Servlet 2.3 and 2.4 allow one target per mapping, and one mapping keeps the
  filter to one call per request), and REQUEST is added to dispatchers that lack it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, NamedTuple

from lxml import etree

from splicer.errors import Diagnostic, Where
from splicer.webxml.versions import line, text_of

if TYPE_CHECKING:
    from splicer.profiles import Profile

OTHER_MANAGER_WARNING: Final = "CWWSM0550W"
COVERAGE_WARNING: Final = "CWWSM0551W"
# The warnings `splice --strict` turns into refusals.
STRICT_WARNINGS: Final = frozenset({OTHER_MANAGER_WARNING, COVERAGE_WARNING})

# Session managers a web.xml switches on with a filter or listener, by package, as their
# documentation has them declared.  Container-level ones (Tomcat's Redisson or memcached
# managers, Infinispan in WildFly) live in the server's configuration, not in web.xml.
SESSION_MANAGERS: Final = (
    ("Spring Session", "org.springframework.session."),  # SessionRepositoryFilter, listener adapters
    ("Hazelcast", "com.hazelcast.web."),  # WebFilter, SessionListener, spring.SpringAwareWebFilter
    ("Apache Ignite", "org.apache.ignite.cache.websession."),  # WebSessionFilter
    ("Apache Geode", "org.apache.geode.modules.session."),  # filter.SessionCachingFilter, SessionListener
    ("GemFire", "com.gemstone.gemfire.modules.session."),  # the same module before Apache
    ("Terracotta", "org.terracotta.session."),  # one filter class per application server
)
# Spring Session's usual declaration is a DelegatingFilterProxy named after its bean.
SPRING_SESSION_FILTER_NAME: Final = "springSessionRepositoryFilter"
# Every mapping must reach plain requests (no dispatcher listed means this one).
REQUEST: Final = "REQUEST"


def _children(parent: etree._Element, ns: str, local: str) -> list[etree._Element]:
    return parent.findall(f"{{{ns}}}{local}" if ns else local)


def _text(parent: etree._Element, ns: str, local: str) -> str:
    found = _children(parent, ns, local)
    return text_of(found[0]) if found else ""


def _manager_of(klass: str, profile: Profile) -> str | None:
    """The session manager *klass* belongs to, unless it is *profile*'s own."""
    if profile.owns(klass) or klass in profile.listener_classes(False) + profile.listener_classes(True):
        return None
    from splicer.profiles import other_managers

    # The table first (its names are the ones the warning has always given), then the
    # managers of the other profiles (eXtreme Scale's, when splicing another one over it).
    others = other_managers(profile)
    return next((who for who, package in [*SESSION_MANAGERS, *others] if klass.startswith(package)), None)


def other_session_managers(root: etree._Element, ns: str, where: Where, profile: Profile) -> list[Diagnostic]:
    """A warning for each filter or listener of a session manager other than *profile*'s."""
    found: list[Diagnostic] = []

    def warn(who: str, what: str, element: etree._Element) -> None:
        text = (
            f"the descriptor already declares another session manager, {who}: {what}; its session "
            f"and the replicated one of {profile.filter_name} wrap the same requests, so one of them "
            "is not the session the application sees"
        )
        found.append(Diagnostic(OTHER_MANAGER_WARNING, text, where.at(line(element))))

    for flt in _children(root, ns, "filter"):
        name, klass = _text(flt, ns, "filter-name"), _text(flt, ns, "filter-class")
        by_name = "Spring Session" if name == SPRING_SESSION_FILTER_NAME != profile.filter_name else None
        who = _manager_of(klass, profile) or by_name
        if who is not None:
            warn(who, f"the filter {name} ({klass})", flt)
    for listener in _children(root, ns, "listener"):
        klass = _text(listener, ns, "listener-class")
        who = _manager_of(klass, profile)
        if who is not None:
            warn(who, f"the listener {klass}", listener)
    return found


class Coverage(NamedTuple):
    """What one filter-mapping reaches, and what it lacks to reach every request."""

    targets: list[etree._Element]  # url-pattern and servlet-name elements, in order
    dispatchers: list[etree._Element]
    needs_pattern: bool  # no url-pattern /*
    needs_request: bool  # dispatchers given, REQUEST not among them

    @property
    def complete(self) -> bool:
        return not (self.needs_pattern or self.needs_request)

    def describe(self) -> str:
        """What the mapping reached, for the warning."""
        parts = []
        for target in self.targets:
            kind = "servlet" if etree.QName(target).localname == "servlet-name" else "url-pattern"
            parts.append(f"{kind} {text_of(target)!r}")
        reach = ", ".join(parts) if parts else "no url-pattern or servlet"
        if self.needs_request:
            names = ", ".join(text_of(d) for d in self.dispatchers)
            reach += f" for the dispatchers {names} (not REQUEST)"
        return reach


def coverage(mapping: etree._Element, ns: str, url_pattern: str) -> Coverage:
    """How far a filter-mapping reaches."""
    pattern_tag = f"{{{ns}}}url-pattern" if ns else "url-pattern"
    servlet_tag = f"{{{ns}}}servlet-name" if ns else "servlet-name"
    targets = [c for c in mapping if c.tag in (pattern_tag, servlet_tag)]
    dispatchers = _children(mapping, ns, "dispatcher")
    patterns = [text_of(t) for t in targets if t.tag == pattern_tag]
    return Coverage(
        targets=targets,
        dispatchers=dispatchers,
        needs_pattern=url_pattern not in patterns,
        # No dispatcher means REQUEST; listed ones replace it.
        needs_request=bool(dispatchers) and REQUEST not in [text_of(d) for d in dispatchers],
    )


def coverage_warning(found: Coverage, where: Where, mapping: etree._Element, profile: Profile) -> Diagnostic:
    text = (
        f"the filter-mapping of {profile.filter_name} reached only {found.describe()}, so JSPs and "
        f"other requests got no replicated session; it now maps {profile.url_pattern} for "
        f"{REQUEST}"
    )
    return Diagnostic(COVERAGE_WARNING, text, where.at(line(mapping)))


def strict_refusals(warnings: list[Diagnostic]) -> Iterator[Diagnostic]:
    """The warnings `splice --strict` refuses the application for."""
    return (w for w in warnings if w.message_id in STRICT_WARNINGS)
