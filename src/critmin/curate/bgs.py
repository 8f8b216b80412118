"""BGS World Mineral Statistics (production by country, 1970–2021) → data/production_history.csv.

The raw file is the BGS online database as scraped into one semicolon-separated table
(`Country;commodity_code;commodity_desc;Sub-commodity;year;value`, tonnes). Only the commodities the
book uses are kept, each mapped to a mineral id and a supply-chain stage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.data import countries

from ._io import check_raw, write_csv

FOLDER = "bgs-wms-1970-2021"
RAW_FILE = "bgs_world_mineral_statistics_production_1970_2021.csv"
NAME = "production_history"

# BGS commodity code → (mineral id, stage). The product column keeps BGS's own label so every row
# can be traced back to the WMS commodity it came from.
COMMODITIES: dict[str, tuple[str, str]] = {
    "3": ("aluminum", "smelter"),  # aluminium primary
    "30": ("chromium", "mine"),  # chromium ores and concentrates (gross weight)
    "36": ("cobalt", "mine"),
    "37": ("cobalt", "refinery"),
    "40": ("copper", "mine"),
    "41": ("copper", "smelter"),
    "42": ("copper", "refinery"),
    "62": ("graphite", "mine"),
    # NOTE: brine operations (Chile, Argentina) report carbonate/chloride as their first marketable
    # product; like USGS, these count as mine output. Only Li-content rows are used (see below).
    "84": ("lithium", "mine"),
    "90": ("manganese", "mine"),  # manganese ore (gross weight)
    "99": ("molybdenum", "mine"),
    "102": ("nickel", "mine"),
    "103": ("nickel", "refinery"),  # nickel smelter/refined
    "153": ("zinc", "mine"),
    "154": ("zinc", "refinery"),  # zinc slab
    # NOTE: code 119 (rare earth minerals) is gross weight of monazite, bastnaesite, xenotime and
    # loparite and has no China rows after about 2010, so it is left out; 736 (oxides) is used instead.
    "736": ("rare_earths", "mine"),
}

# NOTE: lithium minerals mixes gross mineral weight (spodumene, petalite, carbonate, ...) with
# lithium-content rows. Summing them would add tonnes of ore to tonnes of lithium, so only the
# Li-content sub-commodities are kept (BGS reports them from 2017).
LITHIUM_LI_CONTENT = {
    "Lithium minerals (Li content)",
    "Lithium minerals (Carbonate -Li content)",
    "Lithium minerals (Chloride -Li content)",
}

# NOTE: for manganese (South Africa 1974–2014) the Chemical / Metallurgical / ferruginous rows are a
# breakdown of the country total, and nickel 'Sulfate' (Cyprus, Morocco) is a salt in gross weight;
# both would double count or mix bases, so only the unlabelled total rows are kept.

# NOTE: USSR, Yugoslavia, Czechoslovakia, the two Germanies and Serbia and Montenegro are kept as
# published (row_kind group, no ISO code). Splitting them among successor states would need
# assumptions BGS does not make, and adding them to one successor would create a break in that
# country's series. Zaire, Rhodesia and New Hebrides are earlier names of one current state
# (DR Congo, Zimbabwe, Vanuatu) with no overlap in years, so they keep their name but get that ISO code.

STAGES = ["mine", "smelter", "refinery", "processing"]
COLUMNS = ["mineral", "stage", "product", "country", "iso3", "row_kind", "year", "value", "unit", "source"]


def read_raw(raw: Path) -> pd.DataFrame:
    return pd.read_csv(
        raw / FOLDER / RAW_FILE, sep=";", dtype=str, keep_default_na=False, encoding="utf-8"
    )


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    df = df[df["commodity_code"].isin(COMMODITIES)].copy()
    sub = df["Sub-commodity"].str.strip()
    is_li = df["commodity_code"] == "84"
    keep = (is_li & sub.isin(LITHIUM_LI_CONTENT)) | (~is_li & (sub == ""))
    df = df[keep]
    # NOTE: blank cells in the BGS extract are mostly nil output (e.g. Italy's primary aluminium after
    # its smelter closed) but cannot be told apart from 'no data', so they are dropped, not read as 0.
    df = df[df["value"].str.strip() != ""]
    mapped = df["commodity_code"].map(COMMODITIES)
    out = pd.DataFrame(
        {
            "mineral": mapped.str[0],
            "stage": mapped.str[1],
            "product": sub[df.index].where(is_li[df.index], df["commodity_desc"]),
            "country": df["Country"].map(countries.clean_name),
            "year": df["year"].astype(int),
            "value": df["value"].astype(int),
            "unit": "t",
            "source": "BGS WMS commodity " + df["commodity_code"],
        }
    )
    out["row_kind"] = out["country"].map(countries.row_kind)
    out["iso3"] = out["country"].map(lambda n: countries.to_iso3(n) or "")
    bad = out.loc[~out["iso3"].str.fullmatch(r"([A-Z]{3})?"), "country"].unique()
    if len(bad):
        raise ValueError(f"BGS country names without an ISO 3166 code: {sorted(bad)}")
    out = out[COLUMNS].sort_values(["mineral", "stage", "product", "country", "year"]).reset_index(drop=True)
    if out.duplicated(["mineral", "stage", "product", "country", "year"]).any():
        raise ValueError("duplicate BGS observations after mapping")
    return out


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw("bgs", raw)
    df = tidy(read_raw(raw))
    return [write_csv(df, out / f"{NAME}.csv")]
