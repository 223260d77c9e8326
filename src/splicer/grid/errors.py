"""Errors of the emulated grid: bad configuration files and failed grid operations."""

from __future__ import annotations

from splicer.errors import EXIT_USAGE, ConfigError, SplicerError


class GridConfigError(ConfigError):
    """An objectGrid or deployment-policy XML file that is malformed or inconsistent."""

    message_id = "CWWSM0130E"


class GridError(SplicerError, RuntimeError):
    """A grid operation that cannot be done: unknown grid or map, no route, no catalog."""

    exit_code = EXIT_USAGE
    message_id = "CWWSM0131E"
