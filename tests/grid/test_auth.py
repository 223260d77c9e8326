"""Authentication with the domain's shared secret: the file, the handshake, who gets in."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from splicer.grid.admin import map_sizes
from splicer.grid.auth import (EXIT_AUTH, REQUIRED, SECRET_ENV, SUPPORTED, GridAuthError, Peer,
                               SecretFileError, Security, find_secret, load_secret, proof,
                               write_secret)
from splicer.grid.client import GridClient
from splicer.grid.inprocess import grid_in_process
from splicer.grid.protocol import Channel
from tests.grid.conftest import SAMPLE_DP, SAMPLE_OG, deployment_xml, objectgrid_xml, write
from tests.grid.test_membership import Lines, grid_log  # noqa: F401 - the fixture

META = "objectgridSessionMetadata"
KEY = "S0001xxxxxxxxxxxxxxxxxxx/ctx"


def secret_file(tmp_path: Path, name: str = "grid.secret", text: str = "s3cret-of-the-domain-0123\n",
                mode: int = 0o600) -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(mode)
    return path


# -- the secret file ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "mode", "reason", "hint"),
    [
        ("", 0o600, "the secret file is empty", "head -c 32 /dev/urandom"),
        ("  \n\n", 0o600, "the secret file is empty", "head -c 32 /dev/urandom"),
        ("short\n", 0o600, "the secret is 5 bytes long, shorter than 16", "/dev/urandom"),
        ("s3cret-of-the-domain-0123", 0o644,
         "permissions 0644 of the secret file are too open: it must be readable by its owner only",
         "chmod 600"),
        ("s3cret-of-the-domain-0123", 0o640, "permissions 0640", "chmod 600"),
    ],
    ids=["empty", "blank", "short", "world-readable", "group-readable"],
)
def test_a_bad_secret_file_is_a_configuration_error(tmp_path: Path, text: str, mode: int,
                                                    reason: str, hint: str) -> None:
    path = secret_file(tmp_path, text=text, mode=mode)
    with pytest.raises(SecretFileError) as info:
        load_secret(path)
    assert info.value.reason.startswith(reason)
    assert info.value.where.parts == (str(path),) and hint in (info.value.hint or "")
    assert info.value.exit_code == 2 and info.value.message_id == "CWWSM0132E"


def test_a_missing_secret_file_or_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(SecretFileError, match=r"^CWWSM0132E: .*/nope: cannot read the secret "
                                              r"file: No such file or directory"):
        load_secret(tmp_path / "nope")
    with pytest.raises(SecretFileError, match=r"not a regular file"):
        load_secret(tmp_path)


def test_an_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    if os.getuid() != 0:
        path = secret_file(tmp_path, mode=0o000)
        with pytest.raises(SecretFileError, match=r"cannot read the secret file: Permission denied"):
            load_secret(path)
        return
    # Root reads any file, so the read is made by a forked child that has become nobody, on a
    # file in a folder it may enter (pytest's own folders are root's alone).
    folder = Path(tempfile.mkdtemp(prefix="splicer-secret-"))
    try:
        folder.chmod(0o755)
        path = secret_file(folder, mode=0o000)
        assert _load_secret_as_nobody(path) == "cannot read the secret file: Permission denied"
    finally:
        shutil.rmtree(folder)


def _load_secret_as_nobody(path: Path) -> str:
    """The reason load_secret gives in a child running as uid/gid 65534 ('' if it read it)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        reason = "unexpected"
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            load_secret(path)
            reason = ""
        except SecretFileError as exc:
            reason = exc.reason
        finally:
            os.write(write_end, reason.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reason = pipe.read().decode()
    assert os.waitpid(pid, 0)[1] == 0, "the child reading the secret as nobody failed"
    return reason


def test_the_secret_is_the_file_less_its_trailing_newline_and_the_env_var_names_the_file(
        tmp_path: Path) -> None:
    path = secret_file(tmp_path, text="s3cret-of-the-domain-0123\r\n")
    assert load_secret(path).key == b"s3cret-of-the-domain-0123"
    assert "s3cret" not in repr(load_secret(path))  # never in a log or a traceback
    assert find_secret(None, {SECRET_ENV: str(path)}) == load_secret(path)
    other = secret_file(tmp_path, "other.secret", "another-secret-of-16+bytes")
    assert find_secret(other, {SECRET_ENV: str(path)}).key == b"another-secret-of-16+bytes"  # type: ignore[union-attr]
    assert find_secret(None, {}) is None


def test_a_generated_secret_file_is_private_and_new(tmp_path: Path) -> None:
    made = write_secret(tmp_path / "g.secret")
    assert (tmp_path / "g.secret").stat().st_mode & 0o777 == 0o600
    assert load_secret(tmp_path / "g.secret") == made and len(made.key) >= 32
    with pytest.raises(FileExistsError):
        write_secret(tmp_path / "g.secret")


def test_proofs_bind_the_side_both_nonces_and_both_ends() -> None:
    a, b = Peer("client"), Peer("catalog", "cs0")
    base = proof(b"k" * 16, "connector", "n1", "n2", a, b)
    assert len(base) == 64
    variants = [proof(b"k" * 16, "acceptor", "n1", "n2", a, b),
                proof(b"k" * 16, "connector", "n3", "n2", a, b),
                proof(b"k" * 16, "connector", "n1", "n3", a, b),
                proof(b"k" * 16, "connector", "n1", "n2", Peer("container", "c0"), b),
                proof(b"j" * 16, "connector", "n1", "n2", a, b)]
    assert base not in variants and len(set(variants)) == len(variants)


# -- a grid with a secret ---------------------------------------------------------------------
def secure_grid(tmp_path: Path, body: Any, **options: Any) -> Any:
    """Two containers, one synchronous replica each, every connection authenticated."""
    og = write(tmp_path, "og.xml", objectgrid_xml())
    dp = write(tmp_path, "dp.xml", deployment_xml(max_sync=1, max_async=0))
    secret = load_secret(secret_file(tmp_path))

    async def main() -> Any:
        async with grid_in_process(og, dp, ("c0", "c1"), secret=secret, **options) as grid:
            return await body(grid, secret)
    return asyncio.run(main())


def test_with_the_secret_clients_work_and_replicas_are_fed(tmp_path: Path) -> None:
    """grid_in_process waits for every replica's snapshot: container links authenticated."""
    async def body(grid: Any, secret: Any) -> tuple[bytes | None, bytes | None]:
        async with await GridClient.connect(grid.catalog_endpoint,
                                            security=Security(secret, REQUIRED)) as client:
            await client.put(META, KEY, b"kept")
            sizes = await map_sizes(grid.catalog_endpoint, "session", "sessionMapSet",
                                    Security.member(secret))
            assert sorted(s.container for s in sizes if s.rows) == ["c0", "c1"]
            holder = [n for n, c in grid.containers.items()
                      if any(s.is_primary and KEY in s.maps.get(META, {})
                             for s in c.shards.values())][0]
            grid.kill_container(holder)  # the synchronous replica has it
            survived = await client.get(META, KEY)
            return b"kept", survived

    assert secure_grid(tmp_path, body) == (b"kept", b"kept")


def test_without_the_secret_a_client_is_refused_with_a_clear_error(tmp_path: Path,
                                                                  grid_log: Lines) -> None:
    async def body(grid: Any, secret: Any) -> list[str]:
        errors = []
        for security in (Security(), Security(load_secret(secret_file(
                tmp_path, "wrong.secret", "not-the-domain-secret-0123")), REQUIRED)):
            with pytest.raises(GridAuthError) as info:
                await GridClient.connect(grid.catalog_endpoint, security=security,
                                         catalog_wait=5.0)
            assert info.value.exit_code == EXIT_AUTH
            errors.append(info.value.message())
        with pytest.raises(GridAuthError, match="requires authentication"):
            await map_sizes(grid.catalog_endpoint, "session", "sessionMapSet")
        return errors

    missing, wrong = secure_grid(tmp_path, body)
    endpoint = r"localhost:\d+"
    import re
    assert re.fullmatch(rf"CWWSM0133E: authentication failed with {endpoint}: catalog cs0 "
                        r"requires authentication \(securityEnabled\): connect with the "
                        r"domain's secret file \(--secret-file or SPLICER_GRID_SECRET_FILE\)",
                        missing), missing
    assert re.fullmatch(rf"CWWSM0133E: authentication failed with {endpoint}: catalog cs0 at "
                        rf"{endpoint} does not prove the secret of .*wrong.secret \(the secret "
                        r"files differ\)", wrong), wrong
    refused = grid_log.matching("CWOBJ7221W: cs0 refused a connection from client at 127.0.0.1:")
    assert [r.getMessage().split(": ", 2)[-1] for r in refused][:2] == [
        "catalog cs0 requires authentication (securityEnabled): connect with the domain's "
        "secret file (--secret-file or SPLICER_GRID_SECRET_FILE)",
        "it does not share this server's secret (it refused our proof)"]
    assert all(r.exc_info is None for r in grid_log.records)


def test_a_container_refuses_an_unauthenticated_request(tmp_path: Path) -> None:
    async def body(grid: Any, secret: Any) -> tuple[dict[str, Any], bool]:
        channel = await Channel.connect("localhost", grid.containers["c0"].port)
        reply = await channel.call({"op": "get", "grid": "session", "mapset": "sessionMapSet",
                                    "partition": 0, "map": META, "key": KEY})
        await asyncio.wait_for(channel.closed.wait(), 10)
        return reply, channel.is_open

    reply, still_open = secure_grid(tmp_path, body)
    assert (reply["ok"], reply["error"], still_open) == (False, "auth_required", False)


def test_a_client_that_requires_authentication_refuses_a_grid_without_a_secret(
        tmp_path: Path) -> None:
    secret = load_secret(secret_file(tmp_path))

    async def main() -> None:
        async with grid_in_process(SAMPLE_OG, SAMPLE_DP, ("c0",)) as grid:
            with pytest.raises(GridAuthError, match=r"it does not authenticate \(it runs "
                                                    r"without a secret"):
                await GridClient.connect(grid.catalog_endpoint, security=Security(secret, REQUIRED))
            # credentialAuthentication=Supported: authenticates only when the grid asks
            async with await GridClient.connect(grid.catalog_endpoint,
                                                security=Security(secret, SUPPORTED)) as client:
                await client.put(META, KEY, b"v")
                assert await client.get(META, KEY) == b"v"

    asyncio.run(main())
