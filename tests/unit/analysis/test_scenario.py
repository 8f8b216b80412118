"""The what-if model, checked against scenarios worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from critmin.analysis import scenario as model
from critmin.analysis.scenario import run, sensitivity


def Scenario(*args, imports_stage="any", **kw):  # noqa: N802
    """The model's Scenario; unless a test says otherwise the buyer imports every form (stage 'any')."""
    return model.Scenario(*args, imports_stage=imports_stage, **kw)


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
    with pytest.raises(ValueError, match=r"range 0–1,000 t"):
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


# ---------------------------------------------------------------------------------------------------------
# 'market' displacement, unknown buyer figures, and the page helpers

from critmin.analysis.scenario import baseline, buyer_inputs, resolve_supply, supply_indicators  # noqa: E402
from critmin.params import ParameterError  # noqa: E402


def test_market_displacement_by_hand():
    r = result(Scenario("antimony", 10, displaces="market"))
    # China's world share 0.6 → 60/110; ratio = (60/110) / 0.6 = 100/110 = 0.909091
    # m1 = 0.5 × 0.909091 = 0.454545; R1 = 0.8 × 0.454545 = 0.363636; NIR unchanged
    assert r.loc["buyer_china_import_share", "after"] == pytest.approx(0.4545454, abs=1e-6)
    assert r.loc["buyer_reliance_on_china", ["before", "after"]].tolist() == pytest.approx([0.4, 0.3636364], abs=1e-6)
    assert r.loc["buyer_nir", "after"] == pytest.approx(80)
    # imports I = 40 t; displaced (0.5 - 0.454545) × 40 = 1.818182 t; nothing is sold to the buyer in particular
    assert r.loc["displaced_from_china", "after"] == pytest.approx(1.818182, abs=1e-6)
    assert math.isnan(r.loc["supplied_to_buyer", "after"])
    # the share sold to the buyer does not matter under 'market'
    r2 = result(Scenario("antimony", 10, displaces="market", share_to_buyer=0.1))
    assert r2.loc["buyer_reliance_on_china", "after"] == pytest.approx(r.loc["buyer_reliance_on_china", "after"])


def test_market_needs_no_buyer_consumption():
    r = result(Scenario("antimony", 10, displaces="market"), q=None)
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(0.8 * 0.5 * 100 / 110)
    assert math.isnan(r.loc["displaced_from_china", "after"])


def test_unknown_buyer_figures_leave_buyer_measures_missing():
    for nir, m in [(np.nan, M), (NIR, None), (None, np.nan)]:
        r = run(table(WORLD), nir, m, Scenario("antimony", 10), buyer_consumption_t=Q).set_index("measure")
        assert math.isnan(r.loc["buyer_reliance_on_china", "before"])
        assert math.isnan(r.loc["buyer_reliance_on_china", "after"])
        assert r.loc["china_share", "after"] == pytest.approx(60 / 110)


def test_bad_inputs_are_parameter_errors():
    with pytest.raises(ParameterError, match="range 0"):
        Scenario("antimony", -5)
    with pytest.raises(ParameterError, match=r"range 0–1,000 t"):
        result(Scenario("antimony", 5000))
    with pytest.raises(ParameterError, match="no production rows"):
        result(Scenario("tungsten", 1))
    with pytest.raises(ParameterError, match="displaces"):
        Scenario("antimony", 1, displaces="everything")


def test_relabelled_product_across_years():
    # one series, labelled differently by two editions: each year has one label, so no choice is needed
    a = table(WORLD, year=2023).assign(product="contained antimony")
    b = table(WORLD, year=2024).assign(product="antimony content")
    r = result(Scenario("antimony", 10, year=2023), df=pd.concat([a, b]))
    assert r.loc["china_share", "after"] == pytest.approx(60 / 110)


def test_baseline_in_tonnes():
    df = table([(c, i, k, v / 1000) for c, i, k, v in WORLD], unit="kt")  # 0.1 kt world
    b = baseline(df, Scenario("antimony", 0))
    assert b["world_t"] == pytest.approx(100)  # sum of countries, converted to tonnes
    assert (b["unit"], b["tonnes_per_unit"], b["year"]) == ("kt", 1000, 2024)
    assert (b["supplier_t"], b["supplier_status"]) == (0.0, "not_listed")
    r = result(Scenario("antimony", 10), df=df)  # 10 t on 0.1 kt = 100 t
    assert r.loc["china_share", "after"] == pytest.approx(60 / 110)
    assert r.attrs["unit"] == "kt"


