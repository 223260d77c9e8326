"""The grid's wire format: length-prefixed JSON frames over TCP, with symmetric requests.

Frame: a 4-byte big-endian unsigned length, then that many bytes of one UTF-8 JSON object.
Values (bytes) travel inside the JSON as base64 strings (``b64``/``unb64``): one self-describing
format for every message, readable in a packet capture, at a cost in size the emulator can pay.

Every message has ``op``.  A request that wants an answer carries ``id`` (an int unique on its
connection); the answer carries ``re`` (that id) and ``ok``; a failed answer has ``error`` (a
short code: ``unknown_grid``, ``unknown_map``, ``not_primary``, ``retry``, ``stale_epoch``,
``bad_request``...) and ``message``.  Either side of a connection may send requests, so the catalog pushes placement to
the containers on the connection they registered on.

A connection may start with a handshake (``hello``; see ``auth`` and ``membership``): it says
who connects, proves the domain's secret when security is on, and decides which of the
operations below the connection may send.

Operations (field names in brackets; ``epoch``: of the partition's placement, fencing.py):
  to the catalog:   register [name host port grids shards] -> [heartbeat_interval lease grant];
                    heartbeat [name] -> [grant] (a lease renewal, lease.py); leave [name];
                    shard_ready [name grid mapset partition];
                    routes [grid] -> [epoch settling definition mapsets];
                    placement [grid mapset] -> [placement containers ready settling]
  catalog -> container: placement [grid mapset epoch partitions endpoints]; demote [shards]
  to a container:   get/put/remove [grid mapset partition epoch map key value];
                    batch [.. epoch ops];
                    repl_snapshot [grid mapset partition source epoch kind maps];
                    repl_apply [grid mapset partition source epoch ops];
                    stats [grid mapset] -> [rows]; find [grid map pattern values] -> [hits]
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
import json
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from splicer.grid.listener import cancel_and_wait

Message = dict[str, Any]
# A handler answers a request with a message, or None for no answer.  Handlers that return
# a plain value run inline in the read loop, so their effects keep the order of arrival
# (replication depends on that); handlers that return an awaitable run as their own task.
Handler = Callable[["Channel", Message], "Message | None | Awaitable[Message | None]"]

MAX_FRAME = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")


class ProtocolError(ConnectionError):
    """A peer that sent something that is not a frame of this protocol, or went away."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def encode_frame(message: Message) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(body)} bytes is more than {MAX_FRAME}")
    return _HEADER.pack(len(body)) + body


