"""What the shared test tables need to know of each registered key resource, written per backend.

The shared tables (lifecycle scenarios, bad input, secret hygiene, the fault suite) run over
``under_test()``: one ``ResourceUnderTest`` per key resource the registry knows. A registered
resource with no description fails the tables rather than escaping them, so a new backend is
covered as soon as its test folder describes it (``tests/toy_backend/under_test.py`` shows how).
"""

from __future__ import annotations

import dataclasses
import importlib
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pulumi_apikeys import registry
from pulumi_apikeys.core.backend import Backend
from pulumi_apikeys.core.declaration import PLUGIN_PACKAGE, KeyResource, wire_name
from pulumi_apikeys.emulator import RunningEmulator
from tests.harness import Secret, UpResult
from tests.harness.plugins import PluginSource

__all__ = [
    "PLUGINS",
    "PLUGIN_DIR",
    "Face",
    "ResourceUnderTest",
    "describe",
    "every_face",
    "stack_config",
    "under_test",
]

Face = Literal["dynamic", "plugin"]
"""How a program reaches the resource: the Python dynamic provider, or the provider plugin through
its generated Python SDK (``pulumi_apikeys_native``)."""

PLUGIN_DIR = Path(__file__).resolve().parents[2] / "provider"
"""The plugin folder, as a project's ``packages:`` entry names it."""
PLUGINS = {PLUGIN_PACKAGE: PluginSource.directory(PLUGIN_DIR)}
"""A project's ``packages:`` with the plugin: harmless to a program of dynamic resources only."""


@dataclass(frozen=True)
class ResourceUnderTest:
    """One key resource as a test drives it: in a program, through the emulator, by its client."""

    backend: str
    """The registry name of its backend."""
    resource: KeyResource[Any, Any]
    import_line: str
    """The program line importing its class, e.g. ``from pulumi_apikeys.openai import AdminApiKey``."""
    class_name: str
    """The resource's class in a program."""
    other_inputs: dict[str, Any]
    """What a key declares besides its ``name`` (an organization, scopes)."""
    get_inputs: dict[str, Any]
    """What ``get`` takes besides the id."""
    collection_path: str
    """Where a create POSTs (as the emulator logs it)."""
    item_path: Callable[[str], str]
    """Where a delete of this id goes."""
    lookup_requests: Callable[[str], list[tuple[str, str]]]
    """``(method, path)`` of the requests that find the key with this id (a retrieve, or a list)."""
    value_prefix: str
    """How every key value the emulator makes begins."""
    create_out_of_band: Callable[[RunningEmulator, str], str]
    """Creates a key named so by the client, outside Pulumi; its id."""
    create_with_value: Callable[[RunningEmulator, str], tuple[str, str]]
    """Creates a key named so with one create request, outside Pulumi; its id and value."""
    credential_option: str
    """The emulator service's option holding the credential it accepts."""
    delete_out_of_band: Callable[[RunningEmulator, str], object]
    """Deletes (revokes) the key with this id by the client, outside Pulumi."""
    live_keys: Callable[[RunningEmulator], dict[str, str]]
    """``{id: name}`` of the keys that exist and work."""
    value_is_of: Callable[[RunningEmulator, str, str], bool]
    """Whether ``value`` is the value of the key with this id, by the emulator's own record."""
    missing_id: str
    """An id of the API's shape that no key has."""
    get_missing_message: str
    """What ``get`` of ``missing_id`` says (part of the error)."""
    create_call: str
    """The name errors give the create call, e.g. ``openai.admin_api_keys.create``."""
    import_example: str
    """The id the import check's messages give as an example."""
    refused_credential_message: str
    """The API's own message when it refuses a wrong credential (401)."""
    notes: dict[str, Any] = field(default_factory=dict)
    face: Face = "dynamic"
    plugin_get_missing_message: str = ""
    """What a plugin ``get`` of ``missing_id`` says: the plugin sees an id-only read, as an import."""
    plugin_import_id: Callable[[str], str] = lambda key_id: key_id
    """The id the plugin imports the key with this id by (``KeyResource.parse_import_id``)."""
    use_path: str | None = None
    """Where a consumer uses a key's value (a GET the API answers 200 with it); ``None``: the
    collection (the Admin keys and capy accept their own keys there)."""

    def import_id(self, key_id: str) -> str:
        """The id ``import_=`` takes for the key with this id, on this face."""
        return key_id if self.face == "dynamic" else self.plugin_import_id(key_id)

    @property
    def id(self) -> str:
        """The pytest id: the resource's type token, short (``plugin/`` first for the plugin face)."""
        short = f"{self.resource.module}:{self.resource.name}"
        return short if self.face == "dynamic" else f"plugin/{short}"

    @property
    def token(self) -> str:
        """The type token in URNs and diagnostics."""
        return self.resource.type_name if self.face == "dynamic" else self.resource.plugin_type_name

    @property
    def plugins(self) -> dict[str, PluginSource]:
        """The ``packages:`` a stack of this face needs: the plugin folder, or none."""
        return dict(PLUGINS) if self.face == "plugin" else {}

    def provider_output(self, result: UpResult) -> str:
        """What the provider told the user during ``result``: a dynamic provider writes to stderr (the
        engine prints it), the plugin sends ``Log`` calls (the engine hides a plugin's stderr)."""
        return result.provider_stderr if self.face == "dynamic" else "\n".join(result.diagnostics)

    @property
    def value_attribute(self) -> str:
        """The attribute holding the key's value in a program (``value``; a service account's
        ``api_key_value``), as this face spells it."""
        return self.resource.value_output

    @property
    def value_key(self) -> str:
        """The output holding the key's value in state, as this face spells it (``value``; a
        service account's ``api_key_value``, the plugin's ``apiKeyValue``)."""
        return self.shown(self.resource.value_output)

    def shown(self, name: str) -> str:
        """A property's name as this face's messages spell it (the plugin's schema: camelCase)."""
        return name if self.face == "dynamic" else wire_name(name)

    def on_plugin(self) -> ResourceUnderTest:
        """The same resource, declared through the plugin's generated SDK."""
        return dataclasses.replace(
            self,
            face="plugin",
            import_line=self.import_line.replace("pulumi_apikeys.", "pulumi_apikeys_native.", 1),
            get_missing_message=self.plugin_get_missing_message or self.get_missing_message,
        )

    @property
    def settings(self) -> Backend:
        return registry.backend(self.backend)

    def program(self, body: str) -> str:
        """A program's source: the imports, then ``body``."""
        return f"import pulumi\n{self.import_line}\n" + textwrap.dedent(body)

    def inputs(self, key_name: str) -> dict[str, Any]:
        """The inputs of one key named ``key_name``."""
        return {"name": key_name, **self.other_inputs}

    def declare(self, resource_name: str, name_source: str, extra: str = "") -> str:
        """The program expression declaring one key, its name given as source text (``"None"``, ``"42"``)."""
        others = "".join(f", {k}={v!r}" for k, v in self.other_inputs.items())
        return f"{self.class_name}({resource_name!r}, name={name_source}{others}{extra})"

    def key(self, resource_name: str, key_name: str, extra: str = "") -> str:
        """The expression declaring one key named ``key_name``."""
        return self.declare(resource_name, repr(key_name), extra)

    def get(self, resource_name: str, key_id: str) -> str:
        """The program expression reading the existing key ``key_id``."""
        others = "".join(f", {k}={v!r}" for k, v in self.get_inputs.items())
        return f"{self.class_name}.get({resource_name!r}, {key_id!r}{others})"

    def one_key(self, resource_name: str = "ci", key_name: str = "CI", extra: str = "") -> str:
        """A program declaring one key and exporting its value and id."""
        return self.program(
            f"""
            {resource_name} = {self.declare(resource_name, repr(key_name), extra)}
            pulumi.export("{resource_name}_key", {resource_name}.{self.value_attribute})
            pulumi.export("{resource_name}_id", {resource_name}.id)
            """
        )


