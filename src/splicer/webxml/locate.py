"""Where each node of the lxml tree is in the text: a small scanner, cross-checked with lxml.

lxml tells which elements exist and what they hold, but gives only a line number per element
(the line where its start tag ends).  Editing the original text needs exact offsets of start
and end tags, so this module scans the markup (comments, CDATA, PIs, the DOCTYPE and its
internal subset, quoted attribute values) and pairs what it finds, in document order, with
``root.iter()``.  Names and node kinds must agree one for one or the document is refused:
the scanner never decides anything lxml did not see.  No library exposes tag offsets
(libxml2's SAX interface does not report them), hence the hand-written scanner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.webxml.versions import line

_START = re.compile(r"""<([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_END = re.compile(r"</([^\s>]+)\s*>")
_BLANK_OR_COMMENTS = re.compile(r"(?:[ \t]|<!--(?:(?!-->).)*-->)*")


@dataclass(frozen=True)
class Span:
    """Offsets of one node in the text.

    For an element: *start* is its ``<``, *open_end* follows the start tag's ``>``,
    *close_start* is the end tag's ``<`` and *end* follows the end tag.  For a self-closing
    element, comment or PI, open_end == close_start == end.
    """

    start: int
    open_end: int
    close_start: int
    end: int
    qname: str = ""  # as written, prefix included; "" for comments and PIs
    self_closing: bool = False


class _Open:
    """An element whose end tag the scanner has not reached yet."""

    def __init__(self, index: int, start: int, open_end: int, qname: str) -> None:
        self.index, self.start, self.open_end, self.qname = index, start, open_end, qname


def _doctype_end(text: str, pos: int) -> int:
    """Offset after the DOCTYPE starting at *pos*: quotes and the internal subset skipped."""
    i, subset = pos + 2, False
    while i < len(text):
        c = text[i]
        if c in "\"'":
            i = text.index(c, i + 1)
        elif subset and text.startswith("<!--", i):
            i = text.index("-->", i + 4) + 2
        elif subset and text.startswith("<?", i):
            i = text.index("?>", i + 2) + 1
        elif c == "[":
            subset = True
        elif c == "]":
            subset = False
        elif c == ">" and not subset:
            return i + 1
        i += 1
    raise ValueError("unterminated DOCTYPE")


def scan(text: str) -> list[tuple[str, Span]]:
    """Every node from the root element down, in document order: ("element"|"comment"|"pi", span).

    Comments and PIs outside the root are skipped, as ``root.iter()`` skips them.
    Raises ValueError on markup it cannot follow (only possible for text lxml rejected).
    """
    nodes: list[tuple[str, Span]] = []
    stack: list[_Open] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        if text.startswith("<!--", lt):
            pos = text.index("-->", lt + 4) + 3
            if stack:
                nodes.append(("comment", Span(lt, pos, pos, pos)))
        elif text.startswith("<![CDATA[", lt):
            pos = text.index("]]>", lt + 9) + 3
        elif text.startswith("<?", lt):
            pos = text.index("?>", lt + 2) + 2
            if stack:
                nodes.append(("pi", Span(lt, pos, pos, pos)))
        elif text.startswith("<!", lt):
            pos = _doctype_end(text, lt)
        elif text.startswith("</", lt):
            match = _END.match(text, lt)
            if match is None or not stack or stack[-1].qname != match.group(1):
                raise ValueError(f"unexpected end tag at offset {lt}")
            top = stack.pop()
            pos = match.end()
            nodes[top.index] = ("element", Span(top.start, top.open_end, lt, pos, top.qname))
        else:
            match = _START.match(text, lt)
            if match is None:
                raise ValueError(f"unreadable start tag at offset {lt}")
            pos = match.end()
            if match.group(2):
                nodes.append(("element", Span(lt, pos, pos, pos, match.group(1), True)))
            else:
                stack.append(_Open(len(nodes), lt, pos, match.group(1)))
                nodes.append(("element", Span(lt, pos, pos, pos, match.group(1))))
        if not stack and nodes:
            break  # the root is closed; the epilogue holds nothing to edit
    if stack:
        raise ValueError("unclosed element")
    return nodes


def _kind_and_name(node: etree._Element) -> tuple[str, str]:
    if isinstance(node, etree._Comment):
        return "comment", ""
    if isinstance(node, etree._ProcessingInstruction):
        return "pi", ""
    local = etree.QName(node).localname
    return "element", f"{node.prefix}:{local}" if node.prefix else local


class Layout:
    """The spans of a parsed document's nodes, and line helpers on its text."""

    def __init__(self, text: str, tree: etree._ElementTree, where: Where) -> None:
        self.text = text
        root = tree.getroot()
        try:
            scanned = scan(text)
        except ValueError as exc:
            raise DescriptorError(f"cannot locate the markup: {exc}", where) from None
        nodes = list(root.iter())
        if len(nodes) != len(scanned):
            raise DescriptorError(
                f"cannot locate the markup: lxml sees {len(nodes)} nodes, the scanner "
                f"{len(scanned)}",
                where,
            )
        self._spans: dict[etree._Element, Span] = {}
        for node, (kind, span) in zip(nodes, scanned):
            if _kind_and_name(node) != (kind, span.qname):
                raise DescriptorError(
                    f"cannot locate the markup: expected {_kind_and_name(node)}, "
                    f"found {(kind, span.qname)} at offset {span.start}",
                    where.at(line(node)),
                )
            self._spans[node] = span
        self.root = root

    def span(self, node: etree._Element) -> Span:
        return self._spans[node]

    def line_start(self, pos: int) -> int:
        return max(self.text.rfind("\n", 0, pos), self.text.rfind("\r", 0, pos)) + 1

    def line_end(self, pos: int) -> int:
        """Offset of the line break that ends the line holding *pos* (len(text) if none)."""
        ends = [i for i in (self.text.find("\r", pos), self.text.find("\n", pos)) if i >= 0]
        return min(ends) if ends else len(self.text)

    def indent_before(self, pos: int) -> str | None:
        """The blanks between the line start and *pos*, or None if anything else is there."""
        head = self.text[self.line_start(pos) : pos]
        return head if head.strip(" \t") == "" else None

    def rest_is_blank(self, pos: int) -> bool:
        """Whether only blanks and whole comments follow *pos* up to the end of its line."""
        end = self.line_end(pos)
        match = _BLANK_OR_COMMENTS.match(self.text, pos, end)
        return match is not None and match.end() == end

    def blanks_before(self, pos: int) -> str:
        start = pos
        while start > 0 and self.text[start - 1] in " \t":
            start -= 1
        return self.text[start:pos]

    def blanks_after(self, pos: int) -> str:
        end = pos
        while end < len(self.text) and self.text[end] in " \t":
            end += 1
        return self.text[pos:end]

    def single_line(self, node: etree._Element) -> bool:
        span = self.span(node)
        piece = self.text[span.start : span.end]
        return "\n" not in piece and "\r" not in piece
