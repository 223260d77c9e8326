"""Run one emulated server as a process: READY line once listening, SIGTERM is a clean stop."""

from __future__ import annotations

import logging

from splicer.logs import log_to_stderr
from splicer.server.runtime import AppServer, ServerOptions
from splicer.serving import serve

log = logging.getLogger("splicer.server.process")

ABANDONED = "CWWSM0396E: stopped by a second signal: pending session writes were not flushed"


def configure_logging(name: str) -> None:
    log_to_stderr(name, "splicer")


def run(options: ServerOptions) -> None:
    """Serve until SIGTERM or SIGINT; pending session writes are flushed before exiting (130).

    A SIGKILL never reaches this code: whatever a replicationInterval batch still held is lost,
    which is exactly the crash the verify scenario measures.
    """
    configure_logging(options.name)
    server = AppServer(options)

    async def start() -> str:
        await server.start()
        return server.address

    serve(start, server.stop, name=f"server {options.name}", log=log, abandoned=ABANDONED)
