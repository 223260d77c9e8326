"""Loopback ports for tests that need an address where nothing answers, now or until later.

Binding port 0, reading the port and closing the socket ("free a port and hope") leaves the
port to whoever binds next: under parallel load another test's catalog took such a "dead"
address, and test_catalog_host_port_and_override[module-catalog-wins] failed about once in
50 runs.  Here the port stays bound, by a socket that never listens, for the test's whole
lifetime: a connection to it is refused (nothing listens), and the system gives it to nobody
who asks for port 0.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def refused_address(host: str = "127.0.0.1") -> Iterator[str]:
    """``host:port`` where every connection is refused until the block ends: no other
    socket can bind the port, even with SO_REUSEADDR (the holder does not set it)."""
    with socket.socket() as holder:
        holder.bind((host, 0))
        yield f"{host}:{holder.getsockname()[1]}"


@contextmanager
def reserved_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port refused until the test starts its own server on it, for a client started
    first.  The holder sets SO_REUSEADDR and never listens, so a server that sets it too
    (asyncio's servers do, on POSIX) binds and listens there beside it; port-0 requests
    never get it.  Only a process that picked this number by itself could take it."""
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind((host, 0))
        port: int = holder.getsockname()[1]
        yield port
