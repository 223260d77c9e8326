"""splicer.properties: typed keys, values, errors with their place, warnings, the sample."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import javaproperties
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splicer.errors import ConfigError, UsageError, Where
from splicer.properties import KNOWN_KEYS, Param, load_properties, read_entries
from splicer.properties_keys import (
    BoolType,
    ChoiceType,
    ClassNameType,
    CookieNameType,
    CookiePathType,
    HostPortListType,
    IntType,
    TokenType,
    ValueType,
    parse_host_ports,
)

REPO = Path(__file__).resolve().parent.parent
HEADER = "# splicer settings\n\n"  # puts the entry under test on line 3


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "splicer.properties"
    path.write_bytes(content.encode("iso-8859-1") if isinstance(content, str) else content)
    return path


def ids(cases: list[tuple[object, ...]]) -> list[str]:
    return [str(case[0]) for case in cases]


# One valid example per documented key (also proves the table is complete).
EXAMPLES = {
    "objectGridType": "EMBEDDED", "objectGridName": "session", "catalogHostPort": "cat1:2809,cat2:2809",
    "replicationInterval": "0", "sessionTableSize": "1000", "fragmentedSession": "false",
    "securityEnabled": "true", "credentialGeneratorClass": "com.example.Gen",
    "credentialGeneratorProps": "user password", "credentialAuthentication": "Required",
    "authenticationRetryCount": "3", "applicationQualifiedCookies": "true", "cookieDomain": ".example.com",
    "cookiePath": "/shop", "shareSessionsAcrossWebApps": "false", "useURLEncoding": "false",
    "useCookies": "true", "reuseSessionId": "true", "objectGridXML": "/opt/grid/objectGrid.xml",
    "objectGridDeploymentXML": "/opt/grid/deployment.xml", "traceSpec": "ObjectGrid*=all=enabled",
    "traceFile": "/tmp/trace.log", "cookieName": "JSESSIONID", "sessionIDLength": "23",
    "defaultSessionTimeout": "30", "affinityManager": "com.ibm.ws.httpsession.NoAffinityManager",
    "replicationType": "synchronous", "persistenceMechanism": "ObjectGridAtomicSessionStore",
}
LEGACY = {"cookieName", "sessionIDLength", "defaultSessionTimeout", "affinityManager", "replicationType",
          "persistenceMechanism"}


def test_every_documented_key_is_known() -> None:
    assert set(KNOWN_KEYS) == set(EXAMPLES)
    assert {name for name, spec in KNOWN_KEYS.items() if spec.legacy} == LEGACY
    defaults = (KNOWN_KEYS["replicationInterval"].default, KNOWN_KEYS["sessionTableSize"].default)
    assert defaults == ("10", "1000")  # the 8.6 values


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_each_key_takes_its_example(tmp_path: Path, key: str) -> None:
    settings_ = load_properties(write(tmp_path, f"{HEADER}{key}={EXAMPLES[key]}\n"))
    assert settings_.params == [Param(key, EXAMPLES[key], 3)]
    expected = ["CWWSM0521W"] if key in LEGACY else []
    assert [warning.message_id for warning in settings_.warnings] == expected
    if key in LEGACY:
        assert KNOWN_KEYS[key].replaced_by in settings_.warnings[0].text
        assert settings_.warnings[0].where == Where((str(tmp_path / "splicer.properties"),), 3)


GOOD = [
    ("bool-upper", "securityEnabled=TRUE", "true"),
    ("bool-mixed-colon", "fragmentedSession : False", "false"),
    ("int-low", "replicationInterval=0", "0"),
    ("int-high", "replicationInterval=60", "60"),
    ("int-plus-sign", "replicationInterval=+5", "+5"),
    ("int-java-max", "sessionTableSize=2147483647", "2147483647"),
    ("int-minus-one", "defaultSessionTimeout=-1", "-1"),
    ("int-id-length-low", "sessionIDLength=8", "8"),
    ("choice-embedded", "objectGridType EMBEDDED", "EMBEDDED"),
    ("choice-never", "credentialAuthentication=Never", "Never"),
    ("hostport-one", "catalogHostPort=localhost:2809", "localhost:2809"),
    ("hostport-list", "catalogHostPort=cat1.example.com:2809,10.0.0.2:2810",
     "cat1.example.com:2809,10.0.0.2:2810"),
    ("hostport-ipv6", "catalogHostPort=[::1]:2809,[fe80::1]:65535", "[::1]:2809,[fe80::1]:65535"),
    ("class-nested", "credentialGeneratorClass=com.example.Outer$Gen", "com.example.Outer$Gen"),
    ("class-unqualified", "affinityManager=Gen", "Gen"),
    ("text-spaces", "credentialGeneratorProps=user pass word", "user pass word"),
    ("path-backslashes", r"objectGridXML=C:\\IBM\\grid.xml", "C:\\IBM\\grid.xml"),
    ("path-with-space", "traceFile=/opt/my app/trace.log", "/opt/my app/trace.log"),
    ("u-escape", r"objectGridName=sess\u00e9", "sessé"),
    ("surrogate-pair", r"credentialGeneratorProps=\ud83d\ude00", "\U0001f600"),
    ("escaped-leading-space", r"credentialGeneratorProps=\ x", " x"),
    ("cookie-path-root", "cookiePath=/", "/"),
]


@pytest.mark.parametrize(("case", "line", "value"), GOOD, ids=ids(GOOD))
def test_good_values(tmp_path: Path, case: str, line: str, value: str) -> None:
    params = load_properties(write(tmp_path, HEADER + line + "\n")).params
    key = re.split(r"[=: ]", line, maxsplit=1)[0]
    assert params == [Param(key, value, 3)]


BAD = [
    ("bool-yes", "securityEnabled=yes", "not a boolean"),
    ("bool-one", "useCookies=1", "not a boolean"),
    ("int-above", "replicationInterval=61", "out of range"),
    ("int-negative", "replicationInterval=-1", "out of range"),
    ("int-underscore", "replicationInterval=1_0", "not a whole number"),
    ("int-arabic-digits", r"replicationInterval=\u0661\u0660", "not a whole number"),
    ("int-decimal", "replicationInterval=2.5", "not a whole number"),
    ("int-over-java", "sessionTableSize=2147483648", "out of range"),
    ("int-table-zero", "sessionTableSize=0", "out of range"),
    ("int-retry-negative", "authenticationRetryCount=-1", "out of range"),
    ("int-id-short", "sessionIDLength=7", "out of range"),
    ("int-id-long", "sessionIDLength=129", "out of range"),
    ("int-timeout-below", "defaultSessionTimeout=-2", "out of range"),
    ("choice-case", "objectGridType=remote", "wrong case"),
    ("choice-unknown", "objectGridType=EMBEDDED_PARTITION", "not one of the choices"),
    ("choice-auth-case", "credentialAuthentication=required", "wrong case"),
    ("choice-legacy", "replicationType=ASYNC", "not one of the choices"),
    ("hostport-no-port", "catalogHostPort=localhost", "'localhost' has no :port"),
    ("hostport-port-zero", "catalogHostPort=localhost:0", "'0' is not a port from 1 to 65535"),
    ("hostport-port-big", "catalogHostPort=localhost:65536", "'65536' is not a port from 1 to 65535"),
    ("hostport-trailing-comma", "catalogHostPort=a:1,", "an empty entry in the list"),
    ("hostport-no-host", "catalogHostPort=:2809", "'' is not a host name or address"),
    ("hostport-bare-ipv6", "catalogHostPort=::1:2809", "'::1:2809': put an IPv6 address in brackets"),
    ("hostport-bracket-no-port", "catalogHostPort=[::1]2809", "'[::1]2809' is not [ipv6]:port"),
    ("hostport-bad-ipv6", "catalogHostPort=[zz::1]:2809", "'zz::1' is not an IPv6 address"),
    ("hostport-space", "catalogHostPort=a:1, b:2", "' b' is not a host name or address"),
    ("hostport-empty-label", "catalogHostPort=a..b:1", "'a..b' is not a host name or address"),
    ("class-digit", "credentialGeneratorClass=com.example.1Gen", "not a Java class name"),
    ("class-empty-part", "credentialGeneratorClass=com..Gen", "not a Java class name"),
    ("class-keyword", "credentialGeneratorClass=com.class.Gen", "not a Java class name"),
    ("class-parens", "affinityManager=com.example.Gen()", "not a Java class name"),
    ("token-space", "objectGridName=my grid", "contains whitespace or a control character"),
    ("cookie-name-space", "cookieName=JSESSION ID", "not a cookie name token"),
    ("cookie-path-relative", "cookiePath=shop", "does not start with '/'"),
    ("cookie-path-semicolon", "cookiePath=/a;b", "contains whitespace, ';' or a control character"),
    ("empty-typed", "objectGridType=", "the value is empty"),
    ("empty-text", "credentialGeneratorProps", "the value is empty"),
]


@pytest.mark.parametrize(("case", "line", "detail"), BAD, ids=ids(BAD))
def test_bad_values(tmp_path: Path, case: str, line: str, detail: str) -> None:
    path = write(tmp_path, HEADER + line + "\n")
    key, value = javaproperties.loads(line).popitem()
    expected = rf"^CWWSM0101E: .*splicer\.properties:3: bad value for {key}: "
    with pytest.raises(ConfigError, match=expected) as info:
        load_properties(path)
    error = info.value
    assert (error.key, error.value, error.where) == (key, value, Where((str(path),), 3))
    assert error.allowed == KNOWN_KEYS[key].type.allowed
    assert error.reason == f"bad value for {key}: {value!r} ({detail})"
    assert error.exit_code == 2


def test_wrong_case_choice_suggests_the_right_case(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\(did you mean REMOTE\?\); allowed: REMOTE or EMBEDDED") as info:
        load_properties(write(tmp_path, "objectGridType=remote\n"))
    assert info.value.hint == "did you mean REMOTE?"


def test_empty_value_hints_at_the_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_properties(write(tmp_path, "replicationInterval=\n"))
    assert info.value.hint == "comment the line out to use the default (10)"


UNKNOWN = [
    ("case-only", "objectgridname", "did you mean objectGridName?"),
    ("typo", "replicationIntervall", "did you mean replicationInterval?"),
    ("typo-in-legacy", "sessionIdLength", "did you mean sessionIDLength?"),
    ("nothing-close", "colour", "--allow-unknown passes it through unchecked"),
]


@pytest.mark.parametrize(("case", "key", "hint"), UNKNOWN, ids=ids(UNKNOWN))
def test_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path, case: str, key: str, hint: str) -> None:
    path = write(tmp_path, f"{HEADER}{key}=x\n")
    with pytest.raises(ConfigError, match=rf"^CWWSM0101E: .*:3: unknown key '{key}' \(") as info:
        load_properties(path)
    assert (info.value.key, info.value.value, info.value.hint) == (key, "x", hint)
    assert info.value.where == Where((str(path),), 3)


@pytest.mark.parametrize("allow_unknown", [False, True], ids=["strict", "allow-unknown"])
def test_empty_key_is_an_error(tmp_path: Path, allow_unknown: bool) -> None:
    path = write(tmp_path, "objectGridName=x\n = value\n")
    with pytest.raises(ConfigError, match=r"^CWWSM0101E: .*:2: an entry with an empty key$") as info:
        load_properties(path, allow_unknown=allow_unknown)
    assert (info.value.key, info.value.value, info.value.where) == ("", "value", Where((str(path),), 2))


def test_allow_unknown_passes_the_key_through_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "objectGridType=REMOTE\nobjectgridname=grid \\\n  one\n")
    settings_ = load_properties(path, allow_unknown=True)
    assert settings_.params == [Param("objectGridType", "REMOTE", 1), Param("objectgridname", "grid one", 2)]
    [warning] = settings_.warnings
    assert warning.message_id == "CWWSM0522W"
    assert warning.where == Where((str(path),), 2)
    assert warning.text == (
        "unknown key objectgridname passed through unchecked (did you mean objectGridName?)"
    )


WHITESPACE = [
    ("typed-stripped", "objectGridType=REMOTE \t", "REMOTE", ["CWWSM0523W"]),
    ("bool-stripped", "useCookies=TRUE  ", "true", ["CWWSM0523W"]),
    ("text-kept", "credentialGeneratorProps=user pw  ", "user pw  ", ["CWWSM0524W"]),
    ("text-unicode-escape-quiet", r"credentialGeneratorProps=user pw\u0020", "user pw ", []),
    ("text-backslash-space-quiet", "credentialGeneratorProps=user pw\\ ", "user pw ", []),
    ("text-escaped-backslash-then-space", "traceFile=C:\\\\ ", "C:\\ ", ["CWWSM0524W"]),
    ("text-continued-last-line", "traceSpec=a=all:\\\n   b=all ", "a=all:b=all ", ["CWWSM0524W"]),
]


@pytest.mark.parametrize(("case", "line", "value", "warned"), WHITESPACE, ids=ids(WHITESPACE))
def test_trailing_whitespace(tmp_path: Path, case: str, line: str, value: str, warned: list[str]) -> None:
    settings_ = load_properties(write(tmp_path, HEADER + line + "\n"))
    assert [param.value for param in settings_.params] == [value]
    assert [warning.message_id for warning in settings_.warnings] == warned
    assert all(warning.where.line == 3 for warning in settings_.warnings)


def test_duplicate_key_last_wins_at_its_own_position(tmp_path: Path) -> None:
    path = write(tmp_path, "objectGridType=EMBEDDED\nobjectGridName=grid\nobjectGridType=REMOTE\n")
    settings_ = load_properties(path)
    assert settings_.params == [Param("objectGridName", "grid", 2), Param("objectGridType", "REMOTE", 3)]
    [warning] = settings_.warnings
    assert warning.message_id == "CWWSM0520W"
    assert warning.where == Where((str(path),), 1)
    assert warning.text == "objectGridType is set on line 1 and again on line 3; line 3 wins ('REMOTE')"


def test_an_overridden_bad_value_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_properties(write(tmp_path, "replicationInterval=99\nreplicationInterval=10\n"))
    assert (info.value.key, info.value.value, info.value.where.line) == ("replicationInterval", "99", 1)


LINES = [
    ("continuation", "credentialGeneratorProps=one \\\n   two\nobjectGridName=x\n", [1, 3]),
    ("crlf", "# c\r\n\r\nobjectGridType=REMOTE\r\nobjectGridName=x\r\n", [3, 4]),
    ("lone-cr", "# c\r\robjectGridType=REMOTE\robjectGridName=x", [3, 4]),
    ("comment-ending-in-backslash", "# c \\\nobjectGridType=REMOTE\nobjectGridName=x\n", [2, 3]),
    ("blank-continuations", "   \\\n\nobjectGridType=REMOTE\n", [3]),
]


@pytest.mark.parametrize(("case", "text", "lines"), LINES, ids=ids(LINES))
def test_line_numbers(tmp_path: Path, case: str, text: str, lines: list[int]) -> None:
    assert [param.line for param in load_properties(write(tmp_path, text)).params] == lines


ENCODING = [
    ("utf8-value", "# c\nobjectGridName=café\n".encode(), 2,
     r"write it with \uXXXX escapes: objectGridName=caf\u00e9"),
    ("utf8-on-continuation", "credentialGeneratorProps=a \\\n  b\\\n  ü\n".encode(), 3,
     r"write it with \uXXXX escapes: \u00fc"),
    ("utf8-key", "세션=1\n".encode(), 1, r"write it with \uXXXX escapes: \uc138\uc158=1"),
    ("bom", b"\xef\xbb\xbfobjectGridName=x\n", 1, "save the file without a BOM"),
    ("utf16", "objectGridName=x\n".encode("utf-16-le"), 1,
     r"save it as ISO-8859-1 or ASCII with \uXXXX escapes"),
    ("control-char", b"objectGridName=x\ncredentialGeneratorProps=a\\u0001b\n", 2, None),
    ("lone-surrogate", b"credentialGeneratorProps=\\ud800\n", 1, None),
    ("bad-u-escape", b"# c\nobjectGridName=\\u12G4\n", 2, r"write exactly four hex digits after \u"),
]


@pytest.mark.parametrize(("case", "data", "line", "hint"), ENCODING, ids=ids(ENCODING))
def test_encoding_errors(tmp_path: Path, case: str, data: bytes, line: int, hint: str | None) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ConfigError, match=rf"^CWWSM0101E: {re.escape(str(path))}:{line}: ") as info:
        load_properties(path)
    assert info.value.where == Where((str(path),), line)
    if hint is None:
        assert "an XML context-param cannot hold" in info.value.reason
    else:
        assert info.value.hint is not None and info.value.hint.startswith(hint)


def test_latin1_bytes_read_as_java_does_and_utf8_comments_are_fine(tmp_path: Path) -> None:
    data = "# 세션 설정\n".encode() + b"credentialGeneratorProps=caf\xe9 cr\xe8me\n"
    params = load_properties(write(tmp_path, data)).params
    assert params == [Param("credentialGeneratorProps", "café crème", 2)]


@pytest.mark.parametrize("text", ["", "# only a comment\n\n! another\n"], ids=["empty", "comments-only"])
def test_no_settings_is_an_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=r"^CWWSM0101E: .*splicer\.properties: no settings") as info:
        load_properties(path)
    assert info.value.where == Where((str(path),))


def test_missing_and_unreadable_files_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.properties"
    missing_text = r"^CWWSM0100E: .*nope\.properties: the properties file does not exist$"
    with pytest.raises(UsageError, match=missing_text):
        load_properties(missing)
    with pytest.raises(UsageError, match=r"^CWWSM0100E: .*: the properties file is not a regular file$"):
        load_properties(tmp_path)
    path = write(tmp_path, "objectGridName=x\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    # Root reads any mode, so the OS refusal is injected where the file is opened.
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(UsageError, match=r"cannot read the properties file: Permission denied$") as info:
        load_properties(path)
    assert info.value.exit_code == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_pipe_is_read_like_a_file(tmp_path: Path) -> None:
    """Regression: settings handed over through a pipe (`splice app.ear <(render-settings)`,
    which the shell passes as /dev/fd/N) were refused as "not a regular file"."""
    pipe = tmp_path / "settings.pipe"
    os.mkfifo(pipe)

    def feed() -> None:
        with pipe.open("wb") as fh:
            fh.write(b"objectGridName=session\nreplicationInterval=10\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        settings_ = load_properties(pipe)
    finally:
        if writer.is_alive():  # the pipe was never read: open it once so the writer ends
            os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=10)
    assert [(param.name, param.value) for param in settings_.params] == [
        ("objectGridName", "session"), ("replicationInterval", "10"),
    ]


def test_sample_file_has_the_tutorial_settings_in_order() -> None:
    settings_ = load_properties(REPO / "samples" / "splicer.properties")
    assert [(param.name, param.value) for param in settings_.params] == [
        ("securityEnabled", "false"), ("fragmentedSession", "true"), ("sessionTableSize", "1000"),
        ("objectGridType", "REMOTE"), ("reuseSessionId", "true"), ("replicationInterval", "10"),
        ("objectGridName", "session"),
    ]
    assert settings_.warnings == []
    assert settings_.get("objectGridName") == "session" and settings_.get("catalogHostPort") is None


def test_sample_file_documents_every_key_with_a_valid_example(tmp_path: Path) -> None:
    text = (REPO / "samples" / "splicer.properties").read_text("ascii")
    uncommented = re.sub(r"(?m)^#(?=\w+=)", "", text)
    settings_ = load_properties(write(tmp_path, uncommented))
    assert {param.name for param in settings_.params} == set(KNOWN_KEYS)
    assert {warning.message_id for warning in settings_.warnings} == {"CWWSM0521W"}


@pytest.mark.parametrize(
    ("value", "endpoints"),
    [("a:1", [("a", 1)]), ("[::1]:2809,h.example:2810", [("::1", 2809), ("h.example", 2810)])],
    ids=["one", "ipv6-and-name"],
)
def test_parse_host_ports(value: str, endpoints: list[tuple[str, int]]) -> None:
    assert parse_host_ports(value) == endpoints


# --- properties written by javaproperties read back the same -------------------------------

# Text an XML context-param can hold: no controls, no surrogates, no U+FFFE/U+FFFF.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), min_size=1
)


def _values(kind: ValueType) -> st.SearchStrategy[str]:
    if isinstance(kind, BoolType):
        return st.sampled_from(["true", "false"])
    if isinstance(kind, IntType):
        return st.integers(kind.low, min(kind.high, 10**9)).map(str)
    if isinstance(kind, ChoiceType):
        return st.sampled_from(kind.choices)
    if isinstance(kind, HostPortListType):
        endpoint = st.tuples(st.sampled_from(["localhost", "10.1.2.3", "[::1]", "cat-1.example"]),
                             st.integers(1, 65535))
        return st.lists(endpoint, min_size=1, max_size=3).map(
            lambda endpoints: ",".join(f"{host}:{port}" for host, port in endpoints)
        )
    if isinstance(kind, ClassNameType):
        return st.sampled_from(["Gen", "com.example.Gen", "a.b$C"])
    if isinstance(kind, (TokenType, CookieNameType)):
        return st.from_regex(r"[A-Za-z0-9._-]{1,20}", fullmatch=True)
    if isinstance(kind, CookiePathType):
        return st.from_regex(r"/[A-Za-z0-9/._-]{0,20}", fullmatch=True)
    return _TEXT


_SETTINGS = st.lists(st.sampled_from(sorted(KNOWN_KEYS)), unique=True, min_size=1).flatmap(
    lambda keys: st.tuples(*(st.tuples(st.just(key), _values(KNOWN_KEYS[key].type)) for key in keys))
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=8))
def test_raw_entries_round_trip_through_javaproperties(pairs: dict[str, str]) -> None:
    data = javaproperties.dumps(pairs, timestamp=False).encode("ascii")
    assert [(entry.key, entry.value) for entry in read_entries(data)] == list(pairs.items())


@settings(max_examples=60, deadline=None)
@given(_SETTINGS)
def test_known_settings_round_trip(
    tmp_path_factory: pytest.TempPathFactory, pairs: tuple[tuple[str, str], ...]
) -> None:
    path = write(tmp_path_factory.mktemp("props"), javaproperties.dumps(dict(pairs), timestamp=False))
    assert load_properties(path).pairs() == list(pairs)
