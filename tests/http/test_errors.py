"""How the shared HTTP layer turns answers (and their absence) into exceptions."""

from __future__ import annotations

import pickle
import threading

import httpx
import pytest
from pydantic import BaseModel

from pulumi_apikeys import _http
from pulumi_apikeys._http import MAX_RESPONSE_BYTES, USER_AGENT, path_segment, shared_http_client
from pulumi_apikeys.errors import (
    ApiStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnreadableResponseError,
)

from .fake_api import CREDENTIAL, Thing, ok, status


def get(api, model: type[BaseModel] = Thing):
    return api.client(max_retries=0).request("test.get", "GET", "/things/1", model=model)


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, BadRequestError),
        (429, RateLimitedError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (418, ApiStatusError),
    ],
)
def test_each_error_status_maps_to_its_exception_class(fake_api, code, error_class):
    with pytest.raises(error_class) as caught:
        get(fake_api(status(code)))
    assert type(caught.value) is error_class


def test_a_status_error_carries_call_status_api_message_and_request_id(fake_api):
    with pytest.raises(NotFoundError) as caught:
        get(fake_api(status(404, message="No such key")))
    error = caught.value
    assert (error.call, error.status, error.message, error.request_id) == (
        "test.get",
        404,
        "No such key",
        "req_123",
    )
    assert str(error) == "test.get failed with HTTP 404: No such key (request id req_123)"


def test_an_html_error_page_is_described_not_dumped(fake_api):
    def html_502(request):
        return httpx.Response(
            502, text="<html><body>Bad gateway</body></html>", headers={"content-type": "text/html"}
        )

    with pytest.raises(ServerError) as caught:
        get(fake_api(html_502))
    assert "text/html" in caught.value.message
    assert "<html>" not in str(caught.value)


def test_the_credential_echoed_by_the_api_never_reaches_the_exception(fake_api):
    echoing = status(401, message=f"Incorrect API key provided: {CREDENTIAL}")
    with pytest.raises(AuthenticationError) as caught:
        get(fake_api(echoing))
    assert CREDENTIAL not in str(caught.value)
    assert "[REDACTED]" in str(caught.value)


def test_a_response_missing_a_field_names_the_call_and_the_field_but_not_the_values(fake_api):
    class Secretive(BaseModel):
        id: str
        value: str

    def partial(request):
        return httpx.Response(200, json={"id": "sk-admin-should-not-appear-anywhere"})

    with pytest.raises(UnreadableResponseError) as caught:
        get(fake_api(partial), model=Secretive)
    text = str(caught.value)
    assert text.startswith("test.get failed with HTTP 200")
    assert "value: Field required" in text
    assert "should-not-appear" not in text


def test_a_response_that_is_not_json_is_unreadable(fake_api):
    with pytest.raises(UnreadableResponseError, match="not the documented shape"):
        get(fake_api(lambda request: httpx.Response(200, text="hello")))


def test_a_body_larger_than_the_cap_is_refused(fake_api):
    huge = b'{"id": "' + b"x" * (MAX_RESPONSE_BYTES + 1) + b'"}'
    with pytest.raises(UnreadableResponseError, match="larger than"):
        get(fake_api(lambda request: httpx.Response(200, content=huge)))


def test_requests_carry_bearer_auth_user_agent_and_accept(fake_api):
    api = fake_api(ok)
    get(api)
    headers = api.requests[0].headers
    assert headers["authorization"] == f"Bearer {CREDENTIAL}"
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("pulumi-apikeys/")
    assert headers["accept"] == "application/json"


def test_redirects_are_not_followed_so_the_credential_stays_with_the_api(fake_api):
    api = fake_api(lambda request: httpx.Response(302, headers={"location": "https://elsewhere.test/"}))
    with pytest.raises(ApiStatusError) as caught:
        get(api)
    assert caught.value.status == 302
    assert [r.url.host for r in api.requests] == ["api.example.test"]


def test_the_shared_client_is_one_per_process_whatever_the_thread():
    seen: list[httpx.Client] = []
    threads = [threading.Thread(target=lambda: seen.append(shared_http_client())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in seen}) == 1
    assert seen[0] is shared_http_client()


def test_the_shared_client_is_remade_in_a_forked_child(monkeypatch):
    parent = shared_http_client()
    monkeypatch.setattr(_http.os, "getpid", lambda: -1)
    assert shared_http_client() is not parent


def test_errors_survive_pickling_with_their_fields():
    error = NotFoundError("test.get", "gone", status=404, request_id="req_1")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.call, copy.message, copy.status, copy.request_id, str(copy)) == (
        NotFoundError,
        "test.get",
        "gone",
        404,
        "req_1",
        str(error),
    )


@pytest.mark.parametrize(
    ("value", "encoded"),
    [("key_abc", "key_abc"), ("a/b", "a%2Fb"), ("a?b", "a%3Fb"), ("a#b", "a%23b"), ("../x", "..%2Fx")],
)
def test_a_path_segment_is_encoded_so_it_cannot_name_another_path(value, encoded):
    assert path_segment(value, "key_id") == encoded


@pytest.mark.parametrize("value", ["", "   ", ".", "..", "a\nb", None, 12])
def test_a_path_segment_that_cannot_be_an_id_is_refused(value):
    with pytest.raises(InvalidArgumentError, match="key_id"):
        path_segment(value, "key_id")
