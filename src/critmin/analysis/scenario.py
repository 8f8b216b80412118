"""What-if arithmetic: a new supplier adds tonnes of a mineral, and some of it is sold to one buyer.

The model is deliberately simple, so that every number can be checked by hand. It changes nothing but the
quantities named below; prices, stock changes, trade re-routing and the time needed to build a mine are
outside it.

Notation (all quantities in tonnes of the table's product, per year)::

    W0      world production before      (sum of country rows, or the reported world total)
    C       China's production           S0   the supplier's production (0 if not listed)
    A       added supply                 B    = A × share_to_buyer, the part sold to the buyer
    Q       buyer's apparent consumption nir  = buyer's net import reliance / 100
    I       = nir × Q, buyer's imports   m    = China's share of the buyer's imports (0–1)
    Mc      = m × I, buyer's imports from China

World production after (``world_growth_absorbs=False``, the default)::

    W1 = W0 + A        C1 = C        S1 = S0 + A        (everyone else unchanged)

With ``world_growth_absorbs=True`` world output is held at W0: the new tonnes take market share from every
other producer in proportion to its output::

    k  = (W0 − S0 − A) / (W0 − S0)      W1 = W0      C1 = k × C      S1 = S0 + A

Buyer's reliance on China::

    before  R0 = nir × m                                  (share of consumption that comes from China)
    after   R1 = (Mc − D) / Q1

    displaces='china'          D = min(B, Mc)       Q1 = Q       imports I1 = I
    displaces='proportional'   D = m × min(B, I)    Q1 = Q       imports I1 = I
    displaces='none'           D = 0                Q1 = Q + B   imports I1 = I + B
    displaces='market'         m1 = m × (c1 / c0)   Q1 = Q       imports I1 = I       R1 = nir × m1

where c0 and c1 are China's share of world production before and after. Under 'market' the new tonnes
are sold on the world market rather than to the buyer in particular (``share_to_buyer`` is not used): the
buyer keeps buying as before, and China's share of its imports falls in the same proportion as China's
share of world production. This option needs no tonnage for the buyer, so it works where the buyer's
consumption is not known; the tonnes displaced are then reported only if ``buyer_consumption_t`` is given.

Under 'china' and 'proportional' the new tonnes replace imports, so the buyer's total imports and its net
import reliance do not change, only where the imports come from; tonnes beyond the buyer's imports are not
absorbed by the buyer. Under 'none' the buyer consumes the extra tonnes on top (e.g. stockpiling), so its
reliance on China falls only because consumption grows.

Where the buyer's net import reliance or China's share of its imports is unknown (None or NaN), the buyer
measures are left missing and the world measures are still computed.

Invalid inputs raise :class:`critmin.params.ParameterError` (a ``ValueError``) with a message naming the
allowed range, so a page can show it as a one-line error.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from critmin.analysis import metrics
from critmin.params import ParameterError
from critmin.text import RELIABILITY_PHRASE, UNIT_IN_T, UNIT_LONG, num, pct, points_text, share_text, tonnes_text

__all__ = [
    "Scenario",
    "run",
    "sensitivity",
    "baseline",
    "buyer_inputs",
    "buyer_consumption",
    "resolve_supply",
    "supply_for_china_share",
    "supply_indicators",
    "DEFAULT_SUPPLY",
    "ILLUSTRATIVE_WORLD_SHARE",
    "MAX_MULTIPLE_OF_WORLD",
    "UNIT_IN_T",
    "BUYERS",
    "Chapter",
    "chapter",
    "choose_product",
    "tonnes_text",

    "share_text",
    "supply_text",
    "world_text",
    "world_table",
    "buyer_text",
    "sensitivity_curve",
    "sensitivity_text",
]

# NOTE: ten times current world output is far beyond any single project; larger inputs are almost certainly
# a unit mistake (kilograms typed as tonnes).
MAX_MULTIPLE_OF_WORLD = 10

_DISPLACES = ("china", "proportional", "none", "market")


def _magnitude(x: float) -> str:
    """A number for an error message: with thousands separators, or in exponent form when it is absurdly large."""
    return f"{x:,.0f}" if abs(x) < 1e15 else f"{x:.3g}"


def _number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


@dataclass(frozen=True)
class Scenario:
    """The inputs of one what-if.

    mineral, stage, product, year
        which production table to use (``stage``/``product`` only needed where the mineral has several;
        ``year=None`` takes the newest year with reported values).
    added_supply_t
        new output per year, in tonnes (≥ 0 and at most 10× current world production).
    supplier_iso3, buyer
        who adds the supply (default Pakistan, ``PAK``) and who buys it (default the United States, ``USA``).
    share_to_buyer
        fraction (0–1) of the new supply sold to the buyer; default 1.0, all of it.
    displaces
        which of the buyer's imports the new supply replaces: ``'china'`` (imports from China first),
        ``'proportional'`` (every source pro rata), ``'none'`` (added on top of existing imports) or
        ``'market'`` (sold on the world market; China's share of the buyer's imports falls in proportion
        to its share of world production).
    world_growth_absorbs
        False (default): the new supply adds to world production. True: world production is held fixed and
        the new supply takes share from all other producers pro rata.
    """

    mineral: str
    added_supply_t: float
    supplier_iso3: str = "PAK"
    buyer: str = "USA"
    year: int | None = None
    share_to_buyer: float = 1.0
    displaces: str = "china"
    world_growth_absorbs: bool = False
    stage: str | None = None
    product: str | None = None

    def __post_init__(self):
        a = self.added_supply_t
        if not _number(a) or not math.isfinite(a) or a < 0:
            raise ParameterError(
                f"added_supply_t must be a finite number of tonnes in the range 0 ≤ added_supply_t ≤ "
                f"{MAX_MULTIPLE_OF_WORLD}× current world production; got {a!r}"
            )
        s = self.share_to_buyer
        if not _number(s) or not math.isfinite(s) or not 0 <= s <= 1:
            raise ParameterError(f"share_to_buyer must be a fraction in the range 0–1 (0 ≤ share_to_buyer ≤ 1); got {s!r}")
        if self.displaces not in _DISPLACES:
            raise ParameterError(f"displaces must be one of {_DISPLACES}; got {self.displaces!r}")
        if not isinstance(self.world_growth_absorbs, (bool, np.bool_)):
            raise ParameterError(f"world_growth_absorbs must be True or False; got {self.world_growth_absorbs!r}")


def _select(production_df: pd.DataFrame, sc: Scenario) -> pd.DataFrame:
    """The rows of one production table (mineral, stage, product, unit, year) the scenario works on."""
    df = production_df[production_df["mineral"] == sc.mineral]
    if df.empty:
        raise ParameterError(f"no production rows for mineral {sc.mineral!r}")

    def narrow(df: pd.DataFrame, col: str) -> pd.DataFrame:
        want = getattr(sc, col)
        if col not in df.columns:
            return df
        if want is not None:
            df = df[(df[col] == want).fillna(False).to_numpy(dtype=bool)]
        found = df[col].astype("object").fillna("").unique()
        if len(found) > 1:
            raise ParameterError(f"{sc.mineral}: several {col}s {sorted(found)}; choose one with Scenario({col}=...)")
        if df.empty:
            raise ParameterError(f"{sc.mineral}: no rows for {col} {want!r}")
        return df

    df = narrow(df, "stage")
    if sc.year is None:
        v = pd.to_numeric(df["value"], errors="coerce")
        reported = df[(df["row_kind"] == "country").fillna(False).to_numpy(dtype=bool) & v.notna().to_numpy()]
        if reported.empty:
            raise ParameterError(f"{sc.mineral}: no reported country values")
        year = reported["year"].max()
    else:
        year = sc.year
    df = df[(df["year"] == year).fillna(False).to_numpy(dtype=bool)]
    if df.empty:
        raise ParameterError(f"{sc.mineral}: no rows for year {year}")
    # NOTE: product is checked within the year because publishers relabel one series between editions.
    df = narrow(df, "product")
    if "unit" in df.columns and df["unit"].nunique(dropna=False) > 1:
        raise ValueError(f"{sc.mineral}: rows in several units {sorted(df['unit'].dropna().unique())}")
    return df.copy()


def _tonnes_per_unit(df: pd.DataFrame) -> float:
    if "unit" not in df.columns:
        return 1.0
    unit = df["unit"].iloc[0]
    if unit not in UNIT_IN_T:
        raise ValueError(f"cannot convert unit {unit!r} to tonnes (known: {sorted(UNIT_IN_T)})")
    return UNIT_IN_T[unit]


def _after_table(before: pd.DataFrame, sc: Scenario, added: float, world0: float) -> pd.DataFrame:
    """The production table after the scenario, in the table's own unit."""
    after = before.copy()
    after["value"] = pd.to_numeric(after["value"], errors="coerce").astype("float64")
    is_sup = (after["iso3"].astype("object") == sc.supplier_iso3).to_numpy()
    if not is_sup.any():
        # NOTE: an unlisted supplier gets a row with output 0; whatever it produces now is in "other".
        after = after.reset_index(drop=True)
        after = after.reindex(range(len(after) + 1))
        new = len(after) - 1
        for col in after.columns:
            if col not in ("value", "flag", "iso3", "country", "row_kind"):
                after.loc[new, col] = after.loc[0, col]
        after.loc[new, ["row_kind", "iso3", "value"]] = ["country", sc.supplier_iso3, 0.0]
        if "country" in after.columns:
            after.loc[new, "country"] = sc.supplier_iso3
        is_sup = (after["iso3"].astype("object") == sc.supplier_iso3).to_numpy()
    s0 = after.loc[is_sup, "value"].iloc[0]
    if not np.isfinite(s0):
        raise ParameterError(f"the supplier's ({sc.supplier_iso3}) current output is withheld or missing; cannot add to it")
    world = (after["row_kind"] == "world_total").fillna(False).to_numpy(dtype=bool)
    if sc.world_growth_absorbs:
        others = world0 - s0
        if added > others:
            raise ParameterError(
                f"with world_growth_absorbs=True the added supply ({added:g}) cannot exceed the other "
                f"producers' output ({others:g}, in the table's unit)"
            )
        k = (others - added) / others if others > 0 else 1.0
        after.loc[~is_sup & ~world, "value"] *= k
    else:
        after.loc[world, "value"] += added
    after.loc[is_sup, "value"] = s0 + added
    return after


