"""Provider plugins as the engine holds them: loaded instances, the host that loads them, and the registry.

- ``ProviderInstance`` is ``pkg/resource/plugin/provider_plugin.go``'s ``provider``: one plugin process (or,
  for ``pulumi-python``, a view over the one dynamic server), the protocol it negotiated (``Handshake``, else
  ``Configure``'s answer: ``acceptSecrets``, ``supportsPreview``) and the marshalling rules each call follows.
- ``PluginHost`` is ``pkg/host/host.go``'s ``Provider``: find the plugin (``workspace.GetPluginPath``), start
  it (``plugin.go``, ``ExecPlugin`` / the Python host's ``RunPlugin``), ``Handshake``, ``GetPluginInfo``.
- ``Registry`` is ``pkg/resource/deploy/providers/registry.go``: the CRUD of provider resources (``Check``
  loads an unconfigured instance, ``Create`` / ``Update`` / ``Same`` configure it and register it under its
  ``urn::id`` reference, ``Delete`` unloads it) and the lookup of references.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML, a dependency of pulumi, ships no stubs
from google.protobuf import empty_pb2, message
from pulumi.runtime.proto import engine_pb2, provider_pb2, status_pb2

from tests.harness.engine_service import Diagnostics, EngineService
from tests.harness.plugins import (
    DYNAMIC_PACKAGE,
    EngineFlags,
    PluginSource,
    SemVer,
    missing_plugin_message,
    plugin_arguments,
    plugin_environment,
)
from tests.harness.properties import (
    UNKNOWN,
    PropertyMap,
    annotate_secrets,
    contains_secrets,
    contains_unknowns,
    from_struct,
    go_json,
    go_multierror,
    make_secret,
    strip_secrets,
    to_struct,
)
from tests.harness.provider_server import ProviderError, ProviderServer
from tests.harness.state import ResourceState

__all__ = [
    "DIFF_NONE",
    "DIFF_SOME",
    "DIFF_UNKNOWN",
    "INTERNAL_KEY",
    "CheckResult",
    "DiffResult",
    "InitError",
    "NotModelled",
    "PluginHost",
    "PluginLoadError",
    "PropertyDiff",
    "ProviderInstance",
    "ReadResult",
    "Registry",
    "StepFailed",
    "filter_provider_config",
    "is_provider_type",
    "provider_package",
    "set_provider_version",
]

DIFF_UNKNOWN = provider_pb2.DiffResponse.DIFF_UNKNOWN
DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME

INTERNAL_KEY = "__internal"
"""Where the engine keeps a provider's own settings in its inputs (``registry.go``, ``internalKey``)."""

_KINDS = {
    provider_pb2.PropertyDiff.ADD: "add",
    provider_pb2.PropertyDiff.ADD_REPLACE: "add-replace",
    provider_pb2.PropertyDiff.DELETE: "delete",
    provider_pb2.PropertyDiff.DELETE_REPLACE: "delete-replace",
    provider_pb2.PropertyDiff.UPDATE: "update",
    provider_pb2.PropertyDiff.UPDATE_REPLACE: "update-replace",
}


class NotModelled(Exception):
    """The program or a plugin used something the harness does not model: the operation stops with this."""


class StepFailed(Exception):
    """A step failed on the engine's side (not in a plugin call); the message is the engine's."""


class PluginLoadError(StepFailed):
    """A plugin could not be found or started; the message is the engine's."""


class InitError(StepFailed):
    """``plugin.InitError`` with the answer it came with: a ``Create`` or ``Update`` that failed part-way.

    ``provider_plugin.go``, ``parseError``: an ``ErrorResourceInitFailed`` among the error's status details
    makes the call's status ``StatusPartialFailure``, its outputs the detail's ``properties`` (its ``id`` too,
    for ``Create``) and its error an ``InitError`` of the detail's ``reasons``, whose text is their
    multierror list. The step still fails; the engine keeps the state (``step.go``, ``Apply``).
    """

    def __init__(self, reasons: list[str], *, resource_id: str, outputs: PropertyMap) -> None:
        super().__init__(go_multierror(reasons) if reasons else "resource init failed")
        self.reasons = reasons
        self.resource_id = resource_id
        self.outputs = outputs


def is_provider_type(type_: str) -> bool:
    """``providers.IsProviderType``: ``pulumi:providers:<pkg>``."""
    return type_.startswith("pulumi:providers:")


