"""The toy plugin's provider: ``toy:index:Widget`` resources and the ``toy:index:describe`` function.

Inputs steer it into the paths the engine must handle:

- ``label``: a change updates in place; an uppercase label fails ``Check`` (``must be lowercase``);
- ``shape``: a change replaces, said only through the detailed diff (``UPDATE_REPLACE``, no ``replaces``);
- ``size``, ``note`` (may be secret): updates; ``logMessage``: sent to the engine's ``Log`` at create, as a
  warning, with a debug line beside it;
- ``partialFailure``: the first create or update of the resource (by URN) that carries this reason changes
  the widget, then fails part-way (``PartialFailure``: the server sends ``ErrorResourceInitFailed`` with the
  widget's state, its outputs marked ``initialized: false``); later ones succeed;
- ``failUpdate``: every update fails with this reason before changing anything, an error without details.

Its config (``args`` of ``Configure``): ``store`` (else ``PULUMI_CONFIG``'s), ``greeting`` (copied to every
widget's outputs), ``supportsPreview`` / ``acceptSecrets`` (``"false"`` turns them off in the answer).
Outputs also say which provider instance made the widget (``providerName``, the ``Configure`` name).
Integers go out as floats and unknowns as the sentinel string: the SDK's ``PropertyValue`` rejects ints and
cannot send ``computed``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from tests.harness.toy_plugin import store as toy_store

__all__ = ["UNKNOWN", "PartialFailure", "ToyProvider"]

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's unknown sentinel, which the SDK's ``PropertyValue`` passes as a plain string."""
_DIFFED = ("label", "shape", "size", "note")


def to_plain(value: PropertyValue) -> Any:
    """A property value as JSON, secrets as ``{"@secret": value}``."""
    inner: Any = value.value
    if isinstance(inner, Mapping):
        inner = {k: to_plain(v) for k, v in inner.items()}
    elif isinstance(inner, tuple):
        inner = [to_plain(v) for v in inner]
    return {toy_store.SECRET_KEY: inner} if value.is_secret else inner


