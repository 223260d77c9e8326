"""Shared fixtures: the ../shared folder (schemas, corpus) and archive builders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loopback import refused_address
from splicer.webxml.catalog import SchemaCatalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fault-rounds", type=int, default=1, metavar="N",
                     help="rounds of each fault in tests/faults (default 1; each round of a "
                          "replication mode takes ~10 s)")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project; tests that need it skip with a reason where it is absent."""
    if not (SHARED / "schemas").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): schemas and corpus tests need it")
    return SHARED


@pytest.fixture(scope="session")
def schemas_dir(shared_dir: Path) -> Path:
    return shared_dir / "schemas"


def installed_schemas() -> SchemaCatalog:
    """The schemas of the containers installed here (Debian's libtomcat10-java and
    libtomcat9-java jars, which .ci/run installs)."""
    return SchemaCatalog.discover()


@pytest.fixture(scope="session")
def schemas() -> SchemaCatalog:
    """The official schemas: ../shared/schemas where it is present, else the installed
    Tomcat jars; the tests that need them skip with a reason where there are neither."""
    if (SHARED / "schemas").is_dir():
        return SchemaCatalog.from_paths([SHARED / "schemas"])
    found = installed_schemas()
    if not found.sources:
        pytest.skip("no schemas: neither ../shared/schemas nor a Tomcat servlet-api jar "
                    "(apt-get install libtomcat10-java libtomcat9-java)")
    return found


def require_schema(catalog: SchemaCatalog, name: str) -> None:
    """Skip when *catalog* lacks *name* (Debian's Tomcat 10.1 stops at Servlet 6.0)."""
    if not catalog.has(name):
        pytest.skip(f"{name} is in none of {catalog.describe()}")


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "webxml"


@pytest.fixture
def dead_address() -> Iterator[str]:
    """127.0.0.1:port where every connection is refused for the whole test, and that no
    other test's server can take meanwhile (tests/loopback.py)."""
    with refused_address() as address:
        yield address
