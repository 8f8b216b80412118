"""Evidence for checkable claims: the numbers behind each premise and the verdict a stated rule gives them.

Each metric id of the claims codebook has a function that computes the number behind a claim's factual premise
from the book's own data and applies a stated rule to reach a verdict. It returns an `Evidence` record: the
number, the year it refers to, the data-package resources and the publisher's edition it comes from, the facts
the verdict rests on (typed records below: a lead, a list of rows, a comparison), the verdict and the rule. The
premises of the claim_premises table get their verdicts the same way, one rule per rule family. Every function
takes the tables it needs as arguments, so the rules can be tested on small hand-made tables.

Numbers only: the sentences that state the facts are written by :mod:`critmin.chapters.claims_evidence`.

A verdict judges only the premise a metric measures, never a speaker's motives or forecasts: the claim
"China dominates rare-earth mining" is tested by China's share of world mine output, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from critmin.analysis import claims as claims_mod
from critmin.analysis.deals import DEAL_ID
from critmin.data import countries
from critmin.data import package as datapackage
from critmin.text import pct as _pct

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


# ---------------------------------------------------------------------------------------------- facts
# What a verdict rests on. The chapter states each kind of fact in one way.


@dataclass(frozen=True)
class Lead:
    """China's value in a table with a world total, its rank among the countries and the runner-up."""

    china: float
    total: float
    rank: int  # 1 = largest
    second_name: str | None  # the largest country other than China
    second_value: float | None

    @property
    def share(self) -> float:
        return self.china / self.total

    @property
    def second_share(self) -> float | None:
        return None if self.second_value is None else self.second_value / self.total

    @property
    def ratio(self) -> float:
        """China's value over the runner-up's (infinite when there is none or it is zero)."""
        return self.china / self.second_value if self.second_value else float("inf")


@dataclass(frozen=True)
class ShareFacts:
    """China's share of world output at one stage of one mineral, in one year."""

    lead: Lead
    mineral: str
    stage: str  # "mine" (USGS production) or "refining" (IEA)
    year: int
    unit: str
    secondary: bool = False  # the year's figures are read from a third-party copy of the publisher's file
    estimated: bool = False  # the publisher marks China's figure as an estimate


@dataclass(frozen=True)
class ImportFacts:
    """China's share of the value of US imports of one mineral's HS codes, in one year."""

    mineral: str
    china_usd: float
    world_usd: float
    year: int
    hs_codes: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.china_usd / self.world_usd


@dataclass(frozen=True)
class FdiFacts:
    """China's place among the sources of net FDI into Pakistan, each fiscal year with country rows."""

    years: tuple[tuple[int, Lead], ...]  # (fiscal year, lead), oldest first; values in US$ million

    @property
    def firsts(self) -> int:
        return sum(lead.rank == 1 for _, lead in self.years)


@dataclass(frozen=True)
class ListingFacts:
    """Whether the production statistics list Pakistan with rare-earth mine output."""

    usgs_editions: tuple[str, str] | None  # first and last edition read
    usgs_years: tuple[int, int] | None
    bgs_years: tuple[int, int] | None
    n_countries: int  # producing countries the statistics list
    listed: tuple[float, int] | None  # Pakistan's latest positive amount (t) and its year


@dataclass(frozen=True)
class DealSizeFacts:
    """The USSM–FWO headline amount against the other stated amounts of its own kind of money."""

    amount: float  # US$
    kind_label: str
    rank: int
    n_sized: int
    n_unsized: int
    median: float | None  # of the other stated amounts of the kind
    n_others: int
    non_binding: bool

    @property
    def ratio(self) -> float | None:
        return None if self.median is None else self.amount / self.median


@dataclass(frozen=True)
class PlannedFacts:
    """A planned annual output set against current world mine output."""

    planned: float  # in `unit`
    unit: str
    world: float
    year: int
    rank: int  # among the listed producers, the plan included
    top_name: str
    top_share: float

    @property
    def share(self) -> float:
        return self.planned / self.world


