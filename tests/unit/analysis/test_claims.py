"""The counts behind the expert-positions chapters: stances per group and theme, voices, balance and timeline."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import claims
from critmin.params import ParameterError


def test_stance_by_group_counts(small, codebook):
    t = claims.stance_by_group(small, "speaker_group", codebook)
    assert list(t.columns) == ["favours_us", "balanced", "sceptical"]
    # codebook order, only groups present
    assert list(t.index) == ["pakistani_opposition", "pakistani_analyst", "us_official"]
    assert t.loc["us_official"].tolist() == [2, 0, 0]
    assert t.loc["pakistani_analyst"].tolist() == [0, 1, 1]
    assert t.loc["pakistani_opposition"].tolist() == [0, 0, 1]
    assert t.to_numpy().sum() == len(small)


def test_stance_by_theme_counts_each_theme(small, codebook):
    t = claims.stance_by_group(small, "theme", codebook)
    assert t.loc["economic_benefit"].tolist() == [2, 0, 1]
    assert t.to_numpy().sum() == 7  # 5 claims, two of them with two themes


def test_theme_stance_matrix(small, codebook):
    full = claims.theme_stance_matrix(small, None, codebook)
    assert list(full.index) == claims.codes("theme", codebook)
    assert full.loc["relations_with_china"].tolist() == [0, 1, 1]
    assert full.loc["security"].tolist() == [0, 0, 0]
    sub = claims.theme_stance_matrix(small, "partner_reliability, economic_benefit", codebook)
    assert list(sub.index) == ["partner_reliability", "economic_benefit"]
    assert sub.loc["partner_reliability"].tolist() == [1, 0, 0]


def test_positions(small):
    p = claims.positions(small).set_index("speaker")
    assert p.loc["A", "score"] == 1.0
    assert p.loc["B", "score"] == -1.0
    assert p.loc["C", "score"] == -0.5
    assert p.loc["C", "claims"] == 2
    assert list(p.index) == ["A", "C", "B"]


def test_validate_params(codebook):
    assert claims.validate_params("Speaker_Group", "all", codebook)[0] == "speaker_group"
    with pytest.raises(ParameterError, match="allowed: speaker_group"):
        claims.validate_params("party", None, codebook)
    with pytest.raises(ParameterError, match="economic_benefit"):
        claims.validate_params("speaker_group", ["geopolitics"], codebook)
    with pytest.raises(ParameterError):
        claims.stance_by_group(pd.DataFrame(), "nation", codebook)


def test_stance_by_group_counts_missing_values_under_none(small, codebook):
    t = claims.stance_by_group(small.assign(stance_reason=[None, None, "sovereignty", None, "pro_china"]),
                               "stance_reason", codebook)
    assert list(t.index) == ["pro_china", "sovereignty", claims.NO_GROUP]
    assert t.loc[claims.NO_GROUP].tolist() == [2, 1, 0]
    assert t.to_numpy().sum() == len(small)
    by_speaker = claims.stance_by_group(small, "speaker", codebook)
    assert list(by_speaker.index) == ["A", "B", "C"]  # uncoded columns are sorted


def test_filter_themes(small, codebook):
    assert claims.filter_themes(small, "all", codebook).equals(small)
    kept = claims.filter_themes(small, "partner_reliability,sovereignty_provincial_rights", codebook)
    assert kept["claim_id"].tolist() == ["a2", "b1"]
    with pytest.raises(ParameterError):
        claims.filter_themes(small, "trade_war", codebook)


def test_timeline_slots_separate_same_date_and_stance(dated, codebook):
    tl = claims.timeline(dated, codebook).set_index("claim_id")
    assert tl.loc["a1", "slot"] == 0 and tl.loc["a2", "slot"] == 1  # same date, same stance
    assert tl.loc["c1", "slot"] == 0  # same date, other stance
    assert tl.loc["b1", "when"] == "6 October 2025" and tl.loc["a1", "when"] == "October 2025"


def test_voice_claims(dated, codebook):
    voices, vc = claims.voice_claims(dated, codebook)
    assert voices["speaker"].tolist() == ["A", "C", "B"] and voices["rank"].tolist() == [0, 1, 2]
    assert voices.set_index("speaker").loc["B", "example"] == "claim 2"  # one claim: shown in the voice's tooltip
    assert voices.set_index("speaker").loc["A", "example"].startswith("2 claims")
    assert voices.set_index("speaker").loc["C", "stance_mix"] == "1 balanced, 1 sceptical"
    assert sorted(vc.loc[vc["speaker"] == "A", "slot"]) == [0, 1]
    assert vc.set_index("claim_id").loc["c2", "score"] == -1.0


def test_balance(dated, codebook):
    b = claims.balance(dated, codebook)
    assert b["claims"] == 5 and b["voices"] == 3
    assert b["counts"] == {"favours_us": 2, "balanced": 1, "sceptical": 2}
    assert b["reasons"] == {"pro_china": 1, "sovereignty": 1}
    assert b["mean_score"] == pytest.approx(0.0)
    # only groups with at least two claims are ranked: us_official (+1) and pakistani_analyst (−0.5)
    assert b["most_favourable_group"] == ("US officials", 1.0, 2)
    assert b["most_sceptical_group"] == ("Pakistani non-government voices", -0.5, 2)
    assert b["top_theme"] == ("Economic gains or costs", 3)


def test_stance_long(small, codebook):
    long = claims.stance_long(claims.stance_by_group(small, "speaker_group", codebook), codebook,
                              claims.group_label("speaker_group", codebook))
    row = long[(long["group"] == "pakistani_analyst") & (long["stance"] == "sceptical")].iloc[0]
    assert (row["claims"], row["share"], row["label"]) == (1, 0.5, "Pakistani non-government voices")
    assert long["claims"].sum() == len(small)


def test_codebook_entries(df, codebook):
    themes = claims.codebook_entries("theme", df, codebook)
    assert themes["code"].tolist() == claims.codes("theme", codebook)
    assert themes["example_claim"].notna().all() and themes["example_speaker"].notna().all()
    assert themes["claims"].sum() == sum(len(t.split(";")) for t in df["themes"])
    stances = claims.codebook_entries("stance", df, codebook).set_index("code")
    assert stances["claims"].sum() == len(df)


def test_voice_stances_count_each_voice_once(small):
    v = claims.voice_stances(small).set_index("voice")
    assert v.loc["A", "claims"] == 2 and v.loc["A", "stance"] == "favours_us"
    assert v.loc["C", "stance"] == "sceptical"  # mean of 0 and −1 is below zero
    with_ids = small.assign(voice_id=["x", "x", "y", "z", "z"], speaker=["A", "A (again)", "B", "C", "C"])
    assert claims.voice_stances(with_ids)["voice"].tolist() == ["x", "y", "z"]  # voice_id, not the spelling
