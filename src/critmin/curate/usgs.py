"""USGS Mineral Commodity Summaries (MCS 2022–2026): world production, reserves, US import reliance and sources.

Reads the publisher's data-release files (one folder per edition, laid out as in the raw folder) and writes tidy
tables to the data package. Editions revise earlier years, so for every (mineral, stage, country, year) the newest
edition wins and the `edition` column says which one the number came from.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from critmin.data import countries

EDITIONS = ["MCS2022", "MCS2023", "MCS2024", "MCS2025", "MCS2026"]
_RANK = {e: i for i, e in enumerate(EDITIONS)}

# ---------------------------------------------------------------------------------------------------------------
# Mineral registry
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mineral:
    id: str
    label: str
    usgs_commodity: str
    description: str
    deal: bool = False


MINERALS = [
    Mineral("alumina", "Alumina", "Bauxite and Alumina", "alumina refinery output, calcined-equivalent weight"),
    Mineral("aluminum", "Aluminum", "Aluminum", "primary aluminum smelter output"),
    Mineral("antimony", "Antimony", "Antimony", "mine output, antimony content", deal=True),
    Mineral("barite", "Barite", "Barite", "mine output, barite gross weight"),
    Mineral("bauxite", "Bauxite", "Bauxite and Alumina", "mine output, bauxite dry weight"),
    Mineral("beryllium", "Beryllium", "Beryllium", "mine output, beryllium content"),
    Mineral("bismuth", "Bismuth", "Bismuth", "refinery output, bismuth metal"),
    Mineral("cadmium", "Cadmium", "Cadmium", "refinery output, cadmium metal"),
    Mineral("chromium", "Chromium", "Chromium", "mine output, marketable chromite ore gross weight"),
    Mineral("cobalt", "Cobalt", "Cobalt", "mine output, cobalt content"),
    Mineral("copper", "Copper", "Copper", "mine output (recoverable copper content) and refined copper", deal=True),
    Mineral("fluorspar", "Fluorspar", "Fluorspar", "mine output, fluorspar gross weight"),
    Mineral("gallium", "Gallium", "Gallium", "primary (low-purity) gallium output"),
    Mineral("germanium", "Germanium", "Germanium", "primary and secondary refinery output"),
    Mineral("gold", "Gold", "Gold", "mine output, gold content", deal=True),
    Mineral("graphite", "Graphite (natural)", "Graphite (Natural)", "mine output, natural graphite"),
    Mineral("indium", "Indium", "Indium", "refinery output, indium metal"),
    Mineral("iron_ore", "Iron ore", "Iron Ore", "mine output, usable ore gross weight"),
    Mineral("iron_ore_fe", "Iron ore (iron content)", "Iron Ore", "mine output, iron content of usable ore"),
    Mineral("lead", "Lead", "Lead", "mine output, lead content"),
    Mineral("lithium", "Lithium", "Lithium", "mine output, lithium content (not carbonate equivalent)"),
    Mineral("magnesium", "Magnesium metal", "Magnesium Metal", "primary magnesium smelter output"),
    Mineral("manganese", "Manganese", "Manganese", "mine output, manganese content"),
    Mineral("molybdenum", "Molybdenum", "Molybdenum", "mine output, molybdenum content"),
    Mineral("nickel", "Nickel", "Nickel", "mine output, nickel content"),
    Mineral("niobium", "Niobium", "Niobium (Columbium)", "mine output, niobium content"),
    Mineral("palladium", "Palladium", "Platinum-Group Metals", "mine output, palladium content"),
    Mineral("platinum", "Platinum", "Platinum-Group Metals", "mine output, platinum content"),
    Mineral("platinum_group_metals", "Platinum-group metals", "Platinum-Group Metals",
            "reserves of all platinum-group metals combined (USGS gives no split by metal)"),
    Mineral("rare_earths", "Rare earths", "Rare Earths", "mine output, rare-earth oxide equivalent", deal=True),
    Mineral("rhenium", "Rhenium", "Rhenium", "mine output, rhenium content"),
    Mineral("selenium", "Selenium", "Selenium", "refinery output, selenium content"),
    Mineral("silver", "Silver", "Silver", "mine output, silver content"),
    Mineral("tantalum", "Tantalum", "Tantalum", "mine output, tantalum content"),
    Mineral("tellurium", "Tellurium", "Tellurium", "refinery output, tellurium content"),
    Mineral("tin", "Tin", "Tin", "mine output, tin content"),
    Mineral("titanium", "Titanium", "Titanium Mineral Concentrates; Titanium and Titanium Dioxide",
            "mine output of ilmenite (TiO2 content); titanium sponge metal"),
    Mineral("titanium_rutile", "Titanium (rutile)", "Titanium Mineral Concentrates", "mine output of rutile, TiO2 content"),
    Mineral("tungsten", "Tungsten", "Tungsten", "mine output, tungsten content", deal=True),
    Mineral("vanadium", "Vanadium", "Vanadium", "mine output, vanadium content"),
    Mineral("zinc", "Zinc", "Zinc", "mine output, zinc content of concentrates"),
    Mineral("zirconium", "Zirconium", "Zirconium and Hafnium", "mine output, zircon concentrates gross weight"),
]
MINERAL_IDS = [m.id for m in MINERALS]

# ---------------------------------------------------------------------------------------------------------------
# Which USGS series feed which (mineral, stage)
# ---------------------------------------------------------------------------------------------------------------

# MCS2025 ships one combined table; its COMMODITY names map to the per-file codes of MCS2022–2024.
_MCS2025_CODE = {
    "aluminum": "alumi", "antimony": "antim", "barite": "barit", "bauxite": "bauxi", "beryllium": "beryl",
    "bismuth": "bismu", "cadmium": "cadmi", "chromium": "chrom", "cobalt": "cobal", "copper": "coppe",
    "fluorspar": "fluor", "gallium": "galli", "germanium": "germa", "gold": "gold", "graphite": "graph",
    "indium": "indiu", "iron ore": "feore", "lead": "lead", "lithium": "lithi", "magnesium metal": "mgmet",
    "manganese": "manga", "molybdenum": "molyb", "nickel": "nicke", "niobium": "niobi",
    "platinum-group metals": "plati", "rare earths": "raree", "rhenium": "rheni", "selenium": "selen",
    "silver": "silve", "tantalum": "tanta", "tellurium": "tellu", "tin": "tin",
    "titanium & titanium dioxide": "titan", "titanium mineral concentrates": "timin", "tungsten": "tungs",
    "vanadium": "vanad", "zinc": "zinc", "zirconium and hafnium": "zirco",
}

# (file code, regex on the publisher's Type string, mineral, stage). First match wins; unmatched rows are skipped.
_SERIES = [
    ("alumi", r"smelter", "aluminum", "smelter"),
    ("antim", r"", "antimony", "mine"),
    ("barit", r"", "barite", "mine"),
    ("bauxi", r"^mine", "bauxite", "mine"),
    ("bauxi", r"refinery", "alumina", "refinery"),
    ("beryl", r"", "beryllium", "mine"),
    ("bismu", r"", "bismuth", "refinery"),
    ("cadmi", r"", "cadmium", "refinery"),
    ("chrom", r"", "chromium", "mine"),
    ("cobal", r"", "cobalt", "mine"),
    ("coppe", r"^mine", "copper", "mine"),
    ("coppe", r"^refinery", "copper", "refinery"),
    ("fluor", r"", "fluorspar", "mine"),
    # NOTE: USGS calls this "primary production" up to MCS2025 and "low-purity production" in MCS2026; both are
    # the first, low-purity (99.9–99.99%) stage, not a mine output, so both sit at stage `processing`.
    ("galli", r"", "gallium", "processing"),
    ("germa", r"", "germanium", "refinery"),
    ("gold", r"", "gold", "mine"),
    ("graph", r"", "graphite", "mine"),
    ("indiu", r"", "indium", "refinery"),
    # NOTE: iron ore has two series at the mine stage (usable ore and its iron content); they become two minerals.
    ("feore", r"usable", "iron_ore", "mine"),
    ("feore", r"iron content", "iron_ore_fe", "mine"),
    ("lead", r"", "lead", "mine"),
    ("lithi", r"", "lithium", "mine"),
    ("mgmet", r"", "magnesium", "smelter"),
    ("manga", r"", "manganese", "mine"),
    ("molyb", r"", "molybdenum", "mine"),
    ("nicke", r"", "nickel", "mine"),
    ("niobi", r"", "niobium", "mine"),
    ("plati", r"palladium", "palladium", "mine"),
    ("plati", r"platinum", "platinum", "mine"),
    ("raree", r"", "rare_earths", "mine"),
    ("rheni", r"", "rhenium", "mine"),
    ("selen", r"", "selenium", "refinery"),
    ("silve", r"", "silver", "mine"),
    ("tanta", r"", "tantalum", "mine"),
    ("tellu", r"", "tellurium", "refinery"),
    ("tin", r"", "tin", "mine"),
    # NOTE: titanium mine output is reported separately for ilmenite and rutile (TiO2 content). `titanium` is the
    # ilmenite series (the larger one; US rutile is included in it) and rutile is its own id, so shares can be
    # computed for each; USGS's combined world total is dropped because no country rows add up to it.
    ("timin", r"ilmen", "titanium", "mine"),
    ("timin", r"rutile", "titanium_rutile", "mine"),
    ("titan", r"sponge", "titanium", "processing"),
    ("tungs", r"", "tungsten", "mine"),
    ("vanad", r"", "vanadium", "mine"),
    ("zinc", r"", "zinc", "mine"),
    ("zirco", r"", "zirconium", "mine"),
]
_CODES = sorted({s[0] for s in _SERIES})

# NOTE: the unit of each (mineral, stage) is the one MCS2025 uses; other editions are converted to it.
_TO_BASE = {"kg": ("t", 1e-3), "t": ("t", 1.0), "kt": ("t", 1e3), "Mt": ("t", 1e6), "mcm": ("mcm", 1.0)}
UNITS = ["kg", "t", "kt", "Mt"]

# ---------------------------------------------------------------------------------------------------------------
# Corrections applied to the publisher's files (also written to corrections.csv)
# ---------------------------------------------------------------------------------------------------------------

CORRECTIONS = [
    # resource, key, field, original, corrected, reason, source
    ("production", "MCS2025 world data/COMMODITY", "COMMODITY", "Gemanium", "Germanium",
     "misspelt commodity name in the MCS2025 world data table", "USGS Mineral Commodity Summaries 2025 data release"),
    ("production", "MCS2023 chromium world file/Prod_t_2021, Prod_t_est_2022", "unit", "t", "kt",
     "column names say metric tons but the file's own notes say thousand metric tons, and the values equal "
     "the thousand-ton figures of MCS2024", "USGS Mineral Commodity Summaries 2023 data release"),
    ("production", "MCS2025 world data/Titanium Mineral Concentrates", "UNIT_MEAS", "metric tons", "kt",
     "values are thousand metric tons of TiO2 (China 2024: 3,300), as in MCS2024's Prod_kt columns",
     "USGS Mineral Commodity Summaries 2025 data release"),
    ("production", "MCS2025 world data/Titanium Mineral Concentrates/Sierra Leone/rutile", "UNIT_MEAS", "", "kt",
     "unit missing on one row; same series as the other rutile rows", "USGS Mineral Commodity Summaries 2025 data release"),
    ("production", "MCS2024 fluorspar world file/header", "column 3", "Mine production, fluorspar", "Type",
     "the type string was written into the header instead of the column name", "USGS Mineral Commodity Summaries 2024 data release"),
    ("import_reliance", "MCS2024 fluorspar salient file/data rows", "alignment", "rows two cells longer than the header",
     "aligned on the last column", "the data rows have a stray blank cell after Year and one more value column "
     "than the header names, which shifts the values; read by position, 2019 net import reliance would be 292 "
     "(a price). The NIR value is the last cell of each row (100% in 2019, as in MCS2023 and MCS2025)",
     "USGS Mineral Commodity Summaries 2024 data release"),
    ("import_reliance", "MCS2024 cobalt salient file", "file", "world production table", "(not used)",
     "the file named as cobalt salient statistics holds the world production table; MCS2024 cobalt net import "
     "reliance is therefore taken from no file (MCS2023 and MCS2025 cover the same years)",
     "USGS Mineral Commodity Summaries 2024 data release"),
]

# (edition, code) whose declared production unit is wrong; fixed per CORRECTIONS.
_UNIT_FIX = {("MCS2023", "chrom"): {"t": "kt"}, ("MCS2025", "timin"): {"t": "kt", "": "kt"}}

# ---------------------------------------------------------------------------------------------------------------
# Parsing helpers
# ---------------------------------------------------------------------------------------------------------------

_NUM = re.compile(r"^-?\d+(\.\d+)?$")


def parse_value(raw: str) -> tuple[float | None, str] | None:
    """A publisher's cell as (value, flag); None for an empty cell. Unknown text → (None, 'not_available')."""
    s = " ".join(str(raw).replace("\u00a0", " ").split())
    if s == "":
        return None
    s = s.replace(",", "").rstrip("%").strip()
    est = False
    if re.fullmatch(r"-?\d+(\.\d+)?\s*e", s):
        s, est = s[:-1].strip(), True
    elif re.fullmatch(r"e\s*\d+(\.\d+)?", s):  # MCS2023/2024 sometimes put the estimate marker first
        s, est = s[1:].strip(), True
    if _NUM.match(s):
        return float(s), ("estimated" if est else "")
    m = re.fullmatch(r"([<>])\s*(\d+(\.\d+)?)", s)
    if m:
        return float(m.group(2)), "censored_gt" if m.group(1) == ">" else "censored_lt"
    if s in ("—", "–", "--", "-", "---"):
        return 0.0, "zero"
    if s.lower().startswith("less than ½ unit"):
        return 0.5, "censored_lt"
    if s == "W":
        return None, "withheld"
    if s == "E":
        return None, "net_exporter"
    return None, "not_available"  # NA, XX, "Included with ilmenite", "( )", ...


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    r = round(v, 6)
    return str(int(r)) if r == int(r) else f"{r:.6f}".rstrip("0").rstrip(".")


