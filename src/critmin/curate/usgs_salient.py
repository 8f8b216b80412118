"""USGS salient statistics: US net import reliance, import sources, production, trade, consumption and prices.

MCS2022–2025 give one salient file per commodity (column names code the measure and unit); MCS2026 gives the
same statistics in its combined long file (one row per statistic and year, described in words). For each
mineral, year and measure the newest edition wins; `revisions` and the `edition` columns keep the older values.
"""

from __future__ import annotations

import re
from pathlib import Path

from critmin.data import countries

from . import _io
from ._usgs import (
    RANK,
    STEP,
    Obs,
    clean,
    column_where,
    convert,
    dicts,
    mcs2026_estimated,
    parse_at,
    qualifier,
    read_csv,
    year_of,
)
from .usgs_world import _file_code

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
    """Like dicts, but rows longer than the header are aligned on the right, keeping DataSource, Commodity and
    Year: the NIR column is always last (MCS2024 fluorspar; see CORRECTIONS)."""
    rows = read_csv(path)
    head = [clean(h) for h in rows[0][1]]
    while head and not head[-1]:
        head.pop()
    out = []
    for line, r in rows[1:]:
        r = list(r)
        if len(r) > len(head):
            r = r[:3] + r[len(r) - (len(head) - 3):]
        d = {h: (r[i] if i < len(r) else "") for i, h in enumerate(head) if h}
        d["_line"] = line
        out.append(d)
    return out


def read_nir(raw: Path, rows2026: list[dict[str, str]], everything: list | None = None) -> list[dict]:
    rows: dict[tuple[str, int], dict] = {}

    def put(r: dict) -> None:
        if everything is not None:
            everything.append(r)
        key = (r["mineral"], r["year"])
        prev = rows.get(key)
        if prev is None or RANK[r["edition"]] > RANK[prev["edition"]]:
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
                raw_s = clean(d[col])
                parsed = parse_at(raw_s, column_where(f, d["_line"], col))
                value, flag = parsed if parsed else (None, "not_available")
                put({"mineral": mineral, "year": int(d["Year"]), "nir_pct": value, "flag": flag, "raw": raw_s,
                     "basis": col, "edition": edition})
    for r in nir_2026(rows2026):
        put(r)
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


def read_import_sources(raw: Path, rows2026: list[dict[str, str]]) -> list[dict]:
    out = []
    for e in ("2023", "2024", "2025"):
        f = raw / f"usgs-mcs{e}" / "trends" / f"MCS{e}_Fig2_Net_Import_Reliance.csv"
        _io.require_listed(STEP, raw, f)
        data = dicts(f)
        src_col = next(h for h in data[0] if h.startswith("Major_Import_Sources"))
        y0, y1 = re.findall(r"\d{4}", src_col)
        for d in data:
            category = clean(d["Commodity"])
            mineral = _FIG2.get(category.split(",")[0].strip())
            if mineral is None:
                continue
            for rank, name in enumerate([c for c in d[src_col].split(",") if c.strip()], start=1):
                country, iso = _source_country(name)
                out.append({"mineral": mineral, "edition": f"MCS{e}", "period": f"{y0}-{y1}", "category": category,
                            "rank": rank, "country": country, "iso3": iso, "share_pct": None})
    out += sources_2026(rows2026)
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
        if k not in newest or RANK[r["edition"]] > newest[k][0]:
            newest[k] = (RANK[r["edition"]], r["unit"])
    out = {}
    for (mineral, measure), (_, unit) in newest.items():
        pu = prod_units.get(mineral, set())
        keep = unit == "pct" or len(pu) != 1 or mineral == "zirconium"
        out[(mineral, measure)] = unit if keep else next(iter(pu))
    return out


