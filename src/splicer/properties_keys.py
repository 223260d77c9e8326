"""The types of profile keys (what each allows) and KeySpec; KNOWN_KEYS are the default profile's."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

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


class ValueType:
    """A kind of value.  ``validate`` returns the value to write, or raises ValueProblem.

    Plain classes with slots, not frozen dataclasses, for start-up (docs/architecture.md);
    equal when of one class with equal fields, as KeySpecs of two loads of a profile are.
    """

    __slots__ = ("allowed", "free_text")

    def __init__(self, allowed: str, free_text: bool = False) -> None:
        self.allowed = allowed
        # Free text keeps trailing whitespace, as java.util.Properties does; typed values strip it.
        self.free_text = free_text

    def fields(self) -> dict[str, Any]:
        """The fields by name, the base class's first (each __init__ takes them by these names)."""
        return {name: getattr(self, name) for cls in reversed(type(self).__mro__)
                for name in cls.__dict__.get("__slots__", ())}

    def replace(self, **changes: Any) -> ValueType:
        """A copy of this type with *changes*, as dataclasses.replace made one."""
        return type(self)(**(self.fields() | changes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValueType) or other.__class__ is not self.__class__:
            return NotImplemented
        return self.fields() == other.fields()

    def __hash__(self) -> int:
        return hash(tuple(self.fields().values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.fields().items())})"

    def validate(self, value: str) -> str:
        # An empty value is refused for every type: it would splice a param saying nothing.
        if not value:
            raise ValueProblem("the value is empty")
        return self.check(value)

    def check(self, value: str) -> str:
        return value


class BoolType(ValueType):
    __slots__ = ()

    def __init__(self, allowed: str = "true or false (any case; written in lower case)",
                 free_text: bool = False) -> None:
        super().__init__(allowed, free_text)

    def check(self, value: str) -> str:
        # Stricter than Boolean.parseBoolean, which reads every other word (yes, 1, on) as false.
        if value.lower() in ("true", "false"):
            return value.lower()
        raise ValueProblem("not a boolean")


class IntType(ValueType):
    __slots__ = ("low", "high")

    def __init__(self, allowed: str, free_text: bool = False, low: int = 0, high: int = JAVA_INT_MAX) -> None:
        super().__init__(allowed, free_text)
        self.low = low
        self.high = high

    def check(self, value: str) -> str:
        # Python's int() also takes '1_000' and non-ASCII digits; Integer.parseInt does not.
        if not _DECIMAL.fullmatch(value):
            raise ValueProblem("not a whole number")
        if not self.low <= int(value) <= self.high:
            raise ValueProblem("out of range")
        return value


class ChoiceType(ValueType):
    __slots__ = ("choices",)

    def __init__(self, allowed: str, free_text: bool = False, choices: tuple[str, ...] = ()) -> None:
        super().__init__(allowed, free_text)
        self.choices = choices

    def check(self, value: str) -> str:
        if value in self.choices:
            return value
        folded = [choice for choice in self.choices if choice.lower() == value.lower()]
        if folded:
            # The filter compares these with equals(), not equalsIgnoreCase(): be as strict.
            raise ValueProblem("wrong case", hint=f"did you mean {folded[0]}?")
        raise ValueProblem("not one of the choices")


class TokenType(ValueType):
    """A name with no whitespace or control characters (grid names, cookie domains)."""

    __slots__ = ()

    def check(self, value: str) -> str:
        if any(char.isspace() or ord(char) < 0x20 for char in value):
            raise ValueProblem("contains whitespace or a control character")
        return value


class CookieNameType(ValueType):
    __slots__ = ()

    def check(self, value: str) -> str:
        if not _COOKIE_TOKEN.fullmatch(value):
            raise ValueProblem("not a cookie name token")
        return value


class CookiePathType(ValueType):
    __slots__ = ()

    def check(self, value: str) -> str:
        if not value.startswith("/"):
            raise ValueProblem("does not start with '/'")
        if any(char.isspace() or char == ";" or ord(char) < 0x20 for char in value):
            raise ValueProblem("contains whitespace, ';' or a control character")
        return value


class ClassNameType(ValueType):
    __slots__ = ()

    def __init__(self, allowed: str = "a fully qualified Java class name, e.g. com.example.MyClass",
                 free_text: bool = False) -> None:
        super().__init__(allowed, free_text)

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


class HostPortListType(ValueType):
    __slots__ = ()

    def __init__(self, allowed: str = "host:port[,host:port...], ports 1-65535, IPv6 as [addr]:port, no spaces",
                 free_text: bool = False) -> None:
        super().__init__(allowed, free_text)

    def check(self, value: str) -> str:
        parse_host_ports(value)
        return value


class KeySpec(NamedTuple):
    """One documented key: type, default (None: the filter's own, or none), one-line summary."""

    name: str
    type: ValueType
    default: str | None
    summary: str
    # For 7.0-era keys: what replaced them in 7.1+ (a key or a setting), said in a warning.
    replaced_by: str | None = None
    # Where the value goes in web.xml: a context-param, or an init-param of the session filter.
    goes: str = "context-param"

    @property
    def legacy(self) -> bool:
        return self.replaced_by is not None


BOOL = BoolType()
TEXT = ValueType("any non-empty text (trailing whitespace is kept)", free_text=True)
PATH = ValueType("a file path (trailing whitespace is kept)", free_text=True)
CLASS = ClassNameType()

_TYPES: dict[str, ValueType] = {
    "bool": BOOL, "text": TEXT, "path": PATH, "class": CLASS, "host-ports": HostPortListType(),
    "int": IntType(f"an integer from 0 to {JAVA_INT_MAX}"), "choice": ChoiceType("one of the choices"),
    "token": TokenType("a name without whitespace"), "cookie-name": CookieNameType("a cookie name token (RFC 6265)"),
    "cookie-path": CookiePathType("a path starting with '/', without whitespace or ';'"),
}
TYPE_NAMES = tuple(_TYPES)


def key_type(name: str, *, allowed: str | None = None, low: int | None = None, high: int | None = None,
             choices: tuple[str, ...] = ()) -> ValueType:
    """The value type a profile's manifest names (``type = "int"``, with its range or choices)."""
    base = _TYPES.get(name)
    if base is None:
        raise ValueError(f"unknown type {name!r} (known: {', '.join(_TYPES)})")
    changes: dict[str, object] = {}
    if isinstance(base, IntType):
        low = base.low if low is None else low
        high = base.high if high is None else high
        if not -JAVA_INT_MAX - 1 <= low <= high <= JAVA_INT_MAX:
            raise ValueError(f"the range {low}..{high} is empty or wider than a Java int")
        changes.update(low=low, high=high, allowed=f"an integer from {low} to {high}")
    elif low is not None or high is not None:
        raise ValueError(f"low and high are for int, not {name}")
    if isinstance(base, ChoiceType):
        if not choices:
            raise ValueError("a choice needs its choices")
        changes.update(choices=choices, allowed=" or ".join(choices))
    elif choices:
        raise ValueError(f"choices are for choice, not {name}")
    if allowed is not None:
        changes["allowed"] = allowed
    return base.replace(**changes) if changes else base


def __getattr__(name: str) -> Mapping[str, KeySpec]:
    # The default profile's keys, read from its manifest when first asked for (not at import,
    # as the profile module imports this one for the types).
    if name == "KNOWN_KEYS":
        from splicer.profiles import default_profile

        return default_profile().keys
    raise AttributeError(name)
