"""plugin-cfg.xml files: read them (lxml, safe parser, references checked) and write them atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from lxml import etree

from splicer.errors import ConfigError, HostileXmlError, OutputError, SplicerError, Where
from splicer.xmlsafe import parse_xml
from splicer.plugin.model import (
    DEFAULT_AFFINITY_COOKIE,
    Attrs,
    DEFAULT_AFFINITY_URL_ID,
    PluginConfig,
    Route,
    Server,
    ServerCluster,
    Transport,
    Uri,
    UriGroup,
    VirtualHostGroup,
)

# Generated files declare ISO-8859-1 (tWAS GenPluginCfg does); we keep that.
ENCODING = "ISO-8859-1"


class PluginConfigError(ConfigError):
    """A plugin-cfg.xml that is not what the plug-in can route with: wrong element, bad value, dangling name."""

    message_id = "CWWSM0150E"


# ---------------------------------------------------------------------------- reading

_SERVER_KNOWN = {"Name", "CloneID", "LoadBalanceWeight", "ConnectTimeout", "ServerIOTimeout"}
_CLUSTER_KNOWN = {
    "Name", "LoadBalance", "RetryInterval", "IgnoreAffinityRequests", "CloneSeparatorChange",
    "GetDWLMTable", "PostBufferSize", "ServerIOTimeoutRetry", "RemoveSpecialHeaders",
}


class _Reader:
    """Typed access to attributes, every failure naming the file and line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def where(self, el: etree._Element) -> Where:
        line = el.sourceline
        return Where((self.source,), line if isinstance(line, int) else None)

    def req(self, el: etree._Element, name: str) -> str:
        value = el.get(name)
        if value is None or not value.strip():
            raise PluginConfigError(f"<{el.tag}> needs the attribute {name}", self.where(el), key=name)
        return value.strip()

    def num(self, el: etree._Element, name: str, default: float, *, integer: bool = False) -> float:
        raw = el.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            return int(raw) if integer else float(raw)
        except ValueError:
            kind = "an integer" if integer else "a number"
            raise PluginConfigError(
                f"{el.tag}@{name} must be {kind}", self.where(el), key=name, value=raw
            ) from None

    def flag(self, el: etree._Element, name: str, default: bool) -> bool:
        raw = el.get(name)
        if raw is None:
            return default
        if raw.strip().lower() not in ("true", "false"):
            raise PluginConfigError(
                f"{el.tag}@{name} must be true or false", self.where(el), key=name, value=raw, allowed="true, false"
            )
        return raw.strip().lower() == "true"


def _extra(el: etree._Element, known: set[str]) -> Attrs:
    return tuple((str(k), str(v)) for k, v in el.attrib.items() if k not in known)


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    # Comments and processing instructions have a non-string tag; skip them.
    return [c for c in el if isinstance(c.tag, str) and c.tag == tag]


def _read_server(r: _Reader, el: etree._Element) -> Server:
    transports = tuple(
        Transport(
            hostname=r.req(t, "Hostname"),
            port=int(r.num(t, "Port", 0, integer=True)),
            protocol=t.get("Protocol", "http"),
            properties=tuple((r.req(p, "Name"), p.get("Value", "")) for p in _children(t, "Property")),
        )
        for t in _children(el, "Transport")
    )
    return Server(
        name=r.req(el, "Name"),
        transports=transports,
        clone_id=el.get("CloneID") or None,
        load_balance_weight=int(r.num(el, "LoadBalanceWeight", 2, integer=True)),
        connect_timeout=r.num(el, "ConnectTimeout", 0.0),
        server_io_timeout=r.num(el, "ServerIOTimeout", 0.0),
        extra=_extra(el, _SERVER_KNOWN),
    )


