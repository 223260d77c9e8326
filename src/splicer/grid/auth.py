"""Shared-secret authentication of grid connections: the secret file and the handshake.

With ``securityEnabled`` every process of a domain is given one secret file.  A connection
starts with a mutual challenge-response before any other frame (no secret ever travels)::

    connector -> {"op": "hello", "role", "name", "auth": true, "nonce": Nc}
    acceptor  -> {"op": "challenge", "role", "name", "nonce": Na, "proof": P("acceptor")}
    connector -> {"op": "auth", "proof": P("connector")}     (after checking the acceptor's)
    acceptor  -> {"op": "welcome", ...} or {"op": "refused", "error", "message"}

``P(side) = HMAC-SHA256(secret, version | side | Nc | Na | both roles and names)``: fresh
nonces from both sides make a proof useless on another connection, the side label makes
it useless in the other direction.  A server without a secret answers the hello with
``welcome`` at once.  What this does not give: privacy or integrity of the frames after the
handshake (there is no TLS here); it keeps out every process that does not hold the secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from splicer.errors import Where
from splicer.grid.errors import GridConfigError, GridError
from splicer.grid.protocol import Message, ProtocolError, encode_frame, read_frame

SECRET_ENV = "SPLICER_GRID_SECRET_FILE"  # names the FILE; a secret never goes in the environment
MIN_SECRET_BYTES = 16
HANDSHAKE_TIMEOUT = 10.0
EXIT_AUTH = 4
_VERSION = b"splicer-grid-auth-v1"

# How a connecting side treats authentication (credentialAuthentication of the WXS client):
OFF = "off"              # never offers it: only servers without a secret let it in
SUPPORTED = "supported"  # authenticates when the server asks, also talks to one that does not
REQUIRED = "required"    # the server must prove the secret too, else the connection is refused


class SecretFileError(GridConfigError):
    """A secret file that is missing, unreadable, empty, too short or readable by others."""

    message_id = "CWWSM0132E"


class GridAuthError(GridError):
    """A connection the other side refused (or could not prove itself on): wrong secret,
    security on one side only, or a process that is not a member of the domain."""

    exit_code = EXIT_AUTH
    message_id = "CWWSM0133E"


class AuthenticationFailed(ProtocolError):
    """The handshake of one connection failed; ``code`` says how (auth_failed, auth_required,
    not_member), ``str()`` reads ``authentication failed with host:port: ...``."""

    def __init__(self, endpoint: str, code: str, reason: str) -> None:
        what = "refused by" if code == "not_member" else "authentication failed with"
        super().__init__(f"{what} {endpoint}: {reason}")
        self.endpoint = endpoint
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Secret:
    """The domain's shared secret; ``source`` (the file) is what messages name."""

    key: bytes = field(repr=False)
    source: str


def load_secret(path: Path) -> Secret:
    """Read a secret file, refusing what ssh refuses for a private key: a file of ours that
    group or others may read.  Trailing whitespace (the newline of ``echo``) is not part of
    the secret, so files written by different tools agree."""
    where = Where((str(path),))
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SecretFileError("the secret file is not a regular file", where)
        data = path.read_bytes()
    except OSError as exc:
        raise SecretFileError(f"cannot read the secret file: {exc.strerror or exc}", where,
                              hint=f"give every grid process the same file (--secret-file or "
                                   f"{SECRET_ENV})") from None
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        raise SecretFileError(f"permissions {stat.S_IMODE(info.st_mode):04o} of the secret file "
                              "are too open: it must be readable by its owner only", where,
                              hint=f"chmod 600 {path}")
    key = data.rstrip()
    if not key:
        raise SecretFileError("the secret file is empty", where,
                              hint=f"e.g. head -c 32 /dev/urandom | base64 > {path}")
    if len(key) < MIN_SECRET_BYTES:
        raise SecretFileError(f"the secret is {len(key)} bytes long, shorter than "
                              f"{MIN_SECRET_BYTES}", where,
                              hint=f"e.g. head -c 32 /dev/urandom | base64 > {path}")
    return Secret(key, str(path))


