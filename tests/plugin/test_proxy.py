"""The proxy on real loopback sockets: affinity, failover, fail-back, 503, headers, streaming."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from plugin.backends import GZIPPED, SESSION, STREAM_CHUNK, STREAM_CHUNKS, Backend
from plugin.cfgs import FakeClock, FixedStart, config, server
from splicer.plugin.config import write_config
from splicer.plugin.generate import GenOptions, gen_plugin_cfg
from splicer.plugin.merge import plugin_cfg_merge
from splicer.plugin.proxy import PluginProxy
from splicer.plugin.routing import Router

REPO = Path(__file__).resolve().parents[2]


class Topology:
    def __init__(self, proxy: PluginProxy, backends: list[Backend], clock: FakeClock, client: aiohttp.ClientSession) -> None:
        self.proxy = proxy
        self.backends = {b.name: b for b in backends}
        self.clock = clock
        self.client = client

    def url(self, path: str) -> str:
        assert self.proxy.address is not None
        return f"http://127.0.0.1:{self.proxy.address[1]}{path}"

    async def get(self, path: str, clone: str | None = None, **kw: Any) -> tuple[aiohttp.ClientResponse, bytes]:
        headers = kw.pop("headers", {})
        if clone:
            headers["Cookie"] = f"JSESSIONID={SESSION}:{clone}"
        method = kw.pop("method", "GET")
        async with self.client.request(method, self.url(path), headers=headers, **kw) as resp:
            return resp, await resp.read()


@asynccontextmanager
async def topology(*backends: Backend, io_timeout: float = 0.0, **cluster: Any) -> AsyncIterator[Topology]:
    """Backends and the proxy on port 0, a fake clock for RetryInterval; everything stopped after."""
    clock = FakeClock()
    proxy: PluginProxy | None = None
    client = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False)
    try:
        for backend in backends:
            await backend.start()
        servers = [
            dataclasses.replace(server(b.name, b.clone, port=b.port), server_io_timeout=io_timeout) for b in backends
        ]
        cfg = config(servers, **cluster)
        proxy = PluginProxy(cfg, router=Router(cfg, clock=clock, rng=FixedStart()))
        await proxy.start("127.0.0.1", 0)
        yield Topology(proxy, list(backends), clock, client)
    finally:
        await client.close()
        if proxy is not None:
            await proxy.stop()
        for backend in backends:
            await backend.stop()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_affinity_and_round_robin() -> None:
    async def scenario() -> None:
        async with topology(Backend("A", "a1"), Backend("B", "b2")) as t:
            resp, _ = await t.get("/app/login")
            assert (resp.status, resp.headers["X-Splicer-Server"], resp.headers["X-Splicer-Clone"],
                    resp.headers["X-Splicer-Route"]) == (200, "A", "a1", "round-robin")
            # Both Set-Cookie headers pass through unchanged.
            assert resp.headers.getall("Set-Cookie") == [f"JSESSIONID={SESSION}:a1; Path=/; HttpOnly", "LtpaToken=abc; Path=/"]
            answers = [await t.get("/app/SessionTest.jsp", "b2") for _ in range(3)]
            assert [(r.headers["X-Splicer-Server"], r.headers["X-Splicer-Route"]) for r, _ in answers] == [("B", "affinity")] * 3
            assert json.loads(answers[0][1])["server"] == "B"

    run(scenario)


def test_failover_then_failback_after_retry_interval() -> None:
    async def scenario() -> None:
        async with topology(Backend("A", "a1"), Backend("B", "b2"), retry_interval=60) as t:
            a = t.backends["A"]
            assert (await t.get("/app/x.jsp", "a1"))[0].headers["X-Splicer-Server"] == "A"
            await a.stop()  # connection refused from now on
            resp, body = await t.get("/app/x.jsp", "a1")
            assert (resp.status, resp.headers["X-Splicer-Server"], resp.headers["X-Splicer-Route"]) == (200, "B", "failover")
            assert json.loads(body)["server"] == "B"
            assert t.proxy.router.is_down("c1", "A")
            await a.start()  # back on the same port, but still marked down
            hits = a.hits
            resp, _ = await t.get("/app/x.jsp", "a1:b2")
            assert (resp.headers["X-Splicer-Server"], a.hits) == ("B", hits)
            t.clock.advance(60)
            resp, _ = await t.get("/app/x.jsp", "a1:b2")
            assert (resp.headers["X-Splicer-Server"], resp.headers["X-Splicer-Route"]) == ("A", "affinity")
            assert not t.proxy.router.is_down("c1", "A")

    run(scenario)


def test_503_when_every_server_is_down_and_404_without_route() -> None:
    async def scenario() -> None:
        async with topology(Backend("A", "a1"), Backend("B", "b2")) as t:
            resp, body = await t.get("/elsewhere/index.html")
            assert (resp.status, body, "X-Splicer-Server" in resp.headers) == (404, b"404 Not Found\n", False)
            assert resp.headers["Server"] == "IBM_HTTP_Server"
            for backend in t.backends.values():
                await backend.stop()
            resp, body = await t.get("/app/x.jsp", "a1")
            assert (resp.status, body, "X-Splicer-Server" in resp.headers) == (503, b"503 Service Unavailable\n", False)
            assert t.proxy.router.is_down("c1", "A") and t.proxy.router.is_down("c1", "B")

    run(scenario)


@pytest.mark.parametrize(
    ("buffer_kb", "status", "server"),
    [(64, 200, "B"), (0, 503, None)],
    ids=["body-buffered-and-resent", "post-buffer-size-0-no-resend"],
)
def test_request_body_resent_on_failover(buffer_kb: int, status: int, server: str | None) -> None:
    body = b"DATA=test02&" + b"x" * 10_000

    async def scenario() -> None:
        async with topology(Backend("A", "a1"), Backend("B", "b2"), post_buffer_size=buffer_kb) as t:
            await t.backends["A"].stop()
            resp, answer = await t.get("/app/x.jsp", "a1", method="POST", data=body)
            assert (resp.status, resp.headers.get("X-Splicer-Server")) == (status, server)
            if status == 200:
                assert json.loads(answer)["body"].encode("latin-1") == body

    run(scenario)


def test_hop_by_hop_and_special_headers() -> None:
    async def scenario() -> None:
        async with topology(Backend("A", "a1")) as t:
            resp, body = await t.get("/app/h;jsessionid=x?q=1", headers={
                "Connection": "keep-alive, X-Drop", "X-Drop": "1", "X-Keep": "2", "$WSRA": "6.6.6.6",
                "Proxy-Authorization": "Basic eA==",
            })
            seen = json.loads(body)
            names = {k.lower(): v for k, v in seen["headers"]}
            assert names["x-keep"] == "2"
            assert not {"x-drop", "proxy-authorization"} & set(names)
            assert names["$wsra"] == "127.0.0.1"
            assert names["host"] == f"127.0.0.1:{t.proxy.address[1] if t.proxy.address else 0}"
            assert seen["raw_path"] == "/app/h;jsessionid=x?q=1"

    run(scenario)


def test_streams_and_passes_encoded_bodies_unchanged() -> None:
    async def scenario() -> None:
        async with topology(Backend("A", "a1")) as t:
            resp, body = await t.get("/app/stream")
            assert (resp.status, len(body), body[:len(STREAM_CHUNK)]) == (200, len(STREAM_CHUNK) * STREAM_CHUNKS, STREAM_CHUNK)
            assert resp.headers.get("Transfer-Encoding") == "chunked"
            resp, body = await t.get("/app/gzip", headers={"Accept-Encoding": "gzip"})
            assert (resp.headers["Content-Encoding"], body) == ("gzip", GZIPPED)

    run(scenario)


def test_server_io_timeout_retries_elsewhere_without_marking_down() -> None:
    async def scenario() -> None:
        async with topology(Backend("A", "a1", slow=5.0), Backend("B", "b2"), io_timeout=0.3) as t:
            resp, _ = await t.get("/app/slow", "a1")
            assert (resp.headers["X-Splicer-Server"], resp.headers["X-Splicer-Route"]) == ("B", "failover")
            assert not t.proxy.router.is_down("c1", "A")

    run(scenario)


@contextmanager
def unanswered_port() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops new SYNs, so connecting times out."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            fillers.append(filler)
            with suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        yield port
    finally:
        for sock in fillers + [listener]:
            sock.close()


def test_connect_timeout_marks_down_and_fails_over(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="splicer.plugin.proxy")

    async def scenario() -> None:
        with unanswered_port() as port:
            hung = dataclasses.replace(server("H", "h1", port=port), connect_timeout=0.3)
            async with topology(Backend("B", "b2")) as t:
                cfg = config([hung, server("B", "b2", port=t.backends["B"].port)])
                proxy = PluginProxy(cfg, router=Router(cfg, clock=t.clock, rng=FixedStart()))
                await proxy.start("127.0.0.1", 0)
                try:
                    assert proxy.address is not None
                    url = f"http://127.0.0.1:{proxy.address[1]}/app/x.jsp"
                    async with t.client.get(url, headers={"Cookie": f"JSESSIONID={SESSION}:h1"}) as resp:
                        assert (resp.status, resp.headers["X-Splicer-Server"], resp.headers["X-Splicer-Route"]) == (
                            200, "B", "failover")
                    assert proxy.router.is_down("c1", "H")
                finally:
                    await proxy.stop()

    run(scenario)
    assert caplog.messages == ["GET /app/x.jsp server=B status=200 route=failover (H: connect timed out)"]


# ---------------------------------------------------------------------------- as a real process

@pytest.mark.parametrize("request_bytes", [
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", id="bad-content-length"),
    pytest.param(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", id="bad-chunk"),
])
def test_a_malformed_request_is_one_log_line(request_bytes: bytes, caplog: pytest.LogCaptureFixture) -> None:
    """Bug: aiohttp logged a traceback per malformed request; it is one warning line now."""
    async def scenario() -> None:
        async with topology(Backend("A", "a1")) as t:
            assert t.proxy.address is not None
            reader, writer = await asyncio.open_connection("127.0.0.1", t.proxy.address[1])
            writer.write(request_bytes)
            assert (await asyncio.wait_for(reader.read(), 10)).startswith(b"HTTP/1.0 400 Bad Request")
            writer.close()

    with caplog.at_level(logging.INFO, logger="splicer.plugin"):
        run(scenario)
    errors = [r for r in caplog.records if r.name == "splicer.plugin.http"]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].levelname == "WARNING" and errors[0].exc_info is None
    assert "\n" not in errors[0].getMessage()
    assert errors[0].getMessage().startswith("Error handling request from 127.0.0.1: 400 Invalid")


async def _read_ready(proc: asyncio.subprocess.Process) -> tuple[str, int]:
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
    assert line.startswith("READY "), line
    host, _, port = line.removeprefix("READY ").rpartition(":")
    return host, int(port)


@pytest.mark.slow
def test_proxy_process_from_generated_and_merged_files(ear: Path, tmp_path: Path) -> None:
    """gen for two servers, merge, run `python -m splicer plugin proxy` on the result."""

    async def scenario() -> None:
        backends = [Backend("server1", "17f69k519"), Backend("server2", "17f69k8ot")]
        proc: asyncio.subprocess.Process | None = None
        client = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        try:
            for n, backend in enumerate(backends, 1):
                await backend.start()
                gen_plugin_cfg(ear, GenOptions(backend.name, "127.0.0.1", backend.port, backend.clone, node=f"node{n}"),
                               tmp_path / f"plugin-cfg_{n}.xml")
            merged = tmp_path / "plugin-cfg.xml"
            plugin_cfg_merge([tmp_path / "plugin-cfg_1.xml", tmp_path / "plugin-cfg_2.xml"], merged, lambda line: None)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "splicer", "plugin", "proxy", "--config", str(merged),
                "--host", "127.0.0.1", "--port", "0", "--retry-interval", "0.5",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            )
            host, port = await _read_ready(proc)
            url = f"http://{host}:{port}/MySessionTestWeb/SessionTest.jsp"

            async def get(cookie: str | None) -> tuple[int, str | None, str | None, str | None]:
                headers = {"Cookie": f"JSESSIONID={cookie}"} if cookie else {}
                async with client.get(url, headers=headers) as resp:
                    await resp.read()
                    return resp.status, resp.headers.get("X-Splicer-Server"), resp.headers.get("X-Splicer-Clone"), resp.headers.get("X-Splicer-Route")

            cookie = f"{SESSION}:17f69k519"
            assert await get(cookie) == (200, "node1_server1_0", "17f69k519", "affinity")
            await backends[0].stop()
            assert await get(cookie) == (200, "node2_server2_1", "17f69k8ot", "failover")
            cookie += ":17f69k8ot"  # what server2 would send back after taking the session over
            assert await get(cookie) == (200, "node2_server2_1", "17f69k8ot", "affinity")
            await backends[1].stop()
            assert (await get(cookie))[0] == 503
            for backend in backends:
                await backend.start()
            await asyncio.sleep(0.6)  # past the 0.5 s RetryInterval: both are tried again
            assert await get(cookie) == (200, "node1_server1_0", "17f69k519", "affinity")

            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 15) == 130  # a clean stop, on a signal
            assert proc.stderr is not None
            log = (await proc.stderr.read()).decode()
            assert "GET /MySessionTestWeb/SessionTest.jsp server=node2_server2_1 status=200 route=failover (node1_server1_0: connect failed" in log
            assert "status=503 route=unavailable" in log
        finally:
            await client.close()
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
            for backend in backends:
                await backend.stop()

    run(scenario)


@pytest.mark.slow
def test_cli_proxy_rejects_a_bad_config(tmp_path: Path) -> None:
    bad = tmp_path / "plugin-cfg.xml"
    write_config(config([server("A")]), bad)
    bad.write_text(bad.read_text("iso-8859-1").replace('ServerCluster="c1"', 'ServerCluster="ghost"'), "iso-8859-1")
    done = subprocess.run(
        [sys.executable, "-m", "splicer", "plugin", "proxy", "--config", str(bad), "--port", "0"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"CWWSM0150E: {bad}:" in done.stderr and "Route names the ServerCluster 'ghost', which is not defined" in done.stderr


@pytest.mark.slow
def test_cli_proxy_on_a_port_in_use_is_one_line_and_exit_69(tmp_path: Path) -> None:
    """Regression: a port in use gave a traceback and exit 1 (the grid's servers say
    'cannot listen on …' and exit 69, EX_UNAVAILABLE)."""
    cfg = tmp_path / "plugin-cfg.xml"
    write_config(config([server("A")]), cfg)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "splicer", "plugin", "proxy", "--config", str(cfg), "--host", "127.0.0.1",
             "--port", str(port)],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
    assert done.returncode == 69, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"CWWSM0134E: cannot listen on 127.0.0.1:{port}: ")
