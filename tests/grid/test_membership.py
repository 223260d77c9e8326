"""Membership: placement, handover and replication frames only from members of the domain.

Issue 8: any peer could send a container ``placement``, ``demote`` or ``repl_*`` frames.
Each test sends them on a plain client connection (what any process on the network can
open) and checks the refusal, the one log line, and that nothing changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from splicer.grid import membership
from splicer.grid.auth import AuthenticationFailed, Peer, Security
from splicer.grid.client import GridClient
from splicer.grid.hashing import partition_of
from splicer.grid.inprocess import InProcessGrid, grid_in_process
from splicer.grid.protocol import Channel, Message, b64
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG

META = "objectgridSessionMetadata"
KEY = "S0001xxxxxxxxxxxxxxxxxxx/ctx"


class Lines(logging.Handler):
    """The grid's log records, whatever handlers other tests left on the logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def matching(self, text: str) -> list[logging.LogRecord]:
        return [r for r in self.records if text in r.getMessage()]


@pytest.fixture
def grid_log() -> Iterator[Lines]:
    logger = logging.getLogger("splicer.grid")
    handler = Lines()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def state(grid: InProcessGrid) -> dict[str, Any]:
    """What a forged frame could change: roles, frozen flags, data, links, the placement."""
    placement = grid.catalog.placer.placements[("session", "sessionMapSet")]
    return {
        "placement": placement.to_json(),
        "members": sorted(grid.catalog.members),
        "shards": {name: {key: (shard.role, shard.frozen, shard.source,
                                {m: {k: e.value for k, e in entries.items()}
                                 for m, entries in shard.maps.items()})
                          for key, shard in c.shards.items()}
                   for name, c in grid.containers.items()},
        "peers": {name: dict(c.peers) for name, c in grid.containers.items()},
    }


def forged(grid: InProcessGrid, op: str, victim: str, other: str) -> Message:
    """A frame that would do harm if taken: every partition's primary to `other`, a freeze,
    or a value overwritten on the victim's copy, claiming to come from `other`."""
    p = partition_of(KEY, 47)
    parts = [{"primary": other, "replicas": []} for _ in range(47)]
    base = {"grid": "session", "mapset": "sessionMapSet", "partition": p}
    return {
        "placement": {"op": "placement", "grid": "session", "mapset": "sessionMapSet",
                      "epoch": 999, "partitions": parts,
                      "endpoints": {other: ["127.0.0.1", 1]}},
        "demote": {"op": "demote", "shards": [["session", "sessionMapSet", p]], "timeout": 1},
        "repl_snapshot": {"op": "repl_snapshot", **base, "source": other, "kind": "Primary",
                          "maps": {META: {}}},
        "repl_apply": {"op": "repl_apply", **base, "source": other,
                       "ops": [["put", META, KEY, b64(b"forged"), 0.0]]},
    }[op]


def with_grid(body: Any, **options: Any) -> Any:
    async def main() -> Any:
        async with grid_in_process(SAMPLE_OG, SAMPLE_DP, ("c0", "c1"), **options) as grid:
            client = await GridClient.connect(grid.catalog_endpoint, retry_for=10.0)
            try:
                await client.put(META, KEY, b"original")
                return await body(grid, client)
            finally:
                await client.close()
    return asyncio.run(main())


async def holder_of_key(grid: InProcessGrid) -> tuple[str, str]:
    """(the container holding KEY's primary, the other one)."""
    placement = grid.catalog.placer.placements[("session", "sessionMapSet")]
    primary = placement.parts[partition_of(KEY, 47)].primary
    assert primary is not None
    return primary, next(n for n in grid.containers if n != primary)


