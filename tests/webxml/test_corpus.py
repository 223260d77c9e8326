"""Every web-app of the real-world corpus: refused when it must be, spliced faithfully otherwise."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from lxml import etree

from splicer.errors import DescriptorError, HostileXmlError, Where
from splicer.webxml import splice_webxml, validate_webxml

from .conftest import TUTORIAL_PARAMS, assert_spliced, is_subsequence

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "webxml"
# Files the corpus README names: Servlet 2.2 (no filters exist) and the malformed one.
REFUSED = {
    "glassfish__MALFORMED-cmp-cascadeDelete.xml": "not well-formed XML",
    "struts1__faces-example1.xml": "a Servlet 2.2 descriptor cannot take the session filter",
    "tomcat__test-webapp-2.2.xml": "a Servlet 2.2 descriptor cannot take the session filter",
}


def _web_apps() -> list[str]:
    """Corpus files whose root is web-app (the MALFORMED one included: its name says web-app)."""
    if not CORPUS.is_dir():
        return []
    names = []
    for path in sorted(CORPUS.glob("*.xml")):
        head = path.read_bytes()
        if b"<web-app" in head or b":web-app" in head:
            names.append(path.name)
    return names


WEB_APPS = _web_apps()


def test_corpus_is_the_one_described(corpus_dir: Path) -> None:
    index = (corpus_dir / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
    roots = {row.split("\t")[0]: row.split("\t")[10] for row in index}
    assert sorted(name for name, root in roots.items() if root == "web-app") == [
        name for name in WEB_APPS if name in roots and roots[name] == "web-app"
    ]
    assert set(REFUSED) <= set(WEB_APPS)
    assert len(WEB_APPS) >= 60


@pytest.mark.parametrize("name", sorted(REFUSED), ids=sorted(REFUSED))
def test_refused(corpus_dir: Path, name: str) -> None:
    where = Where(("Web.war", "WEB-INF/web.xml"))
    with pytest.raises(DescriptorError) as caught:
        splice_webxml((corpus_dir / name).read_bytes(), TUTORIAL_PARAMS, where)
    assert not isinstance(caught.value, HostileXmlError)
    assert caught.value.reason.startswith(REFUSED[name])
    assert caught.value.where.parts == where.parts
    assert caught.value.where.line is not None


def _inserted_lines_are_ours(before: bytes, after: bytes) -> None:
    """The line diff only inserts, and only lines of the spliced elements."""
    a = before.decode("latin-1").splitlines(keepends=True)
    b = after.decode("latin-1").splitlines(keepends=True)
    ours = (
        "context-param", "param-name", "param-value", "filter", "filter-name", "display-name",
        "description", "filter-class", "filter-mapping", "url-pattern", "dispatcher",
        "listener", "listener-class",
    )
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        assert op in ("equal", "insert"), (op, a[a0:a1], b[b0:b1])
        for line in b[b0:b1] if op == "insert" else []:
            tag = line.strip().lstrip("</").split(">")[0].split(":")[-1]
            assert tag in ours, line


@pytest.mark.parametrize("name", [n for n in WEB_APPS if n not in REFUSED])
def test_splice_corpus(corpus_dir: Path, schemas_dir: Path, name: str) -> None:
    before = (corpus_dir / name).read_bytes()
    result = splice_webxml(before, TUTORIAL_PARAMS, Where((name,)))
    assert result.changed and result.output != before
    # Nothing of the input is lost; what is added is whole lines of our elements.
    assert is_subsequence(before, result.output)
    _inserted_lines_are_ours(before, result.output)
    root = assert_spliced(result.output, TUTORIAL_PARAMS)
    assert root.get("version") == etree.fromstring(before).get("version")
    # Valid in, valid out, against the schema or DTD the file declares.
    if validate_webxml(before, schemas_dir) == []:
        assert validate_webxml(result.output, schemas_dir) == []
    # A second run changes no byte.
    again = splice_webxml(result.output, TUTORIAL_PARAMS, Where((name,)))
    assert (again.changed, again.actions) == (False, [])
    assert again.output == result.output
