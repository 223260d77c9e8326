"""Archives: reading (zip, nested, exploded) apart from rewriting (raw copy, atomic replace)."""

from splicer.archives.reading import LIMITS, AppReader, Limits, open_app, reuse
from splicer.archives.writing import Changes, write_app

__all__ = ["AppReader", "Changes", "LIMITS", "Limits", "open_app", "reuse", "write_app"]
