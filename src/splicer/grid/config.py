"""objectGrid XML and deployment-policy XML -> checked, typed grid definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from splicer.errors import SplicerError, Where
from splicer.grid.errors import GridConfigError
from splicer.xmlsafe import parse_xml

# The namespaces of the real files (objectGrid.xsd and deploymentPolicy.xsd of eXtreme Scale).
OG_NS = "http://ibm.com/ws/objectgrid/config"
DP_NS = "http://ibm.com/ws/objectgrid/deploymentPolicy"

LOCK_STRATEGIES = ("OPTIMISTIC", "PESSIMISTIC", "NONE")
TTL_EVICTORS = ("NONE", "CREATION_TIME", "LAST_ACCESS_TIME", "LAST_UPDATE_TIME")
COPY_MODES = (
    "COPY_ON_READ_AND_COMMIT", "COPY_ON_READ", "NO_COPY", "COPY_ON_WRITE", "COPY_TO_BYTES",
    "COPY_TO_BYTES_RAW",
)
# Both strategies place numberOfPartitions partitions in total here.  The real PER_CONTAINER
# places that many primaries on *each* container; the routing contract of
# docs/architecture.md (hash % numberOfPartitions) has one fixed count, so it is not modelled.
PLACEMENT_STRATEGIES = ("FIXED_PARTITIONS", "PER_CONTAINER")

# Attributes the real schemas allow and the emulator reads without acting on them; anything
# else is a typo worth an error, as the real schema validation would give.
_GRID_ATTRS = {"name", "txTimeout", "securityEnabled", "authorizationMechanism",
               "permissionCheckPeriod", "entityMetadataXMLFile", "initialState",
               "accessByCreatorOnlyMode", "txIsolation"}
_MAP_ATTRS = {"name", "template", "readOnly", "lockStrategy", "ttlEvictorType", "timeToLive",
              "copyMode", "pluginCollectionRef", "numberOfBuckets", "preloadMode",
              "numberOfLockBuckets", "lockTimeout", "valueInterfaceClassName", "copyKey",
              "nullValuesSupported", "streamRef", "viewRef", "writeBehind", "evictionTriggers",
              "nearCacheEnabled", "nearCacheInvalidationEnabled",
              "nearCacheLastAccessTTLSyncEnabled"}
_MAPSET_ATTRS = {"name", "numberOfPartitions", "minSyncReplicas", "maxSyncReplicas",
                 "maxAsyncReplicas", "replicaReadEnabled", "numInitialContainers",
                 "autoReplaceLostShards", "developmentMode", "placementStrategy"}


@dataclass(frozen=True)
class BackingMap:
    """One backingMap: a concrete map, or a template whose name is a regular expression."""

    name: str
    template: bool = False
    lock_strategy: str = "OPTIMISTIC"
    ttl_evictor: str = "NONE"
    time_to_live: int = 0
    copy_mode: str = "COPY_ON_READ_AND_COMMIT"
    read_only: bool = False

    def matches(self, requested: str) -> bool:
        """A template matches a name its regex matches entirely; a plain map only itself."""
        if self.template:
            return re.fullmatch(self.name, requested) is not None
        return requested == self.name


@dataclass(frozen=True)
class MapSet:
    """One mapSet of a deployment policy: partitions, replica counts and its maps."""

    name: str
    partitions: int
    maps: tuple[BackingMap, ...]
    min_sync: int = 0
    max_sync: int = 0
    max_async: int = 0
    replica_read: bool = False  # read, not acted upon: clients always read the primary
    num_initial_containers: int = 1
    auto_replace_lost_shards: bool = True
    development_mode: bool = True
    placement_strategy: str = "FIXED_PARTITIONS"

    @property
    def replicas(self) -> int:
        return self.max_sync + self.max_async

    def find_map(self, requested: str) -> BackingMap | None:
        exact = [m for m in self.maps if not m.template and m.name == requested]
        if exact:
            return exact[0]
        return next((m for m in self.maps if m.template and m.matches(requested)), None)


@dataclass(frozen=True)
class GridDefinition:
    """A grid as the catalog and containers know it: the objectGrid joined to its policy."""

    name: str
    tx_timeout: int
    mapsets: tuple[MapSet, ...]

    def resolve(self, requested: str) -> tuple[MapSet, BackingMap] | None:
        for mapset in self.mapsets:
            found = mapset.find_map(requested)
            if found is not None:
                return mapset, found
        return None

    def mapset(self, name: str) -> MapSet | None:
        return next((m for m in self.mapsets if m.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "tx_timeout": self.tx_timeout, "mapsets": [
            {**{k: v for k, v in vars(ms).items() if k != "maps"},
             "maps": [vars(m) for m in ms.maps]} for ms in self.mapsets]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GridDefinition:
        mapsets = tuple(
            MapSet(**{**{k: v for k, v in ms.items() if k != "maps"},
                      "maps": tuple(BackingMap(**m) for m in ms["maps"])})
            for ms in data["mapsets"])
        return cls(data["name"], int(data["tx_timeout"]), mapsets)


def _line(el: etree._Element) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


class _Reader:
    """Attribute access with the file and line in every error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def where(self, el: etree._Element) -> Where:
        return Where((str(self.path),), _line(el))

    def fail(self, el: etree._Element, reason: str, **fields: str) -> GridConfigError:
        return GridConfigError(reason, self.where(el), **fields)

    def check_attrs(self, el: etree._Element, allowed: set[str]) -> None:
        for attr in el.attrib:
            if str(attr).startswith("{"):
                continue  # xsi:schemaLocation and friends
            if attr not in allowed:
                raise self.fail(el, f"<{etree.QName(el).localname}> has no attribute {attr!r}",
                                key=str(attr), allowed=", ".join(sorted(allowed)))

    def text(self, el: etree._Element, attr: str, default: str | None = None) -> str:
        value = el.get(attr)
        if value is None:
            if default is None:
                raise self.fail(el, f"<{etree.QName(el).localname}> needs the attribute {attr}",
                                key=attr)
            return default
        return value.strip()

    def integer(self, el: etree._Element, attr: str, default: int, minimum: int = 0) -> int:
        raw = self.text(el, attr, str(default))
        if not re.fullmatch(r"[+-]?\d+", raw) or int(raw) < minimum:
            raise self.fail(el, f"{attr}={raw!r} is not a whole number >= {minimum}",
                            key=attr, value=raw)
        return int(raw)

    def boolean(self, el: etree._Element, attr: str, default: bool) -> bool:
        raw = self.text(el, attr, "true" if default else "false")
        if raw.lower() not in ("true", "false"):
            raise self.fail(el, f"{attr}={raw!r} is not a boolean", key=attr, value=raw,
                            allowed="true, false")
        return raw.lower() == "true"

    def choice(self, el: etree._Element, attr: str, default: str, allowed: tuple[str, ...]) -> str:
        raw = self.text(el, attr, default)
        if raw not in allowed:
            raise self.fail(el, f"{attr}={raw!r} is not a known value", key=attr, value=raw,
                            allowed=", ".join(allowed))
        return raw