def _clean(s: str) -> str:
    return " ".join(str(s).replace("\u00a0", " ").split())


def _read_csv(path: Path) -> list[list[str]]:
    """All rows, trailing empty columns and fully empty rows dropped."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    out = []
    for r in rows:
        while r and not r[-1].strip():
            r = r[:-1]
        if any(c.strip() for c in r):
            out.append(r)
    return out


def _dicts(path: Path) -> list[dict[str, str]]:
    rows = _read_csv(path)
    head = [_clean(h) for h in rows[0]]
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(head) if h} for r in rows[1:]]


# NOTE: one spelling per country across editions (the country is part of the primary key). Qualifiers that
# describe the series rather than the country are dropped ("Kazakhstan, concentrate" in the manganese table).
_NAME_FIX = {
    "New Caledonia (overseas territory of France)": "New Caledonia",
    "Russia (recoverable)": "Russia",
    "Kazakhstan, concentrate": "Kazakhstan",
    "Ukraine, concentrate": "Ukraine",
    "Other": "Other countries",
    "Other Countries": "Other countries",
}
# MCS2024 glued the estimate marker "e" to some country names (gallium, PGMs).
_ESTIMATE_SUFFIX = {"Russiae": "Russia", "Japane": "Japan", "Korea, Republic ofe": "Korea, Republic of"}
WORLD_TOTAL = "World total (rounded)"


def _country(name: str) -> tuple[str, str, str, bool]:
    """(name, iso3, row_kind, estimated-marker) for a publisher's country cell."""
    name = countries.clean_name(name)
    est = name in _ESTIMATE_SUFFIX
    name = _ESTIMATE_SUFFIX.get(name, name)
    name = _NAME_FIX.get(name, name)
    kind = countries.row_kind(name)
    if kind == "world_total":
        # NOTE: world-total labels vary ("World total (ilmenite, rounded)", "..., excluding U.S. production");
        # one label keeps the key stable across editions; the exclusions are listed in the metadata caveats.
        name = WORLD_TOTAL
    iso = countries.to_iso3(name) if kind == "country" else None
    return name, iso or "", kind, est


