"""The mineral profile chapter: its parameter checks, sentences, tables and charts, from :mod:`critmin.analysis.profile`.

Each function returns a finished chart (:func:`critmin.charts.finish`: the title states the finding, the
source line comes from the data package), or ``None`` when the section has too little to draw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from critmin import data, params
from critmin.analysis import grip
from critmin.analysis import profile as A
from critmin.analysis import stages as chain
from critmin.analysis.profile import (
    _ALIASES,
    CHINA,
    STAGE_NOUN,
    Producers,
    ReservesView,
    available_years,
    mineral_ids,
    plain,
    production_rows,
)
from critmin.chapters import export_controls as ec
from critmin.data import package as datapackage
from critmin.render import charts, page
from critmin.render.page import Table
from critmin.text import and_list, bullets, num, number_text, quantity, share_text


def producers_chart(p: Producers, label: str, n: int = 10) -> alt.TopLevelMixin:
    """Bar chart of the ``n`` largest producers' shares in the page's year, China highlighted."""
    lab = label.lower()
    top = p.table[p.table["value"].notna()].head(n).copy()
    top["who"] = (top["iso3"].astype("object") == CHINA).map({True: "China", False: "Other countries"})
    lead = top.iloc[0]
    noun = STAGE_NOUN[p.stage]
    world = "world" if p.denominator == "world_total" else "listed countries'"
    if p.china_status == "reported":
        title = f"China: {share_text(p.china_share_book)} of {world} {lab} {noun}, {p.year}"
    else:
        title = f"{lead['country']} leads {lab} {noun} in {p.year} with {share_text(lead['share_book'])}"
    chart = alt.Chart(top).mark_bar().encode(
        x=alt.X("share_book:Q", title=f"Share of {world} {noun} (%)", axis=alt.Axis(format=".0%", tickCount=5)),
        y=alt.Y("country:N", sort="-x", title=None),
        color=alt.Color("who:N", scale=alt.Scale(domain=["China", "Other countries"],
                                                 range=[charts.CHINA, charts.PALETTE[1]]), legend=None),
        tooltip=[alt.Tooltip("country:N", title="Country"),
                 alt.Tooltip("value:Q", format=",", title=f"Output ({p.unit})"),
                 alt.Tooltip("share_book:Q", format=".1%", title="Share")],
    ).properties(width=520, height=22 * len(top))
    desc = (f"Bar chart of the {len(top)} largest producers' shares of {world} {lab} {noun} in {p.year}; "
            f"{lead['country']} is largest with {share_text(lead['share_book'])}.")
    return charts.finish(chart, title=title, description=desc, sources=["production"],
                         subtitle=f"Top {len(top)} of {int(p.table['value'].notna().sum())} countries; "
                                  f"China highlighted")


def share_over_time_chart(long: pd.DataFrame, label: str, with_bgs: bool) -> alt.TopLevelMixin | None:
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


def reserves_chart(rv: ReservesView, label: str) -> alt.TopLevelMixin | None:
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


def reliance_chart(rel: pd.DataFrame, label: str) -> alt.TopLevelMixin | None:
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


# ---------------------------------------------------------------------------------------------------------
# the chapter's sentences and tables


def check_parameters(mineral, year, *, minerals: pd.DataFrame, production: pd.DataFrame, reserves: pd.DataFrame) -> tuple[str, int]:
    """Validate the page's parameters; ParameterError lists the valid mineral ids or the mineral's years."""
    mineral = params.choice("mineral", mineral, mineral_ids(minerals=minerals))
    year = params.number("year", year, integer=True)
    years = available_years(mineral, production=production, reserves=reserves)
    if year not in years:
        allowed = ", ".join(str(y) for y in years) or "none"
        raise params.ParameterError(f"year={year!r} is not available for {mineral}; allowed: {allowed}")
    return mineral, year


def producers_sentence(p: Producers, label: str) -> str:
    """What the year's table holds: who leads, China's share, the totals and what is left out."""
    noun = STAGE_NOUN[p.stage]
    if p.status == "no_year":
        yrs = ", ".join(str(y) for y in p.years) or "none"
        return f"USGS gives no {noun} table for {label.lower()} in {p.year} (years with a table: {yrs})."
    if p.status == "no_values":
        return (f"USGS lists {p.n_listed} countries for {label.lower()} {noun} in {p.year} but withholds "
                f"every country figure, so no shares can be computed.")
    parts = []
    if p.china_status == "reported":
        ties = p.table[(p.table["value"] == p.china_value) & (p.table["iso3"].astype("object") != CHINA)]
        tied = f", tied with {and_list(ties['country'].astype(str).tolist())}" if not ties.empty else ""
        stated = page.state(share_text(p.china_share_book), metric="production_share", mineral=p.mineral, stage=p.stage,
                            country=CHINA, year=p.year)
        of = (f"world {label.lower()} {noun} (USGS's world total)" if p.denominator == "world_total"
              else f"{label.lower()} {noun} by the countries USGS lists ("
              + ("its rounded world total is below their sum)" if pd.notna(p.world_total) else "it gives no world total)"))
        parts.append(f"In {p.year} China accounted for **{stated}** of {of} (rank {int(p.china_rank)} of "
                     f"{int(p.table['value'].notna().sum())}{tied}).")
    elif p.china_status == "withheld":
        parts.append(f"USGS withholds China's {label.lower()} {noun} for {p.year}.")
    else:
        parts.append(f"China is not among the countries USGS lists for {label.lower()} {noun} in {p.year}.")
    parts.append(f"The three largest producers — {and_list(p.top3)} — had **{share_text(p.top3_share)}** between "
                 f"them, and the Herfindahl–Hirschman index (HHI) of the listed countries was "
                 f"**{num(p.hhi)}** on a 0–10,000 scale.")
    basis = (f"Ranks, the top three and the HHI are of the sum of the {p.n_listed - p.n_withheld} country figures, "
             f"{quantity(p.sum_of_countries, p.unit)}")
    if pd.notna(p.world_total):
        gt = "more than " if p.world_flag == "censored_gt" else ""
        basis += f"; USGS's rounded world total is {gt}{quantity(p.world_total, p.unit)}"
    if pd.notna(p.other) and p.other > 0:
        basis += f", of which {quantity(p.other, p.unit)} is under “Other countries” and not attributed"
    basis += "."
    parts.append(basis)
    if p.denominator == "world_total" and pd.notna(p.china_share) and abs(p.china_share_book - p.china_share) >= 0.0005:
        parts.append(f"Of the listed countries alone, leaving out the output USGS does not attribute, China's share "
                     f"would be {share_text(p.china_share)}.")
    if p.n_withheld:
        parts.append(f"Withheld or not available, and so left out of every share: {and_list(p.withheld)}.")
    if pd.notna(p.hhi_upper) and p.hhi_upper - p.hhi_lower >= 1:
        parts.append(f"Allowing for the unattributed output, the HHI lies between {num(p.hhi_lower)} "
                     f"(spread over many small producers) and {num(p.hhi_upper)} (one producer).")
    return " ".join(parts)


def seam_sentence(usgs: pd.DataFrame, bgs: pd.DataFrame, stage: str) -> str:
    """How the BGS and USGS series of one stage meet: overlapping years and China's share in each."""
    b = bgs[(bgs["stage"] == stage) & bgs["share"].notna()]
    u = usgs[usgs["share"].notna()]
    if b.empty:
        return ""
    first, last = int(b["year"].min()), int(b["year"].max())
    text = (f"The BGS series ({b['series'].iloc[0]}) gives China's share for {first}–{last}; shares are of all "
            f"countries BGS lists, historic states such as the USSR included.")
    both = sorted(set(b["year"]) & set(u["year"]))
    if both:
        y = both[-1]
        bs = b.loc[b["year"] == y, "share"].iloc[0]
        us = u.loc[u["year"] == y, "share"].iloc[0]
        text += (f" Where the two overlap, in {y}, BGS gives China {share_text(bs)} and USGS "
                 f"{share_text(us)}: the publishers differ in coverage and content basis, so read the join "
                 f"between the lines as a seam, not a change.")
    elif not u.empty:
        text += (f" USGS figures start in {int(u['year'].min())}; the two series do not overlap, so the step "
                 f"between them may be a difference between publishers rather than a change.")
    return text


