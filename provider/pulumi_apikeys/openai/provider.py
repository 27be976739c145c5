"""The dynamic provider behind ``AdminApiKey``: check, diff, create, read, update, delete.

Each method makes one API call (adoption and refresh: one GET; delete: one DELETE), except a
create whose answer is lost, which the client reconciles (``pulumi_apikeys.reconcile``) before it
tries again. The HTTP layer underneath retries what is safe to retry. Every key id the engine shows
the provider goes into the process's ``LEDGER``, so reconciling never deletes a key in state.
Pulumi calls these methods in the provider process (``python -m pulumi.dynamic``), from several
threads at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from pulumi_apikeys.errors import AdoptionError, NotFoundError
from pulumi_apikeys.glue.adoption import ADOPT_ID
from pulumi_apikeys.glue.checks import CheckFailures, is_unknown
from pulumi_apikeys.glue.provider_base import ApiProvider
from pulumi_apikeys.glue.stack_config import Setting, StackConfig
from pulumi_apikeys.openai.client import ADMIN_KEY_ENV, BASE_URL_ENV, AdminApiKeysClient
from pulumi_apikeys.openai.models import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN, AdminApiKey
from pulumi_apikeys.openai.properties import ADMIN_API_KEY
from pulumi_apikeys.reconcile import LEDGER
from pulumi_apikeys.settings import RetryPolicy

__all__ = ["ADMIN_KEY", "BASE_URL", "AdminApiKeyProvider"]

ADMIN_KEY = Setting("openaiAdminKey", ADMIN_KEY_ENV, "OpenAI admin key", secret=True)
BASE_URL = Setting("openaiBaseUrl", BASE_URL_ENV, "OpenAI base URL")

_NAME = "name"
_EXPIRES = "expires_in_seconds"


class AdminApiKeyProvider(ApiProvider[AdminApiKeysClient]):
    """Maps ``AdminApiKey`` onto ``/v1/organization/admin_api_keys``; holds nothing that is pickled.

    The key id is the resource id. There is no update call, so every declared change replaces the
    key. ``value`` is returned once, by create; read carries it over from the previous state.
    """

    settings: ClassVar[tuple[Setting, ...]] = (ADMIN_KEY, BASE_URL)

    def make_client(self, config: StackConfig, policy: RetryPolicy) -> AdminApiKeysClient:
        """The client for the configured organization (stack config first, then environment)."""
        return AdminApiKeysClient(
            admin_key=config.require_secret(ADMIN_KEY),
            admin_key_source=config.source(ADMIN_KEY),
            base_url=config.get(BASE_URL),
            policy=policy,
        )

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validates the declared inputs, naming each wrong property; whole floats become ints."""
        failures = CheckFailures()
        inputs: dict[str, Any] = {
            _NAME: failures.name(news, _NAME),
            _EXPIRES: failures.whole_number(
                news, _EXPIRES, minimum=EXPIRES_IN_SECONDS_MIN, maximum=EXPIRES_IN_SECONDS_MAX, unit="seconds"
            ),
            ADOPT_ID: failures.resource_id(news, ADOPT_ID, example="key_abc"),
        }
        return CheckResult({k: v for k, v in inputs.items() if v is not None}, failures.failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replaces on a change of ``name`` or ``expires_in_seconds``; nothing else is ever a change.

        ``olds`` are the previous outputs, which repeat the declared inputs. ``adopt_id`` is not
        compared: dropping ``import_`` after an import is not a change. ``changes`` is always set,
        or the engine would diff every input itself, the serialized provider included.
        """
        LEDGER.hold(_id)
        replaces = [
            prop
            for prop in ADMIN_API_KEY.replacing_inputs
            if is_unknown(news.get(prop)) or olds.get(prop) != news.get(prop)
        ]
        return DiffResult(changes=bool(replaces), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Creates the key (reconciling a lost answer), or adopts the existing key named by ``adopt_id``."""
        adopt_id = props.get(ADOPT_ID)
        if adopt_id is not None:
            return self._adopt(adopt_id, props)
        created = self.client().create(name=props[_NAME], expires_in_seconds=_lifetime(props), ledger=LEDGER)
        value = created.value.get_secret_value()
        return CreateResult(created.id, _outputs(created, declared=props, value=value))

    def _adopt(self, key_id: str, props: Mapping[str, Any]) -> CreateResult:
        try:
            key = self.client().retrieve(key_id)
        except NotFoundError:
            raise AdoptionError(
                f"Cannot import Admin API key {key_id!r}: the organization has no key with that id."
            ) from None
        if key.name != props[_NAME]:
            raise AdoptionError(
                f"Cannot import Admin API key {key_id!r}: its name is {key.name!r} but the program "
                f"declares name={props[_NAME]!r}. Declare the key's current name to import it "
                "(a different name would replace the key)."
            )
        LEDGER.hold(key.id)
        # The API never shows a value again: an imported key's value is unknown to us for good.
        return CreateResult(key.id, _outputs(key, declared=props, value=None))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refreshes from one GET; a key that is gone leaves state (blank id).

        ``props`` are the previous outputs (a refresh) or just the inputs (``AdminApiKey.get``).
        The value is carried over from them, and the declared inputs are returned so the next
        diff compares against what the program declared, not a stale copy.
        """
        LEDGER.hold(id_)
        try:
            key = self.client().retrieve(id_)
        except NotFoundError:
            if "created_at" not in props:
                # No previous outputs: this is AdminApiKey.get, and a reference to nothing is an error.
                missing = f"AdminApiKey.get: the organization has no Admin API key {id_!r}."
                raise AdoptionError(missing) from None
            return ReadResult(None, {})
        outputs = _outputs(key, declared=props, value=props.get("value"))
        inputs = {k: outputs[k] for k in (_NAME, _EXPIRES) if outputs[k] is not None}
        return ReadResult(key.id, outputs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Never chosen by ``diff``; if the engine calls it anyway, the outputs stay whole and unchanged."""
        LEDGER.hold(_id)
        outputs = {k: olds.get(k) for k in ADMIN_API_KEY.outputs}
        outputs.update({_NAME: news[_NAME], _EXPIRES: _lifetime(news)})
        return UpdateResult(outputs)

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Deletes the key with one DELETE; a key already gone counts as deleted."""
        self.client().delete(id_)


def _lifetime(props: Mapping[str, Any]) -> int | None:
    """The declared lifetime as an int: check() made it one, but numbers cross gRPC as floats."""
    value = props.get(_EXPIRES)
    return None if value is None else int(value)


def _outputs(key: AdminApiKey, *, declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
    """The resource's outputs: every field of the key, the declared lifetime, and the value if known."""
    return {
        _NAME: key.name,
        _EXPIRES: _lifetime(declared),
        "redacted_value": key.redacted_value,
        "value": value,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        "owner": key.owner.model_dump(),
    }
