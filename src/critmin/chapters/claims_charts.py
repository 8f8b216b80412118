"""The charts of the claims chapters (expert positions, codebook, claims against the evidence).

Each function takes the claims (already filtered by the page's parameters) and the codebook and returns a
finished Altair chart, or None when there is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from critmin.analysis import claims, evidence
from critmin.render import charts
from critmin.text import num, pct

__all__ = ["stance_scale", "group_title", "group_chart", "theme_heatmap", "timeline_chart", "voices_chart",
           "themes_chart", "EVIDENCE_SHORT", "evidence_bars", "evidence_chart", "VERDICT_COLOURS", "verdict_chart"]


def stance_scale(codebook: pd.DataFrame) -> alt.Scale:
    """The stance colours, in stance order, keyed by the codebook's stance labels."""
    names = claims.labels("stance", codebook)
    return alt.Scale(domain=[names[s] for s in claims.STANCES], range=[claims.STANCE_COLOURS[s] for s in claims.STANCES])


def group_title(by_group: pd.DataFrame, group_by: str, label) -> str:
    """The finding of the stance-by-group chart: who made most claims and who is most sceptical (among groups
    with at least two claims); for `stance_reason`, the most common ground of scepticism."""
    totals = by_group.sum(axis=1)
    most = label(totals.idxmax())
    sceptical_share = (by_group["sceptical"] / totals)[totals >= 2]
    if group_by == "stance_reason":
        coded = by_group.drop(index=claims.NO_GROUP, errors="ignore").sum(axis=1)
        if not coded.sum():
            return "No claim is sceptical"
        reason = label(coded.idxmax())
        return f"{num(coded.max())} of {num(coded.sum())} sceptical claims rest on {reason[0].lower() + reason[1:]}"
    if len(sceptical_share) and sceptical_share.max() > 0:
        top = sceptical_share.sort_values(ascending=False, kind="stable")
        return f"{most} made the most claims ({num(totals.max())}); {label(top.index[0])}: {pct(top.iloc[0])} sceptical"
    return f"{most} made the most claims ({num(totals.max())})"


