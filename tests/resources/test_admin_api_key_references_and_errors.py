"""What a user sees when an ``AdminApiKey`` program is wrong (``get``, imports and a missing credential
are specified for every key resource in ``test_every_key_resource.py``)."""

from __future__ import annotations

from pulumi_apikeys.emulator import RunningEmulator
from tests.harness import HarnessStack

PROLOGUE = "import pulumi\nfrom pulumi_apikeys.openai import AdminApiKey\n"


def test_bad_input_fails_before_any_api_call_naming_the_property(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    result = harness_stack.up(PROLOGUE + 'AdminApiKey("deployer", name=" ", expires_in_seconds=0)\n')

    assert not result.ok
    assert "name must not be empty or only whitespace" in result.error_text
    assert "expires_in_seconds must be from 1 to 31536000 seconds, not 0" in result.error_text
    assert emulator.control.requests() == []
