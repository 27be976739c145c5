"""The provider plugin's requests in, ``KeyLifecycle`` calls out: the second face over the one core.

One ``KeysProvider`` serves every built-in key resource (``apikeys:<module>:<Name>``) and lookup
function (``apikeys:<module>:get<Name>s``) of the ``apikeys`` package. The experimental server
runs every handler on one asyncio loop, so each blocking lifecycle call runs in a thread: N
creates in flight are N API calls at once, not one after the other.

What the engine sends and expects, and where it differs from the dynamic face:

- ``configure`` gets the stack's ``apikeys:*`` config (or an explicit provider's arguments) in
  ``args`` keyed by the bare name (``openaiAdminKey``); the deprecated ``variables`` map, keyed
  ``apikeys:config:<key>``, is read only for a key ``args`` lacks. Secrets arrive as secrets.
- The answer says ``acceptSecrets`` (secret inputs arrive wrapped, and the key's value goes out
  wrapped) and ``supportsPreview`` (a preview's create returns the outputs it cannot know yet
  as unknowns, so ``value`` previews as a secret to come, not as absent).
- ``diff`` always fills ``detailed_diff``: the server sends ``hasDetailedDiff``, and without it
  the CLI would show no changed property. ``diff_config`` is left to the SDK (overriding it is
  broken in the SDK: a change goes out as none).
- ``read`` with neither state nor inputs is ``pulumi import``: the key must exist (the SDK would
  otherwise answer an empty state, which the engine takes as success), and its declared inputs
  come back as the resource's inputs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

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
    GetSchemaRequest,
    GetSchemaResponse,
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

from pulumi_apikeys.core.declaration import Declared, KeyResource, Property
from pulumi_apikeys.core.lifecycle import KeyLifecycle, stack_settings
from pulumi_apikeys.core.lifecycles import Lifecycle, declarations, lifecycle_of
from pulumi_apikeys.core.stack_config import CONFIG_NAMESPACE, StackConfig
from pulumi_apikeys.errors import ConfigurationError, PartialUpdateError
from pulumi_apikeys.plugin.wire import UNKNOWN, Incoming, is_unknown, to_wire, unwire

__all__ = ["KeysProvider", "PartialFailure", "config_values"]

T = TypeVar("T")

_LEGACY_PREFIX = f"{CONFIG_NAMESPACE}:config:"


def _wire_key(prop: Property) -> str:
    return prop.wire_name


def _config_text(key: str, value: PropertyValue) -> str | None:
    """A setting as the text the core reads: strings as they are, whole numbers without ``.0``."""
    inner = value.value
    if inner is None or is_unknown(inner):
        return None
    if isinstance(inner, bool):
        return "true" if inner else "false"
    if isinstance(inner, float):
        return str(int(inner)) if inner.is_integer() else str(inner)
    if isinstance(inner, str):
        return inner
    raise ConfigurationError(
        f"The provider setting {CONFIG_NAMESPACE}:{key} must be a string or a number, not a "
        f"{type(inner).__name__}."
    )


def config_values(request: ConfigureRequest) -> dict[str, str]:
    """The settings of one provider, keyed ``apikeys:<key>``: ``args`` first, then ``variables``."""
    values: dict[str, str] = {}
    for key, value in request.args.items():
        text = _config_text(key, value)
        if text is not None:
            values[f"{CONFIG_NAMESPACE}:{key}"] = text
    for legacy_key, text in request.variables.items():
        if legacy_key.startswith(_LEGACY_PREFIX):
            values.setdefault(f"{CONFIG_NAMESPACE}:{legacy_key[len(_LEGACY_PREFIX) :]}", text)
    return values


def _type_of(urn: str) -> str:
    """The resource's type token: the URN's type, without the parent types before ``$``."""
    return urn.split("::")[2].rsplit("$", 1)[-1]


def _diff_kind(old: object, new: object, *, replaces: bool) -> PropertyDiffKind:
    if old is None:
        return PropertyDiffKind.ADD_REPLACE if replaces else PropertyDiffKind.ADD
    if new is None:
        return PropertyDiffKind.DELETE_REPLACE if replaces else PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE_REPLACE if replaces else PropertyDiffKind.UPDATE


class KeysProvider(Provider):
    """Every key resource of ``resources``, and its rotating pair, behind one plugin; made by
    ``plugin.server``.

    ``resources`` is called once, on the first request that needs it: importing the backends
    (their models and HTTP clients) would otherwise delay the port the engine waits for.
    """

    def __init__(
        self, resources: Callable[[], tuple[KeyResource[Any, Any], ...]], schema: Callable[[], str]
    ) -> None:
        self._load_resources = resources
        self._load_schema = schema
        self._lock = threading.Lock()
        self._resources: dict[str, Declared] | None = None
        self._functions: dict[str, KeyResource[Any, Any]] = {}
        self._config_values: Mapping[str, str] = {}
        self._lifecycles: dict[str, Lifecycle] = {}

    # ------------------------------------------------------------------------------ plumbing

    def _by_token(self) -> dict[str, Declared]:
        with self._lock:
            if self._resources is None:
                resources = self._load_resources()
                self._resources = {r.plugin_type_name: r for r in declarations(resources)}
                self._functions = {
                    f"{CONFIG_NAMESPACE}:{r.module}:{r.listing.name}": r
                    for r in resources
                    if r.listing is not None
                }
            return self._resources

    def _lifecycle(self, token: str) -> Lifecycle:
        resource = self._by_token().get(token)
        if resource is None:
            known = ", ".join(sorted(self._by_token()))
            raise ConfigurationError(f"The apikeys plugin has no resource {token!r}; it has {known}.")
        with self._lock:
            lifecycle = self._lifecycles.get(token)
            if lifecycle is None:
                config = StackConfig.read(self._config_lookup, stack_settings(resource))
                lifecycle = lifecycle_of(resource, config, is_unknown=is_unknown)
                self._lifecycles[token] = lifecycle
            return lifecycle

    def _config_lookup(self, key: str) -> object:
        return self._config_values.get(key)

    @staticmethod
    async def _run(function: Callable[..., T], *args: Any) -> T:
        # The one asyncio loop must stay free for the other requests: the API call runs in a thread.
        return await asyncio.to_thread(function, *args)

    # ------------------------------------------------------------------------------ provider

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        """The package schema: the same text as ``schema.json`` (a test keeps them equal)."""
        return GetSchemaResponse(schema=await self._run(self._load_schema))

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Keeps this provider's settings; the API clients are made when first needed."""
        values = config_values(request)
        await self._run(self._by_token)
        with self._lock:
            self._config_values = values
            self._lifecycles.clear()
        return ConfigureResponse(accept_secrets=True, supports_preview=True)

    # ------------------------------------------------------------------------------ resources

    async def check(self, request: CheckRequest) -> CheckResponse:
        """Validates the declared inputs, naming each wrong property as the schema spells it."""
        lifecycle = await self._run(self._lifecycle, _type_of(request.urn))
        inputs = lifecycle.resource.plugin_inputs
        given = {key: _plain_for_check(value) for key, value in request.new_inputs.items()}
        checked = lifecycle.check(given, key_of=_wire_key)
        secret = unwire(request.new_inputs, inputs).secret
        return CheckResponse(
            inputs=to_wire(checked.inputs, inputs, secret=secret),
            failures=[CheckFailure(p.property, p.reason) for p in checked.problems],
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """Replaces or updates, with the detailed diff the CLI shows; a key due for rotation names
        its cause (``rotateAfterSeconds``, ``expiresAt``) and logs why and since when."""
        lifecycle = await self._run(self._lifecycle, _type_of(request.urn))
        resource = lifecycle.resource
        olds = unwire(request.old_state, resource.properties).values
        news = unwire(request.new_inputs, resource.plugin_inputs).values
        diff = await self._run(lambda: lifecycle.diff(request.resource_id, olds, news, key_of=_wire_key))
        detailed = {}
        for name in diff.changed:
            prop = resource.property_named(name)
            # A cause that is no input (an expired key's `expiresAt`) changes value, not presence.
            old, new = (olds.get(name), news.get(name)) if prop.input else (True, True)
            kind = _diff_kind(old, new, replaces=name in diff.replaces)
            detailed[prop.wire_name] = PropertyDiff(kind, input_diff=prop.input)
        return DiffResponse(
            changes=diff.changes,
            replaces=[resource.property_named(name).wire_name for name in diff.replaces],
            diffs=list(detailed),
            detailed_diff=detailed,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        """Creates the key; a preview answers what it will know only once the key exists as unknown."""
        lifecycle = await self._run(self._lifecycle, _type_of(request.urn))
        resource = lifecycle.resource
        incoming = unwire(request.properties, resource.plugin_inputs)
        if request.preview:
            return CreateResponse(
                resource_id="",
                properties=self._outputs(resource, _preview_outputs(resource, incoming), incoming),
            )
        created = await self._run(lifecycle.create, incoming.values)
        return CreateResponse(created.id, self._outputs(resource, created.outputs, incoming))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """Refreshes the key; with only an id (``pulumi import``) finds it or fails naming the id."""
        lifecycle = await self._run(self._lifecycle, _type_of(request.urn))
        resource = lifecycle.resource
        if not request.properties and not request.inputs:
            found = await self._run(lifecycle.import_read, request.resource_id)
            empty = Incoming({}, frozenset())
            return ReadResponse(
                found.id,
                self._outputs(resource, found.outputs, empty),
                to_wire(found.inputs, resource.plugin_inputs),
            )
        props = unwire(request.properties or request.inputs, resource.properties)
        refreshed = await self._run(lifecycle.read, request.resource_id, props.values)
        if refreshed is None:
            return ReadResponse(resource_id="", properties={}, inputs={})
        return ReadResponse(
            refreshed.id,
            self._outputs(resource, refreshed.outputs, props),
            to_wire(refreshed.inputs, resource.plugin_inputs, secret=props.secret),
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """Records new settings, or rotates a pair. A rotation stopped part-way goes to the engine
        as a partial failure carrying the state as it now is (``plugin.server`` sends it)."""
        lifecycle = await self._run(self._lifecycle, _type_of(request.urn))
        resource = lifecycle.resource
        olds = unwire(request.olds, resource.properties)
        news = unwire(request.news, resource.plugin_inputs)
        if request.preview:
            # supportsPreview: the engine calls Update in a preview too; nothing may change then.
            planned = lifecycle.planned_update(request.resource_id, olds.values, news.values, unknown=UNKNOWN)
            return UpdateResponse(self._outputs(resource, planned, news))
        try:
            outputs = await self._run(lifecycle.update, request.resource_id, olds.values, news.values)
        except PartialUpdateError as error:
            raise PartialFailure(
                str(error), request.resource_id, self._outputs(resource, error.outputs, olds)
            ) from error
        return UpdateResponse(self._outputs(resource, outputs, news))

    async def delete(self, request: DeleteRequest) -> None:
        """Deletes (or revokes) the key; one already gone counts as deleted."""
        lifecycle = await self._run(self._lifecycle, _type_of(request.urn))
        props = unwire(request.properties, lifecycle.resource.properties)
        await self._run(lifecycle.delete, request.resource_id, props.values)

    # ------------------------------------------------------------------------------ functions

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """A lookup function: the records of the keys it finds, never a value."""
        await self._run(self._by_token)
        resource = self._functions.get(request.tok)
        if resource is None or resource.listing is None:
            known = ", ".join(sorted(self._functions))
            raise ConfigurationError(f"The apikeys plugin has no function {request.tok!r}; it has {known}.")
        lifecycle = await self._run(self._lifecycle, resource.plugin_type_name)
        assert isinstance(lifecycle, KeyLifecycle)  # functions list a key resource's keys
        given = {key: _plain_for_check(value) for key, value in request.args.items()}
        checked = lifecycle.check_listing(given, key_of=_wire_key)
        if checked.problems:
            return InvokeResponse(failures=[CheckFailure(p.property, p.reason) for p in checked.problems])
        records = await self._run(lifecycle.list_records, checked.inputs)
        fields = resource.record_properties
        return InvokeResponse(
            return_value={"keys": PropertyValue([PropertyValue(to_wire(r, fields)) for r in records])}
        )

    # ------------------------------------------------------------------------------ helpers

    @staticmethod
    def _outputs(
        resource: Declared, outputs: Mapping[str, Any], incoming: Incoming
    ) -> dict[str, PropertyValue]:
        return to_wire(outputs, [p for p in resource.properties if p.output], secret=incoming.secret)


class PartialFailure(Exception):
    """An update that changed the resource before it failed: what the engine records instead.

    ``plugin.server`` sends it as the engine's partial failure (an ``ErrorResourceInitFailed``
    detail, as ``provider_plugin.go``'s ``parseError`` reads it): the engine stores
    ``properties`` and updates the resource again on the next ``up``.
    """

    def __init__(self, message: str, resource_id: str, properties: dict[str, PropertyValue]) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.properties = properties


def _plain_for_check(value: PropertyValue) -> Any:
    """An input as ``check`` reads it: the plain value, secrets unwrapped, unknowns as the sentinel."""
    inner = value.value
    if is_unknown(inner):
        return UNKNOWN
    if isinstance(inner, tuple):
        return [_plain_for_check(item) for item in inner]
    if isinstance(inner, Mapping):
        return {key: _plain_for_check(item) for key, item in inner.items()}
    return inner


def _preview_outputs(resource: Declared, incoming: Incoming) -> dict[str, Any]:
    """A preview's outputs: the declared inputs as checked, everything the API decides unknown."""
    outputs: dict[str, Any] = {}
    for prop in resource.properties:
        if not prop.output:
            continue
        if prop.input:
            value = incoming.values.get(prop.name)
            outputs[prop.name] = value if is_unknown(value) else prop.normalized(value)
        else:
            outputs[prop.name] = UNKNOWN
    return outputs
