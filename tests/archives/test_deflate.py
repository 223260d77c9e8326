"""The deflater that stores compressed ranges as stored blocks and compresses the rest."""

from __future__ import annotations

import io
import random
import zlib

import pytest

from splicer.archives.deflate import CHUNK, MAX_HEADER_GAP, MIN_STORED_RANGE, Deflater, pieces, stretches

TEXT = b"<web-app><filter-name>HttpSessionFilter</filter-name></web-app>\n" * 3000
NOISE = random.Random(3).randbytes(300_000)
WORDS = [w.encode() for w in "get set name value list map entry node session filter context manager cache".split()]


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


@pytest.mark.parametrize(("ranges", "joined"), [
    pytest.param([(0, 100), (150, 300)], [(0, 300)], id="small-neighbours-join"),
    pytest.param([(0, 100), (150, 300), (350, 9000)], [(0, 9000)], id="a-small-one-joins-a-big-one"),
    pytest.param([(0, 5000), (5060, 10000)], [(0, 5000), (5060, 10000)], id="big-neighbours-stay-apart"),
    pytest.param([(0, 100), (100 + MAX_HEADER_GAP + 1, 9000)], [(0, 100), (100 + MAX_HEADER_GAP + 1, 9000)],
                 id="more-than-a-header-between"),
    pytest.param([], [], id="none"),
])
def test_stretches(ranges: list[tuple[int, int]], joined: list[tuple[int, int]]) -> None:
    assert stretches(ranges) == joined


def test_small_entries_joined_are_stored() -> None:
    """Issue 10: deflating small compressed entries a second time cost most of a splice of an
    EAR of small WARs; they go out stored with the headers between them (BENCHMARKS.md has
    what it costs on real shapes: +1.7 % on 60 small WARs)."""
    rng = random.Random(5)
    records, ranges = b"", []
    for i in range(300):
        header = b"PK\x03\x04" + bytes(26) + f"WEB-INF/classes/com/example/C{i:03}.class".encode()
        words = b" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 600)))
        body = zlib.compress(rng.randbytes(100) + words)[2:-4]
        records += header
        ranges.append((len(records), len(records) + len(body)))
        records += body
    (joined,) = stretches(ranges)
    out = _deflate(records, [joined])
    assert zlib.decompress(out, -15) == records
    assert records[ranges[0][0] : ranges[-1][1]][:65535] in out  # stored as it is
    blocks = len(records) // 65535 + 2
    assert len(out) <= len(records) + 5 * blocks  # nothing but stored blocks' headers added
    again = _deflate(records, [r for r in ranges if r[1] - r[0] >= MIN_STORED_RANGE])
    assert zlib.decompress(again, -15) == records and len(again) < len(out)  # deflating again: smaller, slower