INDICATORS = pd.DataFrame(
    {
        "indicator": ["antimony_mine_production", "antimony_mine_production", "antimony_reserves",
                      "reko_diq_copper_output_phase1", "copper_exports_world"],
        "label": ["Sb output", "Sb output", "Sb reserves", "Reko Diq", "Cu exports"],
        "year": [2023, 2024, 2025, 2025, 2024],
        "value": [250.0, 260.0, 26000.0, 200000.0, 8e8],
        "unit": ["t", "t", "t", "t_per_year", "usd"],
        "publisher": ["USGS"] * 4 + ["Zameen"],
        "source_url": ["https://example.org"] * 5,
    }
)


def test_supply_indicators_are_yearly_tonnages_of_the_mineral():
    assert supply_indicators(INDICATORS, "antimony")["indicator"].tolist() == ["antimony_mine_production"]
    assert supply_indicators(INDICATORS, "antimony")["value"].tolist() == [260.0]  # newest year
    assert supply_indicators(INDICATORS, "copper")["indicator"].tolist() == ["reko_diq_copper_output_phase1"]
    assert supply_indicators(INDICATORS, "tungsten").empty


def test_resolve_supply():
    kw = dict(mineral="antimony", supplier_iso3="PAK", indicators_df=INDICATORS, world_t=100_000.0)
    assert resolve_supply("tonnes", 5.0, **kw)["tonnes"] == 5.0
    r = resolve_supply("indicator:antimony_mine_production", 0, **kw)
    assert (r["tonnes"], r["basis"], r["indicator"]["year"]) == (260.0, "indicator", 2024)
    r = resolve_supply("world_share:0.02", 0, **kw)
    assert (r["tonnes"], r["basis"], r["fraction"]) == (pytest.approx(2000), "world_share", 0.02)
    assert resolve_supply("auto", 0, **kw)["source"] == "indicator:antimony_mine_production"
    assert resolve_supply("auto", 7.0, **kw) | {} == {"source": "tonnes", "fraction": None, "indicator": None,
                                                     "tonnes": 7.0, "basis": "tonnes"}
    tungsten = kw | {"mineral": "tungsten"}
    r = resolve_supply("auto", 0, **tungsten)
    assert (r["basis"], r["tonnes"]) == ("world_share", pytest.approx(1000))  # 1 % of 100,000 t, illustrative
    assert resolve_supply("auto", 0, **kw | {"supplier_iso3": "CHL"})["basis"] == "world_share"
    with pytest.raises(ParameterError, match="allowed for tungsten: none"):
        resolve_supply("indicator:antimony_mine_production", 0, **tungsten)
    with pytest.raises(ParameterError, match="indicator:antimony_mine_production"):
        resolve_supply("indicator:antimony_reserves", 0, **kw)  # a stock, not a yearly supply
    with pytest.raises(ParameterError, match="both give a magnitude"):
        resolve_supply("world_share:0.01", 5.0, **kw)
    with pytest.raises(ParameterError, match="Pakistan"):
        resolve_supply("indicator:antimony_mine_production", 0, **kw | {"supplier_iso3": "CHL"})
    for bad in ["world_share:0", "world_share:x", "world_share:11", "share:0.1"]:
        with pytest.raises(ParameterError):
            resolve_supply(bad, 0, **kw)
    with pytest.raises(ParameterError, match="≥ 0"):
        resolve_supply("tonnes", -1.0, **kw)


def test_buyer_inputs():
    rel = pd.DataFrame({"mineral": ["antimony"] * 3 + ["copper"], "year": [2023, 2024, 2025, 2024],
                        "nir_pct": [81.0, 86.0, 91.0, 45.0], "flag": [None] * 4, "edition": ["MCS2026"] * 4})
    src = pd.DataFrame({
        "mineral": ["antimony"] * 4 + ["copper"] * 2,
        "edition": ["MCS2026"] * 4 + ["MCS2025"] * 2,
        "period": ["2021-2024"] * 4 + ["2020-2023"] * 2,
        "category": ["Oxide", "Oxide", "Total metal and oxide", "Total metal and oxide", "refined", "refined"],
        "rank": [1, 2, 1, 2, 1, 2],
        "country": ["China", "Belgium", "China", "Belgium", "Chile", "Canada"],
        "iso3": ["CHN", "BEL", "CHN", "BEL", "CHL", "CAN"],
        "share_pct": [66.0, 16.0, 55.0, 12.0, np.nan, np.nan],
    })
    b = buyer_inputs(rel, src, "antimony", 2024)
    assert (b["nir_pct"], b["nir_year"], b["china_import_share"]) == (86.0, 2024, pytest.approx(0.55))
    assert b["import_category"] == "Total metal and oxide"
    assert buyer_inputs(rel, src, "antimony", 2030)["nir_year"] == 2025  # newest year up to the one asked
    assert buyer_inputs(rel, src, "antimony", 2010)["nir_year"] == 2025  # none earlier: the newest
    c = buyer_inputs(rel, src, "copper", 2024)
    assert (c["china_import_share"], c["china_share_assumed_zero"]) == (0.0, True)
    assert math.isnan(buyer_inputs(rel, src, "tungsten", 2024)["nir_pct"])


