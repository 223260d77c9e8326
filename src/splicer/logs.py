"""Log lines of the emulator's processes: on stderr, prefixed with time and server name."""

from __future__ import annotations

import logging
import sys


def log_to_stderr(server_name: str, logger_name: str) -> None:
    """Send *logger_name*'s records to stderr as ``[time] server1 SRVE0250I: ...``.

    stdout is kept for the one ``READY host:port`` line a parent process reads.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"[%(asctime)s] {server_name} %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