def provider_package(type_: str) -> str:
    """``providers.GetProviderPackage``: the ``<pkg>`` of ``pulumi:providers:<pkg>``."""
    return type_.split(":", 2)[2]


def filter_provider_config(inputs: PropertyMap) -> PropertyMap:
    """``FilterProviderConfig``: a provider's inputs without the engine's ``__internal`` key."""
    return {k: v for k, v in inputs.items() if k != INTERNAL_KEY}


def set_provider_version(inputs: PropertyMap, version: SemVer) -> None:
    """``SetProviderVersion``: an (empty) ``__internal`` map and ``version`` at the root of the inputs."""
    internal = inputs.get(INTERNAL_KEY)
    if not isinstance(internal, dict):
        inputs[INTERNAL_KEY] = {}
    inputs["version"] = str(version)


def _provider_version(inputs: PropertyMap) -> SemVer | None:
    """``GetProviderVersion``; anything else ``__internal`` may hold (parameterization, download URLs,
    checksums, environment mappings) is refused."""
    internal = inputs.get(INTERNAL_KEY)
    if isinstance(internal, dict) and internal:
        raise NotModelled(
            f"the harness does not model provider settings under __internal ({', '.join(sorted(internal))})"
        )
    version = inputs.get("version")
    if version is None:
        return None
    if not isinstance(version, str):
        raise ValueError("'version' must be a string")
    return SemVer.parse_tolerant(version)


def _name_and_type(urn: str) -> tuple[str, str]:
    return urn.rsplit("::", 1)[-1], urn.split("::")[2].rsplit("$", 1)[-1]


# --------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PropertyDiff:
    """``plugin.PropertyDiff``: how one property changes, and whether the diff is of inputs."""

    kind: str
    input_diff: bool = False

    @property
    def is_replace(self) -> bool:
        return self.kind.endswith("-replace")

    def to_replace(self) -> PropertyDiff:
        """``PropertyDiff.ToReplace``."""
        return self if self.is_replace else PropertyDiff(f"{self.kind}-replace", self.input_diff)

    def invert(self) -> PropertyDiff:
        """``DiffKind.Invert``: adds and deletes swap, updates stay."""
        swap = {
            "add": "delete",
            "delete": "add",
            "add-replace": "delete-replace",
            "delete-replace": "add-replace",
        }
        return PropertyDiff(swap.get(self.kind, self.kind), self.input_diff)


@dataclass
class DiffResult:
    """``plugin.DiffResult``."""

    changes: int
    replace_keys: list[str] = field(default_factory=list)
    stable_keys: list[str] = field(default_factory=list)
    changed_keys: list[str] = field(default_factory=list)
    detailed_diff: dict[str, PropertyDiff] | None = None
    delete_before_replace: bool = False

    def replace(self) -> bool:
        """``DiffResult.Replace``: a replace kind in the detailed diff, or any replace key."""
        if self.detailed_diff and any(d.is_replace for d in self.detailed_diff.values()):
            return True
        return bool(self.replace_keys)


@dataclass
class CheckResult:
    inputs: PropertyMap
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ReadResult:
    """``plugin.ReadResult``: ``outputs is None`` means the resource does not exist; ``inputs is None``
    means the provider returned none (the old inputs stand)."""

    id: str
    outputs: PropertyMap | None
    inputs: PropertyMap | None


def _decode_diff(response: Any) -> DiffResult:
    """``decodeDetailedDiff`` and the rest of ``provider.Diff``'s answer."""
    detailed: dict[str, PropertyDiff] | None = None
    if response.hasDetailedDiff:
        # Unknown kinds count as simple updates.
        detailed = {
            path: PropertyDiff(_KINDS.get(d.kind, "update"), d.inputDiff)
            for path, d in response.detailedDiff.items()
        }
    return DiffResult(
        changes=response.changes,
        replace_keys=list(response.replaces),
        stable_keys=list(response.stables),
        changed_keys=list(response.diffs),
        detailed_diff=detailed,
        delete_before_replace=response.deleteBeforeReplace,
    )


def _failures(response: Any) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in response.failures]


