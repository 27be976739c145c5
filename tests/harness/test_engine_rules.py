"""The harness's engine rules, proved on the file-backed toy provider (one rule per test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness import UNKNOWN, HarnessStack, Secret, StackOutput
from tests.harness.toy_provider import read_ops, stored_ids, toy_program

THING = "pulumi-python:dynamic/toy:Thing"


def _ops(store: Path, *kinds: str) -> list[tuple[str, str]]:
    return [(o["op"], o["key"]) for o in read_ops(store) if o["op"] in kinds]


def test_create_keeps_secret_inputs_and_outputs_secret_in_the_state(toy_stack: HarnessStack, toy_store: Path):
    program = toy_program(
        """
        thing = ToyThing("a", key="k", content="c", store=STORE, password=pulumi.Output.secret("hunter2"))
        pulumi.export("token", thing.token)
        pulumi.export("configured", thing.configured)
        """,
        store=toy_store,
    )

    result = toy_stack.up(program)

    assert result.ok, result
    assert result.steps == [("create", toy_stack.urn(THING, "a"))]
    assert result.crud_calls == [("Check", "a"), ("Create", "a")]
    state = toy_stack.state()
    thing = state.resource("a")
    assert isinstance(thing.inputs["__provider"], Secret)  # serialize_as_secret_always
    # The provider got plaintext (acceptSecrets=False); the engine re-marked its echo secret.
    assert thing.outputs["password"] == Secret("hunter2")
    assert isinstance(thing.outputs["token"], Secret)  # additional_secret_outputs
    for plaintext in ("hunter2", thing.outputs["token"].value, "config-secret-value"):
        assert plaintext not in state.raw
    assert result.outputs["token"].secret
    # Configure delivered the stack config under its full ``namespace:key`` name.
    assert result.outputs["configured"] == StackOutput("hello from config", secret=False)


def test_same_step_keeps_the_old_outputs_and_provider_but_records_the_new_inputs(
    toy_stack: HarnessStack, toy_store: Path
):
    def program(flavor: str) -> str:
        return toy_program(
            f'ToyThing("a", key="k", content="c", store=STORE, flavor="{flavor}")', store=toy_store
        )

    toy_stack.up(program("v1")).assert_ok()
    before = toy_stack.state().resource("a")

    result = toy_stack.up(program("v2"))

    assert result.ok, result
    assert result.steps == [("same", toy_stack.urn(THING, "a"))]
    assert result.crud_calls == [("Check", "a"), ("Diff", "a")]
    after = toy_stack.state().resource("a")
    assert after.outputs == before.outputs
    assert after.outputs["__provider"] == before.inputs["__provider"]
    assert after.inputs["__provider"] != before.inputs["__provider"]


def test_diff_unknown_falls_back_to_the_engine_input_diff_provider_included(
    toy_stack: HarnessStack, toy_store: Path
):
    def program(flavor: str) -> str:
        return toy_program(
            f'ToyThing("a", key="k", content="c", store=STORE, diff_mode="unknown", flavor="{flavor}")',
            store=toy_store,
        )

    toy_stack.up(program("v1")).assert_ok()

    unchanged = toy_stack.up(program("v1"))
    new_provider = toy_stack.up(program("v2"))

    assert unchanged.ops("a") == ["same"]
    # Only the pickled provider differs, and the engine's own diff counts it as a change.
    assert new_provider.ops("a") == ["update"], new_provider
    assert new_provider.crud_calls == [("Check", "a"), ("Diff", "a"), ("Update", "a")]


def test_replacement_creates_the_new_thing_before_deleting_the_old(toy_stack: HarnessStack, toy_store: Path):
    toy_stack.up(
        toy_program('ToyThing("a", key="k1", content="c", store=STORE)', store=toy_store)
    ).assert_ok()

    result = toy_stack.up(toy_program('ToyThing("a", key="k2", content="c", store=STORE)', store=toy_store))

    assert result.ok, result
    urn = toy_stack.urn(THING, "a")
    assert result.steps == [("create-replacement", urn), ("replace", urn), ("delete-replaced", urn)]
    assert _ops(toy_store, "create", "delete") == [("create", "k1"), ("create", "k2"), ("delete", "k1")]
    assert stored_ids(toy_store) == {toy_stack.state().resource("a").id}


@pytest.mark.parametrize(
    "asked_by",
    ["opts=pulumi.ResourceOptions(delete_before_replace=True)", "dbr_from_diff=True"],
    ids=["resource-option", "provider-diff"],
)
def test_delete_before_replace_deletes_the_old_thing_first(
    toy_stack: HarnessStack, toy_store: Path, asked_by: str
):
    toy_stack.up(
        toy_program('ToyThing("a", key="k1", content="c", store=STORE)', store=toy_store)
    ).assert_ok()

    result = toy_stack.up(
        toy_program(f'ToyThing("a", key="k2", content="c", store=STORE, {asked_by})', store=toy_store)
    )

    assert result.ok, result
    urn = toy_stack.urn(THING, "a")
    assert result.steps == [("delete-replaced", urn), ("replace", urn), ("create-replacement", urn)]
    assert _ops(toy_store, "create", "delete") == [("create", "k1"), ("delete", "k1"), ("create", "k2")]


def test_things_dropped_from_the_program_are_deleted_in_reverse_dependency_order(
    toy_stack: HarnessStack, toy_store: Path
):
    chain = """
        a = ToyThing("a", key="ka", content="first", store=STORE)
        b = ToyThing("b", key="kb", content=a.id, store=STORE)
        ToyThing("c", key="kc", content=b.id, store=STORE)
        """
    toy_stack.up(toy_program(chain, store=toy_store)).assert_ok()

    result = toy_stack.up(toy_program("", store=toy_store))

    assert result.ok, result
    assert result.steps == [("delete", toy_stack.urn(THING, name)) for name in ("c", "b", "a")]
    assert _ops(toy_store, "delete") == [("delete", "kc"), ("delete", "kb"), ("delete", "ka")]
    assert toy_stack.state().managed == []


def test_import_option_fails_with_keyerror_provider_as_in_pulumi_16175(
    toy_stack: HarnessStack, toy_store: Path
):
    program = toy_program(
        'ToyThing("a", key="k", content="c", store=STORE, opts=pulumi.ResourceOptions(import_="toy-0000"))',
        store=toy_store,
    )

    result = toy_stack.up(program)

    assert not result.ok
    assert "KeyError: '__provider'" in result.error_text
    # The engine's import step reads first, with neither inputs nor state: no Check, no Create.
    assert result.crud_calls == [("Read", "a")]
    assert result.calls_to("Read")[0].id == "toy-0000"
    assert toy_stack.state().managed == []


def test_get_reads_an_external_thing_that_destroy_leaves_alone(toy_stack: HarnessStack, toy_store: Path):
    (toy_store / "toy-external.json").write_text(json.dumps({"key": "ext", "content": "made elsewhere"}))
    program = toy_program(
        """
        ext = ToyThing.get("ext", "toy-external", store=STORE)
        pulumi.export("content", ext.content)
        """,
        store=toy_store,
    )

    read = toy_stack.up(program)
    destroyed = toy_stack.destroy()

    assert read.ok, read
    assert read.steps == [("read", toy_stack.urn(THING, "ext"))]
    assert read.outputs["content"] == StackOutput("made elsewhere", secret=False)
    assert destroyed.ok, destroyed
    assert destroyed.steps == [("discard", toy_stack.urn(THING, "ext"))]
    assert destroyed.crud_calls == []
    assert stored_ids(toy_store) == {"toy-external"}


def test_preview_checks_without_creating_and_saves_nothing(toy_stack: HarnessStack, toy_store: Path):
    program = toy_program(
        """
        thing = ToyThing("a", key="k", content="c", store=STORE)
        pulumi.export("key", thing.key)
        pulumi.export("token", thing.token)
        """,
        store=toy_store,
    )

    result = toy_stack.preview(program)

    assert result.ok, result
    assert result.steps == [("create", toy_stack.urn(THING, "a"))]
    # The dynamic provider does not support previews: no Create, checked inputs stand in for outputs.
    assert result.crud_calls == [("Check", "a")]
    assert result.outputs["key"].value == "k"
    assert result.outputs["token"].value == UNKNOWN
    assert toy_stack.state().raw == ""
    assert read_ops(toy_store) == []


def test_a_failed_create_fails_the_up_and_keeps_what_succeeded(toy_stack: HarnessStack, toy_store: Path):
    program = toy_program(
        """
        a = ToyThing("a", key="ka", content="c", store=STORE)
        ToyThing("b", key="kb", content=a.id, store=STORE, fail_on="create")
        """,
        store=toy_store,
    )

    result = toy_stack.up(program)

    assert not result.ok
    assert "RuntimeError: toy create failed for key 'kb'" in result.error_text
    assert "Traceback (most recent call last)" in result.error_text
    assert result.steps == [("create", toy_stack.urn(THING, "a"))]
    assert [r.name for r in toy_stack.state().managed] == ["a"]


def test_check_failures_abort_the_up_with_the_engine_diagnostic(toy_stack: HarnessStack, toy_store: Path):
    program = toy_program(
        'ToyThing("a", key="K", content="c", store=STORE, check_fail="must be lowercase")', store=toy_store
    )

    result = toy_stack.up(program)

    assert not result.ok
    expected = f"{THING} resource 'a': property key value {{K}} has a problem: must be lowercase"
    assert expected in result.error_text
    assert result.crud_calls == [("Check", "a")]


def test_refresh_takes_the_read_outputs_and_inputs_and_the_next_up_reconciles(
    toy_stack: HarnessStack, toy_store: Path
):
    program = toy_program('ToyThing("a", key="k", content="declared", store=STORE)', store=toy_store)
    toy_stack.up(program).assert_ok()
    thing_id = toy_stack.state().resource("a").id
    (toy_store / f"{thing_id}.json").write_text(json.dumps({"key": "k", "content": "edited by hand"}))

    refreshed = toy_stack.refresh()
    after_refresh = toy_stack.state().resource("a")
    reconciled = toy_stack.up(program)

    assert refreshed.ok, refreshed
    assert [(s.op, s.detail) for s in refreshed.journal] == [("refresh", "update")]
    assert after_refresh.outputs["content"] == "edited by hand"
    assert after_refresh.inputs["content"] == "edited by hand"  # the provider returned inputs
    assert reconciled.ops("a") == ["update"]
    assert toy_stack.state().resource("a").outputs["content"] == "declared"


def test_an_alias_carries_the_state_over_to_a_new_type_token(toy_stack: HarnessStack, toy_store: Path):
    toy_stack.up(toy_program('ToyThing("a", key="k", content="c", store=STORE)', store=toy_store)).assert_ok()
    old_id = toy_stack.state().resource("a").id
    renamed = toy_program(
        f"""
        RenamedToyThing("a", key="k", content="c", store=STORE,
                        opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="{THING}")]))
        """,
        store=toy_store,
    )

    result = toy_stack.up(renamed)

    assert result.ok, result
    new_urn = toy_stack.urn("pulumi-python:dynamic/toy:RenamedThing", "a")
    assert result.steps == [("same", new_urn)]
    state = toy_stack.state()
    assert [r.urn for r in state.managed] == [new_urn]
    assert state.resource("a").id == old_id
    assert state.resource("a").aliases == [toy_stack.urn(THING, "a")]


def test_independent_registrations_reach_the_provider_in_parallel(toy_stack: HarnessStack, toy_store: Path):
    program = toy_program(
        """
        ToyThing("a", key="ka", content="c", store=STORE, delay=1.0)
        ToyThing("b", key="kb", content="c", store=STORE, delay=1.0)
        """,
        store=toy_store,
    )

    result = toy_stack.up(program)

    assert result.ok, result
    first, second = result.calls_to("Create")
    assert second.started < first.ended  # overlapping calls: not serialized by the harness


def test_independent_deletes_reach_the_provider_in_parallel(toy_stack: HarnessStack, toy_store: Path):
    program = toy_program(
        """
        ToyThing("a", key="ka", content="c", store=STORE, delay=1.0)
        ToyThing("b", key="kb", content="c", store=STORE, delay=1.0)
        """,
        store=toy_store,
    )
    toy_stack.up(program).assert_ok()

    result = toy_stack.destroy()

    assert result.ok, result
    first, second = result.calls_to("Delete")
    assert second.started < first.ended  # one antichain: deleted at once, as ScheduleDeletes allows


@pytest.mark.parametrize(("diff_mode", "expected"), [("normal", "update"), ("unknown", "replace")])
def test_replace_on_changes_only_sees_keys_the_diff_reports(
    toy_stack: HarnessStack, toy_store: Path, diff_mode: str, expected: str
):
    def program(content: str) -> str:
        return toy_program(
            f'ToyThing("a", key="k", content="{content}", store=STORE, diff_mode="{diff_mode}",'
            ' opts=pulumi.ResourceOptions(replace_on_changes=["content"]))',
            store=toy_store,
        )

    toy_stack.up(program("one")).assert_ok()

    result = toy_stack.up(program("two"))

    # The Python dynamic server never reports changed keys with DIFF_SOME, so replaceOnChanges only
    # bites when diff() leaves ``changes`` unset and the engine diffs the inputs itself.
    assert result.ok, result
    assert expected in result.ops("a")
