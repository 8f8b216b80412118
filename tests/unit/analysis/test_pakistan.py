"""Pakistan-chapter helpers on small hand-made tables (expected values worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import pakistan as pk
from critmin.chapters import pakistan as pkc


def _prod(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["mineral", "stage", "product", "country", "iso3", "row_kind",
                                     "year", "value", "unit", "flag", "edition"])
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
    assert pkc.format_value(value, unit) == text


def test_indicator_table_order_and_missing():
    t = pkc.indicator_table(_ind(), ["x", "reko_diq_copper_output_phase1"])
    assert list(t["indicator"]) == ["x", "x", "reko_diq_copper_output_phase1"]
    assert t.loc[2, "shown"] == "200,000 t/yr"
    with pytest.raises(KeyError, match="nope"):
        pkc.indicator_table(_ind(), ["nope"])


# --- The chapter's prose, tables and charts -------------------------------------------------------------------



def test_mines_text_and_table():
    ws = pk.world_shares(PROD, 2024)
    text = pkc.mines_text(ws, PROD, 2024)
    assert "producer of **2** of the 3 minerals" in text
    assert "antimony (250 t, 0.2% of world output)" in text  # the book's one way to state a share
    assert "ranks 2 of 2 producers" in text
    assert "no Pakistani rare-earth production" in text  # none in PROD
    with_ree = pd.concat([PROD, _prod([("rare_earths", "mine", "REO", "Pakistan", "PAK", "country", 2024, 1, "t", None, "E2")])])
    assert "rare-earth" not in pkc.mines_text(ws, with_ree, 2024)
    t = pkc.mines_table(ws)
    assert list(t["Flag"]) == ["reported", "estimated"]
    assert t.columns[0] == "Mineral" and "product" not in t.columns
    assert all(cell.endswith((" t", " kg")) or cell == "–" for cell in t["World total"])  # a total carries its unit
    assert all(cell.count(".") <= 1 and cell.endswith("%") or cell == "–" for cell in t["Pakistan's share"])


def test_mineral_name():
    assert pkc.mineral_name("rare_earths") == "rare earths"


def test_revision_note_only_across_editions():
    s = pd.DataFrame({"mineral": ["antimony"] * 2, "year": [2022, 2023], "value": [100.0, 1500.0],
                      "edition": ["MCS2024", "MCS2025"]})
    note = pkc.revision_note(s)
    assert "from 100 t in 2022 to 1,500 t in 2023" in note and "(MCS2024 and MCS2025)" in note
    assert pkc.revision_note(s.assign(edition="MCS2025")) == ""
    assert pkc.revision_note(s.iloc[:1]) == ""


def _history() -> pd.DataFrame:
    rows = []
    for year, pk_cr, zaf, pk_cu, other_cu in [(1970, 20000, 180000, 0, 1000), (1971, 30000, 170000, 0, 1000),
                                               (1972, 25000, 175000, 5000, 995000)]:
        rows += [("chromium", "mine", "chromium ores", "Pakistan", "PAK", year, pk_cr),
                 ("chromium", "mine", "chromium ores", "South Africa", "ZAF", year, zaf),
                 ("copper", "mine", "copper, mine", "Pakistan", "PAK", year, pk_cu),
                 ("copper", "mine", "copper, mine", "Chile", "CHL", year, other_cu),
                 ("iron_ore", "mine", "iron ore", "Pakistan", "PAK", year, 0),
                 ("iron_ore", "mine", "iron ore", "India", "IND", year, 100)]
    h = pd.DataFrame(rows, columns=["mineral", "stage", "product", "country", "iso3", "year", "value"])
    return h.assign(row_kind="country", unit="t", source="BGS", value=h["value"].astype("float64"))


def test_history_panels_drop_all_zero_series_and_text():
    hs, zero = pkc.history_panels(_history())
    assert zero == ["Iron ore"]
    assert set(hs["label"]) == {"Chromium ores", "Copper, mine"}
    assert hs["kt"].max() == pytest.approx(30.0)
    first, last, peak = pkc.chromite_span(hs)
    assert (first["year"], last["year"], peak["year"]) == (1970, 1972, 1971)
    text = pkc.history_text(hs, zero, 1970)
    assert "was **20 kt** in 1970 and **25 kt** in 1972 (peak 30 kt in 1971), **12.5%**" in text  # 25 / 200
    assert "in 1972 it was 5.0 kt, **0.5%**" in text  # 5,000 / 1,000,000
    assert "BGS also lists Pakistan for iron ore" in text


def test_reserves_text_states_bounds():
    r = pd.DataFrame({
        "mineral": ["antimony", "antimony", "barite"], "country": ["Pakistan", "World", "Pakistan"],
        "iso3": ["PAK", None, "PAK"], "row_kind": ["country", "world_total", "country"], "year": [2025, 2025, 2024],
        "value": [26000.0, 2000000.0, None], "unit": ["t", "t", "kt"], "flag": [None, "censored_gt", "not_available"],
        "edition": ["E", "E", "E"],
    })
    ind = _ind()
    text = pkc.reserves_text(r, ind)
    assert "**Antimony** reserves are 26,000 t (E)" in text and "**at most 1.3%**" in text
    assert "under **barite** reserves but gives no figure" in text
    assert "Financial Times" not in text
    ft = pd.concat([ind, ind.iloc[:1].assign(indicator="antimony_reserves_world_share", value=1.2, unit="percent")])
    assert "about 1.2% ([P](https://p)" in pkc.reserves_text(r, ft)


def test_indicator_markdown_headings():
    md = pkc.indicator_markdown(_ind(), ["reko_diq_copper_output_phase1"], label="Figure", year="Year stated")
    assert md.splitlines()[0] == "| Figure | Year stated | Value | Note | Source |"
    assert "200,000 t/yr" in md


def _econ() -> pd.DataFrame:
    names = {"mining_quarrying_gdp_share": (2024, 2.5, "percent"),
             "mining_quarrying_gdp_share_commonly_quoted": (2024, 3.2, "percent"),
             "mining_quarrying_value_added": (2024, 2.5e9, "usd"),
             "mineral_wealth_claim_official": (2025, 6e12, "usd"),
             "mineral_wealth_independent_high": (2025, 2e11, "usd")}
    return pd.DataFrame([{"indicator": k, "label": k, "year": y, "value": v, "unit": u, "note": None, "publisher": "P",
                          "source_url": "https://p", "reliability": "P"} for k, (y, v, u) in names.items()])


def test_economy_and_wealth_text():
    e = _econ()
    text = pkc.economy_text(e)
    assert "at **2.5% of GDP** in FY2024" in text and "speeches is 3.2%" in text
    assert "**30 times**" in pkc.wealth_ratio_text(e)  # 6e12 / 2e11


def _trade():
    trade = pd.DataFrame({
        "table": ["top_partners"] * 3 + ["top_partners"], "flow": ["exports"] * 3 + ["imports"],
        "country": ["USA", "China", "UK", "China"], "iso3": ["USA", "CHN", "GBR", "CHN"],
        "row_kind": ["country"] * 4, "period": ["Jul–Aug 2025"] * 4,
        "period_start": pd.to_datetime(["2025-07-01"] * 4), "period_end": pd.to_datetime(["2025-08-31"] * 4),
        "rank": [1, 2, 3, 1], "value": [30.0, 10.0, 5.0, 50.0], "unit": ["usd_million"] * 4, "flag": [None] * 4,
    })
    monthly = pd.DataFrame({"month": ["2025-07", "2025-08"] * 2, "flow": ["exports"] * 2 + ["imports"] * 2,
                            "value": [60.0, 40.0, 100.0, 100.0]})
    return pk.exports_by_partner(trade, monthly), pk.exports_by_partner(trade, monthly, flow="imports")


def test_trade_text_and_chart():
    ex, im = _trade()
    text = pkc.trade_text(ex, im)
    assert "**United States bought 30.0%**" in text and "**China 10.0%**" in text and "**25.0%** of its imports" in text
    assert "the 3 largest partners, which together take 45.0%" in text
    spec = pkc.exports_chart(ex).to_dict()
    assert spec["title"]["text"] == "The United States buys 3.0 times as much from Pakistan as China does"
    assert "United States 30.0%, China 10.0%" in spec["description"]
    assert "who" not in ex.columns  # the chart does not change the caller's frame
    with pytest.raises(KeyError, match="DEU"):
        pkc.partner_row(ex, "DEU")


def _fdi() -> pd.DataFrame:
    rows = []
    for fy, cn, us, oth, tot in [(2025, 600.0, 100.0, 300.0, 1000.0), (2026, 800.0, -200.0, 400.0, 1000.0)]:
        rows += [(fy, "China", "CHN", "country", cn), (fy, "United States", "USA", "country", us),
                 (fy, "Others", None, "other", oth), (fy, "Total", None, "world_total", tot)]
    f = pd.DataFrame(rows, columns=["fiscal_year", "country", "iso3", "row_kind", "value"])
    return f.assign(period="Jul-Jun", measure="net", unit="usd_million", flag=None)


def test_fdi_text_and_chart():
    tables = pkc.fdi_tables(_fdi())
    assert list(tables) == [2025, 2026]
    sector = pd.DataFrame({"sector": ["Mining & Quarrying"] * 2 + ["Power"], "measure": ["net"] * 3,
                           "fiscal_year": [2026, 2025, 2026], "value": [-5.0, -12.4, 50.0]})
    text = pkc.fdi_text(tables, sector)
    assert "In FY2026 (provisional) China accounted for **US\\$800 million**, 80.0% of net FDI" in text
    assert "United States was **−US\\$200 million** (FY2025: China US\\$600 million, United States US\\$100 million)" in text
    assert "only the 2 largest sources of FY2026" in text
    assert "negative in FY2025 (−US\\$12 million) and FY2026 (−US\\$5 million)" in text
    spec = pkc.fdi_chart(tables).to_dict()
    # long titles are wrapped into lines by charts.finish
    assert " ".join(spec["title"]["text"]) == "China is Pakistan's largest direct investor in FY2026; US net FDI turned negative"
    assert "(paler bars: FY2025)" in spec["title"]["subtitle"][0]


def test_fdi_chart_title_names_whoever_leads():
    fdi = _fdi()
    fdi.loc[(fdi["iso3"] == "USA") & (fdi["fiscal_year"] == 2026), "value"] = 900.0
    title = pkc.fdi_chart(pkc.fdi_tables(fdi)).to_dict()["title"]["text"]
    title = " ".join(title) if isinstance(title, list) else title
    assert title == "United States is Pakistan's largest direct investor in FY2026"


def test_copper_text_and_chart():
    hist = pd.DataFrame({"mineral": ["copper"], "stage": ["mine"], "iso3": ["PAK"], "year": [2021], "value": [18800.0]})
    scale, used = pk.copper_scale(PROD, hist, _ind(), 2025)
    text = pkc.copper_text(scale, used, 2025)
    assert "about **200 kt of copper a year**, would equal **1.0%**" in text
    assert "(USGS has no world copper figure for 2025, so 2024 is used)" in text
    assert "China alone refined 12,000 kt that year, 30 times the expanded Reko Diq" in text  # 12,000 / 400
    assert "makes about 13 kt a year, 0.1% of world mine output" in text
    assert "USGS has no" not in pkc.copper_text(*pk.copper_scale(PROD, hist, _ind(), 2024), 2024)
    spec = pkc.copper_chart(scale).to_dict()
    assert spec["title"]["text"] == "Even expanded, Reko Diq would be 2.0% of world copper mine output"
    with pytest.raises(KeyError):
        pkc.scale_row(scale, "Nowhere")


def test_reko_diq_text():
    ev = pd.DataFrame({"event_id": ["reko-diq-slowdown"], "date": pd.to_datetime(["2026-02-05"]),
                       "source_outlet": ["Reuters"], "source_url": ["https://r"], "reliability": ["N"]})
    text = pkc.reko_diq_text(ev)
    assert text.startswith("Reko Diq's timetable is no longer firm: on 5 February 2026 Barrick")
    assert "[Reuters](https://r)" in text


def test_share_and_history_charts():
    series = pkc.share_series(pk.usgs_series(PROD))
    assert list(series.loc[series["mineral"] == "barite", "estimated"]) == [True]
    spec = pkc.usgs_share_chart(series).to_dict()
    assert spec["title"]["text"] == "Pakistan's largest share of any mineral USGS lists is 0.2% (antimony, 2024)"
    assert spec["description"].endswith("every share is below 1%.")
    hs, _ = pkc.history_panels(_history())
    hspec = pkc.history_chart(hs).to_dict()
    assert hspec["title"]["text"] == "Pakistan's chromite output grew from 20 kt in 1970 to 25 kt in 1972"
    assert hspec["title"]["subtitle"][-1].startswith("Source")


def test_wmd_output_usgs_omits_is_stated_as_secondary():

    wmd = pd.DataFrame({"commodity": ["Salt", "Salt", "Gypsum", "Coal"], "mineral": [None] * 4,
                        "basis_as_usgs": [False] * 4, "year": [2023, 2024, 2024, 2024],
                        "value": [3.0e6, 3.3e6, 1.5e6, float("nan")], "unit": ["t"] * 4,
                        "wmd_flag": ["estimated", "reported", "reported", None], "secondary": [True] * 4})
    latest = pkc.wmd_latest(wmd)
    assert latest["commodity"].tolist() == ["Gypsum", "Salt"] and latest["year"].tolist() == [2024, 2024]
    text = pkc.wmd_text(latest)
    assert "**2** commodities" in text and "salt (3,300,000 t in 2024)" in text and "secondary" in text
    assert pkc.wmd_table(latest).frame.columns.tolist() == ["Commodity", "Year", "Output", "Unit", "WMD flag"]
