"""First contact with the catalog service: wait for it with backoff, say what for.

An application server or a container may start before its catalog (a whole site rebooting,
servers scheduled in any order): ``GridClient.connect(..., catalog_wait=S)`` keeps asking
for routes, a container (``--catalog-wait S``) keeps trying to register, for S seconds,
with exponential backoff and jitter (so a fleet does not knock in step), logging each wait
with what the last attempt met; after S seconds it fails with that.  A catalog that answers
a client but knows no grid yet (no container has registered) is waited for the same way.
An attempt still under way at the end of the S seconds (a catalog that accepts connections
and never answers: a registration alone may take 32 s) is cut there.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable

from splicer.grid.errors import GridUnavailableError

log = logging.getLogger("splicer.grid")

FIRST_DELAY = 0.1
MAX_DELAY = 2.0
# An attempt begun just before the end of the wait (after a backoff cut short to end there)
# still gets this long: a refused connection takes a millisecond, but an attempt cut at
# once would report nothing of what it met.
LAST_CHANCE = 0.5


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before retry ``attempt`` (1, 2, ...): doubling from FIRST_DELAY up to
    MAX_DELAY, each drawn from its upper half ("equal jitter")."""
    ceiling = min(MAX_DELAY, FIRST_DELAY * 2.0 ** (attempt - 1))
    jitter = (rng or random).uniform(0.5, 1.0)
    return ceiling * jitter


def describe_failure(exc: BaseException) -> str:
    """``connection refused`` rather than ``[Errno 111] Connect call failed ('127.0.0.1', 1)``."""
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer (timed out)"
    if isinstance(exc, OSError) and exc.errno is not None and exc.errno in errno.errorcode:
        return os.strerror(exc.errno).lower()
    return str(exc) or type(exc).__name__


async def wait_for_catalog(attempt: Callable[[], Awaitable[bool]], failure: Callable[[], str],
                           catalog: str, wait: float, rng: random.Random | None = None) -> None:
    """``attempt()`` (a client's refresh of its routes, a container's registration) until it
    succeeds; ``failure()`` says why the last one failed, naming each endpoint ("host:port:
    connection refused").  GridUnavailableError after ``wait`` seconds, an attempt still
    under way then cut (with ``wait`` 0: after one attempt, bounded by its own timeouts);
    any other error of an attempt (a refusal, a wrong secret) ends the wait at once."""
    started = time.monotonic()
    retry = 0
    while not await _within(attempt, started + wait if wait > 0 else None, catalog, wait,
                            failure if retry else None):
        elapsed = time.monotonic() - started
        if elapsed >= wait:
            waited = f" after waiting {wait:g} s" if wait > 0 else ""
            raise GridUnavailableError(f"no catalog server answered at {catalog}{waited} "
                                       f"({failure()})")
        retry += 1
        log.warning("CWOBJ7222W: waiting for catalog %s (retry %d, %.1f s of %g s)",
                    failure(), retry, elapsed, wait)
        await asyncio.sleep(min(backoff(retry, rng), max(0.0, wait - elapsed)))
    if retry:
        log.info("CWOBJ7223I: catalog %s answered after %.1f s", catalog,
                 time.monotonic() - started)


async def _within(attempt: Callable[[], Awaitable[bool]], deadline: float | None, catalog: str,
                  wait: float, before: Callable[[], str] | None) -> bool:
    """One attempt, cut at ``deadline`` (monotonic; LAST_CHANCE at least): then a
    GridUnavailableError that says so, and what the attempt ``before`` it met."""
    if deadline is None:
        return await attempt()
    scope = asyncio.timeout(max(deadline - time.monotonic(), LAST_CHANCE))
    try:
        async with scope:
            return await attempt()
    except TimeoutError:
        if not scope.expired():
            raise  # the attempt's own, not the wait's end
        earlier = f"; the attempt before: {before()}" if before is not None else ""
        raise GridUnavailableError(f"no catalog server answered at {catalog} after waiting "
                                   f"{wait:g} s ({catalog}: no answer before the wait ran "
                                   f"out{earlier})") from None
