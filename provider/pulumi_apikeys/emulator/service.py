"""What a backend gives the emulator: a ``ServiceSpec`` that builds its ``EmulatorService``.

Each backend folder holds one spec (``<backend>/emulator_service.py``: ``SERVICE``), named by its
``Backend.emulator``. The emulator composes the specs of the registered backends, in registry
order, and keys everything a service owns by the backend's name: its options in
``EmulatorConfig.services``, its section of the state file, its ``--<name>-...`` flags, its key
count in ``/_emulator/health`` and its ``RunningEmulator.endpoint``.

A spec module must import without starlette (the command line reads specs to make its flags before
anything is served): its ``build`` imports the routes it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from pulumi_apikeys.emulator.state_file import StateSection

if TYPE_CHECKING:
    from pulumi_apikeys.emulator.surface import ApiSurface

__all__ = ["EmulatorService", "ServiceEndpoint", "ServiceFlag", "ServiceSpec"]

OptionsT = TypeVar("OptionsT", bound=BaseModel)


@dataclass(frozen=True)
class ServiceEndpoint:
    """Where a client finds one service of a running emulator, and the credential it accepts."""

    base_url: str
    """The base URL the backend's client takes, e.g. ``http://127.0.0.1:8787/v1``."""
    credential: str = field(repr=False)
    """The configured credential (it only ever guards this emulator; still left out of the repr)."""


class EmulatorService(Protocol):
    """One backend's API as an emulator serves it, over its own store."""

    def surface(self) -> ApiSurface:
        """Its routes, the path prefix it owns and its error format."""
        ...

    def reset(self) -> None:
        """Forget every key (and whatever else the store keeps), as a fresh emulator would."""
        ...

    def key_count(self) -> int:
        """How many keys the store holds, as ``/_emulator/health`` reports them."""
        ...

    def endpoint(self, root_url: str) -> ServiceEndpoint:
        """Its base URL under the emulator's ``root_url`` (``http://HOST:PORT``), and its credential."""
        ...


@dataclass(frozen=True)
class ServiceFlag:
    """A command-line flag of ``pulumi-apikeys emulator`` that sets one of a service's options.

    It is spelt ``--<backend>-<option>`` (underscores as dashes), e.g. ``--vendor-api-key``.
    """

    option: str
    """The field of the service's options model it sets."""
    help: str
    aliases: tuple[str, ...] = ()
    """Older spellings that keep working, written in full, e.g. ``("--api-key",)``."""
    envvars: tuple[str, ...] = ()
    """Environment variables read when the flag is not given."""
    show_default: bool = True
    """Whether ``--help`` shows the default (not for a credential, however harmless)."""

    def spelling(self, service: str) -> str:
        """The flag's own spelling for the service named ``service``."""
        return f"--{service}-{self.option}".replace("_", "-")


@dataclass(frozen=True)
class ServiceSpec(Generic[OptionsT]):
    """How to make one backend's emulator service: its name, options, flags and builder.

    Example::

        SERVICE = ServiceSpec(
            name="vendor",
            options=VendorOptions,  # a pydantic model, every field with a default
            build=build_vendor_service,  # (VendorOptions, StateSection | None) -> EmulatorService
            flags=(ServiceFlag("api_key", "The key the API accepts."),),
        )
    """

    name: str
    """The backend's name (``Backend.name``)."""
    options: type[OptionsT]
    """Its settings; each has a default, so that a service nobody configures still starts."""
    build: Callable[[OptionsT, StateSection | None], EmulatorService]
    """Makes the service from its options and its section of the state file (``None``: memory only)."""
    flags: tuple[ServiceFlag, ...] = ()
    """Its command-line flags, in the order ``--help`` lists them."""
    legacy_state_fields: Mapping[str, str] = field(default_factory=dict)
    """Its fields in a state file from before sections: ``{top-level field: field of its section}``."""

    def __post_init__(self) -> None:
        required = [name for name, info in self.options.model_fields.items() if info.is_required()]
        if required:
            raise ValueError(f"the {self.name!r} service's options need defaults: {', '.join(required)}")
        unknown = [flag.option for flag in self.flags if flag.option not in self.options.model_fields]
        if unknown:
            raise ValueError(f"the {self.name!r} service has flags for no option: {', '.join(unknown)}")

    def validate_options(self, raw: Mapping[str, Any]) -> OptionsT:
        """``raw`` as the options model, defaults filling what it leaves out.

        Raises:
            pydantic.ValidationError: an option is unknown or has an unusable value.
        """
        return self.options.model_validate(dict(raw))

    def start(self, raw: Mapping[str, Any], state: StateSection | None) -> EmulatorService:
        """The service built from ``raw`` options (validated) over its state-file section."""
        return self.build(self.validate_options(raw), state)
