"""The numbers of the one-mineral profile: who produces it, China's share over time, reserves, US imports.

One function per section of the page: who produces the mineral in a year (:func:`producers`), China's share
over time from USGS and from the longer BGS series (:func:`usgs_share_over_time`, :func:`bgs_share_over_time`),
reserves next to production (:func:`reserves_vs_production`), US net import reliance and import sources
(:func:`reliance`, :func:`import_sources`), revisions between USGS editions (:func:`revisions`) and what the tables
say about Pakistan (:func:`pakistan`).

Every function takes the tables it needs as keyword arguments and loads nothing itself: the chapter
(:mod:`critmin.chapters.mineral_profile`) loads them once and passes them in. Missing data is never an error here:
a section with nothing to show returns an empty frame or a status; the chapter says in words what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from critmin import params
from critmin.analysis import metrics
from critmin.text import bullets, number_text, quantity, share_text, to_unit

__all__ = [
    "STAGES", "CHINA", "PAKISTAN",
    "mineral_ids", "mineral_info", "available_years",
    "production_rows", "stages_of", "Producers", "producers",
    "usgs_share_over_time", "bgs_share_over_time",
    "ReservesView", "reserves_vs_production",
    "reliance", "import_sources",
    "pakistan",
    "plain", "share_text", "number_text", "quantity", "to_unit", "bullets",
]

STAGES = ("mine", "refinery", "smelter", "processing")
STAGE_NOUN = {"mine": "mine production", "refinery": "refinery production", "smelter": "smelter production",
              "processing": "primary processing"}
CHINA = "CHN"
PAKISTAN = "PAK"
# NOTE: words the publishers use for a mineral in their caveats besides its label (e.g. the reserves caveat
# on chromite); used only to pick which caveats a profile repeats.
_ALIASES = {
    "chromium": ["chromite"], "platinum": ["platinum-group"], "palladium": ["platinum-group"],
    "platinum_group_metals": ["platinum-group"],
    "titanium": ["ilmenite"], "titanium_rutile": ["rutile"], "iron_ore": ["iron ore"], "iron_ore_fe": ["iron ore"],
    "graphite": ["graphite"], "rare_earths": ["rare earth", "rare-earth"],
}


def _f(x) -> float:
    """A plain float, NaN for any missing value (pandas NA included)."""
    return np.nan if x is None or pd.isna(x) else float(x)


def _str(s: pd.Series) -> pd.Series:
    return s.astype("object").where(s.notna(), "")


# ---------------------------------------------------------------------------------------------------------
# formatting


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """A copy safe for :func:`critmin.page.table`: pandas' NA becomes None (shown as '–'), integers stay integers."""
    return df.astype("object").where(df.notna(), None)


# ---------------------------------------------------------------------------------------------------------
# parameters


def mineral_ids(*, minerals: pd.DataFrame) -> list[str]:
    """Every mineral id of the registry (data/minerals.csv), sorted."""
    return sorted(minerals["mineral"].astype(str))


def mineral_info(mineral: str, *, minerals: pd.DataFrame) -> dict:
    """The registry row of a mineral: label, description, deal_mineral, usgs_commodity."""
    m = minerals
    row = m[m["mineral"] == mineral]
    if row.empty:
        raise params.ParameterError(f"mineral={mineral!r} is not available; allowed: {', '.join(mineral_ids(minerals=m))}")
    r = row.iloc[0]
    return {"mineral": mineral, "label": str(r["label"]), "description": str(r["description"]),
            "deal_mineral": bool(r["deal_mineral"]), "usgs_commodity": str(r["usgs_commodity"])}


def available_years(mineral: str, *, production: pd.DataFrame, reserves: pd.DataFrame) -> list[int]:
    """Years of the USGS production table for the mineral; for a reserves-only id, the reserves years."""
    p = production
    years = p.loc[p["mineral"] == mineral, "year"].dropna().astype(int).unique().tolist()
    if not years:
        r = reserves
        years = r.loc[r["mineral"] == mineral, "year"].dropna().astype(int).unique().tolist()
    return sorted(years)


# ---------------------------------------------------------------------------------------------------------
# production by country


