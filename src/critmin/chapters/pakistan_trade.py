"""Sentences, tables and charts of the chapter on who buys Pakistan's ores and metals (CEPII BACI), and of its
section setting US imports by partner in BACI beside USGS's import sources.

The numbers come from :mod:`critmin.analysis.trade`; this module turns them into prose and pictures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from critmin import params
from critmin.analysis import trade
from critmin.data import countries
from critmin.render import charts
from critmin.text import and_list, md_escape, round_sig, share_text, span, usd

__all__ = ["Selection", "parameters", "answer_text", "history_text", "share_table", "SHARE_FORMATS",
           "share_chart", "comparison_text", "comparison_table", "COMPARISON_FORMATS", "comparison_chart"]

# Short product names for prose and chart panels (the HS labels are long).
SHORT = {"260300": "copper ore", "261710": "antimony ore", "261000": "chromite", "710812": "unwrought gold",
         "260800": "zinc ore", "260700": "lead ore", "260111": "iron ore", "260112": "iron ore (agglomerated)",
         "251110": "barite", "261510": "zirconium ore", "260600": "bauxite"}
PARTNER_COLOURS = {"China": charts.CHINA, "United States": charts.PALETTE[1], trade.OTHERS: "#BBBBBB"}
_EXTRA_COLOURS = [charts.PALETTE[2], charts.PALETTE[3], charts.PALETTE[5], charts.PALETTE[4]]
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")


def short_name(hs_code: str, product: str) -> str:
    """A product's name in prose: a short name for the main codes, else the HS label in lower case."""
    return SHORT.get(str(hs_code), product[0].lower() + product[1:])


class Selection:
    """The checked parameters of the page: codes in page order, focus partners (ISO3 → label) and years."""

    def __init__(self, codes: list[str], info: pd.DataFrame, focus: dict[str, str], years: list[int]):
        self.codes, self.info, self.focus, self.years = codes, info, focus, years

    @property
    def labels(self) -> list[str]:
        return list(self.focus.values()) + [trade.OTHERS]


def _years(value, have: Sequence[int]) -> list[int]:
    m = _YEARS.match(str(value))
    lo_have, hi_have = min(have), max(have)
    if not m:
        raise params.ParameterError(f"years={value!r} is not a year or a range; allowed: a year or a range "
                                    f"such as '{lo_have}-{hi_have}' within {lo_have}–{hi_have}")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo > hi or lo < lo_have or hi > hi_have:
        raise params.ParameterError(f"years={value!r} is out of range; allowed: {lo_have} to {hi_have}, "
                                    "first year not after the last")
    # years of the range without any flow in the table are left out (BACI has every year 1995–2024)
    out = [y for y in range(lo, hi + 1) if y in set(have)]
    if not out:
        raise params.ParameterError(f"years={value!r} has no exports in the table; allowed: years among "
                                    f"{', '.join(map(str, sorted(have)))}")
    return out


def _partners(value, iso_allowed: Sequence[str]) -> dict[str, str]:
    items = value if isinstance(value, (list, tuple)) else [p.strip() for p in str(value).split(",") if p.strip()]
    if not items:
        raise params.ParameterError(f"partners={value!r} names no partner; allowed: country names or ISO3 codes "
                                    "of BACI, comma-separated, e.g. 'China,United States'")
    focus: dict[str, str] = {}
    for item in items:
        iso = str(item).strip().upper()
        if iso not in iso_allowed:
            try:
                iso = countries.to_iso3(str(item)) or str(item)
            except ValueError:
                iso = str(item)
        iso = params.choice("partners", iso, iso_allowed)
        focus[iso] = trade.FOCUS.get(iso) or countries.to_name(iso)
    return focus


