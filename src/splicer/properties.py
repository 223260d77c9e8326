"""splicer.properties -> typed, validated Settings (java.util.Properties.load syntax).

Decisions (where the spec is silent; users need them in the README too):

* Syntax is exactly ``Properties.load(InputStream)``, by way of ``javaproperties.parse``: the
  file is read as ISO-8859-1, other characters need ``\\uXXXX`` escapes.
* Encoding: an entry whose raw bytes are valid UTF-8 *and* not ASCII is an error telling the user
  to write ``\\uXXXX`` escapes, because Java would read ``é`` as ``Ã©`` and the original tool
  would splice that mojibake.  Comments are never checked (UTF-8 comments are harmless).  A
  UTF-8 byte order mark is an error too (Java makes it part of the first key), and so are NUL
  bytes (a UTF-16 file).  Lone Latin-1 bytes such as ``\\xe9`` are read as Java reads them.
* Every documented key is typed (``properties_keys.KNOWN_KEYS``); defaults are the 8.6 ones
  (replicationInterval 10, sessionTableSize 1000) and are documentation only: absent keys are
  not written.  7.0-era keys are accepted with a CWWSM0521W warning naming their successor.
* Unknown key: ConfigError with a did-you-mean; with ``allow_unknown`` it passes through as a
  param with a CWWSM0522W warning.  Empty value of a known key: ConfigError (comment the line
  out to get the default).  Every occurrence of a key is checked, overridden ones too.
* Values are written exactly as given, except: booleans are lower-cased; typed values lose
  trailing whitespace (CWWSM0523W), which Java keeps but which no typed value allows; free-text
  values (credentialGeneratorProps, traceSpec, paths) keep it as Java does, with CWWSM0524W when
  it is literal (write ``\\u0020`` to keep a space on purpose without the warning).
* A duplicate key: the last occurrence wins, value *and* position (the earlier line is ignored
  as if deleted), with a CWWSM0520W warning naming both lines.
* A file with no entries is a ConfigError: splicing nothing is a mistake (wrong file?).
* Case: booleans take true/false in any case (not Boolean.parseBoolean's "anything else is
  false"); choices (objectGridType REMOTE|EMBEDDED, credentialAuthentication Never|Supported|
  Required, the 7.0 ones) must match exactly, and a wrong case gets a did-you-mean.
* Characters XML 1.0 cannot hold (controls, lone surrogates) are refused in keys and values,
  and so is an empty key (``=value``), because every entry becomes a ``<context-param>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from splicer._javaprops import reading as javaproperties
from splicer._javaprops import util as _jputil

from splicer.errors import ConfigError, Diagnostic, UsageError, Where
from splicer.properties_keys import KNOWN_KEYS, KeySpec, ValueProblem

__all__ = ["KNOWN_KEYS", "KeySpec", "Param", "RawEntry", "Settings", "load_properties", "read_entries"]

DUPLICATE_KEY = "CWWSM0520W"
LEGACY_KEY = "CWWSM0521W"
UNKNOWN_KEY = "CWWSM0522W"
STRIPPED_WHITESPACE = "CWWSM0523W"
TRAILING_WHITESPACE = "CWWSM0524W"

_EOL = re.compile(r"\r\n?|\n")  # the line ends Properties.load knows
# XML 1.0 Char production, minus what no context-param can hold.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The last physical line's literal trailing blanks: those not after an odd run of backslashes.
_LITERAL_TRAILING = re.compile(r"(?<!\\)(?:\\\\)*([ \t\f]+)\Z")


class Param(NamedTuple):
    """One setting, as it becomes a ``<context-param>``; ``line`` is where its entry starts."""

    name: str
    value: str
    line: int


@dataclass
class Settings:
    """The validated contents of one splicer.properties, in file order."""

    source: Path
    params: list[Param]
    warnings: list[Diagnostic]

    def pairs(self) -> list[tuple[str, str]]:
        return [(param.name, param.value) for param in self.params]

    def get(self, name: str) -> str | None:
        """The value set in the file, or None when the key is absent."""
        return next((param.value for param in self.params if param.name == name), None)


class RawEntry(NamedTuple):
    """One key/value entry as Properties.load reads it, before any key or value check."""

    key: str
    value: str
    line: int
    source: str  # the entry's physical lines, decoded as ISO-8859-1, continuations included


def read_entries(data: bytes, where: Where = Where()) -> list[RawEntry]:
    """Every entry of a .properties file in order, duplicates included, with its first line."""
    line = 1
    entries: list[RawEntry] = []
    try:
        for element in javaproperties.parse(data.decode("iso-8859-1")):
            if isinstance(element, javaproperties.KeyValue):
                entries.append(RawEntry(element.key, element.value, line, element.source))
            # Continuation lines are part of the element's source, so they count here too.
            line += len(_jputil.ascii_splitlines(element.source))
    except javaproperties.InvalidUEscapeError as exc:
        # parse() fails inside the entry that follows the last one it gave us.
        raise ConfigError(
            f"malformed \\uXXXX escape {exc.escape!r}", where.at(line),
            hint="write exactly four hex digits after \\u",
        ) from None
    return entries


def _read_file(path: Path) -> bytes:
    if not path.exists():
        raise UsageError("the properties file does not exist", Where((str(path),)))
    # A pipe is a file too: `splice app.ear <(render-settings)` hands one over as /dev/fd/N.
    if not (path.is_file() or path.is_fifo()):
        raise UsageError("the properties file is not a regular file", Where((str(path),)))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the properties file: {exc.strerror}", Where((str(path),))) from None


def _check_bytes(data: bytes, where: Where) -> None:
    if data.startswith(b"\xef\xbb\xbf"):
        raise ConfigError(
            "the file starts with a UTF-8 byte order mark, which java.util.Properties reads "
            "as part of the first key", where.at(1), hint="save the file without a BOM",
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ConfigError(
            "the file contains NUL bytes: not a Latin-1 .properties file (UTF-16?)", where.at(line),
            hint="save it as ISO-8859-1 or ASCII with \\uXXXX escapes",
        )


def _check_encoding(entry: RawEntry, where: Where) -> None:
    """Refuse an entry that is UTF-8 text, which Java would read as mojibake (see module doc)."""
    if entry.source.isascii():
        return
    raw = entry.source.encode("iso-8859-1")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # genuine Latin-1, as Java reads it
    offset = next(index for index, char in enumerate(entry.source) if ord(char) > 0x7F)
    breaks = len(_EOL.findall(entry.source[:offset]))
    # Show the offending physical line as the user would have to write it.
    physical = _jputil.ascii_splitlines(text)[breaks].strip()
    escaped = "".join(char if char.isascii() else f"\\u{ord(char):04x}" for char in physical)
    line = entry.line + breaks
    raise ConfigError(
        "non-ASCII text in UTF-8: java.util.Properties reads the file as ISO-8859-1 and would "
        "garble it", where.at(line), key=entry.key, value=entry.value,
        hint=f"write it with \\uXXXX escapes: {escaped}",
    )


def _check_chars(entry: RawEntry, where: Where) -> None:
    if not entry.key:
        # '=value' is legal for Java (the key is ''), but no <param-name> may be empty.
        raise ConfigError("an entry with an empty key", where.at(entry.line), key="", value=entry.value)
    for field, text in (("key", entry.key), ("value", entry.value)):
        bad = _XML_ILLEGAL.search(text)
        if bad:
            raise ConfigError(
                f"the {field} holds U+{ord(bad.group()):04X}, which an XML context-param cannot hold",
                where.at(entry.line), key=entry.key, value=entry.value,
            )


def _suggest(key: str, known: Mapping[str, KeySpec]) -> str | None:
    by_case = [name for name in known if name.lower() == key.lower()]
    import difflib  # only for a key that is unknown

    close = by_case or difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return f"did you mean {close[0]}?" if close else None


def _check_value(spec: KeySpec, entry: RawEntry, where: Where, warnings: list[Diagnostic]) -> str:
    value = entry.value
    here = where.at(entry.line)
    if spec.type.free_text:
        trailing = _LITERAL_TRAILING.search(entry.source.rstrip("\r\n"))
        if trailing and value.strip():
            warnings.append(Diagnostic(
                TRAILING_WHITESPACE,
                f"{entry.key}: trailing whitespace kept in the value ({value!r}), as Java does; "
                "write \\u0020 if it is meant",
                here,
            ))
    elif value != value.rstrip(" \t\f"):
        value = value.rstrip(" \t\f")
        warnings.append(Diagnostic(
            STRIPPED_WHITESPACE, f"{entry.key}: trailing whitespace removed from {entry.value!r}", here
        ))
    try:
        checked = spec.type.validate(value)
    except ValueProblem as problem:
        raise ConfigError(
            f"bad value for {entry.key}: {entry.value!r} ({problem.detail})", here,
            key=entry.key, value=entry.value, allowed=spec.type.allowed,
            hint=problem.hint or (f"comment the line out to use the default ({spec.default})"
                                  if not value and spec.default is not None else None),
        ) from None
    if spec.replaced_by is not None:
        warnings.append(Diagnostic(
            LEGACY_KEY, f"{entry.key} is a WebSphere eXtreme Scale 7.0 setting; since 7.1 use "
            f"{spec.replaced_by}", here,
        ))
    return checked


def _dedupe(params: list[Param], where: Where, warnings: list[Diagnostic]) -> list[Param]:
    """Last occurrence wins, value and position (see module doc), with one warning per loser."""
    last = {param.name: param for param in params}
    for param in params:
        winner = last[param.name]
        if winner is not param:
            warnings.append(Diagnostic(
                DUPLICATE_KEY,
                f"{param.name} is set on line {param.line} and again on line {winner.line}; "
                f"line {winner.line} wins ({winner.value!r})",
                where.at(param.line),
            ))
    return [param for param in params if last[param.name] is param]


def load_properties(path: Path, *, allow_unknown: bool = False, keys: Mapping[str, KeySpec] | None = None) -> Settings:
    """Read, check and type a splicer.properties file against *keys* (a profile's; by default
    the default profile's, KNOWN_KEYS).

    Raises UsageError when the file cannot be read, ConfigError (exit 2) for anything wrong in
    it: syntax, encoding, unknown key, bad value, no settings at all.
    """
    known = KNOWN_KEYS if keys is None else keys
    path = Path(path)
    where = Where((str(path),))
    data = _read_file(path)
    _check_bytes(data, where)
    warnings: list[Diagnostic] = []
    params: list[Param] = []
    for entry in read_entries(data, where):
        _check_encoding(entry, where)
        _check_chars(entry, where)
        spec = known.get(entry.key)
        if spec is not None:
            value = _check_value(spec, entry, where, warnings)
        elif allow_unknown:
            value = entry.value
            suggestion = _suggest(entry.key, known)
            warnings.append(Diagnostic(
                UNKNOWN_KEY,
                f"unknown key {entry.key} passed through unchecked"
                + (f" ({suggestion})" if suggestion else ""),
                where.at(entry.line),
            ))
        else:
            raise ConfigError(
                f"unknown key {entry.key!r}", where.at(entry.line), key=entry.key, value=entry.value,
                hint=_suggest(entry.key, known) or "--allow-unknown passes it through unchecked",
            )
        params.append(Param(entry.key, value, entry.line))
    if not params:
        raise ConfigError(
            "no settings: the file has no key=value entries", where,
            hint="uncomment the settings to splice, e.g. objectGridType=REMOTE",
        )
    return Settings(source=path, params=_dedupe(params, where, warnings), warnings=warnings)

