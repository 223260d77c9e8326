"""Encoding names as Java's XML parser reads them (the JDK itself: tests/test_encodings_jdk.py)."""

from __future__ import annotations

import codecs

import pytest

from splicer.errors import DescriptorError, Where
from splicer.webxml import read_descriptor, splice_webxml
from splicer.xmlencodings import decide, java_charset

from .conftest import WHERE, assert_spliced, is_subsequence

JAVAEE = 'xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"'
PARAMS = [("objectGridName", "セッション"), ("catalogHostPort", "cat1:2809")]


def spliced_as_utf8(output: bytes, codec: str, name: str, params: list[tuple[str, str]]) -> None:
    """assert_spliced (plain lxml, which knows few of Java's names) on the text re-declared UTF-8."""
    text = output.decode(codec).removeprefix("\ufeff").replace(f'encoding="{name}"', 'encoding="UTF-8"', 1)
    assert_spliced(text.encode(), params)


def document(name: str, codec: str, display: str, newline: str = "\n") -> bytes:
    lines = [f'<?xml version="1.0" encoding="{name}"?>', f"<web-app {JAVAEE}>",
             f"  <display-name>{display}</display-name>", "</web-app>", ""]
    return newline.join(lines).encode(codec)


@pytest.mark.parametrize(
    ("name", "java", "codec"),
    [
        ("Windows-31J", "windows-31j", "cp932"),
        ("ms932", "windows-31j", "cp932"),
        ("csWindows31J", "windows-31j", "cp932"),
        ("MS_Kanji", "Shift_JIS", "shift_jis"),  # Python's own alias would say cp932
        ("x-sjis", "Shift_JIS", "shift_jis"),
        ("EUCJIS", "EUC-JP", "euc_jp"),
        ("JIS", "ISO-2022-JP", "iso2022_jp"),
        ("Cp1252", "windows-1252", "cp1252"),
        ("UTF8", "UTF-8", "utf_8"),
        ("ISO8859_1", "ISO-8859-1", "latin_1"),
        ("ISO8859_15_FDIS", "ISO-8859-15", "iso8859_15"),
        ("KSC5601", "EUC-KR", "euc_kr"),
        ("UnicodeLittle", "x-UTF-16LE-BOM", "utf_16_le"),
        ("EBCDIC-CP-US", "IBM037", "java_cp037"),
        ("default", "US-ASCII", "ascii"),
    ],
)
def test_names_are_read_as_java_reads_them(name: str, java: str, codec: str) -> None:
    found = java_charset(name)
    assert found is not None
    assert (found[0], found[1].codec) == (java, codec)


def test_names_java_does_not_know_are_none() -> None:
    assert [java_charset(n) for n in ("latin_1", "utf8mb4", "Windows-31")] == [None, None, None]


@pytest.mark.parametrize(
    ("name", "codec", "display", "newline"),
    [
        ("Windows-31J", "cp932", "日本語の店～", "\r\n"),
        ("MS932", "cp932", "日本語の店", "\n"),
        ("csWindows31J", "cp932", "日本語の店", "\n"),
        ("x-sjis", "shift_jis", "日本語の店〜", "\n"),
        ("MS_Kanji", "shift_jis", "日本語の店〜", "\n"),
        ("EUCJIS", "euc_jp", "日本語の店", "\n"),
        ("JIS", "iso2022_jp", "日本語の店", "\n"),
        ("Cp1252", "cp1252", "Zürich € “q”", "\r\n"),
        ("UTF8", "utf-8", "Zürich 日本", "\n"),
        ("ISO8859_1", "latin-1", "Zürich", "\n"),
        ("KOI8_R", "koi8_r", "Магазин", "\n"),
        ("GBK", "gbk", "中文商店", "\n"),
    ],
)
def test_descriptors_declared_with_java_names_are_spliced(name: str, codec: str, display: str, newline: str) -> None:
    """Regression (issue 7): refused as "not well-formed XML: Unsupported encoding"."""
    data = document(name, codec, display, newline)
    result = splice_webxml(data, PARAMS, WHERE)
    assert is_subsequence(data, result.output)  # nothing of the input lost ...
    assert result.output.startswith(data.split(b">")[0])  # ... the declaration kept as it was
    out = result.output.decode(codec)
    assert f"<display-name>{display}</display-name>{newline}" in out
    assert out.count("\n") + out.count("\r") - out.count("\r\n") == out.count(newline)
    spliced_as_utf8(result.output, codec, name, PARAMS)
    again = splice_webxml(result.output, PARAMS, WHERE)
    assert (again.changed, again.output) == (False, result.output)


def test_japanese_text_goes_in_as_bytes_of_the_file_s_encoding() -> None:
    result = splice_webxml(document("Windows-31J", "cp932", "店"), PARAMS, WHERE)
    assert "<param-value>セッション</param-value>".encode("cp932") in result.output


