r"""Supply risk in the spirit of the EU criticality method: concentration weighted by producers' governance.

**Method.** The European Commission's criticality assessment (Blengini et al. 2017, *Methodology for
establishing the EU list of critical raw materials*, JRC, doi:10.2760/73303) measures supply risk from the
Herfindahl–Hirschman index of supplying countries, each country's squared share weighted by its governance:

.. math::

    \mathrm{HHI}_{WGI} = \sum_c s_c^2 \cdot \mathrm{WGI}_c

with :math:`s_c` the share of country *c* (a fraction, so :math:`\sum_c s_c = 1`) and :math:`\mathrm{WGI}_c` the
World Bank Worldwide Governance Indicators estimate rescaled to 0–10 with 10 the least stable:
:math:`\mathrm{WGI}_c = 2\,(2.5 - e_c)`, where :math:`e_c` is the estimate (about −2.5 to +2.5), clipped to
[0, 10] because a few estimates fall outside ±2.5. :math:`\mathrm{HHI}_{WGI}` runs from 0 to 10.

The JRC combines the concentration of global supply (GS) with that of the EU's actual sourcing, weighted by import
reliance IR:

.. math::

    SR = \left[\mathrm{HHI}_{WGI,GS}\cdot\frac{IR}{2}
          + \mathrm{HHI}_{WGI,sourcing}\cdot\left(1-\frac{IR}{2}\right)\right]\cdot(1-\mathrm{EoL_{RIR}})\cdot SI

Here the same combination is made for the **United States**: global supply from USGS country production at a
stage, sourcing from the US import partners in CEPII BACI (by value, for the HS codes filed under the mineral
and stage), IR from USGS net import reliance.

**Limits and simplifications** (say them wherever a score is shown):

* Only one WGI dimension is available, *Political Stability and Absence of Violence/Terrorism*. The JRC uses
  the average of all six WGI dimensions; scores here are not comparable with the EU's published values.
* The JRC's sourcing term covers the EU's own production plus imports; here it is US imports only (US
  production is not one of the partners), so a mineral the US mostly produces at home still gets a sourcing term
  from its few imports. IR carries that weight instead.
* No end-of-life recycling input rate and no substitution index (EoL_RIR = 0 and SI = 1): the score is
  concentration, governance and import reliance only.
* Countries without a WGI estimate are left out of the weighted sum, and ``coverage`` reports the share of supply
  that had one. Residual rows ("Other countries", unions) are left out of both sums of squares.
* USGS's net import reliance is censored (">95") or a net-exporter mark for some minerals: the bound is used,
  and a net exporter counts as IR = 0, as in the JRC's bounded formula.
* The JRC's export-restriction adjustment of the WGI is not applied.

**Weighting.** To see how much governance weighting drives a ranking, the functions take ``weight`` α between
0 and 1. Each producer's score becomes :math:`(1-α)\cdot 5 + α\cdot \mathrm{WGI}_c`: α = 1 is the JRC weighting,
α = 0 gives every producer the mid-scale score 5 (the world-average stability, estimate 0), so the index is
5 × plain HHI and ranks minerals by concentration alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "RiskError", "NEUTRAL", "scale_wgi", "wgi_scores", "weighted_hhi", "WeightedHHI", "SupplyRisk", "supply_risk",
    "import_reliance", "Ranking", "rank_minerals",
]

NEUTRAL = 5.0  # the score every producer gets at weight 0: mid-scale, the world-average estimate 0
STAGES = {"mine": "mine", "refinery": "refinery", "smelter": "smelter"}  # production stage → BACI product stage


class RiskError(ValueError):
    """Bad arguments to a risk function; the message lists what is allowed."""


def _weight(weight: float) -> float:
    try:
        w = float(weight)
    except (TypeError, ValueError):
        raise RiskError(f"weight must be a number between 0 and 1, not {weight!r}") from None
    if not 0.0 <= w <= 1.0 or np.isnan(w):
        raise RiskError(f"weight must be between 0 (plain HHI) and 1 (WGI-weighted), not {weight!r}")
    return w


def scale_wgi(estimate: float | pd.Series) -> float | pd.Series:
    """WGI estimate (about −2.5 weak to +2.5 strong) → 0–10 with 10 the least stable: 2·(2.5 − e), clipped."""
    return np.clip(2.0 * (2.5 - estimate), 0.0, 10.0)


def wgi_scores(wgi: pd.DataFrame, year: int, *, carry_back: int = 0) -> pd.Series:
    """Scaled scores (0–10, 10 least stable) by ISO3 for ``year`` from the package's ``wgi`` table.

    ``carry_back`` > 0 lets a country without an estimate in ``year`` use its latest estimate of up to that many
    years before (the WGI skipped 1997, 1999 and 2001). Returns a Series named ``wgi_scaled`` indexed by iso3.
    """
    for c in ("iso3", "year", "estimate"):
        if c not in wgi.columns:
            raise RiskError(f"the WGI frame needs columns iso3, year, estimate; it has {list(wgi.columns)}")
    years = sorted(set(wgi["year"].dropna().astype(int)))
    if carry_back < 0:
        raise RiskError(f"carry_back must be 0 or more years, not {carry_back}")
    ok = wgi[(wgi["year"] <= year) & (wgi["year"] >= year - carry_back) & wgi["estimate"].notna()]
    if ok.empty:
        raise RiskError(f"no WGI estimates for {year} (carry_back={carry_back}); years available: "
                        f"{years[0]}–{years[-1]} except {sorted(set(range(years[0], years[-1] + 1)) - set(years))}")
    latest = ok.sort_values("year").groupby("iso3").tail(1).set_index("iso3")
    return scale_wgi(latest["estimate"].astype(float)).rename("wgi_scaled").sort_index()


@dataclass(frozen=True)
class WeightedHHI:
    """Plain and governance-weighted concentration of one set of suppliers."""

    hhi: float        # Σ s² on the 0–1 scale (×10,000 for the usual HHI)
    hhi_wgi: float    # Σ s² · ((1−α)·5 + α·WGI), 0–10; over suppliers with a WGI score
    coverage: float   # share of supply from countries with a WGI score
    weight: float     # α
    n_suppliers: int
    shares: pd.Series = field(repr=False)  # s by iso3 (single countries only), largest first


def weighted_hhi(amounts: pd.Series | Mapping[str, float], scores: pd.Series, *, weight: float = 1.0,
                 total: float | None = None) -> WeightedHHI:
    """HHI and WGI-weighted HHI from amounts by ISO3 (single countries) and scaled WGI scores by ISO3.

    ``total`` is the denominator of the shares (default the sum of ``amounts``); pass the world total when the
    amounts leave out residual rows, so those count in the denominator but not in the sum of squares.
    """
    w = _weight(weight)
    a = pd.Series(amounts, dtype="float64").dropna()
    if (a < 0).any():
        raise RiskError(f"negative amounts for {sorted(a.index[a < 0])}")
    a = a[a > 0]
    denom = float(a.sum()) if total is None else float(total)
    if denom <= 0 or denom < a.sum() - 1e-9 * max(1.0, denom):
        raise RiskError(f"total {total!r} must be positive and at least the sum of the amounts ({a.sum()})")
    s = (a / denom).sort_values(ascending=False)
    known = s.index.intersection(scores.index)
    score = (1 - w) * NEUTRAL + w * scores.reindex(known).astype(float)
    return WeightedHHI(hhi=float((s ** 2).sum()), hhi_wgi=float((s[known] ** 2 * score).sum()),
                       coverage=float(s[known].sum() / s.sum()) if len(s) else float("nan"),
                       weight=w, n_suppliers=int(len(s)), shares=s)


@dataclass(frozen=True)
class SupplyRisk:
    """The JRC-style combination for one mineral and stage (simplified: no recycling, no substitution)."""

    hhi_wgi_global: float
    hhi_wgi_imports: float
    import_reliance: float  # 0–1
    score: float            # HHI_WGI,global · IR/2 + HHI_WGI,imports · (1 − IR/2)
    weight: float


def supply_risk(hhi_wgi_global: float, hhi_wgi_imports: float, import_reliance: float,
                weight: float = 1.0) -> SupplyRisk:
    """SR = HHI_WGI,global · IR/2 + HHI_WGI,imports · (1 − IR/2), IR a fraction between 0 and 1."""
    ir = float(import_reliance)
    if not 0.0 <= ir <= 1.0:
        raise RiskError(f"import reliance must be a fraction between 0 and 1, not {import_reliance!r}")
    for name, v in (("hhi_wgi_global", hhi_wgi_global), ("hhi_wgi_imports", hhi_wgi_imports)):
        if not 0.0 <= float(v) <= 10.0:
            raise RiskError(f"{name} must be between 0 and 10, not {v!r}")
    score = hhi_wgi_global * ir / 2 + hhi_wgi_imports * (1 - ir / 2)
    return SupplyRisk(float(hhi_wgi_global), float(hhi_wgi_imports), ir, float(score), _weight(weight))


def import_reliance(table: pd.DataFrame, mineral: str, year: int, *, carry_back: int = 2) -> tuple[float, int] | None:
    """(IR as a fraction, year used) from the package's ``import_reliance`` table, or None when there is none.

    A censored value (">95", "<25") uses its bound; a net exporter is 0. Withheld or unavailable years are skipped
    and the latest year up to ``carry_back`` years before ``year`` is used instead.
    """
    rows = table[(table["mineral"] == mineral) & (table["year"] <= year) & (table["year"] >= year - carry_back)]
    rows = rows.sort_values("year", ascending=False)
    for _, r in rows.iterrows():
        if str(r.get("flag", "")) == "net_exporter":
            return 0.0, int(r["year"])
        if pd.notna(r["nir_pct"]):
            return float(r["nir_pct"]) / 100.0, int(r["year"])
    return None


@dataclass(frozen=True)
class Ranking:
    """Minerals ranked by supply risk for several weights α (0 = plain HHI, 1 = JRC WGI weighting)."""

    year: int
    stage: str
    import_stage: str
    weights: tuple[float, ...]
    table: pd.DataFrame  # one row per mineral and weight: components, score and rank (1 = riskiest)
    shift: pd.DataFrame  # one row per mineral: rank at the lowest and the highest weight and the change
    skipped: dict[str, str]  # mineral → why it has no score


def _global_amounts(production: pd.DataFrame, mineral: str, stage: str, year: int) -> tuple[pd.Series, float] | None:
    rows = production[(production["mineral"] == mineral) & (production["stage"] == stage)
                      & (production["year"] == year)]
    if "product" in rows and rows["product"].nunique() > 1:
        # NOTE: a (mineral, stage) with several USGS series (e.g. two products) takes the largest series only.
        main = rows.groupby("product")["value"].sum().idxmax()
        rows = rows[rows["product"] == main]
    kinds = rows["row_kind"].astype("object")
    countries = rows[(kinds == "country") & rows["iso3"].notna() & rows["value"].notna()]
    if countries.empty:
        return None
    amounts = countries.groupby("iso3")["value"].sum().astype(float)
    other = rows[kinds.isin(["other", "group"]) & rows["value"].notna()]["value"].astype(float).sum()
    return amounts, float(amounts.sum() + other)


def _import_amounts(us_imports: pd.DataFrame, products: pd.DataFrame, mineral: str, stage: str,
                    year: int) -> tuple[pd.Series, float] | None:
    of_mineral = products["mineral"] == mineral
    if stage == "all":
        codes = set(products.loc[of_mineral, "hs_code"])
    elif stage in STAGES:
        codes = set(products.loc[of_mineral & (products["stage"] == STAGES[stage]), "hs_code"])
    else:
        return None
    rows = us_imports[us_imports["hs_code"].isin(codes) & (us_imports["year"] == year)]
    if rows.empty:
        return None
    value = rows["value_kusd"].astype(float)
    iso = rows["exporter_iso3"].astype("object")
    amounts = value[iso.notna()].groupby(iso[iso.notna()]).sum()
    return amounts, float(value.sum())


def rank_minerals(production: pd.DataFrame, us_imports: pd.DataFrame, products: pd.DataFrame,
                  reliance: pd.DataFrame, wgi: pd.DataFrame, *, year: int, stage: str = "mine",
                  weights: Sequence[float] = (0.0, 0.5, 1.0), minerals: Iterable[str] | None = None,
                  import_stage: str | None = None, wgi_carry_back: int = 2,
                  reliance_carry_back: int = 2) -> Ranking:
    """Rank minerals by US supply risk at one stage and year, for each weight α in ``weights``.

    Inputs are the package's ``production`` (USGS), ``baci_us_imports``, ``baci_products``, ``import_reliance``
    and ``wgi`` frames. A mineral is scored when it has USGS country production at the stage and year, US imports
    in BACI for codes of that mineral and stage, and a net import reliance (see :func:`import_reliance`); the
    others are listed in ``Ranking.skipped`` with the reason. Ranks: 1 = highest score; ties share the lower rank.

    ``import_stage`` picks the BACI codes of the sourcing term: None (default) the codes of the same stage as
    production, or ``mine``, ``refinery``, ``smelter``, or ``all`` (every code filed under the mineral, pooled by
    value), or ``fallback``: the codes of the same stage where the mineral has any, else all its codes. The
    table's ``import_codes`` column says which set each mineral's sourcing term used. The 74 BACI codes have no ores
    for cobalt, lithium, rare earths or the platinum-group metals, so at
    the mine stage those minerals need ``import_stage='all'`` (or ``'refinery'``) to be scored.

    USGS net import reliance is for the mineral as USGS measures it (often the refined form), whatever ``stage``.
    """
    allowed_import = [None, *STAGES, "all", "fallback"]
    if import_stage not in allowed_import:
        raise RiskError(f"import_stage {import_stage!r} not allowed; allowed: {allowed_import}")
    stages = sorted(set(production["stage"].dropna()))
    if stage not in stages:
        raise RiskError(f"stage {stage!r} not in the production table; allowed: {', '.join(stages)}")
    years = sorted(set(production.loc[production["stage"] == stage, "year"].dropna().astype(int)))
    if year not in years:
        raise RiskError(f"year {year} has no {stage} production; allowed: {', '.join(map(str, years))}")
    weights = tuple(_weight(w) for w in weights)
    if not weights:
        raise RiskError("give at least one weight between 0 and 1")
    have = sorted(set(production.loc[production["stage"] == stage, "mineral"].dropna()))
    chosen = have if minerals is None else list(minerals)
    unknown = sorted(set(chosen) - set(have))
    if unknown:
        raise RiskError(f"mineral(s) {unknown} have no {stage} production; allowed: {', '.join(have)}")
    scores = wgi_scores(wgi, year, carry_back=wgi_carry_back)
    rows, skipped = [], {}
    for m in chosen:
        g = _global_amounts(production, m, stage, year)
        codes = stage if import_stage in (None, "fallback") else import_stage
        imp = _import_amounts(us_imports, products, m, codes, year)
        if imp is None and import_stage == "fallback" and codes != "all":
            # NOTE: a mineral with no BACI code at the stage (cobalt, lithium, rare earths, PGMs at the mine stage)
            # takes all its codes for the sourcing term, so it is ranked rather than dropped; import_codes says so.
            codes = "all"
            imp = _import_amounts(us_imports, products, m, codes, year)
        ir = import_reliance(reliance, m, year, carry_back=reliance_carry_back)
        if g is None:
            skipped[m] = f"no USGS country production at stage {stage} in {year}"
            continue
        if imp is None:
            skipped[m] = f"no BACI HS code for {m} at stage {codes}, or no US imports in {year}"
            continue
        if ir is None:
            skipped[m] = f"no US net import reliance for {year} (or the {reliance_carry_back} years before)"
            continue
        for w in weights:
            gh = weighted_hhi(g[0], scores, weight=w, total=g[1])
            ih = weighted_hhi(imp[0], scores, weight=w, total=imp[1])
            sr = supply_risk(gh.hhi_wgi, ih.hhi_wgi, ir[0], weight=w)
            rows.append({"mineral": m, "weight": w, "hhi_global": gh.hhi * 10_000, "hhi_imports": ih.hhi * 10_000,
                         "hhi_wgi_global": gh.hhi_wgi, "hhi_wgi_imports": ih.hhi_wgi,
                         "coverage_global": gh.coverage, "coverage_imports": ih.coverage,
                         "import_reliance": ir[0], "reliance_year": ir[1], "score": sr.score,
                         "import_codes": codes, "top_global": gh.shares.index[0],
                         "top_global_share": float(gh.shares.iloc[0])})
    cols = ["mineral", "weight", "hhi_global", "hhi_imports", "hhi_wgi_global", "hhi_wgi_imports",
            "coverage_global", "coverage_imports", "import_reliance", "reliance_year", "score", "import_codes",
            "top_global", "top_global_share", "rank"]
    table = pd.DataFrame(rows, columns=cols[:-1])
    if not table.empty:
        table["rank"] = table.groupby("weight")["score"].rank(ascending=False, method="min").astype(int)
        table = table.sort_values(["weight", "rank", "mineral"]).reset_index(drop=True)
    else:
        table["rank"] = pd.Series(dtype="int64")
    lo, hi = min(weights), max(weights)
    if table.empty:
        shift = pd.DataFrame(columns=["mineral", "rank_low_weight", "rank_high_weight", "change"])
    else:
        r = table.pivot_table(index="mineral", columns="weight", values="rank", aggfunc="first")
        shift = pd.DataFrame({"rank_low_weight": r[lo], "rank_high_weight": r[hi]}).astype(int)
        shift["change"] = shift["rank_low_weight"] - shift["rank_high_weight"]  # > 0: riskier with WGI weighting
        shift = shift.reset_index().sort_values(["rank_high_weight", "mineral"]).reset_index(drop=True)
    return Ranking(year=year, stage=stage, import_stage=import_stage or stage, weights=weights, table=table, shift=shift, skipped=skipped)
