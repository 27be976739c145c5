"""``ProjectServiceAccount`` and ``ProjectApiKey`` as the shared tables drive them: the emulator's
default project, and for keys its default service account (``openai_projects.emulator_service``)."""

from __future__ import annotations

from typing import Any

import httpx

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.openai_projects.client import ProjectsClient, owner_id
from pulumi_apikeys.openai_projects.declaration import PROJECT_API_KEY, PROJECT_SERVICE_ACCOUNT
from pulumi_apikeys.openai_projects.emulator_service import DEFAULT_PROJECT_ID, DEFAULT_SERVICE_ACCOUNT_ID
from pulumi_apikeys.openai_projects.emulator_store import ProjectStore
from tests.backends import ResourceUnderTest, describe

PROJECT = DEFAULT_PROJECT_ID
ACCOUNT = DEFAULT_SERVICE_ACCOUNT_ID
SERVICE = "openai_projects"
ACCOUNTS_PATH = f"/v1/organization/projects/{PROJECT}/service_accounts"
KEYS_PATH = f"/v1/organization/projects/{PROJECT}/api_keys"
ACCOUNT_KEYS_PATH = f"{ACCOUNTS_PATH}/{ACCOUNT}/api_keys"
MODELS_PATH = "/v1/models"
"""What a project key is for: the emulator answers it with 200 while the key works."""


def client(emulator: RunningEmulator) -> ProjectsClient:
    endpoint = emulator.endpoint(SERVICE)
    return ProjectsClient(admin_key=endpoint.credential, base_url=endpoint.base_url)


def store(emulator: RunningEmulator) -> ProjectStore:
    found: ProjectStore = emulator.app.emulator.services[SERVICE].store
    return found


def _one_request(emulator: RunningEmulator, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One create request, outside the client (whose create may send more)."""
    endpoint = emulator.endpoint(SERVICE)
    origin = httpx.URL(endpoint.base_url).copy_with(path="/")
    response = httpx.post(
        origin.join(path), json=body, headers={"Authorization": f"Bearer {endpoint.credential}"}, timeout=10
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _key_value_is_of(emulator: RunningEmulator, key_id: str, value: str) -> bool:
    try:
        stored = store(emulator).key(PROJECT, key_id)
    except LookupError:
        return False
    return stored.value_sha256 == value_sha256(value)


def _account_value_is_of(emulator: RunningEmulator, account_id: str, value: str) -> bool:
    return any(
        owner_id(key) == account_id and _key_value_is_of(emulator, key.id, value)
        for key in client(emulator).list_api_keys(PROJECT)
    )


def _account_with_value(emulator: RunningEmulator, name: str) -> tuple[str, str]:
    created = _one_request(emulator, ACCOUNTS_PATH, {"name": name})
    return created["id"], created["api_key"]["value"]


def _key_with_value(emulator: RunningEmulator, name: str) -> tuple[str, str]:
    created = _one_request(emulator, ACCOUNT_KEYS_PATH, {"name": name})
    return created["id"], created["value"]


PROJECT_SERVICE_ACCOUNT_UNDER_TEST = describe(
    ResourceUnderTest(
        backend=SERVICE,
        resource=PROJECT_SERVICE_ACCOUNT,
        import_line="from pulumi_apikeys.openai import ProjectServiceAccount",
        class_name="ProjectServiceAccount",
        other_inputs={"project_id": PROJECT},
        get_inputs={"project_id": PROJECT},
        collection_path=ACCOUNTS_PATH,
        item_path=lambda account_id: f"{ACCOUNTS_PATH}/{account_id}",
        lookup_requests=lambda account_id: [("GET", f"{ACCOUNTS_PATH}/{account_id}")],
        value_prefix="sk-svcacct-",
        create_out_of_band=lambda emulator, name: (
            client(emulator).create_service_account(PROJECT, name=name).id
        ),
        create_with_value=_account_with_value,
        credential_option="admin_key",
        delete_out_of_band=lambda emulator, account_id: client(emulator).delete_service_account(
            PROJECT, account_id
        ),
        # The emulator's own default account is no resource's: left out.
        live_keys=lambda emulator: {
            a.id: a.name for a in client(emulator).list_service_accounts(PROJECT) if a.id != ACCOUNT
        },
        value_is_of=_account_value_is_of,
        missing_id="svc_acct_missing",
        get_missing_message=f"the project {PROJECT!r} has no service account 'svc_acct_missing'",
        create_call="openai.projects.service_accounts.create",
        import_example="svc_acct_abc",
        refused_credential_message="Incorrect API key provided.",
        plugin_import_id=lambda account_id: f"{PROJECT}/{account_id}",
        use_path=MODELS_PATH,
    )
)

PROJECT_API_KEY_UNDER_TEST = describe(
    ResourceUnderTest(
        backend=SERVICE,
        resource=PROJECT_API_KEY,
        import_line="from pulumi_apikeys.openai import ProjectApiKey",
        class_name="ProjectApiKey",
        other_inputs={"project_id": PROJECT, "service_account_id": ACCOUNT},
        get_inputs={"project_id": PROJECT},
        collection_path=ACCOUNT_KEYS_PATH,
        item_path=lambda key_id: f"{KEYS_PATH}/{key_id}",
        lookup_requests=lambda key_id: [("GET", f"{KEYS_PATH}/{key_id}")],
        value_prefix="sk-svcacct-",
        create_out_of_band=lambda emulator, name: (
            client(emulator).create_service_account_key(PROJECT, ACCOUNT, name=name).id
        ),
        create_with_value=_key_with_value,
        credential_option="admin_key",
        delete_out_of_band=lambda emulator, key_id: client(emulator).delete_api_key(PROJECT, key_id),
        live_keys=lambda emulator: {
            k.id: k.name for k in client(emulator).list_api_keys(PROJECT) if owner_id(k) == ACCOUNT
        },
        value_is_of=_key_value_is_of,
        missing_id="key_missing",
        get_missing_message=f"the project {PROJECT!r} has no API key 'key_missing'",
        create_call="openai.projects.service_accounts.api_keys.create",
        import_example="key_abc",
        refused_credential_message="Incorrect API key provided.",
        plugin_import_id=lambda key_id: f"{PROJECT}/{key_id}",
        use_path=MODELS_PATH,
    )
)
