"""Rewriting: raw copy of untouched entries, changed and new entries, nesting, determinism, atomicity."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.archives import Limits, records, write_app
from splicer.errors import ArchiveError, OutputError, UsageError, Where

from .zipbuild import MANIFEST, WEB_XML, E, contents, ear_entries, make_zip, raw_records, war_entries

WriteFile = Callable[[str, bytes], Path]
NEW_XML = b'<?xml version="1.0"?>\n<web-app version="3.0">\n  <filter/>\n</web-app>\n'
EPOCH = 1700000000  # 2023-11-14T22:13:20Z


def _info(data: bytes, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.getinfo(name)


FIELDS = ("date_time", "compress_type", "comment", "extra", "create_system", "create_version", "extract_version",
          "flag_bits", "internal_attr", "external_attr", "CRC", "compress_size", "file_size")


def _assert_untouched_raw(before: bytes, after: bytes, changed: set[str]) -> None:
    """Local records byte for byte, and every central directory field, of untouched entries."""
    old, new = raw_records(before), raw_records(after)
    for name, record in old.items():
        if name not in changed:
            assert new[name] == record, name
    with zipfile.ZipFile(io.BytesIO(before)) as zin, zipfile.ZipFile(io.BytesIO(after)) as zout:
        for info in zin.infolist():
            if info.filename not in changed:
                copy = zout.getinfo(info.filename)
                assert [getattr(copy, f) for f in FIELDS] == [getattr(info, f) for f in FIELDS], info.filename


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.mark.parametrize("method", [pytest.param(zipfile.ZIP_DEFLATED, id="deflated"), pytest.param(zipfile.ZIP_STORED, id="stored")])
@pytest.mark.parametrize("descriptors", [pytest.param(False, id="plain"), pytest.param(True, id="data-descriptors")])
def test_changed_entry_keeps_method_and_time(write_file: WriteFile, method: int, descriptors: bool) -> None:
    entries = war_entries()
    entries["WEB-INF/web.xml"] = E(WEB_XML, method, (2020, 2, 3, 4, 5, 6), comment=b"descriptor")
    entries["index.jsp"] = E(b"<html/>", comment=b"an entry comment")
    src = write_file("w.war", make_zip(entries, descriptors=descriptors, comment=b"archive comment"))
    out = src.with_name("out.war")
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, out)
    before, after = src.read_bytes(), out.read_bytes()
    _assert_untouched_raw(before, after, {"WEB-INF/web.xml"})
    assert contents(after) == {**contents(before), "WEB-INF/web.xml": NEW_XML}
    old, new = _info(before, "WEB-INF/web.xml"), _info(after, "WEB-INF/web.xml")
    assert (new.compress_type, new.date_time, new.external_attr, new.comment) == (method, (2020, 2, 3, 4, 5, 6), old.external_attr, b"descriptor")
    assert new.flag_bits & 0x8 == 0  # sizes in the header, no data descriptor
    with zipfile.ZipFile(out) as zf:
        assert [i.filename for i in zf.infolist()] == list(entries)
        assert zf.comment == b"archive comment"


def test_source_date_epoch_sets_changed_and_new_times(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    src = write_file("w.war", make_zip(war_entries()))
    out = src.with_name("out.war")
    write_app(src, {"WEB-INF/web.xml": NEW_XML, "WEB-INF/beans.xml": b"<beans/>"}, out)
    for name in ("WEB-INF/web.xml", "WEB-INF/beans.xml"):
        assert _info(out.read_bytes(), name).date_time == (2023, 11, 14, 22, 13, 20)
    assert _info(out.read_bytes(), "index.jsp").date_time == (2019, 5, 6, 7, 8, 10)


def test_bad_source_date_epoch_is_a_usage_error(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    src = write_file("w.war", make_zip(war_entries()))
    with pytest.raises(UsageError, match=r"^CWWSM0100E: SOURCE_DATE_EPOCH must be whole seconds since 1970, not 'yesterday'$") as err:
        write_app(src, {"WEB-INF/web.xml": NEW_XML}, src.with_name("out.war"))
    assert err.value.exit_code == 2 and err.value.where == Where()
    assert [p.name for p in src.parent.iterdir()] == ["w.war"]


@pytest.mark.parametrize("tool", ["zip", "jar"])
def test_tool_made_archives_keep_extras_and_descriptors(tmp_path: Path, tool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`zip -fd` (descriptors, UT 0x5455 and ux 0x7875 extras) and `jar` (0xCAFE, descriptors)."""
    import shutil
    import subprocess

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    tree = tmp_path / "tree"
    (tree / "WEB-INF" / "lib").mkdir(parents=True)
    (tree / "WEB-INF" / "web.xml").write_bytes(WEB_XML)
    (tree / "WEB-INF" / "lib" / "x.jar").write_bytes(make_zip({"X.class": b"\xca\xfe" * 300}))
    (tree / "index.jsp").write_bytes(b"<p>\xc3\xa9t\xc3\xa9</p>")
    (tree / "caf\u00e9.txt").write_bytes(b"unicode name")
    src = tmp_path / "w.war"
    command = ["zip", "-qr", "-fd", "-X-", str(src), "."] if tool == "zip" else ["jar", "cf", str(src), "."]
    subprocess.run(command, cwd=tree, check=True)
    with zipfile.ZipFile(src) as zf:
        assert all(i.flag_bits & 0x8 for i in zf.infolist() if i.compress_type == zipfile.ZIP_DEFLATED)
        extras = b"".join(i.extra for i in zf.infolist())
    assert (b"UT" in extras and b"ux" in extras) if tool == "zip" else b"\xfe\xca" in extras
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, tmp_path / "out.war")
    before, after = src.read_bytes(), (tmp_path / "out.war").read_bytes()
    _assert_untouched_raw(before, after, {"WEB-INF/web.xml"})
    assert contents(after) == {**contents(before), "WEB-INF/web.xml": NEW_XML}
    changed = _info(after, "WEB-INF/web.xml")
    if tool == "zip":
        # The UT extra field moved to SOURCE_DATE_EPOCH with the DOS time, so unzip agrees.
        ut = changed.extra[changed.extra.index(b"UT\x05\x00") + 4:][:5]
        assert struct.unpack("<BL", ut) == (ut[0], EPOCH)
    assert changed.date_time == (2023, 11, 14, 22, 13, 20)


