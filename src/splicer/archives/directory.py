"""Read an exploded application on disk: every path kept inside it, links followed where they stay."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from splicer.archives.reading import LIMITS, AppReader, Limits, check_name, open_zip
from splicer.errors import ArchiveError, Where

__all__ = ["DirAppReader"]


class DirAppReader(AppReader):
    """An exploded application on disk; paths never leave ``root``."""

    is_dir = True

    def __init__(self, root: Path, where: Where, limits: Limits = LIMITS, *, boundary: Path | None = None,
                 prefix: str = "") -> None:
        super().__init__(where, limits)
        self.root = root
        # Nested folders keep the application's own root as the boundary, so a symlinked
        # module folder cannot lead a later write out of the tree either.
        self.boundary = boundary or Path(os.path.realpath(root))
        self.prefix = prefix  # this folder's path in the directory around it ('' at the top)
        self._names: list[str] | None = None

    def path_of(self, name: str) -> Path:
        """The path for ``name``, refused if it (through any symlink) leads out of the application."""
        check_name(name, self.where)
        path = self.root / PurePosixPath(name)
        if not Path(os.path.realpath(path)).is_relative_to(self.boundary):
            link, target = self._escaping_link(name)
            raise ArchiveError(f"path leads out of the application directory: the symbolic link {link} "
                               f"names {target}", self.where.child(name))
        return path

    def _escaping_link(self, name: str) -> tuple[str, str]:
        """The first link along *name* whose target lies outside the application, and that target."""
        path = self.root
        for part in PurePosixPath(name).parts:
            path = path / part
            real = os.path.realpath(path)
            if path.is_symlink() and not Path(real).is_relative_to(self.boundary):
                return (self.prefix + path.relative_to(self.root).as_posix()), real
        return self.prefix + name, os.path.realpath(self.root / PurePosixPath(name))

    def names(self) -> list[str]:
        """Every file and folder, sorted.  Symbolic links to folders inside the application are
        followed (not into a folder they are already inside, so a loop ends); a link that leads
        out is listed as a folder and not looked into."""
        if self._names is None:
            found: list[str] = []
            self._walk(str(self.root), "", (os.path.realpath(self.root),), found)
            self._names = sorted(found)
        return list(self._names)

    def _walk(self, folder: str, prefix: str, chain: tuple[str, ...], found: list[str]) -> None:
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            name = prefix + entry.name
            if not entry.is_dir():  # follows links; a dangling link is listed as a file
                found.append(name)
                continue
            found.append(name + "/")
            real = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(chain[-1], entry.name)
            # A link back up (to a folder we are in, or one it is in) would walk without end.
            if real in chain or chain[-1].startswith(real + os.sep) or not Path(real).is_relative_to(self.boundary):
                continue
            self._walk(entry.path, name + "/", chain + (real,), found)

    def winner(self, names: list[str], path: str = "") -> tuple[str, str]:
        # Already extracted: on a case-sensitive file system each is a file of its own, and
        # the server opens the one spelled exactly as the path it looks for.
        if path in names:
            return path, f"the one spelled {path}, the file a server opens on this file system"
        return sorted(names)[-1], "the last of them in name order"

    def outer_name(self, name: str) -> str:
        return self.prefix + name

    def link_of(self, name: str) -> str | None:
        path = self.path_of(name)
        if not path.is_symlink():
            return None
        return Path(os.path.realpath(path)).relative_to(self.boundary).as_posix()

    def has(self, name: str) -> bool:
        path = self.path_of(name)
        return path.is_dir() if name.endswith("/") else path.is_file()

    def read(self, name: str) -> bytes:
        path = self.path_of(name)
        if path.is_symlink() and not path.exists():
            raise ArchiveError(f"dangling symbolic link: it names {os.readlink(path)}, which does not exist",
                               self.where.child(name))
        if not path.is_file():
            raise ArchiveError("no such file", self.where.child(name))
        with path.open("rb") as fh:
            data = fh.read(self.limits.max_read + 1)
        if len(data) > self.limits.max_read:
            raise ArchiveError(f"file is over the limit of {self.limits.max_read} bytes", self.where.child(name))
        return data

    def _open_nested(self, name: str) -> AppReader:
        path = self.path_of(name)
        if path.is_dir():
            return DirAppReader(path, self.where.child(name), self.limits, boundary=self.boundary,
                                prefix=self.prefix + name + "/")
        if path.is_file():
            return open_zip(path, self.where.child(name), self.limits)
        raise ArchiveError("no such nested module", self.where.child(name))
