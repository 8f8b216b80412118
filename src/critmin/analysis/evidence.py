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

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

import pandas as pd

from critmin.analysis import claims as claims_mod
from critmin.analysis.deals import DEAL_ID
from critmin.data import countries
from critmin.data import package as datapackage
from critmin.text import span
from critmin.text import usd as _usd_text


def usd_plain(x: float) -> str:
    return _usd_text(x, markdown=False)

# The grades of claim_premises (codes listed with that resource), as printed on the pages.
SUPPORTED = "supported"
PARTLY = "partly supported"
NOT_SUPPORTED = "not supported by the public record"
CONTRADICTED = "contradicted"
NOT_CHECKABLE = "not checkable"
VERDICTS = [SUPPORTED, PARTLY, NOT_SUPPORTED, CONTRADICTED, NOT_CHECKABLE]
GRADE_CODES = {"supported": SUPPORTED, "partly_supported": PARTLY, "not_supported_public_record": NOT_SUPPORTED,
               "contradicted": CONTRADICTED, "not_checkable": NOT_CHECKABLE}

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


def china_share_mine_rare_earths(production: pd.DataFrame) -> Evidence:
    """China's share of world rare-earth mine production (USGS world total), latest year in the table."""
    p = production
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


def china_share_refining_rare_earths(refining: pd.DataFrame) -> Evidence:
    """China's share of world refining of the four magnet rare earths (IEA total row), latest IEA edition."""
    r = refining
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


def china_share_refining_copper(refining: pd.DataFrame) -> Evidence:
    """China's share of world refined copper output and its lead over the next refiner, latest IEA edition.
    The claim tested is a 'hold' on refining, so the rule asks for a clear lead rather than a majority."""
    r = refining
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


def china_largest_fdi_source(fdi: pd.DataFrame) -> Evidence:
    """China's rank and share among source countries of net FDI into Pakistan, each fiscal year with country
    rows (Hong Kong is its own row and is not added to China)."""
    f = fdi
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


def pakistan_share_world_production_rare_earths(production: pd.DataFrame, history: pd.DataFrame) -> Evidence:
    """Pakistan's rare-earth mine production and share of the world, in every USGS edition (production)
    and BGS year (production_history) in the book. 'Not listed' is reported as such, never as zero."""
    p, h = production, history
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


def china_share_us_imports_rare_earths(us_imports: pd.DataFrame) -> Evidence:
    """China's share of the value of US imports of rare-earth compounds and metals (UN Comtrade), latest year:
    China rows summed over the rare-earth HS codes divided by the World rows."""
    u = us_imports
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


DEAL_RULE = ("Amounts are compared only with amounts of the same kind of money (MoU headlines with MoU headlines), "
             "never added or ranked across kinds. Supported if the USSM–FWO MoU is non-binding and its amount is "
             "below the median of the other stated amounts of its kind; partly supported if only one of the two "
             "holds; not supported by the public record if neither does.")


def deal_size_vs_other_deals(deals: pd.DataFrame, deal_id: str = DEAL_ID) -> Evidence:
    """The USSM–FWO headline amount against the other stated amounts of the same money_kind only: its rank
    within the kind, its ratio to their median, and whether the MoU is non-binding."""
    from critmin.analysis.deals import within_kind

    d = deals
    if not (d["deal_id"] == deal_id).any():
        raise ValueError(f"deal {deal_id!r} is not in the deals table")
    deal = d[d["deal_id"] == deal_id].iloc[0]
    wk = within_kind(d, deal_id)
    others = wk.others
    binding = deal["binding"]
    non_binding = bool(pd.notna(binding) and not bool(binding))
    if others.empty:
        median, ratio, below = None, None, None
    else:
        median = float(others["amount_usd"].median())
        ratio = wk.amount / median
        below = wk.amount < median
    held = [non_binding] + ([below] if below is not None else [])
    verdict = SUPPORTED if all(held) and below is not None else (PARTLY if any(held) else NOT_SUPPORTED)
    kind = wk.kind_label.lower()
    comparison = ("no other amount of its kind is stated" if median is None else
                  f"{ratio:.2f} times the median of the other {len(others)} stated amount"
                  f"{'' if len(others) == 1 else 's'} of its kind ({usd_plain(median)})")
    return Evidence(
        metric="deal_size_vs_other_deals", value=ratio, value_text=f"rank {wk.rank} of {wk.n_sized} ({kind})",
        year=f"{deal['date']:%Y}", resources=("deals",),
        source=f"{deal['source_outlet']} for the MoU; each deal's own source for the others",
        finding=(f"At {usd_plain(wk.amount)} the USSM–FWO MoU ranks {wk.rank} of {wk.n_sized} stated amounts "
                 f"of the kind '{kind}' ({wk.n_unsized} more of that kind state none); it is {comparison}. It is "
                 f"{'a non-binding' if non_binding else 'not recorded as a non-binding'} MoU. Amounts of other kinds "
                 f"(loans, guarantees, project costs, money spent) are not ranked with it."),
        verdict=verdict, rule=DEAL_RULE)