def reserves_sentence(v: ReservesView, label: str) -> str:
    lab = label.lower()
    if v.status == "none":
        return (f"USGS publishes no reserves by country for {lab}, so reserves cannot be set against "
                f"production here.")
    unit_note = ""
    head = ""
    if v.status == "group_only":
        head = (f"USGS gives reserves only for the platinum-group metals together, not for {lab} alone; the "
                f"figures below are the group's, and no reserves-to-production ratio is computed. ")
    gt = "more than " if v.world_flag == "censored_gt" else ""
    text = head + (f"World reserves of {lab if not v.group else 'platinum-group metals'} were {gt}"
                   f"{quantity(v.world_total, v.unit)} at the end of {v.year} ({v.edition})." if pd.notna(v.world_total)
                   else f"USGS gives no world total for reserves in {v.year} ({v.edition}).")
    if v.china:
        if pd.notna(v.china["reserves"]):
            text += (f" China holds **{share_text(v.china['reserves_share'])}** of the reserves USGS attributes "
                     f"to countries")
            if pd.notna(v.china["production_share"]):
                text += (f", against {share_text(v.china['production_share'])} of {v.production_year} "
                         f"{STAGE_NOUN[v.production_stage]}")
            text += "."
            if pd.notna(v.china["rp_years"]):
                text += (f" At that rate its reserves would last about **{num(v.china['rp_years'])} years**.")
        else:
            text += " USGS lists China but gives no figure for its reserves."
    else:
        text += " USGS does not list China separately among reserve holders."
    if pd.notna(v.world_rp):
        text += (f" For the world, reserves are about {num(v.world_rp)} years of {v.production_year} "
                 f"output{' (a lower bound: the reserves total is censored)' if gt else ''}.")
    if pd.notna(v.other) and v.other > 0:
        text += (f" “Other countries” hold {quantity(v.other, v.unit)} that USGS does not attribute; the "
                 f"shares below are of the {quantity(v.sum_of_countries, v.unit)} it does.")
    if v.production_stage and v.production_stage != "mine" and v.status == "ok":
        unit_note = (f" Production here is {STAGE_NOUN[v.production_stage]}, not mine output, so the "
                     f"reserves-to-production years are indicative only.")
    return text + unit_note