def _parse(path: Path, root_name: str, ns: str) -> etree._Element:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GridConfigError(f"cannot read the file: {exc.strerror}", Where((str(path),))) from None
    try:
        root = parse_xml(data, Where((str(path),))).getroot()
    except SplicerError as exc:
        raise GridConfigError(exc.reason, exc.where) from None
    if root.tag != f"{{{ns}}}{root_name}":
        raise GridConfigError(
            f"the root element is {root.tag!r}, expected <{root_name}> in namespace {ns}",
            Where((str(path),), _line(root)))
    return root


def _children(root: etree._Element, ns: str, reader: _Reader, allowed: set[str]) -> list[etree._Element]:
    found = []
    for child in root:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        qname = etree.QName(child)
        if qname.namespace != ns or qname.localname not in allowed:
            raise reader.fail(child, f"unexpected element <{qname.localname}> in "
                              f"<{etree.QName(root).localname}>", allowed=", ".join(sorted(allowed)))
        found.append(child)
    return found


def _read_backing_map(reader: _Reader, el: etree._Element, collections: set[str]) -> BackingMap:
    reader.check_attrs(el, _MAP_ATTRS)
    name = reader.text(el, "name")
    template = reader.boolean(el, "template", False)
    if template:
        try:
            re.compile(name)
        except re.error as exc:
            raise reader.fail(el, f"template map name {name!r} is not a regular expression: {exc}",
                              key="name", value=name) from None
    ref = el.get("pluginCollectionRef")
    if ref is not None and ref not in collections:
        raise reader.fail(el, f"pluginCollectionRef {ref!r} names no <backingMapPluginCollection>",
                          key="pluginCollectionRef", value=ref)
    evictor = reader.choice(el, "ttlEvictorType", "NONE", TTL_EVICTORS)
    ttl = reader.integer(el, "timeToLive", 0)
    if evictor != "NONE" and ttl == 0:
        raise reader.fail(el, f"ttlEvictorType {evictor} needs a timeToLive > 0", key="timeToLive")
    return BackingMap(
        name=name, template=template,
        lock_strategy=reader.choice(el, "lockStrategy", "OPTIMISTIC", LOCK_STRATEGIES),
        ttl_evictor=evictor, time_to_live=ttl,
        copy_mode=reader.choice(el, "copyMode", "COPY_ON_READ_AND_COMMIT", COPY_MODES),
        read_only=reader.boolean(el, "readOnly", False))


