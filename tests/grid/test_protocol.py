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
