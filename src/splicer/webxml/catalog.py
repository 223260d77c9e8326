"""The official schemas and DTDs, read offline from what the user's container ships.

splicer ships no schema files (their text is not ours).  A catalog is made at run time
from folders of ``.xsd``/``.dtd`` files and from jars that hold them (Tomcat's
``servlet-api.jar``, Debian's ``libtomcat9-java``/``libtomcat10-java``, an application
server's own): every file is known by its name, and every import or include a schema makes
(by sibling name or by public URL) is answered by name from the catalog, never fetched.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from splicer.errors import SplicerError, UsageError, Where

GRAMMAR_SUFFIXES = (".xsd", ".dtd")
# Where a container's schemas are looked for when no --schemas is given, in this order.
DEFAULT_JAR_FOLDERS = ("$CATALINA_HOME/lib", "$CATALINA_BASE/lib", "/usr/share/java")
# Jars that carry the deployment-descriptor schemas: Tomcat's and the Servlet API's own.
_SERVLET_API_JAR = re.compile(r".*servlet-api.*\.jar", re.IGNORECASE)

Validator = etree.XMLSchema | etree.DTD


class SchemaUnusable(SplicerError):
    """A schema was found but does not compile (a missing import, a broken file)."""


@dataclass
class SchemaSource:
    """One folder or jar, and the grammar files it holds by file name."""

    path: Path
    is_jar: bool
    names: dict[str, str]  # file name -> file path (folder) or entry name (jar)
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def read(self, name: str) -> bytes:
        data = self._cache.get(name)
        if data is None:
            if self.is_jar:
                from splicer.archives import open_app

                with open_app(self.path) as jar:
                    data = jar.read(self.names[name])
            else:
                data = Path(self.names[name]).read_bytes()
            self._cache[name] = data
        return data

    def url(self, name: str) -> str:
        """A base URL for messages and relative imports: ``/path/x.jar!/entry`` for a jar."""
        return f"{self.path}!/{self.names[name]}" if self.is_jar else self.names[name]


def _folder_source(folder: Path) -> SchemaSource:
    names = {
        p.name: str(p) for p in sorted(folder.iterdir()) if p.suffix.lower() in GRAMMAR_SUFFIXES and p.is_file()
    }
    return SchemaSource(folder, False, names)


def _jar_source(jar: Path) -> SchemaSource:
    from splicer.archives import open_app

    names: dict[str, str] = {}
    with open_app(jar) as reader:
        for entry in reader.names():
            base = entry.rsplit("/", 1)[-1]
            if base.lower().endswith(GRAMMAR_SUFFIXES):
                names.setdefault(base, entry)
    return SchemaSource(jar, True, names)


def _natural_desc(path: Path) -> list[object]:
    """Sort key putting tomcat10 before tomcat9, 6.0 jars before 4.0 ones."""
    return [(-int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", path.name)]


class _Resolver(etree.Resolver):
    """Answer every URL a schema asks for by its file name, from the catalog only.

    Anything the catalog lacks resolves to an empty document, so a missing file fails the
    compilation instead of reaching for the network.
    """

    def __init__(self, catalog: SchemaCatalog, first: SchemaSource) -> None:
        super().__init__()
        self.catalog = catalog
        self.first = first

    # lxml calls resolve(url, public_id, context); lxml-stubs leave *context* and
    # resolve_string out, hence the optional parameter and the Any.
    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        name = (system_url or "").rstrip("/").rsplit("/", 1)[-1]
        source = self.catalog.source_of(name, prefer=self.first)
        resolver: Any = self
        if source is None:
            return resolver.resolve_string("", context)
        return resolver.resolve_string(source.read(name), context, base_url=source.url(name))


class SchemaCatalog:
    """Grammar files by name from folders and jars, the first source holding a name winning;
    each compiled once per catalog, since compiling is the slow part."""

    def __init__(self, sources: Sequence[SchemaSource]) -> None:
        self.sources = list(sources)
        self._compiled: dict[str, Validator] = {}

    @classmethod
    def from_paths(cls, paths: Iterable[Path]) -> SchemaCatalog:
        """A catalog of the given folders and jars (a folder's jars included), in order.

        Raises UsageError for a path that does not exist or holds no schema at all.
        """
        sources: list[SchemaSource] = []
        for path in paths:
            where = Where((str(path),))
            if path.is_dir():
                found = [_folder_source(path)]
                for jar in sorted(path.glob("*.jar"), key=_natural_desc):
                    try:
                        found.append(_jar_source(jar))
                    except SplicerError:
                        continue  # a lib folder's other jars are not ours to judge
                found = [s for s in found if s.names]
                if not found:
                    raise UsageError("holds no .xsd or .dtd file, nor a jar with any", where)
                sources += found
            elif path.is_file():
                source = _jar_source(path)
                if not source.names:
                    raise UsageError("holds no .xsd or .dtd file", where)
                sources.append(source)
            else:
                raise UsageError("the schema folder or jar does not exist", where)
        return cls(sources)

    @classmethod
    def discover(cls, folders: Iterable[str] = DEFAULT_JAR_FOLDERS) -> SchemaCatalog:
        """The servlet-api jars of the containers installed here ($CATALINA_HOME/lib,
        Debian's /usr/share/java), newest first; empty when there is none."""
        sources: list[SchemaSource] = []
        seen: set[str] = set()
        for pattern in folders:
            folder = Path(os.path.expandvars(pattern))
            if "$" in str(folder) or not folder.is_dir():
                continue
            jars = [p for p in folder.iterdir() if _SERVLET_API_JAR.fullmatch(p.name) and p.is_file()]
            for jar in sorted(jars, key=_natural_desc):
                real = os.path.realpath(jar)
                if real in seen:
                    continue  # Debian's unversioned symlink names the same jar
                seen.add(real)
                try:
                    source = _jar_source(jar)
                except SplicerError:
                    continue  # a broken jar of somebody else's is not ours to report
                if source.names:
                    sources.append(source)
        return cls(sources)

    def describe(self) -> list[str]:
        return [str(source.path) for source in self.sources]

    def source_of(self, name: str, prefer: SchemaSource | None = None) -> SchemaSource | None:
        if prefer is not None and name in prefer.names:
            return prefer
        return next((s for s in self.sources if name in s.names), None)

    def has(self, name: str) -> bool:
        return self.source_of(name) is not None

    def validator(self, name: str) -> Validator:
        """The compiled schema (or DTD) *name*.

        Raises KeyError when no source holds it, SchemaUnusable when it does not compile.
        """
        compiled = self._compiled.get(name)
        if compiled is not None:
            return compiled
        source = self.source_of(name)
        if source is None:
            raise KeyError(name)
        try:
            if name.lower().endswith(".dtd"):
                compiled = etree.DTD(io.BytesIO(source.read(name)))
            else:
                parser = etree.XMLParser(no_network=True)
                parser.resolvers.add(_Resolver(self, source))
                document = etree.parse(io.BytesIO(source.read(name)), parser, base_url=source.url(name))
                compiled = etree.XMLSchema(document)
        except (etree.XMLSchemaParseError, etree.DTDParseError, etree.XMLSyntaxError) as exc:
            raise SchemaUnusable(f"{name} does not compile: {exc}", Where((str(source.path),))) from None
        self._compiled[name] = compiled
        return compiled
