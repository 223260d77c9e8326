"""Which web modules an application has (a WAR, or the WARs of an EAR), and which descriptor each deploys with."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from splicer.appxml import DeclaredWebModule, read_application_xml
from splicer.archives.names import clash_key, deployed_name
from splicer.archives.reading import check_name
from splicer.errors import Diagnostic, DescriptorError, Where

if TYPE_CHECKING:
    from splicer.archives import AppReader

APPLICATION_XML = "META-INF/application.xml"
WEB_XML = "WEB-INF/web.xml"


class WebModule(NamedTuple):
    """A web module: its name, its entry in the EAR ('' for a bare WAR), its context root, and
    the EAR entry application.xml names in its ``<alt-dd>``.  Entries are spelled as in the EAR."""

    name: str
    uri: str
    context_root: str
    alt_dd: str | None = None

    @property
    def is_bare_war(self) -> bool:
        return self.uri == ""


class DeploymentDescriptor(NamedTuple):
    """The web.xml a module deploys with: the archive holding it, its entry there, and why."""

    holder: AppReader  # the WAR; the EAR for an <alt-dd>
    name: str | None  # the entry, spelled as it is; None: the module has none (Servlet 3.0+)
    where: Where
    alt_dd: bool = False
    notes: tuple[Diagnostic, ...] = ()


def deployment_descriptor(app: AppReader, module: WebModule, war: AppReader) -> DeploymentDescriptor:
    """The descriptor WebSphere deploys *module* (of *app*, opened as *war*) with.

    The ``<alt-dd>`` application.xml names, an EAR entry, when there is one; else the WAR's
    ``WEB-INF/web.xml`` under any spelling that resolves to it (``WEB-INF\\web.xml``,
    ``./WEB-INF/web.xml``, a case variant), the one extraction leaves where several do.
    splice, verify and the emulated server all ask here, so they agree on the file.
    """
    if module.alt_dd is not None:
        where = app.where.child(module.alt_dd)
        note = Diagnostic(
            "CWWSM0506W",
            f"application.xml gives the module {module.name} this alternate descriptor (<alt-dd>), which "
            "WebSphere deploys it with: this file is the one spliced, and the WAR's own WEB-INF/web.xml "
            "is left as it is",
            where,
        )
        return DeploymentDescriptor(app, module.alt_dd, where, True, (note,))
    files = [name for name in war.lookup(WEB_XML) if not name.endswith("/")]
    # An exploded WAR's folder listing does not enter a link that leads out (or back up);
    # asking for the file itself refuses the first, and finds it behind the second.
    if not files and war.has(WEB_XML):
        files = [WEB_XML]
    if not files:
        return DeploymentDescriptor(war, None, war.where.child(WEB_XML))
    name, _ = war.winner(files, WEB_XML)
    where = war.where.child(name)
    return DeploymentDescriptor(war, name, where, False, tuple(spelling_notes(where, name, WEB_XML)))


def spelling_notes(where: Where, name: str, path: str) -> list[Diagnostic]:
    """CWWSM0504W when entry *name* is spelled otherwise than the *path* it stands for."""
    if name == path:
        return []
    how = ("resolves to it once expanded (\\ is a separator there; ./ and repeated / are dropped)"
           if deployed_name(name) == path else
           "is that path only on a case-insensitive file system (Windows, macOS); a server on "
           "a case-sensitive one does not find it there")
    return [Diagnostic("CWWSM0504W", f"the entry is spelled '{name}', not '{path}'; it {how}; it is "
                       "used and spliced where it is, under its own name", where)]


def is_war(reader: AppReader) -> bool:
    """A WAR has WEB-INF/ at its top; an EAR has modules instead.

    An archive with neither (a static-content WAR, an empty one) is what its name says: a
    ``.war`` is a WAR, to be given a descriptor like any WAR without one.
    """
    if any(key.startswith("web-inf/") for key in reader.by_deployed_path()):
        return True
    if reader.lookup(APPLICATION_XML) or _top_level_wars(reader):
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
    """Top-level `*.war` entries, as deployed: a zipped WAR by its entry name as spelled
    (``./Web.war``), a directory or folder of entries (an exploded WAR) by its path."""
    found: dict[str, str] = {}
    for name in reader.names():
        path = deployed_name(name)
        first, slash, _ = path.partition("/")
        if first.lower().endswith(".war"):
            found.setdefault(first.lower(), first if slash else name)
    return list(found.values())


def _module_entry(reader: AppReader, path: str) -> str | None:
    """The entry that is *path* (a web-uri, relative to the EAR's root, at any depth) once
    deployed: a zipped WAR as spelled, or a folder (an exploded WAR); None if there is none."""
    files = [name for name in reader.lookup(path) if not name.endswith("/")]
    if files:
        return reader.winner(files, path)[0]
    folders = reader.lookup(path + "/")
    if folders:
        return reader.winner(folders, path + "/")[0].rstrip("/")
    prefix = clash_key(path + "/")
    return path if any(key.startswith(prefix) for key in reader.by_deployed_path()) else None


def _alt_dd(reader: AppReader, declared: DeclaredWebModule, uri: str, app_where: Where) -> tuple[str, list[Diagnostic]]:
    """The EAR entry a module's <alt-dd> names (a path relative to the EAR's root)."""
    assert declared.alt_dd is not None
    path = deployed_name(declared.alt_dd)
    check_name(path, reader.where)
    files = [name for name in reader.lookup(path) if not name.endswith("/")]
    if not files:
        raise DescriptorError(
            f"application.xml gives the web module {uri!r} the alternate descriptor (<alt-dd>) "
            f"{declared.alt_dd!r}, which the archive does not contain",
            app_where.at(declared.line),
        )
    name = reader.winner(files, path)[0]
    return name, spelling_notes(reader.where.child(name), name, path)


def _nested_ears(reader: AppReader) -> list[Diagnostic]:
    """CWWSM0508W for every EAR inside the EAR (a file or a folder), which is not looked into."""
    found: dict[str, str] = {}
    for key, names in reader.by_deployed_path().items():
        if ".ear" not in key:
            continue
        parts = key.split("/")
        depth = next((i for i, part in enumerate(parts) if part.endswith(".ear")), None)
        if depth is not None:
            found.setdefault("/".join(parts[: depth + 1]), "/".join(deployed_name(names[0]).split("/")[: depth + 1]))
    return [
        Diagnostic(
            "CWWSM0508W",
            "an EAR inside the EAR is not a module Java EE deploys; it is not looked into, and no "
            "web module inside it is spliced",
            reader.where.child(path),
        )
        for path in found.values()
    ]


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

    warnings = _nested_ears(reader)
    present = _top_level_wars(reader)
    descriptors = [name for name in reader.lookup(APPLICATION_XML) if not name.endswith("/")]
    if not descriptors:
        found = []
        for war in present:
            stem = PurePosixPath(deployed_name(war)).stem
            found.append(WebModule(stem, war, "/" + stem))
            warnings += spelling_notes(where.child(war), war, deployed_name(war))
        return found, warnings + ([] if found else [_no_web_module(where)])

    app_entry = reader.winner(descriptors, APPLICATION_XML)[0]
    app_where = where.child(app_entry)
    warnings += spelling_notes(app_where, app_entry, APPLICATION_XML)
    modules: list[WebModule] = []
    first_line: dict[str, int | None] = {}
    for entry in read_application_xml(reader.read(app_entry), app_where):
        # A path relative to the EAR's root (Java EE pathType): ./Web.war and web//Web.war are
        # Web.war and web/Web.war.  A '..' is refused as unsafe, never looked up.
        path = deployed_name(entry.web_uri)
        check_name(path, where)
        uri = _module_entry(reader, path)
        if uri is None:
            raise DescriptorError(
                f"application.xml lists the web module {path!r}, which the archive does not contain",
                app_where.at(entry.line),
            )
        if clash_key(uri) in first_line:
            warnings.append(Diagnostic(
                "CWWSM0507W",
                f"application.xml lists the web module {path!r} again (first on line {first_line[clash_key(uri)]}); "
                "it is one module, reported and spliced once, with the first listing's context root",
                app_where.at(entry.line),
            ))
            continue
        first_line[clash_key(uri)] = entry.line
        warnings += spelling_notes(where.child(uri), uri, path)
        alt_dd = None
        if entry.alt_dd is not None:
            alt_dd, notes = _alt_dd(reader, entry, path, app_where)
            warnings += notes
        stem = PurePosixPath(path).stem
        modules.append(WebModule(stem, uri, _normal_root(entry.context_root or stem), alt_dd))
    warnings += [
        Diagnostic(
            "CWWSM0501W",
            "this WAR is not listed in META-INF/application.xml, so it is not a module of the "
            "application; it is left alone",
            where.child(uri),
        )
        for uri in present
        if clash_key(uri) not in first_line
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
