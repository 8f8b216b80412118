"""The charts of the mineral profile page, built from the section results of :mod:`critmin.profile`.

Each function returns a finished chart (:func:`critmin.charts.finish`: the title states the finding, the
source line comes from the data package), or ``None`` when the section has too little to draw.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from critmin.analysis.profile import CHINA, STAGE_NOUN, Producers, ReservesView, share_text
from critmin.render import charts


def producers(p: Producers, label: str, n: int = 10) -> alt.TopLevelMixin:
    """Bar chart of the ``n`` largest producers' shares in the page's year, China highlighted."""
    lab = label.lower()
    top = p.table[p.table["value"].notna()].head(n).copy()
    top["who"] = (top["iso3"].astype("object") == CHINA).map({True: "China", False: "Other countries"})
    lead = top.iloc[0]
    noun = STAGE_NOUN[p.stage]
    if p.china_status == "reported":
        title = f"China: {share_text(p.china_share)} of listed {lab} {noun}, {p.year}"
    else:
        title = f"{lead['country']} leads {lab} {noun} in {p.year} with {share_text(lead['share'])}"
    chart = alt.Chart(top).mark_bar().encode(
        x=alt.X("share:Q", title=f"Share of listed countries' {noun} (%)", axis=alt.Axis(format=".0%", tickCount=5)),
        y=alt.Y("country:N", sort="-x", title=None),
        color=alt.Color("who:N", scale=alt.Scale(domain=["China", "Other countries"],
                                                 range=[charts.CHINA, charts.PALETTE[1]]), legend=None),
        tooltip=[alt.Tooltip("country:N", title="Country"),
                 alt.Tooltip("value:Q", format=",", title=f"Output ({p.unit})"),
                 alt.Tooltip("share:Q", format=".1%", title="Share")],
    ).properties(width=520, height=22 * len(top))
    desc = (f"Bar chart of the {len(top)} largest producers' shares of {lab} {noun} in {p.year}; "
            f"{lead['country']} is largest with {share_text(lead['share'])}.")
    return charts.finish(chart, title=title, description=desc, sources=["production"],
                         subtitle=f"Top {len(top)} of {int(p.table['value'].notna().sum())} countries; "
                                  f"China highlighted")


def share_over_time(long: pd.DataFrame, label: str, with_bgs: bool) -> alt.TopLevelMixin | None:
    """Line chart of China's share by year, one line per publisher's series (:func:`critmin.profile.share_lines`);
    None when fewer than two years have a share. ``with_bgs`` adds the BGS source to the source line."""
    if long.empty or long["year"].nunique() <= 1:
        return None
    lab = label.lower()
    last = long.sort_values("year").groupby("series").tail(1)
    top = last.loc[last["share"].idxmax()]
    chart = alt.Chart(long).mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d")),
        y=alt.Y("share:Q", title="China's share of world output (%)", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=charts.PALETTE)),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:Q", format="d", title="Year"),
                 alt.Tooltip("share:Q", format=".1%", title="China's share")],
    ).properties(width=560, height=300)
    return charts.finish(
        chart, title=f"China's share of {lab} output: {share_text(top['share'])} in {top['year']} ({top['series']})",
        description=(f"Line chart of China's share of world {lab} output by year and series; "
                     f"latest point {share_text(top['share'])} in {top['year']}."),
        sources=["production"] + (["production_history"] if with_bgs else []),
        subtitle="BGS to 2021, USGS from 2020; the publishers' figures differ where they overlap")


def reserves(rv: ReservesView, label: str) -> alt.TopLevelMixin | None:
    """Paired bars of reserve and production shares for the largest reserve holders; None unless USGS gives
    the mineral's own reserves and some production share to set against them."""
    t = rv.table
    if rv.status != "ok" or t.empty or not t["production_share"].notna().any():
        return None
    lab = label.lower()
    long = pd.concat([
        t[["country", "reserves_share"]].rename(columns={"reserves_share": "share"})
        .assign(measure=f"Reserves, {rv.year}"),
        t[["country", "production_share"]].rename(columns={"production_share": "share"})
        .assign(measure=f"Production, {rv.production_year}"),
    ], ignore_index=True).dropna(subset=["share"])
    order = t["country"].tolist()
    chart = alt.Chart(long).mark_bar().encode(
        x=alt.X("share:Q", title="Share of listed countries (%)", axis=alt.Axis(format=".0%", tickCount=5)),
        y=alt.Y("country:N", sort=order, title=None),
        yOffset=alt.YOffset("measure:N"),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(range=[charts.PALETTE[1], charts.PALETTE[3]])),
        tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("share:Q", format=".1%", title="Share")],
    ).properties(width=520, height=34 * len(order))
    lead = t.iloc[0]
    return charts.finish(
        chart, title=f"{lead['country']} holds {share_text(lead['reserves_share'])} of listed {lab} reserves",
        description=(f"Paired bars of reserve shares and production shares for the largest {lab} reserve "
                     f"holders; {lead['country']} has the largest reserves."),
        sources=["reserves", "production"])


def reliance(rel: pd.DataFrame, label: str) -> alt.TopLevelMixin | None:
    """Line chart of US net import reliance by year (:func:`critmin.profile.reliance`); bounds such as '>50%'
    are drawn at the bound. None when fewer than two years have a value."""
    pts = rel[rel["nir_pct"].notna()].copy()
    if len(pts) <= 1:
        return None
    lab = label.lower()
    pts["nir"] = pts["nir_pct"] / 100
    last = pts.iloc[-1]
    chart = alt.Chart(pts).mark_line(point=True, color=charts.PALETTE[1]).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("nir:Q", title="Net import reliance (% of apparent consumption)", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("year:Q", format="d", title="Year"), alt.Tooltip("label:N", title="USGS value"),
                 alt.Tooltip("edition:N", title="Edition")],
    ).properties(width=520, height=220)
    return charts.finish(
        chart, title=f"US net import reliance for {lab}: {last['label']} in {last['year']}",
        description=(f"Line chart of US net import reliance for {lab} by year, ending at {last['label']} in "
                     f"{last['year']}."),
        sources=["import_reliance"],
        subtitle="Values USGS gives as “>N” are drawn at N" if (pts["flag"] == "censored_gt").any() else None)
