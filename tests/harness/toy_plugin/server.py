"""The toy plugin's command line and gRPC server.

The engine writes ``[--logtostderr] [-v=N] [--tracing X] ENGINE_ADDRESS`` (``buildPluginArguments``,
``sdk/go/common/resource/plugin/plugin.go``). The SDK's ``server.main`` takes the first bare word of
``sys.argv`` as the engine's address, which is the tracing endpoint whenever tracing is on, so the toy parses
the flags itself and hands ``server.main`` the address alone.

Three departures from the SDK's server, all named here: ``Configure`` also keeps the provider resource's URN,
name and ID (the SDK's ``ConfigureRequest`` drops them); ``Read`` of a widget that does not exist answers
an empty ``ReadResponse``, which is how a provider says "no such resource" (the SDK's servicer always fills
``properties``, so the engine's "does not exist" could never be seen); and a ``Create`` or ``Update`` that
fails part-way (``PartialFailure``) is answered as real providers do, with trailing metadata
``grpc-status-details-bin``: a ``google.rpc.Status`` whose one detail is an ``ErrorResourceInitFailed``
(the SDK's server can send no details). A ``handshake: "true"`` config in ``PULUMI_CONFIG`` makes it
answer ``Handshake`` too (the SDK's server does not implement it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, cast

import grpc
import pulumi.provider.experimental.server as sdk_server
from google.protobuf import any_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2, status_pb2

from tests.harness.toy_plugin import VERSION
from tests.harness.toy_plugin import store as toy_store
from tests.harness.toy_plugin.provider import PartialFailure, ToyProvider

__all__ = ["main", "parse_arguments"]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The engine's arguments, flags read for what they are; unknown flags are tolerated."""
    parser = argparse.ArgumentParser(prog="toy-plugin")
    parser.add_argument("engine_address")
    parser.add_argument("--logtostderr", action="store_true")
    parser.add_argument("--logflow", action="store_true")
    parser.add_argument("-v", type=int, default=0, dest="verbose")
    parser.add_argument("--tracing", default=None)
    known, _ = parser.parse_known_args(argv)
    return known


class ToyServicer(sdk_server.ProviderServicer):
    """The SDK's servicer, with the two departures the module docstring names."""

    @property
    def toy(self) -> ToyProvider:
        return cast(ToyProvider, self._provider)

    async def Handshake(self, request: Any, context: Any) -> Any:
        config = json.loads(os.environ.get("PULUMI_CONFIG", "{}"))
        if config.get("handshake") != "true":
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not implemented!")
        toy_store.append(
            self.toy.store,
            "handshakes",
            {
                "engine_address": request.engine_address,
                "root_directory": request.root_directory,
                "program_directory": request.program_directory,
            },
        )
        return provider_pb2.ProviderHandshakeResponse(accept_secrets=True, accept_resources=False)

    async def Configure(self, request: Any, context: Any) -> Any:
        self.toy.identity = {"urn": request.urn, "name": request.name, "type": request.type, "id": request.id}
        return await super().Configure(request, context)

    async def Read(self, request: Any, context: Any) -> Any:
        response = await super().Read(request, context)
        return response if response.id else provider_pb2.ReadResponse()

    async def Create(self, request: Any, context: Any) -> Any:
        try:
            return await super().Create(request, context)
        except Exception as exc:  # only a partial failure is answered differently
            await _abort_if_partial(exc, context)
            raise

    async def Update(self, request: Any, context: Any) -> Any:
        try:
            return await super().Update(request, context)
        except Exception as exc:  # only a partial failure is answered differently
            await _abort_if_partial(exc, context)
            raise


async def _abort_if_partial(exc: Exception, context: Any) -> None:
    """End the call with the partial failure's details, if ``exc`` is (or wraps) one; else return."""
    # The SDK's server re-raises a new Exception (the traceback added) while handling ours: its context.
    failure = exc if isinstance(exc, PartialFailure) else exc.__context__
    if not isinstance(failure, PartialFailure):
        return
    detail = provider_pb2.ErrorResourceInitFailed(
        id=failure.widget_id, properties=PropertyValue.marshal_map(failure.outputs), reasons=[failure.reason]
    )
    packed = any_pb2.Any()
    packed.Pack(detail)
    code = grpc.StatusCode.UNKNOWN
    status = status_pb2.Status(code=code.value[0], message=failure.reason, details=[packed])
    await context.abort(code, failure.reason, (("grpc-status-details-bin", status.SerializeToString()),))


def main(argv: list[str]) -> None:
    """Record the launch, then serve until the engine ends the process."""
    args = parse_arguments(argv)
    provider = ToyProvider(args.engine_address)
    if provider.store:
        toy_store.append(
            provider.store,
            "launches",
            {
                "argv": argv,
                "engine_address": args.engine_address,
                "logtostderr": args.logtostderr,
                "verbose": args.verbose,
                "tracing": args.tracing,
                "cwd": os.getcwd(),
                "pulumi_project": os.environ.get("PULUMI_PROJECT"),
                "pulumi_config": os.environ.get("PULUMI_CONFIG"),
            },
        )
    # Unstructured output: the CLI shows a plugin's stderr only as debug diagnostics.
    print(f"toy plugin {VERSION} starting", file=sys.stderr, flush=True)
    sys.argv = [sys.argv[0], args.engine_address]  # server.main parses sys.argv itself
    sdk_server.ProviderServicer = ToyServicer  # type: ignore[misc]  # server.main builds this class
    sdk_server.main([], VERSION, provider)
