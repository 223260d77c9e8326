"""Which web modules of an application send their sessions to the grid (read from web.xml)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from splicer.archives import AppReader, open_app
from splicer.modules import WebModule, deployment_descriptor, web_modules
from splicer.verify.model import ModuleCheck
from splicer.webxml.model import Descriptor, read_descriptor

SESSION_FILTER_CLASS = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
DEFAULT_REPLICATION_INTERVAL = 10  # WXS 8.6 documentation, and the emulated server's default
PROBE_PAGE = "SessionTest.jsp"  # the tutorial's page; the emulator serves any .jsp path as it


def session_filter_mapped(descriptor: Descriptor) -> bool:
    """True when the HttpSessionFilter is declared and a <filter-mapping> uses it."""
    names = {name for name, f in descriptor.filters.items() if f.filter_class.strip() == SESSION_FILTER_CLASS}
    return any(mapping.filter_name in names for mapping in descriptor.filter_mappings)


def _interval(descriptor: Descriptor) -> int:
    value = descriptor.context_params.get("replicationInterval", "").strip()
    try:
        return int(value) if value else DEFAULT_REPLICATION_INTERVAL
    except ValueError:
        # The server refuses such a module; the scenario then reports the failure it sees.
        return DEFAULT_REPLICATION_INTERVAL


def _war(reader: AppReader, module: WebModule) -> AppReader:
    return reader.nested(module.uri) if module.uri else reader


def check_module(reader: AppReader, module: WebModule) -> ModuleCheck:
    war = _war(reader, module)
    check = ModuleCheck(module.name, module.uri, module.context_root, has_filter=False)
    # The file the server deploys the module with (an <alt-dd> first), as the server reads it.
    source = deployment_descriptor(reader, module, war)
    if source.name is None:
        return check
    descriptor = read_descriptor(source.holder.read(source.name), source.where)
    if session_filter_mapped(descriptor):
        check.has_filter = True
        check.replication_interval = _interval(descriptor)
        check.object_grid_name = descriptor.context_params.get("objectGridName", "session").strip()
    # Another profile's filter: not emulated, or beside HttpSessionFilter a second session manager.
    check.other_manager = other_manager(descriptor)
    return check


def other_manager(descriptor: Descriptor) -> str | None:
    """The title of the profile other than the default whose filter the module declares, if any."""
    from splicer.profiles import shipped

    for profile in shipped().values():
        if profile.default:
            continue
        for name, declared in descriptor.filters.items():
            if name == profile.filter_name or (not profile.shared_class
                                               and declared.filter_class.strip() in profile.filter_classes.all()):
                return profile.title
    return None


def wants_security(app: Path) -> bool:
    """True when a module's HttpSessionFilter has securityEnabled=true with a credential
    (credentialAuthentication not Never): its grid must then authenticate."""
    with open_app(app) as reader:
        for module in web_modules(app):
            source = deployment_descriptor(reader, module, _war(reader, module))
            if source.name is None:
                continue
            descriptor = read_descriptor(source.holder.read(source.name), source.where)
            params = descriptor.context_params
            if (session_filter_mapped(descriptor)
                    and params.get("securityEnabled", "").strip().lower() == "true"
                    and params.get("credentialAuthentication", "").strip() != "Never"):
                return True
    return False


def check_modules(app: Path) -> list[ModuleCheck]:
    """Every web module of the application and whether the HttpSessionFilter is mapped in it."""
    with open_app(app) as reader:
        return [check_module(reader, module) for module in web_modules(app)]


def probe_path(app: Path, module: ModuleCheck) -> str:
    """The page to request in a module: its SessionTest.jsp if it has one, else any .jsp."""
    with open_app(app) as reader:
        war = reader.nested(module.uri) if module.uri else reader
        pages = [n for n in war.names() if n.lower().endswith(".jsp") and not n.upper().startswith("WEB-INF/")]
    chosen = next((p for p in pages if PurePosixPath(p).name == PROBE_PAGE), pages[0] if pages else PROBE_PAGE)
    return module.context_root.rstrip("/") + "/" + chosen
