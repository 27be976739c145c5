"""The toy vendor's emulator pages as the real APIs do: a page token outlives its key."""

from __future__ import annotations

import httpx

from pulumi_apikeys.emulator import RunningEmulator
from tests.toy_backend.client import PATH
from tests.toy_backend.emulator_service import PAGE_SIZE


def test_a_page_token_stays_good_after_its_key_is_deleted(emulator: RunningEmulator):
    # A reconciling create lists while another one deletes a duplicate: the list must go on.
    endpoint = emulator.endpoint("toy")
    headers = {"authorization": f"Bearer {endpoint.credential}"}
    with httpx.Client(base_url=endpoint.base_url, headers=headers) as http:
        created = [http.post(PATH, json={"name": f"k{i}"}).json()["id"] for i in range(PAGE_SIZE + 2)]
        first = http.get(PATH).json()
        http.delete(f"{PATH}/{first['next_page_token']}").raise_for_status()

        rest = http.get(PATH, params={"page_token": first["next_page_token"]})

    assert rest.status_code == 200
    assert [key["id"] for key in rest.json()["keys"]] == created[PAGE_SIZE:]
