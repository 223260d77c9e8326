"""Run a catalog or a container as a process: READY once listening, SIGTERM a clean stop."""

from __future__ import annotations

import logging

from splicer.grid.catalog import Catalog
from splicer.grid.container import Container
from splicer.logs import log_to_stderr
from splicer.serving import serve

log = logging.getLogger("splicer.grid.process")

# What a second signal during the clean stop costs, said on the way out.
ABANDONED = "CWWSM0396E: stopped by a second signal, without a clean stop (no handover)"


def configure_logging(name: str) -> None:
    log_to_stderr(name, "splicer.grid")


def run_catalog(catalog: Catalog) -> None:
    """Serve until SIGTERM or SIGINT, then close every connection (exit 130)."""
    configure_logging(catalog.name)
    serve(catalog.start, catalog.stop, name=f"catalog {catalog.name}", log=log, abandoned=ABANDONED)


def run_container(container: Container) -> None:
    """Serve until SIGTERM or SIGINT; then hand the primaries over (the catalog drives it)."""
    configure_logging(container.name)
    serve(container.start, container.stop, name=f"container {container.name}", log=log,
          abandoned=ABANDONED)
