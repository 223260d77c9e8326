"""Fixtures of the archive tests: a scratch file writer and the java.util.zip checker."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .zipbuild import JAVA_CHECK


@pytest.fixture()
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


@pytest.fixture(scope="session")
def zip_checker(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], str]:
    """A tiny Java program reading every entry with java.util.zip.ZipFile, nested WARs via ZipInputStream."""
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("javac/java are not installed: the java.util.zip check needs a JDK")
    folder = tmp_path_factory.mktemp("zipcheck")
    (folder / "ZipCheck.java").write_text(JAVA_CHECK)
    subprocess.run(["javac", "ZipCheck.java"], cwd=folder, check=True, capture_output=True)

    def check(archive: Path) -> str:
        done = subprocess.run(["java", "-cp", str(folder), "ZipCheck", str(archive)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return check
