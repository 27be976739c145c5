"""A program of the generated SDK run against the SDK's mocks, with every request to the monitor kept.

``MockMonitor`` answers as the engine would if the plugin returned what ``PluginMocks`` says; the
``Recorder`` subclass keeps the raw gRPC requests, so a test sees exactly what the engine would get
(tokens, wire names, secrets, options), not what the mocks were handed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key

ADMIN_API_KEY = "apikeys:openai:AdminApiKey"
API_KEY = "apikeys:capy:ApiKey"
ROTATING_ADMIN_API_KEY = "apikeys:openai:RotatingAdminApiKey"
ROTATING_API_KEY = "apikeys:capy:RotatingApiKey"
PROVIDER = "pulumi:providers:apikeys"


def secret(value: Any) -> dict[str, Any]:
    """A value as the monitor receives a secret (the SDK's wire encoding)."""
    return {_special_sig_key: _special_secret_sig, "value": value}


def wire(struct: Any) -> dict[str, Any]:
    """A request's property struct as plain JSON: what crossed, secrets still wrapped."""
    return json_format.MessageToDict(struct)


class PluginMocks(Mocks):
    """Answers as the plugin would: a resource's outputs and an invoke's result, keyed by wire names."""

    def __init__(self) -> None:
        self.outputs: dict[str, dict[str, Any]] = {}
        self.results: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id = args.resource_id or f"{args.name}-id"
        return resource_id, {**args.inputs, **self.outputs.get(args.typ, {})}

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        return self.results[args.token]


class Recorder(MockMonitor):
    """The SDK's mock monitor, keeping each registration, read and invoke request as sent."""

    def __init__(self, mocks: PluginMocks) -> None:
        super().__init__(mocks)
        self.registered: list[Any] = []
        self.read: list[Any] = []
        self.invoked: list[Any] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.registered.append(request)
        return super().RegisterResource(request)

    def ReadResource(self, request: Any) -> Any:
        self.read.append(request)
        return super().ReadResource(request)

    def Invoke(self, request: Any) -> Any:
        self.invoked.append(request)
        return super().Invoke(request)

    def registration(self, type_: str) -> Any:
        """The one registration of a resource of ``type_``."""
        (request,) = [r for r in self.registered if r.type == type_]
        return request


@dataclass
class MockedEngine:
    """The mocks, the monitor's record, and a way to run a program against them."""

    mocks: PluginMocks
    monitor: Recorder
    results: list[Any] = field(default_factory=list)

    def run(self, program: Callable[[], Any]) -> Any:
        """Runs ``program`` as a Pulumi program (not a preview); what its return value resolves to."""

        @pulumi.runtime.test
        def wrapped() -> Any:
            result = program()
            if isinstance(result, pulumi.Output):
                return result.apply(self.results.append)
            # Not through `Output.from_input`: it would rebuild typed results as plain dicts.
            self.results.append(result)
            return None

        self.results.clear()
        wrapped()
        return self.results[0] if self.results else None


@pytest.fixture
def engine() -> Iterator[MockedEngine]:
    """A fresh mocked engine and monitor, set as the SDK's for this test, on an event loop of its own.

    The SDK runs a program on the thread's current loop, which it makes only if none was ever set:
    after an ``asyncio.run`` elsewhere in the process (which unsets it) there would be none.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = PluginMocks()
    monitor = Recorder(mocks)
    pulumi.runtime.set_mocks(mocks, monitor=monitor, preview=False)
    yield MockedEngine(mocks, monitor)
    asyncio.set_event_loop(None)
    loop.close()
