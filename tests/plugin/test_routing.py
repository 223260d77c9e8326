"""The plug-in's routing rules, one table row per rule (was-plugin.md §2), no sockets."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
import pytest

from plugin.cfgs import FakeClock, FixedStart, config, server, with_cluster
from splicer.plugin.model import PluginConfig, Route, Uri, UriGroup
from splicer.plugin.routing import (
    RequestInfo,
    Router,
    clone_ids,
    parse_cookie_header,
    strip_path_parameters,
    uri_matches,
    url_session_id,
    vhost_matches,
)

A = server("A", "a1", weight=2)
B = server("B", "b2", weight=1)
K = server("K", "k9", weight=1)
BASE = config([A, B], [K])


def jsession(*clones: str, sep: str = ":") -> dict[str, str]:
    return {"JSESSIONID": "0000A2MB4IJozU_VM8IffsMNfdR" + "".join(sep + c for c in clones)}


def req(path: str = "/app/SessionTest.jsp", cookies: dict[str, str] | None = None, port: int = 80) -> RequestInfo:
    return RequestInfo(path, "localhost", port, cookies or {})


@dataclass
class Case:
    id: str
    requests: list[RequestInfo]
    expected: list[tuple[str | None, str]]
    cfg: PluginConfig = BASE
    down: tuple[str, ...] = ()
    tried: tuple[str, ...] = ()
    statuses: list[int | None] = field(default_factory=list)


CASES = [
    Case("affinity-single-clone", [req(cookies=jsession("b2"))], [("B", "affinity")]),
    Case("affinity-left-to-right", [req(cookies=jsession("a1", "b2"))], [("A", "affinity")]),
    Case("affinity-first-clone-down-takes-next", [req(cookies=jsession("a1", "b2"))], [("B", "affinity")], down=("A",)),
    Case("affinity-clone-down-fails-over", [req(cookies=jsession("a1"))], [("B", "failover")], down=("A",)),
    Case("affinity-from-url-jsessionid", [req("/app/x.jsp;jsessionid=0000abcdefabcdefabcdefabcde:b2")], [("B", "affinity")]),
    Case("cookie-before-url", [req("/app/x.jsp;jsessionid=0000abc:b2", jsession("a1"))], [("A", "affinity")]),
    Case(
        "affinity-cookie-name-from-uri",
        [req(cookies={"MYSESSION": "0000abc:b2"}), req(cookies=jsession("b2"))],
        [("B", "affinity"), ("A", "round-robin")],
        cfg=config([A, B], uris=[Uri("/app/*", affinity_cookie="MYSESSION")]),
    ),
    Case("unknown-clone-round-robin", [req(cookies=jsession("zz"))], [("A", "round-robin")]),
    Case("weighted-round-robin-2-to-1", [req()] * 7,
         [("A", "round-robin"), ("B", "round-robin"), ("A", "round-robin"), ("B", "round-robin"),
          ("A", "round-robin"), ("A", "round-robin"), ("B", "round-robin")]),
    Case("clone-separator-change-plus", [req(cookies=jsession("b2", sep="+"))], [("B", "affinity")],
         cfg=with_cluster(BASE, clone_separator_change=True)),
    Case("plus-ignored-without-separator-change", [req(cookies=jsession("b2", sep="+"))], [("A", "round-robin")]),
    Case("colon-ignored-with-separator-change", [req(cookies=jsession("b2"))], [("A", "round-robin")],
         cfg=with_cluster(BASE, clone_separator_change=True)),
    Case("primary-down-other-primary-not-backup", [req()], [("B", "round-robin")], down=("A",)),
    Case("backup-only-when-all-primaries-down", [req(cookies=jsession("a1"))], [("K", "backup")], down=("A", "B")),
    Case("backup-clone-not-used-while-primary-up", [req(cookies=jsession("k9"))], [("A", "round-robin")]),
    Case("none-left-503", [req()], [(None, "unavailable")], down=("A", "B", "K"), statuses=[503]),
    Case("tried-server-skipped-is-failover", [req(cookies=jsession("a1"))], [("B", "failover")], tried=("A",)),
    Case("no-route-404", [req("/other/page.jsp")], [(None, "no-route")], statuses=[404]),
    Case("virtual-host-port-mismatch-404", [req(port=8080)], [(None, "no-route")], statuses=[404]),
    Case("weight-zero-member-skipped", [req()] * 3, [("B", "round-robin")] * 3,
         cfg=config([server("A", "a1", weight=0), server("B", "b2", weight=1)])),
    Case("only-weight-zero-left-still-served", [req()], [("A", "round-robin")], down=("B",),
         cfg=config([server("A", "a1", weight=0), server("B", "b2", weight=1)])),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case) -> None:
    clock = FakeClock()
    router = Router(case.cfg, clock=clock, rng=FixedStart())
    for name in case.down:
        router.mark_down("c1", name)
    got = []
    statuses = []
    for info in case.requests:
        decision = router.choose(info, case.tried)
        got.append((decision.server.name if decision.server else None, decision.kind))
        statuses.append(decision.status)
    assert got == case.expected
    assert statuses == (case.statuses or [None] * len(case.requests))


def test_weights_reset_when_all_used_up() -> None:
    router = Router(BASE, rng=FixedStart())
    for _ in range(3):
        router.choose(req())
    assert router.weights("c1") == {"A": 0, "B": 0, "K": 1}
    assert router.choose(req()).server == B
    # Configured weights were added back (A 0+2, B 0+1), then B took one.
    assert router.weights("c1") == {"A": 2, "B": 0, "K": 2}


@pytest.mark.parametrize(
    ("ignore", "expected_b"),
    [(True, 1), (False, -2)],
    ids=["ignore-affinity-requests-true-keeps-weight", "ignore-affinity-requests-false-takes-weight"],
)
def test_ignore_affinity_requests(ignore: bool, expected_b: int) -> None:
    router = Router(with_cluster(BASE, ignore_affinity_requests=ignore), rng=FixedStart())
    for _ in range(3):
        assert router.choose(req(cookies=jsession("b2"))).kind == "affinity"
    assert router.weights("c1")["B"] == expected_b


@pytest.mark.parametrize(
    ("override", "file_interval", "still_down_at", "back_at"),
    [(None, 60.0, 59.9, 60.0), (5.0, 60.0, 4.9, 5.0)],
    ids=["retry-interval-from-file", "retry-interval-overridden"],
)
def test_retry_interval_expiry_tries_again(
    override: float | None, file_interval: float, still_down_at: float, back_at: float
) -> None:
    clock = FakeClock()
    router = Router(with_cluster(BASE, retry_interval=file_interval), clock=clock, rng=FixedStart(), retry_interval=override)
    start = clock.now
    router.mark_down("c1", "A")
    clock.now = start + still_down_at
    assert (router.choose(req(cookies=jsession("a1"))).server, router.is_down("c1", "A")) == (B, True)
    clock.now = start + back_at
    decision = router.choose(req(cookies=jsession("a1")))
    assert (decision.server, decision.kind, router.is_down("c1", "A")) == (A, "affinity", False)


def test_success_clears_mark() -> None:
    router = Router(BASE, clock=FakeClock(), rng=FixedStart())
    router.mark_down("c1", "A")
    assert router.is_down("c1", "A")
    router.mark_up("c1", "A")
    assert not router.is_down("c1", "A")
    assert router.choose(req(cookies=jsession("a1"))).server == A


def test_failed_again_after_retry_is_marked_again() -> None:
    clock = FakeClock()
    router = Router(BASE, clock=clock, rng=FixedStart())
    router.mark_down("c1", "A")
    clock.advance(60)
    assert router.choose(req(cookies=jsession("a1"))).server == A
    router.mark_down("c1", "A")  # the retry failed too
    assert router.choose(req(cookies=jsession("a1"))).server == B


def test_round_robin_start_is_random_per_router() -> None:
    firsts = {Router(BASE, rng=random.Random(seed)).choose(req()).server for seed in range(20)}
    assert firsts == {A, B}


def test_random_load_balance_ignores_weights() -> None:
    router = Router(with_cluster(BASE, load_balance="Random"), rng=random.Random(7))
    chosen = {router.choose(req()).server for _ in range(30)}
    assert chosen == {A, B}
    assert router.weights("c1") == {"A": 2, "B": 1, "K": 1}


def test_most_specific_uri_wins() -> None:
    base = config([A], uris=["/app/*"], cluster_name="c1")
    exact = config([B], uris=["/app/special.jsp"], cluster_name="c2")
    jsp = config([K], uris=["*.jsp"], cluster_name="c3")
    cfg = dataclasses.replace(
        base,
        clusters=base.clusters + exact.clusters + jsp.clusters,
        uri_groups=base.uri_groups + exact.uri_groups + jsp.uri_groups,
        routes=base.routes + exact.routes + jsp.routes,
    )
    router = Router(cfg)
    found = {path: router.match(req(path)) for path in ("/app/special.jsp", "/app/x.jsp", "/other/x.jsp", "/none")}
    assert {p: (m.cluster.name if m else None) for p, m in found.items()} == {
        "/app/special.jsp": "c2", "/app/x.jsp": "c1", "/other/x.jsp": "c3", "/none": None,
    }


def test_first_route_wins_a_tie() -> None:
    one = config([A], cluster_name="c1")
    two = config([B], cluster_name="c2")
    cfg = dataclasses.replace(
        one, clusters=one.clusters + two.clusters,
        uri_groups=(UriGroup("c1_URIs", (Uri("/app/*"),)), UriGroup("c2_URIs", (Uri("/app/*"),))),
        routes=(Route("c1", "c1_URIs", "default_host"), Route("c2", "c2_URIs", "default_host")),
    )
    match = Router(cfg).match(req())
    assert match is not None and match.cluster.name == "c1"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/app/*", "/app/SessionTest.jsp", True),
        ("/app/*", "/app/", True),
        ("/app/*", "/app", False),
        ("/app/*", "/application/x", False),
        ("*.jsp", "/any/where/x.jsp", True),
        ("*.jsp", "/x.jspx", False),
        ("/hello", "/hello", True),
        ("/hello", "/hello/", False),
        ("/a?b", "/a?b", True),
        ("/a?b", "/axb", False),
    ],
    ids=["ctx-wildcard", "ctx-slash", "ctx-without-slash", "ctx-prefix-only", "extension", "extension-longer",
         "exact", "exact-trailing-slash", "question-mark-literal", "question-mark-not-wildcard"],
)
def test_uri_matches(pattern: str, path: str, expected: bool) -> None:
    assert uri_matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("vhost", "host", "port", "expected"),
    [
        ("*:80", "localhost", 80, True),
        ("*:80", "localhost", 9080, False),
        ("www.example.com:80", "WWW.Example.com", 80, True),
        ("www.example.com:80", "other.example.com", 80, False),
        ("*:*", "any", 1234, True),
        ("[::1]:80", "::1", 80, True),
    ],
    ids=["any-host", "port-differs", "host-case-insensitive", "host-differs", "any-port", "ipv6"],
)
def test_vhost_matches(vhost: str, host: str, port: int, expected: bool) -> None:
    assert vhost_matches(vhost, host, port) is expected


@pytest.mark.parametrize(
    ("value", "sep", "expected"),
    [
        ("0000A2MB4IJozU_VM8IffsMNfdR:v544d0o0", ":", ("v544d0o0",)),
        ("0000A2MB4IJozU_VM8IffsMNfdR:A:B", ":", ("A", "B")),
        ("0000A2MB4IJozU_VM8IffsMNfdR", ":", ()),
        ("0000A2MB4IJozU_VM8IffsMNfdR+A+B", "+", ("A", "B")),
    ],
    ids=["one-clone", "two-clones", "no-clone", "plus-separator"],
)
def test_clone_ids(value: str, sep: str, expected: tuple[str, ...]) -> None:
    assert clone_ids(value, sep) == expected


def test_path_helpers() -> None:
    assert strip_path_parameters("/app/x.jsp;jsessionid=0000abc:A") == "/app/x.jsp"
    assert url_session_id("/app/x.jsp;jsessionid=0000abc:A?x=1", "jsessionid") == "0000abc:A"
    assert url_session_id("/app/x.jsp", "jsessionid") is None
    assert parse_cookie_header('a=1; JSESSIONID="0000x:A"; JSESSIONID=second; junk') == {
        "a": "1", "JSESSIONID": "0000x:A",
    }
