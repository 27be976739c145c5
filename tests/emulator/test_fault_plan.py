"""The fault plan's validation, the injector's drawing rules and the body manglings, without a server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pulumi_apikeys.emulator import FaultPlan
from pulumi_apikeys.emulator.fault_layer import drop_fields, swap_scalar_types
from pulumi_apikeys.emulator.faults import FAULT_KINDS, RESPONSE_FAULTS, FaultInjector


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_rate_outside_0_to_1_is_refused(rate: float) -> None:
    with pytest.raises(ValidationError, match="between 0 and 1"):
        FaultPlan(rates={"drop": rate})


def test_rates_adding_up_to_more_than_1_are_refused() -> None:
    with pytest.raises(ValidationError, match="more than 1"):
        FaultPlan(rates={"drop": 0.6, "server_error": 0.6})


def test_an_unknown_fault_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        FaultPlan.model_validate({"script": ["meteor_strike"]})


def test_an_unknown_plan_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        FaultPlan.model_validate({"latency": 5})


def test_methods_are_matched_case_insensitively() -> None:
    injector = FaultInjector(FaultPlan(script=["drop"], methods=["delete"]))

    assert injector.draw("DELETE") == "drop"


@pytest.mark.parametrize(("seconds", "header"), [(1.0, "1"), (30, "30"), (0.25, "0.25")])
def test_whole_retry_after_seconds_are_sent_as_integers(seconds: float, header: str) -> None:
    assert FaultPlan(retry_after_seconds=seconds).retry_after_headers() == {"retry-after": header}


def test_a_commit_fault_drawn_for_a_create_is_injected_and_counted() -> None:
    injector = FaultInjector(FaultPlan(script=["commit_then_drop"]))

    assert injector.draw("POST") == "commit_then_drop"
    assert injector.counts == {"commit_then_drop": 1}


def test_a_commit_fault_drawn_for_another_request_is_not_counted() -> None:
    injector = FaultInjector(FaultPlan(script=["commit_then_hang"]))

    assert injector.draw("GET") is None
    assert injector.counts == {}


def test_the_script_comes_before_the_rates() -> None:
    injector = FaultInjector(FaultPlan(script=["rate_limit"], rates={"server_error": 1.0}))

    assert [injector.draw("GET"), injector.draw("GET")] == ["rate_limit", "server_error"]


def test_reset_clears_the_plan_and_the_counts() -> None:
    injector = FaultInjector(FaultPlan(script=["drop", "drop"]))
    injector.draw("GET")

    injector.reset()

    assert (injector.plan, injector.counts, injector.draw("GET")) == (FaultPlan(), {}, None)


def test_the_first_kinds_keep_their_order_so_seeded_plans_roll_as_before() -> None:
    assert FAULT_KINDS[:7] == (
        "rate_limit",
        "server_error",
        "bad_gateway",
        "unavailable",
        "drop",
        "commit_then_drop",
        "commit_then_hang",
    )
    assert set(FAULT_KINDS[7:]) == RESPONSE_FAULTS


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_response_fault_is_drawn_for_every_method_but_not_counted_until_recorded(method: str) -> None:
    injector = FaultInjector(FaultPlan(script=["not_json"]))

    assert injector.draw(method) == "not_json"
    assert injector.counts == {}


def test_recording_a_fault_counts_it() -> None:
    injector = FaultInjector()

    injector.record("huge_body")
    injector.record("huge_body")

    assert injector.counts == {"huge_body": 2}


def test_drop_fields_removes_the_first_key_and_every_id_at_any_depth() -> None:
    document = {
        "object": "list",
        "data": [{"id": "a", "name": "n", "owner": {"type": "user", "id": "u", "role": "r"}}],
        "has_more": False,
    }

    assert drop_fields(document) == {"data": [{"name": "n", "owner": {"role": "r"}}], "has_more": False}


def test_drop_fields_leaves_scalars_and_empty_objects_alone() -> None:
    assert drop_fields([1, "a", None, {}]) == [1, "a", None, {}]


def test_swap_scalar_types_turns_strings_into_their_length_and_numbers_into_text() -> None:
    document = {"id": "key_1", "n": 12, "f": 0.5, "flag": True, "none": None, "list": ["ab", 3, False]}

    assert swap_scalar_types(document) == {
        "id": 5,
        "n": "12",
        "f": "0.5",
        "flag": True,
        "none": None,
        "list": [2, "3", False],
    }
