"""`splicer verify APP`: splice if asked, start the topology, run the scenario, report."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from splicer import scratch, signals
from splicer.errors import UsageError, Where
from splicer.grid.auth import load_secret, write_secret
from splicer.verify.appcheck import check_modules, probe_path, wants_security
from splicer.verify.controls import TopologyControls
from splicer.verify.model import EventLog, ModuleCheck, VerifyReport
from splicer.verify.probe import ProbeUser
from splicer.verify.scenario import Scenario
from splicer.verify.topology import Topology, TopologyConfig

# Where the session grid's sample XML is looked for when not given: ./samples (a user who
# copied and edited them), then the copies shipped inside the package (samples/ of a checkout
# links to those), so an installed wheel needs no checkout.
_SAMPLE_DIRS = (Path("samples"), Path(__file__).resolve().parents[1] / "grid" / "samples")
TEMP_PREFIX = "splicer-verify-"
# A second signal ends verify at once; the kernel's parent-death signal takes the children.
SECOND_SIGNAL = "CWWSM0396E: stopped by a second signal; the processes verify started die with it"


@dataclass
class VerifyOptions:
    """The command line of `splicer verify`, as values."""

    app: Path
    properties: Path | None = None
    retry_interval: float = 0.5  # the plug-in's RetryInterval, shortened from 60 s for the run
    keep_logs: Path | None = None
    objectgrid_xml: Path | None = None
    deployment_xml: Path | None = None
    # The grid's shared secret; without it, a secret is generated when the app asks for
    # security (securityEnabled=true), so the run checks an authenticated grid.
    secret_file: Path | None = None


def grid_xml(options: VerifyOptions) -> tuple[Path, Path]:
    """The objectGrid and deployment XML: given, or the session grid samples found nearby."""

    def find(given: Path | None, name: str, option: str) -> Path:
        if given is not None:
            return given
        for folder in _SAMPLE_DIRS:
            if (folder / name).is_file():
                return folder / name
        raise UsageError(f"the grid needs {name}; give it with {option}",
                         Where((str(_SAMPLE_DIRS[0] / name),)))

    return (find(options.objectgrid_xml, "objectGridStandAlone.xml", "--objectgrid-xml"),
            find(options.deployment_xml, "objectGridDeploymentStandAlone.xml", "--deployment-xml"))


@contextlib.contextmanager
def temp_folder() -> Iterator[Path]:
    """A private ``splicer-verify-*`` folder in the temp folder, removed at the end.

    Named for its owner and locked by it (``splicer.scratch``): a verify killed with SIGKILL
    cannot remove it, so every verify first removes the ones whose owner is dead.
    """
    parent = Path(tempfile.gettempdir())
    scratch.sweep(parent, prefix=TEMP_PREFIX, suffix="")
    folder, lock = scratch.scratch_dir(parent, TEMP_PREFIX, suffix="")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


@contextlib.contextmanager
def _workspace(keep_logs: Path | None) -> Iterator[tuple[Path, Path]]:
    with temp_folder() as tmp:
        log_dir = keep_logs if keep_logs is not None else tmp / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        yield tmp, log_dir


async def run_verify(options: VerifyOptions) -> VerifyReport:
    """The whole check on the emulator; everything started is stopped before returning."""
    started = time.monotonic()
    objectgrid, deployment = grid_xml(options)
    if not options.app.exists():
        raise UsageError("the application does not exist", Where((str(options.app),)))
    report = VerifyReport(app=str(options.app), mode="emulator", retry_interval=options.retry_interval,
                          spliced_with=str(options.properties) if options.properties else None)
    with _workspace(options.keep_logs) as (workdir, log_dir):
        app = options.app
        if options.properties is not None:
            from splicer import splice

            app = workdir / options.app.name
            splice(options.app, options.properties, output=app)
        report.modules = check_modules(app)
        config = TopologyConfig(app=app.resolve(), objectgrid_xml=objectgrid.resolve(),
                                deployment_xml=deployment.resolve(), workdir=workdir / "run",
                                log_dir=log_dir.resolve(), retry_interval=options.retry_interval,
                                secret_file=_secret_file(options, app, workdir))
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            async with Topology(config) as topo:
                report.topology = topo.describe()
                target = next((m for m in report.modules if m.has_filter), report.modules[0] if report.modules else None)
                if target is None:
                    report.problems.append("the application has no web module")
                else:
                    target.tested = True
                    report.replication_interval = target.replication_interval
                    report.url = topo.front_door.url + probe_path(app, target)
                    await _run_scenario(report, http, TopologyControls(topo), target)
                report.topology = topo.describe()
    report.duration = time.monotonic() - started
    return report


def _secret_file(options: VerifyOptions, app: Path, workdir: Path) -> Path | None:
    """The given secret file (checked now, not by five processes later), else a fresh one
    in the run's private folder when the app has securityEnabled=true, else None."""
    if options.secret_file is not None:
        load_secret(options.secret_file)
        return options.secret_file.resolve()
    if not wants_security(app):
        return None
    path = workdir / "grid.secret"
    write_secret(path)  # mode 0600, removed with the folder
    return path


async def _run_scenario(report: VerifyReport, http: aiohttp.ClientSession, controls: TopologyControls,
                        target: ModuleCheck) -> None:
    assert report.url is not None
    events = EventLog()
    user = ProbeUser(http, report.url, started=events.started)
    scenario = Scenario(user, controls, events, target.replication_interval)
    try:
        await scenario.run()
    finally:
        report.steps = scenario.steps
        report.requests = scenario.requests
        report.events = events.events


def verify_app(options: VerifyOptions) -> VerifyReport:
    """Run the check to its end; SIGINT or SIGTERM stops every process, then raises
    SignalExit (in the command line) or KeyboardInterrupt (an embedding caller's Ctrl-C)."""
    return signals.run_async(run_verify(options), second_line=SECOND_SIGNAL)
