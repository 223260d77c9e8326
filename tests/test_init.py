"""`splicer init [PATH]`: the commented sample splicer.properties, written out for a new user."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from splicer.cli import main
from splicer.properties import load_properties

SAMPLE = REPO / "samples" / "splicer.properties"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["init", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_the_sample_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run()
    written = tmp_path / "splicer.properties"
    assert code == 0 and "splice APP splicer.properties" in err
    assert written.read_bytes() == SAMPLE.read_bytes()
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    # The sample is a valid settings file: the tutorial's seven settings.
    assert [p.name for p in load_properties(written).params] == [
        "securityEnabled", "fragmentedSession", "sessionTableSize", "objectGridType", "reuseSessionId",
        "replicationInterval", "objectGridName"]
    assert [p.name for p in tmp_path.iterdir()] == ["splicer.properties"]  # no temporary file left


def test_init_into_a_folder_or_a_named_file(tmp_path: Path) -> None:
    assert run(str(tmp_path))[0] == 0
    assert (tmp_path / "splicer.properties").read_bytes() == SAMPLE.read_bytes()
    assert run(str(tmp_path / "prod.properties"))[0] == 0
    assert (tmp_path / "prod.properties").read_bytes() == SAMPLE.read_bytes()


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    mine = tmp_path / "splicer.properties"
    mine.write_text("objectGridName=mine\n")
    code, _, err = run(str(mine))
    assert code == 2 and "already exists" in err and "--force" in err
    assert mine.read_text() == "objectGridName=mine\n"
    assert run(str(mine), "--force")[0] == 0
    assert mine.read_bytes() == SAMPLE.read_bytes()


def test_init_dash_prints_the_sample(tmp_path: Path) -> None:
    code, out, _ = run("-")
    assert code == 0 and out.encode("latin-1") == SAMPLE.read_bytes()


def test_init_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nowhere" / "splicer.properties"))
    assert code == 2 and "folder does not exist" in err
