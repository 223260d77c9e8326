"""What an installed wheel needs at run time is inside the wheel, not only in a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

NEEDED = [
    "splicer/py.typed",
    "splicer/templates/session_probe.html.j2",
    "splicer/templates/verify_report.html.j2",
    "splicer/grid/samples/objectGridStandAlone.xml",
    "splicer/grid/samples/objectGridDeploymentStandAlone.xml",
    "splicer/samples/splicer.properties",
]


@pytest.mark.slow
def test_wheel_carries_templates_and_grid_samples(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("splicer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in NEEDED if name not in names] == []


@pytest.mark.parametrize("name", ["objectGridStandAlone.xml", "objectGridDeploymentStandAlone.xml"])
def test_samples_folder_links_to_the_packaged_grid_xml(name: str) -> None:
    sample = REPO / "samples" / name
    assert sample.resolve() == (REPO / "src" / "splicer" / "grid" / "samples" / name).resolve()
    assert b"sessionMapSet" in sample.read_bytes() or b"objectgridSessionMetadata" in sample.read_bytes()


def test_samples_folder_links_to_the_packaged_properties() -> None:
    """samples/splicer.properties is the file the wheel carries, not a copy that could drift."""
    sample = REPO / "samples" / "splicer.properties"
    assert sample.is_symlink()
    assert sample.resolve() == (REPO / "src" / "splicer" / "samples" / "splicer.properties").resolve()


@pytest.mark.slow
def test_an_installed_wheel_writes_the_sample_properties(tmp_path: Path) -> None:
    """`splicer init` run from the wheel (not the checkout) writes the sample, byte for byte."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("splicer-*.whl")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    code = "import splicer, sys; from splicer.cli import main; print(splicer.__file__, file=sys.stderr); main()"
    done = subprocess.run([sys.executable, "-c", code, "init", "-"], capture_output=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path, timeout=60)
    assert done.stderr.decode().startswith(str(site))
    assert done.stdout == (REPO / "samples" / "splicer.properties").read_bytes()
