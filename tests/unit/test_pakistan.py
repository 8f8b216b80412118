"""Pakistan-chapter helpers on small hand-made tables (expected values worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin import pakistan as pk


def _prod(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["mineral", "stage", "product", "country", "iso3", "row_kind", "year", "value", "unit", "flag", "edition"])
    df["value"] = df["value"].astype("Float64")
    df["year"] = df["year"].astype("Int64")
    return df


PROD = _prod([
    ("antimony", "mine", "Sb", "China", "CHN", "country", 2024, 40000, "t", None, "E2"),
    ("antimony", "mine", "Sb", "Pakistan", "PAK", "country", 2024, 250, "t", None, "E2"),
    ("antimony", "mine", "Sb", "Other countries", None, "other", 2024, 9750, "t", None, "E2"),
    ("antimony", "mine", "Sb", "World total (rounded)", None, "world_total", 2024, 100000, "t", None, "E2"),
    ("barite", "mine", "Ba", "China", "CHN", "country", 2024, 2000, "kt", None, "E2"),
    ("barite", "mine", "Ba", "Pakistan", "PAK", "country", 2024, 100, "kt", "estimated", "E2"),
    ("antimony", "mine", "Sb", "Pakistan", "PAK", "country", 2023, 80, "t", None, "E1"),
    ("antimony", "mine", "Sb", "World total (rounded)", None, "world_total", 2023, 80000, "t", None, "E1"),
    ("copper", "mine", "Cu", "China", "CHN", "country", 2024, 1800, "kt", None, "E2"),
    ("copper", "mine", "Cu", "World total (rounded)", None, "world_total", 2024, 20000, "kt", None, "E2"),
    ("copper", "refinery", "Cu", "China", "CHN", "country", 2024, 12000, "kt", None, "E2"),
])


def test_production_years():
    assert pk.production_years(PROD) == [2023, 2024]


def test_world_shares_uses_world_total_and_leaves_gaps():
    ws = pk.world_shares(PROD, 2024).set_index("mineral")
    assert ws.loc["antimony", "share"] == pytest.approx(0.0025)  # 250 / 100,000 (world total, not 40,250)
    assert ws.loc["antimony", "rank"] == 2
    assert pd.isna(ws.loc["barite", "share"])  # no world total: no guessed share
    assert list(ws.index) == ["antimony", "barite"]  # missing share sorts last
    assert pk.world_shares(PROD, 2019).empty


def test_usgs_series_share_per_year():
    s = pk.usgs_series(PROD).set_index(["mineral", "year"])
    assert s.loc[("antimony", 2023), "share"] == pytest.approx(0.001)  # 80 / 80,000
    assert s.loc[("antimony", 2024), "edition"] == "E2"


def test_history_shares_starts_at_first_year():
    h = pd.DataFrame({
        "mineral": ["chromium"] * 5, "stage": ["mine"] * 5, "product": ["chromium ores"] * 5,
        "country": ["South Africa", "South Africa", "Pakistan", "India", "India"],
        "iso3": ["ZAF", "ZAF", "PAK", "IND", "IND"], "row_kind": ["country"] * 5,
        "year": [1970, 1971, 1971, 1970, 1971], "value": [900.0, 700.0, 100.0, 100.0, 200.0], "unit": ["t"] * 5,
        "source": ["BGS WMS commodity 30"] * 5,
    })
    hs = pk.history_shares(h)
    assert list(hs["year"]) == [1971]  # 1970 (no Pakistan row) is not shown as a zero
    assert hs.loc[0, "share"] == pytest.approx(0.1)  # 100 / (700 + 100 + 200)
    assert hs.loc[0, "label"] == "Chromium ores"


def test_reserves_share_is_upper_bound_when_world_is_censored():
    r = pd.DataFrame({
        "mineral": ["antimony", "antimony", "barite"], "country": ["Pakistan", "World", "Pakistan"],
        "iso3": ["PAK", None, "PAK"], "row_kind": ["country", "world_total", "country"], "year": [2025, 2025, 2024],
        "value": [26000.0, 2000000.0, None], "unit": ["t", "t", "kt"], "flag": [None, "censored_gt", "not_available"],
        "edition": ["E", "E", "E"],
    })
    rs = pk.reserves_shares(r).set_index("mineral")
    assert rs.loc["antimony", "share"] == pytest.approx(0.013)
    assert rs.loc["antimony", "share_bound"] == "at_most"
    assert rs.loc["barite", "share_bound"] == "none"


def _ind() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator": ["reko_diq_copper_output_phase1", "reko_diq_copper_output_phase2", "saindak_blister_copper_output", "x", "x"],
        "label": ["RD1", "RD2", "Saindak", "X", "X"], "year": [2025, 2025, 2022, 2020, 2021],
        "value": [200000.0, 400000.0, 13000.0, 1.0, 2.0],
        "unit": ["t_per_year", "t_per_year", "t_per_year", "usd", "usd"], "note": [None] * 5,
        "publisher": ["P"] * 5, "source_url": ["https://p"] * 5, "reliability": ["N"] * 5,
    })


def test_indicator_latest_and_missing():
    assert pk.indicator(_ind(), "x") == 2.0
    assert pk.indicator(_ind(), "x", 2020) == 1.0
    with pytest.raises(KeyError, match="nope"):
        pk.indicator(_ind(), "nope")


def test_copper_scale_hand_computed():
    hist = pd.DataFrame({"mineral": ["copper", "copper"], "stage": ["mine", "mine"], "iso3": ["PAK", "PAK"],
                         "year": [2020, 2021], "value": [13200.0, 18800.0]})
    df, used = pk.copper_scale(PROD, hist, _ind(), 2025)
    v = df.set_index("label")
    assert used == {"usgs_year": 2024, "bgs_year": 2021, "fell_back": True}
    assert v.loc["World copper mine production", "kt"] == 20000
    assert v.loc["Reko Diq phase 1 (plan)", "share_of_world_mine"] == pytest.approx(0.01)  # 200 / 20,000
    assert v.loc["China's refined copper output", "kt"] == 12000
    assert v.loc["Pakistan's copper mine output", "kt"] == pytest.approx(18.8)
    with pytest.raises(ValueError):
        pk.copper_scale(PROD, hist, _ind(), 2010)


def test_fdi_by_source_shares_and_cut():
    f = pd.DataFrame({
        "fiscal_year": [2026] * 4, "period": ["Jul-Jun"] * 4, "country": ["China", "United States", "Others", "Total"],
        "iso3": ["CHN", "USA", None, None], "row_kind": ["country", "country", "other", "world_total"],
        "measure": ["net"] * 4, "value": [800.0, -200.0, 400.0, 1000.0], "unit": ["usd_million"] * 4, "flag": [None] * 4,
    })
    t = pk.fdi_by_source(f, 2026)
    assert list(t["country"]) == ["China", "United States", "Others", "Total"]
    assert list(t["share"]) == pytest.approx([0.8, -0.2, 0.4, 1.0])
    assert list(t["in_table"]) == [True, True, False, False]
    with pytest.raises(KeyError):
        pk.fdi_by_source(f, 2020)


def test_exports_share_of_all_exports_not_of_listed():
    trade = pd.DataFrame({
        "table": ["top_partners"] * 2, "flow": ["exports"] * 2, "country": ["USA", "China"], "iso3": ["USA", "CHN"],
        "row_kind": ["country"] * 2, "period": ["P"] * 2, "period_start": pd.to_datetime(["2025-07-01"] * 2),
        "period_end": pd.to_datetime(["2025-08-31"] * 2), "rank": [1, 2], "value": [30.0, 10.0],
        "unit": ["usd_million"] * 2, "flag": [None] * 2,
    })
    monthly = pd.DataFrame({"month": ["2025-07", "2025-08", "2025-09"], "flow": ["exports"] * 3, "value": [60.0, 40.0, 999.0]})
    t = pk.exports_by_partner(trade, monthly)
    assert list(t["share"]) == pytest.approx([0.3, 0.1])  # of 60 + 40, not of 30 + 10
    with pytest.raises(ValueError, match="2025-08"):
        pk.exports_by_partner(trade, monthly[monthly["month"] != "2025-08"])


@pytest.mark.parametrize("value,unit,text", [
    (5.6e9, "usd", "US$5.6bn"), (-152.03e6, "usd", "−US$152m"), (6e12, "usd", "US$6tn"), (2.1, "percent", "2.1%"),
    (-3.38, "percent", "−3.38%"), (200000, "t_per_year", "200,000 t/yr"), (2028, "calendar_year", "2028"),
    (40000, "usd_per_t", "US$40,000/t"),
])
def test_format_value(value, unit, text):
    assert pk.format_value(value, unit) == text


def test_indicator_table_order_and_missing():
    t = pk.indicator_table(_ind(), ["x", "reko_diq_copper_output_phase1"])
    assert list(t["indicator"]) == ["x", "x", "reko_diq_copper_output_phase1"]
    assert t.loc[2, "shown"] == "200,000 t/yr"
    with pytest.raises(KeyError, match="nope"):
        pk.indicator_table(_ind(), ["nope"])
