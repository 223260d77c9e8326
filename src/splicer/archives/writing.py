"""Rewrite an archive: untouched entries copied raw, changed ones re-encoded, atomic replace."""

from __future__ import annotations

import contextlib
import io
import os
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeAlias

from splicer import scratch
from splicer.archives import records, zipraw
from splicer.archives.deflate import DeflateSink, stretches
from splicer.archives.reading import LIMITS, Limits, ZipAppReader, check_name, open_app
from splicer.errors import ArchiveError, OutputError, SplicerError, Where

__all__ = ["Changes", "write_app", "write_file", "rewrite_zip", "atomic_output", "temp_prefix"]

# entry name -> new bytes; None deletes the entry; a dict changes the nested module of that name.
Changes: TypeAlias = "dict[str, bytes | None | Changes]"
MANIFEST = "META-INF/MANIFEST.MF"
MAX_PREFIX_NAME = 200  # bytes of the target's name kept in a temp name: 255 less room for the rest
SPOOL_PREFIX = ".splicer-spool."
_OFFSET = struct.Struct("<L")  # a central header's local header offset, at byte 42


@contextmanager
def atomic_output(target: Path, mode_of: Path | None = None) -> Iterator[BinaryIO]:
    """A new file that replaces ``target`` only if the block ends without error.

    While it is written the file has no name at all (``O_TMPFILE`` in the target's folder),
    so a run killed at any point leaves nothing behind.  Complete, it is flushed and
    fsynced, given the owner of the file it replaces (where allowed) and the mode of
    ``mode_of`` (the original) or, for a new file, 0o666 less the umask; then it gets an
    owner-named scratch name (``splicer.scratch``) for the instant before ``os.replace``
    renames it over ``target``: atomic, in one folder of one file system.  Where unnamed
    files are not possible it carries that name from the start, locked; a SIGKILL then
    leaves it for the next run, which removes it (``scratch.sweep``).  On any error (an
    interrupt included) nothing is left and the target is as it was.
    """
    folder = target.parent
    prefix = temp_prefix(target)
    fd = scratch.unnamed_file(folder)
    named: Path | None = None
    if fd is None:
        fd, named = scratch.named_file(folder, prefix)
    fh = os.fdopen(fd, "w+b")
    try:
        yield fh
        fh.flush()
        mode = _mode_for(mode_of)
        _finish(target, fd, mode)  # durable before it has a name
        final = fd
        if named is None:
            named, final = _name(fh, folder, prefix)
        try:
            if final != fd:
                _finish(target, final, mode)
            os.replace(named, target)
            named = None
        finally:
            if final != fd:
                os.close(final)
    finally:
        if named is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(named)
        fh.close()  # the lock goes with it; an unnamed file that was never named is gone
    _fsync_dir(folder)


def _finish(target: Path, fd: int, mode: int) -> None:
    _keep_owner(target, fd)  # before the mode: a chown clears set-id bits
    os.fchmod(fd, mode)
    os.fsync(fd)


def _mode_for(mode_of: Path | None) -> int:
    if mode_of is not None and mode_of.exists():
        return mode_of.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _name(fh: BinaryIO, folder: Path, prefix: str) -> tuple[Path, int]:
    """A scratch name for the unnamed file of ``fh``, and the fd of what it names.

    Normally the same inode, linked in; should the link be refused, a named copy.
    """
    fd = fh.fileno()
    try:
        return scratch.link_into(fd, folder, prefix), fd
    except OSError:
        pass
    copy, path = scratch.named_file(folder, prefix)
    try:
        size = os.fstat(fd).st_size
        done = 0
        while done < size:
            copied = os.copy_file_range(fd, copy, size - done, done, done)
            if copied == 0:
                raise OSError(f"the scratch copy stopped at {done} of {size} bytes")
            done += copied
    except BaseException:
        os.close(copy)
        os.unlink(path)
        raise
    return path, copy