def _init_failed(error: ProviderError) -> provider_pb2.ErrorResourceInitFailed | None:
    """``parseError``: the first ``ErrorResourceInitFailed`` among the error's status details, if any.

    grpc-go takes the status from the ``grpc-status-details-bin`` trailer and ``rpcerror.Convert`` unpacks
    its details; any other detail is ignored, as is an error without the trailer (the dynamic provider's
    path: nothing changes there). A trailer that does not decode, or whose status code is not the call's,
    is refused: what grpc-go makes of those is not modelled.
    """
    if error.status_details is None:
        return None
    try:
        status = status_pb2.Status.FromString(error.status_details)
    except message.DecodeError:
        raise NotModelled(
            f"{error.method}: the harness does not model a grpc-status-details-bin that does not decode"
        ) from None
    for detail in status.details:
        if not detail.Is(provider_pb2.ErrorResourceInitFailed.DESCRIPTOR):
            continue
        if status.code != error.code.value[0]:
            raise NotModelled(
                f"{error.method}: the harness does not model status details whose code ({status.code}) is "
                f"not the call's ({error.code.name})"
            )
        init_failed = provider_pb2.ErrorResourceInitFailed()
        detail.Unpack(init_failed)
        return init_failed
    return None


# ------------------------------------------------------------------------------------- instance


