"""Byte fidelity on what the corpus lacks: BOM, CRLF, prefixes, encodings, odd markup."""

from __future__ import annotations

import codecs

import pytest
from lxml import etree

from splicer.errors import Where
from splicer.webxml import splice_webxml

from .conftest import WHERE, assert_spliced, children, is_subsequence, text

PARAMS = [("objectGridName", "session"), ("replicationInterval", "10")]
J2EE = "http://java.sun.com/xml/ns/j2ee"
JAVAEE = 'xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"'

FILTER_30 = (
    "<filter>{n}{i}{i}<description>Filter that provides for an ObjectGrid based Session Manager."
    "</description>{n}{i}{i}<display-name>HttpSessionFilter</display-name>{n}{i}{i}<filter-name>"
    "HttpSessionFilter</filter-name>{n}{i}{i}<filter-class>com.ibm.ws.xs.sessionmanager."
    "HttpSessionFilter</filter-class>{n}{i}</filter>"
)


def _splice(data: bytes) -> bytes:
    result = splice_webxml(data, PARAMS, WHERE)
    assert result.changed
    assert is_subsequence(data, result.output)
    assert_spliced(result.output, PARAMS)
    again = splice_webxml(result.output, PARAMS, WHERE)
    assert (again.changed, again.output) == (False, result.output)
    return result.output


def test_utf8_bom_and_crlf_are_kept() -> None:
    data = (
        b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>\r\n"
        b"<web-app xmlns='http://java.sun.com/xml/ns/j2ee' version='2.4'>\r\n"
        b"  <display-name>x</display-name>\r\n"
        b"</web-app>\r\n"
    )
    out = _splice(data)
    assert out.startswith(b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>\r\n")
    assert out.count(b"\n") == out.count(b"\r\n")
    assert b"\r\n  <context-param>\r\n    <param-name>objectGridName</param-name>\r\n" in out
    assert out.endswith(b"  </listener>\r\n</web-app>\r\n")


def test_prefixed_root_gets_prefixed_elements() -> None:
    data = (
        f'<j2ee:web-app xmlns:j2ee="{J2EE}" xmlns="urn:other" version="2.4">\n'
        "  <j2ee:display-name>p</j2ee:display-name>\n"
        "  <j2ee:servlet>\n    <j2ee:servlet-name>s</j2ee:servlet-name>\n"
        "    <j2ee:servlet-class>S</j2ee:servlet-class>\n  </j2ee:servlet>\n"
        "</j2ee:web-app>\n"
    ).encode()
    out = _splice(data)
    root = etree.fromstring(out)
    names = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert names[:6] == ["display-name", "context-param", "context-param", "filter", "filter-mapping", "listener"]
    assert all(etree.QName(c).namespace == J2EE for c in root.iter() if isinstance(c.tag, str))
    assert b"<j2ee:filter>\n    <j2ee:description>" in out
    assert b"<filter" not in out


def test_iso_8859_1_stays_latin1_with_references_for_the_rest() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        f"<web-app {JAVAEE}>\n  <display-name>Café Crème</display-name>\n</web-app>\n"
    ).encode("latin-1")
    params = [("objectGridName", "séance 세션")]
    result = splice_webxml(data, params, WHERE)
    assert b"<display-name>Caf\xe9 Cr\xe8me</display-name>" in result.output
    assert b"<param-value>s\xe9ance &#49464;&#49496;</param-value>" in result.output
    assert is_subsequence(data, result.output)
    assert_spliced(result.output, params)
    assert splice_webxml(result.output, params, WHERE).changed is False


def test_utf16_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + (
        '<?xml version="1.0" encoding="UTF-16"?>\r\n'
        f"<web-app {JAVAEE}>\r\n  <display-name>ü</display-name>\r\n</web-app>\r\n"
    ).encode("utf-16-le")
    out = _splice(data)
    first_line = '<?xml version="1.0" encoding="UTF-16"?>\r\n'.encode("utf-16-le")
    assert out.startswith(codecs.BOM_UTF16_LE + first_line)
    assert "<param-value>session</param-value>" in out.decode("utf-16")


