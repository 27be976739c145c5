"""The lifecycle of any declared resource: a key's (``KeyLifecycle``) or a rotating pair's
(``PairLifecycle``). A face serves every declaration through this one door."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pulumi_apikeys.core.checks import IsUnknown
from pulumi_apikeys.core.declaration import Declared, KeyResource
from pulumi_apikeys.core.lifecycle import Checked, Diff, KeyLifecycle, KeyOf, KeyState, Refreshed
from pulumi_apikeys.core.rotating_pair import PairLifecycle, RotatingPair
from pulumi_apikeys.core.stack_config import StackConfig

__all__ = ["Lifecycle", "declarations", "lifecycle_of"]


class Lifecycle(Protocol):
    """What a face calls, for any declared resource."""

    @property
    def resource(self) -> Declared: ...

    def client(self) -> Any: ...

    def check(self, news: Mapping[str, Any], *, key_of: KeyOf = ...) -> Checked: ...

    def diff(
        self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, key_of: KeyOf = ...
    ) -> Diff: ...

    def create(self, inputs: Mapping[str, Any]) -> KeyState: ...

    def read(self, key_id: str, props: Mapping[str, Any]) -> Refreshed | None: ...

    def import_read(self, import_id: str) -> Refreshed: ...

    def update(self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]: ...

    def planned_update(
        self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, unknown: object
    ) -> dict[str, Any]: ...

    def delete(self, key_id: str, props: Mapping[str, Any]) -> None: ...


def lifecycle_of(declared: Declared, config: StackConfig, *, is_unknown: IsUnknown) -> Lifecycle:
    """The lifecycle running ``declared`` with this stack config."""
    if isinstance(declared, RotatingPair):
        return PairLifecycle(declared, config, is_unknown=is_unknown)
    if isinstance(declared, KeyResource):
        return KeyLifecycle(declared, config, is_unknown=is_unknown)
    raise TypeError(f"no lifecycle for a {type(declared).__name__}")


def declarations(keys: tuple[KeyResource[Any, Any], ...]) -> tuple[Declared, ...]:
    """Every resource ``keys`` offer: each key resource, then its rotating pair if it has one."""
    from pulumi_apikeys.core.rotating_pair import rotating_pair

    return tuple(declared for key in keys for declared in ((key, rotating_pair(key)) if key.pair else (key,)))
