"""Splice work grows linearly with the descriptor: counted, not timed, on two sizes.

Regression for issue 7: ``Layout.line_start`` searched the text back from each offset for a
CR that a LF-only document does not have, so every look-up scanned to the start: a 5.6 MB
generated descriptor took 65 s.  Work is counted two ways on N and 4N servlets: the
characters the text's search methods and slices may examine (through a ``str`` subclass
that counts them), and the Python lines splicer executes.  Linear work grows about 4x,
quadratic work about 16x.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, SupportsIndex

import pytest

from appbuild import jsp_precompiled_webxml
from splicer.webxml import splice_webxml
from splicer.webxml.locate import Layout
from splicer.webxml.source import Source

from .conftest import TUTORIAL_PARAMS, WHERE, assert_spliced

SMALL = 500  # servlets (and as many mappings): about 170 KB
LINEAR_AT_MOST = 5.5  # growth of the work from N to 4N: 4 is linear, 16 quadratic


class CountingText(str):
    """A str that adds up the characters each search or slice may have examined."""

    scanned = 0

    @staticmethod
    def _bounds(text: str, start: SupportsIndex | None, end: SupportsIndex | None) -> tuple[int, int]:
        return slice(start, end).indices(len(text))[:2]

    def find(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:  # type: ignore[override]
        found = super().find(sub, start, end)
        lo, hi = self._bounds(self, start, end)
        CountingText.scanned += (found + len(sub) if found >= 0 else hi) - lo
        return found

    def rfind(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:  # type: ignore[override]
        found = super().rfind(sub, start, end)
        lo, hi = self._bounds(self, start, end)
        CountingText.scanned += hi - (found if found >= 0 else lo)
        return found

    def index(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:  # type: ignore[override]
        found = super().index(sub, start, end)
        CountingText.scanned += found + len(sub) - self._bounds(self, start, end)[0]
        return found

    def rindex(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:  # type: ignore[override]
        found = super().rindex(sub, start, end)
        CountingText.scanned += self._bounds(self, start, end)[1] - found
        return found

    def count(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:  # type: ignore[override]
        lo, hi = self._bounds(self, start, end)
        CountingText.scanned += hi - lo
        return super().count(sub, start, end)

    def split(self, sep: str | None = None, maxsplit: SupportsIndex = -1) -> list[str]:  # type: ignore[override]
        CountingText.scanned += len(self)
        return super().split(sep, maxsplit)

    def startswith(self, prefix: Any, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> bool:  # type: ignore[override]
        CountingText.scanned += max(map(len, prefix)) if isinstance(prefix, tuple) else len(prefix)
        return super().startswith(prefix, start, end)

    def __getitem__(self, key: SupportsIndex | slice) -> str:  # type: ignore[override]
        piece = super().__getitem__(key)
        CountingText.scanned += len(piece)
        return piece


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Count characters scanned in the descriptor's text and lines executed in splicer."""
    original = Source.__init__

    def init(self: Source, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.text = CountingText(self.text)

    monkeypatch.setattr(Source, "__init__", init)
    CountingText.scanned = 0
    work = {"lines": 0, "chars": 0}

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        if "/splicer/" not in frame.f_code.co_filename:
            return None  # no line events inside other libraries
        if event == "line":
            work["lines"] += 1
        return trace

    sys.settrace(trace)
    try:
        yield work
    finally:
        sys.settrace(None)
        work["chars"] = CountingText.scanned
        monkeypatch.setattr(Source, "__init__", original)


def splice_work(monkeypatch: pytest.MonkeyPatch, servlets: int, newline: str) -> dict[str, int]:
    data = jsp_precompiled_webxml(servlets, newline=newline)
    with counted(monkeypatch) as work:
        result = splice_webxml(data, TUTORIAL_PARAMS, WHERE)
    assert_spliced(result.output, TUTORIAL_PARAMS)
    return work


def growth(monkeypatch: pytest.MonkeyPatch, newline: str) -> dict[str, float]:
    small = splice_work(monkeypatch, SMALL, newline)
    large = splice_work(monkeypatch, 4 * SMALL, newline)
    return {what: large[what] / small[what] for what in small}


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_splice_work_grows_linearly_with_the_descriptor(monkeypatch: pytest.MonkeyPatch, newline: str) -> None:
    ratios = growth(monkeypatch, newline)
    assert ratios["chars"] <= LINEAR_AT_MOST, ratios
    assert ratios["lines"] <= LINEAR_AT_MOST, ratios


def test_the_count_catches_the_quadratic_line_start_of_issue_7(monkeypatch: pytest.MonkeyPatch) -> None:
    """The measure is sensitive: with the old ``line_start`` back in, it sees the square."""

    def old_line_start(self: Layout, pos: int) -> int:
        return max(self.text.rfind("\n", 0, pos), self.text.rfind("\r", 0, pos)) + 1

    monkeypatch.setattr(Layout, "line_start", old_line_start)
    ratios = growth(monkeypatch, "\n")
    assert ratios["chars"] > LINEAR_AT_MOST, ratios  # the test above would have failed (11x here)