def parameters(products, partners, years, exports: pd.DataFrame, products_table: pd.DataFrame,
               countries_table: pd.DataFrame) -> Selection:
    """Check the page's parameters against the data; raise :class:`critmin.params.ParameterError` naming the
    parameter and what is allowed.

    ``products``: "all", group names of :data:`critmin.analysis.trade.PRODUCT_GROUPS` ("deal", "chromite"), mineral
    ids or HS codes, comma-separated; ``partners``: names or ISO3 codes; ``years``: "1995-2024" or one year.
    """
    years = _years(years, sorted(set(exports["year"].dropna().astype(int))))
    iso_allowed = sorted(countries_table.loc[countries_table["row_kind"] == "country", "iso3"].dropna())
    focus = _partners(partners, iso_allowed)
    info = trade.ores_and_metals(exports, products_table, years=years)
    codes_all = info["hs_code"].tolist()
    minerals = sorted(set(info["mineral"]))
    tokens = ["all", *trade.PRODUCT_GROUPS, *minerals, *codes_all]
    items = products if isinstance(products, (list, tuple)) else str(products).split(",")
    items = [str(t).strip() for t in items if str(t).strip()]
    if not items:
        raise params.ParameterError(f"products={products!r} names no product; allowed: all, "
                                    f"{', '.join(trade.PRODUCT_GROUPS)}, mineral ids or HS codes, comma-separated")
    wanted = [params.choice("products", t, tokens) for t in items]
    chosen: set[str] = set()
    for t in wanted:
        if t == "all":
            chosen |= set(codes_all)
        elif t in trade.PRODUCT_GROUPS:
            missing = [c for c in trade.PRODUCT_GROUPS[t] if c not in codes_all]
            if len(missing) == len(trade.PRODUCT_GROUPS[t]):
                raise params.ParameterError(f"products={products!r}: Pakistan exported none of group {t!r} "
                                            f"({', '.join(trade.PRODUCT_GROUPS[t])}) in {span(years[0], years[-1])}")
            chosen |= set(trade.PRODUCT_GROUPS[t]) - set(missing)
        elif t in minerals:
            chosen |= set(info.loc[info["mineral"] == t, "hs_code"])
        else:
            chosen.add(t)
    codes = [c for c in codes_all if c in chosen]
    return Selection(codes, info[info["hs_code"].isin(codes)].reset_index(drop=True), focus, years)


_GROUPED = {c for codes in trade.PRODUCT_GROUPS.values() for c in codes}
_THE = ("United States", "United Kingdom", "United Arab Emirates", "Netherlands", "Philippines")


def _the(label: str, markdown: bool = True) -> str:
    """A country's name as the subject of a sentence: 'the United States', 'China'."""
    text = f"the {label}" if label in _THE else label
    return md_escape(text) if markdown else text


def _name(info: pd.DataFrame, code: str) -> str:
    row = info.set_index("hs_code").loc[code]
    return short_name(code, row["product"])


def answer_text(sel: Selection, latest: pd.DataFrame, pooled_last: pd.DataFrame) -> str:
    """The chapter's answer: each focus partner's share of the first products in the last year, and of all the
    selected ores and metals together.

    ``latest`` is :func:`critmin.analysis.trade.latest_year_shares` output for the last year of the range;
    ``pooled_last`` is :func:`critmin.analysis.trade.partner_shares` of the selected codes pooled
    (``group=()``) for that year.
    """
    last = sel.years[-1]
    sold = [c for c in sel.codes if c in set(latest.loc[latest["year"] == last, "hs_code"])]
    # the deal's ores and chromite when the selection has them, else the first three products sold
    lead_codes = [c for c in sold if c in _GROUPED] or sold[:3]
    w = latest.set_index("hs_code")
    parts = []
    for label in sel.focus.values():
        values = [w.loc[c, f"{label}|value"] for c in lead_codes]
        if lead_codes and all(v == 0 for v in values):
            parts.append(f"{_the(label)} bought none of {'it' if len(lead_codes) == 1 else 'them'}")
            continue
        bits = []
        for i, (c, v) in enumerate(zip(lead_codes, values)):
            q = w.loc[c, f"{label}|quantity"]
            tonnage = f" ({share_text(q)} by tonnage)" if pd.notna(q) and abs(q - v) >= 0.0005 else ""
            bits.append(f"{share_text(v)} of {'Pakistan' if i == 0 else 'its'}'s {_name(sel.info, c)} exports"
                        .replace("its's", "its") + tonnage)
        parts.append(f"{_the(label)} bought {and_list(bits)}")
    lines = []
    if parts:
        lines.append(f"**In {last}, by value, " + "; ".join(parts) + ".**")
    else:
        lines.append(f"Pakistan exported none of the selected products in {last}.")
    now = latest[latest["year"] == last]
    for label in sel.labels[1:-1]:
        bought = now[f"{label}|value"] * now["value_kusd"] * 1e3
        if len(now) and bought.max() > 0:
            best = now.loc[bought.idxmax()]
            who = _the(label)
            who = who[0].upper() + who[1:] + ("'" if who.endswith("s") else "'s")
            lines.append(f"{who} largest purchase in {last} was {_name(sel.info, best['hs_code'])}: "
                         f"{usd(round_sig(bought.max(), 2))}, {share_text(best[f'{label}|value'])} of Pakistan's exports "
                         "of it.")
    if len(pooled_last):
        tot = float(pooled_last["total"].iloc[0]) * 1e3
        shares = pooled_last.set_index("partner")["share"]
        who = ", ".join(f"{md_escape(lbl)} {share_text(shares[lbl])}" for lbl in sel.labels[:-1])
        n = int((latest["year"] == last).sum())
        lines.append(f"All {n} selected ores and metals Pakistan exported in {last} were worth {usd(round_sig(tot, 3))} "
                     f"(BACI, free on board); the shares of that total: {who}, others "
                     f"{share_text(shares[trade.OTHERS])}.")
    return "\n\n".join(lines)


