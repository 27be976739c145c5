"""The lifecycle on its own, over plain values and no Pulumi SDK, for every registered key resource."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pulumi_apikeys.core.lifecycle import KeyLifecycle
from pulumi_apikeys.core.reconcile import KeyLedger
from pulumi_apikeys.core.stack_config import StackConfig
from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import ResourceUnderTest, stack_config, under_test
from tests.harness import Secret

EVERY_KEY_RESOURCE = pytest.mark.parametrize("subject", under_test(), ids=lambda subject: subject.id)


def lifecycle(subject: ResourceUnderTest, emulator: RunningEmulator, ledger: KeyLedger) -> KeyLifecycle:
    values = {
        key: value.value if isinstance(value, Secret) else str(value)
        for key, value in stack_config(subject.settings, emulator).items()
    }
    return KeyLifecycle(subject.resource, StackConfig(values), is_unknown=lambda value: False, ledger=ledger)


def declared(subject: ResourceUnderTest, emulator: RunningEmulator, name: str) -> dict:
    """The checked inputs of one key named ``name``."""
    checked = lifecycle(subject, emulator, KeyLedger()).check(subject.inputs(name))
    assert checked.problems == []
    return checked.inputs


@EVERY_KEY_RESOURCE
def test_every_method_named_an_id_puts_it_in_the_ledger(
    subject: ResourceUnderTest, emulator: RunningEmulator
):
    inputs = declared(subject, emulator, "held")
    for method in ("diff", "read", "update", "delete"):
        ledger = KeyLedger()
        keys = lifecycle(subject, emulator, ledger)
        created = keys.create(inputs)
        ledger_after_create = KeyLedger()
        keys = lifecycle(subject, emulator, ledger_after_create)
        if method == "diff":
            keys.diff(created.id, created.outputs, inputs)
        elif method == "read":
            keys.read(created.id, created.outputs)
        elif method == "update":
            keys.update(created.id, created.outputs, inputs)
        else:
            keys.delete(created.id, created.outputs)
        assert ledger.holds(created.id), "create"
        assert ledger_after_create.holds(created.id), method


@EVERY_KEY_RESOURCE
def test_a_read_after_a_delete_is_none_and_a_get_of_it_is_an_error(
    subject: ResourceUnderTest, emulator: RunningEmulator
):
    keys = lifecycle(subject, emulator, KeyLedger())
    created = keys.create(declared(subject, emulator, "gone"))
    keys.delete(created.id, created.outputs)

    assert keys.read(created.id, created.outputs) is None
    get_props = {k: v for k, v in created.outputs.items() if k in subject.resource.inputs}
    with pytest.raises(Exception, match=r"\.get: "):
        keys.read(created.id, get_props)


def test_the_core_and_every_declaration_load_without_the_pulumi_sdk():
    code = (
        "import sys, pulumi_apikeys.core.lifecycle, pulumi_apikeys.registry as r; "
        "r.key_resources(); print('pulumi' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