def production_rows(mineral: str, *, production: pd.DataFrame) -> pd.DataFrame:
    """The mineral's USGS rows with the ``product`` label moved to ``series``.

    NOTE: USGS words the same series differently from edition to edition, and within one table a single row
    (e.g. the US cobalt figure, or the world total for platinum) can carry its own label. Keeping the label
    as a grouping key would split one table into several, so shares are grouped by mineral, stage, unit and
    year only; the label is kept for display.
    """
    p = production
    out = p[p["mineral"] == mineral].rename(columns={"product": "series"})
    order = {s: i for i, s in enumerate(STAGES)}
    out = out.assign(_o=out["stage"].map(order)).sort_values(["_o", "year", "row_kind", "country"])
    return out.drop(columns="_o").reset_index(drop=True)


def stages_of(mineral: str, *, production: pd.DataFrame) -> list[str]:
    rows = production_rows(mineral, production=production)
    return [s for s in STAGES if (rows["stage"] == s).any()]


def _metric_input(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.drop(columns=[c for c in ("series",) if c in rows.columns])


@dataclass
class Producers:
    """Producers of one mineral, stage and year (USGS)."""

    mineral: str
    stage: str
    year: int
    status: str  # ok | no_year | no_values
    years: list[int] = field(default_factory=list)  # years the stage has
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # every country row, largest first
    unit: str = ""
    edition: str = ""
    series: str = ""
    sum_of_countries: float = np.nan
    world_total: float = np.nan
    world_flag: str = ""
    other: float = np.nan  # USGS's "Other countries" line
    n_listed: int = 0
    n_withheld: int = 0
    withheld: list[str] = field(default_factory=list)
    china_share: float = np.nan
    china_rank: float = np.nan
    china_status: str = "not_listed"
    china_value: float = np.nan
    china_share_of_world_total: float = np.nan
    # The book's share: of the publisher's world total where it gives one, else of the listed countries (the rule
    # every page follows; computed by the same function as the concentration page).
    china_share_book: float = np.nan
    denominator: str = ""  # "world_total" or "sum_of_countries": what china_share_book divides by
    hhi: float = np.nan
    hhi_lower: float = np.nan
    hhi_upper: float = np.nan
    top3_share: float = np.nan
    top3: list[str] = field(default_factory=list)


def producers(mineral: str, year: int, stage: str, *, production: pd.DataFrame) -> Producers:
    """Country shares, concentration and China's place for one stage and year of the USGS table."""
    rows = production_rows(mineral, production=production)
    rows = rows[rows["stage"] == stage]
    years = sorted(rows["year"].dropna().astype(int).unique().tolist())
    res = Producers(mineral, stage, year, "no_year", years=years)
    yr = rows[rows["year"] == year]
    if yr.empty:
        return res
    res.unit = str(yr["unit"].iloc[0])
    res.edition = str(yr["edition"].iloc[0])
    countries = yr[yr["row_kind"] == "country"]
    res.series = str(countries["series"].mode().iloc[0]) if not countries.empty else str(yr["series"].iloc[0])
    world = yr[yr["row_kind"] == "world_total"]
    if not world.empty:
        res.world_total = float(world["value"].iloc[0]) if world["value"].notna().iloc[0] else np.nan
        res.world_flag = str(_str(world["flag"]).iloc[0])
    other = yr[yr["row_kind"] == "other"]
    res.other = _f(other["value"].sum(min_count=1)) if not other.empty else np.nan
    res.n_listed = len(countries)
    res.withheld = sorted(countries.loc[countries["value"].isna(), "country"].astype(str))
    res.n_withheld = len(res.withheld)
    if countries["value"].notna().sum() == 0 or not (countries["value"].fillna(0).sum() > 0):
        res.status = "no_values"
        return res
    res.status = "ok"
    inp = _metric_input(yr)
    sh = metrics.shares(inp, by=["mineral", "stage", "year"])
    tab = sh[["country", "iso3", "value", "flag", "share"]].copy()
    tab["flag"] = _str(tab["flag"])
    tab["value"] = tab["value"].astype("float64")
    tab["share"] = tab["share"].astype("float64")
    tab = tab.sort_values(["value", "country"], ascending=[False, True], na_position="last").reset_index(drop=True)
    tab.insert(0, "rank", tab["value"].rank(method="min", ascending=False).astype("Int64"))
    res.table = tab
    res.sum_of_countries = float(tab["value"].sum())
    ct = metrics.concentration_table(inp, iso3=CHINA, year=year, edition=None).iloc[0]
    res.china_share = float(ct["country_share"]) if pd.notna(ct["country_share"]) else np.nan
    res.china_rank = float(ct["country_rank"]) if pd.notna(ct["country_rank"]) else np.nan
    res.china_status = str(ct["country_status"])
    book = metrics.country_share(inp, CHINA, by=["mineral", "stage", "year"], denominator="book").iloc[0]
    res.china_share_book = float(book["share"]) if pd.notna(book["share"]) else np.nan
    res.denominator = "world_total" if book["denominator"] == "world_total" else "sum_of_countries"
    res.table["share_book"] = (res.table["value"] / res.world_total if res.denominator == "world_total"
                               else res.table["share"])
    ch = tab[tab["iso3"].astype("object") == CHINA]
    res.china_value = float(ch["value"].iloc[0]) if not ch.empty and pd.notna(ch["value"].iloc[0]) else np.nan
    if pd.notna(res.china_value) and res.world_total > 0:
        res.china_share_of_world_total = res.china_value / res.world_total
    res.hhi, res.hhi_lower, res.hhi_upper = (float(ct[c]) for c in ("hhi", "hhi_lower", "hhi_upper"))
    res.top3_share = float(ct["top3_share"])
    top = tab[tab["value"].notna()].head(3)
    res.top3 = top["country"].astype(str).tolist()
    return res


# ---------------------------------------------------------------------------------------------------------
# China's share over time


def usgs_share_over_time(mineral: str, stage: str, iso3: str = CHINA, *, production: pd.DataFrame) -> pd.DataFrame:
    """A country's share of the listed countries' output for every year USGS has, with the edition and label."""
    rows = production_rows(mineral, production=production)
    rows = rows[rows["stage"] == stage]
    if rows.empty:
        return pd.DataFrame(columns=["year", "value", "share", "share_of_world_total", "rank", "status", "flag",
                                     "edition", "series"])
    cs = metrics.country_share(_metric_input(rows), iso3, by=["mineral", "stage", "year"])
    meta = rows[rows["row_kind"] == "country"].groupby("year").agg(
        edition=("edition", "first"), series=("series", lambda s: s.mode().iloc[0]))
    world = rows[rows["row_kind"] == "world_total"].groupby("year")["value"].first().astype("float64")
    own = rows[rows["iso3"].astype("object") == iso3].set_index("year")
    out = cs[["year", "value", "share", "rank", "status"]].join(meta, on="year")
    out["flag"] = out["year"].map(_str(own["flag"])).fillna("")
    out["share_of_world_total"] = (out["value"].astype("float64")
                                   / out["year"].map(world).where(lambda w: w > 0)).astype("float64")
    # the reason a share is missing, in the publisher's terms where it gives one
    out.loc[out["status"] == "withheld", "status"] = out["flag"].where(
        out["flag"].isin(["withheld", "not_available"]), "withheld")
    out["year"] = out["year"].astype(int)
    cols = ["year", "value", "share", "share_of_world_total", "rank", "status", "flag", "edition", "series"]
    return out[cols].sort_values("year").reset_index(drop=True)


def bgs_share_over_time(mineral: str, iso3: str = CHINA, *, history: pd.DataFrame) -> pd.DataFrame:
    """A country's share of world output by stage and year from the BGS series (1970–2021).

    Shares are of all producer rows, historic states included (see :func:`critmin.metrics.share_over_time`).
    NOTE: where BGS splits one stage into several products (lithium content of carbonate, chloride and
    minerals) a country's products are added up, as they are separate output streams.
    """
    h = history
    h = h[h["mineral"] == mineral]
    if h.empty:
        return pd.DataFrame(columns=["mineral", "stage", "year", "value", "share", "status", "series"])
    series = h.groupby("stage")["product"].agg(lambda s: "; ".join(sorted(s.astype(str).unique())))
    keys = ["mineral", "stage", "country", "iso3", "row_kind", "year", "unit"]
    agg = h.groupby(keys, dropna=False, as_index=False)["value"].sum(min_count=1)
    # NOTE: a year without a row for the country is left missing, not read as zero: BGS starts some
    # countries late (China's copper mine output from 1972, chromite from 1992) for want of data.
    out = metrics.share_over_time(agg, iso3, absent_as_zero=False)
    out = out[["mineral", "stage", "year", "value", "share", "status"]].copy()
    out["series"] = out["stage"].map(series)
    out["year"] = out["year"].astype(int)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# reserves


@dataclass
class ReservesView:
    mineral: str
    status: str  # ok | none | group_only
    year: int | None = None
    unit: str = ""
    edition: str = ""
    group: str = ""  # the registry id whose reserves are shown when USGS gives only a group figure
    world_total: float = np.nan
    world_flag: str = ""
    other: float = np.nan
    sum_of_countries: float = np.nan
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    production_year: int | None = None
    production_stage: str = ""
    world_production: float = np.nan  # in the reserves unit
    world_rp: float = np.nan
    china: dict = field(default_factory=dict)


_RESERVE_GROUPS = {"platinum": "platinum_group_metals", "palladium": "platinum_group_metals"}


def reserves_vs_production(mineral: str, n: int = 8, *, production: pd.DataFrame, reserves: pd.DataFrame,
                           computed: Iterable[Producers] = ()) -> ReservesView:
    """Reserve shares of the largest holders (plus China) next to their production shares, and R/P years.

    Production is the first stage the mineral has (mine output where USGS gives it), in the reserves'
    as-of year or, if USGS has no production table for that year, the newest earlier one. Reserves-to-
    production years = reserves ÷ annual production, in the same unit; missing where either is missing.
    ``computed``: :func:`producers` results the caller already has (from the same ``production`` table); the
    one for that stage and year is used instead of computing it again.
    """
    r = reserves
    res_rows = r[r["mineral"] == mineral]
    view = ReservesView(mineral, "ok")
    if res_rows.empty and mineral in _RESERVE_GROUPS:
        res_rows = r[r["mineral"] == _RESERVE_GROUPS[mineral]]
        view.status, view.group = "group_only", _RESERVE_GROUPS[mineral]
    if res_rows.empty:
        view.status = "none"
        return view
    view.year = int(res_rows["year"].max())
    res_rows = res_rows[res_rows["year"] == view.year]
    view.unit = str(res_rows["unit"].iloc[0])
    view.edition = str(res_rows["edition"].iloc[0])
    w = res_rows[res_rows["row_kind"] == "world_total"]
    if not w.empty and w["value"].notna().iloc[0]:
        view.world_total = float(w["value"].iloc[0])
        view.world_flag = str(_str(w["flag"]).iloc[0])
    o = res_rows[res_rows["row_kind"] == "other"]
    view.other = _f(o["value"].sum(min_count=1)) if not o.empty else np.nan
    c = res_rows[res_rows["row_kind"] == "country"].copy()
    c["reserves"] = c["value"].astype("float64")
    c["reserves_flag"] = _str(c["flag"])
    view.sum_of_countries = float(c["reserves"].sum())
    c["reserves_share"] = c["reserves"] / view.sum_of_countries if view.sum_of_countries > 0 else np.nan

    prod = pd.DataFrame(columns=["iso3", "production", "production_share"])
    if view.status == "ok":
        stages = stages_of(mineral, production=production)
        if stages:
            view.production_stage = stages[0]
            rows = production_rows(mineral, production=production)
            rows = rows[(rows["stage"] == stages[0]) & rows["value"].notna() & (rows["row_kind"] == "country")]
            yrs = sorted(y for y in rows["year"].unique() if y <= view.year) or sorted(rows["year"].unique())
            if yrs:
                view.production_year = int(yrs[-1])
                p = next((c for c in computed if (c.mineral, c.stage, c.year)
                          == (mineral, stages[0], view.production_year)), None)
                if p is None:
                    p = producers(mineral, view.production_year, stages[0], production=production)
                if p.status == "ok":
                    pt = p.table[p.table["iso3"].notna()]
                    prod = pd.DataFrame({
                        "iso3": pt["iso3"].astype(str),
                        "production": to_unit(pt["value"], p.unit, view.unit),
                        "production_share": pt["share"],
                    })
                    wp = p.world_total if pd.notna(p.world_total) else p.sum_of_countries
                    view.world_production = float(to_unit(wp, p.unit, view.unit))
                    if pd.notna(view.world_total) and view.world_production > 0:
                        view.world_rp = view.world_total / view.world_production
    c["iso3"] = c["iso3"].astype("object")
    tab = c.merge(prod, on="iso3", how="left") if not prod.empty else c.assign(production=np.nan,
                                                                              production_share=np.nan)
    tab["rp_years"] = (tab["reserves"] / tab["production"].where(tab["production"] > 0)).astype("float64")
    tab = tab.sort_values(["reserves", "country"], ascending=[False, True], na_position="last")
    keep = tab.head(n)
    extra = tab[(tab["iso3"].isin([CHINA, PAKISTAN])) & ~tab.index.isin(keep.index)]
    tab = pd.concat([keep, extra])
    cols = ["country", "iso3", "reserves", "reserves_flag", "reserves_share", "production", "production_share",
            "rp_years"]
    view.table = tab[cols].reset_index(drop=True)
    ch = c[c["iso3"] == CHINA]
    if not ch.empty:
        chrow = view.table[view.table["iso3"] == CHINA].iloc[0]
        view.china = {k: chrow[k] for k in ("reserves", "reserves_flag", "reserves_share", "production_share",
                                            "rp_years")}
    return view


# ---------------------------------------------------------------------------------------------------------
# United States: import reliance and sources


def _nir_label(row) -> str:
    flag = row["flag"] if isinstance(row["flag"], str) else ""
    if flag == "net_exporter":
        return "net exporter"
    if flag in ("not_available", "withheld"):
        return "not available" if flag == "not_available" else "withheld"
    if pd.isna(row["nir_pct"]):
        return "–"
    v = f"{row['nir_pct']:.0f}%"
    return {"censored_gt": f">{v}", "censored_lt": f"<{v}"}.get(flag, v) + (" (est.)" if flag == "estimated" else "")


def reliance(mineral: str, *, import_reliance: pd.DataFrame) -> pd.DataFrame:
    """US net import reliance by year: ``nir_pct`` (censored values at their bound), a display ``label``."""
    r = import_reliance
    r = r[r["mineral"] == mineral].sort_values("year")
    out = pd.DataFrame({
        "year": r["year"].astype(int),
        "nir_pct": r["nir_pct"].astype("float64"),
        "flag": _str(r["flag"]),
        "edition": r["edition"].astype(str),
    })
    out["label"] = [_nir_label(x) for _, x in out.iterrows()]
    return out.reset_index(drop=True)


def import_sources(mineral: str, *, import_sources: pd.DataFrame):
    """The newest edition's ranked US import sources (all its categories), and China's rank by edition."""
    s = import_sources
    s = s[s["mineral"] == mineral]
    if s.empty:
        return s.assign(share=pd.Series(dtype="float64")), pd.DataFrame(columns=["edition", "period", "category",
                                                                               "rank"])
    newest = s[s["edition"] == s["edition"].max()].copy()
    newest["share"] = newest["share_pct"].astype("float64") / 100
    newest = newest.sort_values(["category", "rank"])[["edition", "period", "category", "rank", "country", "iso3",
                                                       "share"]].reset_index(drop=True)
    china = []
    for (ed, per, cat), g in s.groupby(["edition", "period", "category"], sort=True):
        ch = g[g["iso3"].astype("object") == CHINA]
        china.append({"edition": ed, "period": per, "category": cat,
                      "rank": int(ch["rank"].iloc[0]) if not ch.empty else pd.NA, "listed": len(g)})
    return newest, pd.DataFrame(china)


# ---------------------------------------------------------------------------------------------------------
# events, other publishers, Pakistan


def _indicator_matches(indicator: pd.Series, mineral: str) -> pd.Series:
    pat = rf"(?:^|_){re.escape(mineral)}(?:_|$)"
    return indicator.astype(str).str.contains(pat, regex=True)


def pakistan(mineral: str, *, production: pd.DataFrame, reserves: pd.DataFrame, history: pd.DataFrame, indicators: pd.DataFrame) -> dict:
    """What the tables hold on Pakistan for the mineral.

    ``production``: USGS rows for Pakistan with its share and rank among listed countries; ``reserves``:
    USGS reserves rows; ``history``: BGS rows summarised by stage (first/last year, last value and share);
    ``indicators``: rows of pakistan_indicators whose id names the mineral.
    """
    rows = production_rows(mineral, production=production)
    prod = pd.DataFrame(columns=["stage", "year", "value", "unit", "flag", "share", "rank", "edition"])
    if (rows["iso3"].astype("object") == PAKISTAN).any():
        parts = []
        for stage in stages_of(mineral, production=production):
            st = rows[rows["stage"] == stage]
            cs = metrics.country_share(_metric_input(st), PAKISTAN, by=["mineral", "stage", "year"])
            cs = cs[cs["status"] != "not_listed"]
            if cs.empty:
                continue
            meta = st[st["iso3"].astype("object") == PAKISTAN].set_index("year")
            cs = cs.assign(unit=cs["year"].map(meta["unit"]), flag=cs["year"].map(_str(meta["flag"])),
                           edition=cs["year"].map(meta["edition"]))
            parts.append(cs[["stage", "year", "value", "unit", "flag", "share", "rank", "edition"]])
        if parts:
            prod = pd.concat(parts, ignore_index=True)
    r = reserves
    res = r[(r["mineral"] == mineral) & (r["iso3"].astype("object") == PAKISTAN)][
        ["year", "value", "unit", "flag", "edition"]].reset_index(drop=True)
    res["flag"] = _str(res["flag"])
    res_world = r[(r["mineral"] == mineral) & (r["row_kind"] == "country")]
    if not res.empty and res["value"].notna().any() and res_world["value"].sum() > 0:
        res["share"] = res["value"].astype("float64") / float(res_world["value"].sum())
    else:
        res["share"] = np.nan
    bgs = bgs_share_over_time(mineral, PAKISTAN, history=history)
    hist = pd.DataFrame(columns=["stage", "series", "first_year", "last_year", "last_value", "last_share"])
    reported = bgs[(bgs["status"] == "reported") & (bgs["value"] > 0)]
    if not reported.empty:
        hist = reported.sort_values("year").groupby("stage", sort=True).agg(
            series=("series", "first"), first_year=("year", "min"), last_year=("year", "max"),
            last_value=("value", "last"), last_share=("share", "last")).reset_index()
    ind = indicators
    ind = ind[_indicator_matches(ind["indicator"], mineral)]
    ind = ind[["label", "year", "value", "unit", "note", "publisher", "reliability"]].sort_values(
        ["label", "year"]).reset_index(drop=True)
    return {"production": prod.reset_index(drop=True), "reserves": res, "history": hist, "indicators": ind}


# ---------------------------------------------------------------------------------------------------------
# what the page shows: prose, tables and a helper that displays them in order




# ---------------------------------------------------------------------------------------------------------
# revisions between editions


def revisions(mineral: str, *, revisions: pd.DataFrame, min_change: float = 0.10) -> pd.DataFrame:
    """Country figures of the mineral's production that USGS changed between editions by at least `min_change`.

    One row per stage, country and year: the first edition's value, the value the book uses (the newest edition's)
    and the relative change, largest absolute change first. A share that moves from one edition's table to the
    next can be a change of estimate, not of the world; this is what tells the two apart.
    """
    r = revisions[(revisions["resource"] == "production") & (revisions["mineral"] == mineral)
                  & revisions["value"].notna()].copy()
    cols = ["stage", "country", "year", "first_edition", "first_value", "edition", "value", "unit", "change"]
    if r.empty:
        return pd.DataFrame(columns=cols)
    r["rank"] = r["edition"].astype("object").str[3:].astype(int)
    r = r.sort_values("rank")
    g = r.groupby(["series", "country", "year"], dropna=False)
    first = g.first()
    used = r[r["used"].astype(bool)].set_index(["series", "country", "year"])
    out = first.join(used[["edition", "value"]], rsuffix="_used", how="inner").reset_index()
    out = out[out["edition"] != out["edition_used"]]
    out["change"] = out["value_used"] / out["value"] - 1
    out = out[out["value"].gt(0) & out["change"].abs().ge(min_change)]
    out = out.assign(diff=(out["value_used"] - out["value"]).abs()).sort_values(["diff", "country"],
                                                                              ascending=[False, True])
    out = out.rename(columns={"series": "stage", "edition": "first_edition", "value": "first_value",
                              "edition_used": "edition", "value_used": "value"})
    return out[cols].reset_index(drop=True)
