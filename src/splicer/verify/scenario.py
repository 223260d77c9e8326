"""The tutorial's failover and fail-back test, then the crashes nobody else checks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from splicer.errors import SplicerError
from splicer.verify.model import EventLog, Step, Verdict
from splicer.verify.probe import Observation, ProbeUser

FIRST_DATA = "test02"  # the value the tutorial types in
WINDOW_DATA = "test07"  # written just before a crash, to measure the replicationInterval window


class Controls(Protocol):
    """What the scenario may do to the servers behind the front door."""

    @property
    def retry_interval(self) -> float | None:
        """The plug-in's RetryInterval when known."""

    @property
    def failback_timeout(self) -> float:
        """How long to wait for a restarted server to be used again."""

    @property
    def can_crash(self) -> bool:
        """True when an application server can be killed (SIGKILL)."""

    @property
    def can_crash_grid(self) -> bool:
        """True when the container holding a session's primary shard can be killed."""

    def identify(self, seen: Observation) -> str | None:
        """The name of the controllable server that answered, or None."""

    def can_control(self, name: str) -> bool:
        """True when this run can stop and start the server ``name``."""

    async def stop(self, name: str) -> str: ...

    async def start(self, name: str) -> str: ...

    async def crash(self, name: str) -> str: ...

    async def crash_primary_container(self, session_id: str) -> str: ...


@dataclass
class Expected:
    session_id: str
    data: str


def judge(seen: Observation, controls: Controls, *, server: Callable[[str | None], bool],
          server_text: str, expected: Expected) -> tuple[Verdict, str]:
    """PASS when the answer came from the right server with the same session and data."""
    if not seen.ok:
        return Verdict.FAIL, f"request failed: {seen.error or f'HTTP {seen.status}'}"
    problems: list[str] = []
    who = controls.identify(seen)
    if not server(who):
        problems.append(f"answered by {who or seen.answered_by or 'an unknown server'}, expected {server_text}")
    if seen.session_id != expected.session_id:
        problems.append(f"session id {seen.session_id} instead of {expected.session_id}: a new session")
    if seen.data != expected.data:
        shown = seen.data or "nothing"
        problems.append(f"DATA is {shown} instead of {expected.data}: the session data was lost")
    return (Verdict.FAIL, "; ".join(problems)) if problems else (Verdict.PASS, "")


