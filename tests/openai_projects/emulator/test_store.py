"""The project store on its own: what it keeps, what deleting takes along, expiry, its state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.emulator.state_file import StateFile, StateSection
from pulumi_apikeys.errors import UnknownCursorError
from pulumi_apikeys.openai_projects.emulator_store import (
    DEFAULT_KEY_NAME,
    AccessFilter,
    ExpiredKeyError,
    MissingObjectError,
    ProjectStore,
)
from pulumi_apikeys.openai_projects.models import OwnerUser, ServiceAccountOwner, UserOwner

from .helpers import SECRET_PATTERN, SERVICE_NAME, FakeClock

USER = OwnerUser(id="user-abc", name="Ada", email="ada@example.com", role="owner", created_at=1)


def section_of(path: Path) -> StateSection:
    """The store's section of the state file at ``path``, as the emulator hands it over."""
    return StateFile(path).section(SERVICE_NAME)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> ProjectStore:
    return ProjectStore(clock=clock)


@pytest.fixture
def project_id(store: ProjectStore) -> str:
    return store.create_project("app").id


def test_ids_have_openais_shapes(store: ProjectStore, project_id: str) -> None:
    account, initial = store.create_service_account(project_id, "deployer")

    assert project_id.startswith("proj_")
    assert account.id.startswith("svc_acct_")
    assert initial is not None
    assert initial[0].id.startswith("key_")


def test_an_account_is_made_with_a_member_role_and_an_initial_key(
    store: ProjectStore, project_id: str
) -> None:
    account, initial = store.create_service_account(project_id, "deployer")

    assert account.role == "member"
    assert initial is not None
    key, _ = initial
    assert (key.name, key.service_account_id, key.scopes) == (DEFAULT_KEY_NAME, account.id, [])


def test_an_account_only_has_no_key_no_role_and_no_access(store: ProjectStore, project_id: str) -> None:
    account, initial = store.create_service_account(project_id, "bare", with_key=False)

    assert initial is None
    assert (account.role, account.project_access) == ("none", "inactive")
    assert len(store) == 0


