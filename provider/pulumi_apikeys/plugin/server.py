"""Starting the plugin: ``python -m pulumi_apikeys.plugin ENGINE_ADDRESS`` (or ``python provider ...``).

It prints only its port on stdout, as the engine expects, and as soon as it can: the backends are
imported on the first request, not before the port (``KeysProvider``). Everything it says goes
through the engine's ``Log`` call (``engine_log``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_apikeys.core.declaration import KeyResource

__all__ = ["MAX_CONCURRENT_CALLS", "main"]

MAX_CONCURRENT_CALLS = 64
"""API calls in flight at once, one per thread: above the engine's default parallelism, so the
engine's ``--parallel`` decides, not this pool (asyncio's default pool has only cores + 4)."""


def main(argv: list[str] | None = None) -> None:
    """Serves the plugin until the engine ends the process."""
    from pulumi_apikeys.plugin.arguments import parse_arguments

    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    # The engine ends a plugin with a signal; an interrupt from a terminal ends it quietly too.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(arguments.engine_address))


async def _serve(engine_address: str) -> None:
    # Imported here, after the arguments are known to be right: `import pulumi` is most of the start-up.
    import grpc.aio
    from pulumi.provider.experimental.server import ProviderServicer
    from pulumi.runtime.proto import provider_pb2_grpc

    from pulumi_apikeys._version import __version__
    from pulumi_apikeys.plugin.engine_log import EngineLog, send_logs_to_engine
    from pulumi_apikeys.plugin.provider import KeysProvider

    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=MAX_CONCURRENT_CALLS, thread_name_prefix="apikeys")
    )
    send_logs_to_engine(EngineLog(engine_address))
    provider = KeysProvider(_resources, _schema)
    server = grpc.aio.server()
    servicer_class = _reporting_user_errors(ProviderServicer)
    servicer = servicer_class([], __version__, provider, engine_address=engine_address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        await server.wait_for_termination()
    finally:
        # Stopped while the loop still runs: left to the garbage collector, the server's shutdown
        # would be scheduled on a closed loop and print "Event loop is closed" on an interrupt.
        await server.stop(None)


_USER_FACING_RPCS = (
    "CheckConfig",
    "DiffConfig",
    "Configure",
    "Check",
    "Diff",
    "Create",
    "Read",
    "Update",
    "Delete",
    "Invoke",
    "GetSchema",
)


def _reporting_user_errors(servicer: type[Any]) -> type[Any]:
    """``servicer`` with the package's own errors sent as one line, ``module.Error: message``.

    The SDK's server appends the Python stack to every error a handler raises (its
    ``_raise_with_traceback``), which buries "No OpenAI admin key is configured: ..." under frames
    the user can do nothing about. An ``ApiKeysError`` (already redacted) goes out alone, the way
    the dynamic provider's traceback ends; anything else, a bug, keeps its stack.
    """
    import grpc

    from pulumi_apikeys.errors import ApiKeysError, PartialUpdateError
    from pulumi_apikeys.plugin.provider import PartialFailure

    def reporting(rpc: Any) -> Any:
        async def call(self: Any, request: Any, context: Any) -> Any:
            try:
                return await rpc(self, request, context)
            except Exception as exc:
                # The SDK re-raises a new Exception while handling ours: ours is its context.
                error = exc if isinstance(exc, ApiKeysError | PartialFailure) else exc.__context__
                if isinstance(error, PartialFailure):
                    message = f"{PartialUpdateError.__module__}.{PartialUpdateError.__qualname__}: {error}"
                    details = _init_failed(error, message)
                    await context.abort(grpc.StatusCode.UNKNOWN, message, details)
                if not isinstance(error, ApiKeysError):
                    raise
                kind = type(error)
                message = f"{kind.__module__}.{kind.__qualname__}: {error}"
                await context.abort(grpc.StatusCode.UNKNOWN, message)

        return call

    overrides = {name: reporting(getattr(servicer, name)) for name in _USER_FACING_RPCS}
    return type("KeysServicer", (servicer,), overrides)


def _init_failed(error: Any, message: str) -> tuple[tuple[str, bytes], ...]:
    """The trailing metadata of a partial failure: a ``google.rpc.Status`` whose one detail is an
    ``ErrorResourceInitFailed`` with the resource's state as it now is (``provider_plugin.go``,
    ``parseError``, reads it back through gRPC's ``grpc-status-details-bin``)."""
    import grpc
    from google.protobuf import any_pb2
    from pulumi.provider.experimental.property_value import PropertyValue
    from pulumi.runtime.proto import provider_pb2, status_pb2

    detail = provider_pb2.ErrorResourceInitFailed(
        id=error.resource_id, properties=PropertyValue.marshal_map(error.properties), reasons=[message]
    )
    packed = any_pb2.Any()
    packed.Pack(detail)
    status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=message, details=[packed])
    return (("grpc-status-details-bin", status.SerializeToString()),)


def _resources() -> tuple[KeyResource[Any, Any], ...]:
    from pulumi_apikeys import registry

    return registry.key_resources()


def _schema() -> str:
    from pulumi_apikeys.schema import package_schema_json

    return package_schema_json()
