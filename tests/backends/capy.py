"""capy's ``ApiKey`` as the shared tables drive it: one organization, one scope."""

from __future__ import annotations

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.capy.models import ApiKeyCreated
from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import ResourceUnderTest, describe

ORG = "org_1"
KEYS_PATH = f"/v1/organizations/{ORG}/api-keys"


def client(emulator: RunningEmulator) -> CapyApiKeysClient:
    endpoint = emulator.endpoint("capy")
    return CapyApiKeysClient(api_key=endpoint.credential, base_url=endpoint.base_url)


def _value_is_of(emulator: RunningEmulator, key_id: str, value: str) -> bool:
    owner = emulator.app.emulator.services["capy"].store.find_secret(value)
    return owner is not None and owner.id == key_id


def _with_value(created: ApiKeyCreated) -> tuple[str, str]:
    return created.api_key.id, created.plaintext_api_key.get_secret_value()


CAPY_API_KEY_UNDER_TEST = describe(
    ResourceUnderTest(
        backend="capy",
        resource=API_KEY,
        import_line="from pulumi_apikeys.capy import ApiKey",
        class_name="ApiKey",
        other_inputs={"organization_id": ORG, "scopes": ["keys:read"]},
        get_inputs={"organization_id": ORG},
        collection_path=KEYS_PATH,
        item_path=lambda key_id: f"{KEYS_PATH}/{key_id}",
        lookup_requests=lambda key_id: [("GET", KEYS_PATH)],
        value_prefix="capy_live_",
        create_out_of_band=lambda emulator, name: (
            client(emulator).create(organization_id=ORG, name=name, scopes=["keys:read"]).api_key.id
        ),
        create_with_value=lambda emulator, name: _with_value(
            client(emulator).send_create(organization_id=ORG, name=name, scopes=["keys:read"])
        ),
        credential_option="api_key",
        delete_out_of_band=lambda emulator, key_id: client(emulator).revoke(ORG, key_id),
        live_keys=lambda emulator: {
            key.id: key.name for key in client(emulator).list(ORG) if not key.is_gone
        },
        value_is_of=lambda emulator, key_id, value: _value_is_of(emulator, key_id, value),
        missing_id="ak_missing",
        get_missing_message=f"the organization {ORG!r} has no capy API key 'ak_missing'",
        plugin_import_id=lambda key_id: f"{ORG}/{key_id}",
        create_call="capy.api_keys.create",
        import_example="ak_abc",
        refused_credential_message="Invalid API key.",
    )
)
