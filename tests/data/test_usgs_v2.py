"""USGS data v2: units of reserves, the publisher's flags, bounds, prices, revisions, the raw manifest, bad input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from critmin import paths
from critmin.curate import _io, _usgs, usgs_world
from critmin.data import read_resource

HERE = Path(__file__).parent
RAW = os.environ.get("CRITMIN_RAW")
_T = {"kg": 1e-3, "t": 1.0, "kt": 1e3, "Mt": 1e6}
BAND = (5, 1000)  # years of output that world reserves may represent


@pytest.fixture(scope="module")
def prod():
    return read_resource("production")


@pytest.fixture(scope="module")
def res():
    return read_resource("reserves")


@pytest.fixture(scope="module")
def rev():
    return read_resource("revisions")


@pytest.fixture(scope="module")
def prices():
    return read_resource("prices")


def _row(df, **key):
    m = pd.Series(True, index=df.index)
    for k, v in key.items():
        m &= (df[k] == v).fillna(False)
    out = df[m]
    assert len(out) == 1, (key, len(out))
    return out.iloc[0]


# --- reserves units: reserves-to-production ratio --------------------------------------------------------

def _ratios(prod, res) -> pd.Series:
    out = {}
    for mineral, r in res[(res["row_kind"] == "world_total") & res["value"].notna()].groupby("mineral"):
        p = prod[(prod["mineral"] == mineral) & (prod["row_kind"] == "world_total") & prod["value"].notna()]
        if p.empty:
            continue
        stage = "mine" if (p["stage"] == "mine").any() else sorted(p["stage"])[0]
        p = p[p["stage"] == stage].sort_values("year").iloc[-1]
        r = r.iloc[0]
        out[mineral] = r["value"] * _T[r["unit"]] / (p["value"] * _T[p["unit"]])
    return pd.Series(out)


def test_reserves_to_production_ratio_is_plausible(prod, res):
    exceptions = pd.read_csv(HERE / "reserves_ratio_exceptions.csv", dtype=str, keep_default_na=False)
    assert list(exceptions.columns) == ["mineral", "reason"]
    assert (exceptions["reason"].str.len() > 20).all(), "each exception needs a reason"
    ratios = _ratios(prod, res)
    assert len(ratios) >= 25
    out = ratios[(ratios < BAND[0]) | (ratios > BAND[1])]
    assert sorted(out.index) == sorted(exceptions["mineral"]), out  # unexplained or stale exceptions


def test_ratio_check_catches_a_thousandfold_unit_error(prod, res):
    bad = res.copy()
    bad.loc[bad["mineral"] == "molybdenum", "unit"] = "t"  # as the MCS2025 file labels them
    ratios = _ratios(prod, bad)
    assert ratios["molybdenum"] < BAND[0]


def test_molybdenum_and_vanadium_reserves_are_thousand_tons(res):
    for mineral in ("molybdenum", "vanadium"):
        assert set(res.loc[res["mineral"] == mineral, "unit"]) == {"kt"}
    corr = read_resource("corrections")
    keys = set(corr.loc[corr["resource"] == "reserves", "key"])
    assert {"MCS2025 world data/Molybdenum/RESERVES_2024", "MCS2025 world data/Vanadium/RESERVES_2024",
            "MCS2026 data release/VANADIUM/Reserves"} <= keys


def test_indium_has_no_reserves(res):
    # MCS2025's indium reserves column holds refinery capacity (corrections.csv).
    assert not (res["mineral"] == "indium").any()


# --- flags from the publisher's own marks --------------------------------------------------------------

def test_mcs2023_estimated_in_2021_also(prod):
    # mcs2023-gold_world.csv, Indonesia: notes "Estimated in 2021 also"
    assert _row(prod, mineral="gold", stage="mine", country="Indonesia", year=2021)["flag"] == "estimated"


def test_mcs2024_also_estimated_in_2022(prod):
    # mcs2024-antim_world.csv, Burma: "Also estimated in 2022"
    assert _row(prod, mineral="antimony", stage="mine", country="Burma", year=2022)["flag"] == "estimated"


def test_mcs2024_est_2022_column_name_does_not_flag_every_row(prod):
    # mcs2024-raree_world.csv names the column Prod_t_est_2022 but the US row has no estimate note
    row = _row(prod, mineral="rare_earths", stage="mine", country="United States", year=2022)
    assert row["edition"] == "MCS2024" and pd.isna(row["flag"])


def test_mcs2025_type_string_estimated(prod):
    # MCS2025 world data: "Mine production, barite, estimated" marks 2023 as well as 2024
    row = _row(prod, mineral="barite", stage="mine", country="China", year=2023)
    assert (row["edition"], row["flag"]) == ("MCS2025", "estimated")
    row = _row(prod, mineral="cobalt", stage="mine", country="Congo (Kinshasa)", year=2023)
    assert (row["edition"], row["flag"]) == ("MCS2025", "estimated")


def test_mcs2026_notes_estimated(prod):
    # MCS2026: notes "Estimated." on Congo cobalt 2024, none on Chile copper 2024
    assert _row(prod, mineral="cobalt", stage="mine", country="Congo (Kinshasa)", year=2024)["flag"] == "estimated"
    assert pd.isna(_row(prod, mineral="copper", stage="mine", country="Chile", year=2024)["flag"])


def test_latest_year_of_each_edition_is_estimated_or_marked(prod):
    latest = prod[prod["year"] == prod["edition"].str[3:].astype(int) - 1]
    assert latest["flag"].notna().all()


def test_blanks_without_w_are_not_available(prod):
    # MCS2025 leaves US antimony 2023 and US gallium 2023 blank, without W
    for mineral, stage in (("antimony", "mine"), ("gallium", "processing")):
        row = _row(prod, mineral=mineral, stage=stage, country="United States", year=2023)
        assert (row["flag"], pd.isna(row["value"])) == ("not_available", True)


# --- bounds are never exact -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [("production", "value"), ("reserves", "value"),
                                         ("import_reliance", "nir_pct"), ("us_salient", "value"),
                                         ("prices", "value"), ("revisions", "value")])
def test_qualifier_matches_censored_flag(name, value):
    df = read_resource(name)
    gt, lt = df["flag"] == "censored_gt", df["flag"] == "censored_lt"
    assert (df.loc[gt.fillna(False), "qualifier"] == ">").all()
    assert (df.loc[lt.fillna(False), "qualifier"] == "<").all()
    assert df.loc[~(gt | lt).fillna(False), "qualifier"].isna().all()
    assert df.loc[(gt | lt).fillna(False), value].notna().all()


def test_import_reliance_over_half_counts_bounds_separately():
    nir = read_resource("import_reliance")
    newest = nir[nir["year"] == nir["year"].max()]
    exact = newest[newest["qualifier"].isna() & (newest["nir_pct"] > 50)]
    at_least = newest[(newest["qualifier"] == ">") & (newest["nir_pct"] >= 50)]
    assert not set(exact["mineral"]) & set(at_least["mineral"])
    # germanium, lithium, selenium and tungsten are ">50": never counted as exact figures
    assert {"germanium", "lithium", "selenium", "tungsten"} <= set(at_least["mineral"])


# --- prices ------------------------------------------------------------------------------------------------

def test_prices_cover_the_required_series(prices):
    need = {"antimony_metal", "tungsten_concentrate_wo3", "rare_earths_ndpr_oxide", "rare_earths_nd_oxide",
            "rare_earths_pr_oxide", "rare_earths_dy_oxide", "rare_earths_tb_oxide", "gallium_low_purity",
            "gallium_import_unit_value", "germanium_metal", "germanium_dioxide", "cobalt_us_spot_cathode",
            "lithium_carbonate_battery", "graphite_flake_import_uv", "graphite_amorphous_import_uv",
            "copper_comex"}
    assert need <= set(prices["series"])
    assert set(prices["edition"]) == {"MCS2022", "MCS2023", "MCS2024", "MCS2025", "MCS2026"}
    assert (prices.groupby("series")[["unit", "mineral", "basis"]].nunique() == 1).all().all()


def test_gallium_price_definitions_are_not_spliced(rev):
    r = rev[rev["resource"] == "prices"]
    eds = r.groupby("series")["edition"].agg(set)
    assert eds["gallium_import_unit_value"] == {"MCS2026"}
    assert "MCS2026" not in eds["gallium_low_purity"] and "MCS2026" not in eds["gallium_high_purity"]


def test_price_by_hand(prices):
    # MCS2026 antimony metal price 2021: 5.31 dollars per pound; MCS2022 subset tungsten 2017 from Price_WO3_dt
    row = _row(prices, series="antimony_metal", year=2021)
    assert (row["value"], row["unit"], row["edition"]) == (5.31, "usd_per_lb", "MCS2026")
    assert _row(prices, series="tungsten_concentrate_wo3", year=2017)["edition"] == "MCS2022"


# --- revisions ------------------------------------------------------------------------------------------

def test_revisions_show_a_change_of_estimate(rev):
    # Russia's 2024 antimony output: 13,000 t in MCS2025, 40,000 t in MCS2026
    r = rev[(rev["resource"] == "production") & (rev["mineral"] == "antimony") & (rev["country"] == "Russia")
            & (rev["year"] == 2024)].set_index("edition")
    assert r.loc["MCS2025", "value"] == 13000 and r.loc["MCS2026", "value"] == 40000
    assert (bool(r.loc["MCS2025", "used"]), bool(r.loc["MCS2026", "used"])) == (False, True)


def test_used_revisions_are_the_main_table(rev, prod):
    used = rev[(rev["resource"] == "production") & rev["used"]]
    merged = used.merge(prod, left_on=["mineral", "series", "country", "year"],
                        right_on=["mineral", "stage", "country", "year"], suffixes=("_r", ""))
    assert len(merged) == len(prod) == len(used)
    assert (merged["edition_r"] == merged["edition"]).all()
    same = (merged["value_r"] == merged["value"]) | (merged["value_r"].isna() & merged["value"].isna())
    assert same.all()


# --- provenance -----------------------------------------------------------------------------------------

def test_manifest_names_intermediaries_and_dates():
    m = read_resource("raw_manifest")
    usgs = m[m["step"] == "usgs"]
    official = usgs["path"].str.startswith("usgs-mcs2026/")
    assert (usgs.loc[official, "intermediary"].isna()).all()
    assert usgs.loc[~official, "intermediary"].str.startswith("GitHub ").all()
    from critmin.curate.__main__ import STEPS

    assert set(m["step"]) == set(STEPS), "every curation step lists the raw files it reads"


@pytest.mark.skipif(not RAW, reason="set CRITMIN_RAW to the raw reference folder")
def test_raw_files_match_the_manifest():
    from critmin.curate.__main__ import STEPS

    for step in STEPS:
        assert _io.check_raw(step, Path(RAW))


def test_changed_raw_file_is_refused(tmp_path):
    raw = tmp_path / "raw"
    (raw / "src").mkdir(parents=True)
    f = raw / "src" / "a.csv"
    f.write_text("x\n1\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    _io.write_csv([["toy", "src/a.csv", 4, _io.sha256(f), "Pub", "", "2026-12-01"]], data / _io.MANIFEST,
                  _io.MANIFEST_COLUMNS)
    assert _io.check_raw("toy", raw, data) == [f]
    f.write_text("x\n2\n", encoding="utf-8")
    with pytest.raises(_io.RawFileError, match=r"a\.csv: sha256 .* line 2"):
        _io.check_raw("toy", raw, data)
    f.unlink()
    with pytest.raises(_io.RawFileError, match="a.csv: missing"):
        _io.check_raw("toy", raw, data)


def test_no_step_writes_metadata():
    folder = Path(_io.__file__).parent
    for f in folder.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "write_meta" not in text and "safe_dump" not in text and "def meta(" not in text, f.name
    # and each table a step writes has a hand-edited YAML
    for name in ("production", "reserves", "prices", "revisions", "us_salient", "production_history", "refining"):
        assert (paths.data_dir() / "meta" / f"{name}.yaml").exists()


def test_registry_is_read_from_the_data_package():
    assert _usgs.mineral_ids() == list(read_resource("minerals")["mineral"])
    assert "Mineral(" not in Path(usgs_world.__file__).read_text(encoding="utf-8")


# --- bad input ----------------------------------------------------------------------------------------------

def _world_file(tmp_path: Path, cell: str) -> Path:
    f = tmp_path / "mcs2024-antim_world.csv"
    f.write_text("Source,Country,Type,Prod_t_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes\n"
                 f'MCS2024,China,"Mine production, contained antimony",40000,{cell},,640000,\n', encoding="utf-8")
    return f


def test_good_world_file_reads(tmp_path):
    prod, res = usgs_world._read_world_file(_world_file(tmp_path, "40000"), "MCS2024")
    assert [(o.year, o.value, o.flag) for o in prod] == [(2022, 40000.0, ""), (2023, 40000.0, "estimated")]


def test_malformed_cell_names_file_line_and_column(tmp_path):
    with pytest.raises(_io.RawFileError, match=r"mcs2024-antim_world\.csv, line 2, column 'Prod_t_est_2023'"):
        usgs_world._read_world_file(_world_file(tmp_path, "4o000"), "MCS2024")


def test_negative_tonnage_is_refused(tmp_path):
    with pytest.raises(_io.RawFileError, match=r"line 2, column 'Prod_t_est_2023': negative quantity"):
        usgs_world._read_world_file(_world_file(tmp_path, "-5"), "MCS2024")


def test_unknown_unit_is_refused():
    d = {"Section": "World Mine Production and Reserves", "Statistics": "Production", "Commodity": "Antimony",
         "Statistics_detail": "Mine production", "Unit": "metric furlongs", "Country": "China", "Year": "2025",
         "Value": "60,000", "Notes": "", "_where": "MCS2026_Commodities_Data.csv, line 7"}
    with pytest.raises(_io.RawFileError, match=r"line 7, column 'Unit': unknown unit 'metric furlongs'"):
        usgs_world.read_mcs2026([d])


def test_malformed_csv_names_the_line(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text('a,b\n1,"2\n', encoding="utf-8")
    with pytest.raises(_io.RawFileError, match=r"bad\.csv, line \d+: malformed CSV"):
        _io.read_rows(f)


@pytest.mark.parametrize("raw, expected", [(">50", (50.0, "censored_gt")), ("<1", (1.0, "censored_lt")),
                                           ("s", (0.5, "censored_lt")), ("Less than 1/2 unit.", (0.5, "censored_lt")),
                                           ("W", (None, "withheld")), ("NA", (None, "not_available")),
                                           ("—", (0.0, "zero")), ("1,234e", (1234.0, "estimated")), ("", None)])
def test_parse_value(raw, expected):
    assert _usgs.parse_value(raw) == expected


def test_parse_value_refuses_garbage():
    with pytest.raises(_usgs.ValueParseError):
        _usgs.parse_value("12x4")
    assert re.search("12x4", str(pytest.raises(_io.RawFileError, _usgs.parse_at, "12x4", "f.csv, line 3").value))