def secret_path(path: Path | None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """``--secret-file PATH``, else the file that SPLICER_GRID_SECRET_FILE names, else None."""
    if path is None and environ.get(SECRET_ENV):
        return Path(environ[SECRET_ENV])
    return path


def find_secret(path: Path | None, environ: Mapping[str, str] = os.environ) -> Secret | None:
    """The secret of ``secret_path``, None (security off) when there is none."""
    found = secret_path(path, environ)
    return None if found is None else load_secret(found)


def write_secret(path: Path) -> Secret:
    """A fresh random secret in a new file of mode 0600 (what ``splicer verify`` generates)."""
    text = secrets.token_urlsafe(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(text + b"\n")
    return Secret(text, str(path))


@dataclass(frozen=True)
class Security:
    """What a process does about authentication: its secret and, when connecting, the mode."""

    secret: Secret | None = None
    mode: str = OFF

    @classmethod
    def member(cls, secret: Secret | None) -> Security:
        """Catalog, containers and admin commands: with a secret, everything authenticates."""
        return cls(secret, REQUIRED if secret is not None else OFF)

    @property
    def offers(self) -> bool:
        return self.secret is not None and self.mode != OFF


@dataclass(frozen=True)
class Peer:
    """Who is on the other end of a connection, as its handshake established."""

    role: str  # "client", "container" or "catalog"
    name: str = ""
    authenticated: bool = False
    address: str = ""

    def __str__(self) -> str:
        who = f"{self.role} {self.name}" if self.name else self.role
        return f"{who} at {self.address}" if self.address else who


ANONYMOUS = Peer("client")


def proof(key: bytes, side: str, nonce_c: str, nonce_a: str, connector: Peer,
          acceptor: Peer) -> str:
    text = "|".join([side, nonce_c, nonce_a, connector.role, connector.name, acceptor.role,
                     acceptor.name])
    return hmac.new(key, _VERSION + b"|" + text.encode("utf-8"), hashlib.sha256).hexdigest()


def _matches(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8"),
                                                          expected.encode("utf-8"))


async def _send(writer: asyncio.StreamWriter, message: Message) -> None:
    writer.write(encode_frame(message))
    await writer.drain()


async def _read(reader: asyncio.StreamReader, endpoint: str) -> Message:
    message = await asyncio.wait_for(read_frame(reader), HANDSHAKE_TIMEOUT)
    if message is None:
        raise ProtocolError(f"{endpoint} closed the connection during the handshake")
    return message


def _peer(message: Message, address: str, authenticated: bool) -> Peer:
    return Peer(str(message.get("role", "")), str(message.get("name", "")), authenticated,
                address)


async def connect_handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                            endpoint: str, me: Peer, security: Security) -> Peer:
    """The connecting side: hello, check the server's proof, prove ours; the server's Peer.

    AuthenticationFailed when either side refuses; what the message says is what an
    operator must fix."""
    nonce_c = secrets.token_hex(32)
    await _send(writer, {"op": "hello", "v": 1, "role": me.role, "name": me.name,
                         "auth": security.offers, "nonce": nonce_c})
    reply = await _read(reader, endpoint)
    if reply.get("op") == "refused":
        raise AuthenticationFailed(endpoint, str(reply.get("error")), str(reply.get("message")))
    if reply.get("op") == "welcome":
        if security.secret is not None and security.mode == REQUIRED:
            raise AuthenticationFailed(endpoint, "auth_failed", "it does not authenticate (it "
                                       "runs without a secret, securityEnabled=false), and this "
                                       "process requires it")
        return _peer(reply, endpoint, False)
    if reply.get("op") != "challenge":
        raise ProtocolError(f"{endpoint} answered the hello with {reply.get('op')!r}")
    server = _peer(reply, endpoint, True)
    if not security.offers or security.secret is None:
        raise AuthenticationFailed(endpoint, "auth_required", f"{server} requires authentication "
                                   "(securityEnabled) and this process has no secret: give it "
                                   f"the domain's secret file (--secret-file or {SECRET_ENV})")
    key, nonce_a = security.secret.key, str(reply.get("nonce", ""))
    if not _matches(reply.get("proof"), proof(key, "acceptor", nonce_c, nonce_a, me, server)):
        await _send(writer, {"op": "refused", "error": "auth_failed",
                             "message": "your proof does not match this client's secret"})
        raise AuthenticationFailed(endpoint, "auth_failed", f"{server} does not prove the "
                                   f"secret of {security.secret.source} (the secret files differ)")
    await _send(writer, {"op": "auth", "proof": proof(key, "connector", nonce_c, nonce_a, me,
                                                      server)})
    final = await _read(reader, endpoint)
    if final.get("op") == "refused":
        raise AuthenticationFailed(endpoint, str(final.get("error")), str(final.get("message")))
    if final.get("op") != "welcome":
        raise ProtocolError(f"{endpoint} answered the proof with {final.get('op')!r}")
    return server


class Refused(Exception):
    """The accepting side turned a connection away; ``code``/``text`` went to the peer."""

    def __init__(self, code: str, text: str, peer: Peer) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.peer = peer


Admit = Callable[[Peer], Awaitable[str | None]]  # a reason to refuse, or None


async def accept_handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                           me: Peer, secret: Secret | None, admit: Admit,
                           address: str) -> tuple[Peer, Message | None] | None:
    """The accepting side.  (peer, None) after a hello; (anonymous client, first frame) for
    a connection that starts with a request, which only a server without a secret takes;
    None when the peer left.  Refused (answer already sent) when it may not come in."""
    if secret is None:
        first = await read_frame(reader)
    else:
        first = await asyncio.wait_for(read_frame(reader), HANDSHAKE_TIMEOUT)
    if first is None:
        return None
    if first.get("op") != "hello":
        anonymous = Peer("client", address=address)
        if secret is not None:
            await _refuse(writer, first, "auth_required", f"{me} requires authentication "
                          f"(securityEnabled): connect with the domain's secret file "
                          f"(--secret-file or {SECRET_ENV})", anonymous)
        return anonymous, first
    peer = _peer(first, address, False)
    if peer.role not in ("client", "container"):
        await _refuse(writer, None, "not_member", f"a {peer.role!r} does not connect to "
                      f"{me}", peer)
    if secret is not None:
        if not first.get("auth"):
            await _refuse(writer, None, "auth_required", f"{me} requires authentication "
                          "(securityEnabled) and the connecting process has no secret: give "
                          f"it the domain's secret file (--secret-file or {SECRET_ENV})", peer)
        nonce_c, nonce_a = str(first.get("nonce", "")), secrets.token_hex(32)
        await _send(writer, {"op": "challenge", "role": me.role, "name": me.name,
                             "nonce": nonce_a, "proof": proof(secret.key, "acceptor", nonce_c,
                                                              nonce_a, peer, me)})
        answer = await asyncio.wait_for(read_frame(reader), HANDSHAKE_TIMEOUT)
        if answer is None or answer.get("op") == "refused":
            raise Refused("auth_failed", "it does not share this server's secret (it refused "
                          "our proof)", peer)
        if not _matches(answer.get("proof"), proof(secret.key, "connector", nonce_c, nonce_a,
                                                   peer, me)):
            await _refuse(writer, None, "auth_failed", f"the proof does not match the secret "
                          f"of {me} (the secret files differ)", peer)
        peer = Peer(peer.role, peer.name, True, address)
    reason = await admit(peer)
    if reason is not None:
        await _refuse(writer, None, "not_member", reason, peer)
    await _send(writer, {"op": "welcome", "role": me.role, "name": me.name})
    return peer, None


async def _refuse(writer: asyncio.StreamWriter, request: Message | None, code: str, text: str,
                  peer: Peer) -> None:
    """Answer the request (or the hello) with the refusal, then raise Refused."""
    if request is not None and "id" in request:
        answer: Message = {"re": request["id"], "ok": False, "error": code, "message": text}
    else:
        answer = {"op": "refused", "error": code, "message": text}
    try:
        await _send(writer, answer)
    except (OSError, RuntimeError):
        pass
    raise Refused(code, text, peer)
