"""Archives: reading (zip, nested, exploded) apart from rewriting (raw copy, atomic replace)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from splicer.archives.reading import LIMITS, AppReader, Limits, open_app, reuse

if TYPE_CHECKING:
    from splicer.archives.writing import Changes, write_app


def __getattr__(name: str) -> Any:
    # The writing side (scratch files, their owner tags, hashlib) is imported only when an
    # archive is written: a splice with nothing to change never needs it.
    if name in ("Changes", "write_app"):
        return getattr(importlib.import_module("splicer.archives.writing"), name)
    raise AttributeError(f"module 'splicer.archives' has no attribute {name!r}")

__all__ = ["AppReader", "Changes", "LIMITS", "Limits", "open_app", "reuse", "write_app"]
