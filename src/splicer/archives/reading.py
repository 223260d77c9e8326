"""Read applications: zip archives, nested to any depth, bounded; the reader every kind shares."""

from __future__ import annotations

import abc
import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import IO, BinaryIO, NamedTuple

from splicer.archives import fastzlib, zipraw
from splicer.archives.names import clash_key, clash_keys, deployed_name, strip_segments
from splicer.archives.zipraw import Blob, Entry
from splicer.errors import ArchiveError, UsageError, Where

__all__ = ["Limits", "LIMITS", "AppReader", "ZipAppReader", "FolderReader", "open_app", "open_zip", "check_name",
           "reuse"]

STORED, DEFLATED = 0, 8
CHUNK = 1 << 20
AT_ONCE = 8 << 20  # an entry of at most this much, packed and unpacked, is inflated in one call
MiB = 1 << 20
SIGNATURE_BLOCKS = ("RSA", "DSA", "EC")
_DRIVE_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class Limits(NamedTuple):
    """Bounds on what is inflated: a descriptor we read, and a nested archive we spool."""

    max_read: int = 64 * MiB  # web.xml or application.xml; real ones are kilobytes
    max_nested: int = 16 * 1024 * MiB  # a nested WAR inflated to a spool file
    max_ratio: int = 100  # inflated / compressed, beyond ratio_floor; JARs and XML stay far below
    ratio_floor: int = 1 * MiB  # small entries may legitimately compress very well
    # A nested archive bigger than this spools to disk.  Measured on the benchmark EAR (three
    # 25 MB WARs): 32 MiB kept both spools of a WAR in memory (peak RSS 90 MiB) and was no
    # faster than 4 MiB (peak 25 MiB), since growing a BytesIO copies as much as the page cache.
    spool_memory: int = 4 * MiB
    # Inside ``reuse``, nested archives read by the plan are kept for the write; those held
    # in memory (spools under ``spool_memory``) up to this much in all, the rest read again.
    keep_memory: int = 32 * MiB


LIMITS = Limits()


def check_name(name: str, where: Where) -> None:
    """Refuse an entry name that is empty, absolute or climbs out with ``..`` (zip-slip)."""
    # Plain string tests, no pathlib: this runs once per entry (20,000 in a big WAR).  A
    # Windows drive is what PureWindowsPath calls one here: a letter and ':' in front (a
    # UNC or device path starts with a separator, refused already).
    if (not name or "\x00" in name or name[0] in "/\\"
            or (name[1:2] == ":" and name[0] in _DRIVE_LETTERS)
            or (".." in name and ".." in name.replace("\\", "/").split("/"))):
        raise ArchiveError("unsafe entry name (absolute, or climbs out with '..')", where.child(name))


_UNSAFE_START = re.compile(r"\n(?:[/\\]|[A-Za-z]:|\n)")  # after a newline: an absolute path, a drive, ""


def all_safe(names: list[str]) -> bool:
    """Whether ``check_name`` would pass every one of ``names``, in one scan of them all
    (where it says no, ``check_name`` of each tells which one and why): what it refuses
    always leaves a trace in the names joined by newlines."""
    joined = "\n" + "\n".join(names) + "\n"
    return "\x00" not in joined and ".." not in joined and _UNSAFE_START.search(joined) is None


