"""Who trades with whom: partner shares and the concentration of exporters, from the CEPII BACI tables.

The functions take the package's BACI frames as loaded by ``critmin.data.load``:

* bilateral flows — ``baci_pakistan_exports`` (column ``partner_iso3``) or ``baci_us_imports``
  (``exporter_iso3``): ``hs_code, year, <who>_code, <who>_iso3, value_kusd, quantity_t``;
* exporter totals — ``baci_world_exports``: ``hs_code, year, exporter_code, exporter_iso3, row_kind, value_kusd,
  quantity_t, ...``.

Shares are fractions between 0 and 1; the Herfindahl–Hirschman index (HHI) is on the 0–10,000 scale.

**Quantities.** BACI leaves the quantity of some small flows empty. A share by quantity is therefore a share of the
flows whose quantity is known; the ``covered`` column gives the part of the value those flows carry, so a reader
can see when a tonnage share rests on little.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["TradeError", "FOCUS", "MEASURES", "partner_shares", "exporter_concentration", "Concentration",
           "concentration_summary", "PRODUCT_GROUPS", "ores_and_metals", "shares_by_measure", "latest_year_shares",
           "pooled_shares", "usgs_category", "usgs_comparison", "top_source_agreement"]

FOCUS: dict[str, str] = {"CHN": "China", "USA": "United States"}
OTHERS = "Others"
MEASURES = {"value": "value_kusd", "quantity": "quantity_t"}
_PARTNER_COLUMNS = ("partner_iso3", "exporter_iso3")


class TradeError(ValueError):
    """Bad arguments to a trade function; the message lists what is allowed."""


def _measure(by: str) -> str:
    if by not in MEASURES:
        raise TradeError(f"by={by!r} is not a measure; allowed: {', '.join(MEASURES)}")
    return MEASURES[by]


def _require(frame: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise TradeError(f"{what}: column(s) {missing} missing; the frame has {list(frame.columns)}")


def _select(frame: pd.DataFrame, years, hs_codes) -> pd.DataFrame:
    out = frame
    if years is not None:
        years = [years] if isinstance(years, int) else list(years)
        have = set(frame["year"].dropna().astype(int))
        unknown = sorted(set(years) - have)
        if unknown:
            raise TradeError(f"year(s) {unknown} not in the frame; allowed: {min(have)}–{max(have)}")
        out = out[out["year"].isin(years)]
    if hs_codes is not None:
        hs_codes = [hs_codes] if isinstance(hs_codes, str) else [str(c) for c in hs_codes]
        have = set(frame["hs_code"].astype(str))
        unknown = sorted(set(hs_codes) - have)
        if unknown:
            raise TradeError(f"HS code(s) {unknown} not in the frame; allowed: {', '.join(sorted(have))}")
        out = out[out["hs_code"].astype(str).isin(hs_codes)]
    return out


def partner_shares(
    frame: pd.DataFrame,
    *,
    by: str = "value",
    partner: str | None = None,
    focus: Mapping[str, str] | None = None,
    years: int | Iterable[int] | None = None,
    hs_codes: str | Iterable[str] | None = None,
    group: Iterable[str] = ("hs_code",),
) -> pd.DataFrame:
    """Shares of China, the United States (or other ``focus`` partners) and everyone else, by year.

    ``frame`` holds bilateral flows (one row per code, year and partner). ``partner`` is the partner's ISO3
    column (found automatically: ``partner_iso3`` or ``exporter_iso3``). ``focus`` maps ISO3 codes to labels
    (default China and the United States); every other partner, including rows without an ISO code (BACI's
    residuals and unions), is ``Others``. Hong Kong and Macao are separate partners, not China.

    Returns one row per ``group`` key, year and partner label (focus labels in their order, then Others, all
    present even when zero): ``amount`` (thousand US$ or t), ``total``, ``share`` = amount / total and
    ``covered`` — the part of the value whose flows have the measure (1 for value; below 1 when quantities are
    missing). A year with no flow with the measure has share NaN.
    """
    col = _measure(by)
    if partner is None:
        partner = next((c for c in _PARTNER_COLUMNS if c in frame.columns), None)
        if partner is None:
            raise TradeError(f"no partner column; pass partner= one of the columns {list(frame.columns)}")
    group = [group] if isinstance(group, str) else list(group)
    _require(frame, ["year", "value_kusd", col, partner, *group], "partner_shares")
    focus = dict(FOCUS if focus is None else focus)
    if not focus:
        raise TradeError("focus is empty; give at least one ISO3 code → label, e.g. {'CHN': 'China'}")
    if OTHERS in focus.values():
        raise TradeError(f"{OTHERS!r} is reserved for the partners outside focus")
    df = _select(frame, years, hs_codes)
    if df.empty:
        raise TradeError("no flows left after selecting years and HS codes")
    iso = df[partner].astype("object")
    work = pd.DataFrame({
        **{g: df[g].values for g in group},
        "year": df["year"].astype(int).values,
        "partner": iso.map(lambda c: focus.get(c, OTHERS) if isinstance(c, str) else OTHERS).values,
        "amount": pd.to_numeric(df[col], errors="coerce").astype(float).values,
        "value": pd.to_numeric(df["value_kusd"], errors="coerce").astype(float).values,
    })
    if (work["amount"] < 0).any() or (work["value"] < 0).any():
        raise TradeError("negative trade values or quantities in the frame")
    work["value_known"] = work["value"].where(work["amount"].notna(), 0.0)
    keys = group + ["year"]
    totals = work.groupby(keys).agg(total=("amount", lambda s: s.sum(min_count=1)), value=("value", "sum"),
                                    value_known=("value_known", "sum"))
    labels = list(dict.fromkeys(focus.values())) + [OTHERS]
    sums = work.groupby(keys + ["partner"])["amount"].sum(min_count=1).fillna(0.0)
    full = pd.MultiIndex.from_tuples([k + (p,) for k in totals.index.to_flat_index()
                                      for p in labels] if len(keys) > 1 else
                                     [(k, p) for k in totals.index for p in labels], names=keys + ["partner"])
    out = sums.reindex(full, fill_value=0.0).rename("amount").reset_index().join(totals, on=keys)
    out["share"] = out["amount"] / out["total"]
    out["covered"] = out["value_known"] / out["value"]
    out["partner"] = pd.Categorical(out["partner"], categories=labels, ordered=True)
    out = out.sort_values(keys + ["partner"]).reset_index(drop=True)
    out["partner"] = out["partner"].astype(str)
    return out[keys + ["partner", "amount", "total", "share", "covered"]]


@dataclass(frozen=True)
class Concentration:
    """Concentration of exporters of one HS code (or set of codes) in one year."""

    year: int
    hhi: float                 # Σ s² × 10,000 over single-country exporters
    n_exporters: int           # country rows with positive exports
    top_iso3: str | None
    top_share: float
    unattributed_share: float  # value in rows that are not one country (residuals, unions, small exporters)


def exporter_concentration(
    world: pd.DataFrame,
    *,
    by: str = "value",
    years: int | Iterable[int] | None = None,
    hs_codes: str | Iterable[str] | None = None,
    group: Iterable[str] = ("hs_code",),
) -> pd.DataFrame:
    """HHI of exporters by ``group`` (default each HS code) and year, from ``baci_world_exports``.

    Shares are over the total of all rows (countries, unions, residuals and the folded small exporters), so
    the shares of countries add up to 1 − ``unattributed_share``. Only single-country rows enter the sum of
    squares: a residual or union is not one supplier, and squaring it would overstate concentration. Passing
    ``group=()`` pools the selected codes (e.g. all codes of a mineral) before computing shares; an exporter
    then counts once across the codes.

    Returns ``group…, year, hhi, n_exporters, top_iso3, top_share, unattributed_share``.
    """
    col = _measure(by)
    group = [group] if isinstance(group, str) else list(group)
    _require(world, ["year", "exporter_iso3", "row_kind", col, *group], "exporter_concentration")
    df = _select(world, years, hs_codes)
    if df.empty:
        raise TradeError("no rows left after selecting years and HS codes")
    work = pd.DataFrame({
        **{g: df[g].values for g in group}, "year": df["year"].astype(int).values,
        "iso3": df["exporter_iso3"].astype("object").values,
        "kind": df["row_kind"].astype("object").values,
        "amount": pd.to_numeric(df[col], errors="coerce").astype(float).fillna(0.0).values,
    })
    if (work["amount"] < 0).any():
        raise TradeError("negative trade values or quantities in the frame")
    keys = group + ["year"]
    countries = work[(work["kind"] == "country") & work["iso3"].notna()]
    per = countries.groupby(keys + ["iso3"])["amount"].sum().reset_index()
    per["share"] = per["amount"] / per.join(work.groupby(keys)["amount"].sum().rename("t"), on=keys)["t"]
    rows = []
    for key, g in per.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        g = g[g["amount"] > 0]
        top = g.loc[g["share"].idxmax()] if len(g) else None
        rows.append(dict(zip(keys, key)) | {
            "hhi": float((g["share"] ** 2).sum() * 10_000),
            "n_exporters": int(len(g)),
            "top_iso3": None if top is None else top["iso3"],
            "top_share": 0.0 if top is None else float(top["share"]),
            "unattributed_share": float(1 - g["share"].sum()),
        })
    out = pd.DataFrame(rows, columns=keys + ["hhi", "n_exporters", "top_iso3", "top_share", "unattributed_share"])
    return out


def concentration_summary(world: pd.DataFrame, hs_codes: str | Iterable[str], year: int,
                          by: str = "value") -> Concentration:
    """The concentration of exporters of the given code(s), pooled, in one year, as a :class:`Concentration`."""
    t = exporter_concentration(world, by=by, years=[year], hs_codes=hs_codes, group=())
    if t.empty:
        raise TradeError(f"no exports of {hs_codes} in {year}")
    r = t.iloc[0]
    return Concentration(year=int(r["year"]), hhi=float(r["hhi"]), n_exporters=int(r["n_exporters"]),
                         top_iso3=r["top_iso3"], top_share=float(r["top_share"]),
                         unattributed_share=float(r["unattributed_share"]))


# ------------------------------------------------------------------------------- one exporter's products

# The deal's minerals first (copper and antimony ores), then Pakistan's largest ore export by value.
PRODUCT_GROUPS: dict[str, tuple[str, ...]] = {"deal": ("260300", "261710"), "chromite": ("261000",)}
# Ores and metals: codes filed under a mineral of the registry at a production stage (not scrap or articles,
# not fuels, clays or other industrial minerals outside the registry).
ORE_AND_METAL_STAGES = ("mine", "refinery", "smelter")


def ores_and_metals(flows: pd.DataFrame, products: pd.DataFrame, *, years: Iterable[int] | None = None
                    ) -> pd.DataFrame:
    """The ores and metals in ``flows`` (codes of ``baci_products`` with a mineral id at a production stage),
    one row per code: ``hs_code, product, mineral, stage, group, value_kusd, quantity_t, first_year, last_year``.

    Ordered by ``group``: the codes of :data:`PRODUCT_GROUPS` first in that order (``deal``, then ``chromite``),
    then every other code (``other``) by value over ``years``, largest first.
    """
    _require(products, ["hs_code", "product", "mineral", "stage"], "ores_and_metals (products)")
    df = _select(flows, years, None)
    mineral = products[products["mineral"].notna() & products["stage"].isin(ORE_AND_METAL_STAGES)]
    df = df[df["hs_code"].astype(str).isin(set(mineral["hs_code"].astype(str)))]
    if df.empty:
        raise TradeError("no ore or metal codes of the book's minerals in the flows for those years")
    per = df.groupby(df["hs_code"].astype(str)).agg(
        value_kusd=("value_kusd", lambda s: float(pd.to_numeric(s).sum())),
        quantity_t=("quantity_t", lambda s: float(pd.to_numeric(s).sum())),
        first_year=("year", "min"), last_year=("year", "max"))
    info = mineral.assign(hs_code=mineral["hs_code"].astype(str)).set_index("hs_code")[["product", "mineral",
                                                                                         "stage"]]
    out = per.join(info).reset_index()
    group_of = {c: g for g, codes in PRODUCT_GROUPS.items() for c in codes}
    order = {c: i for i, c in enumerate(c for codes in PRODUCT_GROUPS.values() for c in codes)}
    out["group"] = out["hs_code"].map(group_of).fillna("other")
    out["_o"] = out["hs_code"].map(order).fillna(len(order))
    out = out.sort_values(["_o", "value_kusd", "hs_code"], ascending=[True, False, True]).drop(columns="_o")
    out[["first_year", "last_year"]] = out[["first_year", "last_year"]].astype(int)
    return out[["hs_code", "product", "mineral", "stage", "group", "value_kusd", "quantity_t", "first_year",
                "last_year"]].reset_index(drop=True)


def shares_by_measure(flows: pd.DataFrame, *, focus: Mapping[str, str] | None = None,
                      years: Iterable[int] | None = None, hs_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """:func:`partner_shares` by value and by quantity stacked, with a ``measure`` column (``value``, ``quantity``)."""
    parts = [partner_shares(flows, by=m, focus=focus, years=years, hs_codes=hs_codes).assign(measure=m)
             for m in MEASURES]
    return pd.concat(parts, ignore_index=True)


def latest_year_shares(both: pd.DataFrame, *, last_year: int | None = None) -> pd.DataFrame:
    """Each code's shares in its latest year with flows (up to ``last_year``), wide: one row per code with
    ``year, value_kusd, quantity_t, covered`` and ``<partner>|value``, ``<partner>|quantity`` share columns.

    ``both`` is :func:`shares_by_measure` output; partner columns keep its partner order.
    """
    _require(both, ["hs_code", "year", "partner", "measure", "total", "share", "covered"], "latest_year_shares")
    df = both if last_year is None else both[both["year"] <= last_year]
    if df.empty:
        raise TradeError(f"no flows up to {last_year}")
    latest = df.groupby("hs_code")["year"].max().rename("latest")
    df = df.join(latest, on="hs_code")
    df = df[df["year"] == df["latest"]]
    labels = list(dict.fromkeys(df["partner"]))
    wide = df.pivot_table(index="hs_code", columns=["partner", "measure"], values="share", aggfunc="first",
                          dropna=False)
    wide.columns = [f"{p}|{m}" for p, m in wide.columns]
    tot = df.pivot_table(index="hs_code", columns="measure", values="total", aggfunc="first", dropna=False)
    cov = df[df["measure"] == "quantity"].groupby("hs_code")["covered"].first()
    out = pd.DataFrame({"year": latest, "value_kusd": tot.get("value"), "quantity_t": tot.get("quantity"),
                        "covered": cov})
    cols = [f"{p}|{m}" for p in labels for m in MEASURES]
    return out.join(wide[cols]).reset_index()


# --------------------------------------------------------------------- BACI beside USGS import sources

_ORE_CATEGORY = re.compile(r"\bores?\b|concentrate|chromite|bauxite", re.IGNORECASE)
_TOTAL_CATEGORY = re.compile(r"^(all|total|combined total)\b", re.IGNORECASE)
# USGS counts imports from Hong Kong with China; BACI reports Hong Kong separately.
USGS_CHINA = ("CHN", "HKG")


def _usgs_iso(iso3: pd.Series) -> pd.Series:
    """ISO3 codes with Hong Kong counted in China; rows without a code stay missing."""
    iso = iso3.astype("object")
    return iso.where(~iso.isin(USGS_CHINA), "CHN")


def usgs_category(categories: Iterable[str], baci_stages: Iterable[str]) -> tuple[str, str] | None:
    """The USGS import-source category to set beside a mineral's BACI codes, and how it matches.

    ``ores``: the BACI codes are all ores and USGS has an ore category; ``total``: USGS's total over all forms
    ("All", "Total …", "Combined total …"); ``only``: USGS lists one category. None when no category fits.
    """
    cats = list(dict.fromkeys(categories))
    # NOTE: the ore category is set beside ore codes, otherwise USGS's total of all forms; a mineral with several
    # USGS forms but neither an ore category nor a total (e.g. nickel: primary nickel and scrap) is not compared.
    if set(baci_stages) == {"mine"}:
        ores = [c for c in cats if _ORE_CATEGORY.search(c)]
        if ores:
            return ores[0], "ores"
    totals = [c for c in cats if _TOTAL_CATEGORY.search(c)]
    if totals:
        return totals[0], "total"
    if len(cats) == 1:
        return cats[0], "only"
    return None


def usgs_comparison(us_imports: pd.DataFrame, products: pd.DataFrame, sources: pd.DataFrame, *,
                    edition: str | None = None, minerals: Iterable[str] | None = None
                    ) -> tuple[pd.DataFrame, dict[str, str]]:
    """US imports by partner from BACI beside USGS's import sources, for the minerals both cover.

    For each mineral with BACI codes (``products``) and USGS import sources in ``edition`` (default the newest),
    the USGS category is chosen by :func:`usgs_category`; BACI's share of each USGS-listed country is its value
    over all US imports of the mineral's codes, pooled over the years of USGS's period that BACI has, with Hong
    Kong counted in China as USGS does. Returns (rows, skipped): rows ``mineral, category, match, period,
    baci_years, hs_codes, baci_stages, rank, country, iso3, usgs_share, qualifier, baci_share, difference`` (shares as
    fractions; difference = BACI − USGS), one per listed country (USGS's "Other" row left out); skipped maps a
    mineral to why it is not compared.
    """
    _require(sources, ["mineral", "edition", "period", "category", "rank", "country", "iso3", "share_pct"],
             "usgs_comparison (import sources)")
    editions = sorted(set(sources["edition"].dropna()))
    edition = edition or editions[-1]
    if edition not in editions:
        raise TradeError(f"edition {edition!r} not in the import sources; allowed: {', '.join(editions)}")
    src = sources[sources["edition"] == edition]
    coded = products[products["mineral"].notna()]
    have = sorted(set(src["mineral"]) & set(coded["mineral"]))
    chosen = have if minerals is None else list(minerals)
    unknown = sorted(set(chosen) - set(have))
    if unknown:
        raise TradeError(f"mineral(s) {unknown} lack BACI codes or USGS import sources; allowed: {', '.join(have)}")
    baci_years = set(us_imports["year"].dropna().astype(int))
    rows, skipped = [], {}
    for m in chosen:
        codes = coded[coded["mineral"] == m]
        s = src[src["mineral"] == m]
        pick = usgs_category(s["category"], codes["stage"])
        if pick is None:
            skipped[m] = f"USGS lists {len(set(s['category']))} forms and none is the ores or a total"
            continue
        cat, match = pick
        s = s[s["category"] == cat].sort_values("rank")
        period = str(s["period"].iloc[0])
        lo, hi = (int(y) for y in period.split("-"))
        years = sorted(set(range(lo, hi + 1)) & baci_years)
        flows = us_imports[us_imports["hs_code"].astype(str).isin(set(codes["hs_code"].astype(str)))
                           & us_imports["year"].isin(years)]
        value = pd.to_numeric(flows["value_kusd"]).astype(float)
        if not years or value.sum() <= 0:
            skipped[m] = f"no US imports of its BACI codes in {period}"
            continue
        iso = _usgs_iso(flows["exporter_iso3"])
        by_iso = value.groupby(iso).sum() / value.sum()
        for r in s[s["iso3"].notna()].itertuples():
            usgs = None if pd.isna(r.share_pct) else float(r.share_pct) / 100
            baci = float(by_iso.get(r.iso3, 0.0))
            rows.append({"mineral": m, "category": cat, "match": match, "period": period,
                         "baci_years": f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
                         "hs_codes": ", ".join(sorted(codes["hs_code"].astype(str))),
                         "baci_stages": ", ".join(sorted(set(codes["stage"].astype(str)))), "rank": int(r.rank),
                         "country": r.country, "iso3": r.iso3, "usgs_share": usgs,
                         "qualifier": None if pd.isna(r.qualifier) else r.qualifier, "baci_share": baci,
                         "difference": None if usgs is None else baci - usgs})
    cols = ["mineral", "category", "match", "period", "baci_years", "hs_codes", "baci_stages", "rank", "country",
            "iso3",
            "usgs_share", "qualifier", "baci_share", "difference"]
    return pd.DataFrame(rows, columns=cols), skipped


def top_source_agreement(comparison: pd.DataFrame, us_imports: pd.DataFrame, products: pd.DataFrame
                         ) -> pd.DataFrame:
    """Per compared mineral: USGS's first-ranked source and its two shares, and whether BACI's largest partner
    (same codes and years, Hong Kong in China) is the same country. Columns ``mineral, country, iso3, usgs_share,
    baci_share, difference, baci_top_iso3, baci_top_share, same_top``."""
    out = []
    for m, g in comparison.groupby("mineral", sort=True):
        first = g.sort_values("rank").iloc[0]
        lo, hi = (int(y) for y in str(first["baci_years"]).split("–")) if "–" in str(first["baci_years"]) \
            else (int(first["baci_years"]),) * 2
        codes = set(products.loc[products["mineral"] == m, "hs_code"].astype(str))
        f = us_imports[us_imports["hs_code"].astype(str).isin(codes) & us_imports["year"].between(lo, hi)]
        v = pd.to_numeric(f["value_kusd"]).astype(float)
        iso = _usgs_iso(f["exporter_iso3"])
        by = v.groupby(iso).sum() / v.sum()
        out.append({"mineral": m, "country": first["country"], "iso3": first["iso3"],
                    "usgs_share": first["usgs_share"], "baci_share": first["baci_share"],
                    "difference": first["difference"], "baci_top_iso3": by.idxmax(),
                    "baci_top_share": float(by.max()), "same_top": by.idxmax() == first["iso3"]})
    return pd.DataFrame(out, columns=["mineral", "country", "iso3", "usgs_share", "baci_share", "difference",
                                      "baci_top_iso3", "baci_top_share", "same_top"])


def pooled_shares(both: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Shares pooled over ``years`` from :func:`shares_by_measure` output: Σ amount / Σ total per code, partner
    and measure (a year without flows adds nothing). Returns ``hs_code, partner, measure, amount, total, share,
    n_years`` (years with flows)."""
    _require(both, ["hs_code", "year", "partner", "measure", "amount", "total"], "pooled_shares")
    years = list(years)
    df = both[both["year"].isin(years) & both["total"].notna()]
    labels = list(dict.fromkeys(both["partner"]))
    out = df.groupby(["hs_code", "measure", "partner"], sort=False).agg(
        amount=("amount", "sum"), total=("total", "sum"), n_years=("year", "nunique")).reset_index()
    out["share"] = out["amount"] / out["total"]
    out["partner"] = pd.Categorical(out["partner"], categories=labels, ordered=True)
    out = out.sort_values(["hs_code", "measure", "partner"]).reset_index(drop=True)
    out["partner"] = out["partner"].astype(str)
    return out[["hs_code", "partner", "measure", "amount", "total", "share", "n_years"]]
