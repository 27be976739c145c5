"""``ToyKey`` as the shared tables drive it."""

from __future__ import annotations

from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import ResourceUnderTest, describe
from tests.toy_backend.client import PATH, ToyKeysClient
from tests.toy_backend.declaration import TOY_KEY
from tests.toy_backend.models import ToyKeyCreated


def client(emulator: RunningEmulator) -> ToyKeysClient:
    endpoint = emulator.endpoint("toy")
    return ToyKeysClient(api_key=endpoint.credential, base_url=endpoint.base_url)


def _value_is_of(emulator: RunningEmulator, key_id: str, value: str) -> bool:
    service = emulator.app.emulator.services["toy"]
    return service.holds_value(key_id, value)


def _with_value(created: ToyKeyCreated) -> tuple[str, str]:
    return created.id, created.secret.get_secret_value()


TOY_KEY_UNDER_TEST = describe(
    ResourceUnderTest(
        backend="toy",
        resource=TOY_KEY,
        import_line="from tests.toy_backend.resource import ToyKey",
        class_name="ToyKey",
        other_inputs={},
        get_inputs={},
        collection_path=PATH,
        item_path=lambda key_id: f"{PATH}/{key_id}",
        lookup_requests=lambda key_id: [("GET", PATH)],
        value_prefix="toy_sk_",
        create_out_of_band=lambda emulator, name: client(emulator).create(name=name).id,
        create_with_value=lambda emulator, name: _with_value(client(emulator).create(name=name)),
        credential_option="api_key",
        delete_out_of_band=lambda emulator, key_id: client(emulator).delete(key_id),
        live_keys=lambda emulator: {key.id: key.name for key in client(emulator).list()},
        value_is_of=lambda emulator, key_id, value: _value_is_of(emulator, key_id, value),
        missing_id="toy_missing",
        get_missing_message="there is no toy key 'toy_missing'",
        create_call="toy.keys.create",
        import_example="toy_abc",
        refused_credential_message="Missing or wrong toy API key.",
    )
)
