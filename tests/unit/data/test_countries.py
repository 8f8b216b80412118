from __future__ import annotations

import pytest

from critmin.data.countries import clean_name, row_kind, to_iso3, to_name


@pytest.mark.parametrize("name, code", [
    ("Congo (Kinshasa)", "COD"), ("Burma", "MMR"), ("Korea, Republic of", "KOR"), ("Canada ", "CAN"),
    ("China", "CHN"), ("Pakistan", "PAK"), ("United States", "USA"), ("Russia", "RUS"),
])
def test_publisher_spellings_map_to_iso3(name, code):
    assert to_iso3(name) == code


@pytest.mark.parametrize("name, kind", [
    ("World total (rounded) 10", "world_total"), ("Total", "world_total"), ("Other countries", "other"),
    ("United States and Canada", "group"), ("USSR", "group"), ("Chile", "country"),
])
def test_rows_that_are_not_one_country_get_no_code(name, kind):
    assert row_kind(name) == kind
    if kind != "country":
        assert to_iso3(name) is None


def test_footnote_digits_and_spaces_are_stripped():
    assert clean_name("  World total (rounded) 10 ") == "World total (rounded)"


def test_unknown_country_spelling_raises():
    with pytest.raises(ValueError, match="not recognised"):
        to_iso3("U. S. A.")


def test_names_from_codes():
    assert to_name("CHN") == "China"
    with pytest.raises(ValueError):
        to_name("XXX")
