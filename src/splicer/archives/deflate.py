"""Deflate a rewritten nested archive without compressing its compressed data a second time.

A nested WAR that changes must be stored again with its method, usually DEFLATED.  Most of
its bytes are the raw-copied data of entries that are themselves deflated (JARs, classes):
running deflate over them again costs most of a splice and saves almost nothing.  So those
byte ranges go out as *stored* deflate blocks (RFC 1951 section 3.2.4), and the rest
(headers, central directory, re-encoded entries) is compressed at the default level.  Each
compressed stretch ends with a full flush, which byte-aligns the output and resets the
compressor's history, so no back-reference ever reaches across a stored stretch; the
pieces join into one ordinary deflate stream, the way pigz joins its chunks.  zlib itself
cannot switch between the two mid-stream from Python (``deflateParams`` is not exposed).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import IO, BinaryIO, Protocol

from splicer.archives import fastzlib

__all__ = ["CHUNK", "MIN_STORED_RANGE", "MAX_HEADER_GAP", "Deflater", "DeflateSink", "pieces", "stretches"]

CHUNK = 1 << 20
MIN_STORED_RANGE = 4096  # shorter compressed stretches stay in the deflated stream
MAX_HEADER_GAP = 1024  # what may lie between two compressed ranges stored as one (headers)
_MAX_BLOCK = 0xFFFF  # a stored block holds at most 65535 bytes


def pieces(data: IO[bytes], size: int, stored: Sequence[tuple[int, int]]) -> Iterator[tuple[bytes, bool]]:
    """``size`` bytes of ``data`` as (chunk, is_compressed_already) pieces.

    ``stored`` holds sorted, non-overlapping [start, end) ranges of bytes that are compressed
    already; pieces never straddle a range boundary.
    """
    ranges = iter([(a, b) for a, b in stored if b - a >= MIN_STORED_RANGE and 0 <= a and b <= size])
    current = next(ranges, None)
    pos = 0
    while pos < size:
        if current is None:
            end, inside = size, False
        elif pos >= current[0]:
            end, inside = current[1], True
        else:
            end, inside = current[0], False
        length = min(CHUNK, end - pos)
        chunk = data.read(length)
        if len(chunk) != length:
            raise EOFError("data ended early")
        pos += length
        if current is not None and pos >= current[1]:
            current = next(ranges, None)
        yield chunk, inside


class Deflater:
    """A raw deflate stream fed with pieces that are either to compress or to store."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        self._pending = False  # the compressor holds input not yet flushed

    def feed(self, chunk: bytes, compressed_already: bool) -> bytes:
        if not compressed_already:
            self._pending = True
            return self._compressor.compress(chunk)
        head = self._compressor.flush(zlib.Z_FULL_FLUSH) if self._pending else b""
        self._pending = False
        blocks = [
            b"\x00" + struct.pack("<HH", len(part), len(part) ^ 0xFFFF) + part  # BFINAL=0, BTYPE=00
            for part in (chunk[i : i + _MAX_BLOCK] for i in range(0, len(chunk), _MAX_BLOCK))
        ]
        return head + b"".join(blocks)

    def finish(self) -> bytes:
        """The last block (BFINAL=1), empty if every byte is out already."""
        return self._compressor.flush(zlib.Z_FINISH)


def stretches(compressed: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Compressed ranges joined where a short one lies next to another (only a local header
    between them): a run of small classes and JSPs goes out as one stored stretch, headers
    and all, instead of each being deflated a second time for nothing."""
    joined: list[tuple[int, int]] = []
    last = 0
    for a, b in compressed:
        if joined and a - joined[-1][1] <= MAX_HEADER_GAP and min(b - a, last) < MIN_STORED_RANGE:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
        last = b - a
    return joined


class Source(Protocol):
    def pread(self, offset: int, length: int) -> bytes: ...


class DeflateSink:
    """Where a nested archive being rewritten goes: straight into its entry in the archive
    around it (CRC-32 and deflate on the way, or stored as it is), with no copy on disk.

    ``write`` takes bytes to compress; ``write_compressed`` bytes compressed already (sent
    as stored blocks); ``copy`` a stretch of raw records, told which ranges are compressed.
    ``tell`` is the position in the (uncompressed) nested archive.
    """

    def __init__(self, out: BinaryIO, deflate: bool) -> None:
        self._out = out
        self._deflater = Deflater() if deflate else None
        self.crc = 0
        self.size = 0

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size

    def write(self, data: bytes) -> int:
        if data:
            self._feed(data, False)
        return len(data)

    def write_compressed(self, data: bytes) -> None:
        """Compressed data of an entry: stored blocks when long enough to be worth it."""
        for at in range(0, len(data), CHUNK):
            self._feed(data[at : at + CHUNK], len(data) >= MIN_STORED_RANGE)

    def copy(self, source: Source, start: int, end: int, compressed: Sequence[tuple[int, int]]) -> None:
        """Bytes [start, end) of ``source``; ``compressed`` are the sorted ranges in it that
        hold compressed data (each piece of a range read from its start, a CHUNK at a time)."""
        pos = start
        for a, b in compressed:
            if b - a < MIN_STORED_RANGE:
                continue
            self._copy(source, pos, a, False)
            self._copy(source, a, b, True)
            pos = b
        self._copy(source, pos, end, False)

    def _copy(self, source: Source, start: int, end: int, compressed: bool) -> None:
        while start < end:
            data = source.pread(start, min(CHUNK, end - start))
            if not data:
                raise EOFError("archive ended early while copying")
            self._feed(data, compressed)
            start += len(data)

    def _feed(self, data: bytes, compressed: bool) -> None:
        self.crc = fastzlib.crc32(data, self.crc)
        self.size += len(data)
        self._out.write(data if self._deflater is None else self._deflater.feed(data, compressed))

    def finish(self) -> tuple[int, int]:
        """Close the deflate stream; (CRC-32, size) of everything written."""
        if self._deflater is not None:
            self._out.write(self._deflater.finish())
        return self.crc, self.size