def reliance_sentence(rel: pd.DataFrame, label: str) -> str:
    lab = label.lower()
    if rel.empty:
        return f"USGS reports no US net import reliance for {lab} in the editions used here."
    first, last = rel.iloc[0], rel.iloc[-1]

    def state(r) -> str:
        if r["flag"] == "net_exporter":
            return f"the United States was a net exporter of {lab} in {r['year']}"
        if r["label"] in ("not available", "withheld", "–"):
            return f"USGS gives no net import reliance for {lab} in {r['year']} ({r['label']})"
        return f"US net import reliance for {lab} was **{r['label']}** in {r['year']}"

    text = state(last)
    text = text[0].upper() + text[1:]
    numeric = pd.notna(last["nir_pct"]) and last["flag"] != "net_exporter"
    if last["year"] != first["year"]:
        same = first["label"].replace(" (est.)", "") == last["label"].replace(" (est.)", "")
        text += f", as in {first['year']}" if same else f", against {first['label']} in {first['year']}"
    text += " (net imports as a share of apparent consumption)." if numeric else "."
    exporter = rel[rel["flag"] == "net_exporter"]
    if len(exporter) and len(exporter) < len(rel):
        text += (f" USGS marks the United States as a net exporter in {len(exporter)} of the {len(rel)} years "
                 f"({and_list([str(y) for y in exporter['year']])}).")
    if (rel["flag"] == "censored_gt").any():
        text += " Values written “>N” are lower bounds: USGS gives only the bound."
    return text


def import_sources_sentence(newest: pd.DataFrame, china: pd.DataFrame, label: str) -> str:
    """Where China stands in the newest list of US import sources, and in earlier editions."""
    lab = label.lower()
    if newest.empty:
        return f"USGS lists no major US import sources for {lab} in the editions used here."
    ed, per = newest["edition"].iloc[0], newest["period"].iloc[0].replace("-", "–")
    cats = newest["category"].unique()
    parts = []
    for cat, g in newest.groupby("category", sort=True):
        where = f" for “{cat}”" if len(cats) > 1 else ""
        ch = g[g["iso3"].astype("object") == CHINA]
        n = int(g["iso3"].notna().sum())  # the closing "Other" line is not a source
        if ch.empty:
            parts.append(f"China is not among the {n} sources listed{where}")
        else:
            r = ch.iloc[0]
            share = f", with {share_text(r['share'])} of imports" if pd.notna(r["share"]) else ""
            parts.append(f"China ranks **{int(r['rank'])}** of {n}{where}{share}")
    text = f"In USGS's newest list ({ed}, imports in {per}), " + "; ".join(parts) + "."
    if newest["share"].isna().all():
        text += " That edition ranks the sources without giving their shares."
    older = china[china["edition"] != ed]
    if not older.empty:
        several = older.groupby("edition")["category"].transform("size") > 1
        items = [f"{r.edition}" + (f" ({r.category})" if many else "") + ": "
                 + (f"rank {int(r.rank)}" if pd.notna(r.rank) else "not listed")
                 for r, many in zip(older.itertuples(), several)]
        text += " Earlier editions: " + "; ".join(items) + "."
    return text


