"""What the supply chapters (concentration, over time, import reliance) say and show: prose with computed
figures and tables ready for :func:`critmin.render.page.table`, from the frames of :mod:`critmin.analysis.supply`."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from critmin import params
from critmin.analysis.supply import known_countries, mineral_labels, resolve_country
from critmin.render import page
from critmin.render.page import Table
from critmin.text import num, share_text

__all__ = [
    "change_summary",
    "export_control_dates",
    "control_rules",
    "seam_and_controls_text",
    "change_table",
    "concentration_parameters",
    "reported_shares",
    "coverage_summary",
    "concentration_summary",
    "not_shown_text",
    "stage_table_view",
    "check_importer",
    "label_minerals",
    "reliance_summary",
    "china_sources_summary",
    "comtrade_summary",
    "comtrade_table",
    "exposed",
    "exposure_summary",
    "exposure_table_view",
]


def change_summary(shares: pd.DataFrame, change: pd.DataFrame, selected: Sequence[str], country_name: str,
                   start_year: int) -> str:
    """One list item per series: the country's first share, the last BGS share, the newest share and the peak,
    with the newer years a publisher withholds or does not name the country; then the minerals without a share.

    Takes :func:`history_shares` and :func:`share_change` output.
    """
    lines = []
    for r in change.sort_values(["label", "stage"]).itertuples():
        text = f"- **{r.series}:** {share_text(r.first_share)} in {r.first_year}"
        if r.bgs_last_year == r.bgs_last_year and r.bgs_last_year != r.first_year:  # not NaN
            text += f", {share_text(r.bgs_last_share)} in {int(r.bgs_last_year)} (BGS)"
        if r.latest_source != "BGS World Mineral Statistics":
            text += f", {share_text(r.latest_share)} in {r.latest_year} ({r.latest_source})"
        if r.peak_year not in (r.first_year, r.latest_year, r.bgs_last_year):
            text += f"; peak {share_text(r.peak_share)} in {r.peak_year}"
        gaps = shares[(shares["series"] == r.series) & (shares["year"] > r.latest_year) & shares["share"].isna()]
        for status, verb in (("withheld", "withholds {c}'s figure for"),
                             ("not_listed", "does not name {c} separately in")):
            g = gaps[gaps["status"] == status]
            if len(g):
                text += (f". {g['publisher'].iloc[0]} {verb.format(c=country_name)} "
                         f"{', '.join(str(y) for y in sorted(g['year'].unique()))}")
        lines.append(text + ".")
    missing = sorted(set(selected) - set(change["mineral"]))
    if missing:
        lines.append(f"- No share for {country_name} from {start_year} for: {', '.join(missing)}.")
    return (f"{country_name}'s share of world output, first year with a share from {start_year}, the last BGS "
            f"year and the newest figure:\n" + "\n".join(lines))


def export_control_dates(events: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """China's export-control events, one row per event and mineral on the page, with ``date_text``
    (YYYY-MM-DD) and ``x``, the date as a fractional year for drawing on a year axis."""
    ctrl = events[events["kind"] == "china_export_control"].copy()
    ctrl["mineral"] = ctrl["minerals"].astype(str).str.split(";")
    ctrl = ctrl.explode("mineral")
    ctrl = ctrl[ctrl["mineral"].isin(shares["mineral"].unique())]
    ctrl["date_text"] = ctrl["date"].dt.strftime("%Y-%m-%d")
    ctrl["x"] = ctrl["date"].dt.year + (ctrl["date"].dt.dayofyear - 1) / 366
    return ctrl


def control_rules(ctrl: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """The export-control dates of :func:`export_control_dates` repeated for every series of their mineral."""
    series_of = shares[["mineral", "series"]].drop_duplicates()
    return ctrl.merge(series_of, on="mineral")[["series", "x", "date_text", "title"]].assign(layer="event")


def seam_and_controls_text(shares: pd.DataFrame, ctrl: pd.DataFrame) -> str:
    """Where BGS and USGS overlap, how far apart they are; then which export controls concern the page's
    minerals and when the first came."""
    both = shares[shares["share"].notna()].pivot_table(index=["series", "year"], columns="publisher",
                                                       values="share", aggfunc="first")
    seam = (both.dropna(subset=[c for c in ("BGS", "USGS") if c in both.columns])
            if {"BGS", "USGS"} <= set(both.columns) else both.iloc[0:0])
    lines = []
    if len(seam):
        diff = (seam["USGS"] - seam["BGS"]).abs()
        (s_name, s_year), d = diff.idxmax(), diff.max()
        years = ", ".join(str(y) for y in sorted(seam.index.get_level_values("year").unique()))
        lines.append(
            f"**The seam.** BGS and USGS overlap in {years}; "
            f"there the two differ by up to {d * 100:.1f} percentage points ({s_name}, {s_year}: BGS "
            f"{share_text(seam.loc[(s_name, s_year), 'BGS'])}, USGS {share_text(seam.loc[(s_name, s_year), 'USGS'])}). "
            f"The definitions differ: BGS shares are of the sum of all producers BGS lists, USGS shares of the USGS "
            f"rounded world total, and the publishers' series are not always the same product (see the table)."
        )
    if len(control_rules(ctrl, shares)):
        first = ctrl.sort_values("date").iloc[0]
        named = ", ".join(sorted(set(shares.loc[shares["mineral"].isin(ctrl["mineral"]), "label"])))
        lines.append(
            f"**Export controls.** The events table lists {ctrl['event_id'].nunique()} Chinese export-control "
            f"dates for minerals on this page ({named}), the first on "
            f"{first['date_text']}. They all fall after the last BGS year, so only USGS figures cover them."
        )
    else:
        lines.append("**Export controls.** None of the Chinese export controls in the events table concerns the "
                     "minerals on this page.")
    return "\n\n".join(lines)


def change_table(shares: pd.DataFrame, change: pd.DataFrame, country_name: str) -> Table:
    """Per series: start, 2021 (BGS), newest and peak share, with each publisher's own series description."""
    basis = (shares.groupby(["series", "publisher"])
             .agg(years=("year", lambda y: f"{y.min()}–{y.max()}"), basis=("basis", "first"),
                  denominator=("denominator", "first")).reset_index())
    tab = change.merge(basis[basis["publisher"] == "BGS"][["series", "basis"]], on="series", how="left")
    other = basis[basis["publisher"] != "BGS"].groupby("series").agg(
        newer=("publisher", lambda p: ", ".join(p)), newer_basis=("basis", lambda b: "; ".join(b)))
    tab = tab.merge(other, on="series", how="left")
    cols = {"series": "Series", "first_year": "First year", "first_share": "Share then",
            "bgs_last_share": "Share 2021 (BGS)", "latest_year": "Newest year", "latest_share": "Newest share",
            "latest_source": "Newest source", "peak_share": "Peak", "peak_year": "Peak year",
            "basis": "BGS series", "newer_basis": "Newer publishers' series"}
    return Table(tab[list(cols)].rename(columns=cols),
                 caption=f"{country_name}'s share of world output: start, 2021 and newest figure, by series",
                 formats={"Share then": share_text, "Share 2021 (BGS)": share_text, "Newest share": share_text,
                          "Peak": share_text})