def _keep_owner(target: Path, fd: int) -> None:
    """Give the temp file the owner of the file it replaces, where we may (root in a build
    container splicing a mounted user's archive); otherwise it stays the caller's."""
    try:
        st = target.stat()
    except FileNotFoundError:
        return
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            pass


def temp_prefix(target: Path) -> str:
    """``.name.`` for a temp file beside ``target``, short enough that the temp name (with
    its random part and ``.splicing``) still fits a 255-byte file name when ``target``'s does."""
    name = target.name
    while len(os.fsencode(name)) > MAX_PREFIX_NAME:
        name = name[:-1]
    return f".{name}."


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder is synced; not every file system allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_app(src: Path, changes: Changes, out: Path | None = None, *, limits: Limits = LIMITS) -> None:
    """Apply ``changes`` to the application at ``src``, writing ``out`` (None: ``src`` in place).

    Zip archives: entries not named in ``changes`` are copied raw (local header, data, data
    descriptor, order); the archive comment is kept.  A changed entry keeps its method and
    time (or takes SOURCE_DATE_EPOCH).  A new name is added DEFLATED right after the last entry
    of its top folder (``WEB-INF/web.xml`` after the last ``WEB-INF/`` entry), else at the end,
    at SOURCE_DATE_EPOCH or else the newest time in the archive.  A nested dict rewrites that
    nested module the same way.  Directories are handled by ``exploded.write_tree``.

    :raises ArchiveError: the input is corrupt, hostile, or a change names a missing module.
    :raises OutputError: the output cannot be written; the input and any old output are untouched.
    """
    if src.is_dir():
        from splicer.archives.exploded import write_tree

        write_tree(src, changes, out, limits=limits)
        return
    if out is None and not changes:
        return  # nothing to change: the archive is not rewritten at all
    # In place through a symlink (app.ear -> app-1.0.ear) rewrites the file it points at;
    # renaming over the link itself would leave that file unspliced and the link a copy.
    target = Path(os.path.realpath(src)) if out is None else out
    scratch.sweep(target.parent)  # what killed runs left beside it, if their owners are gone
    if _has_nested(changes):
        scratch.sweep(Path(scratch.temp_dir()), prefix=SPOOL_PREFIX)
    with open_app(src, limits) as reader:
        assert isinstance(reader, ZipAppReader)
        try:
            with atomic_output(target, mode_of=src) as fh:
                rewrite_zip(reader, changes, fh, ranges=False)
        except SplicerError:
            raise
        except OSError as exc:
            # The path as the user gave it, not the file a symlink led to.
            named = src if out is None else out
            raise OutputError(f"cannot write: {exc.strerror or exc}", Where((str(named),))) from exc


def write_file(src: Path, data: bytes, out: Path | None = None) -> None:
    """Replace the file ``src`` (a web.xml given on its own) by ``data``, or write it to ``out``;
    atomically, as ``write_app`` does (a symlink's target is rewritten, the link kept)."""
    target = Path(os.path.realpath(src)) if out is None else out
    scratch.sweep(target.parent)
    try:
        with atomic_output(target, mode_of=src) as fh:
            fh.write(data)
    except SplicerError:
        raise
    except OSError as exc:
        named = src if out is None else out
        raise OutputError(f"cannot write: {exc.strerror or exc}", Where((str(named),))) from exc


def _has_nested(changes: Changes) -> bool:
    return any(isinstance(value, dict) for value in changes.values())