def pakistan_sentences(pk: dict, label: str, production_years: list[int],
                       has_production_table: bool = True) -> list[str]:
    """Plain statements of what is and is not recorded for Pakistan."""
    lab = label.lower()
    out = []
    prod = pk["production"]
    yrs = (f"{min(production_years)}–{max(production_years)}" if len(production_years) > 1
           else f"{production_years[0]}" if production_years else "the years covered")
    if not has_production_table:
        out.append(f"USGS gives no production table by country for {lab}, so Pakistan's output cannot be looked up.")
    elif prod.empty:
        out.append(f"Pakistan is not among the countries USGS lists for {lab} production in {yrs}; any output "
                   f"it has is inside “Other countries”.")
    else:
        last = prod[prod["value"].notna()].sort_values("year").iloc[-1]
        out.append(f"USGS lists Pakistan's {lab} {STAGE_NOUN[last['stage']]} at "
                   f"**{quantity(last['value'], last['unit'])}** in {int(last['year'])} "
                   f"({share_text(last['share'])} of the listed countries' output, rank {int(last['rank'])}).")
    res = pk["reserves"]
    if res.empty:
        out.append(f"USGS gives no reserves figure for Pakistan's {lab}.")
    elif res["value"].isna().all():
        out.append(f"USGS lists Pakistan among {lab} reserve holders but gives no figure "
                   f"({and_list(sorted(set(res['flag'].replace('', 'blank'))))}).")
    else:
        r0 = res.iloc[0]
        out.append(f"USGS puts Pakistan's {lab} reserves at **{quantity(r0['value'], r0['unit'])}** "
                   f"({int(r0['year'])}, {r0['edition']}), {share_text(r0['share'])} of reserves attributed to "
                   f"countries.")
    hist = pk["history"]
    if hist.empty:
        out.append("The BGS long series has no Pakistani output for this mineral (or does not cover it).")
    else:
        for h in hist.itertuples():
            out.append(f"BGS records Pakistani {h.series} from {h.first_year} to {h.last_year}; in "
                       f"{h.last_year} it was {quantity(h.last_value, 't')} ({share_text(h.last_share)} of "
                       f"world output).")
    if pk["indicators"].empty:
        out.append(f"Our table of Pakistan's mineral-economy figures has nothing specific to {lab}.")
    return out


def data_notes(mineral: str, label: str,
               resources=("production", "reserves", "production_history", "import_reliance",
                          "import_sources")) -> list[str]:
    """The publishers' and curators' caveats (from the data package metadata) that name this mineral."""
    words = {label.lower(), mineral.replace("_", " ")} | set(_ALIASES.get(mineral, []))
    words = {w.split(" (")[0] for w in words}
    pats = [re.compile(rf"(?<![a-z]){re.escape(w)}(?![a-z])", re.I) for w in words]
    notes = []
    for name in resources:
        for c in datapackage.resource(name).get("caveats", []):
            text = " ".join(str(c).split())
            if any(p.search(text) for p in pats) and text not in notes:
                notes.append(text)
    return notes


def intro_sentence(info: dict) -> str:
    """The opening line: what the USGS figures measure, and whether the mineral is one of the MoU's five."""
    deal = (" It is one of the five minerals named in the September 2025 memorandum between US Strategic Metals "
            "and Pakistan's Frontier Works Organisation." if info["deal_mineral"] else "")
    return (f"**{info['label']}.** What is measured: {info['description']} "
            f"(USGS chapter “{info['usgs_commodity']}”).{deal}")


def no_production_sentence(label: str) -> str:
    """Said in place of the producer sections when USGS has no table by country for the mineral."""
    return (f"USGS gives no production table by country for {label.lower()}; the sections below show what else "
            f"the data package holds.")


