"""Where new elements go among the root's children, and how they are indented."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from lxml import etree

from splicer.webxml.locate import Layout
from splicer.webxml.versions import RANK, UNRANKED

# With nothing to copy from, nested elements are indented by four spaces, as in the tutorial.
DEFAULT_UNIT = "    "
# Grandchildren looked at to learn the nesting unit (see Placement._unit).
UNIT_SAMPLE = 1000


class Anchor(NamedTuple):
    """One insertion point and the text around each element written there.

    The group written at an anchor is ``lead + element + trail`` per element, then *close*
    once.  *indent* is the indentation of the elements' own start tags.
    """

    offset: int
    lead: str
    trail: str
    indent: str
    close: str = ""


class Placement:
    """The root's element children, where new ones go among them, and the indentation to use."""

    def __init__(self, layout: Layout, namespace: str, newline: str) -> None:
        self.layout = layout
        self.newline = newline
        self.root = layout.root
        self.prefix = f"{self.root.prefix}:" if self.root.prefix else ""
        self.namespace = namespace
        self.children = [c for c in self.root if isinstance(c.tag, str)]
        # Worked out once: a generated descriptor has tens of thousands of children, and
        # placement asks about them for every kind it inserts.
        self._locals = [self.local(c) for c in self.children]
        self._ranks = [RANK.get(local or "", UNRANKED) for local in self._locals]
        self._by_kind: dict[str, list[etree._Element]] = {}
        for child, local in zip(self.children, self._locals):
            if local is not None:
                self._by_kind.setdefault(local, []).append(child)
        self._indents = [layout.indent_before(layout.span(c).start) for c in self.children]
        root_span = layout.span(self.root)
        self.root_indent = layout.indent_before(root_span.start) or ""
        # A document written on one line gets its additions on that line too.
        self.one_line = layout.single_line(self.root)
        self.child_indent = self._child_indent()
        self.unit = self._unit()

    def local(self, element: etree._Element) -> str | None:
        """The local name of a child in the root's namespace; None for other namespaces."""
        tag = str(element.tag)  # "{namespace}local", or "local" without a namespace
        if self.namespace:
            head = f"{{{self.namespace}}}"
            return tag[len(head) :] if tag.startswith(head) else None
        return None if tag.startswith("{") else tag

    def of_kind(self, kind: str) -> list[etree._Element]:
        return list(self._by_kind.get(kind, ()))

    def _child_indent(self) -> str:
        """The commonest indentation of the root's children (elements first, then comments)."""
        comments = [c for c in self.root if not isinstance(c.tag, str)]
        for found in (self._indents, [self.layout.indent_before(self.layout.span(n).start) for n in comments]):
            counts = Counter(i for i in found if i is not None)
            if counts:
                return counts.most_common(1)[0][0]
        return self.root_indent + DEFAULT_UNIT

    def _unit(self) -> str:
        """One level of nesting: how far grandchildren sit inside the root's children.

        Learnt from the first UNIT_SAMPLE grandchildren: a style is settled long before
        that, and a generated descriptor of many megabytes repeats one style throughout.
        """
        counts: Counter[str] = Counter()
        looked_at = 0
        for child, outer in zip(self.children, self._indents):
            if outer is None:
                continue
            if looked_at >= UNIT_SAMPLE:
                break
            for grand in child:
                if not isinstance(grand.tag, str):
                    continue
                looked_at += 1
                inner = self.layout.indent_before(self.layout.span(grand).start)
                if inner is not None and inner.startswith(outer) and len(inner) > len(outer):
                    counts[inner[len(outer) :]] += 1
        if counts:
            return counts.most_common(1)[0][0]
        if self.child_indent.startswith(self.root_indent) and self.child_indent != self.root_indent:
            return self.child_indent[len(self.root_indent) :]
        return DEFAULT_UNIT

    def compact(self, kind: str) -> bool:
        """Write on one line when the siblings of that kind (else all nested siblings) are."""
        same = self.of_kind(kind)
        nested = same or (c for c in self.children if any(isinstance(g.tag, str) for g in c))
        # Lazily: the first sibling on several lines settles it, without a pass over all.
        found = False
        for child in nested:
            if not self.layout.single_line(child):
                return False
            found = True
        return found

    # -- anchors -------------------------------------------------------------------------

    def before(self, element: etree._Element) -> Anchor:
        """Just before *element*: on new lines above it when it starts its line."""
        start = self.layout.span(element).start
        indent = self.layout.indent_before(start)
        if indent is not None:
            return Anchor(self.layout.line_start(start), indent, self.newline, indent)
        if self.one_line:
            return Anchor(start, "", self.layout.blanks_before(start), self.child_indent)
        # Something precedes it on its line: ours go there, and it moves to a line of its own.
        return Anchor(start, "", self.newline + self.child_indent, self.child_indent)

    def after(self, element: etree._Element) -> Anchor:
        """Just after *element*: on new lines below its line (trailing comments stay with it)."""
        span = self.layout.span(element)
        indent = self.layout.indent_before(span.start)
        return self._after(span.end, self.child_indent if indent is None else indent)

    def _after(self, pos: int, indent: str) -> Anchor:
        if self.layout.rest_is_blank(pos):
            return Anchor(self.layout.line_end(pos), self.newline + indent, "", indent)
        if self.one_line:
            return Anchor(pos, self.layout.blanks_after(pos), "", indent)
        # More follows on the line: ours go on new lines, the rest of the line after them.
        return Anchor(pos, self.newline + indent, "", indent)

    def _root_open(self) -> Anchor:
        return self._after(self.layout.span(self.root).open_end, self.child_indent)

    def _root_close(self) -> Anchor:
        close_start = self.layout.span(self.root).close_start
        indent = self.child_indent
        if self.layout.indent_before(close_start) is not None:
            return Anchor(self.layout.line_start(close_start), indent, self.newline, indent)
        closing = self.newline + self.root_indent
        return Anchor(close_start, self.newline + indent, "", indent, closing)

    def first_among(self, kind: str) -> Anchor:
        """First among the existing elements of *kind*, else where the 2.3 order puts it."""
        same = self.of_kind(kind)
        return self.before(same[0]) if same else self.slot(kind)

    def last_among(self, kind: str) -> Anchor:
        """After the last existing element of *kind*, else where the 2.3 order puts it."""
        same = self.of_kind(kind)
        return self.after(same[-1]) if same else self.slot(kind)

    def slot(self, kind: str) -> Anchor:
        """Where the Servlet 2.3 order puts a *kind* the document does not have yet.

        That is before the first child that must come later; written just after the child
        before that one, so a comment that introduces the later child stays on top of it.
        """
        if not self.children:
            return self._root_close()
        rank = RANK[kind]
        later = next((i for i, r in enumerate(self._ranks) if r > rank), None)
        if later is None:
            return self.after(self.children[-1])
        if later == 0:
            return self._root_open()
        return self.after(self.children[later - 1])
