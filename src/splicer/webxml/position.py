"""Line and column of an element's start tag, for messages in the compiler's format."""

from __future__ import annotations

import bisect
import re

from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.webxml.source import document_codec

_BREAK = re.compile(r"\r\n|\r|\n")
_AFTER_NAME = frozenset(" \t\r\n/>")
_LOOK_BACK_LINES = 200  # a start tag spread over more lines than this is not worth finding


class Positions:
    """Where start tags begin, in characters of the decoded text.

    lxml gives only the line where a start tag *ends*; a compiler-style ``LINE:COL`` names
    where it begins, so the ``<name`` before that point is looked for in the text.  Anything
    that cannot be found falls back to lxml's line and column 1.
    """

    def __init__(self, data: bytes, tree: etree._ElementTree) -> None:
        self.text: str | None
        try:
            codec = document_codec(data, tree.docinfo.encoding, Where())
            self.text = data.decode(codec, errors="replace")
        except (DescriptorError, LookupError):
            self.text = None
        self.starts = [0] + [m.end() for m in _BREAK.finditer(self.text or "")]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def of(self, element: etree._Element) -> tuple[int, int]:
        """(line, column), both 1-based, of the ``<`` that opens *element*."""
        end_line: int = getattr(element, "sourceline", None) or 1
        text = self.text
        if text is None or not isinstance(element.tag, str) or end_line > len(self.starts):
            return end_line, 1
        local = etree.QName(element).localname
        needle = f"<{element.prefix}:{local}" if element.prefix else f"<{local}"
        limit = self.starts[end_line] if end_line < len(self.starts) else len(text)
        floor = self.starts[max(end_line - _LOOK_BACK_LINES, 1) - 1]
        pos = text.rfind(needle, floor, limit)
        while pos >= 0:
            after = pos + len(needle)
            if after < len(text) and text[after] in _AFTER_NAME:
                line = self.line_of(pos)
                return line, pos - self.starts[line - 1] + 1
            pos = text.rfind(needle, floor, pos)
        return end_line, 1
