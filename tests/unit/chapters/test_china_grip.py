"""The sentences, chart and parameters of the China's-grip page, on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import grip
from critmin.chapters import china_grip
from critmin.params import ParameterError


def prod(mineral, iso3, value, year=2024, kind="country"):
    return dict(mineral=mineral, stage="mine", product="Mine production", country=iso3 or kind, iso3=iso3,
                row_kind=kind, year=year, value=value, qualifier=None, unit="t", flag=None, edition="MCS2026",
                origin="data_release")


def proc(mineral, stage, share, year=2024, source="mcs2026_world"):
    return dict(mineral=mineral, stage=stage, stage_order={"mine": 1, "refining": 2, "metal": 3}[stage],
                product=f"{mineral} {stage}", measure="output", country="China", iso3="CHN", year=year,
                tonnes=share, world_tonnes=100.0, share_pct=float(share), grade="primary-statistics",
                source_table=source)


@pytest.fixture
def frames():
    production = pd.DataFrame([
        prod("copper", "CHN", 8), prod("copper", None, 100, kind="world_total"),
        prod("cobalt", "CHN", 1), prod("cobalt", None, 100, kind="world_total"),
        prod("tungsten", "CHN", 80), prod("tungsten", None, 100, kind="world_total"),
        prod("copper", "CHN", 7, year=2023), prod("copper", None, 100, year=2023, kind="world_total"),
    ])
    processing = pd.DataFrame([
        proc("copper", "refining", 45), proc("cobalt", "refining", 77, 2023, "iea_cmde2024"),
        proc("cobalt", "mine", 2, 2023, "iea_cmde2024"), proc("gallium", "refining", 99),
    ])
    minerals = pd.DataFrame({"mineral": ["copper", "cobalt", "tungsten", "gallium", "antimony"],
                             "label": ["Copper", "Cobalt", "Tungsten", "Gallium", "Antimony"],
                             "deal_mineral": [True, False, True, False, True]})
    stages = pd.DataFrame({"mineral": ["tungsten", "tungsten", "antimony"], "stage": ["mine", "refining", "mine"],
                           "label": ["concentrate", "APT", "concentrate"]})
    return production, processing, minerals, stages


def test_year_zero_is_the_latest_broad_year_and_bad_values_are_refused_in_one_line(frames):
    production, processing, minerals, _ = frames
    year, selected = china_grip.check_parameters(0, "all", production, processing, minerals)
    assert year == 2024 and "antimony" not in selected and "gallium" in selected
    with pytest.raises(ParameterError) as e:
        china_grip.check_parameters(1999, "all", production, processing, minerals)
    assert "\n" not in str(e.value) and "2023, 2024" in str(e.value)
    with pytest.raises(ParameterError, match="year='2024'"):
        china_grip.check_parameters("2024", "all", production, processing, minerals)
    with pytest.raises(ParameterError, match=r"minerals='gold'.*allowed: cobalt, copper, gallium, tungsten"):
        china_grip.check_parameters(2024, "copper,gold", production, processing, minerals)


def test_answer_states_counts_gaps_and_the_deal(frames):
    production, processing, minerals, _ = frames
    t = grip.grip_table(production, processing, minerals, 2024)
    text = china_grip.answer(t, 2024, n_deal=3)
    assert "for 2 of the 3 minerals with a figure" in text  # processing > 50%: cobalt, gallium
    assert "for 1 of the 3 minerals with a USGS mine figure for 2024" in text  # tungsten
    assert text.index("cobalt (1.0%") < text.index("copper (8.0%")  # widest gap first
    assert "For the deal's 3 minerals" in text
    assert "antimony: no figure for China at either stage" in text
    assert "tungsten 80.0% at the mine (no processing figure)" in text


def test_deal_sentence_says_when_only_part_of_the_deal_is_shown(frames):
    production, processing, minerals, _ = frames
    t = grip.grip_table(production, processing, minerals, 2024, selected=["copper"])
    assert "the deal's minerals on this page" in china_grip.deal_sentence(t, n_deal=3)


def test_gap_paragraphs_like_for_like_and_missing_stages(frames):
    production, processing, minerals, stages = frames
    t = grip.grip_table(production, processing, minerals, 2024)
    text = " ".join(china_grip.gap_paragraphs(t, stages))
    assert "cobalt 2.0% mined against 77.0% refined (75 points)" in text
    assert "gallium 99.0%" in text
    assert "tungsten (APT)" in text


def test_chart_frame_and_chart(frames):
    production, processing, minerals, _ = frames
    t = grip.grip_table(production, processing, minerals, 2024)
    f = china_grip.chart_frame(t)
    assert set(f.loc[f["mineral"] == "Copper (deal)", "stage"]) == {china_grip.MINE_LABEL,
                                                                    china_grip.PROCESSING_LABEL}
    assert f.loc[f["mineral"] == "Gallium", "stage"].tolist() == [china_grip.PROCESSING_LABEL]
    assert "Antimony (deal)" not in set(f["mineral"])
    spec = china_grip.dumbbell(t, 2024).to_dict()
    title = spec["title"]["text"]
    assert "2 of 2 minerals with both figures" in (" ".join(title) if isinstance(title, list) else title)
    assert "Widest gap: Cobalt" in spec["description"]
    assert china_grip.dumbbell(t.iloc[0:0], 2024) is None


def test_method_text_counts_denominators_and_off_year_figures(frames):
    production, processing, minerals, _ = frames
    t = grip.grip_table(production, processing, minerals, 2024)
    text = china_grip.method_text(t, 2024)
    assert "world total (rounded) for 3 minerals" in text
    assert "for 1 mineral no processing figure exists for 2024" in text


def test_grip_view_formats_gaps_with_a_true_minus(frames):
    production, processing, minerals, _ = frames
    t = grip.grip_table(production, processing, minerals, 2024)
    v = china_grip.grip_view(t)
    assert v.formats["Gap (points)"](-3.25) == "−3.2" and v.formats["Gap (points)"](76.0) == "+76.0"
    assert "Antimony (deal)" not in set(v.frame["Mineral"])
