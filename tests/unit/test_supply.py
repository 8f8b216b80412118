"""Chapter-level supply tables, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin import params, supply

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
