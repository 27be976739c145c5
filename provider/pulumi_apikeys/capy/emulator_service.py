"""The emulator's ``capy`` service: its options, flags and builder (``SERVICE``).

This module imports without starlette (the command line reads it to make its flags); ``build``
imports the routes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pulumi_apikeys.emulator.service import EmulatorService, ServiceFlag, ServiceSpec
from pulumi_apikeys.emulator.state_file import StateSection

__all__ = ["DEFAULT_API_KEY", "DEFAULT_PAGE_SIZE", "SERVICE", "CapyEmulatorOptions"]

DEFAULT_API_KEY = "capy_live_local"
"""The capy API key the emulator accepts (for any organization) unless told otherwise."""
DEFAULT_PAGE_SIZE = 100
"""How many keys one list response holds at most, unless told otherwise."""


class CapyEmulatorOptions(BaseModel):
    """The ``capy`` service's settings (``EmulatorConfig.services["capy"]``).

    Example: lists of at most two keys a page, and keys that expire an hour after creation::

        EmulatorConfig(services={"capy": {"page_size": 2, "key_lifetime_seconds": 3600}})
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: str = Field(default=DEFAULT_API_KEY, min_length=1, repr=False)
    """The key accepted for every organization, besides the keys it created (left out of the repr)."""
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1)
    """The most keys one list response holds; more follow behind ``next_cursor``."""
    key_lifetime_seconds: int | None = Field(default=None, ge=1)
    """An organization policy: every key created expires this many seconds after its creation
    (``expires_at`` set), and stops authenticating then. ``None``: keys never expire. Keys that
    exist already (loaded from a state file) keep the ``expires_at`` they were created with."""


def build(options: CapyEmulatorOptions, state: StateSection | None) -> EmulatorService:
    """The API keys endpoints over a store of every organization's keys."""
    # Imported here: the routes need starlette, which reading this spec must not.
    from pulumi_apikeys.capy.emulator_api import CapyApiKeysApi
    from pulumi_apikeys.capy.emulator_store import CapyKeyStore

    store = CapyKeyStore(state, key_lifetime_seconds=options.key_lifetime_seconds)
    return CapyApiKeysApi(store, options.api_key, page_size=options.page_size)


SERVICE = ServiceSpec(
    name="capy",
    options=CapyEmulatorOptions,
    build=build,
    flags=(
        ServiceFlag(
            "api_key",
            "The capy API key accepted for every organization (besides the keys it creates).",
            aliases=("--capy-key",),
            envvars=("APIKEYS_EMULATOR_CAPY_KEY",),
            show_default=False,
        ),
        ServiceFlag("page_size", "The most keys one list response holds."),
        ServiceFlag(
            "key_lifetime_seconds",
            "Every key created expires this many seconds after creation (default: keys never expire).",
        ),
    ),
    # Files from before sections held this store's keys at the top level, as `capy_keys`.
    legacy_state_fields={"capy_keys": "keys"},
)
"""The ``capy`` backend's emulator service (``Backend.emulator``)."""
