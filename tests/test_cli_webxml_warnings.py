"""`splice` on descriptors that need a word: another session manager, a narrow session mapping,
encodings Java reads (or does not), and `--strict`; built as WARs in code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuild import read_tree, write_zip
from splicer.cli.splice_cmd import splice

JAVAEE = 'xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"'
HAZELCAST = (
    "  <filter>\n    <filter-name>hazelcastWebFilter</filter-name>\n"
    "    <filter-class>com.hazelcast.web.WebFilter</filter-class>\n  </filter>\n"
)
SERVLET_ONLY = (
    "  <filter>\n    <filter-name>HttpSessionFilter</filter-name>\n"
    "    <filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class>\n  </filter>\n"
    "  <filter-mapping>\n    <filter-name>HttpSessionFilter</filter-name>\n"
    "    <servlet-name>Faces Servlet</servlet-name>\n  </filter-mapping>\n"
)


def descriptor(body: str = "", encoding: str = "UTF-8", codec: str = "utf-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<web-app {JAVAEE}>\n'
            f"{body}</web-app>\n").encode(codec)


@pytest.fixture
def properties(tmp_path: Path) -> Path:
    path = tmp_path / "splicer.properties"
    path.write_text("objectGridName=session\nobjectGridType=REMOTE\n")
    return path


def war(tmp_path: Path, web_xml: bytes) -> Path:
    return write_zip(tmp_path / "shop.war", {"WEB-INF/web.xml": web_xml, "index.jsp": "<html/>"})


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(splice, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_another_session_manager_warns_and_splices(tmp_path: Path, properties: Path) -> None:
    app = war(tmp_path, descriptor(HAZELCAST))
    code, out, err = run(str(app), str(properties), "--json")
    assert code == 0
    report = json.loads(out)
    [warning] = report["warnings"]
    assert warning["id"] == "CWWSM0550W"
    assert warning["where"] == f"{app}!/WEB-INF/web.xml:3"
    assert "Hazelcast: the filter hazelcastWebFilter (com.hazelcast.web.WebFilter)" in warning["message"]
    assert f"CWWSM0550W: {app}!/WEB-INF/web.xml:3: " in err
    assert b"HttpSessionFilter" in read_tree(app)["WEB-INF/web.xml"]


@pytest.mark.parametrize(
    ("body", "warning"),
    [(HAZELCAST, "CWWSM0550W"), (SERVLET_ONLY, "CWWSM0551W")],
    ids=["another-manager", "servlet-name-mapping"],
)
def test_strict_refuses_and_writes_nothing(tmp_path: Path, properties: Path, body: str, warning: str) -> None:
    app = war(tmp_path, descriptor(body))
    before = app.read_bytes()
    code, out, err = run(str(app), str(properties), "--strict", "--json")
    assert code == 3
    error = json.loads(out)["error"]
    assert (error["type"], error["exit_code"]) == ("SpliceConflictError", 3)
    assert error["reason"].startswith("--strict: ") and error["reason"].endswith(f"({warning})")
    assert error["where"].startswith(f"{app}!/WEB-INF/web.xml:")
    assert app.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.war", "splicer.properties"]


def test_a_servlet_name_mapping_is_widened_with_a_warning(tmp_path: Path, properties: Path) -> None:
    app = war(tmp_path, descriptor(SERVLET_ONLY))
    code, out, err = run(str(app), str(properties), "-v")
    assert code == 0
    assert "make filter-mapping HttpSessionFilter reach every request: /* for REQUEST" in out
    assert f"CWWSM0551W: {app}!/WEB-INF/web.xml:7: the filter-mapping of HttpSessionFilter reached only " \
           "servlet 'Faces Servlet'" in err
    web_xml = read_tree(app)["WEB-INF/web.xml"]
    assert b"<url-pattern>/*</url-pattern>" in web_xml and b"Faces Servlet" not in web_xml
    assert run(str(app), str(properties), "--check", "--strict")[0] == 0  # nothing left to refuse


def test_a_windows_31j_descriptor_is_spliced_in_its_encoding(tmp_path: Path, properties: Path) -> None:
    """Regression (issue 7): refused as "not well-formed XML: Unsupported encoding"."""
    original = descriptor("  <display-name>日本語の店</display-name>\n", "Windows-31J", "cp932")
    app = war(tmp_path, original)
    code, out, err = run(str(app), str(properties))
    assert (code, err) == (0, "")
    web_xml = read_tree(app)["WEB-INF/web.xml"]
    assert web_xml.startswith(original.split(b"</web-app>")[0].split(b"\n  <display")[0])
    assert "<display-name>日本語の店</display-name>" in web_xml.decode("cp932")
    assert run(str(app), str(properties), "--check")[0] == 0


def test_an_encoding_nobody_reads_exits_3_naming_it_and_the_line(tmp_path: Path, properties: Path) -> None:
    app = war(tmp_path, descriptor(encoding="x-no-such-charset"))
    before = app.read_bytes()
    code, out, err = run(str(app), str(properties))
    assert code == 3
    assert err.startswith(f"CWWSM0301E: {app}!/WEB-INF/web.xml:1: unknown encoding 'x-no-such-charset'")
    assert app.read_bytes() == before


def test_an_encoding_only_python_reads_warns(tmp_path: Path, properties: Path) -> None:
    app = war(tmp_path, descriptor(encoding="latin_1", codec="latin-1"))
    code, out, err = run(str(app), str(properties))
    assert code == 0
    assert f"CWWSM0552W: {app}!/WEB-INF/web.xml:1: the descriptor declares the encoding 'latin_1'" in err
