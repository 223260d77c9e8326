"""web.xml: versions, the splice as text edits on the original bytes, validation, a read model."""

from splicer.webxml.edit import (
    JAKARTA_WARNING,
    UNKNOWN_VERSION_WARNING,
    WebXmlResult,
    splice_webxml,
)
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
from splicer.webxml.render import (
    SESSION_FILTER_CLASS,
    SESSION_FILTER_NAME,
    SESSION_LISTENER_CLASS,
    minimal_webxml,
)
from splicer.webxml.validate import validate_webxml
from splicer.webxml.versions import VersionInfo, detect_version

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
