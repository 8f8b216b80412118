"""The claims-and-evidence chapter (and the codebook's section on premises): the sentences and tables written
from the verdicts of :func:`critmin.analysis.evidence.premise_verdicts`.

Each kind of fact a verdict rests on (:mod:`critmin.analysis.evidence`) is stated by one function here, so a
share, a list of records or a comparison of amounts reads the same way under every premise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import singledispatch

import pandas as pd

from critmin.analysis import evidence
from critmin.analysis.deals import MONEY_KIND_LABELS
from critmin.analysis.evidence import (
    CLEAR_LEAD,
    MAJORITY,
    NOT_CHECKABLE,
    NOT_MARGINAL,
    PLANNED_NOTABLE,
    PLANNED_TOP,
    RULES,
    VERDICTS,
    AmountFacts,
    DealSizeFacts,
    FdiFacts,
    ImportFacts,
    ListedFacts,
    ListingFacts,
    PlannedFacts,
    PriceFacts,
    Reason,
    RecordFacts,
    ShareFacts,
    family_labels,
    family_rules,
    judged,
    premise_codes,
)
from critmin.text import date_text, md_escape, num, pct, span, usd

__all__ = [
    "Chapter",
    "load",
    "judge",
    "finding",
    "value_text",
    "context_text",
    "verdicts_text",
    "rules_markdown",
    "measures_markdown",
    "checked_table",
    "unchecked_text",
    "unchecked_table",
    "premise_codes_markdown",
    "PREMISE_SECTIONS",
    "THRESHOLD_WORDS",
]


def judge(df: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The verdict on every premise of the claims in `df` (:func:`critmin.analysis.evidence.premise_verdicts`),
    with the chapter's sentences: the finding, the headline value and the context."""
    v = evidence.premise_verdicts(df, tables["claim_premises"], tables["premise_evidence"], tables)
    return v.assign(finding=v["facts"].map(finding).astype(object),
                    value_text=v["facts"].map(value_text).astype(object),
                    context=v["context_rows"].map(context_text).astype(object))


@dataclass(frozen=True, eq=False)
class Chapter:
    """Everything the chapter shows: the claims (the book's or a reader's file), the codebook, the tables the
    evidence reads, the verdict on every premise and China's share in each measure behind the claims."""

    claims: pd.DataFrame
    codebook: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    verdicts: pd.DataFrame
    measures: pd.DataFrame  # :func:`critmin.chapters.claims_charts.evidence_bars`


def load(claims_file: str = "", tables: Mapping[str, pd.DataFrame] | None = None) -> Chapter:
    """The chapter's data in one call; `claims_file` is the page's parameter (empty for the book's claims)."""
    from critmin import data
    from critmin.chapters.claims_charts import EVIDENCE_SHORT, evidence_bars
    from critmin.data.claims import load_claims_param, load_codebook

    codebook = load_codebook()
    df = load_claims_param(claims_file)
    tables = data.Tables() if tables is None else tables  # loaded on first use
    return Chapter(df, codebook, tables, judge(df, tables), evidence_bars(list(EVIDENCE_SHORT), tables))


# ---------------------------------------------------------------------------------------------- the facts


def _usd(x: float) -> str:
    return usd(x, markdown=False)


