"""Concentration and exposure measures, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.analysis import metrics

NA = np.nan


def table(rows, mineral="antimony", stage="mining", year=2024, unit="t", product=None):
    """Production rows from (country, iso3, row_kind, value) tuples."""
    return pd.DataFrame(
        [
            dict(mineral=mineral, stage=stage, product=product, country=c, iso3=i, row_kind=k, year=year, value=v, unit=unit)
            for c, i, k, v in rows
        ]
    )


BASE = [
    ("China", "CHN", "country", 60),
    ("Australia", "AUS", "country", 30),
    ("Russia", "RUS", "country", 10),
    ("Other countries", None, "other", 20),
    ("World total (rounded)", None, "world_total", 130),
]


def by_iso(df):
    return df.set_index("iso3")


# ----- shares -------------------------------------------------------------------------------------------


def test_shares_default_is_sum_of_countries():
    s = by_iso(metrics.shares(table(BASE)))
    # 60 / (60 + 30 + 10) = 0.6; "other" and the world total are not in the denominator
    assert s.loc["CHN", "share"] == pytest.approx(0.6)
    assert s.loc["RUS", "share"] == pytest.approx(0.1)
    assert set(s["denominator"]) == {"sum_of_countries"}
    assert len(s) == 3  # only country rows come back
    # residual = reported world total - sum of countries = 130 - 100
    assert s.loc["CHN", "residual"] == pytest.approx(30)
    assert s["share"].sum() == pytest.approx(1.0)


def test_shares_world_total_denominator():
    s = by_iso(metrics.shares(table(BASE), denominator="world_total"))
    assert s.loc["CHN", "share"] == pytest.approx(60 / 130)  # 0.461538...
    assert set(s["denominator"]) == {"world_total"}


def test_shares_include_other():
    s = metrics.shares(table(BASE), include_other=True).set_index("country")
    # denominator 60 + 30 + 10 + 20 = 120
    assert s.loc["China", "share"] == pytest.approx(0.5)
    assert s.loc["Other countries", "share"] == pytest.approx(20 / 120)
    assert set(s["denominator"]) == {"sum_of_countries_and_other"}


def test_world_total_requested_but_absent_falls_back_and_says_so():
    rows = [r for r in BASE if r[2] != "world_total"]
    s = by_iso(metrics.shares(table(rows), denominator="world_total"))
    assert s.loc["CHN", "share"] == pytest.approx(0.6)
    assert set(s["denominator"]) == {"sum_of_countries"}
    assert s["residual"].isna().all()
    assert s["world_total"].isna().all()


def test_withheld_value_is_counted_but_not_summed():
    rows = BASE + [("United States", "USA", "country", NA)]
    s = by_iso(metrics.shares(table(rows)))
    assert np.isnan(s.loc["USA", "share"])
    assert s.loc["CHN", "share"] == pytest.approx(0.6)
    assert (s["n_withheld"] == 1).all()


def test_groups_are_kept_apart():
    a = table(BASE, year=2023)
    b = table([("China", "CHN", "country", 50), ("Australia", "AUS", "country", 50)], year=2024)
    c = table([("China", "CHN", "country", 1)], year=2024, product="oxide")
    s = metrics.shares(pd.concat([a, b, c]))
    got = s[s["iso3"] == "CHN"].sort_values(["year", "product"], na_position="first")["share"].tolist()
    assert got == pytest.approx([0.6, 0.5, 1.0])


def test_units_are_never_mixed():
    a = table([("China", "CHN", "country", 10)], unit="t")
    b = table([("Peru", "PER", "country", 10)], unit="kg")
    s = metrics.shares(pd.concat([a, b]))
    assert s["share"].tolist() == pytest.approx([1.0, 1.0])


def test_duplicate_rows_are_rejected():
    df = pd.concat([table(BASE).assign(edition="MCS2024"), table(BASE).assign(edition="MCS2025")])
    with pytest.raises(ValueError, match="several rows for the same country"):
        metrics.shares(df)
    # naming the distinguishing column resolves it
    assert len(metrics.shares(df, by=["mineral", "stage", "year", "edition"])) == 6


def test_zero_production_gives_missing_shares():
    rows = [("China", "CHN", "country", 0), ("Peru", "PER", "country", 0)]
    s = metrics.shares(table(rows))
    assert s["share"].isna().all()
    assert metrics.hhi(table(rows))["hhi"].isna().all()


def test_nullable_dtypes_as_loaded_from_the_data_package():
    df = table(BASE + [("United States", "USA", "country", NA)])
    df = df.astype({"mineral": "string", "stage": "string", "product": "string", "country": "string",
                    "iso3": "string", "row_kind": "string", "unit": "string", "year": "Int64", "value": "Float64"})
    s = by_iso(metrics.shares(df))
    assert s.loc["CHN", "share"] == pytest.approx(0.6)
    assert metrics.hhi(df)["hhi"].iloc[0] == pytest.approx(4600)
    ct = metrics.concentration_table(df)
    assert ct["country_share"].iloc[0] == pytest.approx(0.6)


# ----- HHI ----------------------------------------------------------------------------------------------


def test_hhi_by_hand():
    # shares 60 %, 30 %, 10 %: 60² + 30² + 10² = 3600 + 900 + 100 = 4600
    h = metrics.hhi(table(BASE))
    assert h["hhi"].iloc[0] == pytest.approx(4600)
    assert h["n_countries"].iloc[0] == 3
    # against the world total 130: (60² + 30² + 10²) / 1.3² = 4600 / 1.69 = 2721.893...
    hw = metrics.hhi(table(BASE), denominator="world_total")
    assert hw["hhi"].iloc[0] == pytest.approx(4600 / 1.69)


def test_single_producer_hhi_is_10000():
    assert metrics.hhi(table([("China", "CHN", "country", 5)]))["hhi"].iloc[0] == pytest.approx(10_000)


def test_equal_producers():
    rows = [(c, c, "country", 7) for c in ("AAA", "BBB", "CCC", "DDD")]
    assert metrics.hhi(table(rows))["hhi"].iloc[0] == pytest.approx(2500)


def test_hhi_bounds_by_hand():
    rows = [("China", "CHN", "country", 50), ("Chile", "CHL", "country", 30), ("World", None, "world_total", 100)]
    b = metrics.hhi_bounds(table(rows)).iloc[0]
    # R = 100 - 80 = 20, T = 100: lower = 50² + 30² = 3400, upper = 3400 + 20² = 3800
    assert b["unattributed"] == pytest.approx(20)
    assert b["hhi_lower"] == pytest.approx(3400)
    assert b["hhi_upper"] == pytest.approx(3800)


def test_hhi_bounds_use_other_rows_without_world_total():
    rows = [("China", "CHN", "country", 50), ("Chile", "CHL", "country", 30), ("Other countries", None, "other", 20)]
    b = metrics.hhi_bounds(table(rows)).iloc[0]
    assert (b["hhi_lower"], b["hhi_upper"]) == pytest.approx((3400, 3800))


def test_hhi_bounds_negative_residual_is_rounding():
    rows = [("China", "CHN", "country", 60), ("Chile", "CHL", "country", 40), ("World", None, "world_total", 95)]
    b = metrics.hhi_bounds(table(rows)).iloc[0]
    # sum of countries (100) exceeds the rounded total (95): R = 0, both bounds = 3600 + 1600
    assert (b["hhi_lower"], b["hhi_upper"]) == pytest.approx((5200, 5200))


# ----- top-n, one country, summary table ----------------------------------------------------------------


def test_country_share_statuses():
    rows = BASE + [("United States", "USA", "country", NA)]
    assert metrics.country_share(table(rows), "AUS").iloc[0][["share", "rank", "status"]].tolist() == [
        pytest.approx(0.3), 2, "reported"]
    usa = metrics.country_share(table(rows), "USA").iloc[0]
    assert usa["status"] == "withheld" and pd.isna(usa["share"])
    pak = metrics.country_share(table(rows), "PAK").iloc[0]
    assert pak["status"] == "not_listed" and pd.isna(pak["share"]) and pd.isna(pak["rank"])


def test_concentration_table_latest_year_and_columns():
    old = table(BASE, year=2023)
    # 2024: the table exists but every country value is withheld, so 2023 is the newest usable year
    new = table([("China", "CHN", "country", NA), ("World", None, "world_total", 99)], year=2024)
    other = table([("Chile", "CHL", "country", 3), ("China", "CHN", "country", 1)], mineral="copper", year=2024)
    ct = metrics.concentration_table(pd.concat([old, new, other])).set_index("mineral")
    assert ct.loc["antimony", "year"] == 2023
    assert ct.loc["antimony", "country_share"] == pytest.approx(0.6)
    assert ct.loc["antimony", "hhi"] == pytest.approx(4600)
    assert ct.loc["antimony", "top3_share"] == pytest.approx(1.0)
    assert ct.loc["antimony", "residual"] == pytest.approx(30)
    assert ct.loc["antimony", "hhi_upper"] == pytest.approx((60**2 + 30**2 + 10**2 + 30**2) / 1.3**2)
    assert ct.loc["copper", "country_share"] == pytest.approx(0.25)
    assert ct.loc["copper", "country_rank"] == 2
    assert ct.loc["copper", "top_producer"] == "CHL"
    assert pd.isna(ct.loc["copper", "world_total"])
    assert ct.loc["copper", "denominator"] == "sum_of_countries"
    fixed = metrics.concentration_table(pd.concat([old, new]), year=2024).iloc[0]
    assert fixed["country_status"] == "withheld" and fixed["n_withheld"] == 1 and pd.isna(fixed["hhi"])


def test_concentration_table_no_world_total_mineral():
    ct = metrics.concentration_table(table([("China", "CHN", "country", 9), ("Peru", "PER", "country", 1)]))
    row = ct.iloc[0]
    assert row["country_share"] == pytest.approx(0.9)
    assert row["hhi"] == pytest.approx(8200)  # 90² + 10²
    assert row["hhi_lower"] == row["hhi_upper"] == pytest.approx(8200)


# ----- long series --------------------------------------------------------------------------------------


def hist(year, rows, mineral="tungsten"):
    return pd.DataFrame(
        [dict(mineral=mineral, stage="mining", product=None, country=c, iso3=i, row_kind=k, year=year, value=v,
              unit="t", source="BGS") for c, i, k, v in rows]
    )


def test_share_over_time_counts_historic_groups():
    h = pd.concat([
        # 1980: USSR is a group, counted: 10 / (10 + 40 + 50) = 0.1; "other" is not counted
        hist(1980, [("China", "CHN", "country", 10), ("USSR", None, "group", 40), ("USA", "USA", "country", 50),
                    ("Other", None, "other", 99)]),
        hist(1995, [("China", "CHN", "country", 30), ("Russia", "RUS", "country", 20), ("USA", "USA", "country", 50)]),
        hist(2000, [("Russia", "RUS", "country", 5)]),
        hist(1995, [("China", "CHN", "country", 1)], mineral="gold"),
    ])
    s = metrics.share_over_time(h, "CHN", minerals=["tungsten"])
    assert s["year"].tolist() == [1980, 1995, 2000]
    assert s["share"].tolist() == pytest.approx([0.1, 0.3, 0.0])
    assert s["status"].tolist() == ["reported", "reported", "not_listed"]
    later = metrics.share_over_time(h, "CHN", "tungsten", start_year=1990, absent_as_zero=False)
    assert later["year"].tolist() == [1995, 2000]
    assert np.isnan(later["share"].iloc[1])


# ----- exposure ----------------------------------------------------------------------------------------


def test_exposure_formula():
    # 85 % net import reliance, 62 % of imports from China: 0.85 × 0.62 = 0.527
    assert metrics.exposure(85, 0.62) == pytest.approx(0.527)
    assert np.isnan(metrics.exposure(NA, 0.5))
    s = metrics.exposure(pd.Series([100, 50]), pd.Series([0.5, NA]))
    assert s.iloc[0] == pytest.approx(0.5) and np.isnan(s.iloc[1])


def test_exposure_table():
    rel = pd.DataFrame(
        [
            dict(mineral="antimony", year=2023, nir_pct=80, flag=None, raw="80", basis="metal", edition="MCS2024"),
            dict(mineral="antimony", year=2024, nir_pct=82, flag="estimated", raw="82", basis="metal", edition="MCS2025"),
            dict(mineral="antimony", year=2024, nir_pct=85, flag=None, raw="85", basis="metal", edition="MCS2026"),
            dict(mineral="antimony", year=2025, nir_pct=NA, flag="not_available", raw="NA", basis="metal", edition="MCS2026"),
            dict(mineral="gallium", year=2024, nir_pct=95, flag="censored_gt", raw=">95", basis="metal", edition="MCS2025"),
            dict(mineral="gold", year=2024, nir_pct=NA, flag="net_exporter", raw="E", basis="", edition="MCS2025"),
        ]
    )
    src = pd.DataFrame(
        [
            dict(mineral="antimony", edition="MCS2025", period="2019-22", category=None, rank=2, country="China", iso3="CHN", share_pct=NA),
            dict(mineral="antimony", edition="MCS2026", period="2021-24", category="Oxide",
                 rank=1, country="China", iso3="CHN", share_pct=66),
            dict(mineral="antimony", edition="MCS2026", period="2021-24", category="Total metal and oxide",
                 rank=1, country="China", iso3="CHN", share_pct=55),
            dict(mineral="antimony", edition="MCS2026", period="2021-24", category="Total metal and oxide",
                 rank=2, country="Belgium", iso3="BEL", share_pct=12),
            dict(mineral="antimony", edition="MCS2026", period="2021-24", category="Total metal and oxide",
                 rank=3, country="other", iso3=None, share_pct=33),
            dict(mineral="gallium", edition="MCS2025", period="2020-23", category=None, rank=1, country="Japan", iso3="JPN", share_pct=NA),
            dict(mineral="gallium", edition="MCS2025", period="2020-23", category=None, rank=2, country="China", iso3="CHN", share_pct=NA),
            dict(mineral="gold", edition="MCS2025", period="2020-23", category=None, rank=1, country="Canada", iso3="CAN", share_pct=NA),
        ]
    )
    sup = pd.DataFrame(
        [
            dict(mineral="antimony", stage="mining", year=2024, country_share=0.6),
            dict(mineral="antimony", stage="refining", year=2024, country_share=0.7),
            dict(mineral="gallium", stage="refining", year=2024, country_share=0.98),
            dict(mineral="gold", stage="mining", year=2024, country_share=0.1),
        ]
    )
    t = metrics.exposure_table(rel, src, sup).set_index("mineral")
    a = t.loc["antimony"]
    # newest year with a value is 2024; of the two editions reporting it, the newer (85) wins
    assert a["nir_pct"] == pytest.approx(85) and a["nir_year"] == 2024 and a["nir_edition"] == "MCS2026"
    assert a["import_category"] == "Total metal and oxide"
    assert a["china_import_rank"] == 1 and a["n_import_sources_listed"] == 2
    assert a["china_import_share"] == pytest.approx(0.55)
    assert a["supply_stage"] == "refining" and a["china_supply_share"] == pytest.approx(0.7)
    assert a["exposure_import"] == pytest.approx(0.85 * 0.55)  # 0.4675
    assert a["exposure_supply"] == pytest.approx(0.85 * 0.7)  # 0.595
    g = t.loc["gallium"]
    assert g["nir_flag"] == "censored_gt" and g["china_import_rank"] == 2
    assert pd.isna(g["china_import_share"]) and pd.isna(g["exposure_import"])
    assert g["exposure_supply"] == pytest.approx(0.95 * 0.98)
    gold = t.loc["gold"]
    assert gold["nir_pct"] == 0 and gold["exposure_supply"] == 0
    assert gold["china_import_status"] == "not_listed" and pd.isna(gold["china_import_rank"])
    # an explicit category choice overrides the total
    t2 = metrics.exposure_table(rel, src, sup, category={"antimony": "Oxide"}).set_index("mineral")
    assert t2.loc["antimony", "china_import_share"] == pytest.approx(0.66)


def test_concentration_table_uses_the_newest_edition():
    old = table(BASE, year=2023).assign(edition="MCS2024", product="Mine production")
    new = table([("China", "CHN", "country", 5), ("Peru", "PER", "country", 5)], year=2023).assign(
        edition="MCS2025", product="Mine production, contained")
    both = pd.concat([old, new])
    ct = metrics.concentration_table(both)
    assert len(ct) == 1 and ct["country_share"].iloc[0] == pytest.approx(0.5)
    assert metrics.concentration_table(both, edition="MCS2024")["country_share"].iloc[0] == pytest.approx(0.6)
    assert len(metrics.concentration_table(both, edition=None)) == 2


@pytest.mark.parametrize("denominator", ["sum_of_countries", "world_total", "book"])
def test_country_shares_and_hhi_in_one_pass_equal_the_separate_measures(denominator):
    two_years = pd.concat([table(BASE), table(BASE[:2] + [("World total (rounded)", None, "world_total", 80)], year=2023)])
    countries, h = metrics.country_shares_and_hhi(two_years, ["CHN", "AUS", "PAK", "CHN"], denominator=denominator)
    assert list(countries) == ["CHN", "AUS", "PAK"]
    for iso3, frame in countries.items():
        pd.testing.assert_frame_equal(frame, metrics.country_share(two_years, iso3, denominator=denominator))
    pd.testing.assert_frame_equal(h, metrics.hhi(two_years, denominator=denominator))
    assert countries["PAK"]["status"].tolist() == ["not_listed", "not_listed"]


def test_measures_read_from_one_pass_do_not_change_each_other():
    """The group keys and producers' ranks are worked out once per pass and shared by the measures read from
    it; the frame each measure returns is its own, so adding a column to one leaves the next untouched."""
    frame = metrics._share_frame(table(BASE), metrics.DEFAULT_BY, "sum_of_countries", metrics._kinds(False))
    first = metrics._country_frame(frame, "CHN")
    first["extra"] = 1
    first.loc[:, "share"] = -1.0
    again = metrics._country_frame(frame, "CHN")
    assert "extra" not in again.columns and (again["share"] > 0).all()
    pd.testing.assert_frame_equal(again.reset_index(drop=True), metrics.country_share(table(BASE), "CHN"))
    assert list(frame.group_keys().columns) == frame.keys
