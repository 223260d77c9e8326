"""The wxs profile splices byte for byte as the engine did before profiles were data (issue 11)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO


def _recorder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("record_splice_outputs", REPO / "scripts" / "record_splice_outputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wxs_output_is_what_the_engine_gave_before_profiles(shared_dir: Path) -> None:
    """Every corpus web.xml and the sample, with no params and with the sample's: the same
    output bytes, actions, warnings and unsplice result as recorded by the pre-profile engine."""
    recorder = _recorder()
    before = json.loads(recorder.RECORD.read_text("utf-8"))
    now = recorder.record()
    assert len(now) == len(before) >= 2 * 60
    assert [key for key in before if before[key] != now.get(key)] == []
