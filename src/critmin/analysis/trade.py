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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["TradeError", "FOCUS", "MEASURES", "partner_shares", "exporter_concentration", "Concentration",
           "concentration_summary"]

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
