"""Leases: a container serves its primaries only while its catalog's last grant is fresh.

As Chubby's session lease or a Raft leader lease: every heartbeat asks the catalog to renew
one lease that covers all the container's primaries, and the answer grants it.  The lease
runs from the moment the renewal was *sent* (a grant cannot be older than that), for
LEASE_SHARE of the catalog's failure timeout, measured on a clock that also counts the time
a machine was suspended (CLOCK_BOOTTIME).  A container that was paused, swapped out or
suspended therefore finds its lease over the moment it runs again, and answers nothing as a
primary (no read, no write, no replication) until the catalog grants it a new one.

The catalog moves a primary away only once the lease it granted is surely over: no
heartbeat for the whole failure timeout, or SURELY_OVER of it after the last grant when the
container's connection closed; at once when nothing listens at the container's port any
more, which on one host means its process is gone.

With no catalog listening at any of its endpoints (the only catalog is down) nothing can
move a shard, so a container whose lease is still running renews it itself; a catalog that
starts grants nothing and places nothing for SURELY_OVER of its failure timeout, by which
time every lease renewed that way is over.  A dead catalog freezes placement while the
grid keeps serving, and a restarted one never places a shard under a live primary.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import Iterable

LEASE_SHARE = 0.5  # of the failure timeout: how long a grant lets a container serve
SURELY_OVER = 0.6  # of the failure timeout: when the catalog counts a grant as over (20 % drift)
_CLOCK = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)
# connect() errors that prove nothing listens at an address of this host
_NOBODY = {errno.ECONNREFUSED, errno.EADDRNOTAVAIL}


def lease_clock() -> float:
    """Seconds on a clock that goes on while the process is stopped or the host sleeps."""
    return time.clock_gettime(_CLOCK)


class Lease:
    """A container's lease: valid until ``until`` on ``lease_clock``."""

    def __init__(self) -> None:
        self.length = 0.0  # told by the catalog at registration; 0: never valid
        self.until = 0.0

    def valid(self, at: float | None = None) -> bool:
        return (lease_clock() if at is None else at) < self.until

    def granted(self, sent_at: float) -> None:
        """A renewal sent at ``sent_at`` was granted (by the catalog, or by ourselves)."""
        self.until = max(self.until, sent_at + self.length)

    def end(self) -> None:
        self.until = 0.0

    def describe(self) -> str:
        left = self.until - lease_clock()
        return (f"lease valid for {left:.2f} s more" if left > 0 else
                f"lease over for {-left:.2f} s" if self.until else "no lease granted yet")


def check_timeouts(heartbeat_interval: float, failure_timeout: float) -> str | None:
    """Why these catalog settings cannot keep leases, or None when they can."""
    lease = failure_timeout * LEASE_SHARE
    if heartbeat_interval >= lease:
        return (f"--heartbeat-interval {heartbeat_interval:g} must be shorter than half of "
                f"--failure-timeout {failure_timeout:g}: a primary's lease lasts {lease:g} s "
                "and each heartbeat renews it")
    return None


async def nothing_listens(endpoints: Iterable[tuple[str, int]], timeout: float = 1.0) -> bool:
    """True only when every address of every endpoint refuses a connection: no process
    listens there.  A connection that is accepted (and closed at once), a timeout or a
    name that does not resolve is a "maybe": False."""
    loop = asyncio.get_running_loop()
    for host, port in endpoints:
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            return False
        for family, kind, proto, _name, address in infos:
            sock = socket.socket(family, kind, proto)
            sock.setblocking(False)
            try:
                await asyncio.wait_for(loop.sock_connect(sock, address), timeout)
            except OSError as exc:
                if exc.errno in _NOBODY:
                    continue
                return False
            except asyncio.TimeoutError:
                return False
            finally:
                sock.close()
            return False
    return True
