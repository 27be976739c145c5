"""Where the provider's settings come from: stack config first, then the environment."""

from __future__ import annotations

import pytest
from pulumi.dynamic.config import Config

from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import ConfigurationError

KEY = Setting("openaiAdminKey", "TEST_ADMIN_KEY", "OpenAI admin key", secret=True)


def from_stack(values: dict[str, object]) -> StackConfig:
    return StackConfig.read(Config(values, "project").get, (KEY,))


def test_stack_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("TEST_ADMIN_KEY", "from-env")
    assert from_stack({"apikeys:openaiAdminKey": "from-stack"}).get(KEY) == "from-stack"


def test_the_environment_is_used_when_the_stack_has_no_value(monkeypatch):
    monkeypatch.setenv("TEST_ADMIN_KEY", "from-env")
    assert from_stack({}).get(KEY) == "from-env"


def test_a_blank_stack_value_counts_as_unset(monkeypatch):
    monkeypatch.setenv("TEST_ADMIN_KEY", "from-env")
    assert from_stack({"apikeys:openaiAdminKey": " "}).get(KEY) == "from-env"


def test_a_key_in_the_project_namespace_is_not_read(monkeypatch):
    monkeypatch.delenv("TEST_ADMIN_KEY", raising=False)
    assert from_stack({"project:openaiAdminKey": "elsewhere"}).get(KEY) is None


def test_a_missing_credential_names_both_ways_to_set_it(monkeypatch):
    monkeypatch.delenv("TEST_ADMIN_KEY", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        from_stack({}).require_secret(KEY)
    assert str(caught.value) == (
        "No OpenAI admin key is configured: set it in the stack with "
        "`pulumi config set --secret apikeys:openaiAdminKey <value>` or in the environment as TEST_ADMIN_KEY."
    )


def test_a_config_value_that_is_not_a_string_is_refused():
    with pytest.raises(ConfigurationError, match="apikeys:openaiAdminKey must be a string"):
        from_stack({"apikeys:openaiAdminKey": 5})


def test_repr_shows_which_keys_are_set_never_their_values():
    config = from_stack({"apikeys:openaiAdminKey": "sk-admin-secret"})
    assert "sk-admin-secret" not in repr(config)
    assert "apikeys:openaiAdminKey" in repr(config)


def test_the_source_of_a_value_from_the_stack_names_the_config_key(monkeypatch):
    monkeypatch.setenv("TEST_ADMIN_KEY", "from-env")
    assert from_stack({"apikeys:openaiAdminKey": "k"}).source(KEY) == (
        "the OpenAI admin key in the stack config apikeys:openaiAdminKey"
    )


def test_the_source_of_a_value_from_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("TEST_ADMIN_KEY", "from-env")
    assert from_stack({}).source(KEY) == "the OpenAI admin key in the environment variable TEST_ADMIN_KEY"
