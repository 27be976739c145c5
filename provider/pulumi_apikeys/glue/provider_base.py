"""The base of every provider: pickles to its class alone, configures and builds its client lazily.

The SDK pickles the provider instance into the resource's ``__provider`` input, which the engine
stores in state. A class in an importable module is pickled by reference, so what lands in state
is the module path, the class name and ``__getstate__()`` -- which is always empty here. The
stack config (with the admin credential) and the HTTP client exist only in the provider process,
after ``configure()``; they are never serialized.

In the provider process one instance serves every resource that shares its serialized form, from
the gRPC server's worker threads: after ``configure()`` nothing mutates ``self`` except the
one-time, locked creation of the client.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from typing import ClassVar, Generic, TypeVar

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from pulumi_apikeys.glue.provider_logging import enable_logging_from_env
from pulumi_apikeys.glue.retry_budget import RETRY_SETTINGS, retry_policy
from pulumi_apikeys.glue.stack_config import Setting, StackConfig
from pulumi_apikeys.settings import RetryPolicy

__all__ = ["ApiProvider"]

ClientT = TypeVar("ClientT")

# One lock for all providers: building a client is rare and quick, and a lock on the instance
# would be pickled with it (and a lock pickled while held comes back held).
_CLIENT_LOCK = threading.Lock()


class ApiProvider(ResourceProvider, Generic[ClientT]):
    """A dynamic provider backed by one API client, made on first use from stack config or env."""

    settings: ClassVar[tuple[Setting, ...]] = ()
    """The backend's own settings ``configure()`` reads from the stack config (credential, URL)."""

    _stack_config: StackConfig | None = None
    _client: ClientT | None = None

    def __getstate__(self) -> dict[str, object]:
        # Nothing of an instance is ever stored: the same few bytes for every resource, no secret.
        return {}

    def __setstate__(self, state: dict[str, object]) -> None:
        del state

    def configure(self, req: ConfigureRequest) -> None:
        """Keeps the stack's settings for this process; the client is made when first needed."""
        enable_logging_from_env()
        self._stack_config = StackConfig.from_request(req, self.settings + RETRY_SETTINGS)

    def client(self) -> ClientT:
        """The API client, made once from the stack config, else the environment."""
        client = self._client
        if client is None:
            with _CLIENT_LOCK:
                client = self._client
                if client is None:
                    config = self._stack_config or StackConfig()
                    client = self.make_client(config, retry_policy(config))
                    self._client = client
        return client

    @abstractmethod
    def make_client(self, config: StackConfig, policy: RetryPolicy) -> ClientT:
        """Builds the client with ``policy`` (the stack's retry budget); raises ``ConfigurationError``
        naming both ways to set a missing setting."""
