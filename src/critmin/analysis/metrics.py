"""Concentration and exposure measures computed from the book's tidy tables.

Every function takes a long ("tidy") table with one row per observation, as in ``data/production.csv``:
``mineral, stage, product, country, iso3, row_kind, year, value, unit, ...``. ``row_kind`` says what a row is:

* ``country`` – one present-day country;
* ``world_total`` – the publisher's world total (USGS rounds it and usually leaves out withheld countries);
* ``other`` – the publisher's residual line ("Other countries");
* ``group`` – several countries or a historic state (e.g. the USSR).

Shares are fractions between 0 and 1. The Herfindahl–Hirschman index (HHI) is on the usual 0–10,000 scale.

**Which total a share is measured against.** Unless told otherwise, a country's share is its output divided
by the *sum of the country rows* in the same table (same mineral, stage, product, unit and year). That keeps
the listed shares adding up to 100 % and avoids mixing in the publisher's rounding. The alternative,
``denominator='world_total'``, divides by the publisher's reported world total; where a table has no world
total the sum of countries is used instead, and the ``denominator`` column of the result always records which
total was actually used. The ``residual`` column (world total minus the sum of countries) shows how much
output is not attributed to a listed country.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_BY",
    "shares",
    "hhi",
    "hhi_bounds",
    "country_share",
    "concentration_table",
    "share_over_time",
    "exposure",
    "exposure_table",
]

DEFAULT_BY = ("mineral", "stage", "year")
# Always split on these when present: adding tonnes of ore to tonnes of metal, or kilograms to tonnes,
# would be meaningless.
_ALWAYS_SPLIT = ("product", "unit")

_DENOMINATOR_LABEL = {
    frozenset({"country"}): "sum_of_countries",
    frozenset({"country", "group"}): "sum_of_countries_and_groups",
    frozenset({"country", "group", "other"}): "sum_of_countries_and_other",
}


# ---------------------------------------------------------------------------------------------------------
# helpers


def _keys(df: pd.DataFrame, by: Sequence[str] | None) -> list[str]:
    by = list(DEFAULT_BY if by is None else ([by] if isinstance(by, str) else by))
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise KeyError(f"grouping column(s) {missing} not in the table (columns: {list(df.columns)})")
    return by + [c for c in _ALWAYS_SPLIT if c in df.columns and c not in by]


def _prepare(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A working copy with a float ``_v``, a plain-string ``_kind`` and an integer group id ``_g``."""
    for col in ("row_kind", "value"):
        if col not in df.columns:
            raise KeyError(f"the table needs a {col!r} column")
    out = df.reset_index(drop=True)  # a concatenated input may repeat index labels
    out["_v"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["_kind"] = out["row_kind"].to_numpy(dtype=object, na_value="")
    # NOTE: an integer group id sidesteps pandas' uneven handling of missing keys (e.g. an empty product)
    # in merges and transforms.
    out["_g"] = out.groupby(keys, dropna=False, sort=True).ngroup() if keys else 0
    name_col = "country" if "country" in out.columns else "iso3"
    # Two rows of one kind for one name in one group (world totals aside: a group may have several).
    dup = out.duplicated(subset=["_g", "_kind", name_col], keep=False) & (out["_kind"] != "world_total")
    if dup.any():
        ex = out.loc[dup[dup].index, keys + [name_col]].head(4).to_dict("records")
        raise ValueError(
            "several rows for the same country within one group, e.g. "
            f"{ex}; filter to one edition/source first or pass the distinguishing column in `by`"
        )
    return out


def _group_stats(w: pd.DataFrame, kinds: frozenset[str], denominator: str) -> pd.DataFrame:
    """Per-group totals: sum of countries, of other/group rows, the world total and the chosen denominator."""
    if denominator not in ("sum_of_countries", "world_total", "book"):
        raise ValueError(f"denominator must be 'book', 'sum_of_countries' or 'world_total', not {denominator!r}")
    v, kind = w["_v"].to_numpy(), w["_kind"].to_numpy()
    is_c = kind == "country"
    parts = pd.DataFrame(
        {
            "sum_of_countries": np.where(is_c, v, np.nan),
            "sum_in_denominator": np.where(np.isin(kind, list(kinds)), v, np.nan),
            "world_total": np.where(kind == "world_total", v, np.nan),
        },
        index=w.index,
    )
    st = parts.groupby(w["_g"]).sum(min_count=1)  # one pass for the three totals; missing where no row counts
    st["n_withheld"] = pd.Series(is_c & np.isnan(v), index=w.index).groupby(w["_g"]).sum().astype("int64")
    st["residual"] = st["world_total"] - st["sum_of_countries"]
    use_world = (denominator != "sum_of_countries") & st["world_total"].notna()
    if denominator == "book":
        # NOTE: the book's one rule for a share: the publisher's world total where it gives one, except where that
        # rounded total is below the sum of the countries it lists (rounding, not negative output), and the sum of
        # the listed countries otherwise. Every page's shares go through this rule.
        use_world &= st["world_total"] >= st["sum_of_countries"].fillna(0)
    st["total"] = st["world_total"].where(use_world, st["sum_in_denominator"])
    st["denominator"] = np.where(use_world, "world_total", _DENOMINATOR_LABEL[kinds])
    return st


@dataclass
class _Frame:
    """One pass over a table: the rows with their shares, the grouping keys, the working copy and the per-group
    totals; what several measures read from it (group keys, producers' ranks) is worked out once."""

    rows: pd.DataFrame
    keys: list[str]
    w: pd.DataFrame
    st: pd.DataFrame
    _groups: pd.DataFrame | None = field(default=None, repr=False)
    _ranked: pd.DataFrame | None = field(default=None, repr=False)

    def group_keys(self) -> pd.DataFrame:
        """One row per group id with its key values (missing keys kept as missing); a new frame each call."""
        if self._groups is None:
            w = self.w
            self._groups = w.loc[~w["_g"].duplicated(), [*self.keys, "_g"]].set_index("_g").sort_index()
        return self._groups.copy()

    def ranked(self) -> pd.DataFrame:
        """The producers (every row but "other"), with their rank in their group (1 = largest, ties share
        the better rank) and their iso3 code as a plain object column."""
        if self._ranked is None:
            prod = self.rows.loc[self.rows["_kind"] != "other", ["_g", "_v", "share", "iso3"]]
            self._ranked = prod.assign(rank=prod.groupby("_g")["_v"].rank(method="min", ascending=False),
                                       iso3=prod["iso3"].astype("object"))
        return self._ranked


def _share_frame(df: pd.DataFrame, by, denominator: str, kinds: frozenset[str]) -> _Frame:
    """Rows with shares, group keys, working copy and per-group stats, from one pass over the table."""
    keys = _keys(df, by)
    w = _prepare(df, keys)
    st = _group_stats(w, kinds, denominator)
    rows = w[w["_kind"].isin(kinds)].join(st, on="_g")
    # A zero total (nobody produced anything) leaves shares undefined rather than 0/0 = 0.
    rows["share"] = rows["_v"] / rows["total"].where(rows["total"] > 0)
    return _Frame(rows, keys, w, st)


def _kinds(include_other: bool) -> frozenset[str]:
    return frozenset({"country", "group", "other"}) if include_other else frozenset({"country"})


# ---------------------------------------------------------------------------------------------------------
# shares and concentration


def shares(
    df: pd.DataFrame,
    by: Sequence[str] | None = DEFAULT_BY,
    *,
    denominator: str = "sum_of_countries",
    include_other: bool = False,
) -> pd.DataFrame:
    """Each country's share of its group's total.

    Groups are ``by`` (default mineral, stage, year) plus ``product`` and ``unit`` whenever the table has
    those columns. The result has the country rows of ``df`` (and, with ``include_other=True``, the
    "other" and "group" rows) with these columns added:

    ``share``
        value / total, between 0 and 1. Missing where the value is withheld or the total is zero.
    ``total``, ``denominator``
        the total used and its name: ``sum_of_countries`` (default), ``sum_of_countries_and_other``
        (``include_other=True``: residual and grouped rows also count) or ``world_total``
        (``denominator='world_total'``, only where the table reports one).
    ``world_total``, ``sum_of_countries``, ``residual``
        the reported world total (if any), the sum of the listed countries, and the difference
        ``world_total - sum_of_countries``. A positive residual is output not attributed to a listed
        country; a small negative one is the publisher's rounding.
    ``n_withheld``
        how many country rows in the group have no value (withheld or not available). Their output is in
        neither total, so the other countries' shares are slightly overstated.
    """
    rows = _share_frame(df, by, denominator, _kinds(include_other)).rows
    cols = ["share", "total", "denominator", "world_total", "sum_of_countries", "residual", "n_withheld"]
    return rows[[c for c in df.columns if c not in cols] + cols].reset_index(drop=True)


def _hhi_frame(f: _Frame) -> pd.DataFrame:
    rows, st = f.rows, f.st
    producers = rows.loc[rows["_kind"] != "other", ["_g", "_v", "share"]]
    pct2 = (producers["share"] * 100) ** 2
    out = f.group_keys()
    out["hhi"] = pct2.groupby(producers["_g"]).sum(min_count=1)
    out["n_countries"] = (producers["_v"] > 0).groupby(producers["_g"]).sum()
    out["n_countries"] = out["n_countries"].fillna(0).astype("int64")
    out = out.join(st[["denominator", "total", "n_withheld"]])
    # zero or wholly withheld totals: no concentration can be stated
    out.loc[~(out["total"] > 0), "hhi"] = np.nan
    return out


def hhi(
    df: pd.DataFrame,
    by: Sequence[str] | None = DEFAULT_BY,
    *,
    denominator: str = "sum_of_countries",
    include_other: bool = False,
) -> pd.DataFrame:
    """Herfindahl–Hirschman index per group, on the 0–10,000 scale.

    HHI = Σ (100 × share_i)², summed over the producers i (country rows; with ``include_other=True``
    also the "group" rows, each treated as one producer; the "other" residual is never a producer).

    A single producer gives 10,000; n equal producers give 10,000 / n. With the default sum-of-countries
    denominator the listed shares add up to 1, so the index describes the listed countries only; see
    :func:`hhi_bounds` for the range the unlisted output allows. Returns one row per group with ``hhi``,
    ``n_countries`` (producers with a reported value above zero), ``denominator``, ``total`` and
    ``n_withheld``.
    """
    return _hhi_frame(_share_frame(df, by, denominator, _kinds(include_other))).reset_index(drop=True)


def hhi_bounds(df: pd.DataFrame, by: Sequence[str] | None = DEFAULT_BY) -> pd.DataFrame:
    """Lowest and highest HHI consistent with output that the table does not attribute to a country.

    Let x_i be the listed countries' output and R the unattributed output: the reported world total minus
    the sum of countries where a world total exists, otherwise the "other" and "group" rows. With
    T = Σ x_i + R::

        hhi_lower = Σ (100 × x_i / T)²                     R split among countless tiny producers
        hhi_upper = hhi_lower + (100 × R / T)²              R produced by a single extra producer

    A negative R (a rounded world total below the sum of countries) is treated as 0, so both bounds then
    equal the sum-of-countries HHI. Withheld countries are in neither x nor, usually, the world total.
    Returns one row per group with ``hhi_lower``, ``hhi_upper``, ``unattributed`` (R) and ``basis_total`` (T).
    """
    return _bounds_frame(_share_frame(df, by, "sum_of_countries", _kinds(True))).reset_index(drop=True)


def _bounds_frame(f: _Frame) -> pd.DataFrame:
    w, st = f.w, f.st
    nonlisted = st["sum_in_denominator"].fillna(0) - st["sum_of_countries"].fillna(0)
    resid = st["residual"].where(st["world_total"].notna(), nonlisted).clip(lower=0).fillna(0)
    basis = st["sum_of_countries"] + resid
    c = w[w["_kind"] == "country"]
    pct2 = (c["_v"] / c["_g"].map(basis.where(basis > 0)) * 100) ** 2
    out = f.group_keys()
    out["hhi_lower"] = pct2.groupby(c["_g"]).sum(min_count=1)
    out["hhi_upper"] = out["hhi_lower"] + (resid / basis.where(basis > 0) * 100) ** 2
    out["unattributed"] = resid
    out["basis_total"] = basis
    return out


def _top_frame(f: _Frame, n: int) -> pd.DataFrame:
    rows, st = f.rows, f.st
    prod = rows[(rows["_kind"] != "other") & rows["_v"].notna()].copy()
    label = prod["iso3"].astype("object") if "iso3" in prod.columns else pd.Series(np.nan, index=prod.index)
    if "country" in prod.columns:
        label = label.where(label.notna(), prod["country"].astype("object"))
    prod["_label"] = label.astype(str)
    prod = prod.sort_values(["_g", "_v", "_label"], ascending=[True, False, True])
    top = prod.groupby("_g").head(n)
    out = f.group_keys()
    out[f"top{n}_share"] = top.groupby("_g")["share"].sum(min_count=1)
    out[f"top{n}"] = top.groupby("_g")["_label"].agg(", ".join)
    first = top.groupby("_g").head(1).set_index("_g")
    out["top_producer"] = first["_label"]
    out["top_producer_share"] = first["share"]
    out["denominator"] = st["denominator"]
    return out


def country_share(
    df: pd.DataFrame,
    iso3: str,
    by: Sequence[str] | None = DEFAULT_BY,
    *,
    denominator: str = "sum_of_countries",
    include_other: bool = False,
) -> pd.DataFrame:
    """One country's share of each group, with its rank among producers and a status.

    ``status`` is ``reported``, ``withheld`` (row present, no value) or ``not_listed`` (no row: the country
    is not among the producers the publisher names; its output, if any, sits in "other"). Share and rank are
    missing unless the status is ``reported``. Rank 1 = largest producer (ties share the better rank).
    """
    return _country_frame(_share_frame(df, by, denominator, _kinds(include_other)), iso3).reset_index(drop=True)


def country_shares_and_hhi(
    df: pd.DataFrame,
    iso3s: Sequence[str],
    by: Sequence[str] | None = DEFAULT_BY,
    *,
    denominator: str = "sum_of_countries",
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """:func:`country_share` for each of ``iso3s`` and :func:`hhi`, from one pass over the table (the same
    frames as calling them one by one)."""
    frame = _share_frame(df, by, denominator, _kinds(False))
    countries = {iso3: _country_frame(frame, iso3).reset_index(drop=True) for iso3 in dict.fromkeys(iso3s)}
    return countries, _hhi_frame(frame).reset_index(drop=True)


def _country_frame(f: _Frame, iso3: str) -> pd.DataFrame:
    st, prod = f.st, f.ranked()
    mine = prod[prod["iso3"] == iso3].set_index("_g")
    out = f.group_keys()
    out["iso3"] = iso3
    out["value"] = mine["_v"]
    out["share"] = mine["share"]
    out["rank"] = mine["rank"].astype("Int64")
    out["status"] = np.where(
        out.index.isin(mine.index), np.where(out["value"].notna(), "reported", "withheld"), "not_listed"
    )
    out["denominator"] = st["denominator"]
    out["total"] = st["total"]
    return out


def _latest_year(w: pd.DataFrame, series_keys: list[str]) -> pd.Series:
    """Mask of rows in the newest year that has at least one reported country value, per series."""
    has = w[(w["_kind"] == "country") & w["_v"].notna()]
    sid = w.groupby(series_keys, dropna=False).ngroup() if series_keys else pd.Series(0, index=w.index)
    newest = has["year"].groupby(sid.loc[has.index]).max()
    return w["year"] == sid.map(newest)


def concentration_table(
    df: pd.DataFrame,
    iso3: str = "CHN",
    year: int | None = None,
    *,
    n: int = 3,
    denominator: str = "sum_of_countries",
    edition: str | None = "latest",
) -> pd.DataFrame:
    """The book's summary table: one row per mineral and stage (and product/unit where present).

    ``year=None`` takes, for each mineral and stage, the newest year in which at least one country has a
    reported value (for USGS tables usually the estimate for the year before publication); pass a year to
    fix it. Columns: ``year``; ``country_share``, ``country_rank`` and ``country_status`` for ``iso3``
    (see :func:`country_share`); ``top{n}_share`` and ``top{n}``; ``hhi`` (sum-of-countries shares unless
    ``denominator='world_total'``), ``hhi_lower``/``hhi_upper`` (see :func:`hhi_bounds`); ``top_producer``
    and ``top_producer_share``; ``n_countries``; ``denominator``; ``n_withheld``; ``world_total``,
    ``sum_of_countries`` and ``residual``.

    ``edition``: where the table has an ``edition`` column, ``'latest'`` (default) keeps for each mineral
    and stage only the newest edition, so one publication's figures are never mixed with another's;
    a named edition (e.g. ``'MCS2025'``) keeps only that one; None keeps all.
    """
    work = df.reset_index(drop=True)
    if edition is not None and "edition" in work.columns:
        if edition == "latest":
            ms = [c for c in ("mineral", "stage") if c in work.columns]
            newest = work.groupby(ms, dropna=False)["edition"].transform("max")
            work = work[(work["edition"] == newest).fillna(False).to_numpy(dtype=bool)]
        else:
            work = work[(work["edition"] == edition).fillna(False).to_numpy(dtype=bool)]
    series = [c for c in ("mineral", "stage", "product", "unit") if c in work.columns]
    if year is not None:
        work = work[work["year"] == year]
    else:
        tmp = work.assign(
            _v=pd.to_numeric(work["value"], errors="coerce").astype("float64"),
            _kind=work["row_kind"].astype("object").where(work["row_kind"].notna(), ""),
        )
        work = work[_latest_year(tmp, series).fillna(False).to_numpy(dtype=bool)]
    by = [c for c in ("mineral", "stage", "year") if c in work.columns]
    if work.empty:
        raise ValueError(f"no rows for year {year}" if year is not None else "the table has no reported values")
    calc = _share_frame(work, by, denominator, _kinds(False))
    keys, st = calc.keys, calc.st
    cs = _country_frame(calc, iso3)
    out = cs[keys + ["share", "rank", "status"]].rename(
        columns={"share": "country_share", "rank": "country_rank", "status": "country_status"}
    )
    out.insert(len(keys), "iso3", iso3)
    top = _top_frame(calc, n=n)
    h = _hhi_frame(calc)
    b = _bounds_frame(_share_frame(work, by, "sum_of_countries", _kinds(True)))
    out = out.join(
        [
            top[[f"top{n}_share", f"top{n}", "top_producer", "top_producer_share"]],
            h[["hhi", "n_countries", "denominator", "n_withheld"]],
            b[["hhi_lower", "hhi_upper"]],
            st[["world_total", "sum_of_countries", "residual"]],
        ]
    )
    return out.reset_index(drop=True)


def share_over_time(
    history_df: pd.DataFrame,
    iso3: str,
    minerals: Iterable[str] | None = None,
    start_year: int | None = None,
    *,
    absent_as_zero: bool = True,
) -> pd.DataFrame:
    """A country's share of world output, by mineral and year, from a long historical series.

    The denominator is the sum of all producer rows in the year: present-day countries *and* historic or
    grouped entries (e.g. "USSR", "Serbia and Montenegro"), because in the years they were reported they
    were producers in their own right. Publisher residuals ("other") and world totals are left out.
    Rows are grouped by mineral, stage, product, unit and (if present) source, so a spliced series never
    adds one publisher's tonnes to another's.

    ``absent_as_zero``: in a year with data for other producers, a country with no row gets share 0 and
    status ``not_listed``. NOTE: the historical series (BGS) list every producing country, so a missing row
    means no recorded output; set False to leave such years missing instead.
    """
    df = history_df
    if minerals is not None:
        minerals = [minerals] if isinstance(minerals, str) else list(minerals)
        df = df[df["mineral"].isin(minerals)]
    if start_year is not None:
        df = df[df["year"] >= start_year]
    by = [c for c in ("mineral", "stage", "year", "source") if c in df.columns]
    f = _share_frame(df, by, "sum_of_countries", frozenset({"country", "group"}))
    keys, rows, st = f.keys, f.rows, f.st
    mine = rows[rows["iso3"].astype("object") == iso3].set_index("_g")
    out = f.group_keys()
    out["iso3"] = iso3
    out["value"] = mine["_v"]
    out["share"] = mine["share"]
    out["total"] = st["total"]
    out["status"] = np.where(
        out.index.isin(mine.index), np.where(out["value"].notna(), "reported", "withheld"), "not_listed"
    )
    if absent_as_zero:
        absent = (out["status"] == "not_listed") & (out["total"] > 0)
        out.loc[absent, ["value", "share"]] = 0.0
    out = out.sort_values(keys).reset_index(drop=True)
    return out


# ---------------------------------------------------------------------------------------------------------
# import reliance and exposure


def exposure(nir_pct, china_share):
    """Share of a country's apparent consumption that, in effect, comes from China.

    ::

        exposure = (nir_pct / 100) × china_share

    ``nir_pct`` is net import reliance in percent (net imports as a share of apparent consumption, as USGS
    reports it); ``china_share`` is a fraction 0–1: either China's share of the country's imports or, as a
    proxy where import sources are not published, China's share of world supply. Example: NIR 85 % and 62 %
    of imports from China give 0.85 × 0.62 = 0.527, i.e. about half of consumption. Works on numbers,
    arrays and Series; missing inputs give a missing result. NOTE: NIR is net of exports while import shares
    are of gross imports, so this is an approximation of the direct dependence, ignoring Chinese material
    that reaches the country through third countries.
    """
    if np.isscalar(nir_pct) and np.isscalar(china_share):
        if pd.isna(nir_pct) or pd.isna(china_share):
            return np.nan
        return float(nir_pct) / 100.0 * float(china_share)
    return pd.to_numeric(nir_pct, errors="coerce") / 100.0 * pd.to_numeric(china_share, errors="coerce")


def _newest_reliance(rel: pd.DataFrame) -> pd.DataFrame:
    r = rel.copy()
    r["nir_pct"] = pd.to_numeric(r["nir_pct"], errors="coerce").astype("float64")
    flag = r["flag"].astype("object").fillna("") if "flag" in r.columns else pd.Series("", index=r.index)
    # NOTE: a net exporter ("E") and a reported zero mean no net reliance: exposure 0, not unknown.
    r.loc[r["nir_pct"].isna() & flag.isin(["net_exporter", "zero"]), "nir_pct"] = 0.0
    r = r[r["nir_pct"].notna()]
    order = ["mineral", "year"] + (["edition"] if "edition" in r.columns else [])
    r = r.sort_values(order).groupby("mineral", as_index=False).tail(1)
    ren = {c: f"nir_{c}" for c in ("year", "flag", "raw", "basis", "edition") if c in r.columns}
    return r[["mineral", "nir_pct", *ren]].rename(columns=ren).set_index("mineral")


def _pick_category(src: pd.DataFrame, category: dict[str, str] | None) -> pd.Series:
    """Which import-source category to read per mineral: an explicit choice, else a total/all-forms one,
    else the only one, else the alphabetically first (reported in ``import_category``)."""
    cats = src[["mineral", "category"]].drop_duplicates().copy()
    cats["category"] = cats["category"].astype("object")
    cats["_c"] = cats["category"].fillna("")
    cats["_pref"] = np.where(cats["_c"].str.contains(r"\b(?:total|all)\b", case=False, regex=True), 0, 1)
    cats.loc[cats["_c"] == "", "_pref"] = 0
    if category:
        chosen = cats["mineral"].map(category)
        cats.loc[chosen.notna() & (cats["_c"] == chosen), "_pref"] = -1
    cats = cats.sort_values(["mineral", "_pref", "_c"]).groupby("mineral").head(1)
    return cats.set_index("mineral")["category"]


def exposure_table(
    reliance_df: pd.DataFrame,
    sources_df: pd.DataFrame,
    supply_shares_df: pd.DataFrame,
    *,
    iso3: str = "CHN",
    category: dict[str, str] | None = None,
    stage_order: Sequence[str] = ("refining", "mining"),
) -> pd.DataFrame:
    """Per mineral: US net import reliance, China's place among import sources, and exposure on two bases.

    Inputs are ``data/import_reliance.csv``, ``data/import_sources.csv`` and a table of China's share of
    world supply per mineral (columns ``mineral``, ``country_share`` or ``share``, optionally ``stage`` and
    ``year``, e.g. the output of :func:`concentration_table`).

    * NIR: the newest year with a value (newest edition if two report that year); a net exporter counts as 0.
      A censored value such as ">95" is used at its bound (95) and keeps its flag in ``nir_flag``.
    * Import sources: the newest edition per mineral. Where it lists several categories (e.g. ore vs oxide)
      the total / all-forms one is used, unless ``category={mineral: name}`` picks another; the one used is
      in ``import_category``. ``china_import_rank`` is China's place in that list (missing if not listed);
      ``china_import_share`` (0–1) is missing where only the ranking is published.
    * Supply: where the supply table has several stages for a mineral, the first in ``stage_order`` is used
      (other stages after, alphabetically); reported in ``supply_stage``.
    * ``exposure_import`` = NIR/100 × China's import share; ``exposure_supply`` = NIR/100 × China's share
      of world supply (a proxy that assumes imports mirror world supply). See :func:`exposure`.
    """
    nir = _newest_reliance(reliance_df)
    out = pd.DataFrame(index=pd.Index(sorted(nir.index.union(sources_df["mineral"].dropna().unique())), name="mineral"))
    out = out.join(nir)

    src = sources_df.copy()
    src = src[src["mineral"].notna()]
    if not src.empty:
        newest_ed = src.groupby("mineral")["edition"].max()
        src = src[src["edition"] == src["mineral"].map(newest_ed)]
        cat = _pick_category(src, category)
        picked = src[src["category"].astype("object").fillna("") == src["mineral"].map(cat).fillna("")]
        listed = picked[picked["iso3"].notna()]
        china = picked[picked["iso3"].astype("object") == iso3].set_index("mineral")
        meta = picked.drop_duplicates("mineral").set_index("mineral")
        out["import_edition"] = meta["edition"]
        out["import_period"] = meta["period"] if "period" in meta.columns else np.nan
        out["import_category"] = cat
        out["n_import_sources_listed"] = listed.groupby("mineral").size()
        out["china_import_rank"] = pd.to_numeric(china["rank"], errors="coerce").astype("Int64")
        out["china_import_share"] = pd.to_numeric(china["share_pct"], errors="coerce").astype("float64") / 100
        out["china_import_status"] = np.where(out.index.isin(china.index), "listed", "not_listed")
        out.loc[~out.index.isin(meta.index), "china_import_status"] = "no_data"
    else:
        for c in ("import_edition", "import_period", "import_category", "n_import_sources_listed",
                  "china_import_rank", "china_import_share"):
            out[c] = np.nan
        out["china_import_status"] = "no_data"

    sup = supply_shares_df.copy()
    share_col = "country_share" if "country_share" in sup.columns else "share"
    if "stage" not in sup.columns:
        sup["stage"] = pd.NA
    order = {s: i for i, s in enumerate(stage_order)}
    sup["_o"] = sup["stage"].map(order).fillna(len(order))
    sup = sup.sort_values(["mineral", "_o", "stage"]).groupby("mineral").head(1).set_index("mineral")
    out["supply_stage"] = sup["stage"]
    if "year" in sup.columns:
        out["supply_year"] = sup["year"]
    out["china_supply_share"] = pd.to_numeric(sup[share_col], errors="coerce").astype("float64")

    out["exposure_import"] = exposure(out["nir_pct"], out["china_import_share"])
    out["exposure_supply"] = exposure(out["nir_pct"], out["china_supply_share"])
    return out.reset_index()
