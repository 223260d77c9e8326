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


class OneLineBadRequests(logging.Filter):
    """A malformed HTTP request is one warning line, not a traceback.

    aiohttp logs a request it cannot parse with ``logger.exception``; clients (scanners, a TLS
    hello on a plain port, a broken proxy) send such things, and a log full of parser
    tracebacks hides what matters.  Any other exception keeps its traceback: that is a bug.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            # The parser's message spans lines: the reason, the raw bytes, a caret under them.
            parts = [line.strip() for line in str(error.message).splitlines()]
            detail = " ".join(p for p in parts if p and set(p) != {"^"})
            record.msg = f"{record.getMessage()}: {error.code} {detail}"[:300]
            record.args = None
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def http_logger(name: str) -> logging.Logger:
    """The logger an aiohttp server reports request errors to, with bad requests one line."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, OneLineBadRequests) for f in logger.filters):
        logger.addFilter(OneLineBadRequests())
    return logger