def producers_table(p: Producers, label: str) -> Table:
    """Every listed country's output and share, then USGS's unattributed line and rounded world total."""
    t = p.table.copy()
    t["value"] = t["value"].astype("float64")
    t["flag"] = t["flag"].replace({"": "–"})
    world = p.denominator == "world_total"
    t = t[["rank", "country", "value", *(["share_book"] if world else []), "share", "flag"]]
    extra = []
    if pd.notna(p.other):
        extra.append(["–", "Other countries (not attributed)", p.other, (p.other / p.world_total) if world else None]
                     + ([None] if world else []) + ["–"])
    if pd.notna(p.world_total):
        extra.append(["–", "World total (USGS, rounded)", p.world_total, 1.0 if world else None]
                     + ([None] if world else []) + [p.world_flag or "–"])
    t = plain(t)
    for row in extra:
        t.loc[len(t)] = row
    shares = ["Share of world total", "Share of listed countries"] if world else ["Share of listed countries"]
    t.columns = ["Rank", "Country", f"Output ({p.unit})", *shares, "USGS flag"]
    return Table(plain(t), caption=f"{label}: {STAGE_NOUN[p.stage]} by country, {p.year} "
                                   f"(USGS {p.edition}; series: {p.series})",
                 formats={f"Output ({p.unit})": number_text, **dict.fromkeys(shares, share_text),
                          "Rank": "{}"})


def share_lines(usgs: dict[str, pd.DataFrame], bgs: pd.DataFrame) -> pd.DataFrame:
    """China's share by series and year for the line chart: one USGS series per stage, one BGS series per
    BGS stage the USGS tables also have (every BGS stage when USGS has none). Columns: series, year, share."""
    stages = list(usgs)
    lines = []
    for s, u in usgs.items():
        lines.append(u[u["share"].notna()].assign(series=f"USGS, {STAGE_NOUN[s]}"))
    for s, b in bgs.groupby("stage", sort=False):
        if s in stages or not stages:
            lines.append(b[b["share"].notna()].assign(series=f"BGS, {b['series'].iloc[0]}"))
    lines = [x for x in lines if not x.empty]
    return pd.concat(lines, ignore_index=True)[["series", "year", "share"]] if lines else pd.DataFrame()


def usgs_trend_sentence(u: pd.DataFrame, stage: str, label: str) -> str:
    """China's share in the first and last USGS year with a share, and the years without one (and why)."""
    lab, noun = label.lower(), STAGE_NOUN[stage]
    rep = u[u["status"] == "reported"]
    gaps = u[u["status"] != "reported"]
    if rep.empty:
        return (f"USGS gives no usable China figure for {lab} {noun} in any year "
                f"({', '.join(f'{r.year}: {r.status.replace(chr(95), chr(32))}' for r in u.itertuples())}).")
    a, z = rep.iloc[0], rep.iloc[-1]
    if len(rep) == 1:
        text = (f"USGS gives China's {lab} {noun} for one year only: in {z['year']} it was "
                f"**{share_text(z['share'])}** of the listed countries' output")
    else:
        text = (f"In the USGS tables China's share of listed {lab} {noun} was "
                f"**{share_text(z['share'])}** in {z['year']}, against "
                f"{share_text(a['share'])} in {a['year']}")
    wt = z["share_of_world_total"]
    if pd.notna(wt) and wt <= z["share"] - 0.005:
        text += f" ({share_text(wt)} of USGS's world total for {z['year']}, which includes unattributed output)"
    text += "."
    if not gaps.empty:
        text += (" No share for " + ", ".join(f"{r.year} ({r.status.replace('_', ' ')})" for r in gaps.itertuples())
                 + ".")
    return text


def bgs_trend_sentence(u: pd.DataFrame, bgs: pd.DataFrame, stage: str) -> str:
    """China's first, last and peak BGS share for the stage, then how the BGS and USGS series meet
    (:func:`seam_sentence`); '' when BGS does not cover the stage."""
    sentence = seam_sentence(u, bgs, stage)
    if not sentence:
        return ""
    b = bgs[(bgs["stage"] == stage) & bgs["share"].notna()]
    peak = b.loc[b["share"].idxmax()]
    return (f"In the BGS series China's share went from {share_text(b.iloc[0]['share'])} in "
            f"{b.iloc[0]['year']} to {share_text(b.iloc[-1]['share'])} in {b.iloc[-1]['year']}"
            + (", its highest" if peak["year"] == b.iloc[-1]["year"]
               else f", peaking at {share_text(peak['share'])} in {peak['year']}") + ". " + sentence)


