"""A web module's library jars (WEB-INF/lib/*.jar) and the META-INF/web-fragment.xml each may carry.

A WAR may hold hundreds of jars and few carry a fragment, so a jar is read as far as needed:
its central directory is searched, as bytes, for the fragment's name, and only a jar whose
directory has it is opened (every record checked) to read it.  One stored in the WAR, or a
file of an exploded WAR, is read where it lies; a deflated one has to be inflated whole to
reach its directory, with the checks every nested archive has (sizes, CRC, the bomb ratio;
spooled to disk past ``spool_memory``).  Each jar is let go before the next is looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from splicer.archives import AppReader, zipraw
from splicer.archives.directory import DirAppReader
from splicer.archives.names import deployed_name
from splicer.archives.reading import STORED, FolderReader, ZipAppReader
from splicer.errors import ArchiveError

__all__ = ["WEB_FRAGMENT_XML", "Fragment", "library_jars", "fragment_entry", "read_fragment"]

WEB_FRAGMENT_XML = "META-INF/web-fragment.xml"
_LIB = "web-inf/lib/"  # as a clash key: deployed path, lower case
# A central directory that never spells this (in any case) names no fragment.  Its bytes are
# searched as they are: a name's bytes beyond ASCII are all >= 0x80 in UTF-8 and in CP437
# alike, and bytes.lower() maps ASCII letters only, so no other character can match.
_NEEDLE = b"web-fragment.xml"


class Fragment(NamedTuple):
    """The web-fragment.xml of a library jar."""

    jar: str  # the jar's entry in the WAR, spelled as it is there
    entry: str  # the fragment's entry in the jar, spelled as it is there
    data: bytes
    # Spelled META-INF/web-fragment.xml exactly.  A container reads a library jar in place
    # (java.util.zip finds an entry by its exact name), never expanded: another spelling
    # (META-INF\web-fragment.xml, ./META-INF/..., a case variant) is not seen there.
    exact: bool


def library_jars(war: AppReader) -> list[str]:
    """The entries of *war* that are ``WEB-INF/lib/*.jar`` once deployed (any spelling: ``\\``,
    ``./``, case), one per deployed path, in archive order (name order for a folder)."""
    found: list[str] = []
    for key, names in war.by_deployed_path().items():
        if key.startswith(_LIB) and key.endswith(".jar") and "/" not in key[len(_LIB):]:
            files = [name for name in names if not name.endswith("/")]
            if files:
                found.append(war.winner(files, deployed_name(files[-1]))[0])
    return found


def fragment_entry(jar: AppReader) -> tuple[str, bool] | None:
    """The entry of *jar* that is META-INF/web-fragment.xml once deployed, and whether it is
    spelled exactly so (always, for a folder); None when the jar has none."""
    files = [name for name in jar.lookup(WEB_FRAGMENT_XML) if not name.endswith("/")]
    if not files:
        return None
    if WEB_FRAGMENT_XML in files:
        return WEB_FRAGMENT_XML, True
    return jar.winner(files, WEB_FRAGMENT_XML)[0], jar.is_dir


def read_fragment(war: AppReader, jar: str) -> Fragment | None:
    """The web-fragment.xml of the library jar *jar* of *war*, None when it has none.

    :raises ArchiveError: the jar cannot be read (damaged, a bomb, unsafe names), naming it.
    :raises OSError: a file of an exploded WAR cannot be opened.
    """
    with _directory_source(war, jar) as blob:
        if blob is not None and not _names_a_fragment(blob, war, jar):
            return None
        if isinstance(blob, zipraw.BytesBlob):
            # Inflated already: opened from those bytes, as nested() opens a small deflated jar.
            with ZipAppReader(blob, war.where.child(jar), war.limits) as reader:
                return _fragment(reader, jar)
    reader = war.nested(jar)
    try:
        return _fragment(reader, jar)
    finally:
        war.forget(reader)


def _fragment(reader: AppReader, jar: str) -> Fragment | None:
    found = fragment_entry(reader)
    if found is None:
        return None
    entry, exact = found
    return Fragment(jar, entry, reader.read(entry), exact)


def _names_a_fragment(blob: zipraw.Blob, war: AppReader, jar: str) -> bool:
    """Whether the central directory of the jar in *blob* may name a web-fragment.xml (the
    jar is then opened, every record checked, to find it)."""
    try:
        return _NEEDLE in zipraw.central_directory(blob).lower()
    except zipraw.ZipFormatError as exc:
        raise ArchiveError(exc.reason, war.where.child(jar)) from None


@contextmanager
def _directory_source(war: AppReader, jar: str) -> Iterator[zipraw.Blob | None]:
    """The bytes of *jar*, to look at its central directory before opening it: where they lie
    (a stored entry of a zipped WAR, a file of an exploded one), or inflated in memory (a
    deflated entry up to ``spool_memory``, with ``read``'s checks); None for a bigger one,
    which ``nested`` spools to disk."""
    zipped: AppReader = war.parent if isinstance(war, FolderReader) else war
    name = war.outer_name(jar)  # a folder module's entries belong to the zip around it
    if isinstance(zipped, ZipAppReader):
        entry = zipped.entries.get(name)
        if entry is not None and entry.method == STORED:
            yield zipraw.SliceBlob(zipped.blob, entry.data_offset, entry.csize)
        elif entry is not None and entry.usize <= war.limits.spool_memory:
            yield zipraw.BytesBlob(war.read(jar))
        else:
            yield None
    elif isinstance(war, DirAppReader):
        path = war.path_of(jar)  # refuses a link that leads out of the application
        if not path.is_file():
            yield None  # let nested() say what it is
            return
        with path.open("rb") as fh:
            yield zipraw.FileBlob(fh)
    else:
        yield None
