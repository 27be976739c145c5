"""What redaction removes from text, and what it leaves alone."""

from __future__ import annotations

import pytest

from pulumi_apikeys.redaction import REDACTED, redact


def test_a_known_secret_is_replaced_wherever_it_appears():
    assert redact("a=s3cr3t-token; b=s3cr3t-token", ["s3cr3t-token"]) == f"a={REDACTED}; b={REDACTED}"


@pytest.mark.parametrize(
    "secret",
    [
        "sk-admin-AbC123_def-456ghi",
        "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
        "capy_live_abcdef123456",
        "Bearer anything.at.all",
    ],
)
def test_secret_shaped_tokens_are_replaced_even_when_unknown(secret):
    assert redact(f"got {secret} here") == f"got {REDACTED} here"


@pytest.mark.parametrize(
    "text", ["sk-admin...xyz", "redacted_value=sk-admin...abc", "key_abc", "skeleton-key"]
)
def test_redacted_values_ids_and_ordinary_words_are_left_alone(text):
    assert redact(text) == text


def test_very_short_known_secrets_are_not_used_to_shred_text():
    assert redact("abc abc", ["abc"]) == "abc abc"
