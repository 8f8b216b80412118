"""The what-if model, checked against scenarios worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from critmin.scenario import Scenario, run, sensitivity


def table(rows, mineral="antimony", stage="mining", year=2024, unit="t"):
    return pd.DataFrame(
        [dict(mineral=mineral, stage=stage, product=None, country=c, iso3=i, row_kind=k, year=year, value=v, unit=unit)
         for c, i, k, v in rows]
    )


# World 100 t: China 60, Australia 30, Russia 10; the supplier (Pakistan) is not listed.
WORLD = [
    ("China", "CHN", "country", 60),
    ("Australia", "AUS", "country", 30),
    ("Russia", "RUS", "country", 10),
    ("World total", None, "world_total", 100),
]
# Buyer: net import reliance 80 %, half of imports from China, apparent consumption 50 t.
#   imports I = 0.8 × 50 = 40 t; from China Mc = 0.5 × 40 = 20 t; reliance on China R0 = 0.8 × 0.5 = 0.4
NIR, M, Q = 80, 0.5, 50


def result(sc, df=None, q=Q, **kw):
    return run(table(WORLD) if df is None else df, NIR, M, sc, buyer_consumption_t=q, **kw).set_index("measure")


def test_add_ten_tonnes_by_hand():
    r = result(Scenario("antimony", 10))
    # world 100 → 110; China 60/100 = 0.6 → 60/110 = 0.545454...; Pakistan 0 → 10/110 = 0.090909...
    assert r.loc["world_production", ["before", "after"]].tolist() == pytest.approx([100, 110])
    assert r.loc["china_share", "before"] == pytest.approx(0.6)
    assert r.loc["china_share", "after"] == pytest.approx(60 / 110)
    assert r.loc["china_share", "after"] == pytest.approx(0.5454545)
    assert r.loc["supplier_share", ["before", "after"]].tolist() == pytest.approx([0, 10 / 110])
    # HHI before: 60² + 30² + 10² = 3600 + 900 + 100 = 4600
    # HHI after: (60² + 30² + 10² + 10²) / 1.1² = 4700 / 1.21 = 3884.2975...
    assert r.loc["hhi", "before"] == pytest.approx(4600)
    assert r.loc["hhi", "after"] == pytest.approx(3884.2975, abs=1e-3)
    # displaces China first: D = min(10, 20) = 10; R1 = (20 - 10) / 50 = 0.2; import share 10 / 40 = 0.25
    assert r.loc["buyer_reliance_on_china", ["before", "after"]].tolist() == pytest.approx([0.4, 0.2])
    assert r.loc["buyer_china_import_share", "after"] == pytest.approx(0.25)
    assert r.loc["buyer_nir", "after"] == pytest.approx(80)  # Pakistani tonnes are still imports
    assert r.loc["displaced_from_china", "after"] == pytest.approx(10)
    assert r.loc["china_share", "change"] == pytest.approx(60 / 110 - 0.6)


def test_proportional_displacement():
    r = result(Scenario("antimony", 10, displaces="proportional"))
    # D = m × min(B, I) = 0.5 × 10 = 5; R1 = (20 - 5) / 50 = 0.3; import share 15 / 40 = 0.375
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(0.3)
    assert r.loc["buyer_china_import_share", "after"] == pytest.approx(0.375)


def test_no_displacement_adds_to_consumption():
    r = result(Scenario("antimony", 10, displaces="none"))
    # Q1 = 60, I1 = 50: R1 = 20 / 60 = 0.3333; NIR 50/60 = 83.33 %; import share 20 / 50 = 0.4
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(1 / 3)
    assert r.loc["buyer_nir", "after"] == pytest.approx(250 / 3)
    assert r.loc["buyer_china_import_share", "after"] == pytest.approx(0.4)


def test_share_to_buyer():
    r = result(Scenario("antimony", 10, share_to_buyer=0.5))
    # B = 5: R1 = (20 - 5) / 50 = 0.3; world figures do not depend on who buys
    assert r.loc["supplied_to_buyer", "after"] == pytest.approx(5)
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(0.3)
    assert r.loc["china_share", "after"] == pytest.approx(60 / 110)


def test_displacement_cannot_exceed_imports_from_china():
    r = result(Scenario("antimony", 30))
    # B = 30 > Mc = 20: all Chinese imports replaced, R1 = 0
    assert r.loc["displaced_from_china", "after"] == pytest.approx(20)
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(0)


def test_world_growth_absorbs_holds_world_output():
    r = result(Scenario("antimony", 10, world_growth_absorbs=True))
    # k = (100 - 0 - 10) / 100 = 0.9: China 54, Australia 27, Russia 9, Pakistan 10
    assert r.loc["world_production", "after"] == pytest.approx(100)
    assert r.loc["china_production", "after"] == pytest.approx(54)
    assert r.loc["china_share", "after"] == pytest.approx(0.54)
    # 54² + 27² + 9² + 10² = 2916 + 729 + 81 + 100 = 3826
    assert r.loc["hhi", "after"] == pytest.approx(3826)
    with pytest.raises(ValueError, match="cannot exceed"):
        result(Scenario("antimony", 101, world_growth_absorbs=True))


def test_supplier_already_producing():
    df = table([("China", "CHN", "country", 60), ("Australia", "AUS", "country", 30), ("Pakistan", "PAK", "country", 10)])
    r = result(Scenario("antimony", 10), df=df)
    # Pakistan 10 → 20 of 110; HHI (60² + 30² + 20²) / 1.1² = 4900 / 1.21 = 4049.5868
    assert r.loc["supplier_share", ["before", "after"]].tolist() == pytest.approx([0.1, 20 / 110])
    assert r.loc["hhi", "after"] == pytest.approx(4900 / 1.21)


def test_world_total_denominator():
    df = table(WORLD[:3] + [("Other countries", None, "other", 20), ("World total", None, "world_total", 120)])
    r = result(Scenario("antimony", 10), df=df, denominator="world_total")
    # 60 / 120 = 0.5 → 60 / 130
    assert r.loc["china_share", ["before", "after"]].tolist() == pytest.approx([0.5, 60 / 130])
    assert r.loc["world_production", "after"] == pytest.approx(130)


def test_kilogram_tables_are_converted():
    df = table([(c, i, k, v * 1000) for c, i, k, v in WORLD], unit="kg")
    r = result(Scenario("antimony", 10), df=df)  # 10 t added to a 100,000 kg = 100 t world
    assert r.loc["world_production", "after"] == pytest.approx(110)
    assert r.loc["china_share", "after"] == pytest.approx(60 / 110)


def test_without_buyer_consumption_the_after_side_is_missing():
    r = result(Scenario("antimony", 10), q=None)
    assert r.loc["buyer_reliance_on_china", "before"] == pytest.approx(0.4)
    assert math.isnan(r.loc["buyer_reliance_on_china", "after"])
    assert r.loc["china_share", "after"] == pytest.approx(60 / 110)


def test_zero_supply_changes_nothing():
    r = result(Scenario("antimony", 0))
    assert (r["change"].abs() < 1e-12).all()


def test_year_and_stage_selection():
    df = pd.concat([
        table(WORLD, year=2023),
        table([("China", "CHN", "country", 50), ("Chile", "CHL", "country", 50)], year=2024),
        table([("China", "CHN", "country", 9), ("Chile", "CHL", "country", 1)], stage="refining", year=2024),
    ])
    with pytest.raises(ValueError, match="several stages"):
        result(Scenario("antimony", 10), df=df)
    r = result(Scenario("antimony", 0, stage="mining"), df=df)
    assert r.loc["china_share", "before"] == pytest.approx(0.5)  # newest year, 2024
    r = result(Scenario("antimony", 0, stage="mining", year=2023), df=df)
    assert r.loc["china_share", "before"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="no production rows"):
        result(Scenario("copper", 1), df=df)


@pytest.mark.parametrize("bad", [-1, -0.001, float("nan"), float("inf"), "10", None, True])
def test_bad_added_supply_is_rejected(bad):
    with pytest.raises(ValueError, match="range 0"):
        Scenario("antimony", bad)


def test_absurd_added_supply_is_rejected():
    result(Scenario("antimony", 1000))  # exactly 10× world production is allowed
    with pytest.raises(ValueError, match=r"range 0–1000 t"):
        result(Scenario("antimony", 1000.5))


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), None])
def test_share_to_buyer_out_of_range(bad):
    with pytest.raises(ValueError, match="0–1"):
        Scenario("antimony", 10, share_to_buyer=bad)


def test_other_bad_inputs():
    with pytest.raises(ValueError, match="displaces"):
        Scenario("antimony", 10, displaces="us")
    with pytest.raises(ValueError, match="china_import_share"):
        run(table(WORLD), NIR, 62, Scenario("antimony", 10))  # percent passed as a fraction
    with pytest.raises(ValueError, match="reliance_nir_pct"):
        run(table(WORLD), 120, M, Scenario("antimony", 10))
    withheld = table(WORLD + [("Pakistan", "PAK", "country", np.nan)])
    with pytest.raises(ValueError, match="withheld"):
        run(withheld, NIR, M, Scenario("antimony", 10))


def test_sensitivity():
    s = sensitivity(table(WORLD), NIR, M, Scenario("antimony", 0), [0, 10, 20, 40], buyer_consumption_t=Q)
    assert s["added_supply_t"].tolist() == [0, 10, 20, 40]
    # China's share 60 / (100 + A): 0.6, 0.5454, 0.5, 0.4286
    assert s["china_share_after"].tolist() == pytest.approx([0.6, 60 / 110, 0.5, 60 / 140])
    assert (s["china_share_before"] == 0.6).all()
    assert s["hhi_after"].is_monotonic_decreasing
    # reliance on China: (20 - min(A, 20)) / 50
    assert s["buyer_reliance_on_china_after"].tolist() == pytest.approx([0.4, 0.2, 0.0, 0.0])
    with pytest.raises(ValueError):
        sensitivity(table(WORLD), NIR, M, Scenario("antimony", 0), [])
