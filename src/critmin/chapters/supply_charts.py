"""The charts of the supply chapters (share over time, concentration, US import reliance and exposure).

Each function takes the tables of :mod:`critmin.supply` and returns a chart finished with
:func:`critmin.charts.finish` (its title states the finding), or ``None`` when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from critmin.chapters.supply import control_rules, exposed, reported_shares
from critmin.render import charts
from critmin.text import pct, share_text


def country_colour(iso3: str) -> str:
    """China keeps its colour from chart to chart; any other country gets the first other palette colour."""
    return charts.CHINA if iso3 == "CHN" else charts.PALETTE[1]


def tint(hex_colour: str, amount: float = 0.55) -> str:
    """The colour mixed with white (``amount`` 0 = unchanged, 1 = white), e.g. for the lighter of paired bars."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


def share_over_time(shares: pd.DataFrame, change: pd.DataFrame, ctrl: pd.DataFrame, *, iso3: str,
                    country_name: str, start_year: int) -> alt.TopLevelMixin:
    """Small multiples, one per series, of the country's share by publisher, with China's export controls
    as dashed rules. Takes :func:`critmin.supply.history_shares`, :func:`~critmin.supply.share_change` and
    :func:`~critmin.chapters.supply.export_control_dates` output."""
    rules = control_rules(ctrl, shares)
    pts = shares[shares["share"].notna()][["series", "year", "share", "publisher", "source", "basis", "denominator"]]
    pts = pts.assign(layer="share", x=pts["year"].astype(float))
    plot = pd.concat([pts, rules], ignore_index=True).sort_values(["series", "layer", "x", "publisher"],
                                                                  kind="stable")
    pub_scale = alt.Scale(domain=["BGS", "USGS", "IEA"],
                          range=[country_colour(iso3), charts.PALETTE[7], charts.PALETTE[2]])
    x = alt.X("x:Q", title="Year", axis=alt.Axis(format="d", tickCount=5),
              scale=alt.Scale(domain=[start_year, 2026], nice=False))
    base = alt.Chart().encode(x=x)
    share_tip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:Q", format="d", title="Year"),
                 alt.Tooltip("share:Q", format=".1%", title="Share"), alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("basis:N", title="Publisher's series"), alt.Tooltip("denominator:N", title="Share of")]
    lines_layer = base.transform_filter(alt.datum.layer == "share").mark_line(strokeWidth=2).encode(
        y=alt.Y("share:Q", title="Share (%)", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("publisher:N", title="Source", scale=pub_scale),
        detail="publisher:N", tooltip=share_tip)
    points_layer = lines_layer.mark_point(size=18, filled=True)
    # aria=False: the rules are listed in the chart's data and described in the text; in panels without an
    # export control the empty rule group would otherwise be an unlabelled image to a screen reader.
    rule_layer = base.transform_filter(alt.datum.layer == "event").mark_rule(
        color="#444", strokeDash=[3, 3], strokeWidth=1, aria=False).encode(
        tooltip=[alt.Tooltip("date_text:N", title="Date"), alt.Tooltip("title:N", title="China's export control")])
    chart = alt.layer(lines_layer, points_layer, rule_layer, data=plot).properties(width=170, height=120).facet(
        facet=alt.Facet("series:N", title=None, header=alt.Header(labelFontSize=11, labelLimit=190)),
        columns=3)
    ups = change[change["latest_share"] > change["first_share"]]
    return charts.finish(
        chart,
        title=(f"{country_name}'s share rose in {len(ups)} of {len(change)} series since {start_year}" if len(ups)
               else f"{country_name}'s share fell or held in all {len(change)} series since {start_year}"),
        subtitle=(f"{country_name}'s share of world output by source (%); dashed rules: China's export controls "
                  "(hover for details)"),
        description=(f"Small multiples, one per mineral and stage, of {country_name}'s share of world output from "
                     f"{start_year}: BGS to 2021, USGS 2020 onward, IEA refining 2023–2024 for cobalt and nickel. "
                     f"The share rose in {len(ups)} of {len(change)} series."),
        sources=["production_history", "production"] + (["refining"] if (shares["publisher"] == "IEA").any() else [])
        + (["events"] if len(rules) else []))


_STAGE_LABEL = {"mining": "Mining", "processing": "Refining / processing"}


def stage_shares(table: pd.DataFrame, stages: Sequence[str], *, iso3: str, country_name: str,
                 year: int) -> alt.TopLevelMixin | None:
    """Grouped bars of the country's share of world mining (lighter) and refining or processing (darker) per
    mineral, largest first (:func:`critmin.supply.stage_table` output); None when it has no share at all."""
    reported = reported_shares(table)
    colour = country_colour(iso3)
    plot = reported.assign(
        stage_label=reported["stage_group"].map(_STAGE_LABEL),
        rank_text=reported["rank"].map(lambda r: "–" if pd.isna(r) else f"{int(r)}"),
        hhi_text=reported["hhi"].map(lambda h: "–" if pd.isna(h) else f"{h:,.0f}"),
    )[["label", "stage_label", "share", "source", "series", "rank_text", "top_producer", "denominator", "hhi_text"]]
    if not len(plot):
        return None
    order = (plot.groupby("label")["share"].max().reset_index()
             .sort_values(["share", "label"], ascending=[False, True])["label"].tolist())
    n_top = int((reported["rank"] == 1).sum())
    plot = plot.assign(share_label=plot["share"].map(share_text))
    x_scale = alt.Scale(domain=[0, 1])
    y = alt.Y("label:N", sort=order, title=None)
    y_offset = alt.YOffset("stage_label:N", sort=["Mining", "Refining / processing"])
    bars = alt.Chart(plot).mark_bar().encode(
        x=alt.X("share:Q", title=f"{country_name}'s share of world output, {year} (%)",
                axis=alt.Axis(format=".0%", orient="top"), scale=x_scale),
        y=y, yOffset=y_offset,
        color=alt.Color("stage_label:N", title="Stage",
                        scale=alt.Scale(domain=["Mining", "Refining / processing"], range=[tint(colour), colour])),
        tooltip=[alt.Tooltip("label:N", title="Mineral"), alt.Tooltip("stage_label:N", title="Stage"),
                 alt.Tooltip("share:Q", format=".1%", title="Share"), alt.Tooltip("rank_text:N", title="Rank"),
                 alt.Tooltip("top_producer:N", title="Largest producer"), alt.Tooltip("hhi_text:N", title="HHI"),
                 alt.Tooltip("series:N", title="Series"), alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("denominator:N", title="Share of")],
    )
    # Each bar's share written at its end, so the chart reads without hovering; the share axis sits at the
    # top, where the reader starts, instead of below a long list of minerals.
    labels = alt.Chart(plot).mark_text(align="left", baseline="middle", dx=3, fontSize=9, color=charts.INK).encode(
        x=alt.X("share:Q", scale=x_scale), y=y, yOffset=y_offset, text="share_label:N")
    chart = alt.layer(bars, labels).properties(width=520, height=alt.Step(8))
    sources = ["production"] + (["refining"] if reported["source"].str.startswith("IEA").any() else []) \
        + (["processing_shares"] if (reported["status"] == "published_share").any() else [])
    top_text = (f"{country_name} is the largest producer in {n_top} of {len(plot)} mineral stages shown"
                if n_top else f"{country_name} is not the largest producer of any mineral stage shown")
    return charts.finish(
        chart, title=f"{top_text}, {year}",
        subtitle=("Share of the reported world total, written at the end of each bar; lighter bars mining, darker "
                  "bars refining or processing"),
        description=(f"Grouped bar chart of {country_name}'s share of world mining and of refining or processing "
                     f"in {year} for {plot['label'].nunique()} minerals, largest first. Largest: "
                     f"{plot.sort_values('share', ascending=False).iloc[0]['label']} "
                     f"{pct(plot['share'].max())}."),
        sources=sources)


_NIR_KIND = {"censored_gt": "bound (at least)", "censored_lt": "bound (at most)", "net_exporter": "net exporter"}


def reliance_bars(exp: pd.DataFrame) -> alt.TopLevelMixin:
    """Bars of US net import reliance per mineral, largest first; bounds lighter, net exporters at 0
    (:func:`critmin.supply.import_exposure` output with labels)."""
    nir = exp[exp["nir_pct"].notna()]
    half = nir[nir["nir_pct"] > 50]
    full = nir[(nir["nir_pct"] >= 100)]
    netx = nir[nir["nir_flag"] == "net_exporter"]
    plot = nir.assign(kind=nir["nir_flag"].map(_NIR_KIND).fillna("reported"),
                      nir=nir["nir_pct"] / 100)[["label", "nir", "nir_text", "nir_year", "kind", "nir_basis"]]
    plot = plot.sort_values(["nir", "label"], ascending=[False, True])
    chart = alt.Chart(plot).mark_bar().encode(
        x=alt.X("nir:Q", title="US net import reliance (% of apparent consumption)", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", sort=plot["label"].tolist(), title=None),
        color=alt.Color("kind:N", title="Value", scale=alt.Scale(
            domain=["reported", "bound (at least)", "bound (at most)", "net exporter"],
            range=[charts.PALETTE[1], charts.PALETTE[4], "#BBBBBB", charts.PALETTE[2]])),
        tooltip=[alt.Tooltip("label:N", title="Mineral"), alt.Tooltip("nir_text:N", title="Net import reliance"),
                 alt.Tooltip("nir_year:Q", format="d", title="Year"),
                 alt.Tooltip("nir_basis:N", title="USGS series")],
    ).properties(width=480, height=alt.Step(14))
    return charts.finish(chart, title=f"The US imports more than half its use of {len(half)} of {len(nir)} minerals",
                         subtitle=("Newest year per mineral; bounds such as '>50%' drawn at the bound; "
                                   "net exporters at 0"),
                         description=(f"Bar chart of US net import reliance for {len(nir)} minerals, largest first; "
                                      f"{len(full)} at 100%, {len(netx)} net exporters."),
                         sources=["import_reliance"])


_BASES = ["China's share of world supply", "China's share of US imports"]


def exposure_dots(exp: pd.DataFrame) -> alt.TopLevelMixin:
    """Dots of exposure per mineral on both bases (world supply, US imports), sorted by the world-supply
    basis (:func:`critmin.supply.import_exposure` output with labels)."""
    ex = exp[exp["exposure_supply"].notna() | exp["exposure_import"].notna()].copy()
    long = pd.concat([
        ex.assign(basis=_BASES[0], exposure=ex["exposure_supply"], china=ex["china_supply_share"]),
        ex.assign(basis=_BASES[1], exposure=ex["exposure_import"], china=ex["china_import_share"]),
    ], ignore_index=True)
    long = long[long["exposure"].notna()][["label", "basis", "exposure", "china", "nir_text", "supply_stage",
                                           "supply_source"]]
    long["supply_stage"] = long["supply_stage"].where(long["basis"].str.contains("world"), "imports")
    ranked = exposed(exp)
    order = ranked["label"].tolist()
    lead = ranked.iloc[0]
    chart = alt.Chart(long).mark_point(filled=True, size=70).encode(
        x=alt.X("exposure:Q", title="Exposure: share of US consumption (%)", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", sort=order, title=None),
        color=alt.Color("basis:N", title="China's share measured as",
                        scale=alt.Scale(domain=_BASES, range=[charts.CHINA, charts.PALETTE[7]])),
        shape=alt.Shape("basis:N", legend=None, scale=alt.Scale(domain=_BASES, range=["circle", "diamond"])),
        tooltip=[alt.Tooltip("label:N", title="Mineral"), alt.Tooltip("basis:N", title="Basis"),
                 alt.Tooltip("exposure:Q", format=".1%", title="Exposure"),
                 alt.Tooltip("nir_text:N", title="Net import reliance"),
                 alt.Tooltip("china:Q", format=".1%", title="China's share"),
                 alt.Tooltip("supply_stage:N", title="Stage"), alt.Tooltip("supply_source:N", title="Supply source")],
    ).properties(width=480, height=alt.Step(14))
    return charts.finish(chart, title=f"{lead['label']} tops the US exposure to Chinese supply "
                                      f"({pct(lead['exposure_supply'])} of consumption on the world-supply basis)",
                         subtitle=("Exposure = net import reliance × China's share; circles: world supply, "
                                   "diamonds: US imports"),
                         description=(f"Dot plot of exposure for {len(ex)} minerals on two bases, sorted by the "
                                      f"world-supply basis; largest {lead['label']} "
                                      f"{pct(lead['exposure_supply'])}."),
                         sources=["import_reliance", "import_sources", "production", "refining"])