def group_chart(df: pd.DataFrame, group_by: str, codebook: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Stacked bars of claims by stance for each value of `group_by`; None when there are no claims."""
    if not len(df):
        return None
    by_group = claims.stance_by_group(df, group_by, codebook)
    label = claims.group_label(group_by, codebook)
    long = claims.stance_long(by_group, codebook, label)
    most = label(by_group.sum(axis=1).idxmax())
    what = group_by.replace("_", " ")
    return charts.finish(
        alt.Chart(long[long["claims"] > 0]).mark_bar().encode(
            x=alt.X("claims:Q", title="Number of claims", stack="zero"),
            y=alt.Y("label:N", sort=alt.EncodingSortField(field="order", op="min"), title=None),
            color=alt.Color("stance_label:N", scale=stance_scale(codebook), title="Stance"),
            order=alt.Order("stance_order:Q"),
            tooltip=[alt.Tooltip("label:N", title=what.capitalize()), alt.Tooltip("stance_label:N", title="Stance"),
                     alt.Tooltip("claims:Q", title="Claims"),
                     alt.Tooltip("share:Q", format=".0%", title=f"Share of the {what}'s claims")],
        ).properties(width=520, height=max(80, 24 * len(by_group))),
        title=group_title(by_group, group_by, label),
        subtitle=("A claim with several themes is counted once under each." if group_by == "theme" else
                  "Groups with at least two claims are compared for the sceptical share."),
        description=(f"Stacked bar chart of the number of claims by {what}, split into favours the US, balanced "
                     f"and sceptical. {most} made the most claims."),
        sources=["claims"])


def theme_heatmap(df: pd.DataFrame, themes: list[str], codebook: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Heat map of claims per theme and stance, counts in the cells; None when there are no claims."""
    if not len(df):
        return None
    theme_names = claims.labels("theme", codebook)
    stance_names = claims.labels("stance", codebook)
    matrix = claims.theme_stance_matrix(df, themes, codebook)
    mlong = claims.stance_long(matrix, codebook, theme_names.get)
    theme_totals = matrix.sum(axis=1)
    top_theme = theme_names[theme_totals.idxmax()]
    scep = (matrix["sceptical"] / theme_totals.where(theme_totals > 0)).dropna()
    scep = scep[theme_totals[scep.index] >= 3].sort_values(ascending=False, kind="stable")
    title = f"{top_theme}: most claims ({num(theme_totals.max())})"
    if len(scep) and scep.iloc[0] > 0:
        title += f"; {theme_names[scep.index[0]]}: {pct(scep.iloc[0])} sceptical"
    base = alt.Chart(mlong).encode(
        x=alt.X("stance_label:N", sort=[stance_names[s] for s in claims.STANCES], title=None,
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("label:N", sort=alt.EncodingSortField(field="order", op="min"), title=None))
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("claims:Q", title="Claims", scale=alt.Scale(scheme="blues", domainMin=0)),
        tooltip=[alt.Tooltip("label:N", title="Theme"), alt.Tooltip("stance_label:N", title="Stance"),
                 alt.Tooltip("claims:Q", title="Claims"),
                 alt.Tooltip("share:Q", format=".0%", title="Share of the theme's claims")])
    # White text on dark cells, dark text on light ones.
    labels = base.mark_text(fontSize=13).encode(
        text=alt.Text("claims:Q"),
        color=alt.condition(alt.datum.claims > matrix.to_numpy().max() / 2, alt.value("white"), alt.value("#222")))
    return charts.finish(
        (cells + labels).properties(width=480, height=32 * len(matrix)),
        title=title,
        subtitle="Claims per theme and stance; a claim with several themes is counted under each.",
        description=(f"Heat map of the number of claims for each theme and stance, with counts in the cells. "
                     f"{top_theme} is the most frequent theme."),
        sources=["claims"])


def timeline_chart(df: pd.DataFrame, deal_table: pd.DataFrame, codebook: pd.DataFrame,
                   deal_id: str = "ussm-fwo-mou") -> alt.TopLevelMixin | None:
    """One dot per claim by date and stance, with the MoU signing (from the deals table) marked; None when
    there are no claims."""
    if not len(df):
        return None
    mou_date = deal_table.loc[deal_table["deal_id"] == deal_id, "date"].iloc[0]
    stance_names = claims.labels("stance", codebook)
    tl = claims.timeline(df, codebook)
    month = tl["date"].dt.to_period("M").value_counts().sort_index().sort_values(ascending=False, kind="stable")
    after = int((tl["date"] >= mou_date).sum())
    title = (f"{num(after)} of {num(len(tl))} claims came after the MoU was signed; "
             f"the busiest month was {month.index[0].strftime('%B %Y')} ({num(month.iloc[0])})")
    lanes = [stance_names[s] for s in claims.STANCES]
    dots = alt.Chart(tl).mark_circle(size=70, opacity=0.85, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("date:T",
                title="Date of the claim (the first of the month, or 1 January, where only the month or year is known)",
                axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month", labelOverlap=True)),
        y=alt.Y("stance_label:N", sort=lanes, title=None, scale=alt.Scale(paddingInner=0.15)),
        yOffset=alt.YOffset("slot:O"),
        color=alt.Color("stance_label:N", scale=stance_scale(codebook), legend=None),
        href="source_url:N",
        tooltip=[alt.Tooltip("when:N", title="Date"), alt.Tooltip("speaker:N", title="Speaker"),
                 alt.Tooltip("group_label:N", title="Group"), alt.Tooltip("stance_label:N", title="Stance"),
                 alt.Tooltip("claim:N", title="Claim (paraphrase)"), alt.Tooltip("outlet:N", title="Outlet"),
                 alt.Tooltip("source_url:N", title="Source")])
    mou = alt.Chart(pd.DataFrame({"date": [mou_date], "label": ["USSM–FWO MoU signed"]}))
    rule = mou.mark_rule(color="#555", strokeDash=[4, 3]).encode(x="date:T")
    rule_text = mou.mark_text(align="left", dx=4, dy=-6, fontSize=11, color="#555").encode(
        x="date:T", y=alt.value(0), text="label:N")
    return charts.finish(
        (dots + rule + rule_text).properties(width=560, height=3 * max(60, 12 * (int(tl["slot"].max()) + 1))),
        title=title,
        subtitle="One dot per claim; dots with the same date and stance are stacked. Click a dot for its source.",
        description=(f"Dot chart of claims by date in three rows (favours the US, balanced, sceptical). "
                     f"{num(after)} of {num(len(tl))} claims were made on or after the signing of the MoU."),
        sources=["claims", "deals"])


def voices_chart(df: pd.DataFrame, codebook: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Each voice at the mean stance of its claims (dot, sized by claims) with its single claims as ticks;
    None when there are no claims."""
    if not len(df):
        return None
    group_names = claims.labels("speaker_group", codebook)
    voices, vclaims = claims.voice_claims(df, codebook)
    n_pos, n_zero, n_neg = (int((voices["score"] > 0).sum()), int((voices["score"] == 0).sum()),
                            int((voices["score"] < 0).sum()))
    title = f"{num(n_pos)} voices lean towards the US, {num(n_zero)} sit in the middle, {num(n_neg)} lean sceptical"
    groups = claims.codes("speaker_group", codebook)
    groups_present = [g for g in groups if g in set(voices["speaker_group"])]
    # China keeps its colour across the book and the catch-all group is grey; the others share the rest in turn.
    plain = [g for g in groups if g not in ("chinese_government", "other")]
    rest = [c for c in charts.PALETTE[1:] if c != charts.OTHERS]
    group_colours = {g: rest[i % len(rest)] for i, g in enumerate(plain)}
    group_colours.update({"chinese_government": charts.CHINA, "other": charts.OTHERS})
    group_scale = alt.Scale(domain=[group_names[g] for g in groups_present],
                            range=[group_colours[g] for g in groups_present])
    y = alt.Y("speaker:N", sort=alt.EncodingSortField(field="rank", op="min"), title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("score:Q", title="Stance: −1 sceptical, 0 balanced, +1 favours the US",
              scale=alt.Scale(domain=[-1.1, 1.1]), axis=alt.Axis(values=[-1, -0.5, 0, 0.5, 1], format="+.1f"))
    # Ticks are drawn over the dots so that every single claim can be hovered (and clicked for its source).
    ticks = alt.Chart(vclaims).mark_tick(thickness=2, size=16, color="#333", opacity=0.8).encode(
        x=x, y=y, href="source_url:N",
        tooltip=[alt.Tooltip("speaker:N", title="Speaker"), alt.Tooltip("when:N", title="Date"),
                 alt.Tooltip("stance_label:N", title="Stance"), alt.Tooltip("claim:N", title="Claim (paraphrase)"),
                 alt.Tooltip("outlet:N", title="Outlet"), alt.Tooltip("source_url:N", title="Source")])
    means = alt.Chart(voices).mark_point(filled=True, opacity=1, stroke="white", strokeWidth=1).encode(
        x=x, y=y, color=alt.Color("group_label:N", scale=group_scale, title="Voice's group",
                                  legend=alt.Legend(columns=2, symbolType="circle")),
        size=alt.Size("claims:Q", title="Claims", scale=alt.Scale(range=[60, 300]), legend=None),
        tooltip=[alt.Tooltip("speaker:N", title="Voice"), alt.Tooltip("role:N", title="Role"),
                 alt.Tooltip("group_label:N", title="Group"), alt.Tooltip("claims:Q", title="Claims"),
                 alt.Tooltip("stance_mix:N", title="Stances"), alt.Tooltip("score:Q", format="+.2f", title="Mean stance"),
                 alt.Tooltip("example:N", title="Claim (paraphrase)"), alt.Tooltip("example_source:N", title="Source")])
    zero = alt.Chart(pd.DataFrame({"score": [0.0]})).mark_rule(color="#888", strokeDash=[3, 3]).encode(x="score:Q")
    return charts.finish(
        alt.layer(zero, means, ticks).properties(width=380, height=18 * len(voices)),
        title=title,
        subtitle="Dot: mean of the voice's claims (size: number of claims); ticks: single claims. Hover for the claim and source.",
        description=(f"Dot plot placing each of {num(len(voices))} voices on a scale from −1 (sceptical) to +1 "
                     f"(favours the US), the mean of its claims' stances. {num(n_pos)} lean towards the US, "
                     f"{num(n_zero)} are at zero and {num(n_neg)} lean sceptical."),
        sources=["claims"])


def themes_chart(df: pd.DataFrame, codebook: pd.DataFrame) -> alt.TopLevelMixin:
    """Bars of how many claims carry each theme, in codebook order (the codebook chapter's chart)."""
    themes = claims.codebook_entries("theme", df, codebook)
    themes["order"] = range(len(themes))
    top = themes.sort_values(["claims", "order"], ascending=[False, True]).iloc[0]
    return charts.finish(
        alt.Chart(themes).mark_bar().encode(
            x=alt.X("claims:Q", title="Number of claims tagged with the theme"),
            y=alt.Y("label:N", sort=alt.EncodingSortField(field="order", op="min"), title=None),
            tooltip=[alt.Tooltip("label:N", title="Theme"), alt.Tooltip("code:N", title="Code"),
                     alt.Tooltip("claims:Q", title="Claims")],
        ).properties(width=420, height=26 * len(themes)),
        title=f"{top['label']} is the most used theme ({num(top['claims'])} of {num(len(df))} claims)",
        subtitle="A claim can carry several themes, so the bars add up to more than the number of claims.",
        description=(f"Bar chart of how many claims carry each of the {num(len(themes))} themes; "
                     f"{top['label']} is the most frequent."),
        sources=["claims", "claims_codebook"])


# Bar labels for the share measures of the evidence chart, in drawing order.
EVIDENCE_SHORT = {"china_share_mine_rare_earths": "Rare-earth mine output",
                  "china_share_refining_rare_earths": "Magnet rare-earth refining",
                  "china_share_refining_copper": "Refined copper output",
                  "china_share_us_imports_rare_earths": "US rare-earth imports (value)",
                  "china_largest_fdi_source": "Net FDI into Pakistan"}


def evidence_bars(used: list[str], tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """China's share in each share measure among `used`, evaluated on `tables`, with a label ending in its year
    (for FDI, the latest of the fiscal years ranked)."""
    bars = pd.DataFrame([{**evidence.evaluate(m, tables).as_dict(), "label": EVIDENCE_SHORT[m]}
                         for m in EVIDENCE_SHORT if m in used])
    bars["label"] = bars["label"] + " (" + bars["year"].str.split("–").str[-1] + ")"
    return bars


def evidence_chart(bars: pd.DataFrame) -> alt.TopLevelMixin:
    """Bars of China's share in each measure behind the checkable claims (:func:`evidence_bars`), with a dashed
    line at half.

    The source line names the edition each bar uses rather than every edition of the datasets.
    """
    above = int((bars["value"] >= evidence.MAJORITY).sum())
    base = alt.Chart(bars).encode(
        x=alt.X("value:Q", title="China's share (%)", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)))
    half = alt.Chart(pd.DataFrame({"value": [evidence.MAJORITY]})).mark_rule(color="#555", strokeDash=[4, 3]).encode(
        x="value:Q")
    chart = (base.mark_bar(color=charts.CHINA).encode(
                tooltip=[alt.Tooltip("label:N", title="Measure"),
                         alt.Tooltip("value:Q", format=".1%", title="China's share"),
                         alt.Tooltip("source:N", title="Source"), alt.Tooltip("verdict:N", title="Verdict")])
             + base.mark_text(align="left", dx=4, fontSize=12).encode(text=alt.Text("value:Q", format=".0%"))
             + half).properties(width=440, height=40 * len(bars))
    subtitle = "Dashed line: half. Each bar is the latest year of its own source."
    finished = charts.finish(
        chart,
        title=f"China's share is above half in {num(above)} of the {num(len(bars))} measures behind the claims",
        subtitle=subtitle,
        description=("Bar chart of China's share in each measure used to test claims: " + "; ".join(
            f"{r.label} {pct(r.value)}" for r in bars.sort_values("value", ascending=False).itertuples()) + "."),
        sources=sorted({r for rs in bars["resources"] for r in rs.split(", ")}))
    # NOTE: the data package's source line would list every USGS edition; the bars use one edition each, so the
    # line names exactly those (the sources footer still lists every dataset read).
    used_sources = list(dict.fromkeys(bars.sort_values("value", ascending=False)["source"]))
    return finished.properties(title=alt.TitleParams(text=finished.title.text, subtitle=[
        subtitle, "Sources: " + "; ".join(used_sources[:2]) + ";", "; ".join(used_sources[2:])]))


VERDICT_COLOURS = {evidence.SUPPORTED: "#009E73", evidence.PARTLY: "#8FD1B5", evidence.NOT_SUPPORTED: "#B0B0B0",
                   evidence.CONTRADICTED: "#D55E00", evidence.NOT_CHECKABLE: "#E8E8E8"}


def verdict_chart(verdicts: pd.DataFrame, codebook: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Premises by verdict (rows) and the stance of their claim (colour), counts on the bars: every judged
    premise, and the factual premises the data cannot check. None when there is nothing to draw."""
    table = evidence.verdict_counts(verdicts)
    if not table.to_numpy().sum():
        return None
    stance_names = claims.labels("stance", codebook)
    long = table.reset_index().melt(id_vars="verdict", var_name="stance", value_name="premises")
    long["stance_label"] = long["stance"].map(stance_names)
    long["stance_order"] = long["stance"].map({s: i for i, s in enumerate(claims.STANCES)})
    long["verdict_order"] = long["verdict"].map({v: i for i, v in enumerate(evidence.VERDICTS)})
    long = long[long["premises"] > 0]
    judged = evidence.judged(verdicts)
    n_claims = judged["claim_id"].nunique()
    counts = judged["verdict"].value_counts()
    by_stance = judged.groupby("stance")["verdict"].apply(lambda s: s.isin([evidence.SUPPORTED, evidence.PARTLY]).mean())
    title = (f"{num(len(judged))} premises of {num(n_claims)} claims get a verdict: "
             f"{num(int(counts.get(evidence.SUPPORTED, 0)))} supported, "
             f"{num(int(counts.get(evidence.CONTRADICTED, 0)))} contradicted")
    y = alt.Y("verdict:N", sort=evidence.VERDICTS, title=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X("premises:Q", title="Number of premises", stack="zero"),
        y=y, color=alt.Color("stance_label:N", scale=stance_scale(codebook), title="Stance of the claim"),
        order=alt.Order("stance_order:Q"),
        tooltip=[alt.Tooltip("verdict:N", title="Verdict"), alt.Tooltip("stance_label:N", title="Stance"),
                 alt.Tooltip("premises:Q", title="Premises")])
    labels = alt.Chart(long).mark_text(color="#111", fontSize=11, dx=-7, align="right").encode(
        x=alt.X("premises:Q", stack="zero"), y=y, detail="stance_label:N", order=alt.Order("stance_order:Q"),
        text=alt.Text("premises:Q"))
    share = "; ".join(f"{stance_names[s]}: {pct(by_stance[s])}" for s in claims.STANCES if s in by_stance.index)
    return charts.finish(
        (bars + labels).properties(width=440, height=alt.Step(34)),
        title=title,
        subtitle=(f"Colour: stance of the claim. Share of judged premises supported or partly supported — {share}. "
                  "'Not checkable' counts factual premises the data do not bear on; opinions are left out."),
        description=("Stacked bar chart of claim premises by verdict and by the stance of their claim: " + "; ".join(
            f"{v} {int(table.loc[v].sum())}" for v in evidence.VERDICTS) + "."),
        sources=["claims", "claim_premises", "premise_evidence"])
