"""The emulated IBM HTTP Server with the WebSphere plug-in: an aiohttp reverse proxy driven by a Router."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType

import aiohttp
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from splicer.grid.errors import GridUnavailableError
from splicer.logs import http_logger
from splicer.plugin.model import PluginConfig, Server
from splicer.plugin.routing import Decision, RequestInfo, Router, parse_cookie_header

log = logging.getLogger("splicer.plugin.proxy")

HEADER_SERVER = "X-Splicer-Server"
HEADER_CLONE = "X-Splicer-Clone"
HEADER_ROUTE = "X-Splicer-Route"

# RFC 9110 §7.6.1: never forwarded; plus whatever the Connection header lists.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade",
})
CHUNK = 64 * 1024


def end_to_end(headers: CIMultiDictProxy[str] | CIMultiDict[str]) -> list[tuple[str, str]]:
    """The headers a proxy passes on: all but hop-by-hop ones, duplicates (Set-Cookie) kept in order."""
    listed = {tok.strip().lower() for value in headers.getall("Connection", []) for tok in value.split(",")}
    return [(k, v) for k, v in headers.items() if k.lower() not in HOP_BY_HOP and k.lower() not in listed]


@dataclass(frozen=True)
class _Failure:
    reason: str
    mark_down: bool
    io_timeout: bool = False


async def _read_body(request: web.Request, limit: int) -> tuple[bytes, bool]:
    """Buffer the body up to *limit* bytes; True when all of it fits, so it can be resent."""
    if not request.body_exists:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await request.content.readany()
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


async def _rest_of_body(prefix: bytes, request: web.Request) -> AsyncIterator[bytes]:
    yield prefix
    async for chunk in request.content.iter_any():
        yield chunk


async def _one_address(host: str, port: int) -> str:
    """The one address to bind: 'localhost' on port 0 would get a different free port per family."""
    if port != 0:
        return host
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:
        return host
    ipv4 = [info for info in infos if info[0] == socket.AF_INET]
    return str((ipv4 or infos)[0][4][0])


class PluginProxy:
    """IHS + plug-in in one object: start it in-process (tests) or through ``serve`` (a process)."""

    def __init__(
        self,
        config: PluginConfig,
        *,
        router: Router | None = None,
        vhost_port: int | None = 80,
        retry_interval: float | None = None,
        seed: int | None = None,
    ) -> None:
        self.config = config
        self.router = router or Router(config, retry_interval=retry_interval, rng=random.Random(seed))
        # The port virtual-host matching sees: the tutorial's IHS is on port 80 (default_host *:80)
        # whatever port the emulator really listens on. None: the Host header's port.
        self.vhost_port = vhost_port
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.address: tuple[str, int] | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        # A fresh connection per request (force_close): a pooled socket the member closed while
        # idle must not look like a dead member, the plug-in marks down on *new* sockets only.
        connector = aiohttp.TCPConnector(force_close=True)
        self._client = aiohttp.ClientSession(connector=connector, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar())
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # On stop, requests in flight get a few seconds to finish; a parent waits about that long
        # before it escalates to SIGKILL.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=3.0,
                                     logger=http_logger("splicer.plugin.http"))
        await self._runner.setup()
        bind = await _one_address(host, port)
        site = web.TCPSite(self._runner, bind, port)
        try:
            await site.start()
        except OSError as exc:  # the port in use, an address not this machine's: exit 69, one line
            await self._runner.cleanup()
            raise GridUnavailableError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        bound = self._runner.addresses[0]
        self.address = (str(bound[0]), int(bound[1]))
        return self.address

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> PluginProxy:
        await self.start()
        return self

    async def __aexit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    # ------------------------------------------------------------------ one request

    def _request_info(self, request: web.Request) -> RequestInfo:
        try:
            url = URL(f"http://{request.host}")
            host, header_port = url.host or "", url.explicit_port
        except ValueError:
            host, header_port = request.host, None
        listening = self.address[1] if self.address else 80
        port = self.vhost_port if self.vhost_port else (header_port or listening)
        raw_path = request.raw_path.split("?", 1)[0]
        cookies = parse_cookie_header("; ".join(request.headers.getall("Cookie", [])))
        return RequestInfo(raw_path, host, port, cookies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        info = self._request_info(request)
        match = self.router.match(info)
        if match is None:
            return self._local(request, 404, "Not Found", "no-route", [])
        body, replayable = await _read_body(request, max(match.cluster.post_buffer_size, 0) * 1024)
        tried: list[str] = []
        notes: list[str] = []
        io_retries = 0
        while True:
            decision = self.router.choose(info, tried)
            if decision.server is None or decision.cluster is None:
                return self._local(request, 503, "Service Unavailable", "unavailable", notes)
            if tried and not replayable:
                notes.append("body larger than PostBufferSize, not resent")
                return self._local(request, 503, "Service Unavailable", "unavailable", notes)
            data = body if replayable else _rest_of_body(body, request)
            outcome = await self._attempt(request, decision.server, data)
            if isinstance(outcome, aiohttp.ClientResponse):
                self.router.mark_up(decision.cluster.name, decision.server.name)
                return await self._relay(request, outcome, decision, notes)
            notes.append(f"{decision.server.name}: {outcome.reason}")
            tried.append(decision.server.name)
            if outcome.mark_down:
                self.router.mark_down(decision.cluster.name, decision.server.name)
            if outcome.io_timeout:
                io_retries += 1
                limit = decision.cluster.server_io_timeout_retry
                if limit >= 0 and io_retries > limit:
                    return self._local(request, 504, "Gateway Timeout", "unavailable", notes)

    async def _attempt(self, request: web.Request, server: Server, data: bytes | AsyncIterator[bytes]) -> aiohttp.ClientResponse | _Failure:
        transport = server.http
        if transport is None or self._client is None:
            return _Failure("no transport", mark_down=True)
        path, _, query = request.raw_path.partition("?")
        url = URL.build(scheme=transport.protocol.lower(), host=transport.hostname, port=transport.port,
                        path=path, query_string=query, encoded=True)
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=server.connect_timeout or None,  # 0: a blocking connect
            sock_read=abs(server.server_io_timeout) or None,
        )
        try:
            return await self._client.request(
                request.method, url, headers=self._upstream_headers(request, isinstance(data, bytes)),
                data=data, allow_redirects=False, timeout=timeout, ssl=False,
            )
        except aiohttp.ConnectionTimeoutError:
            return _Failure("connect timed out", mark_down=True)
        except aiohttp.SocketTimeoutError:
            # ServerIOTimeout > 0: retry elsewhere, member stays up; < 0: mark it down too.
            return _Failure("read timed out", mark_down=server.server_io_timeout < 0, io_timeout=True)
        except aiohttp.ClientConnectorError as exc:
            return _Failure(f"connect failed ({exc.os_error.strerror or exc.os_error})", mark_down=True)
        except aiohttp.ClientConnectionError as exc:
            return _Failure(f"connection lost ({type(exc).__name__})", mark_down=True)

    def _upstream_headers(self, request: web.Request, buffered: bool) -> CIMultiDict[str]:
        headers = CIMultiDict(end_to_end(request.headers))
        headers.popall("Expect", None)  # the web server already answered 100-continue
        if buffered:
            headers.popall("Content-Length", None)  # aiohttp sets it from the bytes
        for name in [k for k in headers if k.lower().startswith("$ws")]:
            headers.popall(name, None)  # RemoveSpecialHeaders: never trust a client's copies
        peer = request.remote or ""
        headers["$WSRA"] = peer
        headers["$WSRH"] = peer
        headers["$WSSC"] = request.scheme
        headers["$WSPR"] = f"HTTP/{request.version.major}.{request.version.minor}"
        headers["$WSSN"] = request.host.rsplit(":", 1)[0]
        return headers

    async def _relay(
        self, request: web.Request, upstream: aiohttp.ClientResponse, decision: Decision, notes: list[str]
    ) -> web.StreamResponse:
        assert decision.server is not None
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        for name, value in end_to_end(upstream.headers):
            response.headers.add(name, value)
        response.headers[HEADER_SERVER] = decision.server.name
        if decision.server.clone_id:
            response.headers[HEADER_CLONE] = decision.server.clone_id
        response.headers[HEADER_ROUTE] = decision.kind
        self._log(request, decision.server.name, upstream.status, decision.kind, notes)
        try:
            await response.prepare(request)
            async for chunk in upstream.content.iter_chunked(CHUNK):
                await response.write(chunk)
            await response.write_eof()
        except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionResetError) as exc:
            # The member or the client went away mid-body; the headers are gone already, so
            # all a web server can do is cut the connection.
            log.warning("%s %s: response from %s broken off (%s)", request.method, request.path,
                        decision.server.name, type(exc).__name__)
            if request.transport is not None:
                request.transport.close()
        finally:
            upstream.release()
        return response

    def _local(self, request: web.Request, status: int, text: str, kind: str, notes: list[str]) -> web.Response:
        self._log(request, "-", status, kind, notes)
        # These answers come from the web server itself, not from a member.
        return web.Response(status=status, text=f"{status} {text}\n", headers={"Server": "IBM_HTTP_Server"})

    @staticmethod
    def _log(request: web.Request, server: str, status: int, kind: str, notes: list[str]) -> None:
        tail = f" ({'; '.join(notes)})" if notes else ""
        log.info("%s %s server=%s status=%d route=%s%s", request.method, request.raw_path, server, status, kind, tail)
