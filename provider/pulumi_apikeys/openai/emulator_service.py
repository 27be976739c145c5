"""The emulator's ``openai`` service: its options, flags and builder (``SERVICE``).

This module imports without starlette (the command line reads it to make its flags); ``build``
imports the routes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pulumi_apikeys.emulator.service import EmulatorService, ServiceFlag, ServiceSpec
from pulumi_apikeys.emulator.state_file import StateSection
from pulumi_apikeys.openai.models import Owner

__all__ = ["DEFAULT_ADMIN_KEY", "SERVICE", "OpenAIEmulatorOptions", "OwnerKind"]

DEFAULT_ADMIN_KEY = "sk-admin-local"
"""The admin key the emulator accepts unless told otherwise; it only ever guards a local fake."""

OwnerKind = Literal["user", "service_account"]
"""Who owns the keys the emulator creates: the API shows either (see the reference notes)."""

# A fixed date keeps every owner object identical across restarts, as the real owner's would be.
_OWNER_CREATED_AT = 1_700_000_000


class OpenAIEmulatorOptions(BaseModel):
    """The ``openai`` service's settings (``EmulatorConfig.services["openai"]``).

    Example: keys owned by a service account::

        EmulatorConfig(services={"openai": {"owner_kind": "service_account"}})
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    admin_key: str = Field(default=DEFAULT_ADMIN_KEY, min_length=1, repr=False)
    """The admin key the API accepts besides the keys it created (left out of the repr)."""
    owner_kind: OwnerKind = "user"
    """Whether the created keys' owner is a user (role ``owner``) or a service account (``member``)."""
    owner_id: str | None = None
    """The owner's id; ``None`` picks one that fits ``owner_kind``."""
    owner_name: str | None = None
    """The owner's name; ``None`` picks one that fits ``owner_kind``."""

    def owner(self) -> Owner:
        """The owner object every key this emulator creates carries."""
        if self.owner_kind == "service_account":
            return Owner(
                type="service_account",
                object="organization.service_account",
                id=self.owner_id or "svc_acct_emulator",
                name=self.owner_name or "emulator-service-account",
                created_at=_OWNER_CREATED_AT,
                role="member",
            )
        return Owner(
            type="user",
            object="organization.user",
            id=self.owner_id or "user-emulator",
            name=self.owner_name or "Emulator Owner",
            created_at=_OWNER_CREATED_AT,
            role="owner",
        )


def build(options: OpenAIEmulatorOptions, state: StateSection | None) -> EmulatorService:
    """The Admin API keys endpoints over a store of keys owned as ``options`` says."""
    # Imported here: the routes need starlette, which reading this spec must not.
    from pulumi_apikeys.openai.emulator_api import AdminApiKeysApi
    from pulumi_apikeys.openai.emulator_store import KeyStore

    return AdminApiKeysApi(KeyStore(options.owner(), state), options.admin_key)


SERVICE = ServiceSpec(
    name="openai",
    options=OpenAIEmulatorOptions,
    build=build,
    flags=(
        ServiceFlag(
            "admin_key",
            "The admin key the API accepts (besides the keys it creates).",
            aliases=("--admin-key",),
            envvars=("APIKEYS_EMULATOR_ADMIN_KEY",),
            show_default=False,
        ),
        ServiceFlag("owner_kind", "Who owns the keys the emulator creates.", aliases=("--owner-kind",)),
        ServiceFlag("owner_id", "The owner's id (default: one that fits the owner kind)."),
        ServiceFlag("owner_name", "The owner's name (default: one that fits the owner kind)."),
    ),
    # Files from before sections held the key store's fields at the top level, under these names.
    legacy_state_fields={name: name for name in ("version", "next_seq", "keys", "tombstones")},
)
"""The ``openai`` backend's emulator service (``Backend.emulator``)."""
