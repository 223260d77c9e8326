"""The tutorial's run: a Servlet 2.5 descriptor spliced with its seven parameters."""

from __future__ import annotations

import re
from pathlib import Path

from splicer.errors import Where
from splicer.webxml import splice_webxml, validate_webxml
from splicer.webxml.catalog import SchemaCatalog

from .conftest import TUTORIAL_PARAMS, is_subsequence


def _tutorial_listing(shared_dir: Path) -> dict[int, str]:
    """Lines 22-46 of the spliced web.xml as the tutorial prints them (number -> text)."""
    text = (shared_dir / "reference" / "000_48d2f527b834979d.txt").read_text(encoding="utf-8")
    listing = text[text.index("0 10 20 30 40 50 60 70 80 90") :]
    lines = {}
    for row in listing.splitlines()[1:]:
        match = re.match(r"^(\d+) (.*)$", row)
        if match is None:
            if lines:
                break
            continue
        lines[int(match.group(1))] = match.group(2)
    return lines


def test_tutorial_shapes(data_dir: Path) -> None:
    before = (data_dir / "tutorial-2.5.xml").read_bytes()
    expected = (data_dir / "tutorial-2.5-spliced.xml").read_bytes()
    result = splice_webxml(before, TUTORIAL_PARAMS, Where(("MySessionTest.ear", "MySessionTestWeb.war")))
    assert result.output == expected
    assert (result.version, result.jakarta, result.warnings) == ("2.5", False, [])
    assert result.actions == [f"add context-param {name}" for name, _ in TUTORIAL_PARAMS] + [
        "add filter HttpSessionFilter",
        "add filter-mapping HttpSessionFilter first",
        "add listener com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener",
    ]
    assert is_subsequence(before, result.output)


def test_expected_file_matches_the_tutorial_page(data_dir: Path, shared_dir: Path) -> None:
    """The committed expectation is the tutorial's listing, line for line (with "/*" for "*")."""
    page = _tutorial_listing(shared_dir)
    assert sorted(page) == list(range(22, 47))
    ours = (data_dir / "tutorial-2.5-spliced.xml").read_text(encoding="utf-8").splitlines()
    for number, line in page.items():
        want = line.replace("<url-pattern>*</url-pattern>", "<url-pattern>/*</url-pattern>")
        assert ours[number - 1] == want, number


def test_tutorial_output_is_valid(data_dir: Path, schemas: SchemaCatalog) -> None:
    for name in ("tutorial-2.5.xml", "tutorial-2.5-spliced.xml"):
        assert validate_webxml((data_dir / name).read_bytes(), schemas) == [], name
