"""Chapter-level supply tables, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin import params
from critmin.analysis import supply
from critmin.chapters import supply as supply_page

NA = np.nan


def prod(rows, year=2024, edition="MCS2025"):
    """USGS-like rows from (mineral, stage, country, iso3, row_kind, value)."""
    return pd.DataFrame([
        dict(mineral=m, stage=s, product=f"{s} production", country=c, iso3=i, row_kind=k, year=year, value=v,
             unit="t", flag=None, edition=edition, origin="data_release")
        for m, s, c, i, k, v in rows
    ])


PROD = prod([
    ("copper", "mine", "Chile", "CHL", "country", 50),
    ("copper", "mine", "China", "CHN", "country", 20),
    ("copper", "mine", "Peru", "PER", "country", 10),
    ("copper", "mine", "Other countries", None, "other", 20),
    ("copper", "mine", "World total (rounded)", None, "world_total", 100),
    ("copper", "refinery", "China", "CHN", "country", 45),
    ("copper", "refinery", "Chile", "CHL", "country", 15),
    ("copper", "refinery", "World total (rounded)", None, "world_total", 60),
    ("cobalt", "mine", "Congo (Kinshasa)", "COD", "country", 70),
    ("cobalt", "mine", "Indonesia", "IDN", "country", 20),
    ("cobalt", "mine", "World total (rounded)", None, "world_total", 100),
    # a rounded world total below the sum of the countries (8 + 4 = 12 > 10)
    ("gallium", "processing", "China", "CHN", "country", 8),
    ("gallium", "processing", "Japan", "JPN", "country", 4),
    ("gallium", "processing", "World total (rounded)", None, "world_total", 10),
])

REF = pd.DataFrame([
    dict(mineral="cobalt", stage="refining", country=c, iso3=i, row_kind=k, year=2024, value=v, unit="kt",
         edition="CMDE2025", secondary=True)
    for c, i, k, v in [("China", "CHN", "country", 150), ("Finland", "FIN", "country", 20),
                       ("Rest of world", None, "other", 30), ("Total", None, "world_total", 200)]
])


def rows(t):
    return t.set_index(["mineral", "stage_group"])


def test_stage_table_world_total_denominator_and_hhi():
    t = rows(supply.stage_table(PROD, REF, iso3="CHN", year=2024))
    cu = t.loc[("copper", "mining")]
    assert cu["share"] == pytest.approx(0.20)            # 20 / 100 (world total)
    assert cu["share_listed"] == pytest.approx(0.25)     # 20 / 80 (listed countries only)
    assert cu["unattributed_share"] == pytest.approx(0.20)  # (100 - 80) / 100
    assert cu["hhi"] == pytest.approx(50**2 + 20**2 + 10**2)  # 3,000
    assert cu["hhi_upper"] == pytest.approx(3000 + 20**2)   # residual as one producer
    assert cu["top3_share"] == pytest.approx(0.80)
    assert cu["rank"] == 2 and cu["top_producer"] == "Chile"
    assert cu["denominator"] == "reported world total"
    assert cu["source"] == "USGS MCS2025"


def test_stage_table_uses_usgs_processing_where_it_exists():
    t = rows(supply.stage_table(PROD, REF, iso3="CHN", year=2024))
    cu = t.loc[("copper", "processing")]
    assert cu["stage"] == "refinery" and cu["source"] == "USGS MCS2025"
    assert cu["share"] == pytest.approx(0.75)  # 45 / 60
    assert cu["hhi"] == pytest.approx(75**2 + 25**2)  # 6,250


def test_stage_table_falls_back_to_iea_refining_with_its_total():
    t = rows(supply.stage_table(PROD, REF, iso3="CHN", year=2024))
    co = t.loc[("cobalt", "processing")]
    assert co["source"] == "IEA CMDE2025"
    assert co["share"] == pytest.approx(0.75)  # 150 / 200, IEA total
    assert co["hhi"] == pytest.approx(75**2 + 10**2)  # Rest of world is not a producer
    assert "IEA" in co["note"]
    # China is not among the named cobalt miners: not listed, no share, but concentration still shown
    mine = t.loc[("cobalt", "mining")]
    assert mine["status"] == "not_listed" and pd.isna(mine["share"])
    assert mine["hhi"] == pytest.approx(70**2 + 20**2)


def test_rounded_world_total_below_sum_uses_the_sum():
    ga = rows(supply.stage_table(PROD, REF, iso3="CHN", year=2024)).loc[("gallium", "processing")]
    assert ga["share"] == pytest.approx(8 / 12)
    assert ga["hhi"] == pytest.approx((800 / 12) ** 2 + (400 / 12) ** 2)
    assert ga["denominator"] == "sum of listed countries"


def test_missing_year_and_missing_stage_are_rows_with_notes():
    t = rows(supply.stage_table(PROD, REF, iso3="CHN", year=2023))
    assert t.loc[("copper", "mining"), "status"] == "no_data"
    assert "2024" in t.loc[("copper", "mining"), "note"]
    assert "2024" in t.loc[("cobalt", "processing"), "note"]  # IEA years named
    assert t.loc[("gallium", "mining"), "status"] == "no_stage"


def test_published_share_fills_a_missing_processing_stage():
    ps = pd.DataFrame([dict(mineral="copper", stage="refining", product="refined copper", country="China", iso3="CHN",
                            year=2023, share_pct=42.0, source_publisher="Pub", source_title="Title",
                            source_url="https://example.org", reliability="news")])
    t = rows(supply.stage_table(PROD[PROD["stage"] == "mine"], None, ps, iso3="CHN", year=2023))
    r = t.loc[("copper", "processing")]
    assert r["status"] == "published_share" and r["share"] == pytest.approx(0.42)
    assert r["denominator"] == "share as published" and "news" in r["note"]


def test_stage_filter():
    t = supply.stage_table(PROD, REF, iso3="CHN", year=2024, stages=("mining",))
    assert set(t["stage_group"]) == {"mining"}
    with pytest.raises(ValueError):
        supply.stage_table(PROD, REF, stages=("smelting",))


def test_resolve_country():
    known = supply.known_countries(PROD)
    assert supply.resolve_country("CHN", known) == ("CHN", "China")
    assert supply.resolve_country("chile", known)[0] == "CHL"
    assert supply.resolve_country("Democratic Republic of the Congo", known)[0] == "COD"
    with pytest.raises(params.ParameterError, match="allowed: .*Chile"):
        supply.resolve_country("Atlantis", known)
    with pytest.raises(params.ParameterError):
        supply.resolve_country("Australia", known)  # a real country that is not in the data


def hist(rows):
    return pd.DataFrame([
        dict(mineral=m, stage="mine", product=p, country=c, iso3=i, row_kind=k, year=y, value=v, unit="t",
             source="BGS WMS commodity 84")
        for m, p, c, i, k, y, v in rows
    ])


def test_history_shares_sums_lithium_products_and_joins_usgs():
    h = hist([
        ("lithium", "Li carbonate", "Chile", "CHL", "country", 2021, 30),
        ("lithium", "Li chloride", "Chile", "CHL", "country", 2021, 10),
        ("lithium", "Li content", "China", "CHN", "country", 2021, 20),
        ("lithium", "Li content", "Australia", "AUS", "country", 2021, 40),
        ("lithium", "Li content", "Australia", "AUS", "country", 2020, 50),
    ])
    p = prod([("lithium", "mine", "China", "CHN", "country", 30),
              ("lithium", "mine", "Australia", "AUS", "country", 60),
              ("lithium", "mine", "World total (rounded)", None, "world_total", 120)], year=2024)
    s = supply.history_shares(h, p, iso3="CHN", start_year=2020)
    bgs = s[s["publisher"] == "BGS"].set_index("year")
    assert bgs.loc[2021, "share"] == pytest.approx(20 / 100)  # Chile's two products are added: 40
    assert pd.isna(bgs.loc[2020, "share"]) and bgs.loc[2020, "status"] == "not_listed"
    usgs = s[s["publisher"] == "USGS"].set_index("year")
    assert usgs.loc[2024, "share"] == pytest.approx(30 / 120) and usgs.loc[2024, "source"] == "USGS MCS2025"
    ch = supply.share_change(s).iloc[0]
    assert (ch["first_year"], ch["bgs_last_year"], ch["latest_year"]) == (2021, 2021, 2024)
    assert ch["latest_share"] == pytest.approx(0.25) and ch["peak_year"] == 2024


def test_history_shares_adds_iea_for_refined_series_usgs_lacks():
    h = pd.DataFrame([dict(mineral="cobalt", stage="refinery", product="cobalt refined", country=c, iso3=i,
                           row_kind="country", year=2021, value=v, unit="t", source="BGS WMS commodity 37")
                      for c, i, v in [("China", "CHN", 60), ("Finland", "FIN", 40)]])
    s = supply.history_shares(h, PROD, REF, iso3="CHN", start_year=2000)
    iea = s[s["publisher"] == "IEA"]
    assert iea["share"].tolist() == pytest.approx([0.75]) and iea["stage"].tolist() == ["refinery"]
    assert s[s["publisher"] == "BGS"]["share"].tolist() == pytest.approx([0.6])


def test_comtrade_china_share():
    u = pd.DataFrame([
        dict(mineral="gallium", hs_code="811292", hs_description="d", year=2024, partner="China", partner_iso3="CHN",
             row_kind="country", value_usd=25.0),
        dict(mineral="gallium", hs_code="811292", hs_description="d", year=2024, partner="World", partner_iso3=None,
             row_kind="world_total", value_usd=100.0),
        dict(mineral="copper", hs_code="7402", hs_description="e", year=2024, partner="World", partner_iso3=None,
             row_kind="world_total", value_usd=50.0),
    ])
    c = supply.comtrade_china_share(u).set_index("hs_code")
    assert c.loc["811292", "china_share"] == pytest.approx(0.25)
    assert c.loc["7402", "china_share"] == 0.0  # World row, no China row: nothing recorded from China


@pytest.mark.parametrize("pct,flag,text", [
    (95, "censored_gt", ">95%"), (25, "censored_lt", "<25%"), (NA, "net_exporter", "net exporter"),
    (0, "net_exporter", "net exporter"), (86, None, "86%"), (NA, None, "–"), (100, "estimated", "100%"),
])
def test_nir_text(pct, flag, text):
    assert supply.nir_text(pct, flag) == text


def test_import_exposure_prefers_processing_share():
    rel = pd.DataFrame([dict(mineral="cobalt", year=2024, nir_pct=80.0, flag=None, raw="80", basis="b",
                             edition="MCS2025")])
    src = pd.DataFrame([dict(mineral="cobalt", edition="MCS2026", period="2021-2024", category="Total", rank=1,
                             country="China", iso3="CHN", share_pct=50.0)])
    t = supply.stage_table(PROD, REF, iso3="CHN", year=2024)
    e = supply.import_exposure(rel, src, t).set_index("mineral").loc["cobalt"]
    assert e["supply_stage"] == "processing" and e["supply_source"] == "IEA CMDE2025"
    assert e["exposure_supply"] == pytest.approx(0.80 * 0.75)  # 0.6
    assert e["exposure_import"] == pytest.approx(0.80 * 0.50)  # 0.4
    assert e["nir_text"] == "80%"


# ---------------------------------------------------------------------------------------------------------
# prose and tables of the chapters


TABLE = supply.stage_table(PROD, REF, iso3="CHN", year=2024)  # labels default to the capitalised ids


def test_coverage_summary_counts_stages_and_largest_shares():
    text = supply_page.coverage_summary(TABLE, ["cobalt", "copper", "gallium"], ("mining", "processing"), 2024, "China")
    lines = text.splitlines()
    assert lines[0] == "This page covers **3** minerals in **2024**."
    # copper and cobalt have a 2024 mine table; China is named only in copper's, as no. 2
    assert lines[1] == ("- **Mine production:** 2 have a 2024 figure; China has a reported share for 1 of them and "
                        "is the largest producer for none.")
    assert lines[2].endswith("largest producer for 3 (Cobalt, Copper, Gallium).")
    assert lines[-1] == ("China's largest shares: Cobalt processing **75.0%**; Copper processing **75.0%**; "
                         "Gallium processing **66.7%**.")
    one = supply_page.coverage_summary(TABLE, ["copper"], ("mining",), 2024, "China")
    assert one.startswith("This page covers **1** mineral in")


def test_concentration_summary_hhi_range_residual_and_bounds():
    text = supply_page.concentration_summary(TABLE, "China")
    assert "ranges from **3,000** (Copper, mining) to **6,250** (Copper, processing)" in text  # 50²+20²+10², 75²+25²
    assert "In 5 of 5 mineral stages" in text
    assert "largest for Copper (mining): **20.0%** of the world total" in text  # (100 - 80) / 100
    # cobalt refining: 150 of the 170 named (88.0%) against 150 of the IEA total of 200 (75.0%)
    assert "by up to 13.2 percentage points (Cobalt, processing: 88.2% instead of 75.0%)" in text
    assert "For 1 mineral stage (Gallium processing) the rounded world total is below" in text
    assert "rise by at most 400 (Copper, mining)" in text  # the 20 t residual as one producer: 20²
    assert supply_page.concentration_summary(TABLE[TABLE["status"] == "no_stage"], "China") == ""


def test_not_shown_text_and_table_view():
    missing, one_stage = supply_page.not_shown_text(TABLE, ("mining", "processing"))
    assert missing.startswith("**Not shown in the chart (1):**\n- Cobalt, mining: Not among")
    assert one_stage == "The data have only one stage for some minerals: no mining stage for Gallium."
    assert supply_page.not_shown_text(TABLE, ("processing",))[1:] == []
    view = supply_page.stage_table_view(TABLE, "China", 2024)
    assert len(view.frame) == 5  # gallium mining has no stage
    assert view.frame["Rank"].dtype == "float64"
    assert view.caption == "China's share and concentration by mineral and stage, 2024"
    assert set(view.formats) <= set(view.frame.columns)


def test_concentration_parameters_checks_in_declared_order():
    year, iso3, name, selected, stage, stages = supply_page.concentration_parameters(
        2024, "chile", "copper,cobalt", "mine", PROD, REF)
    assert (year, iso3, name, stage, stages) == (2024, "CHL", "Chile", "mine", ("mining",))
    assert sorted(selected) == ["cobalt", "copper"]
    assert supply_page.concentration_parameters(2024, "CHN", "all", "all", PROD, REF)[-1] == ("mining", "processing")
    with pytest.raises(params.ParameterError, match="year=1990"):
        supply_page.concentration_parameters(1990, "Narnia", "foo", "foo", PROD, REF)
    with pytest.raises(params.ParameterError, match="stage='foo'"):
        supply_page.concentration_parameters(2024, "China", "all", "foo", PROD, REF)


def test_check_importer():
    assert supply_page.check_importer(" usa ") == "United States"
    assert supply_page.check_importer("United States") == "United States"
    with pytest.raises(params.ParameterError, match="importer='China' is not available"):
        supply_page.check_importer("China")


# over time

SHARES = supply.history_shares(
    hist([("lithium", "Li content", "China", "CHN", "country", 2020, 10),
          ("lithium", "Li content", "Chile", "CHL", "country", 2020, 90),
          ("lithium", "Li content", "China", "CHN", "country", 2021, 30),
          ("lithium", "Li content", "Chile", "CHL", "country", 2021, 70)]),
    prod([("lithium", "mine", "China", "CHN", "country", 20),
          ("lithium", "mine", "Chile", "CHL", "country", 60),
          ("lithium", "mine", "World total (rounded)", None, "world_total", 100)], year=2021),
    iso3="CHN", start_year=2020)
EVENTS = pd.DataFrame({
    "event_id": ["e1", "e2", "e3"], "kind": ["china_export_control", "china_export_control", "pakistan_us_deal"],
    "minerals": ["graphite;lithium", "gallium", "lithium"], "title": ["Lithium tech", "Gallium", "Deal"],
    "date": pd.to_datetime(["2025-01-02", "2023-07-03", "2025-09-08"]),
})


def test_change_summary_lists_each_series_and_the_missing_minerals():
    change = supply.share_change(SHARES)
    text = supply_page.change_summary(SHARES, change, ["lithium", "cobalt"], "China", 2020)
    lines = text.splitlines()
    assert lines[0] == ("China's share of world output, first year with a share from 2020, the last BGS year "
                        "and the newest figure:")
    # BGS 10/100 in 2020 and 30/100 in 2021; USGS 20 of a world total of 100 in 2021
    assert lines[1] == "- **Lithium, mine production:** 10.0% in 2020, 30.0% in 2021 (BGS), 20.0% in 2021 (USGS MCS2025)."
    assert lines[2] == "- No share for China from 2020 for: cobalt."


def test_export_control_dates_and_rules():
    ctrl = supply_page.export_control_dates(EVENTS, SHARES)
    assert ctrl["event_id"].tolist() == ["e1"] and ctrl["mineral"].tolist() == ["lithium"]
    assert ctrl["date_text"].tolist() == ["2025-01-02"]
    assert ctrl["x"].iloc[0] == pytest.approx(2025 + 1 / 366)
    rules = supply_page.control_rules(ctrl, SHARES)
    assert rules.columns.tolist() == ["series", "x", "date_text", "title", "layer"]
    assert rules["series"].tolist() == ["Lithium, mine production"]


def test_seam_and_controls_text():
    ctrl = supply_page.export_control_dates(EVENTS, SHARES)
    seam, controls = supply_page.seam_and_controls_text(SHARES, ctrl).split("\n\n")
    assert seam.startswith("**The seam.** BGS and USGS overlap in 2021; there the two differ by up to 10.0 "
                           "percentage points (Lithium, mine production, 2021: BGS 30.0%, USGS 20.0%).")
    assert controls.startswith("**Export controls.** The events table lists 1 Chinese export-control dates for "
                               "minerals on this page (Lithium), the first on 2025-01-02.")
    none = supply_page.seam_and_controls_text(SHARES[SHARES["publisher"] == "BGS"], ctrl.iloc[0:0])
    assert none == ("**Export controls.** None of the Chinese export controls in the events table concerns the "
                    "minerals on this page.")


def test_change_table():
    t = supply_page.change_table(SHARES, supply.share_change(SHARES), "China")
    row = t.frame.iloc[0]
    assert row["Share then"] == pytest.approx(0.1) and row["Newest share"] == pytest.approx(0.2)
    assert row["BGS series"] == "Li content" and row["Newer publishers' series"] == "mine production"
    assert t.caption.startswith("China's share of world output")


# US imports

EXP = pd.DataFrame({
    "mineral": ["gallium", "gold", "cobalt", "beryllium"],
    "label": ["Gallium", "Gold", "Cobalt", "Beryllium"],
    "nir_pct": [100.0, NA, 76.0, 25.0], "nir_year": [2024, 2024, 2023, 2024],
    "nir_flag": [None, "net_exporter", None, "censored_lt"], "nir_text": ["100%", "net exporter", "76.0%", "<25.0%"],
    "nir_basis": ["metal"] * 4,
    "china_import_status": ["listed", "not_listed", "listed", "no_data"],
    "china_import_rank": pd.array([1, pd.NA, 3, pd.NA], dtype="Int64"),
    "china_import_share": [0.2, NA, NA, NA], "import_period": ["2021–24", NA, NA, NA],
    "import_category": ["metal", NA, NA, NA], "import_edition": ["MCS2026", "MCS2025", "MCS2025", NA],
    "china_supply_share": [0.98, 0.1, 0.75, NA], "supply_stage": ["processing", "mining", "processing", NA],
    "supply_source": ["USGS MCS2025", "USGS MCS2025", "IEA", NA],
    "exposure_supply": [0.98, 0.0, 0.57, NA], "exposure_import": [0.2, NA, NA, NA],
})


def test_reliance_summary():
    exp = EXP.assign(nir_pct=EXP["nir_pct"].fillna(0.0))  # net exporters carry 0
    text = supply_page.reliance_summary(exp)
    assert "for **4** minerals; the newest year is 2024 for most (Cobalt use other years" in text
    assert "more than half its use of **2** of them by USGS's exact figures; " in text
    assert "for all of its use of **1** (Gallium)" in text
    assert "It was a net exporter of 1 (Gold). For 1 minerals USGS gives only a bound" in text


def test_reliance_summary_counts_a_bound_above_half_as_at_least():
    exp = EXP.assign(nir_pct=EXP["nir_pct"].fillna(0.0))
    exp.loc[exp["mineral"] == "beryllium", ["nir_pct", "nir_flag"]] = [50.0, "censored_gt"]
    text = supply_page.reliance_summary(exp)
    assert "more than half its use of **2** of them by USGS's exact figures" in text
    assert "a bound of more than half for **1** more (Beryllium), so at least **3** in all" in text


def test_china_sources_summary():
    text = supply_page.china_sources_summary(EXP)
    assert "main import sources for 3 minerals" in text
    assert "China is among them for **2** and the first source for **1** (Gallium)" in text
    assert "lists (2021–24): Gallium 20.0% (metal). Older editions" in text


def test_label_minerals_and_comtrade():
    u = pd.DataFrame([
        dict(mineral=m, hs_code=h, hs_description=d, year=y, partner=p, partner_iso3=i, row_kind=k, value_usd=v)
        for m, h, d, y, p, i, k, v in [
            ("gallium", "811292", "Ga, unwrought", 2023, "China", "CHN", "country", 50.0),
            ("gallium", "811292", "Ga, unwrought", 2023, "World", None, "world_total", 100.0),
            ("gallium", "811292", "Ga, unwrought", 2024, "China", "CHN", "country", 3e6),
            ("gallium", "811292", "Ga, unwrought", 2024, "World", None, "world_total", 12e6),
            ("copper", "7402", "Cu, unrefined", 2024, "World", None, "world_total", 5e6)]])
    ct = supply.comtrade_china_share(u)
    registry = pd.DataFrame({"mineral": ["gallium"], "label": ["Gallium"]})
    assert supply_page.label_minerals(ct, registry)["label"].unique().tolist() == ["copper", "Gallium"]
    text = supply_page.comtrade_summary(ct)
    assert "For the 2 HS codes in the data, China's share of the value of US imports in 2024 ranged from 0% " \
           "(Cu, unrefined, HS 7402) to **25.0%** (Ga, unwrought, HS 811292)." in text
    t = supply_page.comtrade_table(ct, registry)
    assert t.frame.columns.tolist() == ["Mineral", "HS code", "Goods", "China 2023", "China 2024",
                                        "US imports 2024, US$ m"]
    assert t.frame.set_index("HS code").loc["811292", "US imports 2024, US$ m"] == pytest.approx(12.0)
    assert t.frame["Mineral"].tolist() == ["Gallium", "copper"]  # sorted by label


def test_exposure_summary_and_table():
    assert supply_page.exposed(EXP)["label"].tolist() == ["Gallium", "Cobalt", "Gold"]
    text = supply_page.exposure_summary(EXP)
    assert text.startswith("On the world-supply basis the most exposed minerals are Gallium **98.0%** (net import "
                           "reliance 100% × China 98.0% of world processing); Cobalt **57.0%**")
    assert text.endswith("exposure on that basis is Gallium 20.0%.")
    assert supply_page.exposure_summary(EXP.assign(exposure_import=NA)).endswith("of world mining). ")
    t = supply_page.exposure_table_view(EXP)
    assert t.frame["Mineral"].tolist() == ["Gallium", "Cobalt", "Gold", "Beryllium"]
    assert t.frame["China's rank as source"].dtype == "float64"


# charts


def _data(spec):
    return list(spec["datasets"].values())[0]


def test_tint_and_country_colour():
    from critmin.chapters import supply_charts
    from critmin.render import charts

    assert supply_charts.tint("#000000", 0.5) == "#808080"
    assert supply_charts.tint("#D55E00", 0) == "#D55E00" and supply_charts.tint("#D55E00", 1) == "#FFFFFF"
    assert supply_charts.country_colour("CHN") == charts.CHINA
    assert supply_charts.country_colour("AUS") == charts.PALETTE[1]


def test_stage_shares_chart():
    from critmin.chapters import supply_charts

    spec = supply_charts.stage_shares(TABLE, ("mining", "processing"), iso3="CHN", country_name="China",
                                      year=2024).to_dict()
    assert spec["title"]["text"] == "China is the largest producer in 3 of 4 mineral stages shown, 2024"
    bars, labels = spec["layer"]
    assert bars["encoding"]["y"]["sort"] == ["Cobalt", "Copper", "Gallium"]
    assert bars["encoding"]["x"]["axis"]["orient"] == "top"  # the axis where the reader starts
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["field"] == "share_label"
    assert all(r["share_label"].endswith("%") for r in _data(spec))
    assert "IEA" in " ".join(spec["title"]["subtitle"])  # cobalt refining comes from the IEA
    assert {r["stage_label"] for r in _data(spec)} == {"Mining", "Refining / processing"}
    nothing = TABLE.assign(share=NA)
    assert supply_charts.stage_shares(nothing, ("mining",), iso3="CHN", country_name="China", year=2024) is None


def test_share_over_time_chart():
    from critmin.chapters import supply_charts

    change = supply.share_change(SHARES)
    ctrl = supply_page.export_control_dates(EVENTS, SHARES)
    spec = supply_charts.share_over_time(SHARES, change, ctrl, iso3="CHN", country_name="China",
                                         start_year=2020).to_dict()
    assert spec["title"]["text"] == "China's share rose in 1 of 1 series since 2020"
    layers = {r["layer"] for r in _data(spec)}
    assert layers == {"share", "event"}
    from critmin.data import package as datapackage

    sources = " ".join(spec["title"]["subtitle"][1:])  # after the subtitle, the wrapped source line
    assert sources.split() == datapackage.source_line(["production_history", "production", "events"]).split()
    fell = supply_charts.share_over_time(SHARES, change.assign(latest_share=0.0), ctrl.iloc[0:0], iso3="AUS",
                                         country_name="Australia", start_year=2020).to_dict()
    assert fell["title"]["text"] == "Australia's share fell or held in all 1 series since 2020"
    assert {r["layer"] for r in _data(fell)} == {"share"}
    assert " ".join(fell["title"]["subtitle"][1:]).split() == datapackage.source_line(
        ["production_history", "production"]).split()


def test_reliance_bars_and_exposure_dots():
    from critmin.chapters import supply_charts

    exp = EXP.assign(nir_pct=EXP["nir_pct"].fillna(0.0))
    bars = supply_charts.reliance_bars(exp).to_dict()
    assert bars["title"]["text"] == "The US imports more than half its use of 2 of 4 minerals"
    assert [r["kind"] for r in _data(bars)] == ["reported", "reported", "bound (at most)", "net exporter"]
    dots = supply_charts.exposure_dots(EXP).to_dict()
    assert " ".join(dots["title"]["text"]).startswith("Gallium tops the US exposure to Chinese supply (98% of consumption")
    assert dots["encoding"]["y"]["sort"] == ["Gallium", "Cobalt", "Gold"]
    assert sorted(r["supply_stage"] for r in _data(dots)) == ["imports", "mining", "processing", "processing"]
