"""Fixtures of the verify tests: a workspace with copies of the sample application and grid XML."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify.support import SAMPLES, Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """Copies of the sample EAR, properties and grid XML (the originals are never touched)."""
    for name in ("MySessionTest.ear", "splicer.properties", "objectGridStandAlone.xml",
                 "objectGridDeploymentStandAlone.xml"):
        source = SAMPLES / name
        if not source.is_file():
            pytest.fail(f"the sample {source} is missing")
        shutil.copy2(source, tmp_path / name)
    space = Workspace(tmp_path)
    yield space
    left = space.survivors()
    for pid in left:  # never leave a process behind, even when the test failed
        subprocess.run(["kill", "-9", str(pid)], check=False)
    assert left == [], f"processes outlived the test: {left}"
