"""Profiles as data: the shipped ones load, the engine names none, a user's broken one says where."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from splicer.errors import ConfigError
from splicer.profiles import default_profile, load_profile, resolve, shipped

WXS = REPO / "templates" / "profiles" / "wxs"


def test_the_shipped_profiles_load_and_the_default_is_the_one_marked_so() -> None:
    profiles = shipped()
    assert "wxs" in profiles
    assert default_profile() is profiles["wxs"] is resolve(None) is resolve("wxs")
    assert [p.name for p in profiles.values() if p.default] == ["wxs"]
    for profile in profiles.values():
        assert Path(profile.folder).name == profile.name


def test_no_profile_name_appears_in_the_engine_code() -> None:
    """The engine reads profiles; only templates/profiles/ says which there are."""
    names = [name for name in shipped()]
    offenders = []
    for path in (REPO / "src" / "splicer").rglob("*.py"):
        text = path.read_text("utf-8")
        offenders += [f"{path.name}: {name}" for name in names if re.search(rf"[\"']{re.escape(name)}[\"']", text)]
    assert offenders == []


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(WXS, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_copy_of_a_shipped_profile_loads_by_path(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    assert resolve(str(folder)).keys == default_profile().keys


def _line(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in text)


@pytest.mark.parametrize(("old", "new", "reason", "needle"), [
    ('first = true', 'first = true\nfrist = false', "unknown field 'frist' in [filter]", "frist"),
    ('default = true', 'default = "yes"', "the field 'default' in the manifest is a str, not a bool", "default ="),
    ('type = "host-ports"', 'type = "hostport"', "unknown type 'hostport'", 'type = "hostport"'),
    ('low = 0\nhigh = 60', 'low = 0\nhigh = "60"', "the field 'high' in [keys.replicationInterval] is a str, not a int",
     'high = "60"'),
])
def test_a_bad_manifest_says_what_and_on_which_line(tmp_path: Path, old: str, new: str, reason: str,
                                                    needle: str) -> None:
    folder = _copy(tmp_path)
    manifest = folder / "profile.toml"
    _edit(manifest, old, new)
    with pytest.raises(ConfigError) as caught:
        resolve(str(folder))
    assert reason in caught.value.reason
    assert caught.value.where.parts == (str(manifest),)
    assert caught.value.where.line == _line(manifest, needle)


def test_a_template_syntax_error_names_the_template_and_its_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "mapping.xml.j2", "{%- endfor %}", "{%- endfro %}")
    with pytest.raises(ConfigError) as caught:
        load_profile(folder)
    assert caught.value.where.parts == (f"{folder}/mapping.xml.j2",)
    assert caught.value.where.line == _line(folder / "mapping.xml.j2", "endfro")


def test_an_undefined_name_in_a_template_is_refused_when_the_profile_loads(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "listener.xml.j2", "{{ listener.class }}", "{{ listner.class }}")
    with pytest.raises(ConfigError) as caught:
        load_profile(folder)
    assert "listner" in caught.value.reason
    assert caught.value.where.parts == (f"{folder}/listener.xml.j2",)
    assert caught.value.where.line == _line(folder / "listener.xml.j2", "listner")


def test_a_template_that_gives_another_element_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "mapping.xml.j2", "<filter-mapping>", "<filter-map>")
    _edit(folder / "mapping.xml.j2", "</filter-mapping>", "</filter-map>")
    with pytest.raises(ConfigError, match="not <filter-mapping>"):
        load_profile(folder)


def test_an_unknown_profile_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve("websphere")
    assert caught.value.hint is not None and "wxs" in caught.value.hint


def test_the_readme_cites_every_profiles_documentation() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    for profile in shipped().values():
        links = [doc for doc in profile.docs if doc.startswith("http")]
        assert links, profile.name
        assert [doc for doc in links if doc not in readme] == [], profile.name


@pytest.mark.parametrize("name", list(shipped()))
def test_every_shipped_profiles_templates_render_in_every_form(name: str) -> None:
    """Shipped profiles are loaded without trying their templates (jinja2 costs start-up): here
    they are, as a user's folder is when loaded."""
    profile = shipped()[name]
    profile.fragments.try_all(profile)
    assert load_profile(Path(profile.folder)).keys == profile.keys
