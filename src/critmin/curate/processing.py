"""Country shares at each stage after the mine → data/processing.csv, and the stage vocabulary → data/processing_stages.csv.

Three publishers' files, all read raw from the raw folder's iea-critical-minerals/ and usgs-mcs2026/:
- the IEA Critical Minerals Data Explorer workbook (May 2024, base year 2023): mining and refining by country for
  copper, cobalt, lithium, nickel, battery-grade graphite and magnet rare earths;
- the USGS Mineral Commodity Summaries 2026 data release: world refinery, smelter, low-purity and sponge
  production (and capacity) by country, 2024 and 2025, for the minerals processed after the mine;
- USGS MCS 2026 Table 7: the leading producing country of each critical mineral and its share of world output.

One row per country (residual 'other' rows are left out; the remainder is 100 minus the named shares), with the
tonnage, the world total used as denominator, the share in percent, the publisher, edition, URL, licence and a
reliability grade (GRADES). Stages follow one ordered vocabulary (STAGES); what each stage means for each mineral
is written out in MINERAL_STAGES and published as processing_stages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from critmin.data import countries

from . import iea, usgs_tables
from ._io import check_raw, write_csv

OUT = "processing"
STAGES_NAME = "processing_stages"

# Ordered stage vocabulary: mine → refining → metal → product.
STAGES: dict[str, tuple[int, str]] = {
    "mine": (1, "ore or concentrate from the mine"),
    "refining": (2, "first processing after the mine: smelting, refining, separation or chemical conversion "
                    "into a refined metal, oxide or chemical"),
    "metal": (3, "reduction of refined compounds to metal (rare-earth metals, titanium sponge)"),
    "product": (4, "manufactured material made from processed output (magnets, battery anode material)"),
}

# Reliability grades.
GRADES: dict[str, str] = {
    "primary-statistics": "a figure a primary publisher (USGS, IEA) reports as production in its statistical "
                          "tables, not marked as an estimate",
    "primary-estimate": "a primary publisher's own estimate (USGS 'Estimated.', the current year of an MCS "
                        "edition, or a published rounded share)",
    "capacity-not-output": "share of production capacity, not of output: says where plants are, not what they "
                           "produced",
}

# What each stage is for each mineral, mine to product. Stages with no row in processing are kept: the chain
# shows where data are missing (rare-earth metals, magnets, APT, anode material).
MINERAL_STAGES: dict[str, list[tuple[str, str]]] = {
    "rare_earths": [("mine", "mined concentrate (rare-earth oxide equivalent)"),
                    ("refining", "separated rare-earth oxides and compounds"),
                    ("metal", "rare-earth metals and alloys"),
                    ("product", "NdFeB and SmCo permanent magnets")],
    "gallium": [("refining", "low-purity primary gallium recovered from alumina or zinc process liquors"),
                ("metal", "high-purity refined gallium"),
                ("product", "gallium arsenide and gallium nitride wafers")],
    "germanium": [("refining", "germanium refinery output (primary and secondary)"),
                  ("product", "germanium wafers, optics and fibre-optic chemicals")],
    "antimony": [("mine", "antimony in concentrate"),
                 ("refining", "antimony trioxide and antimony metal")],
    "tungsten": [("mine", "tungsten in concentrate"),
                 ("refining", "ammonium paratungstate (APT) and tungsten oxides"),
                 ("metal", "tungsten powder, carbide and metal")],
    "graphite": [("mine", "natural graphite, mostly flake"),
                 ("refining", "battery-grade graphite: spherical purified natural and synthetic anode grade"),
                 ("product", "coated anode material")],
    "copper": [("mine", "copper in concentrate"), ("refining", "refined copper (cathode)")],
    "cobalt": [("mine", "cobalt in concentrate and intermediates"), ("refining", "refined cobalt metal and chemicals")],
    "lithium": [("mine", "lithium in spodumene and brine"),
                ("refining", "lithium chemicals (carbonate, hydroxide), lithium content")],
    "nickel": [("mine", "nickel in ore and concentrate"), ("refining", "refined nickel, all classes")],
    "bismuth": [("mine", "bismuth in concentrate"), ("refining", "refined bismuth")],
    "cadmium": [("refining", "refined cadmium, a by-product of zinc refining")],
    "selenium": [("refining", "refined selenium, from copper refinery slimes")],
    "indium": [("refining", "refined indium, a by-product of zinc refining")],
    "tellurium": [("refining", "refined tellurium, from copper refinery slimes")],
    "magnesium": [("refining", "primary magnesium metal from smelters")],
    "titanium": [("mine", "ilmenite concentrate (TiO2 content)"),
                 ("refining", "titanium slag, tetrachloride and pigment"),
                 ("metal", "titanium sponge")],
}

LICENCES = {"us-pd": "USGS", "CC-BY-4.0": "IEA"}

# --- IEA ---------------------------------------------------------------------------------------------------------
IEA_PUBLISHER = "International Energy Agency"
IEA_EDITION = "Critical Minerals Data Explorer, May 2024 (base year 2023)"
IEA_TITLE = "Critical Minerals Data Explorer, sheet '2 Total supply for key minerals'"
IEA_URL = "https://www.iea.org/data-and-statistics/data-product/critical-minerals-dataset"
IEA_PRODUCTS = {
    ("copper", "mine"): "copper, mine production",
    ("copper", "refining"): "refined copper",
    ("cobalt", "mine"): "cobalt, mine production",
    ("cobalt", "refining"): "refined cobalt",
    ("lithium", "mine"): "lithium, mine production (lithium content)",
    ("lithium", "refining"): "lithium chemicals (lithium content)",
    ("nickel", "mine"): "nickel, mine production",
    ("nickel", "refining"): "refined nickel (all classes)",
    ("graphite", "mine"): "natural graphite, mine production",
    ("graphite", "refining"): "battery-grade graphite (natural and synthetic)",
    ("rare_earths", "mine"): "magnet rare earths (Nd, Pr, Dy, Tb), mine production",
    ("rare_earths", "refining"): "magnet rare earths (Nd, Pr, Dy, Tb), refined oxides",
}

# --- USGS ---------------------------------------------------------------------------------------------------------
USGS_PUBLISHER = "U.S. Geological Survey, National Minerals Information Center"
USGS_EDITION = "Mineral Commodity Summaries 2026 (data release, report version 1.3)"
USGS_URL = usgs_tables.DOI_RELEASE
MCS_FILE = "MCS2026_Commodities_Data.csv"
# (Commodity, Statistics_detail prefix) in the data release's world tables → (mineral, stage, product, measure).
MCS_SERIES: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("Bismuth", "Refinery production"): ("bismuth", "refining", "refined bismuth", "output"),
    ("Bismuth", "Production capacity"): ("bismuth", "refining", "refined bismuth, capacity", "capacity"),
    ("Cadmium", "Refinery production"): ("cadmium", "refining", "refined cadmium", "output"),
    ("Copper", "Refinery production"): ("copper", "refining", "refined copper", "output"),
    ("Gallium", "Primary production"): ("gallium", "refining", "low-purity primary gallium", "output"),
    ("Gallium", "Production capacity"): ("gallium", "refining", "low-purity primary gallium, capacity", "capacity"),
    ("Indium", "Refinery production"): ("indium", "refining", "refined indium", "output"),
    ("Indium", "Refinery capacity"): ("indium", "refining", "refined indium, capacity", "capacity"),
    ("Magnesium Metal", "Smelter production"): ("magnesium", "refining", "primary magnesium metal", "output"),
    ("Magnesium Metal", "Smelter capacity"): ("magnesium", "refining", "primary magnesium metal, capacity",
                                              "capacity"),
    ("Selenium", "Refinery production"): ("selenium", "refining", "refined selenium", "output"),
    ("Tellurium", "Refinery production"): ("tellurium", "refining", "refined tellurium", "output"),
    ("Tellurium", "Refinery capacity"): ("tellurium", "refining", "refined tellurium, capacity", "capacity"),
    ("Titanium Sponge Metal", "Titanium sponge metal production"): ("titanium", "metal", "titanium sponge", "output"),
    ("Titanium Sponge Metal", "Titanium sponge metal Capacity"): ("titanium", "metal", "titanium sponge, capacity",
                                                                  "capacity"),
}
UNIT_TONNES = {"metric tons": 1.0, "kilograms": 0.001, "thousand metric tons": 1000.0}

# MCS 2026 Table 7 mineral → (mineral id, stage, product), or None where the registry has no id.
# NOTE: Table 7's world column is the mine stage for most minerals; for bismuth, indium and tellurium it is
# refinery output, for gallium low-purity primary output, for magnesium smelter output and for titanium sponge
# metal (the data release's world tables for the same minerals agree). 'Rare earths (compounds and metals)' names
# the US import series; its world figure (China 270,000 of 390,000 t) is mine production of rare-earth oxide.
# Arsenic, boron, phosphate rock, potash, scandium, silicon and yttrium have no id in minerals.csv and are left
# out (silicon: China 4,000,000 of 4,600,000 t of silicon metal and ferrosilicon, 87%).
T7_MINERALS: dict[str, tuple[str, str, str] | None] = {
    "Aluminum (bauxite)": ("bauxite", "mine", "bauxite, mine production"),
    "Antimony": ("antimony", "mine", "antimony, mine production"),
    "Arsenic": None,
    "Barite": ("barite", "mine", "barite, mine production"),
    "Beryllium": ("beryllium", "mine", "beryllium, mine production"),
    "Bismuth": ("bismuth", "refining", "refined bismuth"),
    "Boron": None,
    "Chromium": ("chromium", "mine", "chromite, mine production"),
    "Cobalt": ("cobalt", "mine", "cobalt, mine production"),
    "Copper": ("copper", "mine", "copper, mine production"),
    "Fluorspar": ("fluorspar", "mine", "fluorspar, mine production"),
    "Gallium": ("gallium", "refining", "low-purity primary gallium"),
    "Germanium": ("germanium", "refining", "germanium, refinery production"),
    "Graphite (natural)": ("graphite", "mine", "natural graphite, mine production"),
    "Indium": ("indium", "refining", "refined indium"),
    "Lead": ("lead", "mine", "lead, mine production"),
    "Lithium": ("lithium", "mine", "lithium, mine production"),
    "Magnesium": ("magnesium", "refining", "primary magnesium metal"),
    "Manganese": ("manganese", "mine", "manganese, mine production"),
    "Nickel": ("nickel", "mine", "nickel, mine production"),
    "Niobium": ("niobium", "mine", "niobium, mine production"),
    "Palladium": ("palladium", "mine", "palladium, mine production"),
    "Phosphate rock": None,
    "Platinum": ("platinum", "mine", "platinum, mine production"),
    "Potash": None,
    "Rare earths (compounds and metals)": ("rare_earths", "mine", "rare earths, mine production (REO equivalent)"),
    "Rhenium": ("rhenium", "mine", "rhenium, mine production"),
    "Scandium": None,
    "Silicon": None,
    "Silver": ("silver", "mine", "silver, mine production"),
    "Tantalum": ("tantalum", "mine", "tantalum, mine production"),
    "Tellurium": ("tellurium", "refining", "refined tellurium"),
    "Tin": ("tin", "mine", "tin, mine production"),
    "Titanium (metal)": ("titanium", "metal", "titanium sponge"),
    "Tungsten": ("tungsten", "mine", "tungsten, mine production"),
    "Vanadium": ("vanadium", "mine", "vanadium, mine production"),
    "Yttrium": None,
    "Zinc": ("zinc", "mine", "zinc, mine production"),
    "Zirconium (ores and concentrates)": ("zirconium", "mine", "zircon, mine production"),
}
T7_TITLE = "Mineral Commodity Summaries 2026, Table 7: Salient statistics of critical minerals"

SOURCE_TABLES = {
    "iea_cmde2024": "IEA workbook, sheet '2 Total supply for key minerals'",
    "mcs2026_world": "USGS MCS 2026 data release, world production tables",
    "mcs2026_t7": "USGS MCS 2026 Table 7 (leading country only)",
}
COLUMNS = ["mineral", "stage", "stage_order", "product", "measure", "country", "iso3", "year", "tonnes",
           "world_tonnes", "share_pct", "grade", "source_table", "publisher", "edition", "source_title",
           "source_url", "licence", "note"]
KEY = ["mineral", "stage", "product", "measure", "country", "year", "source_table"]
GROUP = ["mineral", "stage", "product", "measure", "year", "source_table"]


def _num(text: str) -> float | None:
    """A USGS or IEA cell as a number: '1,090' → 1090; '—' (zero) → 0; W, NA, XX, ranges and bounds → None."""
    s = str(text).strip()
    if s == "—":
        return 0.0
    s = s.replace(",", "")
    return float(s) if re.fullmatch(r"\d+(\.\d+)?", s) else None


def _fmt(v: float) -> str:
    s = f"{round(float(v), 3):.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def _iso3(name: str, where: str) -> str:
    iso3 = countries.to_iso3(name)
    if not iso3:
        raise ValueError(f"{where}: no ISO 3166 code for country {name!r}")
    return iso3


def _shares(rows: list[dict], world: dict[tuple, float]) -> list[dict]:
    """Share of each country row in its block's world total.

    NOTE: USGS world totals are rounded ('World total (rounded)'), so the named countries can add up to more
    than the total (gallium 2025: 909,000 kg named against a total of 900,000). Where that happens the sum of the
    named countries is the denominator, so that shares in one block never add up to more than 100%.
    """
    sums: dict[tuple, float] = {}
    for r in rows:
        sums[r["_block"]] = sums.get(r["_block"], 0.0) + r["_t"]
    for r in rows:
        total = world.get(r["_block"])
        if total is None:
            raise ValueError(f"no world total for {r['_block']}")
        denom = max(total, sums[r["_block"]])
        if denom <= 0:
            raise ValueError(f"world total is zero for {r['_block']}")
        r["world_tonnes"] = _fmt(denom)
        r["share_pct"] = f"{100 * r['_t'] / denom:.1f}"
    return rows


def _iea(raw: Path) -> list[dict]:
    rows = iea.read_workbook(raw / iea.FOLDER / iea.WORKBOOK)
    out, world = [], {}
    for r in rows:
        stage = "mine" if r["stage"] == "mining" else "refining"
        block = (r["mineral"], stage, r["year"])
        t = float(r["value"]) * 1000  # kt → t
        if r["row_kind"] == "world_total":
            world[block] = t
            continue
        if r["row_kind"] != "country":
            continue  # 'Rest of world': the remainder is 100 minus the named shares
        out.append({
            "_block": block, "_t": t,
            "mineral": r["mineral"], "stage": stage, "product": IEA_PRODUCTS[(r["mineral"], stage)],
            "measure": "output", "country": r["country"], "iso3": r["iso3"], "year": r["year"],
            "tonnes": _fmt(t), "grade": "primary-statistics", "source_table": "iea_cmde2024",
            "publisher": IEA_PUBLISHER, "edition": IEA_EDITION, "source_title": IEA_TITLE, "source_url": IEA_URL,
            "licence": "CC-BY-4.0", "note": "",
        })
    return _shares(out, world)


def _mcs_world(raw: Path) -> list[dict]:
    path = raw / usgs_tables.FOLDER / MCS_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: MCS 2026 data release missing")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    df = df[df["Section"].str.contains("World", na=False)]
    out, world = [], {}
    for i, r in df.iterrows():
        detail = r["Statistics_detail"].strip()
        base, _, qualifier = detail.partition(":")
        spec = MCS_SERIES.get((r["Commodity"].strip(), base.strip()))
        if spec is None:
            continue
        mineral, stage, product, measure = spec
        where = f"{path}, line {i + 2}"
        if r["Unit"] not in UNIT_TONNES:
            raise ValueError(f"{where}, column 'Unit': unknown unit {r['Unit']!r}")
        year = int(r["Year"])
        block = (mineral, stage, product, year)
        value = _num(r["Value"])
        name = countries.clean_name(r["Country"])
        kind = countries.row_kind(name)
        if kind == "world_total":
            if value is None:
                continue  # a capacity table with no world figure (lithium-like blanks) is not used
            world[block] = value * UNIT_TONNES[r["Unit"]]
            continue
        if kind != "country" or value is None:
            continue  # 'Other countries'; withheld (W) or not available cells
        qualifier = qualifier.strip()
        if qualifier == "rounded":
            raise ValueError(f"{where}: a rounded figure on a country row ({name!r})")
        t = value * UNIT_TONNES[r["Unit"]]
        notes = r["Notes"]
        estimated = "Estimated" in notes or year == 2025
        grade = "capacity-not-output" if measure == "capacity" else (
            "primary-estimate" if estimated else "primary-statistics")
        out.append({
            "_block": block, "_t": t,
            "mineral": mineral, "stage": stage, "product": product, "measure": measure,
            "country": name, "iso3": _iso3(name, where), "year": year, "tonnes": _fmt(t), "grade": grade,
            "source_table": "mcs2026_world", "publisher": USGS_PUBLISHER, "edition": USGS_EDITION,
            "source_title": f"Mineral Commodity Summaries 2026 data release: {r['Commodity'].strip()}, "
                            f"{r['Section'].strip()}",
            "source_url": USGS_URL, "licence": "us-pd",
            "note": f"USGS series qualifier: {qualifier}" if qualifier else "",
        })
    missing = sorted({r["_block"] for r in out} - set(world))
    if missing:
        raise ValueError(f"{path}: no world total for {missing}")
    return _shares(out, world)


def _t7(raw: Path) -> list[dict]:
    df = usgs_tables.read_t7(raw)
    out = []
    for _, r in df.iterrows():
        name = r["Critical_mineral"]
        where = f"{raw / usgs_tables.FOLDER / usgs_tables.T7}, line {r['line']}"
        if name not in T7_MINERALS:
            raise ValueError(f"{where}: Table 7 mineral {name!r} not in processing.T7_MINERALS")
        spec = T7_MINERALS[name]
        if spec is None:
            continue
        if r["Units"] != "metric tons":
            raise ValueError(f"{where}, column 'Units': expected metric tons, found {r['Units']!r}")
        lead, world, pct = (_num(r[c]) for c in
                            ("Leading_country_prod", "World_total_prod", "Leading_source_precent_world"))
        if lead is None or world is None or pct is None:
            continue  # germanium: USGS gives no world figure (NA)
        if not 0 <= pct <= 100:
            raise ValueError(f"{where}, column 'Leading_source_precent_world': {pct} is not a percentage")
        mineral, stage, product = spec
        country = countries.clean_name(r["Leading_source_country"])
        notes = "; ".join(x for x in (r["Prod_notes"].strip(), r["World_prod_notes"].strip()) if x)
        out.append({
            "mineral": mineral, "stage": stage, "product": product, "measure": "output",
            "country": country, "iso3": _iso3(country, where), "year": int(r["Year"][:4]),
            "tonnes": _fmt(lead), "world_tonnes": _fmt(world), "share_pct": _fmt(pct),
            "grade": "primary-estimate", "source_table": "mcs2026_t7", "publisher": USGS_PUBLISHER,
            "edition": "Mineral Commodity Summaries 2026", "source_title": T7_TITLE,
            "source_url": usgs_tables.DOI_RELEASE, "licence": "us-pd",
            "note": f"Table 7 notes: {notes}" if notes else "",
        })
    return out


def tidy(raw: Path) -> pd.DataFrame:
    rows = _iea(raw) + _mcs_world(raw) + _t7(raw)
    df = pd.DataFrame(rows)
    df["stage_order"] = df["stage"].map(lambda s: STAGES[s][0])
    unknown = sorted(set(zip(df["mineral"], df["stage"])) - set(stage_table_rows()))
    if unknown:
        raise ValueError(f"(mineral, stage) pairs missing from processing.MINERAL_STAGES: {unknown}")
    df = df[COLUMNS]
    if df.duplicated(KEY).any():
        raise ValueError(f"duplicate processing rows: {df[df.duplicated(KEY, keep=False)]}")
    sums = df.assign(s=df["share_pct"].astype(float)).groupby(GROUP)["s"].sum()
    if (sums > 100.5).any():
        raise ValueError(f"shares add up to more than 100% in {sums[sums > 100.5]}")
    df = df.assign(_o=df["share_pct"].astype(float))
    df = df.sort_values(["mineral", "stage_order", "product", "measure", "source_table", "year", "_o", "country"],
                        ascending=[True, True, True, True, True, True, False, True])
    return df.drop(columns="_o").reset_index(drop=True)


def stage_table_rows() -> list[tuple[str, str]]:
    """Every (mineral, stage) of the vocabulary, including the mine-only minerals of Table 7."""
    pairs = [(m, s) for m, chain in MINERAL_STAGES.items() for s, _ in chain]
    for spec in T7_MINERALS.values():
        if spec and (spec[0], spec[1]) not in pairs:
            pairs.append((spec[0], spec[1]))
    return pairs


def stage_table() -> pd.DataFrame:
    rows = []
    for m, s in stage_table_rows():
        chain = dict(MINERAL_STAGES.get(m, []))
        label = chain.get(s) or "mine production"
        rows.append({"mineral": m, "stage": s, "stage_order": STAGES[s][0], "label": label})
    for m, chain in MINERAL_STAGES.items():
        orders = [STAGES[s][0] for s, _ in chain]
        if orders != sorted(orders) or len(set(orders)) != len(orders):
            raise ValueError(f"MINERAL_STAGES[{m!r}] is not in mine → product order")
    return pd.DataFrame(rows).sort_values(["mineral", "stage_order"]).reset_index(drop=True)


def _stage_enum() -> list[str]:
    return sorted(STAGES, key=lambda s: STAGES[s][0])


def _sources() -> list[dict]:
    return [
        {"title": IEA_TITLE + " (base case; base year only)", "publisher": IEA_PUBLISHER,
         "edition": "May 2024 (base year 2023)", "path": IEA_URL, "accessed": "2026-11-27",
         "short": "IEA (2024), Critical Minerals Data Explorer, IEA, Paris"},
        {"title": "Mineral Commodity Summaries 2026 data release (world production tables; Table 7)",
         "publisher": USGS_PUBLISHER, "edition": "MCS 2026 (published 2026-02-06; report version 1.3)",
         "path": usgs_tables.DOI_RELEASE, "accessed": "2026-11-27",
         "short": "USGS, Mineral Commodity Summaries 2026"},
    ]


def _licences() -> list[dict]:
    return [
        {"name": "us-pd", "title": "U.S. Government work, public domain (USGS rows)",
         "path": "https://www.usgs.gov/information-policies-and-instructions/copyrights-and-credits"},
        {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 (IEA rows; stated in the workbook)",
         "path": "https://creativecommons.org/licenses/by/4.0/"},
    ]


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw('processing', raw)
    df = tidy(raw)
    st = stage_table()
    return [write_csv(df, out / f"{OUT}.csv"),
            write_csv(st, out / f"{STAGES_NAME}.csv")]