def over_time_paragraphs(mineral: str, label: str, usgs: dict[str, pd.DataFrame], bgs: pd.DataFrame) -> list[str]:
    """The prose of the share-over-time section: per stage the USGS trend and the BGS trend, then the
    publishers' notes on series definitions, and a line when BGS does not cover the mineral."""
    out = []
    for s, u in usgs.items():
        out.append(usgs_trend_sentence(u, s, label))
        sentence = bgs_trend_sentence(u, bgs, s)
        if sentence:
            out.append(sentence)
    for note in data_notes(mineral, label, resources=("production",)):
        if "definition" in note.lower():
            out.append(f"Note on the series: {note}")
    if bgs.empty and usgs:
        out.append(f"The BGS long series in the data package does not cover {label.lower()}, so only the USGS "
                   f"years are shown.")
    return out


def share_over_time_table(u: pd.DataFrame, p: Producers, label: str, *, production: pd.DataFrame) -> Table:
    """China in one stage's USGS tables, year by year: output, both shares, rank, status, edition, label.

    The unit is that of the page's year (``p``); where that year has no table, the stage's first row's.
    """
    s = p.stage
    unit = p.unit or production_rows(p.mineral, production=production).query("stage == @s")["unit"].iloc[0]
    t = u[["year", "value", "share", "share_of_world_total", "rank", "status", "edition", "series"]].copy()
    t["value"] = t["value"].astype("float64")
    t["status"] = t["status"].str.replace("_", " ")
    t.columns = ["Year", f"China ({unit})", "Share of listed countries", "Share of world total", "China's rank",
                 "Status", "Edition", "USGS series label"]
    return Table(plain(t), caption=f"China in the USGS {label.lower()} {STAGE_NOUN[s]} tables by year",
                 formats={f"China ({unit})": number_text, "Share of listed countries": share_text,
                          "Share of world total": share_text, "China's rank": "{}", "Year": "{}"})


def reserves_table(rv: ReservesView, label: str) -> Table | None:
    """The largest reserve holders (and China and Pakistan) with production and R/P years where computed;
    None when USGS gives no reserves by country."""
    if rv.status == "none" or rv.table.empty:
        return None
    shown = rv.table.copy()
    shown["reserves"] = [("–" if pd.isna(v) else (">" if f == "censored_gt" else "") + number_text(v))
                         for v, f in zip(shown["reserves"], shown["reserves_flag"])]
    cols = {"country": "Country", "reserves": f"Reserves ({rv.unit})", "reserves_share": "Share of listed reserves",
            "production": f"Production {rv.production_year} ({rv.unit})",
            "production_share": "Share of listed production", "rp_years": "Reserves ÷ production (years)"}
    shown = shown[[c for c in cols if rv.status == "ok" or c in ("country", "reserves", "reserves_share")]]
    shown = shown.rename(columns=cols)
    what = label.lower() if not rv.group else "platinum-group metal"
    return Table(plain(shown), caption=f"Largest {what} reserve holders ({rv.edition}), with China and Pakistan "
                                       f"where listed",
                 formats={"Share of listed reserves": share_text, "Share of listed production": share_text,
                          f"Production {rv.production_year} ({rv.unit})": number_text,
                          "Reserves ÷ production (years)": "{:,.0f}"})


def import_sources_table(newest: pd.DataFrame, label: str) -> Table | None:
    """The newest edition's ranked US import sources (from :func:`import_sources`); None when there are none."""
    if newest.empty:
        return None
    t = newest[["category", "rank", "country", "share"]].copy()
    t.columns = ["Category", "Rank", "Country", "Share of US imports"]
    return Table(plain(t), caption=f"Major US import sources of {label.lower()}, {newest['edition'].iloc[0]} "
                                   f"(imports {newest['period'].iloc[0].replace('-', '–')})",
                 formats={"Share of US imports": share_text, "Rank": "{}"})


