"""Raw zip structure: parse the central directory, check local records, copy them untouched.

Why hand-written: Python's ``zipfile`` can only give back an entry's *decompressed* bytes, and
``ZipFile.writestr`` re-encodes the local header from a ``ZipInfo`` (dropping the local extra
fields, the data descriptor and flag bit 3, and rewriting the version fields).  Copying an
entry as it was (local header, compressed data, data descriptor, extra fields) needs the byte
offsets of every record, which ``zipfile`` keeps private.  So the structure is read here, from
APPNOTE.TXT 6.3.x (sections 4.3.7 to 4.3.16 and 4.5.3), and ``zlib`` inflates the few entries
we really read.
"""

from __future__ import annotations

import gc
import operator
import os
import struct
from dataclasses import dataclass
from typing import IO, BinaryIO, Protocol

__all__ = [
    "Blob", "FileBlob", "StreamBlob", "BytesBlob", "SliceBlob", "Entry", "Directory", "ZipFormatError",
    "read_directory", "locate_records", "read_local_extra", "copy_range", "split_extra", "join_extra",
    "CEN", "LOC", "EOCD", "EOCD64", "LOC64", "LIMIT32", "LIMIT16", "ZIP64_TAG",
]

CEN = struct.Struct("<4s6H3L5H2L")  # central directory file header, 46 bytes
LOC = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes
EOCD = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
EOCD64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory record, 56 bytes
LOC64 = struct.Struct("<4sLQL")  # zip64 end of central directory locator, 20 bytes
CEN_SIG, LOC_SIG, DD_SIG = b"PK\x01\x02", b"PK\x03\x04", b"PK\x07\x08"
EOCD_SIG, EOCD64_SIG, LOC64_SIG = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
LIMIT32, LIMIT16 = 0xFFFFFFFF, 0xFFFF
ZIP64_TAG = 0x0001
MAX_COMMENT = 0xFFFF
NOT_MASKED = (False, False, False, False)  # Entry.masked of most entries: no field in the ZIP64 extra


class ZipFormatError(ValueError):
    """A structural problem; ``entry`` names the record when there is one."""

    def __init__(self, reason: str, entry: str | None = None) -> None:
        self.reason = reason
        self.entry = entry
        super().__init__(f"{entry}: {reason}" if entry else reason)


class Blob(Protocol):
    """Random access to the bytes of one archive (a file, a spool, or a slice of another)."""

    size: int

    def pread(self, offset: int, length: int) -> bytes: ...


class FileBlob:
    """A real file, read with ``os.pread`` so nested views never fight over a file position."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fd = fh.fileno()
        self.size = os.fstat(self._fd).st_size

    def pread(self, offset: int, length: int) -> bytes:
        return os.pread(self._fd, length, offset)


class StreamBlob:
    """A seekable stream such as a ``SpooledTemporaryFile`` holding an inflated nested archive."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.size = fh.seek(0, os.SEEK_END)

    def pread(self, offset: int, length: int) -> bytes:
        self._fh.seek(offset)
        return self._fh.read(length)


