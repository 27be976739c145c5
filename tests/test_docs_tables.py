"""``docs/resources.md`` is what the declarations generate, for any resource a backend declares."""

from __future__ import annotations

from pathlib import Path

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
