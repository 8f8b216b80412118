"""USGS world tables: production by country and reserves, MCS 2022–2026, plus every edition's value (revisions).

Reads the per-commodity world files of MCS2022–2024, the combined world table of MCS2025 and the official
combined data file of MCS2026. Editions revise earlier years: for every (mineral, stage, year) the newest edition
wins and the `edition` column says which one the number came from; `revisions` keeps each edition's figure.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import _io
from ._usgs import (
    EDITIONS,
    RANK,
    STEP,
    UNIT_WORDS,
    Obs,
    check_tonnage,
    clean,
    column_where,
    convert,
    country,
    dicts,
    mcs2026,
    mcs2026_estimated,
    mineral_ids,
    parse_at,
    read_csv,
    year_of,
)

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
UNITS = ["kg", "t", "kt", "Mt"]

# ---------------------------------------------------------------------------------------------------------------
# Corrections applied to the publisher's files (also written to corrections.csv)
# ---------------------------------------------------------------------------------------------------------------

_SRC = "USGS Mineral Commodity Summaries {} data release"
CORRECTIONS = [
    # resource, key, field, original, corrected, reason, source
    ("production", "MCS2025 world data/COMMODITY", "COMMODITY", "Gemanium", "Germanium",
     "misspelt commodity name in the MCS2025 world data table", _SRC.format(2025)),
    ("production", "MCS2023 chromium world file/Prod_t_2021, Prod_t_est_2022", "unit", "t", "kt",
     "column names say metric tons but the file's own notes say thousand metric tons, and the values equal "
     "the thousand-ton figures of MCS2024", _SRC.format(2023)),
    ("production", "MCS2025 world data/Titanium Mineral Concentrates", "UNIT_MEAS", "metric tons", "kt",
     "values are thousand metric tons of TiO2 (China 2024: 3,300), as in MCS2024's Prod_kt columns",
     _SRC.format(2025)),
    ("production", "MCS2025 world data/Titanium Mineral Concentrates/Sierra Leone/rutile", "UNIT_MEAS", "", "kt",
     "unit missing on one row; same series as the other rutile rows", _SRC.format(2025)),
    ("production", "MCS2024 fluorspar world file/header", "column 3", "Mine production, fluorspar", "Type",
     "the type string was written into the header instead of the column name", _SRC.format(2024)),
    ("reserves", "MCS2025 world data/Molybdenum/RESERVES_2024", "UNIT_MEAS", "metric tons", "kt",
     "the row's unit is metric tons but the reserve notes say the reserve data are thousand metric tons, the "
     "MCS2023 and MCS2024 headers are Reserves_kt with the same figures (US 3,500) and MCS2026 gives them in "
     "thousand metric tons", _SRC.format(2025)),
    ("reserves", "MCS2025 world data/Vanadium/RESERVES_2024", "UNIT_MEAS", "metric tons", "kt",
     "the row's unit is metric tons but the MCS2024 header says Reserves_kt for the same figures (Australia "
     "8,500; US 45); read as tons, world vanadium reserves would be a fraction of one year's mine output",
     _SRC.format(2025)),
    ("reserves", "MCS2026 data release/VANADIUM/Reserves", "Unit", "metric tons", "kt",
     "reserves are given in the unit of the table (metric tons) but are the thousand-ton figures of MCS2024 "
     "and MCS2025, revised; read as tons, world vanadium reserves would be a fraction of one year's output",
     _SRC.format(2026)),
    ("reserves", "MCS2025 world data/Indium/RESERVES_2024", "RESERVES_2024", "refinery capacity figures",
     "(not used)", "the reserves column of the indium rows holds the refinery capacity of MCS2026's capacity "
     "table (Belgium 50, Canada 70, France 70 t); USGS gives no indium reserves, so none are taken",
     _SRC.format(2025)),
    ("reserves", "MCS2023 vanadium world file/Reserves_t", "unit", "t", "kt",
     "header says metric tons but the figures are the thousand-ton figures of MCS2024 (Reserves_kt; "
     "US 45 in both)", _SRC.format(2023)),
]

# (edition, code) whose declared production unit is wrong; fixed per CORRECTIONS.
_UNIT_FIX = {("MCS2023", "chrom"): {"t": "kt"}, ("MCS2025", "timin"): {"t": "kt", "": "kt"}}
# (edition, mineral) whose declared reserves unit is wrong; fixed per CORRECTIONS.
_RES_UNIT_FIX = {("MCS2023", "vanadium"): {"t": "kt"}, ("MCS2025", "molybdenum"): {"t": "kt"},
                 ("MCS2025", "vanadium"): {"t": "kt"}, ("MCS2026", "vanadium"): {"t": "kt"}}


def _series_for(code: str, type_: str) -> tuple[str, str] | None:
    for c, pat, mineral, stage in _SERIES:
        if c == code and re.search(pat, type_, re.I):
            return mineral, stage
    return None


_PROD_COL = re.compile(r"^Prod_(?:Sponge_)?(?P<unit>t|kt|kg|mt|mcm)_(?P<est>est_)?(?P<year>\d{4})$", re.I)
_RES_COL = re.compile(r"^Reserves_(?P<unit>t|kt|kg|mt|mcm)(_\d{4})?$", re.I)


def _norm_unit(u: str) -> str:
    return {"mt": "Mt", "t": "t", "kt": "kt", "kg": "kg", "mcm": "mcm"}[u.lower()]


# NOTE: USGS reports PGM reserves for the group only (on the platinum rows in MCS2024, the palladium rows in
# MCS2025), so they get their own id rather than being credited to one metal.
_RESERVES_MINERAL = {"platinum": "platinum_group_metals", "palladium": "platinum_group_metals"}


def _skip_country(name: str) -> bool:
    # Combined ilmenite-and-rutile totals have no matching country rows.
    return bool(re.search(r"ilmenite and rutile", name, re.I))


def _estimated_in(notes: str, year: int) -> bool:
    """The publisher's note marks the figure for `year` as estimated ('Estimated in 2021 also' in MCS2023,
    'Also estimated in 2022' in MCS2024, 'estimated 2023' / 'estimated for 2023' in MCS2025)."""
    return bool(re.search(rf"\bestimated (in |for )?{year}\b", notes, re.I))


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
    rows = read_csv(path)
    head = [clean(h) for h in rows[0][1]]
    head[2] = "Type"  # MCS2024 fluorspar has the type string in the header (see CORRECTIONS)
    notes_col = next((i for i, h in enumerate(head) if h.lower().startswith("prod_note")), None)
    latest = int(edition[3:]) - 1
    prod, res = [], []
    for line, r in rows[1:]:
        r = r + [""] * (len(head) - len(r))
        if not r[1].strip() or _skip_country(r[1]):
            continue
        type_ = clean(r[2])
        hit = _series_for(code, type_)
        if hit is None:
            continue
        mineral, stage = hit
        cname, iso, kind, name_est = country(r[1])
        notes = clean(r[notes_col]) if notes_col is not None else ""
        for i, h in enumerate(head):
            where = column_where(path, line, h)
            m = _PROD_COL.match(h)
            if m:
                year = int(m.group("year"))
                # NOTE: a blank production cell on a series row is kept as not available, not dropped.
                value, flag = parse_at(r[i], where) or (None, "not_available")
                unit = _norm_unit(m.group("unit"))
                unit = _UNIT_FIX.get((edition, code), {}).get(unit, unit)
                # NOTE: the "est" in a column name marks the edition's latest year only. MCS2024 names both its
                # years "est" in 24 files, while its notes say "Also estimated in 2022" for the rows that are;
                # an earlier year is estimated only where the notes (or an "e" on the value or name) say so.
                if flag == "" and (year == latest or name_est or _estimated_in(notes, year)):
                    flag = "estimated"
                o = Obs(mineral, stage, type_, cname, iso, kind, year, value, unit, flag, edition, "data_release",
                        where)
                check_tonnage(o)
                prod.append(o)
            m = _RES_COL.match(h)
            if m and stage in ("mine", "refinery") and mineral not in ("alumina",):
                rmineral = _RESERVES_MINERAL.get(mineral, mineral)
                parsed = parse_at(r[i], where)
                if parsed is None:
                    continue
                value, flag = parsed
                unit = _norm_unit(m.group("unit"))
                unit = _RES_UNIT_FIX.get((edition, rmineral), {}).get(unit, unit)
                o = Obs(rmineral, "reserves", type_, cname, iso, kind, latest, value, unit, flag, edition,
                        "data_release", where)
                check_tonnage(o)
                res.append(o)
    return prod, res


def _read_mcs2025(path: Path) -> tuple[list[Obs], list[Obs]]:
    prod, res = [], []
    for d in dicts(path):
        line = d["_line"]
        commodity = clean(d["COMMODITY"])
        if commodity == "Gemanium":  # see CORRECTIONS
            commodity = "Germanium"
        code = _MCS2025_CODE.get(commodity.lower())
        if code is None or _skip_country(d["COUNTRY"]):
            continue
        type_ = clean(d["TYPE"])
        hit = _series_for(code, type_)
        if hit is None:
            continue
        mineral, stage = hit
        cname, iso, kind, _ = country(d["COUNTRY"])
        where = column_where(path, line, "UNIT_MEAS")
        word = clean(d["UNIT_MEAS"]).lower()
        if word not in UNIT_WORDS:
            raise _io.RawFileError(f"{where}: unknown unit {d['UNIT_MEAS']!r}")
        unit = UNIT_WORDS[word]
        unit = _UNIT_FIX.get(("MCS2025", code), {}).get(unit, unit)
        notes = clean(d.get("PROD_NOTES", ""))
        # NOTE: a type string that says "estimated" (e.g. "Mine production, barite, estimated") marks every
        # figure of the row as an estimate; so does a note "estimated" that names no year.
        all_est = "estimated" in type_.lower() or bool(re.match(r"estimated\b(?! (for )?\d{4})", notes, re.I))
        for col, year in (("PROD_2023", 2023), ("PROD_EST_ 2024", 2024)):
            parsed = parse_at(d[col], column_where(path, line, col))
            if parsed is None:
                # NOTE: MCS2025 leaves withheld cells empty. A blank is withheld where the notes say W; every
                # other blank (germanium's country rows among them, which MCS2023–24 give as NA) is kept as
                # not available rather than dropped or guessed.
                parsed = (None, "withheld") if re.search(r"\bW\b", notes) else (None, "not_available")
            value, flag = parsed
            if flag == "" and (year == 2024 or all_est or _estimated_in(notes, year)):
                flag = "estimated"
            o = Obs(mineral, stage, type_, cname, iso, kind, year, value, unit, flag, "MCS2025", "data_release",
                    column_where(path, line, col))
            check_tonnage(o)
            prod.append(o)
        # NOTE: MCS2025's indium reserves column holds refinery capacity (see CORRECTIONS).
        if stage in ("mine", "refinery") and mineral not in ("alumina", "indium"):
            rnotes = clean(d.get("RESERVE_NOTES", ""))
            parsed = parse_at(d["RESERVES_2024"], column_where(path, line, "RESERVES_2024"))
            if parsed is None and rnotes.upper().startswith("NA"):
                parsed = (None, "not_available")
            if parsed is not None:
                value, flag = parsed
                rmineral = _RESERVES_MINERAL.get(mineral, mineral)
                runit = "Mt" if "million metric tons" in rnotes.lower() else unit
                runit = _RES_UNIT_FIX.get(("MCS2025", rmineral), {}).get(runit, runit)
                o = Obs(rmineral, "reserves", type_, cname, iso, kind, 2024, value, runit, flag, "MCS2025",
                        "data_release", column_where(path, line, "RESERVES_2024"))
                check_tonnage(o)
                res.append(o)
    return prod, res


# MCS2026 world tables: Commodity → [(Statistics_detail without ": rounded", mineral, stage)]. Stage "reserves"
# marks a reserves series.
_MINE = [("mine production", None, "mine"), ("reserves", None, "reserves")]
_MCS2026_WORLD = {
    "Aluminum": [("smelter production", "aluminum", "smelter")],
    "Antimony": _MINE, "Barite": _MINE, "Beryllium": _MINE, "Cobalt": _MINE, "Fluorspar": _MINE, "Gold": _MINE,
    "Graphite (Natural)": [("mine production", "graphite", "mine"), ("reserves", "graphite", "reserves")],
    "Lead": _MINE, "Lithium": _MINE, "Manganese": _MINE, "Nickel": _MINE, "Rhenium": _MINE, "Silver": _MINE,
    "Tantalum": _MINE, "Tin": _MINE, "Tungsten": _MINE, "Vanadium": _MINE, "Zinc": _MINE,
    "Niobium (Columbium)": [("mine production", "niobium", "mine"), ("reserves", "niobium", "reserves")],
    "Rare Earths": [("mine production", "rare_earths", "mine"), ("reserves", "rare_earths", "reserves")],
    "Alumina": [("alumina, refinery production", "alumina", "refinery")],
    "Bauxite": [("bauxite, mine production", "bauxite", "mine"), ("bauxite reserves", "bauxite", "reserves")],
    "Bismuth": [("refinery production", "bismuth", "refinery")],
    "Cadmium": [("refinery production", "cadmium", "refinery")],
    # NOTE: chromium reserves: the shipping-grade ore series (the basis of earlier editions), not Cr2O3 content.
    "Chromium": [("mine production", "chromium", "mine"), ("reserves: ore", "chromium", "reserves")],
    "Copper": [("mine production", "copper", "mine"), ("refinery production", "copper", "refinery"),
               ("reserves", "copper", "reserves")],
    "Gallium": [("primary production", "gallium", "processing")],
    "Indium": [("refinery production", "indium", "refinery")],
    "Iron Ore": [("mine production: usable ore", "iron_ore", "mine"),
                 ("mine production: iron content", "iron_ore_fe", "mine"),
                 ("reserves (million metric tons): crude ore", "iron_ore", "reserves"),
                 ("reserves (million metric tons): iron content", "iron_ore_fe", "reserves")],
    "Magnesium Metal": [("smelter production", "magnesium", "smelter")],
    "Molybdenum": [("mine production", "molybdenum", "mine"),
                   ("reserves (thousand metric tons)", "molybdenum", "reserves")],
    "Palladium": [("mine production: palladium", "palladium", "mine")],
    "Platinum": [("mine production: platinum", "platinum", "mine")],
    "Platinum-Group Metals": [("pgm reserves", "platinum_group_metals", "reserves")],
    "Selenium": [("refinery production", "selenium", "refinery")],
    "Tellurium": [("refinery production", "tellurium", "refinery")],
    "Titanium Sponge Metal": [("titanium sponge metal production", "titanium", "processing")],
    "Titanium Mineral Concentrates": [("mine production: ilmenite", "titanium", "mine"),
                                      ("mine production: rutile", "titanium_rutile", "mine"),
                                      ("reserves: ilmenite", "titanium", "reserves"),
                                      ("reserves: rutile", "titanium_rutile", "reserves")],
    "Zirconium": [("zirconium mineral concentrates, mine production (thousand metric tons, gross weight)",
                   "zirconium", "mine"),
                  ("zirconium reserves(thousand metric tons, zro2 content)", "zirconium", "reserves")],
}
_SLUG = {"Graphite (Natural)": "graphite", "Niobium (Columbium)": "niobium", "Rare Earths": "rare_earths"}
_WORLD_SECTIONS = ("Salient Statistics—United States", "Import Sources")


def _mcs2026_series(d: dict[str, str]) -> tuple[str, str] | None:
    detail = re.sub(r"[:,]\s*rounded$", "", d["Statistics_detail"]).strip().lower()
    for want, mineral, stage in _MCS2026_WORLD.get(d["Commodity"], []):
        if detail == want:
            return mineral or _SLUG.get(d["Commodity"], d["Commodity"].lower()), stage
    return None


def read_mcs2026(rows: list[dict[str, str]]) -> tuple[list[Obs], list[Obs]]:
    prod, res = [], []
    for d in rows:
        if d["Section"] in _WORLD_SECTIONS or d["Statistics"] not in ("Production", "Reserves"):
            continue
        hit = _mcs2026_series(d)
        if hit is None:
            continue
        mineral, stage = hit
        where = d["_where"]
        unit_word = d["Unit"].lower()
        if unit_word not in UNIT_WORDS or not unit_word:
            raise _io.RawFileError(f"{where}, column 'Unit': unknown unit {d['Unit']!r}")
        unit = UNIT_WORDS[unit_word]
        cname, iso, kind, _ = country(d["Country"])
        year = year_of(d)
        value, flag = parse_at(d["Value"], f"{where}, column 'Value'") or (None, "not_available")
        if flag == "" and mcs2026_estimated(d):
            flag = "estimated"
        if stage == "reserves":
            unit = _RES_UNIT_FIX.get(("MCS2026", mineral), {}).get(unit, unit)
            o = Obs(mineral, "reserves", d["Statistics_detail"], cname, iso, kind, year, value, unit, flag,
                    "MCS2026", "data_release", where)
            res.append(o)
        else:
            o = Obs(mineral, stage, re.sub(r"[:,]\s*rounded$", "", d["Statistics_detail"]), cname, iso, kind, year,
                    value, unit, flag, "MCS2026", "data_release", where)
            prod.append(o)
        check_tonnage(o)
    return prod, res


def _edition_dirs(raw: Path) -> list[tuple[str, Path]]:
    return [("MCS2022", raw / "usgs-mcs2022-subset"), ("MCS2023", raw / "usgs-mcs2023" / "world"),
            ("MCS2024", raw / "usgs-mcs2024" / "world")]


def world_files(raw: Path) -> list[tuple[str, Path]]:
    out = []
    for edition, folder in _edition_dirs(raw):
        out += [(edition, f) for f in sorted(folder.iterdir(), key=lambda p: p.name.lower())
                if f.name.lower().endswith("_world.csv") and _file_code(f)]
    out.append(("MCS2025", raw / "usgs-mcs2025" / "world" / "MCS2025_World_Data.csv"))
    return out


def read_all(raw: Path, rows2026: list[dict[str, str]] | None = None) -> tuple[list[Obs], list[Obs]]:
    raw = Path(raw)
    prod, res = [], []
    for edition, f in world_files(raw):
        _io.require_listed(STEP, raw, f)
        p, r = _read_mcs2025(f) if edition == "MCS2025" else _read_world_file(f, edition)
        prod += p
        res += r
    p, r = read_mcs2026(rows2026 if rows2026 is not None else mcs2026(raw))
    return prod + p, res + r


# ---------------------------------------------------------------------------------------------------------------
# Harmonisation
# ---------------------------------------------------------------------------------------------------------------


def _target_units(prod: list[Obs]) -> dict[tuple[str, str], str]:
    """NOTE: the unit of each (mineral, stage) is the one MCS2025 uses (else the newest edition's)."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for o in prod:
        key = (o.mineral, o.stage)
        rank = 99 if o.edition == "MCS2025" else RANK[o.edition]
        if o.unit and (key not in best or rank > best[key][0]):
            best[key] = (rank, o.unit)
    return {k: v[1] for k, v in best.items()}


def harmonise(prod: list[Obs]) -> list[Obs]:
    """All editions' rows in one unit per (mineral, stage), checked for duplicates and unit slips."""
    target = _target_units(prod)
    for o in prod:
        t = target[(o.mineral, o.stage)]
        o.value = convert(o.value, o.unit or t, t)
        o.unit = t
    # NOTE: MCS2026 spells one product two ways within a table ("Mine production: Ilmenite" on country rows,
    # "Mine production: ilmenite" on the world total); labels of one table that differ only in case take the
    # spelling most of its rows use, so the world total stays with its countries.
    spellings: dict[tuple, dict[str, int]] = {}
    for o in prod:
        k = (o.mineral, o.stage, o.year, o.edition, o.product.lower())
        spellings.setdefault(k, {}).setdefault(o.product, 0)
        spellings[k][o.product] += 1
    for o in prod:
        counts = spellings[(o.mineral, o.stage, o.year, o.edition, o.product.lower())]
        o.product = max(sorted(counts), key=counts.get)
    keys: dict[tuple, Obs] = {}
    for o in prod:
        key = (o.mineral, o.stage, o.country, o.year, o.edition)
        if key in keys:
            raise _io.RawFileError(f"{o.where}: duplicate row {key[:4]} (first at {keys[key].where})")
        keys[key] = o
    _check_revisions(prod)
    return prod


def newest(prod: list[Obs]) -> list[Obs]:
    # NOTE: the newest edition wins, table by table: for each (mineral, stage, year) all rows come from the newest
    # edition reporting that year. Taking it country by country instead would keep countries a later edition
    # folded into "Other countries" and count them twice.
    top: dict[tuple, int] = {}
    for o in prod:
        k = (o.mineral, o.stage, o.year)
        top[k] = max(top.get(k, -1), RANK[o.edition])
    keep = [o for o in prod if RANK[o.edition] == top[(o.mineral, o.stage, o.year)]]
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


def reserves_units(res: list[Obs]) -> list[Obs]:
    units: dict[tuple[str, str], set[str]] = {}
    for o in res:
        if o.value is not None:
            units.setdefault((o.mineral, o.edition), set()).add(o.unit)
    for o in res:
        u = units.get((o.mineral, o.edition), {o.unit})
        if len(u) != 1:
            raise ValueError(f"reserves of {o.mineral} in {o.edition} mix units {sorted(u)}")
        o.unit = next(iter(u))
    return res


def latest_reserves(res: list[Obs]) -> list[Obs]:
    # NOTE: an edition counts for a mineral only if it gives at least one reserve figure; an older table of
    # nothing but "NA" (germanium, gallium) is not carried forward.
    with_value = {(o.mineral, o.edition) for o in res if o.value is not None}
    res = [o for o in res if (o.mineral, o.edition) in with_value]
    top: dict[str, int] = {}
    for o in res:
        top[o.mineral] = max(top.get(o.mineral, -1), RANK[o.edition])
    keep: dict[tuple, Obs] = {}
    for o in res:
        if RANK[o.edition] != top[o.mineral]:
            continue
        k = (o.mineral, o.country)
        prev = keep.get(k)
        if prev is not None and prev.value is not None and o.value is not None:
            raise _io.RawFileError(f"{o.where}: duplicate reserves row {k} (first at {prev.where})")
        if prev is None or prev.value is None and (o.value is not None or prev.flag == "not_available"):
            keep[k] = o
    return sorted(keep.values(), key=lambda o: (o.mineral, o.country))


PRODUCTION_HEAD = ["mineral", "stage", "product", "country", "iso3", "row_kind", "year", "value", "qualifier",
                   "unit", "flag", "edition", "origin"]
RESERVES_HEAD = ["mineral", "country", "iso3", "row_kind", "year", "value", "qualifier", "unit", "flag", "edition"]


def world(raw: Path, rows2026: list[dict[str, str]] | None = None) -> tuple[list[Obs], list[Obs], list[Obs], list[Obs]]:
    """(production, reserves, every edition's production, every edition's reserves)."""
    prod_all, res_all = read_all(raw, rows2026)
    prod_all = harmonise(prod_all)
    res_all = reserves_units(res_all)
    ids = set(mineral_ids())
    unknown = {o.mineral for o in prod_all + res_all} - ids
    if unknown:
        raise ValueError(f"minerals missing from data/minerals.csv: {sorted(unknown)}")
    prod, res = newest(prod_all), latest_reserves(res_all)
    missing = ids - {o.mineral for o in prod} - {o.mineral for o in res}
    if missing:
        raise ValueError(f"minerals without production rows: {sorted(missing)}")
    return prod, res, prod_all, res_all


def write(out: Path, prod: list[Obs], res: list[Obs]) -> list[Path]:
    from ._usgs import qualifier
    return [
        _io.write_csv([[o.mineral, o.stage, o.product, o.country, o.iso3, o.row_kind, o.year, o.value,
                        qualifier(o.flag), o.unit, o.flag, o.edition, o.origin] for o in prod],
                      out / "production.csv", PRODUCTION_HEAD),
        _io.write_csv([[o.mineral, o.country, o.iso3, o.row_kind, o.year, o.value, qualifier(o.flag), o.unit,
                        o.flag, o.edition] for o in res], out / "reserves.csv", RESERVES_HEAD),
    ]


__all__ = ["CORRECTIONS", "EDITIONS", "world", "write"]