def test_a_key_keeps_the_hash_of_its_value_not_the_value(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")

    key, value = store.create_key(project_id, account.id, name="extra")

    assert key.value_sha256 == value_sha256(value)
    assert value not in key.model_dump_json()


def test_key_values_are_random_and_match_the_backends_secret_pattern(
    store: ProjectStore, project_id: str
) -> None:
    account, _ = store.create_service_account(project_id, "deployer")

    values = {store.create_key(project_id, account.id)[1] for _ in range(3)}

    assert len(values) == 3
    assert all(value.startswith("sk-svcacct-") and SECRET_PATTERN.fullmatch(value) for value in values)


def test_a_redacted_value_shows_only_the_values_ends_and_is_no_secret(
    store: ProjectStore, project_id: str
) -> None:
    account, _ = store.create_service_account(project_id, "deployer")

    key, value = store.create_key(project_id, account.id)

    assert key.redacted_value == "sk-svcacct..." + value[-3:]
    assert SECRET_PATTERN.search(key.redacted_value) is None


def test_a_key_without_a_name_gets_the_default_name(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")

    key, _ = store.create_key(project_id, account.id)

    assert key.name == DEFAULT_KEY_NAME


def test_a_service_accounts_key_is_owned_by_it(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")

    key, _ = store.create_key(project_id, account.id)

    assert isinstance(key.owner, ServiceAccountOwner)
    assert (key.owner.service_account.id, key.owner.service_account.name) == (account.id, "deployer")
    assert key.owner_project_access == "active"


def test_deleting_an_account_deletes_its_keys(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    extra, _ = store.create_key(project_id, account.id)

    _, deleted = store.delete_service_account(project_id, account.id)

    assert extra.id in {key.id for key in deleted}
    assert store.keys(project_id, after=None, limit=100, access="any").items == []
    with pytest.raises(MissingObjectError):
        store.key(project_id, extra.id)


def test_deleting_an_account_leaves_other_accounts_keys(store: ProjectStore, project_id: str) -> None:
    doomed, _ = store.create_service_account(project_id, "doomed")
    kept, _ = store.create_service_account(project_id, "kept")
    kept_key, _ = store.create_key(project_id, kept.id)

    store.delete_service_account(project_id, doomed.id)

    assert store.key(project_id, kept_key.id).id == kept_key.id


def test_deleting_a_key_leaves_its_account_and_the_accounts_other_keys(
    store: ProjectStore, project_id: str
) -> None:
    account, initial = store.create_service_account(project_id, "deployer")
    assert initial is not None
    extra, _ = store.create_key(project_id, account.id)

    store.delete_key(project_id, extra.id)

    assert store.service_account(project_id, account.id).id == account.id
    assert store.key(project_id, initial[0].id).id == initial[0].id


def test_an_unknown_project_is_missing_as_a_project(store: ProjectStore) -> None:
    with pytest.raises(MissingObjectError) as raised:
        store.create_service_account("proj_unknown", "deployer")

    assert (raised.value.kind, raised.value.object_id) == ("project", "proj_unknown")


def test_an_account_of_another_project_is_missing_here(store: ProjectStore, project_id: str) -> None:
    other = store.create_project("other").id
    account, _ = store.create_service_account(other, "deployer")

    with pytest.raises(MissingObjectError) as raised:
        store.service_account(project_id, account.id)

    assert raised.value.kind == "service_account"


def test_a_key_of_another_project_is_missing_here(store: ProjectStore, project_id: str) -> None:
    other = store.create_project("other").id
    account, _ = store.create_service_account(other, "deployer")
    key, _ = store.create_key(other, account.id)

    with pytest.raises(MissingObjectError) as raised:
        store.key(project_id, key.id)

    assert raised.value.kind == "api_key"


def test_a_key_past_its_lifetime_no_longer_authenticates(
    store: ProjectStore, project_id: str, clock: FakeClock
) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    _, value = store.create_key(project_id, account.id, expires_in_seconds=60)

    clock.now += 60

    assert store.authenticate(value) is None


def test_a_key_within_its_lifetime_authenticates_and_is_marked_used(
    store: ProjectStore, project_id: str, clock: FakeClock
) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, value = store.create_key(project_id, account.id, expires_in_seconds=60)

    clock.now += 59
    used = store.authenticate(value)

    assert used is not None
    assert (used.id, used.last_used_at) == (key.id, int(clock.now))


def test_the_initial_keys_lifetime_is_the_accounts_expires_in_seconds(
    store: ProjectStore, project_id: str, clock: FakeClock
) -> None:
    _, initial = store.create_service_account(project_id, "deployer", expires_in_seconds=600)

    assert initial is not None
    assert initial[0].expires_at == int(clock.now) + 600


def test_an_update_replaces_the_scopes_and_keeps_the_id_and_value(
    store: ProjectStore, project_id: str
) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, value = store.create_key(project_id, account.id, scopes=["api.model.read"])

    updated = store.update_key(project_id, key.id, scopes=["api.files.read", "api.files.write"])

    assert updated.id == key.id
    assert updated.scopes == ["api.files.read", "api.files.write"]
    assert updated.value_sha256 == value_sha256(value)
    assert store.authenticate(value) is not None


def test_an_update_of_the_lifetime_counts_from_the_update(
    store: ProjectStore, project_id: str, clock: FakeClock
) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, _ = store.create_key(project_id, account.id, expires_in_seconds=60)
    clock.now += 30

    updated = store.update_key(project_id, key.id, expires_in_seconds=60)

    assert updated.expires_at == int(clock.now) + 60


def test_an_update_of_one_field_leaves_the_other(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, _ = store.create_key(project_id, account.id, scopes=["api.model.read"], expires_in_seconds=60)

    updated = store.update_key(project_id, key.id, scopes=[])

    assert (updated.scopes, updated.expires_at) == ([], key.expires_at)


def test_an_expired_key_cannot_be_updated(store: ProjectStore, project_id: str, clock: FakeClock) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, _ = store.create_key(project_id, account.id, expires_in_seconds=60)
    clock.now += 60

    with pytest.raises(ExpiredKeyError):
        store.update_key(project_id, key.id, scopes=[])


def test_an_expired_key_stays_listed(store: ProjectStore, project_id: str, clock: FakeClock) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, _ = store.create_key(project_id, account.id, expires_in_seconds=60)
    clock.now += 61

    listed = store.keys(project_id, after=None, limit=100, access="active").items

    assert key.id in [listed_key.id for listed_key in listed]


def test_a_deleted_key_no_longer_authenticates(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    key, value = store.create_key(project_id, account.id)

    store.delete_key(project_id, key.id)

    assert store.authenticate(value) is None


def test_a_page_stops_at_its_limit_and_says_more_follow(store: ProjectStore, project_id: str) -> None:
    ids = [store.create_service_account(project_id, f"a-{index}")[0].id for index in range(3)]

    page = store.service_accounts(project_id, after=None, limit=2)

    assert ([account.id for account in page.items], page.has_more) == (ids[:2], True)


def test_a_page_after_a_deleted_key_continues_where_it_was(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer", with_key=False)
    store.set_owner_access(project_id, account.id, "active")
    ids = [store.create_key(project_id, account.id)[0].id for _ in range(3)]

    store.delete_key(project_id, ids[0])

    assert [key.id for key in store.keys(project_id, after=ids[0], limit=10, access="any").items] == ids[1:]


def test_a_page_after_an_id_never_held_is_refused(store: ProjectStore, project_id: str) -> None:
    with pytest.raises(UnknownCursorError):
        store.service_accounts(project_id, after="svc_acct_never", limit=10)


def test_an_owner_without_access_has_its_keys_shown_only_when_asked(
    store: ProjectStore, project_id: str
) -> None:
    account, initial = store.create_service_account(project_id, "deployer")
    assert initial is not None

    store.set_owner_access(project_id, account.id, "inactive")

    def listed(access: AccessFilter) -> list[str]:
        return [key.id for key in store.keys(project_id, after=None, limit=10, access=access).items]

    assert (listed("active"), listed("inactive"), listed("any")) == ([], [initial[0].id], [initial[0].id])


def test_a_user_key_is_owned_by_the_user(store: ProjectStore, project_id: str) -> None:
    key, value = store.add_user_key(project_id, USER, "laptop")

    assert isinstance(key.owner, UserOwner)
    assert key.owner.user.email == "ada@example.com"
    assert value.startswith("sk-proj-")
    assert SECRET_PATTERN.fullmatch(value)


def test_len_counts_keys_not_projects_or_accounts(store: ProjectStore, project_id: str) -> None:
    account, _ = store.create_service_account(project_id, "deployer")
    store.create_key(project_id, account.id)

    assert len(store) == 2


def test_reset_forgets_everything(store: ProjectStore, project_id: str) -> None:
    store.create_service_account(project_id, "deployer")

    store.reset()

    assert (len(store), store.projects(after=None, limit=10).items) == (0, [])


def test_everything_survives_a_restart_through_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    before = ProjectStore(section_of(path))
    project = before.create_project("app")
    account, _ = before.create_service_account(project.id, "deployer")
    key, value = before.create_key(project.id, account.id, scopes=["api.model.read"])
    user_key, _ = before.add_user_key(project.id, USER, "laptop")

    after = ProjectStore(section_of(path))

    assert after.project(project.id) == project
    assert after.service_account(project.id, account.id) == account
    assert after.key(project.id, key.id) == key
    assert after.key(project.id, user_key.id) == user_key
    assert after.authenticate(value) is not None


def test_the_state_file_never_holds_a_value(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = ProjectStore(section_of(path))
    project = store.create_project("app")
    _, initial = store.create_service_account(project.id, "deployer")
    assert initial is not None

    text = path.read_text()

    assert initial[1] not in text
    assert SECRET_PATTERN.search(text) is None
    assert SERVICE_NAME in json.loads(text)


def test_deleted_ids_stay_good_cursors_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    before = ProjectStore(section_of(path))
    project = before.create_project("app")
    ids = [before.create_service_account(project.id, f"a-{index}")[0].id for index in range(2)]
    before.delete_service_account(project.id, ids[0])

    after = ProjectStore(section_of(path))

    assert [a.id for a in after.service_accounts(project.id, after=ids[0], limit=10).items] == ids[1:]