def _summary(table: pd.DataFrame, sc: Scenario, denominator: str) -> dict:
    """World production, China's and the supplier's share, and HHI of one production table."""
    by = [c for c in ("mineral", "year") if c in table.columns]
    china = metrics.country_share(table, "CHN", by, denominator=denominator).iloc[0]
    sup = metrics.country_share(table, sc.supplier_iso3, by, denominator=denominator).iloc[0]
    h = metrics.hhi(table, by, denominator=denominator).iloc[0]
    return {
        "world": china["total"],
        "china_prod": china["value"],
        "sup_prod": 0.0 if sup["status"] == "not_listed" else sup["value"],
        "china_share": china["share"],
        "sup_share": 0.0 if sup["status"] == "not_listed" else sup["share"],
        "hhi": h["hhi"],
        "denominator": h["denominator"],
    }


def _unknown(x) -> bool:
    return x is None or x is pd.NA or (_number(x) and not math.isfinite(x))


def _buyer(nir_pct, m, q: float | None, b: float, displaces: str, china_ratio: float) -> dict:
    """Buyer-side arithmetic, see the module docstring. Tonnes are only needed for the 'after' values,
    except under 'market', where ``china_ratio`` (China's share of world production after / before) is."""
    blank = {"nir1": np.nan, "m1": np.nan, "r1": np.nan, "displaced": np.nan, "imports0": np.nan, "imports1": np.nan}
    if _unknown(nir_pct) or _unknown(m):
        return {"nir0": np.nan, "m0": np.nan, "r0": np.nan} | blank
    nir_pct, m = float(nir_pct), float(m)
    nir = nir_pct / 100.0
    out = {"nir0": nir_pct, "m0": m, "r0": nir * m}
    known_q = q is not None and np.isfinite(q)
    if displaces == "market":
        m1 = m * china_ratio
        imports = nir * q if known_q else np.nan
        return out | {
            "nir1": nir_pct,
            "m1": m1,
            "r1": nir * m1,
            "displaced": (m - m1) * imports,
            "imports0": imports,
            "imports1": imports,
        }
    if not known_q:
        return out | blank
    imports = nir * q
    mc = m * imports
    if displaces == "china":
        d, q1, i1 = min(b, mc), q, imports
    elif displaces == "proportional":
        d, q1, i1 = m * min(b, imports), q, imports
    else:
        d, q1, i1 = 0.0, q + b, imports + b
    return out | {
        "nir1": 100.0 * i1 / q1 if q1 > 0 else np.nan,
        "m1": (mc - d) / i1 if i1 > 0 else np.nan,
        "r1": (mc - d) / q1 if q1 > 0 else np.nan,
        "displaced": d,
        "imports0": imports,
        "imports1": i1,
    }


def _compute(production_df, reliance_nir_pct, china_import_share, sc, buyer_consumption_t, denominator) -> dict:
    if not _unknown(reliance_nir_pct) and (not _number(reliance_nir_pct) or not 0 <= reliance_nir_pct <= 100):
        raise ParameterError(f"reliance_nir_pct must be a percentage in the range 0–100; got {reliance_nir_pct!r}")
    if not _unknown(china_import_share) and (not _number(china_import_share) or not 0 <= china_import_share <= 1):
        raise ParameterError(
            f"china_import_share must be a fraction in the range 0–1 (e.g. 0.62 for 62 %); got {china_import_share!r}"
        )
    if buyer_consumption_t is not None and (not _number(buyer_consumption_t) or not buyer_consumption_t >= 0):
        raise ParameterError(f"buyer_consumption_t must be a number of tonnes ≥ 0; got {buyer_consumption_t!r}")
    before = _select(production_df, sc)
    tpu = _tonnes_per_unit(before)
    b0 = _summary(before, sc, denominator)
    world0_t = b0["world"] * tpu
    if not np.isfinite(world0_t):
        raise ParameterError(f"{sc.mineral}: world production is unknown (all values missing)")
    limit = MAX_MULTIPLE_OF_WORLD * world0_t
    if sc.added_supply_t > limit:
        raise ParameterError(
            f"added_supply_t must be in the range 0–{limit:,.0f} t ({MAX_MULTIPLE_OF_WORLD}× the {world0_t:,.0f} t of "
            f"world {sc.mineral} production); got {_magnitude(sc.added_supply_t)} t"
        )
    added = sc.added_supply_t / tpu
    a1 = _summary(_after_table(before, sc, added, b0["world"]), sc, denominator)
    # NOTE: under 'market' nothing is sold to the buyer in particular, so no tonnage is attributed to it.
    to_buyer = np.nan if sc.displaces == "market" else sc.added_supply_t * sc.share_to_buyer
    c0, c1 = b0["china_share"], a1["china_share"]
    ratio = c1 / c0 if c0 > 0 else 1.0
    buyer = _buyer(reliance_nir_pct, china_import_share, buyer_consumption_t, to_buyer, sc.displaces, ratio)
    unit = before["unit"].iloc[0] if "unit" in before.columns else "t"
    return {"before": b0, "after": a1, "tpu": tpu, "year": before["year"].iloc[0], "to_buyer": to_buyer,
            "buyer": buyer, "unit": unit}