MARKUP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
    "<?xml-stylesheet type='text/xsl' href='x.xsl'?>\n"
    "<!-- prologue <filter> comment -->\n"
    f"<web-app {JAVAEE}   metadata-complete = 'false' >\n"
    "  <description><![CDATA[a <b> & </web-app> ]]>&#x41;&amp;&#65;</description>\n"
    "  <!-- <filter-mapping> in a comment -->\n"
    "  <?pi <listener/> ?>\n"
    "\n\n"
    "  <servlet id='s/>1' >\n"
    "    <servlet-name >s&gt;</servlet-name >\n"
    '    <servlet-class attr="&quot;>">S</servlet-class>\n'
    "  </servlet>  <!-- trailing -->\n"
    "</web-app   >\n"
    "<!-- epilogue -->\n"
)


def test_comments_pis_cdata_references_and_quoting_are_kept() -> None:
    data = MARKUP.encode()
    out = _splice(data).decode()
    # The input is cut once, after the line of <description> (the 2.3 slot), and the new
    # elements sit there as whole lines; comments, PIs, blank lines stay where they were.
    cut = MARKUP.index("\n", MARKUP.index("<description>"))
    assert out.startswith(MARKUP[:cut] + "\n  <context-param>\n")
    assert out.endswith("  </listener>" + MARKUP[cut:])
    assert out.count("<![CDATA[a <b> & </web-app> ]]>&#x41;&amp;&#65;") == 1


def test_self_closing_root_is_expanded() -> None:
    data = f'<?xml version="1.0"?>\n<web-app {JAVAEE}/>\n'.encode()
    out = _splice(data)
    assert out.startswith(f'<?xml version="1.0"?>\n<web-app {JAVAEE}>\n    <context-param>\n'.encode())
    assert out.endswith(b"    </listener>\n</web-app>\n")
    assert FILTER_30.format(n="\n", i="    ").encode() in out


def test_root_with_only_comments() -> None:
    data = f"<web-app {JAVAEE}>\n\t<!-- nothing here yet -->\n</web-app>".encode()
    out = _splice(data)
    assert out.startswith(f"<web-app {JAVAEE}>\n\t<!-- nothing here yet -->\n\t<context-param>\n\t\t<param-name>".encode())
    assert FILTER_30.format(n="\n", i="\t").encode() in out
    assert out.endswith(b"\t</listener>\n</web-app>")


def test_one_line_document_stays_on_one_line() -> None:
    data = (
        f"<web-app {JAVAEE}><context-param><param-name>a</param-name>"
        "<param-value>b</param-value></context-param></web-app>"
    ).encode()
    out = _splice(data)
    assert b"\n" not in out
    assert out.startswith(data[: data.index(b"</web-app>")])
    assert b"</context-param><context-param><param-name>objectGridName</param-name>" in out


@pytest.mark.parametrize(
    ("body", "expected_order"),
    [
        ("<servlet><servlet-name>s</servlet-name><servlet-class>S</servlet-class></servlet>",
         ["context-param", "context-param", "filter", "filter-mapping", "listener", "servlet"]),
        ("<listener><listener-class>L</listener-class></listener>",
         ["context-param", "context-param", "filter", "filter-mapping", "listener", "listener"]),
        ("<filter-mapping><filter-name>f</filter-name><url-pattern>/a</url-pattern></filter-mapping>"
         "<filter><filter-name>f</filter-name><filter-class>F</filter-class></filter>",
         ["context-param", "context-param", "filter-mapping", "filter-mapping", "filter", "filter", "listener"]),
        ("<display-name>d</display-name><welcome-file-list><welcome-file>i</welcome-file></welcome-file-list>",
         ["display-name", "context-param", "context-param", "filter", "filter-mapping", "listener", "welcome-file-list"]),
    ],
    ids=["before-servlet", "first-listener", "any-order-2.5", "after-display-name"],
)
def test_placement(body: str, expected_order: list[str]) -> None:
    data = f"<web-app {JAVAEE}>\n  {body}\n</web-app>\n".encode()
    root = etree.fromstring(_splice(data))
    assert [etree.QName(c).localname for c in root if isinstance(c.tag, str)] == expected_order
    assert text(children(root, "filter-mapping")[0], "filter-name") == "HttpSessionFilter"


