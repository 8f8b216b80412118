"""The Pakistan chapter: its sentences, tables and charts (each chart finished with its finding as title and its
sources), from the frames made by :mod:`critmin.analysis.pakistan`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from critmin.analysis import pakistan as pk
from critmin.render import charts
from critmin.render.page import Table
from critmin.text import and_list, md_table, num, number_text, pct, source_link, usd, usd_millions

__all__ = ["share_series", "usgs_share_chart", "history_chart", "exports_chart", "fdi_chart", "copper_chart",
           "mineral_name",
           "mines_text",
           "mines_table",
           "revision_note",
           "history_panels",
           "chromite_span",
           "history_text",
           "reserves_text",
           "format_value",
           "indicator_markdown",
           "indicator_table",
           "economy_text",
           "wealth_ratio_text",
           "partner_row",
           "trade_text",
           "fdi_tables",
           "fdi_text",
           "scale_row",
           "copper_text",
           "reko_diq_text",
           "ECONOMY_INDICATORS",
           "TRADE_INDICATORS",
           "REKO_DIQ_INDICATORS",
           "MINERAL_TRADE_NOTE",
           ]


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
    first, last, _ = chromite_span(hs)
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
    us_x, cn_x = partner_row(ex, "USA"), partner_row(ex, "CHN")
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
    us = partner_row(latest, "USA")
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
    rd2 = scale_row(scale, "Reko Diq after")
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


# --- The chapter's prose and tables -------------------------------------------------------------------------
# Each function below turns the frames above into the sentences or table one section of the Pakistan chapter
# shows; every figure in them is computed from the data passed in.

def mineral_name(mineral: str) -> str:
    """'rare_earths' → 'rare earths' (a mineral id as prose)."""
    return mineral.replace("_", " ")


def mines_text(ws: pd.DataFrame, production: pd.DataFrame, year: int, iso3: str = pk.ISO3) -> str:
    """What the country mines in `year` and its largest share of world output, from :func:`critmin.analysis.pakistan.world_shares`.

    Also says so when USGS lists no rare-earth production for the country in any edition.
    """
    from critmin.text import num, share_text

    top = ws.iloc[0]
    lines = [f"In **{year}** the USGS Mineral Commodity Summaries list Pakistan as a producer of **{len(ws)}** of the "
             f"{production['mineral'].nunique()} minerals in this book's production table: "
             + ", ".join(f"{mineral_name(m)} ({num(v)} {u}, {share_text(s)} of world output)" for m, v, u, s in
                         zip(ws["mineral"], ws["value"], ws["unit"], ws["share"])) + "."]
    lines.append(f"The largest share is {mineral_name(top['mineral'])}, at **{share_text(top['share'])}**, where Pakistan "
                 f"ranks {top['rank']} of {top['n_producers']} producers USGS names.")
    rare = production[(production["mineral"] == "rare_earths") & (production["iso3"] == iso3)]
    if rare.empty:
        lines.append("USGS lists **no Pakistani rare-earth production** in any edition in this table, although rare "
                     "earths are among the minerals named in the USSM–FWO MoU.")
    return " ".join(lines)


def mines_table(ws: pd.DataFrame) -> pd.DataFrame:
    """The :func:`critmin.analysis.pakistan.world_shares` frame as shown: readable mineral names, Pakistan's output and the world total
    each in the table's unit, the share as the book states shares, 'reported' where USGS sets no flag."""
    from critmin.text import quantity, share_text

    return pd.DataFrame({
        "Mineral": ws["mineral"].map(mineral_name).to_numpy(),
        "Pakistan's output": [quantity(v, u) for v, u in zip(ws["value"], ws["unit"])],
        "World total": [quantity(v, u) for v, u in zip(ws["world_total"], ws["unit"])],
        "Pakistan's share": [share_text(x) for x in ws["share"]],
        "Rank": ws["rank"].to_numpy(), "Producers listed": ws["n_producers"].to_numpy(),
        "Edition": ws["edition"].to_numpy(), "Flag": ws["flag"].fillna("reported").to_numpy()})


