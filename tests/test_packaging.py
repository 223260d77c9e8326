"""What an installed wheel needs at run time is inside the wheel, not only in a checkout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

NEEDED = [
    "splicer/py.typed",
    "splicer/templates/__init__.py",
    "splicer/templates/session_probe.html.j2",
    "splicer/templates/verify_report.html.j2",
    *(f"splicer/templates/profiles/{name}/{file}" for name in ("wxs", "hazelcast", "spring-session", "ignite")
      for file in ("profile.toml", "filter.xml.j2", "mapping.xml.j2", "listener.xml.j2")),
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


def test_templates_live_at_the_top_level_only() -> None:
    """templates/ is the one home of every template: mapped into the wheel, not copied under src/."""
    assert (REPO / "templates" / "session_probe.html.j2").is_file()
    assert not (REPO / "src" / "splicer" / "templates").exists()


def test_every_package_under_src_is_listed_in_pyproject() -> None:
    """The package list is explicit (the mapped templates/ needs it): a new subpackage must join it."""
    listed = set(re.findall(r'"(splicer[\w.]*)"', (REPO / "pyproject.toml").read_text("utf-8").split("packages = [")[1].split("]")[0]))
    found = {".".join(init.parent.relative_to(REPO / "src").parts) for init in (REPO / "src").rglob("__init__.py")}
    assert found - listed == set()
    assert listed - found == {"splicer.templates"}


@pytest.mark.slow
def test_a_fresh_venv_finds_every_template_of_the_installed_wheel(tmp_path: Path) -> None:
    """The wheel installed into a new venv (no checkout on its path) reads templates/ as splicer.templates."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("splicer-*.whl")
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=120)
    code = ("from importlib.resources import files; import splicer.templates as t; print(t.__file__); "
            "print(sorted(p.name for p in files('splicer.templates').iterdir() if p.name.endswith('.j2')))")
    done = subprocess.run([str(python), "-I", "-c", code], capture_output=True, check=True, timeout=60, cwd=tmp_path)
    where, names = done.stdout.decode().splitlines()
    assert where.startswith(str(venv))
    assert names == repr(sorted(p.name for p in (REPO / "templates").glob("*.j2")))
