"""Who may send what: client operations from anyone admitted, the rest from members only.

A connection is identified once, by its handshake (``auth``), never by a claim in a frame:

- the catalog is the end of the connection a container opened to register; only there a
  container takes ``placement``, ``demote`` and whatever else the catalog drives;
- a member container is a connection that said hello as a container the catalog placed
  (with a secret: and proved it); only there a container takes ``repl_*`` frames, and only
  with ``source`` equal to that name;
- at the catalog, ``register``, ``heartbeat``, ``leave``, ``shard_ready`` (any member
  operation) need a connection that said hello as the container the frame names.

Everybody else is a client: get/put/remove/batch/stats/find at a container, routes and
placement (the read-only showPlacement) at the catalog.  Anything else is answered with
``not_member`` and one log line.  A new operation is member-only until it is listed here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection

from splicer.grid.auth import (ANONYMOUS, Admit, Peer, Refused, Security, accept_handshake,
                               connect_handshake)
from splicer.grid.protocol import Channel, Handler, Message, error_reply

log = logging.getLogger("splicer.grid")

CONTAINER_CLIENT_OPS = frozenset({"get", "put", "remove", "batch", "stats", "find"})
CATALOG_CLIENT_OPS = frozenset({"routes", "placement"})
PEER_PREFIX = "repl_"  # container-to-container frames: replication
# A container placed a moment ago may connect to a peer that has not read the same
# placement yet: the peer waits this long to hear of it before refusing.
PEER_GRACE = 2.0


def peer_of(channel: Channel) -> Peer:
    peer = channel.info.get("peer")
    return peer if isinstance(peer, Peer) else ANONYMOUS


async def dial(host: str, port: int, *, me: Peer, security: Security,
               handler: Handler | None = None, timeout: float = 5.0, name: str = "") -> Channel:
    """Connect and identify: a hello (and the handshake) for members and for clients with a
    secret; a client without one just connects.  AuthenticationFailed (a ProtocolError)
    when refused."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    server = ANONYMOUS
    if me.role != "client" or security.offers:
        try:
            server = await asyncio.wait_for(
                connect_handshake(reader, writer, f"{host}:{port}", me, security), timeout)
        except BaseException:
            writer.close()
            raise
    channel = Channel(reader, writer, handler, name)
    channel.info["peer"] = server
    return channel


async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, me: Peer,
                 security: Security, handler: Handler, name: str,
                 admit: Admit | None = None) -> Channel | None:
    """The server side of ``dial``: the identified Channel, or None (refused, logged)."""
    sock = writer.get_extra_info("peername")
    address = f"{sock[0]}:{sock[1]}" if isinstance(sock, tuple) else "?"

    async def everyone(peer: Peer) -> str | None:
        return None

    try:
        found = await accept_handshake(reader, writer, me, security.secret, admit or everyone,
                                       address)
    except Refused as exc:
        log.warning("CWOBJ7221W: %s refused a connection from %s: %s", me.name, exc.peer,
                    exc.text)
        writer.close()
        return None
    except (OSError, ValueError, asyncio.TimeoutError) as exc:  # ProtocolError is an OSError
        log.warning("CWOBJ7221W: %s dropped a connection from %s during its handshake: %s",
                    me.name, address, exc or type(exc).__name__)
        writer.close()
        return None
    except BaseException:  # the server stopped while a handshake was under way
        writer.close()
        raise
    if found is None:
        writer.close()
        return None
    peer, first = found
    channel = Channel(reader, writer, handler, name, first=first)
    channel.info["peer"] = peer
    return channel


def _refusal(owner: str, op: str, peer: Peer, who: str) -> Message:
    log.warning("CWOBJ7220W: %s refused %s from %s: only %s may send it", owner, op, peer, who)
    return error_reply("not_member", f"{owner} takes {op} only from {who}; this connection "
                       f"is {peer}")


def container_refusal(owner: str, channel: Channel, message: Message) -> Message | None:
    """None when this connection may send this frame to container ``owner``."""
    op = str(message.get("op"))
    if op in CONTAINER_CLIENT_OPS:
        return None
    peer = peer_of(channel)
    if op.startswith(PEER_PREFIX):
        if peer.role == "container" and peer.name and str(message.get("source")) == peer.name:
            return None
        return _refusal(owner, op, peer, "a member container, for its own shards")
    if peer.role == "catalog":
        return None
    return _refusal(owner, op, peer, "the catalog service")


def catalog_refusal(owner: str, channel: Channel, message: Message) -> Message | None:
    """None when this connection may send this frame to catalog ``owner``."""
    op = str(message.get("op"))
    if op in CATALOG_CLIENT_OPS:
        return None
    peer = peer_of(channel)
    if peer.role == "container" and peer.name and str(message.get("name", peer.name)) == peer.name:
        return None
    return _refusal(owner, op, peer, "the container it names, on a connection that said hello "
                    "as that container")


async def admit_container_peer(peer: Peer, me: str,
                               known: Callable[[], Collection[str]]) -> str | None:
    """A container's admission: clients always; a container only when the catalog has
    placed it (``known()`` holds its name), waiting PEER_GRACE for a placement in flight."""
    if peer.role != "container":
        return None
    deadline = time.monotonic() + PEER_GRACE
    while True:
        if peer.name in known():
            return None
        if time.monotonic() >= deadline:
            return (f"{peer.name or 'an unnamed container'} is not a member of the domain "
                    f"{me} knows (no placement names it)")
        await asyncio.sleep(0.02)
