"""A key resource declared once: its properties, how they behave, and the hooks onto its API.

Nothing here imports the Pulumi SDK. The lifecycle (``core.lifecycle``) runs every resource from
its declaration; the schema (``pulumi_apikeys.schema``), the dynamic resource's secret outputs and
the docs tables are derived from the same declaration, so none can drift from another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pulumi_apikeys.core.checks import InputCheck, resource_id
from pulumi_apikeys.core.stack_config import CONFIG_NAMESPACE, Setting, StackConfig
from pulumi_apikeys.settings import RetryPolicy

__all__ = [
    "ADOPT_ID",
    "DYNAMIC_PACKAGE",
    "PLUGIN_PACKAGE",
    "Compare",
    "Declared",
    "KeyResource",
    "Listing",
    "Lookup",
    "NewKey",
    "ObjectType",
    "Property",
    "PropertyType",
    "adoption_input",
    "dynamic_token",
    "plugin_token",
    "value_output",
    "wire_name",
]

ADOPT_ID = "adopt_id"
"""The input holding the id of an existing key to adopt instead of creating one (see ``dynamic.adoption``)."""

DYNAMIC_PACKAGE = "pulumi-python"
"""The package of every Python dynamic resource's type token: ``pulumi-python:dynamic/<module>:<Name>``."""

PropertyType = Literal["string", "integer", "boolean", "array", "object"]
Compare = Literal["value", "set"]
"""How a change of an input is seen: any difference (``value``), or a different set of elements."""

ClientT = TypeVar("ClientT")
KeyT = TypeVar("KeyT")


PLUGIN_PACKAGE = CONFIG_NAMESPACE
"""The provider plugin's package: its tokens are ``apikeys:<module>:<Name>`` and its config namespace
is the stack's ``apikeys:``, the same settings the dynamic provider reads."""


def dynamic_token(module: str, name: str) -> str:
    """The type token Pulumi gives a Python dynamic resource (or type) ``name`` in ``module``."""
    return f"{DYNAMIC_PACKAGE}:dynamic/{module}:{name}"


def plugin_token(module: str, name: str) -> str:
    """The token of a resource, type or function ``name`` of the provider plugin, in ``module``."""
    return f"{PLUGIN_PACKAGE}:{module}:{name}"


