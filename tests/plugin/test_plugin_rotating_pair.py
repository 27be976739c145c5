"""The rotating pair on the plugin's wire: a preview's update calls no API, a rotation is an update,
and a rotation stopped part-way goes to the engine as a partial failure carrying the exact state.

A name change makes the rotation: the plugin runs in its own process, whose clock a test cannot move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import provider_pb2, status_pb2

from pulumi_apikeys.emulator.faults import FaultPlan
from pulumi_apikeys.plugin.wire import UNKNOWN
from tests.plugin.conftest import configure, stack_args
from tests.plugin.driver import struct


@dataclass(frozen=True)
class Pair:
    token: str
    inputs: dict[str, Any]

    @property
    def urn(self) -> str:
        return f"urn:pulumi:dev::keys::{self.token}::pair"

    def renamed(self, name: str) -> dict[str, Any]:
        return {**self.inputs, "name": name}


PAIRS = [
    Pair("apikeys:openai:RotatingAdminApiKey", {"name": "CI", "rotateAfterSeconds": 3600.0}),
    Pair(
        "apikeys:capy:RotatingApiKey",
        {"organizationId": "org_1", "name": "CI", "scopes": ["keys:read"], "rotateAfterSeconds": 3600.0},
    ),
]
EVERY_PAIR = pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.token)


def plain(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def checked(plugin: Any, pair: Pair, news: dict[str, Any]) -> Any:
    return plugin.stub.Check(
        provider_pb2.CheckRequest(urn=pair.urn, olds=struct({}), news=struct(news))
    ).inputs


def create(plugin: Any, pair: Pair) -> Any:
    request = provider_pb2.CreateRequest(urn=pair.urn, properties=checked(plugin, pair, pair.inputs))
    return plugin.stub.Create(request)


def update(
    plugin: Any, pair: Pair, resource_id: str, olds: Any, news: dict[str, Any], *, preview: bool = False
) -> Any:
    request = provider_pb2.UpdateRequest(
        urn=pair.urn, id=resource_id, olds=olds, news=checked(plugin, pair, news), preview=preview
    )
    return plugin.stub.Update(request)


def _slot_ids(outputs: dict[str, Any]) -> tuple[Any, Any]:
    return outputs.get("currentId"), outputs.get("previousId")


@EVERY_PAIR
def test_a_rename_is_a_rotation_an_update_naming_the_name(plugin, pair):
    made = create(plugin, pair)

    diff = plugin.stub.Diff(
        provider_pb2.DiffRequest(
            urn=pair.urn, id=made.id, olds=made.properties, news=checked(plugin, pair, pair.renamed("CI 2"))
        )
    )

    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == []
    assert diff.detailedDiff["name"].kind == provider_pb2.PropertyDiff.UPDATE


@EVERY_PAIR
def test_a_preview_update_of_a_rotation_calls_no_api_and_answers_the_new_key_unknown(plugin, pair, emulator):
    made = create(plugin, pair)
    emulator.control.clear_requests()

    planned = plain(
        update(plugin, pair, made.id, made.properties, pair.renamed("CI 2"), preview=True).properties
    )

    assert emulator.control.requests() == []
    assert planned["currentId"] == UNKNOWN
    assert planned["previousId"] == made.id


@EVERY_PAIR
def test_a_rotation_moves_current_to_previous_and_retires_the_old_previous_first(plugin, pair, emulator):
    first = create(plugin, pair)
    second = update(plugin, pair, first.id, first.properties, pair.renamed("CI 2"))
    emulator.control.clear_requests()

    third = plain(update(plugin, pair, first.id, second.properties, pair.renamed("CI 3")).properties)

    current, previous = _slot_ids(plain(second.properties))
    assert third["previousId"] == current
    assert third["currentId"] not in (current, previous)
    methods = [r.method for r in emulator.control.requests() if r.method in ("POST", "DELETE")]
    assert methods == ["DELETE", "POST"]


@EVERY_PAIR
def test_a_rotation_whose_create_fails_after_retiring_the_previous_is_a_partial_failure_with_the_exact_state(
    start_plugin, emulator, pair
):
    plugin = start_plugin()
    configure(plugin, {**stack_args(emulator), "maxRetries": 0.0})
    first = create(plugin, pair)
    second = update(plugin, pair, first.id, first.properties, pair.renamed("CI 2"))
    current, previous = _slot_ids(plain(second.properties))
    emulator.control.set_faults(FaultPlan(script=["server_error"], methods=["POST"]))

    with pytest.raises(grpc.RpcError) as failed:
        update(plugin, pair, first.id, second.properties, pair.renamed("CI 3"))

    details = dict(failed.value.trailing_metadata())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(details)
    (packed,) = status.details
    init_failed = provider_pb2.ErrorResourceInitFailed()
    assert packed.Unpack(init_failed)
    state = json_format.MessageToDict(init_failed.properties)
    assert (state["currentId"], state.get("previousId")) == (current, None)
    assert state["name"] == "CI 2"  # the old declaration: the rotation to "CI 3" is still to do
    assert "the next `pulumi up` finishes the rotation" in init_failed.reasons[0]
    assert any(r.method == "DELETE" and r.path.endswith(f"/{previous}") for r in emulator.control.requests())