class AppReader(abc.ABC):
    """Read-only view of an application: a zip archive, a directory, or a folder inside a zip.

    Names use ``/`` and directories end with ``/``.  Every ``read`` is bounded by ``Limits``.
    ``nested`` returns a reader the caller may close; closing the parent closes it too.
    """

    is_dir: bool

    def __init__(self, where: Where, limits: Limits) -> None:
        self.where = where
        self.limits = limits
        self._children: list[AppReader] = []
        self._index: dict[str, list[str]] | None = None
        # Kept open past ``close`` until ``release`` (inside ``reuse``): what the plan read,
        # a nested WAR inflated included, is there again for the write.
        self._kept = False
        self._kept_nested: dict[str, AppReader] = {}

    @abc.abstractmethod
    def names(self) -> list[str]:
        """Every entry name, in archive order (sorted for a directory)."""

    @abc.abstractmethod
    def read(self, name: str) -> bytes:
        """The bytes of one file entry.  Raises ArchiveError if missing, corrupt or too big."""

    @abc.abstractmethod
    def has(self, name: str) -> bool:
        """Whether ``name`` is an entry (a file, or a directory when it ends with ``/``)."""

    @abc.abstractmethod
    def _open_nested(self, name: str) -> AppReader:
        """The module ``name`` (a zip entry, a folder of entries, or a directory) as a reader."""

    def nested(self, name: str) -> AppReader:
        """The module ``name``, e.g. ``Web.war``, as a zipped archive or a folder."""
        check_name(name, self.where)
        key = name.rstrip("/")
        child = self._kept_nested.get(key)
        if child is not None:
            return child
        child = self._open_nested(key)
        self._children.append(child)
        if self._kept and child.memory_held() <= self.limits.keep_memory - self._nested_memory():
            child._kept = True
            self._kept_nested[key] = child
        return child

    def forget(self, child: AppReader) -> None:
        """Close *child*, a reader ``nested`` gave, and let it go at once, not when this one
        closes: validate looks into a WAR's hundreds of library jars one at a time."""
        child.release()
        self._children = [c for c in self._children if c is not child]
        self._kept_nested = {k: c for k, c in self._kept_nested.items() if c is not child}

    def memory_held(self) -> int:
        """Bytes of memory this reader holds for its archive (an inflated spool not on disk)."""
        return 0

    def _nested_memory(self) -> int:
        return sum(child.memory_held() for child in self._kept_nested.values())

    def by_deployed_path(self) -> dict[str, list[str]]:
        """Entry names by ``clash_key``, in archive order: built once, one pass over the names."""
        if self._index is None:
            index: dict[str, list[str]] = {}
            collecting = gc.isenabled()
            gc.disable()  # a list per entry, no cycles: nothing for the collector to find
            try:
                names = self.names()
                keys = clash_keys(names)
                if len(set(keys)) == len(keys):  # the usual archive: one name per key
                    index = {key: [name] for key, name in zip(keys, names) if key}
                else:
                    for name, key in zip(names, keys):
                        if key:
                            index.setdefault(key, []).append(name)
            finally:
                if collecting:
                    gc.enable()
            self._index = index
        return self._index

    def lookup(self, path: str) -> list[str]:
        """Every entry that is *path* once deployed, under any spelling (``\\``, ``./``,
        ``//``, case), in archive order.  A *path* ending in ``/`` looks for folders."""
        return list(self.by_deployed_path().get(clash_key(path), ()))

    def clashes(self) -> list[list[str]]:
        """Groups of two or more file entries that are one file once deployed on some OS."""
        return [names for key, names in self.by_deployed_path().items() if len(names) > 1 and not key.endswith("/")]

    def winner(self, names: list[str], path: str = "") -> tuple[str, str]:
        """Of entries that are one deployed file (*path*), the one that is deployed, and why.

        Extraction (unzip, ``jar xf``, the server expanding an EAR) writes entries in archive
        order, so where two land on one file the last one overwrites the others.
        """
        return names[-1], "the last of them in the archive, which extraction writes over the others"

    def outer_name(self, name: str) -> str:
        """Entry *name* as the archive that holds it spells it: the same, except for a folder
        module, whose entries belong to the archive or directory around it."""
        return name

    def link_of(self, name: str) -> str | None:
        """Where a symbolic link *name* leads (a path in the application), None if it is no link."""
        return None

    def signature_files(self) -> list[str]:
        """``META-INF/*.SF`` files that have a signature block, with those blocks; [] if unsigned."""
        names = self.names()
        if "".join(names).isascii():
            # Only those the index files under meta-inf/ can be (in ASCII, a deployed path's
            # upper case starts with META-INF/ when its lower case does): not every entry again.
            wanted = {n for key, group in self.by_deployed_path().items() if key.startswith("meta-inf/") for n in group}
            names = [n for n in names if n in wanted]
        meta = [(deployed_name(n), n) for n in names]
        files = {path.upper(): n for path, n in meta if path.upper().startswith("META-INF/") and path.count("/") == 1}
        found: list[str] = []
        for upper, name in files.items():
            if upper.endswith(".SF"):
                blocks = [files[upper[:-2] + ext] for ext in SIGNATURE_BLOCKS if upper[:-2] + ext in files]
                if blocks:
                    found += [name, *blocks]
        return sorted(found)

    def close(self) -> None:
        if self._kept:
            return  # until release()
        for child in self._children:
            child.release()
        self._children.clear()
        self._kept_nested.clear()

    def release(self) -> None:
        """Close this reader even if it was kept."""
        self._kept = False
        self.close()

    def __enter__(self) -> AppReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class ZipAppReader(AppReader):
    """A zip archive, checked on opening: structure, names, duplicates, encryption."""

    is_dir = False

    def __init__(self, blob: Blob, where: Where, limits: Limits = LIMITS, *, owned: IO[bytes] | None = None) -> None:
        super().__init__(where, limits)
        self.blob = blob
        self._owned = owned
        try:
            self.directory = zipraw.read_directory(blob)
            zipraw.locate_records(blob, self.directory)
        except zipraw.ZipFormatError as exc:
            self.close()
            raise ArchiveError(exc.reason, where.child(exc.entry) if exc.entry else where) from None
        listed = self.directory.entries
        self.entries: dict[str, Entry] = dict(zip([e.name for e in listed], listed))
        if (len(self.entries) == len(listed) and all_safe(list(self.entries))
                and not any(e.flags & 0x1 for e in listed)):
            return  # the usual archive, checked in bulk: the loop below says which entry is at fault
        self.entries = {}
        try:
            for entry in listed:
                check_name(entry.name, where)
                if entry.name in self.entries:
                    raise ArchiveError("duplicate entry name", where.child(entry.name))
                if entry.encrypted:
                    raise ArchiveError("encrypted entries cannot be spliced", where.child(entry.name))
                self.entries[entry.name] = entry
        except ArchiveError:
            self.close()
            raise

    def names(self) -> list[str]:
        return list(self.entries)

    def has(self, name: str) -> bool:
        return name in self.entries

    def entry(self, name: str) -> Entry:
        try:
            return self.entries[name]
        except KeyError:
            raise ArchiveError("no such entry", self.where.child(name)) from None

    def read(self, name: str) -> bytes:
        entry = self.entry(name)
        if entry.is_dir:
            raise ArchiveError("is a directory entry, not a file", self.where.child(name))
        chunks: list[bytes] = []
        self._inflate(entry, chunks.append, self.limits.max_read)
        return b"".join(chunks)

    def is_folder(self, name: str) -> bool:
        """Whether entries sit under ``name/``, as deployed (an exploded module inside a zip)."""
        prefix = clash_key(name.rstrip("/") + "/")
        return any(key.startswith(prefix) for key in self.by_deployed_path())

    def _open_nested(self, name: str) -> AppReader:
        entry = self.entries.get(name)
        if entry is None:
            # Spelled otherwise in the archive (``.\\Web.war``): the entry deployed at that path.
            files = [n for n in self.lookup(name) if not self.entries[n].is_dir]
            entry = self.entries[self.winner(files, name)[0]] if files else None
        if entry is None or entry.is_dir:
            if self.is_folder(name):
                return FolderReader(self, deployed_name(name) + "/")
            raise ArchiveError("no such nested module", self.where.child(name))
        where = self.where.child(entry.name)
        if entry.method == STORED:
            # A STORED archive is read in place: no copy, no memory that grows with it.
            return ZipAppReader(zipraw.SliceBlob(self.blob, entry.data_offset, entry.csize), where, self.limits)
        if entry.usize <= self.limits.spool_memory:
            # Small: in memory, in one piece (a growing spool copied it again and again).
            chunks: list[bytes] = []
            self._inflate(entry, chunks.append, self.limits.max_nested)
            return ZipAppReader(zipraw.BytesBlob(b"".join(chunks)), where, self.limits)
        import tempfile  # only here: its import (random, shutil, hashlib) is start-up time

        from splicer.scratch import temp_dir

        spool = tempfile.TemporaryFile(dir=temp_dir())  # unnamed where the system allows (O_TMPFILE)
        try:
            self._inflate(entry, spool.write, self.limits.max_nested)
            spool.flush()
            return ZipAppReader(zipraw.FileBlob(spool), where, self.limits, owned=spool)
        except BaseException:
            spool.close()
            raise

    def _inflate(self, entry: Entry, write: Callable[[bytes], object], bound: int) -> None:
        """Inflate ``entry`` into ``write``, never past ``bound`` or its declared size; check the CRC."""
        where = self.where.child(entry.name)
        if entry.method not in (STORED, DEFLATED):
            raise ArchiveError(f"compression method {entry.method} is not supported", where)
        if entry.usize > bound:
            raise ArchiveError(f"entry inflates to {entry.usize} bytes, over the limit of {bound}", where)
        if (entry.method == DEFLATED and entry.usize > self.limits.ratio_floor
                and entry.usize > entry.csize * self.limits.max_ratio):
            raise ArchiveError(
                f"compression ratio {entry.usize // max(entry.csize, 1)}:1 is over {self.limits.max_ratio}:1 "
                "(decompression bomb?)", where)
        pos, end = entry.data_offset, entry.data_offset + entry.csize
        inflater = fastzlib.inflater() if entry.method == DEFLATED else None
        if entry.usize <= AT_ONCE and entry.csize <= AT_ONCE:
            data = self._inflate_at_once(entry, inflater, where)
            if data:
                write(data)
            return
        total = crc = 0
        try:
            while True:
                if inflater is not None and inflater.eof:
                    break
                if inflater is not None and inflater.unconsumed_tail:
                    raw = inflater.unconsumed_tail
                elif pos < end:
                    raw = self.blob.pread(pos, min(CHUNK, end - pos))
                    if not raw:
                        raise ArchiveError("entry data is truncated", where)
                    pos += len(raw)
                elif inflater is None:
                    break
                else:
                    raw = b""
                # max_length keeps a hostile stream from inflating more than a chunk at once.
                data = raw if inflater is None else inflater.decompress(raw, CHUNK)
                if not raw and not data:
                    raise ArchiveError("deflate stream is truncated", where)
                total += len(data)
                if total > entry.usize:
                    raise ArchiveError("entry inflates past its declared size (decompression bomb?)", where)
                crc = fastzlib.crc32(data, crc)
                write(data)
        except fastzlib.ERRORS as exc:
            raise ArchiveError(f"corrupt compressed data ({exc})", where) from None
        if total != entry.usize or crc != entry.crc:
            raise ArchiveError("CRC or size check failed (corrupt entry)", where)

    def _inflate_at_once(self, entry: Entry, inflater: fastzlib.Inflater | None, where: Where) -> bytes:
        """``_inflate`` of a small entry: one read, one call, one result (no chunks to join);
        the same checks, and max_length still bounds what a hostile stream can produce."""
        raw = self.blob.pread(entry.data_offset, entry.csize)
        if len(raw) != entry.csize:
            raise ArchiveError("entry data is truncated", where)
        data = raw
        if inflater is not None:
            try:
                data = inflater.decompress(raw, entry.usize + 1)
            except fastzlib.ERRORS as exc:
                raise ArchiveError(f"corrupt compressed data ({exc})", where) from None
            if len(data) > entry.usize:
                raise ArchiveError("entry inflates past its declared size (decompression bomb?)", where)
            if not inflater.eof:
                raise ArchiveError("deflate stream is truncated", where)
        if len(data) != entry.usize or fastzlib.crc32(data, 0) != entry.crc:
            raise ArchiveError("CRC or size check failed (corrupt entry)", where)
        return data

    def memory_held(self) -> int:
        # A nested archive past ``spool_memory`` went to disk; a file or a slice of one costs nothing.
        return self.blob.size if isinstance(self.blob, zipraw.BytesBlob) else 0

    def close(self) -> None:
        super().close()
        if self._owned is not None and not self._kept:
            self._owned.close()
            self._owned = None


