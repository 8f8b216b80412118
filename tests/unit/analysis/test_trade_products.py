"""One exporter's ores and metals in deal-first order, latest-year shares, and BACI beside USGS import sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.analysis import trade

NA = np.nan

PRODUCTS = pd.DataFrame([
    dict(hs_code="260300", product="Copper ores", mineral="copper", stage="mine"),
    dict(hs_code="261710", product="Antimony ores", mineral="antimony", stage="mine"),
    dict(hs_code="261000", product="Chromite", mineral="chromium", stage="mine"),
    dict(hs_code="260800", product="Zinc ores", mineral="zinc", stage="mine"),
    dict(hs_code="710812", product="Gold, unwrought", mineral="gold", stage="refinery"),
    dict(hs_code="261690", product="Precious-metal ores", mineral="gold", stage="mine"),
    dict(hs_code="270900", product="Crude oil", mineral=None, stage="mine"),        # a fuel: not an ore
    dict(hs_code="711290", product="Precious scrap", mineral=None, stage="scrap"),  # scrap: not an ore
])


def px(rows):
    return pd.DataFrame([dict(hs_code=k, year=y, partner_code=i, partner_iso3=c, value_kusd=v, quantity_t=q)
                         for i, (k, y, c, v, q) in enumerate(rows)])


EXPORTS = px([
    ("261000", 2023, "CHN", 80.0, 400.0), ("261000", 2023, "USA", 20.0, 50.0),
    ("261000", 2024, "CHN", 90.0, 300.0), ("261000", 2024, "ARE", 10.0, NA),  # quantity missing
    ("260300", 2024, "CHN", 5.0, 4.0),
    ("261710", 2022, "CHN", 1.0, 1.0),                                       # antimony stops in 2022
    ("260800", 2024, "CHN", 200.0, 250.0), ("710812", 2024, "ARE", 300.0, 0.1),
    ("270900", 2024, "USA", 999.0, 9.0), ("711290", 2024, "USA", 50.0, 1.0),
])


def test_ores_and_metals_puts_the_deal_then_chromite_first_and_leaves_out_fuels_and_scrap():
    t = trade.ores_and_metals(EXPORTS, PRODUCTS)
    assert t["hs_code"].tolist() == ["260300", "261710", "261000", "710812", "260800"]
    assert t["group"].tolist() == ["deal", "deal", "chromite", "other", "other"]
    row = t.set_index("hs_code").loc["261000"]
    assert (row["value_kusd"], row["first_year"], row["last_year"]) == (200.0, 2023, 2024)
    only = trade.ores_and_metals(EXPORTS, PRODUCTS, years=[2023])
    assert only["hs_code"].tolist() == ["261000"]
    with pytest.raises(trade.TradeError, match="no ore or metal"):
        trade.ores_and_metals(EXPORTS[EXPORTS["hs_code"] == "270900"], PRODUCTS)


def test_latest_year_shares_by_value_and_tonnage():
    both = trade.shares_by_measure(EXPORTS, hs_codes=["261000", "261710"])
    w = trade.latest_year_shares(both).set_index("hs_code")
    c = w.loc["261000"]
    assert c["year"] == 2024
    assert c["China|value"] == pytest.approx(0.9)
    assert c["China|quantity"] == pytest.approx(1.0)  # the only flow with a tonnage
    assert c["covered"] == pytest.approx(0.9)         # … which carries 90% of the value
    assert c["United States|value"] == 0.0 and c["Others|value"] == pytest.approx(0.1)
    assert (c["value_kusd"], c["quantity_t"]) == (100.0, 300.0)
    assert w.loc["261710", "year"] == 2022            # each code in its own latest year
    earlier = trade.latest_year_shares(both, last_year=2023).set_index("hs_code")
    assert earlier.loc["261000", "United States|value"] == pytest.approx(0.2)
    assert list(w.columns[-6:]) == ["China|value", "China|quantity", "United States|value",
                                    "United States|quantity", "Others|value", "Others|quantity"]


@pytest.mark.parametrize("categories, stages, expected", [
    (["Ore and concentrates", "Oxide", "Total metal and oxide"], ["mine"], ("Ore and concentrates", "ores")),
    (["Ore and concentrates", "Total metal and oxide"], ["mine", "refinery"], ("Total metal and oxide", "total")),
    (["Bullion", "Dore", "Total"], ["refinery"], ("Total", "total")),
    (["All"], ["mine"], ("All", "total")),
    (["Refined metal"], ["mine"], ("Refined metal", "only")),
    (["Primary nickel", "Scrap"], ["mine"], None),
])
def test_usgs_category(categories, stages, expected):
    assert trade.usgs_category(categories, stages) == expected


SOURCES = pd.DataFrame([
    dict(mineral="antimony", edition="MCS2026", period="2021-2024", category="Ore and concentrates", rank=1,
         country="Mexico", iso3="MEX", share_pct=80.0, qualifier=None),
    dict(mineral="antimony", edition="MCS2026", period="2021-2024", category="Ore and concentrates", rank=2,
         country="China", iso3="CHN", share_pct=15.0, qualifier=None),
    dict(mineral="antimony", edition="MCS2026", period="2021-2024", category="Ore and concentrates", rank=3,
         country="Other countries", iso3=None, share_pct=5.0, qualifier=None),
    dict(mineral="antimony", edition="MCS2025", period="2020-2023", category="Ore and concentrates", rank=1,
         country="Bolivia", iso3="BOL", share_pct=90.0, qualifier=None),
    dict(mineral="zinc", edition="MCS2026", period="2021-2024", category="Refined metal", rank=1,
         country="Canada", iso3="CAN", share_pct=60.0, qualifier=None),
    dict(mineral="zinc", edition="MCS2026", period="2021-2024", category="Scrap", rank=1,
         country="Canada", iso3="CAN", share_pct=60.0, qualifier=None),
])
US = pd.DataFrame([dict(hs_code=k, year=y, exporter_iso3=c, value_kusd=v, quantity_t=1.0) for k, y, c, v in [
    ("261710", 2020, "BOL", 1000.0),   # before USGS's period: not counted
    ("261710", 2023, "MEX", 60.0), ("261710", 2024, "HKG", 10.0), ("261710", 2024, "CHN", 10.0),
    ("261710", 2024, None, 20.0),      # a residual row stays in the denominator
    ("260800", 2024, "CAN", 5.0),
]])


def test_usgs_comparison_pools_the_period_and_counts_hong_kong_in_china():
    rows, skipped = trade.usgs_comparison(US, PRODUCTS, SOURCES)
    r = rows.set_index("iso3")
    assert r.loc["MEX", "baci_share"] == pytest.approx(0.6)
    assert r.loc["CHN", "baci_share"] == pytest.approx(0.2)
    assert r.loc["MEX", "difference"] == pytest.approx(0.6 - 0.8)
    assert r.loc["MEX", "category"] == "Ore and concentrates" and r.loc["MEX", "match"] == "ores"
    assert r.loc["MEX", "baci_years"] == "2023–2024"  # the years of USGS's period that BACI has
    assert "Other countries" not in set(rows["country"])
    assert skipped == {"zinc": "USGS lists 2 forms and none is the ores or a total"}
    old, _ = trade.usgs_comparison(US, PRODUCTS, SOURCES, edition="MCS2025", minerals=["antimony"])
    assert old.iloc[0]["iso3"] == "BOL" and old.iloc[0]["baci_share"] == pytest.approx(1000 / 1060)  # 2020–2023: BOL 1000, MEX 60
    with pytest.raises(trade.TradeError, match="allowed: MCS2025, MCS2026"):
        trade.usgs_comparison(US, PRODUCTS, SOURCES, edition="MCS2019")
    with pytest.raises(trade.TradeError, match="allowed: antimony, zinc"):
        trade.usgs_comparison(US, PRODUCTS, SOURCES, minerals=["tin"])


def test_top_source_agreement():
    rows, _ = trade.usgs_comparison(US, PRODUCTS, SOURCES)
    top = trade.top_source_agreement(rows, US, PRODUCTS).set_index("mineral").loc["antimony"]
    assert top["iso3"] == "MEX" and bool(top["same_top"]) and top["baci_top_share"] == pytest.approx(0.6)


def test_pooled_shares_sum_amounts_over_the_years():
    both = trade.shares_by_measure(EXPORTS, hs_codes=["261000"])
    p = trade.pooled_shares(both, [2023, 2024]).set_index(["partner", "measure"])
    assert p.loc[("China", "value"), "share"] == pytest.approx(170 / 200)
    assert p.loc[("United States", "value"), "share"] == pytest.approx(20 / 200)
    assert p.loc[("China", "quantity"), "share"] == pytest.approx(700 / 750)
    assert p.loc[("China", "value"), "n_years"] == 2
    assert trade.pooled_shares(both, [2024]).set_index(["partner", "measure"]).loc[
        ("United States", "value"), "share"] == 0.0
