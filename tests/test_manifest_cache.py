"""manifest_cache: the shipped manifests' parsed form kept like bytecode, and never trusted when stale."""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from splicer.manifest_cache import read_manifests
from splicer.profiles import MANIFEST, shipped_folder

SHIPPED = Path(str(shipped_folder()))


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped profiles, and Python set to write bytecode beside its sources."""
    folder = tmp_path / "profiles"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)
    return folder


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if (p / MANIFEST).is_file())


def _parsed(folder: Path) -> dict[str, object]:
    return {name: tomllib.loads((folder / name / MANIFEST).read_text("utf-8")) for name in _names(folder)}


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> object:
        raise AssertionError("parsed the TOML although the cache was current")
    monkeypatch.setattr(tomllib, "loads", refuse)


def test_the_second_read_comes_from_the_cache_and_equals_the_toml(profiles: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _parsed(profiles)
    assert len(expected) >= 4
    assert read_manifests(profiles, _names(profiles), MANIFEST) == expected
    assert [p.name for p in (profiles / "__pycache__").iterdir()] == [f"manifests.{sys.implementation.cache_tag}.marshal"]
    _no_parsing(monkeypatch)
    assert read_manifests(profiles, _names(profiles), MANIFEST) == expected


def test_a_changed_manifest_is_parsed_again(profiles: Path) -> None:
    names = _names(profiles)
    read_manifests(profiles, names, MANIFEST)
    manifest = profiles / names[0] / MANIFEST
    manifest.write_text(manifest.read_text("utf-8").replace('title = "', 'title = "Changed: ', 1), "utf-8")
    assert read_manifests(profiles, names, MANIFEST)[names[0]]["title"].startswith("Changed: ")


def test_a_manifest_added_is_read(profiles: Path) -> None:
    read_manifests(profiles, _names(profiles)[1:], MANIFEST)
    assert set(read_manifests(profiles, _names(profiles), MANIFEST)) == set(_names(profiles))


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"\xe3\x02\x00\x00\x00"], ids=["empty", "garbage", "truncated"])
def test_a_damaged_cache_is_ignored_and_rewritten(profiles: Path, damage: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    names = _names(profiles)
    read_manifests(profiles, names, MANIFEST)
    (cache,) = (profiles / "__pycache__").iterdir()
    cache.write_bytes(damage)
    expected = _parsed(profiles)
    assert read_manifests(profiles, names, MANIFEST) == expected
    assert cache.read_bytes() != damage  # rewritten, and used from now on
    _no_parsing(monkeypatch)
    assert read_manifests(profiles, names, MANIFEST) == expected


def test_nothing_is_written_when_python_writes_no_bytecode(profiles: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert read_manifests(profiles, _names(profiles), MANIFEST) == _parsed(profiles)
    assert not (profiles / "__pycache__").exists()


def test_an_unwritable_cache_folder_only_costs_the_parse(profiles: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(sys, "pycache_prefix", str(blocker / "cache"))  # mkdir under a file fails
    assert read_manifests(profiles, _names(profiles), MANIFEST) == _parsed(profiles)
    assert list(tmp_path.rglob("*.tmp")) == [] and not (profiles / "__pycache__").exists()


def test_the_cache_follows_pycache_prefix(profiles: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    sys.pycache_prefix = str(prefix)  # restored by the fixture's monkeypatch
    read_manifests(profiles, _names(profiles), MANIFEST)
    assert [p.name for p in prefix.rglob("*.marshal")] == [f"manifests.{sys.implementation.cache_tag}.marshal"]
    assert not (profiles / "__pycache__").exists()


def test_unmarshallable_values_are_not_cached(profiles: Path) -> None:
    """A TOML date has no marshal form: the manifests are then parsed every time."""
    names = _names(profiles)
    manifest = profiles / names[0] / MANIFEST
    manifest.write_text("released = 2026-12-01\n" + manifest.read_text("utf-8"), "utf-8")
    assert str(read_manifests(profiles, names, MANIFEST)[names[0]]["released"]) == "2026-12-01"
    assert not (profiles / "__pycache__").exists()