async def read_frame(reader: asyncio.StreamReader) -> Message | None:
    """The next message, or None at a clean end of stream between frames."""
    try:
        header = await reader.readexactly(_HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ProtocolError("connection closed inside a frame header") from None
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ProtocolError(f"frame of {size} bytes announced, more than {MAX_FRAME}")
    try:
        body = await reader.readexactly(size)
    except asyncio.IncompleteReadError:
        raise ProtocolError("connection closed inside a frame") from None
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise ProtocolError(f"frame is not JSON: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("op", message.get("re")),
                                                       (str, int)):
        raise ProtocolError("frame is not a message object with 'op' or 're'")
    return message


def check(reply: Message) -> Message:
    """The answer itself when ok; RemoteError with its code when the peer refused."""
    if not reply.get("ok", False):
        raise RemoteError(str(reply.get("error", "error")), str(reply.get("message", "")))
    return reply


def error_reply(code: str, message: str) -> Message:
    return {"ok": False, "error": code, "message": message}


class RemoteError(Exception):
    """An answer with ok=false: the peer understood the request and refused it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.text = message


class Channel:
    """One TCP connection carrying requests both ways and answers matched by id."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 handler: Handler | None = None, name: str = "",
                 first: Message | None = None) -> None:
        self.reader = reader
        self.writer = writer
        self.handler = handler
        self.name = name
        self._first = first  # a request the accepting side read before this Channel existed
        self.closed = asyncio.Event()
        self.info: dict[str, Any] = {}  # what the owner wants to remember about the peer
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Message]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task = asyncio.get_running_loop().create_task(self._read_loop())

    @classmethod
    async def connect(cls, host: str, port: int, handler: Handler | None = None,
                      timeout: float = 5.0, name: str = "") -> Channel:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        return cls(reader, writer, handler, name)

    @property
    def is_open(self) -> bool:
        return not self.closed.is_set()

    def send(self, message: Message) -> None:
        """Queue a message that wants no answer (or an answer built by the caller)."""
        # a transport whose peer is gone refuses writes before the read loop has seen the
        # end (and asyncio would log "socket.send() raised exception." for each)
        if self.closed.is_set() or self.writer.transport.is_closing():
            raise ProtocolError(f"connection {self.name} is closed")
        self.writer.write(encode_frame(message))

    def call(self, message: Message) -> asyncio.Future[Message]:
        """Send a request now (so its place in the stream is fixed) and return the answer's
        future; the future fails with ProtocolError when the connection goes first."""
        self._next_id += 1
        rid = self._next_id
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        future.add_done_callback(lambda _f: self._pending.pop(rid, None))
        future.add_done_callback(retrieved)
        self.send({**message, "id": rid})
        return future

    async def request(self, message: Message, timeout: float = 10.0) -> Message:
        """Send a request and wait for its answer; RemoteError when the answer is ok=false."""
        try:
            future = self.call(message)
            await self.writer.drain()
            reply = await asyncio.wait_for(future, timeout)
        except (OSError, RuntimeError) as exc:  # RuntimeError: transport closing
            raise ProtocolError(f"connection {self.name} failed: {exc}") from None
        return check(reply)

    async def close(self) -> None:
        """Close, and return once the read loop and every request it was handling ended
        (their answers could not be sent any more)."""
        if not self.closed.is_set():
            self._shutdown()
        with contextlib.suppress(OSError, RuntimeError):
            await self.writer.wait_closed()
        await cancel_and_wait([self._loop_task, *self._tasks])

    async def finished(self) -> None:
        """Return once the connection is closed and every request it was handling has ended,
        on its own: a server keeps such a connection among its own until then, so that its
        stop still cancels and waits for them."""
        await self.closed.wait()
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    def abort(self) -> None:
        """Drop the connection at once, without a clean close (the peer sees a reset)."""
        self.writer.transport.abort()
        self._shutdown()

    def _shutdown(self) -> None:
        self.closed.set()
        self.writer.close()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ProtocolError(f"connection {self.name} closed"))
        self._pending.clear()

    async def _read_loop(self) -> None:
        if self._first is not None:
            self._dispatch(self._first)
            self._first = None
        try:
            while True:
                message = await read_frame(self.reader)
                if message is None:
                    break
                if "re" in message:
                    future = self._pending.get(int(message["re"]))
                    if future is not None and not future.done():
                        future.set_result(message)
                    continue
                self._dispatch(message)
        except (OSError, ProtocolError):
            pass
        finally:
            self._shutdown()

    def _dispatch(self, message: Message) -> None:
        if self.handler is None:
            return
        try:
            result = self.handler(self, message)
        except Exception as exc:  # a bug in a handler must not kill the connection silently
            self._answer(message, error_reply("internal", f"{type(exc).__name__}: {exc}"))
            return
        if inspect.isawaitable(result):
            task = asyncio.get_running_loop().create_task(self._await_answer(message, result))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._answer(message, result)

    async def _await_answer(self, message: Message, result: Awaitable[Message | None]) -> None:
        try:
            answer = await result
        except (ProtocolError, OSError) as exc:
            answer = error_reply("retry", str(exc))
        except Exception as exc:
            answer = error_reply("internal", f"{type(exc).__name__}: {exc}")
        self._answer(message, answer)

    def _answer(self, message: Message, answer: Message | None) -> None:
        if answer is None or "id" not in message or self.closed.is_set():
            return
        with contextlib.suppress(OSError, RuntimeError, ProtocolError):
            self.send({"ok": True, **answer, "re": message["id"]})


def retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a failed future's exception as read (a done callback).  Whoever awaits it still
    gets the exception; one nobody waits for any more (its caller timed out, or its write
    failed as the connection went) no longer logs "exception was never retrieved"."""
    if not future.cancelled():
        future.exception()


def parse_endpoints(text: str) -> list[tuple[str, int]]:
    """``host:port[,host:port...]`` -> pairs; ValueError names the bad part."""
    endpoints = []
    for part in text.split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{part.strip()!r} is not host:port")
        endpoints.append((host, int(port)))
    return endpoints
