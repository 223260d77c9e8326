"""A container's heartbeat: renew the lease, register again, renew it alone with no catalog up.

Every ``heartbeat_interval`` (or at once when a new primary or a stepped-down shard asks for
it) the container sends a renewal to the catalog and notes when it sent it; the grant in
the answer extends the lease from that moment (lease.py).  Without a catalog connection it
registers again; when every catalog endpoint refuses connections (nothing listens: the only
catalog is down, so nobody can move a shard), a lease that is still running is renewed by
the container itself and the grid keeps serving with its placement frozen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from splicer.grid import container_ops, fencing
from splicer.grid.errors import GridError
from splicer.grid.lease import lease_clock, nothing_listens
from splicer.grid.protocol import Message, ProtocolError

if TYPE_CHECKING:
    from splicer.grid.container import Container

log = logging.getLogger("splicer.grid")


def renewed(c: Container, sent_at: float, by_catalog: bool = True) -> None:
    """The catalog granted a renewal (or a registration) sent at ``sent_at``; or, without
    ``by_catalog``, the container renewed its lease itself (a step-down stays)."""
    was_valid = c.lease.valid()
    c.lease.granted(sent_at)
    if by_catalog:
        fencing.granted(c, sent_at)
    if not was_valid and c.lease.valid():
        container_ops.repair(c)  # snapshots owed while the primaries could not act


def _renew(c: Container) -> None:
    """Send one renewal; its grant, whenever it comes, counts from now."""
    assert c.catalog is not None
    sent = lease_clock()
    try:
        answer = c.catalog.call({"op": "heartbeat", "name": c.name})
    except ProtocolError:
        return

    def granted(future: asyncio.Future[Message]) -> None:
        if not future.cancelled() and future.exception() is None and future.result().get("grant"):
            renewed(c, sent)
    answer.add_done_callback(granted)


async def keep(c: Container) -> None:
    """The heartbeat loop of a started container, until it stops."""
    lost = alone = False
    while True:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(c.renew_now.wait(), c.heartbeat_interval)
        c.renew_now.clear()
        container_ops.repair(c)
        if c.catalog is not None and c.catalog.is_open:
            _renew(c)
            continue
        if not lost:
            log.warning("CWOBJ7211W: %s lost the catalog service; placement is frozen, "
                        "shards keep serving.", c.name)
            lost = True
        sent = lease_clock()
        with contextlib.suppress(GridError):
            if await c._register():
                log.info("CWOBJ7212I: %s registered again with the catalog service.", c.name)
                lost = alone = False
                continue
        # Any catalog that starts listening after `sent` places nothing for longer than
        # this renewal lasts; one that listened before would not have refused.
        if c.lease.valid(sent) and await nothing_listens(c.catalog_endpoints):
            if not alone:
                log.warning("CWOBJ7213W: %s: no catalog server listens at %s; it renews its "
                            "own lease while its placement is frozen.", c.name,
                            ",".join(f"{h}:{p}" for h, p in c.catalog_endpoints))
                alone = True
            renewed(c, sent, by_catalog=False)
        elif alone and not c.lease.valid():
            log.warning("CWOBJ7217W: %s: its lease is over (%s); its primaries serve nothing "
                        "until a catalog server grants a new one.", c.name, c.lease.describe())
            alone = False
