"""Pakistan's minerals in numbers, each set against the world so the scale is honest.

Functions take the book's tables (production, reserves, production_history, pakistan_indicators,
pakistan_fdi, pakistan_fdi_sector, pakistan_trade, pakistan_trade_monthly) and return small frames.
Shares are fractions (0–1). Amounts keep their table's unit; conversions are explicit in the names
(``_kt``, ``_usd_m``).
"""

from __future__ import annotations

import pandas as pd

from critmin.analysis import metrics
from critmin.text import UNIT_IN_T

__all__ = [
    "ISO3",
    "UNIT_IN_T",
    "production_years",
    "world_shares",
    "usgs_series",
    "history_shares",
    "reserves_shares",
    "indicator",
    "indicator_row",
    "fdi_by_source",
    "exports_by_partner",
    "copper_scale",
]

ISO3 = "PAK"
def production_years(production: pd.DataFrame, iso3: str = ISO3) -> list[int]:
    """Years in which the USGS table has at least one value for the country."""
    p = production[(production["iso3"] == iso3) & production["value"].notna()]
    return sorted(int(y) for y in p["year"].unique())


def world_shares(production: pd.DataFrame, year: int, iso3: str = ISO3, stage: str = "mine") -> pd.DataFrame:
    """The country's output in `year` for every mineral USGS lists it under, against USGS's world total.

    Columns: mineral, product, value, unit, flag, edition, world_total, share (of the rounded world total;
    missing where USGS gives none), rank (among listed producers), n_producers. Sorted by share, largest first.
    """
    p = production[(production["stage"] == stage) & (production["year"] == year)]
    minerals = sorted(set(p.loc[(p["iso3"] == iso3) & p["value"].notna(), "mineral"]))
    cols = ["mineral", "product", "value", "unit", "flag", "edition", "world_total", "share", "rank", "n_producers"]
    if not minerals:
        return pd.DataFrame(columns=cols)
    p = p[p["mineral"].isin(minerals)]
    cs = metrics.country_share(p, iso3, by=["mineral", "stage", "year"], denominator="world_total")
    mine = p[p["iso3"] == iso3].set_index("mineral")
    n = p[(p["row_kind"] == "country") & p["value"].notna()].groupby("mineral").size()
    out = cs.set_index("mineral")[["total", "share", "rank", "denominator"]]
    out = out.join(mine[["product", "value", "unit", "flag", "edition"]], rsuffix="_pk")
    # NOTE: a share against the sum of listed countries would overstate Pakistan where USGS folds small
    # producers into "Other countries"; without a world total the share is left missing, not guessed.
    out["world_total"] = out["total"].where(out["denominator"] == "world_total")
    out["share"] = out["share"].where(out["denominator"] == "world_total")
    out["n_producers"] = n
    out = out.reset_index()[cols]
    out["value"] = out["value"].astype("float64")
    out["world_total"] = out["world_total"].astype("float64")
    out["share"] = out["share"].astype("float64")
    return out.sort_values(["share", "mineral"], ascending=[False, True], na_position="last").reset_index(drop=True)


def usgs_series(production: pd.DataFrame, iso3: str = ISO3, stage: str = "mine") -> pd.DataFrame:
    """The country's USGS rows across editions with the world total of the same year and the share of it."""
    p = production[production["stage"] == stage]
    mine = p[(p["iso3"] == iso3)][["mineral", "year", "value", "unit", "flag", "edition"]]
    world = p[p["row_kind"] == "world_total"][["mineral", "year", "value", "unit"]].rename(
        columns={"value": "world_total", "unit": "world_unit"})
    out = mine.merge(world, on=["mineral", "year"], how="left")
    same_unit = out["unit"] == out["world_unit"]
    out["share"] = (out["value"].astype("float64") / out["world_total"].astype("float64")).where(same_unit)
    out["value"] = out["value"].astype("float64")
    out["world_total"] = out["world_total"].astype("float64")
    return out.drop(columns="world_unit").sort_values(["mineral", "year"]).reset_index(drop=True)