def history_text(sel: Selection, pooled_first: pd.DataFrame, pooled_last: pd.DataFrame, first_years: list[int],
                 last_years: list[int]) -> str:
    """How the first focus partner's share of the first products changed between the first and last five years.

    Both frames are :func:`critmin.analysis.trade.pooled_shares` output by value.
    """
    label = sel.labels[0]
    a = pooled_first[(pooled_first["partner"] == label) & (pooled_first["measure"] == "value")].set_index("hs_code")
    b = pooled_last[(pooled_last["partner"] == label) & (pooled_last["measure"] == "value")].set_index("hs_code")
    bits = []
    for c in sel.codes[:3]:
        if c in a.index and c in b.index:
            bits.append(f"{_name(sel.info, c)} from {share_text(a.loc[c, 'share'])} to "
                        f"{share_text(b.loc[c, 'share'])}")
        elif c in b.index:
            first = int(sel.info.set_index("hs_code").loc[c, "first_year"])
            bits.append(f"{_name(sel.info, c)} (first exported in {first}) {share_text(b.loc[c, 'share'])}")
    if not bits:
        return ""
    return (f"Over time, {md_escape(label)}'s share by value, pooled over {span(first_years[0], first_years[-1])} "
            f"and then over {span(last_years[0], last_years[-1])}, moved for {and_list(bits)}.")


SHARE_FORMATS = {"Value (US$ thousand)": "{:,.0f}", "Tonnes": "{:,.0f}", "Tonnage covers": share_text}


def share_table(sel: Selection, latest: pd.DataFrame) -> pd.DataFrame:
    """One row per selected product in page order: its latest year and each partner's share by value and tonnage."""
    w = latest.set_index("hs_code")
    rows = []
    for c in sel.codes:
        if c not in w.index:
            continue
        r = w.loc[c]
        info = sel.info.set_index("hs_code").loc[c]
        row = {"HS": c, "Product": info["product"], "Years exported": span(info["first_year"], info["last_year"]),
               "Latest year": int(r["year"]), "Value (US$ thousand)": r["value_kusd"], "Tonnes": r["quantity_t"]}
        for label in sel.labels:
            row[f"{label}, value"] = share_text(r[f"{label}|value"])
            row[f"{label}, tonnage"] = share_text(r[f"{label}|quantity"])
        row["Tonnage covers"] = r["covered"]
        rows.append(row)
    return pd.DataFrame(rows)


def _colours(labels: Sequence[str]) -> list[str]:
    extra = iter(_EXTRA_COLOURS)
    return [PARTNER_COLOURS.get(lbl) or next(extra, charts.PALETTE[7]) for lbl in labels]