class BytesBlob:
    """An archive in memory: a small nested WAR, inflated."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.size = len(data)

    def pread(self, offset: int, length: int) -> bytes:
        return self._data[offset : offset + length]


class SliceBlob:
    """``length`` bytes of another blob from ``base``: a STORED nested archive, read in place."""

    def __init__(self, parent: Blob, base: int, length: int) -> None:
        self._parent, self._base, self.size = parent, base, length

    def pread(self, offset: int, length: int) -> bytes:
        length = max(0, min(length, self.size - offset))
        return self._parent.pread(self._base + offset, length)


@dataclass
class Entry:
    """One central directory record, plus where its local record lies once checked."""

    name: str
    raw_name: bytes
    made_by: int
    needed: int
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    csize: int
    usize: int
    disk: int
    iattr: int
    eattr: int
    offset: int  # absolute position of the local header in the blob
    extra: bytes
    comment: bytes
    masked: tuple[bool, bool, bool, bool]  # usize, csize, offset, disk given in the ZIP64 extra
    central: bytes = b""  # the central header as it was, for copying it unchanged
    stated: int = 0  # the local header's offset as the central header states it
    data_offset: int = 0
    end: int = 0  # first byte after the data (and data descriptor)

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & 0x1)


@dataclass
class Directory:
    """What the end records and the central directory say about an archive."""

    entries: list[Entry]
    comment: bytes
    cd_start: int  # absolute position of the central directory
    zip64: bool  # the archive carried ZIP64 end records


def split_extra(extra: bytes) -> list[tuple[int, bytes]]:
    """Extra field blocks as (header id, data); trailing junk is kept as a block with id -1."""
    blocks: list[tuple[int, bytes]] = []
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<2H", extra, pos)
        if pos + 4 + size > len(extra):
            break
        blocks.append((tag, extra[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    if pos < len(extra):
        blocks.append((-1, extra[pos:]))  # some writers pad; keep the bytes as they were
    return blocks


def join_extra(blocks: list[tuple[int, bytes]]) -> bytes:
    return b"".join(data if tag < 0 else struct.pack("<2H", tag, len(data)) + data for tag, data in blocks)


def _zip64_values(extra: bytes, wanted: int, entry: str) -> list[int]:
    for tag, data in split_extra(extra):
        if tag == ZIP64_TAG:
            if len(data) < 8 * wanted:
                raise ZipFormatError("ZIP64 extra field is too short", entry)
            return list(struct.unpack_from(f"<{wanted}Q", data))
    raise ZipFormatError("ZIP64 sizes announced but the ZIP64 extra field is missing", entry)


def _end_records(blob: Blob) -> tuple[int, int, int, int, bytes, bool]:
    """(entry count, cd size, stated cd offset, position of the first end record, comment, zip64)."""
    if blob.size < EOCD.size:
        raise ZipFormatError("not a zip archive (too short)")
    tail_start = max(0, blob.size - EOCD.size - MAX_COMMENT)
    tail = blob.pread(tail_start, blob.size - tail_start)

    def ends_the_file(at: int) -> bool:
        # The signature may occur inside the comment: the true record is the one whose
        # comment length reaches exactly the end of the file.
        return at + EOCD.size <= len(tail) and at + EOCD.size + tail[at + 20] + 256 * tail[at + 21] == len(tail)

    pos = tail.rfind(EOCD_SIG)
    while pos >= 0 and not ends_the_file(pos):
        pos = tail.rfind(EOCD_SIG, 0, pos)
    if pos < 0:
        raise ZipFormatError("not a zip archive, or truncated (no end of central directory record)")
    _, disk, cd_disk, _, count, cd_size, cd_offset, clen = EOCD.unpack_from(tail, pos)
    comment = tail[pos + EOCD.size : pos + EOCD.size + clen]
    eocd_pos = tail_start + pos
    if disk != 0 or cd_disk != 0:
        raise ZipFormatError("multi-volume archives are not supported")
    locator_pos = eocd_pos - LOC64.size
    if locator_pos >= 0 and blob.pread(locator_pos, 4) == LOC64_SIG:
        _, _, _, disks = LOC64.unpack(blob.pread(locator_pos, LOC64.size))
        if disks > 1:
            raise ZipFormatError("multi-volume archives are not supported")
        # The record sits right before its locator (extensible data is never written by jar/zip).
        rec_pos = locator_pos - EOCD64.size
        record = blob.pread(rec_pos, EOCD64.size) if rec_pos >= 0 else b""
        if len(record) != EOCD64.size or record[:4] != EOCD64_SIG:
            raise ZipFormatError("ZIP64 end of central directory record is missing or damaged")
        _, _, _, _, _, _, _, count, cd_size, cd_offset = EOCD64.unpack(record)
        return count, cd_size, cd_offset, rec_pos, comment, True
    # Without a locator the 16/32-bit values are taken as they are: some writers store exactly
    # 65535 entries without ZIP64 records, and a wrong value fails the checks that follow.
    return count, cd_size, cd_offset, eocd_pos, comment, False


def _decode_name(raw_name: bytes, flags: int) -> str:
    """An entry name as Java reads it: bit 11 says UTF-8 (jar always sets it); without it,
    Info-ZIP's zip still writes the UTF-8 bytes of the file system, which java.util.zip reads
    as UTF-8 too, so valid UTF-8 is taken as such, and only other bytes as code page 437."""
    if raw_name.isascii():
        return raw_name.decode("ascii")
    if flags & 0x800:
        return raw_name.decode("utf-8", errors="replace")
    try:
        return raw_name.decode("utf-8")
    except UnicodeDecodeError:
        return raw_name.decode("cp437")


def read_directory(blob: Blob) -> Directory:
    """Parse the end records and every central directory header.  Raises ZipFormatError."""
    count, cd_size, stated, end_pos, comment, zip64 = _end_records(blob)
    cd_start = end_pos - cd_size
    # Bytes prepended to the archive (a launcher script, say) shift every offset alike;
    # zipfile and unzip allow for that, so do we.
    shift = cd_start - stated
    if cd_start < 0 or shift < 0:
        raise ZipFormatError("central directory lies outside the file (truncated archive?)")
    cd = blob.pread(cd_start, cd_size)
    # Thousands of objects that hold no cycles: the cyclic collector would scan them
    # again and again while they are made (a third of the time on a 20,000-entry WAR).
    collecting = gc.isenabled()
    gc.disable()
    try:
        entries = _central_headers(cd, count, shift)
    finally:
        if collecting:
            gc.enable()
    return Directory(entries, comment, cd_start, zip64)


def central_directory(blob: Blob) -> bytes:
    """The central directory's bytes where the end records place it, no header parsed: enough
    to ask whether a name occurs at all (validate, of a WAR's hundreds of library jars, about
    4x cheaper than ``read_directory``).  Raises ZipFormatError."""
    _, cd_size, stated, end_pos, _, _ = _end_records(blob)
    cd_start = end_pos - cd_size
    if cd_start < 0 or cd_start < stated:
        raise ZipFormatError("central directory lies outside the file (truncated archive?)")
    return blob.pread(cd_start, cd_size)


def _central_headers(cd: bytes, count: int, shift: int) -> list[Entry]:
    entries: list[Entry] = []
    pos = 0
    unpack, size, cd_length = CEN.unpack_from, CEN.size, len(cd)
    for index in range(count):
        if pos + size > cd_length:
            raise ZipFormatError(f"central directory header {index} is damaged")
        (sig, made_by, needed, flags, method, dostime, dosdate, crc, csize, usize,
         nlen, elen, clen, disk, iattr, eattr, offset) = unpack(cd, pos)
        if sig != CEN_SIG:
            raise ZipFormatError(f"central directory header {index} is damaged")
        start = pos + size
        raw_name = cd[start : start + nlen]
        extra = cd[start + nlen : start + nlen + elen] if elen else b""
        entry_comment = cd[start + nlen + elen : start + nlen + elen + clen] if clen else b""
        pos = start + nlen + elen + clen
        if pos > cd_length:
            raise ZipFormatError(f"central directory header {index} runs past the directory")
        name = raw_name.decode("ascii") if raw_name.isascii() else _decode_name(raw_name, flags)
        masked = NOT_MASKED
        if usize == LIMIT32 or csize == LIMIT32 or offset == LIMIT32 or disk == LIMIT16:
            masked = (usize == LIMIT32, csize == LIMIT32, offset == LIMIT32, disk == LIMIT16)
            values = iter(_zip64_values(extra, sum(masked), name))
            usize = next(values) if masked[0] else usize
            csize = next(values) if masked[1] else csize
            offset = next(values) if masked[2] else offset
            disk = next(values) if masked[3] else disk
        entries.append(Entry(name, raw_name, made_by, needed, flags, method, dostime, dosdate,
                             crc, csize, usize, disk, iattr, eattr, offset + shift, extra,
                             entry_comment, masked, cd[start - size : pos], offset))
    if pos != cd_length:
        raise ZipFormatError(f"central directory holds more than the {count} entries announced")
    return entries


def _descriptor_length(raw: bytes, entry: Entry, wide: bool) -> int:
    """Length of the data descriptor ``raw`` starts with (24 bytes read after ``entry``'s
    data); its values must match the CEN."""
    sig = 4 if raw[:4] == DD_SIG else 0
    # Try the width the local header implies first, then the other: writers disagree on
    # when a descriptor carries 8-byte sizes.
    for size_width in ((8, 4) if wide else (4, 8)):
        fmt = "<LQQ" if size_width == 8 else "<LLL"
        length = sig + struct.calcsize(fmt)
        if len(raw) >= length and struct.unpack_from(fmt, raw, sig) == (entry.crc, entry.csize, entry.usize):
            return length
    raise ZipFormatError("data descriptor does not match the central directory", entry.name)


def locate_records(blob: Blob, directory: Directory) -> None:
    """Check every local header against its central record and find where each record ends.

    Records must not overlap each other or the central directory: overlapping records are
    how "non-recursive" zip bombs make a small file inflate to gigabytes.
    """
    ordered = sorted(directory.entries, key=_by_offset)
    offsets = [e.offset for e in ordered] + [directory.cd_start]
    data, start, upto = b"", 0, -1  # records read in one go: entries up to index ``upto``
    unpack, loc_size = LOC.unpack_from, LOC.size
    for index, entry in enumerate(ordered):
        offset = entry.offset
        if index > upto:
            # Small records close together are read a stretch at a time (one read for many
            # headers of a WAR of small entries, not two per entry); a big entry's data is not.
            upto = index
            while offsets[upto + 1] - offset <= _SPAN and upto + 1 < len(ordered):
                upto += 1
            stop = offsets[upto + 1]
            if stop - offset > 2 * _SPAN:
                stop = offsets[upto] + 4096  # the last one is big: its header, not its data
            start, data = offset, blob.pread(offset, max(stop - offset, 0) + 64)
        rel = offset - start
        raw_name = entry.raw_name
        nlen = len(raw_name)
        if rel + loc_size + nlen > len(data):
            data, start, rel = blob.pread(offset, loc_size + nlen + 64), offset, 0
            if len(data) < loc_size:
                raise ZipFormatError("local header is missing (truncated or corrupt archive)", entry.name)
        sig, _, flags, method, _, _, crc, csize, usize, local_nlen, elen = unpack(data, rel)
        if sig != LOC_SIG:
            raise ZipFormatError("local header is missing (truncated or corrupt archive)", entry.name)
        data_offset = offset + loc_size + local_nlen + elen
        if local_nlen != nlen or data[rel + loc_size : rel + loc_size + nlen] != raw_name:
            raise ZipFormatError("local header names a different entry", entry.name)
        if method != entry.method or (flags ^ entry.flags) & 0x9:
            raise ZipFormatError("local header disagrees with the central directory", entry.name)
        entry.data_offset = data_offset
        if flags & 0x8 or ((csize == LIMIT32 or usize == LIMIT32) and elen):
            entry.end = _unusual_end(blob, entry, flags, (crc, csize, usize), nlen, elen)
        else:
            if crc != entry.crc or csize != entry.csize or usize != entry.usize:
                raise ZipFormatError("local header sizes or CRC disagree with the central directory", entry.name)
            entry.end = data_offset + csize
        if entry.end > offsets[index + 1]:
            what = "the central directory" if index + 1 == len(ordered) else "the next entry"
            raise ZipFormatError(f"entry data runs into {what} (truncated, or overlapping entries)", entry.name)


_SPAN = 64 * 1024  # records closer than this are read together


_by_offset = operator.attrgetter("offset")


def _unusual_end(blob: Blob, entry: Entry, flags: int, local: tuple[int, int, int], nlen: int, elen: int) -> int:
    """Where the record of ``entry`` ends when a data descriptor follows or ZIP64 sizes are local."""
    local_extra = blob.pread(entry.offset + LOC.size + nlen, elen)
    wide = any(tag == ZIP64_TAG for tag, _ in split_extra(local_extra))
    if flags & 0x8:
        raw = blob.pread(entry.data_offset + entry.csize, 24)
        return entry.data_offset + entry.csize + _descriptor_length(raw, entry, wide)
    crc, csize, usize = local
    if wide:
        usize, csize = _zip64_values(local_extra, 2, entry.name)
    if (crc, csize, usize) != (entry.crc, entry.csize, entry.usize):
        raise ZipFormatError("local header sizes or CRC disagree with the central directory", entry.name)
    return entry.data_offset + entry.csize


def read_local_extra(blob: Blob, entry: Entry) -> bytes:
    """The extra field of ``entry``'s local header (it differs from the central one)."""
    _, _, _, _, _, _, _, _, _, nlen, elen = LOC.unpack(blob.pread(entry.offset, LOC.size))
    return blob.pread(entry.offset + LOC.size + nlen, elen)


def copy_range(blob: Blob, start: int, end: int, out: BinaryIO, chunk: int = 1 << 20) -> None:
    """Copy bytes [start, end) of ``blob`` to ``out`` as they are, a chunk at a time."""
    while start < end:
        data = blob.pread(start, min(chunk, end - start))
        if not data:
            raise ZipFormatError("archive ended early while copying")
        out.write(data)
        start += len(data)
