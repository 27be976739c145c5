"""The emulator services of the registered backends, in registry order."""

from __future__ import annotations

from typing import Any

from pulumi_apikeys import registry
from pulumi_apikeys.emulator.service import ServiceSpec

__all__ = ["registered_services"]


def registered_services() -> tuple[ServiceSpec[Any], ...]:
    """The spec of every registered backend that has an emulator service, in registry order.

    The order matters: the first service's error format answers for paths no service owns.
    """
    specs: list[ServiceSpec[Any]] = []
    for backend in registry.registered():
        if backend.emulator is None:
            continue
        spec = backend.emulator.load()
        if not isinstance(spec, ServiceSpec) or spec.name != backend.name:
            raise TypeError(f"{backend.emulator.path} is not the ServiceSpec of the {backend.name!r} backend")
        specs.append(spec)
    return tuple(specs)
