"""The deal chapter's numbers on small hand-made tables (expected values worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import deals


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
    assert w.kind == "mou_intent"
    assert w.n_sized == 2 and w.n_unsized == 1
    assert w.rank == 2  # only B (4.2bn) is larger; the 1.25bn loan is another kind
    assert w.largest_other == ("B MoU", 4.2e9)
    assert w.ratio_to_largest_other == pytest.approx(8.4)  # 4.2e9 / 5e8

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
    assert f.loc[0, ["source_outlet", "source_url", "reliability"]].tolist() == ["APP", "https://c", "P"]
    with pytest.raises(KeyError, match="missing"):
        deals.deal_facts(_events(), pd.DataFrame(columns=["deal_id"]), [("x", "events", "missing")])

def test_every_money_kind_and_status_of_the_schema_has_a_label():
    from critmin.data import package

    fields = {f["name"]: f for f in package.resource("deals")["schema"]["fields"]}
    assert set(fields["money_kind"]["constraints"]["enum"]) == set(deals.MONEY_KIND_LABELS)
    assert set(fields["status"]["constraints"]["enum"]) == set(deals.STATUS_LABELS)

def _us_deals() -> pd.DataFrame:
    rows = [  # deal_id, name, country, kind, amount, status, pk
        ("f-ukr", "Ukraine fund", "UKR", "framework", None, "signed", False),
        ("e-ukr", "Ukraine equity", "UKR", "equity", 75e6, "approved", False),
        ("l-ukr", "Ukraine loan", "UKR", "loan", 10e6, "intent", False),
        ("f-jpn", "Japan framework", "JPN", "framework", None, "signed", False),
        ("p-aus", "Australia pipeline", "AUS", "pipeline", 8.5e9, "planned", False),
        ("pk", "Pakistan deal", None, "loan", 1e9, "approved", True),
        ("dom", "Domestic stake", None, "equity", 4e8, "signed", False),
    ]
    df = pd.DataFrame(rows, columns=["deal_id", "name", "counterpart_country", "money_kind", "amount_usd", "status",
                                     "pakistan_side"])
    df["us_side"] = True
    df["date"] = pd.Timestamp("2025-06-01")
    df["date_precision"] = ["day", "month", "day", "year", "day", "day", "day"]
    df["amount_usd"] = df["amount_usd"].astype("Float64")
    return df

def test_flows_lists_money_beyond_intent_without_adding():
    f = deals.flows(_us_deals())
    assert set(f["deal_id"]) == {"f-ukr", "e-ukr", "l-ukr", "f-jpn", "p-aus"}  # Pakistan and domestic rows left out
    assert f.loc[f["deal_id"] == "e-ukr", "moved"].item() and not f.loc[f["deal_id"] == "l-ukr", "moved"].item()
    assert f.loc[f["deal_id"] == "f-jpn", "when"].item() == "2025"  # a year-only date printed as a year
    assert f.loc[f["deal_id"] == "e-ukr", "when"].item() == "June 2025"

def test_not_critical():
    ids = ["ussm-fwo-mou-signed", "us-critical-minerals-list-2025", "ussm-fwo-wider-mineral-list"]
    ev = pd.DataFrame({"event_id": ids,
                       "date": pd.to_datetime(["2025-09-08", "2025-11-07", "2025-09-08"]),
                       "minerals": ["copper;gold;rare_earths", "copper;antimony", "cobalt;copper;gold"]})
    assert deals.not_critical(ev, "copper;gold;rare_earths") == ["gold"]
    assert deals.not_critical(ev.iloc[[0]], "gold") == []  # no list row: nothing claimed

def test_deal_facts_prints_a_deals_row_with_its_own_precision():
    dl = pd.DataFrame({"deal_id": ["x"], "date": [pd.Timestamp("2025-01-01")], "date_precision": ["year"],
                       "name": ["X"], "summary": ["s"], "source_outlet": ["O"], "source_url": ["https://o"],
                       "reliability": ["N"]})
    f = deals.deal_facts(pd.DataFrame(columns=["event_id"]), dl, [("S", "deals", "x")])
    assert f.loc[0, "when"] == "2025"

def test_us_party_without_counterpart_is_at_home():
    dl = pd.DataFrame({
        "deal_id": ["ussm-fwo-mou", "loan-1", "mou-2", "frame-1"],
        "amount_usd": pd.array([500e6, 1.25e9, 4.2e9, None], dtype="Float64"),
        "money_kind": ["mou_intent", "loan", "mou_intent", "framework"],
        "us_side": [True, True, False, True], "pakistan_side": [True, True, True, False],
        "china_side": [False, False, True, False], "counterpart_country": [None, None, "CHN", "AUS"],
    })
    sides = deals.sized_deals(dl).set_index("deal_id")["side"]
    assert sides["ussm-fwo-mou"] == "US in Pakistan" and sides["mou-2"] == "China side"
    home = dl.assign(pakistan_side=[True, False, True, False])
    assert deals.sized_deals(home).set_index("deal_id").loc["loan-1", "side"] == "US at home"
