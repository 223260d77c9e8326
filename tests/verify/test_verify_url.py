"""`splicer verify --url`: a deployment verify did not start, driven by shell commands only."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from splicer import splice
from splicer.verify.ports import Endpoint
from splicer.verify.topology import SERVER_NAMES, Topology, TopologyConfig
from verify.support import BackgroundLoop, Workspace, json_report, verify_cli

pytestmark = pytest.mark.slow


@dataclass
class Deployment:
    """Servers started by shell commands (as an operator's scripts would), behind the plug-in."""

    url: str
    stop: dict[str, str]
    start: dict[str, str]
    pid_files: list[Path]


def wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"nothing listens on port {port}")


@pytest.fixture
def deployment(workspace: Workspace, tmp_path: Path) -> Iterator[Deployment]:
    app = tmp_path / "spliced.ear"
    splice(workspace.ear, workspace.properties, output=app)
    config = TopologyConfig(app=app, objectgrid_xml=workspace.objectgrid_xml,
                            deployment_xml=workspace.deployment_xml, workdir=tmp_path / "run",
                            log_dir=tmp_path / "logs", retry_interval=2.0)
    topo = Topology(config)
    pid_files: list[Path] = []
    with BackgroundLoop() as loop:
        try:
            loop.run(topo.start_grid())
            stop: dict[str, str] = {}
            start: dict[str, str] = {}
            servers: dict[str, tuple[Endpoint, str]] = {}
            # held by the topology until its stop, the user's restarts included (ports.py)
            ports = topo.reserve_ports(len(SERVER_NAMES))
            for name, port, clone in zip(SERVER_NAMES, ports, config.clone_ids, strict=True):
                pid_file = tmp_path / f"{name}.pid"
                pid_files.append(pid_file)
                argv = [sys.executable, "-m", "splicer", "server", name, "--app", str(app), "--host", "127.0.0.1",
                        "--port", str(port), "--clone-id", clone, "--catalog", topo.catalog_address,
                        "--session-id-reuse"]
                log = shlex.quote(str(tmp_path / "logs" / f"{name}.log"))
                start[name] = f"setsid {shlex.join(argv)} >>{log} 2>&1 </dev/null & echo $! >{shlex.quote(str(pid_file))}"
                # stopServer waits for the stop: until the process is gone (or a zombie), 30 s at most
                stop[name] = (f"pid=$(cat {shlex.quote(str(pid_file))}); kill -TERM $pid; n=0; "
                              "while [ -e /proc/$pid ] && ! grep -q ') Z' /proc/$pid/stat; do "
                              "[ $n -lt 600 ] || { echo 'still running after 30 s' >&2; exit 1; }; "
                              "n=$((n+1)); sleep 0.05; done")
                subprocess.run(start[name], shell=True, check=True)
                wait_listening(port)
                servers[name] = (Endpoint("127.0.0.1", port), clone)
            front = loop.run(topo.start_proxy(servers))
            yield Deployment(f"{front.url}/MySessionTestWeb/SessionTest.jsp", stop, start, pid_files)
        finally:
            for pid_file in pid_files:
                if pid_file.is_file():
                    subprocess.run(["kill", "-9", pid_file.read_text().strip()], check=False,
                                   stderr=subprocess.DEVNULL)
            loop.run(topo.stop())


def test_url_mode_fails_over_and_back_with_the_users_commands(
    deployment: Deployment, workspace: Workspace, tmp_path: Path
) -> None:
    options = [f"--stop-cmd={name}={command}" for name, command in deployment.stop.items()]
    options += [f"--start-cmd={name}={command}" for name, command in deployment.start.items()]
    result = verify_cli(tmp_path / "spliced.ear", "--url", deployment.url, *options, "--json",
                        "--keep-logs", tmp_path / "commands", "--failback-timeout", "30")
    data = json_report(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert data["mode"] == "url" and data["url"] == deployment.url
    steps = data["steps"]
    assert isinstance(steps, list)
    assert [s["verdict"] for s in steps] == ["pass"] * 4
    a = steps[0]["detail"].removeprefix("A is ")
    assert a in deployment.stop
    assert steps[2]["action"] == f"stop {a}: `{deployment.stop[a]}` (exit status 0)"
    assert steps[3]["action"] == f"start {a}: `{deployment.start[a]}` (exit status 0)"
    assert steps[3]["observation"]["page_server"].endswith("\\" + a)
    assert [s["observation"]["data"] for s in steps] == ["", "test02", "test02", "test02"]
    assert data["modules"][0]["tested"] is True
    assert (tmp_path / "commands" / f"stop-{a}.log").is_file()


def test_a_failing_stop_command_fails_the_step(deployment: Deployment, tmp_path: Path) -> None:
    options = [f"--stop-cmd={name}=echo no such server >&2; exit 7" for name in deployment.stop]
    options += [f"--start-cmd={name}={command}" for name, command in deployment.start.items()]
    result = verify_cli("--url", deployment.url, *options, "--json", "--keep-logs", tmp_path / "commands")
    data = json_report(result)
    assert result.returncode == 1, result.stdout + result.stderr
    steps = data["steps"]
    assert isinstance(steps, list)
    assert [s["verdict"] for s in steps] == ["pass", "pass", "fail", "skip"]
    a = steps[0]["detail"].removeprefix("A is ")
    assert steps[2]["detail"] == (
        f"could not run this step: CWWSM0400E: the stop command of {a} failed with status 7: "
        f"echo no such server >&2; exit 7 (its output is in {tmp_path / 'commands' / f'stop-{a}.log'})")
    assert "no such server" in (tmp_path / "commands" / f"stop-{a}.log").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://x/SessionTest.jsp", "--stop-cmd", "server1=true"],
         "CWWSM0100E: every server needs both --stop-cmd and --start-cmd; incomplete: server1"),
        (["--url", "ftp://x/SessionTest.jsp", "--stop-cmd", "a=true", "--start-cmd", "a=true"],
         "CWWSM0100E: --url must be an http(s) URL of the probe page, got 'ftp://x/SessionTest.jsp'"),
        (["--url", "http://x/SessionTest.jsp", "--stop-cmd", "server1", "--start-cmd", "server1=true"],
         "CWWSM0100E: --stop-cmd takes SERVER=COMMAND, got 'server1'"),
        ([], "CWWSM0100E: give the application to verify (APP), or --url for a real deployment"),
    ],
    ids=["missing-start", "not-http", "no-equals", "nothing-to-verify"],
)
def test_url_mode_usage_errors(args: list[str], message: str) -> None:
    result = verify_cli(*args)
    assert result.returncode == 2
    assert result.stderr.strip() == message