def pakistan_tables(pk: dict, label: str) -> list[Table]:
    """Pakistan's rows in the USGS production tables and the other figures on Pakistan (from :func:`pakistan`)."""
    lab = label.lower()
    out = []
    if not pk["production"].empty:
        t = pk["production"].copy()
        t["stage"] = t["stage"].map(STAGE_NOUN)
        t["value"] = t["value"].astype("float64")
        t["flag"] = t["flag"].replace({"": "–"})
        t.columns = ["Stage", "Year", "Output", "Unit", "USGS flag", "Share of listed countries", "Rank", "Edition"]
        out.append(Table(plain(t), caption=f"Pakistan in the USGS {lab} production tables",
                         formats={"Output": number_text, "Share of listed countries": share_text, "Rank": "{}",
                                  "Year": "{}"}))
    if not pk["indicators"].empty:
        t = pk["indicators"].copy()
        t.columns = ["Figure", "Year", "Value", "Unit", "Note", "Publisher", "Reliability"]
        out.append(Table(plain(t), caption=f"Other figures on Pakistan and {lab} (reliability: P primary, N news, "
                                           f"M mirror or aggregator, O opinion)",
                         formats={"Value": number_text, "Year": "{}"}))
    return out


def notes_text(notes: list[str], label: str) -> str:
    """The caveats of :func:`data_notes` as a list, or a line saying there are none for the mineral."""
    if notes:
        return "Caveats from the data package that concern this mineral:\n\n" + bullets(notes)
    return (f"The data package records no caveat specific to {label.lower()}; the general caveats of each dataset "
            f"are in its metadata.")


def revisions_sentence(rev: pd.DataFrame, label: str) -> str:
    """How much of the series is a change of estimate: the count of revised figures and the largest one."""
    lab = label.lower()
    if rev.empty:
        return (f"No USGS country figure for {lab} production changed by 10% or more between the editions the "
                f"book holds (MCS2022–MCS2026).")
    top = rev.iloc[0]
    return (f"USGS revised **{len(rev)}** figure{'s' if len(rev) != 1 else ''} of {lab} production (countries "
            f"and world totals) by 10% or more between editions. The largest: {top['country']} {int(top['year'])} "
            f"({STAGE_NOUN.get(top['stage'], top['stage'])}), {quantity(top['first_value'], top['unit'])} in "
            f"{top['first_edition']} against {quantity(top['value'], top['unit'])} in {top['edition']}. A share that "
            f"changes between years can be a change of estimate rather than of the world; the book uses the newest "
            f"edition's figure for every year.")


def revisions_table(rev: pd.DataFrame, label: str, n: int = 12) -> Table | None:
    if rev.empty:
        return None
    t = rev.head(n).copy()
    t["stage"] = t["stage"].map(lambda s: STAGE_NOUN.get(s, s))
    t = plain(t[["stage", "country", "year", "first_edition", "first_value", "edition", "value", "unit", "change"]])
    t.columns = ["Stage", "Country", "Year", "First edition", "First figure", "Newest edition", "Newest figure",
                 "Unit", "Change"]
    return Table(t, caption=f"{label}: the largest revisions between USGS editions (figures in the unit shown)",
                 formats={"First figure": number_text, "Newest figure": number_text, "Year": "{}",
                          "Change": lambda v: f"{v * 100:+.0f}%".replace("-", "−")})


# ---------------------------------------------------------------------------------------------------------
# stages after the mine, and China's export controls with prices around them


