"""The encoding an XML file is read in, decided once, as Java's XML parser decides it.

A descriptor is read by the application server's JAXP parser, Xerces in the JDK.  Its SAX
and DOM parsers take an encoding name that Xerces' EncodingMap knows (``WINDOWS-31J`` is
MS932, ``MS_KANJI`` is SJIS, ...) or, since the JDK turns Xerces' allow-java-encodings on
for them, any name or alias of a ``java.nio.charset`` charset (``MS932``, ``Cp1252``,
``UTF8``, ``ISO8859_1``, ``x-sjis``), compared without case.  (StAX refuses the Java-only
names; a descriptor is parsed with SAX or DOM.)  javacharsets.CHARSETS lists every such
name with the Python codec that decodes the bytes as Java does.  Java's names decide, not
Python's: Python reads ``MS_Kanji`` as cp932, Java as Shift_JIS.

Everything that reads or writes an XML file asks :func:`decide`: xmlsafe parses with it and
webxml.source edits with it.  lxml (libxml2) parses the bytes as they are only in the
Unicode encodings, ISO-8859-1 and ASCII, which it decodes itself as Java does; any other
file is decoded with the Python codec and parsed as UTF-8 with the declaration saying so,
the same lines in the same places.  The bytes written out are never re-encoded: only the
inserted text is encoded, with the file's own codec (see :meth:`Encoding.encode`).
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING, NamedTuple

from splicer.errors import DescriptorError, Where
from splicer.javacharsets import CHARSETS, JAVA_ONLY, Charset

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).  The
# codecs named here keep the mark as U+FEFF in the text, so text and bytes map one to one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" without a mark (XML 1.0 appendix F): the family the declaration is read in.
_SNIFF = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_EBCDIC_START = b"\x4c\x6f\xa7\x94"  # "<?xm" in every EBCDIC code page
_DECLARATION = re.compile(r"""\A\ufeff?<\?xml\s[^>]*?\bencoding\s*=\s*(["'])(?P<name>[^"']*)\1""")
# libxml2 decodes these names itself, as Java does; any other goes through iconv, whose
# tables differ from Java's in places, so those files are parsed from Python's decoding.
_LIBXML2_NATIVE = frozenset({"UTF-8", "UTF8", "UTF-16", "UTF-16LE", "UTF-16BE", "ISO-8859-1", "US-ASCII", "ASCII"})

_NAMES = {name: java for java, charset in CHARSETS.items() for name in charset.names.split()}
_JAVA_ONLY_NAMES = {name: java for java, names in JAVA_ONLY.items() for name in names.split()}


def _java_ebcdic(base: str) -> codecs.CodecInfo:
    """Python's EBCDIC code page *base* with NL (0x15) and LF (0x25) swapped.

    Java decodes both bytes as LF and writes LF as 0x15, the mainframe's new line; Python
    reads 0x15 as U+0085.  Swapped, a file's lines are lines here too and an inserted line
    break is the byte Java writes; 0x25 reads as U+0085, which the parse maps back to LF.
    """
    table: str = __import__(f"encodings.{base}", fromlist=["decoding_table"]).decoding_table
    table = table[:0x15] + "\n" + table[0x16:0x25] + "\x85" + table[0x26:]
    encoding_table = codecs.charmap_build(table)

    def encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
        return codecs.charmap_encode(text, errors, encoding_table)

    def decode(data: ReadableBuffer, errors: str = "strict") -> tuple[str, int]:
        return codecs.charmap_decode(data, errors, table)

    return codecs.CodecInfo(encode, decode, name=f"java_{base}")


_EBCDIC_BASES = ("cp037", "cp273", "cp424", "cp500", "cp875", "cp1140")


def _search(name: str) -> codecs.CodecInfo | None:
    base = name[len("java_") :] if name.startswith("java_") else ""
    return _java_ebcdic(base) if base in _EBCDIC_BASES else None


codecs.register(_search)


def java_charset(name: str) -> tuple[str, Charset] | None:
    """The Java charset Java's XML parser reads *name* as, and its Python side; None if none."""
    java = _NAMES.get(name.upper())
    return None if java is None else (java, CHARSETS[java])


class Encoding(NamedTuple):
    """How one file's bytes are read, parsed and added to."""

    codec: str  # the Python codec of the text (a byte-order mark stays U+FEFF)
    declared: str | None  # the encoding name the XML declaration gives, as written
    java: str | None  # the Java charset that reads the file, when Java knows the name
    charset: Charset | None  # how Python writes for that charset (None: as the codec does)

    @property
    def java_reads(self) -> bool:
        """Whether Java's XML parser accepts the declared name (no name means UTF-8)."""
        return self.declared is None or self.java is not None

    @property
    def native(self) -> bool:
        """Whether lxml reads the bytes as they are exactly as Java does."""
        return self.declared is None or self.declared.upper() in _LIBXML2_NATIVE

    def decode(self, data: bytes, where: Where) -> str:
        try:
            return data.decode(self.codec)
        except UnicodeDecodeError as exc:
            raise DescriptorError(
                f"the bytes are not valid {self.declared or self.codec} at offset {exc.start}", where
            ) from None

    def for_parser(self, data: bytes, where: Where) -> bytes:
        """What lxml parses: the bytes, or their text as UTF-8 declared as such."""
        if self.native:
            return data
        text = self.decode(data, where).removeprefix("\ufeff")
        match = _DECLARATION.match(text)
        if match is not None:
            text = text[: match.start("name")] + "UTF-8" + text[match.end("name") :]
        if self.codec.startswith("java_"):
            text = text.replace("\x85", "\n")  # 0x25: Java reads LF (see _java_ebcdic)
        return text.encode("utf-8")

    def encode(self, text: str) -> bytes:
        """Encode inserted text: what the file's encoding cannot hold, or what Java would read
        as another character, becomes a character reference (inserted text is never inside a
        comment or CDATA section, where a reference would not be one)."""
        refs = self.charset.refs if self.charset else ""
        ascii_only = self.charset.ascii_only if self.charset else False
        # Only the Unicode encodings were compared beyond U+FFFF: elsewhere those are references.
        astral = not self.codec.startswith("utf")
        if refs or ascii_only or astral:
            text = "".join(
                f"&#{ord(c)};"
                if c in refs or (ascii_only and c >= "\x80") or (astral and c > "\uffff")
                else c
                for c in text
            )
        return text.encode(self.codec, errors="xmlcharrefreplace")


def declared_name(data: bytes) -> str | None:
    """The encoding name of the XML declaration, read in the family the first bytes show."""
    family = "latin-1"  # any ASCII-compatible encoding shows its declaration in ASCII
    for bom, name in _BOMS:
        if data.startswith(bom):
            family = name
            break
    else:
        for head, name in _SNIFF:
            if data.startswith(head):
                family = name
                break
        else:
            if data.startswith(_EBCDIC_START):
                family = "cp037"
    match = _DECLARATION.match(data[:1024].decode(family, errors="replace"))
    return match.group("name") if match else None


def decide(data: bytes, where: Where, fallback: str | None = None) -> Encoding:
    """The encoding of *data*: its byte-order mark, its UTF-16/32 form, else its declaration.

    *fallback* is a name from elsewhere (lxml's) for bytes whose declaration cannot be read.
    Raises DescriptorError, at line 1, for a name neither Java nor Python reads, or one
    only Java reads.
    """
    declared = declared_name(data) or fallback
    known = java_charset(declared) if declared else None
    java, charset = known if known else (None, None)
    if declared and known is None:
        _check_python_knows(declared, where)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Encoding(name, declared, java, None)
    for head, name in _SNIFF:
        if data.startswith(head):
            return Encoding(name, declared, java, None)
    if charset is not None:
        return Encoding(charset.codec, declared, java, charset)
    return Encoding(codecs.lookup(declared).name if declared else "utf-8", declared, None, None)


def _check_python_knows(declared: str, where: Where) -> None:
    java = _JAVA_ONLY_NAMES.get(declared.upper())
    if java is not None:
        raise DescriptorError(
            f"the encoding {declared!r} is Java's {java}, which no Python codec reads the same way",
            where.at(1),
            hint="convert the file to UTF-8 and declare encoding=\"UTF-8\"",
        )
    try:
        # A text codec: codecs.lookup alone also finds bytes-to-bytes ones such as "base64".
        if not codecs.lookup(declared)._is_text_encoding:
            raise LookupError(declared)
    except LookupError:
        raise DescriptorError(
            f"unknown encoding {declared!r}: neither Java's XML parser nor Python reads it",
            where.at(1),
            hint="declare the encoding the file is written in, e.g. UTF-8",
        ) from None

