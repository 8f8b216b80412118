"""Governance-weighted concentration and the JRC-style supply-risk score, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.analysis import risk

NA = np.nan

# WGI estimates: scaled score = 2 × (2.5 − estimate)
WGI = pd.DataFrame([
    dict(iso3="CHN", year=2023, estimate=-0.5),   # → 6
    dict(iso3="AUS", year=2023, estimate=1.0),    # → 3
    dict(iso3="COD", year=2023, estimate=-2.0),   # → 9
    dict(iso3="RUS", year=2023, estimate=-1.5),   # → 8
    dict(iso3="CAN", year=2022, estimate=1.5),    # → 2, one year early
])


@pytest.mark.parametrize("estimate, scaled", [(-2.5, 10), (2.5, 0), (0, 5), (1.0, 3), (-3.0, 10), (2.8, 0)])
def test_scale_wgi(estimate, scaled):
    assert risk.scale_wgi(estimate) == pytest.approx(scaled)


def test_wgi_scores_and_carry_back():
    s = risk.wgi_scores(WGI, 2023)
    assert s.to_dict() == pytest.approx({"AUS": 3.0, "CHN": 6.0, "COD": 9.0, "RUS": 8.0})
    assert risk.wgi_scores(WGI, 2023, carry_back=1)["CAN"] == pytest.approx(2.0)
    with pytest.raises(risk.RiskError, match="no WGI estimates for 2010"):
        risk.wgi_scores(WGI, 2010)


SCORES = risk.wgi_scores(WGI, 2023)
AMOUNTS = {"CHN": 60.0, "AUS": 30.0, "COD": 10.0}


def test_weighted_hhi_jrc_weighting():
    r = risk.weighted_hhi(AMOUNTS, SCORES)
    # shares 0.6, 0.3, 0.1: HHI = 0.36 + 0.09 + 0.01; weighted 0.36·6 + 0.09·3 + 0.01·9 = 2.52
    assert r.hhi == pytest.approx(0.46)
    assert r.hhi_wgi == pytest.approx(2.52)
    assert r.coverage == pytest.approx(1.0) and r.n_suppliers == 3
    assert list(r.shares.index) == ["CHN", "AUS", "COD"]


@pytest.mark.parametrize("weight, expected", [(0.0, 2.3), (0.5, 2.41), (1.0, 2.52)])
def test_weighted_hhi_between_plain_and_governance(weight, expected):
    # weight 0: every producer scores 5, so 5 × 0.46; weight 0.5: scores 5.5, 4 and 7
    assert risk.weighted_hhi(AMOUNTS, SCORES, weight=weight).hhi_wgi == pytest.approx(expected)


def test_weighted_hhi_without_a_score_and_with_a_larger_total():
    r = risk.weighted_hhi({"CHN": 60.0, "AUS": 30.0, "XXX": 10.0}, SCORES)
    assert r.hhi_wgi == pytest.approx(0.36 * 6 + 0.09 * 3)  # XXX has no WGI score
    assert r.coverage == pytest.approx(0.9)
    t = risk.weighted_hhi({"CHN": 60.0, "AUS": 30.0}, SCORES, total=100.0)  # 10 in a residual row
    assert t.hhi == pytest.approx(0.45)
    assert t.shares.sum() == pytest.approx(0.9)


@pytest.mark.parametrize("kwargs, message", [
    ({"weight": 1.5}, "between 0"), ({"weight": "high"}, "must be a number"), ({"total": 50.0}, "at least the sum"),
])
def test_weighted_hhi_bad_arguments(kwargs, message):
    with pytest.raises(risk.RiskError, match=message):
        risk.weighted_hhi(AMOUNTS, SCORES, **kwargs)


def test_weighted_hhi_refuses_negative_amounts():
    with pytest.raises(risk.RiskError, match="negative"):
        risk.weighted_hhi({"CHN": -1.0}, SCORES)


def test_supply_risk_formula():
    r = risk.supply_risk(2.52, 4.0, 0.8)
    # 2.52 × 0.8/2 + 4.0 × (1 − 0.8/2) = 1.008 + 2.4
    assert isinstance(r, risk.SupplyRisk)
    assert r.score == pytest.approx(3.408)
    assert risk.supply_risk(2.0, 4.0, 0.0).score == pytest.approx(4.0)   # no import reliance: sourcing only
    assert risk.supply_risk(2.0, 4.0, 1.0).score == pytest.approx(3.0)   # full reliance: half and half
    with pytest.raises(risk.RiskError, match="fraction between 0 and 1"):
        risk.supply_risk(2.0, 4.0, 80)
    with pytest.raises(risk.RiskError, match="between 0 and 10"):
        risk.supply_risk(12.0, 4.0, 0.5)


RELIANCE = pd.DataFrame([
    dict(mineral="a", year=2023, nir_pct=100.0, flag=None),
    dict(mineral="b", year=2023, nir_pct=95.0, flag="censored_gt"),
    dict(mineral="c", year=2023, nir_pct=NA, flag="net_exporter"),
    dict(mineral="d", year=2023, nir_pct=NA, flag="withheld"),
    dict(mineral="d", year=2021, nir_pct=40.0, flag=None),
])


@pytest.mark.parametrize("mineral, expected", [("a", (1.0, 2023)), ("b", (0.95, 2023)), ("c", (0.0, 2023)),
                                               ("d", (0.4, 2021)), ("e", None)])
def test_import_reliance(mineral, expected):
    assert risk.import_reliance(RELIANCE, mineral, 2023) == (pytest.approx(expected) if expected else None)


def test_import_reliance_carry_back_limit():
    assert risk.import_reliance(RELIANCE, "d", 2023, carry_back=1) is None


def production(rows):
    return pd.DataFrame([dict(mineral=m, stage="mine", product="ore", country=i or "Other countries", iso3=i,
                              row_kind=k, year=2023, value=v) for m, i, k, v in rows])


PRODUCTION = production([
    ("a", "AUS", "country", 100.0),                  # one stable producer
    ("a", None, "world_total", 120.0),               # the world total never enters
    ("b", "COD", "country", 50.0), ("b", "RUS", "country", 50.0),  # two unstable producers
    ("c", "CHN", "country", 10.0),                   # no import codes
])
PRODUCTS = pd.DataFrame([dict(hs_code="a1", mineral="a", stage="mine"), dict(hs_code="b1", mineral="b", stage="mine"),
                         dict(hs_code="b2", mineral="b", stage="refinery")])
IMPORTS = pd.DataFrame([
    dict(hs_code="a1", year=2023, exporter_iso3="AUS", value_kusd=7.0),
    dict(hs_code="b1", year=2023, exporter_iso3="COD", value_kusd=5.0),
    dict(hs_code="b1", year=2023, exporter_iso3="RUS", value_kusd=5.0),
    dict(hs_code="b2", year=2023, exporter_iso3="CAN", value_kusd=10.0),
])
IR = pd.DataFrame([dict(mineral=m, year=2023, nir_pct=100.0, flag=None) for m in "abc"])


def ranking(**kw):
    return risk.rank_minerals(PRODUCTION, IMPORTS, PRODUCTS, IR, WGI, year=2023, **kw)


def test_ranking_flips_with_the_weighting():
    r = ranking(weights=(0.0, 1.0))
    t = r.table.set_index(["weight", "mineral"])
    # a: HHI 1 at home and in imports. weight 0: 5 and 5 → SR 5; weight 1 (AUS scores 3): SR 3
    # b: HHI 0.5. weight 0: 2.5 and 2.5 → 2.5; weight 1: 0.25·9 + 0.25·8 = 4.25 for both terms → 4.25
    assert t.loc[(0.0, "a"), "score"] == pytest.approx(5.0)
    assert t.loc[(1.0, "a"), "score"] == pytest.approx(3.0)
    assert t.loc[(0.0, "b"), "score"] == pytest.approx(2.5)
    assert t.loc[(1.0, "b"), "score"] == pytest.approx(4.25)
    assert t.loc[(0.0, "a"), "rank"] == 1 and t.loc[(1.0, "b"), "rank"] == 1
    assert t.loc[(0.0, "b"), "hhi_global"] == pytest.approx(5000)
    shift = r.shift.set_index("mineral")
    assert shift.loc["b", "change"] == 1 and shift.loc["a", "change"] == -1
    assert r.skipped == {"c": "no BACI HS code for c at stage mine, or no US imports in 2023"}
    assert (r.year, r.stage, r.import_stage, r.weights) == (2023, "mine", "mine", (0.0, 1.0))


def test_ranking_with_all_import_codes():
    r = ranking(weights=(1.0,), import_stage="all", minerals=["b"])
    row = r.table.iloc[0]
    # imports of b pooled: COD 5, RUS 5, CAN 10 of 20 → 0.0625·9 + 0.0625·8 + 0.25·2 (CAN carried back from 2022)
    assert row["hhi_wgi_imports"] == pytest.approx(0.0625 * 9 + 0.0625 * 8 + 0.25 * 2)
    assert row["score"] == pytest.approx(4.25 * 0.5 + (0.0625 * 17 + 0.5) * 0.5)


@pytest.mark.parametrize("kwargs, message", [
    ({"stage": "refinery"}, "allowed: mine"), ({"year": 2019}, "allowed: 2023"),
    ({"minerals": ["zz"]}, r"allowed: a, b, c"), ({"weights": (2.0,)}, "between 0"),
    ({"import_stage": "ore"}, "allowed"), ({"weights": ()}, "at least one weight"),
])
def test_ranking_bad_arguments(kwargs, message):
    kw = {"year": 2023, **kwargs}
    with pytest.raises(risk.RiskError, match=message):
        risk.rank_minerals(PRODUCTION, IMPORTS, PRODUCTS, IR, WGI, **kw)


def test_ranking_falls_back_to_all_codes_only_where_the_stage_has_none():
    products = pd.concat([PRODUCTS, pd.DataFrame([dict(hs_code="c2", mineral="c", stage="refinery")])])
    imports = pd.concat([IMPORTS, pd.DataFrame([dict(hs_code="c2", year=2023, exporter_iso3="CHN", value_kusd=4.0)])])
    r = risk.rank_minerals(PRODUCTION, imports, products, IR, WGI, year=2023, weights=(1.0,),
                           import_stage="fallback")
    t = r.table.set_index("mineral")
    assert t["import_codes"].to_dict() == {"a": "mine", "b": "mine", "c": "all"}
    # b keeps its mine code only (COD and RUS), not the refinery code from Canada
    assert t.loc["b", "hhi_wgi_imports"] == pytest.approx(0.25 * 9 + 0.25 * 8)
    assert t.loc["c", "hhi_wgi_imports"] == pytest.approx(6.0)
    assert (t.loc["c", "top_global"], t.loc["c", "top_global_share"]) == ("CHN", pytest.approx(1.0))
    assert r.skipped == {}
    assert "c" in ranking(weights=(1.0,)).skipped  # without the fallback c has no sourcing term