def revision_note(series: pd.DataFrame, mineral: str = "antimony") -> str:
    """A warning when a mineral's 2022→2023 change spans two USGS editions (a revision, not only mining).

    `series` is :func:`critmin.analysis.pakistan.usgs_series`; returns "" when both years come from one edition or one is missing.
    """
    from critmin.text import num

    jump = series[series["mineral"] == mineral].set_index("year")
    if not ({2022, 2023} <= set(jump.index) and jump.loc[2022, "edition"] != jump.loc[2023, "edition"]):
        return ""
    return (f"Pakistan's {mineral_name(mineral)} output rises from {num(jump.loc[2022, 'value'])} t in 2022 to "
            f"{num(jump.loc[2023, 'value'])} t in 2023, but the two years come from different editions "
            f"({jump.loc[2022, 'edition']} and {jump.loc[2023, 'edition']}): USGS revised the series upward, so "
            "the jump is at least partly a revision, not only a change in mining.")


def history_panels(history: pd.DataFrame, iso3: str = pk.ISO3) -> tuple[pd.DataFrame, list[str]]:
    """:func:`critmin.analysis.pakistan.history_shares` without the series that are zero in every year, plus ``kt`` (value / 1,000).

    Returns the frame and the labels of the all-zero series that were dropped (sorted).
    """
    hs = pk.history_shares(history, iso3)
    peak = hs.groupby("label")["value"].max()
    zero = sorted(peak[peak == 0].index)
    hs = hs[~hs["label"].isin(zero)].copy()
    hs["kt"] = hs["value"] / 1e3
    return hs, zero


