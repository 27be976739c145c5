"""The projects client against the emulator: each call, the in-place update, an account's deletion
taking its keys along, and creates whose answer is lost ending with one account (or key), or none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, RunningEmulator, start_emulator
from pulumi_apikeys.errors import ApiConnectionError, InvalidArgumentError, NotFoundError
from pulumi_apikeys.openai_projects.client import ProjectsClient, owner_id
from pulumi_apikeys.openai_projects.emulator_service import SERVICE
from pulumi_apikeys.settings import RetryPolicy

QUICK = RetryPolicy(max_retries=2, timeout=5.0, backoff_initial=0.01, backoff_max=0.05)


@pytest.fixture(scope="module")
def running() -> Iterator[RunningEmulator]:
    with start_emulator(EmulatorConfig(port=0), specs=[SERVICE]) as emulator:
        yield emulator


@pytest.fixture
def emulator(running: RunningEmulator) -> RunningEmulator:
    running.control.reset()
    return running


@pytest.fixture
def client(emulator: RunningEmulator) -> ProjectsClient:
    endpoint = emulator.endpoint(SERVICE.name)
    return ProjectsClient(admin_key=endpoint.credential, base_url=endpoint.base_url, policy=QUICK)


@pytest.fixture
def project(client: ProjectsClient) -> str:
    return client.create_project(name="app").id


def mutations(emulator: RunningEmulator) -> list[str]:
    return [r.method for r in emulator.control.requests() if r.method != "GET"]


def test_a_service_account_comes_with_its_initial_key_and_value(client, project):
    account = client.create_service_account(project, name="billing-api", expires_in_seconds=3600)

    assert account.api_key is not None
    assert account.api_key.value.get_secret_value().startswith("sk-")
    assert account.api_key.expires_at == account.api_key.created_at + 3600
    assert [a.id for a in client.list_service_accounts(project)] == [account.id]
    assert client.retrieve_service_account(project, account.id).name == "billing-api"


def test_an_extra_key_belongs_to_its_service_account(client, project):
    account = client.create_service_account(project, name="billing-api")

    extra = client.create_service_account_key(
        project, account.id, name="billing-api 2", scopes=["api.model.read"]
    )

    listed = client.retrieve_api_key(project, extra.id)
    assert listed.name == "billing-api 2"
    assert owner_id(listed) == account.id
    assert extra.value.get_secret_value() != account.api_key.value.get_secret_value()  # type: ignore[union-attr]


def test_an_update_changes_the_key_in_place_with_one_request(client, emulator, project):
    account = client.create_service_account(project, name="billing-api")
    key = client.create_service_account_key(project, account.id, name="k", expires_in_seconds=60)
    emulator.control.clear_requests()

    updated = client.update_api_key(project, key.id, scopes=["api.model.read"], expires_in_seconds=7200)

    assert updated.id == key.id
    assert updated.expires_at is not None
    assert updated.expires_at > key.created_at + 60
    assert [(r.method, r.path) for r in emulator.control.requests()] == [
        ("POST", f"/v1/organization/projects/{project}/api_keys/{key.id}")
    ]


def test_an_update_with_nothing_to_change_is_refused_before_any_request(client, emulator, project):
    emulator.control.clear_requests()

    with pytest.raises(InvalidArgumentError, match="scopes or expires_in_seconds"):
        client.update_api_key(project, "key_abc")

    assert emulator.control.requests() == []


def test_deleting_an_account_deletes_its_keys(client, project):
    account = client.create_service_account(project, name="billing-api")
    extra = client.create_service_account_key(project, account.id, name="extra")

    assert client.delete_service_account(project, account.id) is True

    assert list(client.list_api_keys(project)) == []
    with pytest.raises(NotFoundError):
        client.retrieve_api_key(project, extra.id)
    assert client.delete_service_account(project, account.id) is False  # already gone: not an error


def test_deleting_a_key_that_is_gone_is_not_an_error(client, project):
    account = client.create_service_account(project, name="billing-api")
    key = client.create_service_account_key(project, account.id, name="extra")

    assert client.delete_api_key(project, key.id) is True
    assert client.delete_api_key(project, key.id) is False


def test_an_unknown_project_is_a_not_found_naming_it(client):
    with pytest.raises(NotFoundError, match="proj_missing"):
        client.create_service_account("proj_missing", name="billing-api")


def test_lists_follow_every_page(client, project):
    account = client.create_service_account(project, name="billing-api")
    made = [client.create_service_account_key(project, account.id, name=f"k{i:03}").id for i in range(120)]

    listed = [k.id for k in client.list_api_keys(project)]

    assert listed[1:] == made  # the initial key first, in creation order, across two pages


@pytest.mark.parametrize("fault", ["commit_then_drop", "server_error", "unavailable"])
def test_a_service_account_create_after_a_lost_answer_ends_with_exactly_one_account(
    client, emulator, project, fault
):
    emulator.control.set_faults(FaultPlan(script=[fault], methods=["POST"]))

    account = client.create_service_account(project, name="billing-api")

    assert [a.id for a in client.list_service_accounts(project)] == [account.id]
    assert [owner_id(k) for k in client.list_api_keys(project)] == [account.id]  # one key: the kept one's


@pytest.mark.parametrize("fault", ["commit_then_drop", "server_error", "unavailable"])
def test_a_key_create_after_a_lost_answer_ends_with_exactly_one_key(client, emulator, project, fault):
    account = client.create_service_account(project, name="billing-api")
    emulator.control.set_faults(FaultPlan(script=[fault], methods=["POST"]))

    key = client.create_service_account_key(project, account.id, name="extra")

    extras = [k.id for k in client.list_api_keys(project) if k.name == "extra"]
    assert extras == [key.id]


def test_the_account_a_lost_answer_made_is_deleted_before_the_next_attempt(client, emulator, project):
    emulator.control.clear_requests()  # the project's own create
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))

    client.create_service_account(project, name="billing-api")

    assert mutations(emulator) == ["POST", "DELETE", "POST"]


def test_when_every_create_is_lost_no_account_is_left_and_the_error_says_so(client, emulator, project):
    emulator.control.set_faults(FaultPlan(rates={"commit_then_drop": 1.0}, methods=["POST"]))

    with pytest.raises(ApiConnectionError, match=r"gave up after 3 attempt\(s\), and no key was left behind"):
        client.create_service_account(project, name="billing-api")

    emulator.control.clear_faults()
    assert list(client.list_service_accounts(project)) == []


def test_another_account_of_the_same_name_is_never_taken_for_a_lost_one(client, emulator, project):
    kept = client.create_service_account(project, name="billing-api")  # held by this process's ledger
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))

    made = client.create_service_account(project, name="billing-api")

    assert sorted(a.id for a in client.list_service_accounts(project)) == sorted([kept.id, made.id])


@pytest.mark.parametrize(
    ("scopes", "lifetime", "message"),
    [
        ("api.model.read", None, "scopes must be a list"),
        ([""], None, "scopes must be a list"),
        (None, 0, "expires_in_seconds must be from 1"),
        (None, True, "expires_in_seconds must be an integer"),
    ],
)
def test_bad_key_input_is_refused_before_any_request(client, emulator, project, scopes, lifetime, message):
    emulator.control.clear_requests()

    with pytest.raises(InvalidArgumentError, match=message):
        client.create_service_account_key(
            project, "svc_acct_abc", name="k", scopes=scopes, expires_in_seconds=lifetime
        )

    assert emulator.control.requests() == []
