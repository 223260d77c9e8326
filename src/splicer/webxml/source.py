"""The original bytes as text, and edits applied back to the bytes without touching the rest."""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass

from splicer.errors import DescriptorError, Where

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" in UTF-16 without a mark (XML 1.0 appendix F).
_SNIFF = ((b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] by *text*; start == end is an insertion.

    *order* sorts edits that share an offset (the element order of what they insert).
    """

    start: int
    end: int
    text: str
    order: int = 0


def document_codec(data: bytes, declared: str | None, where: Where) -> str:
    """The codec that reads *data*: the byte-order mark first, then the declaration.

    The codecs named here keep a BOM as U+FEFF in the text (utf-8, utf-16-le, ...), so the
    text maps onto the bytes one to one and nothing needs special casing at offset 0.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    for head, name in _SNIFF:
        if data.startswith(head):
            return name
    try:
        return codecs.lookup(declared or "utf-8").name
    except LookupError:
        raise DescriptorError(f"unknown encoding {declared!r}", where.at(1)) from None


def detect_newline(text: str) -> str:
    """The document's own line break: the most frequent of CRLF, LF and CR (LF if none)."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    best = max((crlf, "\r\n"), (lf, "\n"), (cr, "\r"))
    return best[1] if best[0] else "\n"


class Source:
    """A descriptor's bytes, its text, and the offsets between them.

    Edits are computed on the text (where the scanner works) and applied to the bytes: every
    byte outside an edit is copied from the input, never re-encoded.
    """

    def __init__(self, data: bytes, declared_encoding: str | None, where: Where) -> None:
        self.data = data
        self.where = where
        self.codec = document_codec(data, declared_encoding, where)
        try:
            self.text = data.decode(self.codec)
        except UnicodeDecodeError as exc:
            raise DescriptorError(
                f"the bytes are not valid {self.codec} at offset {exc.start}", where
            ) from None
        self.newline = detect_newline(self.text)

    def encode_new(self, text: str) -> bytes:
        """Encode inserted text; characters the encoding cannot hold become character references."""
        return text.encode(self.codec, errors="xmlcharrefreplace")

    def apply(self, edits: Iterable[Edit]) -> bytes:
        """The input bytes with *edits* applied; raises if two edits overlap."""
        ordered = sorted(edits, key=lambda e: (e.start, e.end, e.order))
        out: list[bytes] = []
        char_pos = 0  # text offset copied so far
        byte_pos = 0  # the matching byte offset
        for edit in ordered:
            if edit.start < char_pos:
                raise ValueError(f"overlapping edits at text offset {edit.start}")
            byte_start = byte_pos + self._byte_length(char_pos, edit.start, byte_pos)
            out.append(self.data[byte_pos:byte_start])
            out.append(self.encode_new(edit.text))
            byte_end = byte_start + self._byte_length(edit.start, edit.end, byte_start)
            char_pos, byte_pos = edit.end, byte_end
        out.append(self.data[byte_pos:])
        return b"".join(out)

    def _byte_length(self, start: int, end: int, byte_start: int) -> int:
        """Bytes of text[start:end], checked against the input so no offset can drift.

        A stateful encoding (ISO-2022-JP, say) could encode a slice differently from the
        whole; then the check fails and the document is refused rather than corrupted.
        """
        piece = self.text[start:end].encode(self.codec)
        if self.data[byte_start : byte_start + len(piece)] != piece:
            raise DescriptorError(
                f"cannot edit a document in the encoding {self.codec} without re-encoding it",
                self.where,
            )
        return len(piece)