def run(
    production_df: pd.DataFrame,
    reliance_nir_pct: float,
    china_import_share: float,
    scenario: Scenario,
    *,
    buyer_consumption_t: float | None = None,
    denominator: str = "book",
) -> pd.DataFrame:
    """Before and after values for one scenario; the arithmetic is in the module docstring.

    ``production_df`` is the tidy production table (``data/production.csv`` or a slice of it);
    ``reliance_nir_pct`` the buyer's net import reliance in percent (0–100); ``china_import_share`` China's
    share of the buyer's imports as a fraction (0–1) — either may be None/NaN (unknown), which leaves the
    buyer measures missing; ``buyer_consumption_t`` the buyer's apparent consumption in tonnes — without it
    the buyer's "after" values cannot be computed (except under ``displaces='market'``) and are left missing.
    ``denominator`` is passed to :func:`critmin.metrics.shares` (world production = sum of country rows by
    default, so the "before" shares match the concentration tables).

    Returns one row per measure with columns ``measure``, ``before``, ``after``, ``change`` and ``unit``:
    world production, China's production, the supplier's production (tonnes); China's share and the
    supplier's share of world production (0–1); HHI (0–10,000); the buyer's net import reliance (%),
    China's share of the buyer's imports (0–1), the buyer's reliance on China (0–1, share of consumption);
    tonnes sold to the buyer (missing under 'market') and tonnes of Chinese imports displaced.
    ``attrs`` hold the scenario, the ``year`` used, the ``denominator`` and the table's ``unit``.
    """
    r = _compute(production_df, reliance_nir_pct, china_import_share, scenario, buyer_consumption_t, denominator)
    b0, a1, t, by = r["before"], r["after"], r["tpu"], r["buyer"]
    rows = [
        ("world_production", b0["world"] * t, a1["world"] * t, "t"),
        ("china_production", b0["china_prod"] * t, a1["china_prod"] * t, "t"),
        ("supplier_production", b0["sup_prod"] * t, a1["sup_prod"] * t, "t"),
        ("china_share", b0["china_share"], a1["china_share"], "share"),
        ("supplier_share", b0["sup_share"], a1["sup_share"], "share"),
        ("hhi", b0["hhi"], a1["hhi"], "index"),
        ("buyer_nir", by["nir0"], by["nir1"], "%"),
        ("buyer_china_import_share", by["m0"], by["m1"], "share"),
        ("buyer_reliance_on_china", by["r0"], by["r1"], "share"),
        ("supplied_to_buyer", 0.0, r["to_buyer"], "t"),
        ("displaced_from_china", 0.0, by["displaced"], "t"),
    ]
    out = pd.DataFrame(rows, columns=["measure", "before", "after", "unit"]).astype({"before": "float64", "after": "float64"})
    out["change"] = out["after"] - out["before"]
    out = out[["measure", "before", "after", "change", "unit"]]
    out.attrs.update(
        scenario=dataclasses.asdict(scenario), year=int(r["year"]), denominator=b0["denominator"], unit=r["unit"]
    )
    return out


def sensitivity(
    production_df: pd.DataFrame,
    reliance_nir_pct: float,
    china_import_share: float,
    scenario: Scenario,
    supplies: Iterable[float],
    *,
    buyer_consumption_t: float | None = None,
    denominator: str = "book",
) -> pd.DataFrame:
    """The scenario re-run for each added supply in ``supplies`` (tonnes), everything else unchanged.

    One row per supply with columns ``added_supply_t`` and ``<measure>_before`` / ``<measure>_after`` for
    each measure of :func:`run` (e.g. ``china_share_after``, ``hhi_after``,
    ``buyer_reliance_on_china_after``). Suited to a line chart of China's share against added tonnes.
    """
    frames = []
    for a in supplies:
        res = run(
            production_df,
            reliance_nir_pct,
            china_import_share,
            dataclasses.replace(scenario, added_supply_t=a),
            buyer_consumption_t=buyer_consumption_t,
            denominator=denominator,
        )
        row = {"added_supply_t": float(a)}
        for m, b, af in res[["measure", "before", "after"]].itertuples(index=False):
            row[f"{m}_before"], row[f"{m}_after"] = b, af  # missing values kept, so every column exists
        frames.append(row)
    if not frames:
        raise ParameterError("supplies is empty; give at least one added supply in tonnes")
    return pd.DataFrame(frames).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------
# inputs for a page: the starting table, the buyer's figures and where the added tonnes come from

# NOTE: a default magnitude per mineral, used by supply_source='auto'. Only sourced figures belong here;
# minerals without one fall back to an explicitly illustrative share of world production.
DEFAULT_SUPPLY = {
    "antimony": "indicator:antimony_mine_production",
    "copper": "indicator:reko_diq_copper_output_phase1",
}
ILLUSTRATIVE_WORLD_SHARE = 0.01

_FLOW_UNITS = ("t", "t_per_year")


def baseline(production_df: pd.DataFrame, scenario: Scenario, *, denominator: str = "book") -> dict:
    """The production table a scenario starts from, before anything is added.

    Returns ``rows`` (the selected table), ``year``, ``stage``, ``product``, ``unit``, ``edition`` (if the table
    has one), ``tonnes_per_unit``, ``world_t`` (world production in tonnes on the chosen denominator),
    ``supplier_t`` (the supplier's output in tonnes: 0 if the supplier is not listed, NaN if withheld) and
    ``supplier_status`` (reported / withheld / not_listed).
    """
    rows = _select(production_df, scenario)
    tpu = _tonnes_per_unit(rows)
    by = [c for c in ("mineral", "year") if c in rows.columns]
    sup = metrics.country_share(rows, scenario.supplier_iso3, by, denominator=denominator).iloc[0]
    first = rows.iloc[0]
    if not float(sup["total"]) > 0:
        raise ParameterError(
            f"USGS gives no world total for {scenario.mineral} ({first.get('product')}, {int(first['year'])}): "
            "choose another product or year")
    return {
        "rows": rows,
        "year": int(first["year"]),
        "stage": first.get("stage"),
        "product": first.get("product"),
        "unit": first.get("unit", "t"),
        "edition": first.get("edition"),
        "tonnes_per_unit": tpu,
        "world_t": float(sup["total"]) * tpu,
        "supplier_t": 0.0 if sup["status"] == "not_listed" else float(sup["value"]) * tpu,
        "supplier_status": sup["status"],
        "denominator": str(sup["denominator"]),
    }


