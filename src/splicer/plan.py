"""The plan: which module gets which change. --dry-run, --check and --diff only read it."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from splicer.errors import DescriptorError, Diagnostic, SignedArchiveError, Where
from splicer.modules import WEB_XML, WebModule, discover, is_war
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


def plan_module(
    module: WebModule,
    reader: AppReader,
    params: list[tuple[str, str]],
    *,
    strip_signatures: bool = False,
) -> tuple[ModuleReport, Changes]:
    """Splice one module's web.xml in memory; return its report and its own changes."""
    where = reader.where.child(WEB_XML)
    if reader.has(WEB_XML + "/"):
        raise DescriptorError("WEB-INF/web.xml is a directory, not a deployment descriptor", where)
    created = not reader.has(WEB_XML)
    before = None if created else reader.read(WEB_XML)
    result = splice_webxml(minimal_webxml() if before is None else before, params, where)
    warnings = list(result.warnings)
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
        actions=(["create WEB-INF/web.xml"] if created else []) + list(result.actions),
        warnings=warnings,
        before=before,
        after=after,
        encoding=declared_encoding(after if after is not None else b""),
    )
    changes: Changes = {}
    if report.changed and after is not None:
        changes[WEB_XML] = after
        _signature_guard(reader, strip_signatures, changes)
    return report, changes


def make_plan(reader: AppReader, params: list[tuple[str, str]], *, strip_signatures: bool = False) -> Plan:
    """Plan the splice of every web module of the application behind *reader*."""
    modules, warnings = discover(reader)
    reports: list[ModuleReport] = []
    changes: Changes = {}
    for module in modules:
        if module.is_bare_war:
            report, own = plan_module(module, reader, params, strip_signatures=strip_signatures)
            changes.update(own)
        else:
            with reader.nested(module.uri) as inner:
                report, own = plan_module(module, inner, params, strip_signatures=strip_signatures)
                if own and inner.is_dir:
                    # An exploded WAR inside the EAR: its files are the EAR's own entries.
                    changes.update({f"{module.uri}/{name}": data for name, data in own.items()})
                elif own:
                    changes[module.uri] = own
        reports.append(report)
    if changes and not is_war(reader):
        # Changing a nested module changes the EAR too, so its own signature would break.
        outer: Changes = {}
        _signature_guard(reader, strip_signatures, outer)
        changes.update(outer)
    return Plan(reports, warnings, changes)