def _series_for(code: str, type_: str) -> tuple[str, str] | None:
    for c, pat, mineral, stage in _SERIES:
        if c == code and re.search(pat, type_, re.I):
            return mineral, stage
    return None


@dataclass
class Obs:
    mineral: str
    stage: str
    product: str
    country: str
    iso3: str
    row_kind: str
    year: int
    value: float | None
    unit: str
    flag: str
    edition: str
    origin: str


_PROD_COL = re.compile(r"^Prod_(?:Sponge_)?(?P<unit>t|kt|kg|mt|mcm)_(?P<est>est_)?(?P<year>\d{4})$", re.I)
_RES_COL = re.compile(r"^Reserves_(?P<unit>t|kt|kg|mt|mcm)(_\d{4})?$", re.I)
_UNIT_WORDS = {"metric tons": "t", "thousand metric tons": "kt", "thousand metric dry tons": "kt",
               "kilograms": "kg", "million metric tons": "Mt", "": ""}


def _norm_unit(u: str) -> str:
    return {"mt": "Mt", "t": "t", "kt": "kt", "kg": "kg", "mcm": "mcm"}[u.lower()]


# NOTE: USGS reports PGM reserves for the group only (on the platinum rows in MCS2024, the palladium rows in
# MCS2025), so they get their own id rather than being credited to one metal.
_RESERVES_MINERAL = {"platinum": "platinum_group_metals", "palladium": "platinum_group_metals"}


def _skip_country(name: str) -> bool:
    # Combined ilmenite-and-rutile totals have no matching country rows.
    return bool(re.search(r"ilmenite and rutile", name, re.I))


# ---------------------------------------------------------------------------------------------------------------
# Readers: each yields production observations and reserves observations in the file's declared unit
# ---------------------------------------------------------------------------------------------------------------


def _file_code(path: Path) -> str | None:
    m = re.search(r"mcs20\d\d-([a-z]+)", path.name.lower())
    if not m:
        return None
    code = {"rareee": "raree", "lithium": "lithi"}.get(m.group(1), m.group(1))
    return code if code in _CODES else None


def _read_world_file(path: Path, edition: str) -> tuple[list[Obs], list[Obs]]:
    """One MCS2022–2024 per-commodity world file."""
    code = _file_code(path)
    rows = _read_csv(path)
    head = [_clean(h) for h in rows[0]]
    head[2] = "Type"  # MCS2024 fluorspar has the type string in the header (see CORRECTIONS)
    prod, res = [], []
    for r in rows[1:]:
        r = r + [""] * (len(head) - len(r))
        if not r[1].strip() or _skip_country(r[1]):
            continue
        type_ = _clean(r[2])
        hit = _series_for(code, type_)
        if hit is None:
            continue
        mineral, stage = hit
        country, iso, kind, name_est = _country(r[1])
        for i, h in enumerate(head):
            m = _PROD_COL.match(h)
            if m:
                parsed = parse_value(r[i])
                if parsed is None:
                    continue
                value, flag = parsed
                unit = _norm_unit(m.group("unit"))
                unit = _UNIT_FIX.get((edition, code), {}).get(unit, unit)
                if flag == "" and (m.group("est") or name_est):
                    flag = "estimated"
                prod.append(Obs(mineral, stage, type_, country, iso, kind, int(m.group("year")), value, unit, flag,
                                edition, "data_release"))
            m = _RES_COL.match(h)
            if m and stage in ("mine", "refinery") and mineral not in ("alumina",):
                rmineral = _RESERVES_MINERAL.get(mineral, mineral)
                parsed = parse_value(r[i])
                if parsed is None:
                    continue
                value, flag = parsed
                res.append(Obs(rmineral, "reserves", type_, country, iso, kind, int(edition[3:]) - 1, value,
                               _norm_unit(m.group("unit")),
                               flag, edition, "data_release"))
    return prod, res


