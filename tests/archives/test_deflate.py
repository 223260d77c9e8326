"""The deflater that stores compressed ranges as stored blocks and compresses the rest."""

from __future__ import annotations

import io
import random
import zlib

import pytest

from splicer.archives.deflate import CHUNK, Deflater, pieces

TEXT = b"<web-app><filter-name>HttpSessionFilter</filter-name></web-app>\n" * 3000
NOISE = random.Random(3).randbytes(300_000)


def _deflate(data: bytes, stored: list[tuple[int, int]]) -> bytes:
    deflater = Deflater()
    parts = [deflater.feed(chunk, compressed) for chunk, compressed in pieces(io.BytesIO(data), len(data), stored)]
    return b"".join(parts) + deflater.finish()


@pytest.mark.parametrize(("data", "stored"), [
    pytest.param(TEXT, [], id="all-compressed"),
    pytest.param(NOISE, [(0, len(NOISE))], id="all-stored"),
    pytest.param(TEXT + NOISE + TEXT, [(len(TEXT), len(TEXT) + len(NOISE))], id="stored-in-the-middle"),
    pytest.param(NOISE + TEXT + NOISE, [(0, len(NOISE)), (len(NOISE) + len(TEXT), 2 * len(NOISE) + len(TEXT))], id="stored-at-both-ends"),
    pytest.param(TEXT + NOISE, [(len(TEXT), len(TEXT) + 100)], id="short-range-is-compressed"),
    pytest.param(NOISE * 8, [(10, len(NOISE) * 8 - 10)], id="range-longer-than-a-chunk"),
    pytest.param(b"", [], id="empty"),
])
def test_round_trip_and_cost(data: bytes, stored: list[tuple[int, int]]) -> None:
    out = _deflate(data, stored)
    assert zlib.decompress(out, -15) == data
    # Storing what is compressed already costs next to nothing against deflating it all.
    plain = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    assert len(out) <= (len(plain.compress(data) + plain.flush())) * 1.01 + 100


def test_stored_bytes_appear_verbatim() -> None:
    data = TEXT + NOISE
    out = _deflate(data, [(len(TEXT), len(data))])
    assert NOISE[:65535] in out and NOISE[-1000:] in out


def test_pieces_never_straddle_a_range() -> None:
    data = bytes(3 * CHUNK)
    stored = [(CHUNK // 2, CHUNK + 10_000), (2 * CHUNK, 2 * CHUNK + 5000)]
    got = list(pieces(io.BytesIO(data), len(data), stored))
    pos, flags = 0, []
    for chunk, compressed in got:
        inside = [a <= pos < b for a, b in stored]
        assert compressed == any(inside)
        assert all(not (a < pos + len(chunk) < b) or a <= pos for a, b in stored)
        pos += len(chunk)
        flags.append(compressed)
    assert pos == len(data) and flags.count(True) >= 2
