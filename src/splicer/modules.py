"""Which web modules an application has: a WAR, or the WARs of an EAR (listed or found)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from splicer.appxml import read_application_xml
from splicer.errors import Diagnostic, DescriptorError, Where

if TYPE_CHECKING:
    from splicer.archives import AppReader

APPLICATION_XML = "META-INF/application.xml"
WEB_XML = "WEB-INF/web.xml"


@dataclass(frozen=True)
class WebModule:
    """A web module: its name, its entry in the EAR ('' for a bare WAR), its context root."""

    name: str
    uri: str
    context_root: str

    @property
    def is_bare_war(self) -> bool:
        return self.uri == ""


def is_war(reader: AppReader) -> bool:
    """A WAR has WEB-INF/ at its top; an EAR has modules instead.

    An archive with neither (a static-content WAR, an empty one) is what its name says: a
    ``.war`` is a WAR, to be given a descriptor like any WAR without one.
    """
    names = reader.names()
    if any(name == "WEB-INF/" or name.startswith("WEB-INF/") for name in names):
        return True
    if APPLICATION_XML in names or _top_level_wars(reader):
        return False
    return _app_name(reader.where).lower().endswith(".war")


def _app_name(where: Where) -> str:
    """The file or folder name of the application behind *where* ('' if it has none).

    The outermost part is a path as the user typed it: ``.`` or ``dist/..`` name the folder
    they lead to, so `splice .` inside shop.war/ splices the module "shop", not "".
    """
    if not where.parts:
        return ""
    name = where.parts[-1]
    if len(where.parts) == 1:
        name = os.path.basename(os.path.abspath(name))
    return name.rstrip("/")


def _normal_root(context_root: str) -> str:
    return "/" + context_root.strip().strip("/")


def _top_level_wars(reader: AppReader) -> list[str]:
    """Top-level `*.war` entries: zipped WAR files, or directories (exploded WARs)."""
    found: dict[str, None] = {}
    for name in reader.names():
        first = name.split("/", 1)[0]
        if first.lower().endswith(".war"):
            found.setdefault(first, None)
    return list(found)


def _module_path(web_uri: str) -> str:
    """A web-uri as an entry name: a path relative to the EAR's root (Java EE pathType), so
    ``./Web.war``, ``/Web.war`` and ``web//Web.war`` name the entries ``Web.war`` and
    ``web/Web.war``.  A ``..`` is kept, for the archive layer to refuse as unsafe."""
    return str(PurePosixPath(web_uri.strip("/"))).lstrip("/")


def _contains_module(names: list[str], uri: str) -> bool:
    """Whether the EAR holds *uri*, at any depth: a zipped WAR, or a folder (exploded WAR)."""
    prefix = uri + "/"
    return any(name == uri or name.startswith(prefix) for name in names)


def _no_web_module(where: Where) -> Diagnostic:
    # Not an error (an EJB-only EAR is valid), but a build that splices one most likely
    # names the wrong file, and "nothing to do" must not read as "already spliced".
    return Diagnostic(
        "CWWSM0503W",
        "the application has no web module (no WEB-INF/, no *.war listed or at the top); nothing is spliced",
        where,
    )


def discover(reader: AppReader, *, war_context_root: str | None = None) -> tuple[list[WebModule], list[Diagnostic]]:
    """The web modules of the application behind *reader*, and warnings about the others.

    EAR: the modules META-INF/application.xml lists (a listed module that is missing is an
    error; a WAR present but not listed is a warning and is left alone); with no
    application.xml, every top-level *.war.  WAR: the archive itself.
    """
    where = reader.where
    if is_war(reader):
        stem = PurePosixPath(_app_name(where) or "app").stem
        root = _normal_root(war_context_root if war_context_root is not None else stem)
        return [WebModule(stem, "", root)], []

    present = _top_level_wars(reader)
    if not reader.has(APPLICATION_XML):
        found = [WebModule(PurePosixPath(uri).stem, uri, "/" + PurePosixPath(uri).stem) for uri in present]
        return found, ([] if found else [_no_web_module(where)])

    app_where = where.child(APPLICATION_XML)
    declared = read_application_xml(reader.read(APPLICATION_XML), app_where)
    names = reader.names()
    modules: list[WebModule] = []
    for entry in declared:
        uri = _module_path(entry.web_uri)
        if not _contains_module(names, uri):
            raise DescriptorError(
                f"application.xml lists the web module {uri!r}, which the archive does not contain",
                app_where.at(entry.line),
            )
        stem = PurePosixPath(uri).stem
        modules.append(WebModule(stem, uri, _normal_root(entry.context_root or stem)))
    listed = {module.uri for module in modules}
    warnings = [
        Diagnostic(
            "CWWSM0501W",
            "this WAR is not listed in META-INF/application.xml, so it is not a module of the "
            "application; it is left alone",
            where.child(uri),
        )
        for uri in present
        if uri not in listed
    ]
    if not modules:
        warnings.append(_no_web_module(where))
    return modules, warnings


def web_modules(app: Path) -> list[WebModule]:
    """The web modules of the EAR, WAR or exploded directory at *app*."""
    from splicer.archives import open_app

    with open_app(app) as reader:
        modules, _ = discover(reader)
    return modules
