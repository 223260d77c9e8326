"""Every documented splicer.properties key: its type, what it allows, its default."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Java's integers are 32-bit: Integer.parseInt refuses anything larger, so do we.
JAVA_INT_MAX = 2**31 - 1

# Words a Java class name can never contain as a segment (JLS 3.9 keywords and literals).
_JAVA_RESERVED = frozenset(
    "abstract assert boolean break byte case catch char class const continue default do double "
    "else enum extends final finally float for goto if implements import instanceof int interface "
    "long native new package private protected public return short static strictfp super switch "
    "synchronized this throw throws transient try void volatile while true false null _".split()
)
_DECIMAL = re.compile(r"[+-]?[0-9]+")
# RFC 1123 host names, plus '_' which real intranet names (and Java's URI parser) tolerate.
_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
# RFC 6265 cookie-name: a token, i.e. no controls, spaces or separators.
_COOKIE_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class ValueProblem(ValueError):
    """A value the key's type refuses; ``detail`` says why, in a few words."""

    def __init__(self, detail: str, hint: str | None = None) -> None:
        self.detail = detail
        self.hint = hint
        super().__init__(detail)


@dataclass(frozen=True)
class ValueType:
    """A kind of value.  ``validate`` returns the value to write, or raises ValueProblem."""

    allowed: str
    # Free text keeps trailing whitespace, as java.util.Properties does; typed values strip it.
    free_text: bool = False

    def validate(self, value: str) -> str:
        # An empty value is refused for every type: it would splice a param saying nothing.
        if not value:
            raise ValueProblem("the value is empty")
        return self.check(value)

    def check(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class BoolType(ValueType):
    allowed: str = "true or false (any case; written in lower case)"

    def check(self, value: str) -> str:
        # Stricter than Boolean.parseBoolean, which reads every other word (yes, 1, on) as false.
        if value.lower() in ("true", "false"):
            return value.lower()
        raise ValueProblem("not a boolean")


@dataclass(frozen=True)
class IntType(ValueType):
    low: int = 0
    high: int = JAVA_INT_MAX

    def check(self, value: str) -> str:
        # Python's int() also takes '1_000' and non-ASCII digits; Integer.parseInt does not.
        if not _DECIMAL.fullmatch(value):
            raise ValueProblem("not a whole number")
        if not self.low <= int(value) <= self.high:
            raise ValueProblem("out of range")
        return value


@dataclass(frozen=True)
class ChoiceType(ValueType):
    choices: tuple[str, ...] = ()

    def check(self, value: str) -> str:
        if value in self.choices:
            return value
        folded = [choice for choice in self.choices if choice.lower() == value.lower()]
        if folded:
            # The filter compares these with equals(), not equalsIgnoreCase(): be as strict.
            raise ValueProblem("wrong case", hint=f"did you mean {folded[0]}?")
        raise ValueProblem("not one of the choices")


@dataclass(frozen=True)
class TokenType(ValueType):
    """A name with no whitespace or control characters (grid names, cookie domains)."""

    def check(self, value: str) -> str:
        if any(char.isspace() or ord(char) < 0x20 for char in value):
            raise ValueProblem("contains whitespace or a control character")
        return value


@dataclass(frozen=True)
class CookieNameType(ValueType):
    def check(self, value: str) -> str:
        if not _COOKIE_TOKEN.fullmatch(value):
            raise ValueProblem("not a cookie name token")
        return value


@dataclass(frozen=True)
class CookiePathType(ValueType):
    def check(self, value: str) -> str:
        if not value.startswith("/"):
            raise ValueProblem("does not start with '/'")
        if any(char.isspace() or char == ";" or ord(char) < 0x20 for char in value):
            raise ValueProblem("contains whitespace, ';' or a control character")
        return value


@dataclass(frozen=True)
class ClassNameType(ValueType):
    allowed: str = "a fully qualified Java class name, e.g. com.example.MyClass"

    def check(self, value: str) -> str:
        for part in value.split("."):
            # '$' is legal in Java identifiers (nested classes); Python's rule covers the rest.
            if not part.replace("$", "_").isidentifier() or part in _JAVA_RESERVED:
                raise ValueProblem("not a Java class name")
        return value


def parse_host_ports(value: str) -> list[tuple[str, int]]:
    """Split ``host:port[,host:port...]`` (IPv6 hosts in brackets); raises ValueProblem."""
    endpoints: list[tuple[str, int]] = []
    for item in value.split(","):
        if not item:
            raise ValueProblem("an empty entry in the list")
        if item.startswith("["):
            host, sep, port_text = item[1:].partition("]:")
            if not sep:
                raise ValueProblem(f"{item!r} is not [ipv6]:port")
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                raise ValueProblem(f"{host!r} is not an IPv6 address") from None
        else:
            host, sep, port_text = item.rpartition(":")
            if not sep:
                raise ValueProblem(f"{item!r} has no :port")
            if ":" in host:
                raise ValueProblem(f"{item!r}: put an IPv6 address in brackets")
            if not host or not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
                raise ValueProblem(f"{host!r} is not a host name or address")
        if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ValueProblem(f"{port_text!r} is not a port from 1 to 65535")
        endpoints.append((host, int(port_text)))
    return endpoints


@dataclass(frozen=True)
class HostPortListType(ValueType):
    allowed: str = "host:port[,host:port...], ports 1-65535, IPv6 as [addr]:port, no spaces"

    def check(self, value: str) -> str:
        parse_host_ports(value)
        return value


@dataclass(frozen=True)
class KeySpec:
    """One documented key: type, default (None: the filter's own, or none), one-line summary."""

    name: str
    type: ValueType
    default: str | None
    summary: str
    # For 7.0-era keys: what replaced them in 7.1+ (a key or a setting), said in a warning.
    replaced_by: str | None = None

    @property
    def legacy(self) -> bool:
        return self.replaced_by is not None


BOOL = BoolType()
TEXT = ValueType("any non-empty text (trailing whitespace is kept)", free_text=True)
PATH = ValueType("a file path (trailing whitespace is kept)", free_text=True)
CLASS = ClassNameType()

_SPECS = (
    KeySpec("objectGridType", ChoiceType("REMOTE or EMBEDDED (upper case)", choices=("REMOTE", "EMBEDDED")),
            "REMOTE", "REMOTE: sessions in grid containers outside the server; EMBEDDED: inside it"),
    KeySpec("objectGridName", TokenType("a grid name without whitespace"), "session",
            "grid name; must equal the name in objectGrid.xml and the deployment XML"),
    KeySpec("catalogHostPort", HostPortListType(), None,
            "catalog servers to bootstrap from; optional inside WAS when the catalog is configured there"),
    KeySpec("replicationInterval", IntType("an integer from 0 to 60 (seconds)", low=0, high=60), "10",
            "seconds between writes of changed sessions; 0 writes at the end of each request (REMOTE only)"),
    KeySpec("sessionTableSize", IntType(f"an integer from 1 to {JAVA_INT_MAX}", low=1), "1000",
            "session references kept in the server's memory (REMOTE only)"),
    KeySpec("fragmentedSession", BOOL, "true",
            "true stores each attribute as its own grid entry; false stores the whole session as one"),
    KeySpec("securityEnabled", BOOL, "false", "turn on grid client security; must match the grid's setting"),
    KeySpec("credentialGeneratorClass", CLASS, None,
            "com.ibm.websphere.objectgrid.security.plugins.CredentialGenerator implementation"),
    KeySpec("credentialGeneratorProps", TEXT, None,
            "string given to the generator's setProperties(); 'user password' for the built-in one"),
    KeySpec("credentialAuthentication",
            ChoiceType("Never, Supported or Required", choices=("Never", "Supported", "Required")),
            "Supported", "whether the client offers credentials to the grid"),
    KeySpec("authenticationRetryCount", IntType(f"an integer from 0 to {JAVA_INT_MAX}", low=0), "0",
            "retries when a credential has expired; 0 does not retry"),
    KeySpec("applicationQualifiedCookies", BOOL, "false",
            "true when several applications use different session cookie names"),
    KeySpec("cookieDomain", TokenType("a cookie domain without whitespace"), None,
            "cookie domain, to share sessions across hosts"),
    KeySpec("cookiePath", CookiePathType("a path starting with '/', without whitespace or ';'"), None,
            "cookie path of the session cookie"),
    KeySpec("shareSessionsAcrossWebApps", BOOL, "false",
            "non-standard extension: web applications share one session"),
    KeySpec("useURLEncoding", BOOL, "false", "track sessions by URL rewriting; match the web container"),
    KeySpec("useCookies", BOOL, "true", "track sessions by cookie; match the web container"),
    KeySpec("reuseSessionId", BOOL, "false",
            "reuse an incoming session id for a new session; match the web container's id reuse"),
    KeySpec("objectGridXML", PATH, None, "objectGrid XML file used by an EMBEDDED grid"),
    KeySpec("objectGridDeploymentXML", PATH, None, "deployment policy XML file used by an EMBEDDED grid"),
    KeySpec("traceSpec", TEXT, None, "IBM trace specification, for servers other than WebSphere"),
    KeySpec("traceFile", PATH, None, "file the trace is written to"),
    # 7.0 generation: still known and checked, but each draws a warning naming its successor.
    KeySpec("cookieName", CookieNameType("a cookie name token (RFC 6265)"), "JSESSIONID",
            "7.0: session cookie name",
            replaced_by="the web container's session cookie name (7.1+ has no splicer key for it)"),
    KeySpec("sessionIDLength", IntType("an integer from 8 to 128", low=8, high=128), "23",
            "7.0: length of generated session ids",
            replaced_by="the web container's session id settings (7.1+ has no splicer key for it)"),
    KeySpec("defaultSessionTimeout",
            IntType(f"an integer from -1 to {JAVA_INT_MAX} (minutes)", low=-1), "30",
            "7.0: minutes of inactivity before a session is invalidated",
            replaced_by="<session-config><session-timeout> in web.xml"),
    KeySpec("affinityManager", CLASS, "com.ibm.ws.httpsession.NoAffinityManager",
            "7.0: affinity manager class",
            replaced_by="nothing: 7.1+ routes by the grid; use the web server plug-in's session affinity"),
    KeySpec("replicationType",
            ChoiceType("asynchronous or synchronous", choices=("asynchronous", "synchronous")),
            "asynchronous", "7.0: synchronous or asynchronous writes",
            replaced_by="replicationInterval (0 = at the end of each request, N = every N seconds)"),
    KeySpec("persistenceMechanism",
            ChoiceType("ObjectGridStore or ObjectGridAtomicSessionStore",
                       choices=("ObjectGridStore", "ObjectGridAtomicSessionStore")),
            "ObjectGridStore", "7.0: per-attribute or whole-session storage",
            replaced_by="fragmentedSession (true = ObjectGridStore, false = ObjectGridAtomicSessionStore)"),
)

KNOWN_KEYS: Mapping[str, KeySpec] = MappingProxyType({spec.name: spec for spec in _SPECS})