def buyer_inputs(reliance_df: pd.DataFrame, sources_df: pd.DataFrame, mineral: str, year: int | None = None) -> dict:
    """The buyer's net import reliance and China's share of its imports, with where each came from.

    NIR: the value for ``year`` if reported, else the newest earlier year, else the newest year (a net
    exporter counts as 0; a censored value such as ">50" is used at its bound and keeps ``nir_flag``).
    Import sources: the newest edition and its total/all-forms category (see
    :func:`critmin.metrics.exposure_table`). ``china_import_status`` is ``listed`` (share known or not),
    ``not_listed`` or ``no_data``.

    NOTE: where China is not among the major sources the publisher lists, its share of imports is taken
    as 0 (``china_share_assumed_zero`` is True): it is at most the unlisted remainder, which USGS does not
    break down.
    """
    rel = reliance_df[reliance_df["mineral"] == mineral]
    if year is not None and (rel["year"] <= year).any():
        rel = rel[(rel["year"] <= year).fillna(False).to_numpy(dtype=bool)]
    src = sources_df[sources_df["mineral"] == mineral]
    supply = pd.DataFrame({"mineral": [mineral], "share": [np.nan]})
    t = metrics.exposure_table(rel, src, supply)
    t = t[t["mineral"] == mineral]
    out = {
        "nir_pct": np.nan, "nir_year": None, "nir_flag": None, "nir_raw": None, "nir_basis": None,
        "china_import_share": np.nan, "china_import_status": "no_data", "china_import_rank": None,
        "import_edition": None, "import_period": None, "import_category": None, "china_share_assumed_zero": False,
    }
    if t.empty:
        return out
    r = t.iloc[0]

    def val(col):
        v = r.get(col)
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v

    out.update(
        nir_pct=float(r["nir_pct"]) if val("nir_pct") is not None else np.nan,
        nir_year=int(r["nir_year"]) if val("nir_year") is not None else None,
        nir_flag=val("nir_flag"), nir_raw=val("nir_raw"), nir_basis=val("nir_basis"),
        china_import_status=r["china_import_status"],
        china_import_rank=int(r["china_import_rank"]) if val("china_import_rank") is not None else None,
        import_edition=val("import_edition"), import_period=val("import_period"),
        import_category=val("import_category"),
    )
    if val("china_import_share") is not None:
        out["china_import_share"] = float(r["china_import_share"])
    elif r["china_import_status"] == "not_listed":
        out["china_import_share"], out["china_share_assumed_zero"] = 0.0, True
    return out


_CONSUMPTION_WORDS = {"reported_consumption": "reported", "estimated_consumption": "estimated"}


def buyer_consumption(us_salient_df: pd.DataFrame, mineral: str, year: int, unit: str = "t", *,
                      label: str | None = None) -> dict:
    """US apparent consumption of ``mineral`` in ``year`` from the ``us_salient`` table, in ``unit`` and tonnes.

    The row for ``year`` is used whatever it holds; if the table has no row for that year, the newest earlier
    year (else the newest year). Returns ``value`` (in ``unit``, e.g. the production table's), ``tonnes``,
    ``year``, ``edition``, ``flag``, ``raw``, ``column`` and ``reason``. ``value`` and ``tonnes`` are None, and
    ``reason`` says why, when the figure is withheld, not available, only a bound ("<100,000"), or not
    published as apparent consumption; otherwise ``reason`` is None. ``label`` names the mineral in
    ``reason`` (default: the id with spaces).

    NOTE: only *apparent* consumption is used: the net import reliance the scenario multiplies it by is a share
    of apparent consumption, so a reported or estimated consumption would not match it.
    """
    if unit not in UNIT_IN_T:
        raise ValueError(f"cannot convert to unit {unit!r} (known: {sorted(UNIT_IN_T)})")
    out = {"value": None, "tonnes": None, "unit": unit, "year": None, "edition": None, "flag": None, "raw": None,
           "column": None, "reason": None}
    name = label or mineral.replace("_", " ")
    df = us_salient_df[(us_salient_df["mineral"] == mineral).fillna(False).to_numpy(dtype=bool)]
    ac = df[(df["measure"] == "apparent_consumption").fillna(False).to_numpy(dtype=bool)]
    if ac.empty:
        other = sorted(set(df["measure"].dropna()) & set(_CONSUMPTION_WORDS))
        if other:
            words = " and ".join(_CONSUMPTION_WORDS[m] for m in other)
            out["reason"] = f"USGS publishes only {words} consumption of {name}, not apparent consumption"
        else:
            out["reason"] = f"USGS publishes no US apparent consumption of {name}"
        return out
    years = ac["year"].astype(int)
    pick = int(year) if (years == int(year)).any() else (
        int(years[years < int(year)].max()) if (years < int(year)).any() else int(years.max()))
    row = ac[(years == pick).to_numpy()].iloc[0]

    def val(col):
        v = row.get(col)
        return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v

    out.update(year=pick, edition=val("edition"), flag=val("flag"), raw=val("raw"), column=val("column"))
    v, flag, src_unit = val("value"), val("flag"), val("unit")
    if flag == "withheld":
        out["reason"] = f"USGS withholds US apparent consumption of {name} for {pick} (W, company proprietary data)"
    elif flag in ("censored_lt", "censored_gt"):
        out["reason"] = f"USGS gives US apparent consumption of {name} for {pick} only as a bound ({out['raw']})"
    elif v is None:
        out["reason"] = f"US apparent consumption of {name} for {pick} is not available ({out['raw'] or 'blank'})"
    elif src_unit not in UNIT_IN_T:
        raise ValueError(f"us_salient: unit {src_unit!r} of {mineral} apparent consumption is not a mass")
    else:
        tonnes = float(v) * UNIT_IN_T[src_unit]
        out.update(tonnes=tonnes, value=tonnes / UNIT_IN_T[unit])
    return out


def supply_indicators(indicators_df: pd.DataFrame, mineral: str) -> pd.DataFrame:
    """Sourced annual tonnages for ``mineral`` in the Pakistan indicators table, newest year per indicator.

    NOTE: an indicator counts when its unit is tonnes (``t`` or ``t_per_year``), its id names the mineral
    and it is an output or production figure — reserves are stocks, not a yearly supply.
    """
    df = indicators_df
    ids = df["indicator"].astype("object")
    token = ids.str.contains(rf"(?:^|_){mineral}(?:_|$)", regex=True)
    flow = ids.str.contains(r"(?:^|_)(?:output|production)(?:_|$)", regex=True)
    keep = (df["unit"].astype("object").isin(_FLOW_UNITS) & token & flow).fillna(False).to_numpy(dtype=bool)
    out = df[keep].sort_values(["indicator", "year"]).groupby("indicator", as_index=False).tail(1)
    return out.reset_index(drop=True)


