"""The path an entry has once deployed: one spelling of every entry name, for every comparison."""

from __future__ import annotations

import unicodedata

__all__ = ["deployed_name", "clash_key", "clash_keys", "strip_segments"]

_SEPARATORS = "/\\"


def _plain(name: str) -> bool:
    # Almost every name is already in deployed form; this keeps a 20k-entry WAR to one scan.
    return ("\\" not in name and "//" not in name and not name.startswith(("/", "./"))
            and "/./" not in name and not name.endswith("/.") and name != ".")


def deployed_name(name: str) -> str:
    """The path *name* has once expanded, as unzip, ``jar xf`` and the server's own expansion
    resolve it: ``\\`` is a separator (Windows tools write it), ``.`` segments, repeated and
    leading separators are dropped; a directory keeps its trailing ``/``.

    ``WEB-INF\\web.xml``, ``./WEB-INF/web.xml`` and ``WEB-INF//web.xml`` are all
    ``WEB-INF/web.xml``.  ``..`` is kept: check_name refuses it as unsafe.  Case is kept;
    ``clash_key`` compares without it.
    """
    if _plain(name):
        return name
    text = name.replace("\\", "/")
    path = "/".join(part for part in text.split("/") if part and part != ".")
    return path + "/" if path and text.endswith("/") else path


def clash_key(name: str) -> str:
    """The key under which two names are one file on some file system: the deployed path,
    in lower case (Windows and macOS ignore case) and, beyond ASCII, in NFC (macOS composes).

    ``str.lower`` rather than ``casefold``: the file systems fold case one character at a
    time (``Straße`` and ``STRASSE`` are two files on NTFS)."""
    path = deployed_name(name)
    if not path.isascii():
        path = unicodedata.normalize("NFC", path)
    return path.lower()


def clash_keys(names: list[str]) -> list[str]:
    """``[clash_key(name) for name in names]``, for the usual archive in a few scans of all
    the names at once: ASCII, every name in deployed form already (whatever is not leaves a
    trace in the names joined by newlines: a ``\\``, ``//``, ``/./``, or a ``/``, ``./``
    or ``.`` alone after a newline), then one ``lower`` for them all."""
    joined = "\n" + "\n".join(names) + "\n"
    if (joined.isascii() and joined.count("\n") == len(names) + 1
            and not any(mark in joined for mark in _NOT_PLAIN)):
        return joined[1:-1].lower().split("\n") if names else []
    return [clash_key(name) for name in names]


_NOT_PLAIN = ("\\", "//", "/./", "\n/", "\n./", "/.\n", "\n.\n")


def strip_segments(name: str, depth: int) -> str:
    r"""*name* without its first *depth* path segments, the rest spelled exactly as it is.

    ``strip_segments(r"./Web.war\WEB-INF\web.xml", 1)`` is ``WEB-INF\web.xml``: an entry of
    a folder module keeps its own spelling, so a change to it is written where it is.
    """
    index, count, end = 0, 0, len(name)
    while index < end and count < depth:
        stop = index
        while stop < end and name[stop] not in _SEPARATORS:
            stop += 1
        if name[index:stop] not in ("", "."):
            count += 1
        index = stop + 1
    rest = name[index:]
    while rest.startswith(("/", "\\", "./", ".\\")):
        rest = rest[1:] if rest[0] in _SEPARATORS else rest[2:]
    return rest
