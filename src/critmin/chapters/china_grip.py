"""The sentences, table and chart of "Where is China's grip strongest?".

The numbers come from :mod:`critmin.analysis.grip`; this module turns :func:`~critmin.analysis.grip.grip_table`
output into prose, one dumbbell chart (mine against processing per mineral) and a table.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from critmin import params
from critmin.analysis import grip
from critmin.render import charts, page
from critmin.render.page import Table
from critmin.text import and_list, md_escape, share_text

STAGE_WORD = {"refining": "refining", "metal": "metal production", "product": "manufacture"}
MINE_LABEL = "Mine"
PROCESSING_LABEL = "First processing stage"


def _share(pct: float) -> str:
    return share_text(pct / 100)


def _n(n: int, word: str, plural: str | None = None) -> str:
    """'1 mineral', '7 minerals'."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _pp(x: float) -> str:
    return f"{abs(x):.1f} percentage points"


# ---------------------------------------------------------------------------------------------- parameters


def check_parameters(year, minerals, production: pd.DataFrame, processing: pd.DataFrame,
                     minerals_df: pd.DataFrame) -> tuple[int, list[str]]:
    """The page's year and mineral ids, checked in the order declared; one ParameterError line otherwise.

    year: 0 (the latest year with broad coverage, :func:`critmin.analysis.grip.latest_broad_year`) or a year with
    USGS mine data for China.
    minerals: "all" or ids of minerals that have a figure at either stage in that year.
    """
    cov = grip.mine_coverage(production)
    years = [int(y) for y, n in cov.items() if n > 0]
    if isinstance(year, bool) or not isinstance(year, int) or (year != 0 and year not in years):
        raise params.ParameterError(f"year={year!r} is not available; allowed: 0 (the latest year with broad "
                                    f"coverage) or one of {', '.join(str(v) for v in years)}")
    year = year or grip.latest_broad_year(production)
    table = grip.grip_table(production, processing, minerals_df, year)
    available = sorted(table.loc[table["status"] != "no_data", "mineral"])
    selected = params.choices("minerals", minerals, available)
    return year, list(dict.fromkeys(selected))


# ---------------------------------------------------------------------------------------------- prose


def _gap_phrase(r) -> str:
    return (f"{md_escape(r['label'].lower())} ({_share(r['mine_pct'])} of mine output, "
            f"{_share(r['processing_pct'])} of {STAGE_WORD.get(r['processing_stage'], r['processing_stage'])} "
            f"in {int(r['processing_year'])}: {r['gap_pp']:.0f} points more)")


def answer(table: pd.DataFrame, year: int, n_deal: int) -> str:
    """The page's answer in numbers, for its first screen (`n_deal`: how many minerals the deal names)."""
    c = grip.grip_counts(table)
    gaps = grip.largest_gaps(table, 3)
    parts = [
        f"**At the first processing stage China produces more than half of world output for "
        f"{c['processing_over']} of the {_n(c['n_processing'], 'mineral')} with a figure; at the mine, for "
        f"{c['mine_over']} of the {_n(c['n_mine'], 'mineral')} with a USGS mine figure for {year}.**"
    ]
    if len(gaps):
        lead = "the widest gaps are" if len(gaps) > 1 else "the gap is"
        parts.append(f"Where both stages have a figure ({_n(c['n_both'], 'mineral')}), China's share is higher "
                     f"at processing for {c['processing_higher']}; {lead} "
                     f"{and_list([_gap_phrase(r) for _, r in gaps.iterrows()])}.")
    parts.append(deal_sentence(table, n_deal))
    return " ".join(parts)


def deal_sentence(table: pd.DataFrame, n_deal: int) -> str:
    """One sentence on the deal's minerals: mine share, processing share where there is one."""
    deal = table[table["deal"]].sort_values("label")
    if deal.empty:
        return "None of the deal's minerals is among those selected."
    bits = []
    for _, r in deal.iterrows():
        lab = md_escape(r["label"].lower())
        if r["status"] == "both":
            bits.append(f"{lab} {_share(r['mine_pct'])} at the mine and {_share(r['processing_pct'])} at "
                        f"{STAGE_WORD.get(r['processing_stage'], r['processing_stage'])}")
        elif r["status"] == "mine_only":
            bits.append(f"{lab} {_share(r['mine_pct'])} at the mine (no processing figure)")
        elif r["status"] == "processing_only":
            bits.append(f"{lab} {_share(r['processing_pct'])} at "
                        f"{STAGE_WORD.get(r['processing_stage'], r['processing_stage'])} (no mine figure)")
        else:
            bits.append(f"{lab}: no figure for China at either stage")
    which = f"the deal's {n_deal} minerals" if len(deal) == n_deal else "the deal's minerals on this page"
    return f"For {which} China's shares are: {'; '.join(bits)}."


