"""The plan: which module gets which change. --dry-run, --check and --diff only read it."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from splicer.archives.names import deployed_name
from splicer.errors import ArchiveError, DescriptorError, Diagnostic, SignedArchiveError, Where
from splicer.modules import APPLICATION_XML, WEB_XML, WebModule, deployment_descriptor, discover, is_war
from splicer.report import ModuleReport
from splicer.webxml import minimal_webxml, splice_webxml
from splicer.webxml.source import document_codec

if TYPE_CHECKING:
    from splicer.archives import AppReader, Changes
    from splicer.profiles import Profile

_DROPS_BOM = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16", "utf-32-le": "utf-32", "utf-32-be": "utf-32"}
_ENCODING_DECL = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass
class Plan:
    """Every module's report plus the archive changes that would realise them.

    *bare*: the application is a web.xml file on its own; its one module's ``after`` is the
    file's new content (``changes`` then only says whether it changes).
    """

    modules: list[ModuleReport]
    warnings: list[Diagnostic]
    changes: Changes
    bare: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass
class Edited:
    """What an operation does to one descriptor: the new bytes (None: none, or deleted)."""

    after: bytes | None
    version: str
    jakarta: bool
    params: list[tuple[str, str]]
    actions: list[str]
    warnings: list[Diagnostic] = field(default_factory=list)
    created: bool = False
    removed: bool = False


class Operation(Protocol):
    """What splice or unsplice does to one descriptor: (its bytes, None when the module has
    none; where it is; whether it may be deleted) -> what becomes of it."""

    @property
    def verb(self) -> str:
        """"spliced" or "unspliced", for the lines that say what was done."""

    def __call__(self, before: bytes | None, where: Where, deletable: bool) -> Edited: ...


class Splicing(NamedTuple):
    """Splice *params*, the filter, its mapping and its listener; a module without web.xml gets one."""

    params: Sequence[tuple[str, str]]
    verb: str = "spliced"
    profile: Profile | None = None  # None: the default profile

    def __call__(self, before: bytes | None, where: Where, deletable: bool) -> Edited:
        created = before is None
        result = splice_webxml(minimal_webxml() if before is None else before, self.params, where, self.profile)
        warnings = list(result.warnings)
        if created:
            warnings.insert(0, Diagnostic(
                "CWWSM0502W",
                "the module has no WEB-INF/web.xml (an annotation-only Servlet 3.0+ application); "
                'a minimal Servlet 3.0 descriptor with metadata-complete="false" is created',
                where,
            ))
        after = result.output if (created or result.changed) else before
        actions = (["create WEB-INF/web.xml"] if created else []) + list(result.actions)
        return Edited(after, result.version, result.jakarta, list(self.params), actions, warnings, created=created)


class Unsplicing(NamedTuple):
    """Remove what splicing adds (the context-params of *keys*, None: every documented key);
    a web.xml that splicing created, with nothing else in it since, is deleted where *deletable*."""

    keys: Collection[str] | None = None
    verb: str = "unspliced"
    profile: Profile | None = None  # None: the default profile

    def __call__(self, before: bytes | None, where: Where, deletable: bool) -> Edited:
        if before is None:
            return Edited(None, "none", False, [], [])
        from splicer.webxml.unsplice import created_by_splice, unsplice_webxml  # splice never needs it

        result = unsplice_webxml(before, self.keys, where, self.profile)
        if deletable and result.changed and created_by_splice(before, result, where, self.profile):
            actions = [*result.actions, "delete WEB-INF/web.xml: splicing created it and nothing else is in it"]
            return Edited(None, result.version, result.jakarta, result.params, actions, removed=True)
        after = result.output if result.changed else before
        return Edited(after, result.version, result.jakarta, result.params, list(result.actions),
                      list(result.warnings))


def _operation(given: Operation | Sequence[tuple[str, str]]) -> Operation:
    # Splicing and Unsplicing are NamedTuples, so Sequences too: only another Sequence is params.
    if isinstance(given, (Splicing, Unsplicing)) or not isinstance(given, Sequence):
        return given
    return Splicing(given)


def declared_encoding(data: bytes) -> str:
    """The codec that reads a descriptor, for showing diffs: its byte-order mark or UTF-16
    form first (the ASCII declaration cannot be matched in UTF-16 bytes), then the encoding
    it declares, else utf-8 (the splice itself reads it the same way)."""
    match = _ENCODING_DECL.match(data)
    declared = match.group(1).decode("ascii") if match else None
    try:
        codec = document_codec(data, declared, Where())
    except DescriptorError:
        return "utf-8"
    # A diff shows text, not the byte-order mark: use the codec of the form that drops it.
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return _DROPS_BOM.get(codec, codec)
    return codec


def _signature_guard(reader: AppReader, strip: bool, changes: Changes) -> None:
    """A change breaks a signature: refuse, or (when asked) drop the signature files."""
    signatures = reader.signature_files()
    if not signatures:
        return
    if not strip:
        raise SignedArchiveError(
            f"the archive is signed ({', '.join(signatures)}); splicing would invalidate the signature",
            reader.where,
            hint="re-sign it after splicing, or pass --strip-signatures to remove the signature",
        )
    for name in signatures:
        changes[name] = None


def _entries(names: list[str]) -> str:
    return " and ".join(f"'{name}'" for name in names)


def name_clashes(reader: AppReader, *, allow: bool) -> list[Diagnostic]:
    """Entries that are one file once deployed on some OS (``WEB-INF/web.xml`` and
    ``web-inf/web.xml``, or ``WEB-INF\\web.xml``): refused, or with *allow* one warning each
    naming the entry that is deployed.  Every file entry of *reader* is checked, in one pass."""
    groups = reader.clashes()
    if groups and not allow:
        first = groups[0]
        path = deployed_name(first[0])
        how = ("once expanded" if len({deployed_name(n) for n in first}) == 1
               else "on a case-insensitive file system (Windows, macOS)")
        more = f"; {len(groups) - 1} more such clashes" if len(groups) > 1 else ""
        raise ArchiveError(
            f"entries {_entries(first)} are one file once deployed: {path} {how}{more}",
            reader.where,
            hint="rename or remove one, or pass --allow-name-clashes to splice the one extraction leaves",
        )
    notes: list[Diagnostic] = []
    for names in groups:
        # The path a server looks for, where the group holds a descriptor spelled as such.
        path = next((n for n in names if n.endswith((WEB_XML, APPLICATION_XML)) and n == deployed_name(n)),
                    deployed_name(names[-1]))
        winner, why = reader.winner(names, path)
        notes.append(Diagnostic(
            "CWWSM0505W",
            f"entries {_entries(names)} are one file once deployed; '{winner}' is the one deployed ({why}), "
            f"so the one read and spliced where it is a descriptor; {_entries([n for n in names if n != winner])} "
            "is left as it is (--allow-name-clashes)",
            reader.where.child(winner),
        ))
    return notes


def describe(name: str, context_root: str, where: Where, before: bytes | None, edited: Edited,
             notes: Sequence[Diagnostic], link_action: list[str]) -> ModuleReport:
    """The report of one descriptor an operation went through."""
    shown = edited.after if edited.after is not None else before
    return ModuleReport(
        name=name,
        context_root=context_root,
        where=where,
        version=edited.version,
        jakarta=edited.jakarta,
        created=edited.created,
        params=list(edited.params),
        actions=link_action + list(edited.actions),
        warnings=[*notes, *edited.warnings],
        before=before,
        after=edited.after,
        encoding=declared_encoding(shown if shown is not None else b""),
        removed=edited.removed,
    )


def plan_module(
    module: WebModule,
    reader: AppReader,
    operation: Operation | Sequence[tuple[str, str]],
    *,
    strip_signatures: bool = False,
    app: AppReader | None = None,
) -> tuple[ModuleReport, Changes, Changes]:
    """Run *operation* (or splice these params) on the descriptor one module deploys with, in memory.

    *reader* is the WAR, *app* the EAR around it (None for a bare WAR).  Returns the report,
    the WAR's own changes, and the EAR's (the file an ``<alt-dd>`` names is an EAR entry).
    """
    operation = _operation(operation)
    source = deployment_descriptor(app or reader, module, reader)
    where = source.where
    if source.name is None and reader.lookup(WEB_XML + "/"):
        raise DescriptorError("WEB-INF/web.xml is a directory, not a deployment descriptor", where)
    before = None if source.name is None else source.holder.read(source.name)
    link = source.holder.link_of(source.name) if source.name is not None else None
    # An <alt-dd> is never deleted: application.xml names it, and splicing never creates one.
    edited = operation(before, where, not source.alt_dd)
    link_action = [f"{source.name} is a symbolic link: {link}, the file it names, is {operation.verb}; the link is kept"] if link else []
    report = describe(module.name, module.context_root, where, before, edited, source.notes, link_action)
    changes: Changes = {}
    ear_changes: Changes = {}
    if report.changed and source.alt_dd:
        ear_changes[source.name or WEB_XML] = edited.after  # the EAR's signature is guarded by make_plan
    elif report.changed:
        # Where it is, spelled as it is: WEB-INF\web.xml is not given a second descriptor.
        changes[source.name or WEB_XML] = edited.after
        _signature_guard(reader, strip_signatures, changes)
    return report, changes, ear_changes


def plan_descriptor_file(path: Path, operation: Operation) -> Plan:
    """A web.xml on its own (``src/main/webapp/WEB-INF/web.xml``): the one module, labelled by its path."""
    from splicer.archives import LIMITS

    where = Where((str(path),))
    with path.open("rb") as fh:
        before = fh.read(LIMITS.max_read + 1)
    if len(before) > LIMITS.max_read:
        raise ArchiveError(f"file is over the limit of {LIMITS.max_read} bytes", where)
    # The module is the folder WEB-INF/ is in (src/main/webapp -> "webapp"), else the file's stem.
    full = Path(os.path.abspath(path))
    name = full.parent.parent.name if full.parent.name.upper() == "WEB-INF" and full.parent.parent.name else full.stem
    # A file given on its own is the user's: never deleted, even if splicing wrote all of it.
    report = describe(name, "/" + name, where, before, operation(before, where, False), [], [])
    return Plan([report], [], {WEB_XML: report.after} if report.changed and report.after is not None else {}, bare=True)


def make_plan(reader: AppReader, operation: Operation | Sequence[tuple[str, str]], *, strip_signatures: bool = False,
              allow_name_clashes: bool = False) -> Plan:
    """Plan *operation* (or the splice of these params) on every web module of the application behind *reader*."""
    operation = _operation(operation)
    warnings = name_clashes(reader, allow=allow_name_clashes)
    modules, found = discover(reader)
    warnings += found
    reports: list[ModuleReport] = []
    changes: Changes = {}
    for module in modules:
        if module.is_bare_war:
            report, own, _ = plan_module(module, reader, operation, strip_signatures=strip_signatures)
            changes.update(own)
        else:
            with reader.nested(module.uri) as inner:
                # A folder module's entries are the EAR's, checked with them; a zipped WAR's are its own.
                clashes = [] if inner.is_dir else name_clashes(inner, allow=allow_name_clashes)
                report, own, ear_own = plan_module(module, inner, operation, strip_signatures=strip_signatures,
                                                   app=reader)
                report.warnings[:0] = clashes
                changes.update(ear_own)
                if own and inner.is_dir:
                    # An exploded WAR inside the EAR: its files are the EAR's own entries.
                    changes.update({inner.outer_name(name): data for name, data in own.items()})
                elif own:
                    changes[module.uri] = own
        reports.append(report)
    if changes and not is_war(reader):
        # Changing a nested module changes the EAR too, so its own signature would break.
        outer: Changes = {}
        _signature_guard(reader, strip_signatures, outer)
        changes.update(outer)
    return Plan(reports, warnings, changes)
