"""Sentences, tables, chart and parameter checks of the supply-risk chapter, on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import risk
from critmin.chapters import supply_risk as sr
from critmin.params import ParameterError

# Scaled WGI scores: 2 × (2.5 − estimate)
WGI = pd.DataFrame([dict(iso3=i, year=2023, estimate=e) for i, e in
                    [("AUS", 1.0), ("COD", -2.0), ("RUS", -1.5), ("CHN", -0.5), ("USA", 0.5)]])  # 3, 9, 8, 6, 4


def production(rows, stage="mine"):
    return pd.DataFrame([dict(mineral=m, stage=stage, product="ore", country=i, iso3=i, row_kind="country",
                              year=2023, value=v) for m, i, v in rows])


PRODUCTION = pd.concat([production([
    ("a", "AUS", 100.0),                        # one stable producer
    ("b", "COD", 50.0), ("b", "RUS", 50.0),     # two unstable producers
    ("c", "USA", 60.0), ("c", "CHN", 40.0),     # produced at home, net exporter
]), production([("a", "AUS", 10.0)], stage="refinery")])
PRODUCTS = pd.DataFrame([dict(hs_code=h, mineral=m, stage=s) for h, m, s in
                         [("a1", "a", "mine"), ("b1", "b", "mine"), ("c2", "c", "refinery")]])
IMPORTS = pd.DataFrame([dict(hs_code=h, year=2023, exporter_iso3=i, value_kusd=v) for h, i, v in
                        [("a1", "AUS", 7.0), ("b1", "COD", 5.0), ("b1", "RUS", 5.0), ("c2", "CHN", 3.0)]])
RELIANCE = pd.DataFrame([dict(mineral="a", year=2023, nir_pct=100.0, flag=None),
                         dict(mineral="b", year=2023, nir_pct=100.0, flag=None),
                         dict(mineral="c", year=2023, nir_pct=None, flag="net_exporter")])
LABELS = {"a": "Alpha", "b": "Beta", "c": "Gamma"}


def ranking(weight):
    return risk.rank_minerals(PRODUCTION, IMPORTS, PRODUCTS, RELIANCE, WGI, year=2023, stage="mine",
                              weights=sr.weights_for(weight), import_stage="fallback")


def test_parameters():
    assert sr.parameters(2023, "Mine", 0.5, PRODUCTION, IMPORTS) == (2023, "mine", 0.5)
    assert sr.parameters("2023", "refinery", 1, PRODUCTION, IMPORTS) == (2023, "refinery", 1.0)


@pytest.mark.parametrize("args, message", [
    ((2023, "processing", 1.0), r"stage='processing' is not available; allowed: mine, refinery"),
    ((2019, "mine", 1.0), r"year=2019 is not available.*allowed: 2023"),
    ((2023, "mine", 1.5), r"weight=1.5 is out of range; allowed: 0 to 1"),
    ((2023, "mine", "high"), "weight must be a number"),
])
def test_bad_parameters_fail_naming_what_is_allowed(args, message):
    with pytest.raises(ParameterError, match=message):
        sr.parameters(*args, PRODUCTION, IMPORTS)


def test_weights_for_adds_the_page_weight_to_the_grid():
    assert sr.weights_for(0.3) == (0.0, 0.25, 0.3, 0.5, 0.75, 1.0)
    assert sr.weights_for(1.0) == sr.GRID


def test_answer_names_the_riskiest_and_what_drives_it():
    text = sr.answer_text(ranking(1.0), 1.0, LABELS)
    # weight 1: a = 3·0.5 + 3·0.5 = 3; b = 4.25 (both terms 0.25·9 + 0.25·8); c: IR 0 → imports only, CHN 6
    assert text.startswith("**At the mine stage in 2023, with governance weight 1, the riskiest US supply by this "
                           "index is gamma (6.00), beta (4.25) and alpha (3.00), on a scale of 0 to 10; the least "
                           "risky of the 3 minerals scored is alpha (3.00).**")
    assert ("Gamma's largest producer is the United States with 60.0% of world output, and the United States is a "
            "net exporter (2023); 100% of its score comes from the concentration of US imports.") in text


def test_shift_text_counts_moves_between_plain_and_weighted():
    # weight 0: a = 5, b = 2.5, c = 5 (one import partner) → a and c share rank 1, b 3; weight 1: c 1, b 2, a 3
    text = sr.shift_text(ranking(1.0), 1.0, LABELS)
    assert text.startswith("Between concentration alone (weight 0) and weight 1, 1 of 3 minerals keep their place "
                           "and 0 move by 3 places or more.")
    assert text.endswith("Gamma is first either way.")
    mv = sr.moves(ranking(1.0), 1.0).set_index("mineral")
    assert mv["change"].to_dict() == {"c": 0, "b": 1, "a": -2}


def test_shift_text_at_weight_zero_compares_with_the_jrc_weighting():
    assert "and the full JRC weighting (1)" in sr.shift_text(ranking(0.0), 0.0, LABELS)


def test_ranking_table():
    t = sr.ranking_table(ranking(1.0), 1.0, LABELS)
    assert t["Mineral"].tolist() == ["Gamma", "Beta", "Alpha"]
    assert t["Rank at weight 0"].tolist() == [1, 3, 1]
    assert t["BACI codes"].tolist() == ["all of the mineral's", "mine stage", "mine stage"]
    assert t.set_index("Mineral").loc["Beta", "HHI, world"] == pytest.approx(5000)


def test_rank_chart_title_and_description():
    spec = sr.rank_chart(ranking(1.0), 1.0, LABELS).to_dict()
    assert spec["title"]["text"] == "Weighting by governance moves no mineral by 3 places or more"
    assert "1 rise and 1 fall between weight 0 and 1; first at weight 1: Gamma." in spec["description"]
    assert "World Bank WGI" in " ".join(spec["title"]["subtitle"])


def test_limits_and_skipped_text():
    r = ranking(1.0)
    text = sr.limits_text(r, 1.0, LABELS)
    assert text.startswith("Every producer and every import partner named in the data has a WGI score")
    assert "BACI has no mine-stage code for gamma: its sourcing term uses all the mineral's codes" in text
    assert "US net import reliance is 0 for gamma (a net exporter, or no net imports), so its score" in text
    no_score = WGI[WGI["iso3"] != "RUS"]
    r2 = risk.rank_minerals(PRODUCTION, IMPORTS, PRODUCTS, RELIANCE, no_score, year=2023, weights=(1.0,),
                            import_stage="fallback")
    assert sr.limits_text(r2, 1.0, LABELS).startswith("WGI scores cover at least 50.0% of world output")
    assert sr.skipped_text(r, LABELS) == ""
    r3 = risk.rank_minerals(PRODUCTION, IMPORTS, PRODUCTS, RELIANCE, WGI, year=2023, weights=(1.0,))
    assert sr.skipped_text(r3, LABELS) == "Not scored: gamma (no BACI HS code for c at stage mine, or no US imports in 2023)."
