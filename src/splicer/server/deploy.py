"""Deploy an application: find its web modules, read each web.xml, refuse what WAS refuses."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from splicer.archives import AppReader
from splicer.errors import UsageError, Where
from splicer.modules import WebModule, deployment_descriptor, discover, is_war
from splicer.server.settings import DEFAULT_COOKIE_NAME, CookieSettings, ServerConfigError
from splicer.webxml.model import Descriptor, read_descriptor

log = logging.getLogger("splicer.server")

# A module without WEB-INF/web.xml (Servlet 3.0+) runs with an empty descriptor.
EMPTY_DESCRIPTOR = Descriptor(version="3.0", namespace="http://java.sun.com/xml/ns/javaee")


@dataclass(frozen=True)
class ModuleSource:
    """A web module found in the archive: its files, its web.xml and where that file is."""

    module: WebModule
    files: AppReader
    descriptor: Descriptor
    where: Where


def deploy(reader: AppReader, *, context_root: str | None = None) -> list[ModuleSource]:
    """Every web module of *reader*, its web.xml read.  *context_root* is for a bare WAR only.

    Two modules on one context root are refused, as the web container refuses to start them.
    """
    if context_root is not None and not is_war(reader):
        raise UsageError("--context-root applies to a bare WAR; an EAR names its context roots", reader.where)
    modules, warnings = discover(reader, war_context_root=context_root)
    for warning in warnings:
        log.warning("%s", warning)
    if not modules:
        raise ServerConfigError("the application has no web module to deploy", reader.where)
    sources: list[ModuleSource] = []
    seen: dict[str, str] = {}
    for module in modules:
        files = reader if module.is_bare_war else reader.nested(module.uri)
        # The descriptor WebSphere deploys with: an <alt-dd>, or WEB-INF/web.xml as spelled.
        source = deployment_descriptor(reader, module, files)
        for note in source.notes:
            log.warning("%s", note)
        where = source.where
        if module.context_root in seen:
            raise ServerConfigError(
                f"modules {seen[module.context_root]} and {module.name} share the context root {module.context_root}",
                where,
            )
        seen[module.context_root] = module.name
        descriptor = (EMPTY_DESCRIPTOR if source.name is None
                      else read_descriptor(source.holder.read(source.name), where))
        sources.append(ModuleSource(module, files, descriptor, where))
    return sources


def container_cookies(descriptor: Descriptor) -> CookieSettings:
    """Session tracking without the filter: the container defaults, adjusted by the module's
    <session-config> (<cookie-config> name/path/domain, <tracking-mode> COOKIE/URL)."""
    config = descriptor.session_config
    if config is None:
        return CookieSettings()
    cookie = config.cookie
    modes = {mode.upper() for mode in config.tracking_modes}
    return CookieSettings(
        name=(cookie.name if cookie and cookie.name else DEFAULT_COOKIE_NAME),
        path=(cookie.path if cookie and cookie.path else "/"),
        domain=(cookie.domain if cookie and cookie.domain else None),
        use_cookies=not modes or "COOKIE" in modes,
        use_url_encoding="URL" in modes,
    )
