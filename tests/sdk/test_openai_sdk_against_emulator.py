"""The official ``openai`` SDK against the emulator: proof that the emulator speaks the real API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import openai
import pytest

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator

pytestmark = pytest.mark.sdk


def _client(
    emulator: RunningEmulator, *, admin_key: str | None = None, max_retries: int = 0
) -> openai.OpenAI:
    return openai.OpenAI(
        admin_api_key=admin_key or emulator.endpoint("openai").credential,
        api_key="unused",
        base_url=emulator.endpoint("openai").base_url,
        max_retries=max_retries,
    )


@pytest.fixture
def sdk(emulator: RunningEmulator) -> Iterator[openai.OpenAI]:
    with _client(emulator) as client:
        yield client


def test_create_returns_the_value(sdk: openai.OpenAI) -> None:
    created = sdk.admin.organization.admin_api_keys.create(name="sdk-key", expires_in_seconds=600)

    assert created.name == "sdk-key"
    assert created.value is not None
    assert created.value.startswith("sk-admin-")
    assert created.expires_at == created.created_at + 600


def test_retrieve_returns_the_created_key(sdk: openai.OpenAI) -> None:
    created = sdk.admin.organization.admin_api_keys.create(name="sdk-key")

    retrieved = sdk.admin.organization.admin_api_keys.retrieve(created.id)

    assert (retrieved.id, retrieved.name, retrieved.redacted_value) == (
        created.id,
        "sdk-key",
        created.redacted_value,
    )


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_auto_paging_walks_every_key_across_pages(sdk: openai.OpenAI, order: Literal["asc", "desc"]) -> None:
    keys = sdk.admin.organization.admin_api_keys
    created = [keys.create(name=f"key-{index}").id for index in range(45)]

    listed = [key.id for key in keys.list(limit=10, order=order)]

    assert listed == (created if order == "asc" else created[::-1])


def test_a_page_reports_whether_more_follow(sdk: openai.OpenAI) -> None:
    keys = sdk.admin.organization.admin_api_keys
    for index in range(3):
        keys.create(name=f"key-{index}")

    page = keys.list(limit=2)

    assert len(page.data) == 2
    assert page.has_next_page()


def test_delete_removes_the_key(sdk: openai.OpenAI) -> None:
    keys = sdk.admin.organization.admin_api_keys
    created = keys.create(name="doomed")

    deleted = keys.delete(created.id)

    assert (deleted.id, deleted.deleted, deleted.object) == (
        created.id,
        True,
        "organization.admin_api_key.deleted",
    )
    assert [key.id for key in keys.list()] == []


def test_a_wrong_admin_key_raises_authentication_error(emulator: RunningEmulator) -> None:
    with _client(emulator, admin_key="sk-admin-wrong") as client, pytest.raises(openai.AuthenticationError):
        client.admin.organization.admin_api_keys.list()


def test_a_created_key_works_as_the_sdk_admin_key(sdk: openai.OpenAI, emulator: RunningEmulator) -> None:
    value = sdk.admin.organization.admin_api_keys.create(name="bootstrap").value
    assert value is not None

    with _client(emulator, admin_key=value) as client:
        assert [key.name for key in client.admin.organization.admin_api_keys.list()] == ["bootstrap"]


def test_an_unknown_id_raises_not_found_error(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        sdk.admin.organization.admin_api_keys.retrieve("key_unknown")

    assert raised.value.request_id is not None
    assert raised.value.request_id.startswith("req_")


def test_a_bad_request_raises_bad_request_error(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        sdk.admin.organization.admin_api_keys.create(name="")


def test_the_sdk_retries_a_rate_limit_to_success(emulator: RunningEmulator) -> None:
    # retry-after-ms takes precedence in the SDK; it keeps the test quick.
    emulator.control.set_faults(FaultPlan(script=["rate_limit", "rate_limit"], retry_after_ms=50))

    with _client(emulator, max_retries=2) as client:
        created = client.admin.organization.admin_api_keys.create(name="patient")

    assert created.name == "patient"
    assert [entry.status for entry in emulator.control.requests()] == [429, 429, 200]


def test_the_sdk_surfaces_a_dropped_connection_as_a_connection_error(emulator: RunningEmulator) -> None:
    emulator.control.set_faults(FaultPlan(script=["drop"]))

    with _client(emulator) as client, pytest.raises(openai.APIConnectionError):
        client.admin.organization.admin_api_keys.list()