def load_objectgrid(path: Path) -> dict[str, tuple[int, list[BackingMap]]]:
    """Read an objectGrid XML: grid name -> (txTimeout, backing maps in file order)."""
    reader = _Reader(path)
    root = _parse(path, "objectGridConfig", OG_NS)
    sections = _children(root, OG_NS, reader, {"objectGrids", "backingMapPluginCollections"})
    collections: set[str] = set()
    for section in sections:
        if etree.QName(section).localname == "backingMapPluginCollections":
            for coll in _children(section, OG_NS, reader, {"backingMapPluginCollection"}):
                collections.add(reader.text(coll, "id"))
    grids: dict[str, tuple[int, list[BackingMap]]] = {}
    for section in sections:
        if etree.QName(section).localname != "objectGrids":
            continue
        for grid_el in _children(section, OG_NS, reader, {"objectGrid"}):
            reader.check_attrs(grid_el, _GRID_ATTRS)
            name = reader.text(grid_el, "name")
            if name in grids:
                raise reader.fail(grid_el, f"objectGrid {name!r} is defined twice", key="name")
            maps: list[BackingMap] = []
            for child in _children(grid_el, OG_NS, reader,
                                   {"bean", "backingMap", "querySchema", "streamQuerySet"}):
                if etree.QName(child).localname != "backingMap":
                    continue
                bmap = _read_backing_map(reader, child, collections)
                if any(m.name == bmap.name for m in maps):
                    raise reader.fail(child, f"backingMap {bmap.name!r} is defined twice in "
                                      f"objectGrid {name!r}", key="name")
                maps.append(bmap)
            if not maps:
                raise reader.fail(grid_el, f"objectGrid {name!r} has no <backingMap>")
            grids[name] = (reader.integer(grid_el, "txTimeout", 30), maps)
    if not grids:
        raise GridConfigError("the file defines no <objectGrid>", Where((str(path),), _line(root)))
    return grids


def _read_mapset(reader: _Reader, el: etree._Element, maps: dict[str, BackingMap],
                 grid: str, claimed: dict[str, str]) -> MapSet:
    reader.check_attrs(el, _MAPSET_ATTRS)
    name = reader.text(el, "name")
    min_sync = reader.integer(el, "minSyncReplicas", 0)
    max_sync = reader.integer(el, "maxSyncReplicas", 0)
    if min_sync > max_sync:
        raise reader.fail(el, f"minSyncReplicas {min_sync} is more than maxSyncReplicas {max_sync}",
                          key="minSyncReplicas", value=str(min_sync))
    members: list[BackingMap] = []
    for ref_el in _children(el, DP_NS, reader, {"map"}):
        ref = reader.text(ref_el, "ref")
        if ref not in maps:
            raise reader.fail(ref_el, f"map ref {ref!r} names no backingMap of objectGrid {grid!r}",
                              key="ref", value=ref, allowed=", ".join(maps))
        if ref in claimed:
            raise reader.fail(ref_el, f"map {ref!r} is already in mapSet {claimed[ref]!r}",
                              key="ref", value=ref)
        claimed[ref] = name
        members.append(maps[ref])
    if not members:
        raise reader.fail(el, f"mapSet {name!r} has no <map ref=...>")
    return MapSet(
        name=name, partitions=reader.integer(el, "numberOfPartitions", 1, minimum=1),
        maps=tuple(members), min_sync=min_sync, max_sync=max_sync,
        max_async=reader.integer(el, "maxAsyncReplicas", 0),
        replica_read=reader.boolean(el, "replicaReadEnabled", False),
        num_initial_containers=reader.integer(el, "numInitialContainers", 1, minimum=1),
        auto_replace_lost_shards=reader.boolean(el, "autoReplaceLostShards", True),
        development_mode=reader.boolean(el, "developmentMode", True),
        placement_strategy=reader.choice(el, "placementStrategy", "FIXED_PARTITIONS",
                                         PLACEMENT_STRATEGIES))


def load_grids(objectgrid_xml: Path, deployment_xml: Path) -> dict[str, GridDefinition]:
    """Join an objectGrid XML and its deployment policy; every map must sit in one mapSet."""
    grids = load_objectgrid(objectgrid_xml)
    reader = _Reader(deployment_xml)
    root = _parse(deployment_xml, "deploymentPolicy", DP_NS)
    result: dict[str, GridDefinition] = {}
    for dep in _children(root, DP_NS, reader, {"objectgridDeployment"}):
        reader.check_attrs(dep, {"objectgridName"})
        grid = reader.text(dep, "objectgridName")
        if grid not in grids:
            raise reader.fail(dep, f"objectgridName {grid!r} is not an objectGrid of "
                              f"{objectgrid_xml}", key="objectgridName", value=grid,
                              allowed=", ".join(grids))
        if grid in result:
            raise reader.fail(dep, f"objectgridDeployment {grid!r} is given twice")
        tx_timeout, maps = grids[grid]
        by_name = {m.name: m for m in maps}
        claimed: dict[str, str] = {}
        mapsets = [_read_mapset(reader, el, by_name, grid, claimed)
                   for el in _children(dep, DP_NS, reader, {"mapSet"})]
        names = [m.name for m in mapsets]
        if len(set(names)) != len(names):
            raise reader.fail(dep, f"a mapSet name is used twice in {grid!r}: {names}")
        unplaced = [m for m in by_name if m not in claimed]
        if unplaced:
            raise reader.fail(dep, f"backingMap(s) {', '.join(unplaced)} of objectGrid {grid!r} "
                              "are in no mapSet", key="map")
        result[grid] = GridDefinition(grid, tx_timeout, tuple(mapsets))
    if not result:
        raise GridConfigError("the file has no <objectgridDeployment>",
                              Where((str(deployment_xml),), _line(root)))
    return result
