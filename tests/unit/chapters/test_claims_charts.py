"""The expert-positions and codebook charts: titles, descriptions and the counts they draw."""

from __future__ import annotations

import pandas as pd

from critmin.analysis import claims
from critmin.chapters import claims_charts


def test_group_chart_titles(dated, codebook):
    spec = claims_charts.group_chart(dated, "speaker_group", codebook).to_dict()
    # analysts and US officials both made 2 claims; the first in codebook order is named (long titles wrap)
    assert " ".join(spec["title"]["text"]).replace("non- government", "non-government") == (
        "Pakistani non-government voices made the most claims (2); "
                                     "Pakistani non-government voices: 50% sceptical")
    reason = claims_charts.group_chart(dated, "stance_reason", codebook).to_dict()
    assert reason["title"]["text"].startswith("1 of 2 sceptical claims rest on ")
    assert claims_charts.group_chart(dated.iloc[0:0], "speaker_group", codebook) is None
    calm = dated[dated["stance"] != "sceptical"]
    assert claims_charts.group_chart(calm, "speaker_group", codebook).to_dict()["title"]["text"] == (
        "US officials made the most claims (2)")


def test_theme_heatmap(dated, codebook):
    spec = claims_charts.theme_heatmap(dated, claims.codes("theme", codebook), codebook).to_dict()
    assert spec["title"]["text"] == "Economic gains or costs: most claims (3); Economic gains or costs: 33% sceptical"
    assert claims_charts.theme_heatmap(dated.iloc[0:0], ["security"], codebook) is None


def test_timeline_chart_counts_claims_after_the_mou(dated, codebook):
    deals = pd.DataFrame({"deal_id": ["ussm-fwo-mou"], "date": pd.to_datetime(["2025-10-05"])})
    spec = claims_charts.timeline_chart(dated, deals, codebook).to_dict()
    assert " ".join(spec["title"]["text"]) == ("2 of 5 claims came after the MoU was signed; the busiest month was "
                                               "October 2025 (4)")
    assert claims_charts.timeline_chart(dated.iloc[0:0], deals, codebook) is None


def test_voices_chart(dated, codebook):
    spec = claims_charts.voices_chart(dated, codebook).to_dict()
    assert spec["title"]["text"] == "1 voices lean towards the US, 0 sit in the middle, 2 lean sceptical"
    assert "each of 3 voices" in spec["description"]
    assert claims_charts.voices_chart(dated.iloc[0:0], codebook) is None


def test_themes_chart(df, codebook):
    spec = claims_charts.themes_chart(df, codebook).to_dict()
    themes = claims.codebook_entries("theme", df, codebook)
    top = themes.iloc[themes["claims"].to_numpy().argmax()]
    assert spec["title"]["text"] == f"{top['label']} is the most used theme ({top['claims']} of {len(df)} claims)"


def test_stance_scale(codebook):
    scale = claims_charts.stance_scale(codebook).to_dict()
    assert scale["range"] == [claims.STANCE_COLOURS[s] for s in claims.STANCES]
    assert len(scale["domain"]) == 3