@pytest.mark.parametrize("op", ["placement", "demote", "repl_snapshot", "repl_apply"])
def test_a_client_connection_cannot_send_member_frames_to_a_container(op: str,
                                                                       grid_log: Lines) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> tuple[Message, Message]:
        primary, other = await holder_of_key(grid)
        before = state(grid)
        container = grid.containers[primary]
        channel = await Channel.connect("localhost", container.port, name="intruder")
        try:
            reply = await channel.call(forged(grid, op, primary, other))
            # the connection stays usable for what clients may do
            read = await channel.request({"op": "get", "grid": "session",
                                          "mapset": "sessionMapSet",
                                          "partition": partition_of(KEY, 47), "map": META,
                                          "key": KEY})
        finally:
            await channel.close()
        await asyncio.sleep(0.1)  # anything the frame had set going would show by now
        assert state(grid) == before
        assert await client.get(META, KEY) == b"original"
        return reply, read

    reply, read = with_grid(body)
    assert (reply["ok"], reply["error"]) == (False, "not_member")
    who = "a member container" if op.startswith("repl_") else "the catalog service"
    assert f"takes {op} only from {who}" in reply["message"]
    assert read["ok"] and read["value"] == b64(b"original")
    lines = grid_log.matching(f"refused {op} from client at 127.0.0.1:")
    assert len(lines) == 1 and lines[0].exc_info is None
    assert lines[0].getMessage().startswith("CWOBJ7220W: c")


def test_a_member_may_replicate_only_its_own_shards(grid_log: Lines) -> None:
    """Identity is the connection's: a container's link cannot speak for another one."""
    async def body(grid: InProcessGrid, client: GridClient) -> list[Message]:
        primary, other = await holder_of_key(grid)
        before = state(grid)
        channel = await membership.dial("localhost", grid.containers[other].port,
                                        me=Peer("container", primary), security=Security())
        try:
            as_other = await channel.call(forged(grid, "repl_apply", other, other))
            placement = await channel.call(forged(grid, "placement", other, primary))
        finally:
            await channel.close()
        assert state(grid) == before
        return [as_other, placement]

    replies = with_grid(body)
    assert [r.get("error") for r in replies] == ["not_member", "not_member"]
    assert len(grid_log.matching("refused repl_apply from container c")) == 1


def test_a_container_the_catalog_never_placed_is_refused_at_hello(grid_log: Lines) -> None:
    async def body(grid: InProcessGrid, client: GridClient) -> str:
        with pytest.raises(AuthenticationFailed) as info:
            await membership.dial("localhost", grid.containers["c0"].port,
                                  me=Peer("container", "c9"), security=Security(), timeout=10)
        return str(info.value)

    text = with_grid(body)
    assert text.startswith("refused by localhost:")
    assert text.endswith("c9 is not a member of the domain c0 knows (no placement names it)")
    assert len(grid_log.matching("CWOBJ7221W: c0 refused a connection from container c9")) == 1


@pytest.mark.parametrize("op", ["leave", "register", "heartbeat", "shard_ready"])
def test_a_client_connection_cannot_send_member_frames_to_the_catalog(op: str,
                                                                     grid_log: Lines) -> None:
    """A forged `leave c0` would have handed every primary of c0 over."""
    async def body(grid: InProcessGrid, client: GridClient) -> Message:
        before = state(grid)
        channel = await Channel.connect("localhost", grid.catalog.port, name="intruder")
        message = {"op": op, "name": "c0", "host": "127.0.0.1", "port": 1, "grids": {},
                   "grid": "session", "mapset": "sessionMapSet", "partition": 0}
        try:
            reply = await channel.call(message)
            routes = await channel.request({"op": "routes", "grid": "session"})
        finally:
            await channel.close()
        await asyncio.sleep(0.1)
        assert state(grid) == before and not grid.containers["c0"].shards == {}
        assert routes["ok"]
        return reply

    reply = with_grid(body)
    assert (reply["ok"], reply["error"]) == (False, "not_member")
    assert len(grid_log.matching(f"CWOBJ7220W: cs0 refused {op} from client at")) == 1