def gap_paragraphs(table: pd.DataFrame, stages_df: pd.DataFrame) -> list[str]:
    """The gap in words: how the gaps are spread, the like-for-like check, and what the chart cannot show."""
    out = []
    both = table[table["gap_pp"].notna()].sort_values("gap_pp", ascending=False)
    if len(both) >= 3:
        smallest = both.iloc[-1]
        out.append(
            f"Across the {len(both)} minerals with both figures the median gap is "
            f"{both['gap_pp'].median():.0f} percentage points; the narrowest is "
            f"{md_escape(smallest['label'].lower())} ({_share(smallest['mine_pct'])} mined, "
            f"{_share(smallest['processing_pct'])} processed, {_pp(smallest['gap_pp'])}).")
    like = both[both["same_source_mine_pct"].notna()]
    if len(like):
        items = [f"{md_escape(r['label'].lower())} {_share(r['same_source_mine_pct'])} mined against "
                 f"{_share(r['processing_pct'])} refined "
                 f"({r['processing_pct'] - r['same_source_mine_pct']:.0f} points)"
                 for _, r in like.iterrows()]
        out.append(
            "Mine and processing figures come from different tables for most minerals. Where the processing "
            "figure's own source also gives China's mine share for the same year and product basis, the gap "
            f"holds: {'; '.join(items)} ({grip.SOURCE_TEXT['iea_cmde2024']}).")
    proc_only = table[table["status"] == "processing_only"].sort_values("processing_pct", ascending=False)
    if len(proc_only):
        out.append(
            f"{len(proc_only)} minerals have a processing figure but no mine figure in the USGS production "
            "table (most are recovered from the ores of other metals): "
            + and_list([f"{md_escape(r['label'].lower())} {_share(r['processing_pct'])}"
                        for _, r in proc_only.iterrows()]) + ".")
    mine_only = table[(table["status"] == "mine_only")]
    deal_gap = mine_only[mine_only["deal"]]
    if len(deal_gap):
        labels = []
        for _, r in deal_gap.sort_values("label").iterrows():
            st = stages_df[(stages_df["mineral"].astype(str) == r["mineral"])
                           & (stages_df["stage"].astype(str) != "mine")]
            what = and_list([md_escape(s) for s in st["label"].astype(str)])
            labels.append(f"{md_escape(r['label'].lower())}" + (f" ({what})" if what else ""))
        out.append(
            "For " + and_list(labels) + " the data hold no primary figure for China's share after the mine (the "
            "later stages are named in brackets where the stage list has them), so the chart shows their mine "
            "share only; a share seen only in press summaries is not used.")
    return out


def method_text(table: pd.DataFrame, year: int) -> str:
    """The denominators and sources actually used on the page, counted."""
    m = table[table["mine_pct"].notna()]
    n_world = int((m["denominator"] == "world_total").sum())
    n_sum = int((m["denominator"] == "sum_of_listed").sum())
    n_est = int((m["mine_flag"] == "estimated").sum())
    p = table[table["processing_pct"].notna()]
    src = p["processing_source"].map(grip.SOURCE_TEXT).value_counts()
    years = sorted(int(y) for y in p["processing_year"].unique())
    off = int((p["processing_year"] != year).sum())
    src_text = and_list([f"{src[s]} from the {s}" for s in src.index])
    denoms = []
    if n_world:
        denoms.append(f"by the {grip.DENOMINATOR_TEXT['world_total']} for {_n(n_world, 'mineral')}")
    if n_sum:
        denoms.append(f"by the {grip.DENOMINATOR_TEXT['sum_of_listed']} for {_n(n_sum, 'mineral')}, where USGS "
                      "gives no total or its rounded total is below the listed rows")
    text = f"**Denominators.** Mine shares are China's tonnage in {year} divided {' and '.join(denoms)}."
    if len(m):
        text += f" {n_est} of the {_n(len(m), 'Chinese mine figure')} are USGS estimates."
    if len(p):
        text += (f" Processing shares are the publisher's own (country tonnage over its world total): {src_text}, "
                 f"for {and_list([str(y) for y in years])}")
        text += (f"; for {_n(off, 'mineral')} no processing figure exists for {year} and the nearest year is "
                 "used." if off else ".")
    return text


# ---------------------------------------------------------------------------------------------- chart


def _label(r) -> str:
    return f"{r['label']} (deal)" if r["deal"] else r["label"]


def chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """One row per mineral and stage with a share, for the dumbbell chart."""
    rows = []
    for _, r in table.iterrows():
        name = _label(r)
        if pd.notna(r["mine_pct"]):
            rows.append({"mineral": name, "stage": MINE_LABEL, "share": r["mine_pct"] / 100,
                         "year": int(r["mine_year"]), "what": "mine production",
                         "source": f"USGS production table; share of the {grip.DENOMINATOR_TEXT[r['denominator']]}",
                         "deal": bool(r["deal"])})
        if pd.notna(r["processing_pct"]):
            rows.append({"mineral": name, "stage": PROCESSING_LABEL, "share": r["processing_pct"] / 100,
                         "year": int(r["processing_year"]), "what": r["processing_product"],
                         "source": grip.SOURCE_TEXT.get(r["processing_source"], r["processing_source"]),
                         "deal": bool(r["deal"])})
    return pd.DataFrame(rows, columns=["mineral", "stage", "share", "year", "what", "source", "deal"])


