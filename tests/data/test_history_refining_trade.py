"""Validation of the BGS long series, IEA refining, hand-curated processing shares and Comtrade US imports."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from critmin import paths
from critmin.data import read_resource

RESOURCES = ["production_history", "refining", "processing_shares", "us_imports"]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return read_resource("production_history")


@pytest.fixture(scope="module")
def refining() -> pd.DataFrame:
    return read_resource("refining")


@pytest.fixture(scope="module")
def shares() -> pd.DataFrame:
    return read_resource("processing_shares")


@pytest.fixture(scope="module")
def imports() -> pd.DataFrame:
    return read_resource("us_imports")


def value(df: pd.DataFrame, col: str, **where) -> float:
    mask = pd.Series(True, index=df.index)
    for c, v in where.items():
        mask &= df[c] == v
    hits = df.loc[mask]
    assert len(hits) == 1, f"expected one row for {where}, found {len(hits)}"
    return float(hits.iloc[0][col])


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_validates(name):
    df = read_resource(name)
    assert len(df) > 0


@pytest.mark.parametrize("name", ["production_history", "refining"])
def test_one_unit_per_mineral_and_stage(name):
    df = read_resource(name)
    units = df.groupby(["mineral", "stage"])["unit"].nunique()
    assert (units == 1).all(), units[units > 1]


@pytest.mark.parametrize("name", RESOURCES)
def test_mineral_ids_are_known(name):
    known = set(read_resource("minerals")["mineral"])
    unknown = sorted(set(read_resource(name)["mineral"]) - known)
    assert not unknown, f"{name}: mineral ids missing from data/minerals.csv: {unknown}"


# --- BGS long series -------------------------------------------------------------------------------

def test_history_covers_the_required_series(history):
    assert history["mineral"].nunique() >= 10
    have = set(zip(history["mineral"], history["stage"]))
    for pair in [
        ("cobalt", "refinery"), ("copper", "refinery"), ("nickel", "refinery"), ("rare_earths", "mine"),
        ("copper", "mine"), ("cobalt", "mine"), ("nickel", "mine"), ("graphite", "mine"), ("manganese", "mine"),
        ("chromium", "mine"), ("molybdenum", "mine"), ("zinc", "mine"), ("zinc", "refinery"),
        ("aluminum", "smelter"), ("lithium", "mine"),
    ]:
        assert pair in have, pair
    assert history["year"].min() == 1970 and history["year"].max() == 2021


def test_history_has_no_invented_world_rows(history):
    assert set(history["row_kind"]) <= {"country", "group"}


def test_history_lithium_is_li_content_only(history):
    products = set(history.loc[history["mineral"] == "lithium", "product"])
    assert products and all("Li content" in p for p in products), products


def test_history_rare_earths_are_oxides_only(history):
    assert set(history.loc[history["mineral"] == "rare_earths", "product"]) == {"rare earth oxides"}


def test_history_historic_states_are_groups_without_iso(history):
    groups = history[history["row_kind"] == "group"]
    assert {"Soviet Union", "Yugoslavia", "Czechoslovakia", "German Democratic Rep",
            "German Federal Republic"} <= set(groups["country"])
    assert groups["iso3"].isna().all()
    countries = history[history["row_kind"] == "country"]
    assert countries["iso3"].notna().all()
    # A historic state and its successor never share an ISO code.
    assert not history.loc[history["country"] == "Russia", "year"].lt(1991).any()


def test_history_keeps_pakistan(history):
    pak = history[(history["country"] == "Pakistan") & (history["mineral"] == "chromium")]
    assert pak["iso3"].eq("PAK").all()
    assert pak["year"].min() == 1970 and pak["year"].max() == 2021
    assert {"copper", "graphite", "zinc"} <= set(history.loc[history["country"] == "Pakistan", "mineral"])


@pytest.mark.parametrize("year, expected", [(1990, 1.2), (2010, 45.2), (2021, 77.0)])
def test_china_share_of_refined_cobalt(history, year, expected):
    # SOURCES-global.md §6 gives these shares of the summed BGS refined-cobalt rows (historic states included).
    rows = history[(history["mineral"] == "cobalt") & (history["stage"] == "refinery") & (history["year"] == year)]
    share = rows.loc[rows["country"] == "China", "value"].sum() / rows["value"].sum()
    assert 0 <= share <= 1
    assert round(share * 100, 1) == pytest.approx(expected, abs=0.05)


def test_history_values_checked_by_hand(history):
    h = history
    # bgs_world_mineral_statistics_production_1970_2021.csv, line 'China;37;cobalt refined;;2021;128000'
    assert value(h, "value", mineral="cobalt", stage="refinery", country="China", year=2021) == 128000
    # same file, 'China;37;cobalt refined;;1990;325'
    assert value(h, "value", mineral="cobalt", stage="refinery", country="China", year=1990) == 325
    # same file, 'Soviet Union;37;cobalt refined;;1990;6650'
    assert value(h, "value", mineral="cobalt", stage="refinery", country="Soviet Union", year=1990) == 6650
    # same file, 'Pakistan;30;chromium ores and concentrates;;2021;467100'
    assert value(h, "value", mineral="chromium", country="Pakistan", year=2021) == 467100
    # same file, 'Pakistan;30;chromium ores and concentrates;;1970;26032'
    assert value(h, "value", mineral="chromium", country="Pakistan", year=1970) == 26032
    # same file, 'Zaire;36;cobalt mine;;1985;10571' (Zaire carries DR Congo's code)
    assert value(h, "value", mineral="cobalt", stage="mine", country="Zaire", year=1985) == 10571
    # same file, 'Australia;84;lithium minerals;Lithium minerals (Li content);2021;55281'
    assert value(h, "value", mineral="lithium", country="Australia", year=2021) == 55281
    # same file, 'Chile;84;lithium minerals;Lithium minerals (Carbonate -Li content);2021;28265'
    assert value(h, "value", mineral="lithium", country="Chile", year=2021,
                 product="Lithium minerals (Carbonate -Li content)") == 28265
    # same file, 'China;736;rare earth oxides;;2019;180000'
    assert value(h, "value", mineral="rare_earths", country="China", year=2019) == 180000
    # same file, 'Chile;42;copper refined;;2021;2274000'
    assert value(h, "value", mineral="copper", stage="refinery", country="Chile", year=2021) == 2274000
    # same file, 'USA;3;aluminium primary;;2021;907846'
    assert value(h, "value", mineral="aluminum", country="USA", year=2021) == 907846


def test_history_renamed_states_keep_successor_code(history):
    zaire = history[history["country"] == "Zaire"]
    assert len(zaire) and zaire["iso3"].eq("COD").all()


# --- IEA refining ----------------------------------------------------------------------------------

# Blocks where the IEA's 'Rest of world' equals the total minus the first five named countries, so the
# sixth named country is counted twice when rows are summed (checked by hand in both raw files).
DOUBLE_COUNTED = {
    ("graphite", "refining", "CMDE2024"): "Germany",
    ("graphite", "mining", "CMDE2025"): "Tanzania",
    ("nickel", "mining", "CMDE2024"): "Australia",
    ("nickel", "mining", "CMDE2025"): "Australia",
    ("nickel", "refining", "CMDE2024"): "Canada",
    ("nickel", "refining", "CMDE2025"): "Canada",
}


def test_refining_rows_sum_to_iea_total(refining):
    for (mineral, stage, edition), g in refining.groupby(["mineral", "stage", "edition"]):
        total = g.loc[g["row_kind"] == "world_total", "value"]
        assert len(total) == 1, (mineral, stage, edition)
        parts = g.loc[g["row_kind"] != "world_total", "value"].sum()
        if (mineral, stage, edition) in DOUBLE_COUNTED:
            extra = value(g, "value", country=DOUBLE_COUNTED[(mineral, stage, edition)])
            assert extra > 0
            assert parts - extra == pytest.approx(float(total.iloc[0]), abs=0.05), (mineral, stage, edition)
            continue
        # Rounding: one decimal per cell in the workbook, four in the extract.
        assert parts == pytest.approx(float(total.iloc[0]), abs=0.05), (mineral, stage, edition)


def test_refining_shares_within_unit_interval(refining):
    tot = refining[refining["row_kind"] == "world_total"].set_index(["mineral", "stage", "edition"])["value"]
    rows = refining[refining["row_kind"] != "world_total"]
    share = rows["value"].to_numpy() / tot.loc[list(zip(rows["mineral"], rows["stage"], rows["edition"]))].to_numpy()
    assert ((share >= 0) & (share <= 1)).all()


def test_refining_is_base_year_only(refining):
    assert refining["year"].max() < 2030
    assert set(refining.groupby("edition")["year"].unique().map(tuple)) == {(2023,), (2024,)}
    assert (refining["secondary"] == (refining["edition"] == "CMDE2025")).all()


def test_refining_values_checked_by_hand(refining):
    r = refining
    # CM_Data_Explorer_2024-05.xlsx, sheet '2 Total supply for key minerals', 'Copper - Refining', China 2023
    # (also processing-and-trade-facts.md §A1: 11,547.0 of 26,336.2 kt)
    assert value(r, "value", mineral="copper", stage="refining", country="China", edition="CMDE2024") == 11547.0
    assert value(r, "value", mineral="copper", stage="refining", country="Total", edition="CMDE2024") == 26336.2
    china = value(r, "value", mineral="copper", stage="refining", country="China", edition="CMDE2024")
    assert round(china / 26336.2 * 100, 1) == 43.8
    # same sheet, 'Nickel - Refining', Indonesia 2023 = 1413.7
    assert value(r, "value", mineral="nickel", stage="refining", country="Indonesia", edition="CMDE2024") == 1413.7
    # same sheet, cobalt refining total row labelled 'Total clean technologies' = 223.8
    assert value(r, "value", mineral="cobalt", stage="refining", country="Total clean technologies",
                 edition="CMDE2024") == 223.8
    # same sheet, 'Magnet rare earth elements - Refining', China 2023 = 70.3
    assert value(r, "value", mineral="rare_earths", stage="refining", country="China", edition="CMDE2024") == 70.3
    # iea_data_explorer_2025-05_extract_by_third_party.json, supply.Lithium.refining.countries.China."2024"
    # = 169.67759096410308, kept to four decimals
    assert value(r, "value", mineral="lithium", stage="refining", country="China", edition="CMDE2025") == 169.6776
    # same extract, supply.Copper.refining.total."2024" = 26944.0
    assert value(r, "value", mineral="copper", stage="refining", country="Total", edition="CMDE2025") == 26944.0


# --- Hand-curated processing shares ----------------------------------------------------------------

def test_processing_shares_are_percentages_that_fit(shares):
    assert shares["share_pct"].between(0, 100).all()
    key = ["mineral", "stage", "product", "year", "source_title"]
    assert (shares.groupby(key)["share_pct"].sum() <= 100.05).all()
    assert set(shares["reliability"]) == {"primary"}  # a figure seen only in a news report is left out


def test_processing_shares_keep_pakistan_antimony(shares):
    # processing-and-trade-facts.md §A2, USGS MCS 2026 antimony: Pakistan 260 of 119,000 t
    assert value(shares, "share_pct", mineral="antimony", country="Pakistan", year=2024) == 0.2
    # same section, USGS MCS 2025 gallium: China 621,000 of 633,000 kg in 2023
    assert value(shares, "share_pct", mineral="gallium", country="China", year=2023) == 98.1


# --- UN Comtrade US imports ------------------------------------------------------------------------

def test_us_imports_china_never_exceeds_world(imports):
    wide = imports.pivot_table(index=["hs_code", "year"], columns="partner", values="value_usd", aggfunc="first")
    wide = wide.dropna(subset=["China", "World"])
    share = wide["China"] / wide["World"]
    assert ((share >= 0) & (share <= 1)).all(), share[(share < 0) | (share > 1)]


def test_us_imports_partner_codes(imports):
    assert (imports["partner_iso3"].isna() == (imports["row_kind"] == "world_total")).all()
    assert (imports["weight_estimated"].isna() == imports["net_weight_kg"].isna()).all()


def test_us_imports_values_checked_by_hand(imports):
    i = imports
    # heavy_ree_trade_data.csv (= light_ree_trade_data.csv), reporter 842, flow M, cmdCode 2846, 2023:
    # partner 156 primaryValue 111168490.0; partner 0 primaryValue 181268698.0 (SOURCES-global.md §9)
    assert value(i, "value_usd", hs_code="2846", year=2023, partner="China") == 111168490
    assert value(i, "value_usd", hs_code="2846", year=2023, partner="World") == 181268698
    # cobalt_trade_data.csv, reporter 842, flow M, cmdCode 8105, 2024, partner 0: primaryValue 388603852.0,
    # netWgt 11621776.0
    assert value(i, "value_usd", hs_code="8105", year=2024, partner="World") == 388603852
    assert value(i, "net_weight_kg", hs_code="8105", year=2024, partner="World") == 11621776
    # copper_trade_data.csv, reporter 842, flow M, cmdCode 7402, 2020, partner 0: netWgt 0.0 next to
    # primaryValue 2101337.0 — a missing weight, not a zero
    assert pd.isna(i.loc[(i["hs_code"] == "7402") & (i["year"] == 2020), "net_weight_kg"]).all()


def test_us_imports_not_double_counted(imports):
    # The heavy- and light-REE files hold the same rows; each (code, year, partner) appears once.
    assert not imports.duplicated(["hs_code", "year", "partner"]).any()
    assert len(imports[imports["hs_code"] == "2846"]) == 10


# --- Re-running the curation -----------------------------------------------------------------------

@pytest.mark.parametrize("step, outputs", [
    ("bgs", ["production_history.csv"]),
    ("iea", ["refining.csv"]),
    ("comtrade", ["us_imports.csv"]),
])
def test_curation_reproduces_committed_files(step, outputs, tmp_path, raw_dir):
    module = importlib.import_module(f"critmin.curate.{step}")
    written = module.curate(raw_dir, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(outputs)
    for rel in outputs:
        assert (tmp_path / rel).read_bytes() == (paths.data_dir() / rel).read_bytes(), rel