class ProviderInstance:
    """One loaded provider: a server and the protocol it negotiated (``provider_plugin.go``, ``provider``).

    Until ``Configure`` (or a ``Handshake``) the protocol is unknown; a resource call before ``Configure``
    would wait in the engine, and is a harness bug here.
    """

    def __init__(
        self,
        server: ProviderServer,
        *,
        package: str,
        provider_urn: str,
        handshake: Any | None = None,
        shared: bool = False,
    ) -> None:
        self.server = server
        self.package = package
        self.provider_urn = provider_urn
        self.shared = shared  # the dynamic server outlives this view: closing it stops nothing
        self.configured = False
        self.closed = False
        self.accept_secrets = False
        self.supports_preview = False
        self._from_handshake = handshake is not None
        if handshake is not None:
            # A handshake fixes the protocol; previews are then always supported (``NewProvider``).
            self.accept_secrets = handshake.accept_secrets
            self.supports_preview = True

    def _call(self, method: str, request: Any, *, urn: str = "", resource_id: str = "") -> Any:
        return self.server.call(method, request, urn=urn, resource_id=resource_id)

    def _wire(self, props: PropertyMap) -> Any:
        """Marshalled with ``KeepSecrets: protocol.acceptSecrets``."""
        return to_struct(props, keep_secrets=self.accept_secrets)

    def _annotated(self, outs: PropertyMap, ins: PropertyMap | None) -> PropertyMap:
        """``annotateSecrets`` for a provider that could not be sent secrets."""
        return outs if self.accept_secrets or ins is None else annotate_secrets(outs, ins)

    def _require_configured(self, method: str) -> None:
        if not self.configured:
            raise RuntimeError(f"harness bug: {method} on {self.provider_urn} before Configure")

    # ------------------------------------------------------------------------------ configuration

    def configure(self, *, urn: str, provider_id: str, inputs: PropertyMap) -> None:
        """``Configure``: ``args`` with secrets kept, ``variables`` keyed ``<pkg>:config:<key>`` in plaintext
        (``version`` left out, non-strings as JSON), and the flags every engine sends.

        A configuration with unknowns (a preview of a provider fed by another resource's outputs) leaves the
        engine's provider unconfigured and its calls answered without the plugin: not modelled.
        """
        name, type_ = _name_and_type(urn)
        pkg = provider_package(type_)
        variables: dict[str, str] = {}
        for key, value in inputs.items():
            if key == "version":
                continue
            if contains_unknowns(value):
                raise NotModelled(
                    "the harness does not model provider configuration that is unknown until the update "
                    f"({key!r})"
                )
            plain = strip_secrets(value)
            variables[f"{pkg}:config:{key}"] = plain if isinstance(plain, str) else go_json(plain)
        request = provider_pb2.ConfigureRequest(
            variables=variables,
            args=to_struct(inputs, keep_secrets=True),
            acceptSecrets=True,
            acceptResources=True,
            sends_old_inputs=True,
            sends_old_inputs_to_delete=True,
            urn=urn,
            name=name,
            type=type_,
            id=provider_id,
        )
        response = self._call("Configure", request, urn=urn, resource_id=provider_id)
        if not self._from_handshake:
            # The answer sets the protocol for every later call (``pluginProtocol``).
            self.accept_secrets = response.acceptSecrets
            self.supports_preview = response.supportsPreview
        self.configured = True

    def check_config(self, urn: str, olds: PropertyMap, news: PropertyMap) -> CheckResult:
        """``CheckConfig``, secrets stripped; UNIMPLEMENTED means the news stand as they are."""
        name, type_ = _name_and_type(urn)
        request = provider_pb2.CheckRequest(
            urn=urn,
            name=name,
            type=type_,
            olds=to_struct(olds, keep_secrets=False),
            news=to_struct(news, keep_secrets=False),
        )
        try:
            response = self._call("CheckConfig", request, urn=urn)
        except ProviderError as exc:
            if exc.code.name == "UNIMPLEMENTED":
                return CheckResult(dict(news))
            raise
        inputs = from_struct(response.inputs) if response.HasField("inputs") else {}
        # The provider was never sent secrets: copy their marks back, always.
        return CheckResult(annotate_secrets(inputs, news), _failures(response))

    def diff_config(
        self, urn: str, old_inputs: PropertyMap, old_outputs: PropertyMap, new_inputs: PropertyMap
    ) -> DiffResult:
        """``DiffConfig`` (no ID is sent), secrets stripped; UNIMPLEMENTED means DIFF_UNKNOWN, no replaces."""
        name, type_ = _name_and_type(urn)
        request = provider_pb2.DiffRequest(
            urn=urn,
            name=name,
            type=type_,
            old_inputs=to_struct(old_inputs, keep_secrets=False),
            olds=to_struct(old_outputs, keep_secrets=False),
            news=to_struct(new_inputs, keep_secrets=False),
        )
        try:
            response = self._call("DiffConfig", request, urn=urn)
        except ProviderError as exc:
            if exc.code.name == "UNIMPLEMENTED":
                return DiffResult(DIFF_UNKNOWN)
            raise
        return _decode_diff(response)

    # ---------------------------------------------------------------------------------- resources

    def check(self, urn: str, olds: PropertyMap, news: PropertyMap, *, seed: bytes) -> CheckResult:
        """``Check``; a provider that does not accept secrets gets plaintext and its answer is re-marked."""
        self._require_configured("Check")
        name, type_ = _name_and_type(urn)
        request = provider_pb2.CheckRequest(
            urn=urn, name=name, type=type_, olds=self._wire(olds), news=self._wire(news), randomSeed=seed
        )
        response = self._call("Check", request, urn=urn)
        inputs = from_struct(response.inputs) if response.HasField("inputs") else {}
        return CheckResult(self._annotated(inputs, news), _failures(response))

    def diff(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
    ) -> DiffResult:
        """``Diff`` old outputs (and old inputs) against the checked inputs."""
        self._require_configured("Diff")
        name, type_ = _name_and_type(urn)
        request = provider_pb2.DiffRequest(
            id=resource_id,
            urn=urn,
            name=name,
            type=type_,
            olds=self._wire(old_outputs),
            news=self._wire(new_inputs),
            old_inputs=self._wire(old_inputs),
        )
        return _decode_diff(self._call("Diff", request, urn=urn, resource_id=resource_id))

    def create(self, urn: str, properties: PropertyMap, *, preview: bool) -> tuple[str, PropertyMap]:
        """``Create``. In a preview, a provider without preview support is not called: the inputs stand in
        for the outputs; one with it gets ``preview=True`` and its answer (unknowns as the sentinel) is
        used. A partial failure (``parseError``) raises ``InitError`` with the ID and outputs it carried."""
        self._require_configured("Create")
        if preview and not self.supports_preview:
            return "", dict(properties)
        name, type_ = _name_and_type(urn)
        request = provider_pb2.CreateRequest(
            urn=urn, name=name, type=type_, properties=self._wire(properties), preview=preview
        )
        try:
            response = self._call("Create", request, urn=urn)
        except ProviderError as exc:
            init_failed = _init_failed(exc)
            if init_failed is None:
                raise
            # A partial failure is answered as a response would be: the same ID check, then InitError.
            response = init_failed
        self._refuse_refresh_before_update(response, urn)
        if not response.id and not preview:
            raise StepFailed(f"plugin returned empty resource.ID from create '{urn}'")
        outputs = self._annotated(from_struct(response.properties), properties)
        if isinstance(response, provider_pb2.ErrorResourceInitFailed):
            raise InitError(list(response.reasons), resource_id=response.id, outputs=outputs)
        return response.id, outputs

    def read(
        self, urn: str, resource_id: str, *, inputs: PropertyMap | None, state: PropertyMap | None
    ) -> ReadResult:
        """``Read``: inputs are sent only if given (an import sends none); a missing ``properties`` in the
        answer means the resource does not exist, a missing ``inputs`` that the provider returned none."""
        self._require_configured("Read")
        name, type_ = _name_and_type(urn)
        request = provider_pb2.ReadRequest(
            id=resource_id, urn=urn, name=name, type=type_, properties=self._wire(state or {})
        )
        if inputs is not None:
            request.inputs.CopyFrom(self._wire(inputs))
        try:
            response = self._call("Read", request, urn=urn, resource_id=resource_id)
        except ProviderError as exc:
            if _init_failed(exc) is not None:
                # step.go keeps the init errors three ways: RefreshStep warns, ImportStep goes on and
                # ReadStep fails the step.
                raise NotModelled(
                    "the harness does not model a Read that fails part-way (ErrorResourceInitFailed)"
                ) from None
            raise
        self._refuse_refresh_before_update(response, urn)
        outputs = from_struct(response.properties) if response.HasField("properties") else None
        new_inputs = from_struct(response.inputs) if response.HasField("inputs") else None
        if outputs is not None:
            outputs = self._annotated(outputs, state)
        if new_inputs is not None:
            new_inputs = self._annotated(new_inputs, inputs)
        return ReadResult(response.id, outputs, new_inputs)

    def update(
        self,
        urn: str,
        resource_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
        preview: bool,
    ) -> PropertyMap:
        """``Update``; in a preview without preview support, the new inputs stand in for the outputs. A
        partial failure (``parseError``) raises ``InitError`` with the outputs it carried (its ID is
        ignored, as ``provider.Update`` ignores it)."""
        self._require_configured("Update")
        if preview and not self.supports_preview:
            return dict(new_inputs)
        name, type_ = _name_and_type(urn)
        request = provider_pb2.UpdateRequest(
            id=resource_id,
            urn=urn,
            name=name,
            type=type_,
            olds=self._wire(old_outputs),
            news=self._wire(new_inputs),
            old_inputs=self._wire(old_inputs),
            preview=preview,
        )
        try:
            response = self._call("Update", request, urn=urn, resource_id=resource_id)
        except ProviderError as exc:
            init_failed = _init_failed(exc)
            if init_failed is None:
                raise
            self._refuse_refresh_before_update(init_failed, urn)
            outputs = self._annotated(from_struct(init_failed.properties), new_inputs)
            raise InitError(list(init_failed.reasons), resource_id=resource_id, outputs=outputs) from None
        return self._annotated(from_struct(response.properties), new_inputs)

    def delete(
        self, urn: str, resource_id: str, *, old_inputs: PropertyMap, old_outputs: PropertyMap
    ) -> None:
        """``Delete`` with the old outputs and old inputs."""
        self._require_configured("Delete")
        name, type_ = _name_and_type(urn)
        request = provider_pb2.DeleteRequest(
            id=resource_id,
            urn=urn,
            name=name,
            type=type_,
            properties=self._wire(old_outputs),
            old_inputs=self._wire(old_inputs),
        )
        self._call("Delete", request, urn=urn, resource_id=resource_id)

    def invoke(
        self, token: str, args: PropertyMap, *, preview: bool
    ) -> tuple[PropertyMap, list[tuple[str, str]]]:
        """``Invoke``; if secret arguments had to be stripped, every result is marked secret."""
        self._require_configured("Invoke")
        request = provider_pb2.InvokeRequest(tok=token, args=self._wire(args), preview=preview)
        response = self._call("Invoke", request)
        result = from_struct(getattr(response, "return")) if response.HasField("return") else {}
        if contains_secrets(args) and not self.accept_secrets:
            result = {k: make_secret(v) for k, v in result.items()}
        return result, _failures(response)

    @staticmethod
    def _refuse_refresh_before_update(response: Any, urn: str) -> None:
        if response.refresh_before_update:
            raise NotModelled("the harness does not model refreshBeforeUpdate")

    def close(self) -> None:
        """Unload: ``Cancel``, so the plugin can shut down gracefully, then end it (``host.Close``)."""
        if self.closed or self.shared:
            self.closed = True
            return
        self.closed = True
        with contextlib.suppress(ProviderError):  # the engine ignores a failed Cancel too (IgnoreError)
            self._call("Cancel", empty_pb2.Empty())
        self.server.stop()


