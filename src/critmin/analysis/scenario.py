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

Stages. Each production table is one stage of the supply chain (:data:`STAGE_ORDER`: the mine; the refinery,
smelter or separation plant; metal; manufactured product). The buyer's net import reliance is measured on one
form (``data/import_forms.csv``, passed as ``Scenario.imports_stage``: mine, refining, metal, or ``any`` where
the import category covers every form). New supply replaces the buyer's imports only if it enters the chain at
that stage or later (:func:`reaches_imports`); otherwise nothing is sold to the buyer (B = 0, D = 0) and its
measures after equal those before. Mined rare-earth concentrate does not replace imported compounds and metals:
separating it outside China is a different scenario, at the refining stage.

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
from critmin.text import UNIT_IN_T

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
    "stage_tables",
    "stage_order",
    "reaches_imports",
    "STAGE_ORDER",
    "IMPORT_STAGES",
    "DEFAULT_SUPPLY",
    "ILLUSTRATIVE_WORLD_SHARE",
    "MAX_MULTIPLE_OF_WORLD",
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
    imports_stage
        the stage of the form the buyer's net import reliance is measured on (:data:`IMPORT_STAGES`, from
        ``data/import_forms.csv``). Required whenever the buyer's reliance and import shares are given: without
        it the model cannot tell whether the new tonnes can replace the buyer's imports.
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
    imports_stage: str | None = None

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
        if self.imports_stage is not None and self.imports_stage not in IMPORT_STAGES:
            raise ParameterError(f"imports_stage must be one of {IMPORT_STAGES}; got {self.imports_stage!r}")


# Order of the supply-chain stages the production and processing tables name: USGS's refinery, smelter and
# processing tables and the processing table's refining stage are all the first step after the mine.
STAGE_ORDER = {"mine": 1, "mining": 1, "refinery": 2, "smelter": 2, "processing": 2, "refining": 2, "separation": 2,
               "metal": 3, "product": 4}
IMPORT_STAGES = ("mine", "refining", "metal", "any")


def stage_order(stage: str) -> int:
    """1 for the mine, 2 for the first processing step (refinery, smelter, separation), 3 metal, 4 product."""
    try:
        return STAGE_ORDER[str(stage)]
    except KeyError:
        raise ParameterError(f"unknown supply-chain stage {stage!r}; allowed: {sorted(STAGE_ORDER)}") from None


def reaches_imports(entry_stage: str, imports_stage: str) -> bool:
    """Whether supply entering the chain at ``entry_stage`` can replace imports measured at ``imports_stage``:
    at that stage or later, or always where the imports cover every form (``'any'``)."""
    if imports_stage not in IMPORT_STAGES:
        raise ParameterError(f"imports_stage must be one of {IMPORT_STAGES}; got {imports_stage!r}")
    return imports_stage == "any" or stage_order(entry_stage) >= stage_order(imports_stage)