def china_share_mine(mineral: str, production: pd.DataFrame) -> Evidence:
    """China's share of world mine production of one mineral (USGS world total), latest year and edition."""
    p = production
    rows = p[(p["mineral"] == mineral) & (p["stage"] == "mine")]
    if rows.empty:
        raise ValueError(f"no mine production rows for {mineral!r}")
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    edition = sorted(rows["edition"].astype(str).unique())[-1]
    rows = rows[rows["edition"] == edition]
    lead = _lead(rows)
    unit = str(rows["unit"].iloc[0]) if "unit" in rows.columns else ""
    name = mineral.replace("_", " ")
    return Evidence(
        metric=f"china_share_mine_{mineral}", value=lead["share"], value_text=_pct(lead["share"]), year=str(year),
        resources=("production",), source=_source_short("production", edition[-4:]),
        finding=_lead_sentence(lead, f"{name} mine production", year, unit),
        verdict=_dominance_verdict(lead), rule=DOMINANCE_RULE)


# ---------------------------------------------------------------------------------------------- legacy metrics


METRICS: dict[str, Callable[..., Evidence]] = {
    "china_share_mine_rare_earths": china_share_mine_rare_earths,
    "china_share_refining_rare_earths": china_share_refining_rare_earths,
    "china_share_refining_copper": china_share_refining_copper,
    "china_largest_fdi_source": china_largest_fdi_source,
    "deal_size_vs_other_deals": deal_size_vs_other_deals,
    "pakistan_share_world_production_rare_earths": pakistan_share_world_production_rare_earths,
    "china_share_us_imports_rare_earths": china_share_us_imports_rare_earths,
}


# The data-package tables each metric reads, in the order its function takes them.
METRIC_INPUTS: dict[str, tuple[str, ...]] = {
    "china_share_mine_rare_earths": ("production",),
    "china_share_refining_rare_earths": ("refining",),
    "china_share_refining_copper": ("refining",),
    "china_largest_fdi_source": ("pakistan_fdi",),
    "deal_size_vs_other_deals": ("deals",),
    "pakistan_share_world_production_rare_earths": ("production", "production_history"),
    "china_share_us_imports_rare_earths": ("us_imports",),
}


def evaluate(metric: str, tables: Mapping[str, pd.DataFrame]) -> Evidence:
    """The evidence for one metric id of the codebook (the single measure of the claims table's metric column),
    from ``tables`` (data-package name → frame; :class:`critmin.data.Tables` loads them on first use)."""
    if metric not in METRICS:
        raise KeyError(f"no evidence function for metric {metric!r}; known: {', '.join(METRICS)}")
    return METRICS[metric](*(tables[name] for name in METRIC_INPUTS[metric]))



# ---------------------------------------------------------------------------------------------- premises
# Every premise of claim_premises gets its verdict here. The rule family (a column of claim_premises) picks ONE
# rule, applied in the same way to every premise of that family whichever side the speaker is on; the rows the
# rule reads are those of premise_evidence. What a premise states is coded below, per premise, as the
# condition the rule tests (a threshold word, the minerals named, the rows that would show the fact).


@dataclass(frozen=True)
class PremiseVerdict:
    verdict: str  # one of VERDICTS
    finding: str  # what the data show, in one or two neutral sentences with the numbers
    value_text: str = ""  # the headline number, if any
    year: str = ""  # the year(s) the finding refers to
    source: str = ""  # publisher and edition of the number, where one source carries it


def premise_codes() -> pd.DataFrame:
    """The codes of claim_premises (kind, rule_family, grade, role) with label, definition and rule."""
    return pd.DataFrame(datapackage.resource("claim_premises")["codes"])


def family_rules() -> dict[str, str]:
    """rule_family code → the rule that gives each grade, as the data package states it."""
    c = premise_codes()
    c = c[c["code_type"] == "rule_family"]
    return dict(zip(c["code"], c["rule"], strict=True))


def family_labels() -> dict[str, str]:
    c = premise_codes()
    c = c[c["code_type"] == "rule_family"]
    return dict(zip(c["code"], c["label"], strict=True))