def test_supply_for_china_share_by_hand():
    from critmin.analysis.scenario import supply_for_china_share

    base = baseline(table(WORLD), Scenario("antimony", 0))
    # 60 / (100 + A) = 0.5 → A = 120 - 100 = 20 t
    assert supply_for_china_share(base, Scenario("antimony", 0), 0.5) == pytest.approx(20)
    r = result(Scenario("antimony", 20))
    assert r.loc["china_share", "after"] == pytest.approx(0.5)
    # fixed world output: 60 k / 100 = 0.5 → k = 5/6 → A = 100 × (1 - 0.5 × 100 / 60) = 16.667 t
    fixed = Scenario("antimony", 0, world_growth_absorbs=True)
    assert supply_for_china_share(base, fixed, 0.5) == pytest.approx(100 / 6)
    assert result(Scenario("antimony", 100 / 6, world_growth_absorbs=True)).loc["china_share", "after"] == pytest.approx(0.5)
    assert supply_for_china_share(base, Scenario("antimony", 0), 0.7) == 0.0  # already below
    assert math.isnan(supply_for_china_share(base, Scenario("antimony", 0), 0))
    assert math.isnan(supply_for_china_share(base, Scenario("antimony", 0, supplier_iso3="CHN"), 0.5))


def test_sensitivity_keeps_missing_buyer_measures():
    s = sensitivity(table(WORLD), np.nan, np.nan, Scenario("antimony", 0), [0, 10])
    assert s["buyer_reliance_on_china_after"].isna().all()
    assert s["china_share_after"].tolist() == pytest.approx([0.6, 60 / 110])


# ---------------------------------------------------------------------------------------------------------
# the buyer's apparent consumption from the us_salient table

from critmin.analysis.scenario import buyer_consumption  # noqa: E402

US = pd.DataFrame({
    "mineral": ["copper", "copper", "copper", "tungsten", "zirconium", "gallium", "antimony", "antimony"],
    "year": [2023, 2024, 2024, 2024, 2024, 2024, 2022, 2023],
    "measure": ["apparent_consumption", "apparent_consumption", "imports.refined", "apparent_consumption",
                "apparent_consumption", "reported_consumption", "apparent_consumption", "apparent_consumption"],
    "value": [1690.0, 1800.0, 810.0, np.nan, 100000.0, 19000.0, 23900.0, np.nan],
    "unit": ["kt", "kt", "kt", "t", "t", "kg", "t", "t"],
    "flag": [None, "estimated", "estimated", "withheld", "censored_lt", "estimated", None, "not_available"],
    "raw": ["1690", "1800", "810", "W", "<100,000", "19000", "23900", "NA"],
    "column": ["Consump_Apparent_kt"] * 2 + ["Imports_Refined_kt", "Consump_Apparent_t", "Consump_ZrO2_content_t",
                                               "Consump_kg", "Consump_t", "Consump_t"],
    "edition": ["MCS2025"] * 8,
})


def test_buyer_consumption_converts_units():
    c = buyer_consumption(US, "copper", 2024, "kt")
    # 1,800 kt = 1,800,000 t; in the production table's unit (kt) 1,800
    assert (c["value"], c["tonnes"], c["year"], c["flag"], c["reason"]) == (1800.0, 1_800_000.0, 2024, "estimated", None)
    assert buyer_consumption(US, "copper", 2024, "t")["value"] == 1_800_000.0
    assert buyer_consumption(US, "copper", 2024, "Mt")["value"] == pytest.approx(1.8)
    assert buyer_consumption(US, "copper", 2023, "kt")["value"] == 1690.0


def test_buyer_consumption_year_fallback():
    assert buyer_consumption(US, "copper", 2030, "kt")["year"] == 2024  # newest earlier year
    assert buyer_consumption(US, "copper", 2010, "kt")["year"] == 2024  # none earlier: the newest
    # the row for the year asked is used even when it has no number: no silent fallback to an older year
    c = buyer_consumption(US, "antimony", 2023)
    assert (c["tonnes"], c["year"]) == (None, 2023) and "not available (NA)" in c["reason"]


def test_buyer_consumption_missing_with_reason():
    w = buyer_consumption(US, "tungsten", 2024)
    assert w["value"] is None and w["tonnes"] is None and "withholds" in w["reason"] and w["raw"] == "W"
    z = buyer_consumption(US, "zirconium", 2024, "kt")
    assert z["value"] is None and "bound (<100,000)" in z["reason"]
    g = buyer_consumption(US, "gallium", 2024, "kg", label="Gallium")
    assert g["value"] is None and g["reason"] == "USGS publishes only reported consumption of Gallium, not apparent consumption"
    assert buyer_consumption(US, "rare_earths", 2024)["reason"] == "USGS publishes no US apparent consumption of rare earths"
    with pytest.raises(ValueError, match="unit"):
        buyer_consumption(US, "copper", 2024, "lb")


