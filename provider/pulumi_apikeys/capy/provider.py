"""The dynamic provider behind capy's ``ApiKey``: check, diff, create, read, update, delete.

The API has no "retrieve one key" call, so adoption, refresh and ``get`` list the organization's
keys and find the one by id; a key that is revoked or inactive counts as gone, as one absent does.
Create is one POST, except a create whose answer is lost, which the client reconciles
(``pulumi_apikeys.reconcile``) before it tries again; delete is one DELETE (a revoke). Every key id
the engine shows the provider goes into the process's ``LEDGER``, so reconciling never revokes a key
in state. Pulumi calls these methods in the provider process (``python -m pulumi.dynamic``), from
several threads at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from pulumi_apikeys.capy.client import API_KEY_ENV, BASE_URL_ENV, CapyApiKeysClient
from pulumi_apikeys.capy.models import ApiKey
from pulumi_apikeys.capy.properties import API_KEY
from pulumi_apikeys.errors import AdoptionError, ConfigurationError
from pulumi_apikeys.glue.adoption import ADOPT_ID
from pulumi_apikeys.glue.checks import CheckFailures, is_unknown
from pulumi_apikeys.glue.provider_base import ApiProvider
from pulumi_apikeys.glue.stack_config import Setting, StackConfig
from pulumi_apikeys.reconcile import LEDGER
from pulumi_apikeys.settings import RetryPolicy

__all__ = ["BASE_URL", "CAPY_API_KEY", "ApiKeyProvider"]

CAPY_API_KEY = Setting("capyApiKey", API_KEY_ENV, "capy API key", secret=True)
BASE_URL = Setting("capyBaseUrl", BASE_URL_ENV, "capy base URL")

_ORG = "organization_id"
_NAME = "name"
_SCOPES = "scopes"
_DECLARED = (_ORG, _NAME, _SCOPES)


class ApiKeyProvider(ApiProvider[CapyApiKeysClient]):
    """Maps ``ApiKey`` onto ``/v1/organizations/{organization_id}/api-keys``; holds nothing that is pickled.

    The key id is the resource id. There is no update call, so every declared change replaces the
    key. ``value`` is returned once, by create; read carries it over from the previous state.
    """

    settings: ClassVar[tuple[Setting, ...]] = (CAPY_API_KEY, BASE_URL)

    def make_client(self, config: StackConfig, policy: RetryPolicy) -> CapyApiKeysClient:
        """The client for the configured API (stack config first, then environment)."""
        base_url = config.get(BASE_URL)
        if base_url is None:
            # The client would say "no public default" too, but only this knows about the stack config.
            raise ConfigurationError(
                f"No {BASE_URL.what} is configured, and there is no public default: set it in the stack "
                f"with `pulumi config set {BASE_URL.config_key} <url>` or in the environment as "
                f"{BASE_URL.env_var} (the origin the /v1/organizations/... paths hang off)."
            )
        return CapyApiKeysClient(
            api_key=config.require_secret(CAPY_API_KEY),
            api_key_source=config.source(CAPY_API_KEY),
            base_url=base_url,
            policy=policy,
        )

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validates the declared inputs, naming each wrong property; scopes become a sorted set."""
        failures = CheckFailures()
        inputs: dict[str, Any] = {
            _ORG: failures.path_text(news, _ORG, example="org_abc"),
            _NAME: failures.name(news, _NAME),
            _SCOPES: failures.string_set(news, _SCOPES, what="scope", example="keys:read"),
            ADOPT_ID: failures.resource_id(news, ADOPT_ID, example="ak_abc"),
        }
        return CheckResult({k: v for k, v in inputs.items() if v is not None}, failures.failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replaces on a change of ``organization_id``, ``name`` or the set of ``scopes``; nothing else.

        ``olds`` are the previous outputs, which repeat the declared inputs. ``adopt_id`` is not
        compared: dropping ``import_`` after an import is not a change. ``changes`` is always set,
        or the engine would diff every input itself, the serialized provider included.
        """
        LEDGER.hold(_id)
        replaces = [
            prop for prop in API_KEY.replacing_inputs if _differs(prop, olds.get(prop), news.get(prop))
        ]
        return DiffResult(changes=bool(replaces), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Creates the key (reconciling a lost answer), or adopts the existing key named by ``adopt_id``."""
        adopt_id = props.get(ADOPT_ID)
        if adopt_id is not None:
            return self._adopt(adopt_id, props)
        created = self.client().create(
            organization_id=props[_ORG], name=props[_NAME], scopes=props[_SCOPES], ledger=LEDGER
        )
        value = created.plaintext_api_key.get_secret_value()
        return CreateResult(created.api_key.id, _outputs(created.api_key, value=value))

    def _adopt(self, key_id: str, props: Mapping[str, Any]) -> CreateResult:
        org = props[_ORG]
        key = self.client().find(org, key_id)
        what = f"Cannot import capy API key {key_id!r} of organization {org!r}"
        if key is None:
            raise AdoptionError(f"{what}: the organization has no key with that id.")
        if key.is_gone:
            raise AdoptionError(f"{what}: the key is revoked (or inactive) and can no longer be used.")
        declared_scopes = set(props[_SCOPES])
        if key.name != props[_NAME]:
            raise AdoptionError(
                f"{what}: its name is {key.name!r} but the program declares name={props[_NAME]!r}. "
                "Declare the key's current name to import it (a different name would replace the key)."
            )
        if set(key.scopes) != declared_scopes:
            raise AdoptionError(
                f"{what}: its scopes are {sorted(set(key.scopes))!r} but the program declares "
                f"scopes={sorted(declared_scopes)!r}. Declare the key's current scopes to import it "
                "(different scopes would replace the key)."
            )
        LEDGER.hold(key.id)
        # The API never shows a secret again: an imported key's value is unknown to us for good.
        return CreateResult(key.id, _outputs(key, value=None))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refreshes by listing the organization's keys; a key revoked, inactive or absent leaves state.

        ``props`` are the previous outputs (a refresh) or just the inputs (``ApiKey.get``). The
        value is carried over from them, and the declared inputs are returned so the next diff
        compares against what the key is, not a stale copy.
        """
        LEDGER.hold(id_)
        org = props.get(_ORG)
        is_get = "created_at" not in props
        if not isinstance(org, str) or not org:
            # Only a get can lack it (ApiKey.get requires it, but a hand-made registration may not).
            raise AdoptionError(f"ApiKey.get: the organization_id of capy API key {id_!r} is required.")
        key = self.client().find(org, id_)
        if key is None or key.is_gone:
            if is_get:
                # No previous outputs: this is ApiKey.get, and a reference to nothing is an error.
                state = "has no capy API key" if key is None else "has only a revoked capy API key"
                raise AdoptionError(f"ApiKey.get: the organization {org!r} {state} {id_!r}.")
            return ReadResult(None, {})
        outputs = _outputs(key, value=props.get("value"))
        return ReadResult(key.id, outputs, {k: outputs[k] for k in _DECLARED})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Never chosen by ``diff``; if the engine calls it anyway, the outputs stay whole and unchanged."""
        LEDGER.hold(_id)
        outputs = {k: olds.get(k) for k in API_KEY.outputs}
        outputs.update({_ORG: news[_ORG], _NAME: news[_NAME], _SCOPES: sorted(set(news[_SCOPES]))})
        return UpdateResult(outputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Revokes the key with one DELETE; a key already revoked or gone counts as deleted."""
        LEDGER.hold(id_)
        self.client().revoke(props[_ORG], id_)


def _differs(prop: str, old: object, new: object) -> bool:
    """Whether a declared input changed; a value not known yet may change, so it counts as one."""
    if is_unknown(new):
        return True
    if prop == _SCOPES and isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        if any(is_unknown(scope) for scope in new):
            return True
        return set(old) != set(new)
    return old != new


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _outputs(key: ApiKey, *, value: str | None) -> dict[str, Any]:
    """The resource's outputs: every field of the key (scopes as a sorted set) and the value if known."""
    return {
        _ORG: key.organization_id,
        _NAME: key.name,
        _SCOPES: sorted(set(key.scopes)),
        "key_prefix": key.key_prefix,
        "value": value,
        "project_id": key.project_id,
        "created_by_user_id": key.created_by_user_id,
        "device_name": key.device_name,
        "source": key.source,
        "is_active": key.is_active,
        "created_at": _timestamp(key.created_at),
        "expires_at": _timestamp(key.expires_at),
        "last_used_at": _timestamp(key.last_used_at),
        "revoked_at": _timestamp(key.revoked_at),
    }
