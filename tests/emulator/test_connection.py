"""Dropping a connection when the server's transport cannot be reached (not uvicorn)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Message

from pulumi_apikeys.emulator.connection import ConnectionDroppedError, drop_connection


def test_without_a_transport_a_truncated_response_is_started_then_abandoned() -> None:
    sent: list[Message] = []

    async def plain_send(message: Message) -> None:
        sent.append(message)

    # A loop of its own, not asyncio.run: that would leave the thread with no current loop, which
    # the Pulumi SDK's in-process tests (tests/sdk_native) run on.
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ConnectionDroppedError):
            loop.run_until_complete(drop_connection(plain_send))
    finally:
        loop.close()

    (start,) = sent
    assert start["type"] == "http.response.start"
    assert dict(start["headers"])[b"content-length"] == b"1"  # promised, never sent