def stage_rows(stage_shares: pd.DataFrame, vocab: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Every stage of the mineral's chain in order, with China's share where a primary publisher gives one."""
    v = vocab[vocab["mineral"] == mineral].sort_values("stage_order")
    rows = []
    for s in v.itertuples():
        hit = stage_shares[stage_shares["stage"] == s.stage]
        if hit.empty:
            rows.append({"stage": s.stage, "what": s.label, "share": None, "year": None, "source": None})
        for h in hit.itertuples():
            rows.append({"stage": s.stage, "what": h.product, "share": h.share_pct / 100, "year": int(h.year),
                         "source": f"{h.publisher}, {h.edition}"})
    return pd.DataFrame(rows, columns=["stage", "what", "share", "year", "source"])


def stages_sentence(rows: pd.DataFrame, label: str) -> str:
    lab = label.lower()
    if rows.empty:
        return f"The book's table of processing stages has no chain for {lab}."
    have = rows[rows["share"].notna()]
    missing = rows.loc[rows["share"].isna(), "what"].tolist()
    if have.empty:
        return (f"No primary publisher in the book's data gives China's share at any stage of the {lab} chain "
                f"({and_list(missing)}).")
    top = have.sort_values("share", ascending=False).iloc[0]
    out = (f"China's share is highest at the {top['stage']} stage ({top['what']}): **{share_text(top['share'])}** "
           f"in {int(top['year'])} ({top['source']}).")
    if missing:
        out += f" No primary figure is published for: {and_list(missing)}."
    return out


def stages_table(rows: pd.DataFrame, label: str) -> Table | None:
    if rows.empty:
        return None
    t = plain(rows.rename(columns={"stage": "Stage", "what": "Product", "share": "China's share of world output",
                                   "year": "Year", "source": "Source"}))
    return Table(t, caption=f"{label}: China's share at each stage of the chain, where a primary publisher gives it",
                 formats={"China's share of world output": share_text, "Year": "{}"})


# ---------------------------------------------------------------------------------------------------------
# everything the notebook needs, in one call


@dataclass(frozen=True)
class Tables:
    """The data package tables the chapter reads, loaded (and validated) once."""

    production: pd.DataFrame
    history: pd.DataFrame
    reserves: pd.DataFrame
    import_reliance: pd.DataFrame
    import_sources: pd.DataFrame
    events: pd.DataFrame
    refining: pd.DataFrame
    processing_shares: pd.DataFrame
    indicators: pd.DataFrame
    minerals: pd.DataFrame
    revisions: pd.DataFrame
    processing: pd.DataFrame
    processing_stages: pd.DataFrame
    export_controls: pd.DataFrame
    prices: pd.DataFrame


def tables() -> Tables:
    return Tables(
        production=data.load("production"), history=data.load("production_history"), reserves=data.load("reserves"),
        import_reliance=data.load("import_reliance"), import_sources=data.load("import_sources"),
        events=data.load("events"), refining=data.load("refining"), processing_shares=data.load("processing_shares"),
        indicators=data.load("pakistan_indicators"), minerals=data.load("minerals"), revisions=data.load("revisions"),
        processing=data.load("processing"), processing_stages=data.load("processing_stages"),
        export_controls=data.load("export_controls"), prices=data.load("prices"))


@dataclass(frozen=True)
class Profile:
    """The checked parameters and every section's results for one mineral."""

    mineral: str
    year: int
    info: dict
    label: str
    stages: list[str]
    producers: dict[str, Producers]
    usgs: dict[str, pd.DataFrame]
    bgs: pd.DataFrame
    reserves: ReservesView
    reliance: pd.DataFrame
    import_sources: pd.DataFrame
    china_ranks: pd.DataFrame
    pakistan: dict
    years: list[int]
    revisions: pd.DataFrame
    stage_rows: pd.DataFrame
    as_of: pd.Timestamp
    measures: pd.DataFrame  # the export-control measures naming the mineral, with their state on `as_of`
    price_windows: pd.DataFrame
    labels: dict
    tables: Tables = field(repr=False)


def load(mineral, year, t: Tables | None = None) -> Profile:
    """Check the page's parameters (one-line ParameterError) and compute every section of the profile."""
    t = t or tables()
    mineral, year = check_parameters(mineral, year, minerals=t.minerals, production=t.production,
                                     reserves=t.reserves)
    info = A.mineral_info(mineral, minerals=t.minerals)
    stages = A.stages_of(mineral, production=t.production)
    newest, china_ranks = A.import_sources(mineral, import_sources=t.import_sources)
    # the export-control table's own status date: what is in force is stated as of the day it was checked
    as_of = pd.to_datetime(t.export_controls["status_date"]).max()
    producers = {s: A.producers(mineral, year, s, production=t.production) for s in stages}
    return Profile(
        mineral=mineral, year=year, info=info, label=info["label"], stages=stages,
        producers=producers,
        usgs={s: A.usgs_share_over_time(mineral, s, production=t.production) for s in stages},
        bgs=A.bgs_share_over_time(mineral, history=t.history),
        reserves=A.reserves_vs_production(mineral, production=t.production, reserves=t.reserves,
                                          computed=producers.values()),
        reliance=A.reliance(mineral, import_reliance=t.import_reliance),
        import_sources=newest, china_ranks=china_ranks,
        pakistan=A.pakistan(mineral, production=t.production, reserves=t.reserves, history=t.history,
                            indicators=t.indicators),
        years=available_years(mineral, production=t.production, reserves=t.reserves),
        revisions=A.revisions(mineral, revisions=t.revisions),
        stage_rows=stage_rows(chain.china_share_by_stage(t.processing, mineral), t.processing_stages, mineral),
        as_of=as_of, measures=ec.for_minerals(grip.measure_status(t.export_controls, as_of), [mineral]),
        price_windows=grip.price_windows(t.prices, t.export_controls, [mineral]),
        labels=ec.labels_of(t.minerals),
        tables=t,
    )
