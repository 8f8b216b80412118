"""The charts of the Pakistan chapter, each finished with its finding as title and its sources.

Every function takes the frames made by :mod:`critmin.pakistan` and returns an Altair chart ready to display.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from critmin.analysis import pakistan as pk
from critmin.render import charts
from critmin.render.page import Table
from critmin.text import and_list, num, number_text, pct

__all__ = ["share_series", "usgs_share_chart", "history_chart", "exports_chart", "fdi_chart", "copper_chart"]


def share_series(series: pd.DataFrame) -> pd.DataFrame:
    """:func:`critmin.pakistan.usgs_series` with a readable ``name`` and an ``estimated`` flag column."""
    out = series.copy()
    out["name"] = out["mineral"].str.replace("_", " ")
    out["estimated"] = out["flag"].fillna("").eq("estimated")
    return out


def usgs_share_chart(series: pd.DataFrame) -> alt.TopLevelMixin:
    """Lines of Pakistan's share of world mine output by mineral and year (`series` from :func:`share_series`)."""
    lines = alt.Chart(series).mark_line(point=True).encode(
        x=alt.X("year:O", title=None),
        y=alt.Y("share:Q", title="Share of world mine output (%)", axis=alt.Axis(format=".1%")),
        color=alt.Color("name:N", title="Mineral"),
        tooltip=[alt.Tooltip("name:N", title="Mineral"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("value:Q", title="Pakistan", format=",.0f"), alt.Tooltip("unit:N", title="Unit"),
                 alt.Tooltip("world_total:Q", title="World total", format=",.0f"),
                 alt.Tooltip("share:Q", title="Share", format=".2%"), alt.Tooltip("edition:N", title="USGS edition")],
    ).properties(width=520, height=260)
    best = series.loc[series["share"].idxmax()]
    return charts.finish(
        lines,
        title=f"Pakistan's largest share of any mineral USGS lists is {pct(best['share'], 1)} ({best['name']}, {best['year']})",
        subtitle="Pakistan's mine output as a share of the USGS world total; each year from the newest edition reporting it",
        description="Line chart of Pakistan's share of world mine production by year for the minerals USGS lists "
                    f"for Pakistan ({', '.join(sorted(series['name'].unique()))}); every share is below "
                    f"{pct(series['share'].max() + 0.005, 0)}.",
        sources=["production"])


def history_chart(hs: pd.DataFrame) -> alt.TopLevelMixin:
    """Small multiples of Pakistan's BGS series (`hs` from :func:`critmin.pakistan.history_panels`)."""
    first, last, _ = pk.chromite_span(hs)
    chart = alt.Chart(hs).mark_line().encode(
        x=alt.X("year:Q", title=None, axis=alt.Axis(format="d")),
        y=alt.Y("kt:Q", title="Output (thousand tonnes)"),
        tooltip=[alt.Tooltip("label:N", title="Series"), alt.Tooltip("year:Q", title="Year", format="d"),
                 alt.Tooltip("kt:Q", title="kt", format=",.1f"),
                 alt.Tooltip("share:Q", title="Share of listed producers", format=".2%")],
    ).properties(width=260, height=170).facet(facet=alt.Facet("label:N", title=None), columns=2).resolve_scale(y="independent")
    return charts.finish(
        chart,
        title=f"Pakistan's chromite output grew from {num(first['value'] / 1e3)} kt in {first['year']} to "
              f"{num(last['value'] / 1e3)} kt in {last['year']}",
        subtitle="Pakistan's output by BGS series (each panel has its own scale); hover for the share of listed producers",
        description=f"Small multiples of Pakistan's production by year from BGS for {', '.join(sorted(hs['label'].unique()))}.",
        sources=["production_history"])


def _who(iso3: pd.Series, other: str) -> pd.Series:
    # China and the United States keep their colours from chart to chart; everyone else is grey.
    return iso3.map({"CHN": "China", "USA": "United States"}).fillna(other)


def exports_chart(exports: pd.DataFrame) -> alt.TopLevelMixin:
    """Bars of Pakistan's export destinations' shares (`exports` from :func:`critmin.pakistan.exports_by_partner`)."""
    ex = exports.assign(who=_who(exports["iso3"], "Other partner"))
    us_x, cn_x = pk.partner_row(ex, "USA"), pk.partner_row(ex, "CHN")
    period = ex["period"].iloc[0]
    bars = alt.Chart(ex).mark_bar().encode(
        x=alt.X("share:Q", title=f"Share of Pakistan's goods exports, {period} (%)", axis=alt.Axis(format=".0%")),
        y=alt.Y("country:N", sort="-x", title=None),
        color=alt.Color("who:N", title=None, scale=alt.Scale(domain=["China", "United States", "Other partner"],
                                                              range=[charts.CHINA, charts.PALETTE[1], charts.OTHERS])),
        tooltip=[alt.Tooltip("country:N", title="Partner"), alt.Tooltip("value:Q", title="US$ million", format=",.0f"),
                 alt.Tooltip("share:Q", title="Share of all exports", format=".1%")],
    ).properties(width=480, height=alt.Step(18))
    return charts.finish(
        bars,
        title=f"The United States buys {num(us_x['value'] / cn_x['value'], 1)} times as much from Pakistan as China does",
        subtitle=f"The {len(ex)} largest export destinations (State Bank of Pakistan); Dubai and Abu Dhabi are listed separately",
        description=f"Bar chart of Pakistan's exports by destination in {period}: United States "
                    f"{pct(us_x['share'], 1)}, China {pct(cn_x['share'], 1)}.",
        sources=["pakistan_trade", "pakistan_trade_monthly"])


def fdi_chart(tables: dict) -> alt.TopLevelMixin:
    """Grouped bars of net FDI by source for each fiscal year (`tables` from :func:`critmin.pakistan.fdi_tables`)."""
    fy = list(tables)
    latest = tables[fy[-1]]
    us = pk.partner_row(latest, "USA")
    n_listed = int(latest["in_table"].sum())
    both = pd.concat([t[t["row_kind"] == "country"] for t in tables.values()])
    both["fy"] = "FY" + both["fiscal_year"].astype(str)
    both["who"] = _who(both["iso3"], "Other listed source")
    order = latest[latest["row_kind"] == "country"]["country"].tolist()
    listed = latest[latest["row_kind"] == "country"]
    top = listed.loc[listed["value"].idxmax()]
    lead = f"{top['country']} is Pakistan's largest direct investor in FY{fy[-1]}"
    chart = alt.Chart(both).mark_bar().encode(
        x=alt.X("value:Q", title="Net FDI (US$ million; negative = net outflow)"),
        y=alt.Y("country:N", sort=order, title=None),
        yOffset=alt.YOffset("fy:N"),
        color=alt.Color("who:N", title=None, scale=alt.Scale(domain=["China", "United States", "Other listed source"],
                                                              range=[charts.CHINA, charts.PALETTE[1], charts.OTHERS])),
        opacity=alt.Opacity("fy:N", title="Fiscal year", scale=alt.Scale(range=[0.45, 1.0])),
        tooltip=[alt.Tooltip("country:N", title="Source"), alt.Tooltip("fy:N", title="Fiscal year"),
                 alt.Tooltip("value:Q", title="US$ million", format=",.1f"),
                 alt.Tooltip("share:Q", title="Share of net FDI", format=".1%")],
    ).properties(width=480, height=alt.Step(12))
    return charts.finish(
        chart,
        title=lead + ("; US net FDI turned negative" if us["value"] < 0 else ""),
        subtitle=f"Net FDI by source, the {n_listed} sources SBP lists for FY{fy[-1]} (paler bars: FY{fy[0]})",
        description=f"Grouped bar chart of net FDI into Pakistan by source country for {', '.join('FY' + str(y) for y in fy)}.",
        sources=["pakistan_fdi"])


def copper_chart(scale: pd.DataFrame) -> alt.TopLevelMixin:
    """Bars of copper tonnages on a linear scale (`scale` from :func:`critmin.pakistan.copper_scale`)."""
    rd2 = pk.scale_row(scale, "Reko Diq after")
    bars = alt.Chart(scale).mark_bar().encode(
        x=alt.X("kt:Q", title="Copper (thousand tonnes a year)"),
        y=alt.Y("label:N", sort=None, title=None),
        color=alt.Color("group:N", title=None, scale=alt.Scale(domain=["world", "china", "plan", "pakistan"],
                        range=[charts.OTHERS, charts.CHINA, charts.PALETTE[1], charts.PALETTE[2]]), legend=None),
        tooltip=[alt.Tooltip("label:N", title="Series"), alt.Tooltip("basis:N", title="Basis"),
                 alt.Tooltip("kt:Q", title="kt", format=",.1f"),
                 alt.Tooltip("share_of_world_mine:Q", title="Share of world mine output", format=".2%")],
    ).properties(width=480, height=alt.Step(24))
    return charts.finish(
        bars,
        title=f"Even expanded, Reko Diq would be {pct(rd2['share_of_world_mine'], 1)} of world copper mine output",
        subtitle="Linear scale on purpose: Pakistan's current copper output barely shows",
        description="Bar chart of copper tonnages: world mine production, China's refined and mined copper, Reko Diq's planned "
                    "output in phase 1 and after expansion, Pakistan's copper mine output and Saindak's typical output.",
        sources=["production", "production_history", "pakistan_indicators"])


# ---------------------------------------------------------------------------------------------------------
# output USGS does not list: World Mining Data (secondary)


def wmd_latest(wmd: pd.DataFrame) -> pd.DataFrame:
    """Each commodity's newest year in World Mining Data: commodity, year, value, unit, flag."""
    w = wmd[wmd["value"].notna()].sort_values(["commodity", "year"])
    return w.groupby("commodity", as_index=False).last()[["commodity", "year", "value", "unit", "wmd_flag"]]


def wmd_text(latest: pd.DataFrame) -> str:
    if latest.empty:
        return "World Mining Data records no Pakistani output beyond what USGS lists."
    t = latest[latest["unit"] == "t"].sort_values("value", ascending=False).head(3)
    big = and_list([f"{r.commodity.lower()} ({number_text(r.value)} t in {int(r.year)})" for r in t.itertuples()])
    return (f"World Mining Data (Austrian Federal Ministry of Finance) records Pakistan's output of "
            f"**{len(latest)}** commodities for which the USGS tables in this book list no Pakistani output; the largest "
            f"by tonnage: "
            f"{big}. It is a secondary compilation: its Pakistani figures could not be checked against the "
            f"ministry's own tables, so they are context, not evidence.")


def wmd_table(latest: pd.DataFrame) -> Table:
    t = latest.rename(columns={"commodity": "Commodity", "year": "Year", "value": "Output", "unit": "Unit",
                               "wmd_flag": "WMD flag"})
    t["WMD flag"] = t["WMD flag"].fillna("–")
    return Table(t, caption="Pakistan: output USGS does not list, newest year in World Mining Data (secondary)",
                 formats={"Output": number_text, "Year": "{}"})
