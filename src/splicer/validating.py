"""`splicer validate`: descriptors and applications against the official grammars and the built-in rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from splicer.archives import AppReader, open_app
from splicer.archives.reading import ZipAppReader
from splicer.errors import DescriptorError, HostileXmlError, SplicerError, UsageError, Where
from splicer.findings import DescriptorSummary, Finding, Severity, ValidationReport
from splicer.libjars import WEB_FRAGMENT_XML, fragment_entry, library_jars, read_fragment
from splicer.modules import APPLICATION_XML, WebModule, deployment_descriptor, discover, is_war
from splicer.webxml.catalog import SchemaCatalog, SchemaUnusable
from splicer.webxml.fragments import Part, check_fragments
from splicer.webxml.grammars import Grammar, Kind, declared_grammar
from splicer.webxml.position import Positions
from splicer.webxml.rules import check_rules
from splicer.webxml.validate import check_grammar
from splicer.xmlsafe import parse_xml

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ARCHIVE_SUFFIXES = (".war", ".ear", ".jar", ".zip")


class Checked(NamedTuple):
    """A descriptor read and checked: where it is, its tree, grammar and start-tag positions."""

    location: str
    tree: etree._ElementTree
    grammar: Grammar
    positions: Positions

    def place(self, element: etree._Element) -> tuple[str, int, int]:
        return (self.location, *self.positions.of(element))


class _Run:
    """One validate run: the catalog, the report, and the once-per-run warnings already given."""

    def __init__(self, catalog: SchemaCatalog, report: ValidationReport) -> None:
        self.catalog = catalog
        self.report = report
        self.warned: set[str] = set()

    def add(self, location: str, line: int, column: int, severity: Severity, code: str, message: str) -> None:
        self.report.findings.append(Finding(location, line, column, severity, code, message))

    def once(self, key: str, location: str, line: int, column: int, code: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self.add(location, line, column, "warning", code, message)

    def descriptor(self, data: bytes, location: str, expected: Kind | None = None) -> Checked | None:
        """Check one descriptor's bytes; returns it read, None when it could not be read."""
        try:
            tree = parse_xml(data, Where((location,)))
        except HostileXmlError as exc:
            self.add(location, exc.where.line or 1, 1, "error", "WX003", exc.reason)
            return None
        except DescriptorError as exc:
            self.add(location, exc.where.line or 1, 1, "error", "WX002", exc.reason)
            return None
        try:
            grammar = declared_grammar(tree, Where((location,)))
        except DescriptorError as exc:
            self.add(location, exc.where.line or 1, 1, "error", "WX004", exc.reason)
            return None
        if expected is not None and grammar.kind != expected:
            self.add(location, 1, 1, "error", "WX004", f"the root element is <{grammar.kind}>, not <{expected}>")
            return None
        positions = Positions(data, tree)
        root_line, root_col = positions.of(tree.getroot())
        used: str | None = None
        if grammar.schema_file is not None:
            name = grammar.schema_file
            if not self.catalog.has(name):
                sources = ", ".join(self.catalog.describe()) or "none"
                self.once(name, location, root_line, root_col, "WX102",
                          f"no schema for {grammar.label} ({name}) among the schemas found ({sources}); "
                          "the built-in rules still apply; give --schemas DIR|JAR with that file")
            else:
                try:
                    errors = check_grammar(tree, grammar, self.catalog)
                    used = name
                except SchemaUnusable as exc:
                    errors = []
                    self.once(name, location, root_line, root_col, "WX103",
                              f"the schema found for {grammar.label} cannot be used: {exc.reason} ({exc.where})")
                for error in errors:
                    line, col = positions.of(error.element) if error.element is not None else (error.line, 1)
                    self.add(location, line, col, "error", "WX101", error.message)
        for finding in check_rules(tree, grammar):
            line, col = positions.of(finding.element)
            self.add(location, line, col, finding.severity, finding.code, finding.message)
        self.report.descriptors.append(DescriptorSummary(location, grammar.kind, grammar.version,
                                                         grammar.namespace, used))
        return Checked(location, tree, grammar, positions)

    def application(self, reader: AppReader, location: str) -> None:
        """An EAR or WAR, zipped or exploded: application.xml and the descriptor each web module
        deploys with (its WEB-INF/web.xml, or the <alt-dd> application.xml names)."""
        before = len(self.report.descriptors)
        fragment = fragment_entry(reader)
        if fragment is not None and not is_war(reader) and not reader.lookup(APPLICATION_XML):
            # A library jar that brings a web-fragment.xml (as a WAR's WEB-INF/lib holds it).
            entry, exact = fragment
            checked = self.descriptor(reader.read(entry), _join(reader, location, entry), "web-fragment")
            if checked is not None and not exact:
                self._unseen(checked, entry)
            return
        listed = [name for name in reader.lookup(APPLICATION_XML) if not name.endswith("/")]
        if listed and not is_war(reader):
            entry = reader.winner(listed, APPLICATION_XML)[0]
            if self.descriptor(reader.read(entry), _join(reader, location, entry), "application") is None:
                return  # an application.xml that cannot be read lists no module either
        try:
            modules, _ = discover(reader)
        except DescriptorError as exc:
            self.add(_join(reader, location, APPLICATION_XML), exc.where.line or 1, 1, "error", "WX011", exc.reason)
            return
        for module in modules:
            if module.is_bare_war:
                self._module(reader, location, module, reader, location)
                continue
            with reader.nested(module.uri) as war:
                self._module(reader, location, module, war, _join(reader, location, module.uri))
        if len(self.report.descriptors) == before and not modules:
            self.add(location, 1, 1, "error", "WX010",
                     "no descriptor to validate: not a web.xml, web-fragment.xml or application.xml, "
                     "and no WAR or EAR (no WEB-INF/, no META-INF/application.xml, no *.war)")

    def _module(self, app: AppReader, app_location: str, module: WebModule, war: AppReader,
                war_location: str) -> None:
        source = deployment_descriptor(app, module, war)
        web: Checked | None = None
        if source.name is not None:  # else an annotation-only Servlet 3.0+ module
            # An <alt-dd> is an entry of the EAR, not of the WAR.
            holder, where = (war, war_location) if source.holder is war else (app, app_location)
            web = self.descriptor(holder.read(source.name), _join(holder, where, source.name), "web-app")
        fragments = self._fragments(war, war_location)
        if web is None and source.name is not None:
            return  # a web.xml that cannot be read: what it merges is unknown
        parts = [Part(f.tree.getroot(), f.grammar, label) for f, label in fragments]
        web_part = Part(web.tree.getroot(), web.grammar, "web.xml") if web is not None else None
        for found in check_fragments(web_part, parts):
            checked = web if found.source is None else fragments[found.source][0]
            assert checked is not None
            self.add(*checked.place(found.element), found.severity, found.code, found.message)

    def _fragments(self, war: AppReader, war_location: str) -> list[tuple[Checked, str]]:
        """Check the web-fragment.xml of each jar in WEB-INF/lib; those a container merges
        (readable, spelled as it looks them up), with their jar's entry in the WAR."""
        merged: list[tuple[Checked, str]] = []
        for jar in library_jars(war):
            jar_location = _join(war, war_location, jar)
            try:
                fragment = read_fragment(war, jar)
            except (SplicerError, OSError) as exc:
                self._unreadable(jar_location, war.where.child(jar), exc)
                continue
            if fragment is None:
                continue
            checked = self.descriptor(fragment.data, f"{jar_location}!/{fragment.entry}", "web-fragment")
            if checked is None:
                continue
            if fragment.exact:
                merged.append((checked, jar))
            else:
                self._unseen(checked, fragment.entry)
        return merged

    def _unseen(self, checked: Checked, entry: str) -> None:
        self.add(*checked.place(checked.tree.getroot()), "warning", "WX312",
                 f"the jar holds its fragment as '{entry}', not '{WEB_FRAGMENT_XML}': a container reads a "
                 "library jar in place and finds an entry by its exact name, so it does not see this "
                 "fragment (the session rules skip it)")

    def _unreadable(self, location: str, where: Where, exc: SplicerError | OSError) -> None:
        """WX001 on *location* (a path, or a jar in a WAR), naming what inside it failed."""
        reason = exc.reason if isinstance(exc, SplicerError) else (exc.strerror or str(exc))
        failed = exc.where if isinstance(exc, SplicerError) else where
        inside = failed.parts[:len(where.parts)] == where.parts
        inner = "!/".join(failed.parts[len(where.parts):]) if inside else ""
        self.add(location, 1, 1, "error", "WX001", f"cannot read {inner}: {reason}" if inner
                 else f"cannot read: {reason}")

    def path(self, path: Path) -> None:
        shown = str(path)
        try:
            if path.is_file() and not _is_archive(path):
                self.descriptor(path.read_bytes(), shown)
                return
            with open_app(path) as reader:
                self.application(reader, shown)
        except (SplicerError, OSError) as exc:
            self._unreadable(shown, Where((shown,)), exc)


