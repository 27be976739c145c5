"""The pieces of the plugin model that need no process: versions, names, arguments, paths, diffs, files."""

from __future__ import annotations

from typing import Any, cast

import grpc
import pytest
from google.protobuf import any_pb2
from pulumi.runtime.proto import engine_pb2, provider_pb2, resource_pb2, status_pb2

from tests.harness.engine import INIT_ERROR_KEY, Engine
from tests.harness.engine_service import Diagnostics
from tests.harness.importer import ImportFileError, make_import_file, parse_import_file
from tests.harness.monitor import HarnessMonitor
from tests.harness.plugins import EngineFlags, SemVer, default_provider_name, plugin_arguments
from tests.harness.properties import (
    detailed_object_diff,
    go_json,
    parse_property_path,
    path_contains,
    to_struct,
)
from tests.harness.provider_server import ProviderError, ProviderServer
from tests.harness.providers import (
    DIFF_NONE,
    DIFF_SOME,
    DiffResult,
    InitError,
    NotModelled,
    PropertyDiff,
    ProviderInstance,
    StepFailed,
)


@pytest.mark.parametrize(
    ("version", "name"),
    [
        (None, "default"),
        ("0.1.0", "default_0_1_0"),
        ("1.2.3-alpha.1+build.5", "default_1_2_3_alpha_1_build_5"),
    ],
)
def test_a_default_provider_is_named_from_its_version_parts(version: str | None, name: str) -> None:
    assert default_provider_name(SemVer.parse(version) if version else None) == name


def test_a_strict_version_needs_three_parts_and_a_tolerant_one_fills_them() -> None:
    with pytest.raises(ValueError, match=r"Major\.Minor\.Patch"):
        SemVer.parse("1.2")
    assert SemVer.parse_tolerant("v1.2") == SemVer(1, 2, 0)


