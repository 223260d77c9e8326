"""ISA-L's CRC-32 and inflate where installed: zlib's results exactly (issue 10)."""

from __future__ import annotations

import random
import zlib

import pytest

from splicer.archives import fastzlib

DATA = random.Random(11).randbytes(200_000) + b"<web-app/>" * 50_000


def _deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def test_crc32_is_zlibs() -> None:
    assert fastzlib.crc32(DATA, 0) == zlib.crc32(DATA)
    assert fastzlib.crc32(DATA[1000:], fastzlib.crc32(DATA[:1000], 0)) == zlib.crc32(DATA)


def test_inflater_is_zlibs_in_bounded_steps() -> None:
    packed = _deflated(DATA)
    inflater, out, pos = fastzlib.inflater(), [], 0
    while not inflater.eof:
        raw = inflater.unconsumed_tail or packed[pos : pos + 65536]
        pos += 0 if inflater.unconsumed_tail else len(raw)
        chunk = inflater.decompress(raw, 100_000)
        assert len(chunk) <= 100_000  # max_length holds: what bounds a hostile stream
        assert chunk or raw, "stuck"
        out.append(chunk)
    assert b"".join(out) == DATA


def test_corrupt_stream_is_one_of_the_errors() -> None:
    with pytest.raises(fastzlib.ERRORS):
        fastzlib.inflater().decompress(b"\xff\xff\xff\xff not deflate", 1000)


def test_isal_where_it_has_wheels() -> None:
    """The dependency is there on the machines CI and developers use (x86-64)."""
    import platform

    if platform.machine() not in ("x86_64", "AMD64", "aarch64", "arm64"):
        pytest.skip("isal has no wheel for this machine: zlib serves, slower")
    assert fastzlib.ISAL
