"""Exploded (directory) applications: in place, into a new tree, all-or-nothing, inside the tree."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from splicer.archives import records, write_app
from splicer.errors import ArchiveError, OutputError, Where

from .zipbuild import WEB_XML, contents, make_zip, raw_records, war_entries

NEW_XML = b"<web-app><filter/></web-app>\n"


@pytest.fixture()
def app_dir(tmp_path: Path) -> Path:
    """app.ear/ with an exploded Exploded.war/ and a zipped Zipped.war."""
    root = tmp_path / "app.ear"
    (root / "META-INF").mkdir(parents=True)
    (root / "META-INF" / "application.xml").write_bytes(b"<application/>")
    (root / "Exploded.war" / "WEB-INF").mkdir(parents=True)
    (root / "Exploded.war" / "WEB-INF" / "web.xml").write_bytes(WEB_XML)
    (root / "Exploded.war" / "WEB-INF" / "web.xml").chmod(0o600)
    (root / "Zipped.war").write_bytes(make_zip(war_entries()))
    return root


CHANGES = {
    "Exploded.war": {"WEB-INF/web.xml": NEW_XML},
    "Zipped.war": {"WEB-INF/web.xml": NEW_XML},
    "Fresh.war/": {"WEB-INF/web.xml": b"x"},
}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_in_place(app_dir: Path) -> None:
    (app_dir / "Fresh.war").mkdir()
    zipped = (app_dir / "Zipped.war").read_bytes()
    write_app(app_dir, CHANGES, None)  # type: ignore[arg-type]
    web = app_dir / "Exploded.war" / "WEB-INF" / "web.xml"
    assert web.read_bytes() == NEW_XML
    assert stat.S_IMODE(web.stat().st_mode) == 0o600
    assert (app_dir / "Fresh.war" / "WEB-INF" / "web.xml").read_bytes() == b"x"
    new_zip = (app_dir / "Zipped.war").read_bytes()
    assert contents(new_zip)["WEB-INF/web.xml"] == NEW_XML
    assert raw_records(new_zip)["WEB-INF/lib/dep.jar"] == raw_records(zipped)["WEB-INF/lib/dep.jar"]
    leftovers = [p.name for p in app_dir.rglob("*") if ".splicing" in p.name]
    assert leftovers == []


def test_to_out_leaves_the_source(app_dir: Path, tmp_path: Path) -> None:
    (app_dir / "Fresh.war").mkdir()
    before = _tree(app_dir)
    out = tmp_path / "out.ear"
    write_app(app_dir, CHANGES, out)  # type: ignore[arg-type]
    assert _tree(app_dir) == before
    after = _tree(out)
    assert after["Exploded.war/WEB-INF/web.xml"] == NEW_XML
    assert after["META-INF/application.xml"] == b"<application/>"
    assert zipfile.ZipFile(out / "Zipped.war").read("WEB-INF/web.xml") == NEW_XML
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear", "out.ear"]


def test_out_must_be_new(app_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_bytes(b"mine")
    with pytest.raises(OutputError, match=r"^CWWSM0320E: .*taken: output already exists; choose a new path$") as err:
        write_app(app_dir, {"Exploded.war": {"WEB-INF/web.xml": NEW_XML}}, out)
    assert err.value.where == Where((str(out),))
    assert (out / "keep.txt").read_bytes() == b"mine"


def test_a_late_error_changes_nothing(app_dir: Path) -> None:
    before = _tree(app_dir)
    changes = {"Exploded.war": {"WEB-INF/web.xml": NEW_XML}, "Zipped.war": {"WEB-INF/web.xml": NEW_XML},
               "Missing.war": {"WEB-INF/web.xml": NEW_XML}}
    with pytest.raises(ArchiveError, match=r"^CWWSM0310E: .*Missing.war: no such nested module to change$") as err:
        write_app(app_dir, changes, None)  # type: ignore[arg-type]
    assert err.value.where == Where((str(app_dir), "Missing.war"))
    assert _tree(app_dir) == before
    assert not [p for p in app_dir.rglob("*") if ".splicing" in p.name]


@pytest.mark.parametrize(("changes", "where"), [
    pytest.param({"Linked.war/WEB-INF/web.xml": NEW_XML}, ("Linked.war/WEB-INF/web.xml",), id="through-the-path"),
    pytest.param({"Linked.war": {"WEB-INF/web.xml": NEW_XML}}, ("Linked.war",), id="as-a-nested-module"),
])
def test_symlink_out_of_the_tree_is_refused(app_dir: Path, tmp_path: Path, changes: dict[str, object],
                                            where: tuple[str, ...]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (app_dir / "Linked.war").symlink_to(elsewhere)
    with pytest.raises(ArchiveError, match=r": path leads out of the application directory: the symbolic link "
                       rf"Linked\.war names {elsewhere}$") as err:
        write_app(app_dir, changes, None)  # type: ignore[arg-type]
    assert err.value.where == Where((str(app_dir), *where))
    assert list(elsewhere.iterdir()) == []


def test_delete_in_a_directory(app_dir: Path) -> None:
    write_app(app_dir, {"META-INF/application.xml": None}, None)
    assert not (app_dir / "META-INF" / "application.xml").exists()


def test_to_out_with_the_longest_file_name(app_dir: Path, tmp_path: Path) -> None:
    """Regression: the staging folder's name was the output's name plus 19 characters, so an
    output name near the 255-byte limit failed with "File name too long"."""
    out = tmp_path / ("o" * 251 + ".ear")
    write_app(app_dir, {"Exploded.war": {"WEB-INF/web.xml": NEW_XML}}, out)
    assert (out / "Exploded.war" / "WEB-INF" / "web.xml").read_bytes() == NEW_XML
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["app.ear", out.name])


def test_failure_removes_the_folders_it_made(app_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a new WEB-INF/ made for one module stayed in the input, empty, when a later
    module failed to be written: the input was touched although the splice failed."""
    (app_dir / "Fresh.war").mkdir()
    before = sorted(p.relative_to(app_dir).as_posix() for p in app_dir.rglob("*"))

    def explode(*args: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(records, "write_entry", explode)
    changes = {"Fresh.war/": {"WEB-INF/web.xml": b"x"}, "Zipped.war": {"WEB-INF/web.xml": NEW_XML}}
    with pytest.raises(OutputError, match=r"cannot write: No space left on device$"):
        write_app(app_dir, changes, None)  # type: ignore[arg-type]
    assert sorted(p.relative_to(app_dir).as_posix() for p in app_dir.rglob("*")) == before
