"""Stand-ins for application servers, for the proxy tests only: the real emulated WAS is another part.

Each answers any path with its own name, sets a JSESSIONID carrying its clone ID on ``*/login``,
echoes the headers and body it received, streams on ``*/stream`` and sleeps on ``*/slow``.
"""

from __future__ import annotations

import asyncio
import gzip
import json

from aiohttp import web

SESSION = "0000A2MB4IJozU_VM8IffsMNfdR"
STREAM_CHUNK = bytes(range(256)) * 256  # 64 KiB
STREAM_CHUNKS = 16
GZIPPED = gzip.compress(b"compressed by the application server " * 100, mtime=0)


class Backend:
    def __init__(self, name: str, clone: str, *, slow: float = 0.0) -> None:
        self.name = name
        self.clone = clone
        self.slow = slow
        self.port = 0
        self.hits = 0
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Listen on 127.0.0.1: a free port the first time, the same port again after a stop."""
        self._released = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        self._released.set()  # a slow answer still pending ends now, so stopping is quick
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        path = request.path
        if path.endswith("/slow") and self.slow:
            try:
                await asyncio.wait_for(self._released.wait(), self.slow)
            except asyncio.TimeoutError:
                pass
        if path.endswith("/stream"):
            response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
            await response.prepare(request)
            for _ in range(STREAM_CHUNKS):
                await response.write(STREAM_CHUNK)
            await response.write_eof()
            return response
        if path.endswith("/gzip"):
            return web.Response(body=GZIPPED, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})
        body = await request.read()
        payload = {
            "server": self.name,
            "raw_path": request.raw_path,
            "headers": [[k, v] for k, v in request.headers.items()],
            "body": body.decode("latin-1"),
        }
        response = web.Response(text=json.dumps(payload), content_type="application/json")
        if path.endswith("/login"):
            response.headers.add("Set-Cookie", f"JSESSIONID={SESSION}:{self.clone}; Path=/; HttpOnly")
            response.headers.add("Set-Cookie", "LtpaToken=abc; Path=/")
        return response
