"""Admin output in the tutorial's shape: mapsizes, findByKey, showPlacement; the CLI."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from splicer.cli import main
from splicer.grid.admin import (ContainerSizes, Hit, SizeRow, format_findbykey, format_mapsizes,
                                render_value)
from splicer.grid.client import GridClient
from splicer.grid.inprocess import ThreadedGrid, run_grid
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG, write

SID = "4WnQaKbKMCdHRuD5PWdsZJf"


@pytest.mark.parametrize(("value", "shown"), [
    (b"test01", "test01"),
    (b"\x00\x01\xff", "0x0001ff"),
    ("한글".encode(), "한글"),
    (b"line\nbreak", "0x6c696e650a627265616b"),
    (b"x" * 81, "x" * 80 + "..."),
    (b"", ""),
], ids=["text", "binary", "utf8", "control-char", "long", "empty"])
def test_values_are_text_or_hex(value: bytes, shown: str) -> None:
    assert render_value(value) == shown


def test_mapsizes_lists_each_container_then_totals() -> None:
    sizes = [ContainerSizes("c0", (SizeRow("objectgridSessionMetadata", 0, 2, 10, "Primary"),
                                   SizeRow("objectgridSessionMetadata", 1, 1, 5,
                                           "AsynchronousReplica"))),
             ContainerSizes("c1", None)]
    assert format_mapsizes("session", "sessionMapSet", sizes) == [
        "*****Displaying Results for Grid - session, MapSet - sessionMapSet*****",
        "",
        "*** Listing Maps for c0 ***",
        "Map Name                  Partition Map Entries Used Bytes Shard Type",
        "objectgridSessionMetadata 0         2           10         Primary",
        "objectgridSessionMetadata 1         1           5          AsynchronousReplica",
        "Server Total: 3 (15 bytes)",
        "",
        "*** Listing Maps for c1 ***",
        "(container c1 did not answer)",
        "",
        "Total Domain Count: 2 (10 bytes)",
    ]


def test_findbykey_output() -> None:
    hits = [Hit(25, f"{SID}/MySessionTestWeb_DATA", b"test01")]
    lines = format_findbykey(hits, values=True)
    assert lines[:2] == ["CWXSI0068I: Executing command: findByKey", "1 matching keys found."]
    assert re.fullmatch(rf"25 +{SID}/MySessionTestWeb_DATA test01", lines[5])
    assert lines[-1] == "CWXSI0040I: The findByKey command completed successfully."
    assert re.fullmatch(rf"25 +{SID}/MySessionTestWeb_DATA", format_findbykey(hits, False)[5])


@pytest.fixture(scope="module")
def grid() -> Iterator[ThreadedGrid]:
    with run_grid(SAMPLE_OG, SAMPLE_DP, ("c0", "c1")) as running:
        async def fill() -> None:
            client = await GridClient.connect(running.catalog_endpoint, grid="session")
            await client.put("objectgridSessionMetadata", f"{SID}/MySessionTestWeb", b"meta")
            await client.put("objectgridSessionAttribute", f"{SID}/MySessionTestWeb_DATA",
                             b"test01")
            await client.close()
        running.call(fill())
        yield running


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["grid", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_mapsizes_shows_47_partitions_spread_over_both(grid: ThreadedGrid) -> None:
    code, out, _ = invoke("mapsizes", "-g", "session", "-m", "sessionMapSet",
                          "--catalog", grid.catalog_endpoint)
    assert code == 0
    rows = re.findall(r"^objectgridSessionMetadata +(\d+) +\d+ +\d+ +(\w+)$", out, re.M)
    per_type = {kind: sorted(int(p) for p, k in rows if k == kind) for _, kind in rows}
    assert per_type["Primary"] == list(range(47))
    assert per_type["AsynchronousReplica"] == list(range(47))
    assert "*** Listing Maps for c0 ***" in out and "*** Listing Maps for c1 ***" in out
    used = len(f"{SID}/MySessionTestWeb") + len(b"meta") \
        + len(f"{SID}/MySessionTestWeb_DATA") + len(b"test01")
    assert out.rstrip().endswith(f"Total Domain Count: 2 ({used} bytes)")


def test_cli_findbykey_with_cep_alias(grid: ThreadedGrid) -> None:
    code, out, _ = invoke("findbykey", "-g", "session", "-m", "objectgridSessionAttribute",
                          "-fs", ".*", "-rv", "-cep", grid.catalog_endpoint)
    assert code == 0
    assert "1 matching keys found." in out
    assert re.search(rf"^\d+ +{SID}/MySessionTestWeb_DATA test01$", out, re.M)


def test_cli_findbykey_takes_the_tutorials_wildcard(grid: ThreadedGrid) -> None:
    """The tutorial types `-fs "*"` (not a regular expression); it was refused with exit 2."""
    code, out, _ = invoke("findbykey", "-g", "session", "-m", "objectgridSessionAttribute",
                          "-fs", "*", "-rv", "--catalog", grid.catalog_endpoint)
    assert code == 0
    assert re.search(rf"^\d+ +{SID}/MySessionTestWeb_DATA test01$", out, re.M)


def test_cli_placement(grid: ThreadedGrid) -> None:
    code, out, _ = invoke("placement", "-g", "session", "-m", "sessionMapSet",
                          "--catalog", grid.catalog_endpoint)
    assert code == 0
    assert re.search(r"^0 +Primary +c0 ", out, re.M)
    assert len(re.findall(r"^\d+ +Primary ", out, re.M)) == 47
    assert "Primaries per container: c0 24, c1 23" in out


@pytest.mark.parametrize(("args", "reason"), [
    (("mapsizes", "-g", "sesion", "-m", "sessionMapSet"),
     r"grid 'sesion' is not known to catalog cs0 \(grids: session\)"),
    (("mapsizes", "-g", "session", "-m", "mapSet"), r"mapSet 'mapSet' is not in grid 'session'"),
    (("placement", "-g", "session", "-m", "nope"), r"mapSet 'nope' is not in grid 'session'"),
    (("findbykey", "-g", "session", "-m", "nope"),
     r"The specified map name 'nope' does not exist in grid 'session'"),
    (("findbykey", "-g", "session", "-m", "objectgridSessionMetadata", "-fs", "(a"),
     r"-fs '\(a' is not a regular expression: missing \), unterminated subpattern at position 0 "
     r"\('\.\*' matches every key\)"),
], ids=["mapsizes-grid", "mapsizes-mapset", "placement-mapset", "findbykey-map", "bad-regex"])
def test_cli_wrong_names_exit_2(grid: ThreadedGrid, args: tuple[str, ...], reason: str) -> None:
    code, out, err = invoke(*args, "--catalog", grid.catalog_endpoint)
    assert code == 2
    assert re.fullmatch(rf"CWWSM0131E: {reason}.*\n", err, re.S)


def test_cli_no_catalog_is_a_runtime_error_not_usage(dead_address: str) -> None:
    """Regression: a dead catalog exited 2, "usage", with the id wrong names have; it is a
    runtime failure: exit 69 (sysexits' EX_UNAVAILABLE), its own id."""
    code, _, err = invoke("mapsizes", "-g", "session", "-m", "sessionMapSet",
                          "--catalog", dead_address)
    assert code == 69
    assert err.startswith(f"CWWSM0134E: no server answered ({dead_address}: ")


def test_cli_container_waits_for_its_catalog_with_catalog_wait_as_the_server_does() -> None:
    """Bug: the container's wait was --catalog-timeout, `splicer server`'s --catalog-wait
    (the same wait): --catalog-wait is its name now, the former one a hidden alias."""
    code, out, _ = invoke("container", "--help")
    assert code == 0
    assert "--catalog-wait FLOAT RANGE" in out and "--catalog-timeout" not in out
    code, _, err = invoke("container", "c0", "--objectgrid-xml", str(SAMPLE_OG),
                          "--deployment-xml", str(SAMPLE_DP), "--catalog-wait", "1",
                          "--catalog-timeout", "2")
    assert (code, err) == (2, "CWWSM0100E: give --catalog-wait only (--catalog-timeout is its "
                              "former name)\n")


def test_cli_container_with_a_bad_xml_exits_2(tmp_path: Path) -> None:
    og = write(tmp_path, "og.xml", "<objectGridConfig")
    code, _, err = invoke("container", "c0", "--objectgrid-xml", str(og), "--deployment-xml",
                          str(SAMPLE_DP), "--catalog", "127.0.0.1:1")
    assert code == 2
    assert err.startswith(f"CWWSM0130E: {og}:1: not well-formed XML")


@pytest.mark.parametrize(("endpoints", "reason"), [
    ("cs1:localhost:6600:6601", r"catalog server 'cs0' is not in --catalog-endpoints"),
    ("cs0:localhost:6600", r"catalog endpoint 'cs0:localhost:6600' is not serverName:hostName"),
    ("cs0:localhost:6600:6601,cs1:h:1:2", r"a catalog service domain of several catalog "
                                          r"servers is not emulated"),
], ids=["not-listed", "three-fields", "several"])
def test_cli_catalog_endpoints_errors(endpoints: str, reason: str) -> None:
    code, _, err = invoke("catalog", "cs0", "--catalog-endpoints", endpoints)
    assert code == 2
    assert re.match(rf"CWWSM0131E: {reason}", err)


def test_run_grid_threads_serve_a_client_in_another_loop(grid: ThreadedGrid) -> None:
    async def read() -> bytes | None:
        async with await GridClient.connect(grid.catalog_endpoint, grid="session") as client:
            return await client.get("objectgridSessionMetadata", f"{SID}/MySessionTestWeb")
    assert asyncio.run(read()) == b"meta"