@dataclass(frozen=True)
class ListedFacts:
    """Which of the minerals a premise names list Pakistan with a positive amount, and in which statistics."""

    minerals: tuple[str, ...]
    read: tuple[tuple[str, int, int], ...]  # (dataset, first year, last year) of each statistics read
    found: Mapping[str, tuple[tuple[str, int, int], ...]]  # mineral → (dataset, first year, last year) listed

    @property
    def n_listed(self) -> int:
        return sum(m in self.found for m in self.minerals)


@dataclass(frozen=True)
class KindComparison:
    """One kind of money of the deals a premise is about, against the other stated amounts of that kind."""

    kind: str
    amount: float  # the largest amount of the premise's deals in this kind (US$)
    test: str  # "largest" or "below_median"
    n_others: int
    held: bool | None  # None: no other stated amount of the kind to compare with
    top: tuple[str, float] | None = None  # the largest other deal (name, US$), for "largest"
    median: float | None = None  # of the others, for "below_median"
    rank: int | None = None  # among the stated amounts of the kind, for "below_median"


@dataclass(frozen=True)
class AmountFacts:
    comparisons: tuple[KindComparison, ...]
    non_binding: bool | None  # whether the deals are all non-binding; None when the premise does not say

    @property
    def held(self) -> list[bool]:
        return [c.held for c in self.comparisons if c.held is not None] + (
            [] if self.non_binding is None else [self.non_binding])


@dataclass(frozen=True)
class PriceSeries:
    basis: str
    points: tuple[tuple[int, float, bool], ...]  # (year, US$ per kg, estimated)


@dataclass(frozen=True)
class PriceFacts:
    """Annual average prices of the minerals a policy record names: context beside a verdict, never part of it."""

    series: tuple[PriceSeries, ...]
    source: str


@dataclass(frozen=True, eq=False)
class RecordFacts:
    """What the records (events, deals, indicators) show on a fact as a premise states it."""

    outcome: str  # one of RECORD_OUTCOMES
    rows: tuple[tuple[str, pd.DataFrame], ...]  # (dataset, rows) the outcome rests on
    premise_id: str
    prices: PriceFacts | None = None


# The outcomes of a record check: the rows show the fact, part of it or not; for a premise that denies a fact,
# the rows show the contrary, part of it or nothing of it.
RECORD_OUTCOMES = ("no_rows", "shown", "shown_unconfirmed", "partial", "not_shown",
                   "contrary", "partial_contrary", "no_contrary")


@dataclass(frozen=True)
class Reason:
    """Why a premise gets no verdict: the coded reason, or what is missing from the data."""

    text: str = ""  # the premise's not_checkable_reason (data-package text)
    missing: str = ""  # "plan_or_world" when a rule finds no rows to read


@dataclass(frozen=True)
class Evidence:
    metric: str
    value: float | None  # the headline number: a share (0–1), a ratio or None (see facts)
    year: str  # the year (or years, fiscal years) the number refers to
    resources: tuple[str, ...]  # data-package resource names
    source: str  # publisher and edition of the number
    facts: object  # one of the fact records above
    verdict: str  # one of VERDICTS
    rule: str  # the rule that produced the verdict

    def as_dict(self) -> dict:
        return {"metric": self.metric, "value": self.value, "year": self.year,
                "resources": ", ".join(self.resources), "source": self.source, "verdict": self.verdict,
                "rule": self.rule}


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


def lead(rows: pd.DataFrame) -> Lead:
    """China's value, the world total, China's rank and the runner-up among the country rows of `rows`."""
    ranked = _ranked(rows)
    world = rows.loc[rows["row_kind"] == "world_total", "value"]
    if world.empty or ranked.empty:
        raise ValueError("the table needs country rows and a world_total row")
    china = ranked[ranked["iso3"] == "CHN"]
    if china.empty:
        raise ValueError("China has no row in the table")
    others = ranked[ranked["iso3"] != "CHN"]
    second = others.iloc[0] if len(others) else None
    return Lead(china=float(china["value"].iloc[0]), total=float(world.iloc[0]), rank=int(china.index[0]) + 1,
                second_name=None if second is None else _name(second),
                second_value=None if second is None else float(second["value"]))