def _read_cluster(r: _Reader, el: etree._Element) -> ServerCluster:
    servers = tuple(_read_server(r, s) for s in _children(el, "Server"))
    names = {s.name for s in servers}

    def refs(tag: str) -> tuple[str, ...]:
        out: list[str] = []
        for group in _children(el, tag):
            for ref in _children(group, "Server"):
                name = r.req(ref, "Name")
                if name not in names:
                    raise PluginConfigError(
                        f"{tag} names the server {name!r}, which cluster {el.get('Name')!r} does not define",
                        r.where(ref), key="Name", value=name,
                    )
                out.append(name)
        return tuple(out)

    balance = el.get("LoadBalance", "Round Robin")
    if balance not in ("Round Robin", "Random"):
        raise PluginConfigError(
            "ServerCluster@LoadBalance is not known", r.where(el), key="LoadBalance", value=balance,
            allowed="Round Robin, Random",
        )
    return ServerCluster(
        name=r.req(el, "Name"),
        servers=servers,
        primary=refs("PrimaryServers"),
        backup=refs("BackupServers"),
        load_balance=balance,
        retry_interval=r.num(el, "RetryInterval", 60.0),
        ignore_affinity_requests=r.flag(el, "IgnoreAffinityRequests", True),
        clone_separator_change=r.flag(el, "CloneSeparatorChange", False),
        get_dwlm_table=r.flag(el, "GetDWLMTable", False),
        post_buffer_size=int(r.num(el, "PostBufferSize", 64, integer=True)),
        server_io_timeout_retry=int(r.num(el, "ServerIOTimeoutRetry", -1, integer=True)),
        remove_special_headers=r.flag(el, "RemoveSpecialHeaders", True),
        extra=_extra(el, _CLUSTER_KNOWN),
    )


def parse_config(data: bytes, source: str = "plugin-cfg.xml") -> PluginConfig:
    """Parse plugin-cfg.xml bytes; every Route must name a defined cluster, UriGroup and VirtualHostGroup."""
    r = _Reader(source)
    try:
        root = parse_xml(data, Where((source,))).getroot()
    except HostileXmlError:
        raise  # entities stay a refusal of hostile input (exit 3)
    except SplicerError as exc:
        # A configuration file, like the grid's XML: exit 2, with file and line.
        raise PluginConfigError(exc.reason, exc.where) from None
    if root.tag != "Config":
        raise PluginConfigError(f"the root element is <{root.tag}>, not <Config>", r.where(root))
    logs = _children(root, "Log")
    cfg = PluginConfig(
        attributes=tuple((str(k), str(v)) for k, v in root.attrib.items()),
        log=tuple((str(k), str(v)) for k, v in logs[0].attrib.items()) if logs else None,
        properties=tuple((r.req(p, "Name"), p.get("Value", "")) for p in _children(root, "Property")),
        virtual_host_groups=tuple(
            VirtualHostGroup(r.req(g, "Name"), tuple(r.req(v, "Name") for v in _children(g, "VirtualHost")))
            for g in _children(root, "VirtualHostGroup")
        ),
        clusters=tuple(_read_cluster(r, c) for c in _children(root, "ServerCluster")),
        uri_groups=tuple(
            UriGroup(
                r.req(g, "Name"),
                tuple(
                    Uri(
                        r.req(u, "Name"),
                        u.get("AffinityCookie") or DEFAULT_AFFINITY_COOKIE,
                        u.get("AffinityURLIdentifier") or DEFAULT_AFFINITY_URL_ID,
                    )
                    for u in _children(g, "Uri")
                ),
            )
            for g in _children(root, "UriGroup")
        ),
        routes=tuple(
            Route(r.req(e, "ServerCluster"), r.req(e, "UriGroup"), r.req(e, "VirtualHostGroup"))
            for e in _children(root, "Route")
        ),
        source=source,
    )
    _check_routes(cfg, root, r)
    return cfg


def _check_routes(cfg: PluginConfig, root: etree._Element, r: _Reader) -> None:
    defined = {
        "ServerCluster": {c.name for c in cfg.clusters},
        "UriGroup": {g.name for g in cfg.uri_groups},
        "VirtualHostGroup": {g.name for g in cfg.virtual_host_groups},
    }
    for el in _children(root, "Route"):
        for attr, names in defined.items():
            value = el.get(attr, "")
            if value not in names:
                raise PluginConfigError(
                    f"Route names the {attr} {value!r}, which is not defined", r.where(el), key=attr, value=value
                )


def read_config(path: Path) -> PluginConfig:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PluginConfigError(f"cannot read the plug-in configuration: {exc.strerror}", Where((str(path),))) from None
    return parse_config(data, str(path))


# ---------------------------------------------------------------------------- writing