@pytest.mark.parametrize("war_method", [pytest.param(zipfile.ZIP_DEFLATED, id="deflated-war"), pytest.param(zipfile.ZIP_STORED, id="stored-war")])
def test_nested_war_rewrite(write_file: WriteFile, war_method: int) -> None:
    war = make_zip(war_entries(), descriptors=True)
    src = write_file("app.ear", make_zip(ear_entries(war, war_method)))
    out = src.with_name("out.ear")
    write_app(src, {"Web.war": {"WEB-INF/web.xml": NEW_XML}}, out, limits=Limits(spool_memory=1024))
    before, after = src.read_bytes(), out.read_bytes()
    _assert_untouched_raw(before, after, {"Web.war"})
    new_war = contents(after)["Web.war"]
    _assert_untouched_raw(war, new_war, {"WEB-INF/web.xml"})
    assert contents(new_war) == {**contents(war), "WEB-INF/web.xml": NEW_XML}
    info = _info(after, "Web.war")
    assert (info.compress_type, info.date_time, info.comment) == (war_method, (2019, 5, 6, 7, 8, 10), b"the web module")
    assert zipfile.ZipFile(out).namelist()[0] == "META-INF/MANIFEST.MF"


def test_folder_module_changes_become_entry_changes(write_file: WriteFile) -> None:
    src = write_file("app.ear", make_zip({"META-INF/MANIFEST.MF": MANIFEST, "Web.war/WEB-INF/web.xml": WEB_XML,
                                          "Web.war/index.jsp": b"i", "z.txt": b"z"}))
    out = src.with_name("out.ear")
    write_app(src, {"Web.war/": {"WEB-INF/web.xml": NEW_XML, "WEB-INF/new.xml": b"<n/>"}}, out)
    assert zipfile.ZipFile(out).namelist() == ["META-INF/MANIFEST.MF", "Web.war/WEB-INF/web.xml", "Web.war/index.jsp",
                                               "Web.war/WEB-INF/new.xml", "z.txt"]
    assert contents(out.read_bytes())["Web.war/WEB-INF/web.xml"] == NEW_XML


