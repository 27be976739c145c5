"""A scripted fake API for the HTTP layer's unit tests: an ApiHttpClient over httpx.MockTransport."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from pydantic import BaseModel, SecretStr

from pulumi_apikeys._http import ApiHttpClient
from pulumi_apikeys._pacing import Pacer
from pulumi_apikeys.openai.client import openai_error_message
from pulumi_apikeys.settings import RetryPolicy

CREDENTIAL = "sk-admin-unit-test-credential-0123456789"
BASE_URL = "https://api.example.test/v1"

Handler = Callable[[httpx.Request], httpx.Response]


class Thing(BaseModel):
    """A stand-in response model."""

    id: str


@dataclass
class FakeApi:
    """Answers requests from a script of handlers (the last one repeats) and records what it saw."""

    handlers: list[Handler]
    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    """Every wait, the retry loop's backoff and the pacer's alike, in order (none really waited)."""
    notices: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.handlers[min(len(self.requests), len(self.handlers)) - 1]
        return handler(request)

    def now(self) -> float:
        """The fake clock: real time when the test started it, plus every wait recorded since."""
        return self.started + sum(self.sleeps)

    def client(self, **policy: float) -> ApiHttpClient:
        return ApiHttpClient(
            base_url=BASE_URL,
            credential=SecretStr(CREDENTIAL),
            error_message=openai_error_message,
            policy=RetryPolicy(**policy),  # type: ignore[arg-type]
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            sleep=self.sleeps.append,
            pacer=Pacer("fake", clock=self.now, sleep=self.sleeps.append, notice=self.notices.append),
        )


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": "thing_1"})


def status(code: int, *, headers: dict[str, str] | None = None, message: str = "boom") -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"message": message, "type": "test", "param": None, "code": None}}
        return httpx.Response(code, json=body, headers={"x-request-id": "req_123", **(headers or {})})

    return handler


def raises(exc_type: type[httpx.TransportError]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return handler