def history_shares(history: pd.DataFrame, iso3: str = ISO3) -> pd.DataFrame:
    """The country's BGS series per mineral and stage, with its share of the BGS producers' sum each year.

    Only years from the country's first reported year on are kept (earlier zeros would say "no output"
    where BGS may simply not have listed it). Adds ``label`` ("Chromium ores and concentrates", …).
    """
    mine = history[history["iso3"] == iso3]
    if mine.empty:
        return pd.DataFrame(columns=["mineral", "stage", "product", "year", "value", "share", "total", "label"])
    minerals = sorted(mine["mineral"].unique())
    s = metrics.share_over_time(history[history["mineral"].isin(minerals)], iso3)
    first = mine.groupby(["mineral", "stage", "product"])["year"].min().rename("first_year")
    s = s.join(first, on=["mineral", "stage", "product"])
    s = s[s["first_year"].notna() & (s["year"] >= s["first_year"])]
    s["label"] = s["product"].str.capitalize()
    cols = ["mineral", "stage", "product", "label", "year", "value", "share", "total"]
    out = s[cols].copy()
    for c in ("value", "share", "total"):
        out[c] = out[c].astype("float64")
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["mineral", "stage", "product", "year"]).reset_index(drop=True)


def reserves_shares(reserves: pd.DataFrame, iso3: str = ISO3) -> pd.DataFrame:
    """The country's reserves rows with the world total and share. ``share_bound`` says what the share is:
    'exact' (world total reported), 'at_most' (world total is a lower bound '>N', so the share is an upper
    bound), or 'none' (no value or no world total)."""
    mine = reserves[reserves["iso3"] == iso3][["mineral", "year", "value", "unit", "flag", "edition"]]
    world = reserves[reserves["row_kind"] == "world_total"][["mineral", "value", "unit", "flag"]].rename(
        columns={"value": "world_total", "unit": "world_unit", "flag": "world_flag"})
    out = mine.merge(world, on="mineral", how="left")
    ok = out["value"].notna() & out["world_total"].notna() & (out["unit"] == out["world_unit"])
    out["share"] = (out["value"].astype("float64") / out["world_total"].astype("float64")).where(ok)
    out["share_bound"] = "none"
    out.loc[ok, "share_bound"] = "exact"
    out.loc[ok & (out["world_flag"] == "censored_gt"), "share_bound"] = "at_most"
    out["value"] = out["value"].astype("float64")
    out["world_total"] = out["world_total"].astype("float64")
    return out.drop(columns="world_unit").sort_values("mineral").reset_index(drop=True)


def indicator_row(indicators: pd.DataFrame, name: str, year: int | None = None) -> pd.Series:
    """One row of pakistan_indicators (the latest year when `year` is None). KeyError names what is missing."""
    rows = indicators[indicators["indicator"] == name]
    if year is not None:
        rows = rows[rows["year"] == year]
    if rows.empty:
        raise KeyError(f"pakistan_indicators has no {name!r}" + (f" for {year}" if year is not None else ""))
    return rows.sort_values("year").iloc[-1]


def indicator(indicators: pd.DataFrame, name: str, year: int | None = None) -> float:
    """The value of one indicator as a float (see :func:`indicator_row`)."""
    return float(indicator_row(indicators, name, year)["value"])


