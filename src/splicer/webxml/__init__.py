"""web.xml: versions, the splice as text edits on the original bytes, validation, a read model.

Decisions where the spec leaves room (the README should carry them too):

- Placement follows the Servlet 2.3 order in every version; a kind the file lacks goes
  right after the element before its 2.3 slot, so a comment heading the next element stays
  with it.  An existing session filter or listener is left where it is; only the mapping
  must be first, and is moved there (the one edit that is not an insertion, with a changed
  param-value and the expansion of a self-closing ``<web-app/>``).
- A root with no namespace and no Servlet DOCTYPE (Tomcat accepts it) has version
  "unknown": the elements take the Servlet 2.3 shapes (no ``<dispatcher>``, which means
  REQUEST everywhere; a bare listener), with warning CWWSM0531W.
- Jakarta namespaces (5.0+) are spliced with warning CWWSM0530W: the filter is javax.servlet.
- param-values are compared trimmed, as containers read them; new values are escaped, and
  characters the file's encoding cannot hold become character references.
- Conflicts: our filter name with another class, our class under another name, a file that
  sets one of our context-params twice or without a value.  Nothing else is judged.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from splicer.webxml.edit import (
    JAKARTA_WARNING,
    UNKNOWN_VERSION_WARNING,
    WebXmlResult,
    splice_webxml,
)
from splicer.webxml.render import minimal_webxml
from splicer.webxml.versions import VersionInfo, detect_version

if TYPE_CHECKING:
    from splicer.webxml.render import SESSION_FILTER_CLASS, SESSION_FILTER_NAME, SESSION_LISTENER_CLASS
    from splicer.webxml.model import (
        CookieConfig,
        Descriptor,
        FilterDef,
        FilterMapping,
        ServletDef,
        ServletMapping,
        SessionConfig,
        read_descriptor,
    )
    from splicer.webxml.validate import validate_webxml

# The read model (the app server's) and validation are imported when first asked for: a
# splice needs neither, and their classes and schemas cost start-up time.
_LAZY = {
    **dict.fromkeys(("CookieConfig", "Descriptor", "FilterDef", "FilterMapping", "ServletDef", "ServletMapping",
                     "SessionConfig", "read_descriptor"), "splicer.webxml.model"),
    "validate_webxml": "splicer.webxml.validate",
    # The default profile's names: read from its manifest when first asked for.
    **dict.fromkeys(("SESSION_FILTER_CLASS", "SESSION_FILTER_NAME", "SESSION_LISTENER_CLASS"), "splicer.webxml.render"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'splicer.webxml' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

__all__ = [
    "JAKARTA_WARNING",
    "SESSION_FILTER_CLASS",
    "SESSION_FILTER_NAME",
    "SESSION_LISTENER_CLASS",
    "UNKNOWN_VERSION_WARNING",
    "CookieConfig",
    "Descriptor",
    "FilterDef",
    "FilterMapping",
    "ServletDef",
    "ServletMapping",
    "SessionConfig",
    "VersionInfo",
    "WebXmlResult",
    "detect_version",
    "minimal_webxml",
    "read_descriptor",
    "splice_webxml",
    "validate_webxml",
]