def chromite_span(hs: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """First, last and peak rows of the chromium series of :func:`history_panels`."""
    chrom = hs[hs["mineral"] == "chromium"]
    return chrom.iloc[0], chrom.iloc[-1], chrom.loc[chrom["value"].idxmax()]


def history_text(hs: pd.DataFrame, zero: list[str], first_year: int) -> str:
    """Chromite then and now, copper mining's start and share, and the all-zero BGS series, in prose.

    `hs` and `zero` come from :func:`history_panels`; `first_year` is the first year of the BGS table.
    """
    from critmin.text import num, share_text

    first, last, peak = chromite_span(hs)
    cu = hs[(hs["mineral"] == "copper") & (hs["stage"] == "mine")]
    text = (f"The British Geological Survey's series go back to {first_year}. Pakistan's chromite output was "
            f"**{num(first['value'] / 1e3)} kt** in {first['year']} and **{num(last['value'] / 1e3)} kt** in "
            f"{last['year']} (peak {num(peak['value'] / 1e3)} kt in {peak['year']}), "
            f"**{share_text(last['share'])}** of the output of all producers BGS lists that year. ")
    if not cu.empty:
        text += (f"Copper mining appears from {cu.iloc[0]['year']}; in {cu.iloc[-1]['year']} it was "
                 f"{num(cu.iloc[-1]['value'] / 1e3, 1)} kt, **{share_text(cu.iloc[-1]['share'])}** of the listed world total. ")
    if zero:
        text += f"BGS also lists Pakistan for {', '.join(z.lower() for z in zero)}, with zero output in every year. "
    return text + "BGS publishes no world total, so these shares use the sum of the producers it lists."


def reserves_text(reserves: pd.DataFrame, indicators: pd.DataFrame, iso3: str = pk.ISO3) -> str:
    """The country's USGS reserves, each with what its share of the world can honestly be said to be."""
    from critmin.text import num, share_text

    parts = []
    for _, r in pk.reserves_shares(reserves, iso3).iterrows():
        name = mineral_name(r["mineral"])
        if pd.isna(r["value"]):
            parts.append(f"USGS lists Pakistan under **{name}** reserves but gives no figure.")
        elif r["share_bound"] == "at_most":
            parts.append(f"**{name.capitalize()}** reserves are {num(r['value'])} {r['unit']} ({r['edition']}); the "
                         f"world total is given only as more than {num(r['world_total'])} {r['unit']}, so Pakistan "
                         f"holds **at most {share_text(r['share'])}** of known world reserves.")
        elif r["share_bound"] == "exact":
            parts.append(f"**{name.capitalize()}** reserves are {num(r['value'])} {r['unit']}, "
                         f"{share_text(r['share'])} of the world total.")
    ft = indicators[indicators["indicator"] == "antimony_reserves_world_share"]
    if not ft.empty:
        r0 = ft.iloc[0]
        parts.append(f"The Financial Times put the share at about {r0['value']:g}% "
                     f"({source_link(r0['publisher'], r0['source_url'], r0['reliability'])}).")
    # NOTE: the absence of these figures was checked against the sources reviewed; it is not in the data.
    parts.append("No USGS reserve figure exists for Pakistan's copper, gold, tungsten or rare earths, and no Reko "
                 "Diq reserve tonnage was found in the sources reviewed.")
    return " ".join(parts)


def format_value(value: float, unit: str) -> str:
    """A pakistan_indicators value in words a reader expects: 'US$5.6bn', '2.1%', '200,000 t/yr', '2028'."""
    v = float(value)
    if unit == "usd":
        sign, a = ("−" if v < 0 else ""), abs(v)
        if a >= 1e12:
            return f"{sign}US${a / 1e12:,.3g}tn"
        if a >= 1e9:
            return f"{sign}US${a / 1e9:,.3g}bn"
        if a >= 1e6:
            return f"{sign}US${a / 1e6:,.4g}m"
        return f"{sign}US${a:,.0f}"
    if unit == "percent":
        return f"{'−' if v < 0 else ''}{abs(v):g}%"
    if unit == "calendar_year":
        return f"{v:.0f}"
    suffix = {"usd_per_t": " US$/t", "t": " t", "t_per_year": " t/yr", "t_ore_per_day": " t ore/day",
              "km2": " km²", "count": "", "persons": " people", "rank": "", "years": " years"}
    if unit not in suffix:
        raise ValueError(f"unknown unit {unit!r}")
    if unit == "usd_per_t":
        return f"US${v:,.0f}/t"
    return f"{v:,.{0 if v == int(v) else 2}f}{suffix[unit]}"


def indicator_table(indicators: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Selected indicators (all their years, in the order given) with a formatted value and a source link."""
    missing = [n for n in names if n not in set(indicators["indicator"])]
    if missing:
        raise KeyError(f"pakistan_indicators has no {', '.join(missing)}")
    order = {n: i for i, n in enumerate(names)}
    t = indicators[indicators["indicator"].isin(names)].copy()
    t["_o"] = t["indicator"].map(order)
    t = t.sort_values(["_o", "year"]).drop(columns="_o")
    t["shown"] = [format_value(v, u) for v, u in zip(t["value"], t["unit"])]
    t["note"] = t["note"].fillna("")
    t["source"] = [source_link(p, u, r) for p, u, r in zip(t["publisher"], t["source_url"], t["reliability"])]
    return t[["indicator", "label", "year", "shown", "note", "source"]].reset_index(drop=True)


def indicator_markdown(indicators: pd.DataFrame, names: list[str], label: str = "Indicator",
                       year: str = "Year") -> str:
    """:func:`indicator_table` as a Markdown table; `label` and `year` name the first two columns."""
    return md_table(indicator_table(indicators, names),
                    {"label": label, "year": year, "shown": "Value", "note": "Note", "source": "Source"}, raw=("source",))


ECONOMY_INDICATORS = [
    "mining_quarrying_gdp_share", "mining_quarrying_gdp_share_commonly_quoted", "mining_quarrying_value_added",
    "mining_quarrying_growth", "mineral_output_value_wmd", "mineral_output_rank_wmd", "mineral_exports_total",
    "share_world_mineral_exports", "mineral_wealth_claim_official", "mineral_wealth_independent_low",
    "mineral_wealth_independent_high"]

TRADE_INDICATORS = ["copper_exports_world", "copper_exports_to_china", "refined_copper_exports_to_china",
                    "copper_ore_exports_to_china", "chromium_ore_exports_to_china"]

REKO_DIQ_INDICATORS = [
    "reko_diq_share_barrick", "reko_diq_share_federal_soes", "reko_diq_share_balochistan", "reko_diq_phase1_capex",
    "reko_diq_project_cost_ogdcl", "reko_diq_ore_throughput_phase1", "reko_diq_ore_throughput_phase2",
    "reko_diq_copper_output_phase1", "reko_diq_copper_output_phase2", "reko_diq_mine_life",
    "reko_diq_first_production_target", "reko_diq_barrick_invested_cumulative", "saindak_design_ore_throughput",
    "saindak_copper_output", "saindak_blister_copper_output", "saindak_lease_end", "saindak_profit_share_pakistan",
    "saindak_royalty_balochistan"]


def economy_text(indicators: pd.DataFrame) -> str:
    """Mining's official share of GDP against the figure quoted in speeches."""
    official = pk.indicator_row(indicators, "mining_quarrying_gdp_share")
    quoted = pk.indicator_row(indicators, "mining_quarrying_gdp_share_commonly_quoted")
    va = pk.indicator_row(indicators, "mining_quarrying_value_added")
    return (f"Official national accounts put mining and quarrying at **{official['value']:g}% of GDP** in "
            f"FY{official['year']} (about {usd(va['value'])}); the figure often quoted in speeches is "
            f"{quoted['value']:g}%. Note that this sector includes oil, gas and coal, not only metal ores. The table "
            "collects the single figures used on this page, each with its source.")


def wealth_ratio_text(indicators: pd.DataFrame) -> str:
    """How many times the official mineral-wealth claim exceeds the top of the independent estimates."""
    from critmin.text import num

    claim = pk.indicator(indicators, "mineral_wealth_claim_official")
    high = pk.indicator(indicators, "mineral_wealth_independent_high")
    return (f"The official wealth claim is **{num(claim / high)} times** the top of the independent range; it is a "
            "claim, not a certified resource estimate.")


def partner_row(df: pd.DataFrame, iso3: str) -> pd.Series:
    """The row of one partner (by ISO3 code) in a partner table; KeyError names the partner if it is absent."""
    rows = df[df["iso3"] == iso3]
    if rows.empty:
        raise KeyError(f"no partner {iso3!r} in the table")
    return rows.iloc[0]


def trade_text(exports: pd.DataFrame, imports: pd.DataFrame) -> str:
    """The US and China as buyers of Pakistan's exports and China as supplier, from :func:`critmin.analysis.pakistan.exports_by_partner`."""
    from critmin.text import share_text

    us_x, cn_x, cn_m = partner_row(exports, "USA"), partner_row(exports, "CHN"), partner_row(imports, "CHN")
    return (f"In {exports['period'].iloc[0]} (provisional), the **United States bought {share_text(us_x['share'])}** of "
            f"Pakistan's goods exports and **China {share_text(cn_x['share'])}**, while China supplied "
            f"**{share_text(cn_m['share'])}** of its imports. The State Bank lists only the {len(exports)} largest "
            f"partners, which together take {share_text(exports['share'].sum())} of exports; shares here are of all "
            "exports (the monthly totals), not of the listed partners.")


def fdi_tables(fdi: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """:func:`critmin.analysis.pakistan.fdi_by_source` for every fiscal year with country rows, oldest first."""
    years = sorted(fdi.loc[fdi["row_kind"] == "country", "fiscal_year"].unique())
    return {y: pk.fdi_by_source(fdi, int(y)) for y in years}


def fdi_text(tables: dict[int, pd.DataFrame], fdi_sector: pd.DataFrame) -> str:
    """China's and the US's net FDI in the latest fiscal year (and the one before), and net FDI into mining.

    `tables` comes from :func:`fdi_tables`; dollar signs are escaped for Markdown.
    """
    from critmin.text import num, share_text

    fy = list(tables)
    latest = tables[fy[-1]]
    cn, us = partner_row(latest, "CHN"), partner_row(latest, "USA")
    text = (f"Net foreign direct investment tells the opposite story. In FY{fy[-1]} (provisional) China accounted for "
            f"**US\\${num(cn['value'])} million**, {share_text(cn['share'])} of net FDI, while net investment from the "
            f"United States was **{usd_millions(us['value'])}**")
    if len(fy) > 1:
        prev = tables[fy[-2]]
        us0, cn0 = partner_row(prev, "USA"), partner_row(prev, "CHN")
        text += (f" (FY{fy[-2]}: China US\\${num(cn0['value'])} million, United States "
                 f"US\\${num(us0['value'])} million)")
    text += (f". The State Bank's table names only the {int(latest['in_table'].sum())} largest sources of FY{fy[-1]} "
             "and folds the rest into “Others”, so a country missing from it is not zero.")
    sec = fdi_sector[(fdi_sector["sector"] == "Mining & Quarrying") & (fdi_sector["measure"] == "net")]
    sec = sec.sort_values("fiscal_year")
    if not sec.empty:
        text += (" Net FDI into **mining and quarrying** was negative in "
                 + " and ".join(f"FY{r.fiscal_year} ({usd_millions(r.value)})" for r in sec.itertuples())
                 + ": more money left the sector than came in.")
    return text


MINERAL_TRADE_NOTE = ("Mineral exports by destination are not in the State Bank tables; the figures below come from "
                      "news reports and are on different bases (Pakistani export values versus Chinese import values), "
                      "so they should not be added or compared directly.")


def scale_row(scale: pd.DataFrame, prefix: str) -> pd.Series:
    """The row of :func:`critmin.analysis.pakistan.copper_scale` whose label starts with `prefix`."""
    rows = scale[scale["label"].str.startswith(prefix)]
    if rows.empty:
        raise KeyError(f"no copper row starting {prefix!r}")
    return rows.iloc[0]


def copper_text(scale: pd.DataFrame, used: dict, year: int) -> str:
    """Reko Diq's planned output and Saindak's against world and Chinese copper, from :func:`critmin.analysis.pakistan.copper_scale`."""
    from critmin.text import num, share_text

    rd1, rd2 = scale_row(scale, "Reko Diq phase 1"), scale_row(scale, "Reko Diq after")
    cn_ref, sd = scale_row(scale, "China's refined"), scale_row(scale, "Saindak")
    fallback = (f" (USGS has no world copper figure for {year}, so {used['usgs_year']} is used)"
                if used["fell_back"] else "")
    return (f"Reko Diq's planned first phase, about **{num(rd1['kt'])} kt of copper a year**, would equal "
            f"**{share_text(rd1['share_of_world_mine'])}** of world copper mine production in {used['usgs_year']}{fallback}; "
            f"after the planned expansion, about {num(rd2['kt'])} kt, **{share_text(rd2['share_of_world_mine'])}**. China "
            f"alone refined {num(cn_ref['kt'])} kt that year, {num(cn_ref['kt'] / rd2['kt'])} times the expanded Reko "
            f"Diq. Saindak, Pakistan's producing copper mine run by China's MCC, makes about {num(sd['kt'])} kt a "
            f"year, {share_text(sd['share_of_world_mine'])} of world mine output.")


def reko_diq_text(events: pd.DataFrame, event_id: str = "reko-diq-slowdown") -> str:
    """The sentence introducing the Reko Diq table: Barrick's slowdown, dated and sourced from the events table."""
    from critmin.text import date_text as fmt_date

    slow = events.set_index("event_id").loc[event_id]
    return (f"Reko Diq's timetable is no longer firm: on {fmt_date(slow['date'])} Barrick slowed development and "
            f"extended its review ({source_link(slow['source_outlet'], slow['source_url'], slow['reliability'])}). "
            "The project and Saindak in numbers:")