class Scenario:
    """Runs the steps in order; after a failure the rest are reported as not run."""

    def __init__(self, user: ProbeUser, controls: Controls, events: EventLog,
                 replication_interval: int | None) -> None:
        self.user = user
        self.controls = controls
        self.events = events
        self.replication_interval = replication_interval
        self.steps: list[Step] = []
        self.requests: list[tuple[int, Observation]] = []  # every request, for the timeline
        self.a = ""
        self.expected = Expected("", FIRST_DATA)
        self.marked_down_at = 0.0  # when the plug-in last found A down (its RetryInterval starts)

    async def run(self) -> list[Step]:
        plan: list[tuple[str, str, Callable[[Step], Awaitable[None]]]] = [
            ("first request: a new session", "a new session id, no DATA", self.first_request),
            (f"store DATA={FIRST_DATA}", f"same server and session, DATA={FIRST_DATA}", self.store),
            ("clean stop of A: failover", "another server, same session id and DATA", self.clean_stop),
            ("start A again: fail-back", "server A again, same session id and DATA", self.fail_back),
        ]
        if self.controls.can_crash:
            plan.append(("A killed (SIGKILL): failover", "another server, same session id and DATA",
                         self.crash_server))
        if self.controls.can_crash_grid:
            plan.append(("container holding the session's primary killed (SIGKILL)",
                         "same session id and DATA, read back from a replica", self.crash_container))
        if self.controls.can_crash:
            plan.append(("write, then crash within replicationInterval",
                         f"DATA={WINDOW_DATA} survives, or its loss is measured", self.window))
        failed: Step | None = None
        for number, (title, expect, action) in enumerate(plan, start=1):
            step = Step(number, title, expect)
            self.steps.append(step)
            if failed is not None:
                step.detail = f"not run: the session was already lost at step {failed.number}"
                continue
            try:
                await action(step)
            except SplicerError as error:
                # A component that would not stop, start or answer: the run cannot vouch for
                # the sessions, and says why instead of stopping without a report.
                step.verdict, step.detail = Verdict.FAIL, f"could not run this step: {error}"
            if step.verdict is Verdict.FAIL:
                failed = step
        return self.steps

    async def _get(self, step: Step) -> Observation:
        return self._record(step, await self.user.get())

    async def _store(self, step: Step, value: str) -> Observation:
        return self._record(step, await self.user.store(value))

    def _record(self, step: Step, seen: Observation) -> Observation:
        step.attempts += 1
        step.observation = seen
        self.requests.append((step.number, seen))
        return seen

    def _judge(self, step: Step, seen: Observation, server: Callable[[str | None], bool], text: str) -> None:
        step.verdict, step.detail = judge(seen, self.controls, server=server, server_text=text,
                                          expected=self.expected)

    async def first_request(self, step: Step) -> None:
        seen = await self._get(step)
        who = self.controls.identify(seen)
        if not seen.ok or not seen.session_id:
            step.verdict, step.detail = Verdict.FAIL, f"no session: {seen.error or f'HTTP {seen.status}'}"
        elif who is None or not self.controls.can_control(who):
            step.verdict = Verdict.FAIL
            name = who or seen.answered_by or "an unnamed server"
            step.detail = (f"answered by {name}, which this run cannot stop and start "
                           f"(give --stop-cmd {name}=... and --start-cmd {name}=...)")
        elif seen.data:
            step.verdict, step.detail = Verdict.FAIL, f"a new session already holds DATA={seen.data}"
        else:
            self.a = who
            self.expected = Expected(seen.session_id, FIRST_DATA)
            step.verdict, step.detail = Verdict.PASS, f"A is {who}"

    async def store(self, step: Step) -> None:
        seen = await self._store(step, FIRST_DATA)
        self._judge(step, seen, lambda who: who == self.a, self.a)

    async def clean_stop(self, step: Step) -> None:
        step.action = self.events.add(await self.controls.stop(self.a), self.a)
        seen = await self._get(step)
        self.marked_down_at = seen.at
        self._judge(step, seen, self._other, "another server")

    def _other(self, who: str | None) -> bool:
        return who is not None and who != self.a

    async def _until_served_by_a(self, step: Step, marked_down_at: float) -> Observation:
        """Reload until A answers again: the plug-in retries A only after RetryInterval."""
        retry = self.controls.retry_interval
        if retry is not None:
            # Not before the plug-in tries A again: RetryInterval after it found A down.
            await asyncio.sleep(max(0.0, marked_down_at + retry + 0.05 - self.events.now()))
        deadline = self.events.now() + self.controls.failback_timeout
        pause = 0.1 if retry is not None else 2.0
        while True:
            seen = await self._get(step)
            if self.controls.identify(seen) == self.a or self.events.now() >= deadline:
                return seen
            await asyncio.sleep(pause)

    async def fail_back(self, step: Step) -> None:
        step.action = self.events.add(await self.controls.start(self.a), self.a)
        seen = await self._until_served_by_a(step, self.marked_down_at)
        self._judge(step, seen, lambda who: who == self.a, self.a)
        if step.verdict is Verdict.PASS:
            step.detail = f"back on {self.a} after {step.attempts} request(s)"

    async def crash_server(self, step: Step) -> None:
        step.action = self.events.add(await self.controls.crash(self.a), self.a)
        seen = await self._get(step)
        self.marked_down_at = seen.at
        self._judge(step, seen, self._other, "another server")
        # A comes back, empty-handed: whatever it serves next it must read from the grid.
        step.action += "; " + self.events.add(await self.controls.start(self.a), self.a)

    async def crash_container(self, step: Step) -> None:
        action = await self.controls.crash_primary_container(self.expected.session_id)
        step.action = self.events.add(action)
        seen = await self._until_served_by_a(step, self.marked_down_at)
        self._judge(step, seen, lambda who: who is not None, "any server")
        if step.verdict is Verdict.PASS:
            fresh = self.controls.identify(seen) == self.a
            step.detail = (f"read back by {self.controls.identify(seen)}"
                           + (" (restarted, so from the grid's promoted replica)" if fresh else ""))

    async def window(self, step: Step) -> None:
        wrote = await self._store(step, WINDOW_DATA)
        acknowledged_at = self.events.now()
        writer = self.controls.identify(wrote)
        if not wrote.ok or writer is None or wrote.data != WINDOW_DATA:
            step.verdict = Verdict.FAIL
            step.detail = f"the write of DATA={WINDOW_DATA} failed on {writer or wrote.answered_by}"
            return
        gap = self.events.now() - acknowledged_at  # from the write's answer to the SIGKILL
        step.action = self.events.add(await self.controls.crash(writer), writer)
        previous = self.expected
        self.expected = Expected(previous.session_id, WINDOW_DATA)
        seen = await self._get(step)
        self._judge(step, seen, lambda who: who is not None and who != writer, "another server")
        interval = self.replication_interval
        if step.verdict is Verdict.PASS:
            step.detail = f"the write answered {gap:.2f} s before {writer} crashed survived"
        elif not interval:
            step.detail += "; with replicationInterval=0 a write reaches the grid before its answer"
        elif seen.ok and seen.session_id == previous.session_id and seen.data == previous.data:
            step.verdict = Verdict.WARN
            step.detail = (f"measured risk: DATA={WINDOW_DATA}, answered {gap:.2f} s before {writer} "
                           f"crashed, was lost; replicationInterval={interval} s batches writes, so a "
                           f"crash within {interval} s of a write loses it (replicationInterval=0 "
                           "writes at the end of every request)")
