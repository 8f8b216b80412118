"""Everything a one-mineral profile page shows, assembled from the data package.

One function per section of the page: who produces the mineral in a year (:func:`producers`), China's share
over time from USGS and from the longer BGS series (:func:`usgs_share_over_time`, :func:`bgs_share_over_time`),
reserves next to production (:func:`reserves_vs_production`), US net import reliance and import sources
(:func:`reliance`, :func:`import_sources`), China's export controls that name the mineral
(:func:`export_controls`), other publishers' refining shares (:func:`refining_shares`) and what the tables
say about Pakistan (:func:`pakistan`).

Every function takes the tables it needs as keyword arguments and loads them from the data package when
they are not given, so tests can pass small frames. Missing data is never an error here: a section with
nothing to show returns an empty frame or a status, and the ``*_sentence`` helpers say in words what is
missing. Shares are fractions 0–1, measured against the sum of the country rows of the publisher's table
(see :mod:`critmin.metrics`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import display

from critmin import data, params
from critmin.analysis import metrics
from critmin.data import package as datapackage
from critmin.render import page
from critmin.text import and_list, bullets, num, number_text, quantity, share_text, to_unit

__all__ = [
    "STAGES", "CHINA", "PAKISTAN",
    "mineral_ids", "mineral_info", "available_years", "check_parameters",
    "production_rows", "stages_of", "Producers", "producers", "producers_sentence",
    "usgs_share_over_time", "bgs_share_over_time", "seam_sentence",
    "ReservesView", "reserves_vs_production", "reserves_sentence",
    "reliance", "reliance_sentence", "import_sources", "import_sources_sentence",
    "export_controls", "refining_shares", "pakistan", "pakistan_sentences", "data_notes",
    "plain", "share_text", "number_text", "quantity", "to_unit",
    "Table", "show", "intro_sentence", "no_production_sentence", "producers_table", "share_lines",
    "usgs_trend_sentence", "bgs_trend_sentence", "over_time_paragraphs", "share_over_time_table",
    "reserves_table", "import_sources_table", "export_controls_text", "refining_sentence", "refining_table",
    "pakistan_tables", "bullets", "notes_text",
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


def _load(df: pd.DataFrame | None, name: str) -> pd.DataFrame:
    return data.load(name) if df is None else df


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


def mineral_ids(minerals: pd.DataFrame | None = None) -> list[str]:
    """Every mineral id of the registry (data/minerals.csv), sorted."""
    return sorted(_load(minerals, "minerals")["mineral"].astype(str))


def mineral_info(mineral: str, minerals: pd.DataFrame | None = None) -> dict:
    """The registry row of a mineral: label, description, deal_mineral, usgs_commodity."""
    m = _load(minerals, "minerals")
    row = m[m["mineral"] == mineral]
    if row.empty:
        raise params.ParameterError(f"mineral={mineral!r} is not available; allowed: {', '.join(mineral_ids(m))}")
    r = row.iloc[0]
    return {"mineral": mineral, "label": str(r["label"]), "description": str(r["description"]),
            "deal_mineral": bool(r["deal_mineral"]), "usgs_commodity": str(r["usgs_commodity"])}


def available_years(mineral: str, production: pd.DataFrame | None = None,
                    reserves: pd.DataFrame | None = None) -> list[int]:
    """Years of the USGS production table for the mineral; for a reserves-only id, the reserves years."""
    p = _load(production, "production")
    years = p.loc[p["mineral"] == mineral, "year"].dropna().astype(int).unique().tolist()
    if not years:
        r = _load(reserves, "reserves")
        years = r.loc[r["mineral"] == mineral, "year"].dropna().astype(int).unique().tolist()
    return sorted(years)


def check_parameters(mineral, year, *, minerals: pd.DataFrame | None = None,
                     production: pd.DataFrame | None = None,
                     reserves: pd.DataFrame | None = None) -> tuple[str, int]:
    """Validate the page's parameters; ParameterError lists the valid mineral ids or the mineral's years."""
    mineral = params.choice("mineral", mineral, mineral_ids(minerals))
    year = params.number("year", year, integer=True)
    years = available_years(mineral, production, reserves)
    if year not in years:
        allowed = ", ".join(str(y) for y in years) or "none"
        raise params.ParameterError(f"year={year!r} is not available for {mineral}; allowed: {allowed}")
    return mineral, year


# ---------------------------------------------------------------------------------------------------------
# production by country


def production_rows(mineral: str, production: pd.DataFrame | None = None) -> pd.DataFrame:
    """The mineral's USGS rows with the ``product`` label moved to ``series``.

    NOTE: USGS words the same series differently from edition to edition, and within one table a single row
    (e.g. the US cobalt figure, or the world total for platinum) can carry its own label. Keeping the label
    as a grouping key would split one table into several, so shares are grouped by mineral, stage, unit and
    year only; the label is kept for display.
    """
    p = _load(production, "production")
    out = p[p["mineral"] == mineral].rename(columns={"product": "series"})
    order = {s: i for i, s in enumerate(STAGES)}
    out = out.assign(_o=out["stage"].map(order)).sort_values(["_o", "year", "row_kind", "country"])
    return out.drop(columns="_o").reset_index(drop=True)


def stages_of(mineral: str, production: pd.DataFrame | None = None) -> list[str]:
    rows = production_rows(mineral, production)
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
    hhi: float = np.nan
    hhi_lower: float = np.nan
    hhi_upper: float = np.nan
    top3_share: float = np.nan
    top3: list[str] = field(default_factory=list)


def producers(mineral: str, year: int, stage: str, production: pd.DataFrame | None = None) -> Producers:
    """Country shares, concentration and China's place for one stage and year of the USGS table."""
    rows = production_rows(mineral, production)
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
    ch = tab[tab["iso3"].astype("object") == CHINA]
    res.china_value = float(ch["value"].iloc[0]) if not ch.empty and pd.notna(ch["value"].iloc[0]) else np.nan
    if pd.notna(res.china_value) and res.world_total > 0:
        res.china_share_of_world_total = res.china_value / res.world_total
    res.hhi, res.hhi_lower, res.hhi_upper = (float(ct[c]) for c in ("hhi", "hhi_lower", "hhi_upper"))
    res.top3_share = float(ct["top3_share"])
    top = tab[tab["value"].notna()].head(3)
    res.top3 = top["country"].astype(str).tolist()
    return res


