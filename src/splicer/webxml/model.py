"""A small typed read model of a web.xml, for the emulated application server."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.webxml.versions import JAKARTA_NS, detect_version, line, text_of
from splicer.xmlsafe import parse_xml


@dataclass(frozen=True)
class FilterDef:
    name: str
    filter_class: str
    init_params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FilterMapping:
    """One <filter-mapping>; dispatchers are as written (empty means REQUEST)."""

    filter_name: str
    url_patterns: tuple[str, ...] = ()
    servlet_names: tuple[str, ...] = ()
    dispatchers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServletDef:
    name: str
    servlet_class: str | None = None
    jsp_file: str | None = None
    init_params: dict[str, str] = field(default_factory=dict)
    load_on_startup: int | None = None


@dataclass(frozen=True)
class ServletMapping:
    servlet_name: str
    url_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class CookieConfig:
    name: str | None = None
    path: str | None = None
    domain: str | None = None
    http_only: bool | None = None
    secure: bool | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class SessionConfig:
    timeout_minutes: int | None = None
    cookie: CookieConfig | None = None
    tracking_modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Descriptor:
    """What a container reads from a web.xml, in document order where order matters."""

    version: str
    namespace: str
    display_name: str | None = None
    distributable: bool = False
    context_params: dict[str, str] = field(default_factory=dict)
    filters: dict[str, FilterDef] = field(default_factory=dict)
    filter_mappings: list[FilterMapping] = field(default_factory=list)
    listeners: list[str] = field(default_factory=list)
    servlets: dict[str, ServletDef] = field(default_factory=dict)
    servlet_mappings: list[ServletMapping] = field(default_factory=list)
    session_config: SessionConfig | None = None
    welcome_files: list[str] = field(default_factory=list)

    @property
    def jakarta(self) -> bool:
        return self.namespace == JAKARTA_NS


class _Reader:
    """Namespace-aware child lookups with the container's whitespace trimming."""

    def __init__(self, namespace: str, where: Where) -> None:
        self.ns = namespace
        self.where = where

    def tag(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local

    def all(self, element: etree._Element, local: str) -> list[etree._Element]:
        return element.findall(self.tag(local))

    def text(self, element: etree._Element, local: str) -> str | None:
        child = element.find(self.tag(local))
        return None if child is None else text_of(child)

    def texts(self, element: etree._Element, local: str) -> tuple[str, ...]:
        return tuple(text_of(c) for c in self.all(element, local))

    def required(self, element: etree._Element, local: str) -> str:
        value = self.text(element, local)
        if not value:
            parent = etree.QName(element).localname
            raise DescriptorError(
                f"<{parent}> has no <{local}>", self.where.at(line(element))
            )
        return value

    def integer(self, element: etree._Element, local: str) -> int | None:
        value = self.text(element, local)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise DescriptorError(
                f"<{local}> is not a whole number: {value!r}", self.where.at(line(element))
            ) from None

    def boolean(self, element: etree._Element, local: str) -> bool | None:
        value = self.text(element, local)
        return None if value is None else value.lower() == "true"

    def params(self, element: etree._Element, local: str) -> dict[str, str]:
        return {
            self.required(p, "param-name"): self.text(p, "param-value") or ""
            for p in self.all(element, local)
        }


def _session_config(r: _Reader, root: etree._Element) -> SessionConfig | None:
    element = root.find(r.tag("session-config"))
    if element is None:
        return None
    cookie = None
    ce = element.find(r.tag("cookie-config"))
    if ce is not None:
        cookie = CookieConfig(
            name=r.text(ce, "name"),
            path=r.text(ce, "path"),
            domain=r.text(ce, "domain"),
            http_only=r.boolean(ce, "http-only"),
            secure=r.boolean(ce, "secure"),
            max_age=r.integer(ce, "max-age"),
        )
    return SessionConfig(
        timeout_minutes=r.integer(element, "session-timeout"),
        cookie=cookie,
        tracking_modes=r.texts(element, "tracking-mode"),
    )


def read_descriptor(data: bytes, where: Where) -> Descriptor:
    """Read a web.xml of any version (2.2 included) safely into a Descriptor.

    A context-param, filter or servlet declared twice is refused, as containers refuse it.
    """
    tree = parse_xml(data, where)
    info = detect_version(tree, where)
    root = tree.getroot()
    r = _Reader(info.namespace, where)
    context_params: dict[str, str] = {}
    for cp in r.all(root, "context-param"):
        name = r.required(cp, "param-name")
        if name in context_params:
            raise DescriptorError(
                f"the context-param {name} is declared twice", where.at(line(cp))
            )
        context_params[name] = r.text(cp, "param-value") or ""
    filters: dict[str, FilterDef] = {}
    for f in r.all(root, "filter"):
        fd = FilterDef(r.required(f, "filter-name"), r.text(f, "filter-class") or "",
                       r.params(f, "init-param"))
        if fd.name in filters:
            raise DescriptorError(f"the filter {fd.name} is declared twice", where.at(line(f)))
        filters[fd.name] = fd
    servlets: dict[str, ServletDef] = {}
    for s in r.all(root, "servlet"):
        sd = ServletDef(
            r.required(s, "servlet-name"),
            r.text(s, "servlet-class"),
            r.text(s, "jsp-file"),
            r.params(s, "init-param"),
            r.integer(s, "load-on-startup"),
        )
        if sd.name in servlets:
            raise DescriptorError(
                f"the servlet {sd.name} is declared twice", where.at(line(s))
            )
        servlets[sd.name] = sd
    welcome = root.find(r.tag("welcome-file-list"))
    return Descriptor(
        version=info.version,
        namespace=info.namespace,
        display_name=r.text(root, "display-name"),
        distributable=root.find(r.tag("distributable")) is not None,
        context_params=context_params,
        filters=filters,
        filter_mappings=[
            FilterMapping(
                r.required(m, "filter-name"),
                r.texts(m, "url-pattern"),
                r.texts(m, "servlet-name"),
                r.texts(m, "dispatcher"),
            )
            for m in r.all(root, "filter-mapping")
        ],
        listeners=[r.required(li, "listener-class") for li in r.all(root, "listener")],
        servlets=servlets,
        servlet_mappings=[
            ServletMapping(r.required(m, "servlet-name"), r.texts(m, "url-pattern"))
            for m in r.all(root, "servlet-mapping")
        ],
        session_config=_session_config(r, root),
        welcome_files=list(r.texts(welcome, "welcome-file")) if welcome is not None else [],
    )