def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _sub(parent: etree._Element, tag: str, attrs: Iterable[tuple[str, str]]) -> etree._Element:
    el = etree.SubElement(parent, tag)
    for key, value in attrs:
        el.set(key, value)
    return el


def _server_attrs(s: Server) -> list[tuple[str, str]]:
    attrs = [("CloneID", s.clone_id)] if s.clone_id else []
    attrs += [
        ("ConnectTimeout", _fmt(s.connect_timeout)),
        ("LoadBalanceWeight", str(s.load_balance_weight)),
        ("Name", s.name),
        ("ServerIOTimeout", _fmt(s.server_io_timeout)),
    ]
    return sorted(attrs + list(s.extra))


def _cluster_attrs(c: ServerCluster) -> list[tuple[str, str]]:
    attrs = [
        ("CloneSeparatorChange", _flag(c.clone_separator_change)),
        ("GetDWLMTable", _flag(c.get_dwlm_table)),
        ("IgnoreAffinityRequests", _flag(c.ignore_affinity_requests)),
        ("LoadBalance", c.load_balance),
        ("Name", c.name),
        ("PostBufferSize", str(c.post_buffer_size)),
        ("RemoveSpecialHeaders", _flag(c.remove_special_headers)),
        ("RetryInterval", _fmt(c.retry_interval)),
        ("ServerIOTimeoutRetry", str(c.server_io_timeout_retry)),
    ]
    # Generators write attributes in alphabetical order; so do we.
    return sorted(attrs + list(c.extra))


def _server_list(parent: etree._Element, tag: str, names: Sequence[str]) -> None:
    if names:
        group = etree.SubElement(parent, tag)
        for name in names:
            _sub(group, "Server", [("Name", name)])


def to_xml(cfg: PluginConfig, comment: str | None = None) -> bytes:
    """The document, in the element order generators use: Log, Property, VirtualHostGroup, ServerCluster, UriGroup, Route."""
    root = etree.Element("Config")
    for key, value in cfg.attributes:
        root.set(key, value)
    if cfg.log is not None:
        _sub(root, "Log", cfg.log)
    for name, value in cfg.properties:
        _sub(root, "Property", [("Name", name), ("Value", value)])
    for vhg in cfg.virtual_host_groups:
        group = _sub(root, "VirtualHostGroup", [("Name", vhg.name)])
        for host in vhg.hosts:
            _sub(group, "VirtualHost", [("Name", host)])
    for cluster in cfg.clusters:
        el = _sub(root, "ServerCluster", _cluster_attrs(cluster))
        for server in cluster.servers:
            sel = _sub(el, "Server", _server_attrs(server))
            for t in server.transports:
                tel = _sub(sel, "Transport", [("Hostname", t.hostname), ("Port", str(t.port)), ("Protocol", t.protocol)])
                for name, value in t.properties:
                    _sub(tel, "Property", [("Name", name), ("Value", value)])
        _server_list(el, "PrimaryServers", cluster.primary)
        _server_list(el, "BackupServers", cluster.backup)
    for ug in cfg.uri_groups:
        group = _sub(root, "UriGroup", [("Name", ug.name)])
        for uri in ug.uris:
            _sub(group, "Uri", [
                ("AffinityCookie", uri.affinity_cookie),
                ("AffinityURLIdentifier", uri.affinity_url_identifier),
                ("Name", uri.name),
            ])
    for route in cfg.routes:
        _sub(root, "Route", [
            ("ServerCluster", route.server_cluster),
            ("UriGroup", route.uri_group),
            ("VirtualHostGroup", route.virtual_host_group),
        ])
    if comment:
        root.addprevious(etree.Comment(comment))
    body = etree.tostring(root.getroottree(), pretty_print=True, xml_declaration=True, encoding=ENCODING)
    assert isinstance(body, bytes)  # an encoding was given, so lxml returns bytes
    return body


def write_config(cfg: PluginConfig, path: Path, comment: str | None = None) -> None:
    """Write atomically: a temp file beside the target, replaced only once fully written."""
    data = to_xml(cfg, comment)
    target = path.resolve()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write the plug-in configuration: {exc.strerror}", Where((str(path),))) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write the plug-in configuration: {exc.strerror}", Where((str(path),))) from None
