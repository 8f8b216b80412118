"""Evidence for checkable claims: one function per metric id of the claims codebook.

Each function computes the number behind a claim's factual premise from the book's own data and applies a
stated rule to reach a verdict. It returns an `Evidence` record: the number, the year it refers to, the
data-package resources and the publisher's edition it comes from, a neutral one-sentence finding, the
verdict and the rule that produced it. Every function takes the tables it needs as optional arguments (the
package's data when omitted), so the rules can be tested on small hand-made tables.

A verdict judges only the premise a metric measures, never a speaker's motives or forecasts: the claim
"China dominates rare-earth mining" is tested by China's share of world mine output, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd

from critmin import data
from critmin.analysis import claims as claims_mod
from critmin.analysis.deals import DEAL_ID
from critmin.data import countries
from critmin.data import package as datapackage
from critmin.text import usd as _usd_text


def usd_plain(x: float) -> str:
    return _usd_text(x, markdown=False)

SUPPORTED = "supported"
PARTLY = "partly supported"
NOT_SUPPORTED = "not supported"
NOT_CHECKABLE = "not checkable with our data"
VERDICTS = [SUPPORTED, PARTLY, NOT_SUPPORTED, NOT_CHECKABLE]

# Thresholds of the rules. NOTE: these are judgement calls, stated on the page next to each verdict:
# 'dominates' is read as at least half of world output, a 'hold' or 'clear lead' as at least twice the
# next country, and 'trades with the US' as a share of US imports that is not marginal.
MAJORITY = 0.5
CLEAR_LEAD = 2.0
NOT_MARGINAL = 0.10


@dataclass(frozen=True)
class Evidence:
    metric: str
    value: float | None  # the headline number: a share (0–1), a rank or a count, see value_text
    value_text: str  # the headline number as shown on the page
    year: str  # the year (or years, fiscal years) the number refers to
    resources: tuple[str, ...]  # data-package resource names
    source: str  # publisher and edition of the number
    finding: str  # one neutral sentence with the numbers
    verdict: str  # one of VERDICTS
    rule: str  # the rule that produced the verdict

    def as_dict(self) -> dict:
        d = asdict(self)
        d["resources"] = ", ".join(self.resources)
        return d


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _amount(x: float) -> str:
    """A quantity with as many decimals as it needs to be read (74 kt of rare earths would hide 73.8)."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.1f}"


def _name(row) -> str:
    """Display name of a country row: the ISO name where there is a code (SBP writes 'Hongkong')."""
    iso3 = row.get("iso3")
    return countries.to_name(iso3) if isinstance(iso3, str) and iso3 else str(row["country"])


def _source_short(resource: str, token: str | None = None) -> str:
    """The `short` citation of the resource's source whose text contains `token` (e.g. an edition year)."""
    sources = datapackage.resource(resource).get("sources", [])
    for s in sources:
        if token and token in (s.get("short", "") + " " + s.get("edition", "")):
            return s.get("short", "")
    return sources[0].get("short", "") if sources else resource


# ---------------------------------------------------------------------------------------------- shares


