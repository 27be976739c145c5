"""Settings a provider reads at run time: the stack's ``apikeys:*`` config, then the environment.

The engine hands the stack config to ``configure()`` in the provider process only. What is read
here lives in the provider process (see ``dynamic.provider``) and is never pickled, so the
credential never reaches the state file. Nothing here imports the Pulumi SDK: a face passes in
how to look a config key up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pulumi_apikeys.errors import ConfigurationError

if TYPE_CHECKING:
    # Imported when a credential is read, for a client: a Check or a Diff never needs pydantic.
    from pydantic import SecretStr

__all__ = ["CONFIG_NAMESPACE", "Setting", "StackConfig"]

CONFIG_NAMESPACE = "apikeys"
"""The stack config namespace: ``pulumi config set apikeys:<key> ...``."""


@dataclass(frozen=True)
class Setting:
    """One setting: its stack config key (without namespace), its environment variable, and what it is."""

    key: str
    env_var: str
    what: str
    secret: bool = False
    type: Literal["string", "integer", "number"] = "string"
    """Its type in the provider plugin's schema. The stack config holds text whatever this says, and the
    plugin turns a number an explicit provider sends back into text: the value is always read as text."""

    @property
    def config_key(self) -> str:
        """The full key, e.g. ``apikeys:maxRetries``."""
        return f"{CONFIG_NAMESPACE}:{self.key}"

    def how_to_set(self) -> str:
        """Both ways to set it, for error messages."""
        flag = "--secret " if self.secret else ""
        return (
            f"set it in the stack with `pulumi config set {flag}{self.config_key} <value>` "
            f"or in the environment as {self.env_var}"
        )


class StackConfig:
    """The values of known settings found in the stack config; a value there wins over the environment."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})

    @classmethod
    def read(cls, lookup: Callable[[str], object], settings: tuple[Setting, ...]) -> StackConfig:
        """Reads just ``settings`` with ``lookup`` (a config key to what the engine sent, or ``None``;
        secrets arrive as plaintext)."""
        values: dict[str, str] = {}
        for setting in settings:
            value = lookup(setting.config_key)
            if value is None:
                continue
            if not isinstance(value, str):
                raise ConfigurationError(
                    f"The stack config {setting.config_key} must be a string, not {type(value).__name__}."
                )
            values[setting.config_key] = value
        return cls(values)

    def __repr__(self) -> str:
        # Never the values: one of them is a credential.
        return f"StackConfig(keys={sorted(self._values)})"

    def get(self, setting: Setting) -> str | None:
        """The stack config value, else the environment variable, else ``None``; blank counts as unset."""
        value = self._values.get(setting.config_key)
        if value is None or not value.strip():
            value = os.environ.get(setting.env_var)
        if value is None or not value.strip():
            return None
        return value

    def source(self, setting: Setting) -> str:
        """Where ``get`` finds the setting's value, in words, for messages that ask to fix it."""
        value = self._values.get(setting.config_key)
        if value is not None and value.strip():
            return f"the {setting.what} in the stack config {setting.config_key}"
        return f"the {setting.what} in the environment variable {setting.env_var}"

    def require_secret(self, setting: Setting) -> SecretStr:
        """Like ``get`` for a credential; a ``ConfigurationError`` saying both ways to set it if unset."""
        value = self.get(setting)
        if value is None:
            raise ConfigurationError(f"No {setting.what} is configured: {setting.how_to_set()}.")
        from pydantic import SecretStr

        return SecretStr(value)