def _read_mcs2025(path: Path) -> tuple[list[Obs], list[Obs]]:
    prod, res = [], []
    for d in _dicts(path):
        commodity = _clean(d["COMMODITY"])
        if commodity == "Gemanium":  # see CORRECTIONS
            commodity = "Germanium"
        code = _MCS2025_CODE.get(commodity.lower())
        if code is None or _skip_country(d["COUNTRY"]):
            continue
        type_ = _clean(d["TYPE"])
        hit = _series_for(code, type_)
        if hit is None:
            continue
        mineral, stage = hit
        country, iso, kind, _ = _country(d["COUNTRY"])
        unit = _UNIT_WORDS[_clean(d["UNIT_MEAS"]).lower()]
        unit = _UNIT_FIX.get(("MCS2025", code), {}).get(unit, unit)
        notes = _clean(d.get("PROD_NOTES", ""))
        for col, year, est in (("PROD_2023", 2023, False), ("PROD_EST_ 2024", 2024, True)):
            parsed = parse_value(d[col])
            if parsed is None:
                # NOTE: MCS2025 leaves withheld cells empty. A blank is read as withheld only when the notes say W
                # (or for germanium, whose country figures USGS withholds); other blanks (no production, or a
                # country listed only for another table) are dropped rather than guessed.
                if re.search(r"\bW\b", notes) or mineral == "germanium":
                    parsed = (None, "withheld")
                else:
                    continue
            value, flag = parsed
            if flag == "" and (est or f"estimated {year}" in notes.lower()):
                flag = "estimated"
            prod.append(Obs(mineral, stage, type_, country, iso, kind, year, value, unit, flag, "MCS2025",
                            "data_release"))
        if stage in ("mine", "refinery") and mineral != "alumina":
            rnotes = _clean(d.get("RESERVE_NOTES", ""))
            parsed = parse_value(d["RESERVES_2024"])
            if parsed is None and rnotes.upper().startswith("NA"):
                parsed = (None, "not_available")
            if parsed is not None:
                value, flag = parsed
                runit = "Mt" if "million metric tons" in rnotes.lower() else unit
                res.append(Obs(_RESERVES_MINERAL.get(mineral, mineral), "reserves", type_, country, iso, kind, 2024,
                               value, runit, flag, "MCS2025",
                               "data_release"))
    return prod, res


_MCS2026_MINERAL = {"Rare earths": "rare_earths", "Gallium": "gallium", "Antimony": "antimony",
                    "Tungsten": "tungsten", "Graphite (natural)": "graphite"}
_MCS2026_STAGE = {"gallium": "processing"}
_MCS2026_UNIT = {"metric tons REO equivalent": "t", "kilograms": "kg", "metric tons antimony content": "t",
                 "metric tons tungsten content": "t", "metric tons": "t"}


def _read_mcs2026(path: Path) -> tuple[list[Obs], list[Obs]]:
    prod, res = [], []
    for d in _dicts(path):
        mineral = _MCS2026_MINERAL[_clean(d["commodity"])]
        stage = _MCS2026_STAGE.get(mineral, "mine")
        unit = _MCS2026_UNIT[_clean(d["unit"])]
        product = f"{_clean(d['table'])}; {_clean(d['unit'])}"
        country, iso, kind, _ = _country(d["country"])
        for col, year, est in (("prod_2024_raw", 2024, False), ("prod_2025e_raw", 2025, True)):
            parsed = parse_value(d[col])
            if parsed is None:
                continue
            value, flag = parsed
            if flag == "" and est:
                flag = "estimated"
            prod.append(Obs(mineral, stage, product, country, iso, kind, year, value, unit, flag, "MCS2026",
                            "transcribed"))
        parsed = parse_value(d["reserves_raw"])
        if parsed is not None:
            value, flag = parsed
            res.append(Obs(mineral, "reserves", product, country, iso, kind, 2025, value, unit, flag, "MCS2026",
                           "transcribed"))
    return prod, res


def _edition_dirs(raw: Path) -> list[tuple[str, Path]]:
    return [("MCS2022", raw / "usgs-mcs2022-subset"), ("MCS2023", raw / "usgs-mcs2023" / "world"),
            ("MCS2024", raw / "usgs-mcs2024" / "world")]


def read_all(raw: Path) -> tuple[list[Obs], list[Obs]]:
    prod, res = [], []
    for edition, folder in _edition_dirs(raw):
        for f in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
            if f.name.lower().endswith("_world.csv") and _file_code(f):
                p, r = _read_world_file(f, edition)
                prod += p
                res += r
    p, r = _read_mcs2025(raw / "usgs-mcs2025" / "world" / "MCS2025_World_Data.csv")
    prod += p
    res += r
    p, r = _read_mcs2026(raw / "usgs-mcs2026-pdf-extract-subset" / "mcs2026_world_production_subset.csv")
    prod += p
    res += r
    return prod, res


# ---------------------------------------------------------------------------------------------------------------
# Harmonisation
# ---------------------------------------------------------------------------------------------------------------


def _convert(value: float | None, unit: str, target: str) -> float | None:
    if value is None or unit == target:
        return value
    (b1, f1), (b2, f2) = _TO_BASE[unit], _TO_BASE[target]
    if b1 != b2:
        raise ValueError(f"cannot convert {unit} to {target}")
    return value * f1 / f2


def _target_units(prod: list[Obs]) -> dict[tuple[str, str], str]:
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for o in prod:
        key = (o.mineral, o.stage)
        rank = _RANK[o.edition] if o.edition != "MCS2026" else -1  # MCS2025 sets the unit; MCS2026 is a subset
        if o.unit and (key not in best or rank > best[key][0]):
            best[key] = (rank, o.unit)
    return {k: v[1] for k, v in best.items()}


