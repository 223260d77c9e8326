"""A client's first contact with the catalog service: wait for it with backoff, say what for.

An application server may start before its grid (a whole site rebooting, containers
scheduled later): ``GridClient.connect(..., catalog_wait=S)`` keeps asking for routes for S
seconds, with exponential backoff and jitter (so a fleet of servers does not knock in step),
logging each wait; after S seconds it fails with what it last saw.  A catalog that answers
but knows no grid yet (no container has registered) is waited for the same way.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import random
import time
from typing import Protocol

from splicer.grid.errors import GridUnavailableError

log = logging.getLogger("splicer.grid")

FIRST_DELAY = 0.1
MAX_DELAY = 2.0


class RouteSource(Protocol):
    last_failure: str

    async def refresh(self) -> bool: ...


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


async def wait_for_routes(client: RouteSource, catalog: str, wait: float,
                          rng: random.Random | None = None) -> None:
    """Refresh until the catalog answers; GridUnavailableError after ``wait`` seconds (at once for 0)."""
    started = time.monotonic()
    attempt = 0
    while not await client.refresh():
        elapsed = time.monotonic() - started
        if elapsed >= wait:
            waited = f" after waiting {wait:g} s" if wait > 0 else ""
            raise GridUnavailableError(f"no catalog server answered at {catalog}{waited} "
                                       f"({client.last_failure})")
        attempt += 1
        # last_failure names each endpoint: "host:port: connection refused"
        log.warning("CWOBJ7222W: waiting for catalog %s (retry %d, %.1f s of %g s)",
                    client.last_failure, attempt, elapsed, wait)
        await asyncio.sleep(min(backoff(attempt, rng), max(0.0, wait - elapsed)))
    if attempt:
        log.info("CWOBJ7223I: catalog %s answered after %.1f s", catalog,
                 time.monotonic() - started)
