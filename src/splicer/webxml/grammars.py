"""Which official grammar a descriptor declares: web.xml, web-fragment.xml or application.xml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.webxml.versions import (
    J2EE_NS,
    JAKARTA_NS,
    JAVAEE_NS,
    JCP_NS,
    SCHEMA_NAMESPACES,
    XSD_FILES,
    detect_version,
    line,
    qname_parts,
)

Kind = Literal["web-app", "web-fragment", "application"]
Form = Literal["dtd", "xsd", "none"]

# web-fragment.xml exists from Servlet 3.0 on, in the namespaces of its web.xml versions.
FRAGMENT_XSD: Final = {
    (JAVAEE_NS, "3.0"): "web-fragment_3_0.xsd",
    (JCP_NS, "3.1"): "web-fragment_3_1.xsd",
    (JCP_NS, "4.0"): "web-fragment_4_0.xsd",
    (JAKARTA_NS, "5.0"): "web-fragment_5_0.xsd",
    (JAKARTA_NS, "6.0"): "web-fragment_6_0.xsd",
    (JAKARTA_NS, "6.1"): "web-fragment_6_1.xsd",
    (JAKARTA_NS, "6.2"): "web-fragment_6_2.xsd",
}
FRAGMENT_FIRST: Final = {JAVAEE_NS: "3.0", JCP_NS: "3.1", JAKARTA_NS: "5.0"}

# application.xml: J2EE 1.2/1.3 by DTD, then one schema per platform version.
APPLICATION_DTD_IDS: Final = {
    "-//Sun Microsystems, Inc.//DTD J2EE Application 1.2//EN": "1.2",
    "-//Sun Microsystems, Inc.//DTD J2EE Application 1.3//EN": "1.3",
}
APPLICATION_DTDS: Final = {"1.2": "application_1_2.dtd", "1.3": "application_1_3.dtd"}
APPLICATION_XSD: Final = {
    (J2EE_NS, "1.4"): "application_1_4.xsd",
    (JAVAEE_NS, "5"): "application_5.xsd",
    (JAVAEE_NS, "6"): "application_6.xsd",
    (JCP_NS, "7"): "application_7.xsd",
    (JCP_NS, "8"): "application_8.xsd",
    (JAKARTA_NS, "9"): "application_9.xsd",
    (JAKARTA_NS, "10"): "application_10.xsd",
    (JAKARTA_NS, "11"): "application_11.xsd",
}
APPLICATION_FIRST: Final = {J2EE_NS: "1.4", JAVAEE_NS: "5", JCP_NS: "7", JAKARTA_NS: "9"}

LABELS: Final = {"web-app": "Servlet", "web-fragment": "web-fragment", "application": "application.xml"}


@dataclass(frozen=True)
class Grammar:
    """What a descriptor declares, and the official schema or DTD file that defines it.

    ``schema_file`` is None when no official grammar defines the namespace and version
    declared (``version="3.1"`` in the Java EE 6 namespace, a namespace-less web-app).
    """

    kind: Kind
    version: str
    namespace: str
    form: Form
    schema_file: str | None

    @property
    def label(self) -> str:
        """``Servlet 3.0``, ``web-fragment 3.1``, ``application.xml 7``: for messages."""
        return f"{LABELS[self.kind]} {self.version}"


def _declared(root: etree._Element) -> str:
    return (root.get("version") or "").strip()


def _namespaced(kind: Kind, root: etree._Element, where: Where, table: dict[tuple[str, str], str],
                first: dict[str, str]) -> Grammar:
    namespace, _ = qname_parts(root)
    if namespace not in SCHEMA_NAMESPACES:
        raise DescriptorError(
            f"the root element <{kind}> is in the namespace {namespace or 'none'!r}, "
            "which no Java EE or Jakarta EE version uses",
            where.at(line(root)),
        )
    version = _declared(root) or first.get(namespace, "unknown")
    return Grammar(kind, version, namespace, "xsd", table.get((namespace, version)))


def declared_grammar(tree: etree._ElementTree, where: Where) -> Grammar:
    """The grammar the root element (and DOCTYPE) of *tree* declares.

    Raises DescriptorError when the root is none of web-app, web-fragment, application, or
    sits in a namespace no platform version uses.
    """
    root = tree.getroot()
    namespace, local = qname_parts(root)
    if local == "web-app":
        info = detect_version(tree, where)
        return Grammar("web-app", info.version, info.namespace, info.form, info.schema_file)
    if local == "web-fragment":
        return _namespaced("web-fragment", root, where, FRAGMENT_XSD, FRAGMENT_FIRST)
    if local == "application":
        if namespace:
            return _namespaced("application", root, where, APPLICATION_XSD, APPLICATION_FIRST)
        public_id = tree.docinfo.public_id or ""
        version = APPLICATION_DTD_IDS.get(public_id)
        if version is None:
            system: str = getattr(tree.docinfo, "system_url", None) or ""
            version = next((v for v, f in APPLICATION_DTDS.items() if system.endswith(f)), None)
        if version is None:
            return Grammar("application", "unknown", "", "none", None)
        return Grammar("application", version, "", "dtd", APPLICATION_DTDS[version])
    raise DescriptorError(
        f"the root element is <{local}>: not a web.xml, web-fragment.xml or application.xml",
        where.at(line(root)),
    )


def defined_versions(kind: Kind, namespace: str) -> list[str]:
    """The versions an official grammar of *kind* defines in *namespace*, for hints."""
    table = {"web-app": XSD_FILES, "web-fragment": FRAGMENT_XSD, "application": APPLICATION_XSD}[kind]
    return [version for ns, version in table if ns == namespace]
