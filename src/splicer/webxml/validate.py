"""Validation against the official schema or DTD of the declared version, strictly offline."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from splicer.errors import Where
from splicer.webxml.catalog import SchemaCatalog
from splicer.webxml.contentmodel import Model, first_mismatch, from_lxml
from splicer.webxml.grammars import Grammar, declared_grammar
from splicer.xmlsafe import parse_xml

_XSD_ELEMENT = re.compile(r"^Element '([^']+)'")
_DTD_CONTENT = re.compile(r"^Element (\S+) content does not follow the DTD")
_DTD_ELEMENT = re.compile(r"[Ee]lement (\S+)")


@dataclass(frozen=True)
class GrammarError:
    """One schema or DTD error: the line lxml gave, the message, and the element at fault
    when it could be told (for a DTD order error: the misplaced child, not its parent)."""

    line: int
    message: str
    element: etree._Element | None = None


@functools.lru_cache(maxsize=16)
def catalog_for(paths: tuple[Path, ...]) -> SchemaCatalog:
    """One catalog per set of folders and jars, so each schema compiles once per process."""
    return SchemaCatalog.from_paths(paths)


def _element_at(tree: etree._ElementTree, tag: str, line: int) -> etree._Element | None:
    for element in tree.getroot().iter(tag):
        if getattr(element, "sourceline", None) == line:
            return element
    return None


def _xsd_errors(schema: etree.XMLSchema, tree: etree._ElementTree, namespace: str) -> list[GrammarError]:
    if schema.validate(tree):
        return []
    found: list[GrammarError] = []
    entries: Iterable[Any] = schema.error_log  # type: ignore[assignment]  # lxml-stubs
    for entry in entries:
        match = _XSD_ELEMENT.match(entry.message)
        element = _element_at(tree, match.group(1), entry.line) if match else None
        # The namespace is the document's own; "{http://...}filter" only makes lines long.
        message = entry.message.replace(f"{{{namespace}}}", "") if namespace else entry.message
        found.append(GrammarError(entry.line, message, element))
    return found


def _content_models(dtd: etree.DTD) -> dict[str, Model]:
    declarations: Iterable[Any] = getattr(dtd, "iterelements")()  # lxml-stubs lack it
    return {decl.name: from_lxml(decl.content) for decl in declarations if decl.type == "element"}


def _misplaced(parent: etree._Element, model: Model) -> GrammarError | None:
    """The first child of *parent* the content model refuses, said in a few words."""
    children = [c for c in parent if isinstance(c.tag, str)]
    mismatch = first_mismatch(model, [str(c.tag) for c in children])
    if mismatch is None:
        return None
    wanted = ", ".join(mismatch.expected) or "nothing more"
    if mismatch.index is None:
        return GrammarError(getattr(parent, "sourceline", 0) or 0,
                            f"<{parent.tag}> lacks a required element: expected {wanted}", parent)
    child = children[mismatch.index]
    where = f"after <{mismatch.previous}>" if mismatch.previous else "first"
    return GrammarError(getattr(child, "sourceline", 0) or 0,
                        f"<{child.tag}> is not allowed here in <{parent.tag}> ({where}); the DTD "
                        f"expects {wanted}", child)


def _dtd_errors(dtd: etree.DTD, tree: etree._ElementTree) -> list[GrammarError]:
    if dtd.validate(tree):
        return []
    found: list[GrammarError] = []
    models: dict[str, Model] | None = None
    entries: Iterable[Any] = dtd.error_log  # type: ignore[assignment]  # lxml-stubs
    for entry in entries:
        order = _DTD_CONTENT.match(entry.message)
        if order:
            parent = _element_at(tree, order.group(1), entry.line)
            models = models if models is not None else _content_models(dtd)
            model = models.get(order.group(1))
            refined = _misplaced(parent, model) if parent is not None and model is not None else None
            if refined is not None:
                found.append(refined)
                continue
        named = _DTD_ELEMENT.search(entry.message)
        element = _element_at(tree, named.group(1), entry.line) if named else None
        found.append(GrammarError(entry.line, entry.message, element))
    return found


def check_grammar(tree: etree._ElementTree, grammar: Grammar, catalog: SchemaCatalog) -> list[GrammarError]:
    """Errors of *tree* against the official grammar it declares; [] when valid.

    Raises KeyError when the catalog lacks that grammar (or none defines the declaration),
    SchemaUnusable when the catalog's copy does not compile.
    """
    if grammar.schema_file is None:
        raise KeyError(grammar.label)
    validator = catalog.validator(grammar.schema_file)
    if isinstance(validator, etree.DTD):
        return _dtd_errors(validator, tree)
    return _xsd_errors(validator, tree, grammar.namespace)


def validate_webxml(data: bytes, schemas: Path | SchemaCatalog) -> list[str]:
    """Errors against the declared schema (or DTD) as ``line N: message``; [] when valid.

    *schemas* is a folder or jar of the official grammars, or a catalog.  The instance is
    parsed with the safe parser (no DTD loading, no entities, no network).  A declaration
    with no official schema (a namespace-less root, ``version="3.1"`` in the Java EE 6
    namespace) gives one error saying so.
    """
    catalog = schemas if isinstance(schemas, SchemaCatalog) else catalog_for((Path(schemas).resolve(),))
    tree = parse_xml(data, Where())
    grammar = declared_grammar(tree, Where())
    if grammar.schema_file is None:
        shown = grammar.namespace or "none"
        return [f"line 1: no schema for namespace {shown} and version {grammar.version}"]
    return [f"line {e.line}: {e.message}" for e in check_grammar(tree, grammar, catalog)]