def test_a_release_sorts_after_its_prereleases_and_numeric_identifiers_first() -> None:
    ordered = ["1.0.0-1", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0", "1.0.1"]
    shuffled = ["1.0.1", "1.0.0-alpha.1", "1.0.0", "1.0.0-1", "1.0.0-alpha"]
    assert [str(v) for v in sorted(SemVer.parse(v) for v in shuffled)] == ordered


def test_log_flags_reach_plugins_only_with_logflow_and_tracing_always() -> None:
    assert plugin_arguments(EngineFlags(logtostderr=True, verbose=5, tracing="t"), "addr") == [
        "--tracing",
        "t",
        "addr",
    ]
    assert plugin_arguments(EngineFlags(logflow=True, verbose=5), "addr") == ["-v=5", "addr"]


def test_property_paths_parse_names_indices_and_quoted_keys() -> None:
    assert parse_property_path('a.b[0]["c.d"][*]') == ["a", "b", 0, "c.d", "*"]


@pytest.mark.parametrize(
    ("path", "other", "contained"),
    [("a", "a.b", True), ("*", "x", True), ("a.b", "a", False), ("a[0]", "a[1]", False)],
)
def test_a_path_contains_the_paths_it_prefixes(path: str, other: str, contained: bool) -> None:
    assert path_contains(parse_property_path(path), parse_property_path(other)) is contained


def test_the_engines_object_diff_treats_missing_and_null_alike_and_recurses() -> None:
    changed, detailed = detailed_object_diff(
        {"a": 1, "b": {"x": 1}, "c": [1, 2], "gone": None}, {"a": 2.0 + 1, "b": {"x": 1, "y": 2}, "c": [1]}
    )

    assert changed == ["a", "b", "c"]
    assert detailed == {"a": "update", "b.y": "add", "c[1]": "delete"}


def test_a_bool_never_equals_a_number_in_the_engines_diff() -> None:
    assert detailed_object_diff({"flag": True}, {"flag": 1}) == (["flag"], {"flag": "update"})


def test_non_string_config_variables_are_marshalled_as_go_json() -> None:
    assert go_json({"b": 5.0, "a": [1.5, True, None]}) == '{"a":[1.5,true,null],"b":5}'


def test_a_replace_kind_in_the_detailed_diff_is_a_replacement_without_replace_keys() -> None:
    assert DiffResult(DIFF_SOME, detailed_diff={"shape": PropertyDiff("update-replace")}).replace()
    assert not DiffResult(DIFF_SOME, detailed_diff={"shape": PropertyDiff("update")}).replace()


def test_the_single_resource_form_names_parent_and_provider_in_the_name_table() -> None:
    parent = "urn:pulumi:dev::p::toy:index:Group::g"
    provider = "urn:pulumi:dev::p::pulumi:providers:toy::p1"

    imports = parse_import_file(
        make_import_file(
            "toy:index:Widget", "w", "id-1", properties=[], parent=parent, provider=f"p1={provider}"
        ),
        stack="dev",
        project="p",
    )

    assert [(i.parent, i.provider, i.version) for i in imports] == [(parent, provider, None)]


def test_an_import_file_provider_must_be_a_provider() -> None:
    data: dict[str, Any] = {
        "nameTable": {"group": "urn:pulumi:dev::p::toy:index:Group::g"},
        "resources": [{"type": "toy:index:Widget", "name": "w", "id": "1", "provider": "group"}],
    }

    with pytest.raises(
        ImportFileError,
        match="the provider 'group' for resource 'w' of type 'toy:index:Widget' is not a provider",
    ):
        parse_import_file(data, stack="dev", project="p")


def test_two_import_file_resources_with_one_urn_are_ambiguous() -> None:
    data = {"resources": [{"type": "toy:index:Widget", "name": "w", "id": str(i)} for i in (1, 2)]}

    with pytest.raises(ImportFileError, match="has an ambiguous URN"):
        parse_import_file(data, stack="dev", project="p")


def test_debug_diagnostics_are_dropped_unless_asked() -> None:
    quiet, loud = Diagnostics(), Diagnostics(debug=True)
    for diagnostics in (quiet, loud):
        diagnostics.log(engine_pb2.DEBUG, "chatter")
        diagnostics.log(engine_pb2.WARNING, "careful")

    assert quiet.lines == ["warning: careful"]
    assert loud.lines == ["debug: chatter", "warning: careful"]


@pytest.mark.parametrize("method", ["Call", "StreamInvoke"])
def test_the_monitor_refuses_calls_and_stream_invokes(method: str) -> None:
    monitor = HarnessMonitor(cast(Engine, None))

    with pytest.raises(NotImplementedError, match=f"the harness does not model {method}"):
        getattr(monitor, method)(resource_pb2.ResourceInvokeRequest(tok="toy:index:f"))


# ----------------------------------------------------------------------------- partial failures

WIDGET_URN = "urn:pulumi:dev::p::toy:index:Widget::w"
INIT_FAILED = provider_pb2.ErrorResourceInitFailed(
    id="widget-1", properties=to_struct({"label": "half"}, keep_secrets=True), reasons=["half-way"]
)


def _status(*details: Any, code: grpc.StatusCode = grpc.StatusCode.UNKNOWN) -> status_pb2.Status:
    packed = []
    for detail in details:
        any_detail = any_pb2.Any()
        any_detail.Pack(detail)
        packed.append(any_detail)
    return status_pb2.Status(code=code.value[0], message="boom", details=packed)


class _FailingServer:
    """A provider server whose every call fails with ``UNKNOWN`` and, if given, these status details."""

    def __init__(self, status: status_pb2.Status | None) -> None:
        self.status_details = None if status is None else status.SerializeToString()

    def call(self, method: str, request: Any, *, urn: str = "", resource_id: str = "") -> Any:
        raise ProviderError(method, urn, grpc.StatusCode.UNKNOWN, "boom", self.status_details)


def _failing(status: status_pb2.Status | None) -> ProviderInstance:
    handshake = provider_pb2.ProviderHandshakeResponse(accept_secrets=True)
    instance = ProviderInstance(
        cast(ProviderServer, _FailingServer(status)), package="toy", provider_urn="urn:p", handshake=handshake
    )
    instance.configured = True
    return instance


def _update(instance: ProviderInstance) -> Any:
    return instance.update(
        WIDGET_URN, "widget-1", old_inputs={}, old_outputs={}, new_inputs={"label": "x"}, preview=False
    )


def test_an_init_failed_detail_makes_update_an_init_error_with_its_outputs_and_reasons() -> None:
    with pytest.raises(InitError) as raised:
        _update(_failing(_status(INIT_FAILED)))

    assert (raised.value.outputs, raised.value.reasons) == ({"label": "half"}, ["half-way"])
    assert str(raised.value) == "1 error occurred:\n\t* half-way\n\n"  # InitError.Error: a multierror


def test_an_init_error_without_reasons_says_resource_init_failed() -> None:
    assert str(InitError([], resource_id="", outputs={})) == "resource init failed"


@pytest.mark.parametrize(
    "status",
    [None, _status(provider_pb2.ConfigureErrorMissingKeys())],
    ids=["no-details", "another-detail"],
)
def test_an_update_error_without_an_init_failed_detail_stays_a_provider_error(
    status: status_pb2.Status | None,
) -> None:
    with pytest.raises(ProviderError, match="boom"):
        _update(_failing(status))


def test_an_init_failed_detail_under_another_status_code_is_refused() -> None:
    with pytest.raises(NotModelled, match="not the call's"):
        _update(_failing(_status(INIT_FAILED, code=grpc.StatusCode.INTERNAL)))


def test_a_partial_create_without_an_id_fails_as_an_empty_id_does() -> None:
    no_id = provider_pb2.ErrorResourceInitFailed(reasons=["half-way"])

    with pytest.raises(StepFailed, match=r"plugin returned empty resource\.ID from create") as raised:
        _failing(_status(no_id)).create(WIDGET_URN, {}, preview=False)
    assert not isinstance(raised.value, InitError)


def test_a_partial_create_carries_its_id() -> None:
    with pytest.raises(InitError) as raised:
        _failing(_status(INIT_FAILED)).create(WIDGET_URN, {}, preview=False)

    assert raised.value.resource_id == "widget-1"


def test_a_read_that_fails_part_way_is_refused() -> None:
    with pytest.raises(NotModelled, match="a Read that fails part-way"):
        _failing(_status(INIT_FAILED)).read(WIDGET_URN, "widget-1", inputs={}, state={})


def test_init_errors_replace_only_through_a_replace_on_changes_path_containing_the_init_error_key() -> None:
    unchanged = DiffResult(DIFF_NONE, detailed_diff={})

    replaced = Engine._apply_replace_on_changes(unchanged, ["*"], True)
    kept = Engine._apply_replace_on_changes(unchanged, ["label"], True)

    assert replaced.changes == DIFF_SOME
    assert replaced.replace()
    assert replaced.replace_keys == [INIT_ERROR_KEY]
    assert replaced.detailed_diff == {INIT_ERROR_KEY: PropertyDiff("update-replace")}
    assert kept.changes == DIFF_NONE
    assert not kept.replace()
    assert Engine._apply_replace_on_changes(unchanged, ["*"], False) is unchanged
