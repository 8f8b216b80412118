"""Pakistan's minerals in numbers, each set against the world so the scale is honest.

Functions take the book's tables (production, reserves, production_history, pakistan_indicators,
pakistan_fdi, pakistan_fdi_sector, pakistan_trade, pakistan_trade_monthly) and return small frames.
Shares are fractions (0–1). Amounts keep their table's unit; conversions are explicit in the names
(``_kt``, ``_usd_m``).
"""

from __future__ import annotations

import pandas as pd

from critmin.analysis import metrics
from critmin.text import UNIT_IN_T, usd_millions

__all__ = [
    "ISO3",
    "UNIT_IN_T",
    "production_years",
    "world_shares",
    "usgs_series",
    "history_shares",
    "reserves_shares",
    "indicator",
    "indicator_row",
    "fdi_by_source",
    "exports_by_partner",
    "copper_scale",
    "format_value",
    "indicator_table",
    "table_markdown",
    "mineral_name",
    "mines_text",
    "mines_table",
    "revision_note",
    "history_panels",
    "chromite_span",
    "history_text",
    "reserves_text",
    "indicator_markdown",
    "ECONOMY_INDICATORS",
    "TRADE_INDICATORS",
    "REKO_DIQ_INDICATORS",
    "economy_text",
    "wealth_ratio_text",
    "partner_row",
    "trade_text",
    "fdi_tables",
    "fdi_text",
    "MINERAL_TRADE_NOTE",
    "scale_row",
    "copper_text",
    "reko_diq_text",
]

ISO3 = "PAK"
def production_years(production: pd.DataFrame, iso3: str = ISO3) -> list[int]:
    """Years in which the USGS table has at least one value for the country."""
    p = production[(production["iso3"] == iso3) & production["value"].notna()]
    return sorted(int(y) for y in p["year"].unique())


def world_shares(production: pd.DataFrame, year: int, iso3: str = ISO3, stage: str = "mine") -> pd.DataFrame:
    """The country's output in `year` for every mineral USGS lists it under, against USGS's world total.

    Columns: mineral, product, value, unit, flag, edition, world_total, share (of the rounded world total;
    missing where USGS gives none), rank (among listed producers), n_producers. Sorted by share, largest first.
    """
    p = production[(production["stage"] == stage) & (production["year"] == year)]
    minerals = sorted(set(p.loc[(p["iso3"] == iso3) & p["value"].notna(), "mineral"]))
    cols = ["mineral", "product", "value", "unit", "flag", "edition", "world_total", "share", "rank", "n_producers"]
    if not minerals:
        return pd.DataFrame(columns=cols)
    p = p[p["mineral"].isin(minerals)]
    cs = metrics.country_share(p, iso3, by=["mineral", "stage", "year"], denominator="world_total")
    mine = p[p["iso3"] == iso3].set_index("mineral")
    n = p[(p["row_kind"] == "country") & p["value"].notna()].groupby("mineral").size()
    out = cs.set_index("mineral")[["total", "share", "rank", "denominator"]]
    out = out.join(mine[["product", "value", "unit", "flag", "edition"]], rsuffix="_pk")
    # NOTE: a share against the sum of listed countries would overstate Pakistan where USGS folds small
    # producers into "Other countries"; without a world total the share is left missing, not guessed.
    out["world_total"] = out["total"].where(out["denominator"] == "world_total")
    out["share"] = out["share"].where(out["denominator"] == "world_total")
    out["n_producers"] = n
    out = out.reset_index()[cols]
    out["value"] = out["value"].astype("float64")
    out["world_total"] = out["world_total"].astype("float64")
    out["share"] = out["share"].astype("float64")
    return out.sort_values(["share", "mineral"], ascending=[False, True], na_position="last").reset_index(drop=True)


