"""Session-manager profiles: a folder of a manifest (profile.toml) and jinja2 fragment templates.

A profile says everything splicing needs to know about one session manager: its keys (typed,
and whether each becomes a ``<context-param>`` or an ``<init-param>`` of the filter), the
filter's name and class per namespace family (javax, jakarta), its listeners, its dispatchers
by descriptor version, whether its mapping must come first, and the templates of the filter,
the mapping and a listener.  The engine reads these; it names no profile.  The shipped ones
live in the top-level ``templates/profiles/`` (the package ``splicer.templates``); a user's
own is a folder of the same layout, checked with errors that say the file and line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from splicer.errors import ConfigError, Where
from splicer.profile_fragments import FRAGMENTS, Fragments, load_fragments
from splicer.properties_keys import KeySpec, ValueType, key_type

if TYPE_CHECKING:
    from importlib.abc import Traversable

MANIFEST = "profile.toml"
FAMILIES = ("javax", "jakarta")
GOES = ("context-param", "init-param")
_TOP = {"name": str, "title": str, "default": bool, "families": list, "manager": str, "packages": list,
        "docs": list, "keys-go": str, "filter": dict, "listeners": list, "dispatchers": dict, "keys": dict,
        "root-context": dict}
_REQUIRED = ("name", "title", "families", "manager", "filter", "dispatchers")
_FILTER = {"name": str, "class": str, "jakarta-class": str, "description": str, "first": bool, "url-pattern": str,
           "shared-class": bool}
_LISTENER = {"name": str, "class": str, "jakarta-class": str}
_ROOT = {"listener": str, "param-name": str, "param-value": str}
_KEY = {"type": str, "choices": list, "low": int, "high": int, "allowed": str, "default": str, "doc": str,
        "goes": str, "replaced-by": str}
_NAME = re.compile(r"[a-z][a-z0-9-]*")


class Classes(NamedTuple):
    """A class name per namespace family; None where the family has no variant."""

    javax: str | None
    jakarta: str | None

    def of(self, jakarta: bool) -> str | None:
        return self.jakarta if jakarta else self.javax

    def all(self) -> tuple[str, ...]:
        return tuple(name for name in (self.javax, self.jakarta) if name)


class Listener(NamedTuple):
    name: str
    classes: Classes


class RootContext(NamedTuple):
    """A root application context the manager needs, added only where the descriptor has none:
    a listener, and a context-param that points it at the manager's configuration."""

    listener: str
    param_name: str
    param_value: str


class Profile(NamedTuple):
    """One session manager, as its manifest and templates describe it."""

    name: str
    title: str
    folder: str
    default: bool
    families: tuple[str, ...]
    manager: str  # how CWWSM0550W names it when it is the other one
    packages: tuple[str, ...]  # class-name prefixes that identify it
    docs: tuple[str, ...]
    filter_name: str
    filter_classes: Classes
    description: str
    mapping_first: bool
    url_pattern: str
    shared_class: bool  # a generic class other filters use too: the filter is known by its name
    listeners: tuple[Listener, ...]
    dispatchers: Mapping[str, tuple[str, ...]]  # "dtd", a version such as "2.4", or "default"
    keys: Mapping[str, KeySpec]
    fragments: Fragments
    root_context: RootContext | None = None

    def filter_class(self, jakarta: bool) -> str:
        """The class for the family; a profile without that family's variant gives its other one."""
        return self.filter_classes.of(jakarta) or self.filter_classes.of(not jakarta) or ""

    def listener_classes(self, jakarta: bool) -> list[str]:
        return [li.classes.of(jakarta) or li.classes.of(not jakarta) or "" for li in self.listeners]

    def supports(self, jakarta: bool) -> bool:
        return ("jakarta" if jakarta else "javax") in self.families

    def dispatchers_for(self, version: str, dtd: bool) -> tuple[str, ...]:
        if dtd:
            return self.dispatchers.get("dtd", ())
        return self.dispatchers.get(version, self.dispatchers["default"])

    def goes(self, key: str) -> str:
        """Where a key's value goes: context-param (also every key the profile does not know)."""
        spec = self.keys.get(key)
        return spec.goes if spec is not None else "context-param"

    def owns(self, klass: str) -> bool:
        own = not self.shared_class and klass in self.filter_classes.all()
        return own or any(klass.startswith(p) for p in self.packages)


def _line_of(text: str, needle: str, table: str | None = None) -> int | None:
    """The first line that defines *needle* (a key or a table header), after the header of
    *table* when given, for error messages."""
    start = 0
    if table is not None:
        header = re.compile(rf"^\s*\[+\s*{re.escape(table)}\s*\]", re.M).search(text)
        start = header.end() if header else 0
    pattern = re.compile(rf"^\s*(\[+\s*)?[\"']?(?:[\w.-]*\.)?{re.escape(needle)}[\"']?\s*(=|\]|\.)", re.M)
    match = pattern.search(text, start)
    return None if match is None else text.count("\n", 0, match.start()) + 1