def _dominance_verdict(ld: Lead) -> str:
    if ld.rank != 1:
        return NOT_SUPPORTED
    return SUPPORTED if ld.share >= MAJORITY else PARTLY


DOMINANCE_RULE = (f"Supported if China is the largest producer and has at least {_pct(MAJORITY)} of the world total; "
                  f"partly supported if it is the largest with less; not supported if another country produces more.")


def _mine_latest(rows: pd.DataFrame) -> tuple[pd.DataFrame, str, int]:
    """The rows of the latest year, from the newest edition that reports it."""
    year = int(rows["year"].max())
    r = rows[rows["year"] == year]
    edition = sorted(r["edition"].astype(str).unique())[-1]
    return r[r["edition"] == edition], edition, year


def _iea_latest(refining: pd.DataFrame, mineral: str) -> tuple[pd.DataFrame, str, int, bool]:
    rows = refining[(refining["mineral"] == mineral) & (refining["stage"] == "refining")]
    edition = sorted(rows["edition"].unique())[-1]
    rows = rows[rows["edition"] == edition]
    return rows, str(edition), int(rows["year"].max()), bool(rows["secondary"].any())


def mine_share(mineral: str, production: pd.DataFrame) -> tuple[ShareFacts, str]:
    """China's share of world mine production of one mineral (USGS world total), latest year and edition;
    with the edition read."""
    p = production
    rows = p[(p["mineral"] == mineral) & (p["stage"] == "mine")]
    if rows.empty:
        raise ValueError(f"no mine production rows for {mineral!r}")
    r, edition, year = _mine_latest(rows)
    unit = str(r["unit"].iloc[0]) if "unit" in r.columns else ""
    estimated = bool("flag" in r.columns and r.loc[r["iso3"] == "CHN", "flag"].eq("estimated").any())
    return ShareFacts(lead(r), mineral, "mine", year, unit, estimated=estimated), edition


def refining_share(mineral: str, refining: pd.DataFrame) -> tuple[ShareFacts, str]:
    """China's share of world refining of one mineral (IEA total row), latest IEA edition; with the edition."""
    rows, edition, year, secondary = _iea_latest(refining, mineral)
    unit = str(rows["unit"].iloc[0]) if "unit" in rows.columns else "kt"
    return ShareFacts(lead(rows), mineral, "refining", year, unit, secondary), edition


def _share_evidence(metric: str, facts: ShareFacts, resource: str, edition: str, verdict: str, rule: str) -> Evidence:
    return Evidence(metric=metric, value=facts.lead.share, year=str(facts.year), resources=(resource,),
                    source=_source_short(resource, edition[-4:]), facts=facts, verdict=verdict, rule=rule)


def china_share_mine_rare_earths(production: pd.DataFrame) -> Evidence:
    """China's share of world rare-earth mine production (USGS world total), latest year in the table."""
    facts, edition = mine_share("rare_earths", production)
    return _share_evidence("china_share_mine_rare_earths", facts, "production", edition,
                           _dominance_verdict(facts.lead), DOMINANCE_RULE)


def china_share_refining_rare_earths(refining: pd.DataFrame) -> Evidence:
    """China's share of world refining of the four magnet rare earths (IEA total row), latest IEA edition."""
    facts, edition = refining_share("rare_earths", refining)
    return _share_evidence("china_share_refining_rare_earths", facts, "refining", edition,
                           _dominance_verdict(facts.lead), DOMINANCE_RULE)


COPPER_RULE = (f"Supported if China is the largest refiner and refines at least {CLEAR_LEAD:g} times as much as the "
               f"next country; partly supported if it is the largest by a smaller margin; not supported if another "
               f"country refines more.")


def _lead_verdict(ld: Lead) -> str:
    if ld.rank != 1:
        return NOT_SUPPORTED
    return SUPPORTED if ld.ratio >= CLEAR_LEAD else PARTLY


