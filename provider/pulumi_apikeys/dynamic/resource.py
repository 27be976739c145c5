"""The base of every key resource a Python program declares: its provider, secrets and adoption.

A backend's resource class names its provider and spells out its typed ``__init__`` and ``get``
(what a user's editor shows); registering it, the type token, the secret outputs and turning
``import_`` into adoption are done here, once::

    class AdminApiKey(KeyResourceBase, provider=AdminApiKeyProvider):
        def __init__(self, resource_name, *, name, expires_in_seconds=None, opts=None):
            super().__init__(resource_name, {"name": name, "expires_in_seconds": expires_in_seconds}, opts)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import pulumi
import pulumi.dynamic

from pulumi_apikeys.core.declaration import ADOPT_ID, Declared
from pulumi_apikeys.dynamic.adoption import options_for_adoption
from pulumi_apikeys.dynamic.provider import KeyProvider

__all__ = ["KeyResourceBase"]

ResourceT = TypeVar("ResourceT", bound="KeyResourceBase")


class KeyResourceBase(pulumi.dynamic.Resource):
    """A dynamic resource served by ``provider``, typed ``pulumi-python:dynamic/<module>:<name>``."""

    provider_class: ClassVar[type[KeyProvider]]

    def __init_subclass__(
        cls,
        *,
        provider: type[KeyProvider] | None = None,
        module: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # A user's subclass of a resource keeps its provider and may give its own token (as any
        # dynamic resource may: ``class Legacy(AdminApiKey, module="legacy", name="AdminKey")``).
        provider = provider or cls.provider_class
        declaration = provider.resource
        super().__init_subclass__(
            module=module or declaration.module, name=name or declaration.name, **kwargs
        )
        cls.provider_class = provider

    @classmethod
    def declaration(cls) -> Declared:
        """What the resource is: its properties and hooks."""
        return cls.provider_class.resource

    def __init__(
        self, resource_name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Registers a key to create (or, with ``import_``, to adopt) with these declared inputs."""
        declaration = self.declaration()
        opts, adopt_id = options_for_adoption(opts, secret_outputs=declaration.secret_outputs)
        props: dict[str, Any] = dict.fromkeys(declaration.outputs)
        props.update(inputs)
        props[ADOPT_ID] = adopt_id
        super().__init__(self.provider_class(), resource_name, props, opts)

    @classmethod
    def reference(
        cls: type[ResourceT],
        resource_name: str,
        id: pulumi.Input[str],
        inputs: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> ResourceT:
        """A read-only reference to an existing key: read on every ``up``, never created or deleted.

        ``inputs`` are what the lookup needs besides the id (e.g. the organization).
        """
        declaration = cls.declaration()
        # __new__: the subclass's __init__ registers a resource to create; a reference is a read.
        reference = cls.__new__(cls)
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(id=id, additional_secret_outputs=declaration.secret_outputs)
        )
        props: dict[str, Any] = dict.fromkeys(declaration.outputs)
        props.update(inputs)
        pulumi.dynamic.Resource.__init__(reference, cls.provider_class(), resource_name, props, opts)
        return reference


class RotationSettings:
    """The rotation outputs every key resource has (typing only: the values come from state)."""

    rotation_triggers: pulumi.Output[dict[str, str] | None]
    """The declared triggers; a change of any replaces the key."""
    rotate_after_seconds: pulumi.Output[int | None]
    """The declared maximum age, in seconds."""
    renew_before_seconds: pulumi.Output[int | None]
    """How long before expiry the key is replaced, in seconds."""


class PairOutputs:
    """The outputs of every rotating pair (typing only: the values come from state)."""

    rotate_after_seconds: pulumi.Output[int]
    """How long each key is current, in seconds."""
    rotation_triggers: pulumi.Output[dict[str, str] | None]
    """The declared triggers; a change of any rotates the pair."""
    current_id: pulumi.Output[str | None]
    """The id of the current key: the one to hand out."""
    current_value: pulumi.Output[str | None]
    """The current key itself, a secret; ``None`` for a key adopted by import."""
    current_expires_at: pulumi.Output[int | None]
    """Unix seconds when the current key expires; ``None`` if never."""
    previous_id: pulumi.Output[str | None]
    """The id of the previous key, valid for one more period; ``None`` until the first rotation."""
    previous_value: pulumi.Output[str | None]
    """The previous key itself, a secret."""
    previous_expires_at: pulumi.Output[int | None]
    """Unix seconds when the previous key expires; ``None`` if never."""
    previous_last_used_at: pulumi.Output[int | None]
    """Unix seconds when the previous key was last used (as of the last refresh)."""
    rotated_at: pulumi.Output[int]
    """Unix seconds when the current key was created: the start of its period."""
    next_rotation_at: pulumi.Output[int | None]
    """Unix seconds from when the next ``up`` rotates."""
