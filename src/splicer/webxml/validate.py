"""Validation against the official schema or DTD of the declared version, strictly offline."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from splicer.errors import Where
from splicer.webxml.versions import detect_version
from splicer.xmlsafe import parse_xml


class _LocalSchemas(etree.Resolver):
    """Serve every schema a schema imports from *folder*, by the file name of its URL.

    The schemas import each other by sibling name or by public URL (xml.xsd, the IBM web
    services schema).  Anything not in the folder resolves to an empty document, so a
    missing file fails the compilation instead of reaching for the network.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    # lxml calls resolve(url, public_id, context); lxml-stubs leave *context* and
    # resolve_filename out, hence the optional parameter and the Any.
    def resolve(self, system_url: str, public_id: str, context: Any = None) -> Any:
        name = (system_url or "").rstrip("/").rsplit("/", 1)[-1]
        path = self.folder / name
        resolver: Any = self
        if name and path.is_file():
            return resolver.resolve_filename(str(path), context)
        return resolver.resolve_string("", context)


def _schema_parser(folder: Path) -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas(folder))
    return parser


@functools.lru_cache(maxsize=32)
def _xsd(folder: Path, name: str) -> etree.XMLSchema:
    """A compiled root schema; compiled once per folder and file, as compiling is slow."""
    document = etree.parse(str(folder / name), _schema_parser(folder))
    return etree.XMLSchema(document)


@functools.lru_cache(maxsize=8)
def _dtd(folder: Path, name: str) -> etree.DTD:
    return etree.DTD(str(folder / name))


def validate_webxml(data: bytes, schemas_dir: Path) -> list[str]:
    """Errors against the declared schema (or DTD) as ``line N: message``; [] when valid.

    The instance is parsed with the safe parser (no DTD loading, no entities, no network)
    and validated against a local copy: an XSD picked by root namespace and version, the
    2.2/2.3 DTD by the DOCTYPE.  A declaration with no official schema (a namespace-less
    root, ``version="3.1"`` in the Java EE 6 namespace) gives one error saying so.
    """
    folder = Path(schemas_dir).resolve()
    tree = parse_xml(data, Where())
    info = detect_version(tree, Where())
    name = info.schema_file
    if name is None:
        shown = info.namespace or "none"
        return [f"line 1: no schema for namespace {shown} and version {info.version}"]
    validator: etree._Validator = _dtd(folder, name) if info.form == "dtd" else _xsd(folder, name)
    if validator.validate(tree):
        return []
    errors: Iterable[Any] = validator.error_log  # type: ignore[assignment]  # lxml-stubs
    return [f"line {e.line}: {e.message}" for e in errors]
