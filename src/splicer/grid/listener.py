"""A grid server's listener and tasks: its stop cancels them and waits until each has ended.

A stop that only cancels leaves its tasks pending: whatever the loop runs next (a test, the
loop's teardown) meets them half-ended, and Python 3.11 adds two traps of its own:

- ``Server.wait_closed()`` returns at once once ``close()`` was called, without waiting for
  the connections' handlers (fixed in 3.12), so a stopped server could still act on them;
- ``start_server`` reads ``task.exception()`` of every ended handler, which raises for a
  cancelled one: asyncio logs "Exception in callback ... CancelledError" (fixed in 3.12).

``Listener`` therefore knows its handlers, and a handler that a stop cancels ends quietly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from splicer.grid.errors import GridUnavailableError

Accept = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def cancel_and_wait(tasks: Iterable[asyncio.Future[Any] | None]) -> None:
    """Cancel ``tasks`` and wait until every one has ended; what each raised is dropped (a
    stop is no place for a task's failure, and a cancelled one raises CancelledError)."""
    current = asyncio.current_task()
    chosen = {task for task in tasks if task is not None and task is not current}
    for task in chosen:
        task.cancel()
    if chosen:
        await asyncio.gather(*chosen, return_exceptions=True)


class Listener:
    """``asyncio.start_server`` that knows its connection handlers."""

    def __init__(self, accept: Accept) -> None:
        self._accept = accept
        self._handlers: set[asyncio.Task[Any]] = set()
        self.server: asyncio.Server | None = None

    @property
    def handling(self) -> int:
        """How many connections are being handled now."""
        return len(self._handlers)

    async def start(self, host: str, port: int) -> int:
        """Listen; the port it listens on (port 0: one the system chose), or a
        GridUnavailableError that says which address is taken or wrong."""
        try:
            self.server = await asyncio.start_server(self._handle, host, port)
        except OSError as exc:
            raise GridUnavailableError(f"cannot listen on {host}:{port}: "
                                       f"{exc.strerror or exc}") from None
        found: int = self.server.sockets[0].getsockname()[1]
        return found

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._accept(reader, writer)
        except asyncio.CancelledError:
            # cancelled by abort() or close() (or the loop's teardown): end as returned, or
            # 3.11's start_server logs the CancelledError (see the module's docstring)
            writer.close()
        finally:
            self._handlers.discard(task)

    def abort(self) -> None:
        """Stop listening and cancel every handler, without waiting (a crash)."""
        if self.server is not None:
            self.server.close()
        for task in self._handlers:
            task.cancel()

    async def close(self) -> None:
        """Stop listening, cancel every handler and wait until each has ended."""
        self.abort()
        await cancel_and_wait(list(self._handlers))
        if self.server is not None:
            await self.server.wait_closed()
