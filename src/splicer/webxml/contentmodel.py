"""A DTD content model as a regular expression over child names, to find the misplaced child.

libxml2 reports a content-model error at the parent ("Element web-app content does not
follow the DTD"), so a 2.3 descriptor with one <listener> out of order points at line 2
whatever its length.  Matching the children against the model with Brzozowski derivatives
finds the first child the model cannot accept, and what it would have accepted there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

# A model: NULL (matches nothing), EPS (the empty sequence), ("el", name),
# ("seq", a, b), ("alt", a, b), ("star", a).
Model: TypeAlias = tuple[Any, ...]
NULL: Model = ("null",)
EPS: Model = ("eps",)


def _seq(a: Model, b: Model) -> Model:
    if a == NULL or b == NULL:
        return NULL
    if a == EPS:
        return b
    if b == EPS:
        return a
    return ("seq", a, b)


def _alt(a: Model, b: Model) -> Model:
    if a == NULL or a == b:
        return b
    if b == NULL:
        return a
    return ("alt", a, b)


def nullable(model: Model) -> bool:
    kind = model[0]
    if kind in ("eps", "star"):
        return True
    if kind == "seq":
        return nullable(model[1]) and nullable(model[2])
    if kind == "alt":
        return nullable(model[1]) or nullable(model[2])
    return False


def derive(model: Model, name: str) -> Model:
    """The model of what may follow once a child *name* has been accepted."""
    kind = model[0]
    if kind == "el":
        return EPS if model[1] == name else NULL
    if kind == "seq":
        head = _seq(derive(model[1], name), model[2])
        return _alt(head, derive(model[2], name)) if nullable(model[1]) else head
    if kind == "alt":
        return _alt(derive(model[1], name), derive(model[2], name))
    if kind == "star":
        return _seq(derive(model[1], name), model)
    return NULL


def first(model: Model) -> list[str]:
    """The child names the model accepts next, in the model's own order."""
    kind = model[0]
    if kind == "el":
        return [model[1]]
    if kind == "seq":
        found = first(model[1])
        if nullable(model[1]):
            found += [name for name in first(model[2]) if name not in found]
        return found
    if kind == "alt":
        found = first(model[1])
        return found + [name for name in first(model[2]) if name not in found]
    if kind == "star":
        return first(model[1])
    return []


def from_lxml(content: Any) -> Model:
    """Convert lxml's ``_DTDElementContentDecl`` tree (binary seq/or nodes) into a Model."""
    if content is None:
        return EPS
    kind = content.type
    if kind == "element":
        model: Model = ("el", content.name)
    elif kind == "seq":
        model = _seq(from_lxml(content.left), from_lxml(content.right))
    elif kind == "or":
        model = _alt(from_lxml(content.left), from_lxml(content.right))
    else:  # pcdata: character data is not a child element
        model = EPS
    occur = content.occur
    if occur == "opt":
        return _alt(model, EPS)
    if occur == "mult":
        return ("star", model)
    if occur == "plus":
        return _seq(model, ("star", model))
    return model


@dataclass(frozen=True)
class Mismatch:
    """Where children stop matching: the index of the first child refused (None when every
    child fits but a required one is missing at the end) and what the model wanted there."""

    index: int | None
    expected: list[str]
    previous: str | None


def first_mismatch(model: Model, children: list[str]) -> Mismatch | None:
    """The first place *children* leave *model*, or None when they match it."""
    state = model
    previous: str | None = None
    for index, name in enumerate(children):
        after = derive(state, name)
        if after == NULL:
            return Mismatch(index, first(state), previous)
        state, previous = after, name
    if nullable(state):
        return None
    return Mismatch(None, first(state), previous)
