"""The way back: remove what splicing adds, each element with the line and blanks it brought.

Splicing only inserts (``edit.py``); each inserted element arrives with the text around it
that its anchor (``place.py``) asked for.  Undoing that needs no record of the splice: the
shape of the element's line says which text came with it.

- alone on its line: the line goes, with one line break, the one the document's own style
  put there (the following one, unless only the preceding one is the document's newline);
- at the start of its line with more after it (inserted after an element whose line went
  on): the line break and indentation before it go;
- after other markup on its line and last on it (inserted before an element that did not
  start its line, which was moved to a new line): the line break and indentation after it go;
- between markup on one line: the blanks after it go.

Elements are taken out last first, each judged on the text as the later removals left it,
so a group inserted together comes out whole.  Text before an element is never touched by
the removal of a later one, so every cut still has its start in the original's offsets.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from splicer.errors import DescriptorError, Diagnostic, Where
from splicer.webxml.edit import splice_webxml
from splicer.webxml.render import minimal_webxml
from splicer.webxml.source import Edit
from splicer.webxml.survey import Doc, child_element, child_text, read_doc

if TYPE_CHECKING:
    from splicer.profiles import Profile

BLANKS = " \t"


@dataclass
class UnspliceResult:
    """The descriptor without the splice (the input minus deletions), and what was removed.

    *params* are the removed context-params, name and value as written, in document order.
    """

    output: bytes
    changed: bool
    version: str
    jakarta: bool
    actions: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)


def _raw_text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(str(t) for t in element.itertext())


def _targets(doc: Doc, keys: Collection[str] | None,
             profile: Profile) -> tuple[list[etree._Element], list[str], list[tuple[str, str]]]:
    """The elements splicing adds that *doc* holds, in document order, with an action each."""
    ns = doc.info.namespace
    name, classes = profile.filter_name, profile.filter_classes.all()
    filters = [f for f in doc.of_kind("filter")
               if child_text(f, ns, "filter-name") == name and child_text(f, ns, "filter-class") in classes]
    # A filter of that name with another class is not ours, and neither are its mappings.
    foreign = any(child_text(f, ns, "filter-name") == name for f in doc.of_kind("filter")
                  if f not in filters)
    mappings = [] if foreign else [m for m in doc.of_kind("filter-mapping")
                                   if child_text(m, ns, "filter-name") == name]
    ours = {klass for li in profile.listeners for klass in li.classes.all()}
    listeners = [li for li in doc.of_kind("listener") if child_text(li, ns, "listener-class") in ours]
    # Without PROPERTIES, the documented keys are ours only where the session filter or
    # listener is: another application's context-param called traceFile is its own.
    documented = {key for key, spec in profile.keys.items() if spec.goes == "context-param"}
    wanted = set(keys) if keys is not None else (documented if filters or listeners else set())
    # Init-params leave with their filter.
    wanted = {key for key in wanted if profile.goes(key) == "context-param"}
    params = [cp for cp in doc.of_kind("context-param") if child_text(cp, ns, "param-name") in wanted]
    root = profile.root_context
    if root is not None and (filters or listeners):
        # The root context splicing adds where there was none: its listener and its
        # context-param, taken out only together and only with splice's own value.
        loaders = [li for li in doc.of_kind("listener") if child_text(li, ns, "listener-class") == root.listener]
        configs = [cp for cp in doc.of_kind("context-param") if child_text(cp, ns, "param-name") == root.param_name]
        if len(loaders) == 1 and len(configs) == 1 and child_text(configs[0], ns, "param-value") == root.param_value:
            listeners.append(loaders[0])
            params += [cp for cp in configs if cp not in params]
            params.sort(key=doc.element_children().index)
    found: dict[etree._Element, str] = {}
    removed: list[tuple[str, str]] = []
    for cp in params:
        key = child_text(cp, ns, "param-name") or ""
        found[cp] = f"remove context-param {key}"
        removed.append((key, _raw_text(child_element(cp, ns, "param-value"))))
    found.update({f: f"remove filter {name}" for f in filters})
    found.update({m: f"remove filter-mapping {name}" for m in mappings})
    found.update({li: f"remove listener {child_text(li, ns, 'listener-class')}" for li in listeners})
    ordered = [child for child in doc.element_children() if child in found]
    return ordered, [found[child] for child in ordered], removed


def _line_start(text: str, pos: int) -> int:
    return max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos)) + 1


def _line_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find("\n", pos), text.find("\r", pos)) if i >= 0]
    return min(ends) if ends else len(text)


def _break_at(text: str, pos: int) -> str:
    if text.startswith("\r\n", pos):
        return "\r\n"
    return text[pos] if pos < len(text) and text[pos] in "\r\n" else ""


def _break_before(text: str, pos: int) -> str:
    if pos >= 2 and text[pos - 2 : pos] == "\r\n":
        return "\r\n"
    return text[pos - 1] if pos >= 1 and text[pos - 1] in "\r\n" else ""


def _skip_blanks(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in BLANKS:
        pos += 1
    return pos


def cut(text: str, start: int, end: int, newline: str) -> tuple[int, int]:
    """What goes with the element at text[start:end]: the range to delete (see the module)."""
    first, last = _line_start(text, start), _line_end(text, end)
    alone_before = not text[first:start].strip(BLANKS)
    alone_after = not text[end:last].strip(BLANKS)
    if alone_before and alone_after:
        following, preceding = _break_at(text, last), _break_before(text, first)
        if following != newline and preceding == newline:
            return first - len(preceding), last  # inserted after a line that ends otherwise
        return first, last + len(following)
    if alone_before:
        return first - len(_break_before(text, first)), end
    if alone_after:
        return start, _skip_blanks(text, last + len(_break_at(text, last)))
    return start, _skip_blanks(text, end)


def _to_original(pos: int, removed: list[tuple[int, int]]) -> int:
    """An offset of the text with *removed* (sorted, original offsets) taken out, in the original."""
    for start, end in removed:
        if start < pos:
            pos += end - start
        else:
            break
    return pos


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def deletions(text: str, spans: list[tuple[int, int]], newline: str) -> list[tuple[int, int]]:
    """The ranges of *text* (original offsets, sorted, disjoint) that removing *spans* deletes."""
    removed: list[tuple[int, int]] = []
    current = text
    for start, end in sorted(spans, reverse=True):
        # Nothing before *end* has changed yet: later elements' cuts all lie after it.
        low, high = cut(current, start, end, newline)
        removed = _merge(removed + [(low, _to_original(high, removed))])
        current = current[:low] + current[high:]
    return removed


def _verify(doc: Doc, keys: Collection[str], children: int, where: Where, profile: Profile) -> None:
    """The result, parsed again, holds none of it and lost no other element."""
    _, left, _ = _targets(doc, keys, profile)
    count = len(doc.element_children())
    if count != children:
        left.append(f"{count} elements under the root, expected {children}")
    if left:
        raise DescriptorError("the unspliced descriptor failed its own check: " + "; ".join(left), where)


def created_by_splice(data: bytes, result: UnspliceResult, where: Where, profile: Profile | None = None) -> bool:
    """Whether *data* is exactly what splicing gives a module without web.xml: the minimal
    descriptor with the removed params, and nothing anyone added since."""
    if result.output != minimal_webxml():
        return False
    return splice_webxml(minimal_webxml(), result.params, where, profile).output == data


def unsplice_webxml(data: bytes, keys: Collection[str] | None, where: Where,
                    profile: Profile | None = None) -> UnspliceResult:
    """Remove the session filter, its mappings, its listener and the context-params of *keys*
    (None: every documented splicer.properties key, where the filter or listener is there).

    Every other byte is kept.  With nothing to remove, ``output is data``.  Raises
    DescriptorError (not a web-app, unreadable), HostileXmlError (entities).
    """
    if profile is None:
        from splicer.profiles import default_profile

        profile = default_profile()
    doc = read_doc(data, where)
    elements, actions, params = _targets(doc, keys, profile)
    result = UnspliceResult(data, False, doc.info.version, doc.info.jakarta, actions, [], params)
    if not elements:
        return result
    spans = [(span.start, span.end) for span in map(doc.layout.span, elements)]
    ranges = deletions(doc.source.text, spans, doc.source.newline)
    output = doc.source.apply(Edit(start, end, "") for start, end in ranges)
    children = len(doc.element_children()) - len(elements)
    _verify(read_doc(output, where), [name for name, _ in params], children, where, profile)
    result.output, result.changed = output, output != data
    return result
