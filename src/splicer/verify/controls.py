"""What the scenario may do to the emulated topology: stop, start and crash its processes."""

from __future__ import annotations

from splicer.grid.hashing import partition_of
from splicer.verify.probe import Observation
from splicer.verify.topology import Topology


class TopologyControls:
    """The scenario's hands on the emulator: signals to the processes of a Topology."""

    can_crash = True

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.retry_interval: float | None = topo.config.retry_interval
        # The plug-in retries a downed server after RetryInterval; give it that twice, plus
        # the time a restarted process needs to listen again.
        self.failback_timeout = 2 * topo.config.retry_interval + 5.0

    @property
    def can_crash_grid(self) -> bool:
        return len(self.topo.containers) > 1

    def identify(self, seen: Observation) -> str | None:
        """The server by the clone id the plug-in routed to, else by the name it reports."""
        for name, clone in self.topo.clone_of.items():
            if seen.clone == clone:
                return name
        for candidate in (seen.page_server_short, seen.server):
            if candidate in self.topo.servers:
                return candidate
        return None

    def can_control(self, name: str) -> bool:
        return name in self.topo.servers

    async def stop(self, name: str) -> str:
        server = self.topo.servers[name]
        pid = server.pid
        status = await server.stop()
        # 130: stopped cleanly on the signal, as every splicer server does; else it was
        # killed after the stop's time or failed its stop, and the status says which.
        verdict = "stopped cleanly (exit 130)" if status == 130 else f"exit status {status}"
        return f"SIGTERM {name} (pid {pid}), {verdict}"

    async def start(self, name: str) -> str:
        server = self.topo.servers[name]
        endpoint = await server.start(self.topo.config.start_timeout)
        return f"started {name} again on {endpoint} (pid {server.pid})"

    async def crash(self, name: str) -> str:
        server = self.topo.servers[name]
        pid = server.pid
        await server.kill()
        return f"SIGKILL {name} (pid {pid})"

    async def crash_primary_container(self, session_id: str) -> str:
        partitions, primary = await self.topo.primary_of(session_id)
        container = self.topo.containers[primary]
        pid = container.pid
        await container.kill()
        return (f"SIGKILL container {primary} (pid {pid}), primary of partition "
                f"{partition_of(session_id, partitions)} of {partitions}")

