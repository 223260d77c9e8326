"""The encoding table against the JDK: names, charsets, what Java reads back, spliced files.

splicer.javacharsets claims, for every name Java's XML parser accepts, the Java charset it
stands for and a Python codec that reads it the same way.  A small Java program, compiled
here, answers for the JDK on PATH: which names its DOM parser accepts (every charset name
and alias, and Xerces' own EncodingMap), which charset each decodes with, how Java decodes
what Python writes, and what DocumentBuilder reads from descriptors splice wrote.
"""

from __future__ import annotations

import codecs
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from splicer.errors import Where
from splicer.javacharsets import CHARSETS, JAVA_ONLY
from splicer.webxml import splice_webxml

pytestmark = pytest.mark.slow  # compiles and runs Java

JAVA_SOURCE = r"""
import java.io.*;
import java.nio.charset.*;
import java.util.*;
import javax.xml.parsers.*;
import org.w3c.dom.*;

public class Encodings {
    static Map<String, String> iana = new HashMap<>();

    // Xerces' IANA-to-Java table (internal; readable with --add-opens, else left empty).
    @SuppressWarnings("unchecked")
    static void loadEncodingMap() {
        try {
            Class<?> c = Class.forName("com.sun.org.apache.xerces.internal.util.EncodingMap");
            java.lang.reflect.Field f = c.getDeclaredField("fIANA2JavaMap");
            f.setAccessible(true);
            iana = (Map<String, String>) f.get(null);
        } catch (Exception e) {
            System.err.println("EncodingMap not readable: " + e);
        }
    }

    // The charset Xerces' XMLEntityManager.createReader reads NAME with.
    static String charsetOf(String name) {
        String up = name.toUpperCase(Locale.ENGLISH);
        switch (up) {
            case "UTF-8": case "UTF-16": case "UTF-16BE": case "UTF-16LE": return up;
            case "ISO-10646-UCS-4": return "UTF-32";
            case "ISO-10646-UCS-2": return "UTF-16";
        }
        String mapped = iana.get(up);
        try { return Charset.forName(mapped != null ? mapped : name).name(); } catch (Exception e) { return "-"; }
    }

    static String hex(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(String.format("%04x", (int) c));
        return b.toString();
    }

    static boolean accepted(DocumentBuilder builder, String name) {
        String text = "<?xml version=\"1.0\" encoding=\"" + name + "\"?><r>x</r>";
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        try {
            Charset cs = Charset.forName(charsetOf(name));
            if (cs.canEncode()) data = text.getBytes(cs);
        } catch (Exception e) { }
        try { builder.parse(new ByteArrayInputStream(data)); return true; } catch (Exception e) { return false; }
    }

    public static void main(String[] args) throws Exception {
        loadEncodingMap();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);  // as containers read web.xml
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        PrintStream out = new PrintStream(new FileOutputStream(args[1]), true, "US-ASCII");
        if (args[0].equals("names")) {
            // Every charset name and alias, Xerces' names, and the names given: accepted?, charset
            TreeSet<String> names = new TreeSet<>(iana.keySet());
            for (Charset cs : Charset.availableCharsets().values()) { names.add(cs.name()); names.addAll(cs.aliases()); }
            try (BufferedReader in = new BufferedReader(new FileReader(args[2]))) {
                for (String line; (line = in.readLine()) != null; ) if (!line.isEmpty()) names.add(line);
            }
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));  // the parser's own complaints
            for (String name : names) out.println(name + "\t" + (accepted(builder, name) ? "ok" : "no") + "\t" + charsetOf(name));
        } else if (args[0].equals("decode")) {
            // Records: charset, code point, bytes of "A" + char + "A"; print the code points Java reads otherwise
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(args[2])))) {
                Map<String, Charset> seen = new HashMap<>();
                while (in.available() > 0) {
                    String name = in.readUTF();
                    int cp = in.readInt();
                    byte[] data = new byte[in.readInt()];
                    in.readFully(data);
                    Charset cs = seen.computeIfAbsent(name, Charset::forName);
                    String expected = "A" + new String(Character.toChars(cp)) + "A";
                    if (!new String(data, cs).equals(expected)) out.println(name + "\t" + cp);
                }
            }
        } else if (args[0].equals("read")) {
            // What a container reads from each descriptor, as hex UTF-16 so nothing is lost
            for (int i = 2; i < args.length; i++) {
                Element root = builder.parse(new File(args[i])).getDocumentElement();
                List<String> parts = new ArrayList<>();
                parts.add(text(root, "display-name"));
                NodeList params = root.getElementsByTagNameNS("*", "context-param");
                for (int p = 0; p < params.getLength(); p++) {
                    Element cp = (Element) params.item(p);
                    parts.add(text(cp, "param-name") + "=" + text(cp, "param-value"));
                }
                Element mapping = (Element) root.getElementsByTagNameNS("*", "filter-mapping").item(0);
                parts.add("mapping:" + text(mapping, "filter-name") + " " + text(mapping, "url-pattern"));
                parts.add("listener:" + text(root, "listener-class"));
                out.println(new File(args[i]).getName() + "\t" + hex(String.join("\n", parts)));
            }
        }
    }

    static String text(Element parent, String local) {
        NodeList found = parent.getElementsByTagNameNS("*", local);
        return found.getLength() == 0 ? "" : found.item(0).getTextContent().trim();
    }
}
"""