@pytest.mark.parametrize(("entries", "order"), [
    pytest.param({"META-INF/MANIFEST.MF": b"m", "WEB-INF/": b"", "WEB-INF/lib/a.jar": b"a", "index.jsp": b"i"},
                 ["META-INF/MANIFEST.MF", "WEB-INF/", "WEB-INF/lib/a.jar", "WEB-INF/web.xml", "index.jsp"],
                 id="after-last-web-inf-entry"),
    pytest.param({"META-INF/MANIFEST.MF": b"m", "index.jsp": b"i"},
                 ["META-INF/MANIFEST.MF", "index.jsp", "WEB-INF/web.xml"], id="at-the-end"),
])
def test_new_entry_placement_time_and_mode(write_file: WriteFile, entries: dict[str, bytes], order: list[str]) -> None:
    newest = {"index.jsp": E(b"i", date_time=(2021, 7, 8, 9, 10, 12))}
    src = write_file("w.war", make_zip({**entries, **newest}))
    out = src.with_name("out.war")
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, out)
    assert zipfile.ZipFile(out).namelist() == order
    info = _info(out.read_bytes(), "WEB-INF/web.xml")
    assert (info.compress_type, info.date_time, info.external_attr >> 16) == (zipfile.ZIP_DEFLATED, (2021, 7, 8, 9, 10, 12), 0o100644)
    _assert_untouched_raw(src.read_bytes(), out.read_bytes(), set())


def test_new_manifest_goes_first(write_file: WriteFile) -> None:
    src = write_file("w.war", make_zip({"META-INF/": b"", "index.jsp": b"i"}))
    out = src.with_name("out.war")
    write_app(src, {"META-INF/MANIFEST.MF": MANIFEST}, out)
    assert zipfile.ZipFile(out).namelist() == ["META-INF/", "META-INF/MANIFEST.MF", "index.jsp"]


def test_delete_entries(write_file: WriteFile) -> None:
    src = write_file("w.war", make_zip({"META-INF/MANIFEST.MF": b"m", "META-INF/A.SF": b"s", "META-INF/A.RSA": b"r", "x": b"x"}))
    write_app(src, {"META-INF/A.SF": None, "META-INF/A.RSA": None}, src.with_name("out.war"))
    assert contents(src.with_name("out.war").read_bytes()) == {"META-INF/MANIFEST.MF": b"m", "x": b"x"}


def test_same_input_gives_identical_output(write_file: WriteFile) -> None:
    src = write_file("app.ear", make_zip(ear_entries(make_zip(war_entries(web_xml=None)))))
    changes = {"Web.war": {"WEB-INF/web.xml": NEW_XML}, "META-INF/application.xml": b"<application/>"}
    write_app(src, changes, src.with_name("a.ear"))  # type: ignore[arg-type]
    write_app(src, changes, src.with_name("b.ear"))  # type: ignore[arg-type]
    assert src.with_name("a.ear").read_bytes() == src.with_name("b.ear").read_bytes()


def test_in_place_keeps_mode_and_leaves_no_temp(write_file: WriteFile) -> None:
    src = write_file("w.war", make_zip(war_entries()))
    src.chmod(0o640)
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, None)
    assert stat.S_IMODE(src.stat().st_mode) == 0o640
    assert contents(src.read_bytes())["WEB-INF/web.xml"] == NEW_XML
    assert [p.name for p in src.parent.iterdir()] == ["w.war"]


def test_in_place_through_a_symlink_rewrites_its_target(write_file: WriteFile) -> None:
    """Regression: splicing `app.war -> releases/app-1.0.war` in place renamed the new archive
    over the link, so the link became a plain file and the file it named was never spliced."""
    real = write_file("w-1.0.war", make_zip(war_entries()))
    link = real.with_name("w.war")
    link.symlink_to(real.name)
    real.chmod(0o640)
    write_app(link, {"WEB-INF/web.xml": NEW_XML}, None)
    assert link.is_symlink() and os.readlink(link) == real.name
    assert contents(real.read_bytes())["WEB-INF/web.xml"] == NEW_XML
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["w-1.0.war", "w.war"]