def producers_sentence(p: Producers, label: str) -> str:
    """What the year's table holds: who leads, China's share, the totals and what is left out."""
    noun = STAGE_NOUN[p.stage]
    if p.status == "no_year":
        yrs = ", ".join(str(y) for y in p.years) or "none"
        return f"USGS gives no {noun} table for {label.lower()} in {p.year} (years with a table: {yrs})."
    if p.status == "no_values":
        return (f"USGS lists {p.n_listed} countries for {label.lower()} {noun} in {p.year} but withholds "
                f"every country figure, so no shares can be computed.")
    parts = []
    if p.china_status == "reported":
        ties = p.table[(p.table["value"] == p.china_value) & (p.table["iso3"].astype("object") != CHINA)]
        tied = f", tied with {and_list(ties['country'].astype(str).tolist())}" if not ties.empty else ""
        parts.append(f"In {p.year} China accounted for **{share_text(p.china_share)}** of {label.lower()} "
                     f"{noun} by the countries USGS lists (rank {int(p.china_rank)} of "
                     f"{int(p.table['value'].notna().sum())}{tied}).")
    elif p.china_status == "withheld":
        parts.append(f"USGS withholds China's {label.lower()} {noun} for {p.year}.")
    else:
        parts.append(f"China is not among the countries USGS lists for {label.lower()} {noun} in {p.year}.")
    parts.append(f"The three largest producers — {and_list(p.top3)} — had **{share_text(p.top3_share)}** between "
                 f"them, and the Herfindahl–Hirschman index (HHI) of the listed countries was "
                 f"**{num(p.hhi)}** on a 0–10,000 scale.")
    basis = (f"Shares are of the sum of the {p.n_listed - p.n_withheld} country figures, "
             f"{quantity(p.sum_of_countries, p.unit)}")
    if pd.notna(p.world_total):
        gt = "more than " if p.world_flag == "censored_gt" else ""
        basis += f"; USGS's rounded world total is {gt}{quantity(p.world_total, p.unit)}"
    if pd.notna(p.other) and p.other > 0:
        basis += f", of which {quantity(p.other, p.unit)} is under “Other countries” and not attributed"
    basis += "."
    parts.append(basis)
    if pd.notna(p.china_share_of_world_total) and abs(p.china_share_of_world_total - p.china_share) >= 0.005:
        parts.append(f"Measured against the world total instead, China's share would be "
                     f"{share_text(p.china_share_of_world_total)}.")
    if p.n_withheld:
        parts.append(f"Withheld or not available, and so left out of every share: {and_list(p.withheld)}.")
    if pd.notna(p.hhi_upper) and p.hhi_upper - p.hhi_lower >= 1:
        parts.append(f"Allowing for the unattributed output, the HHI lies between {num(p.hhi_lower)} "
                     f"(spread over many small producers) and {num(p.hhi_upper)} (one producer).")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------------
# China's share over time


def usgs_share_over_time(mineral: str, stage: str, iso3: str = CHINA,
                         production: pd.DataFrame | None = None) -> pd.DataFrame:
    """A country's share of the listed countries' output for every year USGS has, with the edition and label."""
    rows = production_rows(mineral, production)
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