def fdi_by_source(fdi: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """Net FDI by source in one fiscal year: country rows plus Others and the Total, with share of the total.

    ``in_table`` is True for the countries SBP lists (its top 10 of the latest year); any other country is
    inside Others. Sorted by value, largest first; Others and Total last.
    """
    f = fdi[(fdi["fiscal_year"] == fiscal_year) & (fdi["measure"] == "net")].copy()
    if f.empty:
        raise KeyError(f"pakistan_fdi has no net rows for fiscal year {fiscal_year}")
    total = f.loc[f["row_kind"] == "world_total", "value"]
    if len(total) != 1:
        raise ValueError(f"expected one Total row for fiscal year {fiscal_year}, found {len(total)}")
    f["value"] = f["value"].astype("float64")
    f["share"] = f["value"] / float(total.iloc[0])
    f["in_table"] = f["row_kind"] == "country"
    order = {"country": 0, "other": 1, "world_total": 2}
    f["_o"] = f["row_kind"].map(order)
    f = f.sort_values(["_o", "value", "country"], ascending=[True, False, True]).drop(columns="_o")
    return f[["fiscal_year", "country", "iso3", "row_kind", "value", "share", "in_table", "flag"]].reset_index(drop=True)


def exports_by_partner(trade: pd.DataFrame, monthly: pd.DataFrame, flow: str = "exports",
                       table: str = "top_partners") -> pd.DataFrame:
    """Partners from one SBP trade table with each one's share of ALL of Pakistan's trade in that flow.

    The denominator is the sum of pakistan_trade_monthly over the same months (the partner table lists only
    the largest partners, so its rows do not add up to the total). Raises ValueError if a month is missing.
    """
    t = trade[(trade["table"] == table) & (trade["flow"] == flow)].copy()
    periods = t[["period", "period_start", "period_end"]].drop_duplicates()
    if len(periods) != 1:
        # NOTE: country_snapshot mixes several periods; the caller must pick one first.
        raise ValueError(f"{table}/{flow} covers {len(periods)} periods; filter to one period first")
    start, end = periods.iloc[0]["period_start"], periods.iloc[0]["period_end"]
    months = pd.period_range(start, end, freq="M").strftime("%Y-%m")
    m = monthly[(monthly["flow"] == flow) & monthly["month"].isin(months)]
    missing = sorted(set(months) - set(m["month"]))
    if missing:
        raise ValueError(f"pakistan_trade_monthly lacks {flow} for {', '.join(missing)}")
    total = float(m["value"].astype("float64").sum())
    t["value"] = t["value"].astype("float64")
    t["share"] = t["value"] / total
    t["total"] = total
    t["n_months"] = len(months)
    sort = ["rank", "country"] if t["rank"].notna().all() else ["value", "country"]
    t = t.sort_values(sort, ascending=[True, True] if sort[0] == "rank" else [False, True])
    return t[["country", "iso3", "row_kind", "period", "rank", "value", "share", "total", "n_months", "flag"]].reset_index(drop=True)


def _latest_at_or_before(p: pd.DataFrame, year: int) -> int | None:
    years = p.loc[p["value"].notna() & (p["year"] <= year), "year"]
    return None if years.empty else int(years.max())


def copper_scale(production: pd.DataFrame, history: pd.DataFrame, indicators: pd.DataFrame,
                 year: int, iso3: str = ISO3) -> tuple[pd.DataFrame, dict]:
    """Copper tonnages side by side, in kt of copper, to show the scale of Reko Diq.

    Rows: world mine production, China's refined output and China's mine output (USGS, latest year at or
    before `year`), Reko Diq's planned output (phase 1 and after expansion), Saindak's typical output and
    Pakistan's latest BGS copper mine output. ``share_of_world_mine`` divides each by world mine output.
    The dict gives the years actually used (usgs_year, bgs_year) and whether `year` had to fall back.
    """
    cu = production[production["mineral"] == "copper"]
    mine, ref = cu[cu["stage"] == "mine"], cu[cu["stage"] == "refinery"]
    y = _latest_at_or_before(mine[mine["row_kind"] == "world_total"], year)
    if y is None:
        raise ValueError(f"no USGS world copper mine total at or before {year}")

    def kt(df: pd.DataFrame, mask) -> float:
        r = df[mask & (df["year"] == y)]
        if len(r) != 1 or pd.isna(r["value"].iloc[0]):
            raise ValueError(f"expected one copper value for {y}, found {len(r)}")
        return float(r["value"].iloc[0]) * UNIT_IN_T[r["unit"].iloc[0]] / 1_000

    world = kt(mine, mine["row_kind"] == "world_total")
    china_ref = kt(ref, ref["iso3"] == "CHN")
    china_mine = kt(mine, mine["iso3"] == "CHN")
    h = history[(history["iso3"] == iso3) & (history["mineral"] == "copper") & (history["stage"] == "mine")]
    bgs_year = int(h["year"].max())
    bgs = float(h.loc[h["year"] == bgs_year, "value"].sum()) / 1_000
    rows = [
        ("World copper mine production", f"USGS, {y}", world, "world"),
        ("China's refined copper output", f"USGS, {y}", china_ref, "china"),
        ("China's copper mine output", f"USGS, {y}", china_mine, "china"),
        ("Reko Diq after expansion (plan)", "planned, about", indicator(indicators, "reko_diq_copper_output_phase2") / 1_000, "plan"),
        ("Reko Diq phase 1 (plan)", "planned, about", indicator(indicators, "reko_diq_copper_output_phase1") / 1_000, "plan"),
        ("Pakistan's copper mine output", f"BGS, {bgs_year}", bgs, "pakistan"),
        ("Saindak blister copper (typical year)", "about", indicator(indicators, "saindak_blister_copper_output") / 1_000, "pakistan"),
    ]
    df = pd.DataFrame(rows, columns=["label", "basis", "kt", "group"])
    df["share_of_world_mine"] = df["kt"] / world
    return df, {"usgs_year": y, "bgs_year": bgs_year, "fell_back": y != year}