# Module flags letting the program read Xerces' table (harmless where the package differs).
OPENS = ["--add-opens", "java.xml/com.sun.org.apache.xerces.internal.util=ALL-UNNAMED"]


@pytest.fixture(scope="module")
def jdk(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """(java, folder holding the compiled program)."""
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        pytest.skip("javac/java not on PATH: the comparison with java.nio.charset needs a JDK")
    work = tmp_path_factory.mktemp("encodings-jdk")
    (work / "Encodings.java").write_text(JAVA_SOURCE, "ascii")
    subprocess.run([javac, "-d", str(work), str(work / "Encodings.java")], check=True, timeout=180)
    return java, work


def run(jdk: tuple[str, Path], mode: str, *args: str) -> list[str]:
    java, work = jdk
    out = work / f"{mode}.out"
    done = subprocess.run([java, *OPENS, "-cp", str(work), "Encodings", mode, str(out), *args],
                          timeout=300, capture_output=True, text=True, errors="replace")
    assert done.returncode == 0, done.stderr
    return out.read_text("ascii").splitlines()


@pytest.fixture(scope="module")
def java_names(jdk: tuple[str, Path]) -> dict[str, tuple[bool, str]]:
    """Upper-case name -> (does the DOM parser accept it, the charset it decodes with)."""
    ours = [n for c in CHARSETS.values() for n in c.names.split()]
    ours += [n for names in JAVA_ONLY.values() for n in names.split()]
    listing = jdk[1] / "names.txt"
    listing.write_text("\n".join(ours) + "\n", "ascii")
    result: dict[str, tuple[bool, str]] = {}
    for row in run(jdk, "names", str(listing)):
        name, ok, charset = row.split("\t")
        accepted = result.get(name.upper(), (False, charset))[0] or ok == "ok"
        result[name.upper()] = (accepted, charset)
    return result


# Names JDK 17 has and later JDKs dropped (JDK 25 no longer knows US-ASCII's alias "default").
DROPPED_LATER = {"DEFAULT"}


def test_every_name_in_the_table_is_one_java_reads_as_that_charset(java_names: dict[str, tuple[bool, str]]) -> None:
    wrong = {
        name: java_names.get(name)
        for java, charset in CHARSETS.items()
        for name in charset.names.split()
        if java_names.get(name) != (True, java)
        and not (name in DROPPED_LATER and java_names.get(name) == (False, "-"))
    }
    assert wrong == {}


def test_every_name_java_reads_is_in_the_table(java_names: dict[str, tuple[bool, str]]) -> None:
    """Completeness: a JDK name missing here would be refused as unknown."""
    ours = {n: java for java, c in CHARSETS.items() for n in c.names.split()}
    ours |= {n: java for java, names in JAVA_ONLY.items() for n in names.split()}
    missing = {n: charset for n, (ok, charset) in java_names.items() if ok and ours.get(n) != charset}
    assert missing == {}


def test_java_only_charsets_are_ones_java_reads(java_names: dict[str, tuple[bool, str]]) -> None:
    wrong = {n: java_names.get(n) for java, names in JAVA_ONLY.items() for n in names.split()
             if java_names.get(n) != (True, java)}
    assert wrong == {}


def _writable(codec: str, ascii_only: bool) -> list[int]:
    """Code points (BMP) the codec writes as bytes; a single-byte codec has at most 256."""
    if ascii_only:
        return list(range(0x80))
    probe = list(range(0x10000))
    if len("\u0100\u3042".encode(codec, errors="replace")) == 2 and codec != "ascii":
        # A table of one byte per character: what its 256 bytes decode to is all it writes.
        probe = sorted({ord(c) for b in range(256) for c in bytes([b]).decode(codec, errors="ignore")})
    writable = []
    for cp in probe:
        if 0xD800 <= cp < 0xE000:
            continue
        try:
            chr(cp).encode(codec)
        except UnicodeError:
            continue
        writable.append(cp)
    return writable


def test_java_reads_what_python_writes_except_the_listed_references(jdk: tuple[str, Path]) -> None:
    """For each charset: the characters Java decodes otherwise are exactly ``refs``."""
    records = jdk[1] / "written.bin"
    with records.open("wb") as out:
        for java, charset in CHARSETS.items():
            for cp in _writable(charset.codec, charset.ascii_only):
                data = f"A{chr(cp)}A".encode(charset.codec)
                name = java.encode()
                out.write(struct.pack(">H", len(name)) + name + struct.pack(">ii", cp, len(data)) + data)
    misread: dict[str, str] = {}
    for row in run(jdk, "decode", str(records)):
        java, cp = row.split("\t")
        misread[java] = misread.get(java, "") + chr(int(cp))
    listed = {java: charset.refs for java, charset in CHARSETS.items() if charset.refs}
    assert misread == listed


# -- what Java reads from spliced descriptors ------------------------------------------------

JAVAEE = 'xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"'
# Characters Java and Python decode alike in each input (〜 is not so in Windows-31J).
JAPANESE = "日本語の店～－"
PARAMS = [("objectGridName", "セッション〜€"), ("catalogHostPort", "cat1:2809")]
SPLICED = {
    # declared name, codec writing the input, display-name (text the encoding holds)
    "Windows-31J": ("cp932", JAPANESE),
    "MS932": ("cp932", JAPANESE),
    "csWindows31J": ("cp932", JAPANESE),
    "windows-932": ("cp932", JAPANESE),
    "Shift_JIS": ("shift_jis", "日本語の店〜"),
    "x-sjis": ("shift_jis", "日本語の店〜"),
    "MS_Kanji": ("shift_jis", "日本語の店〜"),
    "EUC-JP": ("euc_jp", "日本語の店〜"),
    "ISO-2022-JP": ("iso2022_jp", "日本語の店〜"),
    "Cp1252": ("cp1252", "Zürich € “quoted”"),
    "UTF8": ("utf-8", "Zürich 日本 €"),
    "ISO8859_1": ("latin-1", "Zürich café"),
    "ISO8859_15_FDIS": ("iso8859_15", "Zürich €"),
    "KSC5601": ("euc_kr", "한국어 가게"),
    "GBK": ("gbk", "中文商店"),
    "Big5": ("big5", "中文商店"),
    "KOI8_R": ("koi8_r", "Магазин"),
    "EBCDIC-CP-US": ("java_cp037", "Zürich café"),
}


def test_java_reads_the_spliced_descriptors(jdk: tuple[str, Path], tmp_path: Path) -> None:
    expected = {}
    for name, (codec, display) in SPLICED.items():
        lines = [f'<?xml version="1.0" encoding="{name}"?>', f"<web-app {JAVAEE}>",
                 f"  <display-name>{display}</display-name>", "</web-app>", ""]
        data = "\n".join(lines).encode(codec)
        result = splice_webxml(data, PARAMS, Where((name,)))
        assert result.output.startswith(data[: data.index(b"\n" if codec != "java_cp037" else b"\x15")])
        assert splice_webxml(result.output, PARAMS, Where((name,))).changed is False
        (tmp_path / name).write_bytes(result.output)
        expected[name] = "\n".join([
            display,
            *(f"{key}={value}" for key, value in PARAMS),
            "mapping:HttpSessionFilter /*",
            "listener:com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener",
        ])
    read = {}
    for row in run(jdk, "read", *(str(tmp_path / name) for name in SPLICED)):
        name, hexed = row.split("\t")
        read[name] = "".join(chr(int(hexed[i : i + 4], 16)) for i in range(0, len(hexed), 4))
    assert read == expected


def test_the_decode_comparison_sees_a_difference(jdk: tuple[str, Path]) -> None:
    """Guards the harness: Python's cp932 WAVE DASH is Java's FULLWIDTH TILDE in MS932."""
    records = jdk[1] / "one.bin"
    data = "A\u301cA".encode("cp932")
    name = b"windows-31j"
    records.write_bytes(struct.pack(">H", len(name)) + name + struct.pack(">ii", 0x301C, len(data)) + data)
    assert run(jdk, "decode", str(records)) == ["windows-31j\t12316"]
    assert codecs.lookup("java_cp037").name == "java_cp037"
