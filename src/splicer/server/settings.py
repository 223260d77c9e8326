"""The HttpSessionFilter's context-params, read and checked (defaults: WXS 8.6 documentation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from splicer.errors import ConfigError, Where

SESSION_FILTER_CLASS = "com.ibm.ws.xs.sessionmanager.HttpSessionFilter"
SESSION_LISTENER_CLASS = "com.ibm.ws.xs.sessionmanager.IBMHttpSessionListener"
DEFAULT_COOKIE_NAME = "JSESSIONID"
DEFAULT_TIMEOUT_MINUTES = 30
MAX_REPLICATION_INTERVAL = 60
CREDENTIAL_AUTHENTICATION = ("Never", "Supported", "Required")


class ServerConfigError(ConfigError):
    """A deployed module or a server option the emulated application server cannot run with."""

    message_id = "CWWSM0140E"


@dataclass(frozen=True)
class CookieSettings:
    """Session tracking: cookie name/path/domain, cookies on or off, URL rewriting."""

    name: str = DEFAULT_COOKIE_NAME
    path: str = "/"
    domain: str | None = None
    use_cookies: bool = True
    use_url_encoding: bool = False


@dataclass(frozen=True)
class GridParams:
    """Where and how the filter stores sessions."""

    object_grid_name: str = "session"
    catalog: str | None = None
    replication_interval: int = 10
    fragmented: bool = True
    table_size: int = 1000
    security_enabled: bool = False
    credential_authentication: str = "Supported"  # Never, Supported or Required


@dataclass(frozen=True)
class FilterParams:
    cookies: CookieSettings
    grid: GridParams
    reuse_session_id: bool


def _bool(params: Mapping[str, str], name: str, default: bool, where: Where) -> bool:
    value = params.get(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise ServerConfigError(
            f"context-param {name} must be true or false", where, key=name, value=value, allowed="true, false"
        )
    return text == "true"


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int | None, where: Where) -> int:
    value = params.get(name)
    if value is None:
        return default
    allowed = f"{low}..{high}" if high is not None else f">= {low}"
    try:
        number = int(value.strip())
    except ValueError:
        raise ServerConfigError(
            f"context-param {name} must be a whole number", where, key=name, value=value, allowed=allowed
        ) from None
    if number < low or (high is not None and number > high):
        raise ServerConfigError(f"context-param {name} is out of range", where, key=name, value=value, allowed=allowed)
    return number


def _choice(params: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...],
            where: Where) -> str:
    value = params.get(name)
    if value is None:
        return default
    if value.strip() not in allowed:
        raise ServerConfigError(f"context-param {name} is not one of its values", where, key=name,
                                value=value, allowed=", ".join(allowed))
    return value.strip()


def cookie_settings(params: Mapping[str, str], where: Where) -> CookieSettings:
    """Cookie settings: the filter's context-params when spliced, else the container defaults."""
    name = params.get("cookieName", DEFAULT_COOKIE_NAME).strip() or DEFAULT_COOKIE_NAME
    return CookieSettings(
        name=name,
        path=params.get("cookiePath", "/").strip() or "/",
        domain=(params.get("cookieDomain") or "").strip() or None,
        use_cookies=_bool(params, "useCookies", True, where),
        use_url_encoding=_bool(params, "useURLEncoding", False, where),
    )


def filter_params(params: Mapping[str, str], where: Where) -> FilterParams:
    """Every filter setting the emulator acts on; bad values are refused at deploy time."""
    grid_type = params.get("objectGridType", "REMOTE").strip().upper()
    if grid_type != "REMOTE":
        raise ServerConfigError(
            "objectGridType EMBEDDED (a grid container inside the application server) is not emulated",
            where,
            key="objectGridType",
            value=params.get("objectGridType"),
            allowed="REMOTE",
            hint="run `splicer grid container` processes and splice with objectGridType=REMOTE",
        )
    grid = GridParams(
        object_grid_name=params.get("objectGridName", "session").strip() or "session",
        catalog=(params.get("catalogHostPort") or "").strip() or None,
        replication_interval=_int(params, "replicationInterval", 10, 0, MAX_REPLICATION_INTERVAL, where),
        fragmented=_bool(params, "fragmentedSession", True, where),
        table_size=_int(params, "sessionTableSize", 1000, 1, None, where),
        security_enabled=_bool(params, "securityEnabled", False, where),
        credential_authentication=_choice(params, "credentialAuthentication", "Supported",
                                          CREDENTIAL_AUTHENTICATION, where),
    )
    return FilterParams(cookie_settings(params, where), grid, _bool(params, "reuseSessionId", False, where))
