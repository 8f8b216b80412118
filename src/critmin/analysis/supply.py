"""Chapter-level tables for "China's grip on critical-mineral supply chains".

These functions combine the book's datasets into the tables the chapters show, and every row says which
publisher, edition and denominator it rests on:

* :func:`stage_table` – one country's share of mining and of processing per mineral for one year, with
  concentration (HHI, top-3 share). Mining and processing come from the USGS production table; where USGS
  has no processing stage for a mineral, the IEA's refining figures are used, and failing those a share
  published as a single figure (``processing_shares``).
* :func:`history_shares` / :func:`share_change` – a country's share over time: BGS 1970–2021 with the
  newest USGS (and, for refined cobalt and nickel, IEA) years joined on.
* :func:`comtrade_china_share`, :func:`nir_text`, :func:`import_exposure` – US import reliance and exposure
  to China.

**Denominators.** USGS and IEA shares are of the publisher's reported world total, which includes the
residual "Other countries" / "Rest of world" line (output the publisher does not attribute to a named
country). Where no world total is reported the sum of the listed countries is used; the ``denominator``
column always says which. BGS publishes no world totals but lists every producing country, so BGS shares
are of the sum of all listed producers (including historic states such as the USSR).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from critmin import params
from critmin.analysis import metrics
from critmin.data import countries
from critmin.render import page
from critmin.render.page import Table
from critmin.text import num, share_text, years_text

__all__ = [
    "STAGE_GROUP",
    "DENOMINATOR_TEXT",
    "known_countries",
    "resolve_country",
    "stage_table",
    "history_shares",
    "share_change",
    "comtrade_china_share",
    "nir_text",
    "import_exposure",
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

# The country whose grip the book measures (ISO 3166-1 alpha-3).
CHINA = "CHN"

# Publishers' stage words → the two stages the chapters compare.
STAGE_GROUP = {
    "mine": "mining",
    "mining": "mining",
    "refinery": "processing",
    "smelter": "processing",
    "processing": "processing",
    "refining": "processing",
    "smelting": "processing",
    "separation": "processing",
}

DENOMINATOR_TEXT = {
    "world_total": "reported world total",
    "sum_of_countries": "sum of listed countries",
    "sum_of_countries_and_groups": "sum of all listed producers",
    "published_share": "share as published",
}

_OUT_COLUMNS = [
    "mineral", "label", "stage_group", "stage", "series", "source", "year", "status", "value", "unit",
    "share", "share_listed", "rank", "n_countries", "top_producer", "top_producer_share", "top3", "top3_share",
    "hhi", "hhi_upper", "denominator", "world_total", "unattributed_share", "note",
]


# ---------------------------------------------------------------------------------------------------------
# countries


def _name(iso3: str, fallback: str | None = None) -> str:
    try:
        return countries.to_name(iso3)
    except ValueError:
        return fallback or iso3


def known_countries(*tables: pd.DataFrame) -> dict[str, str]:
    """ISO3 → display name for every country row (row_kind ``country`` with a code) in the tables."""
    seen: dict[str, str] = {}
    for t in tables:
        rows = t[(t["row_kind"].astype("object") == "country") & t["iso3"].notna()]
        for iso, name in rows[["iso3", "country"]].drop_duplicates("iso3").itertuples(index=False):
            seen.setdefault(str(iso), _name(str(iso), str(name)))
    return dict(sorted(seen.items(), key=lambda kv: kv[1]))


def resolve_country(value, known: Mapping[str, str], name: str = "country") -> tuple[str, str]:
    """(ISO3, display name) for a country given by ISO3 code or by any spelling country_converter knows.

    Raises :class:`critmin.params.ParameterError` listing the countries in ``known`` otherwise.
    """
    text = str(value).strip()
    if text.upper() in known:
        return text.upper(), known[text.upper()]
    by_name = {v.lower(): k for k, v in known.items()}
    if text.lower() in by_name:
        iso = by_name[text.lower()]
        return iso, known[iso]
    try:
        iso = countries.to_iso3(text) if text else None
    except ValueError:
        iso = None
    if iso in known:
        return iso, known[iso]
    params.choice(name, value, sorted(known.values()))  # raises, listing the allowed names
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------------------------------------------------
# mining vs processing for one year


def _labels(minerals_df: pd.DataFrame | None) -> dict[str, str]:
    if minerals_df is None:
        return {}
    return dict(zip(minerals_df["mineral"].astype(str), minerals_df["label"].astype(str)))


def _main_product(rows: pd.DataFrame) -> pd.Series:
    """The series description per (mineral, stage): the label most country rows carry (ties: alphabetical)."""
    c = rows[rows["row_kind"].astype("object") == "country"]
    counts = c.groupby(["mineral", "stage", "product"]).size().rename("n").reset_index()
    counts = counts.sort_values(["mineral", "stage", "n", "product"], ascending=[True, True, False, True])
    return counts.drop_duplicates(["mineral", "stage"]).set_index(["mineral", "stage"])["product"]


def _names(codes) -> str | float:
    if not isinstance(codes, str) or not codes:
        return np.nan
    return ", ".join(_name(c.strip()) for c in codes.split(","))


def _concentration(rows: pd.DataFrame, iso3: str, year: int) -> pd.DataFrame:
    """metrics.concentration_table on one year, shares of the reported world total, plus the listed-sum share."""
    # The book's rule (metrics, denominator="book"): the world total, or the listed countries' sum where the
    # rounded total is below it.
    ct = metrics.concentration_table(rows, iso3=iso3, year=year, denominator="book", edition=None)
    listed = metrics.concentration_table(rows, iso3=iso3, year=year, denominator="sum_of_countries", edition=None)
    ct["share_listed"] = listed["country_share"].to_numpy()
    ct["hhi_upper"] = ct["hhi_upper"].where(ct["hhi_upper"] >= ct["hhi"], ct["hhi"])
    return ct


def _from_concentration(ct: pd.DataFrame, source: pd.Series, series: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({
        "mineral": ct["mineral"].astype(str),
        "stage": ct["stage"].astype(str),
        "year": ct["year"].astype("int64"),
        "status": ct["country_status"].astype(str),
        "unit": ct["unit"].astype(str),
        "share": ct["country_share"],
        "share_listed": ct["share_listed"],
        "rank": ct["country_rank"],
        "n_countries": ct["n_countries"],
        "top_producer": ct["top_producer"].map(_names),
        "top_producer_share": ct["top_producer_share"],
        "top3": ct["top3"].map(_names),
        "top3_share": ct["top3_share"],
        "hhi": ct["hhi"],
        "hhi_upper": ct["hhi_upper"],
        "denominator": ct["denominator"],
        "world_total": ct["world_total"],
        "unattributed_share": (ct["residual"] / ct["world_total"]).clip(lower=0),
    })
    out["source"] = source.to_numpy()
    out["series"] = series.to_numpy()
    return out


def _country_values(rows: pd.DataFrame, iso3: str) -> pd.Series:
    c = rows[rows["iso3"].astype("object") == iso3]
    return pd.to_numeric(c.set_index(["mineral", "stage"])["value"], errors="coerce").astype("float64")


def stage_table(
    production: pd.DataFrame,
    refining: pd.DataFrame | None = None,
    processing_shares: pd.DataFrame | None = None,
    *,
    iso3: str = "CHN",
    year: int = 2024,
    minerals: Sequence[str] | None = None,
    stages: Iterable[str] = ("mining", "processing"),
    minerals_df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One country's share of world mining and of processing per mineral in one year, with concentration.

    One row per mineral and stage group (``mining``/``processing``; a mineral with two USGS processing
    stages gets two rows). Sources, in order of preference for each stage group:

    1. the USGS production table (stages mine → mining; refinery, smelter, processing → processing);
    2. for processing only, where USGS has *no* processing stage for the mineral in any year: the IEA
       refining table (``refining``; base years 2023 and 2024 only);
    3. still for processing, a share published as a single figure (``processing_shares``; no HHI).

    Shares are of the publisher's reported world total (``denominator`` says so); the sum of the listed
    countries is used where no total is reported or where the rounded total is below that sum. ``share_listed`` is
    the same share of the listed countries' sum only, i.e.
    ignoring the "Other countries" residual; ``unattributed_share`` is that residual's part of the world total.
    HHI = Σ (100 × sᵢ)² over the named countries with the same shares (a lower bound: the residual counts as
    countless tiny producers); ``hhi_upper`` treats the residual as one more producer.

    ``status``: reported, withheld, not_listed (the publisher names no figure for the country: its output,
    if any, is inside the residual), published_share, no_data (no figure for that mineral, stage and
    year; ``note`` says which years exist) or no_stage (the data have no such stage for the mineral).
    """
    stages = tuple(stages)
    bad = set(stages) - {"mining", "processing"}
    if bad:
        raise ValueError(f"stages must be among 'mining', 'processing'; got {sorted(bad)}")
    labels = _labels(minerals_df)
    prod = production.copy()
    prod["stage_group"] = prod["stage"].astype("object").map(STAGE_GROUP)
    all_minerals = sorted(set(prod["mineral"].astype(str))
                          | (set(refining["mineral"].astype(str)) if refining is not None else set()))
    wanted = list(minerals) if minerals is not None else all_minerals
    prod = prod[prod["mineral"].isin(wanted)]
    usgs_groups = prod.groupby("mineral")["stage_group"].agg(lambda s: set(s)).to_dict()
    usgs_years = prod.groupby(["mineral", "stage_group"])["year"].agg(lambda s: sorted({int(y) for y in s}))

    parts = []
    py = prod[(prod["year"] == year) & prod["stage_group"].isin(stages)]
    if not py.empty:
        series = _main_product(py)
        ct = _concentration(py.drop(columns=["product", "stage_group"]), iso3, year)
        ed = py.groupby(["mineral", "stage"])["edition"].max()
        key = pd.MultiIndex.from_frame(ct[["mineral", "stage"]].astype(str))
        t = _from_concentration(ct, "USGS " + ed.reindex(key).astype(str), series.reindex(key))
        t["value"] = _country_values(py, iso3).reindex(key).to_numpy()
        parts.append(t)

    iea_minerals = set()
    if refining is not None and "processing" in stages:
        no_usgs = [m for m in wanted if "processing" not in usgs_groups.get(m, set())]
        ref = refining[(refining["stage"] == "refining") & refining["mineral"].isin(no_usgs)]
        iea_minerals = set(ref["mineral"].astype(str))
        ry = ref[ref["year"] == year]
        if not ry.empty:
            ct = _concentration(ry.drop(columns=[c for c in ("secondary",) if c in ry.columns]), iso3, year)
            ed = ry.groupby("mineral")["edition"].max()
            src = "IEA " + ct["mineral"].astype(str).map(ed).astype(str)
            t = _from_concentration(ct, src, ct["mineral"].astype(str).map(_IEA_SERIES).fillna("refining"))
            key = pd.MultiIndex.from_frame(ct[["mineral", "stage"]].astype(str))
            t["value"] = _country_values(ry, iso3).reindex(key).to_numpy()
            parts.append(t)

    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_OUT_COLUMNS)
    out["stage_group"] = out["stage"].map(STAGE_GROUP)
    out["note"] = pd.Series(np.nan, index=out.index, dtype="object")
    iea_rows = out["mineral"].isin(iea_minerals) & (out["stage_group"] == "processing")
    out.loc[iea_rows, "note"] = out.loc[iea_rows, "mineral"].map(_IEA_NOTE)
    for status, text in _STATUS_NOTE.items():
        hit = out["status"] == status
        out.loc[hit, "note"] = [text if not isinstance(n, str) else f"{n} {text}" for n in out.loc[hit, "note"]]

    # what is still missing: published single shares, else a no-data row saying what exists
    have = set(zip(out["mineral"], out["stage_group"]))
    extra = []
    for m in wanted:
        for g in stages:
            if (m, g) in have:
                continue
            row = _published_share(processing_shares, m, g, iso3, year) if g == "processing" else None
            if row is None:
                note = _missing_note(m, g, year, usgs_years, refining if m in iea_minerals else None)
                status = "no_data" if note else "no_stage"
                row = {"mineral": m, "stage_group": g, "stage": g, "year": year, "status": status,
                       "note": note or f"The data have no {g} stage for this mineral."}
            extra.append(row)
    if extra:
        ext = pd.DataFrame(extra)
        out = ext if out.empty else pd.concat([out.astype(object), ext.astype(object)], ignore_index=True)
    out = out.reindex(columns=list(dict.fromkeys([*out.columns, *_OUT_COLUMNS])))
    for col in ("value", "share", "share_listed", "top_producer_share", "top3_share", "hhi", "hhi_upper",
                "world_total", "unattributed_share"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["label"] = out["mineral"].map(lambda m: labels.get(m, m.replace("_", " ").capitalize()))
    out["denominator"] = out["denominator"].map(lambda d: DENOMINATOR_TEXT.get(d, d) if isinstance(d, str) else d)
    out["rank"] = out["rank"].astype("Int64")
    out["n_countries"] = out["n_countries"].astype("Int64")
    out["year"] = out["year"].astype("int64")
    order = {"mining": 0, "processing": 1}
    out = out.assign(_o=out["stage_group"].map(order)).sort_values(["mineral", "_o", "stage"])
    return out[_OUT_COLUMNS].reset_index(drop=True)


_IEA_SERIES = {
    "cobalt": "refined cobalt",
    "copper": "refined copper",
    "graphite": "battery-grade graphite (natural and synthetic)",
    "lithium": "lithium chemicals (lithium content)",
    "nickel": "refined nickel (all classes)",
    "rare_earths": "magnet rare earths (Nd, Pr, Dy, Tb)",
}

_IEA_NOTE = {
    "cobalt": "USGS gives no refinery table for cobalt; IEA refining used.",
    "graphite": "USGS gives no processing table for graphite; IEA refining covers battery-grade graphite only.",
    "lithium": "USGS gives no refinery table for lithium; IEA refining = lithium chemicals (Chile's and "
               "Argentina's brine output counted as both mined and refined).",
    "nickel": "USGS gives no refinery table for nickel; IEA refining used.",
    "rare_earths": "USGS gives no refinery table for rare earths; IEA refining covers the four magnet rare "
                   "earths only.",
}


def _published_share(ps: pd.DataFrame | None, mineral: str, group: str, iso3: str, year: int) -> dict | None:
    if ps is None:
        return None
    rows = ps[(ps["mineral"] == mineral) & (ps["year"] == year)
              & (ps["stage"].astype("object").map(STAGE_GROUP) == group) & (ps["iso3"] == iso3)]
    if rows.empty:
        return None
    # NOTE: prefer the broadest processing stage (refining) and official statistics over news figures.
    pref = {"refining": 0, "processing": 1, "smelting": 2, "separation": 3}
    rows = rows.assign(_s=rows["stage"].map(pref).fillna(9),
                       _r=(rows["reliability"] != "primary").astype(int))
    r = rows.sort_values(["_s", "_r", "source_title"]).iloc[0]
    return {
        "mineral": mineral, "stage_group": group, "stage": str(r["stage"]), "series": str(r["product"]),
        "source": f"{r['source_publisher']}, {r['source_title']}", "year": year, "status": "published_share",
        "share": float(r["share_pct"]) / 100, "denominator": "published_share",
        "note": "Single share as published (no country breakdown, so no HHI)"
                + ("; approximate figure reported by news." if r["reliability"] == "news" else "."),
    }


_STATUS_NOTE = {
    "withheld": "The publisher withholds this country's figure.",
    "not_listed": "Not among the countries the publisher names; any output is inside its residual line.",
}


def _missing_note(mineral: str, group: str, year: int, usgs_years: pd.Series, iea: pd.DataFrame | None) -> str:
    """What the data hold instead of the missing year ('' when the mineral has no such stage at all)."""
    years = list(usgs_years.get((mineral, group), []))
    if iea is not None and group == "processing":
        years = sorted({int(y) for y in iea.loc[(iea["mineral"] == mineral)
                                                   & (iea["stage"] == "refining"), "year"]})
        return f"No {group} figures for {year}; the IEA refining figures cover {years_text(years)}."
    if years:
        return f"No {group} figures for {year}; the USGS table covers {years_text(years)}."
    return ""


# ---------------------------------------------------------------------------------------------------------
# share over time


_STAGE_WORD = {"mine": "mine production", "refinery": "refined", "smelter": "smelter output",
               "processing": "processing"}


def _series_label(label: str, stage: str, mineral: str) -> str:
    if mineral == "rare_earths" and stage == "mine":
        return f"{label}, mine output (REO)"
    return f"{label}, {_STAGE_WORD.get(stage, stage)}"


def history_shares(
    history: pd.DataFrame,
    production: pd.DataFrame | None = None,
    refining: pd.DataFrame | None = None,
    *,
    iso3: str = "CHN",
    minerals: Sequence[str] | None = None,
    start_year: int = 1970,
    minerals_df: pd.DataFrame | None = None,
    absent_as_zero: bool = False,
) -> pd.DataFrame:
    """A country's share of world output by mineral, stage and year: BGS, then USGS, then IEA.

    * BGS (``history``, 1970–2021): share of the sum of all listed producers, historic states included. A
      year in which the country has no row is left missing (status ``not_listed``) unless
      ``absent_as_zero``. NOTE: BGS aims to list every producer, but its early-1970s tables lack some
      countries (China among them for several metals), so a missing row is not read as zero by default. Lithium's
      several BGS lithium-content products are added up
      per country first.
    * USGS (``production``, 2020–2025) for the same mineral and stage: share of the reported world total.
      Where the country has no row its share stays missing (its output may be in "Other countries").
    * IEA (``refining``) for a BGS refinery series that USGS does not cover (refined cobalt and nickel):
      share of the IEA total.

    Where BGS and USGS overlap (2020–2021) both are kept, so a chart shows the seam. One row per mineral,
    stage, source and year: ``series`` (display name), ``publisher`` (BGS/USGS/IEA), ``source`` (with the
    edition), ``basis`` (the publisher's description), ``share``, ``status`` and ``denominator``.
    """
    labels = _labels(minerals_df)
    h = history if minerals is None else history[history["mineral"].isin(list(minerals))]
    h = h[h["year"] >= start_year]
    if h.empty:
        raise ValueError(f"no BGS rows for {list(minerals or [])} from {start_year}")
    basis = _main_product(h)
    # NOTE: BGS splits lithium content by product (carbonate, chloride, minerals); one country's products
    # are different plants' output, so their sum is the country's lithium output.
    keys = ["mineral", "stage", "country", "iso3", "row_kind", "year", "unit", "source"]
    h = (h.assign(value=pd.to_numeric(h["value"], errors="coerce").astype("float64"))
          .groupby(keys, dropna=False, sort=True)["value"].sum(min_count=1).reset_index())
    h.loc[h["mineral"] == "lithium", "product"] = "lithium content"
    h["product"] = h["product"].fillna("")
    b = metrics.share_over_time(h, iso3, start_year=start_year, absent_as_zero=absent_as_zero)
    b = b.assign(publisher="BGS", source="BGS World Mineral Statistics", denominator="sum of all listed producers")
    b["basis"] = [basis.get((m, s), "") for m, s in zip(b["mineral"], b["stage"])]
    parts = [b]

    pairs = set(zip(h["mineral"].astype(str), h["stage"].astype(str)))
    if production is not None:
        p = production[[(str(m), str(s)) in pairs for m, s in zip(production["mineral"], production["stage"])]]
        p = p[p["year"] >= start_year]
        if not p.empty:
            pb = _main_product(p)
            cs = metrics.country_share(p.drop(columns=["product"]), iso3, by=["mineral", "stage", "year"],
                                       denominator="world_total")
            ed = p.groupby(["mineral", "stage", "year"])["edition"].max()
            cs["publisher"] = "USGS"
            cs["source"] = ["USGS " + str(ed.get((m, s, y), "")) for m, s, y in zip(cs["mineral"], cs["stage"], cs["year"])]
            cs["basis"] = [pb.get((m, s), "") for m, s in zip(cs["mineral"], cs["stage"])]
            cs["denominator"] = cs["denominator"].map(DENOMINATOR_TEXT)
            parts.append(cs)
            pairs_usgs = set(zip(p["mineral"].astype(str), p["stage"].astype(str)))
        else:
            pairs_usgs = set()
    else:
        pairs_usgs = set()
    if refining is not None:
        want = {m for m, s in pairs if s == "refinery" and (m, s) not in pairs_usgs}
        r = refining[(refining["stage"] == "refining") & refining["mineral"].isin(want) & (refining["year"] >= start_year)]
        if not r.empty:
            cs = metrics.country_share(r.drop(columns=["secondary"], errors="ignore"), iso3,
                                       by=["mineral", "stage", "year"], denominator="world_total")
            ed = r.groupby(["mineral", "year"])["edition"].max()
            cs["stage"] = "refinery"
            cs["publisher"] = "IEA"
            cs["source"] = ["IEA " + str(ed.get((m, y), "")) for m, y in zip(cs["mineral"], cs["year"])]
            cs["basis"] = cs["mineral"].map(_IEA_SERIES)
            cs["denominator"] = "IEA total"
            parts.append(cs)

    cols = ["mineral", "stage", "year", "publisher", "source", "basis", "share", "status", "denominator"]
    out = pd.concat([x[cols] for x in parts], ignore_index=True)
    out["mineral"] = out["mineral"].astype(str)
    out["stage"] = out["stage"].astype(str)
    out["year"] = out["year"].astype("int64")
    out["share"] = pd.to_numeric(out["share"], errors="coerce").astype("float64")
    out["label"] = out["mineral"].map(lambda m: labels.get(m, m.replace("_", " ").capitalize()))
    out["series"] = [_series_label(lab, s, m) for lab, s, m in zip(out["label"], out["stage"], out["mineral"])]
    pub = {"BGS": 0, "USGS": 1, "IEA": 2}
    out = out.assign(_p=out["publisher"].map(pub)).sort_values(["mineral", "stage", "_p", "year"])
    return out.drop(columns="_p").reset_index(drop=True)


def share_change(shares: pd.DataFrame) -> pd.DataFrame:
    """Per series (mineral and stage): first and last BGS share, the newest share from any publisher, the peak.

    Takes :func:`history_shares` output. Columns: ``first_year``/``first_share`` (earliest year with a
    share), ``bgs_last_year``/``bgs_last_share``, ``latest_year``/``latest_share``/``latest_source`` (the
    newest year; where two publishers report it, the non-BGS one), ``peak_year``/``peak_share`` (largest
    share, earliest year on ties).
    """
    rows = []
    pub = {"BGS": 0, "USGS": 1, "IEA": 2}
    for (m, s), g in shares[shares["share"].notna()].groupby(["mineral", "stage"], sort=True):
        g = g.assign(_p=g["publisher"].map(pub)).sort_values(["year", "_p"])
        bgs = g[g["publisher"] == "BGS"]
        first, last = g.iloc[0], g.iloc[-1]
        peak = g.sort_values(["share", "year"], ascending=[False, True]).iloc[0]
        rows.append({
            "mineral": m, "stage": s, "series": first["series"], "label": first["label"],
            "first_year": int(first["year"]), "first_share": float(first["share"]),
            "bgs_last_year": int(bgs["year"].max()) if len(bgs) else np.nan,
            "bgs_last_share": float(bgs.iloc[-1]["share"]) if len(bgs) else np.nan,
            "latest_year": int(last["year"]), "latest_share": float(last["share"]),
            "latest_source": last["source"],
            "peak_year": int(peak["year"]), "peak_share": float(peak["share"]),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------
# imports


def comtrade_china_share(us_imports: pd.DataFrame) -> pd.DataFrame:
    """China's share of US import value per HS code and year (UN Comtrade): China row / World row.

    A code-year with a World row but no China row gets share 0 (no recorded imports from China);
    without a World row the share is missing. Columns: mineral, hs_code, hs_description, year,
    china_usd, world_usd, china_share.
    """
    u = us_imports.copy()
    u["value_usd"] = pd.to_numeric(u["value_usd"], errors="coerce").astype("float64")
    keys = ["mineral", "hs_code", "hs_description", "year"]
    world = u[u["row_kind"] == "world_total"].set_index(keys)["value_usd"].rename("world_usd")
    china = u[u["partner_iso3"] == "CHN"].set_index(keys)["value_usd"].rename("china_usd")
    out = pd.concat([china, world], axis=1).reset_index()
    out["china_usd"] = out["china_usd"].where(out["china_usd"].notna() | out["world_usd"].isna(), 0.0)
    out["china_share"] = out["china_usd"] / out["world_usd"].where(out["world_usd"] > 0)
    for c in ("mineral", "hs_code", "hs_description"):
        out[c] = out[c].astype(str)
    out["year"] = out["year"].astype("int64")
    return out[["mineral", "hs_code", "hs_description", "year", "china_usd", "world_usd", "china_share"]] \
        .sort_values(["mineral", "hs_code", "year"]).reset_index(drop=True)


def nir_text(nir_pct, flag, raw=None) -> str:
    """Net import reliance as USGS states it: '86%', '>95%', '<25%', 'net exporter', 'withheld', '–'."""
    flag = "" if flag is None or (not isinstance(flag, str) and pd.isna(flag)) else str(flag)
    if flag == "net_exporter":
        return "net exporter"
    if flag == "withheld":
        return "withheld"
    if nir_pct is None or pd.isna(nir_pct):
        return "–"
    n = f"{float(nir_pct):.0f}%"
    return {"censored_gt": ">", "censored_lt": "<"}.get(flag, "") + n


def import_exposure(
    reliance: pd.DataFrame,
    sources: pd.DataFrame,
    supply: pd.DataFrame,
    *,
    iso3: str = "CHN",
    forms: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`critmin.metrics.exposure_table` on the book's tables, with display columns.

    ``supply`` is :func:`stage_table` output (for China); the processing share is preferred to the mining
    share where both are reported. ``forms`` (``data/import_forms.csv``) names the import-source category that
    matches the form each mineral's reliance is measured on (refined copper, not copper in blister), so that
    every page reads China's share of US imports from the same category. Adds ``nir_text`` (see
    :func:`nir_text`) and ``supply_source``.
    """
    sup = supply[supply["status"].isin(["reported", "published_share"]) & supply["share"].notna()]
    sup = sup.assign(stage=sup["stage_group"], country_share=sup["share"])
    # NOTE: two USGS processing stages for one mineral never occur in the data; keep the first alphabetically.
    sup = sup.sort_values(["mineral", "stage", "source"]).drop_duplicates(["mineral", "stage"])
    category = dict(zip(forms["mineral"], forms["category"])) if forms is not None else None
    t = metrics.exposure_table(reliance, sources, sup[["mineral", "stage", "year", "country_share"]],
                               iso3=iso3, stage_order=("processing", "mining"), category=category)
    src = sup.set_index(["mineral", "stage"])["source"]
    t["supply_source"] = [src.get((m, s), np.nan) if isinstance(s, str) else np.nan
                          for m, s in zip(t["mineral"], t["supply_stage"])]
    t["nir_text"] = [nir_text(n, f) for n, f in zip(t["nir_pct"], t.get("nir_flag", pd.Series(np.nan, index=t.index)))]
    return t


# ---------------------------------------------------------------------------------------------------------
# what the chapters say and show: prose with computed figures, and tables ready for page.table


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
    labels = _labels(minerals_df)
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
