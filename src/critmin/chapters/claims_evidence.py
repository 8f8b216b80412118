"""The claims-and-evidence chapter (and the codebook's section on premises): the sentences and tables written
from the verdicts of :func:`critmin.analysis.evidence.premise_verdicts`."""

from __future__ import annotations

import pandas as pd

from critmin.analysis.evidence import (
    NOT_CHECKABLE,
    PLANNED_NOTABLE,
    PLANNED_TOP,
    RULES,
    THRESHOLD_WORDS,
    VERDICTS,
    family_labels,
    family_rules,
    judged,
    premise_codes,
)
from critmin.text import md_escape

__all__ = [
    "verdicts_text",
    "rules_markdown",
    "measures_markdown",
    "checked_table",
    "unchecked_text",
    "unchecked_table",
    "premise_codes_markdown",
    "PREMISE_SECTIONS",
]




def verdicts_text(df: pd.DataFrame, verdicts: pd.DataFrame) -> str:
    """How many claims and premises there are, of which kinds, and the count of each verdict."""
    from critmin.text import num

    if verdicts.empty:
        return (f"None of the **{num(len(df))} claims** has premises coded in the data package (premises are matched "
                "to claims by claim_id), so none is judged.")
    kinds = verdicts["kind"].value_counts()
    j = judged(verdicts)
    counts = j["verdict"].value_counts()
    parts = [f"{num(counts[v])} {v}" for v in VERDICTS[:-1] if counts.get(v, 0)]
    factual_unchecked = int(((verdicts["kind"] == "factual") & (verdicts["verdict"] == NOT_CHECKABLE)).sum())
    no_premise = len(set(df["claim_id"]) - set(verdicts["claim_id"])) if len(verdicts) else len(df)
    text = (f"The **{num(len(df))} claims** rest on **{num(len(verdicts))} premises**: "
            f"{num(kinds.get('factual', 0))} factual, {num(kinds.get('opinion', 0))} opinions or judgements and "
            f"{num(kinds.get('forecast', 0))} forecasts. **{num(len(j))} premises** get a verdict from a rule "
            f"({num(j['claim_id'].nunique())} claims): " + (", ".join(parts[:-1]) + " and " + parts[-1]
                                                         if len(parts) > 1 else (parts[0] if parts else "none"))
            + f". {num(factual_unchecked)} factual premises are not checkable with the book's data, each with the "
            "reason; opinions get no verdict, and forecasts none except a stated plan set against current output.")
    if no_premise:
        text += f" {num(no_premise)} claims of the file have no premises coded and are not judged."
    return text


def rules_markdown() -> str:
    """The rule of every family, as a list: fixed before any claim is read, the same for every side."""
    labels, rules = family_labels(), family_rules()
    extra = {"share_threshold": " Thresholds: " + "; ".join(
        f"{w}: {t}" for w, t in (("'dominates'", THRESHOLD_WORDS["majority"]),
                                 ("a 'hold' or 'leading position'", THRESHOLD_WORDS["clear_lead"]),
                                 ("'trades with'", THRESHOLD_WORDS["not_marginal"]))) + ".",
             "planned_share_of_world": f" 'Among the largest' is read as the top {PLANNED_TOP}, 'notable' as the "
                                       f"top {PLANNED_NOTABLE}."}
    return "\n".join(f"- **{labels[f]}.** {rules[f]}{extra.get(f, '')}" for f in RULES if f in rules)


def measures_markdown(verdicts: pd.DataFrame) -> str:
    """One Markdown section per rule family: each judged premise with its claim (linked), evidence, context,
    verdict and the family's rule beside it."""
    from critmin.text import date_text

    esc = md_escape
    labels = family_labels()
    j = judged(verdicts)
    blocks = []
    for fam in RULES:
        rows = j[j["rule_family"] == fam]
        if rows.empty:
            continue
        items = []
        for r in rows.itertuples():
            ctx = f" *Context:* {esc(r.context)}." if r.context else ""
            src = f" ({esc(r.source)}{', ' + esc(r.year) if r.year else ''})" if r.source else ""
            items.append(
                f"- **{esc(r.speaker)}** ([{date_text(r.date, r.date_precision)}]({r.source_url})), premise: "
                f"“{esc(r.premise)}” — **{r.verdict}.** *Evidence*{src}: {esc(r.finding)}{ctx}")
        blocks.append(f"### {esc(labels[fam])}\n\n*Rule:* {esc(family_rules()[fam])}\n\n" + "\n".join(items))
    return "\n\n".join(blocks)


def checked_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The judged premises as the chapter's table shows them."""
    labels = family_labels()
    j = judged(verdicts)
    table = j.assign(rule_label=j["rule_family"].map(labels))[
        ["speaker", "premise", "rule_label", "value_text", "verdict"]]
    table.columns = ["Speaker", "Premise (paraphrase)", "Rule", "Evidence", "Verdict"]
    return table.reset_index(drop=True)


def unchecked_text(verdicts: pd.DataFrame) -> str:
    from critmin.text import num

    u = verdicts[verdicts["verdict"] == NOT_CHECKABLE]
    factual = int((u["kind"] == "factual").sum())
    return (f"{num(len(u))} premises get no verdict: {num(int((u['kind'] == 'opinion').sum()))} opinions, "
            f"{num(int((u['kind'] == 'forecast').sum()))} forecasts and {num(factual)} factual premises the book's "
            "data do not bear on. The factual ones are listed with the reason; forecasts with data since are shown "
            "for context.")


def unchecked_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Factual premises and forecasts without a verdict, with the reason (opinions are left out: none is checkable)."""
    from critmin.text import date_text

    u = verdicts[(verdicts["verdict"] == NOT_CHECKABLE) & (verdicts["kind"] != "opinion")]
    u = u.sort_values(["date", "premise_id"])
    nc = pd.DataFrame({"Date": [date_text(d, p) for d, p in zip(u["date"], u["date_precision"], strict=True)],
                       "Speaker": u["speaker"].to_numpy(), "Premise (paraphrase)": u["premise"].to_numpy(),
                       "Kind": u["kind"].to_numpy(), "Why no verdict": u["finding"].to_numpy(),
                       "What the data show since, or beside it": u["context"].fillna("").to_numpy()})
    return nc


PREMISE_SECTIONS = {"kind": "Kinds of premise", "rule_family": "Rule families", "grade": "Grades"}


def premise_codes_markdown(df: pd.DataFrame, premises: pd.DataFrame) -> str:
    """The codebook page's section on premises: each kind, rule family and grade with its definition, its rule
    and how many premises of the claims in `df` carry it (grades are computed, so they are not counted here)."""
    from critmin.text import num

    esc = md_escape
    p = premises[premises["claim_id"].isin(df["claim_id"])]
    codes = premise_codes()
    parts = [f"## Premises and their rules\n\nEach claim is split into premises ({num(len(p))} for "
             f"{num(p['claim_id'].nunique())} claims). A premise has a kind, a rule family and, when it is "
             "checkable, a grade given by the rule of its family on the claims-and-evidence page."]
    for t, title in PREMISE_SECTIONS.items():
        items = []
        for r in codes[codes["code_type"] == t].itertuples():
            n = f" *({num(int((p[t] == r.code).sum()))} premises.)*" if t in p.columns else ""
            items.append(f"- **{esc(r.label)}** (`{r.code}`): {esc(r.definition)} *Rule:* {esc(r.rule)}{n}")
        parts.append(f"### {title}\n\n" + "\n".join(items))
    return "\n\n".join(parts)