STAGES_OF = {"all": ("mining", "processing"), "mine": ("mining",), "processing": ("processing",)}


def concentration_parameters(year, country, minerals, stage, production: pd.DataFrame,
                             refining: pd.DataFrame) -> tuple[int, str, str, list[str], str, tuple[str, ...]]:
    """Check the concentration page's parameters, in the order they are declared.

    Returns (year, ISO3, country name, selected mineral ids, stage, stage groups); raises
    :class:`critmin.params.ParameterError` listing the allowed values.
    """
    years = sorted({int(y) for y in production["year"]} | {int(y) for y in refining["year"]})
    year = params.choice("year", year, years)
    iso3, country_name = resolve_country(country, known_countries(production, refining))
    available = sorted(set(production["mineral"].astype(str)) | set(refining["mineral"].astype(str)))
    selected = params.choices("minerals", minerals, available)
    stage = params.choice("stage", stage, ["all", "mine", "processing"])
    return year, iso3, country_name, selected, stage, STAGES_OF[stage]


def _has_stage(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"] != "no_stage"]


def _with_data(table: pd.DataFrame) -> pd.DataFrame:
    shown = _has_stage(table)
    return shown[shown["status"] != "no_data"]


def reported_shares(table: pd.DataFrame) -> pd.DataFrame:
    """The :func:`stage_table` rows that have a share for the country (what the bar chart draws)."""
    shown = _has_stage(table)
    return shown[shown["share"].notna()]


_STAGE_WORD_GROUP = {"mining": "mine production", "processing": "refining or processing"}


def coverage_summary(table: pd.DataFrame, selected: Sequence[str], stages: Sequence[str], year: int,
                     country_name: str) -> str:
    """How many minerals the page covers; per stage group how many have a figure, how many a share for the
    country, and where it is the largest producer; then its three largest shares."""
    has = _with_data(table)
    reported = reported_shares(table)
    n_min = len(selected)
    lines = [f"This page covers **{n_min}** mineral{'s' if n_min != 1 else ''} in **{year}**."]
    for g in stages:
        d = has[has["stage_group"] == g]
        rep = d[d["share"].notna()]
        top = rep[rep["rank"] == 1]
        lines.append(
            f"- **{_STAGE_WORD_GROUP[g].capitalize()}:** {len(d)} have a {year} figure; {country_name} has a "
            f"reported share for {len(rep)} of them and is the largest producer for {len(top) or 'none'}"
            + (f" ({', '.join(sorted(top['label']))})." if 0 < len(top) <= 12 else ".")
        )
    if len(reported):
        best = reported.sort_values(["share", "label"], ascending=[False, True]).head(3)
        lines.append(
            f"\n{country_name}'s largest shares: "
            + "; ".join(f"{r.label} {r.stage_group} **{share_text(r.share)}**" for r in best.itertuples())
            + "."
        )
    return "\n".join(lines)


def concentration_summary(table: pd.DataFrame, country_name: str) -> str:
    """The range of HHIs and how often the top three hold three quarters; how the residual line enters the
    denominator and how much it moves the country's shares; where the sum of countries replaces the total;
    and how far the HHI could rise if the residual were one producer."""
    has = _with_data(table)
    conc = has[has["hhi"].notna()].sort_values(["hhi", "label"], ascending=[False, True])
    lines = []
    if len(conc):
        hi, lo = conc.iloc[0], conc.iloc[-1]
        lines.append(
            f"Concentration among all producers, measured by the Herfindahl–Hirschman index "
            f"(HHI = Σ (100 × sᵢ)², from 0 to 10,000 for a single producer), ranges from "
            f"**{num(lo.hhi)}** ({lo.label}, {lo.stage_group}) to **{num(hi.hhi)}** "
            f"({hi.label}, {hi.stage_group}). In {int((conc['top3_share'] >= 0.75).sum())} of {len(conc)} "
            f"mineral stages the three largest producers hold three quarters of world output or more."
        )
    wt = has[has["denominator"] == "reported world total"]
    if len(wt):
        big = wt.sort_values(["unattributed_share", "label"], ascending=[False, True]).iloc[0]
        gap = (has["share_listed"] - has["share"]).dropna()
        gap_row = has.loc[gap.idxmax()] if len(gap) and gap.max() > 0 else None
        lines.append(
            f"\n**Denominator and residual.** Every share is of the publisher's *reported world total* "
            f"(USGS 'World total (rounded)', IEA 'Total'), which includes the residual line ('Other countries', "
            f"'Rest of world'): output the publisher does not attribute to a named country. That residual is "
            f"left in the denominator but not counted as a producer. It is largest for {big.label} "
            f"({big.stage_group}): **{share_text(big.unattributed_share)}** of the world total."
            + (f" Measured against the named countries alone, {country_name}'s shares would be higher, by up to "
               f"{gap.max() * 100:.1f} percentage points ({gap_row.label}, {gap_row.stage_group}: "
               f"{share_text(gap_row.share_listed)} instead of {share_text(gap_row.share)})."
               if gap_row is not None else "")
        )
    rounding = has[has["denominator"] == "sum of listed countries"]
    rounding = rounding[rounding["share"].notna() | rounding["hhi"].notna()]
    if len(rounding):
        lines.append(
            f"For {len(rounding)} mineral stage{'s' if len(rounding) != 1 else ''} "
            f"({', '.join(f'{r.label} {r.stage_group}' for r in rounding.itertuples())}) the rounded world total "
            f"is below the sum of the named countries, so that sum is the denominator instead."
        )
    upper = (has["hhi_upper"] - has["hhi"]).dropna()
    if len(upper) and upper.max() > 0:
        u = has.loc[upper.idxmax()]
        lines.append(
            f"Counting the residual as countless small producers makes each HHI a lower bound; if it were one "
            f"producer instead, the index would rise by at most {num(upper.max())} ({u.label}, "
            f"{u.stage_group})."
        )
    return "\n".join(lines)


def not_shown_text(table: pd.DataFrame, stages: Sequence[str]) -> list[str]:
    """The mineral stages the chart leaves out, each with its note; and, when both stage groups are on the
    page, the minerals that have only one of them."""
    shown = _has_stage(table)
    out = []
    missing = shown[~shown["status"].isin(["reported", "published_share"])]
    if len(missing):
        out.append(f"**Not shown in the chart ({len(missing)}):**\n" + "\n".join(
            f"- {r.label}, {r.stage_group}: {r.note}"
            for r in missing.sort_values(["label", "stage_group"]).itertuples()))
    no_stage = table[table["status"] == "no_stage"]
    if len(no_stage) and len(stages) == 2:
        only = no_stage.groupby("stage_group")["label"].apply(lambda s: ", ".join(sorted(s)))
        out.append("The data have only one stage for some minerals: "
                   + "; ".join(f"no {g} stage for {names}" for g, names in only.items()) + ".")
    return out


def stage_table_view(table: pd.DataFrame, country_name: str, year: int, iso3: str | None = None) -> Table:
    """:func:`stage_table` as the page shows it: every mineral stage the data have, by mineral.

    With ``iso3``, the country's USGS shares are recorded as figures the page states (:func:`page.state`)."""
    shown = _has_stage(table)
    if iso3:
        for r in shown[shown["source"].astype("object").fillna("").str.startswith("USGS")
                       & shown["share"].notna()].itertuples():
            page.state(share_text(r.share), metric="production_share",
                       mineral=r.mineral, stage=r.stage, country=iso3, year=int(r.year))
    cols = {"label": "Mineral", "stage_group": "Stage", "source": "Source", "share": f"{country_name} share",
            "rank": "Rank", "top_producer": "Largest producer", "top_producer_share": "Its share",
            "top3_share": "Top-3 share", "hhi": "HHI", "denominator": "Share of", "series": "Series",
            "note": "Note"}
    # page.table tests missing values with v != v, which pd.NA (nullable Int64) does not support
    out = shown.assign(rank=shown["rank"].astype("float64")).sort_values(["label", "stage_group"])[list(cols)]
    return Table(out.rename(columns=cols),
                 caption=f"{country_name}'s share and concentration by mineral and stage, {year}",
                 formats={f"{country_name} share": share_text, "Its share": share_text, "Top-3 share": share_text,
                          "HHI": "{:,.0f}", "Rank": "{:.0f}"})


_US_SPELLINGS = ("USA", "US", "U.S.", "UNITED STATES OF AMERICA")


def check_importer(importer) -> str:
    """'United States' for any usual spelling of it; ParameterError otherwise (USGS covers no other importer)."""
    if str(importer).strip().upper() in _US_SPELLINGS:
        importer = "United States"
    if str(importer).strip().lower() != "united states":
        raise params.ParameterError(
            f"importer={importer!r} is not available: only 'United States' is available (USGS publishes net "
            "import reliance and import sources for the United States only)")
    return "United States"


def label_minerals(df: pd.DataFrame, minerals_df: pd.DataFrame) -> pd.DataFrame:
    """A copy with a ``label`` column: the registry's label, or the id where the registry has none."""
    labels = mineral_labels(minerals_df)
    return df.assign(label=df["mineral"].map(lambda m: labels.get(m, m)))


def reliance_summary(exp: pd.DataFrame) -> str:
    """How many minerals have a net import reliance, for how many it is over half or all of US use, which
    the US exports on balance, and how many USGS gives only as a bound (:func:`import_exposure` output)."""
    nir = exp[exp["nir_pct"].notna()]
    nir_year = int(nir["nir_year"].mode().iloc[0])
    # A bound is never counted as exact: '>50' says more than half, so it counts towards "at least"; '<25' does not.
    exact = ~nir["nir_flag"].isin(["censored_gt", "censored_lt"])
    half = nir[exact & (nir["nir_pct"] > 50)]
    half_bound = nir[(nir["nir_flag"] == "censored_gt") & (nir["nir_pct"] >= 50)]
    full = nir[exact & (nir["nir_pct"] >= 100)]
    netx = nir[nir["nir_flag"] == "net_exporter"]
    cens = nir[nir["nir_flag"].isin(["censored_gt", "censored_lt"])]
    return (
        f"USGS gives a net import reliance (net imports as a share of apparent consumption) for **{len(nir)}** "
        f"minerals; the newest year is {nir_year} for most "
        f"({', '.join(sorted(nir.loc[nir['nir_year'] != nir_year, 'label']))} "
        f"use other years, shown in the table). The United States relied on net imports for more than half its use "
        f"of **{len(half)}** of them by USGS's exact figures"
        + (f", and USGS gives a bound of more than half for **{len(half_bound)}** more "
           f"({', '.join(sorted(half_bound['label']))}), so at least **{len(half) + len(half_bound)}** in all"
           if len(half_bound) else "")
        + f"; it relied on imports for all of its use of **{len(full)}** ({', '.join(sorted(full['label']))}). "
        f"It was a net exporter of {len(netx)} ({', '.join(sorted(netx['label']))}). For {len(cens)} minerals USGS "
        f"gives only a bound (such as '>50%' or '<25%'); the chart draws these at the bound, lighter, so they are "
        f"not read as exact."
    )


def china_sources_summary(exp: pd.DataFrame) -> str:
    """For how many minerals China is among, and first of, the US import sources USGS names, and the shares
    the newest edition publishes."""
    ranked = exp[exp["china_import_status"] != "no_data"]
    listed = ranked[ranked["china_import_status"] == "listed"]
    first = listed[listed["china_import_rank"] == 1]
    with_share = listed[listed["china_import_share"].notna()].sort_values("china_import_share", ascending=False)
    return (
        f"**China among US import sources.** USGS names the main import sources for {len(ranked)} minerals "
        f"(newest edition per mineral). China is among them for **{len(listed)}** and the first source for "
        f"**{len(first)}** ({', '.join(sorted(first['label']))}). Shares are published only in the MCS 2026 "
        f"lists ({with_share['import_period'].iloc[0] if len(with_share) else 'none'}): "
        + "; ".join(f"{r.label} {share_text(r.china_import_share)} ({r.import_category})"
                    for r in with_share.itertuples())
        + ". Older editions give the ranking only."
    )


def comtrade_summary(ct: pd.DataFrame) -> str:
    """The range of China's share of US import value across HS codes in the newest year
    (:func:`comtrade_china_share` output)."""
    newest = int(ct["year"].max())
    top = ct[ct["year"] == newest].sort_values(["china_share", "hs_code"], ascending=[False, True]).iloc[0]
    low = ct[ct["year"] == newest].sort_values(["china_share", "hs_code"]).iloc[0]
    return (
        f"**UN Comtrade: China's share of US import value.** For the {ct['hs_code'].nunique()} HS codes in the "
        f"data, China's share of the value of US imports in {newest} ranged from {share_text(low.china_share)} "
        f"({low.hs_description}, HS {low.hs_code}) to **{share_text(top.china_share)}** ({top.hs_description}, "
        f"HS {top.hs_code}). These codes cover only some forms of each mineral (HS 811292 is a basket of several "
        f"minor metals), and values are as the United States reports them (CIF)."
    )


def comtrade_table(ct: pd.DataFrame, minerals_df: pd.DataFrame) -> Table:
    """China's share of US import value by HS code, one column per year, with the newest year's US imports."""
    newest = int(ct["year"].max())
    wide = ct.pivot_table(index=["mineral", "hs_code", "hs_description"], columns="year",
                          values="china_share").reset_index()
    wide.columns.name = None
    val = ct[ct["year"] == newest].set_index("hs_code")["world_usd"]
    wide = label_minerals(wide, minerals_df)
    wide["world_usd_m"] = wide["hs_code"].map(val) / 1e6
    cols = {"label": "Mineral", "hs_code": "HS code", "hs_description": "Goods"}
    cols.update({y: f"China {y}" for y in sorted(ct["year"].unique())})
    cols["world_usd_m"] = f"US imports {newest}, US$ m"
    return Table(wide.sort_values(["label", "hs_code"])[list(cols)].rename(columns=cols),
                 caption="China's share of the value of US imports by HS code (UN Comtrade)",
                 formats={**{f"China {y}": share_text for y in ct["year"].unique()},
                          f"US imports {newest}, US$ m": "{:,.1f}"})


def exposed(exp: pd.DataFrame) -> pd.DataFrame:
    """The :func:`import_exposure` rows with an exposure on either basis, most exposed (world supply) first."""
    ex = exp[exp["exposure_supply"].notna() | exp["exposure_import"].notna()].copy()
    return ex.sort_values(["exposure_supply", "label"], ascending=[False, True])


def exposure_summary(exp: pd.DataFrame) -> str:
    """The three most exposed minerals on the world-supply basis, with the factors, and the exposure on the
    US-imports basis where USGS publishes China's import share."""
    ex = exp[exp["exposure_supply"].notna() | exp["exposure_import"].notna()]
    top3 = exposed(exp).head(3)
    imports = ex[ex["exposure_import"].notna()].sort_values("exposure_import", ascending=False)
    return (
        "On the world-supply basis the most exposed minerals are "
        + "; ".join(f"{r.label} **{share_text(r.exposure_supply)}** (net import reliance {r.nir_text} × China "
                    f"{share_text(r.china_supply_share)} of world {r.supply_stage})" for r in top3.itertuples())
        + ". " + (
            "Where USGS publishes China's share of US imports, exposure on that basis is "
            + "; ".join(f"{r.label} {share_text(r.exposure_import)}" for r in imports.itertuples())
            + "." if ex["exposure_import"].notna().any() else "")
    )


def exposure_table_view(exp: pd.DataFrame) -> Table:
    """Every mineral's net import reliance, China's place among US import sources and in world supply, and
    the exposure on both bases, most exposed first."""
    cols = {"label": "Mineral", "nir_text": "Net import reliance", "nir_year": "NIR year",
            "china_import_rank": "China's rank as source", "china_import_share": "China's share of US imports",
            "import_edition": "Sources edition", "china_supply_share": "China's share of world supply",
            "supply_stage": "Supply stage", "supply_source": "Supply source",
            "exposure_import": "Exposure (imports)", "exposure_supply": "Exposure (world supply)"}
    tab = exp.sort_values(["exposure_supply", "label"], ascending=[False, True])
    tab = tab.assign(china_import_rank=tab["china_import_rank"].astype("float64"),
                     nir_year=tab["nir_year"].astype("float64"))
    return Table(tab[list(cols)].rename(columns=cols),
                 caption="US net import reliance and exposure to China, by mineral",
                 formats={"China's share of US imports": share_text, "China's share of world supply": share_text,
                          "Exposure (imports)": share_text, "Exposure (world supply)": share_text,
                          "China's rank as source": "{:.0f}", "NIR year": "{:.0f}"})
