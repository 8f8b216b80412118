"""The claims table and codebook as shipped: who is represented, sources, codes and their examples."""

from __future__ import annotations

import re

import pandas as pd

from critmin.analysis import claims
from critmin.data import package as datapackage

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
