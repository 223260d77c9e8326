"""Loopback endpoints: the READY line every emulator process prints, and free ports."""

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


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """``count`` distinct ports that were free a moment ago.

    Only for the ports a component must be told up front and cannot pick itself (the
    catalog's peer endpoints).  Every socket stays bound until all are chosen, so the
    ports are distinct; another program may still take one before the component binds it,
    which the component's failure to start then reports.
    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when nothing listens on ``host:port`` (a connection is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) != 0
