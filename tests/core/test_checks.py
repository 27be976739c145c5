"""What ``check()`` accepts and refuses, through the AdminApiKey provider's check."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from pulumi_apikeys.openai.provider import AdminApiKeyProvider


def check(news: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    result = AdminApiKeyProvider().check({}, news)
    return result.inputs, [(f.property, f.reason) for f in result.failures]


def test_valid_inputs_pass_through_unchanged():
    inputs, failures = check({"name": "CI deployer", "expires_in_seconds": 3600})
    assert failures == []
    assert inputs == {"name": "CI deployer", "expires_in_seconds": 3600}


def test_a_whole_float_lifetime_becomes_an_int():
    inputs, _ = check({"name": "k", "expires_in_seconds": 7776000.0})
    assert inputs["expires_in_seconds"] == 7776000
    assert type(inputs["expires_in_seconds"]) is int


def test_an_omitted_lifetime_is_left_out_of_the_checked_inputs():
    inputs, _ = check({"name": "k"})
    assert inputs == {"name": "k"}


@pytest.mark.parametrize(
    ("news", "failure"),
    [
        ({}, ("name", "name is required: give the key a non-empty name")),
        ({"name": 5}, ("name", "name must be a string, not a number")),
        ({"name": ""}, ("name", "name must not be empty or only whitespace")),
        ({"name": "  \t"}, ("name", "name must not be empty or only whitespace")),
        ({"name": "a\nb"}, ("name", "name must not contain control characters such as newlines or tabs")),
        (
            {"name": "k", "expires_in_seconds": 0},
            ("expires_in_seconds", "expires_in_seconds must be from 1 to 31536000 seconds, not 0"),
        ),
        (
            {"name": "k", "expires_in_seconds": 31536001.0},
            ("expires_in_seconds", "expires_in_seconds must be from 1 to 31536000 seconds, not 31536001"),
        ),
        (
            {"name": "k", "expires_in_seconds": 1.5},
            ("expires_in_seconds", "expires_in_seconds must be a whole number of seconds, not 1.5"),
        ),
        (
            {"name": "k", "expires_in_seconds": "30"},
            ("expires_in_seconds", "expires_in_seconds must be a whole number of seconds, not a string"),
        ),
        (
            {"name": "k", "expires_in_seconds": True},
            ("expires_in_seconds", "expires_in_seconds must be a whole number of seconds, not a boolean"),
        ),
        (
            {"name": "k", "adopt_id": ""},
            ("adopt_id", "the id to import must not be empty; expected an id such as 'key_abc'"),
        ),
        (
            {"name": "k", "adopt_id": "../keys"},
            (
                "adopt_id",
                "the id to import must look like 'key_abc' (letters, digits, '_' and '-'), not '../keys'",
            ),
        ),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_a_wrong_input_is_a_check_failure_naming_the_property(news, failure):
    _, failures = check(news)
    assert failures == [failure]


@pytest.mark.parametrize("bad_id", ["key/abc", "key?x=1", "key#frag", "..", "key abc"])
def test_an_import_id_that_could_change_the_url_path_is_refused(bad_id):
    _, failures = check({"name": "k", "adopt_id": bad_id})
    assert [prop for prop, _ in failures] == ["adopt_id"]


def test_every_problem_is_reported_at_once():
    _, failures = check({"name": "", "expires_in_seconds": -1})
    assert [prop for prop, _ in failures] == ["name", "expires_in_seconds"]


def test_values_unknown_during_a_preview_pass_unchecked():
    inputs, failures = check({"name": UNKNOWN, "expires_in_seconds": UNKNOWN})
    assert failures == []
    assert inputs == {"name": UNKNOWN, "expires_in_seconds": UNKNOWN}
