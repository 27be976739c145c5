"""How an emulator is set up: where it listens, which keys it accepts, whose keys it makes."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pulumi_apikeys.emulator.faults import FaultPlan
from pulumi_apikeys.openai.models import Owner

__all__ = [
    "DEFAULT_ADMIN_KEY",
    "DEFAULT_CAPY_KEY",
    "DEFAULT_CAPY_PAGE_SIZE",
    "DEFAULT_PORT",
    "EmulatorConfig",
    "OwnerKind",
]

DEFAULT_ADMIN_KEY = "sk-admin-local"
"""The admin key an emulator accepts unless told otherwise; it only ever guards a local fake."""
DEFAULT_CAPY_KEY = "capy_live_local"
"""The capy API key an emulator accepts (for any organization) unless told otherwise."""
DEFAULT_CAPY_PAGE_SIZE = 100
"""How many capy keys one list response holds at most, unless told otherwise."""
DEFAULT_PORT = 8787
"""The port the command line listens on by default."""

OwnerKind = Literal["user", "service_account"]
"""Who owns the keys the emulator creates: the API shows either (see the reference notes)."""

# A fixed date keeps every owner object identical across restarts, as the real owner's would be.
_OWNER_CREATED_AT = 1_700_000_000


class EmulatorConfig(BaseModel):
    """Settings of one emulator.

    Example: an emulator on any free port whose keys belong to a service account::

        EmulatorConfig(port=0, owner_kind="service_account")
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    """The address to listen on."""
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    """The port to listen on; 0 picks any free port (``RunningEmulator.base_url`` tells which)."""
    admin_key: str = Field(default=DEFAULT_ADMIN_KEY, min_length=1, repr=False)
    """The admin key the API accepts besides the keys it created (left out of the repr)."""
    capy_key: str = Field(default=DEFAULT_CAPY_KEY, min_length=1, repr=False)
    """The capy key accepted for every organization, besides the keys it created (left out of the repr)."""
    capy_page_size: int = Field(default=DEFAULT_CAPY_PAGE_SIZE, ge=1)
    """The most capy keys one list response holds; more follow behind ``next_cursor``."""
    state_file: Path | None = None
    """Where keys, OpenAI's and capy's, are kept across restarts (JSON, never holding a key value);
    ``None``: memory only."""
    owner_kind: OwnerKind = "user"
    """Whether the created keys' owner is a user (role ``owner``) or a service account (``member``)."""
    owner_id: str | None = None
    """The owner's id; ``None`` picks one that fits ``owner_kind``."""
    owner_name: str | None = None
    """The owner's name; ``None`` picks one that fits ``owner_kind``."""
    faults: FaultPlan = Field(default_factory=FaultPlan)
    """The faults to inject from the start (the control API can change them later)."""

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
