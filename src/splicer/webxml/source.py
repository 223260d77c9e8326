"""The original bytes as text, and edits applied back to the bytes without touching the rest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from splicer.errors import DescriptorError, Where
from splicer.xmlencodings import decide


class Edit(NamedTuple):
    """Replace text[start:end] by *text*; start == end is an insertion.

    *order* sorts edits that share an offset (the element order of what they insert).
    """

    start: int
    end: int
    text: str
    order: int = 0


def document_codec(data: bytes, declared: str | None, where: Where) -> str:
    """The Python codec that reads *data* as Java does (splicer.xmlencodings decides).

    *declared* (lxml's idea of the encoding) is used only when the bytes show no declaration.
    """
    return decide(data, where, declared).codec


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
        self.encoding = decide(data, where, declared_encoding)
        self.codec = self.encoding.codec
        self.text = self.encoding.decode(data, where)
        self.newline = detect_newline(self.text)

    def encode_new(self, text: str) -> bytes:
        """Encode inserted text in the file's encoding; what it cannot hold, or what Java
        would read as another character, becomes a character reference."""
        return self.encoding.encode(text)

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
