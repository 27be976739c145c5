"""The fault plan's validation and the injector's drawing rules, without a server."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pulumi_apikeys.emulator import FaultPlan
from pulumi_apikeys.emulator.faults import FaultInjector


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
