"""Placement rules: distinct containers, promotion, rebuilt replicas, balance."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splicer.grid.config import load_grids
from splicer.grid.placement import ASYNC, PRIMARY, SYNC, Claim, MapSetPlacement
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG

MAPSET = load_grids(SAMPLE_OG, SAMPLE_DP)["session"].mapsets[0]


def placed(names: list[str], mapset=MAPSET, hosts: dict[str, str] | None = None) -> MapSetPlacement:
    """Containers joining one by one, each join followed by the catalog's steps."""
    placement = MapSetPlacement("session", mapset)
    live: dict[str, str] = {}
    for name in names:
        live[name] = (hosts or {}).get(name, "localhost")
        settle(placement, live)
    return placement


def settle(placement: MapSetPlacement, live: dict[str, str]) -> None:
    placement.fill(live)
    placement.spread_replicas(live)
    for p, part in enumerate(placement.parts):  # every replica has caught up
        placement.ready.update((p, r) for r in part.replicas)
    for p, old, new in placement.primary_moves(live):
        placement.apply_move(p, old, new)


def test_distinct_containers_and_balanced_primaries() -> None:
    placement = placed(["c0", "c1"])
    for part in placement.parts:
        assert part.primary is not None
        assert len(part.replicas) == 1
        assert part.primary not in part.replicas
    primaries, shards = placement.load({"c0": "", "c1": ""})
    assert sorted(primaries.values()) == [23, 24]
    assert shards == {"c0": 47, "c1": 47}
    assert placement.kind(0, "c0") == PRIMARY  # the first container keeps the low partitions
    assert {placement.kind(p, r) for p, part in enumerate(placement.parts)
            for r in part.replicas} == {ASYNC}


def test_one_container_holds_primaries_only() -> None:
    placement = placed(["c0"])
    assert all(part.primary == "c0" and part.replicas == [] for part in placement.parts)


def test_sync_replicas_come_first_then_async() -> None:
    mapset = replace(MAPSET, max_sync=1, max_async=1)
    placement = placed(["c0", "c1", "c2"], mapset)
    for p, part in enumerate(placement.parts):
        assert [placement.kind(p, r) for r in part.replicas] == [SYNC, ASYNC]
        assert len(set(part.holders())) == 3
    primaries, shards = placement.load({"c0": "", "c1": "", "c2": ""})
    assert max(primaries.values()) - min(primaries.values()) <= 1
    assert max(shards.values()) - min(shards.values()) <= 1


def test_a_lost_container_is_replaced_by_promotion_and_rebuilt_replicas() -> None:
    mapset = replace(MAPSET, max_sync=1, max_async=0)
    placement = placed(["c0", "c1", "c2"], mapset)
    before = {p: (part.primary, list(part.replicas)) for p, part in enumerate(placement.parts)}
    assert placement.drop("c1")
    live = {"c0": "", "c2": ""}
    for p, part in enumerate(placement.parts):
        old_primary, old_replicas = before[p]
        if old_primary == "c1":
            assert part.primary == old_replicas[0]  # the in-sync replica was promoted
    placement.fill(live)
    for part in placement.parts:
        assert part.primary in live and len(part.replicas) == 1
        assert part.primary not in part.replicas and "c1" not in part.holders()


def test_no_replica_left_means_an_empty_primary_elsewhere() -> None:
    placement = placed(["c0"])
    placement.drop("c0")
    assert all(part.primary is None for part in placement.parts)
    placement.fill({"c9": ""})
    assert all(part.primary == "c9" for part in placement.parts)


def test_a_returning_container_gets_shards_again() -> None:
    mapset = replace(MAPSET, max_sync=1, max_async=0)
    placement = placed(["c0", "c1", "c2"], mapset)
    placement.drop("c2")
    settle(placement, {"c0": "", "c1": ""})
    assert placement.roles_of("c2") == {}
    settle(placement, {"c0": "", "c1": "", "c2": ""})
    primaries, shards = placement.load({"c0": "", "c1": "", "c2": ""})
    assert primaries["c2"] >= 15 and shards["c2"] >= 31


@pytest.mark.parametrize(("development_mode", "expected_host"), [
    (False, "hostB"), (True, "hostA"),
], ids=["production-prefers-another-host", "development-takes-the-emptiest"])
def test_development_mode_decides_whether_hosts_matter(development_mode: bool,
                                                       expected_host: str) -> None:
    mapset = replace(MAPSET, partitions=1, development_mode=development_mode, max_async=1)
    placement = MapSetPlacement("session", mapset)
    hosts = {"a1": "hostA", "a2": "hostA", "b1": "hostB"}
    placement.parts[0].primary = "a1"
    # a2 and b1 are equally empty and a2 sorts first: only the host rule can pick b1
    placement.fill(hosts)
    assert hosts[placement.parts[0].replicas[0]] == expected_host


def test_adopt_takes_over_what_containers_report() -> None:
    placement = MapSetPlacement("session", MAPSET)
    claims = [Claim("c1", 3, PRIMARY, 7, True), Claim("c1", 4, ASYNC, 7, True),
              Claim("c0", 3, ASYNC, 7, True), Claim("c0", 4, PRIMARY, 7, True)]
    assert placement.adopt_claims(claims) == {3, 4}
    assert placement.parts[3].primary == "c1" and placement.parts[3].replicas == ["c0"]
    assert placement.parts[4].primary == "c0" and placement.parts[4].replicas == ["c1"]
    assert (4, "c1") in placement.ready


