"""The plan: which module gets which change. --dry-run, --check and --diff only read it."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from splicer.archives.names import deployed_name
from splicer.errors import ArchiveError, DescriptorError, Diagnostic, SignedArchiveError, Where
from splicer.modules import APPLICATION_XML, WEB_XML, WebModule, deployment_descriptor, discover, is_war
from splicer.report import ModuleReport
from splicer.webxml import minimal_webxml, splice_webxml
from splicer.webxml.source import document_codec

if TYPE_CHECKING:
    from splicer.archives import AppReader, Changes

_DROPS_BOM = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16", "utf-32-le": "utf-32", "utf-32-be": "utf-32"}
_ENCODING_DECL = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


@dataclass
class Plan:
    """Every module's report plus the archive changes that would realise them."""

    modules: list[ModuleReport]
    warnings: list[Diagnostic]
    changes: Changes

    @property
    def changed(self) -> bool:
        return bool(self.changes)


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


def plan_module(
    module: WebModule,
    reader: AppReader,
    params: list[tuple[str, str]],
    *,
    strip_signatures: bool = False,
    app: AppReader | None = None,
) -> tuple[ModuleReport, Changes, Changes]:
    """Splice the descriptor one module deploys with, in memory.

    *reader* is the WAR, *app* the EAR around it (None for a bare WAR).  Returns the report,
    the WAR's own changes, and the EAR's (the file an ``<alt-dd>`` names is an EAR entry).
    """
    source = deployment_descriptor(app or reader, module, reader)
    where = source.where
    if source.name is None and reader.lookup(WEB_XML + "/"):
        raise DescriptorError("WEB-INF/web.xml is a directory, not a deployment descriptor", where)
    created = source.name is None
    before = None if source.name is None else source.holder.read(source.name)
    result = splice_webxml(minimal_webxml() if before is None else before, params, where)
    warnings = source.notes + list(result.warnings)
    link = source.holder.link_of(source.name) if source.name is not None else None
    if created:
        warnings.insert(
            0,
            Diagnostic(
                "CWWSM0502W",
                "the module has no WEB-INF/web.xml (an annotation-only Servlet 3.0+ application); "
                'a minimal Servlet 3.0 descriptor with metadata-complete="false" is created',
                where,
            ),
        )
    after = result.output if (created or result.changed) else before
    report = ModuleReport(
        name=module.name,
        context_root=module.context_root,
        where=where,
        version=result.version,
        jakarta=result.jakarta,
        created=created,
        params=list(params),
        actions=(["create WEB-INF/web.xml"] if created else [])
        + ([f"{source.name} is a symbolic link: {link}, the file it names, is spliced; the link is kept"] if link else [])
        + list(result.actions),
        warnings=warnings,
        before=before,
        after=after,
        encoding=declared_encoding(after if after is not None else b""),
    )
    changes: Changes = {}
    ear_changes: Changes = {}
    if report.changed and after is not None and source.alt_dd:
        ear_changes[source.name or WEB_XML] = after  # the EAR's signature is guarded by make_plan
    elif report.changed and after is not None:
        # Where it is, spelled as it is: WEB-INF\web.xml is not given a second descriptor.
        changes[source.name or WEB_XML] = after
        _signature_guard(reader, strip_signatures, changes)
    return report, changes, ear_changes


def make_plan(reader: AppReader, params: list[tuple[str, str]], *, strip_signatures: bool = False,
              allow_name_clashes: bool = False) -> Plan:
    """Plan the splice of every web module of the application behind *reader*."""
    warnings = name_clashes(reader, allow=allow_name_clashes)
    modules, found = discover(reader)
    warnings += found
    reports: list[ModuleReport] = []
    changes: Changes = {}
    for module in modules:
        if module.is_bare_war:
            report, own, _ = plan_module(module, reader, params, strip_signatures=strip_signatures)
            changes.update(own)
        else:
            with reader.nested(module.uri) as inner:
                # A folder module's entries are the EAR's, checked with them; a zipped WAR's are its own.
                clashes = [] if inner.is_dir else name_clashes(inner, allow=allow_name_clashes)
                report, own, ear_own = plan_module(module, inner, params, strip_signatures=strip_signatures, app=reader)
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