def china_share_refining_copper(refining: pd.DataFrame) -> Evidence:
    """China's share of world refined copper output and its lead over the next refiner, latest IEA edition.
    The claim tested is a 'hold' on refining, so the rule asks for a clear lead rather than a majority."""
    facts, edition = refining_share("copper", refining)
    return _share_evidence("china_share_refining_copper", facts, "refining", edition, _lead_verdict(facts.lead),
                           COPPER_RULE)


# ---------------------------------------------------------------------------------------------- Pakistan


FDI_RULE = ("Supported if China is the largest source of net FDI into Pakistan in every fiscal year with "
            "country data; partly supported if in some of them; not supported if in none.")


def fdi_span(years: list[int]) -> str:
    return f"FY{years[0]}" if len(years) == 1 else f"FY{years[0]}–FY{years[-1]}"


def china_largest_fdi_source(fdi: pd.DataFrame) -> Evidence:
    """China's rank and share among source countries of net FDI into Pakistan, each fiscal year with country
    rows (Hong Kong is its own row and is not added to China)."""
    net = fdi[fdi["measure"] == "net"]
    years = sorted(int(y) for y in net.loc[net["row_kind"] == "country", "fiscal_year"].unique())
    if not years:
        raise ValueError("no country rows in the FDI table")
    facts = FdiFacts(tuple((fy, lead(net[net["fiscal_year"] == fy])) for fy in years))
    verdict = SUPPORTED if facts.firsts == len(years) else (PARTLY if facts.firsts else NOT_SUPPORTED)
    return Evidence(
        metric="china_largest_fdi_source", value=facts.years[-1][1].share, year=fdi_span(years),
        resources=("pakistan_fdi",), source=_source_short("pakistan_fdi"), facts=facts,
        verdict=verdict, rule=FDI_RULE)


PAKISTAN_RULE = ("Supported if no USGS edition and no BGS year in the book lists Pakistan with rare-earth mine "
                 "production; not supported if any lists a positive amount.")


def pakistan_share_world_production_rare_earths(production: pd.DataFrame, history: pd.DataFrame) -> Evidence:
    """Pakistan's rare-earth mine production in every USGS edition (production) and BGS year
    (production_history) in the book. 'Not listed' is reported as such, never as zero."""
    p, h = production, history
    usgs = p[(p["mineral"] == "rare_earths") & (p["stage"] == "mine")]
    bgs = h[(h["mineral"] == "rare_earths") & (h["stage"] == "mine")]
    listed = pd.concat([usgs.loc[usgs["iso3"] == "PAK", ["year", "value"]],
                        bgs.loc[bgs["iso3"] == "PAK", ["year", "value"]]])
    positive = listed[listed["value"].fillna(0) > 0]
    producers = pd.concat([usgs.loc[usgs["row_kind"] == "country", "iso3"],
                           bgs.loc[bgs["row_kind"] == "country", "iso3"]])
    eds = sorted(usgs["edition"].unique())
    last = positive.sort_values("year").iloc[-1] if len(positive) else None
    facts = ListingFacts(
        usgs_editions=(eds[0], eds[-1]) if eds else None,
        usgs_years=(int(usgs["year"].min()), int(usgs["year"].max())) if len(usgs) else None,
        bgs_years=(int(bgs["year"].min()), int(bgs["year"].max())) if len(bgs) else None,
        n_countries=int(producers.dropna().nunique()),
        listed=None if last is None else (float(last["value"]), int(last["year"])))
    if last is None:
        verdict, value = SUPPORTED, None
        year = f"{int(min(usgs['year'].min(), bgs['year'].min() if len(bgs) else 9999))}–{int(usgs['year'].max())}"
    else:
        verdict, value, year = NOT_SUPPORTED, float(last["value"]), str(int(last["year"]))
    return Evidence(
        metric="pakistan_share_world_production_rare_earths", value=value, year=year,
        resources=("production", "production_history"),
        source=f"{_source_short('production', eds[-1][-4:] if eds else None)}; {_source_short('production_history')}",
        facts=facts, verdict=verdict, rule=PAKISTAN_RULE)


