"""Closing a client's connection without answering, which ASGI has no message for."""

from __future__ import annotations

import asyncio

from starlette.types import Send

__all__ = ["ConnectionDroppedError", "drop_connection"]


class ConnectionDroppedError(Exception):
    """Raised to make the server close a connection when its transport was out of reach."""


async def drop_connection(server_send: Send) -> None:
    """Close the connection of the request ``server_send`` belongs to, sending nothing more.

    ``server_send`` must be the server's own ``send`` callable, not a middleware's wrapper.
    """
    # ASGI lets an app answer but not hang up. Uvicorn's `send` (h11 and httptools alike) is a bound
    # method of its RequestResponseCycle, which holds the asyncio transport: aborting it closes the
    # socket at once. The loop must then run connection_lost, which marks the cycle disconnected;
    # otherwise uvicorn, seeing the app return without a response, would answer 500 itself.
    cycle = getattr(server_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if isinstance(transport, asyncio.WriteTransport):
        transport.abort()
        for _ in range(10):
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
        return
    # Another server: promise a body, never send it, and fail, which makes a server close the
    # connection mid-response. The client sees a truncated response, which is also no answer.
    await server_send({"type": "http.response.start", "status": 500, "headers": [(b"content-length", b"1")]})
    raise ConnectionDroppedError("connection dropped by fault injection")
