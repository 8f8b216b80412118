"""Sentences, tables and charts of the supply-risk chapter: governance-weighted concentration combined with US
import reliance (the EU/JRC method, simplified), ranked, and how the ranking moves with the weighting.

The numbers come from :func:`critmin.analysis.risk.rank_minerals`; this module turns them into prose and pictures.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from critmin import params
from critmin.analysis import risk
from critmin.data import countries
from critmin.render import charts
from critmin.text import and_list, md_escape, share_text

__all__ = ["STAGES", "GRID", "parameters", "weights_for", "answer_text", "shift_text", "ranking_table",
           "TABLE_FORMATS", "rank_chart", "limits_text", "skipped_text"]

STAGES = tuple(risk.STAGES)  # stages with both USGS production and BACI codes
GRID = (0.0, 0.25, 0.5, 0.75, 1.0)  # weights of the rank-vs-weight chart
MOVE = 3  # a move of this many places or more is named in the text


def parameters(year, stage, weight, production: pd.DataFrame, us_imports: pd.DataFrame) -> tuple[int, str, float]:
    """Check the page's parameters; raise :class:`critmin.params.ParameterError` naming what is allowed.

    ``stage``: a USGS production stage that has BACI codes (mine, refinery, smelter); ``year``: a year with USGS
    production at that stage and BACI imports; ``weight``: 0 (concentration alone) to 1 (the JRC's WGI weighting).
    """
    have = [s for s in STAGES if s in set(production["stage"].dropna())]
    stage = params.choice("stage", stage, have)
    prod_years = set(production.loc[production["stage"] == stage, "year"].dropna().astype(int))
    years = sorted(prod_years & set(us_imports["year"].dropna().astype(int)))
    year = params.choice("year", year, years, normalise=lambda v: str(v).strip())
    weight = params.number("weight", weight, minimum=0, maximum=1)
    return int(year), stage, float(weight)


def weights_for(weight: float) -> tuple[float, ...]:
    """The grid of weights for the chart, with the page's weight added."""
    return tuple(sorted(set(GRID) | {float(weight)}))


def _label(labels: Mapping[str, str], m: str) -> str:
    return labels.get(m, m.replace("_", " ").capitalize())


def _at(ranking: risk.Ranking, weight: float) -> pd.DataFrame:
    t = ranking.table
    return t[t["weight"] == weight].sort_values(["rank", "mineral"]).reset_index(drop=True)


def moves(ranking: risk.Ranking, weight: float) -> pd.DataFrame:
    """Rank at weight 0 and at ``weight`` per mineral, with ``change`` = rank at 0 − rank at ``weight`` (> 0:
    riskier once governance counts)."""
    t = ranking.table
    lo = t[t["weight"] == 0.0].set_index("mineral")["rank"].rename("rank_plain")
    hi = t[t["weight"] == weight].set_index("mineral")["rank"].rename("rank_weighted")
    out = pd.concat([lo, hi], axis=1).reset_index()
    out["change"] = out["rank_plain"] - out["rank_weighted"]
    return out.sort_values(["rank_weighted", "mineral"]).reset_index(drop=True)


def sourcing_part(row) -> float:
    """The part of a score that comes from the US-imports term: HHI_WGI,US · (1 − IR/2) / SR."""
    return float(row["hhi_wgi_imports"] * (1 - row["import_reliance"] / 2) / row["score"]) if row["score"] else 0.0


def answer_text(ranking: risk.Ranking, weight: float, labels: Mapping[str, str]) -> str:
    """The chapter's answer in numbers: the riskiest and least risky minerals at the page's weight."""
    at = _at(ranking, weight)
    if at.empty:
        return f"No mineral could be scored at the {ranking.stage} stage in {ranking.year}."
    top = at.head(3)
    bits = [f"{_label(labels, r.mineral).lower()} ({r.score:.2f})" for r in top.itertuples()]
    low = at.iloc[-1]
    lead = top.iloc[0]
    where = countries.to_name(lead["top_global"])
    where = f"the {where}" if where.startswith("United") else where
    reliance = ("the United States is a net exporter" if lead["import_reliance"] == 0 else
                f"the United States relies on imports for {share_text(lead['import_reliance'])} of its use")
    return (f"**At the {ranking.stage} stage in {ranking.year}, with governance weight {weight:g}, the riskiest US "
            f"supply by this index is {and_list(bits)}, on a scale of 0 to 10; the least risky of the {len(at)} "
            f"minerals scored is {_label(labels, low['mineral']).lower()} ({low['score']:.2f}).** "
            f"{_label(labels, lead['mineral'])}'s largest producer is {md_escape(where)} with "
            f"{share_text(lead['top_global_share'])} of world output, and {reliance} "
            f"({int(lead['reliance_year'])}); {share_text(sourcing_part(lead))} of its score comes from the "
            "concentration of US imports.")


def shift_text(ranking: risk.Ranking, weight: float, labels: Mapping[str, str]) -> str:
    """How the ranking changes between weight 0 (concentration alone) and the page's weight."""
    if weight == 0.0:
        mv = moves(ranking, 1.0)
        against = "the full JRC weighting (1)"
    else:
        mv = moves(ranking, weight)
        against = f"weight {weight:g}"
    if mv.empty:
        return ""
    big = mv[mv["change"].abs() >= MOVE]
    same = int((mv["change"] == 0).sum())
    text = (f"Between concentration alone (weight 0) and {against}, {same} of {len(mv)} minerals keep their "
            f"place and {len(big)} move by {MOVE} places or more.")
    if len(big):
        up = big.sort_values("change", ascending=False)
        bits = [f"{_label(labels, r.mineral).lower()} {'rises' if r.change > 0 else 'falls'} from "
                f"{int(r.rank_plain)} to {int(r.rank_weighted)}" for r in up.itertuples()]
        text += " " + and_list(bits)[0].upper() + and_list(bits)[1:] + "."
    plain_top = mv.sort_values("rank_plain").iloc[0]["mineral"]
    weighted_top = mv.iloc[0]["mineral"]
    if plain_top != weighted_top:
        text += (f" Concentration alone puts {_label(labels, plain_top).lower()} first; the weighting puts "
                 f"{_label(labels, weighted_top).lower()} first.")
    else:
        text += f" {_label(labels, weighted_top)} is first either way."
    return text


TABLE_FORMATS = {"Score": "{:.2f}", "HHI, world": "{:,.0f}", "HHI_WGI, world": "{:.2f}",
                 "HHI_WGI, US imports": "{:.2f}", "Import reliance": share_text, "Largest producer's share": share_text,
                 "WGI covers (world)": share_text, "WGI covers (imports)": share_text}


def ranking_table(ranking: risk.Ranking, weight: float, labels: Mapping[str, str]) -> pd.DataFrame:
    """The ranking at the page's weight, with every component and the rank at weight 0."""
    at = _at(ranking, weight)
    mv = moves(ranking, weight).set_index("mineral")
    return pd.DataFrame({
        "Rank": at["rank"], "Mineral": at["mineral"].map(lambda m: _label(labels, m)), "Score": at["score"],
        "Rank at weight 0": at["mineral"].map(mv["rank_plain"]).astype(int),
        "HHI, world": at["hhi_global"], "HHI_WGI, world": at["hhi_wgi_global"],
        "HHI_WGI, US imports": at["hhi_wgi_imports"], "Import reliance": at["import_reliance"],
        "Largest producer": at["top_global"].map(countries.to_name),
        "Largest producer's share": at["top_global_share"],
        "BACI codes": at["import_codes"].map(lambda c: f"{ranking.stage} stage" if c == ranking.stage
                                             else "all of the mineral's"),
        "WGI covers (world)": at["coverage_global"], "WGI covers (imports)": at["coverage_imports"],
    })


def rank_chart(ranking: risk.Ranking, weight: float, labels: Mapping[str, str]) -> alt.TopLevelMixin | None:
    """Lines of each mineral's rank against the weight (0 = concentration alone, 1 = JRC WGI weighting); blue lines
    rise (riskier with governance counted), orange ones fall; a rule marks the page's weight."""
    t = ranking.table
    if t.empty:
        return None
    mv = moves(ranking, 1.0 if weight == 0.0 else weight).set_index("mineral")
    kind = mv["change"].map(lambda c: "riskier with the weighting" if c > 0 else
                            ("less risky with the weighting" if c < 0 else "same place"))
    plot = t.assign(label=t["mineral"].map(lambda m: _label(labels, m)), kind=t["mineral"].map(kind))
    plot = plot[["label", "weight", "rank", "score", "kind"]]
    kinds = ["riskier with the weighting", "less risky with the weighting", "same place"]
    n = int(t["rank"].max())
    y = alt.Y("rank:Q", title="Rank (1 = highest supply risk)", scale=alt.Scale(domain=[n + 0.5, 0.5], nice=False),
              axis=alt.Axis(values=list(range(1, n + 1)), grid=False))
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=[charts.PALETTE[1],
                                                                                   charts.PALETTE[3], "#BBBBBB"]))
    tip = [alt.Tooltip("label:N", title="Mineral"), alt.Tooltip("weight:Q", title="Weight", format=".2f"),
           alt.Tooltip("rank:Q", title="Rank"), alt.Tooltip("score:Q", title="Score", format=".2f")]
    base = alt.Chart(plot).encode(x=alt.X("weight:Q", title="Governance weight (0 = concentration alone, 1 = JRC)",
                                          scale=alt.Scale(domain=[0, 1.25]), axis=alt.Axis(values=list(GRID), format=".2~f")),
                                  y=y, color=colour, detail="label:N", tooltip=tip)
    lines = base.mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=25))
    ends = base.transform_filter(alt.datum.weight == 1).mark_text(align="left", dx=6, fontSize=11).encode(
        text="label:N")
    marker = alt.Chart(pd.DataFrame({"w": [weight]})).mark_rule(strokeDash=[4, 3], color="#444").encode(x="w:Q")
    chart = alt.layer(lines, ends, marker).properties(width=460, height=16 * n + 20)
    big = int((mv["change"].abs() >= MOVE).sum())
    return charts.finish(
        chart,
        title=(f"Weighting by governance moves {big} of {len(mv)} minerals by {MOVE} places or more"
               if big else f"Weighting by governance moves no mineral by {MOVE} places or more"),
        subtitle=(f"Rank of US supply risk at the {ranking.stage} stage, {ranking.year}, by weight; dashed rule: "
                  f"this page's weight ({weight:g})"),
        description=(f"Line chart of the rank of {len(mv)} minerals by supply risk for governance weights from 0 to "
                     f"1 at the {ranking.stage} stage in {ranking.year}. "
                     f"{int((mv['change'] > 0).sum())} rise and {int((mv['change'] < 0).sum())} fall between weight "
                     f"0 and {1.0 if weight == 0.0 else weight:g}; first at weight {weight:g}: "
                     f"{_label(labels, _at(ranking, weight).iloc[0]['mineral'])}."),
        sources=["production", "baci_us_imports", "baci_products", "import_reliance", "wgi"])


