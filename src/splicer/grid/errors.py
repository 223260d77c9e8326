"""Errors of the emulated grid: bad configuration files and failed grid operations."""

from __future__ import annotations

from splicer.errors import EXIT_UNAVAILABLE, EXIT_USAGE, ConfigError, SplicerError


class GridConfigError(ConfigError):
    """An objectGrid or deployment-policy XML file that is malformed or inconsistent."""

    message_id = "CWWSM0130E"


class GridError(SplicerError, RuntimeError):
    """A grid operation asked wrongly: an unknown grid, map or mapSet, a bad endpoint or option."""

    exit_code = EXIT_USAGE
    message_id = "CWWSM0131E"


class GridUnavailableError(GridError):
    """Asked rightly, but nothing answered: no catalog server, no reachable primary, an
    address that cannot be listened on.  A runtime failure, not a usage error: trying
    again once the grid is up may work."""

    exit_code = EXIT_UNAVAILABLE
    message_id = "CWWSM0134E"