def resolve_supply(
    source: str,
    added_supply_t: float,
    *,
    mineral: str,
    supplier_iso3: str,
    indicators_df: pd.DataFrame,
    world_t: float,
) -> dict:
    """Where the scenario's added tonnes come from, as a number and a citation.

    ``source`` is one of

    * ``'tonnes'`` – ``added_supply_t`` as given;
    * ``'indicator:<id>'`` – the newest value of a sourced tonnage in the Pakistan indicators table (see
      :func:`supply_indicators`; only for supplier PAK);
    * ``'world_share:<fraction>'`` – an illustrative assumption: that fraction of current world production
      (``world_t``, tonnes);
    * ``'auto'`` – ``added_supply_t`` if above 0; otherwise the mineral's entry in :data:`DEFAULT_SUPPLY`
      (Pakistan only); otherwise ``world_share:`` :data:`ILLUSTRATIVE_WORLD_SHARE`.

    With an indicator or world share, ``added_supply_t`` must be 0 (one magnitude per page). Returns
    ``tonnes``, ``basis`` ('tonnes', 'indicator' or 'world_share'), ``source`` (the resolved spec),
    ``fraction`` (world share, or None) and ``indicator`` (the indicator's row as a dict, or None).
    """
    spec = str(source).strip()
    a = added_supply_t
    if not _number(a) or not math.isfinite(a) or a < 0:
        raise ParameterError(f"added_supply_t must be a finite number of tonnes ≥ 0; got {a!r}")
    if spec == "auto":
        if a > 0:
            spec = "tonnes"
        elif supplier_iso3 == "PAK" and mineral in DEFAULT_SUPPLY:
            spec = DEFAULT_SUPPLY[mineral]
        else:
            spec = f"world_share:{ILLUSTRATIVE_WORLD_SHARE:g}"
    elif spec != "tonnes" and a > 0:
        raise ParameterError(
            f"added_supply_t={a:g} and supply_source={source!r} both give a magnitude; set added_supply_t to 0 "
            "or supply_source to 'tonnes'"
        )
    out = {"source": spec, "fraction": None, "indicator": None}
    if spec == "tonnes":
        return out | {"tonnes": float(a), "basis": "tonnes"}
    kind, _, arg = spec.partition(":")
    if kind == "world_share":
        try:
            frac = float(arg)
        except ValueError:
            frac = math.nan
        if not math.isfinite(frac) or not 0 < frac <= MAX_MULTIPLE_OF_WORLD:
            raise ParameterError(
                f"supply_source={source!r}: the world share must be a fraction above 0 and at most "
                f"{MAX_MULTIPLE_OF_WORLD}, e.g. 'world_share:0.01' for 1% of world production"
            )
        return out | {"tonnes": frac * world_t, "basis": "world_share", "fraction": frac}
    if kind == "indicator":
        allowed = supply_indicators(indicators_df, mineral)
        names = allowed["indicator"].astype(str).tolist()
        if supplier_iso3 != "PAK":
            raise ParameterError(
                f"supply_source={source!r}: the indicators are Pakistan's figures, but supplier is {supplier_iso3}; "
                "use supply_source 'tonnes' or 'world_share:<fraction>'"
            )
        if arg not in names:
            listed = ", ".join(f"indicator:{n}" for n in names) or "none"
            raise ParameterError(
                f"supply_source={source!r} is not a sourced {mineral} tonnage; allowed for {mineral}: {listed} "
                "(or 'tonnes', 'world_share:<fraction>', 'auto')"
            )
        row = allowed[allowed["indicator"] == arg].iloc[0]
        ind = {k: (None if v is pd.NA else v) for k, v in row.to_dict().items()}
        ind["value"], ind["year"] = float(ind["value"]), int(ind["year"])
        return out | {"tonnes": ind["value"], "basis": "indicator", "indicator": ind}
    raise ParameterError(
        f"supply_source={source!r} is not understood; allowed: 'auto', 'tonnes', 'indicator:<id>', "
        "'world_share:<fraction>'"
    )


def supply_for_china_share(base: dict, scenario: Scenario, target: float, *, denominator: str = "book") -> float:
    """Tonnes a year of added supply that would bring China's share of world production down to ``target``.

    ``base`` is the result of :func:`baseline`. With C China's output, W0 world output and S0 the supplier's
    (all in tonnes)::

        world grows (default)        C / (W0 + A) = target          A = C / target − W0
        world_growth_absorbs=True    C·k / W0 = target, k as above   A = (W0 − S0) × (1 − target × W0 / C)

    Returns 0 if China's share is already at or below the target, and NaN if no added supply can reach it
    (a target of 0, the supplier being China, or, with a fixed world output, more than the other producers
    make).
    """
    if scenario.supplier_iso3 == "CHN" or not 0 < target < 1:
        return math.nan
    rows = base["rows"]
    by = [c for c in ("mineral", "year") if c in rows.columns]
    china = metrics.country_share(rows, "CHN", by, denominator=denominator).iloc[0]
    if china["status"] != "reported" or not china["value"] > 0:
        return math.nan
    c, w0, s0 = float(china["value"]) * base["tonnes_per_unit"], base["world_t"], base["supplier_t"]
    if c / w0 <= target:
        return 0.0
    if scenario.world_growth_absorbs:
        a = (w0 - s0) * (1 - target * w0 / c)
        return a if a <= w0 - s0 else math.nan
    return c / target - w0


# --- The scenario chapter ------------------------------------------------------------------------------------
# The page's parameters checked and resolved into one Scenario, and the prose and table of each section,
# written from the results; every figure in them is computed.

# NOTE: USGS publishes net import reliance and import sources only for the United States.
BUYERS = ["United States"]
PAGE_DISPLACES = ["auto", "china", "proportional", "none", "market"]
@dataclass(frozen=True)
class Chapter:
    """One run of the scenario chapter: the checked parameters, what they resolved to and the results.

    ``displaces_asked`` is the parameter as given; ``displaces`` what "auto" resolved to. ``consumption`` is
    the buyer's apparent consumption used (tonnes a year, or None) and ``consumption_basis`` where it came
    from ("given", "usgs" or "none"). ``base``, ``sourced``, ``supply`` and ``bi`` are the dicts of
    :func:`baseline`, :func:`buyer_consumption`, :func:`resolve_supply` and :func:`buyer_inputs`; ``results``
    is the frame of :func:`run`.
    """

    mineral: str
    label: str
    stage: str
    year: int
    supplier: str
    supplier_iso3: str
    buyer: str
    product: str | None
    added_supply_t: float
    supply_source: str
    displaces_asked: str
    displaces: str
    share_to_buyer: float
    buyer_consumption_t: float
    world_growth_absorbs: bool
    sensitivity_max: float
    product_asked: str
    base: dict
    sourced: dict
    consumption: float | None
    consumption_basis: str
    supply: dict
    bi: dict
    scenario: Scenario
    results: pd.DataFrame

    @property
    def noun(self) -> str:
        """The mineral as a noun in prose: 'rare earths'."""
        return self.label.lower()

    @property
    def name(self) -> str:
        """The mineral as an adjective: 'rare-earth output'."""
        return "rare-earth" if self.mineral == "rare_earths" else self.noun

    @property
    def r(self) -> pd.DataFrame:
        """The results indexed by measure."""
        return self.results.set_index("measure")

    @property
    def params(self) -> dict:
        """The parameters as the page shows them, in the order of the notebook's parameters cell."""
        return dict(mineral=self.mineral, added_supply_t=self.added_supply_t, supply_source=self.supply_source,
                    supplier=self.supplier, buyer=self.buyer, year=self.year, stage=self.stage,
                    product=self.product_asked, displaces=self.displaces_asked, share_to_buyer=self.share_to_buyer,
                    buyer_consumption_t=self.buyer_consumption_t, world_growth_absorbs=self.world_growth_absorbs,
                    sensitivity_max=self.sensitivity_max)


