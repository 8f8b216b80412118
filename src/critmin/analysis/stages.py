"""China's share at each supply-chain stage, the gap between mine and processing, and export controls in force.

Pure functions over the frames of the data package (`processing`, `processing_stages`, `export_controls` and a
mine-share frame such as one computed from `production`); nothing is read from disk here.
"""

from __future__ import annotations

import pandas as pd

CHINA = "CHN"
STAGE_ORDER = {"mine": 1, "refining": 2, "metal": 3, "product": 4}
# Source tables in order of preference when one stage has several: full country tables before Table 7's
# leading-country-only figure.
SOURCE_PREFERENCE = ("mcs2026_world", "iea_cmde2024", "mcs2026_t7")
_SHARE_COLS = ["mineral", "stage", "stage_order", "product", "year", "share_pct", "tonnes", "world_tonnes", "grade",
               "source_table", "publisher", "edition", "source_url"]


def _need(df: pd.DataFrame, cols: list[str], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}")


def china_share_by_stage(processing: pd.DataFrame, mineral: str, year: int | None = None,
                         iso3: str = CHINA, measure: str = "output") -> pd.DataFrame:
    """One row per stage, product and source: the country's share of world output (default China, output only).

    `year=None` keeps each (stage, product, source)'s latest year; otherwise only that year. A block that does not
    name the country gives no row, not a zero: unnamed countries are inside the publisher's residual, and Table 7
    names only the leader.
    """
    _need(processing, ["mineral", "stage", "product", "measure", "iso3", "year", "share_pct", "source_table"],
          "processing")
    p = processing[(processing["mineral"] == mineral) & (processing["measure"] == measure)]
    if year is not None:
        p = p[p["year"] == year]
    if p.empty:
        return pd.DataFrame(columns=_SHARE_COLS)
    block = ["stage", "product", "source_table", "year"]
    if year is None:
        latest = p.groupby(["stage", "product", "source_table"])["year"].transform("max")
        p = p[p["year"] == latest]
    rows = []
    for key, g in p.groupby(block, sort=False):
        hit = g[g["iso3"] == iso3]
        if len(hit) > 1:
            raise ValueError(f"processing: {len(hit)} rows for {iso3} in {mineral} {key}")
        if len(hit) == 1:
            rows.append(hit.iloc[0])
    if not rows:
        return pd.DataFrame(columns=_SHARE_COLS)
    out = pd.DataFrame(rows)
    if "stage_order" not in out:
        out["stage_order"] = out["stage"].map(STAGE_ORDER)
    for c in _SHARE_COLS:
        if c not in out:
            out[c] = pd.NA
    rank = {s: i for i, s in enumerate(SOURCE_PREFERENCE)}
    out = out.assign(_r=out["source_table"].map(rank).fillna(len(rank)))
    out = out.sort_values(["stage_order", "product", "_r", "year"]).drop(columns="_r")
    return out[_SHARE_COLS].reset_index(drop=True)


def mine_vs_processing(mine_shares: pd.DataFrame, processing: pd.DataFrame, iso3: str = CHINA) -> pd.DataFrame:
    """Per mineral: the country's mine share against its highest share at a later stage, and the gap in points.

    `mine_shares` has one row per mineral with `mineral`, `year` and `share_pct` (the country's share of mine
    output, e.g. from production.csv). The processing side is the highest share of `iso3` at any stage after the
    mine (output only, latest year per source), with the stage, product, year and source it comes from. Minerals
    with only one side get NaN for the other and for the gap.
    """
    _need(mine_shares, ["mineral", "year", "share_pct"], "mine_shares")
    if mine_shares["mineral"].duplicated().any():
        raise ValueError("mine_shares: one row per mineral expected")
    later = []
    for m in sorted(processing.loc[processing["stage"] != "mine", "mineral"].unique()):
        s = china_share_by_stage(processing, m, iso3=iso3)
        s = s[s["stage"] != "mine"]
        if s.empty:
            continue
        top = s.sort_values(["share_pct", "year"], ascending=False).iloc[0]
        later.append({"mineral": m, "processing_stage": top["stage"], "processing_product": top["product"],
                      "processing_year": top["year"], "processing_share_pct": float(top["share_pct"]),
                      "processing_source": top["source_table"]})
    proc = pd.DataFrame(later, columns=["mineral", "processing_stage", "processing_product", "processing_year",
                                        "processing_share_pct", "processing_source"])
    mine = mine_shares[["mineral", "year", "share_pct"]].rename(
        columns={"year": "mine_year", "share_pct": "mine_share_pct"})
    out = mine.merge(proc, on="mineral", how="outer")
    out["mine_share_pct"] = out["mine_share_pct"].astype(float)
    out["processing_share_pct"] = out["processing_share_pct"].astype(float)
    out["gap_pct_points"] = out["processing_share_pct"] - out["mine_share_pct"]
    return out.sort_values(["gap_pct_points", "mineral"], ascending=[False, True], na_position="last") \
        .reset_index(drop=True)


def _minerals_of(cell) -> list[str]:
    return [m for m in str(cell).split(";") if m] if pd.notna(cell) else []


def controls_for(export_controls: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """The measures that name `mineral`, oldest first (suspensions included)."""
    _need(export_controls, ["measure_id", "minerals", "date_announced"], "export_controls")
    hit = export_controls["minerals"].map(lambda v: mineral in _minerals_of(v))
    return export_controls[hit].sort_values(["date_announced", "measure_id"]).reset_index(drop=True)


def controls_in_force(export_controls: pd.DataFrame, on_date) -> pd.DataFrame:
    """Control measures (not suspensions) in force on a date: effective by then and not inside a suspension.

    A suspension window runs from `suspended_from` to the end of `suspended_until` (inclusive). After the window
    the measure counts as in force again, as its own terms say; whether the suspension was extended is a question
    for the data (the `status` column), not for this function.
    """
    _need(export_controls, ["measure_id", "measure_type", "date_effective", "suspended_from", "suspended_until"],
          "export_controls")
    day = pd.Timestamp(on_date)
    ec = export_controls[export_controls["measure_type"] != "suspension"]
    eff = pd.to_datetime(ec["date_effective"])
    start = pd.to_datetime(ec["suspended_from"])
    end = pd.to_datetime(ec["suspended_until"])
    suspended = start.notna() & (start <= day) & (end.isna() | (day <= end))
    return ec[(eff <= day) & ~suspended].sort_values(["date_effective", "measure_id"]).reset_index(drop=True)
