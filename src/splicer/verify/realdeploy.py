"""`splicer verify --url`: the same test against a real deployment, with the user's commands."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from splicer import signals
from splicer.errors import UsageError
from splicer.verify.appcheck import check_modules
from splicer.verify.model import Endpoint, EventLog, VerifyReport
from splicer.verify.probe import Observation, ProbeUser, cookie_clones
from splicer.verify.process import TopologyError, run_command
from splicer.verify.run import SECOND_SIGNAL, temp_folder
from splicer.verify.scenario import Scenario


@dataclass
class RealDeployment:
    """The page to probe and, per server name, the commands that stop and start it."""

    url: str
    stop: dict[str, str]
    start: dict[str, str]
    failback_timeout: float = 180.0
    command_timeout: float = 300.0
    log_dir: Path | None = None
    replication_interval: int | None = None
    names: list[str] = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--url must be an http(s) URL of the probe page, got {self.url!r}")
        self.names = list(dict.fromkeys([*self.stop, *self.start]))
        missing = sorted(set(self.stop) ^ set(self.start))
        if missing:
            raise UsageError(f"every server needs both --stop-cmd and --start-cmd; incomplete: {', '.join(missing)}")
        if len(self.names) < 1:
            raise UsageError("--url needs --stop-cmd NAME=CMD and --start-cmd NAME=CMD for the servers")


class CommandControls:
    """The scenario's hands on a real deployment: the user's shell commands, nothing else.

    Which server answered is learnt from the emulator's header, else the page's Server Name
    (a WAS full name `cell\\node\\server` matches by its last part), else the clone id.
    """

    can_crash = False
    can_crash_grid = False
    retry_interval: float | None = None

    def __init__(self, deployment: RealDeployment, log_dir: Path) -> None:
        self.deployment = deployment
        self.failback_timeout = deployment.failback_timeout
        self.log_dir = log_dir

    def identify(self, seen: Observation) -> str | None:
        short = seen.page_server_short
        # A new session's cookie names only the clone that created it; later cookies list
        # every clone that served, so only a single clone id identifies the server.
        clones = cookie_clones(seen.cookie)
        only_clone = clones[0] if len(clones) == 1 else None
        candidates = [c for c in (short, seen.page_server, seen.server, seen.clone, only_clone) if c]
        for candidate in candidates:
            for name in self.deployment.names:
                if candidate.casefold() == name.casefold():
                    return name
        # Not one of ours: still name it, so the report says who answered.
        return short or seen.server or seen.clone

    def can_control(self, name: str) -> bool:
        return name in self.deployment.stop and name in self.deployment.start

    async def _run(self, verb: str, name: str, command: str) -> str:
        log = self.log_dir / f"{verb}-{name}.log"
        status = await run_command(command, timeout=self.deployment.command_timeout, log_path=log)
        if status != 0:
            raise TopologyError(f"the {verb} command of {name} failed with status {status}: {command}",
                                hint=f"its output is in {log}")
        return f"{verb} {name}: `{command}` (exit status 0)"

    async def stop(self, name: str) -> str:
        return await self._run("stop", name, self.deployment.stop[name])

    async def start(self, name: str) -> str:
        return await self._run("start", name, self.deployment.start[name])

    async def crash(self, name: str) -> str:
        raise TopologyError("a real deployment is not crashed by verify")

    async def crash_primary_container(self, session_id: str) -> str:
        raise TopologyError("a real deployment's grid is not crashed by verify")


async def run_verify_url(deployment: RealDeployment, app: Path | None = None) -> VerifyReport:
    """Steps 1-4 of the tutorial against the deployment behind ``deployment.url``."""
    started = time.monotonic()
    report = VerifyReport(app=str(app) if app else deployment.url, mode="url", url=deployment.url)
    report.topology = [Endpoint(role="server", name=name, address="") for name in deployment.names]
    interval = deployment.replication_interval
    if app is not None:
        report.modules = check_modules(app)
        tested = next((m for m in report.modules if m.has_filter), None)
        if tested is not None:
            tested.tested = True
            interval = tested.replication_interval
    report.replication_interval = interval
    with contextlib.ExitStack() as stack:
        log_dir = deployment.log_dir or stack.enter_context(temp_folder())
        controls = CommandControls(deployment, log_dir)
        events = EventLog()
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            user = ProbeUser(http, deployment.url, started=events.started)
            scenario = Scenario(user, controls, events, interval)
            try:
                await scenario.run()
            finally:
                report.steps, report.requests, report.events = scenario.steps, scenario.requests, events.events
    report.duration = time.monotonic() - started
    return report


def verify_url(deployment: RealDeployment, app: Path | None = None) -> VerifyReport:
    return signals.run_async(run_verify_url(deployment, app), second_line=SECOND_SIGNAL)
