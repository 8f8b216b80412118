"""The per-mineral assembly behind the mineral profile pages, on small hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from critmin import text
from critmin.analysis import profile
from critmin.chapters import mineral_profile as chapter
from critmin.params import ParameterError
from critmin.render import page

MINERALS = pd.DataFrame({
    "mineral": ["antimony", "gallium", "platinum", "platinum_group_metals"],
    "label": ["Antimony", "Gallium", "Platinum", "Platinum-group metals"],
    "deal_mineral": [True, False, False, False],
    "usgs_commodity": ["Antimony", "Gallium", "Platinum-Group Metals", "Platinum-Group Metals"],
    "description": ["mine output", "primary output", "mine output", "reserves only"],
})


def _prod(rows):
    cols = ["mineral", "stage", "product", "country", "iso3", "row_kind", "year", "value", "unit", "flag",
            "edition", "origin"]
    df = pd.DataFrame(rows, columns=cols)
    df["value"] = df["value"].astype("Float64")
    df["year"] = df["year"].astype("Int64")
    for c in ("iso3", "flag"):
        df[c] = df[c].astype("string")
    return df


def _sb(country, iso3, kind, year, value, product="Mine production", flag=None, edition="MCS2025"):
    return ["antimony", "mine", product, country, iso3, kind, year, value, "t", flag, edition, "data_release"]


PRODUCTION = _prod([
    _sb("China", "CHN", "country", 2023, 60.0),
    _sb("Russia", "RUS", "country", 2023, 20.0),
    _sb("Pakistan", "PAK", "country", 2023, 10.0),
    # NOTE: a row with its own product label must stay in the same table (USGS labels vary per row)
    _sb("United States", "USA", "country", 2023, 10.0, product="Mine production, estimated"),
    _sb("Other countries", None, "other", 2023, 50.0),
    _sb("World total (rounded)", None, "world_total", 2023, 150.0),
    _sb("China", "CHN", "country", 2024, None, flag="withheld"),
    _sb("Russia", "RUS", "country", 2024, 30.0),
    _sb("Tajikistan", "TJK", "country", 2024, 30.0),
    ["gallium", "processing", "Primary production", "China", "CHN", "country", 2024, None, "kg", "withheld",
     "MCS2025", "data_release"],
    ["platinum", "mine", "Mine production", "South Africa", "ZAF", "country", 2024, 100.0, "kg", None,
     "MCS2025", "data_release"],
    ["platinum", "mine", "Mine production", "Russia", "RUS", "country", 2024, 20.0, "kg", None,
     "MCS2025", "data_release"],
])

RESERVES = pd.DataFrame({
    "mineral": ["antimony"] * 5 + ["platinum_group_metals"] * 2,
    "country": ["China", "Russia", "Pakistan", "Other countries", "World total (rounded)", "South Africa", "Russia"],
    "iso3": ["CHN", "RUS", "PAK", None, None, "ZAF", "RUS"],
    "row_kind": ["country", "country", "country", "other", "world_total", "country", "country"],
    "year": [2024] * 7,
    "value": [600.0, 300.0, 100.0, 1000.0, 2000.0, 60000.0, 20000.0],
    "unit": ["t"] * 5 + ["kg"] * 2,
    "flag": [None, None, None, None, "censored_gt", None, None],
    "edition": ["MCS2025"] * 7,
}).astype({"iso3": "string", "flag": "string", "value": "Float64", "year": "Int64"})


def test_check_parameters_accepts_known_values_case_insensitively():
    assert chapter.check_parameters("Antimony", 2023, minerals=MINERALS, production=PRODUCTION,
                                    reserves=RESERVES) == ("antimony", 2023)


def test_unknown_mineral_lists_the_registry_ids():
    with pytest.raises(ParameterError) as e:
        chapter.check_parameters("unobtainium", 2024, minerals=MINERALS, production=PRODUCTION, reserves=RESERVES)
    assert "antimony, gallium, platinum, platinum_group_metals" in str(e.value)


def test_unknown_year_lists_the_minerals_years():
    with pytest.raises(ParameterError) as e:
        chapter.check_parameters("antimony", 1999, minerals=MINERALS, production=PRODUCTION, reserves=RESERVES)
    assert "for antimony" in str(e.value) and "2023, 2024" in str(e.value)


def test_reserves_only_mineral_takes_its_years_from_reserves():
    assert profile.available_years("platinum_group_metals", production=PRODUCTION, reserves=RESERVES) == [2024]


def test_producers_shares_are_of_country_rows_and_keep_odd_labels_in_one_table():
    p = profile.producers("antimony", 2023, "mine", production=PRODUCTION)
    assert p.status == "ok"
    assert p.sum_of_countries == 100.0
    assert math.isclose(p.china_share, 0.6)
    assert math.isclose(p.china_share_of_world_total, 60 / 150)
    assert p.other == 50.0 and p.world_total == 150.0
    assert p.top3 == ["China", "Russia", "Pakistan"]  # ties broken by name
    # HHI of 60/20/10/10 = 3600 + 400 + 100 + 100
    assert math.isclose(p.hhi, 4200.0)
    assert "United States" in p.table["country"].tolist()
    text = chapter.producers_sentence(p, "Antimony")
    # the book's share is of the publisher's world total; the listed-countries share is stated because it differs
    assert math.isclose(p.china_share_book, 60 / 150) and p.denominator == "world_total"
    assert "**40.0%** of world antimony mine production (USGS's world total)" in text
    assert "150 t" in text and "50 t is under “Other countries”" in text
    assert "Of the listed countries alone" in text and "60.0%" in text


def test_producers_with_china_withheld_and_missing_year():
    p = profile.producers("antimony", 2024, "mine", production=PRODUCTION)
    assert p.china_status == "withheld" and p.withheld == ["China"]
    assert "withholds China's" in chapter.producers_sentence(p, "Antimony")
    ties = chapter.producers_sentence(p, "Antimony")
    assert "Russia and Tajikistan" in ties
    missing = profile.producers("antimony", 2020, "mine", production=PRODUCTION)
    assert missing.status == "no_year"
    assert "no mine production table" in chapter.producers_sentence(missing, "Antimony")
    assert "2023, 2024" in chapter.producers_sentence(missing, "Antimony")


def test_all_withheld_table_says_so_instead_of_failing():
    p = profile.producers("gallium", 2024, "processing", production=PRODUCTION)
    assert p.status == "no_values"
    assert "withholds every country figure" in chapter.producers_sentence(p, "Gallium")


def test_usgs_share_over_time_reports_status_per_year():
    u = profile.usgs_share_over_time("antimony", "mine", production=PRODUCTION)
    assert u["year"].tolist() == [2023, 2024]
    assert math.isclose(u.loc[0, "share"], 0.6)
    assert u.loc[1, "status"] == "withheld" and pd.isna(u.loc[1, "share"])


def test_bgs_share_sums_products_and_counts_historic_states():
    h = pd.DataFrame({
        "mineral": ["lithium"] * 4, "stage": ["mine"] * 4,
        "product": ["Li content", "Carbonate Li", "Li content", "Li content"],
        "country": ["China", "Chile", "Chile", "Soviet Union"],
        "iso3": ["CHN", "CHL", "CHL", None], "row_kind": ["country", "country", "country", "group"],
        "year": [2020] * 4, "value": [40.0, 30.0, 10.0, 20.0], "unit": ["t"] * 4, "source": ["BGS"] * 4,
    }).astype({"iso3": "string", "value": "Float64", "year": "Int64"})
    b = profile.bgs_share_over_time("lithium", history=h)
    assert len(b) == 1 and math.isclose(b.loc[0, "share"], 0.4)
    chile = profile.bgs_share_over_time("lithium", "CHL", history=h)
    assert math.isclose(chile.loc[0, "share"], 0.4)


def test_reserves_vs_production_and_rp_years():
    v = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=RESERVES)
    assert v.status == "ok" and v.year == 2024
    # China's 2024 production is withheld, so its R/P is missing; Russia 300 t / 30 t a year
    russia = v.table.set_index("iso3").loc["RUS"]
    assert math.isclose(russia["rp_years"], 10.0)
    assert math.isclose(v.china["reserves_share"], 0.6)
    assert pd.isna(v.china["rp_years"])
    text = chapter.reserves_sentence(v, "Antimony")
    assert "more than 2,000 t" in text and "**60.0%**" in text


def test_reserves_use_the_producers_already_computed_for_that_stage_and_year():
    plain = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=RESERVES)
    stage = plain.production_stage
    mine = profile.producers("antimony", plain.production_year, stage, production=PRODUCTION)
    given = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=RESERVES, computed=[mine])
    pd.testing.assert_frame_equal(given.table, plain.table)
    assert (given.world_production, given.world_rp) == (plain.world_production, plain.world_rp)
    # a result for another year is not taken for this one
    other = profile.producers("antimony", plain.production_year - 1, stage, production=PRODUCTION)
    other.table = other.table.iloc[0:0]  # emptied: had it been taken, the production columns would be empty
    again = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=RESERVES, computed=[other])
    pd.testing.assert_frame_equal(again.table, plain.table)


def test_reserves_group_only_and_none():
    v = profile.reserves_vs_production("platinum", production=PRODUCTION, reserves=RESERVES)
    assert v.status == "group_only" and v.unit == "kg"
    assert "platinum-group metals together" in chapter.reserves_sentence(v, "Platinum")
    none = profile.reserves_vs_production("gallium", production=PRODUCTION, reserves=RESERVES)
    assert none.status == "none"
    assert "no reserves" in chapter.reserves_sentence(none, "Gallium")


def test_reliance_labels_and_sentence():
    r = pd.DataFrame({
        "mineral": ["gold", "gold", "germanium", "germanium"], "year": [2022, 2023, 2022, 2023],
        "nir_pct": [None, None, 50.0, 50.0], "flag": ["net_exporter", "net_exporter", "censored_gt", "censored_gt"],
        "raw": ["E", "E", ">50", ">50"], "basis": ["x"] * 4, "edition": ["MCS2025"] * 4,
    }).astype({"nir_pct": "Float64", "flag": "string", "year": "Int64"})
    g = profile.reliance("gold", import_reliance=r)
    assert g["label"].tolist() == ["net exporter", "net exporter"]
    assert "net exporter of gold in 2023" in chapter.reliance_sentence(g, "Gold")
    ge = profile.reliance("germanium", import_reliance=r)
    assert ge["label"].tolist() == [">50%", ">50%"]
    assert "lower bounds" in chapter.reliance_sentence(ge, "Germanium")
    assert "no US net import reliance" in chapter.reliance_sentence(profile.reliance("tin", import_reliance=r), "Tin")


def test_import_sources_newest_edition_and_china_rank():
    s = pd.DataFrame({
        "mineral": ["gallium"] * 5, "edition": ["MCS2025", "MCS2025", "MCS2026", "MCS2026", "MCS2026"],
        "period": ["2020-2023"] * 2 + ["2021-2024"] * 3, "category": ["GALLIUM"] * 2 + ["Metal"] * 3,
        "rank": [1, 2, 1, 2, 3], "country": ["China", "Japan", "Canada", "China", "Other"],
        "iso3": ["CHN", "JPN", "CAN", "CHN", None], "share_pct": [None, None, 60.0, 30.0, 10.0],
    }).astype({"iso3": "string", "share_pct": "Float64"})
    newest, china = profile.import_sources("gallium", import_sources=s)
    assert newest["edition"].unique().tolist() == ["MCS2026"]
    assert china.set_index("edition")["rank"].to_dict() == {"MCS2025": 1, "MCS2026": 2}
    text = chapter.import_sources_sentence(newest, china, "Gallium")
    assert "ranks **2** of 2" in text and "30.0% of imports" in text and "MCS2025: rank 1" in text


def test_pakistan_rows_and_plain_statements():
    ind = pd.DataFrame({
        "indicator": ["antimony_reserves", "chromium_ore_exports_to_china", "refined_copper_exports_to_china"],
        "label": ["Sb reserves", "Chromite exports", "Copper exports"], "year": [2025, 2023, 2022],
        "value": [26000.0, 1.0, 2.0], "unit": ["t", "usd", "usd"], "note": [None] * 3,
        "publisher": ["USGS"] * 3, "reliability": ["P"] * 3,
    })
    empty_history = pd.DataFrame(columns=["mineral", "stage", "product", "country", "iso3", "row_kind", "year",
                                          "value", "unit", "source"])
    pk = profile.pakistan("antimony", production=PRODUCTION, reserves=RESERVES, history=empty_history,
                          indicators=ind)
    assert pk["production"]["year"].tolist() == [2023]
    assert math.isclose(pk["production"].loc[0, "share"], 0.1)
    assert math.isclose(pk["reserves"].loc[0, "share"], 0.1)
    assert pk["indicators"]["label"].tolist() == ["Sb reserves"]
    said = " ".join(chapter.pakistan_sentences(pk, "Antimony", [2023, 2024]))
    assert "**10 t** in 2023" in said and "**100 t**" in said
    gallium = profile.pakistan("gallium", production=PRODUCTION, reserves=RESERVES, history=empty_history,
                               indicators=ind)
    said = " ".join(chapter.pakistan_sentences(gallium, "Gallium", [2024]))
    assert "Pakistan is not among the countries USGS lists" in said
    assert "nothing specific to gallium" in said


def test_data_notes_pick_caveats_naming_the_mineral():
    notes = chapter.data_notes("gallium", "Gallium", resources=("production",))
    assert notes and all("allium" in n for n in notes)
    assert chapter.data_notes("zirconium", "Zirconium", resources=("events",)) == []


# ---------------------------------------------------------------------------------------------------------
# what the page shows


def test_show_dispatches_prose_tables_charts_and_skips_none(monkeypatch):

    seen = []
    monkeypatch.setattr(page, "md", lambda text: seen.append(("md", text)))
    monkeypatch.setattr(page, "table", lambda df, caption, formats: seen.append(("table", caption)))
    monkeypatch.setattr(page, "display", lambda obj: seen.append(("display", obj)))
    t = page.Table(pd.DataFrame({"a": [1]}), caption="cap", formats={"a": "{}"})
    page.show("one", None, [t, None, ("two",)], 42)
    assert seen == [("md", "one"), ("table", "cap"), ("md", "two"), ("display", 42)]


def test_intro_sentence_mentions_the_memorandum_only_for_deal_minerals():
    info = profile.mineral_info("antimony", minerals=MINERALS)
    text = chapter.intro_sentence(info)
    assert text.startswith("**Antimony.** What is measured: mine output (USGS chapter “Antimony”).")
    assert "memorandum" in text
    assert "memorandum" not in chapter.intro_sentence(profile.mineral_info("gallium", minerals=MINERALS))
    assert "no production table by country for gallium" in chapter.no_production_sentence("Gallium")


def test_producers_table_appends_unattributed_and_world_rows():
    p = profile.producers("antimony", 2023, "mine", production=PRODUCTION)
    t = chapter.producers_table(p, "Antimony")
    assert t.frame.columns.tolist() == ["Rank", "Country", "Output (t)", "Share of world total",
                                        "Share of listed countries", "USGS flag"]
    assert t.frame["Share of world total"].tolist()[-1] == 1.0
    assert t.frame["Country"].tolist()[-2:] == ["Other countries (not attributed)", "World total (USGS, rounded)"]
    assert t.frame["Output (t)"].tolist()[-2:] == [50.0, 150.0]
    assert t.frame["USGS flag"].tolist()[0] == "–"
    assert t.caption.startswith("Antimony: mine production by country, 2023 (USGS MCS2025")
    assert t.formats["Share of listed countries"] is text.share_text


def _usgs(rows):
    return pd.DataFrame(rows, columns=["year", "value", "share", "share_of_world_total", "rank", "status", "flag",
                                       "edition", "series"])


def _bgs(rows):
    return pd.DataFrame(rows, columns=["mineral", "stage", "year", "value", "share", "status", "series"])


def test_usgs_trend_sentence_first_last_and_gaps():
    u = _usgs([[2021, 10.0, 0.5, 0.5, 1, "reported", "", "MCS2023", "x"],
               [2022, None, None, None, None, "withheld", "withheld", "MCS2024", "x"],
               [2023, 12.0, 0.6, 0.4, 1, "reported", "", "MCS2025", "x"]])
    text = chapter.usgs_trend_sentence(u, "mine", "Antimony")
    assert text.startswith("In the USGS tables China's share of listed antimony mine production was **60.0%** in "
                           "2023, against 50.0% in 2021 (40.0% of USGS's world total")
    assert text.endswith("No share for 2022 (withheld).")
    one = chapter.usgs_trend_sentence(u.iloc[[2]], "mine", "Antimony")
    assert "for one year only: in 2023 it was **60.0%**" in one
    none = chapter.usgs_trend_sentence(u.iloc[[1]], "mine", "Antimony")
    assert none == "USGS gives no usable China figure for antimony mine production in any year (2022: withheld)."


def test_bgs_trend_sentence_peak_and_seam():
    u = _usgs([[2021, 10.0, 0.5, 0.5, 1, "reported", "", "MCS2023", "x"]])
    b = _bgs([["antimony", "mine", 2019, 1.0, 0.7, "reported", "Mine"],
              ["antimony", "mine", 2020, 1.0, 0.9, "reported", "Mine"],
              ["antimony", "mine", 2021, 1.0, 0.8, "reported", "Mine"]])
    text = chapter.bgs_trend_sentence(u, b, "mine")
    assert text.startswith("In the BGS series China's share went from 70.0% in 2019 to 80.0% in 2021, peaking at 90.0% "
                           "in 2020. The BGS series (Mine)")
    assert "in 2021, BGS gives China 80.0% and USGS 50.0%" in text
    assert ", its highest." in chapter.bgs_trend_sentence(u, b.iloc[[0, 2]], "mine")
    assert chapter.bgs_trend_sentence(u, b, "refinery") == ""


def test_share_lines_and_over_time_paragraphs():
    u = _usgs([[2021, 10.0, 0.5, 0.5, 1, "reported", "", "MCS2023", "x"],
               [2022, None, None, None, None, "withheld", "withheld", "MCS2024", "x"]])
    b = _bgs([["antimony", "mine", 2021, 1.0, 0.8, "reported", "Mine"],
              ["antimony", "smelter", 2021, 1.0, 0.3, "reported", "Smelter"]])
    long = chapter.share_lines({"mine": u}, b)
    assert long.columns.tolist() == ["series", "year", "share"]
    assert long["series"].tolist() == ["USGS, mine production", "BGS, Mine"]  # smelter: no USGS table
    assert chapter.share_lines({}, b)["series"].tolist() == ["BGS, Mine", "BGS, Smelter"]
    assert chapter.share_lines({}, b.iloc[0:0]).empty
    paras = chapter.over_time_paragraphs("zirconium", "Zirconium", {"mine": u}, b.iloc[0:0])
    assert paras[0].startswith("USGS gives China's zirconium mine production for one year only")
    assert paras[-1].startswith("The BGS long series in the data package does not cover zirconium")


def test_share_over_time_table_takes_the_unit_of_the_stage():
    u = profile.usgs_share_over_time("antimony", "mine", production=PRODUCTION)
    missing_year = profile.producers("antimony", 2020, "mine", production=PRODUCTION)
    t = chapter.share_over_time_table(u, missing_year, "Antimony", production=PRODUCTION)
    assert t.frame.columns[1] == "China (t)"
    assert t.frame["Status"].tolist() == ["reported", "withheld"]
    assert t.caption == "China in the USGS antimony mine production tables by year"


def test_reserves_table_columns_depend_on_status():
    v = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=RESERVES)
    t = chapter.reserves_table(v, "Antimony")
    assert t.frame.columns.tolist() == ["Country", "Reserves (t)", "Share of listed reserves", "Production 2024 (t)",
                                        "Share of listed production", "Reserves ÷ production (years)"]
    assert t.frame["Reserves (t)"].tolist()[0] == "600"
    group = chapter.reserves_table(profile.reserves_vs_production("platinum", production=PRODUCTION,
                                                                   reserves=RESERVES), "Platinum")
    assert group.frame.columns.tolist() == ["Country", "Reserves (kg)", "Share of listed reserves"]
    assert group.caption.startswith("Largest platinum-group metal reserve holders")
    none = profile.reserves_vs_production("gallium", production=PRODUCTION, reserves=RESERVES)
    assert chapter.reserves_table(none, "Gallium") is None


def test_reserves_censored_value_keeps_its_bound():
    r = RESERVES.copy()
    r.loc[0, "flag"] = "censored_gt"
    v = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=r)
    assert chapter.reserves_table(v, "Antimony").frame["Reserves (t)"].tolist()[0] == ">600"


def test_import_sources_table_and_empty():
    s = pd.DataFrame({
        "mineral": ["gallium"] * 2, "edition": ["MCS2026"] * 2, "period": ["2021-2024"] * 2,
        "category": ["Metal"] * 2, "rank": [1, 2], "country": ["Canada", "China"], "iso3": ["CAN", "CHN"],
        "share_pct": [60.0, 40.0]}).astype({"iso3": "string", "share_pct": "Float64"})
    newest, _ = profile.import_sources("gallium", import_sources=s)
    t = chapter.import_sources_table(newest, "Gallium")
    assert t.caption == "Major US import sources of gallium, MCS2026 (imports 2021–2024)"
    assert t.frame["Share of US imports"].tolist() == [0.6, 0.4]
    assert chapter.import_sources_table(newest.iloc[0:0], "Gallium") is None


def test_pakistan_tables_and_notes_text():
    ind = pd.DataFrame({"indicator": ["antimony_reserves"], "label": ["Sb reserves"], "year": [2025],
                        "value": [26000.0], "unit": ["t"], "note": [None], "publisher": ["USGS"],
                        "reliability": ["P"]})
    empty_history = pd.DataFrame(columns=["mineral", "stage", "product", "country", "iso3", "row_kind", "year",
                                          "value", "unit", "source"])
    pk = profile.pakistan("antimony", production=PRODUCTION, reserves=RESERVES, history=empty_history,
                          indicators=ind)
    prod, other = chapter.pakistan_tables(pk, "Antimony")
    assert prod.frame["Stage"].tolist() == ["mine production"] and prod.frame["USGS flag"].tolist() == ["–"]
    assert other.caption.startswith("Other figures on Pakistan and antimony")
    pk["indicators"] = ind.iloc[0:0]
    assert len(chapter.pakistan_tables(pk, "Antimony")) == 1
    assert profile.bullets(["a", "b"]) == "- a\n- b"
    assert chapter.notes_text(["c"], "Gold") == "Caveats from the data package that concern this mineral:\n\n- c"
    assert "no caveat specific to gold" in chapter.notes_text([], "Gold")


# charts


def _spec(chart):
    return chart.to_dict()


def test_producer_chart_highlights_china_and_states_its_share():
    from critmin.chapters import mineral_profile as profile_charts
    from critmin.render import charts

    p = profile.producers("antimony", 2023, "mine", production=PRODUCTION)
    spec = _spec(profile_charts.producers_chart(p, "Antimony", n=3))
    assert spec["title"]["text"] == "China: 40.0% of world antimony mine production, 2023"
    assert spec["title"]["subtitle"][0] == "Top 3 of 4 countries; China highlighted"
    rows = list(spec["datasets"].values())[0]
    assert [r["who"] for r in rows] == ["China", "Other countries", "Other countries"]
    assert spec["encoding"]["color"]["scale"]["range"] == [charts.CHINA, charts.PALETTE[1]]
    withheld = profile.producers("antimony", 2024, "mine", production=PRODUCTION)
    assert _spec(profile_charts.producers_chart(withheld, "Antimony"))["title"]["text"] == (
        "Russia leads antimony mine production in 2024 with 50.0%")


def test_share_over_time_chart_needs_two_years():
    from critmin.chapters import mineral_profile as profile_charts

    long = pd.DataFrame({"series": ["USGS, mine production", "BGS, Mine", "BGS, Mine"],
                         "year": [2021, 2020, 2021], "share": [0.5, 0.9, 0.8]})
    spec = _spec(profile_charts.share_over_time_chart(long, "Antimony", with_bgs=True))
    assert spec["title"]["text"] == "China's share of antimony output: 80.0% in 2021 (BGS, Mine)"
    assert "BGS, World Mineral Statistics" in " ".join(spec["title"]["subtitle"])
    usgs_only = _spec(profile_charts.share_over_time_chart(long, "Antimony", with_bgs=False))
    assert "BGS" not in " ".join(usgs_only["title"]["subtitle"][1:])
    assert profile_charts.share_over_time_chart(long.iloc[:1], "Antimony", with_bgs=False) is None
    assert profile_charts.share_over_time_chart(pd.DataFrame(), "Antimony", with_bgs=False) is None


def test_reserves_chart_pairs_reserves_with_production():
    from critmin.chapters import mineral_profile as profile_charts

    v = profile.reserves_vs_production("antimony", production=PRODUCTION, reserves=RESERVES)
    spec = _spec(profile_charts.reserves_chart(v, "Antimony"))
    assert spec["title"]["text"] == "China holds 60.0% of listed antimony reserves"
    measures = {r["measure"] for r in list(spec["datasets"].values())[0]}
    assert measures == {"Reserves, 2024", "Production, 2024"}
    group = profile.reserves_vs_production("platinum", production=PRODUCTION, reserves=RESERVES)
    assert profile_charts.reserves_chart(group, "Platinum") is None


def test_reliance_chart_draws_bounds_at_the_bound():
    from critmin.chapters import mineral_profile as profile_charts

    rel = pd.DataFrame({"year": [2022, 2023], "nir_pct": [50.0, 50.0], "flag": ["censored_gt"] * 2,
                        "edition": ["MCS2025"] * 2, "label": [">50.0%"] * 2})
    spec = _spec(profile_charts.reliance_chart(rel, "Germanium"))
    assert spec["title"]["text"] == "US net import reliance for germanium: >50.0% in 2023"
    assert spec["title"]["subtitle"][0] == "Values USGS gives as “>N” are drawn at N"
    assert [r["nir"] for r in list(spec["datasets"].values())[0]] == [0.5, 0.5]
    assert profile_charts.reliance_chart(rel.iloc[:1], "Germanium") is None


def test_revisions_between_editions_are_found_and_stated():
    rev = pd.DataFrame([
        dict(resource="production", mineral="antimony", series="mine", country="Russia", year=2024, edition=e,
             value=v, qualifier=None, unit="t", flag="estimated", used=u)
        for e, v, u in [("MCS2025", 13000.0, False), ("MCS2026", 40000.0, True)]
    ] + [
        dict(resource="production", mineral="antimony", series="mine", country="China", year=2024, edition=e,
             value=v, qualifier=None, unit="t", flag="estimated", used=u)
        for e, v, u in [("MCS2025", 60000.0, False), ("MCS2026", 62000.0, True)]  # a 3% change: not listed
    ])
    r = profile.revisions("antimony", revisions=rev)
    assert r["country"].tolist() == ["Russia"]
    assert r.loc[0, "first_value"] == 13000.0 and r.loc[0, "value"] == 40000.0 and r.loc[0, "edition"] == "MCS2026"
    text = chapter.revisions_sentence(r, "Antimony")
    assert "**1** figure of antimony production" in text and "13,000 t in MCS2025 against 40,000 t in MCS2026" in text
    assert chapter.revisions_table(r, "Antimony").frame["Change"].tolist()[0] > 2
    assert "No USGS country figure" in chapter.revisions_sentence(profile.revisions("gold", revisions=rev), "Gold")


def test_stage_rows_list_every_stage_and_never_read_a_missing_share_as_zero():
    vocab = pd.DataFrame({"mineral": ["antimony"] * 2, "stage": ["mine", "refining"], "stage_order": [1, 2],
                          "label": ["antimony in concentrate", "antimony trioxide and metal"]})
    shares = pd.DataFrame({"mineral": ["antimony"], "stage": ["mine"], "stage_order": [1],
                           "product": ["antimony, mine production"], "year": [2025], "share_pct": [36.0],
                           "publisher": ["USGS"], "edition": ["MCS 2026"]})
    rows = chapter.stage_rows(shares, vocab, "antimony")
    assert rows["stage"].tolist() == ["mine", "refining"]
    assert rows["share"].tolist()[0] == 0.36 and pd.isna(rows["share"].tolist()[1])
    text = chapter.stages_sentence(rows, "Antimony")
    assert "**36.0%** in 2025 (USGS, MCS 2026)" in text and "No primary figure is published for: antimony trioxide" in text
    assert "no chain for gold" in chapter.stages_sentence(chapter.stage_rows(shares, vocab, "gold"), "Gold")
