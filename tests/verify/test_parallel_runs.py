"""verify runs side by side on one machine (parallel CI jobs), and ports someone else wants.

Bug: the servers' ports were "free a moment ago" (``free_ports()``: bound to port 0 and
closed), then bound by the servers once the grid was up, seconds later; meanwhile the
system could give them to another process, and verify failed to start or its plug-in
reached someone else's server.  They are now held until verify stops (ports.Reservation).
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from splicer.verify.process import TopologyError
from splicer.verify.run import VerifyOptions, run_verify
from splicer.verify.topology import Topology
from verify.support import REPO, Workspace

pytestmark = pytest.mark.slow


def options(workspace: Workspace) -> VerifyOptions:
    return VerifyOptions(app=workspace.ear, properties=workspace.properties,
                         objectgrid_xml=workspace.objectgrid_xml,
                         deployment_xml=workspace.deployment_xml)


def test_two_verifies_at_once_both_keep_their_sessions(workspace: Workspace,
                                                       tmp_path: Path) -> None:
    runs = [subprocess.Popen(
        [sys.executable, "-m", "splicer", "verify", str(workspace.ear), str(workspace.properties),
         "--json", "--keep-logs", str(tmp_path / f"logs{n}"), *workspace.grid_options()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO) for n in (1, 2)]
    results = []
    for run in runs:
        try:
            out, err = run.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            for other in runs:
                other.kill()
                other.communicate()
            pytest.fail("a verify run did not end within 180 s")
        results.append((run.returncode, out, err))
    addresses = []
    for status, out, err in results:
        assert status == 0, out + err
        report = json.loads(out)
        assert [s["verdict"] for s in report["steps"]] == ["pass"] * 6 + ["warn"], out
        addresses.append({e["address"] for e in report["topology"]})
    assert addresses[0].isdisjoint(addresses[1]), addresses


def test_a_server_port_cannot_be_taken_before_the_server_listens(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window the bug left open, used on purpose: as soon as verify has chosen its
    ports, another program tries to take each (a bind of the number, as a server without
    SO_REUSEADDR does; it would keep what it got, listening).  It gets none, and verify runs
    with its servers on exactly those ports."""
    met: dict[int, str] = {}
    squatters: list[socket.socket] = []
    reserve = Topology.reserve_ports

    def reserve_then_try_to_take(topology: Topology, count: int) -> list[int]:
        ports = reserve(topology, count)
        for port in ports:
            other = socket.socket()
            try:
                other.bind(("127.0.0.1", port))
            except OSError as exc:
                other.close()
                met[port] = errno.errorcode[exc.errno or 0]
                continue
            other.listen()  # the bug: the port was someone else's from now on
            squatters.append(other)
            met[port] = "taken"
        return ports

    monkeypatch.setattr(Topology, "reserve_ports", reserve_then_try_to_take)
    try:
        report = asyncio.run(run_verify(options(workspace)))
    finally:
        for squatter in squatters:
            squatter.close()
    assert len(met) == 4 and set(met.values()) == {"EADDRINUSE"}, met  # 2 catalog, 2 servers
    assert [str(step.verdict) for step in report.steps] == ["pass"] * 6 + ["warn"]
    servers = {int(e.address.rsplit(":", 1)[1]) for e in report.topology if e.role == "server"}
    assert len(servers) == 2 and servers <= set(met), (servers, met)


def test_a_port_bound_by_number_first_fails_the_start_and_gets_no_request(
        workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """What holding cannot prevent: a program that binds the very number verify holds, with
    SO_REUSEADDR, and listens before verify's server does.  verify then stops with the
    server named (exit 3), and never sends that program a request."""
    squatters: list[socket.socket] = []
    reserve = Topology.reserve_ports

    def reserve_then_squat_on_server1(topology: Topology, count: int) -> list[int]:
        ports = reserve(topology, count)
        if topology.catalog is not None and not squatters:  # the servers' ports: server1's
            squatter = socket.create_server(("127.0.0.1", ports[0]))
            squatter.setblocking(False)
            squatters.append(squatter)
        return ports

    monkeypatch.setattr(Topology, "reserve_ports", reserve_then_squat_on_server1)
    try:
        with pytest.raises(TopologyError) as info:
            asyncio.run(run_verify(options(workspace)))
        assert len(squatters) == 1
        with pytest.raises(BlockingIOError):
            squatters[0].accept()  # nobody connected to it
    finally:
        for squatter in squatters:
            squatter.close()
    assert info.value.reason.startswith("server server1 exited with status "), info.value.reason
    assert "Address already in use" in str(info.value.hint), info.value.hint
