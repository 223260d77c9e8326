"""`splicer server` options, and the clean stop that cannot flush."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from splicer.cli import main
from splicer.errors import Where
from splicer.server.runtime import AppServer, ServerOptions, ServerStopError

from .recording_store import RecordingStore
from .testapp import TUTORIAL_PARAMS, build_ear


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clone-id", "a:b"], r"Invalid value for '--clone-id': 'a:b': use letters, digits"),
        (["--clone-id", ""], r"Invalid value for '--clone-id'"),
        (["--clone-id", "A", "--port", "70000"], r"Invalid value for '--port'"),
    ],
    ids=["separator-in-clone-id", "empty-clone-id", "port-out-of-range"],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    ear = build_ear(tmp_path / "a.ear")
    result = CliRunner().invoke(main, ["server", "server1", "--app", str(ear), *args])
    assert result.exit_code == 2
    assert re.search(message, result.output)


def test_missing_app_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["server", "s1", "--app", str(tmp_path / "none.ear"), "--clone-id", "A"])
    assert (result.exit_code, "does not exist" in result.output) == (2, True)


def test_stop_reports_writes_it_could_not_flush(tmp_path: Path) -> None:
    ear = build_ear(tmp_path / "a.ear", {**TUTORIAL_PARAMS, "replicationInterval": "60"})
    store = RecordingStore()

    async def connect(catalog: str, grid: str, where: Where, access: object) -> RecordingStore:
        return store

    async def run() -> None:
        server = AppServer(ServerOptions("s1", ear, "A", catalog="localhost:1", host="127.0.0.1"), connect=connect)
        await server.start()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://{server.address}/MySessionTestWeb/SessionTest.jsp?DATA=x") as resp:
                assert resp.status == 200
        store.fail_next = True  # the grid is gone when the clean stop flushes
        await server.stop()

    with pytest.raises(ServerStopError, match=r"^CWWSM0141E: 1 module\(s\) could not flush") as info:
        asyncio.run(run())
    assert info.value.reason.startswith("1 module(s)")
    assert (store.batches, store.closed) == ([], True)
