"""Listing projects, service accounts and keys page by page: ``after``, ``limit``, ``has_more``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import CreateAccount, CreateKey
from .helpers import PROJECTS, account_path, accounts_path, key_path, keys_path


def _ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["data"]]


@pytest.fixture
def account_ids(create_account: CreateAccount) -> list[str]:
    """Five accounts without keys, in creation order."""
    return [create_account(f"a-{index}", create_service_account_only=True)["id"] for index in range(5)]


@pytest.fixture
def key_ids(create_account: CreateAccount, create_key: CreateKey) -> list[str]:
    """Five keys of one account (its initial key first), in creation order."""
    account = create_account()
    return [account["api_key"]["id"]] + [create_key(account["id"])["id"] for _ in range(4)]


def test_accounts_are_listed_in_creation_order(
    api: httpx.Client, project_id: str, account_ids: list[str]
) -> None:
    assert _ids(api.get(accounts_path(project_id)).json()) == account_ids


def test_a_page_reports_its_first_and_last_ids_and_whether_more_follow(
    api: httpx.Client, project_id: str, account_ids: list[str]
) -> None:
    body = api.get(accounts_path(project_id), params={"limit": 2}).json()

    assert _ids(body) == account_ids[:2]
    assert (body["first_id"], body["last_id"], body["has_more"]) == (account_ids[0], account_ids[1], True)


def test_the_last_page_has_no_more(api: httpx.Client, project_id: str, account_ids: list[str]) -> None:
    body = api.get(accounts_path(project_id), params={"limit": 2, "after": account_ids[2]}).json()

    assert (_ids(body), body["has_more"]) == (account_ids[3:], False)


def test_an_empty_page_has_no_first_or_last_id(api: httpx.Client, project_id: str) -> None:
    body = api.get(accounts_path(project_id)).json()

    assert body == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


def test_the_default_limit_is_20(api: httpx.Client, project_id: str, create_account: CreateAccount) -> None:
    for index in range(21):
        create_account(f"a-{index}", create_service_account_only=True)

    body = api.get(accounts_path(project_id)).json()

    assert (len(body["data"]), body["has_more"]) == (20, True)


def test_following_last_id_walks_every_key_once(
    api: httpx.Client, project_id: str, key_ids: list[str]
) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        body = api.get(keys_path(project_id), params=params).json()
        seen += _ids(body)
        if not body["has_more"]:
            break
        params["after"] = body["last_id"]

    assert seen == key_ids


def test_after_a_deleted_key_continues_where_that_key_was(
    api: httpx.Client, project_id: str, key_ids: list[str]
) -> None:
    api.delete(key_path(project_id, key_ids[1]))

    assert _ids(api.get(keys_path(project_id), params={"after": key_ids[1]}).json()) == key_ids[2:]


def test_after_a_deleted_account_continues_where_that_account_was(
    api: httpx.Client, project_id: str, account_ids: list[str]
) -> None:
    api.delete(account_path(project_id, account_ids[1]))

    assert (
        _ids(api.get(accounts_path(project_id), params={"after": account_ids[1]}).json()) == account_ids[2:]
    )


def test_projects_page_like_the_rest(api: httpx.Client, project_id: str) -> None:
    second = api.post(PROJECTS, json={"name": "second"}).json()["id"]

    first_page = api.get(PROJECTS, params={"limit": 1}).json()
    second_page = api.get(PROJECTS, params={"limit": 1, "after": first_page["last_id"]}).json()

    assert (_ids(first_page), first_page["has_more"]) == ([project_id], True)
    assert (_ids(second_page), second_page["has_more"]) == ([second], False)


def test_a_projects_list_holds_only_its_own_accounts(
    api: httpx.Client, project_id: str, account_ids: list[str]
) -> None:
    other = api.post(PROJECTS, json={"name": "other"}).json()["id"]

    assert _ids(api.get(accounts_path(other)).json()) == []
