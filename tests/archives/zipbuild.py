"""Build zips in code from ``{name: bytes}`` (a WAR nested in an EAR) and cut them back into raw records."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

STAMP = (2019, 5, 6, 7, 8, 10)
WEB_XML = b'<?xml version="1.0"?>\n<web-app version="3.0">\n  <display-name>w</display-name>\n</web-app>\n'
APP_XML = b'<application><module><web><web-uri>Web.war</web-uri><context-root>/w</context-root></web></module></application>\n'
MANIFEST = b"Manifest-Version: 1.0\r\nCreated-By: tests\r\n\r\n"


@dataclass(frozen=True)
class E:
    """One entry to build: its bytes and how it is stored."""

    data: bytes
    method: int = zipfile.ZIP_DEFLATED
    date_time: tuple[int, int, int, int, int, int] = STAMP
    comment: bytes = b""
    mode: int = 0o100644


class _Unseekable(io.RawIOBase):
    """Makes zipfile stream: flag bit 3 and a data descriptor after every entry."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.buffer.write(data)

    def flush(self) -> None:
        pass


def make_zip(entries: Mapping[str, bytes | E], *, descriptors: bool = False, comment: bytes = b"") -> bytes:
    """A zip of ``entries`` in order; names ending in ``/`` are folders."""
    sink = _Unseekable() if descriptors else io.BytesIO()
    with zipfile.ZipFile(sink, "w") as zf:  # type: ignore[arg-type]
        for name, value in entries.items():
            spec = value if isinstance(value, E) else E(value)
            info = zipfile.ZipInfo(name, spec.date_time)
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else spec.method
            info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") else spec.mode << 16
            info.comment = spec.comment
            zf.writestr(info, spec.data)
        zf.comment = comment
    return sink.buffer.getvalue() if isinstance(sink, _Unseekable) else sink.getvalue()


def war_entries(web_xml: bytes | None = WEB_XML) -> dict[str, bytes | E]:
    entries: dict[str, bytes | E] = {
        "META-INF/": b"",
        "META-INF/MANIFEST.MF": MANIFEST,
        "WEB-INF/": b"",
        "WEB-INF/classes/App.class": b"\xca\xfe\xba\xbe" + bytes(range(256)) * 8,
        "WEB-INF/lib/": b"",
        "WEB-INF/lib/dep.jar": E(make_zip({"a/B.class": b"\xca\xfe\xba\xbe" * 50}), zipfile.ZIP_STORED),
        # Big and incompressible: a rewritten WAR stores these deflated bytes as stored blocks.
        "WEB-INF/lib/big.jar": random.Random(7).randbytes(150_000),
        "index.jsp": b"<html>hello</html>\n",
    }
    if web_xml is not None:
        entries["WEB-INF/web.xml"] = E(web_xml, date_time=(2020, 2, 3, 4, 5, 6))
    return entries


def ear_entries(war: bytes, war_method: int = zipfile.ZIP_DEFLATED) -> dict[str, bytes | E]:
    return {
        "META-INF/MANIFEST.MF": MANIFEST,
        "META-INF/application.xml": APP_XML,
        "Web.war": E(war, war_method, comment=b"the web module"),
        "lib/util.jar": E(make_zip({"u/U.class": b"\xca\xfe\xba\xbe" * 10}), zipfile.ZIP_STORED),
    }


def raw_records(data: bytes) -> dict[str, bytes]:
    """Each entry's whole local record (header, data, descriptor), cut by zipfile's offsets."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = sorted(zf.infolist(), key=lambda i: i.header_offset)
        ends = [i.header_offset for i in infos[1:]] + [zf.start_dir]  # type: ignore[attr-defined]
        return {i.filename: data[i.header_offset : end] for i, end in zip(infos, ends)}


def contents(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        return {i.filename: zf.read(i) for i in zf.infolist()}


JAVA_CHECK = """
import java.io.*;
import java.util.*;
import java.util.zip.*;

public class ZipCheck {
    static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[65536]; long n = 0; int r;
        while ((r = in.read(buf)) > 0) n += r;
        return n;
    }
    static int nested(InputStream in, String label) throws IOException {
        ZipInputStream zin = new ZipInputStream(in);
        int count = 0;
        for (ZipEntry e; (e = zin.getNextEntry()) != null; count++) drain(zin);
        System.out.println(label + " " + count);
        return count;
    }
    public static void main(String[] args) throws IOException {
        try (ZipFile zf = new ZipFile(args[0])) {
            int count = 0;
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements(); count++) {
                ZipEntry e = en.nextElement();
                try (InputStream in = zf.getInputStream(e)) {
                    if (e.getName().endsWith(".war")) nested(in, e.getName()); else drain(in);
                }
            }
            System.out.println("entries " + count);
        }
    }
}
"""