class _Checker:
    """Field checks with the manifest's path and the line of the field at fault."""

    def __init__(self, where: Where, text: str) -> None:
        self.where, self.text = where, text

    def fail(self, reason: str, field: str, hint: str | None = None, table: str | None = None) -> ConfigError:
        return ConfigError(reason, self.where.at(_line_of(self.text, field, table)), hint=hint)

    def fields(self, table: Mapping[str, Any], schema: Mapping[str, type], what: str) -> None:
        header = what.strip("[]") if what.startswith("[") else None
        for field, value in table.items():
            kind = schema.get(field)
            if kind is None:
                raise self.fail(f"unknown field {field!r} in {what}", field,
                                hint="known fields: " + ", ".join(schema), table=header)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise self.fail(f"the field {field!r} in {what} is a {type(value).__name__}, "
                                f"not a {kind.__name__}", field, table=header)

    def strings(self, value: list[Any], field: str) -> tuple[str, ...]:
        if not all(isinstance(item, str) for item in value):
            raise self.fail(f"the field {field!r} must be a list of strings", field)
        return tuple(value)


def _key(check: _Checker, name: str, table: Mapping[str, Any], goes: str) -> KeySpec:
    what = f"[keys.{name}]"
    check.fields(table, _KEY, what)
    if "type" not in table:
        raise check.fail(f"{what} has no type", name)
    try:
        value_type: ValueType = key_type(
            table["type"], allowed=table.get("allowed"), low=table.get("low"), high=table.get("high"),
            choices=check.strings(table.get("choices", []), "choices"),
        )
    except ValueError as exc:
        raise check.fail(f"{what}: {exc}", "type", table=f"keys.{name}") from None
    where = table.get("goes", goes)
    if where not in GOES:
        raise check.fail(f"{what}: goes must be one of {', '.join(GOES)}, not {where!r}", "goes",
                         table=f"keys.{name}")
    return KeySpec(name, value_type, table.get("default"), table.get("doc", ""), table.get("replaced-by"), where)


def _classes(check: _Checker, table: Mapping[str, Any], what: str) -> Classes:
    if "class" not in table and "jakarta-class" not in table:
        raise check.fail(f"{what} has neither class nor jakarta-class", what.strip("[]"))
    return Classes(table.get("class"), table.get("jakarta-class"))


