"""Deal-chapter helpers on small hand-made tables (expected values worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin import deals
from critmin.params import ParameterError


def _deals() -> pd.DataFrame:
    rows = [
        # deal_id, name, money_kind, amount, us, pk, cn
        ("a-mou", "A MoU", "mou_intent", 500e6, True, True, False),
        ("b-mou", "B MoU", "mou_intent", 4.2e9, False, True, True),
        ("c-mou", "C MoU", "mou_intent", None, True, False, False),
        ("d-loan", "D loan", "loan", 1.25e9, True, True, False),
        ("e-frame", "E framework", "framework", None, True, False, False),
    ]
    df = pd.DataFrame(rows, columns=["deal_id", "name", "money_kind", "amount_usd", "us_side", "pakistan_side", "china_side"])
    df["amount_usd"] = df["amount_usd"].astype("Float64")
    return df


def test_within_kind_ranks_only_against_same_kind():
    w = deals.within_kind(_deals(), "a-mou")
    assert w["kind"] == "mou_intent"
    assert w["n_sized"] == 2 and w["n_unsized"] == 1
    assert w["rank"] == 2  # only B (4.2bn) is larger; the 1.25bn loan is another kind
    assert w["largest_other"] == ("B MoU", 4.2e9)
    assert w["ratio_to_largest_other"] == pytest.approx(8.4)  # 4.2e9 / 5e8


def test_within_kind_rejects_missing_or_unsized():
    with pytest.raises(KeyError):
        deals.within_kind(_deals(), "nope")
    with pytest.raises(ValueError):
        deals.within_kind(_deals(), "c-mou")


def test_sized_deals_order_and_sides():
    s = deals.sized_deals(_deals())
    assert list(s["deal_id"]) == ["b-mou", "a-mou", "d-loan"]  # kinds in label order, largest first
    assert dict(zip(s["deal_id"], s["side"])) == {"b-mou": "China side", "a-mou": "US in Pakistan", "d-loan": "US in Pakistan"}
    assert list(deals.unsized_deals(_deals())["deal_id"]) == ["e-frame", "c-mou"]


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "2025/01/01", ""])
def test_parse_date_rejects(bad):
    with pytest.raises(ParameterError, match="start"):
        deals.parse_window(bad, "2026-01-01")


def test_parse_window():
    s, e = deals.parse_window("2023-01-01", "2026-12-31")
    assert (s, e) == (pd.Timestamp("2023-01-01"), pd.Timestamp("2026-12-31"))
    with pytest.raises(ParameterError, match="before"):
        deals.parse_window("2026-01-01", "2025-01-01")
    with pytest.raises(ParameterError, match="out of range"):
        deals.parse_window("1990-01-01", "2025-01-01")


def test_usd_and_escaping():
    assert deals.usd(500e6) == "US\\$500 million"
    assert deals.usd(4.2e9) == "US\\$4.2 billion"
    assert deals.usd(1.25e9) == "US\\$1.25 billion"
    assert deals._md_escape("a|b $5") == "a\\|b \\$5"
    assert deals.source_link("Dawn", "https://x.org/a b", "N") == "[Dawn](https://x.org/a%20b) (news outlet)"


def _events() -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": ["e2", "e1", "ussm-fwo-mou-signed", "old"],
        "date": pd.to_datetime(["2025-10-09", "2025-04-04", "2025-09-08", "2022-02-09"]),
        "date_precision": ["day", "month", "day", "day"],
        "kind": ["china_export_control", "china_export_control", "pakistan_us_deal", "pakistan_china"],
        "title": ["T2", "T1", "MoU", "Old"],
        "source_outlet": ["Dawn", "Reuters", "APP", "BR"],
        "source_url": ["https://a", "https://b", "https://c", "https://d"],
        "reliability": ["N", "M", "P", "N"],
        "summary": ["s2", "s1", "s0", "s3"],
        "amount_note": [None, None, "about US$500m", None],
    })


def test_timeline_window_and_labels():
    t = deals.timeline(_events(), "2023-01-01", "2026-12-31")
    assert list(t["event_id"]) == ["e1", "ussm-fwo-mou-signed", "e2"]
    assert t.loc[0, "when"] == "April 2025"  # month precision
    assert t.loc[2, "when"] == "9 October 2025"
    assert t["is_deal"].sum() == 1
    assert t.loc[0, "lane"] == "China's export controls"


def test_deal_facts_keeps_source_and_note():
    sections = [("Signed", "events", "ussm-fwo-mou-signed")]
    f = deals.deal_facts(_events(), pd.DataFrame(columns=["deal_id"]), sections)
    assert f.loc[0, "fact"] == "s0 (about US$500m)"
    assert f.loc[0, "source"] == "[APP](https://c) (primary or official)"
    md = deals.facts_markdown(f)
    assert "US\\$500m" in md and "[APP](https://c)" in md
    with pytest.raises(KeyError, match="missing"):
        deals.deal_facts(_events(), pd.DataFrame(columns=["deal_id"]), [("x", "events", "missing")])