def read_us_salient(raw: Path, prod: list[Obs], nir: list[dict], rows2026: list[dict[str, str]]) -> list[dict]:
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
                raw_s = clean(d[col])
                parsed = parse_at(raw_s, column_where(f, d["_line"], col))
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
    rows += us_2026(rows2026)
    target = _us_target_units(rows, prod)
    for r in rows:
        t = target[(r["mineral"], r["measure"])]
        r["value"] = convert(r["value"], r["unit"], t) if r["unit"] != "pct" else r["value"]
        r["unit"] = t
    _check_us_revisions(rows)
    # NOTE: the newest edition wins per mineral, year and base measure (all forms of e.g. imports from one
    # edition), so that a form renamed between editions (MCS2025 column names, MCS2026 descriptions) is never
    # counted twice for one year.
    top: dict[tuple, int] = {}
    for r in rows:
        k = (r["mineral"], r["year"], r["measure"].split(".")[0])
        top[k] = max(top.get(k, -1), RANK[r["edition"]])
    best: dict[tuple, dict] = {}
    for r in rows:
        if RANK[r["edition"]] == top[(r["mineral"], r["year"], r["measure"].split(".")[0])]:
            k = (r["mineral"], r["year"], r["measure"])
            if k in best:
                raise _io.RawFileError(f"two {r['measure']} figures for {r['mineral']} {r['year']} in {r['edition']}: "
                                       f"{best[k]['column']!r} and {r['column']!r}")
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

# ---------------------------------------------------------------------------------------------------------------
# MCS2026: salient statistics from the combined data file
# ---------------------------------------------------------------------------------------------------------------

SALIENT = "Salient Statistics—United States"
# MCS2026 Commodity (salient and import-source sections) → mineral id; chapters not listed are not curated.
_COMMODITY_2026 = {
    "Aluminum": "aluminum", "Antimony": "antimony", "Barite": "barite", "Alumina": "alumina", "Bauxite": "bauxite",
    "Beryllium": "beryllium", "Bismuth": "bismuth", "Cadmium": "cadmium", "Chromium": "chromium",
    "Cobalt": "cobalt", "Copper": "copper", "Fluorspar": "fluorspar", "Gallium": "gallium",
    "Germanium": "germanium", "Gold": "gold", "Graphite (Natural)": "graphite", "Indium": "indium",
    "Iron Ore": "iron_ore", "Lead": "lead", "Lithium": "lithium", "Magnesium Metal": "magnesium",
    "Manganese": "manganese", "Molybdenum": "molybdenum", "Nickel": "nickel", "Niobium (Columbium)": "niobium",
    "Palladium": "palladium", "Platinum": "platinum", "Rare Earths": "rare_earths",
    "Rare Earths (Heavy)": "rare_earths", "Dysprosium": "rare_earths", "Cerium": "rare_earths",
    "Rhenium": "rhenium", "Selenium": "selenium", "Silver": "silver", "Tantalum": "tantalum",
    "Tellurium": "tellurium", "Tin": "tin", "Titanium Mineral Concentrates": "titanium", "Tungsten": "tungsten",
    "Vanadium": "vanadium", "Zinc": "zinc", "Zirconium": "zirconium",
}
# NOTE: the chapter each mineral's US statistics come from where a mineral has rows in several (rare earths:
# the main chapter for quantities and import reliance; the heavy rare-earth chapter adds prices only).
_MAIN_CHAPTER = {"rare_earths": "RARE EARTHS"}
# Where MCS2026 gives several net import reliance series, the one the earlier editions' column meant (_NIR).
_NIR_2026 = {"rare_earths": "compounds and metal", "zinc": "refined zinc", "zirconium": "zirconium ores"}


def _mineral_2026(d: dict[str, str]) -> str | None:
    m = _COMMODITY_2026.get(d["Commodity"])
    if m is None or (m in _MAIN_CHAPTER and d["MCS chapter"] != _MAIN_CHAPTER[m] and d["Statistics"] != "Price"):
        return None
    return m


def nir_2026(rows: list[dict[str, str]]) -> list[dict]:
    cand: dict[tuple[str, int], list[dict]] = {}
    for d in rows:
        if d["Section"] != SALIENT or d["Statistics"] != "Net import reliance":
            continue
        mineral = _mineral_2026(d)
        if mineral is None:
            continue
        want = _NIR_2026.get(mineral)
        if want and want not in d["Statistics_detail"].lower():
            continue
        cand.setdefault((mineral, year_of(d)), []).append(d)
    out = []
    for (mineral, year), ds in sorted(cand.items()):
        if len(ds) != 1:
            raise _io.RawFileError(f"{ds[1]['_where']}: several net import reliance rows for {mineral} {year}")
        d = ds[0]
        value, flag = parse_at(d["Value"], f"{d['_where']}, column 'Value'") or (None, "not_available")
        if flag == "" and mcs2026_estimated(d):
            flag = "estimated"
        out.append({"mineral": mineral, "year": year, "nir_pct": value, "flag": flag, "raw": d["Value"],
                    "basis": d["Statistics_detail"], "edition": "MCS2026"})
    return out


