"""The resource monitor the program talks to: the SDK's ``MockMonitor``, with every call sent to the engine.

The Python SDK accepts any object with the monitor's methods in place of the gRPC stub
(``runtime/settings.py``); subclassing ``MockMonitor`` keeps the SDK's own answers for the calls that do not
matter here (transform registration, packages, shutdown). The features advertised are exactly those the
harness models, as the engine's ``resmon.SupportsFeature`` / ``GetDeploymentInfo`` do (``source_eval.go``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from google.protobuf import empty_pb2
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2

from tests.harness.engine import Engine

__all__ = ["SUPPORTED_FEATURES", "HarnessMonitor"]

SUPPORTED_FEATURES = {
    # Secrets travel as secrets, so stack outputs and inputs keep their secretness.
    "secrets": resource_pb2.RESOURCE_MONITOR_FEATURE_SECRETS,
    # Aliases arrive as specs, resolved to URNs by the engine (step_generator.go, collapseAliasToUrn).
    "aliasSpecs": resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
}
"""Left out on purpose: resource references and output values (the property model has no place for
them), transforms, hooks, deletedWith and replaceWith (not modelled): the SDK then refuses them or sends
plain IDs."""


class _NoMocks(Mocks):
    """Mocks are never consulted: every resource and invoke goes through the engine."""

    def call(self, args: Any) -> tuple[dict[str, Any], None]:
        raise AssertionError("the harness monitor never asks the mocks for invokes")

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        raise AssertionError("the harness monitor never asks the mocks for resources")


class _FeatureResponse(NamedTuple):
    hasSupport: bool


class HarnessMonitor(MockMonitor):
    """Routes ``RegisterResource``, ``ReadResource``, ``RegisterResourceOutputs`` and ``Invoke`` to an
    ``Engine``; ``StreamInvoke``, ``Call`` and ``RegisterPackage`` are refused."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(_NoMocks())
        self.engine = engine

    def RegisterResource(self, request: Any) -> Any:
        return self.engine.register_resource(request)

    def ReadResource(self, request: Any) -> Any:
        return self.engine.read_resource(request)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.engine.register_outputs(request)
        return empty_pb2.Empty()

    def Invoke(self, request: Any) -> Any:
        """``resmon.Invoke``: the engine calls the package's provider (``source_eval.go``)."""
        return self.engine.invoke(request)

    def StreamInvoke(self, request: Any) -> Any:
        raise NotImplementedError(f"the harness does not model StreamInvoke ({request.tok})")

    def Call(self, request: Any) -> Any:
        raise NotImplementedError(f"the harness does not model Call: methods of components ({request.tok})")

    def RegisterPackage(self, request: Any) -> Any:
        raise NotImplementedError(
            f"the harness does not model RegisterPackage: parameterized packages ({request.name})"
        )

    def SupportsFeature(self, request: Any) -> Any:
        return _FeatureResponse(request.id in SUPPORTED_FEATURES)

    def GetDeploymentInfo(self, request: Any) -> Any:
        return resource_pb2.DeploymentInfo(supportedFeatures=sorted(SUPPORTED_FEATURES.values()))
