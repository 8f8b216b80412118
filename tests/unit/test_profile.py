"""The per-mineral assembly behind the mineral profile pages, on small hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from critmin import profile
from critmin.params import ParameterError

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
    assert profile.check_parameters("Antimony", 2023, minerals=MINERALS, production=PRODUCTION,
                                    reserves=RESERVES) == ("antimony", 2023)


def test_unknown_mineral_lists_the_registry_ids():
    with pytest.raises(ParameterError) as e:
        profile.check_parameters("unobtainium", 2024, minerals=MINERALS, production=PRODUCTION, reserves=RESERVES)
    assert "antimony, gallium, platinum, platinum_group_metals" in str(e.value)


def test_unknown_year_lists_the_minerals_years():
    with pytest.raises(ParameterError) as e:
        profile.check_parameters("antimony", 1999, minerals=MINERALS, production=PRODUCTION, reserves=RESERVES)
    assert "for antimony" in str(e.value) and "2023, 2024" in str(e.value)


def test_reserves_only_mineral_takes_its_years_from_reserves():
    assert profile.available_years("platinum_group_metals", PRODUCTION, RESERVES) == [2024]


def test_producers_shares_are_of_country_rows_and_keep_odd_labels_in_one_table():
    p = profile.producers("antimony", 2023, "mine", PRODUCTION)
    assert p.status == "ok"
    assert p.sum_of_countries == 100.0
    assert math.isclose(p.china_share, 0.6)
    assert math.isclose(p.china_share_of_world_total, 60 / 150)
    assert p.other == 50.0 and p.world_total == 150.0
    assert p.top3 == ["China", "Russia", "Pakistan"]  # ties broken by name
    # HHI of 60/20/10/10 = 3600 + 400 + 100 + 100
    assert math.isclose(p.hhi, 4200.0)
    assert "United States" in p.table["country"].tolist()
    text = profile.producers_sentence(p, "Antimony")
    assert "**60%**" in text and "150 t" in text and "50 t is under “Other countries”" in text
    assert "40%" in text  # the world-total share, stated because it differs


def test_producers_with_china_withheld_and_missing_year():
    p = profile.producers("antimony", 2024, "mine", PRODUCTION)
    assert p.china_status == "withheld" and p.withheld == ["China"]
    assert "withholds China's" in profile.producers_sentence(p, "Antimony")
    ties = profile.producers_sentence(p, "Antimony")
    assert "Russia and Tajikistan" in ties
    missing = profile.producers("antimony", 2020, "mine", PRODUCTION)
    assert missing.status == "no_year"
    assert "no mine production table" in profile.producers_sentence(missing, "Antimony")
    assert "2023, 2024" in profile.producers_sentence(missing, "Antimony")


def test_all_withheld_table_says_so_instead_of_failing():
    p = profile.producers("gallium", 2024, "processing", PRODUCTION)
    assert p.status == "no_values"
    assert "withholds every country figure" in profile.producers_sentence(p, "Gallium")


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
    text = profile.reserves_sentence(v, "Antimony")
    assert "more than 2,000 t" in text and "**60%**" in text


def test_reserves_group_only_and_none():
    v = profile.reserves_vs_production("platinum", production=PRODUCTION, reserves=RESERVES)
    assert v.status == "group_only" and v.unit == "kg"
    assert "platinum-group metals together" in profile.reserves_sentence(v, "Platinum")
    none = profile.reserves_vs_production("gallium", production=PRODUCTION, reserves=RESERVES)
    assert none.status == "none"
    assert "no reserves" in profile.reserves_sentence(none, "Gallium")


def test_reliance_labels_and_sentence():
    r = pd.DataFrame({
        "mineral": ["gold", "gold", "germanium", "germanium"], "year": [2022, 2023, 2022, 2023],
        "nir_pct": [None, None, 50.0, 50.0], "flag": ["net_exporter", "net_exporter", "censored_gt", "censored_gt"],
        "raw": ["E", "E", ">50", ">50"], "basis": ["x"] * 4, "edition": ["MCS2025"] * 4,
    }).astype({"nir_pct": "Float64", "flag": "string", "year": "Int64"})
    g = profile.reliance("gold", r)
    assert g["label"].tolist() == ["net exporter", "net exporter"]
    assert "net exporter of gold in 2023" in profile.reliance_sentence(g, "Gold")
    ge = profile.reliance("germanium", r)
    assert ge["label"].tolist() == [">50%", ">50%"]
    assert "lower bounds" in profile.reliance_sentence(ge, "Germanium")
    assert "no US net import reliance" in profile.reliance_sentence(profile.reliance("tin", r), "Tin")


def test_import_sources_newest_edition_and_china_rank():
    s = pd.DataFrame({
        "mineral": ["gallium"] * 5, "edition": ["MCS2025", "MCS2025", "MCS2026", "MCS2026", "MCS2026"],
        "period": ["2020-2023"] * 2 + ["2021-2024"] * 3, "category": ["GALLIUM"] * 2 + ["Metal"] * 3,
        "rank": [1, 2, 1, 2, 3], "country": ["China", "Japan", "Canada", "China", "Other"],
        "iso3": ["CHN", "JPN", "CAN", "CHN", None], "share_pct": [None, None, 60.0, 30.0, 10.0],
    }).astype({"iso3": "string", "share_pct": "Float64"})
    newest, china = profile.import_sources("gallium", s)
    assert newest["edition"].unique().tolist() == ["MCS2026"]
    assert china.set_index("edition")["rank"].to_dict() == {"MCS2025": 1, "MCS2026": 2}
    text = profile.import_sources_sentence(newest, china, "Gallium")
    assert "ranks **2** of 2" in text and "30% of imports" in text and "MCS2025: rank 1" in text


def test_export_controls_match_whole_mineral_ids_only():
    e = pd.DataFrame({
        "kind": ["china_export_control", "china_export_control", "pakistan_us_deal"],
        "minerals": ["gallium;germanium", "rare_earths", "gallium"],
        "date": pd.to_datetime(["2023-07-03", "2025-04-04", "2025-09-08"]),
        "date_precision": ["day", "month", "day"], "title": ["a", "b", "c"], "summary": ["x"] * 3,
        "source_outlet": ["o"] * 3, "source_url": ["https://x"] * 3, "reliability": ["N"] * 3,
    })
    assert profile.export_controls("gallium", e)["title"].tolist() == ["a"]
    assert profile.export_controls("rare_earths", e)["date"].tolist() == ["2025-04"]
    assert profile.export_controls("earths", e).empty


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
    said = " ".join(profile.pakistan_sentences(pk, "Antimony", [2023, 2024]))
    assert "**10 t** in 2023" in said and "**100 t**" in said
    gallium = profile.pakistan("gallium", production=PRODUCTION, reserves=RESERVES, history=empty_history,
                               indicators=ind)
    said = " ".join(profile.pakistan_sentences(gallium, "Gallium", [2024]))
    assert "Pakistan is not among the countries USGS lists" in said
    assert "nothing specific to gallium" in said


def test_formatting_helpers():
    assert profile.share_text(0.6923) == "69%"
    assert profile.share_text(0.045) == "4.5%"
    assert profile.share_text(0.0001) == "<0.1%"
    assert profile.quantity(12345.0, "kt") == "12,345 thousand t"
    assert profile.quantity(2.5, "t") == "2.5 t"
    assert profile.to_unit(2.0, "Mt", "kt") == 2000.0
    shown = profile.plain(pd.DataFrame({"rank": pd.array([1, None], dtype="Int64")}))
    assert shown["rank"].tolist() == [1, None]


def test_data_notes_pick_caveats_naming_the_mineral():
    notes = profile.data_notes("gallium", "Gallium", resources=("production",))
    assert notes and all("allium" in n for n in notes)
    assert profile.data_notes("zirconium", "Zirconium", resources=("events",)) == []