def _combine(verdicts: list[str]) -> str:
    """One verdict from the verdicts of a premise's parts: the common verdict when they agree, partly supported
    when some part is supported or partly supported, otherwise the weakest.
    NOTE: a premise naming several things (antimony and copper) is only as supported as all of them together."""
    if not verdicts:
        return NOT_CHECKABLE
    if len(set(verdicts)) == 1:
        return verdicts[0]
    if any(v in (SUPPORTED, PARTLY) for v in verdicts):
        return PARTLY
    return CONTRADICTED if CONTRADICTED in verdicts else NOT_SUPPORTED


Slices = list[tuple[str, str, pd.DataFrame, str]]  # (role, dataset, rows, note)


def _rows(slices: Slices, dataset: str | None = None, role: str | None = None) -> pd.DataFrame:
    parts = [f for r, d, f, _ in slices if (dataset is None or d == dataset) and (role is None or r == role)]
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts).pipe(lambda x: x[~x.index.duplicated()])


# ---- share_threshold: the threshold word of each premise. NOTE: 'dominates' → majority, 'hold'/'leading
# position' → clear lead, 'trades with' → not marginal, the same reading for every speaker.
SHARE_TESTS = {
    "runde-1-copper-p1": "clear_lead",
    "mahmood-1-no-betrayal-p1": "not_marginal",
    "strayer-1-future-hub-p2": "majority",
    "br-1-china-dominates-mining-p1": "majority",
    "br-2-china-dominates-processing-p1": "majority",
}
THRESHOLD_WORDS = {"majority": f"at least {_pct(MAJORITY)} of the world total",
                   "clear_lead": f"at least {CLEAR_LEAD:g} times the next country",
                   "not_marginal": f"at least {_pct(NOT_MARGINAL)} of the total"}


def _share_verdict(dataset: str, rows: pd.DataFrame, test: str) -> PremiseVerdict:
    """China's share in one slice (production, refining or us_imports rows) against the premise's threshold."""
    if dataset == "us_imports":
        ev = china_share_us_imports_rare_earths(rows)
        share = ev.value
        if test != "not_marginal":
            raise ValueError("US import shares are tested only for 'trades with' (not_marginal)")
        verdict = SUPPORTED if share >= NOT_MARGINAL else (PARTLY if share > 0 else CONTRADICTED)
        return PremiseVerdict(verdict, ev.finding, ev.value_text, ev.year, ev.source)
    if dataset == "refining":
        mineral = rows["mineral"].iloc[0]
        r, edition, year, secondary = _iea_latest(rows, mineral)
        source = _source_short("refining", edition[-4:])
        what = {"copper": "refined copper output",
                "rare_earths": "refining of magnet rare earths (Nd, Pr, Dy, Tb)"}.get(mineral, f"{mineral} refining")
        unit = "kt"
    elif dataset == "production":
        mineral = rows["mineral"].iloc[0]
        year = int(rows["year"].max())
        r = rows[rows["year"] == year]
        edition = sorted(r["edition"].astype(str).unique())[-1]
        r = r[r["edition"] == edition]
        source = _source_short("production", edition[-4:])
        what = f"{'rare-earth' if mineral == 'rare_earths' else mineral.replace('_', ' ')} mine production"
        unit = str(r["unit"].iloc[0]) if "unit" in r.columns else ""
        secondary = False
    else:
        raise ValueError(f"no share rule for dataset {dataset!r}")
    lead = _lead(r)
    ratio = lead["china"] / lead["second_value"] if lead["second_value"] else float("inf")
    if lead["rank"] != 1:
        verdict = NOT_SUPPORTED
    elif test == "majority":
        verdict = SUPPORTED if lead["share"] >= MAJORITY else PARTLY
    elif test == "clear_lead":
        verdict = SUPPORTED if ratio >= CLEAR_LEAD else PARTLY
    else:
        verdict = SUPPORTED if lead["share"] >= NOT_MARGINAL else PARTLY
    finding = _lead_sentence(lead, what, year, unit)
    if lead["rank"] == 1 and lead["second_name"]:
        finding += f" China's figure is {ratio:,.1f} times that of {lead['second_name']}."
    if secondary:
        finding += " The IEA figures for this year are read from a third-party copy of the workbook."
    return PremiseVerdict(verdict, finding, _pct(lead["share"]), str(year), source)