def choose_product(rows: pd.DataFrame, product, *, label: str, stage: str, year: int) -> str | None:
    """The USGS product (the table's `product` label) a page's scenario uses, from its `product` parameter.

    "auto" takes the one product published for the mineral, stage and year; where USGS lists several (cobalt
    from 2023: most countries as cobalt content, the United States without the qualifier) the page must
    name one, and the error lists them."""
    # NOTE: products are not merged: rows under another label than the one chosen are left out of the scenario.
    from critmin import params

    rows = rows[(rows["year"] == year).fillna(False).to_numpy(dtype=bool)]
    found = sorted(rows["product"].dropna().unique()) if "product" in rows.columns else []
    listed = "; ".join(repr(p) for p in found)
    if not isinstance(product, str) or not product.strip():
        raise ParameterError(f"product must be 'auto' or one of {listed}; got {product!r}")
    if product.strip().lower() == "auto":
        if len(found) > 1:
            raise ParameterError(
                f"product='auto': USGS publishes {label.lower()} {stage} production for {year} as {len(found)} "
                f"products; choose one with -p product '<name>': {listed}")
        return found[0] if found else None
    try:
        return params.choice("product", product, found)
    except ParameterError:
        raise ParameterError(f"product={product!r} is not available for {label.lower()} {stage} production in "
                             f"{year}; allowed: 'auto' or one of {listed}") from None


def chapter(production: pd.DataFrame, minerals: pd.DataFrame, reliance: pd.DataFrame, import_sources: pd.DataFrame,
            indicators: pd.DataFrame, us_salient: pd.DataFrame, *, mineral: str, added_supply_t, supply_source: str,
            supplier: str, buyer: str, year, stage: str, displaces: str, share_to_buyer, buyer_consumption_t,
            world_growth_absorbs, sensitivity_max, product: str = "auto") -> Chapter:
    """Check the chapter's parameters against the data and run the scenario they describe.

    Raises ParameterError for an unknown mineral, stage, year, supplier or buyer, China as supplier, numbers
    out of range, and a `displaces` that needs the buyer's consumption where none is known. Checks run in
    the order of the parameters, so the first bad one is named.
    """
    from critmin import params

    mineral = params.choice("mineral", mineral, sorted(production["mineral"].dropna().unique()))
    label = str(minerals.set_index("mineral").loc[mineral, "label"])
    rows_m = production[production["mineral"] == mineral]
    stage = params.choice("stage", stage, sorted(rows_m["stage"].dropna().unique()))
    rows_ms = rows_m[rows_m["stage"] == stage]
    reported = rows_ms[(rows_ms["row_kind"] == "country") & rows_ms["value"].notna()]
    year = params.choice("year", year, sorted({int(y) for y in reported["year"]}))
    product_asked = product
    product = choose_product(rows_ms, product, label=label, stage=stage, year=year)

    countries = production[production["row_kind"] == "country"].drop_duplicates("country").set_index("country")["iso3"]
    supplier = params.choice("supplier", supplier, sorted(countries.index))
    supplier_iso3 = str(countries[supplier])
    if supplier_iso3 == "CHN":
        raise ParameterError("supplier='China' is not allowed: the page measures how other suppliers change China's share")
    try:
        buyer = params.choice("buyer", buyer, BUYERS)
    except ParameterError:
        raise ParameterError(
            f"buyer={buyer!r} is not available: the book has net import reliance and import sources only for the "
            "United States (USGS Mineral Commodity Summaries); allowed: United States") from None

    added_supply_t = float(params.number("added_supply_t", added_supply_t, minimum=0))
    share_to_buyer = float(params.number("share_to_buyer", share_to_buyer, minimum=0, maximum=1))
    buyer_consumption_t = float(params.number("buyer_consumption_t", buyer_consumption_t, minimum=0))
    sensitivity_max = float(params.number("sensitivity_max", sensitivity_max, minimum=1, maximum=10))
    displaces_asked = displaces = params.choice("displaces", displaces, PAGE_DISPLACES)
    if not isinstance(world_growth_absorbs, bool):
        raise ParameterError(f"world_growth_absorbs must be true or false; got {world_growth_absorbs!r}")

    start = Scenario(mineral, 0.0, supplier_iso3=supplier_iso3, year=year, stage=stage, product=product,
                     share_to_buyer=share_to_buyer,
                     displaces="market" if displaces == "auto" else displaces,
                     world_growth_absorbs=world_growth_absorbs)
    base = baseline(production, start)
    # Magnitudes are checked against world production here, before any number is computed or printed.
    limit = round(MAX_MULTIPLE_OF_WORLD * base["world_t"])
    for name, value in (("added_supply_t", added_supply_t), ("buyer_consumption_t", buyer_consumption_t)):
        if value > limit:
            # NOTE: the buyer's consumption is bounded like the added supply, at 10× current world production:
            # beyond that a figure can only be a typing slip.
            raise ParameterError(
                f"{name}={_magnitude(value)} is out of range; allowed: 0 to {limit:,} t ({MAX_MULTIPLE_OF_WORLD}× "
                f"world {label.lower()} {stage} production in {year}, {round(base['world_t']):,} t)")
    # The buyer's apparent consumption: as given, else USGS's figure for the year (in the production table's unit).
    sourced = buyer_consumption(us_salient, mineral, year, base["unit"], label=label.lower())
    if buyer_consumption_t > 0:
        consumption, basis = buyer_consumption_t, "given"
    elif sourced["tonnes"] is not None:
        consumption, basis = sourced["tonnes"], "usgs"
    else:
        consumption, basis = None, "none"
    if displaces == "auto":
        displaces = "china" if consumption is not None else "market"
    elif displaces != "market" and consumption is None:
        raise ParameterError(
            f"displaces={displaces!r} needs the buyer's apparent consumption, but {sourced['reason']}; give "
            "buyer_consumption_t (tonnes a year), or use displaces='market'")
    start = dataclasses.replace(start, displaces=displaces)
    supply = resolve_supply(supply_source, added_supply_t, mineral=mineral, supplier_iso3=supplier_iso3,
                            indicators_df=indicators, world_t=base["world_t"])
    sc = dataclasses.replace(start, added_supply_t=supply["tonnes"])
    bi = buyer_inputs(reliance, import_sources, mineral, year)
    res = run(production, bi["nir_pct"], bi["china_import_share"], sc, buyer_consumption_t=consumption)
    return Chapter(mineral=mineral, label=label, stage=stage, year=year, supplier=supplier,
                   supplier_iso3=supplier_iso3, buyer=buyer, product=product, product_asked=product_asked,
                   added_supply_t=added_supply_t,
                   supply_source=supply_source, displaces_asked=displaces_asked, displaces=displaces,
                   share_to_buyer=share_to_buyer, buyer_consumption_t=buyer_consumption_t,
                   world_growth_absorbs=world_growth_absorbs, sensitivity_max=sensitivity_max, base=base,
                   sourced=sourced, consumption=consumption, consumption_basis=basis, supply=supply, bi=bi,
                   scenario=sc, results=res)


