"""Generate a realistic EAR for the splice benchmark, deterministically (seeded).

    python benchmarks/make_ear.py OUT.ear [--seed N] [--jars 100] [--scale 1.0] [--wars 3]
                                          [--fragments N] [--stored-jars]
    python benchmarks/make_ear.py OUT.war --entries 20000

Three WARs (Servlet 2.5, 3.0 and 4.0 descriptors) of about 100 JARs each, plus classes,
JSPs and static files; META-INF/application.xml lists the three web modules.  JARs hold
class-like content: a class-file header, a constant pool drawn from a vocabulary of Java
names (compressible) and bytecode-like random bytes (not), so deflate behaves roughly as on
real libraries.  About 80 MB in all at the default scale.  Every entry has a fixed time, so
the same seed gives the same bytes.  ``--fragments N`` gives every Nth JAR a
META-INF/web-fragment.xml (a monitoring filter and a listener), ``--stored-jars`` stores the
JARs in their WAR uncompressed (``jar -0``), as some builds do; neither changes the other bytes.
"""

from __future__ import annotations

import argparse
import io
import random
import struct
import tempfile
import zipfile
from pathlib import Path

STAMP = (2013, 5, 6, 10, 20, 30)
MANIFEST = b"Manifest-Version: 1.0\r\nCreated-By: 1.6.0 (IBM Corporation)\r\n\r\n"
WEB_XML = {
    "2.5": b"""<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://java.sun.com/xml/ns/javaee http://java.sun.com/xml/ns/javaee/web-app_2_5.xsd" version="2.5">
  <display-name>%(name)s</display-name>
  <servlet>
    <servlet-name>Front</servlet-name>
    <servlet-class>com.example.%(name)s.FrontServlet</servlet-class>
  </servlet>
  <servlet-mapping>
    <servlet-name>Front</servlet-name>
    <url-pattern>/app/*</url-pattern>
  </servlet-mapping>
  <welcome-file-list>
    <welcome-file>index.jsp</welcome-file>
  </welcome-file-list>
</web-app>
""",
    "3.0": b"""<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://java.sun.com/xml/ns/javaee http://java.sun.com/xml/ns/javaee/web-app_3_0.xsd"
  version="3.0" metadata-complete="false">
  <display-name>%(name)s</display-name>
  <filter>
    <filter-name>Encoding</filter-name>
    <filter-class>com.example.%(name)s.EncodingFilter</filter-class>
  </filter>
  <filter-mapping>
    <filter-name>Encoding</filter-name>
    <url-pattern>/*</url-pattern>
  </filter-mapping>
  <session-config>
    <session-timeout>30</session-timeout>
  </session-config>
</web-app>
""",
    "4.0": b"""<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://xmlns.jcp.org/xml/ns/javaee http://xmlns.jcp.org/xml/ns/javaee/web-app_4_0.xsd"
  version="4.0">
  <display-name>%(name)s</display-name>
  <context-param>
    <param-name>mode</param-name>
    <param-value>production</param-value>
  </context-param>
  <listener>
    <listener-class>com.example.%(name)s.StartupListener</listener-class>
  </listener>
</web-app>
""",
}
FRAGMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<web-fragment xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">
  <name>%(name)s</name>
  <filter>
    <filter-name>%(name)sMonitor</filter-name>
    <filter-class>org.%(name)s.monitor.MonitoringFilter</filter-class>
  </filter>
  <filter-mapping>
    <filter-name>%(name)sMonitor</filter-name>
    <url-pattern>/*</url-pattern>
  </filter-mapping>
  <listener>
    <listener-class>org.%(name)s.monitor.SessionCounter</listener-class>
  </listener>
</web-fragment>
"""
SYLLABLES = "get set is has to from with by for of add remove find load save read write parse build make " \
            "Name Value List Map Entry Node Tree Item User Order Account Session Context Factory Manager " \
            "Service Handler Provider Config Builder Reader Writer Stream Buffer Cache Pool Queue".split()
PACKAGES = ["java/lang/", "java/util/", "java/io/", "javax/servlet/", "org/apache/commons/", "com/example/"]


def _info(name: str, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else method
    info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") else 0o100644 << 16
    return info


class Generator:
    """Deterministic pseudo-Java content drawn from one seeded random stream."""

    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        words = {"".join(self.rng.choices(SYLLABLES, k=self.rng.randint(1, 3))) for _ in range(3000)}
        self.names = sorted(words)
        self.pool = [f"{self.rng.choice(PACKAGES)}{w}" for w in self.names[:600]] + \
                    [f"(L{self.rng.choice(PACKAGES)}{w};)V" for w in self.names[600:900]] + self.names

    def class_file(self) -> bytes:
        size = int(self.rng.randint(4_000, 17_000) * self.scale)
        pool = "\x01".join(self.rng.choices(self.pool, k=size // 24)).encode()
        code = self.rng.randbytes(size // 2)  # bytecode and numbers: barely compressible
        return b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + struct.pack(">H", len(pool) // 8) + pool + code

    def jar(self, name: str, fragment: bool = False) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr(_info("META-INF/"), b"")
            zf.writestr(_info("META-INF/MANIFEST.MF"), MANIFEST)
            if fragment:  # no random draw: the other entries stay the same bytes
                zf.writestr(_info("META-INF/web-fragment.xml"), FRAGMENT % {b"name": name.replace("-", "").encode()})
            package = f"org/{name}/" + self.rng.choice(self.names).lower() + "/"
            for cls in self.rng.sample(self.names, self.rng.randint(20, 44)):
                zf.writestr(_info(package + cls + ".class"), self.class_file())
        return buffer.getvalue()

    def war(self, path: Path, name: str, version: str, jars: int, fragments: int = 0,
            stored_jars: bool = False) -> None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(_info("META-INF/"), b"")
            zf.writestr(_info("META-INF/MANIFEST.MF"), MANIFEST)
            zf.writestr(_info("WEB-INF/"), b"")
            zf.writestr(_info("WEB-INF/web.xml"), WEB_XML[version] % {b"name": name.encode()})
            zf.writestr(_info("WEB-INF/classes/"), b"")
            for i in range(30):
                zf.writestr(_info(f"WEB-INF/classes/com/example/{name}/C{i:02}.class"), self.class_file())
            zf.writestr(_info("WEB-INF/lib/"), b"")
            for i in range(jars):
                jar_name = f"{self.rng.choice(self.names).lower()}-{i:03}"
                method = zipfile.ZIP_STORED if stored_jars else zipfile.ZIP_DEFLATED
                jar = self.jar(jar_name, fragment=bool(fragments) and i % fragments == 0)
                zf.writestr(_info(f"WEB-INF/lib/{jar_name}-1.{i % 7}.jar", method), jar)
            for i in range(40):
                page = "<%@ page contentType=\"text/html\" %>\n" + "\n".join(
                    f"<p class=\"{self.rng.choice(self.names)}\">${{{self.rng.choice(self.names)}}}</p>" for _ in range(60))
                zf.writestr(_info(f"pages/p{i:02}.jsp"), page.encode())
            zf.writestr(_info("index.jsp"), b"<html><body>Hello</body></html>\n")


def application_xml(wars: list[tuple[str, str]]) -> bytes:
    modules = "".join(f"  <module><web><web-uri>{uri}</web-uri><context-root>/{root}</context-root></web></module>\n"
                      for uri, root in wars)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<application xmlns="http://java.sun.com/xml/ns/javaee" '
            f'version="5">\n  <display-name>Bench</display-name>\n{modules}</application>\n').encode()


def war_list(count: int) -> list[tuple[str, str, str]]:
    """(uri, context root, Servlet version) of ``count`` WARs: the three named ones first."""
    named = [("Shop.war", "shop", "2.5"), ("Admin.war", "admin", "3.0"), ("Api.war", "api", "4.0")]
    versions = ("2.5", "3.0", "4.0")
    return named[:count] + [(f"M{i:02}.war", f"m{i:02}", versions[i % 3]) for i in range(3, count)]


def make_ear(out: Path, *, seed: int = 2013, jars: int = 100, scale: float = 1.0, wars: int = 3,
             fragments: int = 0, stored_jars: bool = False) -> Path:
    """Write the benchmark EAR (``wars`` WARs of ``jars`` JARs each) to ``out`` and return it."""
    gen = Generator(seed, scale)
    modules = war_list(wars)
    with tempfile.TemporaryDirectory(dir=out.parent) as folder, zipfile.ZipFile(out, "w") as ear:
        ear.writestr(_info("META-INF/"), b"")
        ear.writestr(_info("META-INF/MANIFEST.MF"), MANIFEST)
        ear.writestr(_info("META-INF/application.xml"), application_xml([(uri, root) for uri, root, _ in modules]))
        for uri, root, version in modules:
            path = Path(folder, uri)
            gen.war(path, root, version, jars, fragments, stored_jars)
            with path.open("rb") as src, ear.open(_info(uri), "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        ear.writestr(_info("lib/"), b"")
        ear.writestr(_info("lib/shared-model.jar"), gen.jar("shared"))
    return out


def make_war(out: Path, *, entries: int = 20_000, seed: int = 2013) -> Path:
    """A WAR of ``entries`` small entries (classes, JSPs, static text of 0.3-3 KB, deflated)
    and a Servlet 3.0 descriptor: the shape where per-entry work is all there is."""
    rng = random.Random(seed)
    words = [w.encode() for w in SYLLABLES]
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(_info("META-INF/"), b"")
        zf.writestr(_info("META-INF/MANIFEST.MF"), MANIFEST)
        zf.writestr(_info("WEB-INF/"), b"")
        zf.writestr(_info("WEB-INF/web.xml"), WEB_XML["3.0"] % {b"name": b"many"})
        for i in range(entries - 4):
            folder = ("WEB-INF/classes/com/example/p%d" % (i % 97), "jsp/section%d" % (i % 31), "static/txt")[i % 3]
            body = b" ".join(rng.choices(words, k=rng.randint(40, 400))) + rng.randbytes(rng.randint(0, 64))
            zf.writestr(_info(f"{folder}/file{i}.{('class', 'jsp', 'txt')[i % 3]}"), body)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--jars", type=int, default=100, help="JARs per WAR")
    parser.add_argument("--scale", type=float, default=1.0, help="class size factor")
    parser.add_argument("--wars", type=int, default=3, help="number of WARs")
    parser.add_argument("--fragments", type=int, default=0, help="every Nth JAR carries a web-fragment.xml")
    parser.add_argument("--stored-jars", action="store_true", help="JARs stored in their WAR, not deflated")
    parser.add_argument("--entries", type=int, help="write a WAR of this many small entries instead")
    args = parser.parse_args()
    if args.entries:
        make_war(args.out, entries=args.entries, seed=args.seed)
    else:
        make_ear(args.out, seed=args.seed, jars=args.jars, scale=args.scale, wars=args.wars,
                 fragments=args.fragments, stored_jars=args.stored_jars)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