def test_sourced_consumption_feeds_the_scenario():
    # antimony 2022: Q = 23,900 t; NIR 80 % → imports 19,120 t; China half → 9,560 t; add 10 t to China first
    q = buyer_consumption(US, "antimony", 2022)["tonnes"]
    r = run(table(WORLD), NIR, M, Scenario("antimony", 10), buyer_consumption_t=q).set_index("measure")
    assert r.loc["buyer_reliance_on_china", "before"] == pytest.approx(0.4)
    # R1 = (9,560 − 10) / 23,900 = 0.399582
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(9550 / 23900)
    assert r.loc["displaced_from_china", "after"] == pytest.approx(10)


# --- Stages: supply replaces imports only at the stage they are measured at ----------------------------------

def test_mined_ore_does_not_replace_imports_of_refined_forms():
    """Mined concentrate cannot be sold to a buyer whose imports are compounds: its reliance on China stays put,
    however much is mined (the rare-earth page once printed 0% here)."""
    for added in (10, 1000):
        r = result(Scenario("antimony", added, imports_stage="refining"))
        assert r.loc["china_share", "after"] < r.loc["china_share", "before"]  # the mine shares still move
        for m in ("buyer_reliance_on_china", "buyer_china_import_share", "buyer_nir"):
            assert r.loc[m, "after"] == pytest.approx(r.loc[m, "before"])
        assert r.loc["supplied_to_buyer", "after"] == 0 and r.loc["displaced_from_china", "after"] == 0
    r = result(Scenario("antimony", 10, imports_stage="refining", displaces="market"))
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(0.4)


def test_refined_supply_replaces_refined_imports():
    df = table(WORLD, stage="refinery")
    r = result(Scenario("antimony", 10, imports_stage="refining"), df=df)
    assert r.loc["buyer_reliance_on_china", "after"] == pytest.approx(0.2)  # as in the hand-worked case
    assert run(df, NIR, M, Scenario("antimony", 10, imports_stage="refining"),
               buyer_consumption_t=Q).attrs["reaches_buyer_imports"] is True


def test_buyer_figures_need_the_stage_of_the_imports():
    with pytest.raises(ParameterError, match="imports_stage is needed"):
        run(table(WORLD), NIR, M, model.Scenario("antimony", 10), buyer_consumption_t=Q)
    # without buyer figures the world measures need no stage
    assert not run(table(WORLD), np.nan, np.nan, model.Scenario("antimony", 10)).empty
    with pytest.raises(ParameterError, match="imports_stage must be one of"):
        model.Scenario("antimony", 10, imports_stage="ore")


def test_reaches_imports():
    assert model.reaches_imports("mine", "mine") and model.reaches_imports("mine", "any")
    assert not model.reaches_imports("mine", "refining") and not model.reaches_imports("refinery", "metal")
    assert model.reaches_imports("refinery", "refining") and model.reaches_imports("metal", "refining")
    with pytest.raises(ParameterError, match="unknown supply-chain stage"):
        model.reaches_imports("quarry", "mine")


def test_stage_tables_add_processing_stages_usgs_lacks():
    prod = table(WORLD, stage="mine")
    block = dict(mineral="antimony", measure="output", year=2023, world_tonnes=50.0, edition="E", publisher="P")
    proc = pd.DataFrame([
        dict(block, stage="refining", product="refined", country="China", iso3="CHN", tonnes=45.0, source_table="iea_cmde2024"),
        dict(block, stage="refining", product="refined", country="Belgium", iso3="BEL", tonnes=3.0, source_table="iea_cmde2024"),
        # Table 7 names only the leader: never a table of its own
        dict(block, stage="metal", product="metal", country="China", iso3="CHN", tonnes=9.0, source_table="mcs2026_t7"),
        # a second mine table: USGS's comes first
        dict(block, stage="mine", product="ore", country="China", iso3="CHN", tonnes=1.0, source_table="iea_cmde2024"),
    ])
    t = model.stage_tables(prod, proc)
    assert sorted(t["stage"].unique()) == ["mine", "refining"]
    ref = t[t["stage"] == "refining"]
    assert sorted(zip(ref["row_kind"], ref["value"])) == [("country", 3.0), ("country", 45.0), ("world_total", 50.0)]
    r = run(t, NIR, M, Scenario("antimony", 5, stage="refining", year=2023), buyer_consumption_t=Q).set_index("measure")
    assert r.loc["china_share", ["before", "after"]].tolist() == pytest.approx([0.9, 45 / 55])