def supply_text(ch: Chapter, indicators: pd.DataFrame) -> str:
    """The scenario section: where the added tonnes come from, how they compare with the supplier's current
    output and world output, and the unit of the production table."""

    A, base, supply, noun, supplier = ch.supply["tonnes"], ch.base, ch.supply, ch.noun, ch.supplier
    unit = base["unit"]
    lines = []
    if supply["basis"] == "indicator":
        ind = supply["indicator"]
        note = f" The table's note on it: “{ind['note']}”." if ind.get("note") else ""
        lines.append(
            f"The added supply is **{tonnes_text(A)} of {noun} a year**: the figure *{ind['label']}* ({ind['year']}) "
            f"in the book's table of Pakistan indicators, from [{ind['publisher']}]({ind['source_url']}), "
            f"{RELIABILITY_PHRASE[ind['reliability']]}.{note}")
    elif supply["basis"] == "world_share":
        found = supply_indicators(indicators, ch.mineral) if ch.supplier_iso3 == "PAK" else indicators.iloc[0:0]
        if found.empty:
            lines.append(
                f"**Illustrative assumption, not a sourced figure.** The book's data hold no sourced tonnage for new "
                f"{noun} output from {supplier}. The page therefore assumes new supply equal to "
                f"**{pct(supply['fraction'], 0 if (supply['fraction'] * 100).is_integer() else 1)} of current world "
                "production**, "
                f"which is **{tonnes_text(A)} a year**, computed from the USGS table below.")
        else:
            listed = ", ".join(f"`indicator:{i}` ({tonnes_text(v)})" for i, v in zip(found["indicator"], found["value"]))
            lines.append(
                f"**Illustrative assumption.** The added supply, **{tonnes_text(A)} a year**, is "
                f"{pct(supply['fraction'], 1)} of current world production. Sourced figures in the book's data: "
                f"{listed}.")
    else:
        lines.append(f"The added supply, **{tonnes_text(A)} of {noun} a year**, is the value of `added_supply_t` as "
                     "given; it is not a sourced figure.")

    if base["supplier_status"] == "reported" and base["supplier_t"] > 0:
        ratio = A / base["supplier_t"]
        now = f"{supplier}'s current output in the USGS table ({tonnes_text(base['supplier_t'])} in {base['year']})"
        if round(ratio, 2) == 1:
            lines.append(f"That is the same as {now}, so the scenario is {supplier} doubling its output; it equals "
                         f"{share_text(A / base['world_t'])} of world output.")
        else:
            lines.append(f"That is {num(ratio, 1)} times {now} and {share_text(A / base['world_t'])} of world output.")
    else:
        lines.append(f"USGS does not list {supplier} separately for {ch.name} {ch.stage} production in {base['year']} "
                     f"(any output it has is in \"Other countries\"), so the page starts {supplier} at 0"
                     + ("." if supply["basis"] == "world_share"
                        else f"; the added supply equals {share_text(A / base['world_t'])} of world output."))
    if unit == "t":
        lines.append(f"USGS reports this table (*{base['product']}*, {base['edition']}) in tonnes, the unit of the "
                     "added supply, so no conversion is needed.")
    else:
        lines.append(f"USGS reports this table (*{base['product']}*, {base['edition']}) in {UNIT_LONG.get(unit, unit)}; "
                     f"the page converts the added {tonnes_text(A)} to "
                     f"{num(A / base['tonnes_per_unit'], 3).rstrip('0').rstrip('.')} {unit} before adding it, and shows "
                     "all results in tonnes.")
    return "## The scenario\n\n" + " ".join(lines)


def world_text(ch: Chapter) -> str:
    """World supply before and after: China's and the supplier's shares and the HHI."""

    r = ch.r
    c0, c1 = r.loc["china_share", "before"], r.loc["china_share", "after"]
    s0, s1 = r.loc["supplier_share", "before"], r.loc["supplier_share", "after"]
    h0, h1 = r.loc["hhi", "before"], r.loc["hhi", "after"]
    w0, w1 = r.loc["world_production", "before"], r.loc["world_production", "after"]
    if ch.world_growth_absorbs:
        growth = (f"World output is held at {tonnes_text(w0)}: the new tonnes take market share from every other "
                  f"producer in proportion to its output, so China's output falls from "
                  f"{tonnes_text(r.loc['china_production', 'before'])} to "
                  f"{tonnes_text(r.loc['china_production', 'after'])}.")
    else:
        growth = (f"The new tonnes add to world output, which rises from {tonnes_text(w0)} to {tonnes_text(w1)}; "
                  "no other producer changes its output.")
    return (f"## World supply before and after\n\n"
            f"In {ch.base['year']} China produced **{share_text(c0)}** of world {ch.name} {ch.stage} output (shares of "
            + ("USGS's world total" if ch.base.get("denominator") == "world_total" else
               "the sum of the countries USGS lists")
            + f", {tonnes_text(w0)}). {growth} China's share falls to "
            f"**{share_text(c1)}**, {points_text(c1 - c0)} lower, and {ch.supplier}'s rises from {share_text(s0)} to "
            f"{share_text(s1)}. The Herfindahl–Hirschman index of concentration (HHI = Σ (100 × sᵢ)², from 0 to "
            f"10,000, where 10,000 is a single producer) moves from {num(h0)} to {num(h1)}.")


def world_table(ch: Chapter) -> pd.DataFrame:
    """World production, China's and the supplier's output and shares and the HHI, before and after (as text)."""

    r, supplier = ch.r, ch.supplier
    rows = [
        ("World production (t)", "world_production", num),
        ("China's production (t)", "china_production", num),
        (f"{supplier}'s production (t)", "supplier_production", num),
        ("China's share of world production", "china_share", share_text),
        (f"{supplier}'s share of world production", "supplier_share", share_text),
        ("HHI (0–10,000)", "hhi", num),
    ]
    return pd.DataFrame([(m, f(r.loc[k, "before"]), f(r.loc[k, "after"])) for m, k, f in rows],
                        columns=["Measure", "Before", "After"])