def harmonise(prod: list[Obs]) -> list[Obs]:
    target = _target_units(prod)
    for o in prod:
        t = target[(o.mineral, o.stage)]
        o.value = _convert(o.value, o.unit or t, t)
        o.unit = t
    keys = set()
    for o in prod:
        key = (o.mineral, o.stage, o.country, o.year, o.edition)
        if key in keys:
            raise ValueError(f"duplicate row in {o.edition}: {key[:4]}")
        keys.add(key)
    _check_revisions(prod)
    # NOTE: the newest edition wins, table by table: for each (mineral, stage, year) all rows come from the newest
    # edition reporting that year. Taking it country by country instead would keep countries a later edition
    # folded into "Other countries" and count them twice.
    newest: dict[tuple, int] = {}
    for o in prod:
        k = (o.mineral, o.stage, o.year)
        newest[k] = max(newest.get(k, -1), _RANK[o.edition])
    keep = [o for o in prod if _RANK[o.edition] == newest[(o.mineral, o.stage, o.year)]]
    return sorted(keep, key=lambda o: (o.mineral, o.stage, o.country, o.year))


def _check_revisions(prod: list[Obs]) -> None:
    """Catch unit slips: a figure revised between editions moves by tens of percent, sometimes a few times over
    for small producers (largest seen: 36x, Burundi tantalum), never by the factor 1000 of a t/kt mix-up."""
    by: dict[tuple, list[Obs]] = {}
    for o in prod:
        if o.value:
            by.setdefault((o.mineral, o.stage, o.country, o.year), []).append(o)
    bad = []
    for key, obs in by.items():
        vals = [o.value for o in obs]
        if max(vals) / min(vals) > 100:
            bad.append(f"{key}: " + ", ".join(f"{o.edition}={o.value}" for o in obs))
    if bad:
        raise ValueError("values differ by >100x between editions (unit error?):\n" + "\n".join(bad))


def latest_reserves(res: list[Obs]) -> list[Obs]:
    # NOTE: an edition counts for a mineral only if it gives at least one reserve figure; an older table of
    # nothing but "NA" (germanium, gallium) is not carried forward.
    res = [o for o in res if o.value is not None or any(
        p.value is not None for p in res if p.mineral == o.mineral and p.edition == o.edition)]
    units: dict[str, set[str]] = {}
    for o in res:
        if o.value is not None:
            units.setdefault((o.mineral, o.edition), set()).add(o.unit)
    for o in res:
        u = units[(o.mineral, o.edition)]
        if len(u) != 1:
            raise ValueError(f"reserves of {o.mineral} in {o.edition} mix units {sorted(u)}")
        o.unit = next(iter(u))
    newest: dict[str, int] = {}
    for o in res:
        newest[o.mineral] = max(newest.get(o.mineral, -1), _RANK[o.edition])
    keep: dict[tuple, Obs] = {}
    for o in res:
        if _RANK[o.edition] != newest[o.mineral]:
            continue
        k = (o.mineral, o.country)
        prev = keep.get(k)
        if prev is not None and prev.value is not None and o.value is not None:
            raise ValueError(f"duplicate reserves row {k}")
        if prev is None or prev.value is None and (o.value is not None or prev.flag == "not_available"):
            keep[k] = o
    return sorted(keep.values(), key=lambda o: (o.mineral, o.country))


# ---------------------------------------------------------------------------------------------------------------
# US net import reliance and import sources
# ---------------------------------------------------------------------------------------------------------------

# mineral → (salient file code, NIR column); the column is matched case-insensitively after dropping
# non-letters, so `NIR_Compounds-Metals_t` and `NIR_Compounds-Metals_pct` are the same series.
_NIR = {
    "alumina": ("bauxi", "alumina"), "aluminum": ("alumi", ""), "antimony": ("antim", ""),
    "barite": ("barit", ""), "bauxite": ("bauxi", "bauxite"), "beryllium": ("beryl", ""),
    "bismuth": ("bismu", ""), "cadmium": ("cadmi", ""), "chromium": ("chrom", ""), "cobalt": ("cobal", ""),
    "copper": ("coppe", ""), "fluorspar": ("fluor", ""), "gallium": ("galli", ""), "germanium": ("germa", ""),
    "gold": ("gold", ""), "graphite": ("graph", ""), "indium": ("indiu", ""), "iron_ore": ("feore", ""),
    "lead": ("lead", ""), "lithium": ("lithi", ""), "magnesium": ("mgmet", ""), "manganese": ("manga", ""),
    "molybdenum": ("molyb", ""), "nickel": ("nicke", ""), "niobium": ("niobi", ""),
    "palladium": ("plati", "palladium"), "platinum": ("plati", "platinum"),
    # NOTE: rare earths: the compounds-and-metals series (USGS's headline; concentrate is a net export).
    "rare_earths": ("raree", "compoundsmetals"), "rhenium": ("rheni", ""), "selenium": ("selen", ""),
    "silver": ("silve", ""), "tantalum": ("tanta", ""), "tellurium": ("tellu", ""), "tin": ("tin", ""),
    "titanium": ("timin", ""), "tungsten": ("tungs", ""), "vanadium": ("vanad", ""),
    # NOTE: zinc: refined zinc (the series MCS Fig. 2 ranks); ores and concentrates are a net export.
    "zinc": ("zinc", "refined"), "zirconium": ("zirco", "zrore"),
}


def _nir_column(head: list[str], want: str) -> str | None:
    cols = [h for h in head if "nir" in h.lower()]
    if not want:
        return cols[0] if len(cols) == 1 else None
    for h in cols:
        key = re.sub(r"[^a-z]", "", h.lower()).replace("nir", "").replace("pct", "")
        if key.endswith("t") and not key.endswith("ct"):
            key = key[:-1]
        if key == want:
            return h
    return None


def _salient_files(raw: Path) -> list[tuple[str, Path]]:
    out = [("MCS2022", f) for f in sorted((raw / "usgs-mcs2022-subset").glob("*_salient.csv"))]
    for e in ("2023", "2024", "2025"):
        out += [(f"MCS{e}", f) for f in sorted((raw / f"usgs-mcs{e}" / "salient").iterdir(), key=lambda p: p.name)
                if f.name.lower().endswith("_salient.csv")]
    return out


def _salient_dicts(path: Path) -> list[dict[str, str]]:
    """Like _dicts, but rows longer than the header are aligned on the right, keeping DataSource, Commodity and
    Year: the NIR column is always last (MCS2024 fluorspar; see CORRECTIONS)."""
    rows = _read_csv(path)
    head = [_clean(h) for h in rows[0]]
    while head and not head[-1]:
        head.pop()
    out = []
    for r in rows[1:]:
        r = list(r)
        if len(r) > len(head):
            r = r[:3] + r[len(r) - (len(head) - 3):]
        out.append({h: (r[i] if i < len(r) else "") for i, h in enumerate(head) if h})
    return out


