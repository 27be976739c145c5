"""Fixtures for the plugin's own tests: a fake engine, the plugin process, and its configuration."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from pulumi_apikeys.emulator import RunningEmulator
from tests.plugin.driver import LAUNCHES, FakeEngine, PluginProcess, secret, struct

_SCRUBBED = ("OPENAI_", "CAPY_", "APIKEYS_", "PULUMI_CONFIG")


def plugin_env(**extra: str) -> dict[str, str]:
    """The test's environment without credentials or settings: those must come through Configure."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED)}
    env.update(extra)
    return env


@pytest.fixture
def engine() -> Iterator[FakeEngine]:
    running = FakeEngine()
    yield running
    running.stop()


@pytest.fixture
def start_plugin(engine: FakeEngine) -> Iterator[Callable[..., PluginProcess]]:
    """Starts plugin processes (``launch``: ``folder`` or ``module``); each is stopped at teardown."""
    started: list[PluginProcess] = []

    def start(launch: str = "folder", *, flags: list[str] | None = None, **env: str) -> PluginProcess:
        process = PluginProcess(LAUNCHES[launch], engine, flags=flags, env=plugin_env(**env))
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.stop()


def stack_args(emulator: RunningEmulator) -> dict[str, Any]:
    """``Configure``'s ``args`` as the engine sends a stack's ``apikeys:*`` config: bare names, secrets."""
    openai, capy = emulator.endpoint("openai"), emulator.endpoint("capy")
    return {
        "openaiAdminKey": secret(openai.credential),
        "openaiBaseUrl": openai.base_url,
        "capyApiKey": secret(capy.credential),
        "capyBaseUrl": capy.base_url,
    }


def configure(plugin: PluginProcess, args: dict[str, Any], variables: dict[str, str] | None = None) -> Any:
    request = provider_pb2.ConfigureRequest(
        args=struct(args),
        variables=variables or {},
        acceptSecrets=True,
        acceptResources=True,
        sends_old_inputs=True,
        sends_old_inputs_to_delete=True,
    )
    return plugin.stub.Configure(request)


@pytest.fixture
def plugin(start_plugin: Callable[..., PluginProcess], emulator: RunningEmulator) -> PluginProcess:
    """A plugin started from its folder and configured with the emulator's credentials."""
    process = start_plugin()
    configure(process, stack_args(emulator))
    return process
