"""The charts of the deal chapter: the events timeline and deal amounts, one panel per kind of money."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from critmin.analysis import deals
from critmin.render import charts

__all__ = ["LANE_COLOURS", "SIDES", "timeline_chart", "sizes_frame", "sizes_chart"]

# China's lane keeps China's colour; the catch-all lane is grey.
LANE_COLOURS = dict(zip(deals.KIND_LABELS.values(), [charts.CHINA] + charts.PALETTE[1:6] + [charts.OTHERS]))

SIDES = {"US in Pakistan": charts.PALETTE[1], "US with another country": charts.PALETTE[4],
         "US at home": charts.PALETTE[5],
         "China side": charts.CHINA, "Pakistan with others": charts.PALETTE[2]}


def timeline_chart(tl: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> alt.TopLevelMixin | None:
    """One row per event, labelled with its date and title on the chart itself (no hovering needed), coloured
    by kind, with a dashed rule at the MoU signing; None when the window has no events.

    `tl` is :func:`critmin.analysis.deals.timeline` for [start, end]. Marks link to their reports.
    """
    if tl.empty:
        return None
    lanes = [lane for lane in deals.KIND_LABELS.values() if lane in set(tl["lane"])]
    tl = tl.assign(row=range(len(tl)), label=tl["when"] + " · " + tl["title"])
    domain = [start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")]
    y = alt.Y("label:N", sort=alt.EncodingSortField("row", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=520, labelFontSize=11))
    base = alt.Chart(tl).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(domain=domain),
                axis=alt.Axis(format="%Y", tickCount="year", orient="top") if (end - start).days > 730
                else alt.Axis(format="%b %Y", tickCount=6, orient="top")),
        y=y)
    colour = alt.Color("lane:N", sort=lanes, title="Kind of event",
                       scale=alt.Scale(domain=lanes, range=[LANE_COLOURS[l] for l in lanes]),
                       legend=alt.Legend(orient="bottom", columns=2))
    points = base.mark_point(filled=True, size=70, opacity=0.9).encode(
        color=colour,
        shape=alt.Shape("date_precision:N", title="Date precision",
                        scale=alt.Scale(domain=["day", "month", "year"], range=["circle", "square", "triangle-up"]),
                        legend=alt.Legend(orient="bottom")),
        href="source_url:N",
        tooltip=[alt.Tooltip("title:N", title="Event"), alt.Tooltip("when:N", title="Date"),
                 alt.Tooltip("lane:N", title="Kind"), alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("source_url:N", title="Link")],
    )
    rule_data = tl[tl["is_deal"]]
    rule = alt.Chart(rule_data).mark_rule(color="#000", strokeDash=[4, 3]).encode(x="date:T")
    label = alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-6, fontSize=11, fontWeight=600).encode(
        x="date:T", y=alt.value(0), text=alt.value("USSM–FWO MoU"))
    return charts.finish(
        (rule + label + points).properties(width=300, height=alt.Step(16)),
        title="The MoU landed amid China's export controls and a run of US minerals deals",
        subtitle="One row per event, labelled with its date and title; colour: kind of event. Click a mark for the report",
        description=f"Timeline of {len(tl)} events from {start:%B %Y} to {end:%B %Y}, one row each with its date and "
                    "title, coloured by kind: " + ", ".join(lanes) + ". A dashed line marks the MoU signing.",
        sources=["events"],
    )


def sizes_frame(deal_table: pd.DataFrame) -> pd.DataFrame:
    """:func:`critmin.deals.sized_deals` with amounts in US$ billion, a ▶ before the USSM–FWO deal's name and
    the floor the lollipop stems start from (a power of ten below the smallest amount, at most 0.1)."""
    sized = deals.sized_deals(deal_table)
    sized["amount_bn"] = sized["amount_usd"] / 1e9
    sized["label"] = sized["name"].where(~sized["is_deal"], "▶ " + sized["name"])
    smallest = float(sized["amount_bn"].min()) if len(sized) else 0.1
    sized["floor"] = min(0.1, 10 ** math.floor(math.log10(smallest))) if smallest > 0 else 0.1
    return sized


def sizes_chart(deal_table: pd.DataFrame) -> alt.TopLevelMixin:
    """Deal amounts on a log scale, one panel per kind of money, so unlike kinds are never ranked together."""
    sized = sizes_frame(deal_table)
    wk = deals.within_kind(deal_table)
    kinds = [k for k in deals.MONEY_KIND_LABELS.values() if k in set(sized["kind_label"])]
    tooltip = [alt.Tooltip("name:N", title="Deal"), alt.Tooltip("kind_label:N", title="Kind of money"),
               alt.Tooltip("amount_bn:Q", title="US$ billion", format=",.2f"),
               alt.Tooltip("source_outlet:N", title="Source")]
    floor = float(sized["floor"].min()) if len(sized) else 0.1
    ticks = [v for v in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100) if v >= floor]
    x = alt.X("amount_bn:Q", title="Amount stated (US$ billion, log scale)",
              scale=alt.Scale(type="log", domain=[floor, 100]),
              axis=alt.Axis(values=ticks, format="~g"))
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("amount_usd", order="descending"),
              axis=alt.Axis(labelLimit=420))
    colour = alt.Color("side:N", title="Who is on the other side",
                       scale=alt.Scale(domain=list(SIDES), range=list(SIDES.values())))
    # NOTE: a lollipop, not a bar: on a log scale a bar has no zero to start from.
    stems = alt.Chart().mark_rule(strokeWidth=2).encode(x="floor:Q", x2="amount_bn:Q", y=y, color=colour)
    heads = alt.Chart().mark_point(filled=True, size=90).encode(
        x=x, y=y, color=colour, tooltip=tooltip,
        shape=alt.Shape("is_deal:N", legend=None, scale=alt.Scale(domain=[True, False], range=["diamond", "circle"])),
        size=alt.condition("datum.is_deal", alt.value(200), alt.value(80)))
    chart = alt.layer(stems, heads, data=sized).properties(width=330, height=alt.Step(20)).facet(
        row=alt.Row("kind_label:N", sort=kinds, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight=600, labelOrient="top")),
        spacing=6,
    ).resolve_scale(y="independent")
    n_unsized = int(deal_table["amount_usd"].isna().sum())
    return charts.finish(
        chart,
        title=f"The US${wk['amount'] / 1e6:,.0f}m MoU ranks {wk['rank']} of {wk['n_sized']} stated MoU amounts; "
              "other kinds of money are not comparable",
        subtitle=f"{len(sized)} deals that state an amount, one panel per kind of money; {n_unsized} more state none",
        description=f"Bar charts of {len(sized)} deal amounts on a log scale, one panel per kind of money "
                    f"({', '.join(kinds)}). The USSM–FWO MoU is marked with a ▶ before its name and a large diamond.",
        sources=["deals"],
    )
