"""The plugin's resource calls as the engine makes them: check, diff, create, read, update, delete.

Each behaviour is shown for every built-in resource; values go over the wire exactly as the engine
sends them (camelCase names, numbers as floats, secrets wrapped, unknowns as the sentinel).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import provider_pb2

from pulumi_apikeys.plugin.wire import UNKNOWN
from tests.backends import ResourceUnderTest, under_test
from tests.plugin.driver import secret, struct

_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


@dataclass(frozen=True)
class Subject:
    token: str
    inputs: dict[str, Any]
    renamed: dict[str, Any]
    computed: str
    """An output only the API fills in."""

    @property
    def urn(self) -> str:
        return f"urn:pulumi:dev::keys::{self.token}::ci"

    def import_id(self, key_id: str) -> str:
        return f"{self.inputs['organizationId']}/{key_id}" if "organizationId" in self.inputs else key_id


SUBJECTS = [
    Subject(
        "apikeys:openai:AdminApiKey",
        {"name": "CI", "expiresInSeconds": 3600.0},
        {"name": "CI renamed", "expiresInSeconds": 3600.0},
        "redactedValue",
    ),
    Subject(
        "apikeys:capy:ApiKey",
        {"organizationId": "org_1", "name": "CI", "scopes": ["keys:write", "keys:read"]},
        {"organizationId": "org_1", "name": "CI renamed", "scopes": ["keys:read", "keys:write"]},
        "keyPrefix",
    ),
]
EVERY_RESOURCE = pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: s.token)


def plain(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG


def check(plugin, subject: Subject, news: dict[str, Any]) -> Any:
    return plugin.stub.Check(provider_pb2.CheckRequest(urn=subject.urn, olds=struct({}), news=struct(news)))


def create(plugin, subject: Subject, *, preview: bool = False, inputs: dict[str, Any] | None = None) -> Any:
    checked = check(plugin, subject, subject.inputs if inputs is None else inputs)
    return plugin.stub.Create(
        provider_pb2.CreateRequest(urn=subject.urn, properties=checked.inputs, preview=preview)
    )


def delete(plugin, subject: Subject, created: Any) -> None:
    plugin.stub.Delete(
        provider_pb2.DeleteRequest(urn=subject.urn, id=created.id, properties=created.properties)
    )


def refresh(plugin, subject: Subject, created: Any) -> Any:
    request = provider_pb2.ReadRequest(urn=subject.urn, id=created.id, properties=created.properties)
    return plugin.stub.Read(request)


def changed_to(subject: Subject, created: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """What Diff and Update carry: the id, the old outputs and the new inputs."""
    return {"urn": subject.urn, "id": created.id, "olds": created.properties, "news": struct(inputs)}


@EVERY_RESOURCE
def test_check_returns_the_inputs_normalized_under_their_wire_names(plugin, subject):
    checked = plain(check(plugin, subject, subject.inputs).inputs)

    assert set(checked) == set(subject.inputs)
    if "scopes" in checked:
        assert checked["scopes"] == sorted(subject.inputs["scopes"])


@EVERY_RESOURCE
def test_check_failures_name_the_property_as_the_schema_spells_it(plugin, subject):
    bad = {**subject.inputs, "name": ""}
    if "organizationId" in bad:
        bad["organizationId"] = "org/../x"
    else:
        bad["expiresInSeconds"] = 1.5

    failures = {f.property: f.reason for f in check(plugin, subject, bad).failures}

    wrong = "organizationId" if "organizationId" in bad else "expiresInSeconds"
    assert set(failures) == {"name", wrong}
    assert failures[wrong].startswith(wrong)


@EVERY_RESOURCE
def test_a_secret_input_comes_back_from_check_as_a_secret(plugin, subject):
    news = {**subject.inputs, "name": secret("CI")}

    checked = plain(check(plugin, subject, news).inputs)

    assert is_secret(checked["name"])


@EVERY_RESOURCE
def test_check_passes_an_unknown_input_through(plugin, subject):
    news = {**subject.inputs, "name": UNKNOWN}

    checked = check(plugin, subject, news)

    assert not checked.failures
    assert plain(checked.inputs)["name"] == UNKNOWN


@EVERY_RESOURCE
def test_a_preview_create_calls_no_api_and_answers_the_value_as_an_unknown_secret(plugin, subject, emulator):
    emulator.control.clear_requests()

    outputs = plain(create(plugin, subject, preview=True).properties)

    assert emulator.control.requests() == []
    assert outputs["value"] == {_SIG_KEY: _SECRET_SIG, "value": UNKNOWN}
    assert outputs[subject.computed] == UNKNOWN
    assert outputs["name"] == "CI"


@EVERY_RESOURCE
def test_create_answers_the_id_and_every_output_with_the_value_a_secret(plugin, subject, emulator):
    created = create(plugin, subject)
    outputs = plain(created.properties)

    assert created.id in subject_ids(emulator, subject)
    assert is_secret(outputs["value"])
    assert emulator_value_matches(emulator, subject, created.id, outputs["value"]["value"])
    assert isinstance(outputs["createdAt"], (int, float, str))


@EVERY_RESOURCE
def test_diff_of_a_renamed_key_replaces_it_with_a_detailed_diff(plugin, subject):
    created = create(plugin, subject)

    diff = plugin.stub.Diff(
        provider_pb2.DiffRequest(
            urn=subject.urn, id=created.id, olds=created.properties, news=struct(subject.renamed)
        )
    )

    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == ["name"]
    assert diff.hasDetailedDiff
    assert diff.detailedDiff["name"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE
    assert diff.detailedDiff["name"].inputDiff


@EVERY_RESOURCE
def test_diff_of_the_same_inputs_is_no_change(plugin, subject):
    created = create(plugin, subject)

    diff = plugin.stub.Diff(
        provider_pb2.DiffRequest(
            urn=subject.urn, id=created.id, olds=created.properties, news=struct(subject.inputs)
        )
    )

    assert diff.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert dict(diff.detailedDiff) == {}


@EVERY_RESOURCE
def test_diff_of_a_new_rotation_period_alone_is_an_update_in_place(plugin, subject):
    created = create(plugin, subject, inputs={**subject.inputs, "rotateAfterSeconds": 86400.0})

    diff = plugin.stub.Diff(
        provider_pb2.DiffRequest(
            **changed_to(subject, created, {**subject.inputs, "rotateAfterSeconds": 172800.0})
        )
    )

    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == []
    assert list(diff.diffs) == ["rotateAfterSeconds"]
    assert diff.detailedDiff["rotateAfterSeconds"].kind == provider_pb2.PropertyDiff.UPDATE
    assert diff.detailedDiff["rotateAfterSeconds"].inputDiff


@EVERY_RESOURCE
def test_diff_of_a_first_rotation_period_is_an_addition_in_place(plugin, subject):
    created = create(plugin, subject)

    diff = plugin.stub.Diff(
        provider_pb2.DiffRequest(
            **changed_to(subject, created, {**subject.inputs, "renewBeforeSeconds": 600.0})
        )
    )

    assert list(diff.replaces) == []
    assert diff.detailedDiff["renewBeforeSeconds"].kind == provider_pb2.PropertyDiff.ADD


@EVERY_RESOURCE
def test_diff_of_new_rotation_triggers_replaces_the_key(plugin, subject):
    created = create(plugin, subject, inputs={**subject.inputs, "rotationTriggers": {"deployment": "v1"}})

    diff = plugin.stub.Diff(
        provider_pb2.DiffRequest(
            **changed_to(subject, created, {**subject.inputs, "rotationTriggers": {"deployment": "v2"}})
        )
    )

    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == ["rotationTriggers"]
    assert diff.detailedDiff["rotationTriggers"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE


@EVERY_RESOURCE
def test_update_of_a_rotation_period_records_it_keeps_every_other_output_and_calls_no_api(
    plugin, subject, emulator
):
    created = create(plugin, subject, inputs={**subject.inputs, "rotateAfterSeconds": 86400.0})
    emulator.control.clear_requests()

    updated = plugin.stub.Update(
        provider_pb2.UpdateRequest(
            **changed_to(subject, created, {**subject.inputs, "rotateAfterSeconds": 3600.0})
        )
    )

    assert plain(updated.properties) == {**plain(created.properties), "rotateAfterSeconds": 3600}
    assert emulator.control.requests() == []


@EVERY_RESOURCE
def test_a_refresh_keeps_the_value_and_returns_the_declared_inputs(plugin, subject):
    created = create(plugin, subject)

    read = plugin.stub.Read(
        provider_pb2.ReadRequest(
            urn=subject.urn, id=created.id, properties=created.properties, inputs=struct({})
        )
    )

    assert read.id == created.id
    assert plain(read.properties)["value"] == plain(created.properties)["value"]
    assert plain(read.inputs)["name"] == "CI"


@EVERY_RESOURCE
def test_a_refresh_of_a_key_deleted_elsewhere_answers_a_blank_id(plugin, subject):
    created = create(plugin, subject)
    plugin.stub.Delete(
        provider_pb2.DeleteRequest(urn=subject.urn, id=created.id, properties=created.properties)
    )

    read = plugin.stub.Read(
        provider_pb2.ReadRequest(urn=subject.urn, id=created.id, properties=created.properties)
    )

    assert read.id == ""


@EVERY_RESOURCE
def test_an_import_read_with_only_the_id_returns_inputs_and_outputs_without_a_value(plugin, subject):
    created = create(plugin, subject)

    read = plugin.stub.Read(provider_pb2.ReadRequest(urn=subject.urn, id=subject.import_id(created.id)))

    assert read.id == created.id
    inputs, outputs = plain(read.inputs), plain(read.properties)
    assert inputs["name"] == "CI"
    assert "expiresInSeconds" not in inputs  # the API never tells a key's declared lifetime
    assert outputs.get("value") is None
    assert outputs[subject.computed]


@EVERY_RESOURCE
def test_an_import_of_a_missing_id_fails_naming_the_id(plugin, subject):
    with pytest.raises(grpc.RpcError) as raised:
        plugin.stub.Read(provider_pb2.ReadRequest(urn=subject.urn, id=subject.import_id("key_nosuch")))

    assert "'key_nosuch'" in raised.value.details()
    assert "Cannot import" in raised.value.details()


def test_a_capy_import_id_without_its_organization_is_refused_with_the_form_to_use(plugin):
    with pytest.raises(grpc.RpcError) as raised:
        plugin.stub.Read(provider_pb2.ReadRequest(urn=SUBJECTS[1].urn, id="ak_abc"))

    assert "'<organization_id>/<key id>'" in raised.value.details()


@EVERY_RESOURCE
def test_update_keeps_every_output(plugin, subject):
    created = create(plugin, subject)

    updated = plugin.stub.Update(
        provider_pb2.UpdateRequest(
            urn=subject.urn, id=created.id, olds=created.properties, news=struct(subject.inputs)
        )
    )

    assert plain(updated.properties) == plain(created.properties)


@EVERY_RESOURCE
def test_delete_removes_the_key_and_a_second_delete_succeeds(plugin, subject, emulator):
    created = create(plugin, subject)

    for _ in range(2):
        plugin.stub.Delete(
            provider_pb2.DeleteRequest(urn=subject.urn, id=created.id, properties=created.properties)
        )

    assert created.id not in subject_ids(emulator, subject)


def test_a_resource_token_the_plugin_lacks_is_an_error_naming_it(plugin):
    with pytest.raises(grpc.RpcError) as raised:
        plugin.stub.Check(
            provider_pb2.CheckRequest(urn="urn:pulumi:dev::keys::apikeys:openai:Nope::x", news=struct({}))
        )

    assert "'apikeys:openai:Nope'" in raised.value.details()


def test_a_missing_credential_names_both_ways_to_set_it(start_plugin):
    plugin = start_plugin()
    plugin.stub.Configure(provider_pb2.ConfigureRequest(args=struct({}), acceptSecrets=True))
    checked = check(plugin, SUBJECTS[0], SUBJECTS[0].inputs)

    with pytest.raises(grpc.RpcError) as raised:
        plugin.stub.Create(provider_pb2.CreateRequest(urn=SUBJECTS[0].urn, properties=checked.inputs))

    assert raised.value.details() == (
        "pulumi_apikeys.errors.ConfigurationError: No OpenAI admin key is configured: set it in the stack "
        "with `pulumi config set --secret apikeys:openaiAdminKey <value>` or in the environment as "
        "OPENAI_ADMIN_KEY."
    )


def test_the_legacy_variables_map_is_read_for_a_setting_args_lacks(start_plugin, emulator):
    plugin = start_plugin()
    openai = emulator.endpoint("openai")
    plugin.stub.Configure(
        provider_pb2.ConfigureRequest(
            args=struct({"openaiBaseUrl": openai.base_url}),
            variables={"apikeys:config:openaiAdminKey": openai.credential},
            acceptSecrets=True,
        )
    )

    created = create(plugin, SUBJECTS[0])

    assert created.id.startswith("key_")


def described(subject: Subject) -> ResourceUnderTest:
    (found,) = [s for s in under_test() if s.resource.plugin_type_name == subject.token]
    return found


def subject_ids(emulator, subject: Subject) -> set[str]:
    return set(described(subject).live_keys(emulator))


def emulator_value_matches(emulator, subject: Subject, key_id: str, value: str) -> bool:
    return described(subject).value_is_of(emulator, key_id, value)
