"""`splicer verify` of an application spliced with securityEnabled=true: an authenticated grid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from verify.support import Workspace, json_report, verify_cli

pytestmark = pytest.mark.slow


def secure_properties(workspace: Workspace, tmp_path: Path) -> Path:
    properties = tmp_path / "secure.properties"
    text = workspace.properties.read_text()
    assert "securityEnabled=false" in text
    properties.write_text(text.replace("securityEnabled=false", "securityEnabled=true"))
    return properties


def test_an_app_with_security_enabled_is_verified_on_an_authenticated_grid(
        workspace: Workspace, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    result = verify_cli(workspace.ear, secure_properties(workspace, tmp_path), "--json",
                        "--keep-logs", logs, *workspace.grid_options())
    data = json_report(result)
    assert result.returncode == 0, result.stdout + result.stderr
    steps = data["steps"]
    assert isinstance(steps, list)
    assert [s["verdict"] for s in steps] == ["pass"] * 6 + ["warn"]
    # every process got the generated secret file, 0600 in verify's own folder (gone now)
    secret = None
    for name in ("catalog-cs0", "container-c0", "container-c1", "server1", "server2"):
        text = (logs / f"{name}.log").read_text()
        found = re.search(r"--secret-file (\S+/splicer-verify-[^/]+/grid\.secret)", text)
        assert found is not None, f"{name} ran without the secret: {text[:300]}"
        secret = secret or found[1]
        assert found[1] == secret
        assert "CWOBJ7221W" not in text and "CWOBJ7220W" not in text and "Traceback" not in text
    assert secret is not None and not Path(secret).exists()


def test_a_secret_given_to_verify_with_an_app_that_has_security_off_fails_to_start(
        workspace: Workspace, tmp_path: Path) -> None:
    """The grid authenticates; a module with securityEnabled=false cannot join it: the
    mismatch a production deployment would hit, reported before any step runs."""
    secret = tmp_path / "grid.secret"
    secret.write_text("s3cret-of-the-domain-0123\n")
    secret.chmod(0o600)
    logs = tmp_path / "logs"
    result = verify_cli(workspace.ear, workspace.properties, "--secret-file", secret,
                        "--keep-logs", logs, *workspace.grid_options())
    assert result.returncode == 3, result.stdout + result.stderr
    failed = re.search(r"CWWSM0400E: .*server (server\d) exited with status 4 before READY", result.stderr)
    assert failed, result.stderr
    # The servers start together: the one that failed first is named; verify stops the other
    # (its log then ends "interrupted by SIGTERM"), so read the named one's log.
    server_log = (logs / f"{failed[1]}.log").read_text()
    assert re.search(r"CWWSM0133E: .*WEB-INF/web\.xml: authentication failed with 127\.0\.0\.1:\d+: "
                     r"catalog cs0 requires authentication \(securityEnabled\)", server_log), server_log