def read_nir(raw: Path) -> list[dict]:
    rows: dict[tuple[str, int], dict] = {}

    def put(r: dict) -> None:
        key = (r["mineral"], r["year"])
        prev = rows.get(key)
        if prev is None or _RANK[r["edition"]] > _RANK[prev["edition"]]:
            rows[key] = r

    for edition, f in _salient_files(raw):
        code = _file_code(f)
        if code is None:
            continue
        data = _salient_dicts(f)
        if not data or "Year" not in data[0]:
            continue  # MCS2024 cobalt: the file holds a world table (see CORRECTIONS)
        head = list(data[0].keys())
        for mineral, (c, want) in _NIR.items():
            if c != code:
                continue
            col = _nir_column(head, want)
            if col is None:
                raise ValueError(f"{f.name}: no net import reliance column for {mineral}")
            for d in data:
                raw_s = _clean(d[col])
                parsed = parse_value(raw_s)
                value, flag = parsed if parsed else (None, "not_available")
                put({"mineral": mineral, "year": int(d["Year"]), "nir_pct": value, "flag": flag, "raw": raw_s,
                     "basis": col, "edition": edition})
    for d in _dicts(raw / "usgs-mcs2026-pdf-extract-subset" / "mcs2026_us_nir_import_sources_subset.csv"):
        mineral = _MCS2026_MINERAL[_clean(d["commodity"])]
        for year in range(2021, 2026):
            col = f"nir_{year}" if year < 2025 else "nir_2025e_raw"
            raw_s = _clean(d[col])
            value, flag = parse_value(raw_s)
            if year == 2025 and flag == "":
                flag = "estimated"
            put({"mineral": mineral, "year": year, "nir_pct": value, "flag": flag, "raw": raw_s,
                 "basis": _clean(d["nir_basis"]), "edition": "MCS2026"})
    return [rows[k] for k in sorted(rows)]


_FIG2 = {
    "ALUMINA": "alumina", "ALUMINUM": "aluminum", "ANTIMONY": "antimony", "BARITE": "barite", "BAUXITE": "bauxite",
    "BISMUTH": "bismuth", "CADMIUM": "cadmium", "CHROMIUM": "chromium", "COBALT": "cobalt", "COPPER": "copper",
    "FLUORSPAR": "fluorspar", "GALLIUM": "gallium", "GERMANIUM": "germanium", "GRAPHITE (NATURAL)": "graphite",
    "INDIUM": "indium", "LEAD": "lead", "LITHIUM": "lithium", "MAGNESIUM METAL": "magnesium",
    "MANGANESE": "manganese", "NICKEL": "nickel", "NIOBIUM (COLUMBIUM)": "niobium", "PALLADIUM": "palladium",
    "PLATINUM": "platinum", "RARE EARTHS": "rare_earths", "RHENIUM": "rhenium", "SELENIUM": "selenium",
    "SILVER": "silver", "TANTALUM": "tantalum", "TELLURIUM": "tellurium", "TIN": "tin",
    "TITANIUM MINERAL CONCENTRATES": "titanium", "TITANIUM": "titanium", "TUNGSTEN": "tungsten",
    "VANADIUM": "vanadium", "ZINC": "zinc", "ZIRCONIUM": "zirconium",
}


def _source_country(name: str) -> tuple[str, str]:
    name = countries.clean_name(name)
    if name.lower() == "other":
        return "Other", ""
    return name, countries.to_iso3(name) or ""


def read_import_sources(raw: Path) -> list[dict]:
    out = []
    for e in ("2023", "2024", "2025"):
        f = raw / f"usgs-mcs{e}" / "trends" / f"MCS{e}_Fig2_Net_Import_Reliance.csv"
        data = _dicts(f)
        src_col = next(h for h in data[0] if h.startswith("Major_Import_Sources"))
        y0, y1 = re.findall(r"\d{4}", src_col)
        for d in data:
            category = _clean(d["Commodity"])
            mineral = _FIG2.get(category.split(",")[0].strip())
            if mineral is None:
                continue
            for rank, name in enumerate([c for c in d[src_col].split(",") if c.strip()], start=1):
                country, iso = _source_country(name)
                out.append({"mineral": mineral, "edition": f"MCS{e}", "period": f"{y0}-{y1}", "category": category,
                            "rank": rank, "country": country, "iso3": iso, "share_pct": None})
    for d in _dicts(raw / "usgs-mcs2026-pdf-extract-subset" / "mcs2026_us_nir_import_sources_subset.csv"):
        mineral = _MCS2026_MINERAL[_clean(d["commodity"])]
        y = re.findall(r"\d+", d["import_sources_period"])
        period = f"{y[0]}-{y[1] if len(y[1]) == 4 else y[0][:2] + y[1]}"
        for rank, part in enumerate(d["import_sources_pct"].split(";"), start=1):
            m = re.fullmatch(r"\s*(.+?)\s+(\d+(?:\.\d+)?)\s*", part)
            country, iso = _source_country(m.group(1))
            out.append({"mineral": mineral, "edition": "MCS2026", "period": period,
                        "category": _clean(d["import_source_category"]), "rank": rank, "country": country,
                        "iso3": iso, "share_pct": float(m.group(2))})
    return sorted(out, key=lambda r: (r["mineral"], r["edition"], r["category"], r["rank"]))


# ---------------------------------------------------------------------------------------------------------------
# US salient statistics (production, trade, consumption) from the same salient files
# ---------------------------------------------------------------------------------------------------------------

US_MEASURES = ["primary_production", "secondary_production", "imports", "exports", "apparent_consumption",
               "reported_consumption", "estimated_consumption", "net_import_reliance_pct"]
US_UNITS = ["t", "kg", "kt", "pct"]

# The registry minerals each salient file describes. A file with several (bauxite/alumina, platinum/palladium)
# names the mineral in the column: a leading "Bauxite_"/"Alumina_" or a "Palladium"/"Platinum" word.
_US_FILE_MINERALS = {code: sorted(m for m, (c, _) in _NIR.items() if c == code) for code in {c for c, _ in _NIR.values()}}
# NOTE: the MCS2024 aluminum file is named "alum" and the MCS2023 tellurium file lacks the hyphen; the
# import_reliance table has never read them, and this table does not change that table, so only here are they read.
_US_FILE_ALIAS = {"alum": "alumi"}