def stage_tables(production: pd.DataFrame, processing: pd.DataFrame) -> pd.DataFrame:
    """The production tables a scenario can start from: USGS's (``data/production.csv``, every stage it has)
    plus, for a stage USGS has no table for, the country tonnages of ``data/processing.csv`` in the same
    long form (``row_kind`` country or world_total, ``unit`` t, ``publisher`` and ``edition`` of the source).

    Only processing blocks that give every listed country's tonnes and the publisher's world total are used,
    so Table 7's leading-country figures are left out (China's share is unknown where it is not the leader).
    Where two sources give the same stage, USGS's world tables come before the IEA's.
    """
    prod = production.copy()
    prod["publisher"] = "USGS"
    have = {(m, stage_order(st)) for m, st in prod[["mineral", "stage"]].drop_duplicates().itertuples(index=False)}
    p = processing[(processing["measure"] == "output") & (processing["source_table"] != "mcs2026_t7")
                   & processing["tonnes"].notna() & processing["world_tonnes"].notna()]
    rank = {"mcs2026_world": 0, "iea_cmde2024": 1}
    p = p.assign(_rank=p["source_table"].map(rank).fillna(9))
    frames = [prod]
    for (mineral, stage), block in p.groupby(["mineral", "stage"], sort=True):
        if (mineral, stage_order(stage)) in have:
            continue
        # NOTE: one source per stage: the preferred one, all of its years.
        block = block[block["_rank"] == block["_rank"].min()]
        world = block.drop_duplicates(["year", "product"])
        both = pd.DataFrame({
            "mineral": [*block["mineral"], *world["mineral"]], "stage": [*block["stage"], *world["stage"]],
            "product": [*block["product"], *world["product"]],
            "country": [*block["country"], *["World total"] * len(world)],
            "iso3": [*block["iso3"], *[None] * len(world)],
            "row_kind": ["country"] * len(block) + ["world_total"] * len(world),
            "year": [*block["year"], *world["year"]], "value": [*block["tonnes"], *world["world_tonnes"]],
            "edition": [*block["edition"], *world["edition"]], "origin": [*block["source_table"], *world["source_table"]],
            "publisher": [*block["publisher"], *world["publisher"]]})
        frames.append(both.assign(year=both["year"].astype("int64"), value=both["value"].astype("float64"), unit="t"))
    out = pd.concat(frames, ignore_index=True)
    return out


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


def _summaries(tables: pd.DataFrame, sc: Scenario, denominator: str, key: str = "_point") -> dict:
    """World production, China's and the supplier's share, and HHI of each production table in ``tables``
    (the tables stacked, told apart by the ``key`` column): key value → summary."""
    by = [c for c in ("mineral", "year") if c in tables.columns] + [key]
    countries, h = metrics.country_shares_and_hhi(tables, ["CHN", sc.supplier_iso3], by, denominator=denominator)
    china, sup, h = countries["CHN"].set_index(key), countries[sc.supplier_iso3].set_index(key), h.set_index(key)
    out = {}
    for k in china.index:
        c, s, hh = china.loc[k], sup.loc[k], h.loc[k]
        listed = s["status"] != "not_listed"
        out[k] = {
            "world": c["total"],
            "china_prod": c["value"],
            "sup_prod": s["value"] if listed else 0.0,
            "china_share": c["share"],
            "sup_share": s["share"] if listed else 0.0,
            "hhi": hh["hhi"],
            "denominator": hh["denominator"],
        }
    return out


def _summary(table: pd.DataFrame, sc: Scenario, denominator: str) -> dict:
    """World production, China's and the supplier's share, and HHI of one production table."""
    return _summaries(table.assign(_point=0), sc, denominator)[0]


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
    return _compute_many(production_df, reliance_nir_pct, china_import_share, [sc], buyer_consumption_t,
                         denominator)[0]


