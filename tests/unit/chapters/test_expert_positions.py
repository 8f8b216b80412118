"""The expert-positions chapter's sentences and tables on the package's claims and on small hand-made ones."""

from __future__ import annotations

import pandas as pd

from critmin.analysis import claims
from critmin.chapters import expert_positions


def test_balance_text(dated, codebook):
    text = expert_positions.balance_text(dated, dated, codebook)
    assert "The **5 claims** come from **3 voices** and were made between October 2025 and November 2025." in text
    assert "**2** (40%) favour the US partnership, **1** (20%) are balanced" in text
    assert "rest 1 on a pro-China objection and 1 on sovereignty or provincial rights." in text
    assert "highest mean stance is that of **US officials** (+1.00 over 2 claims" in text
    assert "The most frequent theme is *Economic gains or costs* (3 claims)." in text
    assert "your file" not in text and "Only claims" not in text
    mine = expert_positions.balance_text(dated, dated, codebook, claims_file="some/dir/mine.csv")
    assert mine.startswith("Claims read from your file `mine.csv` (5 claims).")
    kept = claims.filter_themes(dated, "security", codebook)
    none = expert_positions.balance_text(kept, dated, codebook, themes=["security"])
    assert "(0 of 5 claims)" in none and none.endswith("No claim carries the chosen themes, so there is nothing to chart.")


def test_voices_table(dated, codebook):
    t = expert_positions.voices_table(dated, codebook)
    assert list(t.columns) == ["Voice", "Group", "Claims", "Favour US", "Balanced", "Sceptical", "Mean stance"]
    assert t["Voice"].tolist() == ["A", "C", "B"] and t["Mean stance"].tolist() == [1.0, -0.5, -1.0]


def test_groups_table_counts_voices_and_claims(small, codebook):
    t = expert_positions.groups_table(small, codebook).set_index("Group")
    names = claims.labels("speaker_group", codebook)
    assert t.loc[names["pakistani_analyst"], "Voices"] == 1 and t.loc[names["pakistani_analyst"], "Claims"] == 2
    assert t.loc[names["us_official"], "Voices favouring the US"] == 1
    present = set(small["speaker_group"])
    assert list(t.index) == [names[g] for g in claims.codes("speaker_group", codebook) if g in present]


def test_concentration_text_on_the_package_claims(df, codebook):
    text = expert_positions.concentration_text(df, codebook)
    rep = expert_positions.report_voices(df)
    assert len(rep) == 3 and set(rep["voice"]) == {"khan", "khoso", "sheikh"}
    n = int(rep["claims"].sum())
    assert f"make **{n} of the {len(df)} claims**" in text
    assert f"each of the {df['voice_id'].nunique()} voices once" in text
    assert "interested parties (" in text and "low-reliability sources (" in text
    busiest = df["date"].dt.to_period("M").value_counts().idxmax().strftime("%B %Y")
    assert f"busiest month, {busiest}, are theirs" in text


def test_concentration_text_without_the_report(dated, codebook):
    text = expert_positions.concentration_text(dated.assign(voice_id=dated["speaker"]), codebook)
    assert "Counted per claim, 2 of 5 claims favour the US" in text
    assert "counted per voice (each of the 3 voices once" in text
    assert "experts quoted" not in text and "kept apart" not in text
    assert expert_positions.concentration_text(dated.iloc[0:0], codebook) == ""


def test_off_list_note_names_minerals_off_the_us_list(dated):
    events = pd.DataFrame({"event_id": ["ussm-fwo-mou-signed", "us-critical-minerals-list-2025"],
                           "date": pd.to_datetime(["2025-09-08", "2025-11-07"]),
                           "minerals": ["copper;gold;rare_earths", "copper"]})
    with_gold = dated.assign(claim=["Gold and copper", "x", "y", "GOLD", "z"])
    note = expert_positions.off_list_note(with_gold, events)
    assert note.startswith("Of the minerals named for early export under the MoU, gold is not on the final US List "
                           "of Critical Minerals (7 November 2025)")
    assert "2 claims in the table name gold (A and C)." in note
    assert "No claim in the table names gold." in expert_positions.off_list_note(dated, events)
    assert expert_positions.off_list_note(dated, events.assign(minerals=["copper", "copper;gold"])) == ""
    assert expert_positions.off_list_note(dated, events.iloc[[0]]) == ""