def _flatten(reader: ZipAppReader, changes: Changes) -> Changes:
    """Turn changes to a folder module (``Web.war/`` entries in the zip) into plain entry changes."""
    flat: Changes = {}
    for name, value in changes.items():
        key = name.rstrip("/") if isinstance(value, dict) else name
        check_name(key, reader.where)
        entry = reader.entries.get(key)
        if isinstance(value, dict) and (entry is None or entry.is_dir) and reader.is_folder(key):
            flat.update(_flatten(reader, {f"{key}/{sub}": v for sub, v in value.items()}))
            continue
        where = reader.where.child(key)
        if isinstance(value, dict) and (entry is None or entry.is_dir):
            raise ArchiveError("no such nested module to change", where)
        if value is None and entry is None:
            raise ArchiveError("cannot delete a missing entry", where)
        if isinstance(value, bytes) and key.endswith("/"):
            raise ArchiveError("cannot give bytes to a directory entry", where)
        if entry is not None and value is not None and entry.method not in (records.STORED, records.DEFLATED):
            raise ArchiveError(f"cannot re-encode compression method {entry.method}", where)
        flat[key] = value
    return flat


def _placement(entries: list[zipraw.Entry], new: list[str]) -> dict[int, list[str]]:
    """Where each new entry goes: index of the entry it follows (-1: first of all)."""
    after: dict[int, list[str]] = {}
    for name in new:
        if name == MANIFEST:
            # The manifest must stay first (after a leading META-INF/ folder) for JarInputStream.
            index = 0 if entries and entries[0].name == "META-INF/" else -1
        else:
            top = name.split("/", 1)[0] + "/" if "/" in name else None
            same = [i for i, e in enumerate(entries) if top is not None and e.name.startswith(top)]
            index = same[-1] if same else len(entries) - 1
        after.setdefault(index, []).append(name)
    return after


class _RawRun:
    """Consecutive untouched records, copied in one go (most of an archive is one run)."""

    def __init__(self, reader: ZipAppReader, out: records.Output, compressed: list[tuple[int, int]],
                 ranges: bool) -> None:
        self.reader, self.out, self.compressed = reader, out, compressed
        self.want_ranges = ranges
        self.start = self.end = -1
        self.out_start = 0
        self.ranges: list[tuple[int, int]] = []  # deflated data in the run, where the reader has it
        # ``compressed`` gets them (joined, see deflate.stretches) where they are in ``out``.

    def add(self, entry: zipraw.Entry) -> bytes:
        if entry.offset != self.end:
            self.flush()
            self.start, self.end, self.out_start = entry.offset, entry.offset, self.out.tell()
        self.end = entry.end
        offset = entry.offset + self.out_start - self.start
        if self.want_ranges and entry.method == records.DEFLATED:
            self.ranges.append((entry.data_offset, entry.data_offset + entry.csize))
        central = entry.central
        if entry.masked is zipraw.NOT_MASKED and central and offset < zipraw.LIMIT32:
            # central_for_copy's own shortcut, inline: this runs for every entry copied.
            return central if offset == entry.stated else central[:42] + _OFFSET.pack(offset) + central[46:]
        return records.central_for_copy(entry, offset)

    def flush(self) -> None:
        if self.start >= 0:
            joined = stretches(self.ranges)
            moved = self.out_start - self.start
            self.compressed += [(a + moved, b + moved) for a, b in joined]
            if isinstance(self.out, DeflateSink):
                self.out.copy(self.reader.blob, self.start, self.end, joined)
            else:
                zipraw.copy_range(self.reader.blob, self.start, self.end, self.out)
        self.start = self.end = -1
        self.ranges = []