def share_chart(sel: Selection, both: pd.DataFrame, *, measure: str = "value", panels: int = 6
                ) -> alt.TopLevelMixin | None:
    """Small multiples, one per product (the first ``panels`` in page order), of each partner's share by year as
    stacked bars (``both`` from :func:`critmin.analysis.trade.shares_by_measure`); None when nothing to draw."""
    last = both[(both["measure"] == "value") & (both["year"] == sel.years[-1])].groupby("hs_code")["total"].first()
    lead_codes = [c for c in sel.codes if c in set(both["hs_code"]) and c in _GROUPED]
    rest = [c for c in sel.codes if c in set(both["hs_code"]) and c not in lead_codes]
    # the deal's ores and chromite first, then the products largest in the last year of the range
    rest.sort(key=lambda c: -float(last.get(c, 0.0)))
    codes = (lead_codes + rest)[:panels]
    df = both[(both["measure"] == measure) & both["hs_code"].isin(codes) & both["share"].notna()].copy()
    if df.empty:
        return None
    names = {c: _name(sel.info, c) for c in codes}
    df["product"] = df["hs_code"].map(names)
    df = df[["product", "year", "partner", "share", "amount", "covered"]]
    lead = sel.labels[0]
    latest = df[df["year"] == df.groupby("product")["year"].transform("max")]
    lead_last = latest[latest["partner"] == lead]
    majority = [names[c] for c in codes if names[c] in set(lead_last.loc[lead_last["share"] > 0.5, "product"])]
    unit = "thousand US$" if measure == "value" else "t"
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(values=list(range(sel.years[0], sel.years[-1] + 1, 5)),
                                                     labelAngle=0)),
        y=alt.Y("share:Q", title=None,
                axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1]), stack="zero"),
        color=alt.Color("partner:N", title="Buyer", sort=sel.labels,
                        scale=alt.Scale(domain=sel.labels, range=_colours(sel.labels))),
        order=alt.Order("partner_order:Q"),
        tooltip=[alt.Tooltip("product:N", title="Product"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("partner:N", title="Buyer"), alt.Tooltip("share:Q", format=".1%", title="Share"),
                 alt.Tooltip("amount:Q", format=",.1f", title=unit)]
        + ([alt.Tooltip("covered:Q", format=".0%", title="Value with a tonnage")] if measure == "quantity" else []),
    ).transform_calculate(
        partner_order=" + ".join(f"(datum.partner == {lbl!r} ? {i} : 0)" for i, lbl in enumerate(sel.labels))
    ).properties(width=240, height=120).facet(
        facet=alt.Facet("product:N", title=None, sort=[names[c] for c in codes]), columns=2)
    by = "value" if measure == "value" else "tonnage"
    title = (f"By {by}, {_the(lead, False)} bought most of Pakistan's {and_list(majority)} in the latest year"
             if majority else f"By {by}, {_the(lead, False)} bought less than half of each product shown in its latest year")
    return charts.finish(
        chart, title=title,
        subtitle=(f"Share of each buyer in Pakistan's exports by {'value' if measure == 'value' else 'tonnage'}, "
                  f"{span(sel.years[0], sel.years[-1])}; a gap is a year without exports"),
        description=(f"Stacked bar charts, one per product ({and_list(names[c] for c in codes)}), of the shares of "
                     f"{and_list(sel.labels)} in Pakistan's exports by {measure} for each year from "
                     f"{sel.years[0]} to {sel.years[-1]}. In the latest year {lead}'s share was "
                     + and_list([f"{share_text(s)} of {p}" for p, s in zip(lead_last['product'],
                                                                            lead_last['share'])]) + "."),
        sources=["baci_pakistan_exports", "baci_products"])


# ----------------------------------------------------------------------- US imports: BACI beside USGS


COMPARISON_FORMATS = {"USGS share": share_text, "BACI share": share_text}
_MATCH = {"ores": "ores against ores", "total": "BACI's codes against USGS's total of all forms",
          "only": "BACI's codes against USGS's only listed form"}


