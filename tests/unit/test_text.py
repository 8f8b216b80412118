"""The formatters every page uses: one way to state each kind of figure."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin import text


@pytest.mark.parametrize(("x", "expected"), [
    (0.444, "44.4%"), (0.6923, "69.2%"), (0.045, "4.5%"), (1.0, "100%"), (0, "0%"), (0.0001, "<0.1%"),
    (0.0005, "0.1%"), (None, "–"), (float("nan"), "–"),
])
def test_share_text_one_convention(x, expected):
    assert text.share_text(x) == expected


def test_points_and_signed():
    assert text.points_text(-0.0123) == "1.2 percentage points"
    assert text.points_text(0.0004) == "0.04 percentage points"
    assert text.signed(-0.5) == "−0.50" and text.signed(1) == "+1.00" and text.signed(-0.001) == "0.00"


def test_quantities_and_units():
    assert text.quantity(12345.0, "kt") == "12,345 thousand t"
    assert text.quantity(2.5, "t") == "2.5 t"
    assert text.to_unit(2.0, "Mt", "kt") == 2000.0
    assert text.to_unit(pd.Series([1500.0]), "kg", "t").tolist() == [1.5]
    assert text.tonnes_text(12345.6) == "12,346 t"
    assert text.tonnes_text(6_646_667, sig=2) == "6.6 million t"
    assert text.tonnes_text(3830, sig=2) == "3,800 t"
    assert text.round_sig(0.012345, 2) == 0.012


def test_dollars():
    assert text.usd(500e6) == "US\\$500 million"
    assert text.usd(4.2e9) == "US\\$4.2 billion"
    assert text.usd(1.25e9) == "US\\$1.25 billion"
    assert text.usd(1.25e9, markdown=False) == "US$1.25 billion"
    assert text.usd_millions(-12.0) == "−US\\$12 million"


def test_dates_keep_their_precision():
    ts = pd.Timestamp("2025-01-01")
    assert text.date_text(ts, "year") == "2025"
    assert text.date_text(ts, "month") == "January 2025"
    assert text.date_text(pd.Timestamp("2025-09-08")) == "8 September 2025"
    assert text.date_text(None) == "date not given"


def test_years_and_lists():
    assert text.years_text([2024, 2022, 2023]) == "2022–2024"
    assert text.years_text([2019, 2024]) == "2019 and 2024"
    assert text.years_text([]) == "no year"
    assert text.and_list(["a", "b", "c"]) == "a, b and c"
    assert text.span(2024, 2024) == "2024"


def test_markdown_escaping():
    assert text.md_escape("a|b $5") == "a\\|b \\$5"
    assert text.md_escape("a $1bn and *loan*") == "a \\$1bn and \\*loan\\*"
    assert text.md_escape("keep `a_b` code") == "keep `a_b` code"
    assert text.md_link("A [x]", "https://e.org/a b") == "[A \\[x\\]](https://e.org/a%20b)"
    table = text.md_table(pd.DataFrame({"a": ["x|y", None]}))
    assert table.splitlines() == ["| a |", "|---|", "| x\\|y |", "| – |"] and table.endswith(" |\n")
    links = pd.DataFrame({"what": ["a_b", None], "source": ["[A](https://a)\nnext", "[B](https://b)"], "x": [1, 2]})
    table = text.md_table(links, {"source": "Source", "what": "What"}, raw=("source",))
    assert table.splitlines() == ["| Source | What |", "|---|---|", "| [A](https://a) next | a\\_b |",
                                  "| [B](https://b) | – |"]  # columns chosen and ordered; links kept as links