def usgs_series(production: pd.DataFrame, iso3: str = ISO3, stage: str = "mine") -> pd.DataFrame:
    """The country's USGS rows across editions with the world total of the same year and the share of it."""
    p = production[production["stage"] == stage]
    mine = p[(p["iso3"] == iso3)][["mineral", "year", "value", "unit", "flag", "edition"]]
    world = p[p["row_kind"] == "world_total"][["mineral", "year", "value", "unit"]].rename(
        columns={"value": "world_total", "unit": "world_unit"})
    out = mine.merge(world, on=["mineral", "year"], how="left")
    same_unit = out["unit"] == out["world_unit"]
    out["share"] = (out["value"].astype("float64") / out["world_total"].astype("float64")).where(same_unit)
    out["value"] = out["value"].astype("float64")
    out["world_total"] = out["world_total"].astype("float64")
    return out.drop(columns="world_unit").sort_values(["mineral", "year"]).reset_index(drop=True)


def history_shares(history: pd.DataFrame, iso3: str = ISO3) -> pd.DataFrame:
    """The country's BGS series per mineral and stage, with its share of the BGS producers' sum each year.

    Only years from the country's first reported year on are kept (earlier zeros would say "no output"
    where BGS may simply not have listed it). Adds ``label`` ("Chromium ores and concentrates", …).
    """
    mine = history[history["iso3"] == iso3]
    if mine.empty:
        return pd.DataFrame(columns=["mineral", "stage", "product", "year", "value", "share", "total", "label"])
    minerals = sorted(mine["mineral"].unique())
    s = metrics.share_over_time(history[history["mineral"].isin(minerals)], iso3)
    first = mine.groupby(["mineral", "stage", "product"])["year"].min().rename("first_year")
    s = s.join(first, on=["mineral", "stage", "product"])
    s = s[s["first_year"].notna() & (s["year"] >= s["first_year"])]
    s["label"] = s["product"].str.capitalize()
    cols = ["mineral", "stage", "product", "label", "year", "value", "share", "total"]
    out = s[cols].copy()
    for c in ("value", "share", "total"):
        out[c] = out[c].astype("float64")
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["mineral", "stage", "product", "year"]).reset_index(drop=True)


def reserves_shares(reserves: pd.DataFrame, iso3: str = ISO3) -> pd.DataFrame:
    """The country's reserves rows with the world total and share. ``share_bound`` says what the share is:
    'exact' (world total reported), 'at_most' (world total is a lower bound '>N', so the share is an upper
    bound), or 'none' (no value or no world total)."""
    mine = reserves[reserves["iso3"] == iso3][["mineral", "year", "value", "unit", "flag", "edition"]]
    world = reserves[reserves["row_kind"] == "world_total"][["mineral", "value", "unit", "flag"]].rename(
        columns={"value": "world_total", "unit": "world_unit", "flag": "world_flag"})
    out = mine.merge(world, on="mineral", how="left")
    ok = out["value"].notna() & out["world_total"].notna() & (out["unit"] == out["world_unit"])
    out["share"] = (out["value"].astype("float64") / out["world_total"].astype("float64")).where(ok)
    out["share_bound"] = "none"
    out.loc[ok, "share_bound"] = "exact"
    out.loc[ok & (out["world_flag"] == "censored_gt"), "share_bound"] = "at_most"
    out["value"] = out["value"].astype("float64")
    out["world_total"] = out["world_total"].astype("float64")
    return out.drop(columns="world_unit").sort_values("mineral").reset_index(drop=True)


def indicator_row(indicators: pd.DataFrame, name: str, year: int | None = None) -> pd.Series:
    """One row of pakistan_indicators (the latest year when `year` is None). KeyError names what is missing."""
    rows = indicators[indicators["indicator"] == name]
    if year is not None:
        rows = rows[rows["year"] == year]
    if rows.empty:
        raise KeyError(f"pakistan_indicators has no {name!r}" + (f" for {year}" if year is not None else ""))
    return rows.sort_values("year").iloc[-1]


def indicator(indicators: pd.DataFrame, name: str, year: int | None = None) -> float:
    """The value of one indicator as a float (see :func:`indicator_row`)."""
    return float(indicator_row(indicators, name, year)["value"])