# ---------------------------------------------------------------------------------------------- trade, deals


IMPORTS_RULE = (f"Supported if China supplies at least {_pct(NOT_MARGINAL)} of the value of US rare-earth imports "
                f"in the latest year; partly supported if it supplies less but more than nothing; not supported if "
                f"it supplies none.")


def import_share(us_imports: pd.DataFrame, mineral: str = "rare_earths") -> ImportFacts:
    """China's share of the value of US imports of one mineral (UN Comtrade), latest year: China rows summed
    over the mineral's HS codes divided by the World rows."""
    rows = us_imports[us_imports["mineral"] == mineral]
    year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    world = float(rows.loc[rows["partner"] == "World", "value_usd"].sum())
    if world <= 0:
        raise ValueError(f"no US {mineral.replace('_', ' ')} imports from the world in {year}")
    return ImportFacts(mineral=mineral, china_usd=float(rows.loc[rows["partner"] == "China", "value_usd"].sum()), world_usd=world,
                       year=year, hs_codes=tuple(sorted(rows["hs_code"].unique())))


def china_share_us_imports_rare_earths(us_imports: pd.DataFrame) -> Evidence:
    """China's share of the value of US imports of rare-earth compounds and metals (UN Comtrade), latest year."""
    facts = import_share(us_imports)
    share = facts.share
    verdict = SUPPORTED if share >= NOT_MARGINAL else (PARTLY if share > 0 else NOT_SUPPORTED)
    return Evidence(
        metric="china_share_us_imports_rare_earths", value=share, year=str(facts.year),
        resources=("us_imports",), source=_source_short("us_imports"), facts=facts, verdict=verdict,
        rule=IMPORTS_RULE)


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
    binding = deal["binding"]
    median = None if wk.others.empty else float(wk.others["amount_usd"].median())
    facts = DealSizeFacts(amount=wk.amount, kind_label=wk.kind_label.lower(), rank=wk.rank, n_sized=wk.n_sized,
                          n_unsized=wk.n_unsized, median=median, n_others=len(wk.others),
                          non_binding=bool(pd.notna(binding) and not bool(binding)))
    below = None if median is None else wk.amount < median
    held = [facts.non_binding] + ([below] if below is not None else [])
    verdict = SUPPORTED if all(held) and below is not None else (PARTLY if any(held) else NOT_SUPPORTED)
    return Evidence(
        metric="deal_size_vs_other_deals", value=facts.ratio, year=f"{deal['date']:%Y}", resources=("deals",),
        source=f"{deal['source_outlet']} for the MoU; each deal's own source for the others", facts=facts,
        verdict=verdict, rule=DEAL_RULE)


# ---------------------------------------------------------------------------------------------- metrics


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


@dataclass(frozen=True, eq=False)
class PremiseVerdict:
    verdict: str  # one of VERDICTS
    facts: object  # a fact record, a tuple of them (a premise with several parts) or a Reason
    year: str = ""  # the year(s) the facts refer to
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
THRESHOLDS = {"majority": MAJORITY, "clear_lead": CLEAR_LEAD, "not_marginal": NOT_MARGINAL}


def _share_verdict(dataset: str, rows: pd.DataFrame, test: str) -> PremiseVerdict:
    """China's share in one slice (production, refining or us_imports rows) against the premise's threshold."""
    if dataset == "us_imports":
        if test != "not_marginal":
            raise ValueError("US import shares are tested only for 'trades with' (not_marginal)")
        ev = china_share_us_imports_rare_earths(rows)
        share = ev.value
        verdict = SUPPORTED if share >= NOT_MARGINAL else (PARTLY if share > 0 else CONTRADICTED)
        return PremiseVerdict(verdict, ev.facts, ev.year, ev.source)
    if dataset not in ("refining", "production"):
        raise ValueError(f"no share rule for dataset {dataset!r}")
    share_of = refining_share if dataset == "refining" else mine_share
    facts, edition = share_of(rows["mineral"].iloc[0], rows)
    ld = facts.lead
    if test == "clear_lead":
        verdict = _lead_verdict(ld)
    elif ld.rank != 1:
        verdict = NOT_SUPPORTED
    else:
        verdict = SUPPORTED if ld.share >= THRESHOLDS[test] else PARTLY
    return PremiseVerdict(verdict, facts, str(facts.year), _source_short(dataset, edition[-4:]))


