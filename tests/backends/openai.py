"""``AdminApiKey`` as the shared tables drive it."""

from __future__ import annotations

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY
from pulumi_apikeys.openai.models import AdminApiKeyCreated
from tests.backends import ResourceUnderTest, describe

KEYS_PATH = "/v1/organization/admin_api_keys"


def client(emulator: RunningEmulator) -> AdminApiKeysClient:
    endpoint = emulator.endpoint("openai")
    return AdminApiKeysClient(admin_key=endpoint.credential, base_url=endpoint.base_url)


def _value_is_of(emulator: RunningEmulator, key_id: str, value: str) -> bool:
    stored = emulator.app.emulator.services["openai"].store.get(key_id)
    return stored is not None and stored.value_sha256 == value_sha256(value)


def _with_value(created: AdminApiKeyCreated) -> tuple[str, str]:
    return created.id, created.value.get_secret_value()


ADMIN_API_KEY_UNDER_TEST = describe(
    ResourceUnderTest(
        backend="openai",
        resource=ADMIN_API_KEY,
        import_line="from pulumi_apikeys.openai import AdminApiKey",
        class_name="AdminApiKey",
        other_inputs={},
        get_inputs={},
        collection_path=KEYS_PATH,
        item_path=lambda key_id: f"{KEYS_PATH}/{key_id}",
        lookup_requests=lambda key_id: [("GET", f"{KEYS_PATH}/{key_id}")],
        value_prefix="sk-admin-",
        create_out_of_band=lambda emulator, name: client(emulator).create(name=name).id,
        create_with_value=lambda emulator, name: _with_value(client(emulator).send_create(name=name)),
        credential_option="admin_key",
        delete_out_of_band=lambda emulator, key_id: client(emulator).delete(key_id),
        live_keys=lambda emulator: {key.id: key.name or "" for key in client(emulator).list()},
        value_is_of=lambda emulator, key_id, value: _value_is_of(emulator, key_id, value),
        missing_id="key_missing",
        get_missing_message="the organization has no Admin API key 'key_missing'",
        create_call="openai.admin_api_keys.create",
        import_example="key_abc",
        refused_credential_message="Incorrect API key provided.",
        plugin_get_missing_message=(
            "Cannot import Admin API key 'key_missing': the organization has no key with that id."
        ),
    )
)
