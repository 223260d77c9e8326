"""The topology starts what does not wait on each other at once (issue 10), and a failure
half-way leaves nothing starting behind the stop's back."""

from __future__ import annotations

import asyncio

import pytest

from splicer.verify.topology import _together


def test_steps_run_at_the_same_time() -> None:
    order: list[str] = []

    async def step(name: str, delay: float) -> None:
        order.append(f"{name} starts")
        await asyncio.sleep(delay)
        order.append(f"{name} done")

    asyncio.run(_together(step("grid", 0.05), step("plug-in", 0.0)))
    assert order[:2] == ["grid starts", "plug-in starts"]
    assert order[2:] == ["plug-in done", "grid done"]


def test_a_failure_cancels_and_waits_for_the_others() -> None:
    """Regression guard: asyncio.gather alone leaves the other steps running after one fails,
    so a server could be started after the topology's stop had looked for processes."""
    finished: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(5)
        finally:
            finished.append("slow step ended")

    async def failing() -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("the plug-in would not start")

    async def run() -> None:
        with pytest.raises(RuntimeError, match="^the plug-in would not start$"):
            await asyncio.wait_for(_together(slow(), failing()), timeout=2)
        assert finished == ["slow step ended"]  # before the error reached the caller

    asyncio.run(run())
