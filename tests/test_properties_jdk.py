"""Our .properties reading against the JDK's own Properties.load(InputStream), case by case."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from splicer.errors import ConfigError
from splicer.properties import read_entries

# Records every put() in order, so duplicates and file order are compared too (Properties is a
# Hashtable and forgets both).  Every char is printed as a JSON \uXXXX escape: nothing is lost.
JAVA_SOURCE = r"""
import java.io.*;
import java.util.*;

public class DumpProperties {
    static String esc(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) b.append(String.format("\\u%04x", (int) c));
        return b.append('"').toString();
    }

    public static void main(String[] args) throws IOException {
        for (String name : args) {
            final List<String> puts = new ArrayList<>();
            Properties props = new Properties() {
                @Override
                public synchronized Object put(Object key, Object value) {
                    puts.add("[" + esc((String) key) + "," + esc((String) value) + "]");
                    return super.put(key, value);
                }
            };
            try (InputStream in = new FileInputStream(name)) {
                props.load(in);
                System.out.println(new File(name).getName() + "\t[" + String.join(",", puts) + "]");
            } catch (IllegalArgumentException e) {
                System.out.println(new File(name).getName() + "\t\"ERROR\"");
            }
        }
    }
}
"""

CASES: dict[str, bytes] = {
    "sep-equals": b"a=1\nb = 2\n",
    "sep-colon": b"a:1\nb : 2\nc:=3\n",
    "sep-whitespace": b"a 1\nb    2\n",
    "sep-tab-formfeed": b"a\t1\nb\x0c2\nc \t= 3\nd\t:\t4\n",
    "key-escaped-spaces": b"key\\ with\\ spaces = v\n",
    "key-escaped-separators": b"a\\=b=c\nx\\:y:z\nk\\\\=v\n",
    "continuation-leading-ws": b"a=one \\\n    two\\\n\t\x0cthree\n",
    "continuation-odd-even-backslashes": b"a=x\\\\\nb=y\\\\\\\nc\nd=z\\\\\\\\\n",
    "continuation-at-eof": b"a=1\\",
    "continuation-then-blank-line": b"a=1\\\n\nb=2\n   \\\n  k=v\n",
    "u-escapes": b"a=\\u0041\\u00e9\\ud83d\\ude00\\ud800\nb\\u003dc=d\n",
    "other-escapes": b"a=\\t\\n\\r\\f\\q\\\\\\\"\n",
    "comments": b"# c\n! c\n  \t# indented\nx=1 # not a comment\n# c\\\ny=2\n",
    "comment-looking-in-continuation": b"a=1\\\n# not a comment\nb=2\\\n   ! nor this\n",
    "trailing-whitespace": b"a=1  \nb=\\  \t\nc   \n",
    "empty-value-key-only": b"a=\nb\n=novalue\n:also\n \x0c\t\n",
    "crlf-and-lone-cr": b"a=1\r\nb=2\rc=3\\\r\n  4\rd=5\\\r  6\r\n",
    "duplicates": b"a=1\nb=2\na=3\n",
    "latin1-bytes": b"caf\xe9=cr\xe8me\nutf=\xc3\xa9\n\xff=\xa0\n",
    "not-line-breaks": b"a=1\x0bb=2\x1cc\x85d\n",
    "malformed-u-escape": b"ok=1\na=\\u12G4\n",
}


@pytest.fixture(scope="session")
def java_reads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Compile the dumper once and run it once over every case file: name -> puts or 'ERROR'."""
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        pytest.skip("javac/java not on PATH: the comparison with java.util.Properties needs a JDK")
    work = tmp_path_factory.mktemp("jdk")
    (work / "DumpProperties.java").write_text(JAVA_SOURCE, "ascii")
    subprocess.run([javac, "-d", str(work), str(work / "DumpProperties.java")], check=True, timeout=180)
    for name, data in CASES.items():
        (work / name).write_bytes(data)
    done = subprocess.run(
        [java, "-cp", str(work), "DumpProperties", *(str(work / name) for name in CASES)],
        check=True, capture_output=True, text=True, encoding="ascii", timeout=180,
    )
    reads = {}
    for row in done.stdout.splitlines():
        name, _, result = row.partition("\t")
        reads[name] = json.loads(result)
    assert set(reads) == set(CASES)
    return reads


def ours(data: bytes) -> object:
    try:
        return [[entry.key, entry.value] for entry in read_entries(data)]
    except ConfigError:
        return "ERROR"


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_entries_as_java(java_reads: dict[str, object], case: str) -> None:
    assert ours(CASES[case]) == java_reads[case]


def test_the_comparison_sees_differences(java_reads: dict[str, object]) -> None:
    # Guards the harness itself: Java's reading of a case is specific, not vacuous.
    assert java_reads["continuation-odd-even-backslashes"] == [["a", "x\\"], ["b", "y\\c"], ["d", "z\\\\"]]
    assert java_reads["latin1-bytes"] == [["café", "crème"], ["utf", "Ã©"], ["ÿ", "\xa0"]]
    assert java_reads["malformed-u-escape"] == "ERROR"