def _compute_many(production_df, reliance_nir_pct, china_import_share, scs: list[Scenario], buyer_consumption_t,
                  denominator) -> list[dict]:
    """The arithmetic of :func:`run` for scenarios that differ only in their added supply: the starting table is
    selected and summarised once, and the tables after are summarised together."""
    if not _unknown(reliance_nir_pct) and (not _number(reliance_nir_pct) or not 0 <= reliance_nir_pct <= 100):
        raise ParameterError(f"reliance_nir_pct must be a percentage in the range 0–100; got {reliance_nir_pct!r}")
    if not _unknown(china_import_share) and (not _number(china_import_share) or not 0 <= china_import_share <= 1):
        raise ParameterError(
            f"china_import_share must be a fraction in the range 0–1 (e.g. 0.62 for 62 %); got {china_import_share!r}"
        )
    if buyer_consumption_t is not None and (not _number(buyer_consumption_t) or not buyer_consumption_t >= 0):
        raise ParameterError(f"buyer_consumption_t must be a number of tonnes ≥ 0; got {buyer_consumption_t!r}")
    sc0 = scs[0]
    before = _select(production_df, sc0)
    tpu = _tonnes_per_unit(before)
    b0 = _summary(before, sc0, denominator)
    world0_t = b0["world"] * tpu
    if not np.isfinite(world0_t):
        raise ParameterError(f"{sc0.mineral}: world production is unknown (all values missing)")
    limit = MAX_MULTIPLE_OF_WORLD * world0_t
    afters = []
    for i, sc in enumerate(scs):
        if sc.added_supply_t > limit:
            raise ParameterError(
                f"added_supply_t must be in the range 0–{limit:,.0f} t ({MAX_MULTIPLE_OF_WORLD}× the {world0_t:,.0f} t "
                f"of world {sc.mineral} production); got {_magnitude(sc.added_supply_t)} t"
            )
        afters.append(_after_table(before, sc, sc.added_supply_t / tpu, b0["world"]).assign(_point=i))
    a1s = _summaries(pd.concat(afters, ignore_index=True), sc0, denominator)
    entry = str(before["stage"].iloc[0]) if "stage" in before.columns else "mine"
    buyer_known = not (_unknown(reliance_nir_pct) or _unknown(china_import_share))
    if buyer_known and sc0.imports_stage is None:
        raise ParameterError(
            f"{sc0.mineral}: imports_stage is needed with the buyer's figures (the stage of the form its import "
            f"reliance is measured on, data/import_forms.csv; one of {IMPORT_STAGES})")
    reaches = True if sc0.imports_stage is None else reaches_imports(entry, sc0.imports_stage)
    unit = before["unit"].iloc[0] if "unit" in before.columns else "t"
    out = []
    for i, sc in enumerate(scs):
        a1 = a1s[i]
        c0, c1 = b0["china_share"], a1["china_share"]
        if reaches:
            # NOTE: under 'market' nothing is sold to the buyer in particular, so no tonnage is attributed to it.
            to_buyer = np.nan if sc.displaces == "market" else sc.added_supply_t * sc.share_to_buyer
            ratio = c1 / c0 if c0 > 0 else 1.0
            buyer = _buyer(reliance_nir_pct, china_import_share, buyer_consumption_t, to_buyer, sc.displaces, ratio)
        else:
            # Supply at an earlier stage than the buyer's imports cannot be sold to it as those imports.
            to_buyer = 0.0
            # China's share of its imports is unchanged, whatever the buyer's consumption.
            buyer = _buyer(reliance_nir_pct, china_import_share, buyer_consumption_t, 0.0, "market", 1.0)
            if buyer_known:
                buyer["displaced"] = 0.0
        out.append({"before": b0, "after": a1, "tpu": tpu, "year": before["year"].iloc[0], "to_buyer": to_buyer,
                    "buyer": buyer, "unit": unit, "entry_stage": entry, "reaches": reaches})
    return out