def rule_share_threshold(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    test = SHARE_TESTS[premise["premise_id"]]
    parts = [_share_verdict(d, f, test) for r, d, f, _ in slices if r == "subject"]
    return PremiseVerdict(_combine([p.verdict for p in parts]), " ".join(p.finding for p in parts),
                          "; ".join(p.value_text for p in parts), "; ".join(p.year for p in parts),
                          "; ".join(dict.fromkeys(p.source for p in parts)))


# ---- planned_share_of_world. NOTE: 'among the largest producers' is read as the top three, 'a notable but
# minor share' as the top ten; the plan is taken at its largest stated phase and current world output held fixed.
PLANNED_TOP = 3
PLANNED_NOTABLE = 10


def rule_planned_share_of_world(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    plan = _rows(slices, role="subject")
    ref = _rows(slices, role="reference")
    if plan.empty or ref.empty:
        return PremiseVerdict(NOT_CHECKABLE, "The plan or the world output is missing from the data.")
    planned = float(plan["value"].max())
    year = int(ref["year"].max())
    r = ref[ref["year"] == year]
    edition = sorted(r["edition"].astype(str).unique())[-1]
    r = r[r["edition"] == edition]
    lead = _lead(r) if (r["iso3"] == "CHN").any() else None
    ranked = _ranked(r)
    world = float(r.loc[r["row_kind"] == "world_total", "value"].iloc[0])
    unit = str(r["unit"].iloc[0])
    # ref units are kt for copper; plan in t per year
    scale = 1000.0 if unit == "kt" and str(plan["unit"].iloc[0]).startswith("t") else 1.0
    planned_u = planned / scale
    share = planned_u / world
    rank = int((ranked["value"] > planned_u).sum()) + 1
    top = ranked.iloc[0]
    verdict = SUPPORTED if rank <= PLANNED_TOP else (PARTLY if rank <= PLANNED_NOTABLE else NOT_SUPPORTED)
    del lead
    finding = (f"The largest planned output ({_amount(planned_u)} {unit} a year, after expansion) would be "
               f"{share * 100:.1f}% of world mine output in {year} ({_amount(world)} {unit}) and would rank "
               f"{rank} among the producers listed; the largest, {_name(top)}, produced "
               f"{_pct(float(top['value']) / world)}.")
    return PremiseVerdict(verdict, finding, f"{share * 100:.1f}%", str(year), _source_short("production", edition[-4:]))


# ---- rank_among_sources: the partner each premise names.
RANK_TESTS = {"khan-7-china-biggest-investor-p1": "CHN"}


def rule_rank_among_sources(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    if RANK_TESTS[premise["premise_id"]] != "CHN":
        raise ValueError("only China's rank is computed")
    ev = china_largest_fdi_source(_rows(slices, role="subject"))
    verdict = {SUPPORTED: SUPPORTED, PARTLY: PARTLY}.get(ev.verdict, NOT_SUPPORTED)
    return PremiseVerdict(verdict, ev.finding, ev.value_text, ev.year, ev.source)


# ---- listed_in_statistics: the minerals named, and whether the premise asserts that Pakistan is listed
# (a resource claim) or that it is not (REEx's "no rare-earth production").
LISTED_TESTS = {
    "munir-1-treasure-p1": (("rare_earths",), True),
    "khoso-6-technology-gap-p1": (("rare_earths",), True),
    "reex-1-six-trillion-p2": (("rare_earths",), False),
    "malik-1-france-p1": (("copper", "gold", "rare_earths"), True),
}


def rule_listed_in_statistics(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    minerals, asserts = LISTED_TESTS[premise["premise_id"]]
    found, years = {}, {}
    for role, dataset, rows, _ in slices:
        if role != "subject":
            continue
        pak = rows[(rows["iso3"] == "PAK") & (rows["value"].fillna(0) > 0)]
        years.setdefault(dataset, (rows["year"].min(), rows["year"].max()) if "year" in rows and len(rows) else None)
        for m in minerals:
            hit = pak[pak["mineral"] == m]
            if len(hit):
                found.setdefault(m, []).append(f"{dataset} {span(int(hit['year'].min()), int(hit['year'].max()))}")
    listed = [m for m in minerals if m in found]
    names = {"production": "USGS mine production", "production_history": "BGS production", "reserves": "USGS reserves"}
    read = ", ".join(f"{names.get(d, d)} ({span(int(y[0]), int(y[1]))})" for d, y in years.items() if y)
    parts = [f"{m.replace('_', ' ')}: listed in {', '.join(found[m])}" if m in found else
             f"{m.replace('_', ' ')}: not listed" for m in minerals]
    finding = f"Pakistan with a positive amount in the statistics read ({read}) — " + "; ".join(parts) + "."
    if asserts:
        verdict = SUPPORTED if len(listed) == len(minerals) else (PARTLY if listed else NOT_SUPPORTED)
    else:
        verdict = CONTRADICTED if listed else SUPPORTED
    n = len(listed)
    return PremiseVerdict(verdict, finding, "not listed" if not n else f"{n} of {len(minerals)} listed",
                          "", "USGS Mineral Commodity Summaries; BGS World Mineral Statistics")


# ---- amounts_within_kind: which deals the premise is about, and what it says of their amounts.
# 'largest': first among stated amounts of the same kind in every kind that has a comparator;
# 'below_median': below the median of the other stated amounts of its kind. 'non_binding' adds that test.
AMOUNT_TESTS = {
    "reex-2-political-theatre-p2": ('deal_id == "ussm-fwo-mou"', "below_median", True),
    "khoso-7-china-main-partner-p1": ('deal_id.str.startswith("cpec")', "largest", False),
}


def rule_amounts_within_kind(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    from critmin.analysis.deals import MONEY_KIND_LABELS
    from critmin.text import usd

    focus_q, test, non_binding = AMOUNT_TESTS[premise["premise_id"]]
    pool = _rows(slices, dataset="deals")
    focus = pool[_mask(pool, focus_q)]
    pool = pool[pool["amount_usd"].notna()]
    held, parts = [], []
    for kind, rows in focus[focus["amount_usd"].notna()].groupby("money_kind", sort=False):
        others = pool[(pool["money_kind"] == kind) & ~pool["deal_id"].isin(focus["deal_id"])]
        label = MONEY_KIND_LABELS.get(kind, kind).lower()
        amount = float(rows["amount_usd"].max())
        if others.empty:
            parts.append(f"{label}: {usd(amount, markdown=False)}, no other stated amount of this kind to compare")
            continue
        if test == "largest":
            ok = amount > float(others["amount_usd"].max())
            top = others.sort_values("amount_usd", ascending=False).iloc[0]
            most = usd(float(top["amount_usd"]), markdown=False)
            parts.append(f"{label}: {usd(amount, markdown=False)}"
                         f" against at most {most} ({top['name']}), {'the largest' if ok else 'not the largest'} of {len(others) + 1}")
        else:
            median = float(others["amount_usd"].median())
            ok = amount < median
            rank = int((others["amount_usd"] > amount).sum()) + 1
            parts.append(f"{label}: {usd(amount, markdown=False)}, rank {rank} of {len(others) + 1} stated amounts, "
                         f"{'below' if ok else 'not below'} the median of the others ({usd(median, markdown=False)})")
        held.append(ok)
    if non_binding:
        nb = bool((focus["binding"].fillna(True) == False).all())  # noqa: E712
        held.append(nb)
        parts.append("non-binding" if nb else "not recorded as non-binding")
    if not held:
        return PremiseVerdict(NOT_CHECKABLE, "No stated amount of the same kind to compare: " + "; ".join(parts) + ".")
    verdict = SUPPORTED if all(held) else (PARTLY if any(held) else NOT_SUPPORTED)
    finding = ("Compared only within each kind of money — " + "; ".join(parts)
               + ". Amounts of other kinds are not added or ranked with them.")
    return PremiseVerdict(verdict, finding, "", "", "deals (each row's source)")


# ---- record_check and policy_record: the rows that would show the fact as the premise states it.
@dataclass(frozen=True)
class RecordTest:
    shows: dict  # dataset → pandas expression selecting the rows that show the fact as stated
    partial: dict | None = None  # dataset → expression for rows that show part of it
    denies: bool = False  # the premise says no such row exists (e.g. 'no rare earths are flowing')


_MONEY_MOVED = '["approved", "signed", "disbursed", "realised"]'
RECORD_TESTS = {
    "aurangzeb-1-trade-plus-p1": RecordTest({"events": "index == index"}),
    "baker-1-mou-strength-p1": RecordTest({"deals": "date.dt.year == 2025"}),
    "rana-1-durability-p1": RecordTest({"deals": f"amount_usd == 500000000 and status in {_MONEY_MOVED}"},
                                       partial={"deals": "amount_usd == 500000000"}),
    "hastie-1-first-shipment-p1": RecordTest({"events": "index == index"}),
    "sheikh-1-rare-earth-leverage-p3": RecordTest({"events": 'minerals.str.contains("rare_earths", na=False)'}),
    "sheikh-2-not-betrayal-p1": RecordTest({"events": 'minerals.str.contains("rare_earths", na=False)'}),
    "thenews-oped-1-pragmatism-p1": RecordTest({"events": "index == index"}),
    "lin-2-rumours-p1": RecordTest({"events": 'minerals.str.contains("rare_earths", na=False)'}, denies=True),
    "akram-1-secret-deals-p1": RecordTest({"deals": 'summary.str.contains("no text published", na=False)'}),
    # NOTE: money under an intergovernmental framework; single-company loans (a DOE loan draw) are not counted.
    "baskaran-1-money-flows-p1": RecordTest(
        {"deals": 'status in ["disbursed", "realised"] and money_kind != "loan" and date < "2025-10-20"'},
        partial={"deals": 'status == "approved" and money_kind != "loan" and date < "2025-10-20"'}, denies=True),
    # NOTE: 'years of memoranda' is read as US MoUs dated at least a year before the US–Australia framework.
    "baskaran-1-money-flows-p2": RecordTest({"deals": 'date < "2024-10-20"'}, partial={"deals": 'date < "2025-10-20"'}),
    "br-editorial-1-diversify-not-defect-p1": RecordTest(
        {"events": 'summary.str.contains("assured|informed", na=False)'}),
    "br-1-china-dominates-mining-p2": RecordTest({"deals": "index == index"}),
    "khan-2-reko-diq-chinese-firms-p1": RecordTest(
        {"deals": "china_side == True", "pakistan_indicators": 'indicator.str.contains("chin", case=False)'}),
    "khan-3-japan-irks-beijing-p1": RecordTest({"deals": 'counterpart_country == "JPN"'}),
    "khoso-1-policy-shift-p1": RecordTest({"deals": "china_side == False"}, denies=True),
    "khoso-8-china-limited-transfer-p2": RecordTest(
        {"deals": 'parties.str.contains("(?:^|;)(?:United States|US Department|US EXIM|US DFC|'
                  'Government of the United States)", na=False)'}),
    "malik-1-france-p2": RecordTest({"events": "index == index"}),
    "jovanovic-1-exim-loan-p1": RecordTest({"deals": "amount_usd == 1250000000"}),
    "baker-2-exim-jobs-p1": RecordTest({"deals": 'amount_usd == 1250000000 and status == "approved"'}),
    "major-moore-1-reko-diq-review-p1": RecordTest({"events": "index == index"}),
    "major-moore-1-reko-diq-review-p2": RecordTest({"pakistan_indicators": "year == 2026"}),
    "sheikh-1-rare-earth-leverage-p1": RecordTest({"events": 'minerals.str.contains("rare_earths", na=False)'}),
    "sohu-1-eat-both-ends-p2": RecordTest({"events": 'summary.str.contains("technology", na=False)'}),
}
# Premises whose records are owners and lenders only: the verdict says what the records do not cover.
RECORD_CAVEATS = {
    "khan-2-reko-diq-chinese-firms-p1": ("The records are Reko Diq's owners and lenders; contractors and suppliers "
                                         "at the site are not recorded. Saindak, in the same district, is run by "
                                         "China's MCC."),
}

# Price series shown beside a policy-record verdict on a mineral. NOTE: for rare earths, the magnet rare earths
# (NdPr, Dy, Tb), the same scope as the IEA refining figures; annual averages cannot show the effect of a
# measure taken within a year, so prices are context, never part of the verdict.
PRICE_SERIES = {"rare_earths": ["rare_earths_ndpr_oxide", "rare_earths_dy_oxide", "rare_earths_tb_oxide"]}
PRICE_YEARS = 3


def price_context(minerals: list[str], prices: pd.DataFrame) -> str:
    """The last PRICE_YEARS annual average prices of the PRICE_SERIES of `minerals`, as one sentence."""
    parts, editions = [], set()
    for m in minerals:
        for series in PRICE_SERIES.get(m, []):
            rows = prices[prices["series"] == series].sort_values(["year", "edition"])
            rows = rows.drop_duplicates("year", keep="last").tail(PRICE_YEARS)
            if rows.empty:
                continue
            editions |= set(rows["edition"].astype(str))
            basis = str(rows["basis"].iloc[0])
            vals = ", ".join(f"{r.value:,.0f} in {r.year}" + (" (estimate)" if str(r.flag) == "estimated" else "")
                             for r in rows.itertuples())
            parts.append(f"{basis} US${vals}")
    if not parts:
        return ""
    return ("Annual average prices (" + _source_short("prices", sorted(editions)[-1][-4:]) + ", US$ per kg): "
            + "; ".join(parts) + ". Annual averages cannot show the effect of a measure taken within a year, so "
            "they are context, not part of the verdict.")


def _mask(frame: pd.DataFrame, query: str) -> pd.Series:
    m = frame.eval(query, engine="python")
    if not isinstance(m, pd.Series):
        m = pd.Series(bool(m), index=frame.index)
    return m.astype("boolean").fillna(False).astype(bool)


def _row_text(dataset: str, r: pd.Series) -> str:
    from critmin.text import date_text, usd

    if dataset == "events":
        return f"“{r['title']}” ({date_text(r['date'], r['date_precision'])})"
    if dataset == "deals":
        when = date_text(r["date"], r["date_precision"]) if pd.notna(r["date"]) else "undated"
        amount = "" if pd.isna(r["amount_usd"]) else f", {usd(float(r['amount_usd']), markdown=False)}"
        from critmin.analysis.deals import MONEY_KIND_LABELS

        kind = MONEY_KIND_LABELS.get(r["money_kind"], r["money_kind"]).lower()
        return f"{r['name']} ({when}{amount}, {kind}, {r['status']})"
    if dataset == "pakistan_indicators":
        value = usd(float(r["value"]), markdown=False) if r["unit"] == "usd" else f"{r['value']:,.4g} {r['unit']}"
        return f"{r['label']} {r['year']}: {value}"
    if dataset == "pakistan_fdi":
        return f"{r['country']} FY{r['fiscal_year']}: US${r['value']:,.0f}m"
    return ", ".join(str(r[c]) for c in list(r.index)[:4])


def _list_rows(dataset: str, rows: pd.DataFrame, limit: int = 5) -> str:
    items = [_row_text(dataset, r) for _, r in rows.head(limit).iterrows()]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return "; ".join(items) + more


RECORD_FAMILIES = ("record_check", "policy_record")


def rule_records(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    """record_check and policy_record: do the subject rows show the fact as stated?"""
    test = RECORD_TESTS[premise["premise_id"]]
    subject = [(d, f) for r, d, f, _ in slices if r == "subject"]
    n_rows = sum(len(f) for _, f in subject)
    if not n_rows:
        return PremiseVerdict(NOT_SUPPORTED, "The records hold no row on this.")
    shown, partial = [], []
    for d, f in subject:
        if d in test.shows:
            shown.append((d, f[_mask(f, test.shows[d])]))
        if test.partial and d in test.partial:
            partial.append((d, f[_mask(f, test.partial[d])]))
    shown = [(d, f) for d, f in shown if len(f)]
    partial = [(d, f) for d, f in partial if len(f)]
    policy = premise["rule_family"] == "policy_record"
    if test.denies:
        if shown:
            verdict, lead = CONTRADICTED, "The records show otherwise: "
            rows = shown
        elif partial:
            verdict, lead = PARTLY, "The records show part of the contrary: "
            rows = partial
        else:
            verdict, lead = SUPPORTED, "No record shows the contrary among: "
            rows = subject
    elif shown:
        unconfirmed = all((f["status"] == "unconfirmed").all() if "status" in f else False for _, f in shown)
        verdict = PARTLY if unconfirmed else SUPPORTED
        lead = "The records show it, unconfirmed: " if unconfirmed else "The records show it: "
        rows = shown
    elif partial:
        verdict, lead, rows = PARTLY, "The records show part of it: ", partial
    else:
        verdict = NOT_SUPPORTED if policy else CONTRADICTED
        lead = "None of the records shows it as stated; they show: "
        rows = subject
    finding = lead + "; ".join(_list_rows(d, f) for d, f in rows) + "."
    caveat = RECORD_CAVEATS.get(premise["premise_id"])
    if caveat:
        finding += " " + caveat
    if policy:
        named = sorted({m for _, f in subject if "minerals" in f
                        for v in f["minerals"].dropna() for m in str(v).split(";")})
        prices = price_context(named, tables["prices"]) if "prices" in tables else ""
        if prices:
            finding += " " + prices
    return PremiseVerdict(verdict, finding, f"{sum(len(f) for _, f in rows)} record(s)", "",
                          ", ".join(dict.fromkeys(d for d, _ in rows)))


RULES: dict[str, Callable[[pd.Series, Slices, dict], PremiseVerdict]] = {
    "share_threshold": rule_share_threshold,
    "planned_share_of_world": rule_planned_share_of_world,
    "rank_among_sources": rule_rank_among_sources,
    "listed_in_statistics": rule_listed_in_statistics,
    "amounts_within_kind": rule_amounts_within_kind,
    "record_check": rule_records,
    "policy_record": rule_records,
}


def evidence_slices(premise_id: str, premise_evidence: pd.DataFrame, tables: dict) -> Slices:
    """The rows of each dataset that bear on a premise, in seq order: (role, dataset, rows, note)."""
    out = []
    for r in premise_evidence[premise_evidence["premise_id"] == premise_id].sort_values("seq").itertuples():
        frame = tables[r.dataset]
        try:
            rows = frame[_mask(frame, r.query)]
        except Exception as e:  # a broken query names its row
            raise ValueError(f"premise_evidence, premise {premise_id!r} seq {r.seq}: query {r.query!r} on "
                             f"{r.dataset!r} failed: {e}") from None
        out.append((r.role, r.dataset, rows, r.note))
    return out


def judge(premise: pd.Series, slices: Slices, tables: Mapping[str, pd.DataFrame]) -> PremiseVerdict:
    """The verdict on one premise: the rule of its family for a checkable premise; not checkable, with the
    reason, otherwise (opinions, forecasts and premises the data do not bear on)."""
    if not bool(premise["checkable"]) or premise["rule_family"] not in RULES:
        return PremiseVerdict(NOT_CHECKABLE, str(premise.get("not_checkable_reason") or ""))
    if premise["kind"] == "opinion":
        raise ValueError(f"premise {premise['premise_id']!r} is an opinion but marked checkable")
    return RULES[premise["rule_family"]](premise, slices, tables)


def _context(slices: Slices) -> str:
    parts = [f"{note} ({_list_rows(d, f, 3)})" if d in ("events", "deals") and len(f) else note
             for r, d, f, note in slices if r == "context"]
    return "; ".join(parts)


VERDICT_COLUMNS = ["claim_id", "premise_id", "speaker", "voice_id", "speaker_group", "date", "date_precision", "outlet",
                   "source_url", "claim", "stance", "premise", "kind", "rule_family", "checkable", "verdict", "rule",
                   "finding", "value_text", "year", "source", "context", "resources"]


def premise_verdicts(df: pd.DataFrame, premises: pd.DataFrame, premise_evidence: pd.DataFrame,
                     tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per premise of the claims in `df`: the claim's speaker, group, date and stance, the premise, its
    kind and rule family, the verdict, the rule (as the data package states it), the finding and the context.
    Sorted by rule family order, then date and premise_id. ``tables`` maps the data-package names the
    premises' evidence rows name to their frames (:class:`critmin.data.Tables` loads them on first use)."""
    pe = premise_evidence
    rules = family_rules()
    rows = []
    claims_by_id = df.set_index("claim_id")
    for _, p in premises[premises["claim_id"].isin(claims_by_id.index)].iterrows():
        slices = evidence_slices(p["premise_id"], pe, tables)
        v = judge(p, slices, tables)
        c = claims_by_id.loc[p["claim_id"]]
        rows.append({
            "claim_id": p["claim_id"], "premise_id": p["premise_id"], "speaker": c["speaker"],
            "voice_id": c.get("voice_id", c["speaker"]), "speaker_group": c["speaker_group"], "date": c["date"],
            "date_precision": c["date_precision"], "outlet": c["outlet"], "source_url": c["source_url"],
            "claim": c["claim"], "stance": c["stance"], "premise": p["premise"], "kind": p["kind"],
            "rule_family": p["rule_family"], "checkable": bool(p["checkable"]), "verdict": v.verdict,
            "rule": rules.get(p["rule_family"], "") if v.verdict != NOT_CHECKABLE or p["checkable"] else "",
            "finding": v.finding, "value_text": v.value_text, "year": v.year, "source": v.source,
            "context": _context(slices),
            "resources": ", ".join(dict.fromkeys(d for _, d, _, _ in slices)),
        })
    out = pd.DataFrame(rows, columns=VERDICT_COLUMNS)
    if out.empty:
        return out
    order = {f: i for i, f in enumerate(RULES)}
    out["_o"] = out["rule_family"].map(order).fillna(len(order))
    return out.sort_values(["_o", "date", "premise_id"], ignore_index=True).drop(columns="_o")


def judged(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The premises that got a verdict from a rule (factual premises and stated plans)."""
    return verdicts[verdicts["verdict"] != NOT_CHECKABLE]


def claim_verdicts(verdicts: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: its stance and the verdicts of its judged premises (counts per verdict)."""
    j = judged(verdicts)
    table = pd.crosstab(j["claim_id"], j["verdict"]).reindex(columns=VERDICTS[:-1], fill_value=0)
    return table


def verdict_counts(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Premises by verdict (rows, in VERDICTS order) and the stance of their claim (columns): judged premises
    under their verdict; factual premises without a verdict under 'not checkable'. Opinions and forecasts
    without a verdict are left out."""
    shown = verdicts[(verdicts["verdict"] != NOT_CHECKABLE) | (verdicts["kind"] == "factual")]
    t = pd.crosstab(shown["verdict"], shown["stance"]).reindex(index=VERDICTS, columns=claims_mod.STANCES,
                                                              fill_value=0)
    t.index.name, t.columns.name = "verdict", "stance"
    return t.astype("int64")
