"""`splicer inspect APP`: what each web module of an application holds of the session splice."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from splicer.archives import AppReader, open_app
from splicer.errors import EXIT_OK, EXIT_UNSAFE, DescriptorError, Diagnostic, SplicerError, UsageError, Where
from splicer.libjars import WEB_FRAGMENT_XML, library_jars, read_fragment
from splicer.modules import WebModule, deployment_descriptor, discover, is_war
from splicer.webxml.fragments import Part, check_fragments, merged_fragments
from splicer.webxml.grammars import declared_grammar
from splicer.webxml.rules import check_rules
from splicer.webxml.sessionstate import SessionState, child_text, read_session_state
from splicer.xmlsafe import parse_xml

REPORT_FORMAT = 1
# The built-in rules inspect repeats: the session splice's own, and an unknown version.
_SHOWN_RULES = ("WX105", "WX301", "WX302", "WX303", "WX304", "WX305", "WX306", "WX307")


class FragmentSeen(NamedTuple):
    """The web-fragment.xml of one library jar, and whether the container merges it."""

    jar: str  # its entry in the WAR
    location: str  # app.ear!/Web.war!/WEB-INF/lib/x.jar!/META-INF/web-fragment.xml
    name: str | None  # its <name>, which <absolute-ordering> lists
    merged: bool

    def to_json(self) -> dict[str, object]:
        return {"jar": self.jar, "location": self.location, "name": self.name, "merged": self.merged}


@dataclass
class ModuleInspection:
    """One web module: where it is, its descriptor, its session state, its signature."""

    name: str
    uri: str  # its entry in the EAR, "" for a bare WAR
    location: str  # the module in the application: app.ear!/Web.war (or the WAR itself)
    context_root: str
    descriptor: str | None = None  # app.ear!/Web.war!/WEB-INF/web.xml; None when it has none
    version: str | None = None
    namespace: str | None = None
    session: SessionState | None = None
    signature_files: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    error: SplicerError | None = None  # the descriptor could not be read
    fragments: list[FragmentSeen] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return bool(self.signature_files)

    def to_json(self) -> dict[str, object]:
        return {
            "module": self.name,
            "uri": self.uri,
            "location": self.location,
            "context_root": self.context_root,
            "descriptor": self.descriptor,
            "version": self.version,
            "namespace": self.namespace,
            "session": self.session.to_json() if self.session is not None else None,
            "signed": self.signed,
            "signature_files": list(self.signature_files),
            "warnings": [w.to_json() for w in self.warnings],
            "error": self.error.to_json() if self.error is not None else None,
            "fragments": [f.to_json() for f in self.fragments],
        }


@dataclass
class InspectReport:
    """An application's web modules as `splicer inspect` sees them."""

    app: Path
    kind: str  # "ear" or "war"
    signature_files: list[str]
    modules: list[ModuleInspection]
    warnings: list[Diagnostic]

    @property
    def signed(self) -> bool:
        return bool(self.signature_files)

    @property
    def exit_code(self) -> int:
        return EXIT_UNSAFE if any(m.error is not None for m in self.modules) else EXIT_OK

    def all_warnings(self) -> list[Diagnostic]:
        return self.warnings + [w for m in self.modules for w in m.warnings]

    def to_json(self) -> dict[str, object]:
        return {
            "format": REPORT_FORMAT,
            "app": str(self.app),
            "kind": self.kind,
            "signed": self.signed,
            "signature_files": list(self.signature_files),
            "modules": [m.to_json() for m in self.modules],
            "warnings": [w.to_json() for w in self.warnings],
        }


def _inspect_module(app: AppReader, module: WebModule, war: AppReader) -> ModuleInspection:
    found = ModuleInspection(module.name, module.uri, str(war.where), module.context_root,
                             signature_files=war.signature_files())
    source = deployment_descriptor(app, module, war)
    found.warnings = list(source.notes)
    if source.name is None:
        _fragments(war, None, None, found)
        return found
    where = source.where
    found.descriptor = str(where)
    try:
        tree = parse_xml(source.holder.read(source.name), where)
        grammar = declared_grammar(tree, where)
    except SplicerError as exc:
        found.error = exc
        return found
    if grammar.kind != "web-app":
        found.error = DescriptorError(f"the root element is <{grammar.kind}>, not <web-app>", where)
        return found
    found.version, found.namespace = grammar.version, grammar.namespace
    found.session = read_session_state(tree.getroot(), grammar.namespace)
    found.warnings += [
        Diagnostic(rule.code, rule.message, where.at(getattr(rule.element, "sourceline", None)))
        for rule in check_rules(tree, grammar)
        if rule.code in _SHOWN_RULES
    ]
    _fragments(war, Part(tree.getroot(), grammar, "web.xml"), where, found)
    return found