def sources_2026(rows: list[dict[str, str]]) -> list[dict]:
    out, rank = [], {}
    for d in rows:
        if d["Section"] != "Import Sources":
            continue
        mineral = _COMMODITY_2026.get(d["Commodity"])
        if mineral is None:
            continue
        y = re.findall(r"\d+", d["Year"])
        period = f"{y[0]}-{y[1] if len(y[1]) == 4 else y[0][:2] + y[1]}"
        category = d["Statistics_detail"] or d["Commodity"]
        k = (mineral, category)
        rank[k] = rank.get(k, 0) + 1
        name, iso = _source_country(d["Country"])
        value, flag = parse_at(d["Value"], f"{d['_where']}, column 'Value'") or (None, "not_available")
        out.append({"mineral": mineral, "edition": "MCS2026", "period": period, "category": category,
                    "rank": rank[k], "country": name, "iso3": iso, "share_pct": value, "qualifier": qualifier(flag)})
    return out


_US_UNITS_2026 = {"metric tons": "t", "thousand metric tons": "kt", "kilograms": "kg",
                  "thousand metric dry tons": "kt"}
_BARE_2026 = {"gallium": "reported_consumption", "gold": "reported_consumption",
              "germanium": "estimated_consumption", "indium": "estimated_consumption",
              "lithium": "estimated_consumption"}
_DROP_WORDS = r"\b(imports? for consumption|imports?|exports?|production|consumption|apparent|reported|estimated|" \
              r"total|for|mine production)\b"


def _form(detail: str, base: str) -> str:
    s = detail.lower()
    if base.endswith("production"):
        s = re.sub(r"\b(primary|secondary)\b", " ", s)
    s = s.replace("(", " ").replace(")", " ")
    s = re.sub(_DROP_WORDS, " ", s)
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return _US_FORM_ALIAS.get(s, s)


def us_2026(rows: list[dict[str, str]]) -> list[dict]:
    """MCS2026 US quantities as us_salient rows (unit as published; converted later like the older files)."""
    staged = []
    for d in rows:
        if d["Section"] != SALIENT or d["Statistics"] not in ("Production", "Import", "Export", "Consumption"):
            continue
        mineral = _mineral_2026(d)
        unit = _US_UNITS_2026.get(d["Unit"].lower())
        if mineral is None or unit is None:
            continue
        detail = d["Statistics_detail"]
        low = detail.lower()
        st = d["Statistics"]
        if st == "Production":
            base = "secondary_production" if re.search(r"secondary|scrap|recycl", low) else "primary_production"
        elif st in ("Import", "Export"):
            base = "imports" if st == "Import" else "exports"
        elif "apparent" in low:
            base = "apparent_consumption"
        elif "reported" in low:
            base = "reported_consumption"
        elif "estimated" in low:
            base = "estimated_consumption"
        else:
            base = _BARE_2026.get(mineral, "apparent_consumption")
        parsed = parse_at(d["Value"], f"{d['_where']}, column 'Value'") or (None, "not_available")
        value, flag = parsed
        if value is not None and value < 0:
            raise _io.RawFileError(f"{d['_where']}, column 'Value': negative quantity {d['Value']!r}")
        if flag == "" and mcs2026_estimated(d):
            flag = "estimated"
        staged.append({"mineral": mineral, "year": year_of(d), "base": base, "form": _form(detail, base), "value": value,
                       "unit": unit, "flag": flag, "raw": d["Value"], "column": detail, "edition": "MCS2026",
                       "_where": d["_where"]})
    # NOTE: a base measure given once per year is the headline (no form); where there are several, the forms
    # are kept, and the headline form of _US_HEADLINE_FORM (e.g. rare earths' compounds and metals) loses it.
    count: dict[tuple, int] = {}
    for r in staged:
        k = (r["mineral"], r["year"], r["base"])
        count[k] = count.get(k, 0) + 1
    out = []
    for r in staged:
        form = "" if count[(r["mineral"], r["year"], r["base"])] == 1 else r["form"]
        if form in _US_HEADLINE_FORM.get(r["mineral"], set()) | _HEADLINE_2026.get(r["mineral"], set()):
            form = ""
        r["measure"] = r.pop("base") + (f".{form}" if form else "")
        r.pop("form")
        out.append(r)
    return out


