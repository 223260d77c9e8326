"""ZIP64 both ways: >65535 entries, ZIP64 extras and descriptors, offsets past 4 GiB."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.archives import open_app, records, write_app, zipraw
from splicer.archives.zipraw import Entry

from .zipbuild import WEB_XML, contents, ear_entries, make_zip, raw_records, war_entries

WriteFile = Callable[[str, bytes], Path]
NEW_XML = b"<web-app><filter/></web-app>\n"


def _many_entries(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(zipfile.ZipInfo(f"d/{i:05}.txt", (2020, 1, 1, 0, 0, 0)), b"%d" % i)
        zf.writestr(zipfile.ZipInfo("WEB-INF/web.xml", (2020, 1, 1, 0, 0, 0)), WEB_XML)
    return buffer.getvalue()


def test_more_than_65535_entries(write_file: WriteFile) -> None:
    src = write_file("big.war", _many_entries(70_000))
    assert src.read_bytes()[-98:-94] == b"PK\x06\x06"  # the input carries ZIP64 end records
    with open_app(src) as reader:
        assert len(reader.names()) == 70_001
        assert reader.read("d/69999.txt") == b"69999"
    out = src.with_name("out.war")
    write_app(src, {"WEB-INF/web.xml": NEW_XML}, out)
    data = out.read_bytes()
    assert data[-98:-94] == b"PK\x06\x06" and data[-42:-38] == b"PK\x06\x07"
    assert struct.unpack("<HH", data[-14:-10]) == (0xFFFF, 0xFFFF)  # entry counts point to ZIP64
    with zipfile.ZipFile(out) as zf:
        assert len(zf.infolist()) == 70_001
        assert zf.read("WEB-INF/web.xml") == NEW_XML and zf.read("d/12345.txt") == b"12345"
    old, new = raw_records(src.read_bytes()), raw_records(data)
    assert all(new[name] == record for name, record in old.items() if name != "WEB-INF/web.xml")


@pytest.fixture()
def forced_zip64(monkeypatch: pytest.MonkeyPatch) -> Callable[..., bytes]:
    """Build zips while zipfile thinks 4 GiB is 16 bytes: ZIP64 extras, descriptors and end records."""

    def build(*args: object, **kwargs: object) -> bytes:
        with monkeypatch.context() as patch:
            patch.setattr(zipfile, "ZIP64_LIMIT", 16)
            return make_zip(*args, **kwargs)  # type: ignore[arg-type]

    return build


@pytest.mark.parametrize("descriptors", [pytest.param(False, id="zip64-extras"), pytest.param(True, id="zip64-descriptors")])
def test_zip64_entries_are_read_and_copied(write_file: WriteFile, forced_zip64: Callable[..., bytes], descriptors: bool) -> None:
    war = forced_zip64(war_entries(), descriptors=descriptors)
    with zipfile.ZipFile(io.BytesIO(war)) as zf:
        assert all(struct.unpack_from("<H", i.extra)[0] == 0x0001 for i in zf.infolist()[1:])
    src = write_file("app.ear", forced_zip64(ear_entries(war)))
    out = src.with_name("out.ear")
    write_app(src, {"Web.war": {"WEB-INF/web.xml": NEW_XML}}, out)
    new_war = contents(out.read_bytes())["Web.war"]
    assert contents(new_war) == {**contents(war), "WEB-INF/web.xml": NEW_XML}
    old, new = raw_records(war), raw_records(new_war)
    assert all(new[name] == record for name, record in old.items() if name != "WEB-INF/web.xml")
    # The changed entry is small: its new local header carries no ZIP64 extra.
    local = new["WEB-INF/web.xml"]
    assert struct.unpack_from("<L", local, 22)[0] == len(NEW_XML)


def _entry(offset: int) -> Entry:
    return Entry("a.txt", b"a.txt", 20, 20, 0, 0, 0, 0x21, 0x12345678, 5, 5, 0, 0, 0o100644 << 16,
                 offset, b"UT\x05\x00\x01\x00\x00\x00\x00", b"", (False, False, False, False))


def test_copied_header_moves_offset_past_4_gib_into_zip64() -> None:
    header = records.central_for_copy(_entry(0), 5 << 30)
    fields = zipraw.CEN.unpack_from(header)
    assert (fields[2], fields[16]) == (45, 0xFFFFFFFF)  # version needed, offset
    extra = header[zipraw.CEN.size + 5 : zipraw.CEN.size + 5 + fields[11]]
    assert zipraw.split_extra(extra) == [(0x0001, struct.pack("<Q", 5 << 30)), (0x5455, b"\x01\x00\x00\x00\x00")]
    small = records.central_for_copy(_entry(0), 1234)
    assert zipraw.CEN.unpack_from(small)[16] == 1234 and small.endswith(b"a.txtUT\x05\x00\x01\x00\x00\x00\x00")


@pytest.mark.parametrize(("count", "cd_start", "zip64"), [
    pytest.param(3, 100, False, id="small"),
    pytest.param(3, 5 << 30, True, id="directory-past-4-gib"),
    pytest.param(70_000, 100, True, id="many-entries"),
])
def test_end_records(count: int, cd_start: int, zip64: bool) -> None:
    data = records.end_records(count, cd_start, 46 * count, b"note", False)
    assert data.startswith(b"PK\x06\x06") is zip64
    eocd = zipraw.EOCD.unpack_from(data, len(data) - zipraw.EOCD.size - 4)
    assert eocd[4] == min(count, 0xFFFF) and eocd[6] == min(cd_start, 0xFFFFFFFF)
    if zip64:
        record = zipraw.EOCD64.unpack_from(data)
        assert (record[7], record[8], record[9]) == (count, 46 * count, cd_start)
