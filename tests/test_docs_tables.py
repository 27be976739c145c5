"""``docs/resources.md`` is what the declarations generate, for any resource a backend declares."""

from __future__ import annotations

from pathlib import Path

from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.core.rotating_pair import rotating_pair
from pulumi_apikeys.docs_tables import resource_table, resource_tables
from tests.toy_backend.declaration import TOY_KEY

DOCS_FILE = Path(__file__).resolve().parents[1] / "docs" / "resources.md"


def test_docs_resources_md_is_what_the_declarations_generate():
    assert DOCS_FILE.read_text() == resource_tables(), (
        "regenerate: python -m pulumi_apikeys.docs_tables > docs/resources.md"
    )


def test_a_new_backends_resource_gets_its_table_from_its_declaration_alone():
    table = resource_table(TOY_KEY)

    assert table.startswith("## ToyKey (`pulumi-python:dynamic/toy:ToyKey`)")
    assert "The provider plugin's resource: `apikeys:toy:ToyKey`." in table
    assert (
        "| `name` | `name` | string | input, required | a change replaces the key | The key's name. |"
        in table
    )
    assert "| `value` | `value` | string | output | secret |" in table


def test_a_table_gives_the_plugins_camel_case_name_and_none_for_adopt_id():
    table = resource_table(TOY_KEY)

    assert "| `created_at` | `createdAt` | integer | output |" in table
    assert "| `adopt_id` | (none) | string | input only |" in table


def test_the_docs_have_a_section_for_every_key_resource_followed_by_its_rotating_pair():
    headings = [line for line in resource_tables().splitlines() if line.startswith("## ")]

    assert headings == [
        "## AdminApiKey (`pulumi-python:dynamic/openai:AdminApiKey`)",
        "## RotatingAdminApiKey (`pulumi-python:dynamic/openai:RotatingAdminApiKey`)",
        "## ApiKey (`pulumi-python:dynamic/capy:ApiKey`)",
        "## RotatingApiKey (`pulumi-python:dynamic/capy:RotatingApiKey`)",
        # A service account has no pair: replacing it takes its keys along.
        "## ProjectServiceAccount (`pulumi-python:dynamic/openai:ProjectServiceAccount`)",
        "## ProjectApiKey (`pulumi-python:dynamic/openai:ProjectApiKey`)",
        "## RotatingProjectApiKey (`pulumi-python:dynamic/openai:RotatingProjectApiKey`)",
    ]


def test_a_keys_rotation_triggers_replace_it_and_its_periods_are_recorded_in_state():
    table = resource_table(TOY_KEY)

    assert (
        "| `rotation_triggers` | `rotationTriggers` | map of string | input | a change replaces the key |"
        in table
    )
    for period in (
        "`rotate_after_seconds` | `rotateAfterSeconds`",
        "`renew_before_seconds` | `renewBeforeSeconds`",
    ):
        assert f"| {period} | integer | input | a change alone is recorded in state (no API call) |" in table


def test_a_pairs_table_comes_from_its_keys_declaration_alone():
    table = resource_table(rotating_pair(TOY_KEY))

    assert table.startswith("## RotatingToyKey (`pulumi-python:dynamic/toy:RotatingToyKey`)")
    assert "The provider plugin's resource: `apikeys:toy:RotatingToyKey`." in table
    assert "| `name` | `name` | string | input, required | a change rotates the pair |" in table
    assert (
        "| `rotate_after_seconds` | `rotateAfterSeconds` | integer | input, required | "
        "a change alone is recorded in state (no key changes) |"
    ) in table
    assert "| `current_value` | `currentValue` | string | output | secret |" in table
    assert "| `previous_value` | `previousValue` | string | output | secret |" in table
    assert "renew_before_seconds" not in table


def test_a_change_of_where_a_pairs_keys_live_replaces_the_pair():
    table = resource_table(rotating_pair(API_KEY))

    assert (
        "| `organization_id` | `organizationId` | string | input, required | a change replaces the pair |"
        in table
    )
    assert (
        "| `scopes` | `scopes` | string[] | input, required | a change rotates the pair (compared as a set) |"
        in table
    )
