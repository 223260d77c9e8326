"""The session store on a real grid client: reads, and writes sent as one batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from splicer.errors import EXIT_UNAVAILABLE, SplicerError, Where
from splicer.grid.auth import GridAuthError
from splicer.grid.client import GridClient, GridOp
from splicer.grid.errors import GridError, GridUnavailableError
from splicer.server.sessions.codec import ATTRIBUTE_MAP, METADATA_MAP
from splicer.server.sessions.replication import Write
from splicer.server.settings import ServerConfigError

if TYPE_CHECKING:
    from splicer.server.runtime import GridAccess


SESSION_MAPS = (METADATA_MAP, ATTRIBUTE_MAP)


class SessionGridUnavailable(SplicerError, RuntimeError):
    """The module's session grid did not answer (no catalog within --catalog-wait): a runtime
    failure of the deployment, not a wrong setting."""

    exit_code = EXIT_UNAVAILABLE
    message_id = "CWWSM0142E"


class GridStore:
    """SessionStore over a GridClient; the client routes each key to its partition's primary."""

    def __init__(self, client: GridClient) -> None:
        self.client = client

    async def get(self, map_name: str, key: str) -> bytes | None:
        return await self.client.get(map_name, key)

    async def write(self, writes: Sequence[Write]) -> None:
        await self.client.batch(
            [
                GridOp("remove", w.map_name, w.key, None) if w.value is None else GridOp("put", w.map_name, w.key, w.value)
                for w in writes
            ]
        )

    async def close(self) -> None:
        await self.client.close()


async def connect_grid(catalog: str, grid: str, where: Where, access: GridAccess) -> GridStore:
    """Connect to *grid* through *catalog*.  A catalog that does not answer (within
    ``access.catalog_wait``), a grid it does not know, a grid without the session maps or
    credentials the grid refuses stop the deployment, naming the web.xml that asked for it."""
    try:
        client = await GridClient.connect(catalog, grid=grid, security=access.security,
                                          catalog_wait=access.catalog_wait)
    except GridAuthError as error:
        raise GridAuthError(
            error.reason,
            where,
            hint="the module's securityEnabled and credentialAuthentication and the server's "
            "--secret-file must match the grid's (its --secret-file)",
        ) from None
    except GridUnavailableError as error:
        raise SessionGridUnavailable(
            f"the session grid cannot be used: {error.reason}",
            where,
            hint=f"start the catalog at {catalog} first, or give the server a longer --catalog-wait",
        ) from None
    except GridError as error:
        raise ServerConfigError(
            f"the session grid cannot be used: {error.reason}",
            where,
            key="objectGridName",
            value=grid,
            hint=f"catalog {catalog}; check catalogHostPort (or --catalog) and objectGridName",
        ) from None
    missing = [name for name in SESSION_MAPS if client.routes is None or client.routes.definition.resolve(name) is None]
    if missing:
        await client.close()
        raise ServerConfigError(
            f"grid {grid!r} has no map {', '.join(missing)}: it is not a session grid",
            where,
            key="objectGridName",
            value=grid,
            hint="start the containers with the session objectGrid XML (objectGridStandAlone.xml)",
        )
    return GridStore(client)
