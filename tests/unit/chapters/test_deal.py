"""The deal chapter's parameter checks, sentences, tables and charts on small hand-made tables (expected
values worked out by hand)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from critmin.analysis import deals
from critmin.chapters import deal as chapter
from critmin.params import ParameterError


def _story() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The signing, a shipment 30 days later, the phasing report, export controls and a US deal around them."""
    ev = pd.DataFrame({
        "event_id": ["ussm-fwo-mou-signed", "ussm-first-shipment", "ussm-fwo-phasing-reported", "cx1", "cx2", "usd1",
                     "usd2"],
        "date": pd.to_datetime(["2025-09-08", "2025-10-08", "2025-09-10", "2025-04-04", "2025-10-09", "2025-05-01",
                                "2025-11-01"]),
        "date_precision": ["day"] * 7,
        "kind": ["pakistan_us_deal", "pakistan_us_deal", "pakistan_us_deal", "china_export_control",
                 "china_export_control", "us_minerals_deal", "us_minerals_deal"],
        "title": ["MoU", "Shipment", "Phasing", "Controls 1", "Controls 2", "Deal 1", "Deal 2"],
        "minerals": ["antimony;copper;rare_earths", "antimony;copper", None, None, None, None, None],
        "amount_usd": [500e6, None, None, None, None, None, None],
        "amount_note": [None, "no tonnage given", None, None, None, None, None],
        "source_outlet": ["APP", "Reuters", "Dawn", "MOFCOM", "MOFCOM", "WH", "WH"],
        "source_url": [f"https://e/{i}" for i in range(7)],
        "reliability": ["P", "N", "N", "P", "P", "P", "P"],
        "summary": ["s"] * 7,
    })
    dl = pd.DataFrame({
        "deal_id": ["ussm-fwo-mou", "loan-1", "mou-2", "frame-1"],
        "name": ["USSM–FWO MoU", "DFC loan", "Big MoU", "Framework"],
        "parties": ["US Strategic Metals;Frontier Works Organization", "DFC;X", "A;B", "C;D"],
        "amount_usd": [500e6, 1.25e9, 4.2e9, None],
        "binding": [False, True, False, False],
        "money_kind": ["mou_intent", "loan", "mou_intent", "framework"],
        "summary": ["Intent only; no financing close.", "", "", ""],
        "source_outlet": ["Dawn", "DFC", "X", "Y"], "source_url": ["https://d/0", "https://d/1", "https://d/2", "https://d/3"],
        "reliability": ["N", "P", "N", "N"],
        "us_side": [True, True, False, True], "pakistan_side": [True, True, True, False],
        "china_side": [False, False, True, False],
    })
    dl["amount_usd"] = dl["amount_usd"].astype("Float64")
    return ev, dl


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "2025/01/01", "", "  "])
def test_parse_date_rejects(bad):
    with pytest.raises(ParameterError, match=r"^start=.* is not a date; expected YYYY-MM-DD"):
        chapter.parse_window(bad, "2026-01-01")


def test_parse_window():
    s, e = chapter.parse_window("2023-01-01", "2026-12-31")
    assert (s, e) == (pd.Timestamp("2023-01-01"), pd.Timestamp("2026-12-31"))
    with pytest.raises(ParameterError, match="before"):
        chapter.parse_window("2026-01-01", "2025-01-01")
    with pytest.raises(ParameterError, match="out of range"):
        chapter.parse_window("1990-01-01", "2025-01-01")


def test_signed_text():
    ev, dl = _story()
    text = chapter.signed_text(ev, dl)
    assert text.startswith("On **8 September 2025**, US Strategic Metals (USSM) and Frontier Works Organization (FWO)")
    assert "**US\\$500 million**" in text and "**not binding**" in text and "*MoU or stated intent*" in text
    assert "The minerals named for early export were antimony, copper and rare earths." in text
    assert "status" not in text  # no status column in this table
    with_list = pd.concat([ev, pd.DataFrame({"event_id": ["us-critical-minerals-list-2025"],
                                             "date": [pd.Timestamp("2025-11-07")], "minerals": ["copper"]})])
    text = chapter.signed_text(with_list, dl.assign(status="intent"))
    assert "status *stated intent*" in text
    # rare earths are listed element by element, so only antimony is off the list here
    assert "antimony is not on the final US List of Critical Minerals (7 November 2025)" in text


