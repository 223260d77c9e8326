"""What a verify run found: modules, topology, steps, timeline, and the verdict."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from splicer.verify.probe import Observation


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass
class Step:
    """One step of the failover test: what was done, what was asked, what came back."""

    number: int
    title: str
    expect: str
    action: str | None = None
    observation: Observation | None = None
    verdict: Verdict = Verdict.SKIP
    detail: str = ""
    attempts: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "title": self.title,
            "action": self.action,
            "expect": self.expect,
            "verdict": str(self.verdict),
            "detail": self.detail,
            "attempts": self.attempts,
            "observation": None if self.observation is None else self.observation.to_json(),
        }


@dataclass
class ModuleCheck:
    """A web module of the application and whether its sessions go to the grid."""

    name: str
    uri: str
    context_root: str
    has_filter: bool
    replication_interval: int | None = None
    object_grid_name: str | None = None
    tested: bool = False
    # Another profile's session manager, which the emulator does not emulate (see README, Profiles).
    other_manager: str | None = None

    def advice(self, app: str = "APP") -> str:
        if self.has_filter and self.other_manager is not None:
            return (
                f"web module {self.name} ({self.context_root}) has two session managers, HttpSessionFilter "
                f"and the filter of {self.other_manager}: whichever runs first hands the application its "
                f"session and the other's is never seen; remove one (splicer migrate {app} ... moves from one "
                "to the other)"
            )
        if self.has_filter:
            return ""
        if self.other_manager is not None:
            return (
                f"web module {self.name} ({self.context_root}) has the session filter of {self.other_manager}, "
                "which the emulator does not emulate (only eXtreme Scale's HttpSessionFilter sends sessions "
                "to its grid): verify it on that product's own cluster"
            )
        return (
            f"web module {self.name} ({self.context_root}) has no HttpSessionFilter: its "
            "sessions live in one server's memory and are lost when that server stops; "
            f"splice it: splice {app} splicer.properties"
        )

    def to_json(self, app: str = "APP") -> dict[str, object]:
        return asdict(self) | {"advice": self.advice(app)}


@dataclass(frozen=True)
class Endpoint:
    """A process of the topology, for the report."""

    role: str
    name: str
    address: str
    pid: int | None = None
    clone_id: str | None = None
    log: str | None = None


@dataclass(frozen=True)
class Event:
    """A thing done to the topology, placed on the timeline beside the requests."""

    at: float
    label: str
    target: str | None = None


class EventLog:
    """The timeline: seconds since the scenario started, shared with the probe user."""

    def __init__(self, started: float | None = None) -> None:
        self.started = time.monotonic() if started is None else started
        self.events: list[Event] = []

    def now(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def add(self, label: str, target: str | None = None) -> str:
        self.events.append(Event(self.now(), label, target))
        return label


@dataclass
class VerifyReport:
    """Everything a run found; ``ok`` is the exit status's answer."""

    app: str
    mode: str
    url: str | None = None
    spliced_with: str | None = None
    modules: list[ModuleCheck] = field(default_factory=list)
    topology: list[Endpoint] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    requests: list[tuple[int, Observation]] = field(default_factory=list)
    retry_interval: float | None = None
    replication_interval: int | None = None
    duration: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def unspliced(self) -> list[ModuleCheck]:
        """Modules whose sessions do not (only) go to the grid: no HttpSessionFilter, or another
        session manager beside it."""
        return [module for module in self.modules if not module.has_filter or module.other_manager]

    @property
    def warnings(self) -> list[Step]:
        return [step for step in self.steps if step.verdict is Verdict.WARN]

    @property
    def ok(self) -> bool:
        """True only when every step ran and passed (warnings allowed) and nothing is unspliced."""
        if self.problems or self.unspliced or not self.steps:
            return False
        return all(step.verdict in (Verdict.PASS, Verdict.WARN) for step in self.steps)

    @property
    def verdict(self) -> str:
        if self.ok:
            return "sessions survived" + (" (with warnings)" if self.warnings else "")
        if any(step.verdict is Verdict.FAIL for step in self.steps) or self.unspliced:
            return "sessions lost"
        return "not verified"

    def to_json(self) -> dict[str, object]:
        return {
            "app": self.app,
            "mode": self.mode,
            "url": self.url,
            "spliced_with": self.spliced_with,
            "ok": self.ok,
            "verdict": self.verdict,
            "duration_s": round(self.duration, 3),
            "retry_interval_s": self.retry_interval,
            "replication_interval_s": self.replication_interval,
            "problems": list(self.problems),
            "modules": [module.to_json(self.app) for module in self.modules],
            "topology": [asdict(endpoint) for endpoint in self.topology],
            "steps": [step.to_json() for step in self.steps],
            "events": [asdict(event) for event in self.events],
            "requests": [{"step": number} | seen.to_json() for number, seen in self.requests],
        }
