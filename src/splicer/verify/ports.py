"""Loopback endpoints: the READY line every emulator process prints, ports held for a run."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"

# `READY <host>:<port>`, the one line a component prints once it listens (architecture.md).
# The host may be an IPv6 literal, so the port is what follows the last colon.
_READY = re.compile(r"^READY (?P<host>\S+):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class Endpoint:
    """A host and port a component listens on."""

    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self}"


def parse_ready(line: str) -> Endpoint | None:
    """The endpoint announced by a READY line, or None for any other line."""
    match = _READY.match(line.strip())
    if match is None:
        return None
    host = match["host"]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    port = int(match["port"])
    if not 0 < port < 65536:
        return None
    return Endpoint(host, port)


class Reservation:
    """Ports held bound for a run, so that the system gives them to no one else meanwhile.

    An app server's port must be chosen before the server starts: the plug-in's
    configuration names it while the grid and the servers are still starting.  It used to be
    a port bound to port 0 and closed at once ("free a moment ago"): in the seconds before
    the server bound it, the system could hand it to anyone (a parallel verify, a test, the
    local end of any outgoing connection), and the server then failed to listen, or the
    plug-in reached someone else's server.  Here each port stays bound until ``close()``, by
    a socket that sets SO_REUSEADDR and never listens:

    - the system uses a bound port neither for a bind to port 0 nor for the local end of an
      outgoing connection (so a parallel verify never gets it), and a bind of the number
      itself without SO_REUSEADDR fails;
    - while no component listens there a connection is refused (a stopped server looks
      stopped to the plug-in); a component that sets SO_REUSEADDR, as every splicer server
      does on POSIX (``socket.create_server``, asyncio's servers), binds and listens beside
      the holder, at its start and at each restart, with nothing handed over.

    Only a program that binds this very number by itself, with SO_REUSEADDR, can still take
    it first; the component then fails to listen, and its start says so.
    """

    def __init__(self, count: int, host: str = LOOPBACK) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._holders: list[socket.socket] = []
        try:
            for _ in range(count):
                holder = socket.socket(family, socket.SOCK_STREAM)
                self._holders.append(holder)
                holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                holder.bind((host, 0))  # distinct: the others are bound already
        except BaseException:
            self.close()
            raise
        self.ports: list[int] = [int(holder.getsockname()[1]) for holder in self._holders]

    def close(self) -> None:
        """Let the ports go (a component listening on one keeps it)."""
        for holder in self._holders:
            holder.close()
        self._holders.clear()

    def __enter__(self) -> Reservation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing listens on ``host:port`` (a connection is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) != 0