def test_no_params_still_adds_filter_mapping_and_listener() -> None:
    data = f"<web-app {JAVAEE}>\n</web-app>\n".encode()
    result = splice_webxml(data, [], Where(("a.war", "WEB-INF/web.xml")))
    assert result.actions == [
        "add filter HttpSessionFilter",
        "add filter-mapping HttpSessionFilter first",
        "add listener com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener",
    ]
    assert (result.changed, result.version, result.jakarta, result.warnings) == (True, "3.0", False, [])
    assert_spliced(result.output, [])


_F = (
    "<filter><description>Filter that provides for an ObjectGrid based Session Manager.</description>"
    "<display-name>HttpSessionFilter</display-name><filter-name>HttpSessionFilter</filter-name>"
    "<filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class></filter>"
)
_M = (
    "<filter-mapping><filter-name>HttpSessionFilter</filter-name><url-pattern>/*</url-pattern>"
    "<dispatcher>REQUEST</dispatcher></filter-mapping>"
)
_L = (
    "<listener><description>IBMSessionListener</description><display-name>IBMSessionListener"
    "</display-name><listener-class>com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
    "</listener-class></listener>"
)
_APP_F = "<filter><filter-name>f</filter-name><filter-class>F</filter-class></filter>"
_APP_M = "<filter-mapping><filter-name>f</filter-name><url-pattern>/a</url-pattern></filter-mapping>"
_APP_L = "<listener><listener-class>L</listener-class></listener>"
_S = "<servlet><servlet-name>s</servlet-name></servlet>"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (f"<web-app {JAVAEE}> <!-- multi\n  line -->{_S}\n</web-app>\n",
         f"<web-app {JAVAEE}>\n    {_F}\n    {_M}\n    {_L} <!-- multi\n  line -->{_S}\n</web-app>\n"),
        (f"<web-app {JAVAEE}>\n  {_APP_F}{_APP_M}\n  {_APP_L}\n</web-app>\n",
         f"<web-app {JAVAEE}>\n  {_F}\n  {_APP_F}{_M}\n  {_APP_M}\n  {_L}\n  {_APP_L}\n</web-app>\n"),
    ],
    ids=["comment-after-root-tag", "glued-siblings"],
)
def test_neighbours_on_the_same_line(before: str, after: str) -> None:
    """What shares a line with the anchor keeps its text; ours go on lines of their own."""
    assert splice_webxml(before.encode(), [], WHERE).output == after.encode()


@pytest.mark.parametrize(
    ("codec", "declared", "newline", "sample"),
    [
        ("utf-8", "UTF-8", "\r", "Zürich 日本 €"),
        ("cp1252", "windows-1252", "\n", "Zürich €"),
        ("shift_jis", "Shift_JIS", "\r\n", "日本語"),
        ("iso2022_jp", "ISO-2022-JP", "\n", "日本語"),
        ("utf-16-be", "UTF-16BE", "\n", "Zürich 日本 €"),
        ("utf-32-le", None, "\n", "Zürich 日本 €"),
    ],
    ids=["lone-cr", "windows-1252", "shift-jis", "iso-2022-jp", "utf-16be-no-bom", "utf-32le-bom"],
)
def test_encodings_and_line_breaks(codec: str, declared: str | None, newline: str, sample: str) -> None:
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    lines = [decl, f"<web-app {JAVAEE}>", f"  <display-name>{sample}</display-name>", "</web-app>", ""]
    bom = codecs.BOM_UTF32_LE if codec == "utf-32-le" else b""
    data = bom + newline.join(lines).encode(codec)
    params = [("objectGridName", "セッション €")]
    result = splice_webxml(data, params, WHERE)
    assert is_subsequence(data, result.output)
    assert_spliced(result.output, params)
    out = result.output[len(bom) :].decode(codec)
    assert f"<display-name>{sample}</display-name>{newline}" in out
    assert out.count("\n") + out.count("\r") - out.count("\r\n") == out.count(newline)
    assert splice_webxml(result.output, params, WHERE).changed is False