# NOTE: where a file's header does not describe its values, only the net import reliance (read, like
# import_reliance, from the last cell) is used: MCS2024 fluorspar rows have one more value than the header
# (see CORRECTIONS); the MCS2024 and MCS2025 lead headers list 12 columns in an order that does not match the
# values (the MCS2024 2019 row puts 99.9, a price in cents a pound, under Consump_North_American_kt); the
# MCS2024 cobalt file is a world table.
_US_SKIP_FILES = {("MCS2024", "fluor"), ("MCS2024", "lead"), ("MCS2025", "lead"), ("MCS2024", "cobal")}
# NOTE: the MCS2025 iron ore header has one column fewer than its metadata (reported and apparent consumption):
# the value under Consump_Reported_kt could be either, so it is not used.
_US_SKIP_COLUMNS = {("MCS2025", "feore"): {"Consump_Reported_kt", "Price_Apparent_dt"}}
# NOTE: units the header gets wrong or leaves out, checked against the same series in the neighbouring
# editions: gallium MCS2024 and germanium MCS2025 write "g" for kilograms (same numbers as the kg columns of
# MCS2023/MCS2025 and MCS2024); lead MCS2023 writes "t" for a thousand-ton series (1,640 in 2018 against
# 1,630 kt for 2019 in MCS2024's metadata-described file); tin MCS2024's consumption column has no unit (the
# numbers match MCS2025's Consump_t).
_US_UNIT_FIX = {("MCS2024", "galli"): {"g": "kg"}, ("MCS2025", "germa"): {"g": "kg"},
                ("MCS2023", "lead"): {"Consump_t": "kt"}, ("MCS2024", "tin"): {"Consump_": "t"}}
# NOTE: a consumption column with no "Apparent"/"Reported" word is classed by the publisher's metadata
# (MCS2023–2025 *_meta.xml): apparent unless listed here. Lithium's "estimated" consumption is computed like an
# apparent one, but is kept under the publisher's word.
_US_BARE_CONSUMPTION = {"galli": "reported_consumption", "gold": "reported_consumption",
                        "germa": "estimated_consumption", "indiu": "estimated_consumption",
                        "lithi": "estimated_consumption", "cobal": "apparent_consumption"}
# NOTE: the form (the part of the column name between measure and unit) that is the headline series of a
# measure, so that e.g. rare earths' `apparent_consumption` is the compounds-and-metals series, the basis of
# their net import reliance; other forms become `<measure>.<form>`.
_US_HEADLINE_FORM = {"rare_earths": {"compounds_metals"}, "zinc": {"refined"}, "zirconium": {"zro2", "zro2_content"},
                     "selenium": {"metal"}, "cadmium": {"metal"}}
_US_FORM_ALIAS = {"total": "", "total_fl": "", "all": "", "all_grades": "", "seconday": "secondary",
                  "silco": "silico", "mtl_alloy_and_scrap": "", "mtl_alloy_and_scrap_total": "",
                  "zro2_content": "zro2"}
_US_SECONDARY_WORDS = {"secondary", "seconday", "scrap", "oldscrap", "newscrap", "recycling", "post", "consumer",
                       "recycled"}
_US_UNIT_RE = re.compile(r"(?:_|(?<=[a-z]))(kt|kg|t|g)$", re.I)


def _us_file_code(path: Path) -> str | None:
    m = re.search(r"mcs20\d\d-?([a-z]+)_salient", path.name.lower())
    if not m:
        return None
    code = {"rareee": "raree", "lithium": "lithi"}.get(m.group(1), m.group(1))
    code = _US_FILE_ALIAS.get(code, code)
    return code if code in _US_FILE_MINERALS else None


def _us_column(code: str, col: str, edition: str) -> tuple[str, str, str] | None:
    """(mineral, measure, unit) for a quantity column of a salient file; None for prices, stocks, NIR, etc."""
    fix = _US_UNIT_FIX.get((edition, code), {})
    m = _US_UNIT_RE.search(col)
    stem = col[: m.start()] if m else col
    unit = fix.get(col) or (fix.get(m.group(1).lower(), m.group(1).lower()) if m else None)
    if unit is None:
        return None
    words = [w for w in re.split(r"[_\s]+", stem) if w]
    minerals = _US_FILE_MINERALS[code]
    mineral = minerals[0] if len(minerals) == 1 else None
    if code == "bauxi" and words:
        mineral = {"bauxite": "bauxite", "alumina": "alumina"}.get(words[0].lower())
        words = words[1:]
    if code == "plati":
        found = [w.lower() for w in words if w.lower() in ("palladium", "platinum")]
        mineral = found[0] if len(found) == 1 else None
        words = [w for w in words if w.lower() not in ("palladium", "platinum")]
    if mineral is None or not words:
        return None
    kind, rest = words[0].lower(), [w.lower() for w in words[1:]]
    if kind == "apparent" and code == "bauxi":  # Alumina_Apparent_kt
        kind, rest = "consump", ["apparent"] + rest
    rest = [x for w in rest for x in w.split("-") if x]
    if kind in ("usprod", "recycled", "mine", "refinery"):
        if kind in ("mine", "refinery"):
            rest = [kind] + rest
        secondary = kind == "recycled" or bool(set(rest) & _US_SECONDARY_WORDS)
        base = "secondary_production" if secondary else "primary_production"
        rest = [w for w in rest if w not in ("primary", "secondary", "seconday")]
    elif kind in ("imports", "exports"):
        base = kind
    elif kind == "consump":
        if set(rest) & {"apparent", "apprnt"}:
            base = "apparent_consumption"
        elif set(rest) & {"reported", "rprtd"}:
            base = "reported_consumption"
        elif "estimated" in rest:
            base = "estimated_consumption"
        else:
            base = _US_BARE_CONSUMPTION.get(code, "apparent_consumption")
        rest = [w for w in rest if w not in ("apparent", "apprnt", "reported", "rprtd", "estimated")]
    else:
        return None
    form = "_".join(rest)
    form = _US_FORM_ALIAS.get(form, form)
    if base == "secondary_production" and form == "scrap":  # bismuth: USprod_Scrap_t, later USprod_Secondary_t
        form = ""
    if base == "imports" and form == "consumption":  # "imports for consumption", MCS's usual imports series
        form = ""
    if form in _US_HEADLINE_FORM.get(mineral, set()):
        form = ""
    return mineral, base + (f".{form}" if form else ""), unit


def _us_target_units(rows: list[dict], prod: list[Obs]) -> dict[tuple[str, str], str]:
    """NOTE: a quantity is converted to the mineral's unit in the production table when all its stages share
    one (copper in kt, gallium in kg); otherwise (titanium: kt and t), and for zirconium, whose salient table
    counts ZrO2 content and hafnium in tonnes against a production table of zircon gross weight in kt, it keeps
    the unit of the newest edition."""
    prod_units: dict[str, set[str]] = {}
    for o in prod:
        prod_units.setdefault(o.mineral, set()).add(o.unit)
    newest: dict[tuple[str, str], tuple[int, str]] = {}
    for r in rows:
        k = (r["mineral"], r["measure"])
        if k not in newest or _RANK[r["edition"]] > newest[k][0]:
            newest[k] = (_RANK[r["edition"]], r["unit"])
    out = {}
    for (mineral, measure), (_, unit) in newest.items():
        pu = prod_units.get(mineral, set())
        keep = unit == "pct" or len(pu) != 1 or mineral == "zirconium"
        out[(mineral, measure)] = unit if keep else next(iter(pu))
    return out