@pytest.mark.parametrize(
    ("name", "codec", "value", "written"),
    [
        # Python's cp932 writes WAVE DASH as 0x8160, which Java's MS932 reads as FULLWIDTH TILDE.
        ("Windows-31J", "cp932", "a〜b", "a&#12316;b"),
        ("Windows-31J", "cp932", "a～b", "a～b"),
        ("Shift_JIS", "shift_jis", "¥100", "&#165;100"),  # Python: 0x5C; Java SJIS reads a backslash
        ("ISO-8859-1", "latin-1", "€ é", "&#8364; é"),  # cannot be held at all
        # EUC-KR: Python writes Hangul Java's KS C 5601 lacks as 8-byte sequences: all references.
        ("EUC-KR", "euc_kr", "가 똠", "&#44032; &#46624;"),
        ("Cp1252", "cp1252", "😀", "&#128512;"),  # beyond the BMP, outside UTF-*: a reference
        ("UTF-8", "utf-8", "😀", "😀"),
    ],
)
def test_what_java_would_read_otherwise_is_written_as_a_reference(name: str, codec: str, value: str, written: str) -> None:
    data = document(name, codec, "x")
    result = splice_webxml(data, [("objectGridName", value)], WHERE)
    assert f"<param-value>{written}</param-value>".encode(codec) in result.output
    spliced_as_utf8(result.output, codec, name, [("objectGridName", value)])
    assert splice_webxml(result.output, [("objectGridName", value)], WHERE).changed is False


def test_ebcdic_lines_stay_mainframe_lines() -> None:
    """IBM037 with NL (0x15) line ends, as z/OS writes them: Java reads NL as LF, and so do we."""
    text = "\n".join(['<?xml version="1.0" encoding="IBM037"?>', f"<web-app {JAVAEE}>",
                      "  <display-name>Zürich</display-name>", "</web-app>", ""])
    data = text.encode("cp037").replace(b"\x25", b"\x15")  # Python's cp037 writes LF as 0x25
    result = splice_webxml(data, PARAMS[1:], WHERE)
    assert is_subsequence(data, result.output)
    assert b"\x25" not in result.output  # every inserted line break is NL too
    spliced = result.output.decode("cp037").replace("\x85", "\n")
    assert "  <filter>\n    <description>" in spliced
    spliced_as_utf8(spliced.encode(), "utf-8", "IBM037", PARAMS[1:])
    assert splice_webxml(result.output, PARAMS[1:], WHERE).changed is False


def test_the_emulated_server_reads_a_windows_31j_descriptor() -> None:
    spliced = splice_webxml(document("Windows-31J", "cp932", "日本語の店"), PARAMS, WHERE).output
    model = read_descriptor(spliced, WHERE)
    assert (model.display_name, model.context_params["objectGridName"]) == ("日本語の店", "セッション")


def test_a_byte_order_mark_decides_before_the_name() -> None:
    data = codecs.BOM_UTF16_LE + document("UTF-16", "utf-16-le", "Zürich")
    assert decide(data, WHERE).codec == "utf-16-le"
    result = splice_webxml(data, PARAMS, WHERE)
    assert result.output.startswith(codecs.BOM_UTF16_LE + '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16-le"))
    assert_spliced(result.output, PARAMS)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("x-no-such-charset", "unknown encoding 'x-no-such-charset': neither Java's XML parser nor Python reads it"),
        ("base64", "unknown encoding 'base64': neither Java's XML parser nor Python reads it"),
        ("IBM-Thai", "the encoding 'IBM-Thai' is Java's IBM-Thai, which no Python codec reads the same way"),
        ("x-IBM943", "the encoding 'x-IBM943' is Java's x-IBM943, which no Python codec reads the same way"),
    ],
)
def test_an_encoding_that_cannot_be_read_is_refused_at_line_1(name: str, reason: str) -> None:
    with pytest.raises(DescriptorError) as caught:
        splice_webxml(document(name, "ascii", "x"), PARAMS, WHERE)
    assert (caught.value.reason, caught.value.where) == (reason, WHERE.at(1))
    assert caught.value.exit_code == 3


def test_a_name_only_python_reads_is_spliced_with_a_warning() -> None:
    result = splice_webxml(document("latin_1", "latin-1", "Zürich"), PARAMS, WHERE)
    spliced_as_utf8(result.output, "latin-1", "latin_1", PARAMS)
    [warning] = result.warnings
    assert (warning.message_id, warning.where) == ("CWWSM0552W", WHERE.at(1))
    assert "Java's XML parser does not" in warning.text


def test_bytes_that_are_not_the_declared_encoding_are_refused() -> None:
    data = document("Shift_JIS", "utf-8", "日本語")
    with pytest.raises(DescriptorError) as caught:
        splice_webxml(data, PARAMS, Where(("x.war", "WEB-INF/web.xml")))
    assert caught.value.reason.startswith("the bytes are not valid Shift_JIS at offset ")