def rewrite_zip(reader: ZipAppReader, changes: Changes, out: records.Output, *,
                ranges: bool = True) -> list[tuple[int, int]]:
    """Write the archive of ``reader`` with ``changes`` to ``out`` (at position 0): a seekable
    file, or the ``DeflateSink`` of the entry this archive is nested in.

    Returns the byte ranges of ``out`` that hold deflated data, for ``deflate.Deflater``
    (with ``ranges=False``, where nothing will deflate ``out``, they are not worked out).
    """
    changes = _flatten(reader, changes)
    entries = reader.directory.entries
    new = [name for name in changes if name not in reader.entries]
    for name in new:
        if not isinstance(changes[name], bytes):
            raise ArchiveError("a new entry needs bytes", reader.where.child(name))
    after = _placement(entries, new)
    stamp = records.newest_stamp(entries) if new else (0, 0)
    first = min((e.offset for e in entries), default=reader.directory.cd_start)
    # Bytes before the first record (a launcher stub) are kept; offsets become absolute.
    if isinstance(out, DeflateSink):
        out.copy(reader.blob, 0, first, [])
    else:
        zipraw.copy_range(reader.blob, 0, first, out)
    compressed: list[tuple[int, int]] = []
    run = _RawRun(reader, out, compressed, ranges or isinstance(out, DeflateSink))
    centrals: list[bytes] = []

    def written(entry: records.Written, method: int) -> None:
        centrals.append(entry.central)
        if method == records.DEFLATED:
            compressed.append((entry.data_start, entry.data_end))

    def add_new(names: list[str]) -> None:
        run.flush()
        for name in names:
            data = changes[name]
            assert isinstance(data, bytes)
            spec = records.spec_for_new(name, stamp)
            written(records.write_entry(out, spec, io.BytesIO(data), len(data)), spec.method)

    add_new(after.get(-1, []))
    for index, entry in enumerate(entries):
        value = changes.get(entry.name, entry)
        if value is entry:
            centrals.append(run.add(entry))
        elif value is not None:
            run.flush()
            spec = records.spec_for_change(entry, zipraw.read_local_extra(reader.blob, entry))
            if isinstance(value, bytes):
                written(records.write_entry(out, spec, io.BytesIO(value), len(value)), spec.method)
            else:
                assert isinstance(value, dict)
                written(_write_nested(reader, entry, value, spec, out), spec.method)
        if index in after:
            add_new(after[index])
    run.flush()
    cd_start = out.tell()
    directory = b"".join(centrals)
    out.write(directory)
    out.write(records.end_records(len(centrals), cd_start, len(directory),
                                  reader.directory.comment, reader.directory.zip64))
    return compressed


def _write_nested(reader: ZipAppReader, entry: zipraw.Entry, changes: Changes,
                  spec: records.EntrySpec, out: records.Output) -> records.Written:
    """Rewrite a nested archive and store it as ``entry``: streamed into its deflater where
    it can be, else through a spool (on disk past the bound)."""
    with reader.nested(entry.name) as inner:
        assert isinstance(inner, ZipAppReader)
        if not isinstance(out, DeflateSink) and _fits_32_bits(inner, changes):
            return records.write_streamed(out, spec, lambda sink: _rewrite_into(inner, changes, sink))
        # Past the bound the spool is a file in the temp folder, unnamed where the system allows
        # (tempfile uses O_TMPFILE), else named for its owner for the instant before its unlink.
        named_for_me = f"{SPOOL_PREFIX}{scratch.owner_tag()}-"
        with tempfile.SpooledTemporaryFile(max_size=reader.limits.spool_memory, prefix=named_for_me,
                                           suffix=scratch.SUFFIX, dir=scratch.temp_dir()) as spool:
            compressed = rewrite_zip(inner, changes, spool)  # type: ignore[arg-type]
            size = spool.tell()
            spool.seek(0)
            return records.write_entry(out, spec, spool, size, compressed)


def _rewrite_into(inner: ZipAppReader, changes: Changes, sink: DeflateSink) -> None:
    rewrite_zip(inner, changes, sink)


def _fits_32_bits(inner: ZipAppReader, changes: Changes) -> bool:
    """Whether the rewritten archive surely stays where ``write_entry`` would not use ZIP64
    sizes: the header is written before the size is known.  Only new bytes make it grow."""
    if any(isinstance(value, dict) for value in changes.values()):
        return False  # an archive nested deeper: its growth is not known beforehand
    growth = sum(len(value) + 2 * len(name.encode()) + 256 for name, value in changes.items()
                 if isinstance(value, bytes))
    return (inner.blob.size + growth) * 1.05 < zipraw.LIMIT32