def _fragments(war: AppReader, web: Part | None, web_where: Where | None, found: ModuleInspection) -> None:
    """The fragments of the module's library jars, whether each is merged, and the session
    rules across them and web.xml (WX308-WX314) among the module's warnings."""
    parts: list[Part] = []
    wheres: list[Where] = []
    seen: list[tuple[int, FragmentSeen]] = []  # the index of its Part, -1 when not merged at all
    for jar in library_jars(war):
        jar_where = war.where.child(jar)
        try:
            fragment = read_fragment(war, jar)
            if fragment is None:
                continue
            where = jar_where.child(fragment.entry)
            tree = parse_xml(fragment.data, where)
            grammar = declared_grammar(tree, where)
        except (SplicerError, OSError) as exc:
            failed = exc.where if isinstance(exc, SplicerError) else jar_where
            reason = exc.reason if isinstance(exc, SplicerError) else (exc.strerror or str(exc))
            found.warnings.append(Diagnostic("WX001", f"cannot be read: {reason}", failed))
            continue
        name = child_text(tree.getroot(), grammar.namespace, "name")
        if not fragment.exact or grammar.kind != "web-fragment":
            if not fragment.exact:
                found.warnings.append(Diagnostic("WX312", f"spelled '{fragment.entry}', not '{WEB_FRAGMENT_XML}': "
                                                 "a container reading the jar in place does not see it", where))
            seen.append((-1, FragmentSeen(jar, str(where), name, False)))
            continue
        seen.append((len(parts), FragmentSeen(jar, str(where), name, False)))
        parts.append(Part(tree.getroot(), grammar, jar))
        wheres.append(where)
    merged = set(merged_fragments(web, parts)[0])
    found.fragments = [item._replace(merged=index in merged) for index, item in seen]
    for rule in check_fragments(web, parts):
        place = web_where if rule.source is None else wheres[rule.source]
        assert place is not None
        found.warnings.append(Diagnostic(rule.code, rule.message, place.at(getattr(rule.element, "sourceline", None))))


def inspect(app: Path | str) -> InspectReport:
    """Read the application at *app* (EAR or WAR, zipped or exploded) without changing it.

    Raises UsageError when *app* does not exist, ArchiveError (and the other SplicerErrors)
    when it cannot be read; a module whose web.xml cannot be read carries its error instead.
    """
    path = Path(app)
    if not path.exists():
        raise UsageError("the application does not exist", Where((str(path),)))
    with open_app(path) as reader:
        war = is_war(reader)
        modules, warnings = discover(reader)
        inspected: list[ModuleInspection] = []
        for module in modules:
            if module.is_bare_war:
                inspected.append(_inspect_module(reader, module, reader))
            else:
                with reader.nested(module.uri) as inner:
                    inspected.append(_inspect_module(reader, module, inner))
        return InspectReport(path, "war" if war else "ear", [] if war else reader.signature_files(),
                             inspected, warnings)


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "no")


def render_table(report: InspectReport) -> str:
    """The report for a terminal: one row per module, then each module's settings and warnings."""
    count = len(report.modules)
    head = f"{report.app}: {report.kind.upper()}, {count} web module{'' if count == 1 else 's'}"
    if report.kind == "ear":
        head += ", signed" if report.signed else ", not signed"
    rows = [("MODULE", "CONTEXT ROOT", "VERSION", "FILTER", "FIRST", "LISTENER", "SETTINGS", "SIGNED")]
    for m in report.modules:
        s = m.session
        version = m.version or ("unreadable" if m.error else "no web.xml")
        rows.append((m.uri or report.app.name, m.context_root, version,
                     _yes(s.present if s else None), _yes(s.mapping_first if s and s.present else None),
                     _yes(s.listener is not None if s else None), str(len(s.settings)) if s else "-", _yes(m.signed)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [head, ""] + ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    for m in report.modules:
        if m.error is not None:
            lines += ["", f"{m.descriptor}: cannot be read: {m.error.message()}"]
        elif m.descriptor and m.session is not None:
            lines += ["", f"{m.descriptor}: Servlet {m.version}, namespace {m.namespace or 'none'}"]
            width = max((len(st.name) for st in m.session.settings), default=0)
            for st in m.session.settings:
                value = "(no value)" if st.value is None else st.value
                note = f"   ! {st.problem}" if st.problem else ""
                lines.append(f"  {st.name.ljust(width)}  {value}{note}")
        if m.fragments:
            lines += ["", f"{m.location}: web-fragment.xml in {len(m.fragments)} library jar"
                      f"{'' if len(m.fragments) == 1 else 's'}"]
            lines += [f"  {f.jar}{'' if f.name is None else f' (name {f.name})'}  "
                      f"{'merged' if f.merged else 'not merged'}" for f in m.fragments]
    warnings = report.all_warnings()
    if warnings:
        lines += ["", *[str(w) for w in warnings]]
    return "\n".join(lines) + "\n"
