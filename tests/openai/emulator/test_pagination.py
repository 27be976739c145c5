"""Listing keys page by page, in both orders, across deletions."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.helpers import KEYS


@pytest.fixture
def key_ids(create_key) -> list[str]:
    """Five keys, in creation order."""
    return [create_key(f"key-{index}")["id"] for index in range(5)]


def _ids(body: dict) -> list[str]:
    return [item["id"] for item in body["data"]]


def test_the_default_order_is_creation_order(api: httpx.Client, key_ids: list[str]) -> None:
    assert _ids(api.get(KEYS).json()) == key_ids


def test_desc_lists_newest_first(api: httpx.Client, key_ids: list[str]) -> None:
    assert _ids(api.get(KEYS, params={"order": "desc"}).json()) == key_ids[::-1]


def test_the_default_limit_is_20(api: httpx.Client, create_key) -> None:
    for index in range(21):
        create_key(f"key-{index}")

    body = api.get(KEYS).json()

    assert len(body["data"]) == 20
    assert body["has_more"] is True


def test_a_page_reports_its_first_and_last_ids_and_whether_more_follow(
    api: httpx.Client, key_ids: list[str]
) -> None:
    body = api.get(KEYS, params={"limit": 2}).json()

    assert _ids(body) == key_ids[:2]
    assert (body["first_id"], body["last_id"], body["has_more"]) == (key_ids[0], key_ids[1], True)


def test_the_last_page_has_no_more(api: httpx.Client, key_ids: list[str]) -> None:
    body = api.get(KEYS, params={"limit": 2, "after": key_ids[2]}).json()

    assert _ids(body) == key_ids[3:]
    assert body["has_more"] is False


def test_a_limit_equal_to_the_remaining_keys_has_no_more(api: httpx.Client, key_ids: list[str]) -> None:
    assert api.get(KEYS, params={"limit": 5}).json()["has_more"] is False


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_following_after_walks_every_key_once(api: httpx.Client, key_ids: list[str], order: str) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2, "order": order}
    while True:
        body = api.get(KEYS, params=params).json()
        seen += _ids(body)
        if not body["has_more"]:
            break
        params["after"] = body["last_id"]

    assert seen == (key_ids if order == "asc" else key_ids[::-1])


def test_after_a_deleted_id_continues_where_that_key_was(api: httpx.Client, key_ids: list[str]) -> None:
    api.delete(f"{KEYS}/{key_ids[1]}")

    assert _ids(api.get(KEYS, params={"after": key_ids[1]}).json()) == key_ids[2:]


def test_desc_after_a_deleted_id_continues_with_older_keys(api: httpx.Client, key_ids: list[str]) -> None:
    api.delete(f"{KEYS}/{key_ids[3]}")

    body = api.get(KEYS, params={"after": key_ids[3], "order": "desc"}).json()

    assert _ids(body) == key_ids[2::-1]
