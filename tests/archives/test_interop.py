"""Outputs are accepted by `unzip -t`, `jar tf`, java.util.zip (ZipFile and ZipInputStream) and zipfile."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.archives import write_app

from .test_zip64 import _many_entries
from .zipbuild import E, ear_entries, make_zip, war_entries

NEW_XML = b"<web-app><filter/></web-app>\n"


def _nested_deflated(folder: Path) -> Path:
    src = folder / "nested.ear"
    # ZipInputStream refuses STORED entries with data descriptors (zipfile streams its folder
    # entries that way), so the nested WAR has none; the EAR, read through its directory, has.
    src.write_bytes(make_zip(ear_entries(make_zip(war_entries())), descriptors=True, comment=b"ear comment"))
    return src


def _nested_stored_new_webxml(folder: Path) -> Path:
    src = folder / "stored.ear"
    src.write_bytes(make_zip(ear_entries(make_zip(war_entries(web_xml=None)), zipfile.ZIP_STORED), descriptors=True))
    return src


def _jar_made(folder: Path) -> Path:
    tree = folder / "tree"
    (tree / "WEB-INF").mkdir(parents=True)
    (tree / "WEB-INF" / "web.xml").write_bytes(b"<web-app/>")
    (tree / "Web.war").write_bytes(make_zip({"WEB-INF/web.xml": E(b"<web-app/>", zipfile.ZIP_STORED), "a.jsp": b"a"}))
    src = folder / "jar.ear"
    subprocess.run(["jar", "cf", str(src), "."], cwd=tree, check=True)
    return src


def _many(folder: Path) -> Path:
    src = folder / "many.war"
    src.write_bytes(_many_entries(66_000))
    return src


CHANGES: dict[str, dict[str, object]] = {
    "nested.ear": {"Web.war": {"WEB-INF/web.xml": NEW_XML}, "META-INF/application.xml": b"<application/>"},
    "stored.ear": {"Web.war": {"WEB-INF/web.xml": NEW_XML}},
    "jar.ear": {"Web.war": {"WEB-INF/web.xml": NEW_XML}, "WEB-INF/web.xml": NEW_XML},
    "many.war": {"WEB-INF/web.xml": NEW_XML, "WEB-INF/beans.xml": b"<beans/>"},
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    if shutil.which("jar") is None:
        pytest.skip("jar is not installed: the interop tests build one archive with it")
    folder = tmp_path_factory.mktemp("interop")
    made = []
    for build in (_nested_deflated, _nested_stored_new_webxml, _jar_made, _many):
        src = build(folder)
        out = src.with_name("out-" + src.name)
        write_app(src, CHANGES[src.name], out)  # type: ignore[arg-type]
        made.append(out)
    return made


def _tool(name: str) -> str:
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed")
    return name


def test_unzip_t(outputs: list[Path]) -> None:
    for out in outputs:
        done = subprocess.run([_tool("unzip"), "-t", str(out)], capture_output=True, text=True)
        assert done.returncode == 0 and "No errors detected" in done.stdout, done.stdout[-2000:] + done.stderr


def test_jar_tf(outputs: list[Path]) -> None:
    for out in outputs:
        done = subprocess.run([_tool("jar"), "tf", str(out)], capture_output=True, text=True)
        with zipfile.ZipFile(out) as zf:
            assert done.returncode == 0 and done.stdout.splitlines() == zf.namelist(), done.stderr


def test_python_zipfile(outputs: list[Path]) -> None:
    for out in outputs:
        with zipfile.ZipFile(out) as zf:
            assert zf.testzip() is None
            for info in zf.infolist():
                if info.filename.endswith(".war"):
                    with zf.open(info) as inner, zipfile.ZipFile(inner) as war:
                        assert war.testzip() is None
                        assert war.read("WEB-INF/web.xml") == NEW_XML


def test_java_util_zip(outputs: list[Path], zip_checker: Callable[[Path], str]) -> None:
    for out in outputs:
        with zipfile.ZipFile(out) as zf:
            expected = [f"{i.filename} {len(zipfile.ZipFile(zf.open(i)).infolist())}"
                        for i in zf.infolist() if i.filename.endswith(".war")]
            expected.append(f"entries {len(zf.infolist())}")
        assert zip_checker(out).splitlines() == expected
