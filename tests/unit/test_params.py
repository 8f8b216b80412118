from __future__ import annotations

import math

import pytest

from critmin.params import ParameterError, choice, choices, number


def test_choice_is_case_insensitive_and_returns_the_canonical_value():
    assert choice("mineral", "Copper", ["copper", "gallium"]) == "copper"


def test_choice_error_lists_allowed_values_and_suggests_the_closest():
    with pytest.raises(ParameterError) as e:
        choice("mineral", "galium", ["copper", "gallium"])
    msg = str(e.value)
    assert "mineral='galium'" in msg and "allowed: copper, gallium" in msg and "did you mean 'gallium'" in msg


def test_choices_accepts_all_a_comma_string_and_a_list():
    allowed = ["a", "b", "c"]
    assert choices("m", "all", allowed) == allowed
    assert choices("m", "b, c", allowed) == ["b", "c"]
    assert choices("m", ["A"], allowed) == ["a"]
    with pytest.raises(ParameterError, match="allowed: a, b, c"):
        choices("m", "a,z", allowed)
    with pytest.raises(ParameterError):
        choices("m", 3, allowed)


@pytest.mark.parametrize("bad", [-1, math.nan, "10", True, 2_000_001])
def test_number_rejects_out_of_range_and_non_numbers(bad):
    with pytest.raises(ParameterError):
        number("added_supply_t", bad, minimum=0, maximum=2_000_000)


def test_number_range_message_names_the_range():
    with pytest.raises(ParameterError, match="allowed: 0 to 2,000,000"):
        number("added_supply_t", -5, minimum=0, maximum=2_000_000)
    assert number("year", 2024.0, integer=True) == 2024
    with pytest.raises(ParameterError, match="whole number"):
        number("year", 2024.5, integer=True)
