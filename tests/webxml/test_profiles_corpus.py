"""Every shipped profile over every corpus web.xml: valid in valid out, insert-only, idempotent,
unsplice exact, the session mapping first (issue 11).  The default profile's own corpus test
is test_corpus.py; its byte identity with the pre-profile engine is tests/test_profile_wxs.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from splicer.errors import DescriptorError, Where
from splicer.profiles import Profile, shipped
from splicer.properties import load_properties
from splicer.webxml import splice_webxml, validate_webxml
from splicer.webxml.unsplice import unsplice_webxml

from .conftest import children, is_subsequence, text
from .test_corpus import REFUSED, WEB_APPS

REPO = Path(__file__).resolve().parents[2]
PROFILES = [name for name, profile in shipped().items() if not profile.default]


def _params(profile: Profile) -> list[tuple[str, str]]:
    """The profile's sample: samples/NAME.properties, read against the profile's keys."""
    return load_properties(REPO / "samples" / f"{profile.name}.properties", keys=profile.keys).pairs()


def _check_spliced(output: bytes, profile: Profile, params: list[tuple[str, str]]) -> None:
    """With plain lxml: the filter (and its init-params) once, its mapping first, its listeners."""
    root = etree.fromstring(output, etree.XMLParser(resolve_entities=False, no_network=True))
    filters = [f for f in children(root, "filter") if text(f, "filter-name") == profile.filter_name]
    assert len(filters) == 1
    assert text(filters[0], "filter-class") in profile.filter_classes.all()
    inits = {text(p, "param-name"): text(p, "param-value") for p in children(filters[0], "init-param")}
    contexts = {text(p, "param-name"): text(p, "param-value") for p in children(root, "context-param")}
    for name, value in params:
        assert (inits if profile.goes(name) == "init-param" else contexts).get(name) == value, name
    mappings = children(root, "filter-mapping")
    assert text(mappings[0], "filter-name") == profile.filter_name
    listeners = [text(li, "listener-class") for li in children(root, "listener")]
    for klass in profile.listener_classes(False):
        assert klass in listeners or klass in profile.listener_classes(True)


@pytest.mark.parametrize("profile_name", PROFILES)
@pytest.mark.parametrize("name", [n for n in WEB_APPS if n not in REFUSED])
def test_every_profile_splices_the_corpus(corpus_dir: Path, schemas_dir: Path, name: str, profile_name: str) -> None:
    profile = shipped()[profile_name]
    params = _params(profile)
    where = Where((name,))
    before = (corpus_dir / name).read_bytes()
    result = splice_webxml(before, params, where, profile)
    assert result.changed
    assert is_subsequence(before, result.output)
    _check_spliced(result.output, profile, params)
    if validate_webxml(before, schemas_dir) == []:
        assert validate_webxml(result.output, schemas_dir) == []
    again = splice_webxml(result.output, params, where, profile)
    assert (again.changed, again.actions, again.output) == (False, [], result.output)
    back = unsplice_webxml(result.output, [key for key, _ in params], where, profile)
    assert back.output == before


@pytest.mark.parametrize("profile_name", PROFILES)
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_every_profile_refuses_what_the_default_refuses(corpus_dir: Path, name: str, profile_name: str) -> None:
    profile = shipped()[profile_name]
    with pytest.raises(DescriptorError):
        splice_webxml((corpus_dir / name).read_bytes(), _params(profile), Where((name,)), profile)


@pytest.mark.parametrize("profile_name", PROFILES)
def test_every_key_of_a_profile_is_commented_in_its_sample(profile_name: str) -> None:
    profile = shipped()[profile_name]
    lines = (REPO / "samples" / f"{profile.name}.properties").read_text("latin-1").splitlines()
    for key, spec in profile.keys.items():
        assert f"# {key}: {spec.summary}" in lines, key
    assert _params(profile)