def _amount(x: float) -> str:
    """A quantity with as many decimals as it needs to be read (74 kt of rare earths would hide 73.8)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.1f}"


def _mineral(m: str) -> str:
    return m.replace("_", " ")


# What a share is a share of, by stage and mineral.
REFINING_WHAT = {"copper": "refined copper output", "rare_earths": "refining of magnet rare earths (Nd, Pr, Dy, Tb)"}
IMPORTS_WHAT = {"rare_earths": "rare-earth compounds and metals"}
THRESHOLD_WORDS = {"majority": f"at least {pct(MAJORITY)} of the world total",
                   "clear_lead": f"at least {CLEAR_LEAD:g} times the next country",
                   "not_marginal": f"at least {pct(NOT_MARGINAL)} of the total"}
# The statistics a listing rule reads, by dataset.
STATISTICS_NAMES = {"production": "USGS mine production", "production_history": "BGS production",
                    "reserves": "USGS reserves"}
ESTIMATE_NOTE = "USGS marks China's figure as an estimate."
SECONDARY_NOTE = "The IEA figures for this year are read from a third-party copy of the workbook."
PRICE_NOTE = ("Annual averages cannot show the effect of a measure taken within a year, so they are context, not "
              "part of the verdict.")
RECORD_LEADS = {"shown": "The records show it: ", "shown_unconfirmed": "The records show it, unconfirmed: ",
                "partial": "The records show part of it: ",
                "not_shown": "None of the records shows it as stated; they show: ",
                "contrary": "The records show otherwise: ", "partial_contrary": "The records show part of the contrary: ",
                "no_contrary": "No record shows the contrary among: "}
# Premises whose records are owners and lenders only: the verdict says what the records do not cover.
RECORD_CAVEATS = {
    "khan-2-reko-diq-chinese-firms-p1": ("The records are Reko Diq's owners and lenders; contractors and suppliers "
                                         "at the site are not recorded. Saindak, in the same district, is run by "
                                         "China's MCC."),
}


def _share_what(f: ShareFacts) -> str:
    if f.stage == "refining":
        return REFINING_WHAT.get(f.mineral, f"{_mineral(f.mineral)} refining")
    return f"{'rare-earth' if f.mineral == 'rare_earths' else _mineral(f.mineral)} mine production"


@singledispatch
def finding(facts) -> str:
    """What the data show, in one or two neutral sentences with the numbers."""
    if isinstance(facts, tuple):  # the parts of one premise
        return " ".join(finding(f) for f in facts)
    raise TypeError(f"no sentence for {type(facts).__name__}")


@finding.register
def _(f: ShareFacts) -> str:
    ld = f.lead
    second = f" Next: {ld.second_name}, {pct(ld.second_share)}." if ld.second_name else ""
    rank = "the largest" if ld.rank == 1 else f"number {ld.rank}"
    text = (f"China accounted for {pct(ld.share)} of world {_share_what(f)} in {f.year} "
            f"({_amount(ld.china)} of {_amount(ld.total)} {f.unit}), {rank} among the listed countries.{second}")
    if ld.rank == 1 and ld.second_name:
        text += f" China's figure is {ld.ratio:,.1f} times that of {ld.second_name}."
    if f.estimated:
        text += " " + ESTIMATE_NOTE
    if f.secondary:
        text += " " + SECONDARY_NOTE
    return text


@finding.register
def _(f: ImportFacts) -> str:
    return (f"China supplied {pct(f.share)} of the value of US imports of "
            f"{IMPORTS_WHAT.get(f.mineral, _mineral(f.mineral))} in {f.year} ({_usd(f.china_usd)} of "
            f"{_usd(f.world_usd)}, HS {', '.join(f.hs_codes)}).")


@finding.register
def _(f: FdiFacts) -> str:
    parts = []
    for fy, ld in f.years:
        place = "first" if ld.rank == 1 else f"number {ld.rank}"
        other = (f"; {'next' if ld.rank == 1 else 'largest'} {ld.second_name} US${ld.second_value:,.0f}m"
                 if ld.second_name else "")
        parts.append(f"FY{fy}: {place}, US${ld.china:,.0f}m of US${ld.total:,.0f}m ({pct(ld.share)}){other}")
    n = len(f.years)
    return (f"China was the largest source of net FDI in {f.firsts} of {n} fiscal year{'' if n == 1 else 's'} with "
            f"country data ({'; '.join(parts)}). Net FDI does not include loans such as CPEC project debt.")


@finding.register
def _(f: ListingFacts) -> str:
    if f.listed:
        return f"Pakistan is listed with rare-earth mine production of {f.listed[0]:,.0f} t in {f.listed[1]}."
    usgs_span = (f"USGS {f.usgs_editions[0]}–{f.usgs_editions[1]} ({f.usgs_years[0]}–{f.usgs_years[1]})"
                 if f.usgs_editions else "no USGS rows")
    bgs_span = f"BGS {f.bgs_years[0]}–{f.bgs_years[1]}" if f.bgs_years else "no BGS rows"
    return (f"Pakistan is not listed as a rare-earth mine producer in {usgs_span} or {bgs_span}, which together "
            f"list {f.n_countries} producing countries.")


@finding.register
def _(f: DealSizeFacts) -> str:
    comparison = ("no other amount of its kind is stated" if f.median is None else
                  f"{f.ratio:.2f} times the median of the other {f.n_others} stated amount"
                  f"{'' if f.n_others == 1 else 's'} of its kind ({_usd(f.median)})")
    return (f"At {_usd(f.amount)} the USSM–FWO MoU ranks {f.rank} of {f.n_sized} stated amounts of the kind "
            f"'{f.kind_label}' ({f.n_unsized} more of that kind state none); it is {comparison}. It is "
            f"{'a non-binding' if f.non_binding else 'not recorded as a non-binding'} MoU. Amounts of other kinds "
            f"(loans, guarantees, project costs, money spent) are not ranked with it.")


@finding.register
def _(f: PlannedFacts) -> str:
    return (f"The largest planned output ({_amount(f.planned)} {f.unit} a year, after expansion) would be "
            f"{pct(f.share, 1)} of world mine output in {f.year} ({_amount(f.world)} {f.unit}) and would rank "
            f"{f.rank} among the producers listed; the largest, {f.top_name}, produced {pct(f.top_share)}.")


@finding.register
def _(f: ListedFacts) -> str:
    read = ", ".join(f"{STATISTICS_NAMES.get(d, d)} ({span(a, b)})" for d, a, b in f.read)
    parts = [f"{_mineral(m)}: listed in {', '.join(f'{d} {span(a, b)}' for d, a, b in f.found[m])}"
             if m in f.found else f"{_mineral(m)}: not listed" for m in f.minerals]
    return f"Pakistan with a positive amount in the statistics read ({read}) — " + "; ".join(parts) + "."


def _kind_text(c) -> str:
    label = MONEY_KIND_LABELS.get(c.kind, c.kind).lower()
    if c.held is None:
        return f"{label}: {_usd(c.amount)}, no other stated amount of this kind to compare"
    if c.test == "largest":
        return (f"{label}: {_usd(c.amount)} against at most {_usd(c.top[1])} ({c.top[0]}), "
                f"{'the largest' if c.held else 'not the largest'} of {c.n_others + 1}")
    return (f"{label}: {_usd(c.amount)}, rank {c.rank} of {c.n_others + 1} stated amounts, "
            f"{'below' if c.held else 'not below'} the median of the others ({_usd(c.median)})")


@finding.register
def _(f: AmountFacts) -> str:
    parts = [_kind_text(c) for c in f.comparisons]
    if f.non_binding is not None:
        parts.append("non-binding" if f.non_binding else "not recorded as non-binding")
    if not f.held:
        return "No stated amount of the same kind to compare: " + "; ".join(parts) + "."
    return ("Compared only within each kind of money — " + "; ".join(parts)
            + ". Amounts of other kinds are not added or ranked with them.")


def row_text(dataset: str, r: pd.Series) -> str:
    """One record (an event, a deal, an indicator, an FDI row) in a few words."""
    if dataset == "events":
        return f"“{r['title']}” ({date_text(r['date'], r['date_precision'])})"
    if dataset == "deals":
        when = date_text(r["date"], r["date_precision"]) if pd.notna(r["date"]) else "undated"
        amount = "" if pd.isna(r["amount_usd"]) else f", {_usd(float(r['amount_usd']))}"
        kind = MONEY_KIND_LABELS.get(r["money_kind"], r["money_kind"]).lower()
        return f"{r['name']} ({when}{amount}, {kind}, {r['status']})"
    if dataset == "pakistan_indicators":
        value = _usd(float(r["value"])) if r["unit"] == "usd" else f"{r['value']:,.4g} {r['unit']}"
        return f"{r['label']} {r['year']}: {value}"
    if dataset == "pakistan_fdi":
        return f"{r['country']} FY{r['fiscal_year']}: US${r['value']:,.0f}m"
    return ", ".join(str(r[c]) for c in list(r.index)[:4])


def rows_text(dataset: str, rows: pd.DataFrame, limit: int = 5) -> str:
    """The first `limit` records, and how many more."""
    items = [row_text(dataset, r) for _, r in rows.head(limit).iterrows()]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(items) + more


def price_text(f: PriceFacts) -> str:
    parts = [f"{s.basis} US$" + ", ".join(f"{v:,.0f} in {y}" + (" (estimate)" if est else "") for y, v, est in s.points)
             for s in f.series]
    return f"Annual average prices ({f.source}, US$ per kg): " + "; ".join(parts) + ". " + PRICE_NOTE


@finding.register
def _(f: RecordFacts) -> str:
    if f.outcome == "no_rows":
        return "The records hold no row on this."
    text = RECORD_LEADS[f.outcome] + "; ".join(rows_text(d, rows) for d, rows in f.rows) + "."
    if f.premise_id in RECORD_CAVEATS:
        text += " " + RECORD_CAVEATS[f.premise_id]
    if f.prices:
        text += " " + price_text(f.prices)
    return text


@finding.register
def _(f: Reason) -> str:
    return {"plan_or_world": "The plan or the world output is missing from the data."}.get(f.missing, f.text)


@singledispatch
def value_text(facts) -> str:
    """The headline number of a verdict, as the table of judged premises shows it ('' when there is none)."""
    if isinstance(facts, tuple):
        return "; ".join(value_text(f) for f in facts)
    return ""


@value_text.register
def _(f: ShareFacts) -> str:
    return pct(f.lead.share)


@value_text.register
def _(f: ImportFacts) -> str:
    return pct(f.share)


@value_text.register
def _(f: FdiFacts) -> str:
    return pct(f.years[-1][1].share)


@value_text.register
def _(f: ListingFacts) -> str:
    return "not listed" if not f.listed else f"{f.listed[0]:,.0f} t"


@value_text.register
def _(f: DealSizeFacts) -> str:
    return f"rank {f.rank} of {f.n_sized} ({f.kind_label})"


@value_text.register
def _(f: PlannedFacts) -> str:
    return pct(f.share, 1)


@value_text.register
def _(f: ListedFacts) -> str:
    return f"{f.n_listed} of {len(f.minerals)} listed" if f.n_listed else "not listed"


@value_text.register
def _(f: RecordFacts) -> str:
    return "" if f.outcome == "no_rows" else f"{sum(len(rows) for _, rows in f.rows)} record(s)"


def context_text(context_rows) -> str:
    """The context evidence of a premise: each note, with the first records of events and deals."""
    return "; ".join(f"{note} ({rows_text(d, rows, 3)})" if d in ("events", "deals") and len(rows) else note
                     for note, d, rows in context_rows)


# ---------------------------------------------------------------------------------------------- the chapter


def verdicts_text(df: pd.DataFrame, verdicts: pd.DataFrame) -> str:
    """How many claims and premises there are, of which kinds, and the count of each verdict."""
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
    u = verdicts[verdicts["verdict"] == NOT_CHECKABLE]
    factual = int((u["kind"] == "factual").sum())
    return (f"{num(len(u))} premises get no verdict: {num(int((u['kind'] == 'opinion').sum()))} opinions, "
            f"{num(int((u['kind'] == 'forecast').sum()))} forecasts and {num(factual)} factual premises the book's "
            "data do not bear on. The factual ones are listed with the reason; forecasts with data since are shown "
            "for context.")


def unchecked_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Factual premises and forecasts without a verdict, with the reason (opinions are left out: none is checkable)."""
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
