"""Fixtures for the harness's own tests: stacks and stores for the toy dynamic provider and the toy plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import HarnessStack, Secret
from tests.harness.plugins import PluginSource
from tests.harness.state import FAST_KDF_ITERATIONS
from tests.harness.toy_plugin import PLUGIN_DIR


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


@pytest.fixture
def plugin_store(tmp_path: Path) -> Path:
    """The directory the toy plugin keeps its widgets and journals in."""
    store = tmp_path / "plugin-store"
    store.mkdir()
    return store


@pytest.fixture
def plugin_stack(tmp_path: Path, plugin_store: Path) -> HarnessStack:
    """A fresh stack with the toy plugin as the ``toy`` package's plugin folder, and config for it.

    ``other:setting`` belongs to another package: it must reach neither ``Configure`` nor ``PULUMI_CONFIG``.
    """
    return HarnessStack(
        tmp_path / "plugin-stack",
        project="plugged",
        config={
            "toy:store": str(plugin_store),
            "toy:greeting": "hello",
            "toy:apiToken": Secret("token-value"),
            "other:setting": "not for toy",
        },
        plugins={"toy": PluginSource.directory(PLUGIN_DIR)},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )
