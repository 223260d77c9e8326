"""Every message id means one thing, and the README's tables list each one."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import splicer
from conftest import REPO
from splicer.errors import SplicerError

SOURCES = REPO / "src" / "splicer"
README = (REPO / "README.md").read_text(encoding="utf-8")
LITERAL = re.compile(r"""["'](CWWSM\d{4}[IEW]): ([^"'{]*)""")


def _error_classes() -> Iterator[type[SplicerError]]:
    for module in pkgutil.walk_packages(splicer.__path__, "splicer."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    pending = [SplicerError]
    while pending:
        cls = pending.pop()
        yield cls
        pending.extend(cls.__subclasses__())


def _literals() -> list[tuple[str, str, str]]:
    """(id, text after it, file) of every message written out in the source."""
    found = []
    for path in sorted(SOURCES.rglob("*.py")):
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            found.append((match[1], match[2], path.relative_to(SOURCES).as_posix()))
    return found


def test_no_two_error_classes_share_an_id() -> None:
    """Regression: CWWSM0131E named three different errors (a wrong grid name, a dead
    catalog, a second signal), CWWSM0140E two (the server's and the plug-in's)."""
    owners: dict[str, list[str]] = {}
    for cls in _error_classes():
        if "message_id" in vars(cls):  # a class without its own id is the root's general case
            owners.setdefault(cls.message_id, []).append(f"{cls.__module__}.{cls.__name__}")
    shared = {message_id: names for message_id, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_a_literal_id_is_no_error_class_id_and_means_one_thing() -> None:
    classes = {cls.message_id for cls in _error_classes() if "message_id" in vars(cls)}
    second = [(mid, where) for mid, text, where in _literals() if mid.endswith("E") and "second signal" in text]
    assert second and {mid for mid, _ in second} == {"CWWSM0396E"}, second
    interrupted = {mid for mid, text, _ in _literals() if text.startswith("interrupted")}
    assert interrupted == {"CWWSM0399E"}
    assert classes & {mid for mid, text, _ in _literals() if mid.endswith("E")} <= {"CWWSM0399E"}


def test_the_readme_lists_every_id() -> None:
    used = {cls.message_id for cls in _error_classes() if "message_id" in vars(cls) and cls.__name__ != "SchemaUnusable"}
    used |= {mid for mid, _, _ in _literals()}
    missing = sorted(mid for mid in used if not re.search(rf"\| {mid}\b|, {mid} \|", README))
    assert missing == []


def test_every_validate_code_is_one_readme_row_and_in_use() -> None:
    """The WX codes of `splicer validate`: each one the source gives is a row of the README's
    table, once; and each row is a code the source still gives."""
    code = re.compile(r"""["'](WX\d{3})["']""")
    used = {found for path in SOURCES.rglob("*.py") for found in code.findall(path.read_text(encoding="utf-8"))}
    rows = re.findall(r"^\| (WX\d{3}) \|", README, re.M)
    assert sorted(rows) == sorted(set(rows))
    assert used == set(rows)
