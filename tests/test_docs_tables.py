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
    assert "| `name` | string | input, required | a change replaces the key | The key's name. |" in table
    assert "| `value` | string | output | secret |" in table
    assert "| `adopt_id` | string | input only |" in table