def test_shipment_text_counts_days_and_reactions():
    ev, dl = _story()
    facts = pd.DataFrame({"section": ["Reactions", "Reactions", "Follow-up"],
                          "date": pd.to_datetime(["2025-09-20", "2025-10-02", "2025-12-01"])})
    text = chapter.shipment_text(ev, facts)
    assert "**30 days** after the signing: a sample lot of antimony and copper." in text
    assert "By 2 October 2025, 2 reactions were on record" in text


def test_gaps_markdown():
    ev, dl = _story()
    md = chapter.gaps_markdown(ev, dl).splitlines()
    assert [line.split("**")[1] for line in md] == ["The text of the MoU.", "The size of the first shipment.",
                                                     "Financing.", "What the later phases contain."]
    assert "(no tonnage given; [Reuters](https://e/1) (news report))" in md[1]
    assert "is an intention, not a binding commitment" in md[2]
    ev2 = ev.copy()
    ev2.loc[1, "amount_usd"] = 1e6
    dl2 = dl.assign(summary="Financing closed.")
    assert len(chapter.gaps_markdown(ev2, dl2).splitlines()) == 2


def test_timeline_text_places_the_signing():
    ev, _ = _story()
    tl = deals.timeline(ev, "2023-01-01", "2026-12-31")
    text = chapter.timeline_text(tl, pd.Timestamp("2023-01-01"), pd.Timestamp("2026-12-31"))
    assert "holds **7 events**" in text
    assert "The MoU came 157 days after the latest Chinese export-control step before it (“Controls 1”, 4 April 2025)." in text
    assert "31 days after the signing, China took its next step (“Controls 2”, 9 October 2025)." in text
    assert "Of the 2 US minerals agreements with other countries in the window, 1 followed" in text
    late = deals.timeline(ev, "2025-10-01", "2026-12-31")
    assert "falls outside this window" in chapter.timeline_text(late, pd.Timestamp("2025-10-01"), pd.Timestamp("2026-12-31"))
    empty = deals.timeline(ev, "2020-01-01", "2020-12-31")
    assert chapter.timeline_text(empty, pd.Timestamp("2020-01-01"), pd.Timestamp("2020-12-31")) == (
        "The events table has no events between 1 January 2020 and 31 December 2020.")


def test_sizes_and_unsized_text():
    _, dl = _story()
    text = chapter.sizes_text(dl)
    assert "ranks **2 of 2**; the largest other is the Big MoU (US\\$4.2 billion), **8.4 times** as much" in text
    assert ". 0 other deals of the same kind name no amount at all." in text
    assert "the largest US-linked loan figure in Pakistan, the DFC loan, is US\\$1.25 billion" in text
    assert chapter.unsized_text(dl) == "Deals in the table that state **no amount**: Framework (intergovernmental framework)."


def test_timeline_chart():
    ev, _ = _story()
    s, e = pd.Timestamp("2023-01-01"), pd.Timestamp("2026-12-31")
    spec = chapter.timeline_chart(deals.timeline(ev, s, e), s, e).to_dict()
    assert spec["description"].startswith("Timeline of 7 events from January 2023 to December 2026")
    assert chapter.timeline_chart(deals.timeline(ev, "2020-01-01", "2020-12-31"), s, e) is None
    short = chapter.timeline_chart(deals.timeline(ev, "2025-01-01", "2025-12-31"), pd.Timestamp("2025-01-01"),
                                       pd.Timestamp("2025-12-31")).to_dict()
    assert "%b %Y" in str(short)  # a window under two years gets month labels


def test_sizes_chart():
    _, dl = _story()
    frame = chapter.sizes_frame(dl)
    assert frame.loc[frame["is_deal"], "label"].tolist() == ["▶ USSM–FWO MoU"]
    assert frame["amount_bn"].tolist() == pytest.approx([4.2, 0.5, 1.25])
    spec = chapter.sizes_chart(dl).to_dict()
    assert " ".join(spec["title"]["text"]).startswith("The US$500m MoU ranks 2 of 2 stated MoU amounts")
    assert spec["title"]["subtitle"][0] == "3 deals that state an amount, one panel per kind of money; 1 more state none"


