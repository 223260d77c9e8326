"""Descriptors already spliced: updates in place, the mapping moved first, conflicts refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from splicer.errors import ConfigError, HostileXmlError, SpliceConflictError, Where
from splicer.webxml import splice_webxml

from .conftest import TUTORIAL_PARAMS, WHERE, assert_spliced

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">\n'
FILTER = (
    "  <filter>\n    <filter-name>HttpSessionFilter</filter-name>\n"
    "    <filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class>\n  </filter>\n"
)
APP_MAPPING = "  <filter-mapping>\n    <filter-name>app</filter-name>\n    <url-pattern>/app/*</url-pattern>\n  </filter-mapping>\n"
OUR_MAPPING = "  <filter-mapping>\n    <filter-name>HttpSessionFilter</filter-name>\n    <url-pattern>/*</url-pattern>\n  </filter-mapping>\n"
LISTENER = "  <listener>\n    <listener-class>com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener</listener-class>\n  </listener>\n"
APP_FILTER = "  <filter>\n    <filter-name>app</filter-name>\n    <filter-class>App</filter-class>\n  </filter>\n"


def _cp(name: str, value: str) -> str:
    return f"  <context-param>\n    <param-name>{name}</param-name>\n    <param-value>{value}</param-value>\n  </context-param>\n"


def _spliced(values: dict[str, str]) -> str:
    params = "".join(_cp(name, values.get(name, value)) for name, value in TUTORIAL_PARAMS)
    return HEAD + params + FILTER + OUR_MAPPING + LISTENER + "</web-app>\n"


def test_already_spliced_with_the_same_values_is_untouched() -> None:
    data = _spliced({}).encode()
    result = splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert (result.changed, result.actions, result.output) == (False, [], data)
    assert result.output is data


def test_changed_values_are_updated_in_place() -> None:
    data = _spliced({"replicationInterval": "2", "objectGridName": "old"}).encode()
    result = splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert result.actions == [
        "update context-param replicationInterval: 2 -> 10",
        "update context-param objectGridName: old -> session",
    ]
    assert result.output == _spliced({}).encode()
    assert_spliced(result.output, TUTORIAL_PARAMS)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<param-value>\n      2\n    </param-value>", "<param-value>\n      10\n    </param-value>"),
        ("<param-value/>", "<param-value>10</param-value>"),
        ("<param-value><![CDATA[2]]></param-value>", "<param-value>10</param-value>"),
        ("<param-value>&#50;</param-value>", "<param-value>10</param-value>"),
        ("<param-value><!-- was 1 -->2</param-value>", "<param-value>10</param-value>"),
    ],
    ids=["blanks-kept", "self-closing", "cdata", "reference", "comment"],
)
def test_update_forms(old: str, new: str) -> None:
    params = [("replicationInterval", "10")]
    cp = f"  <context-param>\n    <param-name>replicationInterval</param-name>\n    {old}\n  </context-param>\n"
    rest = FILTER + OUR_MAPPING + LISTENER + "</web-app>\n"
    result = splice_webxml((HEAD + cp + rest).encode(), params, WHERE)
    assert result.output == (HEAD + cp.replace(old, new) + rest).encode()
    assert len(result.actions) == 1 and result.actions[0].startswith("update context-param replicationInterval: ")


def test_value_that_differs_only_by_blanks_is_not_updated() -> None:
    data = (HEAD + _cp("objectGridName", " session ") + FILTER + OUR_MAPPING + LISTENER + "</web-app>\n").encode()
    assert splice_webxml(data, [("objectGridName", "session")], WHERE).changed is False


def test_values_are_escaped_and_stable() -> None:
    params = [("traceSpec", "a<b & c>d ]]> \"q\"")]
    first = splice_webxml((HEAD + "</web-app>\n").encode(), params, WHERE)
    assert b"<param-value>a&lt;b &amp; c&gt;d ]]&gt; \"q\"</param-value>" in first.output
    assert_spliced(first.output, params)
    assert splice_webxml(first.output, params, WHERE).changed is False


def test_session_mapping_is_moved_first() -> None:
    before = HEAD + APP_FILTER + FILTER + APP_MAPPING + OUR_MAPPING + LISTENER + "</web-app>\n"
    result = splice_webxml(before.encode(), [], WHERE)
    assert result.actions == ["move filter-mapping HttpSessionFilter first"]
    assert result.output == (HEAD + APP_FILTER + FILTER + OUR_MAPPING + APP_MAPPING + LISTENER + "</web-app>\n").encode()
    assert splice_webxml(result.output, [], WHERE).changed is False


def test_moved_mapping_keeps_its_own_text() -> None:
    # (A narrower pattern would be widened to /*: tests/webxml/test_sessioncheck.py.)
    ours = '  <filter-mapping id="m1"><filter-name> HttpSessionFilter </filter-name><url-pattern>/*</url-pattern></filter-mapping>\n'
    before = HEAD + FILTER + APP_MAPPING + "  <!-- ours -->\n" + ours + LISTENER + "</web-app>\n"
    result = splice_webxml(before.encode(), [], WHERE)
    assert result.output == (HEAD + FILTER + ours + APP_MAPPING + "  <!-- ours -->\n" + LISTENER + "</web-app>\n").encode()


@pytest.mark.parametrize(
    ("body", "reason", "line"),
    [
        (_cp("objectGridName", "a") + _cp("objectGridName", "b"),
         "the context-param objectGridName is set twice (lines 3 and 7)", 7),
        ("  <filter>\n    <filter-name>HttpSessionFilter</filter-name>\n    <filter-class>my.Other</filter-class>\n  </filter>\n",
         "a filter named HttpSessionFilter already exists with the class my.Other", 3),
        ("  <filter>\n    <filter-name>Session</filter-name>\n"
         "    <filter-class>com.ibm.ws.xs.sessionmanager.HttpSessionFilter</filter-class>\n  </filter>\n",
         "the session filter class is already declared under the name Session", 3),
        (FILTER + FILTER, "the filter HttpSessionFilter is declared twice", 7),
        ("  <context-param>\n    <param-name>objectGridName</param-name>\n  </context-param>\n",
         "the context-param objectGridName has no <param-value>", 3),
    ],
    ids=["duplicate-context-param", "other-filter-class", "our-class-other-name", "filter-twice", "no-param-value"],
)
def test_conflicts(body: str, reason: str, line: int) -> None:
    data = (HEAD + body + "</web-app>\n").encode()
    with pytest.raises(SpliceConflictError) as caught:
        splice_webxml(data, [("objectGridName", "session")], WHERE)
    assert caught.value.reason.startswith(reason)
    assert caught.value.where == WHERE.at(line)
    assert caught.value.exit_code == 3


def test_duplicate_context_param_of_another_key_is_not_ours_to_judge() -> None:
    data = (HEAD + _cp("other", "a") + _cp("other", "b") + "</web-app>\n").encode()
    assert splice_webxml(data, [("objectGridName", "s")], WHERE).changed


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ([("a", "1"), ("a", "2")], "the parameter a is given twice"),
        ([("a", "x\x01y")], "the parameter value 'x\\x01y' holds U+0001, which XML cannot hold"),
        ([(" ", "1")], "a parameter has an empty name"),
    ],
    ids=["twice", "control-character", "empty-name"],
)
def test_bad_params(params: list[tuple[str, str]], reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        splice_webxml((HEAD + "</web-app>\n").encode(), params, WHERE)
    assert caught.value.reason == reason
    assert caught.value.where == WHERE


def test_internal_subset_with_entities_is_refused() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE web-app [\n<!ENTITY a "aaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;">\n]>\n<web-app/>\n'
    with pytest.raises(HostileXmlError) as caught:
        splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert caught.value.reason.startswith("the DOCTYPE declares entities (a, b)")
    assert caught.value.where.parts == WHERE.parts


def test_external_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE web-app [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
        '<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">\n'
        "<display-name>&x;</display-name>\n</web-app>\n"
    ).encode()
    with pytest.raises(HostileXmlError) as caught:
        splice_webxml(data, TUTORIAL_PARAMS, Where(("a.war", "WEB-INF/web.xml")))
    assert "TOP-SECRET-CONTENT" not in str(caught.value)
    assert "TOP-SECRET-CONTENT" not in repr(caught.value.to_json())
    assert caught.value.where.parts == ("a.war", "WEB-INF/web.xml")
