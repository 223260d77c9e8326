"""Refusals: corrupt, truncated, encrypted, duplicate, hostile archives and bombs (exit 3, entry named)."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from splicer.archives import open_app, write_app
from splicer.errors import ArchiveError, Where

from .zipbuild import WEB_XML, E, ear_entries, make_zip


def _central(data: bytes, index: int = 0) -> int:
    pos = -1
    for _ in range(index + 1):
        pos = data.index(b"PK\x01\x02", pos + 1)
    return pos


def _encrypted() -> bytes:
    data = bytearray(make_zip({"a.txt": b"secret", "b.txt": b"b"}))
    data[6] |= 1  # local header flags
    data[_central(bytes(data)) + 8] |= 1  # central header flags
    return bytes(data)


def _bad_crc() -> bytes:
    data = make_zip({"WEB-INF/web.xml": E(WEB_XML, zipfile.ZIP_STORED)})
    return data.replace(b"<display-name>", b"<display-namE>")


def _lying_size() -> bytes:
    # Declares 1000 bytes, inflates to 200000: the inflater must stop at the declared size.
    data = bytearray(make_zip({"bomb.bin": bytes(200_000)}))
    struct.pack_into("<L", data, 22, 1000)
    struct.pack_into("<L", data, _central(bytes(data)) + 24, 1000)
    return bytes(data)


def _nested_bad_crc() -> bytes:
    war = make_zip({"WEB-INF/web.xml": E(WEB_XML, zipfile.ZIP_STORED)}).replace(b"display-name>", b"display-nam3>", 1)
    return make_zip(ear_entries(war, zipfile.ZIP_STORED))


def _nested_truncated() -> bytes:
    war = make_zip({"WEB-INF/web.xml": WEB_XML, "index.jsp": b"x" * 500})
    return make_zip({"Web.war": E(war[: len(war) - 30], zipfile.ZIP_DEFLATED)})


def _open(path: Path) -> None:
    with open_app(path):
        pass


def _read(name: str) -> Callable[[Path], None]:
    def read(path: Path) -> None:
        with open_app(path) as reader:
            reader.read(name)
    return read


def _read_nested(path: Path) -> None:
    with open_app(path) as reader, reader.nested("Web.war") as inner:
        inner.read("WEB-INF/web.xml")


def _rewrite(path: Path) -> None:
    write_app(path, {"Web.war": {"WEB-INF/web.xml": b"<web-app/>"}}, path.with_name("out.ear"))


CASES = [
    pytest.param(lambda: make_zip({"a.txt": b"a" * 1000, "b.txt": b"b"})[:-40], _open, (),
                 r"not a zip archive, or truncated \(no end of central directory record\)", id="truncated"),
    pytest.param(lambda: (lambda d: d[:30] + d[60:])(make_zip({"a.txt": b"a" * 100, "b.txt": b"b"})), _open, (),
                 r"central directory lies outside the file \(truncated archive\?\)", id="bytes-cut-from-the-middle"),
    pytest.param(_bad_crc, _read("WEB-INF/web.xml"), ("WEB-INF/web.xml",),
                 r"CRC or size check failed \(corrupt entry\)", id="bad-crc-in-read-entry"),
    pytest.param(_encrypted, _open, ("a.txt",), r"encrypted entries cannot be spliced", id="encrypted"),
    pytest.param(lambda: make_zip({"a.txt": b"1", "b.txt": b"2"}).replace(b"b.txt", b"a.txt"), _open, ("a.txt",),
                 r"duplicate entry name", id="duplicate-names"),
    pytest.param(lambda: make_zip({"bomb.bin": bytes(4 << 20)}), _read("bomb.bin"), ("bomb.bin",),
                 r"compression ratio \d+:1 is over 100:1 \(decompression bomb\?\)", id="bomb-ratio"),
    pytest.param(_lying_size, _read("bomb.bin"), ("bomb.bin",),
                 r"entry inflates past its declared size \(decompression bomb\?\)", id="bomb-lying-size"),
    pytest.param(lambda: make_zip({"ok.txt": b"", "../evil.jsp": b"x"}), _open, ("../evil.jsp",),
                 r"unsafe entry name \(absolute, or climbs out with '\.\.'\)", id="zip-slip-dotdot"),
    pytest.param(lambda: make_zip({"/etc/cron.d/x": b"x"}), _open, ("/etc/cron.d/x",),
                 r"unsafe entry name \(absolute, or climbs out with '\.\.'\)", id="zip-slip-absolute"),
    pytest.param(lambda: make_zip({"a\\..\\..\\x": b"x"}), _open, ("a\\..\\..\\x",),
                 r"unsafe entry name \(absolute, or climbs out with '\.\.'\)", id="zip-slip-backslash"),
    pytest.param(lambda: b"this is a text file, not an archive\n" * 20, _open, (),
                 r"not a zip archive, or truncated \(no end of central directory record\)", id="not-a-zip"),
    pytest.param(lambda: b"PK", _open, (), r"not a zip archive \(too short\)", id="tiny-file"),
    pytest.param(_nested_bad_crc, _read_nested, ("Web.war", "WEB-INF/web.xml"),
                 r"CRC or size check failed \(corrupt entry\)", id="nested-bad-crc"),
    pytest.param(_nested_truncated, _rewrite, ("Web.war",),
                 r"not a zip archive, or truncated \(no end of central directory record\)", id="nested-truncated-on-rewrite"),
]


@pytest.mark.parametrize(("build", "action", "entry", "reason"), CASES)
def test_refusals(tmp_path: Path, build: Callable[[], bytes], action: Callable[[Path], None],
                  entry: tuple[str, ...], reason: str) -> None:
    path = tmp_path / "app.ear"
    data = build()
    path.write_bytes(data)
    with pytest.raises(ArchiveError, match=f"^CWWSM0310E: .*: {reason}$") as err:
        action(path)
    assert err.value.where == Where((str(path), *entry))
    assert err.value.reason and err.value.exit_code == 3
    assert path.read_bytes() == data  # the input is never touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.ear"]  # and nothing is left behind