def _ranked(rows: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """Country rows with a value, largest first (ties by name)."""
    c = rows[(rows["row_kind"] == "country") & rows[value].notna()]
    return c.sort_values([value, "country"], ascending=[False, True], ignore_index=True)


def _lead(rows: pd.DataFrame) -> dict:
    """China's value, the world total, China's share of it, its rank and the runner-up among countries."""
    ranked = _ranked(rows)
    world = rows.loc[rows["row_kind"] == "world_total", "value"]
    if world.empty or ranked.empty:
        raise ValueError("the table needs country rows and a world_total row")
    total = float(world.iloc[0])
    china = ranked[ranked["iso3"] == "CHN"]
    if china.empty:
        raise ValueError("China has no row in the table")
    rank = int(china.index[0]) + 1
    others = ranked[ranked["iso3"] != "CHN"]
    second = others.iloc[0] if len(others) else None
    value = float(china["value"].iloc[0])
    return {"china": value, "total": total, "share": value / total, "rank": rank,
            "second_name": None if second is None else _name(second),
            "second_value": None if second is None else float(second["value"])}


def _dominance_verdict(lead: dict) -> str:
    if lead["rank"] != 1:
        return NOT_SUPPORTED
    return SUPPORTED if lead["share"] >= MAJORITY else PARTLY


DOMINANCE_RULE = (f"Supported if China is the largest producer and has at least {_pct(MAJORITY)} of the world total; "
                  f"partly supported if it is the largest with less; not supported if another country produces more.")


def _lead_sentence(lead: dict, what: str, year: int, unit: str) -> str:
    second = (f" Next: {lead['second_name']}, {_pct(lead['second_value'] / lead['total'])}."
              if lead["second_name"] else "")
    rank = "the largest" if lead["rank"] == 1 else f"number {lead['rank']}"
    return (f"China accounted for {_pct(lead['share'])} of world {what} in {year} "
            f"({_amount(lead['china'])} of {_amount(lead['total'])} {unit}), {rank} among the listed "
            f"countries.{second}")


def china_share_mine_rare_earths(production: pd.DataFrame | None = None) -> Evidence:
    """China's share of world rare-earth mine production (USGS world total), latest year in the table."""
    p = data.load("production") if production is None else production
    rows = p[(p["mineral"] == "rare_earths") & (p["stage"] == "mine")]
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    lead = _lead(rows)
    edition = str(rows["edition"].iloc[0])
    estimated = rows.loc[rows["iso3"] == "CHN", "flag"].eq("estimated").any()
    note = " USGS marks the figure as an estimate." if estimated else ""
    return Evidence(
        metric="china_share_mine_rare_earths", value=lead["share"], value_text=_pct(lead["share"]),
        year=str(year), resources=("production",), source=_source_short("production", edition[-4:]),
        finding=_lead_sentence(lead, "rare-earth mine production", year, "t rare-earth-oxide equivalent") + note,
        verdict=_dominance_verdict(lead), rule=DOMINANCE_RULE)


def _iea_latest(refining: pd.DataFrame, mineral: str) -> tuple[pd.DataFrame, str, int, bool]:
    rows = refining[(refining["mineral"] == mineral) & (refining["stage"] == "refining")]
    edition = sorted(rows["edition"].unique())[-1]
    rows = rows[rows["edition"] == edition]
    return rows, str(edition), int(rows["year"].max()), bool(rows["secondary"].any())


def china_share_refining_rare_earths(refining: pd.DataFrame | None = None) -> Evidence:
    """China's share of world refining of the four magnet rare earths (IEA total row), latest IEA edition."""
    r = data.load("refining") if refining is None else refining
    rows, edition, year, secondary = _iea_latest(r, "rare_earths")
    lead = _lead(rows)
    note = " The IEA figures for this year are read from a third-party copy of the workbook." if secondary else ""
    return Evidence(
        metric="china_share_refining_rare_earths", value=lead["share"], value_text=_pct(lead["share"]),
        year=str(year), resources=("refining",), source=_source_short("refining", edition[-4:]),
        finding=_lead_sentence(lead, "refining of magnet rare earths (Nd, Pr, Dy, Tb)", year, "kt") + note,
        verdict=_dominance_verdict(lead), rule=DOMINANCE_RULE)


COPPER_RULE = (f"Supported if China is the largest refiner and refines at least {CLEAR_LEAD:g} times as much as the "
               f"next country; partly supported if it is the largest by a smaller margin; not supported if another "
               f"country refines more.")


def china_share_refining_copper(refining: pd.DataFrame | None = None) -> Evidence:
    """China's share of world refined copper output and its lead over the next refiner, latest IEA edition.
    The claim tested is a 'hold' on refining, so the rule asks for a clear lead rather than a majority."""
    r = data.load("refining") if refining is None else refining
    rows, edition, year, secondary = _iea_latest(r, "copper")
    lead = _lead(rows)
    ratio = lead["china"] / lead["second_value"] if lead["second_value"] else float("inf")
    if lead["rank"] != 1:
        verdict = NOT_SUPPORTED
    else:
        verdict = SUPPORTED if ratio >= CLEAR_LEAD else PARTLY
    times = f" China refined {ratio:,.1f} times as much as {lead['second_name']}." if lead["rank"] == 1 else ""
    note = " The IEA figures for this year are read from a third-party copy of the workbook." if secondary else ""
    return Evidence(
        metric="china_share_refining_copper", value=lead["share"], value_text=_pct(lead["share"]),
        year=str(year), resources=("refining",), source=_source_short("refining", edition[-4:]),
        finding=_lead_sentence(lead, "refined copper output", year, "kt") + times + note,
        verdict=verdict, rule=COPPER_RULE)


# ---------------------------------------------------------------------------------------------- Pakistan


FDI_RULE = ("Supported if China is the largest source of net FDI into Pakistan in every fiscal year with "
            "country data; partly supported if in some of them; not supported if in none.")


def china_largest_fdi_source(fdi: pd.DataFrame | None = None) -> Evidence:
    """China's rank and share among source countries of net FDI into Pakistan, each fiscal year with country
    rows (Hong Kong is its own row and is not added to China)."""
    f = data.load("pakistan_fdi") if fdi is None else fdi
    net = f[f["measure"] == "net"]
    years = sorted(int(y) for y in net.loc[net["row_kind"] == "country", "fiscal_year"].unique())
    if not years:
        raise ValueError("no country rows in the FDI table")
    parts, firsts, shares = [], 0, []
    for fy in years:
        rows = net[net["fiscal_year"] == fy]
        lead = _lead(rows)
        firsts += lead["rank"] == 1
        shares.append(lead["share"])
        place = "first" if lead["rank"] == 1 else f"number {lead['rank']}"
        other = ""
        if lead["second_name"]:
            other = (f"; {'next' if lead['rank'] == 1 else 'largest'} {lead['second_name']} "
                     f"US${lead['second_value']:,.0f}m")
        parts.append(f"FY{fy}: {place}, US${lead['china']:,.0f}m of US${lead['total']:,.0f}m "
                     f"({_pct(lead['share'])}){other}")
    verdict = SUPPORTED if firsts == len(years) else (PARTLY if firsts else NOT_SUPPORTED)
    span = f"FY{years[0]}" if len(years) == 1 else f"FY{years[0]}–FY{years[-1]}"
    return Evidence(
        metric="china_largest_fdi_source", value=shares[-1], value_text=_pct(shares[-1]), year=span,
        resources=("pakistan_fdi",), source=_source_short("pakistan_fdi"),
        finding=(f"China was the largest source of net FDI in {firsts} of {len(years)} fiscal "
                 f"year{'' if len(years) == 1 else 's'} with country "
                 f"data ({'; '.join(parts)}). Net FDI does not include loans such as CPEC project debt."),
        verdict=verdict, rule=FDI_RULE)


PAKISTAN_RULE = ("Supported if no USGS edition and no BGS year in the book lists Pakistan with rare-earth mine "
                 "production; not supported if any lists a positive amount.")


def pakistan_share_world_production_rare_earths(production: pd.DataFrame | None = None,
                                                history: pd.DataFrame | None = None) -> Evidence:
    """Pakistan's rare-earth mine production and share of the world, in every USGS edition (production)
    and BGS year (production_history) in the book. 'Not listed' is reported as such, never as zero."""
    p = data.load("production") if production is None else production
    h = data.load("production_history") if history is None else history
    usgs = p[(p["mineral"] == "rare_earths") & (p["stage"] == "mine")]
    bgs = h[(h["mineral"] == "rare_earths") & (h["stage"] == "mine")]
    listed = pd.concat([usgs.loc[usgs["iso3"] == "PAK", ["year", "value"]], bgs.loc[bgs["iso3"] == "PAK", ["year", "value"]]])
    positive = listed[listed["value"].fillna(0) > 0]
    countries = pd.concat([usgs.loc[usgs["row_kind"] == "country", "iso3"], bgs.loc[bgs["row_kind"] == "country", "iso3"]])
    n_countries = countries.dropna().nunique()
    eds = sorted(usgs["edition"].unique())
    usgs_span = f"USGS {eds[0]}–{eds[-1]} ({int(usgs['year'].min())}–{int(usgs['year'].max())})" if eds else "no USGS rows"
    bgs_span = f"BGS {int(bgs['year'].min())}–{int(bgs['year'].max())}" if len(bgs) else "no BGS rows"
    if positive.empty:
        verdict = SUPPORTED
        value, text = None, "not listed"
        finding = (f"Pakistan is not listed as a rare-earth mine producer in {usgs_span} or {bgs_span}, which "
                   f"together list {n_countries} producing countries.")
        year = f"{int(min(usgs['year'].min(), bgs['year'].min() if len(bgs) else 9999))}–{int(usgs['year'].max())}"
    else:
        verdict = NOT_SUPPORTED
        last = positive.sort_values("year").iloc[-1]
        value, text = float(last["value"]), f"{float(last['value']):,.0f} t"
        finding = f"Pakistan is listed with rare-earth mine production of {text} in {int(last['year'])}."
        year = str(int(last["year"]))
    return Evidence(
        metric="pakistan_share_world_production_rare_earths", value=value, value_text=text, year=year,
        resources=("production", "production_history"),
        source=f"{_source_short('production', eds[-1][-4:] if eds else None)}; {_source_short('production_history')}",
        finding=finding, verdict=verdict, rule=PAKISTAN_RULE)


# ---------------------------------------------------------------------------------------------- trade, deals


IMPORTS_RULE = (f"Supported if China supplies at least {_pct(NOT_MARGINAL)} of the value of US rare-earth imports "
                f"in the latest year; partly supported if it supplies less but more than nothing; not supported if "
                f"it supplies none.")


def china_share_us_imports_rare_earths(us_imports: pd.DataFrame | None = None) -> Evidence:
    """China's share of the value of US imports of rare-earth compounds and metals (UN Comtrade), latest year:
    China rows summed over the rare-earth HS codes divided by the World rows."""
    u = data.load("us_imports") if us_imports is None else us_imports
    rows = u[u["mineral"] == "rare_earths"]
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    china = float(rows.loc[rows["partner"] == "China", "value_usd"].sum())
    world = float(rows.loc[rows["partner"] == "World", "value_usd"].sum())
    if world <= 0:
        raise ValueError(f"no US rare-earth imports from the world in {year}")
    share = china / world
    verdict = SUPPORTED if share >= NOT_MARGINAL else (PARTLY if share > 0 else NOT_SUPPORTED)
    codes = ", ".join(sorted(rows["hs_code"].unique()))
    return Evidence(
        metric="china_share_us_imports_rare_earths", value=share, value_text=_pct(share), year=str(year),
        resources=("us_imports",), source=_source_short("us_imports"),
        finding=(f"China supplied {_pct(share)} of the value of US imports of rare-earth compounds and metals in "
                 f"{year} ({usd_plain(china)} of {usd_plain(world)}, HS {codes})."),
        verdict=verdict, rule=IMPORTS_RULE)


DEAL_RULE = ("The data cannot show intent, so the strongest verdict is partly supported: partly supported if the "
             "USSM–FWO MoU is non-binding and its amount is below the median of the other deals' stated amounts; "
             "not supported otherwise.")


def deal_size_vs_other_deals(deals: pd.DataFrame | None = None, deal_id: str = DEAL_ID) -> Evidence:
    """The USSM–FWO headline amount against the other deals with a stated amount: its rank, its ratio to
    their median, its rank among US-side deals, and how many deals are non-binding MoUs. Amounts of
    different kinds are compared, never added."""
    d = data.load("deals") if deals is None else deals
    deal = d[d["deal_id"] == deal_id]
    if deal.empty:
        raise ValueError(f"deal {deal_id!r} is not in the deals table")
    deal = deal.iloc[0]
    amount = float(deal["amount_usd"])
    stated = d[d["amount_usd"].notna()]
    others = stated[stated["deal_id"] != deal_id]
    median = float(others["amount_usd"].median())
    rank = int((stated["amount_usd"] > amount).sum()) + 1
    us = stated[stated["us_side"].fillna(False).astype(bool)]
    us_rank = int((us["amount_usd"] > amount).sum()) + 1
    binding = deal["binding"]
    non_binding = bool(pd.notna(binding) and not bool(binding))
    mous = d[(d["money_kind"] == "mou_intent") & (d["binding"].fillna(True) == False)]  # noqa: E712
    ratio = amount / median
    us_place = "is the smallest" if us_rank == len(us) else f"ranks {us_rank}"
    verdict = PARTLY if (non_binding and amount < median) else NOT_SUPPORTED
    dates = stated["date"].dropna()
    span = "" if dates.empty else f"{dates.min():%Y}" + (f"–{dates.max():%Y}" if dates.max().year != dates.min().year else "")
    return Evidence(
        metric="deal_size_vs_other_deals", value=ratio, value_text=f"{ratio:.2f} × median", year=span,
        resources=("deals",), source=f"{deal['source_outlet']} for the MoU; each deal's own source for the others",
        finding=(f"At {usd_plain(amount)} the USSM–FWO MoU ranks {rank} of {len(stated)} deals with a stated amount and "
                 f"{us_place} of the {len(us)} with a US party; it is {ratio:.2f} times the median of the other deals "
                 f"({usd_plain(median)}). It is {'a non-binding' if non_binding else 'not described as a non-binding'} "
                 f"MoU, one of {len(mous)} non-binding MoUs in the table. The amounts are of different kinds "
                 f"(loans, project costs, MoU intentions) and are compared, not added."),
        verdict=verdict, rule=DEAL_RULE)


# ---------------------------------------------------------------------------------------------- all claims


METRICS: dict[str, Callable[[], Evidence]] = {
    "china_share_mine_rare_earths": china_share_mine_rare_earths,
    "china_share_refining_rare_earths": china_share_refining_rare_earths,
    "china_share_refining_copper": china_share_refining_copper,
    "china_largest_fdi_source": china_largest_fdi_source,
    "deal_size_vs_other_deals": deal_size_vs_other_deals,
    "pakistan_share_world_production_rare_earths": pakistan_share_world_production_rare_earths,
    "china_share_us_imports_rare_earths": china_share_us_imports_rare_earths,
}


def evaluate(metric: str) -> Evidence:
    """The evidence for one metric id of the codebook."""
    if metric not in METRICS:
        raise KeyError(f"no evidence function for metric {metric!r}; known: {', '.join(METRICS)}")
    return METRICS[metric]()


def checked_claims(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per checkable claim with its evidence (columns of Evidence), sorted by metric order in
    METRICS, then date and claim_id. Each metric is computed once."""
    df = claims_mod.load_claims() if df is None else df
    chk = df[df["checkable"].fillna(False).astype(bool)].copy()
    results = {m: evaluate(m).as_dict() for m in METRICS if m in set(chk["metric"])}
    ev = pd.DataFrame([results[m] for m in chk["metric"]], index=chk.index)
    out = pd.concat([chk[["claim_id", "speaker", "speaker_group", "date", "outlet", "source_url", "claim",
                          "stance"]], ev], axis=1)
    out["metric_order"] = out["metric"].map({m: i for i, m in enumerate(METRICS)})
    return out.sort_values(["metric_order", "date", "claim_id"], ignore_index=True).drop(columns="metric_order")


# Why a claim cannot be tested with the book's data. NOTE: the default covers judgements, forecasts and
# recommendations; the claims below contain a factual statement the data do not record, and say which.
JUDGEMENT = "A judgement, forecast or recommendation rather than a measurable quantity."
NOT_RECORDED = {
    "khan-2-reko-diq-chinese-firms": ("The book records financing and deals, not which companies work at a mine "
                                      "site or their plans to leave."),
    "khan-3-japan-irks-beijing": "Beijing's reaction is not measured; the book records no Japanese stake in Reko Diq.",
    "khan-4-investment-loss": "A forecast; FDI data show past flows, not the cause of a future fall.",
    "lin-1-kept-informed": "A statement about diplomatic contacts, which no dataset in the book records.",
    "lin-2-rumours": "The book's Pakistan trade data are totals by partner, not by commodity, so rare-earth flows are not visible.",
    "hastie-1-first-shipment": "Single shipments are not in the book's data.",
    "sultan-1-antimony": "Buyers and middlemen in the antimony trade are not in the book's data.",
    "jovanovic-1-exim-loan": "The loan is in the deals table, but the claim's point (fairness of supply chains) is a judgement.",
    "baker-2-exim-jobs": "The loan is in the deals table, but jobs created are not in the book's data.",
    "baskaran-1-money-flows": "Whether money has flowed under earlier US memoranda is not in the book's data.",
    "major-moore-1-reko-diq-review": "Company spending plans and security reviews are not in the book's data.",
    "munir-1-treasure": "Reserves of rare earths in Pakistan are not quantified in the book's data.",
    "sharif-1-goodbye-imf": "A conditional forecast about debt; the book holds no projection of mineral revenue.",
}


def reko_diq_chinese_financing(deals: pd.DataFrame | None = None) -> int:
    """Number of Reko Diq deals in the deals table with a Chinese party (context for the Reko Diq claims)."""
    d = data.load("deals") if deals is None else deals
    reko = d[d["deal_id"].str.startswith("reko-diq") | d["name"].str.contains("Reko Diq", regex=False)]
    return int(reko["china_side"].fillna(False).astype(bool).sum())


def unchecked_claims(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim that is not checkable, with the reason, sorted by date and claim_id."""
    df = claims_mod.load_claims() if df is None else df
    out = df[~df["checkable"].fillna(False).astype(bool)].copy()
    out["reason"] = out["claim_id"].map(lambda c: NOT_RECORDED.get(c, JUDGEMENT))
    out["verdict"] = NOT_CHECKABLE
    return out.sort_values(["date", "claim_id"], ignore_index=True)[
        ["claim_id", "speaker", "speaker_group", "date", "outlet", "claim", "stance", "reason", "verdict"]]


# --- The chapter's prose and tables ----------------------------------------------------------------------------
# Sentences and tables of the claims-against-the-evidence chapter, written from checked_claims and
# unchecked_claims; every count in them is computed.

def verdicts_text(df: pd.DataFrame, checked: pd.DataFrame, unchecked: pd.DataFrame) -> str:
    """How many claims the data can test, through how many measures, and the count of each verdict."""
    from critmin.text import num

    counts = checked["verdict"].value_counts()
    parts = [f"{num(counts[v])} {v}" for v in VERDICTS if counts.get(v, 0)]
    return (f"Of the **{num(len(df))} claims** in the table, **{num(len(checked))}** have a factual premise "
            f"that the book's data can test, through {num(checked['metric'].nunique())} measures. Their verdicts: "
            + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
            + f". The other **{num(len(unchecked))}** claims are judgements, forecasts or facts our data do not "
            "record; they are listed at the end with the reason.")


def metrics_used(checked: pd.DataFrame) -> list[str]:
    """The metric ids behind the checked claims, in the order of METRICS."""
    return [m for m in METRICS if m in set(checked["metric"])]


def thresholds_text() -> str:
    """The thresholds the rules use, stated as numbers so readers can apply their own."""
    from critmin.text import pct

    return ("Each measure's rule is stated with its verdict below. "
            f"The thresholds (at least {pct(MAJORITY)} of world output for \"dominates\", at least "
            f"{CLEAR_LEAD:g} times the next country for a \"hold\", {pct(NOT_MARGINAL)} of imports "
            "for \"trades with the US\") are our reading of the words the speakers used; the numbers are shown so "
            "readers can apply their own.")


def measures_markdown(checked: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """One Markdown section per measure: the claims it tests (paraphrased, linked), its evidence and verdict."""
    esc = claims_mod.md_escape
    metric_names = claims_mod.labels("metric", codebook)
    blocks = []
    for m in metrics_used(checked):
        rows = checked[checked["metric"] == m]
        ev = rows.iloc[0]
        who = "\n".join(
            f"- {esc(r.speaker)} ({'' if r.outlet in r.speaker else esc(r.outlet) + ', '}"
            f"[{r.date:%B %Y}]({r.source_url})): “{esc(r.claim)}”"
            for r in rows.itertuples())
        blocks.append(
            f"### {esc(metric_names[m])}\n\n**Claims tested** (paraphrased):\n\n{who}\n\n"
            f"**Evidence** ({esc(ev['source'])}, {esc(ev['year'])}): {esc(ev['finding'])}\n\n"
            f"**Verdict: {ev['verdict']}.** Rule: {esc(ev['rule'])}")
    return "\n\n".join(blocks)


def checked_table(checked: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """The checkable claims as the chapter's table shows them, with readable column names."""
    table = checked.assign(measure=checked["metric"].map(claims_mod.labels("metric", codebook)))[
        ["speaker", "claim", "measure", "value_text", "year", "source", "verdict"]]
    table.columns = ["Speaker", "Claim (paraphrase)", "Measure", "Evidence", "Year", "Source", "Verdict"]
    return table


REKO_DIQ_CLAIM = "khan-2-reko-diq-chinese-firms"


def reko_diq_note(unchecked: pd.DataFrame, deals: pd.DataFrame | None = None) -> str | None:
    """Why the claim about Chinese firms at Reko Diq stays not checkable, and the narrower fact the deals table
    does show; None when that claim is not among the unchecked ones."""
    from critmin.text import num

    reko = reko_diq_chinese_financing(deals)
    rd = unchecked[unchecked["claim_id"] == REKO_DIQ_CLAIM]
    if not len(rd):
        return None
    esc = claims_mod.md_escape
    r = rd.iloc[0]
    return (f"One claim deserves a note. {esc(r['speaker'])} said that “{esc(r['claim'])}” The book cannot test "
            f"this: {esc(r['reason'][0].lower() + r['reason'][1:])} What the deals table does show is narrower: of "
            f"its Reko Diq financing rows, **{num(reko)}** {'has' if reko == 1 else 'have'} a Chinese party. "
            "That says nothing about contractors or suppliers working at the site, so the claim stays "
            "not checkable with our data.")


def unchecked_text(unchecked: pd.DataFrame) -> str:
    """How many claims cannot be tested, and how many of them are judgements, forecasts or recommendations."""
    from critmin.text import num

    reasons = unchecked["reason"].value_counts()
    return (f"The remaining {num(len(unchecked))} claims are listed below with the reason they cannot be "
            f"tested; {num(reasons.get(JUDGEMENT, 0))} of them are judgements, forecasts or recommendations.")


def unchecked_table(unchecked: pd.DataFrame) -> pd.DataFrame:
    """The claims the data cannot test, with the reason, as the chapter's table shows them."""
    nc = unchecked.assign(date=unchecked["date"].dt.strftime("%Y-%m-%d"))[["date", "speaker", "claim", "reason"]]
    nc.columns = ["Date", "Speaker", "Claim (paraphrase)", "Why it is not checkable with our data"]
    return nc
