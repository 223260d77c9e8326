"""The shipped profiles' manifests, parsed once and kept beside Python's own bytecode cache.

Every splice reads the shipped manifests (its profile's, and the others' for CWWSM0550W).
Parsing them costs ~9 ms, tomllib's import (datetime, its regular expressions) most of it:
a tenth of a splice that has nothing to do.  So, like a ``.pyc``, their parsed form is kept
in ``__pycache__`` beside them (or under ``sys.pycache_prefix``), in ``marshal``, keyed on
each manifest's size and modification time; it is not written when Python writes no
bytecode, nor where the folder is read-only.  A cache that is missing, stale, unreadable or
of another Python is ignored: the manifests are parsed as if it were not there.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib.util import cache_from_source
from pathlib import Path
from typing import Any

__all__ = ["read_manifests"]

_FORMAT = 1  # bump when the cached layout changes


def read_manifests(folder: Path, names: list[str], manifest: str) -> dict[str, dict[str, Any]]:
    """``{name: parsed folder/name/manifest}``, from the cache when it is current."""
    stamps = []
    for name in names:
        stat = os.stat(folder / name / manifest)
        stamps.append((name, stat.st_mtime_ns, stat.st_size))
    key = (_FORMAT, sys.implementation.cache_tag, stamps)
    path = _cache_path(folder)
    try:
        with open(path, "rb") as fh:
            cached_key, parsed = marshal.load(fh)
        if cached_key == key:
            return parsed  # type: ignore[no-any-return]
    except (OSError, EOFError, ValueError, TypeError):
        pass  # no cache yet, or not one this Python can read: parse
    import tomllib

    parsed = {name: tomllib.loads((folder / name / manifest).read_text("utf-8")) for name in names}
    if not sys.dont_write_bytecode:
        _write(path, (key, parsed))
    return parsed


def _cache_path(folder: Path) -> Path:
    # Where Python would put the bytecode of a module "manifests" in the folder.
    return Path(cache_from_source(str(folder / "manifests.py"))).with_suffix(".marshal")


def _write(path: Path, value: Any) -> None:
    try:
        data = marshal.dumps(value)
    except ValueError:
        return  # a value marshal cannot keep (a TOML date): no cache
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as fh:
            fh.write(data)
        os.replace(temp, path)  # whole or not at all, for a reader in another process
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
