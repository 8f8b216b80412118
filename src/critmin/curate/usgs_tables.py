"""USGS Mineral Commodity Summaries 2026 summary tables: Table 4 (export controls) → data/usgs_export_controls.csv,
and a reader for Table 7 (leading producer and its share of world output) used by the processing step.

Table 4 lists, per country, the kind of control and the commodities it covers with the year each was imposed, in
one sentence ("Antimony (2024), bismuth (2025), ... and items related to lithium batteries ... (2025)."). The
sentence is split into one row per item and year; each item is mapped to mineral ids by an explicit table below,
so an item this module has never seen stops the curation instead of being guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from critmin.data import countries

from ._io import check_raw, write_csv

FOLDER = "usgs-mcs2026"
T4 = "tables/MCS2026_T4_Country_Export_Control.csv"
T7 = "tables/MCS2026_T7_Critical_Minerals_Salient.csv"
NAME = "usgs_export_controls"
EDITION = "MCS2026"
DOI_RELEASE = "https://doi.org/10.5066/P1WKQ63T"
DOI_REPORT = "https://doi.org/10.3133/mcs2026"

# Table 4 item (lower case, as printed) → mineral ids (data/minerals.csv). An empty tuple: no registry mineral.
# NOTE: mappings are read from the item's own words only: 'cassiterite' is tin ore, 'columbite-tantalite' niobium
# and tantalum ore, 'iron' the iron-ore series, 'lead-zinc' both lead and zinc, 'chromite' chromium. 'Magnesium
# materials' is filed under magnesium metal, the only magnesium id, and 'items related to lithium batteries and
# artificial graphite anode materials' under lithium and graphite, although the items are battery products and
# synthetic graphite rather than the mined minerals. Precious-metal catalysts and generic scrap get no id.
ITEM_MINERALS: dict[str, tuple[str, ...]] = {
    "quartz and gypsum": (),
    "raw diamonds": (),
    "bauxite": ("bauxite",),
    "copper concentrates": ("copper",),
    "nickel ore": ("nickel",),
    "raw minerals, including copper, gold, iron, nickel, potassium, silver, and zinc":
        ("copper", "gold", "iron_ore", "nickel", "silver", "zinc"),
    "raw rare earths": ("rare_earths",),
    "ores and concentrates of cobalt, graphite, lithium, manganese, and rare earths":
        ("cobalt", "graphite", "lithium", "manganese", "rare_earths"),
    "steel waste and scrap, tungsten scrap, and enriched uranium": ("tungsten",),
    "metal waste and scrap": (),
    "ore concentrates of copper, gold, nickel, and silver": ("copper", "gold", "nickel", "silver"),
    "natural sand": (),
    "bauxite, cassiterite, columbite-tantalite, copper, gold, rhodium, silver, and thorium":
        ("bauxite", "copper", "gold", "niobium", "silver", "tantalum", "tin"),
    "raw materials of iron, lead-zinc, chromite, manganese, apatite, and rare earths and deeply processed titanium":
        ("chromium", "iron_ore", "lead", "manganese", "rare_earths", "titanium", "zinc"),
    "lithium ore": ("lithium",),
    "antimony": ("antimony",),
    "bismuth": ("bismuth",),
    "synthesized diamond": (),
    "gallium": ("gallium",),
    "germanium": ("germanium",),
    "graphite": ("graphite",),
    "indium": ("indium",),
    "magnesium materials": ("magnesium",),
    "molybdenum": ("molybdenum",),
    "rare earths": ("rare_earths",),
    "silver": ("silver",),
    "tellurium": ("tellurium",),
    "tungsten": ("tungsten",),
    "items related to lithium batteries and artificial graphite anode materials": ("graphite", "lithium"),
    "cobalt": ("cobalt",),
    "copper (refined and alloys) and aluminum ingots": ("aluminum", "copper"),
    "chromite ore": ("chromium",),
    "ferrous ingot and ferrous metal waste and scrap": (),
    "catalysts and waste containing precious metals": (),
}
_ITEM = re.compile(r"(.+?)\s*\((\d{4})\)")
_LEAD = re.compile(r"^(?:,\s*)?(?:and\s+)?")

COLUMNS = ["country", "iso3", "control_type", "item", "year_imposed", "minerals", "source_url", "edition"]


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path}: MCS 2026 summary table missing")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def split_items(text: str, where: str) -> list[tuple[str, int]]:
    """'Antimony (2024), bismuth (2025), and x (2025).' → [('Antimony', 2024), ('bismuth', 2025), ('x', 2025)]."""
    body = text.strip().rstrip(".").strip()
    out, pos = [], 0
    for m in _ITEM.finditer(body):
        if body[pos:m.start()].strip(" ,"):
            raise ValueError(f"{where}: text outside an 'item (year)' pair: {body[pos:m.start()]!r}")
        item = _LEAD.sub("", m.group(1).strip()).strip()
        out.append((item, int(m.group(2))))
        pos = m.end()
    if body[pos:].strip(" ,") or not out:
        raise ValueError(f"{where}: cannot split {text!r} into 'item (year)' pairs")
    return out


def read_t4(raw: Path) -> pd.DataFrame:
    path = raw / FOLDER / T4
    df = _read(path)
    rows = []
    for i, r in df.iterrows():
        where = f"{path}, line {i + 2}, column 'Commodity_Year'"
        name = countries.clean_name(r["Country"])
        iso3 = countries.to_iso3(name)
        if not iso3:
            raise ValueError(f"{path}, line {i + 2}, column 'Country': no ISO 3166 code for {name!r}")
        for item, year in split_items(r["Commodity_Year"], where):
            key = item.lower()
            if key not in ITEM_MINERALS:
                raise ValueError(f"{where}: item {item!r} not in usgs_tables.ITEM_MINERALS; map it to mineral ids")
            rows.append({
                "country": name,
                "iso3": iso3,
                "control_type": " ".join(r["Control_Type"].split()),
                "item": item[0].upper() + item[1:],
                "year_imposed": year,
                "minerals": ";".join(ITEM_MINERALS[key]),
                "source_url": r["Data_source"].strip(),
                "edition": EDITION,
            })
    out = pd.DataFrame(rows, columns=COLUMNS)
    key = ["country", "item", "year_imposed"]
    if out.duplicated(key).any():
        raise ValueError(f"{path}: duplicate items {out[out.duplicated(key, keep=False)]}")
    return out.sort_values(key).reset_index(drop=True)


def read_t7(raw: Path) -> pd.DataFrame:
    """Table 7 as published, with the mineral name cleaned of trailing spaces and footnote digits."""
    path = raw / FOLDER / T7
    df = _read(path)
    need = ["Year", "Units", "Critical_mineral", "Prod_notes", "Leading_source_country", "Leading_country_prod",
            "Leading_source_precent_world", "World_total_prod", "World_prod_notes"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{path}, header: missing column(s) {missing}")
    df = df.copy()
    df["line"] = df.index + 2
    df["Critical_mineral"] = df["Critical_mineral"].map(lambda s: re.sub(r"\d+$", "", s.strip()).strip())
    df["Leading_source_country"] = df["Leading_source_country"].str.strip()
    return df


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw('usgs_tables', raw)
    df = read_t4(raw)
    return [write_csv(df, out / f"{NAME}.csv")]
