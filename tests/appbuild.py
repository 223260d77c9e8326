"""Build test applications in code: {name: bytes | nested dict} -> a zip, a WAR nested in an EAR."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Union

Tree = dict[str, Union[bytes, str, "Tree"]]

FIXED_TIME = (2020, 1, 2, 3, 4, 6)


def zip_bytes(tree: Tree, *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of *tree*; a dict value becomes a nested zip (a WAR inside an EAR)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in tree.items():
            if isinstance(value, dict):
                data = zip_bytes(value, method=method)
            elif isinstance(value, str):
                data = value.encode()
            else:
                data = value
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = method
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_zip(path: Path, tree: Tree, *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    path.write_bytes(zip_bytes(tree, method=method))
    return path


def write_dir(path: Path, tree: Tree) -> Path:
    """An exploded application: a dict value whose name ends in .war becomes a directory."""
    path.mkdir(parents=True, exist_ok=True)
    for name, value in tree.items():
        target = path / name
        if isinstance(value, dict):
            write_dir(target, value)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(value.encode() if isinstance(value, str) else value)
    return path


def read_tree(path: Path) -> dict[str, bytes]:
    """Every entry of a zip, nested zips flattened as 'outer.war!/inner'."""
    out: dict[str, bytes] = {}

    def walk(prefix: str, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                content = archive.read(name)
                if name.endswith((".war", ".jar")) and content[:2] == b"PK":
                    walk(f"{prefix}{name}!/", content)
                out[f"{prefix}{name}"] = content

    walk("", path.read_bytes())
    return out


def application_xml(*modules: tuple[str, str] | tuple[str, str, str]) -> str:
    """One <module><web> per (web-uri, context-root), and its <alt-dd> when a third item is given."""
    body = "".join(
        f"  <module><web><web-uri>{module[0]}</web-uri><context-root>{module[1]}</context-root></web>"
        + (f"<alt-dd>{module[2]}</alt-dd>" if len(module) > 2 else "")
        + "</module>\n"
        for module in modules
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<application xmlns="http://java.sun.com/xml/ns/javaee" version="6">\n'
        f"{body}</application>\n"
    )


WEB_25 = """<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
    <display-name>Shop</display-name>
    <welcome-file-list>
        <welcome-file>index.jsp</welcome-file>
    </welcome-file-list>
</web-app>
"""


def jsp_precompiled_webxml(servlets: int, *, newline: str = "\n") -> bytes:
    """A Servlet 3.1 web.xml as JSP precompilation (Jasper's JspC) writes it: one servlet
    and one servlet-mapping per page, *servlets* of each; about 340 bytes per page."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="3.1">',
        "    <display-name>Generated</display-name>",
    )
    body = []
    for i in range(servlets):
        jsp = f"org.apache.jsp.WEB_002dINF.pages.page{i}_jsp"
        body += [
            "    <servlet>",
            f"        <servlet-name>{jsp}</servlet-name>",
            f"        <servlet-class>{jsp}</servlet-class>",
            "    </servlet>",
            "    <servlet-mapping>",
            f"        <servlet-name>{jsp}</servlet-name>",
            f"        <url-pattern>/WEB-INF/pages/page{i}.jsp</url-pattern>",
            "    </servlet-mapping>",
        ]
    return newline.join([*head, *body, "</web-app>", ""]).encode()
