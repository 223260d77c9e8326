"""The wire format: frames, their limits, and the endpoint lists of the command line."""

from __future__ import annotations

import asyncio
import struct

import pytest

from splicer.grid.protocol import (MAX_FRAME, ProtocolError, b64, encode_frame, parse_endpoints,
                                   read_frame, unb64)


def _read(data: bytes) -> object:
    async def run() -> object:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await read_frame(reader)
    return asyncio.run(run())


def test_a_frame_round_trips_with_binary_values() -> None:
    message = {"op": "put", "key": "k/ctx", "value": b64(bytes(range(256)))}
    frame = encode_frame(message)
    assert struct.unpack(">I", frame[:4])[0] == len(frame) - 4
    assert _read(frame) == message
    assert unb64(message["value"]) == bytes(range(256))


def test_clean_end_between_frames_is_none() -> None:
    assert _read(b"") is None


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x00\x00", r"connection closed inside a frame header"),
    (struct.pack(">I", 10) + b"{}", r"connection closed inside a frame"),
    (struct.pack(">I", MAX_FRAME + 1), r"frame of \d+ bytes announced, more than"),
    (struct.pack(">I", 3) + b"abc", r"frame is not JSON"),
    (struct.pack(">I", 2) + b"[]", r"frame is not a message object"),
    (struct.pack(">I", 2) + b"{}", r"frame is not a message object"),
], ids=["short-header", "short-body", "too-big", "not-json", "not-object", "no-op"])
def test_broken_frames_are_protocol_errors(data: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=f"^{reason}"):
        _read(data)


@pytest.mark.parametrize(("text", "expected"), [
    ("localhost:2899", [("localhost", 2899)]),
    ("a:1, b:2", [("a", 1), ("b", 2)]),
    ("::1:2809", [("::1", 2809)]),
], ids=["one", "two", "ipv6"])
def test_endpoints(text: str, expected: list[tuple[str, int]]) -> None:
    assert parse_endpoints(text) == expected


@pytest.mark.parametrize("text", ["localhost", "localhost:", ":2899", "h:0", "h:70000", "h:x"],
                         ids=["no-port", "empty-port", "no-host", "port-0", "port-high", "port-nan"])
def test_bad_endpoints(text: str) -> None:
    with pytest.raises(ValueError, match=r"^'.*' is not host:port$"):
        parse_endpoints(text)


def test_a_lost_connection_leaves_no_unretrieved_future(caplog: pytest.LogCaptureFixture) -> None:
    """Bug: the grid client logged "Future exception was never retrieved" on every lost
    connection: a request whose caller had gone (its write failed, or it stopped waiting)
    still had its answer's future failed by the connection's end, and nobody read it."""
    import gc

    from splicer.grid.protocol import Channel

    async def run() -> None:
        accepted: list[asyncio.StreamWriter] = []
        connected = asyncio.Event()

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(writer)
            connected.set()

        server = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        channel = await Channel.connect("127.0.0.1", port, name="test")
        for _ in range(3):
            channel.call({"op": "get"})  # answers nobody will wait for
        await asyncio.wait_for(connected.wait(), 10)
        accepted[0].transport.abort()  # the peer goes away, as a SIGKILLed container does
        await asyncio.wait_for(channel.closed.wait(), 10)
        await channel.close()
        server.close()
        await server.wait_closed()

    with caplog.at_level("ERROR", logger="asyncio"):
        asyncio.run(run())
        gc.collect()
    assert [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()] == []