_described: dict[str, ResourceUnderTest] = {}
_BUILTIN_DESCRIPTIONS = ("tests.backends.openai", "tests.backends.capy", "tests.backends.openai_projects")


def describe(description: ResourceUnderTest) -> ResourceUnderTest:
    """Adds a resource's description to the shared tables."""
    _described[description.resource.type_name] = description
    return description


def under_test() -> list[ResourceUnderTest]:
    """A description of every registered key resource, in registry order.

    Raises:
        LookupError: a registered resource has no description (the tables would silently skip it).
    """
    for module in _BUILTIN_DESCRIPTIONS:
        importlib.import_module(module)
    missing = [r.type_name for r in registry.key_resources() if r.type_name not in _described]
    if missing:
        raise LookupError(f"no test description for {', '.join(missing)}: describe it in its test folder")
    return [_described[r.type_name] for r in registry.key_resources()]


def every_face() -> list[ResourceUnderTest]:
    """``under_test()``, then each built-in resource again on the plugin face.

    A backend registered from outside (the toy vendor) has no plugin face: the plugin serves the
    built-in backends, which its schema and generated SDK describe.
    """
    dynamic = under_test()
    builtin = {r.type_name for r in registry.key_resources(registry.builtin())}
    return dynamic + [s.on_plugin() for s in dynamic if s.resource.type_name in builtin]


def stack_config(backend: Backend, emulator: RunningEmulator) -> dict[str, object]:
    """The stack config pointing the backend's resources at the emulator, the credential a secret."""
    endpoint = emulator.endpoint(backend.name)
    return {
        backend.base_url.config_key: endpoint.base_url,
        backend.credential.config_key: Secret(endpoint.credential),
    }
