"""securityEnabled and credentialAuthentication of a spliced module against grids with and
without the shared secret (in-process grid, real sockets)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from conftest import REPO
from splicer.grid.auth import GridAuthError, load_secret
from splicer.grid.client import GridClient
from splicer.grid.inprocess import grid_in_process
from splicer.server.runtime import AppServer, ServerOptions
from splicer.server.sessions.codec import ATTRIBUTE_MAP
from splicer.server.settings import ServerConfigError

from .test_grid_sessions import PAGE, cell
from .testapp import TUTORIAL_PARAMS, build_ear

OBJECTGRID_XML = REPO / "samples" / "objectGridStandAlone.xml"
DEPLOYMENT_XML = REPO / "samples" / "objectGridDeploymentStandAlone.xml"
SECURE = {**TUTORIAL_PARAMS, "securityEnabled": "true", "replicationInterval": "0"}


def secret_file(tmp_path: Path, name: str = "grid.secret", text: str = "s3cret-of-the-domain-0123") -> Path:
    path = tmp_path / name
    path.write_text(text + "\n")
    path.chmod(0o600)
    return path


def serve_once(ear: Path, secret: Path | None, grid_secret: Path | None) -> tuple[str, bytes | None]:
    """Start a server on a grid (secret or not), store DATA=kept, read it back from the grid."""

    async def run() -> tuple[str, bytes | None]:
        loaded = load_secret(grid_secret) if grid_secret else None
        async with grid_in_process(OBJECTGRID_XML, DEPLOYMENT_XML, ("c0",), secret=loaded) as grid:
            options = ServerOptions("s1", ear, "A", catalog=grid.catalog_endpoint, host="127.0.0.1",
                                    secret_file=secret, catalog_wait=0.0)
            async with AppServer(options) as server, aiohttp.ClientSession() as http:
                async with http.get(f"http://{server.address}{PAGE}", params={"DATA": "kept"}) as resp:
                    session_id = cell(await resp.text(), "session-id")
            async with await GridClient.connect(grid.catalog_endpoint, security=grid.security) as client:
                return session_id, await client.get(ATTRIBUTE_MAP, f"{session_id}/MySessionTestWeb_DATA")

    return asyncio.run(run())


def test_a_module_with_security_enabled_authenticates_with_the_servers_secret(tmp_path: Path) -> None:
    secret = secret_file(tmp_path)
    ear = build_ear(tmp_path / "a.ear", SECURE)
    _, stored = serve_once(ear, secret, secret)
    assert stored is not None and b"kept" in stored


@pytest.mark.parametrize("credential", ["Supported", "Required"])
def test_required_needs_a_grid_that_authenticates_supported_does_not(tmp_path: Path, credential: str) -> None:
    ear = build_ear(tmp_path / "a.ear", {**SECURE, "credentialAuthentication": credential})
    if credential == "Supported":
        assert serve_once(ear, secret_file(tmp_path), None)[1] is not None
        return
    with pytest.raises(GridAuthError, match=r"it does not authenticate \(it runs without a secret") as info:
        serve_once(ear, secret_file(tmp_path), None)
    assert info.value.where.parts[-1] == "WEB-INF/web.xml" and info.value.exit_code == 4


def test_security_enabled_without_a_secret_stops_the_deployment(tmp_path: Path) -> None:
    ear = build_ear(tmp_path / "a.ear", SECURE)
    with pytest.raises(ServerConfigError, match=r"web.xml: securityEnabled=true: the grid client needs the grid's "
                                                r"shared secret \(start the server with --secret-file PATH") as info:
        serve_once(ear, None, secret_file(tmp_path))
    assert (info.value.key, info.value.value) == ("securityEnabled", "true")


@pytest.mark.parametrize("params", [TUTORIAL_PARAMS, {**SECURE, "credentialAuthentication": "Never"}],
                         ids=["security-off", "credential-never"])
def test_a_module_that_offers_no_credential_is_refused_by_a_grid_with_a_secret(
        tmp_path: Path, params: dict[str, str]) -> None:
    ear = build_ear(tmp_path / "a.ear", params)
    secret = secret_file(tmp_path)
    with pytest.raises(GridAuthError) as info:
        serve_once(ear, secret, secret)  # the server has the secret; the module does not use it
    text = info.value.message()
    assert text.startswith(f"CWWSM0133E: {ear}!/MySessionTestWeb.war!/WEB-INF/web.xml: authentication failed with ")
    assert "requires authentication (securityEnabled)" in text and "securityEnabled and credentialAuthentication" in text


def test_a_bad_credential_authentication_value_is_refused(tmp_path: Path) -> None:
    ear = build_ear(tmp_path / "a.ear", {**SECURE, "credentialAuthentication": "Always"})
    with pytest.raises(ServerConfigError, match="credentialAuthentication is not one of its values") as info:
        serve_once(ear, secret_file(tmp_path), None)
    assert info.value.allowed == "Never, Supported, Required"
