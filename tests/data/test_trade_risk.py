"""Validation of the CEPII BACI trade tables, the World Bank WGI and the World Mining Data tables."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from critmin import paths
from critmin.data import read_resource

try:
    from critmin.data import countries
except ImportError:
    from critmin.data import countries

BACI = ["baci_products", "baci_countries", "baci_pakistan_exports", "baci_us_imports", "baci_world_exports"]
RESOURCES = BACI + ["wgi", "wmd_usgs_check", "wmd_pakistan"]
FLOWS = {"baci_pakistan_exports": "partner", "baci_us_imports": "exporter", "baci_world_exports": "exporter"}


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return {n: read_resource(n) for n in RESOURCES + ["minerals", "production"]}


def one(df: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=df.index)
    for c, v in where.items():
        mask &= df[c] == v
    hits = df.loc[mask]
    assert len(hits) == 1, f"expected one row for {where}, found {len(hits)}"
    return hits.iloc[0]


@pytest.mark.parametrize("name", RESOURCES)
def test_resource_validates_and_is_small(name, t):
    assert len(t[name]) > 0
    assert (paths.data_dir() / f"{name}.csv").stat().st_size < 4_000_000, f"{name}.csv is too large for git"


def test_data_folder_stays_well_under_20_mb():
    total = sum(p.stat().st_size for p in paths.data_dir().rglob("*") if p.is_file())
    assert total < 12_000_000, f"data/ holds {total / 1e6:.1f} MB"


# --- codes -----------------------------------------------------------------------------------------------

def test_products_cover_74_codes_and_known_minerals(t):
    prod = t["baci_products"]
    assert len(prod) == 74 and prod["hs_code"].str.fullmatch(r"\d{6}").all()
    assert set(prod["mineral"].dropna()) <= set(t["minerals"]["mineral"])
    # the deal's ores and the big Pakistani export are mapped
    for code, mineral in [("260300", "copper"), ("261710", "antimony"), ("261000", "chromium"), ("261100", "tungsten")]:
        assert one(prod, hs_code=code)["mineral"] == mineral
    assert prod.loc[prod["basket"], "hs_code"].tolist() == ["261400", "261690", "280450"]


@pytest.mark.parametrize("name", list(FLOWS))
def test_flow_codes_are_known(name, t):
    df, who = t[name], FLOWS[name]
    assert set(df["hs_code"]) <= set(t["baci_products"]["hs_code"])
    cty = t["baci_countries"].set_index("baci_code")
    codes = df[f"{who}_code"].dropna().astype(int)
    assert set(codes) <= set(cty.index)
    # the ISO code of every row is the one of its BACI code
    expected = codes.map(cty["iso3"]).fillna("")
    got = df.loc[codes.index, f"{who}_iso3"].fillna("")
    assert (expected == got).all()
    assert got.str.len().gt(0).mean() > 0.95  # nearly every partner is one country


def test_book_tables_only_hold_codes_of_the_book_minerals(t):
    book = set(t["baci_products"].dropna(subset=["mineral"])["hs_code"])
    assert set(t["baci_us_imports"]["hs_code"]) <= book
    assert set(t["baci_world_exports"]["hs_code"]) <= book
    assert len(set(t["baci_pakistan_exports"]["hs_code"]) - book) > 0  # Pakistan's table keeps every code


def test_country_codes_agree_with_country_converter(t):
    cty = t["baci_countries"]
    assert one(cty, baci_code=586)["iso3"] == "PAK"
    assert one(cty, baci_code=156)["iso3"] == "CHN"
    assert one(cty, baci_code=842)["iso3"] == "USA"
    assert one(cty, baci_code=490)["row_kind"] == "other"
    assert one(cty, baci_code=58)["row_kind"] == "group"
    assert one(cty, baci_code=531)["country"] == "Curaçao"  # repaired double decoding
    for iso in cty["iso3"].dropna():
        assert countries.to_name(iso)
    assert cty.dropna(subset=["iso3"]).groupby("iso3")["last_year"].count().max() <= 2


def test_wgi_codes_are_known_and_unique(t):
    wgi = t["wgi"]
    for iso in wgi["iso3"].unique():
        assert countries.to_name(iso)
    assert not {"ANT", "R20", "PUS"} & set(wgi["iso3"])
    assert wgi.groupby("iso3").size().max() <= 26


# --- hand-checked values (raw files in cepii-baci-hs92-minerals/, wb-wgi-political-stability/, bmk-...) ----

def test_pakistan_chromite_2023_by_hand(t):
    pak = t["baci_pakistan_exports"]
    china = one(pak, hs_code="261000", year=2023, partner_code=156)
    assert (china["value_kusd"], china["quantity_t"]) == (106603.186, 429342.124)
    japan = one(pak, hs_code="261000", year=2023, partner_code=392)
    assert (japan["value_kusd"], japan["quantity_t"]) == (11713.145, 24599.584)
    year = pak[(pak["hs_code"] == "261000") & (pak["year"] == 2023)]
    assert len(year) == 15
    # the 15 raw rows add up to 123,923.604 thousand US$, of which China has 86 %
    assert year["value_kusd"].sum() == pytest.approx(123923.604)


def test_us_antimony_ore_imports_2020_by_hand(t):
    us = t["baci_us_imports"]
    rows = us[(us["hs_code"] == "261710") & (us["year"] == 2020)].set_index("exporter_iso3")
    assert len(rows) == 6
    assert rows.loc["CHN", "value_kusd"] == 302.624 and rows.loc["CHN", "quantity_t"] == 38.268
    assert rows.loc["ITA", "value_kusd"] == 221.559


def test_world_germanium_exports_1996_by_hand(t):
    w = t["baci_world_exports"]
    ge = w[(w["hs_code"] == "811230") & (w["year"] == 1996)]
    aut = one(ge, exporter_code=40)  # 1.322 to Czechia (no quantity) + 6.27 (0.006 t) to the US
    assert (aut["value_kusd"], aut["quantity_t"], aut["value_kusd_no_quantity"]) == (7.592, 0.006, 1.322)
    taiwan = one(ge, exporter_code=490)  # one flow of 32 without quantity
    assert taiwan["row_kind"] == "other" and pd.isna(taiwan["quantity_t"]) and taiwan["value_kusd"] == 32
    small = one(ge, row_kind="small_exporters")  # Canada 4.508, Belarus 0.529, Italy 0.693
    assert small["n_exporters"] == 3 and small["value_kusd"] == pytest.approx(5.73)
    assert small["quantity_t"] == pytest.approx(0.186)


def test_wgi_values_by_hand(t):
    wgi = t["wgi"]
    assert one(wgi, iso3="PAK", year=1996)["estimate"] == pytest.approx(-1.127328)
    assert one(wgi, iso3="CHN", year=1996)["estimate"] == pytest.approx(-0.097849)
    pak = wgi[wgi["iso3"] == "PAK"]
    assert len(pak) == 26 and pak["estimate"].lt(0).all()


def test_wmd_values_by_hand(t):
    pak = t["wmd_pakistan"]
    assert one(pak, commodity="Copper", year=2024)["value"] == 23865
    chrome = one(pak, commodity="Chromium (Cr2O3)", year=2018)
    assert chrome["value"] == 38970 and chrome["mineral"] == "chromium" and not chrome["basis_as_usgs"]
    sb = one(t["wmd_usgs_check"], mineral="antimony", iso3="CHN", year=2021)
    assert (sb["usgs_value"], sb["wmd_value"], sb["kind"]) == (61000, 41480, "differs")


# --- rules -------------------------------------------------------------------------------------------------

def test_small_exporters_are_below_the_threshold_and_kept_ones_above(t):
    w = t["baci_world_exports"]
    total = w.groupby(["hs_code", "year"])["value_kusd"].transform("sum")
    share = w["value_kusd"] / total
    small = w["row_kind"] == "small_exporters"
    assert (share[~small] >= 0.0001 - 1e-12).all()
    assert (w.loc[small, "n_exporters"] >= 1).all() and (w.loc[~small, "n_exporters"] == 1).all()
    assert w.loc[small, "exporter_code"].isna().all() and w.loc[~small, "exporter_code"].notna().all()
    assert (w["value_kusd_no_quantity"] <= w["value_kusd"] + 1e-6).all()
    assert w.groupby(["hs_code", "year"])["row_kind"].apply(lambda s: (s == "small_exporters").sum()).max() <= 1


def test_wgi_ranks_only_where_they_are_percentile_ranks(t):
    wgi = t["wgi"]
    late = wgi["year"] >= 2023
    assert wgi.loc[late, ["percentile_rank", "rank_lower", "rank_upper"]].isna().all().all()
    early = wgi[~late].dropna(subset=["percentile_rank"])
    assert (early["rank_lower"] <= early["percentile_rank"]).all()
    assert (early["percentile_rank"] <= early["rank_upper"]).all()
    span = early.groupby("year")["percentile_rank"].agg(["min", "max"])
    assert (span["min"] == 0).all() and (span["max"] == 100).all()


def test_wmd_disagreements_meet_the_stated_threshold(t):
    chk, prod = t["wmd_usgs_check"], t["production"]
    scale = {"t": 1, "kt": 1e3, "Mt": 1e6, "kg": 1e-3}
    countries_ = prod[(prod["row_kind"] == "country") & prod["value"].notna()]
    world = (countries_["value"] * countries_["unit"].map(scale)).groupby(
        [countries_["mineral"], countries_["stage"], countries_["year"]]).sum()
    for _, r in chk.iterrows():
        w = world[(r["mineral"], r["stage"], r["year"])] / scale[r["unit"]]
        assert abs(r["difference"]) > 0.01 * w, r.to_dict()
        if r["kind"] == "differs":
            assert abs(r["difference"]) > 0.2 * r["usgs_value"], r.to_dict()
            assert r["difference"] == pytest.approx(r["wmd_value"] - r["usgs_value"], abs=1e-6)
        elif r["kind"] == "only_wmd":
            assert pd.isna(r["usgs_value"]) and r["wmd_value"] > 0
        else:
            assert pd.isna(r["wmd_value"]) and r["usgs_value"] > 0


def test_wmd_pakistan_lists_only_what_usgs_omits(t):
    pak, prod = t["wmd_pakistan"], t["production"]
    usgs_pak = set(prod.loc[prod["iso3"] == "PAK", "mineral"])
    assert usgs_pak and not (set(pak["mineral"].dropna()) & usgs_pak)
    assert pak["secondary"].all()
    assert {"Copper", "Chromium (Cr2O3)", "Steam Coal", "Gypsum and Anhydrite", "Salt (rock, brines, marine)"} \
        <= set(pak["commodity"])


# --- curation reproduces the committed files --------------------------------------------------------------

RAW = os.environ.get("CRITMIN_RAW")


@pytest.mark.skipif(not RAW, reason="set CRITMIN_RAW to the raw reference folder to re-run the curation")
@pytest.mark.parametrize("step", ["baci", "wgi", "wmd"])
def test_curation_reproduces_committed_files(step, tmp_path):
    import importlib

    module = importlib.import_module(f"critmin.curate.{step}")
    written = module.curate(Path(RAW), tmp_path)
    assert written
    for p in written:
        rel = p.relative_to(tmp_path)
        assert p.read_bytes() == (paths.data_dir() / rel).read_bytes(), f"{rel} differs from a fresh curation"


# --- curation rules on small hand-made raw files ------------------------------------------------------------

def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        import gzip

        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_baci_negative_value_names_file_line_and_column(tmp_path):
    from critmin.curate import baci

    _write(tmp_path / baci.FOLDER / baci.FLOWS, "t,i,j,k,v,q\n2020,586,156,261000,5.0,1\n2020,586,156,260300,-1,2\n")
    with pytest.raises(ValueError, match=r"line 3, column 'v': negative value"):
        baci.read_flows(tmp_path)


def test_baci_unmapped_code_is_refused(tmp_path):
    from critmin.curate import baci

    _write(tmp_path / baci.FOLDER / baci.FLOWS, "t,i,j,k,v,q\n2020,586,156,740200,5.0,1\n")
    with pytest.raises(ValueError, match="without a mapping: \\['740200'\\]"):
        baci.read_flows(tmp_path)


def test_baci_country_code_must_match_its_name(tmp_path):
    from critmin.curate import baci

    _write(tmp_path / baci.FOLDER / baci.COUNTRY_FILE,
           "country_code,country_name,country_iso2,country_iso3\n586,Pakistan,PK,PAK\n156,China,CN,IND\n")
    with pytest.raises(ValueError, match="line 3: name 'China' matches"):
        baci.country_table(tmp_path, {})


def test_baci_repairs_doubly_decoded_names():
    from critmin.curate import baci

    assert baci._repair("CuraÃ§ao") == "Curaçao" and baci._repair("Türkiye") == "Türkiye"


def _wgi_raw(tmp_path: Path, rows: dict[str, list[str]]) -> Path:
    from critmin.curate import wgi

    head = "Country/Territory,Code," + ",".join(map(str, wgi.YEARS)) + ",country_code\n"
    for stat in wgi.FILES:
        body = "".join(f"{r}\n" for r in rows.get(stat, rows["default"]))
        _write(tmp_path / wgi.FOLDER / f"wgi_pv_{stat}.csv", head + body)
    return tmp_path


def _wgi_row(name: str, code: str, value: str) -> str:
    from critmin.curate import wgi

    return f"{name},{code}," + ",".join([value] * len(wgi.YEARS)) + ",1"


def test_wgi_non_number_names_file_line_and_column(tmp_path):
    from critmin.curate import wgi

    raw = _wgi_raw(tmp_path, {"default": [_wgi_row("Pakistan", "PAK", "-1.0"), _wgi_row("China", "CHN", "x")]})
    with pytest.raises(ValueError, match=r"wgi_pv_estimate.csv, line 3, column '1996': 'x' is not a number"):
        wgi.read_raw(raw)


def test_wgi_keeps_the_row_with_more_sources(tmp_path):
    from critmin.curate import wgi

    raw = _wgi_raw(tmp_path, {
        "default": [_wgi_row("Guyana", "GUY", "0.5"), _wgi_row("Guyana", "GUY", "-0.5")],
        "numsrc": [_wgi_row("Guyana", "GUY", "1"), _wgi_row("Guyana", "GUY", "6")],
    })
    out = wgi.tidy(wgi.read_raw(raw))
    assert set(out["estimate"]) == {"-0.5"} and len(out) == len(wgi.YEARS)


def test_wmd_negative_output_names_file_line_and_column(tmp_path):
    from critmin.curate import wmd

    head = "commodity,Country,Country_Code,Country_ISO,2018,2019,2020,2021,2022,2023,2024,unit,data_source\n"
    _write(tmp_path / wmd.FOLDER / wmd.FILE, head + "Copper,Pakistan,586,PAK,1,2,3,4,5,6,7,metr. t,r\n"
                                                  "Copper,Chile,152,CHL,1,2,-3,4,5,6,7,metr. t,r\n")
    with pytest.raises(ValueError, match=r"line 3, column '2020': negative output"):
        wmd.read_raw(tmp_path)


def test_wmd_code_must_match_the_name(tmp_path):
    from critmin.curate import wmd

    head = "commodity,Country,Country_Code,Country_ISO,2018,2019,2020,2021,2022,2023,2024,unit,data_source\n"
    _write(tmp_path / wmd.FOLDER / wmd.FILE, head + "Copper,Chile,152,PER,1,2,3,4,5,6,7,metr. t,r\n")
    with pytest.raises(ValueError, match="does not match the country name 'Chile'"):
        wmd.read_raw(tmp_path)