def read_us_salient(raw: Path, prod: list[Obs], nir: list[dict]) -> list[dict]:
    """US salient statistics by mineral, year and measure; the newest edition wins for each of them."""
    rows = []
    for edition, f in _salient_files(raw):
        code = _us_file_code(f)
        if code is None or (edition, code) in _US_SKIP_FILES:
            continue
        data = _salient_dicts(f)
        if not data or "Year" not in data[0]:
            continue
        skip = _US_SKIP_COLUMNS.get((edition, code), set())
        seen: dict[tuple[str, str], str] = {}
        for col in data[0]:
            if col in skip:
                continue
            hit = _us_column(code, col, edition)
            if hit is None:
                continue
            mineral, measure, unit = hit
            if (mineral, measure) in seen:
                raise ValueError(f"{f.name}: columns {seen[(mineral, measure)]!r} and {col!r} are both {measure}")
            seen[(mineral, measure)] = col
            for d in data:
                raw_s = _clean(d[col])
                parsed = parse_value(raw_s)
                if parsed is None:
                    continue
                value, flag = parsed
                year = int(d["Year"])
                # NOTE: the metadata says figures for an edition's latest year are estimates, but the files
                # mark few of them; they are flagged here so a reader knows which figures are preliminary.
                if flag == "" and year == int(edition[3:]) - 1:
                    flag = "estimated"
                rows.append({"mineral": mineral, "year": year, "measure": measure, "value": value, "unit": unit,
                             "flag": flag, "raw": raw_s, "column": col, "edition": edition})
    target = _us_target_units(rows, prod)
    for r in rows:
        t = target[(r["mineral"], r["measure"])]
        r["value"] = _convert(r["value"], r["unit"], t) if r["unit"] != "pct" else r["value"]
        r["unit"] = t
    _check_us_revisions(rows)
    best: dict[tuple, dict] = {}
    for r in rows:
        k = (r["mineral"], r["year"], r["measure"])
        if k not in best or _RANK[r["edition"]] > _RANK[best[k]["edition"]]:
            best[k] = r
    # NOTE: net import reliance is taken from the import_reliance rows (same files, plus the MCS2026
    # transcription) so the two tables cannot disagree.
    for r in nir:
        best[(r["mineral"], r["year"], "net_import_reliance_pct")] = {
            "mineral": r["mineral"], "year": r["year"], "measure": "net_import_reliance_pct", "value": r["nir_pct"],
            "unit": "pct", "flag": r["flag"], "raw": r["raw"], "column": r["basis"], "edition": r["edition"]}
    return [best[k] for k in sorted(best)]


def _check_us_revisions(rows: list[dict]) -> None:
    """A misread unit shows up as a revision by a factor near 1,000 between editions. Real revisions of small
    figures can be large (tin scrap exports 2022: 2,900 t in MCS2023, 30,400 t in MCS2024), so only figures
    above 100 units moving more than 100-fold count."""
    by: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["value"]:
            by.setdefault((r["mineral"], r["measure"], r["year"]), []).append(r)
    bad = [f"{k}: " + ", ".join(f"{r['edition']}={r['value']}" for r in rs)
           for k, rs in by.items()
           if max(r["value"] for r in rs) > 100 and max(r["value"] for r in rs) > 100 * min(r["value"] for r in rs)]
    if bad:
        raise ValueError("US salient values differ by >100x between editions:\n" + "\n".join(sorted(bad)))


# ---------------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------------


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else (_fmt(v) if isinstance(v, float) else v) for v in r])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


_CORR_HEAD = ["resource", "key", "field", "original", "corrected", "reason", "source"]


def _write_corrections(path: Path) -> Path:
    """corrections.csv is shared: rows from other curation steps are kept, this module's rows are replaced."""
    mine = [list(c) for c in CORRECTIONS]
    others = []
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            others = [r for r in list(csv.reader(fh))[1:]
                      if r and not r[-1].startswith("USGS Mineral Commodity Summaries")]
    rows = sorted(mine + others, key=lambda r: (r[0], r[1], r[2]))
    return _write(path, _CORR_HEAD, rows)


def curate(raw: Path, out: Path) -> list[Path]:
    raw, out = Path(raw), Path(out)
    prod, res = read_all(raw)
    prod = harmonise(prod)
    res = latest_reserves(res)
    nir = read_nir(raw)
    sources = read_import_sources(raw)
    us = read_us_salient(raw, prod, nir)
    used = {o.mineral for o in prod} | {o.mineral for o in res}
    missing = set(MINERAL_IDS) - used
    if missing:
        raise ValueError(f"minerals without production rows: {sorted(missing)}")
    written = [
        _write(out / "minerals.csv", ["mineral", "label", "deal_mineral", "usgs_commodity", "description"],
               [[m.id, m.label, "true" if m.deal else "false", m.usgs_commodity, m.description] for m in MINERALS]),
        _write(out / "production.csv",
               ["mineral", "stage", "product", "country", "iso3", "row_kind", "year", "value", "unit", "flag",
                "edition", "origin"],
               [[o.mineral, o.stage, o.product, o.country, o.iso3, o.row_kind, o.year, o.value, o.unit, o.flag,
                 o.edition, o.origin] for o in prod]),
        _write(out / "reserves.csv",
               ["mineral", "country", "iso3", "row_kind", "year", "value", "unit", "flag", "edition"],
               [[o.mineral, o.country, o.iso3, o.row_kind, o.year, o.value, o.unit, o.flag, o.edition]
                for o in res]),
        _write(out / "import_reliance.csv", ["mineral", "year", "nir_pct", "flag", "raw", "basis", "edition"],
               [[r["mineral"], r["year"], r["nir_pct"], r["flag"], r["raw"], r["basis"], r["edition"]] for r in nir]),
        _write(out / "import_sources.csv",
               ["mineral", "edition", "period", "category", "rank", "country", "iso3", "share_pct"],
               [[r[k] for k in ("mineral", "edition", "period", "category", "rank", "country", "iso3", "share_pct")]
                for r in sources]),
        _write(out / "us_salient.csv",
               ["mineral", "year", "measure", "value", "unit", "flag", "raw", "column", "edition"],
               [[r[k] for k in ("mineral", "year", "measure", "value", "unit", "flag", "raw", "column", "edition")]
                for r in us]),
        _write_corrections(out / "corrections.csv"),
    ]
    return written