def wire_name(name: str) -> str:
    """A declared (snake_case) name as the plugin's schema spells it: ``organization_id`` is
    ``organizationId``. Every Pulumi language's SDK maps it back to its own style (Python's
    generated SDK to ``organization_id`` again); the dynamic face keeps the declared names."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class ObjectType:
    """A named object type, such as a key's owner; its token is its resource's module plus ``name``."""

    name: str
    description: str
    properties: tuple[Property, ...]


@dataclass(frozen=True)
class Property:
    """A property of a resource: an input, an output or both."""

    name: str
    type: PropertyType
    description: str
    input: bool = False
    """Declared by the program."""
    required: bool = False
    """Required as an input if ``input``; always present as an output otherwise."""
    output: bool = True
    secret: bool = False
    """Stored and shown only as a Pulumi secret."""
    replaces: bool = False
    """A change of this input replaces the resource (there is no update call for it)."""
    updates: bool = False
    """A change of this input is sent to the API by the resource's ``update`` hook: the key, its id
    and its value stay (a project key's scopes). Neither this nor ``replaces``: state only."""
    compare: Compare = "value"
    """How ``diff`` (and adoption) compare this input's old and new values."""
    check: InputCheck | None = None
    """How ``check`` reads this input (``core.checks``); ``None`` for outputs."""
    object_type: ObjectType | None = None
    items: PropertyType | None = None
    """The type of an ``array``'s elements, or of an ``object``'s values when it is a map."""
    stored_only: bool = False
    """An input the API never reports (a declared lifetime, a rotation setting): state keeps it,
    and a lookup function's records leave it out."""

    @property
    def wire_name(self) -> str:
        """Its name in the plugin's schema and on the plugin's wire (``wire_name``)."""
        return wire_name(self.name)

    def normalized(self, value: Any) -> Any:
        """The input in the one form outputs hold: a set as a sorted list, an integer as an int.

        Numbers cross gRPC as floats, so a checked ``3600`` may come back as ``3600.0``.
        """
        if value is None:
            return None
        if self.compare == "set":
            return sorted(set(value))
        if self.type == "integer":
            return int(value)
        if self.type == "object" and self.object_type is None and isinstance(value, Mapping):
            return {key: value[key] for key in sorted(value)}
        return value


def adoption_input(*, example: str, of: str = "key") -> Property:
    """The ``adopt_id`` input every key resource has: the id from ``import_``, checked like ``example``."""
    return Property(
        ADOPT_ID,
        "string",
        f"Set from `ResourceOptions(import_=...)`: the id of an existing {of} to adopt instead of "
        "creating one. Ignored once adopted.",
        input=True,
        output=False,
        check=resource_id(example=example),
    )


def value_output() -> Property:
    """The ``value`` output every key resource has: the key itself, a secret, known only if created."""
    return Property(
        "value",
        "string",
        "The key itself, returned by the API only when the key is created; absent for an imported key.",
        secret=True,
    )


@dataclass(frozen=True)
class NewKey(Generic[KeyT]):
    """What a create hook returns: the API's key object, and its value (shown this once)."""

    key: KeyT
    value: str


@dataclass(frozen=True)
class Lookup(Generic[KeyT]):
    """What a lookup hook found: the key, or ``None``; and why a key that is listed no longer counts."""

    key: KeyT | None
    gone_reason: str | None = None
    """Set for a key the API still shows but that no longer works (revoked): for us it is gone."""

    @property
    def live(self) -> KeyT | None:
        """The key if it exists and works, else ``None``."""
        return self.key if self.gone_reason is None else None


@dataclass(frozen=True)
class Listing(Generic[ClientT, KeyT]):
    """A lookup function over a resource's keys (the plugin's invoke ``get<Name>s``).

    It returns a record of each key the API lists, without any value: what a program needs to
    find a key made elsewhere, and what ``import-file`` writes out.
    """

    name: str
    """The function's name in the resource's module (``getAdminApiKeys``)."""
    description: str
    arguments: tuple[Property, ...]
    """Its arguments, checked like inputs; an optional ``name`` argument filters by exact name."""
    list_keys: Callable[[ClientT, Mapping[str, Any]], Iterable[KeyT]]
    """Every key the API lists for the checked arguments, in the API's order."""
    record_name: str
    """The name of the record type (``AdminApiKeyRecord``)."""


def _bare_import_id(import_id: str) -> tuple[str, dict[str, Any]]:
    return import_id, {}


class Declared:
    """What every declared resource offers the faces, the schema and the docs, from its properties.

    A key resource (``KeyResource``) and a rotating pair (``core.rotating_pair.RotatingPair``)
    both are one; a face serves either through its lifecycle (``core.lifecycles.lifecycle_of``).
    """

    module: str
    name: str
    description: str
    properties: tuple[Property, ...]
    settings: tuple[Setting, ...]
    listing: Listing[Any, Any] | None

    @property
    def type_name(self) -> str:
        """The type token of the dynamic resource: ``pulumi-python:dynamic/acme:ApiKey``."""
        return dynamic_token(self.module, self.name)

    @property
    def plugin_type_name(self) -> str:
        """The type token of the provider plugin's resource: ``apikeys:acme:ApiKey``."""
        return plugin_token(self.module, self.name)

    @property
    def plugin_inputs(self) -> tuple[Property, ...]:
        """The inputs of the plugin's resource: all but ``adopt_id`` (the engine imports natively)."""
        return tuple(p for p in self.properties if p.input and p.name != ADOPT_ID)

    def property_named(self, name: str) -> Property:
        """The property called ``name``."""
        for candidate in self.properties:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the inputs."""
        return tuple(p.name for p in self.properties if p.input)

    @property
    def declared_inputs(self) -> tuple[Property, ...]:
        """The inputs that are also outputs: what a key is declared to be (not ``adopt_id``)."""
        return tuple(p for p in self.properties if p.input and p.output)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The names of the outputs: exactly the keys a create or read returns."""
        return tuple(p.name for p in self.properties if p.output)

    @property
    def computed_outputs(self) -> tuple[str, ...]:
        """The required outputs only the API fills in: absent, the props hold no previous outputs."""
        return tuple(p.name for p in self.properties if p.output and p.required and not p.input)

    @property
    def secret_outputs(self) -> list[str]:
        """The outputs the engine must store as secrets (``additional_secret_outputs``)."""
        return [p.name for p in self.properties if p.output and p.secret]

    @property
    def replacing_inputs(self) -> tuple[str, ...]:
        """The inputs whose change replaces the resource."""
        return tuple(p.name for p in self.properties if p.input and p.replaces)

    @property
    def updating_inputs(self) -> tuple[str, ...]:
        """The declared inputs whose change alone is an update in place: sent to the API
        (``Property.updates``), or recorded in state only (a period, a setting)."""
        return tuple(p.name for p in self.declared_inputs if not p.replaces)

    @property
    def api_updated_inputs(self) -> tuple[str, ...]:
        """The inputs whose change the API applies in place (``Property.updates``)."""
        return tuple(p.name for p in self.declared_inputs if p.updates)


@dataclass(frozen=True)
class KeyResource(Declared, Generic[ClientT, KeyT]):
    """A key resource: everything the lifecycle, the schema and a Pulumi face need to know of it.

    The hooks are the only code a backend writes for the lifecycle; each gets the API client made
    by ``make_client`` and the declared inputs (as ``check`` returned them, or as state holds them).
    Every key resource declares ``rotation.rotation_inputs()`` and the outputs ``created_at``,
    ``expires_at`` and ``last_used_at`` (Unix seconds or ISO-8601 text) that rotation reads.
    """

    module: str
    """The backend's name, the module of the type tokens (``acme``)."""
    name: str
    """The resource's class name (``AdminApiKey``)."""
    description: str
    properties: tuple[Property, ...]
    settings: tuple[Setting, ...]
    """What ``configure`` reads from the stack config: the credential and the base URL."""
    make_client: Callable[[StackConfig, RetryPolicy], ClientT]
    """Builds the API client; raises ``ConfigurationError`` naming both ways to set what is missing."""
    create: Callable[[ClientT, Mapping[str, Any]], NewKey[KeyT]]
    """Creates one key as declared (reconciling a lost answer); never leaves a second one."""
    lookup: Callable[[ClientT, str, Mapping[str, Any]], Lookup[KeyT]]
    """Finds the key with this id (retrieve, or list and match); ``AdoptionError`` if it cannot ask."""
    delete: Callable[[ClientT, str, Mapping[str, Any]], object]
    """Deletes (or revokes) the key; a key already gone counts as deleted."""
    outputs_of: Callable[[KeyT, Mapping[str, Any], str | None], dict[str, Any]]
    """Every output, from the API's key object, the declared inputs and the value (``None`` if unknown)."""
    key_id: Callable[[KeyT], str]
    """The key object's id: the resource id."""
    import_subject: Callable[[str, Mapping[str, Any]], str]
    """How an import's messages name the key: ``"Admin API key 'key_abc'"``."""
    get_missing: Callable[[str, Mapping[str, Any], bool], str]
    """The message of a ``get`` whose key is absent (``False``) or gone (``True``)."""
    adopt_matches: tuple[str, ...]
    """The inputs an adopted key must already have (anything else would replace it)."""
    listing: Listing[ClientT, KeyT] | None = None
    """The lookup function over this resource's keys, if it has one."""
    parse_import_id: Callable[[str], tuple[str, dict[str, Any]]] = _bare_import_id
    """An id given to ``pulumi import``: the key id, and the inputs a lookup needs that it carries
    (a key scoped to an organization is imported as ``<organization>/<key>``)."""
    import_id_of: Callable[[KeyT], str] | None = None
    """The id ``pulumi import`` takes for a key object (``parse_import_id``'s inverse); ``None``: its id."""
    lifetime_input: str | None = None
    """The input declaring the key's lifetime in seconds (``expires_in_seconds``), if it has one."""
    placement: tuple[str, ...] = ()
    """The inputs that say where a key lives (its organization), not what it is: a change of one
    moves a rotating pair (a replacement) instead of rotating it."""
    pair: bool = True
    """Whether it has a rotating pair (``core.rotating_pair``). A service account has none: its
    replacement takes the keys made under it along."""
    update: Callable[[ClientT, str, Mapping[str, Any], Mapping[str, Any]], KeyT] | None = None
    """Applies a change of the ``Property.updates`` inputs to the key with this id (previous
    outputs, then the new inputs): one API call; the key as it is afterwards. ``None``: the API has
    no update, and no input may be marked ``updates``."""

    replaces_when: Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[str, ...]] | None = None
    """The inputs whose change (previous outputs, then the new inputs) replaces the key although
    they are updated in place otherwise (a lifetime the API can change but not remove)."""
    diff_warning: Callable[[Mapping[str, Any]], str | None] | None = None
    """What a diff tells the user about the key as state last saw it (its owner lost access to
    the project), or ``None``; it plans no change."""

    def __post_init__(self) -> None:
        for prop in self.properties:
            if prop.updates and (prop.replaces or not prop.input):
                raise ValueError(f"{self.name}.{prop.name}: only an input that does not replace can update")
        if self.api_updated_inputs and self.update is None:
            raise ValueError(f"{self.name} has inputs the API updates but no update hook")

    def import_id(self, key: KeyT) -> str:
        """The id to give ``pulumi import`` for ``key``."""
        return self.import_id_of(key) if self.import_id_of is not None else self.key_id(key)

    @property
    def record_properties(self) -> tuple[Property, ...]:
        """What a ``listing`` returns of each key: every output but the value, after its ``id``."""
        record_id = Property("id", "string", "The key's id (the resource id).", required=True)
        return (record_id, *(p for p in self.properties if p.output and not p.secret and not p.stored_only))

    @property
    def value_output(self) -> str:
        """The output holding the key's value: the one secret output."""
        (name,) = self.secret_outputs
        return name