def _join(reader: AppReader, location: str, name: str) -> str:
    """A path into an archive takes ``!/``; into a folder, ``/``."""
    return f"{location}!/{name}" if isinstance(reader, ZipAppReader) else f"{location.rstrip('/')}/{name}"


def _is_archive(path: Path) -> bool:
    if path.suffix.lower() in _ARCHIVE_SUFFIXES:
        return True
    with path.open("rb") as fh:
        return fh.read(4) in _ZIP_MAGIC


def validate(
    paths: Sequence[Path | str],
    *,
    schemas: Iterable[Path | str] | None = None,
    strict: bool = False,
    catalog: SchemaCatalog | None = None,
) -> ValidationReport:
    """Validate web.xml, web-fragment.xml and application.xml files, and WARs and EARs.

    *schemas* are folders or jars of the official grammars; without them (and without a
    *catalog*) the containers installed here are searched (``SchemaCatalog.discover``).
    Raises UsageError, before reading anything, for a path that does not exist.
    """
    targets = [Path(p) for p in paths]
    if not targets:
        raise UsageError("no PATH to validate")
    for target in targets:
        if not target.exists():
            raise UsageError("does not exist", Where((str(target),)))
    if catalog is None:
        given = [Path(s) for s in schemas or ()]
        catalog = SchemaCatalog.from_paths(given) if given else SchemaCatalog.discover()
    report = ValidationReport(paths=targets, schemas=catalog.describe(), strict=strict)
    run = _Run(catalog, report)
    for target in targets:
        run.path(target)
    return report
