"""The committed sample EAR is exactly what its sources and build script make."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

from conftest import REPO

SAMPLE = REPO / "samples" / "MySessionTest.ear"


def _build_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_sample", REPO / "scripts" / "build_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_ear_equals_rebuilt(tmp_path: Path) -> None:
    build = _build_module()
    out = tmp_path / "rebuilt.ear"
    assert build.main(["build_sample.py", str(out)]) == 0
    assert out.read_bytes() == SAMPLE.read_bytes(), "run `python scripts/build_sample.py` and commit the EAR"


def test_sample_has_the_tutorial_shape() -> None:
    with zipfile.ZipFile(SAMPLE) as ear:
        assert ear.namelist() == ["META-INF/MANIFEST.MF", "META-INF/application.xml", "MySessionTestWeb.war"]
        assert b"<context-root>MySessionTestWeb</context-root>" in ear.read("META-INF/application.xml")
        with ear.open("MySessionTestWeb.war") as inner, zipfile.ZipFile(inner) as war:
            assert war.namelist() == ["META-INF/MANIFEST.MF", "SessionTest.jsp", "WEB-INF/web.xml"]
            web_xml = war.read("WEB-INF/web.xml")
    assert b'version="2.5"' in web_xml
    assert b"HttpSessionFilter" not in web_xml