def from_plain(value: Any) -> PropertyValue:
    """The inverse of ``to_plain``; numbers become floats (``PropertyValue(5)`` raises)."""
    if isinstance(value, dict) and set(value) == {toy_store.SECRET_KEY}:
        return from_plain(value[toy_store.SECRET_KEY]).with_secret(True)
    if isinstance(value, dict):
        return PropertyValue({k: from_plain(v) for k, v in value.items()})
    if isinstance(value, list):
        return PropertyValue([from_plain(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def _plain_map(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    return {k: to_plain(v) for k, v in props.items()}


def _value(props: Mapping[str, PropertyValue], key: str) -> Any:
    """A property's plain value, secretness dropped (``None`` if missing)."""
    prop = props.get(key)
    return None if prop is None else prop.value


class PartialFailure(Exception):
    """A create or update that changed the widget and then failed; ``outputs`` is the widget as it now is."""

    def __init__(self, reason: str, widget_id: str, outputs: Mapping[str, PropertyValue]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.widget_id = widget_id
        self.outputs = dict(outputs)


class ToyProvider(Provider):
    """The provider; one instance per plugin process, as the engine loads one plugin per provider."""

    def __init__(self, engine_address: str) -> None:
        self.engine_address = engine_address
        self._engine: Any = None
        self.identity: dict[str, str] = {}  # urn, name, type and id of the provider resource (Configure)
        self.config: dict[str, Any] = {}
        self.store = json.loads(os.environ.get("PULUMI_CONFIG", "{}")).get("store", "")

    # ------------------------------------------------------------------------------------- engine

    def log(self, severity: engine_pb2.LogSeverity.ValueType, message: str, urn: str = "") -> None:
        """Tell the user something through the engine's ``Log`` (the CLI hides a plugin's stderr)."""
        if self._engine is None:
            self._engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(self.engine_address))
        self._engine.Log(engine_pb2.LogRequest(severity=severity, message=message, urn=urn), timeout=10)

    @property
    def name(self) -> str:
        return self.identity.get("name", "")

    # ------------------------------------------------------------------------------ configuration

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        self.config = _plain_map(request.args)
        self.store = str(_value(request.args, "store") or self.store)
        toy_store.append(
            self.store,
            "configures",
            {
                **self.identity,
                "variables": dict(request.variables),
                "args": self.config,
                "accept_secrets": request.accept_secrets,
                "accept_resources": request.accept_resources,
            },
        )
        self.log(engine_pb2.INFO, f"toy provider {self.name} configured")
        self.log(engine_pb2.DEBUG, f"toy provider {self.name}: configuration keys {sorted(self.config)}")
        return ConfigureResponse(
            accept_secrets=_value(request.args, "acceptSecrets") != "false",
            supports_preview=_value(request.args, "supportsPreview") != "false",
        )

    # ---------------------------------------------------------------------------------- resources

    async def check(self, request: CheckRequest) -> CheckResponse:
        label = _value(request.new_inputs, "label")
        failures = []
        if isinstance(label, str) and label != label.lower():
            failures.append(CheckFailure("label", "must be lowercase"))
        return CheckResponse(inputs=dict(request.new_inputs), failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        detailed: dict[str, PropertyDiff] = {}
        for key in _DIFFED:
            old, new = _value(request.old_state, key), _value(request.new_inputs, key)
            if old == new:
                continue
            replace = key == "shape"
            if old is None:
                kind = PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
            elif new is None:
                kind = PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
            else:
                kind = PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE
            detailed[key] = PropertyDiff(kind, input_diff=False)
        # No ``replaces``: a replacement is said only through the detailed diff's kinds.
        return DiffResponse(changes=bool(detailed), diffs=sorted(detailed), detailed_diff=detailed)

    def _outputs(
        self, inputs: Mapping[str, PropertyValue], serial: PropertyValue
    ) -> dict[str, PropertyValue]:
        outputs = {k: v for k, v in inputs.items() if k != "logMessage"}
        outputs["serial"] = serial
        outputs["greeting"] = from_plain(self.config.get("greeting"))
        outputs["providerName"] = PropertyValue(self.name)
        return outputs

    def _write(
        self, widget_id: str, inputs: Mapping[str, PropertyValue], outputs: Mapping[str, PropertyValue]
    ) -> None:
        toy_store.write_widget(Path(self.store), widget_id, _plain_map(inputs), _plain_map(outputs))

    def _op(self, op: str, widget_id: str, label: Any) -> None:
        toy_store.append(
            self.store, "ops", {"op": op, "id": widget_id, "label": label, "provider": self.name}
        )

    def _fail_part_way(
        self, urn: str, widget_id: str, inputs: Mapping[str, PropertyValue], outputs: dict[str, PropertyValue]
    ) -> None:
        """Raise ``PartialFailure`` if ``partialFailure`` asks for it and has not failed this resource yet."""
        reason = _value(inputs, "partialFailure")
        if not reason:
            return
        failed = toy_store.records(Path(self.store), "partial-failures")
        if any(r["urn"] == urn and r["reason"] == reason for r in failed):
            return
        toy_store.append(self.store, "partial-failures", {"urn": urn, "id": widget_id, "reason": reason})
        partial = {**outputs, "initialized": PropertyValue(False)}
        self._write(widget_id, inputs, partial)
        raise PartialFailure(str(reason), widget_id, partial)

    async def create(self, request: CreateRequest) -> CreateResponse:
        if request.preview:
            # The ID and the serial are known only after the update.
            return CreateResponse(None, self._outputs(request.properties, PropertyValue(UNKNOWN)))
        widget_id = f"widget-{secrets.token_hex(4)}"
        outputs = self._outputs(request.properties, PropertyValue(secrets.token_hex(4)))
        self._write(widget_id, request.properties, outputs)
        self._op("create", widget_id, _value(request.properties, "label"))
        self._fail_part_way(request.urn, widget_id, request.properties, outputs)
        message = _value(request.properties, "logMessage")
        if message:
            self.log(engine_pb2.WARNING, str(message), request.urn)
            self.log(engine_pb2.DEBUG, f"debug: created {widget_id}", request.urn)
        return CreateResponse(widget_id, outputs)

    async def read(self, request: ReadRequest) -> ReadResponse:
        toy_store.append(
            self.store,
            "ops",
            {
                "op": "read",
                "id": request.resource_id,
                "provider": self.name,
                "sent_inputs": sorted(request.inputs),
                "sent_state": sorted(request.properties),
            },
        )
        path = Path(self.store) / f"{request.resource_id}.json"
        if not path.exists():
            return ReadResponse(None)  # the server sends an empty answer for this (``server.py``)
        stored = json.loads(path.read_text())
        inputs = {k: from_plain(v) for k, v in stored["inputs"].items()}
        outputs = {k: from_plain(v) for k, v in stored["outputs"].items()}
        return ReadResponse(request.resource_id, outputs, inputs)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        serial = request.olds.get("serial", PropertyValue(UNKNOWN))
        outputs = self._outputs(request.news, serial)
        if not request.preview:
            refusal = _value(request.news, "failUpdate")
            if refusal:
                raise ValueError(f"update refused: {refusal}")
            self._write(request.resource_id, request.news, outputs)
            self._op("update", request.resource_id, _value(request.news, "label"))
            self._fail_part_way(request.urn, request.resource_id, request.news, outputs)
        return UpdateResponse(outputs)

    async def delete(self, request: DeleteRequest) -> None:
        (Path(self.store) / f"{request.resource_id}.json").unlink(missing_ok=True)
        self._op("delete", request.resource_id, _value(request.properties, "label"))

    # ---------------------------------------------------------------------------------- functions

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        if request.tok != "toy:index:describe":
            raise ValueError(f"unknown function {request.tok}")
        toy_store.append(
            self.store, "ops", {"op": "invoke", "provider": self.name, "args": _plain_map(request.args)}
        )
        reason = _value(request.args, "fail")
        if reason:
            return InvokeResponse(failures=[CheckFailure("fail", str(reason))])
        return InvokeResponse(
            return_value={
                "subject": request.args.get("subject", PropertyValue.null()),
                "greeting": from_plain(self.config.get("greeting")),
                "providerName": PropertyValue(self.name),
            }
        )
