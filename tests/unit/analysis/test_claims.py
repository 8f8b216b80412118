"""The claims table and codebook: validation of good and broken files, and the chapter's count tables."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from critmin import paths
from critmin.analysis import claims
from critmin.data import DataError
from critmin.data import package as datapackage
from critmin.params import ParameterError

SEED_URL = "https://world-economist.com/could-a-500m-mou-draw-pakistan-into-a-us-china-minerals-rivalry-business-finance"
SEED_EXPERTS = {"Dr Sultan Ahmed Khoso": 9, "Zahid Maqsood Sheikh": 3, "Dr Mehmoodul Hassan Khan": 7}
# Named people from the research notes who must be represented (not just any 15 rows).
OTHER_NAMED = [
    "Natalie Baker", "Stacy W. Hastie", "Sheikh Waqqas Akram", "Mian Raza Rabbani", "Lin Jian", "Uzair Younus",
    "Azeem Khalid", "Maleeha Lodhi", "Mushahid Hussain Sayed", "Muhammad Amir Rana", "Salman Rafi Sheikh",
    "Sergio Restelli", "Mir Yar Baloch", "Daniel F. Runde", "Robert Louis Strayer II", "Eric Meyer", "John Jovanovic",
    "Liaqat Ali Sultan", "Asif Mahmood", "Gracelin Baskaran", "Shehbaz Sharif", "Asim Munir", "Muhammad Aurangzeb",
    "Ali Pervaiz Malik",
]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return claims.load_claims()


@pytest.fixture(scope="module")
def codebook() -> pd.DataFrame:
    return claims.load_codebook()


def _rows() -> list[dict]:
    with open(paths.data_dir() / "claims.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


# ---------------------------------------------------------------------------------------------- loading


def test_loads_typed_and_unique(df):
    assert len(df) >= 40
    assert list(df.columns) == [f["name"] for f in datapackage.resource("claims")["schema"]["fields"]]
    assert df["claim_id"].is_unique
    assert df["checkable"].dtype == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(df["date"])


def test_user_file_with_package_content_loads(tmp_path):
    path = _write(tmp_path / "mine.csv", _rows())
    assert len(claims.load_claims(path)) == len(_rows())


# one broken cell per case: (row index, column, new value, text the message must contain)
BROKEN = {
    "bad stance code": (3, "stance", "pro_us", "column 'stance'"),
    "unknown theme": (4, "themes", "economic_benefit;trade_war", "unknown theme code(s) ['trade_war']"),
    "missing required field": (5, "source_url", "", "column 'source_url'"),
    "sceptical without reason": (6, "stance", "sceptical", "column 'stance_reason'"),
    "checkable without metric": (7, "checkable", "true", "column 'metric'"),
    "metric not in codebook": (8, "metric", "china_share_mine_unobtainium", "column 'metric'"),
    "month date not on the 1st": (9, "date", "2025-11-15", "column 'date'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_copy_names_file_line_and_column(tmp_path, case):
    i, column, value, expected = BROKEN[case]
    rows = _rows()
    if case == "checkable without metric":
        rows[i]["metric"] = ""
    if case == "metric not in codebook":
        rows[i]["checkable"] = "true"
    if case == "month date not on the 1st":
        rows[i]["date_precision"] = "month"
    if case == "sceptical without reason":
        rows[i]["stance_reason"] = ""
    rows[i][column] = value
    path = _write(tmp_path / "broken.csv", rows)
    with pytest.raises(DataError) as err:
        claims.load_claims(path)
    msg = str(err.value)
    assert "broken.csv" in msg
    assert f"line {i + 2}" in msg
    assert expected in msg


def test_unknown_theme_lists_allowed_codes(tmp_path, codebook):
    rows = _rows()
    rows[2]["themes"] = "geopolitics"
    with pytest.raises(DataError) as err:
        claims.load_claims(_write(tmp_path / "t.csv", rows))
    msg = str(err.value)
    assert "line 4, column 'themes'" in msg
    for code in claims.codes("theme", codebook):
        assert code in msg


def test_duplicate_claim_id(tmp_path):
    rows = _rows()
    rows[10]["claim_id"] = rows[0]["claim_id"]
    with pytest.raises(DataError) as err:
        claims.load_claims(_write(tmp_path / "dup.csv", rows))
    msg = str(err.value)
    assert "dup.csv" in msg and "line 12" in msg and "claim_id" in msg


def test_missing_column(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "stance"} for r in _rows()]
    with pytest.raises(DataError, match=r"missing column\(s\) \['stance'\]"):
        claims.load_claims(_write(tmp_path / "nocol.csv", rows))


# ---------------------------------------------------------------------------------------------- tables


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": ["a1", "a2", "b1", "c1", "c2"],
        "speaker": ["A", "A", "B", "C", "C"],
        "role": ["r"] * 5,
        "speaker_group": ["us_official", "us_official", "pakistani_opposition", "pakistani_analyst", "pakistani_analyst"],
        "themes": ["economic_benefit", "economic_benefit;partner_reliability", "sovereignty_provincial_rights",
                   "relations_with_china", "relations_with_china;economic_benefit"],
        "stance": ["favours_us", "favours_us", "sceptical", "balanced", "sceptical"],
    })


def test_stance_by_group_counts(small):
    t = claims.stance_by_group(small)
    assert list(t.columns) == ["favours_us", "balanced", "sceptical"]
    # codebook order, only groups present
    assert list(t.index) == ["pakistani_opposition", "pakistani_analyst", "us_official"]
    assert t.loc["us_official"].tolist() == [2, 0, 0]
    assert t.loc["pakistani_analyst"].tolist() == [0, 1, 1]
    assert t.loc["pakistani_opposition"].tolist() == [0, 0, 1]
    assert t.to_numpy().sum() == len(small)


def test_stance_by_theme_counts_each_theme(small):
    t = claims.stance_by_group(small, group_by="theme")
    assert t.loc["economic_benefit"].tolist() == [2, 0, 1]
    assert t.to_numpy().sum() == 7  # 5 claims, two of them with two themes


def test_theme_stance_matrix(small, codebook):
    full = claims.theme_stance_matrix(small)
    assert list(full.index) == claims.codes("theme", codebook)
    assert full.loc["relations_with_china"].tolist() == [0, 1, 1]
    assert full.loc["security"].tolist() == [0, 0, 0]
    sub = claims.theme_stance_matrix(small, themes="partner_reliability, economic_benefit")
    assert list(sub.index) == ["partner_reliability", "economic_benefit"]
    assert sub.loc["partner_reliability"].tolist() == [1, 0, 0]


def test_positions(small):
    p = claims.positions(small).set_index("speaker")
    assert p.loc["A", "score"] == 1.0
    assert p.loc["B", "score"] == -1.0
    assert p.loc["C", "score"] == -0.5
    assert p.loc["C", "claims"] == 2
    assert list(p.index) == ["A", "C", "B"]


def test_validate_params():
    assert claims.validate_params("Speaker_Group", "all")[0] == "speaker_group"
    with pytest.raises(ParameterError, match="allowed: speaker_group"):
        claims.validate_params("party", None)
    with pytest.raises(ParameterError, match="economic_benefit"):
        claims.validate_params("speaker_group", ["geopolitics"])
    with pytest.raises(ParameterError):
        claims.stance_by_group(pd.DataFrame(), group_by="nation")


# ---------------------------------------------------------------------------------------------- content


def test_every_seed_expert_and_claim_present(df):
    seed = df[df["source_url"] == SEED_URL]
    counts = seed.groupby("speaker").size()
    for name, n in SEED_EXPERTS.items():
        assert counts.get(name, 0) == n, name
    assert set(seed["outlet"]) == {"Business Recorder"}


def test_at_least_15_other_named_voices(df):
    speakers = set(df["speaker"])
    missing = [n for n in OTHER_NAMED if n not in speakers]
    assert not missing
    assert len(speakers - set(SEED_EXPERTS)) >= 15


def test_every_claim_has_a_source(df):
    assert df["source_url"].str.match(r"https?://[^\s/]+\.[^\s]+").all()
    assert df["outlet"].notna().all()


def test_every_group_and_stance_occurs(df, codebook):
    assert set(df["speaker_group"]) == set(claims.codes("speaker_group", codebook))
    assert set(df["stance"]) == set(claims.STANCES)


def test_metrics_in_codebook(df, codebook):
    used = set(df["metric"].dropna())
    assert used and used <= set(claims.codes("metric", codebook))
    assert df.loc[df["checkable"], "metric"].notna().all()


def test_codebook_matches_schema(codebook):
    fields = {f["name"]: f for f in datapackage.resource("claims")["schema"]["fields"]}
    for code_type in ("stance", "stance_reason", "speaker_group", "reliability", "metric"):
        assert fields[code_type]["constraints"]["enum"] == claims.codes(code_type, codebook), code_type
    pattern_codes = re.findall(r"[a-z_]+", fields["themes"]["constraints"]["pattern"].split(")")[0])
    assert pattern_codes == claims.codes("theme", codebook)
    assert claims.codes("stance", codebook) == claims.STANCES


def test_codebook_examples_use_their_code(df, codebook):
    by_id = df.set_index("claim_id")
    column = {"stance": "stance", "stance_reason": "stance_reason", "speaker_group": "speaker_group",
              "reliability": "reliability", "metric": "metric"}
    for r in codebook.itertuples():
        assert pd.notna(r.example_claim_id), r.code
        row = by_id.loc[r.example_claim_id]
        if r.code_type == "theme":
            assert r.code in row["themes"].split(";"), r.code
        else:
            assert row[column[r.code_type]] == r.code, r.code


# ---------------------------------------------------------------------------------------------- page helpers


def test_load_claims_param_gives_one_line_naming_file_and_rows(tmp_path):
    rows = _rows()
    rows[3]["stance"] = "pro_us"
    rows[5]["source_url"] = ""
    path = _write(tmp_path / "mine.csv", rows)
    with pytest.raises(ParameterError) as err:
        claims.load_claims_param(str(path))
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("claims_file: ")
    assert "mine.csv, line 5, column 'stance'" in msg
    assert "mine.csv, line 7, column 'source_url': required value is missing" in msg


def test_resolve_claims_file(tmp_path, monkeypatch):
    assert claims.resolve_claims_file("") is None and claims.resolve_claims_file("  ") is None
    assert claims.resolve_claims_file("data/claims.csv") == paths.ROOT / "data" / "claims.csv"
    with pytest.raises(ParameterError, match="no such file"):
        claims.resolve_claims_file(str(tmp_path / "nope.csv"))
    assert len(claims.load_claims_param("")) == len(_rows())


def test_stance_by_group_counts_missing_values_under_none(small):
    t = claims.stance_by_group(small.assign(stance_reason=[None, None, "sovereignty", None, "pro_china"]),
                               group_by="stance_reason")
    assert list(t.index) == ["pro_china", "sovereignty", claims.NO_GROUP]
    assert t.loc[claims.NO_GROUP].tolist() == [2, 1, 0]
    assert t.to_numpy().sum() == len(small)
    by_speaker = claims.stance_by_group(small, group_by="speaker")
    assert list(by_speaker.index) == ["A", "B", "C"]  # uncoded columns are sorted


def test_filter_themes(small):
    assert claims.filter_themes(small, "all").equals(small)
    kept = claims.filter_themes(small, "partner_reliability,sovereignty_provincial_rights")
    assert kept["claim_id"].tolist() == ["a2", "b1"]
    with pytest.raises(ParameterError):
        claims.filter_themes(small, "trade_war")


@pytest.fixture
def dated(small) -> pd.DataFrame:
    return small.assign(
        date=pd.to_datetime(["2025-10-01", "2025-10-01", "2025-10-06", "2025-10-01", "2025-11-01"]),
        date_precision=["month", "month", "day", "month", "month"],
        outlet=["O1", "O1", "O2", "O3", "O3"], source_url=[f"https://x.org/{i}" for i in range(5)],
        claim=[f"claim {i}" for i in range(5)], stance_reason=[None, None, "sovereignty", None, "pro_china"])


def test_timeline_slots_separate_same_date_and_stance(dated):
    tl = claims.timeline(dated).set_index("claim_id")
    assert tl.loc["a1", "slot"] == 0 and tl.loc["a2", "slot"] == 1  # same date, same stance
    assert tl.loc["c1", "slot"] == 0  # same date, other stance
    assert tl.loc["b1", "when"] == "6 October 2025" and tl.loc["a1", "when"] == "October 2025"


def test_voice_claims(dated):
    voices, vc = claims.voice_claims(dated)
    assert voices["speaker"].tolist() == ["A", "C", "B"] and voices["rank"].tolist() == [0, 1, 2]
    assert voices.set_index("speaker").loc["B", "example"] == "claim 2"  # one claim: shown in the voice's tooltip
    assert voices.set_index("speaker").loc["A", "example"].startswith("2 claims")
    assert voices.set_index("speaker").loc["C", "stance_mix"] == "1 balanced, 1 sceptical"
    assert sorted(vc.loc[vc["speaker"] == "A", "slot"]) == [0, 1]
    assert vc.set_index("claim_id").loc["c2", "score"] == -1.0


def test_balance(dated):
    b = claims.balance(dated)
    assert b["claims"] == 5 and b["voices"] == 3
    assert b["counts"] == {"favours_us": 2, "balanced": 1, "sceptical": 2}
    assert b["reasons"] == {"pro_china": 1, "sovereignty": 1}
    assert b["mean_score"] == pytest.approx(0.0)
    # only groups with at least two claims are ranked: us_official (+1) and pakistani_analyst (−0.5)
    assert b["most_favourable_group"] == ("US officials", 1.0, 2)
    assert b["most_sceptical_group"] == ("Pakistani non-government voices", -0.5, 2)
    assert b["top_theme"] == ("Economic gains or costs", 3)


def test_stance_long(small):
    long = claims.stance_long(claims.stance_by_group(small), claims.group_label("speaker_group"))
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


# --- The chapters' prose, tables and charts ---------------------------------------------------------------------

from critmin.chapters import claims_charts  # noqa: E402


def test_balance_text(dated, codebook):
    text = claims.balance_text(dated, dated, codebook)
    assert "The **5 claims** come from **3 voices** and were made between October 2025 and November 2025." in text
    assert "**2** (40%) favour the US partnership, **1** (20%) are balanced" in text
    assert "rest 1 on a pro-China objection and 1 on sovereignty or provincial rights." in text
    assert "highest mean stance is that of **US officials** (+1.00 over 2 claims" in text
    assert "The most frequent theme is *Economic gains or costs* (3 claims)." in text
    assert "your file" not in text and "Only claims" not in text
    mine = claims.balance_text(dated, dated, codebook, claims_file="some/dir/mine.csv")
    assert mine.startswith("Claims read from your file `mine.csv` (5 claims).")
    kept = claims.filter_themes(dated, "security")
    none = claims.balance_text(kept, dated, codebook, themes=["security"])
    assert "(0 of 5 claims)" in none and none.endswith("No claim carries the chosen themes, so there is nothing to chart.")


def test_voices_table(dated):
    t = claims.voices_table(dated)
    assert list(t.columns) == ["Voice", "Group", "Claims", "Favour US", "Balanced", "Sceptical", "Mean stance"]
    assert t["Voice"].tolist() == ["A", "C", "B"] and t["Mean stance"].tolist() == [1.0, -0.5, -1.0]


def test_codebook_summary_and_sections(df, codebook):
    n_codes = sum(len(claims.codes(t, codebook)) for t in claims.CODEBOOK_SECTIONS)
    text = claims.codebook_summary(df, codebook)
    assert text.startswith(f"The codebook has **{n_codes} codes** in 5 groups: ")
    assert f"They code **{len(df)} claims** from **{df['speaker'].nunique()} voices**." in text
    for code_type, title in claims.CODEBOOK_TITLES.items():
        section = claims.codebook_section(code_type, df, codebook)
        assert section.startswith(f"## {title}\n\n{claims.CODEBOOK_SECTIONS[code_type]}")
        assert section.count("\n### ") == len(claims.codes(code_type, codebook))
        assert section.count("**Coding rule.**") == len(claims.codes(code_type, codebook))


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


@pytest.mark.parametrize("content, name", [
    (b"root:$6$Xq9zKw:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", "shadow"),
    (b"root:$6$Xq9zKw:19000:0:99999:7:::\n", "shadow.csv"),
    (b"\xff\xfeXq9zKw\n", "binary.csv"),
], ids=["no-csv-suffix", "csv-suffix", "binary"])
def test_claims_file_that_is_not_a_claims_csv_is_refused_without_its_content(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ParameterError) as err:
        claims.load_claims_param(str(path))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"claims_file={str(path)!r}: ")
    rest = msg.removeprefix(f"claims_file={str(path)!r}: ")
    assert "Xq9zKw" not in rest and "root" not in rest and "daemon" not in rest
    assert "claim_id" in msg  # names the header it expects


def test_unreadable_claims_file_is_refused_in_one_line(tmp_path):
    import os

    path = tmp_path / "locked.csv"
    path.write_text("Xq9zKw\n")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as a user who can read any file")
    with pytest.raises(ParameterError, match="cannot be read") as err:
        claims.load_claims_param(str(path))
    assert "Xq9zKw" not in str(err.value)


@pytest.mark.parametrize("column, value, line", [("stance_reason", "", 7), ("themes", "no_such_theme", 9)])
def test_claims_errors_count_blank_lines(tmp_path, column, value, line):
    rows = _rows()
    row = 4 if column == "stance_reason" else 6
    if column == "stance_reason":
        rows[row]["stance"] = "sceptical"
    rows[row][column] = value
    path = _write(tmp_path / "mine.csv", rows)
    text = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(text[:2] + [""] + text[2:]), encoding="utf-8")  # a blank line after the first claim
    with pytest.raises(ParameterError) as err:
        claims.load_claims_param(str(path))
    # claim 5 is on line 7 (header, four claims and a blank line before it), claim 7 on line 9
    assert f"mine.csv, line {line}, column {column!r}" in str(err.value), str(err.value)
# --- Counts per voice beside counts per claim -------------------------------------------------------------------


def test_voice_stances_count_each_voice_once(small):
    v = claims.voice_stances(small).set_index("voice")
    assert v.loc["A", "claims"] == 2 and v.loc["A", "stance"] == "favours_us"
    assert v.loc["C", "stance"] == "sceptical"  # mean of 0 and −1 is below zero
    with_ids = small.assign(voice_id=["x", "x", "y", "z", "z"], speaker=["A", "A (again)", "B", "C", "C"])
    assert claims.voice_stances(with_ids)["voice"].tolist() == ["x", "y", "z"]  # voice_id, not the spelling


def test_groups_table_counts_voices_and_claims(small, codebook):
    t = claims.groups_table(small, codebook).set_index("Group")
    names = claims.labels("speaker_group", codebook)
    assert t.loc[names["pakistani_analyst"], "Voices"] == 1 and t.loc[names["pakistani_analyst"], "Claims"] == 2
    assert t.loc[names["us_official"], "Voices favouring the US"] == 1
    present = set(small["speaker_group"])
    assert list(t.index) == [names[g] for g in claims.codes("speaker_group", codebook) if g in present]


def test_concentration_text_on_the_package_claims(df, codebook):
    text = claims.concentration_text(df, codebook)
    rep = claims.report_voices(df)
    assert len(rep) == 3 and set(rep["voice"]) == {"khan", "khoso", "sheikh"}
    n = int(rep["claims"].sum())
    assert f"make **{n} of the {len(df)} claims**" in text
    assert f"each of the {df['voice_id'].nunique()} voices once" in text
    assert "interested parties (" in text and "low-reliability sources (" in text
    busiest = df["date"].dt.to_period("M").value_counts().idxmax().strftime("%B %Y")
    assert f"busiest month, {busiest}, are theirs" in text


def test_concentration_text_without_the_report(dated, codebook):
    text = claims.concentration_text(dated.assign(voice_id=dated["speaker"]), codebook)
    assert "Counted per claim, 2 of 5 claims favour the US" in text
    assert "counted per voice (each of the 3 voices once" in text
    assert "experts quoted" not in text and "kept apart" not in text
    assert claims.concentration_text(dated.iloc[0:0], codebook) == ""


def test_off_list_note_names_minerals_off_the_us_list(dated):
    events = pd.DataFrame({"event_id": ["ussm-fwo-mou-signed", "us-critical-minerals-list-2025"],
                           "date": pd.to_datetime(["2025-09-08", "2025-11-07"]),
                           "minerals": ["copper;gold;rare_earths", "copper"]})
    with_gold = dated.assign(claim=["Gold and copper", "x", "y", "GOLD", "z"])
    note = claims.off_list_note(with_gold, events)
    assert note.startswith("Of the minerals named for early export under the MoU, gold is not on the final US List "
                           "of Critical Minerals (7 November 2025)")
    assert "2 claims in the table name gold (A and C)." in note
    assert "No claim in the table names gold." in claims.off_list_note(dated, events)
    assert claims.off_list_note(dated, events.assign(minerals=["copper", "copper;gold"])) == ""
    assert claims.off_list_note(dated, events.iloc[[0]]) == ""
