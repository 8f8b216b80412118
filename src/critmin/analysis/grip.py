"""Where China's grip is strongest, and what its export controls cover: the numbers of two chapters.

Pure functions over frames of the data package (`production`, `processing`, `export_controls`, `prices`,
`minerals`); nothing is read from disk here.

* :func:`mine_shares`, :func:`latest_broad_year`, :func:`processing_share`, :func:`grip_table`,
  :func:`largest_gaps` – China's share at the mine (USGS production table) against its share at the first
  processing stage with a figure (``processing`` table), and the gap in percentage points.
* :func:`measure_status`, :func:`controlled_minerals`, :func:`first_goods_control`, :func:`price_windows`,
  :func:`price_points`, :func:`control_dates` – the measures on a date, and the USGS annual prices of each
  controlled mineral in the last full year before its first control on goods and after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from critmin.text import to_unit

CHINA = "CHN"
# Processing rows, in order of preference when one stage and year has several: full country tables before
# Table 7's leading-country figure (the same order as critmin.analysis.stages).
SOURCE_PREFERENCE = ("mcs2026_world", "iea_cmde2024", "mcs2026_t7")
SOURCE_TEXT = {
    "mcs2026_world": "USGS MCS 2026 world tables",
    "iea_cmde2024": "IEA Critical Minerals Data Explorer 2024",
    "mcs2026_t7": "USGS MCS 2026 Table 7",
}
DENOMINATOR_TEXT = {
    "world_total": "USGS world total (rounded)",
    "sum_of_listed": "sum of the listed countries and USGS's 'Other countries'",
}
# Measures that restrict goods (a licence, a refusal, a licence for goods made abroad); a technology catalogue
# and a suspension do not.
GOODS_MEASURES = ("licensing", "country_ban", "extraterritorial")


def _need(df: pd.DataFrame, cols: Sequence[str], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}")


def _s(col: pd.Series) -> pd.Series:
    """A string column as plain objects with missing values as '' (pandas' NA cannot be compared)."""
    return col.astype("object").where(col.notna(), "")


# --------------------------------------------------------------------------------------------- the mine


def mine_shares(production: pd.DataFrame, year: int, iso3: str = CHINA) -> pd.DataFrame:
    """The country's share of world mine output per mineral in one year (USGS production table, stage mine).

    Share = the country's value ÷ USGS's world total where one is given; where there is none, or where the
    rounded total is below the sum of the listed countries, that sum (the book's rule, as in
    :mod:`critmin.analysis.metrics` with ``denominator="book"``).
    A mineral whose table does not list the country, or lists it as withheld or not available, gets no row:
    its output, if any, is inside the residual. Values are converted to tonnes before dividing.
    Columns: mineral, year, tonnes, denominator_t, denominator, share_pct, flag, qualifier.
    """
    _need(production, ["mineral", "stage", "iso3", "row_kind", "year", "value", "unit", "flag", "qualifier"],
          "production")
    p = production[(_s(production["stage"]) == "mine") & (production["year"] == year)]
    rows = []
    for mineral, g in p.groupby(_s(p["mineral"]), sort=True):
        t = [to_unit(float(v), u, "t") if pd.notna(v) else float("nan")
             for v, u in zip(g["value"], _s(g["unit"]))]
        g = g.assign(t=t)
        kind = _s(g["row_kind"])
        hit = g[(_s(g["iso3"]) == iso3) & (kind == "country")]
        if len(hit) != 1 or pd.isna(hit["t"].iloc[0]) or _s(hit["flag"]).iloc[0] in ("withheld", "not_available"):
            continue
        listed = g.loc[kind == "country", "t"].sum(min_count=1)
        world = g.loc[kind == "world_total", "t"]
        # NOTE: the book's one rule (critmin.analysis.metrics, denominator="book"): a rounded world total below
        # the listed countries' sum is rounding, not missing output, and the countries' sum is then the denominator.
        if len(world) == 1 and pd.notna(world.iloc[0]) and world.iloc[0] >= listed:
            denom, how = float(world.iloc[0]), "world_total"
        else:
            denom, how = float(listed), "sum_of_listed"
        if not denom > 0:
            continue
        row = hit.iloc[0]
        rows.append({"mineral": mineral, "year": int(year), "tonnes": float(row["t"]), "denominator_t": denom,
                     "denominator": how, "share_pct": 100 * float(row["t"]) / denom,
                     "flag": _s(hit["flag"]).iloc[0], "qualifier": _s(hit["qualifier"]).iloc[0]})
    return pd.DataFrame(rows, columns=["mineral", "year", "tonnes", "denominator_t", "denominator", "share_pct",
                                       "flag", "qualifier"])


def mine_coverage(production: pd.DataFrame, iso3: str = CHINA) -> pd.Series:
    """Number of minerals with a mine share for the country, per year."""
    years = sorted(int(y) for y in production.loc[_s(production["stage"]) == "mine", "year"].dropna().unique())
    return pd.Series({y: len(mine_shares(production, y, iso3)) for y in years}, dtype="int64")


def latest_broad_year(production: pd.DataFrame, iso3: str = CHINA, min_fraction: float = 0.9) -> int:
    """The latest year in which at least `min_fraction` of the best year's number of minerals have a mine share.

    The USGS tables of the earliest editions cover a dozen minerals; one year's gaps should not decide the
    default year of a page.
    """
    # NOTE: "broad coverage" = at least 90% of the best year's count of minerals; the USGS 2020 column holds only
    # the 12-mineral MCS 2022 subset and must not be the default year of a page.
    cov = mine_coverage(production, iso3)
    if cov.empty or cov.max() == 0:
        raise ValueError("production: no mine share for the country in any year")
    return int(max(y for y, n in cov.items() if n >= min_fraction * cov.max()))


# --------------------------------------------------------------------------------------- processing


def processing_share(processing: pd.DataFrame, year: int, iso3: str = CHINA) -> pd.DataFrame:
    """Per mineral, the country's share at the first stage after the mine that has an output figure for it.

    Within that stage the row of `year` is taken where one exists, else the nearest year (earlier before
    later); between sources at the same distance, full country tables come before Table 7. Capacity rows are
    never used. Where the same source table also gives the country's mine share for that year, it is returned
    as `same_source_mine_pct` (a like-for-like comparison: same publisher, product basis and year).
    """
    _need(processing, ["mineral", "stage", "stage_order", "product", "measure", "iso3", "year", "share_pct",
                       "source_table", "grade"], "processing")
    p = processing[(_s(processing["measure"]) == "output") & (_s(processing["iso3"]) == iso3)]
    rank = {s: i for i, s in enumerate(SOURCE_PREFERENCE)}
    rows = []
    for mineral, g in p.groupby(_s(p["mineral"]), sort=True):
        later = g[_s(g["stage"]) != "mine"]
        if later.empty:
            continue
        # NOTE: the first stage after the mine with a figure stands for "processing" (not the stage where China's
        # share is highest); the page's year, else the nearest year, earlier before later; full country tables
        # before Table 7's rounded leader-only share.
        later = later[later["stage_order"] == later["stage_order"].min()]
        later = later.assign(_d=(later["year"].astype("int64") - year).abs(), _late=later["year"] > year,
                             _r=_s(later["source_table"]).map(rank).fillna(len(rank)))
        top = later.sort_values(["_d", "_late", "_r", "product"]).iloc[0]
        same = g[(_s(g["stage"]) == "mine") & (_s(g["source_table"]) == top["source_table"])
                 & (g["year"] == top["year"])]
        rows.append({"mineral": mineral, "processing_stage": top["stage"], "processing_product": top["product"],
                     "processing_year": int(top["year"]), "processing_pct": float(top["share_pct"]),
                     "processing_source": top["source_table"], "processing_grade": top["grade"],
                     "same_source_mine_pct": float(same["share_pct"].iloc[0]) if len(same) == 1 else float("nan"),
                     "same_source_mine_product": same["product"].iloc[0] if len(same) == 1 else ""})
    return pd.DataFrame(rows, columns=["mineral", "processing_stage", "processing_product", "processing_year",
                                       "processing_pct", "processing_source", "processing_grade",
                                       "same_source_mine_pct", "same_source_mine_product"])


def deal_minerals(minerals: pd.DataFrame) -> list[str]:
    """The ids minerals.csv marks as the deal's minerals."""
    _need(minerals, ["mineral", "deal_mineral"], "minerals")
    flag = minerals["deal_mineral"].map(lambda v: str(v).strip().lower() in ("true", "1"))
    return sorted(_s(minerals.loc[flag, "mineral"]))


def grip_table(production: pd.DataFrame, processing: pd.DataFrame, minerals: pd.DataFrame, year: int,
               selected: Sequence[str] | None = None, iso3: str = CHINA) -> pd.DataFrame:
    """One row per mineral with a figure at either stage: mine share (`year`), processing share, gap, deal flag.

    `gap_pp` = processing share − mine share in percentage points (NaN when one side is missing).
    The deal's minerals are always kept when `selected` includes them, even without any figure
    (`status` no_data), so a page can say what is missing for them.
    """
    mine = mine_shares(production, year, iso3).rename(columns={"year": "mine_year", "share_pct": "mine_pct",
                                                               "flag": "mine_flag", "tonnes": "mine_tonnes"})
    proc = processing_share(processing, year, iso3)
    out = mine.merge(proc, on="mineral", how="outer")
    deal = deal_minerals(minerals)
    missing_deal = [m for m in deal if m not in set(out["mineral"])]
    if missing_deal:
        out = pd.concat([out, pd.DataFrame({"mineral": missing_deal})], ignore_index=True)
    if selected is not None:
        out = out[out["mineral"].isin(list(selected))]
    labels = dict(zip(_s(minerals["mineral"]), _s(minerals["label"])))
    out = out.assign(
        label=out["mineral"].map(lambda m: labels.get(m, m.replace("_", " ").capitalize())),
        deal=out["mineral"].isin(deal),
        mine_pct=pd.to_numeric(out["mine_pct"], errors="coerce").astype("float64"),
        processing_pct=pd.to_numeric(out["processing_pct"], errors="coerce").astype("float64"),
    )
    out["gap_pp"] = out["processing_pct"] - out["mine_pct"]
    out["status"] = "both"
    out.loc[out["mine_pct"].isna() & out["processing_pct"].notna(), "status"] = "processing_only"
    out.loc[out["mine_pct"].notna() & out["processing_pct"].isna(), "status"] = "mine_only"
    out.loc[out["mine_pct"].isna() & out["processing_pct"].isna(), "status"] = "no_data"
    out["_top"] = out[["mine_pct", "processing_pct"]].max(axis=1)
    out = out.sort_values(["_top", "mineral"], ascending=[False, True], na_position="last").drop(columns="_top")
    return out.reset_index(drop=True)


def largest_gaps(table: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The `n` minerals whose processing share exceeds their mine share by most (rows with both sides)."""
    both = table[table["gap_pp"].notna()]
    return both.sort_values(["gap_pp", "mineral"], ascending=[False, True]).head(n).reset_index(drop=True)


def grip_counts(table: pd.DataFrame, threshold: float = 50.0) -> dict:
    """How many minerals China leads with more than `threshold` percent at each stage, and how the gaps fall."""
    both = table[table["gap_pp"].notna()]
    return {
        "n_minerals": int((table["status"] != "no_data").sum()),
        "n_mine": int(table["mine_pct"].notna().sum()),
        "n_processing": int(table["processing_pct"].notna().sum()),
        "n_both": len(both),
        "mine_over": int((table["mine_pct"] > threshold).sum()),
        "processing_over": int((table["processing_pct"] > threshold).sum()),
        "processing_higher": int((both["gap_pp"] > 0).sum()),
        "median_gap_pp": float(both["gap_pp"].median()) if len(both) else float("nan"),
    }


# ----------------------------------------------------------------------------------- export controls


def _minerals_of(cell) -> list[str]:
    return [m for m in str(cell).split(";") if m] if pd.notna(cell) else []


def controlled_minerals(export_controls: pd.DataFrame) -> list[str]:
    """Every mineral id a measure (not a suspension) names, sorted."""
    _need(export_controls, ["minerals", "measure_type"], "export_controls")
    ec = export_controls[_s(export_controls["measure_type"]) != "suspension"]
    return sorted({m for cell in ec["minerals"] for m in _minerals_of(cell)})


def measure_status(export_controls: pd.DataFrame, as_of) -> pd.DataFrame:
    """Each measure's state on `as_of`, from its dates, and until when that state runs.

    `state`: not_announced, announced (not yet effective), in_force, suspended, suspension_ran_out (its
    suspension has ended by its own terms; the data's `status` says whether an extension was found),
    and for suspension rows suspension_running or suspension_ended. `until` is the date the state ends
    where the data give one (a suspension's last day), else NaT. The data's own `status` on `status_date` is
    kept beside it: the dates say what the announcements' terms give, `status` what was found on that day.
    """
    _need(export_controls, ["measure_id", "measure_type", "date_announced", "date_effective", "date_ends",
                            "suspended_from", "suspended_until", "status", "status_date"], "export_controls")
    day = pd.Timestamp(as_of)
    ec = export_controls.copy()
    for c in ("date_announced", "date_effective", "date_ends", "suspended_from", "suspended_until", "status_date"):
        ec[c] = pd.to_datetime(ec[c])
    states, until = [], []
    for r in ec.itertuples(index=False):
        if day < r.date_announced:
            states.append("not_announced")
            until.append(pd.NaT)
        elif r.measure_type == "suspension":
            running = day <= r.date_ends if pd.notna(r.date_ends) else True
            states.append("suspension_running" if running else "suspension_ended")
            until.append(r.date_ends if running else pd.NaT)
        elif day < r.date_effective:
            states.append("announced")
            until.append(r.date_effective)
        elif pd.notna(r.suspended_from) and r.suspended_from <= day and (
                pd.isna(r.suspended_until) or day <= r.suspended_until):
            states.append("suspended")
            until.append(r.suspended_until)
        elif pd.notna(r.suspended_from) and r.suspended_from <= day:
            states.append("suspension_ran_out")
            until.append(pd.NaT)
        else:
            states.append("in_force")
            until.append(pd.NaT)
    ec["state"] = states
    ec["until"] = pd.to_datetime(pd.Series(until, index=ec.index, dtype="datetime64[ns]"))
    return ec.sort_values(["date_announced", "measure_id"]).reset_index(drop=True)


def first_goods_control(export_controls: pd.DataFrame, mineral: str) -> pd.Timestamp | None:
    """The earliest date a measure on goods (licensing, refusal, licence for goods made abroad) naming `mineral`
    took effect; None when there is none.

    A measure suspended before its effective date never applied while suspended: it is left out (its date would
    put a price year "after" a control that was not in force).
    """
    _need(export_controls, ["measure_type", "minerals", "date_effective", "suspended_from"], "export_controls")
    ec = export_controls[_s(export_controls["measure_type"]).isin(GOODS_MEASURES)]
    ec = ec[ec["minerals"].map(lambda v: mineral in _minerals_of(v))]
    eff = pd.to_datetime(ec["date_effective"])
    susp = pd.to_datetime(ec["suspended_from"])
    applied = eff[~(susp.notna() & (susp <= eff))]
    return pd.Timestamp(applied.min()) if len(applied) else None


def never_applied(export_controls: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Measures on goods naming `mineral` that were suspended before they took effect."""
    ec = export_controls[_s(export_controls["measure_type"]).isin(GOODS_MEASURES)]
    ec = ec[ec["minerals"].map(lambda v: mineral in _minerals_of(v))]
    eff = pd.to_datetime(ec["date_effective"])
    susp = pd.to_datetime(ec["suspended_from"])
    return ec[susp.notna() & (susp <= eff)].reset_index(drop=True)


def control_dates(export_controls: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Every measure naming `mineral` (suspensions included) with the date it took effect, oldest first."""
    ec = export_controls[export_controls["minerals"].map(lambda v: mineral in _minerals_of(v))]
    out = ec[["measure_id", "announcement", "measure_type", "date_effective"]].copy()
    out["date_effective"] = pd.to_datetime(out["date_effective"])
    out.insert(0, "mineral", mineral)
    return out.sort_values(["date_effective", "measure_id"]).reset_index(drop=True)


def price_points(prices: pd.DataFrame, minerals: Sequence[str]) -> pd.DataFrame:
    """The USGS annual prices of the minerals, one row per series and year with a value; series never joined."""
    _need(prices, ["mineral", "series", "basis", "unit", "year", "value", "flag"], "prices")
    p = prices[_s(prices["mineral"]).isin(list(minerals)) & prices["value"].notna()]
    out = p[["mineral", "series", "basis", "unit", "year", "value", "flag"]].copy()
    out["value"] = out["value"].astype("float64")
    out["year"] = out["year"].astype("int64")
    out["flag"] = _s(out["flag"]).fillna("")
    return out.sort_values(["mineral", "series", "year"]).reset_index(drop=True)


def price_windows(prices: pd.DataFrame, export_controls: pd.DataFrame, minerals: Sequence[str]) -> pd.DataFrame:
    """Per price series of each mineral: the annual average in the last full year before the mineral's first
    control on goods took effect (`before`), in the year it took effect (`during`), and in the first full year
    after it (`after`), with the change to the first full year after, or, where the data stop before that, to the
    year the control took effect (`compare_kind` says which; `change_pct` in percent).

    A control taking effect on 1 January makes that year the first full year after it; `share_of_year_after`
    is the part of the control year that falls on or after the date. Every figure is one series (one
    definition of price); series are never joined.
    """
    pts = price_points(prices, minerals)
    rows = []
    for (mineral, series), g in pts.groupby(["mineral", "series"], sort=True):
        start = first_goods_control(export_controls, mineral)
        if start is None:
            continue
        # NOTE: "before" is the last full calendar year before the first control on goods took effect, "after" the
        # first full year after it; a technology catalogue does not count, nor a measure suspended before it took
        # effect. Where the data stop sooner the control year itself is compared and the page says so.
        full_from = start.year if (start.month, start.day) == (1, 1) else start.year + 1
        before_year = start.year - 1
        v = dict(zip(g["year"], g["value"]))
        flags = dict(zip(g["year"], g["flag"]))
        after_year = min((y for y in v if y >= full_from), default=None)
        if after_year is not None:
            compare_year, kind = after_year, "full_year_after"
        elif start.year in v:
            compare_year, kind = start.year, "control_year"
        else:
            compare_year, kind = None, "none"
        days = pd.Timestamp(year=start.year, month=12, day=31).dayofyear
        rows.append({
            "mineral": mineral, "series": series, "basis": g["basis"].iloc[0], "unit": g["unit"].iloc[0],
            "control_date": start, "share_of_year_after": (days - start.dayofyear + 1) / days,
            "before_year": before_year, "before": v.get(before_year, float("nan")),
            "control_year": start.year, "during": v.get(start.year, float("nan")),
            "after_year": after_year, "after": v[after_year] if after_year is not None else float("nan"),
            "compare_year": compare_year, "compare_kind": kind,
            "compare": v[compare_year] if compare_year is not None else float("nan"),
            "compare_estimated": bool(compare_year is not None and flags.get(compare_year) == "estimated"),
            "first_year": min(v), "latest_year": max(v),
        })
    out = pd.DataFrame(rows, columns=["mineral", "series", "basis", "unit", "control_date", "share_of_year_after",
                                      "before_year", "before", "control_year", "during", "after_year", "after",
                                      "compare_year", "compare_kind", "compare", "compare_estimated", "first_year",
                                      "latest_year"])
    for c in ("before", "during", "after", "compare"):
        out[c] = out[c].astype("float64")
    out["change_pct"] = 100 * (out["compare"] / out["before"] - 1)
    return out
