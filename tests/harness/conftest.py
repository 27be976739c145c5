"""Fixtures for the harness's own tests: a stack and a store for the toy provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS


@pytest.fixture
def toy_store(tmp_path: Path) -> Path:
    """The directory the toy provider keeps its things (and its ``ops.log``) in."""
    store = tmp_path / "store"
    store.mkdir()
    return store


@pytest.fixture
def toy_stack(tmp_path: Path) -> HarnessStack:
    """A fresh stack whose config has a plain and a secret value for the toy provider."""
    return HarnessStack(
        tmp_path / "stack",
        project="toy",
        config={"toy:greeting": "hello from config", "toy:apiToken": Secret("config-secret-value")},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )
