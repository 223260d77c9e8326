"""META-INF/application.xml: the web modules an EAR declares, and their context roots."""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.xmlsafe import parse_xml, source_line

# application.xml namespaces by platform: 1.2/1.3 are DTD-based and have none.
APPLICATION_NAMESPACES = (
    "",
    "http://java.sun.com/xml/ns/j2ee",  # 1.4
    "http://java.sun.com/xml/ns/javaee",  # 5, 6
    "http://xmlns.jcp.org/xml/ns/javaee",  # 7, 8
    "https://jakarta.ee/xml/ns/jakartaee",  # 9, 10, 11
)


class DeclaredWebModule(NamedTuple):
    """One `<module><web>` of application.xml, with the module's `<alt-dd>` if it has one."""

    web_uri: str
    context_root: str | None
    line: int | None
    alt_dd: str | None = None  # a path inside the EAR: the descriptor the module deploys with


def _local(element: etree._Element) -> tuple[str, str]:
    qname = etree.QName(element)
    return qname.namespace or "", qname.localname


def _child_text(parent: etree._Element, namespace: str, name: str) -> str | None:
    tag = f"{{{namespace}}}{name}" if namespace else name
    child = parent.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def read_application_xml(data: bytes, where: Where) -> list[DeclaredWebModule]:
    """The web modules declared by *data*, in document order.

    Refuses (DescriptorError) a root that is not `application` in a known namespace, and a
    web module without a web-uri, naming the line.
    """
    root = parse_xml(data, where).getroot()
    namespace, local = _local(root)
    if local != "application" or namespace not in APPLICATION_NAMESPACES:
        raise DescriptorError(
            f"root element is {{{namespace}}}{local}, not a Java EE application",
            where.at(source_line(root)),
        )
    modules: list[DeclaredWebModule] = []
    module_tag = f"{{{namespace}}}module" if namespace else "module"
    web_tag = f"{{{namespace}}}web" if namespace else "web"
    for module in root.iterchildren(module_tag):
        web = module.find(web_tag)
        if web is None:
            continue
        uri = _child_text(web, namespace, "web-uri")
        if not uri:
            raise DescriptorError("a <web> module has no <web-uri>", where.at(source_line(web)))
        context_root = _child_text(web, namespace, "context-root")
        # <alt-dd> is a sibling of <web> in <module>; an empty one names nothing.
        alt_dd = _child_text(module, namespace, "alt-dd") or None
        modules.append(DeclaredWebModule(uri, context_root, source_line(web), alt_dd))
    return modules