def fdi_by_source(fdi: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """Net FDI by source in one fiscal year: country rows plus Others and the Total, with share of the total.

    ``in_table`` is True for the countries SBP lists (its top 10 of the latest year); any other country is
    inside Others. Sorted by value, largest first; Others and Total last.
    """
    f = fdi[(fdi["fiscal_year"] == fiscal_year) & (fdi["measure"] == "net")].copy()
    if f.empty:
        raise KeyError(f"pakistan_fdi has no net rows for fiscal year {fiscal_year}")
    total = f.loc[f["row_kind"] == "world_total", "value"]
    if len(total) != 1:
        raise ValueError(f"expected one Total row for fiscal year {fiscal_year}, found {len(total)}")
    f["value"] = f["value"].astype("float64")
    f["share"] = f["value"] / float(total.iloc[0])
    f["in_table"] = f["row_kind"] == "country"
    order = {"country": 0, "other": 1, "world_total": 2}
    f["_o"] = f["row_kind"].map(order)
    f = f.sort_values(["_o", "value", "country"], ascending=[True, False, True]).drop(columns="_o")
    return f[["fiscal_year", "country", "iso3", "row_kind", "value", "share", "in_table", "flag"]].reset_index(drop=True)


def exports_by_partner(trade: pd.DataFrame, monthly: pd.DataFrame, flow: str = "exports",
                       table: str = "top_partners") -> pd.DataFrame:
    """Partners from one SBP trade table with each one's share of ALL of Pakistan's trade in that flow.

    The denominator is the sum of pakistan_trade_monthly over the same months (the partner table lists only
    the largest partners, so its rows do not add up to the total). Raises ValueError if a month is missing.
    """
    t = trade[(trade["table"] == table) & (trade["flow"] == flow)].copy()
    periods = t[["period", "period_start", "period_end"]].drop_duplicates()
    if len(periods) != 1:
        # NOTE: country_snapshot mixes several periods; the caller must pick one first.
        raise ValueError(f"{table}/{flow} covers {len(periods)} periods; filter to one period first")
    start, end = periods.iloc[0]["period_start"], periods.iloc[0]["period_end"]
    months = pd.period_range(start, end, freq="M").strftime("%Y-%m")
    m = monthly[(monthly["flow"] == flow) & monthly["month"].isin(months)]
    missing = sorted(set(months) - set(m["month"]))
    if missing:
        raise ValueError(f"pakistan_trade_monthly lacks {flow} for {', '.join(missing)}")
    total = float(m["value"].astype("float64").sum())
    t["value"] = t["value"].astype("float64")
    t["share"] = t["value"] / total
    t["total"] = total
    t["n_months"] = len(months)
    sort = ["rank", "country"] if t["rank"].notna().all() else ["value", "country"]
    t = t.sort_values(sort, ascending=[True, True] if sort[0] == "rank" else [False, True])
    return t[["country", "iso3", "row_kind", "period", "rank", "value", "share", "total", "n_months", "flag"]].reset_index(drop=True)


def _latest_at_or_before(p: pd.DataFrame, year: int) -> int | None:
    years = p.loc[p["value"].notna() & (p["year"] <= year), "year"]
    return None if years.empty else int(years.max())


def copper_scale(production: pd.DataFrame, history: pd.DataFrame, indicators: pd.DataFrame,
                 year: int, iso3: str = ISO3) -> tuple[pd.DataFrame, dict]:
    """Copper tonnages side by side, in kt of copper, to show the scale of Reko Diq.

    Rows: world mine production, China's refined output and China's mine output (USGS, latest year at or
    before `year`), Reko Diq's planned output (phase 1 and after expansion), Saindak's typical output and
    Pakistan's latest BGS copper mine output. ``share_of_world_mine`` divides each by world mine output.
    The dict gives the years actually used (usgs_year, bgs_year) and whether `year` had to fall back.
    """
    cu = production[production["mineral"] == "copper"]
    mine, ref = cu[cu["stage"] == "mine"], cu[cu["stage"] == "refinery"]
    y = _latest_at_or_before(mine[mine["row_kind"] == "world_total"], year)
    if y is None:
        raise ValueError(f"no USGS world copper mine total at or before {year}")

    def kt(df: pd.DataFrame, mask) -> float:
        r = df[mask & (df["year"] == y)]
        if len(r) != 1 or pd.isna(r["value"].iloc[0]):
            raise ValueError(f"expected one copper value for {y}, found {len(r)}")
        return float(r["value"].iloc[0]) * UNIT_IN_T[r["unit"].iloc[0]] / 1_000

    world = kt(mine, mine["row_kind"] == "world_total")
    china_ref = kt(ref, ref["iso3"] == "CHN")
    china_mine = kt(mine, mine["iso3"] == "CHN")
    h = history[(history["iso3"] == iso3) & (history["mineral"] == "copper") & (history["stage"] == "mine")]
    bgs_year = int(h["year"].max())
    bgs = float(h.loc[h["year"] == bgs_year, "value"].sum()) / 1_000
    rows = [
        ("World copper mine production", f"USGS, {y}", world, "world"),
        ("China's refined copper output", f"USGS, {y}", china_ref, "china"),
        ("China's copper mine output", f"USGS, {y}", china_mine, "china"),
        ("Reko Diq after expansion (plan)", "planned, about", indicator(indicators, "reko_diq_copper_output_phase2") / 1_000, "plan"),
        ("Reko Diq phase 1 (plan)", "planned, about", indicator(indicators, "reko_diq_copper_output_phase1") / 1_000, "plan"),
        ("Pakistan's copper mine output", f"BGS, {bgs_year}", bgs, "pakistan"),
        ("Saindak blister copper (typical year)", "about", indicator(indicators, "saindak_blister_copper_output") / 1_000, "pakistan"),
    ]
    df = pd.DataFrame(rows, columns=["label", "basis", "kt", "group"])
    df["share_of_world_mine"] = df["kt"] / world
    return df, {"usgs_year": y, "bgs_year": bgs_year, "fell_back": y != year}


def format_value(value: float, unit: str) -> str:
    """A pakistan_indicators value in words a reader expects: 'US$5.6bn', '2.1%', '200,000 t/yr', '2028'."""
    v = float(value)
    if unit == "usd":
        sign, a = ("−" if v < 0 else ""), abs(v)
        if a >= 1e12:
            return f"{sign}US${a / 1e12:,.3g}tn"
        if a >= 1e9:
            return f"{sign}US${a / 1e9:,.3g}bn"
        if a >= 1e6:
            return f"{sign}US${a / 1e6:,.4g}m"
        return f"{sign}US${a:,.0f}"
    if unit == "percent":
        return f"{'−' if v < 0 else ''}{abs(v):g}%"
    if unit == "calendar_year":
        return f"{v:.0f}"
    suffix = {"usd_per_t": " US$/t", "t": " t", "t_per_year": " t/yr", "t_ore_per_day": " t ore/day",
              "km2": " km²", "count": "", "persons": " people", "rank": "", "years": " years"}
    if unit not in suffix:
        raise ValueError(f"unknown unit {unit!r}")
    if unit == "usd_per_t":
        return f"US${v:,.0f}/t"
    return f"{v:,.{0 if v == int(v) else 2}f}{suffix[unit]}"


def indicator_table(indicators: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Selected indicators (all their years, in the order given) with a formatted value and a source link."""
    from critmin.analysis.deals import source_link

    missing = [n for n in names if n not in set(indicators["indicator"])]
    if missing:
        raise KeyError(f"pakistan_indicators has no {', '.join(missing)}")
    order = {n: i for i, n in enumerate(names)}
    t = indicators[indicators["indicator"].isin(names)].copy()
    t["_o"] = t["indicator"].map(order)
    t = t.sort_values(["_o", "year"]).drop(columns="_o")
    t["shown"] = [format_value(v, u) for v, u in zip(t["value"], t["unit"])]
    t["note"] = t["note"].fillna("")
    t["source"] = [source_link(p, u, r) for p, u, r in zip(t["publisher"], t["source_url"], t["reliability"])]
    return t[["indicator", "label", "year", "shown", "note", "source"]].reset_index(drop=True)


def table_markdown(df: pd.DataFrame, columns: dict[str, str]) -> str:
    """A Markdown table (links in a 'source' column stay clickable); other cells are escaped."""
    from critmin.text import md_escape as _md_escape

    head = "| " + " | ".join(columns.values()) + " |\n|" + "---|" * len(columns) + "\n"
    rows = ["| " + " | ".join(str(r[c]) if c == "source" else _md_escape(r[c]) for c in columns) + " |"
            for _, r in df.iterrows()]
    return head + "\n".join(rows) + "\n"


# --- The chapter's prose and tables -------------------------------------------------------------------------
# Each function below turns the frames above into the sentences or table one section of the Pakistan chapter
# shows; every figure in them is computed from the data passed in.

def mineral_name(mineral: str) -> str:
    """'rare_earths' → 'rare earths' (a mineral id as prose)."""
    return mineral.replace("_", " ")


def mines_text(ws: pd.DataFrame, production: pd.DataFrame, year: int, iso3: str = ISO3) -> str:
    """What the country mines in `year` and its largest share of world output, from :func:`world_shares`.

    Also says so when USGS lists no rare-earth production for the country in any edition.
    """
    from critmin.text import num, share_text

    top = ws.iloc[0]
    lines = [f"In **{year}** the USGS Mineral Commodity Summaries list Pakistan as a producer of **{len(ws)}** of the "
             f"{production['mineral'].nunique()} minerals in this book's production table: "
             + ", ".join(f"{mineral_name(m)} ({num(v)} {u}, {share_text(s)} of world output)" for m, v, u, s in
                         zip(ws["mineral"], ws["value"], ws["unit"], ws["share"])) + "."]
    lines.append(f"The largest share is {mineral_name(top['mineral'])}, at **{share_text(top['share'])}**, where Pakistan "
                 f"ranks {top['rank']} of {top['n_producers']} producers USGS names.")
    rare = production[(production["mineral"] == "rare_earths") & (production["iso3"] == iso3)]
    if rare.empty:
        lines.append("USGS lists **no Pakistani rare-earth production** in any edition in this table, although rare "
                     "earths are among the minerals named in the USSM–FWO MoU.")
    return " ".join(lines)


def mines_table(ws: pd.DataFrame) -> pd.DataFrame:
    """The :func:`world_shares` frame as shown: readable mineral names, Pakistan's output and the world total
    each in the table's unit, the share as the book states shares, 'reported' where USGS sets no flag."""
    from critmin.text import quantity, share_text

    return pd.DataFrame({
        "Mineral": ws["mineral"].map(mineral_name).to_numpy(),
        "Pakistan's output": [quantity(v, u) for v, u in zip(ws["value"], ws["unit"])],
        "World total": [quantity(v, u) for v, u in zip(ws["world_total"], ws["unit"])],
        "Pakistan's share": [share_text(x) for x in ws["share"]],
        "Rank": ws["rank"].to_numpy(), "Producers listed": ws["n_producers"].to_numpy(),
        "Edition": ws["edition"].to_numpy(), "Flag": ws["flag"].fillna("reported").to_numpy()})


def revision_note(series: pd.DataFrame, mineral: str = "antimony") -> str:
    """A warning when a mineral's 2022→2023 change spans two USGS editions (a revision, not only mining).

    `series` is :func:`usgs_series`; returns "" when both years come from one edition or one is missing.
    """
    from critmin.text import num

    jump = series[series["mineral"] == mineral].set_index("year")
    if not ({2022, 2023} <= set(jump.index) and jump.loc[2022, "edition"] != jump.loc[2023, "edition"]):
        return ""
    return (f"Pakistan's {mineral_name(mineral)} output rises from {num(jump.loc[2022, 'value'])} t in 2022 to "
            f"{num(jump.loc[2023, 'value'])} t in 2023, but the two years come from different editions "
            f"({jump.loc[2022, 'edition']} and {jump.loc[2023, 'edition']}): USGS revised the series upward, so "
            "the jump is at least partly a revision, not only a change in mining.")


def history_panels(history: pd.DataFrame, iso3: str = ISO3) -> tuple[pd.DataFrame, list[str]]:
    """:func:`history_shares` without the series that are zero in every year, plus ``kt`` (value / 1,000).

    Returns the frame and the labels of the all-zero series that were dropped (sorted).
    """
    hs = history_shares(history, iso3)
    peak = hs.groupby("label")["value"].max()
    zero = sorted(peak[peak == 0].index)
    hs = hs[~hs["label"].isin(zero)].copy()
    hs["kt"] = hs["value"] / 1e3
    return hs, zero


def chromite_span(hs: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """First, last and peak rows of the chromium series of :func:`history_panels`."""
    chrom = hs[hs["mineral"] == "chromium"]
    return chrom.iloc[0], chrom.iloc[-1], chrom.loc[chrom["value"].idxmax()]


def history_text(hs: pd.DataFrame, zero: list[str], first_year: int) -> str:
    """Chromite then and now, copper mining's start and share, and the all-zero BGS series, in prose.

    `hs` and `zero` come from :func:`history_panels`; `first_year` is the first year of the BGS table.
    """
    from critmin.text import num, share_text

    first, last, peak = chromite_span(hs)
    cu = hs[(hs["mineral"] == "copper") & (hs["stage"] == "mine")]
    text = (f"The British Geological Survey's series go back to {first_year}. Pakistan's chromite output was "
            f"**{num(first['value'] / 1e3)} kt** in {first['year']} and **{num(last['value'] / 1e3)} kt** in "
            f"{last['year']} (peak {num(peak['value'] / 1e3)} kt in {peak['year']}), "
            f"**{share_text(last['share'])}** of the output of all producers BGS lists that year. ")
    if not cu.empty:
        text += (f"Copper mining appears from {cu.iloc[0]['year']}; in {cu.iloc[-1]['year']} it was "
                 f"{num(cu.iloc[-1]['value'] / 1e3, 1)} kt, **{share_text(cu.iloc[-1]['share'])}** of the listed world total. ")
    if zero:
        text += f"BGS also lists Pakistan for {', '.join(z.lower() for z in zero)}, with zero output in every year. "
    return text + "BGS publishes no world total, so these shares use the sum of the producers it lists."


def reserves_text(reserves: pd.DataFrame, indicators: pd.DataFrame, iso3: str = ISO3) -> str:
    """The country's USGS reserves, each with what its share of the world can honestly be said to be."""
    from critmin.analysis.deals import source_link
    from critmin.text import num, share_text

    parts = []
    for _, r in reserves_shares(reserves, iso3).iterrows():
        name = mineral_name(r["mineral"])
        if pd.isna(r["value"]):
            parts.append(f"USGS lists Pakistan under **{name}** reserves but gives no figure.")
        elif r["share_bound"] == "at_most":
            parts.append(f"**{name.capitalize()}** reserves are {num(r['value'])} {r['unit']} ({r['edition']}); the "
                         f"world total is given only as more than {num(r['world_total'])} {r['unit']}, so Pakistan "
                         f"holds **at most {share_text(r['share'])}** of known world reserves.")
        elif r["share_bound"] == "exact":
            parts.append(f"**{name.capitalize()}** reserves are {num(r['value'])} {r['unit']}, "
                         f"{share_text(r['share'])} of the world total.")
    ft = indicators[indicators["indicator"] == "antimony_reserves_world_share"]
    if not ft.empty:
        r0 = ft.iloc[0]
        parts.append(f"The Financial Times put the share at about {r0['value']:g}% "
                     f"({source_link(r0['publisher'], r0['source_url'], r0['reliability'])}).")
    # NOTE: the absence of these figures was checked against the sources reviewed; it is not in the data.
    parts.append("No USGS reserve figure exists for Pakistan's copper, gold, tungsten or rare earths, and no Reko "
                 "Diq reserve tonnage was found in the sources reviewed.")
    return " ".join(parts)


def indicator_markdown(indicators: pd.DataFrame, names: list[str], label: str = "Indicator",
                       year: str = "Year") -> str:
    """:func:`indicator_table` as a Markdown table; `label` and `year` name the first two columns."""
    return table_markdown(indicator_table(indicators, names),
                          {"label": label, "year": year, "shown": "Value", "note": "Note", "source": "Source"})


ECONOMY_INDICATORS = [
    "mining_quarrying_gdp_share", "mining_quarrying_gdp_share_commonly_quoted", "mining_quarrying_value_added",
    "mining_quarrying_growth", "mineral_output_value_wmd", "mineral_output_rank_wmd", "mineral_exports_total",
    "share_world_mineral_exports", "mineral_wealth_claim_official", "mineral_wealth_independent_low",
    "mineral_wealth_independent_high"]

TRADE_INDICATORS = ["copper_exports_world", "copper_exports_to_china", "refined_copper_exports_to_china",
                    "copper_ore_exports_to_china", "chromium_ore_exports_to_china"]

REKO_DIQ_INDICATORS = [
    "reko_diq_share_barrick", "reko_diq_share_federal_soes", "reko_diq_share_balochistan", "reko_diq_phase1_capex",
    "reko_diq_project_cost_ogdcl", "reko_diq_ore_throughput_phase1", "reko_diq_ore_throughput_phase2",
    "reko_diq_copper_output_phase1", "reko_diq_copper_output_phase2", "reko_diq_mine_life",
    "reko_diq_first_production_target", "reko_diq_barrick_invested_cumulative", "saindak_design_ore_throughput",
    "saindak_copper_output", "saindak_blister_copper_output", "saindak_lease_end", "saindak_profit_share_pakistan",
    "saindak_royalty_balochistan"]


def economy_text(indicators: pd.DataFrame) -> str:
    """Mining's official share of GDP against the figure quoted in speeches."""
    from critmin.analysis.deals import usd

    official = indicator_row(indicators, "mining_quarrying_gdp_share")
    quoted = indicator_row(indicators, "mining_quarrying_gdp_share_commonly_quoted")
    va = indicator_row(indicators, "mining_quarrying_value_added")
    return (f"Official national accounts put mining and quarrying at **{official['value']:g}% of GDP** in "
            f"FY{official['year']} (about {usd(va['value'])}); the figure often quoted in speeches is "
            f"{quoted['value']:g}%. Note that this sector includes oil, gas and coal, not only metal ores. The table "
            "collects the single figures used on this page, each with its source.")


def wealth_ratio_text(indicators: pd.DataFrame) -> str:
    """How many times the official mineral-wealth claim exceeds the top of the independent estimates."""
    from critmin.text import num

    claim = indicator(indicators, "mineral_wealth_claim_official")
    high = indicator(indicators, "mineral_wealth_independent_high")
    return (f"The official wealth claim is **{num(claim / high)} times** the top of the independent range; it is a "
            "claim, not a certified resource estimate.")


def partner_row(df: pd.DataFrame, iso3: str) -> pd.Series:
    """The row of one partner (by ISO3) in a partner table; KeyError names the partner if it is absent."""
    rows = df[df["iso3"] == iso3]
    if rows.empty:
        raise KeyError(f"no partner {iso3!r} in the table")
    return rows.iloc[0]


def trade_text(exports: pd.DataFrame, imports: pd.DataFrame) -> str:
    """The US and China as buyers of Pakistan's exports and China as supplier, from :func:`exports_by_partner`."""
    from critmin.text import share_text

    us_x, cn_x, cn_m = partner_row(exports, "USA"), partner_row(exports, "CHN"), partner_row(imports, "CHN")
    return (f"In {exports['period'].iloc[0]} (provisional), the **United States bought {share_text(us_x['share'])}** of "
            f"Pakistan's goods exports and **China {share_text(cn_x['share'])}**, while China supplied "
            f"**{share_text(cn_m['share'])}** of its imports. The State Bank lists only the {len(exports)} largest "
            f"partners, which together take {share_text(exports['share'].sum())} of exports; shares here are of all "
            "exports (the monthly totals), not of the listed partners.")


def fdi_tables(fdi: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """:func:`fdi_by_source` for every fiscal year with country rows, oldest first."""
    years = sorted(fdi.loc[fdi["row_kind"] == "country", "fiscal_year"].unique())
    return {y: fdi_by_source(fdi, int(y)) for y in years}


def fdi_text(tables: dict[int, pd.DataFrame], fdi_sector: pd.DataFrame) -> str:
    """China's and the US's net FDI in the latest fiscal year (and the one before), and net FDI into mining.

    `tables` comes from :func:`fdi_tables`; dollar signs are escaped for Markdown.
    """
    from critmin.text import num, share_text

    fy = list(tables)
    latest = tables[fy[-1]]
    cn, us = partner_row(latest, "CHN"), partner_row(latest, "USA")
    text = (f"Net foreign direct investment tells the opposite story. In FY{fy[-1]} (provisional) China accounted for "
            f"**US\\${num(cn['value'])} million**, {share_text(cn['share'])} of net FDI, while net investment from the "
            f"United States was **{usd_millions(us['value'])}**")
    if len(fy) > 1:
        prev = tables[fy[-2]]
        us0, cn0 = partner_row(prev, "USA"), partner_row(prev, "CHN")
        text += (f" (FY{fy[-2]}: China US\\${num(cn0['value'])} million, United States "
                 f"US\\${num(us0['value'])} million)")
    text += (f". The State Bank's table names only the {int(latest['in_table'].sum())} largest sources of FY{fy[-1]} "
             "and folds the rest into “Others”, so a country missing from it is not zero.")
    sec = fdi_sector[(fdi_sector["sector"] == "Mining & Quarrying") & (fdi_sector["measure"] == "net")]
    sec = sec.sort_values("fiscal_year")
    if not sec.empty:
        text += (" Net FDI into **mining and quarrying** was negative in "
                 + " and ".join(f"FY{r.fiscal_year} ({usd_millions(r.value)})" for r in sec.itertuples())
                 + ": more money left the sector than came in.")
    return text


MINERAL_TRADE_NOTE = ("Mineral exports by destination are not in the State Bank tables; the figures below come from "
                      "news reports and are on different bases (Pakistani export values versus Chinese import values), "
                      "so they should not be added or compared directly.")


def scale_row(scale: pd.DataFrame, prefix: str) -> pd.Series:
    """The row of :func:`copper_scale` whose label starts with `prefix`."""
    rows = scale[scale["label"].str.startswith(prefix)]
    if rows.empty:
        raise KeyError(f"no copper row starting {prefix!r}")
    return rows.iloc[0]


def copper_text(scale: pd.DataFrame, used: dict, year: int) -> str:
    """Reko Diq's planned output and Saindak's against world and Chinese copper, from :func:`copper_scale`."""
    from critmin.text import num, share_text

    rd1, rd2 = scale_row(scale, "Reko Diq phase 1"), scale_row(scale, "Reko Diq after")
    cn_ref, sd = scale_row(scale, "China's refined"), scale_row(scale, "Saindak")
    fallback = (f" (USGS has no world copper figure for {year}, so {used['usgs_year']} is used)"
                if used["fell_back"] else "")
    return (f"Reko Diq's planned first phase, about **{num(rd1['kt'])} kt of copper a year**, would equal "
            f"**{share_text(rd1['share_of_world_mine'])}** of world copper mine production in {used['usgs_year']}{fallback}; "
            f"after the planned expansion, about {num(rd2['kt'])} kt, **{share_text(rd2['share_of_world_mine'])}**. China "
            f"alone refined {num(cn_ref['kt'])} kt that year, {num(cn_ref['kt'] / rd2['kt'])} times the expanded Reko "
            f"Diq. Saindak, Pakistan's producing copper mine run by China's MCC, makes about {num(sd['kt'])} kt a "
            f"year, {share_text(sd['share_of_world_mine'])} of world mine output.")


def reko_diq_text(events: pd.DataFrame, event_id: str = "reko-diq-slowdown") -> str:
    """The sentence introducing the Reko Diq table: Barrick's slowdown, dated and sourced from the events table."""
    from critmin.analysis.deals import source_link
    from critmin.text import date_text as fmt_date

    slow = events.set_index("event_id").loc[event_id]
    return (f"Reko Diq's timetable is no longer firm: on {fmt_date(slow['date'])} Barrick slowed development and "
            f"extended its review ({source_link(slow['source_outlet'], slow['source_url'], slow['reliability'])}). "
            "The project and Saindak in numbers:")