# ----------------------------------------------------------------------------------------- host


class PluginHost:
    """Finds, starts and probes provider plugins; owns every process started for the operation.

    ``pulumi-python`` is the one dynamic server the child started early: every load of it is a new view
    over that server (the harness starts one dynamic server per operation, where the engine would start a
    process per load; its calls are the same). No ``Handshake`` is sent to it, as before plugins were
    modelled.
    """

    def __init__(
        self,
        *,
        dynamic: ProviderServer,
        sources: dict[str, PluginSource],
        flags: EngineFlags,
        engine: EngineService,
        base_env: dict[str, str],
        program_dir: Path,
        project: str,
        config: PropertyMap,
        stderr_dir: Path,
        diagnostics: Diagnostics,
    ) -> None:
        self.dynamic = dynamic
        self.sources = sources
        self.flags = flags
        self.engine = engine
        self.base_env = base_env
        self.program_dir = program_dir
        self.project = project
        self.config = config
        self.stderr_dir = stderr_dir
        self.diagnostics = diagnostics
        self._lock = threading.Lock()
        self._instances: list[ProviderInstance] = []
        self._servers: list[ProviderServer] = [dynamic]
        self._launches = 0

    def load(self, package: str, version: SemVer | None, provider_urn: str) -> ProviderInstance:
        """``host.Provider``: a new instance of ``package``'s plugin, for the provider ``provider_urn``."""
        if package == DYNAMIC_PACKAGE:
            self.dynamic.provider = self.dynamic.provider or provider_urn
            self.dynamic.connect()
            instance = ProviderInstance(self.dynamic, package=package, provider_urn=provider_urn, shared=True)
        else:
            instance = self._load_plugin(package, version, provider_urn)
        with self._lock:
            self._instances.append(instance)
        return instance

    def _load_plugin(self, package: str, version: SemVer | None, provider_urn: str) -> ProviderInstance:
        source = self.sources.get(package)
        if source is None or (
            source.version is not None
            and version is not None
            and SemVer.parse_tolerant(source.version) != version
        ):
            raise PluginLoadError(missing_plugin_message(package, version))
        python = sys.executable
        binary = source.binary(package, python)
        if source.kind == "directory":
            self._check_plugin_folder(Path(source.target), binary)
        with self._lock:
            self._launches += 1
            number = self._launches
        args = plugin_arguments(self.flags, self.engine.address())
        package_config = {
            key.split(":", 1)[1]: str(strip_secrets(value))
            for key, value in self.config.items()
            if key.split(":", 1)[0] == package
        }
        stderr = (self.stderr_dir / f"plugin-{number:02d}-{package}.stderr").open("ab")
        try:
            proc = subprocess.Popen(
                source.command(python, args),
                cwd=self.program_dir,  # ctx.Pwd: the program's directory, for folders and binaries alike
                env=plugin_environment(self.base_env, project=self.project, package_config=package_config),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            stderr.close()
            raise PluginLoadError(f"failed to load plugin {binary}: {exc}") from None
        # The CLI hides a resource plugin's output (``unstructuredOutput``): its lines are debug diagnostics,
        # seen only with --debug. The harness also keeps stderr in a file, for debugging a failed test.
        server = ProviderServer(
            proc,
            stderr,
            label=f"plugin [{binary}]",
            provider=provider_urn,
            output=lambda line: self.diagnostics.log(engine_pb2.DEBUG, line),
        )
        with self._lock:
            self._servers.append(server)
        try:
            server.open()
        except RuntimeError as exc:
            raise PluginLoadError(str(exc)) from None  # "plugin [<path>] did not print its port ..."
        handshake = self._handshake(server, binary)
        info = server.call("GetPluginInfo", empty_pb2.Empty())
        self._warn_on_version(package, version, info.version)
        return ProviderInstance(server, package=package, provider_urn=provider_urn, handshake=handshake)

    @staticmethod
    def _check_plugin_folder(folder: Path, binary: str) -> None:
        """``ExecPlugin`` loads ``PulumiPlugin.yaml`` and asks its runtime's host to ``RunPlugin``."""
        manifest = folder / "PulumiPlugin.yaml"
        try:
            project = yaml.safe_load(manifest.read_text())
        except OSError as exc:
            raise PluginLoadError(
                f"failed to load plugin {binary}: loading PulumiPlugin.yaml: open {manifest}: {exc.strerror}"
            ) from None
        runtime = project.get("runtime") if isinstance(project, dict) else None
        name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if name != "python":
            raise NotModelled(f"{manifest}: the harness runs only python plugins (runtime: {name!r})")
        if not (folder / "__main__.py").exists():
            raise NotModelled(
                f"{folder}: the harness models only plugin folders with a __main__.py "
                "(RunPlugin's `python <dir>` mode), not `python -m pulumi.run.plugin`"
            )

    def _handshake(self, server: ProviderServer, binary: str) -> Any | None:
        """``handshake`` in ``provider_plugin.go``: UNIMPLEMENTED falls back to the older protocol.

        The engine has no mapper, loader or resolver service to offer here, so those targets are unset.
        """
        directory = str(Path(binary).parent)
        request = provider_pb2.ProviderHandshakeRequest(
            engine_address=self.engine.address(),
            root_directory=directory,
            program_directory=directory,
            configure_with_urn=True,
            supports_views=True,
            supports_refresh_before_update=True,
            invoke_with_preview=True,
            accepts_byte_string=True,
        )
        try:
            return server.call("Handshake", request)
        except ProviderError as exc:
            if exc.code.name == "UNIMPLEMENTED":
                return None
            raise PluginLoadError(f"failed to handshake with '{binary}': {exc.details}") from None

    def _warn_on_version(self, package: str, wanted: SemVer | None, reported: str) -> None:
        """``host.Provider``: a plugin older than the requested version is used, with a warning."""
        if wanted is None:
            return
        have = SemVer.parse_tolerant(reported) if reported else None
        if have is None or not have >= wanted:
            self.diagnostics.warning(
                f"resource plugin {package} is expected to have version >={wanted}, but has "
                f"{have if have is not None else ''}; the wrong version may be on your path, or this may be "
                "a bug in the plugin"
            )

    def servers(self) -> list[ProviderServer]:
        with self._lock:
            return list(self._servers)

    def close(self) -> None:
        """``host.Close``: every instance still loaded gets ``Cancel`` and is ended; then the dynamic one."""
        with self._lock:
            instances = list(self._instances)
        for instance in instances:
            instance.close()
        self.dynamic.stop()


# ------------------------------------------------------------------------------------- registry


class Registry:
    """``providers.Registry``: provider resources' CRUD, and the provider instance behind each reference."""

    def __init__(self, host: PluginHost, *, preview: bool, diagnostics: Diagnostics) -> None:
        self.host = host
        self.preview = preview
        self.diagnostics = diagnostics
        self._lock = threading.Lock()
        self._providers: dict[str, ProviderInstance] = {}  # "urn::id" -> configured instance
        self._unconfigured: dict[str, ProviderInstance] = {}  # urn -> instance loaded by Check

    def get(self, ref: str) -> ProviderInstance | None:
        with self._lock:
            return self._providers.get(ref)

    def _load(self, urn: str, inputs: PropertyMap) -> ProviderInstance:
        type_ = urn.split("::")[2].rsplit("$", 1)[-1]
        return self.host.load(provider_package(type_), _provider_version(inputs), urn)

    def check(self, urn: str, olds: PropertyMap, news: PropertyMap) -> CheckResult:
        """``Registry.Check``: load the plugin, ``CheckConfig``, and keep the instance unconfigured.

        The version stays as requested (a provider may not change it) and ``__internal`` is put back.
        """
        try:
            _provider_version(news)
        except ValueError as exc:
            return CheckResult({}, [("version", str(exc))])
        provider = self._load(urn, news)
        result = provider.check_config(urn, filter_provider_config(olds), filter_provider_config(news))
        if result.failures:
            provider.close()
            return CheckResult({}, result.failures)
        with self._lock:
            self._unconfigured[urn] = provider
        properties = dict(result.inputs)
        if "version" not in properties and "version" in news:
            properties["version"] = news["version"]
        if "version" in properties and "version" in news and properties["version"] != news["version"]:
            raise StepFailed(
                f'provider "{urn}" attempted to change version from "{news["version"]}" to '
                f'"{properties["version"]}"'
            )
        if INTERNAL_KEY in news:
            if INTERNAL_KEY in properties:
                self.diagnostics.warning(
                    "provider attempted to use __internal key that is reserved by the engine"
                )
            properties[INTERNAL_KEY] = news[INTERNAL_KEY]
        return CheckResult(properties)

    def diff(
        self,
        urn: str,
        provider_id: str,
        *,
        old_inputs: PropertyMap,
        old_outputs: PropertyMap,
        new_inputs: PropertyMap,
    ) -> DiffResult:
        """``Registry.Diff``: ``DiffConfig`` on the instance ``Check`` loaded; DIFF_UNKNOWN compares the old
        outputs with the new inputs. A replacement unloads that instance (its replacement is checked anew)."""
        with self._lock:
            provider = self._unconfigured.get(urn) or self._providers.get(f"{urn}::{provider_id}")
        if provider is None:
            raise RuntimeError(f"harness bug: Diff of provider {urn} before Check")
        filtered = filter_provider_config(new_inputs)
        diff = provider.diff_config(urn, filter_provider_config(old_inputs), old_outputs, filtered)
        if diff.changes == DIFF_UNKNOWN:
            diff.changes = DIFF_NONE if old_outputs == filtered else DIFF_SOME
        if diff.replace():
            provider.close()
        return diff

    def same(self, state: ResourceState, *, from_check: bool) -> None:
        """``Registry.Same``: configure with the stored inputs and register, unless already registered.

        From a same step (``from_check``) the instance ``Check`` loaded is reused; otherwise (a provider
        loaded from the checkpoint for a refresh, a delete or an import) a fresh one is loaded.
        """
        if state.id in ("", UNKNOWN):
            raise StepFailed(f"provider '{state.urn}' has an unknown ID")
        ref = f"{state.urn}::{state.id}"
        with self._lock:
            if ref in self._providers:
                return
            provider = self._unconfigured.pop(state.urn, None) if from_check else None
        if provider is None:
            provider = self._load(state.urn, state.inputs)
        provider.configure(urn=state.urn, provider_id=state.id, inputs=filter_provider_config(state.inputs))
        with self._lock:
            if from_check or ref not in self._providers:
                self._providers[ref] = provider
                return
        provider.close()  # another thread registered this reference meanwhile

    def create(self, urn: str, properties: PropertyMap) -> tuple[str, PropertyMap]:
        """``Registry.Create``: a new ID (unknown in a preview), ``Configure``, register; the outputs are the
        inputs without ``__internal``."""
        with self._lock:
            provider = self._unconfigured.pop(urn, None)
        if provider is None:
            provider = self._load(urn, properties)
        provider_id = UNKNOWN if self.preview else str(uuid.uuid4())
        filtered = filter_provider_config(properties)
        provider.configure(urn=urn, provider_id=provider_id, inputs=filtered)
        with self._lock:
            self._providers[f"{urn}::{provider_id}"] = provider
        return provider_id, filtered

    def update(self, urn: str, provider_id: str, new_inputs: PropertyMap) -> PropertyMap:
        """``Registry.Update``: configure the instance ``Check`` loaded with the new inputs, register it."""
        with self._lock:
            provider = self._unconfigured.pop(urn, None)
        if provider is None:
            raise RuntimeError(f"harness bug: 'Check' and 'Diff' must be called before 'Update' ({urn})")
        filtered = filter_provider_config(new_inputs)
        provider.configure(urn=urn, provider_id=provider_id, inputs=filtered)
        with self._lock:
            old = self._providers.get(f"{urn}::{provider_id}")
            self._providers[f"{urn}::{provider_id}"] = provider
        if old is not None and old is not provider:
            old.close()
        return filtered

    def delete(self, urn: str, provider_id: str) -> None:
        """``Registry.Delete``: unload the instance, if one was loaded; the plugin itself is not called."""
        with self._lock:
            provider = self._providers.pop(f"{urn}::{provider_id}", None)
        if provider is not None:
            provider.close()

    def ensure(self, state: ResourceState) -> ProviderInstance:
        """``Deployment.EnsureProvider``: the instance of a stored provider, loaded from its inputs."""
        self.same(state, from_check=False)
        provider = self.get(f"{state.urn}::{state.id}")
        assert provider is not None
        return provider
