"""Shared fixtures: the ../shared folder (schemas, corpus) and archive builders."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project; tests that need it skip with a reason where it is absent."""
    if not (SHARED / "schemas").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): schemas and corpus tests need it")
    return SHARED


@pytest.fixture(scope="session")
def schemas_dir(shared_dir: Path) -> Path:
    return shared_dir / "schemas"


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "webxml"
