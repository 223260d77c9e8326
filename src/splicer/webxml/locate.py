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

import bisect
import functools
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate, repeat
from operator import add
from typing import NamedTuple

from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.webxml.versions import line

# One tag from its "<": an end tag; a start tag (self-closing, or followed by text and its own
# end tag, so an element holding only text is one match); "<!" or "<?" for the caller to
# read; or, with nothing after "<" that fits, an empty alternative the caller refuses.
_TAG = re.compile(
    r"<(?:/(?P<end>[^\s>]+)\s*>"
    r"""|(?P<name>[^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*"""
    r"(?:(?P<slash>/)>|>(?P<open>)(?:[^<]*(?P<close></)(?P=name)\s*>)?)"
    r"|(?P<mark>[!?])|)"
)
_BLANK_OR_COMMENTS = re.compile(r"(?:[ \t]|<!--(?:(?!-->).)*-->)*")


class Span(NamedTuple):
    """Offsets of one node in the text.

    For an element: *start* is its ``<``, *open_end* follows the start tag's ``>``,
    *close_start* is the end tag's ``<`` and *end* follows the end tag.  For a self-closing
    element, comment or PI, open_end == close_start == end.  A tuple, not a dataclass:
    large descriptors have hundreds of thousands of nodes, and tuples are cheap to make.
    """

    start: int
    open_end: int
    close_start: int
    end: int
    qname: str = ""  # as written, prefix included; "" for comments and PIs
    self_closing: bool = False


# Stands for an element until its end tag is found.
_PENDING = ("element", Span(-1, -1, -1, -1))


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
    One regular-expression search per tag (per element, for one that holds text only) keeps
    it linear and lean: generated descriptors of many megabytes hold hundreds of thousands.
    """
    nodes: list[tuple[str, Span]] = []
    stack: list[tuple[int, int, int, str]] = []  # open elements: index, start, open_end, qname
    search, startswith, index = _TAG.search, text.startswith, text.index
    new = tuple.__new__  # builds a Span without the Python-level NamedTuple constructor
    pos = 0
    while True:
        match = search(text, pos)
        if match is None:
            break
        lt, pos = match.span()
        end_name, name, slash, close, mark = match.group("end", "name", "slash", "close", "mark")
        if name is not None:
            if slash:
                nodes.append(("element", new(Span, (lt, pos, pos, pos, name, True))))
            elif close is not None:
                span = (lt, match.start("open"), match.start("close"), pos, name, False)
                nodes.append(("element", new(Span, span)))
            else:
                stack.append((len(nodes), lt, pos, name))
                nodes.append(_PENDING)
        elif end_name is not None:
            if not stack or stack[-1][3] != end_name:
                raise ValueError(f"unexpected end tag at offset {lt}")
            i, start, open_end, qname = stack.pop()
            nodes[i] = ("element", new(Span, (start, open_end, lt, pos, qname, False)))
        elif mark == "!":
            if startswith("<!--", lt):
                pos = index("-->", lt + 4) + 3
                if stack:
                    nodes.append(("comment", Span(lt, pos, pos, pos)))
            elif startswith("<![CDATA[", lt):
                pos = index("]]>", lt + 9) + 3
            else:
                pos = _doctype_end(text, lt)
        elif mark == "?":
            pos = index("?>", lt + 2) + 2
            if stack:
                nodes.append(("pi", Span(lt, pos, pos, pos)))
        else:
            what = "unexpected end tag" if startswith("</", lt) else "unreadable start tag"
            raise ValueError(f"{what} at offset {lt}")
        if not stack and nodes:
            break  # the root is closed; the epilogue holds nothing to edit
    if stack:
        raise ValueError("unclosed element")
    return nodes


def _kind_and_name(node: etree._Element) -> tuple[str, str]:
    tag = node.tag
    if isinstance(tag, str):
        # "{namespace}local" or "local": cheaper than a QName per node on large documents.
        local = tag.rpartition("}")[2]
        prefix = node.prefix
        return "element", f"{prefix}:{local}" if prefix else local
    if isinstance(node, etree._Comment):
        return "comment", ""
    if isinstance(node, etree._ProcessingInstruction):
        return "pi", ""
    return "other", ""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the scanner makes its tuples.

    They hold no cycles, but the collector, triggered by their number, walks every object
    again and again as they pile up: a quarter of the time on a 10 MB descriptor.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _offsets_of(text: str, char: str) -> list[int]:
    """Ascending offsets of *char* in *text*, counted at C speed (split, then running sums)."""
    pieces = text.split(char)[:-1]
    return list(accumulate(map(add, map(len, pieces), repeat(1)), initial=-1))[1:]


class Layout:
    """The spans of a parsed document's nodes, and line helpers on its text."""

    def __init__(self, text: str, tree: etree._ElementTree, where: Where) -> None:
        self.text = text
        self.root = tree.getroot()
        with _collector_paused():
            self._spans = self._pair(tree.getroot(), where)

    def _pair(self, root: etree._Element, where: Where) -> dict[etree._Element, Span]:
        """Each node of lxml's tree with the span the scanner found for it, in document order."""
        try:
            scanned = scan(self.text)
        except ValueError as exc:
            raise DescriptorError(f"cannot locate the markup: {exc}", where) from None
        nodes = list(root.iter())
        if len(nodes) != len(scanned):
            raise DescriptorError(
                f"cannot locate the markup: lxml sees {len(nodes)} nodes, the scanner "
                f"{len(scanned)}",
                where,
            )
        # Compared as whole lists first (one C-level comparison); the loop only names the
        # first disagreement.
        seen = [_kind_and_name(node) for node in nodes]
        if seen != [(kind, span.qname) for kind, span in scanned]:
            for node, expected, (kind, span) in zip(nodes, seen, scanned):
                if expected != (kind, span.qname):
                    raise DescriptorError(
                        f"cannot locate the markup: expected {expected}, "
                        f"found {(kind, span.qname)} at offset {span.start}",
                        where.at(line(node)),
                    )
        return dict(zip(nodes, [span for _, span in scanned]))

    def span(self, node: etree._Element) -> Span:
        return self._spans[node]

    @functools.cached_property
    def _breaks(self) -> list[int]:
        """Offsets of every CR and LF, ascending: line look-ups bisect it.

        Searching the text for the nearest break instead costs up to the whole text per
        look-up (a document without CR scans back to its start for one), and placement
        looks up a line per child: quadratic on the generated descriptors of JSP
        precompilation (issue 7).
        """
        return sorted(_offsets_of(self.text, "\n") + _offsets_of(self.text, "\r"))

    def line_start(self, pos: int) -> int:
        """Offset just after the last CR or LF before *pos* (0 on the first line)."""
        index = bisect.bisect_left(self._breaks, pos)
        return self._breaks[index - 1] + 1 if index else 0

    def line_end(self, pos: int) -> int:
        """Offset of the line break that ends the line holding *pos* (len(text) if none)."""
        index = bisect.bisect_left(self._breaks, pos)
        return self._breaks[index] if index < len(self._breaks) else len(self.text)

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