def comparison_table(rows: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The comparison for readers: one row per mineral and USGS-listed country."""
    out = pd.DataFrame({
        "Mineral": rows["mineral"].map(lambda m: labels.get(m, m)),
        "USGS form": rows["category"], "BACI codes": rows["hs_codes"], "BACI stage": rows["baci_stages"],
        "Years": rows["period"].str.replace("-", "–"), "Country": rows["country"],
        "USGS share": rows["usgs_share"], "BACI share": rows["baci_share"],
        "Gap (points)": [None if pd.isna(d) else f"{d * 100:+.0f}".replace("-", "−") for d in rows["difference"]],
    })
    q = rows["qualifier"].fillna("")
    out["USGS share"] = [f"{qq}{share_text(s)}" if qq else share_text(s) for qq, s in zip(q, rows["usgs_share"])]
    out["BACI share"] = [share_text(s) for s in rows["baci_share"]]
    return out


def comparison_text(rows: pd.DataFrame, top: pd.DataFrame, skipped: Mapping[str, str],
                    labels: Mapping[str, str]) -> str:
    """What the comparison shows, in numbers: how often the two agree on the largest source and where the gaps
    are widest."""
    if top.empty:
        return "No mineral has both BACI codes and USGS import sources to compare."
    n = len(top)
    same = int(top["same_top"].sum())
    gaps = top["difference"].abs()
    close = int((gaps <= 0.10).sum())
    wide = rows.assign(gap=rows["difference"].abs()).sort_values("gap", ascending=False).head(3)
    wide_bits = [f"{labels.get(r.mineral, r.mineral).lower()} from {r.country} (USGS {share_text(r.usgs_share)} of "
                 f"'{md_escape(r.category.lower())}', BACI {share_text(r.baci_share)} of HS {r.hs_codes}, "
                 f"{r.baci_stages} stage: {_MATCH[r.match]})" for r in wide.itertuples()]
    diff = top[~top["same_top"]]
    diff_bits = [f"{labels.get(r.mineral, r.mineral).lower()} ({r.country} for USGS, "
                 f"{countries.to_name(r.baci_top_iso3)} for BACI)" for r in diff.itertuples()]
    text = (f"For {n} minerals both sources can be set side by side. BACI's largest partner is USGS's first-listed "
            f"source for {same} of them, and for {close} of {n} the two shares of that source are within 10 "
            f"percentage points. The widest gaps: {and_list(wide_bits)}.")
    if diff_bits:
        text += f" The largest source differs for {and_list(diff_bits)}."
    if skipped:
        text += (" Not compared: " + and_list([f"{labels.get(m, m).lower()} ({why})" for m, why in sorted(skipped.items())])
                 + ".")
    return text


def comparison_chart(top: pd.DataFrame, labels: Mapping[str, str]) -> alt.TopLevelMixin | None:
    """Dots of the share of USGS's first-listed source in US imports, by USGS and by BACI, one row per mineral
    (``top`` from :func:`critmin.analysis.trade.top_source_agreement`)."""
    if top.empty:
        return None
    t = top.assign(label=[f"{labels.get(m, m)}: {c}" for m, c in zip(top["mineral"], top["country"])])
    long = pd.concat([t.assign(basis="USGS (MCS)", share=t["usgs_share"]),
                      t.assign(basis="CEPII BACI", share=t["baci_share"])], ignore_index=True)
    long = long[long["share"].notna()][["label", "basis", "share"]]
    order = t.sort_values("usgs_share", ascending=False)["label"].tolist()
    bases = ["USGS (MCS)", "CEPII BACI"]
    rules = alt.Chart(t).mark_rule(color="#BBBBBB").encode(
        x="usgs_share:Q", x2="baci_share:Q", y=alt.Y("label:N", sort=order))
    dots = alt.Chart(long).mark_point(filled=True, size=70).encode(
        x=alt.X("share:Q", title="Share of US imports (%)", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", sort=order, title=None),
        color=alt.Color("basis:N", title="Source", scale=alt.Scale(domain=bases,
                                                                   range=[charts.PALETTE[7], charts.PALETTE[1]])),
        shape=alt.Shape("basis:N", legend=None, scale=alt.Scale(domain=bases, range=["circle", "diamond"])),
        tooltip=[alt.Tooltip("label:N", title="Mineral and country"), alt.Tooltip("basis:N", title="Source"),
                 alt.Tooltip("share:Q", format=".1%", title="Share")],
    )
    gaps = top["difference"].abs()
    chart = alt.layer(rules, dots).properties(width=460, height=alt.Step(16))
    return charts.finish(
        chart,
        title=(f"BACI and USGS agree within 10 points on the top source's share for {int((gaps <= 0.10).sum())} "
               f"of {len(top)} minerals"),
        subtitle="USGS's first-listed source of US imports: its share per USGS and per BACI (same years, by value)",
        description=(f"Dot plot, one row per mineral, of the share of USGS's first-listed source in US imports as "
                     f"USGS reports it and as BACI's bilateral flows give it; the largest gap is "
                     f"{labels.get(top.loc[gaps.idxmax(), 'mineral'], top.loc[gaps.idxmax(), 'mineral'])} "
                     f"({share_text(top.loc[gaps.idxmax(), 'usgs_share'])} against "
                     f"{share_text(top.loc[gaps.idxmax(), 'baci_share'])})."),
        sources=["import_sources", "baci_us_imports", "baci_products"])


def headline(exports: pd.DataFrame, products_table: pd.DataFrame, countries_table: pd.DataFrame, *,
             products: str = "deal,chromite", partners: str = "China,United States", years: str = "1995-2024") -> str:
    """The chapter's answer for a page that only needs its first paragraph (the Pakistan chapter)."""
    from critmin.analysis import trade

    sel = parameters(products, partners, years, exports, products_table, countries_table)
    both = trade.shares_by_measure(exports, focus=sel.focus, years=sel.years, hs_codes=sel.codes)
    latest = trade.latest_year_shares(both)
    last = sel.years[-1]
    sold = [c for c in sel.codes if c in set(exports.loc[exports["year"] == last, "hs_code"])]
    pooled = (trade.partner_shares(exports, focus=sel.focus, years=[last], hs_codes=sold, group=())
              if sold else latest.iloc[0:0])
    return answer_text(sel, latest, pooled)