def test_timeline_chart_labels_every_event_on_the_chart():
    ev, _ = _story()
    s, e = pd.Timestamp("2023-01-01"), pd.Timestamp("2026-12-31")
    spec = chapter.timeline_chart(deals.timeline(ev, s, e), s, e).to_dict()
    rows = max(spec["datasets"].values(), key=len)
    assert len(rows) == 7 and "1 May 2025 · Deal 1" in {r["label"] for r in rows}
    assert '"field": "label"' in json.dumps(spec)  # the y axis carries date and title


def test_sizes_floor_sits_below_the_smallest_amount():
    _, dl = _story()
    small = dl.assign(amount_usd=dl["amount_usd"].where(dl["deal_id"] != "loan-1", 35.6e6))
    assert chapter.sizes_frame(small)["floor"].unique().tolist() == [0.01]
    assert chapter.sizes_frame(dl)["floor"].unique().tolist() == [0.1]
    spec = json.dumps(chapter.sizes_chart(small).to_dict())
    assert '"domain": [0.01, 100]' in spec  # the log axis starts at the floor, so no amount falls off it


def _us_deals() -> pd.DataFrame:
    rows = [  # deal_id, name, country, kind, amount, status, pk
        ("e-ukr", "Ukraine equity", "UKR", "equity", 75e6, "approved", False),
        ("l-ukr", "Ukraine loan", "UKR", "loan", 10e6, "intent", False),
        ("f-jpn", "Japan framework", "JPN", "framework", None, "signed", False),
        ("p-aus", "Australia pipeline", "AUS", "pipeline", 8.5e9, "planned", False),
        ("pk", "Pakistan deal", None, "loan", 1e9, "approved", True),
    ]
    df = pd.DataFrame(rows, columns=["deal_id", "name", "counterpart_country", "money_kind", "amount_usd", "status",
                                     "pakistan_side"])
    df["us_side"] = True
    df["date"] = pd.Timestamp("2025-06-01")
    df["date_precision"] = "day"
    df["amount_usd"] = df["amount_usd"].astype("Float64")
    return df


def test_flows_text_and_table_never_add_amounts():
    text = chapter.flows_text(_us_deals())
    assert text.startswith("Of the 3 countries where the table records a US minerals agreement or deal, 1 has money")
    assert "Ukraine: Ukraine equity (equity stake, approved, US\\$75 million)" in text
    assert "For Australia and Japan, only frameworks" in text
    assert "85" not in text  # 75m + 10m never added
    t = chapter.flows_table(_us_deals())
    assert t["Amount"].tolist().count("none stated") == 1 and len(t) == 4
    assert chapter.flows_text(_us_deals().iloc[[4]]) == "The deals table records no US agreement or deal with another country."


def test_minerals_text():
    ids = ["ussm-fwo-mou-signed", "us-critical-minerals-list-2025", "ussm-fwo-wider-mineral-list"]
    ev = pd.DataFrame({"event_id": ids,
                       "date": pd.to_datetime(["2025-09-08", "2025-11-07", "2025-09-08"]),
                       "minerals": ["copper;gold;rare_earths", "copper;antimony", "cobalt;copper;gold"]})
    text = chapter.minerals_text(ev)
    assert "were copper, gold and rare earths." in text and "wider list that adds cobalt." in text
    assert "gold is not on the final US List of Critical Minerals (7 November 2025), so it would not count" in text


def test_facts_markdown_links_each_report():
    facts = pd.DataFrame({"when": ["8 September 2025"], "title": ["MoU"], "fact": ["about US$500m"],
                          "source_outlet": ["APP"], "source_url": ["https://c/a b"], "reliability": ["P"]})
    md = chapter.facts_markdown(facts).splitlines()
    assert md[0] == "| Date | What | Detail | Source |"
    assert md[2] == "| 8 September 2025 | MoU | about US\\$500m | [APP](https://c/a%20b) (primary or official source) |"