class FolderReader(AppReader):
    """Entries under ``prefix`` of a zip (``Web.war/WEB-INF/web.xml``): an exploded module in a zip.

    ``prefix`` is a deployed path; the parent's entries under it may spell it otherwise
    (``./Web.war/``, ``Web.war\\``).  Each keeps the rest of its name as it is spelled, and
    ``outer_name`` gives back the parent's entry, so a change is written to that entry.
    """

    is_dir = True

    def __init__(self, parent: ZipAppReader, prefix: str) -> None:
        super().__init__(parent.where.child(prefix.rstrip("/")), parent.limits)
        self.parent, self.prefix = parent, prefix
        key, depth = clash_key(prefix), prefix.count("/")
        under = {name for path, names in parent.by_deployed_path().items() if path.startswith(key) for name in names}
        self._outer: dict[str, str] = {}
        for name in parent.names():  # in archive order
            if name in under and (inner := strip_segments(name, depth)):
                self._outer[inner] = name  # on a clash the last one, as extraction leaves it

    def names(self) -> list[str]:
        return list(self._outer)

    def has(self, name: str) -> bool:
        return name in self._outer

    def read(self, name: str) -> bytes:
        return self.parent.read(self._outer.get(name, self.prefix + name))

    def outer_name(self, name: str) -> str:
        return self._outer.get(name, self.prefix + name)

    def _open_nested(self, name: str) -> AppReader:
        return self.parent._open_nested(self.outer_name(name))


