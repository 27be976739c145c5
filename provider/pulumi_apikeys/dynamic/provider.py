"""The dynamic provider of every key resource: the SDK's requests in, ``KeyLifecycle`` calls out.

The SDK pickles the provider instance into the resource's ``__provider`` input, which the engine
stores in state. A class in an importable module is pickled by reference, so what lands in state
is the module path, the class name and ``__getstate__()`` -- which is always empty here. So each
resource's provider class (``<backend>.provider.<Name>Provider``) must stay where it is: its
path is in every stack's state. The stack config (with the credential), the lifecycle and its
HTTP client exist only in the provider process, after ``configure()``; they are never serialized.

In the provider process one instance serves every resource that shares its serialized form, from
the gRPC server's worker threads: after ``configure()`` nothing mutates ``self`` except the
one-time, locked creation of the lifecycle.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime.rpc import UNKNOWN

from pulumi_apikeys.core.declaration import Declared
from pulumi_apikeys.core.lifecycle import stack_settings
from pulumi_apikeys.core.lifecycles import Lifecycle, lifecycle_of
from pulumi_apikeys.core.provider_logging import enable_logging_from_env
from pulumi_apikeys.core.stack_config import StackConfig

__all__ = ["KeyProvider", "is_unknown"]

# One lock for all providers: building a lifecycle is rare and quick, and a lock on the instance
# would be pickled with it (and a lock pickled while held comes back held).
_LIFECYCLE_LOCK = threading.Lock()


def is_unknown(value: object) -> bool:
    """True for the engine's placeholder of a value not known until apply time."""
    return isinstance(value, str) and value == UNKNOWN


class KeyProvider(ResourceProvider):
    """The dynamic provider of one declared resource (a key, or a rotating pair); a subclass only
    names it (``resource``)."""

    resource: ClassVar[Declared]
    """The declaration this provider serves."""

    _lifecycle: Lifecycle | None = None

    def __getstate__(self) -> dict[str, object]:
        # Nothing of an instance is ever stored: the same few bytes for every resource, no secret.
        return {}

    def __setstate__(self, state: dict[str, object]) -> None:
        del state

    def configure(self, req: ConfigureRequest) -> None:
        """Keeps the stack's settings for this process; the client is made when first needed."""
        enable_logging_from_env()
        config = StackConfig.read(req.config.get, stack_settings(self.resource))
        self._lifecycle = lifecycle_of(self.resource, config, is_unknown=is_unknown)

    def lifecycle(self) -> Lifecycle:
        """The lifecycle, configured or (never configured: a bare provider) from the environment."""
        lifecycle = self._lifecycle
        if lifecycle is None:
            with _LIFECYCLE_LOCK:
                lifecycle = self._lifecycle
                if lifecycle is None:
                    lifecycle = lifecycle_of(self.resource, StackConfig(), is_unknown=is_unknown)
                    self._lifecycle = lifecycle
        return lifecycle

    def client(self) -> Any:
        """The API client the lifecycle uses (made on first use)."""
        return self.lifecycle().client()

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validates the declared inputs, naming each wrong property."""
        checked = self.lifecycle().check(news)
        return CheckResult(checked.inputs, [CheckFailure(p.property, p.reason) for p in checked.problems])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replaces on a change of a replacing input or a key due for rotation; updates in place a
        change of a setting (or a rotating pair's rotation). Why a key is due goes to the log.

        ``changes`` is always set, or the engine would diff every input itself, the serialized
        provider included.
        """
        diff = self.lifecycle().diff(_id, olds, news)
        return DiffResult(changes=diff.changes, replaces=diff.replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Creates the key (reconciling a lost answer), or adopts the one named by ``adopt_id``."""
        created = self.lifecycle().create(props)
        return CreateResult(created.id, created.outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refreshes the key; one that is gone leaves state (blank id)."""
        refreshed = self.lifecycle().read(id_, props)
        if refreshed is None:
            return ReadResult(None, {})
        return ReadResult(refreshed.id, refreshed.outputs, refreshed.inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Records new settings, or rotates a pair. A rotation stopped part-way raises: this face
        cannot hand the engine a partial state, so state keeps the old one until the next ``up``
        finishes the rotation (``core.rotating_pair``)."""
        return UpdateResult(self.lifecycle().update(_id, olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Deletes the key; a key already gone counts as deleted."""
        self.lifecycle().delete(id_, props)
