"""Encode zip records: headers of changed and new entries, copied central headers, end records."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from typing import IO, BinaryIO, NamedTuple, TypeAlias

from splicer import scratch
from splicer.archives import fastzlib
from splicer.archives.deflate import DeflateSink, Deflater, pieces
from splicer.archives.zipraw import (
    CEN, EOCD, EOCD64, LIMIT16, LIMIT32, LOC, LOC64, ZIP64_TAG, Entry, join_extra, split_extra,
)
from splicer.errors import UsageError

__all__ = [
    "STORED", "DEFLATED", "EntrySpec", "source_date_epoch", "dos_stamp", "newest_stamp",
    "spec_for_change", "spec_for_new", "central_for_copy", "Written", "write_entry", "write_streamed", "end_records",
]

STORED, DEFLATED = 0, 8
EXT_TIME_TAG = 0x5455  # "UT" extended timestamp: unix seconds, set by zip and many tools
MIN_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a DOS stamp can hold
MAX_EPOCH = 4354819198  # 2107-12-31T23:59:58Z, the latest
DEFAULT_MODE = 0o100644  # new entries: a regular file rw-r--r--, whatever the umask
_IN_MEMORY = 4 << 20  # an entry encoded ahead of its header, in memory up to this size
_OFFSET = struct.Struct("<L")  # a central header's local header offset, at byte 42


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` clamped to what a DOS stamp holds (as pypa/wheel does), else None."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    try:
        seconds = int(value)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {value!r}") from None
    return min(max(seconds, MIN_EPOCH), MAX_EPOCH)


def dos_stamp(epoch: int) -> tuple[int, int]:
    """(DOS time, DOS date) of a UTC instant, as reproducible builds write them."""
    t = time.gmtime(epoch)
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), ((t.tm_year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday


def newest_stamp(entries: Iterable[Entry]) -> tuple[int, int]:
    """The newest DOS stamp of an archive: a new entry's time when SOURCE_DATE_EPOCH is unset.

    Using the archive's own newest time keeps the output a function of the input alone.
    """
    stamps = [(e.dosdate, e.dostime) for e in entries]
    date, dostime = max(stamps, default=(0x21, 0))  # 1980-01-01 00:00 for an empty archive
    return dostime, date


class EntrySpec(NamedTuple):
    """Everything about a changed or new entry except its data."""

    raw_name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    made_by: int
    needed: int
    iattr: int
    eattr: int
    local_extra: bytes
    central_extra: bytes
    comment: bytes


def _restamp(extra: bytes, epoch: int | None) -> bytes:
    """Drop the ZIP64 block (re-added when needed) and move "UT" times to SOURCE_DATE_EPOCH."""
    blocks = []
    for tag, data in split_extra(extra):
        if tag == ZIP64_TAG:
            continue
        if tag == EXT_TIME_TAG and epoch is not None and data:
            # Flag byte, then one 4-byte time per slot (local: up to 3, central: mtime only).
            slots = (len(data) - 1) // 4
            data = data[:1] + struct.pack(f"<{slots}L", *[epoch] * slots) + data[1 + 4 * slots :]
        blocks.append((tag, data))
    return join_extra(blocks)


def spec_for_change(entry: Entry, local_extra: bytes) -> EntrySpec:
    """A changed entry keeps name, method, time, attributes, extras and comment.

    Flag bit 3 is cleared (sizes go in the header, no data descriptor) and bits 1-2 are
    reset because we deflate at the normal level; the UTF-8 bit 11 is kept.
    """
    epoch = source_date_epoch()
    dostime, dosdate = (entry.dostime, entry.dosdate) if epoch is None else dos_stamp(epoch)
    return EntrySpec(
        entry.raw_name, entry.flags & 0x0800, entry.method, dostime, dosdate, entry.made_by,
        entry.needed, entry.iattr, entry.eattr, _restamp(local_extra, epoch),
        _restamp(entry.extra, epoch), entry.comment,
    )


def spec_for_new(name: str, stamp: tuple[int, int]) -> EntrySpec:
    """A new entry: DEFLATED, UNIX rw-r--r--, at SOURCE_DATE_EPOCH or else ``stamp``."""
    epoch = source_date_epoch()
    dostime, dosdate = stamp if epoch is None else dos_stamp(epoch)
    flags = 0 if name.isascii() else 0x0800
    return EntrySpec(name.encode("utf-8"), flags, DEFLATED, dostime, dosdate, (3 << 8) | 20, 20, 0,
                     DEFAULT_MODE << 16, b"", b"", b"")


def _with_zip64(extra: bytes, values: list[int]) -> bytes:
    """``extra`` with its ZIP64 block (first, as zipfile and Java put it) holding ``values``."""
    blocks = [(t, d) for t, d in split_extra(extra) if t != ZIP64_TAG]
    if values:
        blocks.insert(0, (ZIP64_TAG, struct.pack(f"<{len(values)}Q", *values)))
    return join_extra(blocks)


def central_for_copy(entry: Entry, offset: int) -> bytes:
    """The central header of a copied entry, moved to ``offset``.

    Fields the original gave in the ZIP64 extra stay there; the offset moves there too when it
    no longer fits 32 bits.  Otherwise the header is the original's but for the offset.
    """
    if entry.central and offset < LIMIT32 and not any(entry.masked):
        # The original record but for its offset (what the general case below packs, cheaper:
        # this runs for every entry after a change).
        if offset == entry.stated:
            return entry.central
        return entry.central[:42] + _OFFSET.pack(offset) + entry.central[46:]
    masked = list(entry.masked)
    masked[2] = masked[2] or offset >= LIMIT32
    extra, needed = entry.extra, entry.needed
    if any(masked):
        values = [v for v, m in zip((entry.usize, entry.csize, offset, entry.disk), masked) if m]
        extra, needed = _with_zip64(entry.extra, values), max(needed, 45)
    return CEN.pack(
        b"PK\x01\x02", entry.made_by, needed, entry.flags, entry.method, entry.dostime, entry.dosdate,
        entry.crc, LIMIT32 if masked[1] else entry.csize, LIMIT32 if masked[0] else entry.usize,
        len(entry.raw_name), len(extra), len(entry.comment), LIMIT16 if masked[3] else entry.disk,
        entry.iattr, entry.eattr, LIMIT32 if masked[2] else offset,
    ) + entry.raw_name + extra + entry.comment


def _local(spec: EntrySpec, crc: int, csize: int, usize: int, zip64: bool) -> bytes:
    extra = _with_zip64(spec.local_extra, [usize, csize] if zip64 else [])
    needed = max(spec.needed, 45 if zip64 else 20 if spec.method == DEFLATED else 10)
    return LOC.pack(
        b"PK\x03\x04", needed, spec.flags, spec.method, spec.dostime, spec.dosdate, crc,
        LIMIT32 if zip64 else csize, LIMIT32 if zip64 else usize, len(spec.raw_name), len(extra),
    ) + spec.raw_name + extra


def _central(spec: EntrySpec, crc: int, csize: int, usize: int, offset: int) -> bytes:
    masked = (usize >= LIMIT32, csize >= LIMIT32, offset >= LIMIT32)
    values = [v for v, m in zip((usize, csize, offset), masked) if m]
    extra = _with_zip64(spec.central_extra, values)
    needed = max(spec.needed, 45 if any(masked) else 20 if spec.method == DEFLATED else 10)
    return CEN.pack(
        b"PK\x01\x02", spec.made_by, needed, spec.flags, spec.method, spec.dostime, spec.dosdate,
        crc, LIMIT32 if masked[1] else csize, LIMIT32 if masked[0] else usize, len(spec.raw_name),
        len(extra), len(spec.comment), 0, spec.iattr, spec.eattr, LIMIT32 if masked[2] else offset,
    ) + spec.raw_name + extra + spec.comment


class Written(NamedTuple):
    """Where an entry went: its central header, and the span of its (compressed) data."""

    central: bytes
    data_start: int
    data_end: int


Output: TypeAlias = "BinaryIO | DeflateSink"


def write_entry(out: Output, spec: EntrySpec, data: IO[bytes], usize: int,
                stored: Sequence[tuple[int, int]] = ()) -> Written:
    """Write ``usize`` bytes from ``data`` as one entry at ``out``'s position.

    The local header is written first with the sizes unknown, then patched once the data is
    in: ``out`` is a seekable temporary file, so no data descriptor is needed.  ZIP64 sizes
    are used when the data comes near 4 GiB (deflate may grow incompressible data a little).
    ``stored`` names byte ranges of ``data`` that are compressed already (see ``deflate``).
    A ``DeflateSink`` (a nested archive on its way) cannot go back: the entry is encoded
    into a spool first, then its header and data follow.
    """
    if isinstance(out, DeflateSink):
        return _write_forward(out, spec, data, usize, stored)
    offset = out.tell()
    zip64 = usize * 1.05 >= LIMIT32
    out.write(_local(spec, 0, 0, 0, zip64))
    start = out.tell()
    crc = _encode(out, spec, data, usize, stored)
    end = out.tell()
    csize = end - start
    if not zip64 and csize >= LIMIT32:
        raise OverflowError("compressed entry passed 4 GiB without ZIP64 sizes")
    out.seek(offset)
    out.write(_local(spec, crc, csize, usize, zip64))
    out.seek(end)
    return Written(_central(spec, crc, csize, usize, offset), start, end)


def _encode(out: BinaryIO, spec: EntrySpec, data: IO[bytes], usize: int, stored: Sequence[tuple[int, int]]) -> int:
    """Write the data of an entry with its method; its CRC-32."""
    deflater = Deflater() if spec.method == DEFLATED else None
    crc = 0
    for chunk, compressed in pieces(data, usize, stored if deflater else ()):
        crc = fastzlib.crc32(chunk, crc)
        out.write(chunk if deflater is None else deflater.feed(chunk, compressed))
    if deflater is not None:
        out.write(deflater.finish())
    return crc


def _write_forward(out: DeflateSink, spec: EntrySpec, data: IO[bytes], usize: int,
                   stored: Sequence[tuple[int, int]]) -> Written:
    offset = out.tell()
    zip64 = usize * 1.05 >= LIMIT32
    # A descriptor is encoded in memory; only a nested archive (deeper down) may need the disk.
    small = usize <= _IN_MEMORY
    with (io.BytesIO() if small else tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY, dir=scratch.temp_dir())) as packed:
        crc = _encode(packed, spec, data, usize, stored)  # type: ignore[arg-type]
        csize = packed.tell()
        if not zip64 and csize >= LIMIT32:
            raise OverflowError("compressed entry passed 4 GiB without ZIP64 sizes")
        out.write(_local(spec, crc, csize, usize, zip64))
        start = out.tell()
        packed.seek(0)
        if spec.method == DEFLATED:
            out.copy(_Spool(packed), 0, csize, [(0, csize)])
        else:
            out.copy(_Spool(packed), 0, csize, [])
        end = out.tell()
    return Written(_central(spec, crc, csize, usize, offset), start, end)


class _Spool:
    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh

    def pread(self, offset: int, length: int) -> bytes:
        self._fh.seek(offset)
        return self._fh.read(length)


def write_streamed(out: BinaryIO, spec: EntrySpec, produce: Callable[[DeflateSink], None]) -> Written:
    """An entry whose data ``produce`` writes into a ``DeflateSink`` (a nested archive being
    rewritten, streamed into its deflater): the local header is patched afterwards.  The
    caller knows the data stays well under 4 GiB (no ZIP64 sizes)."""
    offset = out.tell()
    out.write(_local(spec, 0, 0, 0, False))
    start = out.tell()
    sink = DeflateSink(out, spec.method == DEFLATED)
    produce(sink)
    crc, usize = sink.finish()
    end = out.tell()
    csize = end - start
    if max(csize, usize) >= LIMIT32:
        raise OverflowError("streamed entry passed 4 GiB without ZIP64 sizes")
    out.seek(offset)
    out.write(_local(spec, crc, csize, usize, False))
    out.seek(end)
    return Written(_central(spec, crc, csize, usize, offset), start, end)


def end_records(count: int, cd_start: int, cd_size: int, comment: bytes, zip64: bool) -> bytes:
    """The end of central directory, preceded by the ZIP64 record and locator when needed."""
    zip64 = zip64 or count >= LIMIT16 or cd_start >= LIMIT32 or cd_size >= LIMIT32
    data = b""
    if zip64:
        data += EOCD64.pack(b"PK\x06\x06", EOCD64.size - 12, (3 << 8) | 45, 45, 0, 0, count, count, cd_size, cd_start)
        data += LOC64.pack(b"PK\x06\x07", 0, cd_start + cd_size, 1)
    return data + EOCD.pack(
        b"PK\x05\x06", 0, 0, min(count, LIMIT16), min(count, LIMIT16), min(cd_size, LIMIT32),
        min(cd_start, LIMIT32), len(comment),
    ) + comment

