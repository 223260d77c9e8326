"""Servlet url-pattern matching (Servlet spec §12.2) for filter mappings.

Hand-written: no Python library implements the servlet mapping rules, and they are short.
"""

from __future__ import annotations

# The tutorial's spliced web.xml maps the filter with the non-standard pattern `*`;
# WebSphere accepts it as "every request", and so do we.
MATCH_ALL = frozenset({"/*", "*"})


def is_jsp_path(path: str) -> bool:
    """Requests the JSP servlet (the implicit ``*.jsp`` mapping) takes."""
    return path.lower().endswith(".jsp")


def matches(pattern: str, path: str) -> bool:
    """True when *pattern* selects the module-relative *path* (``/SessionTest.jsp``).

    - ``/*`` (and ``*``): every request;
    - ``/prefix/*``: ``/prefix`` itself and everything below it;
    - ``*.ext``: a last path segment ending in ``.ext``;
    - ``/``: the default servlet, i.e. every request the JSP servlet does not take;
    - anything else: an exact match.
    """
    pattern = pattern.strip()
    if pattern in MATCH_ALL:
        return True
    if pattern == "/":
        return not is_jsp_path(path)
    if pattern.startswith("/") and pattern.endswith("/*"):
        prefix = pattern[:-2]
        return path == prefix or path.startswith(prefix + "/")
    if pattern.startswith("*."):
        last = path.rsplit("/", 1)[-1]
        return last.endswith(pattern[1:])
    return path == pattern


def dispatch_applies(dispatchers: tuple[str, ...]) -> bool:
    """A mapping with no <dispatcher> applies to REQUEST; otherwise REQUEST must be listed.

    The emulator only serves direct requests, never FORWARD/INCLUDE/ERROR dispatches.
    """
    return not dispatchers or any(d.strip().upper() == "REQUEST" for d in dispatchers)
