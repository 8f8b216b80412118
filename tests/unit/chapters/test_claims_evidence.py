"""The claims-and-evidence chapter: the sentence for each kind of fact (written on hand-made fact records), the
chapter's text and tables, its charts, and the package's own verdicts as the page states them."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin import data
from critmin.analysis import evidence as ev
from critmin.analysis.evidence import (
    AmountFacts,
    DealSizeFacts,
    FdiFacts,
    ImportFacts,
    KindComparison,
    Lead,
    ListedFacts,
    ListingFacts,
    PlannedFacts,
    PriceFacts,
    PriceSeries,
    Reason,
    RecordFacts,
    ShareFacts,
)
from critmin.chapters import claims_charts, claims_evidence
from critmin.chapters.claims_evidence import finding, value_text
from critmin.data import claims as claims_data

# The package's tables, loaded on first use and shared by the tests of this module.
TABLES = data.Tables()

LEAD = Lead(china=60.0, total=120.0, rank=1, second_name="Australia", second_value=20.0)


# ---------------------------------------------------------------------------------------------- the facts


def test_a_share_names_the_next_country_and_the_ratio():
    f = ShareFacts(LEAD, "rare_earths", "mine", 2025, "t")
    assert finding(f) == ("China accounted for 50% of world rare-earth mine production in 2025 (60.0 of 120.0 t), the "
                          "largest among the listed countries. Next: Australia, 17%. China's figure is 3.0 times that "
                          "of Australia.")
    assert value_text(f) == "50%"
    behind = Lead(china=30.0, total=100.0, rank=2, second_name="Australia", second_value=40.0)
    assert "number 2 among the listed countries. Next: Australia, 40%." in finding(
        ShareFacts(behind, "antimony", "mine", 2025, "t"))
    assert "times" not in finding(ShareFacts(behind, "antimony", "mine", 2025, "t"))  # no ratio when not first


def test_a_share_says_what_it_is_a_share_of_and_its_caveats():
    big = Lead(china=11860.0, total=26944.0, rank=1, second_name="Chile", second_value=1980.0)
    text = finding(ShareFacts(big, "copper", "refining", 2024, "kt", secondary=True))
    assert "of world refined copper output in 2024 (11,860 of 26,944 kt)" in text  # large amounts: no decimal
    assert text.endswith("read from a third-party copy of the workbook.")
    assert "world gallium refining" in finding(ShareFacts(big, "gallium", "refining", 2024, "kt"))
    assert "USGS marks China's figure as an estimate" in finding(ShareFacts(LEAD, "tungsten", "mine", 2025, "t",
                                                                            estimated=True))
    alone = Lead(china=9.0, total=10.0, rank=1, second_name=None, second_value=None)
    assert finding(ShareFacts(alone, "rare_earths", "refining", 2024, "kt")).endswith(
        "(9.0 of 10.0 kt), the largest among the listed countries.")


def test_the_parts_of_a_premise_are_joined():
    parts = (ShareFacts(LEAD, "antimony", "mine", 2025, "t"), ShareFacts(LEAD, "copper", "refining", 2024, "kt"))
    assert value_text(parts) == "50%; 50%"
    assert finding(parts) == finding(parts[0]) + " " + finding(parts[1])


def test_imports_fdi_and_listing_sentences():
    imports = ImportFacts("rare_earths", 30.0e6, 100.0e6, 2024, ("280530", "2846"))
    assert finding(imports) == ("China supplied 30% of the value of US imports of rare-earth compounds and metals in "
                                "2024 (US$30 million of US$100 million, HS 280530, 2846).")
    fdi = FdiFacts(((2025, Lead(50.0, 200.0, 1, "Hong Kong", 40.0)), (2026, Lead(30.0, 100.0, 2, "Hong Kong", 60.0))))
    assert finding(fdi).startswith("China was the largest source of net FDI in 1 of 2 fiscal years with country data "
                                   "(FY2025: first, US$50m of US$200m (25%); next Hong Kong US$40m; FY2026: number 2, "
                                   "US$30m of US$100m (30%); largest Hong Kong US$60m).")
    assert value_text(fdi) == "30%"
    none = ListingFacts(("MCS2022", "MCS2026"), (2020, 2025), None, 19, None)
    assert finding(none) == ("Pakistan is not listed as a rare-earth mine producer in USGS MCS2022–MCS2026 (2020–2025) "
                             "or no BGS rows, which together list 19 producing countries.")
    assert value_text(none) == "not listed"
    listed = ListingFacts(None, None, None, 1, (5.0, 2025))
    assert (finding(listed), value_text(listed)) == ("Pakistan is listed with rare-earth mine production of 5 t in "
                                                     "2025.", "5 t")


def test_deal_size_and_planned_output_sentences():
    deal = DealSizeFacts(5e8, "mou or stated intent", 3, 3, 1, 2e9, 2, True)
    assert ("ranks 3 of 3 stated amounts of the kind 'mou or stated intent' (1 more of that kind state none); it is "
            "0.25 times the median of the other 2 stated amounts of its kind (US$2 billion). It is a non-binding MoU."
            in finding(deal))
    assert value_text(deal) == "rank 3 of 3 (mou or stated intent)"
    alone = DealSizeFacts(5e8, "mou or stated intent", 1, 1, 0, None, 0, False)
    assert "no other amount of its kind is stated. It is not recorded as a non-binding MoU." in finding(alone)
    plan = PlannedFacts(400.0, "kt", 23000.0, 2025, 14, "Chile", 5000 / 23000)
    assert finding(plan) == ("The largest planned output (400.0 kt a year, after expansion) would be 1.7% of world "
                             "mine output in 2025 (23,000 kt) and would rank 14 among the producers listed; the "
                             "largest, Chile, produced 22%.")
    assert value_text(plan) == "1.7%"


def test_listed_statistics_name_each_mineral():
    f = ListedFacts(("copper", "gold", "rare_earths"), (("production_history", 1970, 2021), ("production", 2020, 2025)),
                    {"copper": (("production_history", 1990, 2021),)})
    assert finding(f) == ("Pakistan with a positive amount in the statistics read (BGS production (1970–2021), USGS "
                          "mine production (2020–2025)) — copper: listed in production_history 1990–2021; gold: not "
                          "listed; rare earths: not listed.")
    assert value_text(f) == "1 of 3 listed"
    assert value_text(ListedFacts(("gold",), (), {})) == "not listed"


def test_amounts_are_compared_kind_by_kind():
    f = AmountFacts((KindComparison("investment_plan", 62e9, "largest", 1, True, top=("Reko capex", 5.6e9)),
                     KindComparison("spent", 25e9, "largest", 0, None)), None)
    assert finding(f) == ("Compared only within each kind of money — planned project cost: US$62 billion against at "
                          "most US$5.6 billion (Reko capex), the largest of 2; money reported spent: US$25 billion, no other stated amount "
                          "of this kind to compare. Amounts of other kinds are not added or ranked with them.")
    median = AmountFacts((KindComparison("mou_intent", 5e8, "below_median", 2, True, median=2e9, rank=3),), False)
    assert "rank 3 of 3 stated amounts, below the median of the others (US$2 billion); not recorded as non-binding." \
        in finding(median)
    nothing = AmountFacts((KindComparison("spent", 25e9, "largest", 0, None),), None)
    assert finding(nothing).startswith("No stated amount of the same kind to compare: ")


def test_records_list_the_rows_with_caveat_and_prices():
    deals = pd.DataFrame({"name": ["IFC loan"], "date": [pd.Timestamp("2025-06-01")], "date_precision": ["day"],
                          "amount_usd": [None], "money_kind": ["loan"], "status": ["approved"]})
    pid = "khan-2-reko-diq-chinese-firms-p1"
    text = finding(RecordFacts("not_shown", (("deals", deals),), pid))
    assert text.startswith("None of the records shows it as stated; they show: IFC loan (1 June 2025, loan (pledged, "
                           "approved or sought), approved).")
    assert "contractors and suppliers at the site are not recorded" in text
    assert value_text(RecordFacts("not_shown", (("deals", deals),), pid)) == "1 record(s)"
    events = pd.DataFrame({"title": [f"E{i}" for i in range(7)], "date": [pd.Timestamp("2025-10-09")] * 7,
                           "date_precision": ["month"] * 7})
    prices = PriceFacts((PriceSeries("NdPr oxide", ((2024, 55.0, False), (2025, 69.0, True))),), "USGS MCS 2026")
    text = finding(RecordFacts("shown", (("events", events),), "x-p1", prices))
    assert text.startswith("The records show it: “E0” (October 2025); ")
    assert "“E4” (October 2025) and 2 more." in text
    assert ("Annual average prices (USGS MCS 2026, US$ per kg): NdPr oxide US$55 in 2024, 69 in 2025 (estimate). "
            "Annual averages cannot show") in text
    empty = RecordFacts("no_rows", (), "x-p1")
    assert (finding(empty), value_text(empty)) == ("The records hold no row on this.", "")


def test_no_verdict_states_the_reason():
    assert finding(Reason(text="An opinion.")) == "An opinion."
    assert finding(Reason(missing="plan_or_world")) == "The plan or the world output is missing from the data."
    assert value_text(Reason(text="An opinion.")) == ""
    with pytest.raises(TypeError):
        finding("a sentence")


def test_context_lists_the_first_records_of_events_and_deals():
    events = pd.DataFrame({"title": ["A", "B", "C", "D"], "date": [pd.Timestamp("2025-01-01")] * 4,
                           "date_precision": ["year"] * 4})
    assert claims_evidence.context_text((("Note one", "events", events), ("Note two", "prices", events))) == (
        "Note one (“A” (2025); “B” (2025); “C” (2025) and 1 more); Note two")
    assert claims_evidence.context_text(()) == ""


# ---------------------------------------------------------------------------------------------- the package


@pytest.fixture(scope="module")
def verdicts():
    return claims_evidence.judge(claims_data.load_claims(), TABLES)


def test_the_package_verdicts_as_the_page_states_them(verdicts):
    rows = verdicts.set_index("premise_id")
    assert "refin" not in rows.loc["sheikh-1-rare-earth-leverage-p1", "finding"]
    assert "Compared only within each kind of money" in rows.loc["khoso-7-china-main-partner-p1", "finding"]
    assert "gold is not on the final 2025 US critical-minerals list" in rows.loc["malik-1-france-p1", "context"]
    assert "contractors and suppliers" in rows.loc["khan-2-reko-diq-chinese-firms-p1", "finding"]
    # every judged premise has a finding with a number or a record, every unchecked one its reason
    assert verdicts["finding"].str.len().gt(10).all()
    judged = verdicts[verdicts["verdict"] != ev.NOT_CHECKABLE]
    assert judged.loc[judged["rule_family"] == "share_threshold", "value_text"].str.contains("%").all()


def test_load_gives_the_page_everything(verdicts):
    chapter = claims_evidence.load("", TABLES)
    assert chapter.verdicts[["premise_id", "finding"]].equals(verdicts[["premise_id", "finding"]])
    assert list(chapter.measures["metric"]) == list(claims_charts.EVIDENCE_SHORT)
    assert len(chapter.claims) == len(claims_data.load_claims()) and not chapter.codebook.empty


# ---------------------------------------------------------------------------------------------- the chapter


def _verdicts() -> pd.DataFrame:
    rows = [  # claim_id, premise_id, kind, family, checkable, verdict, stance
        ("a", "a-p1", "factual", "share_threshold", True, ev.SUPPORTED, "favours_us"),
        ("a", "a-p2", "opinion", "none", False, ev.NOT_CHECKABLE, "favours_us"),
        ("b", "b-p1", "factual", "record_check", True, ev.CONTRADICTED, "sceptical"),
        ("b", "b-p2", "factual", "none", False, ev.NOT_CHECKABLE, "sceptical"),
        ("c", "c-p1", "forecast", "none", False, ev.NOT_CHECKABLE, "balanced"),
    ]
    df = pd.DataFrame(rows, columns=["claim_id", "premise_id", "kind", "rule_family", "checkable", "verdict", "stance"])
    return df.assign(speaker=["Ann", "Ann", "Bo", "Bo", "Cy"], premise=["P1", "P2", "P3", "P4", "P5"],
                     date=pd.to_datetime(["2025-01-01"] * 2 + ["2025-10-01"] * 3),
                     date_precision=["year", "year", "month", "month", "day"],
                     source_url=["https://a"] * 2 + ["https://b"] * 3, rule=["R1", "", "R2", "", ""],
                     finding=["F1", "An opinion.", "F3", "No data.", "A forecast."], value_text=["60%", "", "", "", ""],
                     year=["2024", "", "", "", ""], source=["USGS", "", "deals", "", ""],
                     context=["", "", "C3", "", ""])


def test_verdicts_text():
    text = claims_evidence.verdicts_text(pd.DataFrame({"claim_id": ["a", "b", "c", "d"]}), _verdicts())
    assert text.startswith("The **4 claims** rest on **5 premises**: 3 factual, 1 opinions or judgements and 1 "
                           "forecasts.")
    assert "**2 premises** get a verdict from a rule (2 claims): 1 supported and 1 contradicted." in text
    assert "1 claims of the file have no premises coded" in text


def test_measures_markdown_shows_the_rule_beside_each_verdict():
    md = claims_evidence.measures_markdown(_verdicts())
    assert md.count("### ") == 2 and "*Rule:* " in md
    assert "- **Ann** ([2025](https://a)), premise: “P1” — **supported.** *Evidence* (USGS, 2024): F1" in md
    assert "*Context:* C3." in md
    t = claims_evidence.checked_table(_verdicts())
    assert list(t.columns) == ["Speaker", "Premise (paraphrase)", "Rule", "Evidence", "Verdict"] and len(t) == 2
    u = claims_evidence.unchecked_table(_verdicts())
    assert u["Premise (paraphrase)"].tolist() == ["P4", "P5"]  # opinions are not listed
    assert u["Date"].tolist() == ["October 2025", "1 October 2025"]
    assert claims_evidence.unchecked_text(_verdicts()).startswith("3 premises get no verdict: 1 opinions, 1 forecasts and 1 factual")


def test_rules_markdown_lists_every_family_with_its_threshold():
    md = claims_evidence.rules_markdown()
    assert md.count("\n- ") + 1 == len(ev.RULES)  # one line per family with a rule
    assert "at least 50% of the world total" in md and "top 3" in md


def test_verdict_chart():
    codebook = claims_data.load_codebook()
    spec = claims_charts.verdict_chart(_verdicts(), codebook).to_dict()
    title = " ".join(spec["title"]["text"]) if isinstance(spec["title"]["text"], list) else spec["title"]["text"]
    assert title == "2 premises of 2 claims get a verdict: 1 supported, 1 contradicted"
    assert "supported 1; partly supported 0" in spec["description"]
    empty = _verdicts().assign(kind="opinion", verdict=ev.NOT_CHECKABLE)
    assert claims_charts.verdict_chart(empty, codebook) is None


def test_premise_codes_markdown():
    md = claims_evidence.premise_codes_markdown(claims_data.load_claims(), TABLES["claim_premises"])
    assert md.count("### ") == 3 and "(`listed_in_statistics`)" in md and "(`contradicted`)" in md


def test_evidence_chart_on_package_data():
    used = ["china_share_mine_rare_earths", "china_largest_fdi_source"]
    bars = claims_charts.evidence_bars(used, TABLES)
    assert bars["label"].str.startswith("Rare-earth mine output (").iloc[0]
    assert bars["label"].str.match(r".* \((FY)?\d{4}\)$").all()  # FDI: the latest fiscal year
    spec = claims_charts.evidence_chart(bars).to_dict()
    above = int((bars["value"] >= ev.MAJORITY).sum())
    title = spec["title"]["text"]
    title = " ".join(title) if isinstance(title, list) else title
    assert title == f"China's share is above half in {above} of the 2 measures behind the claims"
    assert spec["title"]["subtitle"][1].startswith("Sources: ")


def test_a_claims_file_without_coded_premises_is_not_judged():
    df = claims_data.load_claims().head(2)
    mine = df.assign(claim_id=df["claim_id"] + "-mine")
    v = claims_evidence.judge(mine, TABLES)
    assert v.empty and list(v.columns) == [*ev.VERDICT_COLUMNS, "finding", "value_text", "context"]
    assert claims_evidence.verdicts_text(mine, v) == ("None of the **2 claims** has premises coded in the data package (premises "
                                         "are matched to claims by claim_id), so none is judged.")
    assert claims_charts.verdict_chart(v, claims_data.load_codebook()) is None
