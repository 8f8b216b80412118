"""The chart of the scenario chapter: China's share (and US reliance on China) against added supply."""

from __future__ import annotations

import altair as alt
import pandas as pd

from critmin.analysis.scenario import Chapter, tonnes_text
from critmin.render import charts
from critmin.text import num, pct

__all__ = ["sensitivity_chart"]


def sensitivity_chart(ch: Chapter, curve: dict) -> alt.TopLevelMixin:
    """Lines of the shares of :func:`critmin.scenario.sensitivity_curve`, with the page's scenario marked."""
    A, series = ch.supply["tonnes"], curve["series"]
    c0 = ch.r.loc["china_share", "before"]
    base_chart = alt.Chart(curve["long"]).encode(
        x=alt.X("added_supply_t:Q", title=f"Added supply from {ch.supplier} (tonnes a year)"),
        y=alt.Y("share:Q", title="Share (%)", axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=True)),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=list(series.values()),
                        range=[charts.CHINA, charts.PALETTE[1]][:len(series)])),
        tooltip=[alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("added_supply_t:Q", title="Added supply (t)", format=",.0f"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")])
    marker = pd.DataFrame({"added_supply_t": [round(A, 3)], "label": ["this page's scenario"]})
    rule = alt.Chart(marker).mark_rule(strokeDash=[4, 4], color="#555").encode(x="added_supply_t:Q")
    rule_text = alt.Chart(marker).mark_text(align="left", dx=4, dy=-140, color="#555").encode(
        x="added_supply_t:Q", text="label:N")
    c_top = curve["c_top"]
    return charts.finish(
        alt.layer(base_chart.mark_line(), rule, rule_text).properties(width=540, height=300),
        title=(f"Even {num(ch.sensitivity_max, 0)}× this supply leaves China with {pct(c_top)} of world {ch.name} output"
               if A > 0 else f"Adding supply up to 5% of world output leaves China with {pct(c_top)}"),
        subtitle=f"{ch.label}, {ch.stage} production, {ch.base['year']}; dashed line: this page's scenario "
                 f"({tonnes_text(A)} a year)",
        description=(f"Line chart of China's share of world {ch.name} {ch.stage} output against added supply from "
                     f"{ch.supplier}, from 0 to {tonnes_text(curve['top'])} a year. China's share falls from "
                     f"{pct(c0, 1)} to {pct(c_top, 1)}."),
        sources=["production", "import_reliance", "import_sources", "us_salient"])
