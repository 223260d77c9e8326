"""Safe XML parsing: the one parser factory, with every safety switch set explicitly."""

from __future__ import annotations

from typing import Any

from lxml import etree

from splicer.errors import DescriptorError, HostileXmlError, Where
from splicer.xmlencodings import decide

# Documents bigger than this are not deployment descriptors; refuse before parsing.
MAX_XML_BYTES = 16 * 1024 * 1024


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never loads a DTD, resolves an entity or touches the network.

    Comments, processing instructions and CDATA are kept, so a tree can tell exactly where
    things are in the original bytes.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        strip_cdata=False,
    )


def parse_xml(data: bytes, where: Where) -> etree._ElementTree:
    """Parse *data* safely; entity declarations are a named refusal, never an expansion.

    Raises HostileXmlError for a DTD subset that declares entities (internal or external:
    the defusedxml defaults), DescriptorError (with the line) for anything not well-formed
    or in an encoding neither Java's XML parser nor Python reads.
    """
    if len(data) > MAX_XML_BYTES:
        raise DescriptorError(f"document is {len(data)} bytes, more than {MAX_XML_BYTES}", where)
    # The encoding as Java's XML parser reads it; what libxml2 would decode otherwise (or
    # not at all: Windows-31J, MS932, ISO8859_1 ...) is parsed from Python's decoding.
    source = decide(data, where).for_parser(data, where)
    try:
        tree = etree.ElementTree(etree.fromstring(source, safe_parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        if "Entity" in str(exc) or "entity" in str(exc):
            raise HostileXmlError(
                "the document uses an entity that is not declared or not allowed; "
                "entities are never expanded",
                where.at(line),
            ) from None
        raise DescriptorError(f"not well-formed XML: {exc.msg}", where.at(line)) from None
    refuse_entities(tree, where)
    return tree


def source_line(node: Any) -> int | None:
    """The line a node starts on (lxml-stubs mistype ``sourceline``)."""
    value: int | None = getattr(node, "sourceline", None)
    return value


def refuse_entities(tree: etree._ElementTree, where: Where) -> None:
    """Refuse entity declarations (billion laughs, XXE) and references left unexpanded."""
    dtd = tree.docinfo.internalDTD
    entities: list[Any] = [] if dtd is None else list(getattr(dtd, "iterentities")())
    if entities:
        names = ", ".join(sorted({e.name or "?" for e in entities}))
        raise HostileXmlError(
            f"the DOCTYPE declares entities ({names}); they are refused, never expanded",
            where.at(1),
            hint="remove the internal DTD subset",
        )
    for ref in tree.getroot().iter(etree.Entity):
        raise HostileXmlError(
            f"the document refers to the entity &{getattr(ref, 'name', '?')}; which is never expanded",
            where.at(source_line(ref)),
        )