def dumbbell(table: pd.DataFrame, year: int) -> alt.TopLevelMixin | None:
    """Mine share and first-processing share per mineral, joined by a line; the deal's minerals labelled."""
    plot = chart_frame(table)
    if plot.empty:
        return None
    order = list(dict.fromkeys(_label(r) for _, r in table.iterrows() if r["status"] != "no_data"))
    y = alt.Y("mineral:N", sort=order, title=None,
              axis=alt.Axis(labelFontWeight={"expr": "indexof(datum.label, '(deal)') >= 0 ? 700 : 400"}))
    x = alt.X("share:Q", title="China's share of world output (%)", axis=alt.Axis(format=".0%"),
              scale=alt.Scale(domain=[0, 1]))
    base = alt.Chart(plot)
    line = base.mark_line(color="#BBBBBB", strokeWidth=2).encode(x=x, y=y, detail="mineral:N")
    dots = base.mark_point(filled=True, size=90, opacity=1).encode(
        x=x, y=y,
        color=alt.Color("stage:N", title=None, scale=alt.Scale(domain=[MINE_LABEL, PROCESSING_LABEL],
                                                               range=[charts.PALETTE[1], charts.CHINA])),
        shape=alt.Shape("stage:N", title=None, scale=alt.Scale(domain=[MINE_LABEL, PROCESSING_LABEL],
                                                               range=["circle", "square"])),
        tooltip=[alt.Tooltip("mineral:N", title="Mineral"), alt.Tooltip("stage:N", title="Stage"),
                 alt.Tooltip("share:Q", format=".1%", title="China's share"),
                 alt.Tooltip("year:Q", format="d", title="Year"), alt.Tooltip("what:N", title="Product"),
                 alt.Tooltip("source:N", title="Source")])
    chart = alt.layer(line, dots).properties(width=480, height=alt.Step(16))
    c = grip.grip_counts(table)
    top = grip.largest_gaps(table, 1)
    title = (f"China's share is higher at processing than at the mine for {c['processing_higher']} of "
             f"{c['n_both']} minerals with both figures" if c["n_both"] else
             "China's share at the mine and at processing, by mineral")
    desc = (f"Dot plot of China's share of world mine output ({year}, circles) and of the first processing stage "
            f"with a figure (squares) for {plot['mineral'].nunique()} minerals, highest first; a grey line joins "
            f"the two where both exist; the deal's minerals are marked (deal) in bold.")
    if len(top):
        r = top.iloc[0]
        desc += (f" Widest gap: {r['label']}, {_share(r['mine_pct'])} at the mine against "
                 f"{_share(r['processing_pct'])} at processing.")
    return charts.finish(
        chart, title=title,
        subtitle=(f"Mine: USGS, {year}. Processing: refinery, smelter or metal output, nearest year "
                  "(hover for source). Bold: the deal's minerals"),
        description=desc, sources=["production", "processing"])


# ---------------------------------------------------------------------------------------------- table


def grip_view(table: pd.DataFrame) -> Table:
    """The chart's numbers as a sortable table, with product, year and source of each figure."""
    t = table[table["status"] != "no_data"]
    for _, r in t[t["mine_pct"].notna()].iterrows():
        page.state(share_text(r["mine_pct"] / 100), metric="production_share", mineral=r["mineral"], stage="mine",
                   country=grip.CHINA, year=int(r["mine_year"]))
    frame = pd.DataFrame({
        "Mineral": [_label(r) for _, r in t.iterrows()],
        "Mine share": t["mine_pct"] / 100,
        "Share of": t["denominator"].map(grip.DENOMINATOR_TEXT),
        "Processing share": t["processing_pct"] / 100,
        "Stage and product": [(f"{r['processing_stage']}: {r['processing_product']}"
                               if pd.notna(r["processing_pct"]) else None) for _, r in t.iterrows()],
        "Processing year": t["processing_year"].astype("Int64"),
        "Processing source": t["processing_source"].map(grip.SOURCE_TEXT),
        "Gap (points)": t["gap_pp"],
    })
    return Table(frame, caption="China's share of world output at the mine and at the first processing stage",
                 formats={"Mine share": share_text, "Processing share": share_text,
                          "Gap (points)": lambda v: f"{v:+.1f}".replace("-", "−")})


def selected_table(table: pd.DataFrame, selected: Sequence[str]) -> pd.DataFrame:
    """The rows of the selected minerals, keeping the table's order."""
    return table[table["mineral"].isin(list(selected))].reset_index(drop=True)