def bgs_share_over_time(mineral: str, iso3: str = CHINA, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """A country's share of world output by stage and year from the BGS series (1970–2021).

    Shares are of all producer rows, historic states included (see :func:`critmin.metrics.share_over_time`).
    NOTE: where BGS splits one stage into several products (lithium content of carbonate, chloride and
    minerals) a country's products are added up, as they are separate output streams.
    """
    h = _load(history, "production_history")
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


def seam_sentence(usgs: pd.DataFrame, bgs: pd.DataFrame, stage: str) -> str:
    """How the BGS and USGS series of one stage meet: overlapping years and China's share in each."""
    b = bgs[(bgs["stage"] == stage) & bgs["share"].notna()]
    u = usgs[usgs["share"].notna()]
    if b.empty:
        return ""
    first, last = int(b["year"].min()), int(b["year"].max())
    text = (f"The BGS series ({b['series'].iloc[0]}) gives China's share for {first}–{last}; shares are of all "
            f"countries BGS lists, historic states such as the USSR included.")
    both = sorted(set(b["year"]) & set(u["year"]))
    if both:
        y = both[-1]
        bs = b.loc[b["year"] == y, "share"].iloc[0]
        us = u.loc[u["year"] == y, "share"].iloc[0]
        text += (f" Where the two overlap, in {y}, BGS gives China {share_text(bs)} and USGS "
                 f"{share_text(us)}: the publishers differ in coverage and content basis, so read the join "
                 f"between the lines as a seam, not a change.")
    elif not u.empty:
        text += (f" USGS figures start in {int(u['year'].min())}; the two series do not overlap, so the step "
                 f"between them may be a difference between publishers rather than a change.")
    return text


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


def reserves_vs_production(mineral: str, n: int = 8, *, production: pd.DataFrame | None = None,
                           reserves: pd.DataFrame | None = None) -> ReservesView:
    """Reserve shares of the largest holders (plus China) next to their production shares, and R/P years.

    Production is the first stage the mineral has (mine output where USGS gives it), in the reserves'
    as-of year or, if USGS has no production table for that year, the newest earlier one. Reserves-to-
    production years = reserves ÷ annual production, in the same unit; missing where either is missing.
    """
    r = _load(reserves, "reserves")
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
        stages = stages_of(mineral, production)
        if stages:
            view.production_stage = stages[0]
            rows = production_rows(mineral, production)
            rows = rows[(rows["stage"] == stages[0]) & rows["value"].notna() & (rows["row_kind"] == "country")]
            yrs = sorted(y for y in rows["year"].unique() if y <= view.year) or sorted(rows["year"].unique())
            if yrs:
                view.production_year = int(yrs[-1])
                p = producers(mineral, view.production_year, stages[0], production)
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


def reserves_sentence(v: ReservesView, label: str) -> str:
    lab = label.lower()
    if v.status == "none":
        return (f"USGS publishes no reserves by country for {lab}, so reserves cannot be set against "
                f"production here.")
    unit_note = ""
    head = ""
    if v.status == "group_only":
        head = (f"USGS gives reserves only for the platinum-group metals together, not for {lab} alone; the "
                f"figures below are the group's, and no reserves-to-production ratio is computed. ")
    gt = "more than " if v.world_flag == "censored_gt" else ""
    text = head + (f"World reserves of {lab if not v.group else 'platinum-group metals'} were {gt}"
                   f"{quantity(v.world_total, v.unit)} at the end of {v.year} ({v.edition})." if pd.notna(v.world_total)
                   else f"USGS gives no world total for reserves in {v.year} ({v.edition}).")
    if v.china:
        if pd.notna(v.china["reserves"]):
            text += (f" China holds **{share_text(v.china['reserves_share'])}** of the reserves USGS attributes "
                     f"to countries")
            if pd.notna(v.china["production_share"]):
                text += (f", against {share_text(v.china['production_share'])} of {v.production_year} "
                         f"{STAGE_NOUN[v.production_stage]}")
            text += "."
            if pd.notna(v.china["rp_years"]):
                text += (f" At that rate its reserves would last about **{num(v.china['rp_years'])} years**.")
        else:
            text += " USGS lists China but gives no figure for its reserves."
    else:
        text += " USGS does not list China separately among reserve holders."
    if pd.notna(v.world_rp):
        text += (f" For the world, reserves are about {num(v.world_rp)} years of {v.production_year} "
                 f"output{' (a lower bound: the reserves total is censored)' if gt else ''}.")
    if pd.notna(v.other) and v.other > 0:
        text += (f" “Other countries” hold {quantity(v.other, v.unit)} that USGS does not attribute; the "
                 f"shares below are of the {quantity(v.sum_of_countries, v.unit)} it does.")
    if v.production_stage and v.production_stage != "mine" and v.status == "ok":
        unit_note = (f" Production here is {STAGE_NOUN[v.production_stage]}, not mine output, so the "
                     f"reserves-to-production years are indicative only.")
    return text + unit_note


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


def reliance(mineral: str, import_reliance: pd.DataFrame | None = None) -> pd.DataFrame:
    """US net import reliance by year: ``nir_pct`` (censored values at their bound), a display ``label``."""
    r = _load(import_reliance, "import_reliance")
    r = r[r["mineral"] == mineral].sort_values("year")
    out = pd.DataFrame({
        "year": r["year"].astype(int),
        "nir_pct": r["nir_pct"].astype("float64"),
        "flag": _str(r["flag"]),
        "edition": r["edition"].astype(str),
    })
    out["label"] = [_nir_label(x) for _, x in out.iterrows()]
    return out.reset_index(drop=True)


def reliance_sentence(rel: pd.DataFrame, label: str) -> str:
    lab = label.lower()
    if rel.empty:
        return f"USGS reports no US net import reliance for {lab} in the editions used here."
    first, last = rel.iloc[0], rel.iloc[-1]

    def state(r) -> str:
        if r["flag"] == "net_exporter":
            return f"the United States was a net exporter of {lab} in {r['year']}"
        if r["label"] in ("not available", "withheld", "–"):
            return f"USGS gives no net import reliance for {lab} in {r['year']} ({r['label']})"
        return f"US net import reliance for {lab} was **{r['label']}** in {r['year']}"

    text = state(last)
    text = text[0].upper() + text[1:]
    numeric = pd.notna(last["nir_pct"]) and last["flag"] != "net_exporter"
    if last["year"] != first["year"]:
        same = first["label"].replace(" (est.)", "") == last["label"].replace(" (est.)", "")
        text += f", as in {first['year']}" if same else f", against {first['label']} in {first['year']}"
    text += " (net imports as a share of apparent consumption)." if numeric else "."
    exporter = rel[rel["flag"] == "net_exporter"]
    if len(exporter) and len(exporter) < len(rel):
        text += (f" USGS marks the United States as a net exporter in {len(exporter)} of the {len(rel)} years "
                 f"({and_list([str(y) for y in exporter['year']])}).")
    if (rel["flag"] == "censored_gt").any():
        text += " Values written “>N” are lower bounds: USGS gives only the bound."
    return text


def import_sources(mineral: str, import_sources: pd.DataFrame | None = None):
    """The newest edition's ranked US import sources (all its categories), and China's rank by edition."""
    s = _load(import_sources, "import_sources")
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


def import_sources_sentence(newest: pd.DataFrame, china: pd.DataFrame, label: str) -> str:
    """Where China stands in the newest list of US import sources, and in earlier editions."""
    lab = label.lower()
    if newest.empty:
        return f"USGS lists no major US import sources for {lab} in the editions used here."
    ed, per = newest["edition"].iloc[0], newest["period"].iloc[0].replace("-", "–")
    cats = newest["category"].unique()
    parts = []
    for cat, g in newest.groupby("category", sort=True):
        where = f" for “{cat}”" if len(cats) > 1 else ""
        ch = g[g["iso3"].astype("object") == CHINA]
        n = int(g["iso3"].notna().sum())  # the closing "Other" line is not a source
        if ch.empty:
            parts.append(f"China is not among the {n} sources listed{where}")
        else:
            r = ch.iloc[0]
            share = f", with {share_text(r['share'])} of imports" if pd.notna(r["share"]) else ""
            parts.append(f"China ranks **{int(r['rank'])}** of {n}{where}{share}")
    text = f"In USGS's newest list ({ed}, imports in {per}), " + "; ".join(parts) + "."
    if newest["share"].isna().all():
        text += " That edition ranks the sources without giving their shares."
    older = china[china["edition"] != ed]
    if not older.empty:
        several = older.groupby("edition")["category"].transform("size") > 1
        items = [f"{r.edition}" + (f" ({r.category})" if many else "") + ": "
                 + (f"rank {int(r.rank)}" if pd.notna(r.rank) else "not listed")
                 for r, many in zip(older.itertuples(), several)]
        text += " Earlier editions: " + "; ".join(items) + "."
    return text


# ---------------------------------------------------------------------------------------------------------
# events, other publishers, Pakistan


def _mentions(minerals_col: pd.Series, mineral: str) -> pd.Series:
    return _str(minerals_col).str.split(";").apply(lambda xs: mineral in xs)


def export_controls(mineral: str, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """China's export-control events (kind china_export_control) that name the mineral, oldest first."""
    e = _load(events, "events")
    e = e[(e["kind"] == "china_export_control") & _mentions(e["minerals"], mineral)]
    out = e[["date", "date_precision", "title", "summary", "source_outlet", "source_url", "reliability"]].copy()
    out["date"] = [d.strftime("%Y-%m") if p == "month" else d.strftime("%Y-%m-%d")
                   for d, p in zip(out["date"], out["date_precision"])]
    return out.drop(columns="date_precision").sort_values("date").reset_index(drop=True)


# What the IEA's refining block measures (see the refining resource's description and caveats).
_IEA_BASIS = {"copper": "refined copper", "cobalt": "refined cobalt", "lithium": "lithium chemicals, Li content",
              "nickel": "refined nickel, all classes", "graphite": "battery-grade graphite only",
              "rare_earths": "magnet rare earths only (Nd, Pr, Dy, Tb)"}


def refining_shares(mineral: str, iso3: str = CHINA, refining: pd.DataFrame | None = None,
                    processing: pd.DataFrame | None = None) -> pd.DataFrame:
    """A country's share of refining or processing from the IEA and from the hand-curated processing table.

    IEA shares use the IEA's own total row as denominator (its 'Rest of world' can double-count a named
    country). Processing-share rows are as published (percent of world output). Mine-stage context rows are
    left out: the page already has mine shares from USGS.
    """
    rows = []
    ref = _load(refining, "refining")
    ref = ref[(ref["mineral"] == mineral) & (ref["stage"] == "refining")]
    for (ed, yr), g in ref.groupby(["edition", "year"], sort=True):
        total = g.loc[g["row_kind"] == "world_total", "value"]
        own = g.loc[g["iso3"].astype("object") == iso3, "value"]
        if total.empty or not (total.iloc[0] > 0):
            continue
        rows.append({"source": f"IEA Critical Minerals Data Explorer ({ed})", "stage": "refining",
                     "product": _IEA_BASIS.get(mineral, ""), "year": int(yr),
                     "share": float(own.iloc[0] / total.iloc[0]) if not own.empty else 0.0,
                     "listed": not own.empty})
    pr = _load(processing, "processing_shares")
    pr = pr[(pr["mineral"] == mineral) & (pr["iso3"] == iso3) & (pr["stage"] != "mining")]
    for r in pr.sort_values(["year", "source_title"]).itertuples():
        rows.append({"source": f"{r.source_publisher}, {r.source_title}", "stage": str(r.stage),
                     "product": str(r.product), "year": int(r.year), "share": float(r.share_pct) / 100,
                     "listed": True})
    return pd.DataFrame(rows, columns=["source", "stage", "product", "year", "share", "listed"])


def _indicator_matches(indicator: pd.Series, mineral: str) -> pd.Series:
    pat = rf"(?:^|_){re.escape(mineral)}(?:_|$)"
    return indicator.astype(str).str.contains(pat, regex=True)


def pakistan(mineral: str, *, production: pd.DataFrame | None = None, reserves: pd.DataFrame | None = None,
             history: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None) -> dict:
    """What the tables hold on Pakistan for the mineral.

    ``production``: USGS rows for Pakistan with its share and rank among listed countries; ``reserves``:
    USGS reserves rows; ``history``: BGS rows summarised by stage (first/last year, last value and share);
    ``indicators``: rows of pakistan_indicators whose id names the mineral.
    """
    rows = production_rows(mineral, production)
    prod = pd.DataFrame(columns=["stage", "year", "value", "unit", "flag", "share", "rank", "edition"])
    if (rows["iso3"].astype("object") == PAKISTAN).any():
        parts = []
        for stage in stages_of(mineral, production):
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
    r = _load(reserves, "reserves")
    res = r[(r["mineral"] == mineral) & (r["iso3"].astype("object") == PAKISTAN)][
        ["year", "value", "unit", "flag", "edition"]].reset_index(drop=True)
    res["flag"] = _str(res["flag"])
    res_world = r[(r["mineral"] == mineral) & (r["row_kind"] == "country")]
    if not res.empty and res["value"].notna().any() and res_world["value"].sum() > 0:
        res["share"] = res["value"].astype("float64") / float(res_world["value"].sum())
    else:
        res["share"] = np.nan
    bgs = bgs_share_over_time(mineral, PAKISTAN, history)
    hist = pd.DataFrame(columns=["stage", "series", "first_year", "last_year", "last_value", "last_share"])
    reported = bgs[(bgs["status"] == "reported") & (bgs["value"] > 0)]
    if not reported.empty:
        hist = reported.sort_values("year").groupby("stage", sort=True).agg(
            series=("series", "first"), first_year=("year", "min"), last_year=("year", "max"),
            last_value=("value", "last"), last_share=("share", "last")).reset_index()
    ind = _load(indicators, "pakistan_indicators")
    ind = ind[_indicator_matches(ind["indicator"], mineral)]
    ind = ind[["label", "year", "value", "unit", "note", "publisher", "reliability"]].sort_values(
        ["label", "year"]).reset_index(drop=True)
    return {"production": prod.reset_index(drop=True), "reserves": res, "history": hist, "indicators": ind}


def pakistan_sentences(pk: dict, label: str, production_years: list[int],
                       has_production_table: bool = True) -> list[str]:
    """Plain statements of what is and is not recorded for Pakistan."""
    lab = label.lower()
    out = []
    prod = pk["production"]
    yrs = (f"{min(production_years)}–{max(production_years)}" if len(production_years) > 1
           else f"{production_years[0]}" if production_years else "the years covered")
    if not has_production_table:
        out.append(f"USGS gives no production table by country for {lab}, so Pakistan's output cannot be looked up.")
    elif prod.empty:
        out.append(f"Pakistan is not among the countries USGS lists for {lab} production in {yrs}; any output "
                   f"it has is inside “Other countries”.")
    else:
        last = prod[prod["value"].notna()].sort_values("year").iloc[-1]
        out.append(f"USGS lists Pakistan's {lab} {STAGE_NOUN[last['stage']]} at "
                   f"**{quantity(last['value'], last['unit'])}** in {int(last['year'])} "
                   f"({share_text(last['share'])} of the listed countries' output, rank {int(last['rank'])}).")
    res = pk["reserves"]
    if res.empty:
        out.append(f"USGS gives no reserves figure for Pakistan's {lab}.")
    elif res["value"].isna().all():
        out.append(f"USGS lists Pakistan among {lab} reserve holders but gives no figure "
                   f"({and_list(sorted(set(res['flag'].replace('', 'blank'))))}).")
    else:
        r0 = res.iloc[0]
        out.append(f"USGS puts Pakistan's {lab} reserves at **{quantity(r0['value'], r0['unit'])}** "
                   f"({int(r0['year'])}, {r0['edition']}), {share_text(r0['share'])} of reserves attributed to "
                   f"countries.")
    hist = pk["history"]
    if hist.empty:
        out.append("The BGS long series has no Pakistani output for this mineral (or does not cover it).")
    else:
        for h in hist.itertuples():
            out.append(f"BGS records Pakistani {h.series} from {h.first_year} to {h.last_year}; in "
                       f"{h.last_year} it was {quantity(h.last_value, 't')} ({share_text(h.last_share)} of "
                       f"world output).")
    if pk["indicators"].empty:
        out.append(f"Our table of Pakistan's mineral-economy figures has nothing specific to {lab}.")
    return out


def data_notes(mineral: str, label: str,
               resources=("production", "reserves", "production_history", "import_reliance",
                          "import_sources")) -> list[str]:
    """The publishers' and curators' caveats (from the data package metadata) that name this mineral."""
    words = {label.lower(), mineral.replace("_", " ")} | set(_ALIASES.get(mineral, []))
    words = {w.split(" (")[0] for w in words}
    pats = [re.compile(rf"(?<![a-z]){re.escape(w)}(?![a-z])", re.I) for w in words]
    notes = []
    for name in resources:
        for c in datapackage.resource(name).get("caveats", []):
            text = " ".join(str(c).split())
            if any(p.search(text) for p in pats) and text not in notes:
                notes.append(text)
    return notes


# ---------------------------------------------------------------------------------------------------------
# what the page shows: prose, tables and a helper that displays them in order


@dataclass
class Table:
    """A table ready for :func:`critmin.page.table`: the frame, its caption and its column formats."""

    frame: pd.DataFrame
    caption: str
    formats: dict = field(default_factory=dict)

    def show(self) -> None:
        page.table(self.frame, caption=self.caption, formats=self.formats)


def show(*items) -> None:
    """Show prose, tables and charts in the order given.

    A string is prose (:func:`critmin.page.md`), a :class:`Table` goes to :func:`critmin.page.table`, lists
    and tuples are shown item by item, ``None`` (a section with nothing of that kind) is skipped, and
    anything else, such as a chart, is displayed as it is.
    """
    for item in items:
        if item is None:
            continue
        if isinstance(item, str):
            page.md(item)
        elif isinstance(item, Table):
            item.show()
        elif isinstance(item, (list, tuple)):
            show(*item)
        else:
            display(item)


def intro_sentence(info: dict) -> str:
    """The opening line: what the USGS figures measure, and whether the mineral is one of the MoU's five."""
    deal = (" It is one of the five minerals named in the September 2025 memorandum between US Strategic Metals "
            "and Pakistan's Frontier Works Organisation." if info["deal_mineral"] else "")
    return (f"**{info['label']}.** What is measured: {info['description']} "
            f"(USGS chapter “{info['usgs_commodity']}”).{deal}")


def no_production_sentence(label: str) -> str:
    """Said in place of the producer sections when USGS has no table by country for the mineral."""
    return (f"USGS gives no production table by country for {label.lower()}; the sections below show what else "
            f"the data package holds.")


def producers_table(p: Producers, label: str) -> Table:
    """Every listed country's output and share, then USGS's unattributed line and rounded world total."""
    t = p.table.copy()
    t["value"] = t["value"].astype("float64")
    t["flag"] = t["flag"].replace({"": "–"})
    t = t[["rank", "country", "value", "share", "flag"]]
    extra = []
    if pd.notna(p.other):
        extra.append(["–", "Other countries (not attributed)", p.other, None, "–"])
    if pd.notna(p.world_total):
        extra.append(["–", "World total (USGS, rounded)", p.world_total, None, p.world_flag or "–"])
    t = plain(t)
    for row in extra:
        t.loc[len(t)] = row
    t.columns = ["Rank", "Country", f"Output ({p.unit})", "Share of listed countries", "USGS flag"]
    return Table(plain(t), caption=f"{label}: {STAGE_NOUN[p.stage]} by country, {p.year} "
                                   f"(USGS {p.edition}; series: {p.series})",
                 formats={f"Output ({p.unit})": number_text, "Share of listed countries": share_text,
                          "Rank": "{}"})


def share_lines(usgs: dict[str, pd.DataFrame], bgs: pd.DataFrame) -> pd.DataFrame:
    """China's share by series and year for the line chart: one USGS series per stage, one BGS series per
    BGS stage the USGS tables also have (every BGS stage when USGS has none). Columns: series, year, share."""
    stages = list(usgs)
    lines = []
    for s, u in usgs.items():
        lines.append(u[u["share"].notna()].assign(series=f"USGS, {STAGE_NOUN[s]}"))
    for s, b in bgs.groupby("stage", sort=False):
        if s in stages or not stages:
            lines.append(b[b["share"].notna()].assign(series=f"BGS, {b['series'].iloc[0]}"))
    lines = [x for x in lines if not x.empty]
    return pd.concat(lines, ignore_index=True)[["series", "year", "share"]] if lines else pd.DataFrame()


def usgs_trend_sentence(u: pd.DataFrame, stage: str, label: str) -> str:
    """China's share in the first and last USGS year with a share, and the years without one (and why)."""
    lab, noun = label.lower(), STAGE_NOUN[stage]
    rep = u[u["status"] == "reported"]
    gaps = u[u["status"] != "reported"]
    if rep.empty:
        return (f"USGS gives no usable China figure for {lab} {noun} in any year "
                f"({', '.join(f'{r.year}: {r.status.replace(chr(95), chr(32))}' for r in u.itertuples())}).")
    a, z = rep.iloc[0], rep.iloc[-1]
    if len(rep) == 1:
        text = (f"USGS gives China's {lab} {noun} for one year only: in {z['year']} it was "
                f"**{share_text(z['share'])}** of the listed countries' output")
    else:
        text = (f"In the USGS tables China's share of listed {lab} {noun} was "
                f"**{share_text(z['share'])}** in {z['year']}, against "
                f"{share_text(a['share'])} in {a['year']}")
    wt = z["share_of_world_total"]
    if pd.notna(wt) and wt <= z["share"] - 0.005:
        text += f" ({share_text(wt)} of USGS's world total for {z['year']}, which includes unattributed output)"
    text += "."
    if not gaps.empty:
        text += (" No share for " + ", ".join(f"{r.year} ({r.status.replace('_', ' ')})" for r in gaps.itertuples())
                 + ".")
    return text


def bgs_trend_sentence(u: pd.DataFrame, bgs: pd.DataFrame, stage: str) -> str:
    """China's first, last and peak BGS share for the stage, then how the BGS and USGS series meet
    (:func:`seam_sentence`); '' when BGS does not cover the stage."""
    sentence = seam_sentence(u, bgs, stage)
    if not sentence:
        return ""
    b = bgs[(bgs["stage"] == stage) & bgs["share"].notna()]
    peak = b.loc[b["share"].idxmax()]
    return (f"In the BGS series China's share went from {share_text(b.iloc[0]['share'])} in "
            f"{b.iloc[0]['year']} to {share_text(b.iloc[-1]['share'])} in {b.iloc[-1]['year']}"
            + (", its highest" if peak["year"] == b.iloc[-1]["year"]
               else f", peaking at {share_text(peak['share'])} in {peak['year']}") + ". " + sentence)


def over_time_paragraphs(mineral: str, label: str, usgs: dict[str, pd.DataFrame], bgs: pd.DataFrame) -> list[str]:
    """The prose of the share-over-time section: per stage the USGS trend and the BGS trend, then the
    publishers' notes on series definitions, and a line when BGS does not cover the mineral."""
    out = []
    for s, u in usgs.items():
        out.append(usgs_trend_sentence(u, s, label))
        sentence = bgs_trend_sentence(u, bgs, s)
        if sentence:
            out.append(sentence)
    for note in data_notes(mineral, label, resources=("production",)):
        if "definition" in note.lower():
            out.append(f"Note on the series: {note}")
    if bgs.empty and usgs:
        out.append(f"The BGS long series in the data package does not cover {label.lower()}, so only the USGS "
                   f"years are shown.")
    return out


def share_over_time_table(u: pd.DataFrame, p: Producers, label: str,
                          production: pd.DataFrame | None = None) -> Table:
    """China in one stage's USGS tables, year by year: output, both shares, rank, status, edition, label.

    The unit is that of the page's year (``p``); where that year has no table, the stage's first row's.
    """
    s = p.stage
    unit = p.unit or production_rows(p.mineral, production).query("stage == @s")["unit"].iloc[0]
    t = u[["year", "value", "share", "share_of_world_total", "rank", "status", "edition", "series"]].copy()
    t["value"] = t["value"].astype("float64")
    t["status"] = t["status"].str.replace("_", " ")
    t.columns = ["Year", f"China ({unit})", "Share of listed countries", "Share of world total", "China's rank",
                 "Status", "Edition", "USGS series label"]
    return Table(plain(t), caption=f"China in the USGS {label.lower()} {STAGE_NOUN[s]} tables by year",
                 formats={f"China ({unit})": number_text, "Share of listed countries": share_text,
                          "Share of world total": share_text, "China's rank": "{}", "Year": "{}"})


def reserves_table(rv: ReservesView, label: str) -> Table | None:
    """The largest reserve holders (and China and Pakistan) with production and R/P years where computed;
    None when USGS gives no reserves by country."""
    if rv.status == "none" or rv.table.empty:
        return None
    shown = rv.table.copy()
    shown["reserves"] = [("–" if pd.isna(v) else (">" if f == "censored_gt" else "") + number_text(v))
                         for v, f in zip(shown["reserves"], shown["reserves_flag"])]
    cols = {"country": "Country", "reserves": f"Reserves ({rv.unit})", "reserves_share": "Share of listed reserves",
            "production": f"Production {rv.production_year} ({rv.unit})",
            "production_share": "Share of listed production", "rp_years": "Reserves ÷ production (years)"}
    shown = shown[[c for c in cols if rv.status == "ok" or c in ("country", "reserves", "reserves_share")]]
    shown = shown.rename(columns=cols)
    what = label.lower() if not rv.group else "platinum-group metal"
    return Table(plain(shown), caption=f"Largest {what} reserve holders ({rv.edition}), with China and Pakistan "
                                       f"where listed",
                 formats={"Share of listed reserves": share_text, "Share of listed production": share_text,
                          f"Production {rv.production_year} ({rv.unit})": number_text,
                          "Reserves ÷ production (years)": "{:,.0f}"})


def import_sources_table(newest: pd.DataFrame, label: str) -> Table | None:
    """The newest edition's ranked US import sources (from :func:`import_sources`); None when there are none."""
    if newest.empty:
        return None
    t = newest[["category", "rank", "country", "share"]].copy()
    t.columns = ["Category", "Rank", "Country", "Share of US imports"]
    return Table(plain(t), caption=f"Major US import sources of {label.lower()}, {newest['edition'].iloc[0]} "
                                   f"(imports {newest['period'].iloc[0].replace('-', '–')})",
                 formats={"Share of US imports": share_text, "Rank": "{}"})


def export_controls_text(ctrl: pd.DataFrame, label: str) -> list[str]:
    """How many export-control events name the mineral and when, then one list item per event with its source."""
    lab = label.lower()
    if ctrl.empty:
        return [f"No Chinese export control on {lab} is recorded in our events table (2023–2026)."]
    span = (f"on {ctrl['date'].iloc[0]}" if len(ctrl) == 1
            else f"from {ctrl['date'].iloc[0]} to {ctrl['date'].iloc[-1]}")
    return [f"Our events table records **{len(ctrl)}** Chinese export-control "
            f"{'event' if len(ctrl) == 1 else 'events'} naming {lab}, {span}:",
            "\n".join(f"- **{r.date}** — {r.title}. {r.summary} ([{r.source_outlet}]({r.source_url}))"
                      for r in ctrl.itertuples())]


def refining_sentence(ref: pd.DataFrame, label: str) -> str:
    """The range of China's refining or processing shares from :func:`refining_shares`, and the highest."""
    lab = label.lower()
    if ref.empty:
        return (f"Neither the IEA extract nor the curated processing-share table covers a refining or processing "
                f"stage of {lab}.")
    hi = ref.loc[ref["share"].idxmax()]
    return (f"These sources put China's share of {lab} refining or processing between "
            f"**{share_text(ref['share'].min())}** and **{share_text(ref['share'].max())}** "
            f"({len(ref)} figures; the highest, {share_text(hi['share'])}, is for "
            f"{hi['product'] or hi['stage']} in {hi['year']}). They measure different products, so they are not "
            f"one series.")


def refining_table(ref: pd.DataFrame, label: str) -> Table | None:
    """Each refining or processing share with its year, stage, product and source; None when there are none."""
    if ref.empty:
        return None
    t = ref[["year", "stage", "product", "share", "source"]].copy()
    t.columns = ["Year", "Stage", "Product and basis", "China's share", "Source"]
    return Table(plain(t), caption=f"China's share of {label.lower()} refining and processing, other publishers",
                 formats={"China's share": share_text, "Year": "{}"})


def pakistan_tables(pk: dict, label: str) -> list[Table]:
    """Pakistan's rows in the USGS production tables and the other figures on Pakistan (from :func:`pakistan`)."""
    lab = label.lower()
    out = []
    if not pk["production"].empty:
        t = pk["production"].copy()
        t["stage"] = t["stage"].map(STAGE_NOUN)
        t["value"] = t["value"].astype("float64")
        t["flag"] = t["flag"].replace({"": "–"})
        t.columns = ["Stage", "Year", "Output", "Unit", "USGS flag", "Share of listed countries", "Rank", "Edition"]
        out.append(Table(plain(t), caption=f"Pakistan in the USGS {lab} production tables",
                         formats={"Output": number_text, "Share of listed countries": share_text, "Rank": "{}",
                                  "Year": "{}"}))
    if not pk["indicators"].empty:
        t = pk["indicators"].copy()
        t.columns = ["Figure", "Year", "Value", "Unit", "Note", "Publisher", "Reliability"]
        out.append(Table(plain(t), caption=f"Other figures on Pakistan and {lab} (reliability: P primary, N news, "
                                           f"M mirror or aggregator, O opinion)",
                         formats={"Value": number_text, "Year": "{}"}))
    return out


def notes_text(notes: list[str], label: str) -> str:
    """The caveats of :func:`data_notes` as a list, or a line saying there are none for the mineral."""
    if notes:
        return "Caveats from the data package that concern this mineral:\n\n" + bullets(notes)
    return (f"The data package records no caveat specific to {label.lower()}; the general caveats of each dataset "
            f"are in its metadata.")
