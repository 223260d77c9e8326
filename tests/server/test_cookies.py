"""The WAS session token and its clone-list rules (was-plugin.md §2.5), table-driven."""

from __future__ import annotations

import pytest

from splicer.server.cookies import SessionToken, decide, encode_url, parse_token, split_url_session
from splicer.server.ids import ALPHABET, ID_LENGTH, is_session_id, new_session_id

SID = "4WnQaKbKMCdHRuD5PWdsZJf"
OTHER = "A2MB4IJozU_VM8IffsMNfdR"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"0000{SID}:17f69k519", SessionToken("0000", SID, ("17f69k519",))),
        (f"0000{SID}:A:B", SessionToken("0000", SID, ("A", "B"))),
        (f"0001{SID}", SessionToken("0001", SID, ())),
        (f'"0000{SID}:A"', SessionToken("0000", SID, ("A",))),
        (f"0000{SID}x:A", None),
        ("0000short:A", None),
        ("0000", None),
        (f"0000{SID[:-1]}!:A", None),
    ],
    ids=["one-clone", "two-clones", "no-clone-other-cache", "quoted", "id-too-long", "id-too-short", "empty", "bad-char"],
)
def test_parse_token(value: str, expected: SessionToken | None) -> None:
    assert parse_token(value) == expected


@pytest.mark.parametrize(
    ("incoming", "session_id", "token", "set_cookie"),
    [
        (None, SID, f"0000{SID}:B", True),
        (f"0000{SID}:A", SID, f"0000{SID}:A:B", True),
        (f"0000{SID}:A:B", SID, f"0000{SID}:A:B", False),
        (f"0000{SID}:B", SID, f"0000{SID}:B", False),
        (f"0000{SID}:A", OTHER, f"0000{OTHER}:B", True),
        (f"0001{SID}:A:B", SID, f"0000{SID}:A:B", True),
        (f"0000{SID}:AB", SID, f"0000{SID}:AB:B", True),
    ],
    ids=[
        "new-session",
        "failover-appends-own-clone",
        "fail-back-no-set-cookie",
        "same-server-no-set-cookie",
        "new-id-drops-clone-list",
        "cache-id-changed",
        "clone-compared-whole-not-substring",
    ],
)
def test_decide_clone_list(incoming: str | None, session_id: str, token: str, set_cookie: bool) -> None:
    parsed = parse_token(incoming) if incoming else None
    decision = decide(parsed, session_id, "B")
    assert (decision.token.render(), decision.set_cookie) == (token, set_cookie)


def test_id_reuse_keeps_clone_list() -> None:
    # HttpSessionIdReuse: an unknown id is reused, so the id is the same and the list grows.
    decision = decide(parse_token(f"0000{SID}:A"), SID, "B")
    assert decision.token.clones == ("A", "B")


@pytest.mark.parametrize(
    ("path", "clean", "token"),
    [
        (f"/ctx/SessionTest.jsp;jsessionid=0000{SID}:A", "/ctx/SessionTest.jsp", f"0000{SID}:A"),
        (f"/ctx/a.jsp;JSESSIONID=0000{SID}:A:B", "/ctx/a.jsp", f"0000{SID}:A:B"),
        (f"/ctx;jsessionid=0000{SID}:A/a.jsp", "/ctx/a.jsp", f"0000{SID}:A"),
        ("/ctx/a.jsp", "/ctx/a.jsp", None),
    ],
    ids=["end", "upper-case-key", "mid-path", "none"],
)
def test_split_url_session(path: str, clean: str, token: str | None) -> None:
    assert split_url_session(path) == (clean, token)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/ctx/a.jsp", f"/ctx/a.jsp;jsessionid=0000{SID}:A"),
        ("/ctx/a.jsp?x=1#f", f"/ctx/a.jsp;jsessionid=0000{SID}:A?x=1#f"),
        (f"/ctx/a.jsp;jsessionid=0000{OTHER}:Z", f"/ctx/a.jsp;jsessionid=0000{SID}:A"),
    ],
    ids=["plain", "before-query", "replaces-old"],
)
def test_encode_url(url: str, expected: str) -> None:
    assert encode_url(url, SessionToken("0000", SID, ("A",))) == expected


def test_new_session_ids_are_well_formed_and_distinct() -> None:
    ids = {new_session_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == ID_LENGTH and set(i) <= set(ALPHABET) and is_session_id(i) for i in ids)


@pytest.mark.parametrize(
    ("text", "valid"),
    [(SID, True), (SID + "A", False), (SID[:-1], False), (SID[:-1] + "+", False), ("", False)],
    ids=["tutorial-id", "24-chars", "22-chars", "plus-sign", "empty"],
)
def test_is_session_id(text: str, valid: bool) -> None:
    assert is_session_id(text) is valid
