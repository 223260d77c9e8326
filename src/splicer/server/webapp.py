"""One deployed web module as the container sees it: filters by mapping, listeners, files."""

from __future__ import annotations

from splicer.server.patterns import dispatch_applies, is_jsp_path, matches
from splicer.server.settings import SESSION_FILTER_CLASS, SESSION_LISTENER_CLASS, DEFAULT_TIMEOUT_MINUTES
from splicer.webxml.model import Descriptor, FilterDef

# Filters and listeners the emulator gives behaviour to; every other one is listed and
# passed through (their classes are Java code the emulator cannot run).
KNOWN_FILTERS = {SESSION_FILTER_CLASS: "WXS HTTP session filter: sessions are read from and written to the grid"}
KNOWN_LISTENERS = {SESSION_LISTENER_CLASS: "WXS session listener (recognised; session events are the filter's job here)"}
DEFAULT_WELCOME_FILES = ("index.html", "index.htm", "index.jsp")


class WebApp:
    """The request-time view of a module: which filters run for a path, which servlet takes it."""

    def __init__(self, name: str, context_root: str, descriptor: Descriptor) -> None:
        self.name = name
        self.context_root = context_root
        self.descriptor = descriptor
        self._servlet_patterns = [
            (m.servlet_name, pattern) for m in descriptor.servlet_mappings for pattern in m.url_patterns
        ]

    @property
    def session_filter(self) -> FilterDef | None:
        """The declared HttpSessionFilter, whether or not a mapping uses it."""
        return next((f for f in self.descriptor.filters.values() if f.filter_class == SESSION_FILTER_CLASS), None)

    @property
    def session_filter_mapped(self) -> bool:
        found = self.session_filter
        return found is not None and any(m.filter_name == found.name for m in self.descriptor.filter_mappings)

    def servlet_for(self, path: str) -> str | None:
        """The servlet-name mapped for *path* by the Servlet spec precedence: exact, longest
        prefix, extension, default (`/`); None when only the container's JSP or file servlet
        takes it."""
        mappings = self._servlet_patterns
        for name, pattern in mappings:
            if pattern == path:
                return name
        best: tuple[int, str] | None = None
        for name, pattern in mappings:
            if pattern.endswith("/*") and matches(pattern, path):
                if best is None or len(pattern) > best[0]:
                    best = (len(pattern), name)
        if best is not None:
            return best[1]
        for name, pattern in mappings:
            if pattern.startswith("*.") and matches(pattern, path):
                return name
        if not is_jsp_path(path):
            for name, pattern in mappings:
                if pattern == "/":
                    return name
        return None

    def filter_chain(self, path: str) -> list[FilterDef]:
        """The filters a direct request for *path* passes through, in <filter-mapping> order
        (url-pattern mappings first, then servlet-name ones, as the spec orders the chain)."""
        chain: list[FilterDef] = []
        servlet = self.servlet_for(path)
        mappings = self.descriptor.filter_mappings
        by_url = [m for m in mappings if any(matches(p, path) for p in m.url_patterns)]
        by_servlet = [
            m
            for m in mappings
            if any(n == "*" or (servlet is not None and n == servlet) for n in m.servlet_names)
        ]
        for mapping in by_url + by_servlet:
            found = self.descriptor.filters.get(mapping.filter_name)
            if found is not None and dispatch_applies(mapping.dispatchers) and found not in chain:
                chain.append(found)
        return chain

    def session_filtered(self, path: str) -> bool:
        """True when the WXS filter wraps this request: its sessions come from the grid."""
        return any(f.filter_class == SESSION_FILTER_CLASS for f in self.filter_chain(path))

    @property
    def session_timeout_seconds(self) -> int:
        """<session-timeout> minutes as seconds; 0 or less means sessions never time out."""
        config = self.descriptor.session_config
        minutes = config.timeout_minutes if config is not None else None
        return (DEFAULT_TIMEOUT_MINUTES if minutes is None else minutes) * 60

    @property
    def welcome_files(self) -> tuple[str, ...]:
        return tuple(self.descriptor.welcome_files) or DEFAULT_WELCOME_FILES

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "contextRoot": self.context_root,
            "webXmlVersion": self.descriptor.version,
            "contextParams": dict(self.descriptor.context_params),
            "filters": [
                {"name": f.name, "class": f.filter_class, "behaviour": KNOWN_FILTERS.get(f.filter_class, "pass-through")}
                for f in self.descriptor.filters.values()
            ],
            "filterMappings": [
                {
                    "filter": m.filter_name,
                    "urlPatterns": list(m.url_patterns),
                    "servletNames": list(m.servlet_names),
                    "dispatchers": list(m.dispatchers),
                }
                for m in self.descriptor.filter_mappings
            ],
            "listeners": [
                {"class": c, "behaviour": KNOWN_LISTENERS.get(c, "pass-through")} for c in self.descriptor.listeners
            ],
            "sessionTimeoutMinutes": self.session_timeout_seconds // 60,
        }