def limits_text(ranking: risk.Ranking, weight: float, labels: Mapping[str, str]) -> str:
    """What the scores rest on, in numbers: WGI coverage and which minerals' sourcing term used all their codes."""
    at = _at(ranking, weight)
    if at.empty:
        return ""
    low_g = at.loc[at["coverage_global"].idxmin()]
    low_i = at.loc[at["coverage_imports"].idxmin()]
    fallback = at.loc[at["import_codes"] != ranking.stage, "mineral"].map(lambda m: _label(labels, m).lower())
    netx = at.loc[at["import_reliance"] == 0, "mineral"].map(lambda m: _label(labels, m).lower())
    if low_g["coverage_global"] == 1 and low_i["coverage_imports"] == 1:
        text = ("Every producer and every import partner named in the data has a WGI score, so none drops out of "
                "the weighted sums.")
    else:
        text = (f"WGI scores cover at least {share_text(low_g['coverage_global'])} of world output for every mineral "
                f"scored (lowest: {_label(labels, low_g['mineral']).lower()}) and at least "
                f"{share_text(low_i['coverage_imports'])} of US imports (lowest: "
                f"{_label(labels, low_i['mineral']).lower()}); producers without a score drop out of the weighted "
                "sum.")
    if len(fallback):
        its = "its" if len(fallback) == 1 else "their"
        text += (f" BACI has no {ranking.stage}-stage code for {and_list(list(fallback))}: {its} sourcing term uses "
                 "all the mineral's codes instead, whatever their stage.")
    if len(netx):
        text += (f" US net import reliance is 0 for {and_list(list(netx))} (a net exporter, or no net imports), so "
                 f"{'its' if len(netx) == 1 else 'their'} score is the concentration of US imports alone.")
    return text


def skipped_text(ranking: risk.Ranking, labels: Mapping[str, str]) -> str:
    """The minerals left out and why."""
    if not ranking.skipped:
        return ""
    return "Not scored: " + and_list([f"{_label(labels, m).lower()} ({why})"
                                      for m, why in sorted(ranking.skipped.items())]) + "."