_HEADLINE_2026 = {"rare_earths": {"compounds_and_metals", "compounds_and_metal"}, "zinc": {"refined_zinc", "refined"},
                  "zirconium": {"zirconium_ores_and_concentrates_zro2_content"}}


# ---------------------------------------------------------------------------------------------------------------
# Prices
# ---------------------------------------------------------------------------------------------------------------

# series id → (mineral, unit, basis). A series is one definition of a price; where the publisher changes the
# definition (gallium: low-purity price to MCS2025, an import unit value in MCS2026) the ids differ and the
# series are never joined.
PRICE_SERIES = {
    "antimony_metal": ("antimony", "usd_per_lb", "antimony metal, annual average"),
    "tungsten_concentrate_wo3": ("tungsten", "usd_per_mtu_wo3",
                                 "tungsten concentrate, per metric ton unit (10 kg) of WO3, Rotterdam in-warehouse"),
    "rare_earths_la_oxide": ("rare_earths", "usd_per_kg", "lanthanum oxide"),
    "rare_earths_ce_oxide": ("rare_earths", "usd_per_kg", "cerium oxide"),
    "rare_earths_mischmetal": ("rare_earths", "usd_per_kg", "mischmetal"),
    "rare_earths_nd_oxide": ("rare_earths", "usd_per_kg", "neodymium oxide"),
    "rare_earths_pr_oxide": ("rare_earths", "usd_per_kg", "praseodymium oxide"),
    "rare_earths_ndpr_oxide": ("rare_earths", "usd_per_kg", "neodymium-praseodymium (NdPr) oxide"),
    "rare_earths_eu_oxide": ("rare_earths", "usd_per_kg", "europium oxide"),
    "rare_earths_dy_oxide": ("rare_earths", "usd_per_kg", "dysprosium oxide"),
    "rare_earths_tb_oxide": ("rare_earths", "usd_per_kg", "terbium oxide"),
    "gallium_low_purity": ("gallium", "usd_per_kg", "low-purity gallium, annual average price"),
    "gallium_high_purity": ("gallium", "usd_per_kg", "high-purity gallium, annual average price"),
    "gallium_import_unit_value": ("gallium", "usd_per_kg", "average unit value of US gallium imports"),
    "germanium_metal": ("germanium", "usd_per_kg", "germanium metal, annual average"),
    "germanium_dioxide": ("germanium", "usd_per_kg", "germanium dioxide, annual average"),
    "cobalt_us_spot_cathode": ("cobalt", "usd_per_lb", "US spot, cathode"),
    "cobalt_lme_cash": ("cobalt", "usd_per_lb", "London Metal Exchange, cash"),
    "lithium_carbonate_battery": ("lithium", "usd_per_t", "battery-grade lithium carbonate, annual average"),
    "lithium_carbonate_battery_real": ("lithium", "usd_per_t",
                                       "battery-grade lithium carbonate, annual average in real terms (MCS2026 wording)"),
    "graphite_flake_import_uv": ("graphite", "usd_per_t", "average unit value of US imports, flake"),
    "graphite_lump_chip_import_uv": ("graphite", "usd_per_t", "average unit value of US imports, lump and chip (Sri Lanka)"),
    "graphite_amorphous_import_uv": ("graphite", "usd_per_t", "average unit value of US imports, amorphous"),
    "copper_us_producer_cathode": ("copper", "usc_per_lb", "US producer cathode (COMEX + premium)"),
    "copper_comex": ("copper", "usc_per_lb", "COMEX high-grade, first position"),
    "copper_lme_grade_a": ("copper", "usc_per_lb", "London Metal Exchange grade A, cash"),
}
# MCS2022–2025 salient columns (lower-case, letters and digits only) → series.
_PRICE_COLUMNS = {
    ("antim", "pricemetaldlb"): "antimony_metal",
    ("tungs", "pricewo3dt"): "tungsten_concentrate_wo3",
    ("raree", "pricela2o3dkg"): "rare_earths_la_oxide", ("raree", "priceceo2dkg"): "rare_earths_ce_oxide",
    ("raree", "pricemischmetaldkg"): "rare_earths_mischmetal", ("raree", "pricend2o3dkg"): "rare_earths_nd_oxide",
    ("raree", "priceeu2o3dkg"): "rare_earths_eu_oxide", ("raree", "pricedy2o3dkg"): "rare_earths_dy_oxide",
    ("raree", "pricetbo2dkg"): "rare_earths_tb_oxide",
    ("galli", "pricelowpuritydkg"): "gallium_low_purity", ("galli", "pricehighpuritydkg"): "gallium_high_purity",
    ("germa", "pricemetaldkg"): "germanium_metal", ("germa", "pricegeo2dkg"): "germanium_dioxide",
    ("cobal", "pricespotdlb"): "cobalt_us_spot_cathode", ("cobal", "pricelmedlb"): "cobalt_lme_cash",
    ("lithi", "pricedt"): "lithium_carbonate_battery",
    # NOTE: MCS2022 names the graphite price columns Price_*_t; the values are the dollars per ton of later
    # editions' Price_*_dt (same figures for overlapping years), so they are the same series.
    ("graph", "priceflakedt"): "graphite_flake_import_uv", ("graph", "priceflaket"): "graphite_flake_import_uv",
    ("graph", "pricelumpdt"): "graphite_lump_chip_import_uv", ("graph", "pricelumpt"): "graphite_lump_chip_import_uv",
    ("graph", "priceamorphousdt"): "graphite_amorphous_import_uv",
    ("graph", "priceamorphoust"): "graphite_amorphous_import_uv",
    ("coppe", "priceusctslb"): "copper_us_producer_cathode", ("coppe", "pricecomexctslb"): "copper_comex",
    ("coppe", "pricelmectslb"): "copper_lme_grade_a",
}
# MCS2026 (Commodity, Statistics_detail pattern) → series.
_PRICE_2026 = [
    ("Antimony", r"^Price, metal, average, dollars per pound$", "antimony_metal"),
    ("Tungsten", r"^Price, concentrate, .*tungsten trioxide$", "tungsten_concentrate_wo3"),
    ("Rare Earths", r": Lanthanum oxide", "rare_earths_la_oxide"),
    ("Rare Earths", r": Cerium oxide", "rare_earths_ce_oxide"),
    ("Rare Earths", r": Mischmetal", "rare_earths_mischmetal"),
    ("Rare Earths", r": Neodymium oxide", "rare_earths_nd_oxide"),
    ("Rare Earths", r": Praseodymium oxide", "rare_earths_pr_oxide"),
    ("Rare Earths", r"\(NdPr\) oxide", "rare_earths_ndpr_oxide"),
    ("Rare Earths", r": Europium oxide", "rare_earths_eu_oxide"),
    ("Rare Earths (Heavy)", r": Dysprosium oxide", "rare_earths_dy_oxide"),
    ("Rare Earths (Heavy)", r": Terbium oxide", "rare_earths_tb_oxide"),
    ("Gallium", r"average unit value of imports", "gallium_import_unit_value"),
    ("Germanium", r": Germanium metal$", "germanium_metal"),
    ("Germanium", r": Germanium dioxide$", "germanium_dioxide"),
    ("Cobalt", r": U\.S\. spot, cathode$", "cobalt_us_spot_cathode"),
    ("Cobalt", r": London Metal Exchange \(LME\), cash$", "cobalt_lme_cash"),
    ("Lithium", r"average-real, battery-grade lithium carbonate", "lithium_carbonate_battery_real"),
    ("Graphite (Natural)", r": Flake$", "graphite_flake_import_uv"),
    ("Graphite (Natural)", r": Lump and chip", "graphite_lump_chip_import_uv"),
    ("Graphite (Natural)", r": Amorphous$", "graphite_amorphous_import_uv"),
    ("Copper", r": U\.S\. producer, cathode", "copper_us_producer_cathode"),
    ("Copper", r": COMEX, high-grade", "copper_comex"),
    ("Copper", r": London Metal Exchange, grade A", "copper_lme_grade_a"),
]
_PRICE_UNIT_WORDS = {"dollars per pound": "usd_per_lb", "cents per pound": "usc_per_lb",
                     "dollars per kilogram": "usd_per_kg", "dollars per metric ton": "usd_per_t",
                     "dollars per dry metric ton unit": "usd_per_mtu_wo3"}
