"""Partner shares and exporter concentration, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.analysis import trade

NA = np.nan


def flows(rows, who="partner"):
    """Bilateral flows from (hs_code, year, iso3, value_kusd, quantity_t) tuples."""
    return pd.DataFrame([{"hs_code": k, "year": y, f"{who}_code": i, f"{who}_iso3": c, "value_kusd": v,
                          "quantity_t": q} for i, (k, y, c, v, q) in enumerate(rows)])


FLOWS = flows([
    ("261000", 2020, "CHN", 60.0, 100.0),
    ("261000", 2020, "USA", 30.0, NA),     # value known, quantity missing
    ("261000", 2020, "DEU", 10.0, 100.0),
    ("261000", 2021, "CHN", 50.0, 10.0),
    ("261000", 2021, "HKG", 40.0, 10.0),   # Hong Kong is not China
    ("261000", 2021, None, 10.0, 5.0),     # a BACI residual without ISO code
    ("260300", 2020, "USA", 5.0, 1.0),
])


def share(t, code, year, partner, col="share"):
    row = t[(t["hs_code"] == code) & (t["year"] == year) & (t["partner"] == partner)]
    assert len(row) == 1
    return float(row.iloc[0][col])


def test_value_shares_by_year():
    t = trade.partner_shares(FLOWS, hs_codes="261000")
    # 2020: 60, 30 and 10 of 100
    assert share(t, "261000", 2020, "China") == pytest.approx(0.6)
    assert share(t, "261000", 2020, "United States") == pytest.approx(0.3)
    assert share(t, "261000", 2020, "Others") == pytest.approx(0.1)
    # 2021: China 50 of 100; Hong Kong (40) and the residual (10) are Others; the US row is there with 0
    assert share(t, "261000", 2021, "China") == pytest.approx(0.5)
    assert share(t, "261000", 2021, "Others") == pytest.approx(0.5)
    assert share(t, "261000", 2021, "United States") == 0
    assert list(t["partner"][:3]) == ["China", "United States", "Others"]
    assert (t["covered"] == 1).all()
    assert t.groupby("year")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_quantity_shares_report_what_they_cover():
    t = trade.partner_shares(FLOWS, by="quantity", hs_codes="261000", years=2020)
    # tonnes known: China 100, Germany 100; the US flow (value 30 of 100) has no quantity
    assert share(t, "261000", 2020, "China") == pytest.approx(0.5)
    assert share(t, "261000", 2020, "United States") == 0
    assert share(t, "261000", 2020, "Others") == pytest.approx(0.5)
    assert share(t, "261000", 2020, "China", "covered") == pytest.approx(0.7)
    assert share(t, "261000", 2020, "China", "total") == pytest.approx(200)


def test_grouping_pools_codes_and_partner_column_is_found():
    us = flows([("260300", 2020, "CHN", 1.0, 1.0), ("260800", 2020, "CAN", 3.0, 1.0)], who="exporter")
    t = trade.partner_shares(us, group=())
    assert len(t) == 3
    assert t.set_index("partner").loc["China", "share"] == pytest.approx(0.25)


def test_custom_focus():
    t = trade.partner_shares(FLOWS, hs_codes="261000", years=[2021], focus={"HKG": "Hong Kong", "CHN": "China"})
    assert list(t["partner"]) == ["Hong Kong", "China", "Others"]
    assert share(t, "261000", 2021, "Hong Kong") == pytest.approx(0.4)
    assert share(t, "261000", 2021, "Others") == pytest.approx(0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"by": "weight"}, "allowed: value, quantity"),
    ({"years": [1990]}, "allowed: 2020–2021"),
    ({"hs_codes": ["999999"]}, "allowed: 260300, 261000"),
    ({"focus": {"CHN": "Others"}}, "reserved"),
    ({"focus": {}}, "focus is empty"),
])
def test_bad_arguments_raise_with_what_is_allowed(kwargs, message):
    with pytest.raises(trade.TradeError, match=message):
        trade.partner_shares(FLOWS, **kwargs)


def test_missing_partner_column():
    with pytest.raises(trade.TradeError, match="no partner column"):
        trade.partner_shares(FLOWS.drop(columns=["partner_iso3"]))


def test_negative_values_are_refused():
    bad = FLOWS.copy()
    bad.loc[0, "value_kusd"] = -1
    with pytest.raises(trade.TradeError, match="negative"):
        trade.partner_shares(bad)


WORLD = pd.DataFrame([
    dict(hs_code="A", year=2020, exporter_iso3="CHN", row_kind="country", value_kusd=50.0, quantity_t=5.0),
    dict(hs_code="A", year=2020, exporter_iso3="AUS", row_kind="country", value_kusd=30.0, quantity_t=15.0),
    dict(hs_code="A", year=2020, exporter_iso3=None, row_kind="other", value_kusd=20.0, quantity_t=NA),
    dict(hs_code="B", year=2020, exporter_iso3="CHN", row_kind="country", value_kusd=10.0, quantity_t=1.0),
    dict(hs_code="B", year=2020, exporter_iso3="AUS", row_kind="country", value_kusd=10.0, quantity_t=1.0),
    dict(hs_code="C", year=2020, exporter_iso3="CHN", row_kind="country", value_kusd=20.0, quantity_t=1.0),
])


def test_exporter_hhi_leaves_residuals_out_of_the_squares():
    t = trade.exporter_concentration(WORLD, hs_codes="A").iloc[0]
    # shares 0.5 and 0.3 of 100; HHI = (0.25 + 0.09) × 10,000; the residual's 0.2 is unattributed
    assert t["hhi"] == pytest.approx(3400)
    assert t["unattributed_share"] == pytest.approx(0.2)
    assert (t["top_iso3"], t["top_share"], t["n_exporters"]) == ("CHN", pytest.approx(0.5), 2)


def test_exporter_hhi_by_quantity():
    t = trade.exporter_concentration(WORLD, by="quantity", hs_codes="A").iloc[0]
    # 5 and 15 t of 20 t: 0.25² + 0.75² = 0.625
    assert t["hhi"] == pytest.approx(6250)
    assert t["top_iso3"] == "AUS"


def test_pooled_codes_count_an_exporter_once():
    s = trade.concentration_summary(WORLD, ["B", "C"], 2020)
    # China 10 + 20 = 30 of 40, Australia 10 of 40: 0.75² + 0.25² = 0.625
    assert isinstance(s, trade.Concentration)
    assert s.hhi == pytest.approx(6250)
    assert s.top_iso3 == "CHN" and s.top_share == pytest.approx(0.75)
    assert s.unattributed_share == pytest.approx(0)


def test_one_row_per_code_and_year():
    t = trade.exporter_concentration(WORLD)
    assert list(t["hs_code"]) == ["A", "B", "C"]
    assert t.set_index("hs_code").loc["C", "hhi"] == pytest.approx(10_000)
    with pytest.raises(trade.TradeError, match="allowed: value, quantity"):
        trade.exporter_concentration(WORLD, by="tonnes")
