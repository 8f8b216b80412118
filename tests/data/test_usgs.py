"""USGS Mineral Commodity Summaries tables: schema, internal consistency, hand-checked values, reproducible curation."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from critmin import paths
from critmin.data import read_resource

RESOURCES = ["production", "reserves", "import_reliance", "import_sources", "us_salient", "prices", "revisions",
             "corrections"]
DEAL = ["antimony", "copper", "gold", "tungsten", "rare_earths"]


@pytest.fixture(scope="module")
def prod() -> pd.DataFrame:
    return read_resource("production")


@pytest.fixture(scope="module")
def res() -> pd.DataFrame:
    return read_resource("reserves")


@pytest.fixture(scope="module")
def nir() -> pd.DataFrame:
    return read_resource("import_reliance")


@pytest.fixture(scope="module")
def sources() -> pd.DataFrame:
    return read_resource("import_sources")


@pytest.fixture(scope="module")
def us() -> pd.DataFrame:
    return read_resource("us_salient")


# ---------------------------------------------------------------------------------------------------------------
# (1) every resource validates against its schema
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_validates(name):
    df = read_resource(name)
    assert len(df) > 0


def test_registry_covers_every_mineral(prod, res, nir, sources, us):
    minerals = read_resource("minerals")
    ids = set(minerals["mineral"])
    assert len(ids) >= 30
    assert set(DEAL) <= ids
    assert set(minerals.loc[minerals["deal_mineral"], "mineral"]) == set(DEAL)
    for df in (prod, res, nir, sources, us):
        assert set(df["mineral"]) <= ids


def test_corrections_record_known_fixes():
    corr = read_resource("corrections")
    assert ((corr["original"] == "Gemanium") & (corr["corrected"] == "Germanium")).any()
    assert (corr["source"].str.startswith("USGS Mineral Commodity Summaries")).sum() >= 5


# ---------------------------------------------------------------------------------------------------------------
# (2) cross-checks
# ---------------------------------------------------------------------------------------------------------------

# NOTE: tolerance for "country rows add up to the world total": USGS rounds world totals to two or three
# significant figures and rounds the estimated country figures too, so the sum may differ from the total by up
# to one unit of the total's second significant figure (e.g. ±100 kt on 1,000 kt) or 3%, whichever is larger.
# Where USGS withholds the US figure, the total excludes it too, so the rule still holds (lithium, barite, bauxite).
SUM_CHECK = DEAL + ["cobalt", "lithium", "nickel", "graphite", "gallium", "manganese", "platinum", "palladium",
                    "tin", "zinc", "bauxite", "titanium", "titanium_rutile", "chromium", "silver", "molybdenum"]
# Minerals where the check cannot be made, and why.
SUM_CHECK_EXEMPT = {
    # All germanium country figures and the world total are withheld.
    "germanium": "withheld",
}


def _tolerance(world: float) -> float:
    return max(0.03 * world, 10 ** (math.floor(math.log10(world)) - 1))


@pytest.mark.parametrize("mineral", SUM_CHECK)
def test_country_rows_add_up_to_world_total(prod, mineral):
    sub = prod[prod["mineral"] == mineral]
    assert mineral not in SUM_CHECK_EXEMPT
    for stage, g in sub.groupby("stage"):
        year = g["year"].max()
        g = g[g["year"] == year]
        world = g.loc[g["row_kind"] == "world_total", "value"]
        assert len(world) == 1, (mineral, stage, year)
        world = float(world.iloc[0])
        parts = float(g.loc[g["row_kind"] != "world_total", "value"].fillna(0).sum())
        assert abs(parts - world) <= _tolerance(world), (mineral, stage, year, parts, world)


def test_germanium_blanks_are_not_available(prod):
    # MCS2025 leaves germanium's country cells blank (not W): kept as not available, none dropped.
    ge = prod[(prod["mineral"] == "germanium") & (prod["year"] == 2024)]
    assert len(ge) == 8 and (ge["flag"] == "not_available").all() and ge["value"].isna().all()
    # MCS2023-24 mark only the US as withheld (W); the other countries are NA.
    ge22 = prod[(prod["mineral"] == "germanium") & (prod["year"] == 2022)]
    assert set(ge22.loc[ge22["flag"] == "withheld", "country"]) == {"United States"}
    assert (ge22.loc[ge22["country"] != "United States", "flag"] == "not_available").all()


def test_one_unit_per_mineral_and_stage(prod):
    units = prod.groupby(["mineral", "stage"])["unit"].nunique()
    assert (units == 1).all(), units[units > 1]


def test_one_unit_per_mineral_in_reserves(res):
    units = res.groupby("mineral")["unit"].nunique()
    assert (units == 1).all(), units[units > 1]


def test_one_edition_per_table_year(prod):
    # Each year of a (mineral, stage) table comes whole from one edition, so countries are not double counted.
    eds = prod.groupby(["mineral", "stage", "year"])["edition"].nunique()
    assert (eds == 1).all(), eds[eds > 1]


def test_row_kinds_and_iso(prod, res):
    for df in (prod, res):
        countries = df[df["row_kind"] == "country"]
        assert countries["iso3"].notna().all()
        assert df.loc[df["row_kind"] != "country", "iso3"].isna().all()
        assert set(df.loc[df["row_kind"] == "world_total", "country"]) == {"World total (rounded)"}
        assert set(df.loc[df["row_kind"] == "other", "country"]) <= {"Other countries"}
    # one spelling per country
    names = prod[prod["row_kind"] == "country"].groupby("iso3")["country"].nunique()
    assert (names == 1).all(), names[names > 1]


def test_flags_and_values_agree(prod, nir):
    assert prod.loc[prod["flag"].isin(["withheld", "not_available"]), "value"].isna().all()
    assert (prod.loc[prod["flag"] == "zero", "value"] == 0).all()
    assert prod.loc[prod["flag"].isna() | (prod["flag"] == "estimated"), "value"].notna().all()
    assert nir.loc[nir["flag"] == "net_exporter", "nir_pct"].isna().all()
    assert nir.loc[nir["flag"] == "net_exporter", "raw"].eq("E").all()


def test_nir_within_bounds(nir):
    vals = nir["nir_pct"].dropna()
    assert ((vals >= 0) & (vals <= 100)).all()


def test_no_row_is_transcribed(prod):
    # The official MCS2026 data release replaced the hand transcription everywhere.
    assert (prod["origin"] == "data_release").all()
    # every mineral with an MCS2026 world table has its 2025 rows from MCS2026
    assert set(prod.loc[prod["edition"] == "MCS2026", "mineral"]) == set(prod["mineral"]) - {"germanium"}


def test_shares_sum_to_100(sources):
    shared = sources.dropna(subset=["share_pct"])
    totals = shared.groupby(["mineral", "edition", "category"])["share_pct"].sum()
    assert ((totals - 100).abs() <= 1).all(), totals


# ---------------------------------------------------------------------------------------------------------------
# (3) values checked by hand against the publisher's tables
# ---------------------------------------------------------------------------------------------------------------

# (mineral, stage, country, year, value, unit, edition)
PRODUCTION_CHECKS = [
    # MCS2026 rare earths table; same figure in MCS2025 world data
    ("rare_earths", "mine", "China", 2024, 270000, "t", "MCS2026"),
    # MCS2026 revision (MCS2025 had 13,000)
    ("rare_earths", "mine", "Australia", 2024, 29000, "t", "MCS2026"),
    # MCS2026 rare earths, United States 2024
    ("rare_earths", "mine", "United States", 2024, 45500, "t", "MCS2026"),
    # MCS2026 rare earths, world total 2025e
    ("rare_earths", "mine", "World total (rounded)", 2025, 390000, "t", "MCS2026"),
    # MCS2026 antimony revision (MCS2025 had 60,000)
    ("antimony", "mine", "China", 2024, 40000, "t", "MCS2026"),
    # MCS2026 antimony, Pakistan 2024
    ("antimony", "mine", "Pakistan", 2024, 260, "t", "MCS2026"),
    # MCS2026 tungsten, China 2025e
    ("tungsten", "mine", "China", 2025, 67000, "t", "MCS2026"),
    # MCS2026 natural graphite, China 2025e
    ("graphite", "mine", "China", 2025, 1400000, "t", "MCS2026"),
    # MCS2026 gallium low-purity production, China 2024
    ("gallium", "processing", "China", 2024, 839000, "kg", "MCS2026"),
    # MCS2025 world data, gallium primary production, China 2023
    ("gallium", "processing", "China", 2023, 621000, "kg", "MCS2025"),
    # MCS2025 world data, copper mine (recoverable Cu), Chile 2024e
    ("copper", "mine", "Chile", 2024, 5510, "kt", "MCS2026"),
    # MCS2025 world data, refined copper, China 2023
    ("copper", "refinery", "China", 2023, 12000, "kt", "MCS2025"),
    # MCS2025 world data, copper mine, Congo (Kinshasa) 2023
    ("copper", "mine", "Congo (Kinshasa)", 2023, 2930, "kt", "MCS2025"),
    # MCS2025 world data, gold mine, China 2024e
    ("gold", "mine", "China", 2024, 377, "t", "MCS2026"),
    # MCS2026 data release, cobalt mine production, Congo (Kinshasa) 2024 (MCS2025 had 220,000e)
    ("cobalt", "mine", "Congo (Kinshasa)", 2024, 226000, "t", "MCS2026"),
    # MCS2022 world file, cobalt mine, Congo (Kinshasa) 2020
    ("cobalt", "mine", "Congo (Kinshasa)", 2020, 98000, "t", "MCS2022"),
    # MCS2026 data release, lithium mine production, Australia 2024
    ("lithium", "mine", "Australia", 2024, 82700, "t", "MCS2026"),
    # MCS2026 data release, nickel mine production, Indonesia 2024
    ("nickel", "mine", "Indonesia", 2024, 2310000, "t", "MCS2026"),
    # MCS2026 data release, chromite, South Africa 2024
    ("chromium", "mine", "South Africa", 2024, 22900, "kt", "MCS2026"),
    # MCS2023 chromium file, Finland 2021 (thousand tons per the file's notes; column says t)
    ("chromium", "mine", "Finland", 2021, 2270, "kt", "MCS2023"),
    # MCS2026 data release, ilmenite, China 2024
    ("titanium", "mine", "China", 2024, 3040, "kt", "MCS2026"),
    # MCS2025 world data, ilmenite TiO2 content, China 2023 (UNIT_MEAS says metric tons; values are kt)
    ("titanium", "mine", "China", 2023, 3250, "kt", "MCS2025"),
    # MCS2026 data release, titanium sponge, China 2024
    ("titanium", "processing", "China", 2024, 256000, "t", "MCS2026"),
    # MCS2025 world data, usable iron ore, Australia 2023
    ("iron_ore", "mine", "Australia", 2023, 953000, "kt", "MCS2025"),
    # MCS2026 data release, palladium, Russia 2024
    ("palladium", "mine", "Russia", 2024, 89000, "kg", "MCS2026"),
    # MCS2025 world data, platinum, South Africa 2023
    ("platinum", "mine", "South Africa", 2023, 125000, "kg", "MCS2025"),
    # MCS2026 data release, bauxite, Guinea 2024
    ("bauxite", "mine", "Guinea", 2024, 142000, "kt", "MCS2026"),
    # MCS2026 data release, alumina, China 2024
    ("alumina", "refinery", "China", 2024, 85500, "kt", "MCS2026"),
    # MCS2026 data release, antimony, Russia 2024 (MCS2025 had 13,000; see revisions)
    ("antimony", "mine", "Russia", 2024, 40000, "t", "MCS2026"),
]


@pytest.mark.parametrize("mineral,stage,country,year,value,unit,edition", PRODUCTION_CHECKS)
def test_production_value_by_hand(prod, mineral, stage, country, year, value, unit, edition):
    row = prod[(prod["mineral"] == mineral) & (prod["stage"] == stage) & (prod["country"] == country)
               & (prod["year"] == year)]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["value"] == value
    assert row["unit"] == unit
    assert row["edition"] == edition


def test_withheld_us_antimony_2025(prod):
    # MCS2026 antimony table: United States 2025e is "W"
    row = prod[(prod["mineral"] == "antimony") & (prod["country"] == "United States") & (prod["year"] == 2025)]
    assert row["flag"].tolist() == ["withheld"] and row["value"].isna().all()


# (mineral, country, value, unit, edition)
RESERVE_CHECKS = [
    ("rare_earths", "China", 44000000, "t", "MCS2026"),  # MCS2026 rare earths reserves
    ("antimony", "China", 830000, "t", "MCS2026"),  # MCS2026 antimony reserves
    ("antimony", "Pakistan", 26000, "t", "MCS2026"),  # MCS2026 antimony reserves
    ("copper", "Chile", 180000, "kt", "MCS2026"),  # MCS2026 copper reserves (MCS2025: 190,000)
    ("platinum_group_metals", "South Africa", 63000000, "kg", "MCS2026"),  # MCS2026, PGM reserves
    ("molybdenum", "China", 7800, "kt", "MCS2026"),  # MCS2026, "Reserves (thousand metric tons)"
    ("vanadium", "China", 5800, "kt", "MCS2026"),  # MCS2026 labels it metric tons; corrections.csv
]


@pytest.mark.parametrize("mineral,country,value,unit,edition", RESERVE_CHECKS)
def test_reserves_value_by_hand(res, mineral, country, value, unit, edition):
    row = res[(res["mineral"] == mineral) & (res["country"] == country)].iloc[0]
    assert (row["value"], row["unit"], row["edition"]) == (value, unit, edition)


def test_censored_world_reserves(res):
    # MCS2026 antimony: world reserves ">2,000,000"
    row = res[(res["mineral"] == "antimony") & (res["row_kind"] == "world_total")].iloc[0]
    assert (row["value"], row["flag"]) == (2000000, "censored_gt")


# (mineral, year, nir_pct or None, flag or None, raw, edition)
NIR_CHECKS = [
    ("rare_earths", 2024, 53, None, "53", "MCS2026"),  # MCS2026 rare earths, compounds and metals
    ("rare_earths", 2022, 95, "censored_gt", ">95", "MCS2026"),  # MCS2026 rare earths
    ("antimony", 2025, 91, "estimated", "91", "MCS2026"),  # MCS2026 antimony 2025e
    ("gold", 2024, None, "net_exporter", "E", "MCS2026"),  # MCS2026 gold
    ("zinc", 2024, 73, None, "73", "MCS2026"),  # MCS2026 zinc, refined zinc
    ("fluorspar", 2019, 100, None, "100", "MCS2024"),  # MCS2024 fluorspar salient, last cell of the row
    ("cobalt", 2024, 74, None, "74", "MCS2026"),  # MCS2026 cobalt (MCS2025: 76)
    ("cobalt", 2020, 76, None, "76", "MCS2025"),  # MCS2025 cobalt salient
]


@pytest.mark.parametrize("mineral,year,value,flag,raw,edition", NIR_CHECKS)
def test_nir_value_by_hand(nir, mineral, year, value, flag, raw, edition):
    row = nir[(nir["mineral"] == mineral) & (nir["year"] == year)].iloc[0]
    assert (None if pd.isna(row["nir_pct"]) else row["nir_pct"]) == value
    assert (None if pd.isna(row["flag"]) else row["flag"]) == flag
    assert (row["raw"], row["edition"]) == (raw, edition)


def test_import_sources_by_hand(sources):
    # MCS2026 gallium: Canada 28% first; MCS2025 Fig. 2 antimony: China first, Hong Kong counted with China
    ga = sources[(sources["mineral"] == "gallium") & (sources["edition"] == "MCS2026")].sort_values("rank")
    assert (ga.iloc[0]["country"], ga.iloc[0]["share_pct"]) == ("Canada", 28)
    sb = sources[(sources["mineral"] == "antimony") & (sources["edition"] == "MCS2025")].sort_values("rank")
    assert sb["country"].tolist() == ["China", "Belgium", "India", "Bolivia"]
    assert sb["share_pct"].isna().all()


# ---------------------------------------------------------------------------------------------------------------
# (3b) US salient statistics
# ---------------------------------------------------------------------------------------------------------------


def test_us_salient_flags_and_units(us):
    assert us.loc[us["flag"].isin(["withheld", "not_available", "net_exporter"]), "value"].isna().all()
    assert us.loc[us["flag"].isna() | (us["flag"] == "estimated"), "value"].notna().all()
    assert us.loc[us["flag"] == "withheld", "raw"].eq("W").all()
    # one unit per mineral and measure, and percentages only for net import reliance
    assert (us.groupby(["mineral", "measure"])["unit"].nunique() == 1).all()
    assert set(us.loc[us["unit"] == "pct", "measure"]) == {"net_import_reliance_pct"}


def test_us_salient_units_follow_production(us, prod):
    # where a mineral's production table has one unit, the salient quantities use it
    prod_units = prod.groupby("mineral")["unit"].unique()
    q = us[us["unit"] != "pct"]
    for mineral, units in q.groupby("mineral")["unit"].unique().items():
        if mineral in ("titanium", "zirconium"):
            continue
        assert list(units) == list(prod_units[mineral]), mineral


def test_us_salient_nir_matches_import_reliance(us, nir):
    a = us[us["measure"] == "net_import_reliance_pct"].set_index(["mineral", "year"]).sort_index()
    b = nir.set_index(["mineral", "year"]).sort_index()
    assert a.index.equals(b.index)
    assert a["value"].equals(b["nir_pct"])
    assert (a["edition"] == b["edition"]).all()


def test_us_salient_covers_deal_minerals(us):
    for mineral in DEAL:
        measures = set(us.loc[us["mineral"] == mineral, "measure"].str.split(".").str[0])
        assert {"imports", "exports", "primary_production", "net_import_reliance_pct"} <= measures, mineral
    ac = us[us["measure"] == "apparent_consumption"]
    assert {"antimony", "copper", "rare_earths", "tungsten"} <= set(ac["mineral"])


def test_us_salient_newest_edition_wins(us):
    # copper 2022: MCS2023 to MCS2026 all report it; MCS2025 revised it to 1,820 kt, MCS2026 to 1,810 kt
    row = us[(us["mineral"] == "copper") & (us["year"] == 2022) & (us["measure"] == "apparent_consumption")].iloc[0]
    assert (row["value"], row["edition"]) == (1810, "MCS2026")


# (mineral, year, measure, value or None, unit, flag or None, raw, column, edition)
US_CHECKS = [
    # MCS2026 data release, antimony, "Consumption, apparent", 2024 (MCS2025 had 24,000e)
    ("antimony", 2024, "apparent_consumption", 28600, "t", None, "28,600", "Consumption, apparent", "MCS2026"),
    # MCS2026, antimony, "Imports for consumption: Oxide", 2023
    ("antimony", 2023, "imports.oxide", 14000, "t", None, "14,000", "Imports for consumption: Oxide", "MCS2026"),
    # MCS2026, antimony, "Production, Smelter: Primary", 2022 (MCS2025 withheld it: W)
    ("antimony", 2022, "primary_production.smelter", 586, "t", None, "586", "Production, Smelter: Primary", "MCS2026"),
    # mcs2023-antim_salient.csv, Exports_Oxide_t, 2018 (the only edition covering 2018)
    ("antimony", 2018, "exports.oxide", 1750, "t", None, "1750", "Exports_Oxide_t", "MCS2023"),
    # MCS2026, copper apparent consumption 2024
    ("copper", 2024, "apparent_consumption", 1860, "kt", None, "1,860",
     "Consumption: Apparent, primary refined copper and copper from old scrap", "MCS2026"),
    # MCS2026, copper ore imports 2024: "s" with the note "Less than ½ unit."
    ("copper", 2024, "imports.ore_and_concentrate", 0.5, "kt", "censored_lt", "s",
     "Imports for consumption: Ore and concentrate", "MCS2026"),
    # MCS2026, copper refined imports 2023
    ("copper", 2023, "imports.refined", 771, "kt", None, "771", "Imports for consumption: Refined", "MCS2026"),
    # MCS2026, rare earths apparent consumption of compounds and metals 2023 (MCS2025: 10,100)
    ("rare_earths", 2023, "apparent_consumption", 8600, "t", None, "8,600",
     "Consumption, apparent, compounds and metals", "MCS2026"),
    # MCS2026, rare earths mineral concentrates 2024, notes "Estimated."
    ("rare_earths", 2024, "primary_production.mineral_concentrates", 45500, "t", "estimated", "45,500",
     "Production: Mineral concentrates", "MCS2026"),
    # MCS2026, tungsten apparent consumption 2024: W
    ("tungsten", 2024, "apparent_consumption", None, "t", "withheld", "W", "Consumption: Apparent, all forms", "MCS2026"),
    # MCS2026, tungsten other imports 2024
    ("tungsten", 2024, "imports.other_forms", 8730, "t", None, "8,730", "Imports for consumption: Other forms", "MCS2026"),
    # mcs2024-galli_salient.csv, Consump_g, 2019: the header says g, the numbers are kg (14,900 in MCS2023 too)
    ("gallium", 2019, "reported_consumption", 14900, "kg", None, "14900", "Consump_g", "MCS2024"),
    # mcs2023-lead_salient.csv, Consump_t, 2018: header says t, the series is in thousand tons
    ("lead", 2018, "apparent_consumption", 1640, "kt", None, "1640", "Consump_t", "MCS2023"),
    # MCS2026, zirconium apparent consumption 2024: "<100,000"
    ("zirconium", 2024, "apparent_consumption", 100000, "t", "censored_lt", "<100,000",
     "Consumption, apparent, zirconium ores and concentrates (ZrO2 content)", "MCS2026"),
]


@pytest.mark.parametrize("mineral,year,measure,value,unit,flag,raw,column,edition", US_CHECKS)
def test_us_salient_value_by_hand(us, mineral, year, measure, value, unit, flag, raw, column, edition):
    row = us[(us["mineral"] == mineral) & (us["year"] == year) & (us["measure"] == measure)]
    assert len(row) == 1
    row = row.iloc[0]
    assert (None if pd.isna(row["value"]) else row["value"]) == value
    assert (None if pd.isna(row["flag"]) else row["flag"]) == flag
    assert (row["unit"], row["raw"], row["column"], row["edition"]) == (unit, raw, column, edition)


# ---------------------------------------------------------------------------------------------------------------
# (4) curation reproduces the committed files
# ---------------------------------------------------------------------------------------------------------------

RAW = os.environ.get("CRITMIN_RAW")


@pytest.mark.skipif(not RAW, reason="set CRITMIN_RAW to the raw reference folder to re-run the curation")
def test_curation_reproduces_committed_files(tmp_path):
    from critmin.curate import usgs

    written = usgs.curate(Path(RAW), tmp_path)
    names = {p.name for p in written}
    assert names == {f"{n}.csv" for n in RESOURCES}
    for name in names - {"corrections.csv"}:
        fresh = (tmp_path / name).read_bytes()
        committed = (paths.data_dir() / name).read_bytes()
        assert fresh == committed, f"{name} differs from a fresh curation"
    # corrections.csv is shared with other curation steps: this step's rows must all be in the committed file.
    with open(tmp_path / "corrections.csv", encoding="utf-8", newline="") as fh:
        mine = list(csv.reader(fh))
    with open(paths.data_dir() / "corrections.csv", encoding="utf-8", newline="") as fh:
        committed = list(csv.reader(fh))
    assert mine[0] == committed[0]
    assert all(r in committed for r in mine[1:])


def test_one_spelling_per_product_within_a_table():
    """A world total whose product label differs from its countries' only in case would be left out of their table."""
    p = read_resource("production")
    g = p.groupby(["mineral", "stage", "year"])["product"].agg(lambda s: (s.nunique(), s.str.lower().nunique()))
    clash = g[g.map(lambda t: t[0] != t[1])]
    assert clash.empty, clash.index.tolist()