def _measures(r: dict) -> list[tuple[str, float, float, str]]:
    """(measure, before, after, unit) of one computed scenario, in the order :func:`run` reports them."""
    b0, a1, t, by = r["before"], r["after"], r["tpu"], r["buyer"]
    return [
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
    ``attrs`` hold the scenario, the ``year`` used, the ``denominator``, the table's ``unit``, its stage
    (``entry_stage``) and ``reaches_buyer_imports``: False where the new supply enters the chain before the
    stage of the buyer's imports, so that the buyer measures do not move (see the module docstring).
    """
    r = _compute(production_df, reliance_nir_pct, china_import_share, scenario, buyer_consumption_t, denominator)
    rows = _measures(r)
    out = pd.DataFrame(rows, columns=["measure", "before", "after", "unit"]).astype({"before": "float64", "after": "float64"})
    out["change"] = out["after"] - out["before"]
    out = out[["measure", "before", "after", "change", "unit"]]
    out.attrs.update(
        scenario=dataclasses.asdict(scenario), year=int(r["year"]), denominator=r["before"]["denominator"], unit=r["unit"],
        entry_stage=r["entry_stage"], reaches_buyer_imports=r["reaches"],
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
    supplies = [float(a) for a in supplies]
    if not supplies:
        raise ParameterError("supplies is empty; give at least one added supply in tonnes")
    runs = _compute_many(production_df, reliance_nir_pct, china_import_share,
                         [dataclasses.replace(scenario, added_supply_t=a) for a in supplies], buyer_consumption_t,
                         denominator)
    frames = []
    for a, r in zip(supplies, runs, strict=True):
        row = {"added_supply_t": a}
        for m, b, af, _ in _measures(r):
            row[f"{m}_before"], row[f"{m}_after"] = b, af  # missing values kept, so every column exists
        frames.append(row)
    return pd.DataFrame(frames).astype("float64").reset_index(drop=True)


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


def buyer_inputs(reliance_df: pd.DataFrame, sources_df: pd.DataFrame, mineral: str, year: int | None = None,
                 forms: pd.DataFrame | None = None) -> dict:
    """The buyer's net import reliance and China's share of its imports, with where each came from.

    NIR: the value for ``year`` if reported, else the newest earlier year, else the newest year (a net
    exporter counts as 0; a censored value such as ">50" is used at its bound and keeps ``nir_flag``);
    ``nir_latest_year`` and ``nir_latest_pct`` give the newest year USGS reports, for a page to set beside it.
    Import sources: the newest edition, in the category ``forms`` (``data/import_forms.csv``) names for the
    mineral — the form the reliance is measured on — else the total/all-forms one (see
    :func:`critmin.metrics.exposure_table`). ``china_import_status`` is ``listed`` (share known or not),
    ``not_listed`` or ``no_data``. ``imports_stage`` and ``import_forms`` are that row's stage and forms
    (None without ``forms`` or where it has no row for the mineral).

    NOTE: where China is not among the major sources the publisher lists, its share of imports is taken
    as 0 (``china_share_assumed_zero`` is True): it is at most the unlisted remainder, which USGS does not
    break down.
    """
    rel_all = reliance_df[reliance_df["mineral"] == mineral]
    rel = rel_all
    if year is not None and (rel["year"] <= year).any():
        rel = rel[(rel["year"] <= year).fillna(False).to_numpy(dtype=bool)]
    src = sources_df[sources_df["mineral"] == mineral]
    form = None
    if forms is not None:
        hit = forms[(forms["mineral"] == mineral).fillna(False).to_numpy(dtype=bool)]
        form = hit.iloc[0].to_dict() if not hit.empty else None
    supply = pd.DataFrame({"mineral": [mineral], "share": [np.nan]})
    t = metrics.exposure_table(rel, src, supply, category={mineral: form["category"]} if form else None)
    t = t[t["mineral"] == mineral]
    out = {
        "nir_pct": np.nan, "nir_year": None, "nir_flag": None, "nir_raw": None, "nir_basis": None,
        "nir_latest_year": None, "nir_latest_pct": np.nan, "nir_latest_flag": None,
        "china_import_share": np.nan, "china_import_status": "no_data", "china_import_rank": None,
        "import_edition": None, "import_period": None, "import_category": None, "china_share_assumed_zero": False,
        "imports_stage": form["stage"] if form else None, "import_forms": form["forms"] if form else None,
    }
    latest = metrics.exposure_table(rel_all, src.iloc[0:0], supply)
    latest = latest[latest["mineral"] == mineral]
    if not latest.empty and pd.notna(latest.iloc[0]["nir_year"]):
        out.update(nir_latest_year=int(latest.iloc[0]["nir_year"]), nir_latest_pct=float(latest.iloc[0]["nir_pct"]),
                   nir_latest_flag=latest.iloc[0].get("nir_flag") if pd.notna(latest.iloc[0].get("nir_flag")) else None)
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
