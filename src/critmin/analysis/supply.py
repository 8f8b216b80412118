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
from critmin.text import years_text

__all__ = [
    "STAGE_GROUP",
    "DENOMINATOR_TEXT",
    "known_countries",
    "mineral_labels",
    "resolve_country",
    "stage_table",
    "history_shares",
    "share_change",
    "comtrade_china_share",
    "nir_text",
    "import_exposure",
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


def mineral_labels(minerals_df: pd.DataFrame | None) -> dict[str, str]:
    """Mineral id → display label from the registry (``data/minerals.csv``); empty without one."""
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
    labels = mineral_labels(minerals_df)
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
    labels = mineral_labels(minerals_df)
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