def buyer_text(ch: Chapter) -> str:
    """The buyer section: US net import reliance, China's share of US imports and how the scenario changes
    US reliance on China (or why it cannot be computed)."""
    from critmin.data import package as datapackage

    r, bi, noun, sourced = ch.r, ch.bi, ch.noun, ch.sourced
    m0, m1 = r.loc["buyer_china_import_share", "before"], r.loc["buyer_china_import_share", "after"]
    R0, R1 = r.loc["buyer_reliance_on_china", "before"], r.loc["buyer_reliance_on_china", "after"]
    text = ["## The buyer's reliance on China"]
    period = str(bi["import_period"]).replace("-", "–")
    if math.isnan(bi["nir_pct"]):
        text.append(f"USGS reports no net import reliance for {noun} in the years the book covers, so the buyer "
                    "measures are not available; the world measures above still apply.")
    elif math.isnan(R0) and bi["nir_pct"] == 0:
        exporter = " (the United States is a net exporter)" if bi["nir_flag"] == "net_exporter" else ""
        text.append(f"US net import reliance for {noun} was 0% in {bi['nir_year']}{exporter}, so the United States "
                    "does not depend on net imports, from China or anywhere else, and the scenario cannot change that.")
    elif math.isnan(R0):
        why = ("the book has no USGS list of US import sources for it" if bi["china_import_status"] == "no_data"
               else f"USGS ranks China among the sources ({bi['import_edition']}) without giving its share")
        text.append(f"US net import reliance for {noun} was {num(bi['nir_pct'])}% in {bi['nir_year']}, but "
                    f"China's share of US imports is not known because {why}. The buyer measures are therefore not "
                    "available; the world measures above still apply.")
    else:
        censored = bi["nir_flag"] == "censored_gt"
        nir_txt = f"more than {num(bi['nir_pct'])}%" if censored else f"{num(bi['nir_pct'])}%"
        if bi["nir_flag"] == "net_exporter":
            nir_txt = "0% (the United States is a net exporter)"
        basis = bi["nir_basis"]
        # NOTE: older editions name only the publisher's column (e.g. NIR_pct), which says nothing to a reader.
        basis = f" (basis: {basis})" if basis and not str(basis).startswith("NIR") else ""
        text.append(
            f"USGS puts US net import reliance for {noun} in {bi['nir_year']} at {nir_txt} of apparent consumption{basis}."
            + (f" The page uses {num(bi['nir_pct'])}%, so the reliance on China below is a lower bound."
               if censored else ""))
        if bi["china_share_assumed_zero"]:
            text.append(
                f"China is not among the major sources of US imports that USGS lists (category "
                f"“{bi['import_category']}”, {period}, {bi['import_edition']}), so the page takes China's share of US "
                f"imports as 0: US reliance on China for {noun} is about nil before the scenario, and the scenario "
                "cannot lower it.")
        else:
            text.append(
                f"China supplied {pct(m0)} of US imports in {period} (USGS category “{bi['import_category']}”, "
                f"{bi['import_edition']}). Taken together, about **{share_text(R0)}** of US consumption came directly "
                "from China (reliance on China = net import reliance × China's share of imports).")
            if ch.displaces == "market" and ch.displaces_asked == "auto":
                text.append(
                    f"The page cannot work out how many tonnes of US imports the new supply would replace, because "
                    f"{sourced['reason']}, so it does not assume the new tonnes are sold to the United States.")
            if ch.displaces == "market":
                text.append(
                    f"Assuming the new tonnes are sold on the world market, and China's share of US imports falls in "
                    f"the same proportion as its share of world production (`displaces='market'`), China's share of "
                    f"US imports moves to {share_text(m1)} and US reliance on China to **{share_text(R1)}**, "
                    f"{points_text(R1 - R0)} lower.")
            else:
                B, D = r.loc["supplied_to_buyer", "after"], r.loc["displaced_from_china", "after"]
                how = {"china": "replacing imports from China first",
                       "proportional": "replacing imports from every source in proportion",
                       "none": "consumed on top of existing imports (for example, stockpiled)"}[ch.displaces]
                if ch.consumption_basis == "usgs":
                    src = next(s for s in datapackage.resource("us_salient")["sources"]
                               if s["edition"].replace(" ", "").startswith(sourced["edition"]))
                    est = ", an estimate" if sourced["flag"] == "estimated" else ""
                    q_txt = (f"US apparent consumption of {num(ch.consumption)} t in {sourced['year']} "
                             f"([{src['short']}]({src['path']}), column *{sourced['column']}*{est})")
                else:
                    q_txt = f"US apparent consumption of {tonnes_text(ch.consumption)} a year (`buyer_consumption_t`, as given)"
                imports_cn = r.loc["buyer_nir", "before"] / 100 * m0 * ch.consumption
                text.append(
                    f"With {q_txt}, US imports from China come to about {tonnes_text(imports_cn)} a year. Assuming "
                    f"{pct(ch.share_to_buyer)} of the new supply ({tonnes_text(B)}) is sold to the United States, "
                    f"{how}, {tonnes_text(D)} of imports from China are displaced"
                    + (" (all of them)" if imports_cn - 1e-9 <= D and D > 0 else "")
                    + f": US reliance on China moves to **{share_text(R1)}**, {points_text(R1 - R0)} lower.")
    return "\n\n".join([text[0], " ".join(text[1:])])


def sensitivity_curve(ch: Chapter, production: pd.DataFrame, points: int = 41) -> dict:
    """The scenario rerun for added supply from 0 to ``sensitivity_max`` × the scenario's (or to 5% of world
    output when the scenario adds nothing), and the supply needed to bring China's share below half (or a
    quarter below today's share where it is already under half).

    Returns ``long`` (added_supply_t, measure label, share; rounded for a stable page), ``series`` (measure
    id → label), ``top`` (the largest added supply), ``c_top`` (China's share there), ``target`` and ``need``
    (tonnes a year; NaN if no amount reaches the target, 0 if already reached).
    """
    A, base, sc, bi = ch.supply["tonnes"], ch.base, ch.scenario, ch.bi
    c0 = ch.r.loc["china_share", "before"]
    target = 0.5 if c0 > 0.5 else c0 * 0.75
    need = supply_for_china_share(base, sc, target)
    top = A * ch.sensitivity_max if A > 0 else 0.05 * base["world_t"]
    # Each point reruns the scenario; only the mineral's own rows can enter it, so they are selected once.
    rows = production[production["mineral"].astype("object") == sc.mineral]
    sens = sensitivity(rows, bi["nir_pct"], bi["china_import_share"], sc, np.linspace(0, top, points),
                       buyer_consumption_t=ch.consumption)
    series = {"china_share_after": "China's share of world production"}
    if not sens["buyer_reliance_on_china_after"].isna().all():
        series["buyer_reliance_on_china_after"] = "US reliance on China"
    long = sens.melt(id_vars="added_supply_t", value_vars=list(series), var_name="measure", value_name="share")
    long["measure"] = long["measure"].map(series)
    long = long.round({"added_supply_t": 3, "share": 6})
    return {"long": long, "series": series, "top": top, "c_top": float(sens["china_share_after"].iloc[-1]),
            "target": target, "need": need}


def sensitivity_text(ch: Chapter, curve: dict) -> str:
    """The 'How much supply would it take?' section: the range the chart covers and the supply needed to
    reach the target share of :func:`sensitivity_curve`."""

    A, need, target = ch.supply["tonnes"], curve["need"], curve["target"]
    if math.isnan(need):
        need_txt = f"No amount of added supply in this model brings China's share down to {pct(target)}."
    elif need == 0:
        need_txt = ""
    else:
        goal = "below half" if target == 0.5 else f"to {pct(target, 1)} (a quarter less than today)"
        need_txt = (f"To bring China's share {goal}, {ch.supplier} would have to add about **{tonnes_text(need)} a year**, "
                    f"{num(need / A, 1) + ' times this scenario' if A > 0 else ''}"
                    f"{' and ' if A > 0 else ''}{num(need / ch.base['world_t'] * 100, 0)}% of today's world output.")
    return ("## How much supply would it take?\n\nThe chart reruns the scenario for added supply from 0 to "
            f"{tonnes_text(curve['top'])} a year, everything else unchanged. " + need_txt)