@pytest.mark.parametrize("in_place", [pytest.param(True, id="in-place"), pytest.param(False, id="to-out")])
def test_longest_file_name_can_be_written(write_file: WriteFile, in_place: bool) -> None:
    """Regression: the temp file's name was the target's name plus 19 characters, so an
    archive whose own name is near the 255-byte limit failed with "File name too long"."""
    long_name = "\u00e9" * 60 + "a" * (251 - 120) + ".war"  # 255 bytes in UTF-8
    src = write_file(long_name if in_place else "w.war", make_zip(war_entries()))
    out = None if in_place else src.with_name(long_name)
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, out)
    assert contents((out or src).read_bytes())["WEB-INF/web.xml"] == NEW_XML
    assert sorted(p.name for p in src.parent.iterdir()) == sorted({src.name, long_name})


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give a file to another user")
def test_in_place_as_root_keeps_owner_and_setgid(write_file: WriteFile) -> None:
    """Regression: splicing as root (a build container) a user's archive in place gave the
    file to root, so its owner could no longer rewrite it; the mode was kept, the owner not."""
    src = write_file("w.war", make_zip(war_entries()))
    os.chown(src, 1234, 5678)
    src.chmod(0o2664)
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, None)
    after = src.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (1234, 5678, 0o2664)
    assert contents(src.read_bytes())["WEB-INF/web.xml"] == NEW_XML


def test_no_changes_in_place_does_not_rewrite(write_file: WriteFile) -> None:
    src = write_file("w.war", make_zip(war_entries()))
    before = src.stat()
    write_app(src, {}, None)
    after = src.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("in_place", [pytest.param(True, id="in-place"), pytest.param(False, id="to-out")])
def test_failure_mid_write_leaves_original_and_no_temp(write_file: WriteFile, monkeypatch: pytest.MonkeyPatch, in_place: bool) -> None:
    src = write_file("app.ear", make_zip(ear_entries(make_zip(war_entries()))))
    original = src.read_bytes()
    calls = []

    def explode(*args: object) -> bytes:
        calls.append(args)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(records, "write_entry", explode)
    out = None if in_place else src.with_name("out.ear")
    with pytest.raises(OutputError, match=r"^CWWSM0320E: .*: cannot write: No space left on device$") as err:
        write_app(src, {"Web.war": {"WEB-INF/web.xml": NEW_XML}}, out)
    assert calls and err.value.where == Where((str(out or src),))
    assert src.read_bytes() == original
    assert [p.name for p in src.parent.iterdir()] == ["app.ear"]


@pytest.mark.parametrize(("changes", "entry", "reason"), [
    pytest.param({"Missing.war": {"WEB-INF/web.xml": b"x"}}, "Missing.war", "no such nested module to change", id="missing-module"),
    pytest.param({"gone.txt": None}, "gone.txt", "cannot delete a missing entry", id="delete-missing"),
    pytest.param({"../x": b"x"}, "../x", r"unsafe entry name \(absolute, or climbs out with '\.\.'\)", id="zip-slip-change"),
    pytest.param({"WEB-INF/": b"x"}, "WEB-INF/", "cannot give bytes to a directory entry", id="bytes-to-dir"),
])
def test_bad_changes_are_refused(write_file: WriteFile, changes: dict[str, bytes | None], entry: str, reason: str) -> None:
    src = write_file("w.war", make_zip(war_entries()))
    with pytest.raises(ArchiveError, match=f"^CWWSM0310E: .*: {reason}$") as err:
        write_app(src, changes, src.with_name("out.war"))  # type: ignore[arg-type]
    assert err.value.where == Where((str(src), entry))
    assert not src.with_name("out.war").exists()


def test_prepended_stub_is_kept(write_file: WriteFile) -> None:
    stub = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n"
    src = write_file("app.jar", stub + make_zip(war_entries()))
    out = src.with_name("out.jar")
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, out)
    assert out.read_bytes().startswith(stub)
    assert contents(out.read_bytes())["WEB-INF/web.xml"] == NEW_XML
    assert os.path.getsize(out) > len(stub)