def open_zip(path: Path, where: Where, limits: Limits) -> ZipAppReader:
    fh: BinaryIO = path.open("rb")
    try:
        return ZipAppReader(zipraw.FileBlob(fh), where, limits, owned=fh)
    except BaseException:
        fh.close()
        raise


_KEPT: ContextVar[dict[tuple[int, ...], ZipAppReader] | None] = ContextVar("splicer_kept_readers", default=None)


@contextmanager
def reuse() -> Iterator[None]:
    """Read each zip archive once in this block: ``open_app`` of a file opened already here
    (the same file, unchanged) gives back that reader, and closing it keeps it open, with
    the nested archives it inflated, until the block ends.  The plan and the write of one
    splice run in one such block, so a changed WAR is inflated once, not twice."""
    kept: dict[tuple[int, ...], ZipAppReader] = {}
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)
        for reader in kept.values():
            reader.release()


def _identity(path: Path) -> tuple[int, ...]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def open_app(path: Path, limits: Limits = LIMITS) -> AppReader:
    """Open an EAR or WAR, zipped or exploded.  Raises UsageError if it is missing, ArchiveError if bad."""
    from splicer.archives.directory import DirAppReader  # it builds on this module

    where = Where((str(path),))
    if path.is_dir():
        return DirAppReader(path, where, limits)
    kept = _KEPT.get()
    try:
        key = _identity(path) if kept is not None else ()
        reader = kept.get(key) if kept is not None else None
        if reader is not None and reader.limits == limits and reader.where == where:
            return reader
        reader = open_zip(path, where, limits)
    except OSError as exc:
        raise UsageError(f"cannot open application: {exc.strerror}", where) from None
    if kept is not None and key not in kept:
        reader._kept = True
        kept[key] = reader
    return reader