def rule_share_threshold(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    test = SHARE_TESTS[premise["premise_id"]]
    parts = [_share_verdict(d, f, test) for r, d, f, _ in slices if r == "subject"]
    return PremiseVerdict(_combine([p.verdict for p in parts]), tuple(p.facts for p in parts),
                          "; ".join(p.year for p in parts), "; ".join(dict.fromkeys(p.source for p in parts)))


# ---- planned_share_of_world. NOTE: 'among the largest producers' is read as the top three, 'a notable but
# minor share' as the top ten; the plan is taken at its largest stated phase and current world output held fixed.
PLANNED_TOP = 3
PLANNED_NOTABLE = 10


def rule_planned_share_of_world(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    plan = _rows(slices, role="subject")
    ref = _rows(slices, role="reference")
    if plan.empty or ref.empty:
        return PremiseVerdict(NOT_CHECKABLE, Reason(missing="plan_or_world"))
    r, edition, year = _mine_latest(ref)
    ranked = _ranked(r)
    world = float(r.loc[r["row_kind"] == "world_total", "value"].iloc[0])
    unit = str(r["unit"].iloc[0])
    # the world output is in kt for copper, the plan in t a year
    scale = 1000.0 if unit == "kt" and str(plan["unit"].iloc[0]).startswith("t") else 1.0
    planned = float(plan["value"].max()) / scale
    top = ranked.iloc[0]
    facts = PlannedFacts(planned=planned, unit=unit, world=world, year=year,
                         rank=int((ranked["value"] > planned).sum()) + 1, top_name=_name(top),
                         top_share=float(top["value"]) / world)
    verdict = SUPPORTED if facts.rank <= PLANNED_TOP else (PARTLY if facts.rank <= PLANNED_NOTABLE else NOT_SUPPORTED)
    return PremiseVerdict(verdict, facts, str(year), _source_short("production", edition[-4:]))


# ---- rank_among_sources: the partner each premise names.
RANK_TESTS = {"khan-7-china-biggest-investor-p1": "CHN"}


def rule_rank_among_sources(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    if RANK_TESTS[premise["premise_id"]] != "CHN":
        raise ValueError("only China's rank is computed")
    ev = china_largest_fdi_source(_rows(slices, role="subject"))
    verdict = {SUPPORTED: SUPPORTED, PARTLY: PARTLY}.get(ev.verdict, NOT_SUPPORTED)
    return PremiseVerdict(verdict, ev.facts, ev.year, ev.source)


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
    found: dict[str, list] = {}
    read: dict[str, tuple[int, int] | None] = {}
    for role, dataset, rows, _ in slices:
        if role != "subject":
            continue
        pak = rows[(rows["iso3"] == "PAK") & (rows["value"].fillna(0) > 0)]
        read.setdefault(dataset, (int(rows["year"].min()), int(rows["year"].max()))
                        if "year" in rows and len(rows) else None)
        for m in minerals:
            hit = pak[pak["mineral"] == m]
            if len(hit):
                found.setdefault(m, []).append((dataset, int(hit["year"].min()), int(hit["year"].max())))
    facts = ListedFacts(minerals=tuple(minerals), read=tuple((d, *y) for d, y in read.items() if y),
                        found={m: tuple(v) for m, v in found.items()})
    n = facts.n_listed
    if asserts:
        verdict = SUPPORTED if n == len(minerals) else (PARTLY if n else NOT_SUPPORTED)
    else:
        verdict = CONTRADICTED if n else SUPPORTED
    return PremiseVerdict(verdict, facts, "", "USGS Mineral Commodity Summaries; BGS World Mineral Statistics")


# ---- amounts_within_kind: which deals the premise is about, and what it says of their amounts.
# 'largest': first among stated amounts of the same kind in every kind that has a comparator;
# 'below_median': below the median of the other stated amounts of its kind. 'non_binding' adds that test.
AMOUNT_TESTS = {
    "reex-2-political-theatre-p2": ('deal_id == "ussm-fwo-mou"', "below_median", True),
    "khoso-7-china-main-partner-p1": ('deal_id.str.startswith("cpec")', "largest", False),
}


def rule_amounts_within_kind(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    focus_q, test, non_binding = AMOUNT_TESTS[premise["premise_id"]]
    pool = _rows(slices, dataset="deals")
    focus = pool[_mask(pool, focus_q)]
    pool = pool[pool["amount_usd"].notna()]
    comparisons = []
    for kind, rows in focus[focus["amount_usd"].notna()].groupby("money_kind", sort=False):
        others = pool[(pool["money_kind"] == kind) & ~pool["deal_id"].isin(focus["deal_id"])]
        amount = float(rows["amount_usd"].max())
        if others.empty:
            comparisons.append(KindComparison(kind, amount, test, 0, None))
        elif test == "largest":
            top = others.sort_values("amount_usd", ascending=False).iloc[0]
            comparisons.append(KindComparison(kind, amount, test, len(others),
                                              amount > float(others["amount_usd"].max()),
                                              top=(str(top["name"]), float(top["amount_usd"]))))
        else:
            median = float(others["amount_usd"].median())
            comparisons.append(KindComparison(kind, amount, test, len(others), amount < median, median=median,
                                              rank=int((others["amount_usd"] > amount).sum()) + 1))
    nb = bool((focus["binding"].fillna(True) == False).all()) if non_binding else None  # noqa: E712
    facts = AmountFacts(tuple(comparisons), nb)
    held = facts.held
    if not held:
        return PremiseVerdict(NOT_CHECKABLE, facts)
    verdict = SUPPORTED if all(held) else (PARTLY if any(held) else NOT_SUPPORTED)
    return PremiseVerdict(verdict, facts, "", "deals (each row's source)")


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

# Price series shown beside a policy-record verdict on a mineral. NOTE: for rare earths, the magnet rare earths
# (NdPr, Dy, Tb), the same scope as the IEA refining figures; annual averages cannot show the effect of a
# measure taken within a year, so prices are context, never part of the verdict.
PRICE_SERIES = {"rare_earths": ["rare_earths_ndpr_oxide", "rare_earths_dy_oxide", "rare_earths_tb_oxide"]}
PRICE_YEARS = 3


def price_facts(minerals: list[str], prices: pd.DataFrame) -> PriceFacts | None:
    """The last PRICE_YEARS annual average prices of the PRICE_SERIES of `minerals` (None when there are none)."""
    series, editions = [], set()
    for m in minerals:
        for name in PRICE_SERIES.get(m, []):
            rows = prices[prices["series"] == name].sort_values(["year", "edition"])
            rows = rows.drop_duplicates("year", keep="last").tail(PRICE_YEARS)
            if rows.empty:
                continue
            editions |= set(rows["edition"].astype(str))
            series.append(PriceSeries(str(rows["basis"].iloc[0]), tuple(
                (int(r.year), float(r.value), str(r.flag) == "estimated") for r in rows.itertuples())))
    if not series:
        return None
    return PriceFacts(tuple(series), _source_short("prices", sorted(editions)[-1][-4:]))


def _mask(frame: pd.DataFrame, query: str) -> pd.Series:
    m = frame.eval(query, engine="python")
    if not isinstance(m, pd.Series):
        m = pd.Series(bool(m), index=frame.index)
    return m.astype("boolean").fillna(False).astype(bool)


RECORD_FAMILIES = ("record_check", "policy_record")


def rule_records(premise: pd.Series, slices: Slices, tables: dict) -> PremiseVerdict:
    """record_check and policy_record: do the subject rows show the fact as stated?"""
    pid = premise["premise_id"]
    test = RECORD_TESTS[pid]
    subject = [(d, f) for r, d, f, _ in slices if r == "subject"]
    if not sum(len(f) for _, f in subject):
        return PremiseVerdict(NOT_SUPPORTED, RecordFacts("no_rows", (), pid))
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
            verdict, outcome, rows = CONTRADICTED, "contrary", shown
        elif partial:
            verdict, outcome, rows = PARTLY, "partial_contrary", partial
        else:
            verdict, outcome, rows = SUPPORTED, "no_contrary", subject
    elif shown:
        unconfirmed = all((f["status"] == "unconfirmed").all() if "status" in f else False for _, f in shown)
        verdict, outcome = (PARTLY, "shown_unconfirmed") if unconfirmed else (SUPPORTED, "shown")
        rows = shown
    elif partial:
        verdict, outcome, rows = PARTLY, "partial", partial
    else:
        verdict, outcome, rows = (NOT_SUPPORTED if policy else CONTRADICTED), "not_shown", subject
    prices = None
    if policy and "prices" in tables:
        named = sorted({m for _, f in subject if "minerals" in f
                        for v in f["minerals"].dropna() for m in str(v).split(";")})
        prices = price_facts(named, tables["prices"])
    return PremiseVerdict(verdict, RecordFacts(outcome, tuple(rows), pid, prices), "",
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
        return PremiseVerdict(NOT_CHECKABLE, Reason(text=str(premise.get("not_checkable_reason") or "")))
    if premise["kind"] == "opinion":
        raise ValueError(f"premise {premise['premise_id']!r} is an opinion but marked checkable")
    return RULES[premise["rule_family"]](premise, slices, tables)


VERDICT_COLUMNS = ["claim_id", "premise_id", "speaker", "voice_id", "speaker_group", "date", "date_precision", "outlet",
                   "source_url", "claim", "stance", "premise", "kind", "rule_family", "checkable", "verdict", "rule",
                   "facts", "year", "source", "context_rows", "resources"]


def premise_verdicts(df: pd.DataFrame, premises: pd.DataFrame, premise_evidence: pd.DataFrame,
                     tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per premise of the claims in `df`: the claim's speaker, group, date and stance, the premise, its
    kind and rule family, the verdict, the rule (as the data package states it), the facts it rests on and the
    context rows (a tuple of (note, dataset, rows) for the premise's context evidence).
    Sorted by rule family order, then date and premise_id. ``tables`` maps the data-package names the
    premises' evidence rows name to their frames (:class:`critmin.data.Tables` loads them on first use)."""
    rules = family_rules()
    rows = []
    claims_by_id = df.set_index("claim_id")
    for _, p in premises[premises["claim_id"].isin(claims_by_id.index)].iterrows():
        slices = evidence_slices(p["premise_id"], premise_evidence, tables)
        v = judge(p, slices, tables)
        c = claims_by_id.loc[p["claim_id"]]
        rows.append({
            "claim_id": p["claim_id"], "premise_id": p["premise_id"], "speaker": c["speaker"],
            "voice_id": c.get("voice_id", c["speaker"]), "speaker_group": c["speaker_group"], "date": c["date"],
            "date_precision": c["date_precision"], "outlet": c["outlet"], "source_url": c["source_url"],
            "claim": c["claim"], "stance": c["stance"], "premise": p["premise"], "kind": p["kind"],
            "rule_family": p["rule_family"], "checkable": bool(p["checkable"]), "verdict": v.verdict,
            "rule": rules.get(p["rule_family"], "") if v.verdict != NOT_CHECKABLE or p["checkable"] else "",
            "facts": v.facts, "year": v.year, "source": v.source,
            "context_rows": tuple((note, d, f) for r, d, f, note in slices if r == "context"),
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
