"""Run one emulated server as a process: READY line once listening, SIGTERM is a clean stop."""

from __future__ import annotations

import asyncio
import signal

from splicer.server.runtime import AppServer, ServerOptions
from splicer.logs import log_to_stderr


def configure_logging(name: str) -> None:
    log_to_stderr(name, "splicer")


async def serve(options: ServerOptions) -> None:
    """Serve until SIGTERM or SIGINT; pending session writes are flushed before returning.

    A SIGKILL never reaches this code: whatever a replicationInterval batch still held is lost,
    which is exactly the crash the verify scenario measures.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        server = AppServer(options)
        await server.start()
        try:
            print(f"READY {server.address}", flush=True)
            await stop.wait()
        finally:
            await server.stop()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def run(options: ServerOptions) -> None:
    configure_logging(options.name)
    asyncio.run(serve(options))
