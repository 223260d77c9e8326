"""Descriptor versions: namespaces, DOCTYPE ids, the element order, what each form allows."""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from lxml import etree

from splicer.errors import DescriptorError, Where

# The four namespaces web.xml has had since Servlet 2.4 (schemas/README.md).
J2EE_NS: Final = "http://java.sun.com/xml/ns/j2ee"  # 2.4
JAVAEE_NS: Final = "http://java.sun.com/xml/ns/javaee"  # 2.5, 3.0
JCP_NS: Final = "http://xmlns.jcp.org/xml/ns/javaee"  # 3.1, 4.0
JAKARTA_NS: Final = "https://jakarta.ee/xml/ns/jakartaee"  # 5.0, 6.0, 6.1, 6.2
SCHEMA_NAMESPACES: Final = (J2EE_NS, JAVAEE_NS, JCP_NS, JAKARTA_NS)

# A namespace whose root carries no version attribute (invalid, but seen) gets its first version.
FIRST_VERSION: Final = {J2EE_NS: "2.4", JAVAEE_NS: "2.5", JCP_NS: "3.1", JAKARTA_NS: "5.0"}

DTD_PUBLIC_IDS: Final = {
    "-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN": "2.2",
    "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN": "2.3",
}
DTD_FILES: Final = {"2.2": "web-app_2_2.dtd", "2.3": "web-app_2_3.dtd"}

# (namespace, version) -> root schema file in ../schemas.
XSD_FILES: Final = {
    (J2EE_NS, "2.4"): "web-app_2_4.xsd",
    (JAVAEE_NS, "2.5"): "web-app_2_5.xsd",
    (JAVAEE_NS, "3.0"): "web-app_3_0.xsd",
    (JCP_NS, "3.1"): "web-app_3_1.xsd",
    (JCP_NS, "4.0"): "web-app_4_0.xsd",
    (JAKARTA_NS, "5.0"): "web-app_5_0.xsd",
    (JAKARTA_NS, "6.0"): "web-app_6_0.xsd",
    (JAKARTA_NS, "6.1"): "web-app_6_1.xsd",
    (JAKARTA_NS, "6.2"): "web-app_6_2.xsd",
}

UNKNOWN: Final = "unknown"

UPGRADE_HINT: Final = (
    "Servlet 2.2 has no <filter> or <listener>; upgrade the descriptor first: replace the DOCTYPE "
    'with <!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN" '
    '"http://java.sun.com/dtd/web-app_2_3.dtd"> (or declare a Servlet 2.4+ schema), '
    "then splice again"
)

# The Servlet 2.3 DTD child order of <web-app>.  Placement follows it in every version; the
# later schemas accept any order, so this order is valid everywhere.  module-name (3.0+) sits
# with the description group, as the 3.0 schema lists it first.
WEB_APP_ORDER: Final = (
    "icon",
    "display-name",
    "description",
    "module-name",
    "distributable",
    "context-param",
    "filter",
    "filter-mapping",
    "listener",
    "servlet",
    "servlet-mapping",
    "session-config",
    "mime-mapping",
    "welcome-file-list",
    "error-page",
    "taglib",
    "resource-env-ref",
    "resource-ref",
    "security-constraint",
    "login-config",
    "security-role",
    "env-entry",
    "ejb-ref",
    "ejb-local-ref",
)
RANK: Final = {name: index for index, name in enumerate(WEB_APP_ORDER)}
# Elements the 2.3 order does not know (jsp-config, absolute-ordering, ...) rank after all.
UNRANKED: Final = len(WEB_APP_ORDER)

Form = Literal["dtd", "xsd", "none"]


class VersionInfo(NamedTuple):
    """What a descriptor declares: version, namespace, and the grammar form that follows."""

    version: str  # "2.3", "3.0", ... or "unknown"
    namespace: str  # "" for the DTD and namespace-less forms
    form: Form
    public_id: str | None = None

    @property
    def jakarta(self) -> bool:
        return self.namespace == JAKARTA_NS

    @property
    def dtd_content(self) -> bool:
        """True when new elements take the Servlet 2.3 shapes (no dispatcher, bare listener).

        The namespace-less, DOCTYPE-less form gets them too: leaving <dispatcher> out means
        REQUEST to every container, so those shapes mean the same everywhere and no container
        that reads the file as 2.3 can reject them.
        """
        return self.form != "xsd"

    @property
    def schema_file(self) -> str | None:
        if self.form == "dtd":
            return DTD_FILES.get(self.version)
        return XSD_FILES.get((self.namespace, self.version))


def line(node: etree._Element) -> int | None:
    """The node's source line (lxml-stubs mistype ``sourceline``)."""
    value: int | None = getattr(node, "sourceline", None)
    return value


def text_of(element: etree._Element) -> str:
    """All the character data inside *element*, stripped as containers strip it."""
    return "".join(str(t) for t in element.itertext()).strip()


def qname_parts(element: etree._Element) -> tuple[str, str]:
    """(namespace, local name) of an element; namespace is "" when there is none."""
    q = etree.QName(element)
    return q.namespace or "", q.localname


def detect_version(tree: etree._ElementTree, where: Where) -> VersionInfo:
    """Read the version from the root namespace and version attribute, or the DOCTYPE.

    Raises DescriptorError for a root that is not a web-app of a known namespace.
    """
    root = tree.getroot()
    namespace, local = qname_parts(root)
    if local != "web-app":
        raise DescriptorError(
            f"the root element is <{local}>, not <web-app>", where.at(line(root))
        )
    declared = (root.get("version") or "").strip()
    if namespace:
        if namespace not in SCHEMA_NAMESPACES:
            raise DescriptorError(
                f"the root element is in the namespace {namespace!r}, "
                "which no Servlet version uses",
                where.at(line(root)),
                hint=f"expected one of {', '.join(SCHEMA_NAMESPACES)}",
            )
        return VersionInfo(declared or FIRST_VERSION[namespace], namespace, "xsd")
    public_id = tree.docinfo.public_id
    version = DTD_PUBLIC_IDS.get(public_id or "")
    if version is None:
        # A DOCTYPE with an unusual public id still names its DTD file in the system id.
        system: str = getattr(tree.docinfo, "system_url", None) or ""
        version = next((v for v, f in DTD_FILES.items() if system.endswith(f)), None)
    if version is not None:
        return VersionInfo(version, "", "dtd", public_id)
    return VersionInfo(UNKNOWN, "", "none", public_id)


def require_filters(info: VersionInfo, tree: etree._ElementTree, where: Where) -> None:
    """Refuse Servlet 2.2, which has neither filters nor listeners, saying how to upgrade."""
    if info.form == "dtd" and info.version == "2.2":
        raise DescriptorError(
            "a Servlet 2.2 descriptor cannot take the session filter",
            where.at(line(tree.getroot())),
            hint=UPGRADE_HINT,
        )