PRICE_HEAD = ["mineral", "series", "label", "unit", "basis", "year", "value", "qualifier", "flag", "raw", "edition"]


def prices(raw: Path, rows2026: list[dict[str, str]]) -> list[dict]:
    """Every edition's figure of each price series (one row per series, year and edition)."""
    out = []
    for edition, f in _salient_files(raw):
        code = _us_file_code(f) or _file_code(f)
        if code is None or (edition, code) in _US_SKIP_FILES:
            continue
        data = _salient_dicts(f)
        if not data or "Year" not in data[0]:
            continue
        for col in data[0]:
            series = _PRICE_COLUMNS.get((code, re.sub(r"[^a-z0-9]", "", col.lower())))
            if series is None:
                continue
            mineral, unit, basis = PRICE_SERIES[series]
            for d in data:
                raw_s = clean(d[col])
                value, flag = parse_at(raw_s, column_where(f, d["_line"], col)) or (None, "not_available")
                year = int(d["Year"])
                if flag == "" and year == int(edition[3:]) - 1:
                    flag = "estimated"
                out.append({"mineral": mineral, "series": series, "label": col, "unit": unit, "basis": basis,
                            "year": year, "value": value, "qualifier": qualifier(flag), "flag": flag, "raw": raw_s,
                            "edition": edition})
    for d in rows2026:
        if d["Section"] != SALIENT or d["Statistics"] != "Price":
            continue
        series = next((s for c, pat, s in _PRICE_2026 if c.upper() == d["MCS chapter"].upper()
                       and re.search(pat, d["Statistics_detail"])), None)
        if series is None:
            continue
        mineral, unit, basis = PRICE_SERIES[series]
        published = _PRICE_UNIT_WORDS.get(d["Unit"].lower())
        if published != unit:
            raise _io.RawFileError(f"{d['_where']}, column 'Unit': {d['Unit']!r} is not the unit of {series} ({unit})")
        value, flag = parse_at(d["Value"], f"{d['_where']}, column 'Value'") or (None, "not_available")
        if flag == "" and mcs2026_estimated(d):
            flag = "estimated"
        out.append({"mineral": mineral, "series": series, "label": d["Statistics_detail"], "unit": unit,
                    "basis": basis, "year": year_of(d), "value": value, "qualifier": qualifier(flag), "flag": flag,
                    "raw": d["Value"], "edition": "MCS2026"})
    _check_price_revisions(out)
    return sorted(out, key=lambda r: (r["mineral"], r["series"], r["year"], RANK[r["edition"]]))


def _check_price_revisions(rows: list[dict]) -> None:
    """Editions joined into one series must agree within a factor of two where they overlap; a larger gap means
    a change of definition or unit, which must get its own series id."""
    by: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["value"]:
            by.setdefault((r["series"], r["year"]), []).append(r)
    bad = [f"{k}: " + ", ".join(f"{r['edition']}={r['value']}" for r in rs) for k, rs in by.items()
           if max(r["value"] for r in rs) > 2 * min(r["value"] for r in rs)]
    if bad:
        raise ValueError("price series differ by more than 2x between editions:\n" + "\n".join(sorted(bad)))


def newest_prices(rows: list[dict]) -> list[dict]:
    best: dict[tuple, dict] = {}
    for r in rows:
        k = (r["series"], r["year"])
        if k not in best or RANK[r["edition"]] > RANK[best[k]["edition"]]:
            best[k] = r
    return sorted(best.values(), key=lambda r: (r["mineral"], r["series"], r["year"]))