@pytest.mark.parametrize(("claims", "primary", "replicas"), [
    # issue 8: c0 was paused and replaced by c1 (epoch 9); the catalog then restarted
    ([("c0", PRIMARY, 5, True), ("c1", PRIMARY, 9, True), ("c2", SYNC, 9, True)],
     "c1", ["c2"]),
    # the new primary died with the old catalog: its in-sync replica, not the stale primary
    ([("c0", PRIMARY, 5, True), ("c2", SYNC, 9, True), ("c3", ASYNC, 9, True)],
     "c2", ["c3"]),
    # a replica of an older epoch, or one still waiting for its snapshot, is not in sync
    ([("c1", PRIMARY, 9, True), ("c2", SYNC, 5, True), ("c3", SYNC, 9, False)], "c1", []),
], ids=["stale-primary", "stale-primary-and-no-new-one", "stale-or-empty-replicas"])
def test_adopted_claims_of_the_newest_epoch_win(claims: list[tuple[str, str, int, bool]],
                                                primary: str, replicas: list[str]) -> None:
    placement = MapSetPlacement("session", replace(MAPSET, max_sync=1, max_async=1))
    placement.adopt_claims([Claim(c, 2, role, epoch, ready) for c, role, epoch, ready in claims])
    assert (placement.parts[2].primary, placement.parts[2].replicas) == (primary, replicas)
    assert placement.parts[2].epoch == max(epoch for _, _, epoch, _ in claims)


def test_only_changed_partitions_get_a_new_epoch() -> None:
    placement = placed(["c0", "c1"])
    counter = iter(range(1, 1000))
    placement.stamp(lambda: next(counter))
    first = [part.epoch for part in placement.parts]
    assert sorted(first) == list(range(1, 48))
    placement.drop("c1")
    placement.stamp(lambda: next(counter))
    changed = {p for p, part in enumerate(placement.parts) if part.epoch != first[p]}
    assert changed == set(range(47))  # c1 held a primary or a replica of every partition
    before = [part.epoch for part in placement.parts]
    placement.stamp(lambda: next(counter))
    assert [part.epoch for part in placement.parts] == before
    placement.force.add(5)
    placement.stamp(lambda: next(counter))
    assert [p for p, part in enumerate(placement.parts) if part.epoch != before[p]] == [5]


@pytest.mark.parametrize("replicas", [(1, 0), (0, 1), (1, 1)], ids=["sync", "async", "both"])
def test_a_late_third_container_takes_a_third_of_the_primaries(replicas: tuple[int, int]) -> None:
    # regression: with one replica, the third container's replicas all mirrored c1's
    # primaries, and balancing only looked at the fullest container (c0): c2 kept none
    mapset = replace(MAPSET, max_sync=replicas[0], max_async=replicas[1])
    placement = placed(["c0", "c1", "c2"], mapset)
    primaries, _ = placement.load({"c0": "", "c1": "", "c2": ""})
    assert sorted(primaries.values()) == [15, 16, 16]


def test_replicas_spread_from_any_full_container_not_only_the_fullest() -> None:
    # regression: c0 was fullest but held a single replica, of c2's partition; the spread
    # stopped there although c1 had 46 replicas to give
    mapset = replace(MAPSET, max_sync=1, max_async=0)
    placement = MapSetPlacement("session", mapset)
    for part in placement.parts[:46]:
        part.primary, part.replicas = "c0", ["c1"]
    placement.parts[46].primary, placement.parts[46].replicas = "c2", ["c0"]
    live = {"c0": "", "c1": "", "c2": ""}
    assert placement.spread_replicas(live)
    _, shards = placement.load(live)
    # c0's 46 primaries cannot move as replicas: the primary handovers that follow do that
    assert shards == {"c0": 47, "c1": 24, "c2": 23}
    assert all(len(set(part.holders())) == 2 for part in placement.parts)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 4)), min_size=1, max_size=12),
       st.integers(0, 1), st.integers(0, 2))
def test_invariants_hold_through_any_joins_and_losses(events: list[tuple[bool, int]],
                                                      max_sync: int, max_async: int) -> None:
    mapset = replace(MAPSET, partitions=7, max_sync=max_sync, max_async=max_async)
    placement = MapSetPlacement("session", mapset)
    live: dict[str, str] = {}
    for join, n in events:
        name = f"c{n}"
        if join:
            live[name] = "localhost"
        elif name in live:
            del live[name]
            placement.drop(name)
        settle(placement, live)
        for part in placement.parts:
            holders = part.holders()
            assert len(holders) == len(set(holders))  # distinct containers
            assert set(holders) <= set(live)
            if live:
                assert part.primary is not None
                assert len(part.replicas) == min(mapset.replicas, len(live) - 1)
        if live and mapset.replicas:  # without replicas a primary cannot move (no copy)
            primaries, _ = placement.load(live)
            assert max(primaries.values()) - min(primaries.values()) <= 1
