"""Values in check-failure messages are printed as the engine's Go ``%v`` prints them."""

from __future__ import annotations

import pytest

from tests.harness.properties import Secret, go_format


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (None, "{<nil>}"),
        ("   ", "{   }"),
        (True, "{true}"),
        (0.0, "{0}"),
        (-1.0, "{-1}"),
        (1.5, "{1.5}"),
        (86400.0, "{86400}"),
        (31536001.0, "{3.1536001e+07}"),
        (1e6, "{1e+06}"),
        (1e-5, "{1e-05}"),
        (["b", 2.0], "{[{b} {2}]}"),
        ({"z": "x", "a": 1.0}, "{map[a:{1} z:{x}]}"),
        (Secret("s"), "{0xc000000000}"),
    ],
)
def test_a_value_prints_as_gos_percent_v_of_a_property_value(value: object, printed: str) -> None:
    assert go_format(value) == printed