def parse_manifest(text: str, folder: str, where: Where, parsed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest's fields, checked; raises ConfigError with the file and line.  *parsed*
    is *text* already parsed (a shipped manifest, from manifest_cache)."""
    if parsed is not None:
        data = dict(parsed)  # its own top level: "keys" and "folder" are replaced below
    else:
        import tomllib  # here: a splice with the shipped profiles reads them from the cache

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise ConfigError(f"not valid TOML: {exc}", where.at(int(line.group(1)) if line else None)) from None
    check = _Checker(where, text)
    check.fields(data, _TOP, "the manifest")
    missing = [field for field in _REQUIRED if field not in data]
    if missing:
        raise ConfigError(f"the manifest lacks {', '.join(missing)}", where)
    if not _NAME.fullmatch(data["name"]):
        raise check.fail(f"the name {data['name']!r} is not lower-case letters, digits and '-'", "name")
    families = check.strings(data["families"], "families")
    if not families or any(family not in FAMILIES for family in families):
        raise check.fail(f"families must be among {', '.join(FAMILIES)}", "families")
    check.fields(data["filter"], _FILTER, "[filter]")
    if "name" not in data["filter"]:
        raise check.fail("[filter] has no name", "filter")
    for entry in data.get("listeners", []):
        if not isinstance(entry, dict):
            raise check.fail("each of listeners must be a table ([[listeners]])", "listeners")
        check.fields(entry, _LISTENER, "[[listeners]]")
    dispatchers = data["dispatchers"]
    if "default" not in dispatchers:
        raise check.fail("[dispatchers] has no default", "dispatchers")
    for version, names in dispatchers.items():
        if not isinstance(names, list):
            raise check.fail(f"[dispatchers] {version} must be a list", version)
        check.strings(names, version)
    root = data.get("root-context")
    if root is not None:
        check.fields(root, _ROOT, "[root-context]")
        missing_root = [field for field in _ROOT if field not in root]
        if missing_root:
            raise check.fail(f"[root-context] lacks {', '.join(missing_root)}", "root-context")
    goes = data.get("keys-go", "context-param")
    if goes not in GOES:
        raise check.fail(f"keys-go must be one of {', '.join(GOES)}", "keys-go")
    data["keys"] = {name: _key(check, name, table, goes) if isinstance(table, dict) else None
                    for name, table in data.get("keys", {}).items()}
    if any(spec is None for spec in data["keys"].values()):
        raise check.fail("each key must be a table [keys.NAME]", "keys")
    data["folder"] = folder
    return data


def load_profile(folder: Path | Traversable, where: Where | None = None, *, check_templates: bool = True,
                 parsed: dict[str, Any] | None = None) -> Profile:
    """The profile in *folder*: its manifest checked and (with *check_templates*, as for a
    user's folder) its templates compiled and tried in every form; else they are compiled
    when first rendered (the shipped ones are tried by the tests, and jinja2 costs start-up).
    *parsed*: the manifest as already parsed (the shipped ones are, by ``_index``)."""
    where = where or Where((str(folder),))
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise ConfigError(f"{folder} is not a profile: it has no {MANIFEST}", where)
    text = manifest.read_text("utf-8")
    data = parse_manifest(text, str(folder), Where((str(manifest),)), parsed)
    check = _Checker(Where((str(manifest),)), text)
    flt = data["filter"]
    profile = Profile(
        name=data["name"], title=data["title"], folder=str(folder), default=data.get("default", False),
        families=tuple(data["families"]), manager=data["manager"],
        packages=tuple(data.get("packages", [])), docs=tuple(data.get("docs", [])),
        filter_name=flt["name"], filter_classes=_classes(check, flt, "[filter]"),
        description=flt.get("description", ""), mapping_first=flt.get("first", True),
        url_pattern=flt.get("url-pattern", "/*"), shared_class=flt.get("shared-class", False),
        listeners=tuple(Listener(li.get("name", ""), _classes(check, li, "[[listeners]]"))
                        for li in data.get("listeners", [])),
        dispatchers=MappingProxyType({k: tuple(v) for k, v in data["dispatchers"].items()}),
        keys=MappingProxyType(data["keys"]),
        fragments=load_fragments(folder),
        root_context=None if "root-context" not in data else RootContext(
            data["root-context"]["listener"], data["root-context"]["param-name"], data["root-context"]["param-value"]),
    )
    if check_templates:
        profile.fragments.try_all(profile)
    return profile


def shipped_folder() -> Path | Traversable:
    """The shipped profiles' folder: on disk (a wheel or an editable install), as the package's
    ``__path__`` says; importlib.resources only for a zipped install, as its imports (zipfile,
    its readers) cost a splice some 7 ms of start-up."""
    import importlib

    for folder in importlib.import_module("splicer.templates").__path__:
        path = Path(folder, "profiles")
        if path.is_dir():
            return path
    from importlib.resources import files

    return files("splicer.templates") / "profiles"


@functools.cache
def _index() -> Mapping[str, tuple[Path | Traversable, dict[str, Any]]]:
    """The shipped profiles' folders and raw manifests by name, the default first (TOML only,
    through manifest_cache where the folder is on disk)."""
    folder = shipped_folder()
    entries = {entry.name: entry for entry in folder.iterdir() if entry.is_dir() and (entry / MANIFEST).is_file()}
    if isinstance(folder, Path):
        from splicer.manifest_cache import read_manifests

        manifests = read_manifests(folder, sorted(entries), MANIFEST)
    else:
        import tomllib

        manifests = {name: tomllib.loads((entry / MANIFEST).read_text("utf-8")) for name, entry in entries.items()}
    found = [(str(data.get("name", name)), entries[name], data) for name, data in manifests.items()]
    found.sort(key=lambda item: (not item[2].get("default", False), item[0]))
    return MappingProxyType({name: (entry, data) for name, entry, data in found})


@functools.cache
def _shipped(name: str) -> Profile:
    folder, parsed = _index()[name]
    return load_profile(folder, check_templates=False, parsed=parsed)


def shipped() -> Mapping[str, Profile]:
    """The profiles that come with splicer, by name, the default first."""
    return MappingProxyType({name: _shipped(name) for name in _index()})


def default_profile() -> Profile:
    """The profile whose manifest says ``default = true``."""
    return _shipped(next(name for name, (_, data) in _index().items() if data.get("default", False)))


def other_managers(profile: Profile) -> list[tuple[str, str]]:
    """(manager, class prefix) of every shipped profile but *profile*, from their manifests."""
    return [(str(data["manager"]), str(package)) for name, (_, data) in _index().items()
            if name != profile.name for package in data.get("packages", [])]


def resolve(name_or_path: str | None) -> Profile:
    """A shipped profile by name, or a user's by folder path (anything with a '/' or that exists)."""
    if name_or_path is None:
        return default_profile()
    known = _index()
    if name_or_path in known:
        return _shipped(name_or_path)
    path = Path(name_or_path)
    if "/" in name_or_path or path.is_dir():
        if not path.is_dir():
            raise ConfigError(f"the profile folder {path} does not exist", Where((str(path),)))
        return load_profile(path)
    raise ConfigError(f"unknown profile {name_or_path!r}", hint="known profiles: " + ", ".join(known)
                      + "; or give the path of a profile folder")


__all__ = ["FRAGMENTS", "Classes", "Listener", "Profile", "RootContext", "default_profile", "load_profile", "resolve", "shipped"]
