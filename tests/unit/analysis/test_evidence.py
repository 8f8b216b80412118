"""Evidence functions: the facts and verdicts of the rules on small hand-made tables, and the package's own
evidence. The sentences that state the facts are tested with the chapter (tests/unit/chapters)."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin import data
from critmin.analysis import evidence as ev
from critmin.data import claims as claims_data
from critmin.data import countries

# The package's tables, loaded on first use and shared by the tests of this module.
TABLES = data.Tables()


def verdicts_of(df):
    return ev.premise_verdicts(df, TABLES["claim_premises"], TABLES["premise_evidence"], TABLES)


def _prod(rows, mineral="rare_earths", stage="mine", year=2025, edition="MCS2026"):
    """rows: (country, iso3, row_kind, value)."""
    return pd.DataFrame([{"mineral": mineral, "stage": stage, "country": c, "iso3": i, "row_kind": k, "year": year,
                          "value": v, "flag": None, "edition": edition} for c, i, k, v in rows])


def test_mine_share_supported_uses_world_total_and_latest_year():
    old = _prod([("China", "CHN", "country", 10.0), ("Australia", "AUS", "country", 90.0),
                 ("World total", None, "world_total", 100.0)], year=2024, edition="MCS2025")
    new = _prod([("China", "CHN", "country", 60.0), ("Australia", "AUS", "country", 20.0),
                 ("World total", None, "world_total", 120.0)])
    e = ev.china_share_mine_rare_earths(pd.concat([old, new]))
    assert e.year == "2025"
    assert e.value == pytest.approx(0.5)  # 60 / 120, not 60 / 80 (sum of countries)
    assert e.verdict == ev.SUPPORTED
    assert (e.facts.lead.rank, e.facts.lead.second_name) == (1, "Australia")
    assert e.facts.lead.second_share == pytest.approx(20 / 120)
    assert e.resources == ("production",)
    assert "2026" in e.source


def test_mine_share_partly_and_not_supported():
    partly = _prod([("China", "CHN", "country", 40.0), ("Australia", "AUS", "country", 30.0),
                    ("World total", None, "world_total", 100.0)])
    assert ev.china_share_mine_rare_earths(partly).verdict == ev.PARTLY
    behind = _prod([("China", "CHN", "country", 30.0), ("Australia", "AUS", "country", 40.0),
                    ("World total", None, "world_total", 100.0)])
    e = ev.china_share_mine_rare_earths(behind)
    assert e.verdict == ev.NOT_SUPPORTED and e.facts.lead.rank == 2


def _iea(mineral, rows, edition="CMDE2025", year=2024, secondary=False):
    return pd.DataFrame([{"mineral": mineral, "stage": "refining", "country": c, "iso3": i, "row_kind": k,
                          "year": year, "value": v, "unit": "kt", "edition": edition, "secondary": secondary}
                         for c, i, k, v in rows])


def test_refining_uses_latest_edition_and_total_row():
    old = _iea("rare_earths", [("China", "CHN", "country", 1.0), ("Malaysia", "MYS", "country", 9.0),
                               ("Total", None, "world_total", 10.0)], edition="CMDE2024", year=2023)
    new = _iea("rare_earths", [("China", "CHN", "country", 9.0), ("Malaysia", "MYS", "country", 0.5),
                               ("Rest of world", None, "other", 2.0), ("Total", None, "world_total", 10.0)],
               secondary=True)
    e = ev.china_share_refining_rare_earths(pd.concat([old, new]))
    assert (e.year, e.value, e.verdict) == ("2024", pytest.approx(0.9), ev.SUPPORTED)
    assert e.facts.secondary and (e.facts.lead.china, e.facts.lead.total, e.facts.unit) == (9.0, 10.0, "kt")


@pytest.mark.parametrize("china, chile, verdict", [(40.0, 20.0, ev.SUPPORTED), (40.0, 20.1, ev.PARTLY),
                                                   (20.0, 40.0, ev.NOT_SUPPORTED)])
def test_copper_rule_asks_for_a_clear_lead(china, chile, verdict):
    t = _iea("copper", [("China", "CHN", "country", china), ("Chile", "CHL", "country", chile),
                        ("Total", None, "world_total", 100.0)])
    e = ev.china_share_refining_copper(t)
    assert e.verdict == verdict
    assert e.value == pytest.approx(china / 100)


def _fdi(rows):
    """rows: (fiscal_year, country, iso3, row_kind, value) of net FDI."""
    return pd.DataFrame([{"fiscal_year": fy, "period": "Jul-Jun", "country": c, "iso3": i, "row_kind": k,
                          "measure": "net", "value": v, "unit": "usd_million", "flag": None}
                         for fy, c, i, k, v in rows])


def test_fdi_first_in_every_year_and_hong_kong_kept_apart():
    t = _fdi([(2025, "China", "CHN", "country", 50.0), (2025, "Hongkong", "HKG", "country", 40.0),
              (2025, "Total", None, "world_total", 200.0),
              (2026, "China", "CHN", "country", 30.0), (2026, "Hongkong", "HKG", "country", 60.0),
              (2026, "Total", None, "world_total", 100.0),
              (2024, "Total", None, "world_total", 80.0)])  # a year without country rows is not ranked
    e = ev.china_largest_fdi_source(t)
    assert e.verdict == ev.PARTLY
    assert e.year == "FY2025–FY2026"
    assert e.value == pytest.approx(0.3)  # latest fiscal year's share
    assert e.facts.firsts == 1 and [fy for fy, _ in e.facts.years] == [2025, 2026]
    assert [(ld.rank, ld.second_name) for _, ld in e.facts.years] == [(1, "Hong Kong"), (2, "Hong Kong")]
    only_first = t[~((t["fiscal_year"] == 2026) & (t["iso3"] == "HKG"))]
    assert ev.china_largest_fdi_source(only_first).verdict == ev.SUPPORTED


def test_pakistan_not_listed_is_not_zero():
    usgs = _prod([("China", "CHN", "country", 60.0), ("World total", None, "world_total", 100.0)])
    bgs = _prod([("China", "CHN", "country", 5.0)], year=2000).drop(columns=["edition", "flag"])
    e = ev.pakistan_share_world_production_rare_earths(usgs, bgs)
    assert e.verdict == ev.SUPPORTED and e.value is None and e.facts.listed is None
    assert e.facts.n_countries == 1 and e.facts.bgs_years == (2000, 2000)
    listed = pd.concat([usgs, _prod([("Pakistan", "PAK", "country", 5.0)])])
    e2 = ev.pakistan_share_world_production_rare_earths(listed, bgs)
    assert e2.verdict == ev.NOT_SUPPORTED and e2.value == 5.0 and e2.facts.listed == (5.0, 2025)
    zero = pd.concat([usgs, _prod([("Pakistan", "PAK", "country", 0.0)])])
    assert ev.pakistan_share_world_production_rare_earths(zero, bgs).verdict == ev.SUPPORTED


def _imports(china, world, year=2024):
    rows = []
    for hs, (c, w) in {"2846": (china, world), "280530": (1.0, 1.0)}.items():
        rows += [{"mineral": "rare_earths", "hs_code": hs, "year": year, "partner": "China", "value_usd": c},
                 {"mineral": "rare_earths", "hs_code": hs, "year": year, "partner": "World", "value_usd": w}]
    rows += [{"mineral": "rare_earths", "hs_code": "2846", "year": year - 1, "partner": "China", "value_usd": 0.0},
             {"mineral": "rare_earths", "hs_code": "2846", "year": year - 1, "partner": "World", "value_usd": 9.0},
             {"mineral": "copper", "hs_code": "7403", "year": year, "partner": "World", "value_usd": 1e9}]
    return pd.DataFrame(rows)


def test_us_imports_share_sums_codes_in_latest_year():
    e = ev.china_share_us_imports_rare_earths(_imports(29.0, 99.0))
    assert e.value == pytest.approx(30 / 100)  # (29 + 1) / (99 + 1); copper and 2023 ignored
    assert e.year == "2024" and e.verdict == ev.SUPPORTED and e.facts.hs_codes == ("280530", "2846")
    assert ev.china_share_us_imports_rare_earths(_imports(4.0, 99.0)).verdict == ev.PARTLY  # 5%
    assert ev.china_share_us_imports_rare_earths(_imports(0.0, 99.0).assign(
        value_usd=lambda d: d["value_usd"].where(d["partner"] != "China", 0.0))).verdict == ev.NOT_SUPPORTED


def _deals(ussm_amount=500.0, ussm_binding=False):
    rows = [("ussm-fwo-mou", ussm_amount, "mou_intent", ussm_binding, True, "2025-09-08"),
            ("a", 100.0, "loan", None, True, "2025-01-01"),
            ("b", 1e6, "pipeline", None, False, "2024-05-01"),
            ("c", 3000.0, "mou_intent", None, True, None),
            ("e", 1000.0, "mou_intent", False, False, "2025-03-01"),
            ("d", None, "mou_intent", False, True, "2025-02-01")]
    return pd.DataFrame([{"deal_id": i, "name": i.upper(), "amount_usd": a, "money_kind": k, "binding": b, "us_side": u,
                          "date": pd.Timestamp(d) if d else pd.NaT, "source_outlet": "Outlet"}
                         for i, a, k, b, u, d in rows]).astype({"binding": "boolean", "amount_usd": "Float64"})


def test_deal_size_is_ranked_only_within_its_kind():
    e = ev.deal_size_vs_other_deals(_deals())
    # other MoU amounts: 3000 and 1000 → median 2000; the loan and the huge pipeline are not compared
    assert e.value == pytest.approx(0.25)
    assert e.verdict == ev.SUPPORTED
    f = e.facts
    assert (f.rank, f.n_sized, f.n_unsized, f.n_others, f.kind_label) == (3, 3, 1, 2, "mou or stated intent")
    assert f.median == 2000.0 and f.non_binding
    assert ev.deal_size_vs_other_deals(_deals(ussm_amount=5000.0)).verdict == ev.PARTLY  # non-binding only
    assert ev.deal_size_vs_other_deals(_deals(ussm_amount=5000.0, ussm_binding=True)).verdict == ev.NOT_SUPPORTED
    # a larger amount of another kind changes nothing
    bigger = _deals().assign(amount_usd=lambda d: d["amount_usd"].where(d["deal_id"] != "a", 1e12))
    assert ev.deal_size_vs_other_deals(bigger).facts == e.facts


# ---------------------------------------------------------------------------------------------- package metrics


def test_every_codebook_metric_has_a_function():
    cb = claims_data.load_codebook()
    metrics = cb[cb["code_type"] == "metric"].set_index("code")
    assert list(metrics.index) == list(ev.METRICS)
    for m in ev.METRICS:
        e = ev.evaluate(m, TABLES)
        assert e.metric == m and e.verdict in ev.VERDICTS
    with pytest.raises(KeyError):
        ev.evaluate("unobtainium", TABLES)


def test_package_evidence_values():
    assert ev.evaluate("china_share_mine_rare_earths", TABLES).value == pytest.approx(270000 / 390000)
    assert ev.evaluate("china_share_refining_copper", TABLES).value == pytest.approx(11860 / 26944)
    assert ev.evaluate("pakistan_share_world_production_rare_earths", TABLES).facts.listed is None
    assert ev.evaluate("deal_size_vs_other_deals", TABLES).facts.kind_label == "mou or stated intent"


def test_grades_are_the_codes_of_claim_premises():
    codes = ev.premise_codes()
    grades = codes[codes["code_type"] == "grade"]
    assert dict(zip(grades["code"], grades["label"].str.lower(), strict=True)) == ev.GRADE_CODES
    assert list(ev.GRADE_CODES.values()) == ev.VERDICTS


# ---------------------------------------------------------------------------------------------- premise rules


def _premise(pid, family, kind="factual", checkable=True, reason=None):
    return pd.Series({"premise_id": pid, "claim_id": pid.rsplit("-p", 1)[0], "premise": "P", "kind": kind,
                      "rule_family": family, "checkable": checkable, "not_checkable_reason": reason})


def test_share_threshold_reads_the_premise_word_and_combines_parts():
    strong = _prod([("China", "CHN", "country", 60.0), ("Russia", "RUS", "country", 20.0),
                    ("World total", None, "world_total", 100.0)], mineral="antimony")
    weak = _iea("copper", [("China", "CHN", "country", 40.0), ("Chile", "CHL", "country", 30.0),
                           ("Total", None, "world_total", 100.0)])
    p = _premise("strayer-1-future-hub-p2", "share_threshold")  # 'dominates': a majority
    v = ev.judge(p, [("subject", "production", strong, ""), ("subject", "refining", weak, "")], {})
    assert v.verdict == ev.PARTLY  # antimony meets it, copper does not
    assert [f.lead.share for f in v.facts] == [0.6, 0.4]
    only = ev.judge(p, [("subject", "production", strong, "")], {})
    assert only.verdict == ev.SUPPORTED
    # the same copper rows under a 'leading position' premise: a clear lead of 2x is asked, 40/30 is not one
    assert ev.judge(_premise("runde-1-copper-p1", "share_threshold"), [("subject", "refining", weak, "")],
                    {}).verdict == ev.PARTLY
    behind = _prod([("China", "CHN", "country", 20.0), ("Russia", "RUS", "country", 60.0),
                    ("World total", None, "world_total", 100.0)])
    assert ev.judge(_premise("br-1-china-dominates-mining-p1", "share_threshold"),
                    [("subject", "production", behind, "")], {}).verdict == ev.NOT_SUPPORTED


def _plan(value_t):
    return pd.DataFrame({"indicator": ["reko_diq_copper_output_phase1", "reko_diq_copper_output_phase2"],
                         "year": [2025, 2025], "value": [value_t / 2, value_t], "unit": ["t_per_year"] * 2})


def _world_copper():
    codes = ["CHL", "COD", "PER", "IDN", "USA", "RUS", "AUS", "KAZ", "MEX", "ZMB", "CAN", "POL"]
    values = [5000.0, 3000.0, 2000.0, 1000.0, 900.0, 800.0, 700.0, 600.0, 500.0, 450.0, 420.0, 410.0]
    rows = [(countries.to_name(c), c, "country", v) for c, v in zip(codes, values, strict=True)]
    return _prod(rows + [("China", "CHN", "country", 1500.0), ("World total", None, "world_total", 23000.0)],
                 mineral="copper").assign(unit="kt")


def test_planned_share_of_world_ranks_the_plan_among_producers():
    p = _premise("runde-1-copper-p2", "planned_share_of_world", kind="forecast")
    v = ev.judge(p, [("subject", "pakistan_indicators", _plan(400_000), ""),
                     ("reference", "production", _world_copper(), "")], {})
    assert v.verdict == ev.NOT_SUPPORTED  # 400 kt ranks 14th of 14 producers
    f = v.facts
    assert (f.rank, f.top_name, f.unit, f.planned) == (14, "Chile", "kt", 400.0)
    assert f.share == pytest.approx(400 / 23000) and f.top_share == pytest.approx(5000 / 23000)
    assert ev.judge(p, [("subject", "pakistan_indicators", _plan(2_500_000), ""),
                        ("reference", "production", _world_copper(), "")], {}).verdict == ev.SUPPORTED
    assert ev.judge(p, [("subject", "pakistan_indicators", _plan(850_000), ""),
                        ("reference", "production", _world_copper(), "")], {}).verdict == ev.PARTLY


def _stats(pakistan=None, mineral="rare_earths"):
    rows = [("China", "CHN", "country", 60.0), ("World total", None, "world_total", 100.0)]
    if pakistan is not None:
        rows.append(("Pakistan", "PAK", "country", pakistan))
    return _prod(rows, mineral=mineral)


@pytest.mark.parametrize("pakistan, resource_claim, reex_claim", [
    (None, ev.NOT_SUPPORTED, ev.SUPPORTED),  # not listed: a resource claim is not supported, REEx's is
    (0.0, ev.NOT_SUPPORTED, ev.SUPPORTED),  # a zero is not a listing
    (5.0, ev.SUPPORTED, ev.CONTRADICTED),  # listed: the verdicts swap, by the same rule
])
def test_listed_in_statistics_is_one_rule_for_both_sides(pakistan, resource_claim, reex_claim):
    slices = [("subject", "production", _stats(pakistan), "")]
    for pid in ("munir-1-treasure-p1", "khoso-6-technology-gap-p1"):
        assert ev.judge(_premise(pid, "listed_in_statistics"), slices, {}).verdict == resource_claim
    assert ev.judge(_premise("reex-1-six-trillion-p2", "listed_in_statistics"), slices, {}).verdict == reex_claim


def test_listed_in_statistics_counts_each_mineral_named():
    slices = [("subject", "production_history", _stats(3.0, "copper"), ""),
              ("subject", "production", _stats(None, "gold"), ""), ("subject", "production", _stats(None), "")]
    v = ev.judge(_premise("malik-1-france-p1", "listed_in_statistics"), slices, {})
    assert v.verdict == ev.PARTLY and set(v.facts.found) == {"copper"}
    assert v.facts.found["copper"] == (("production_history", 2025, 2025),)


def _reko(china_lender=None):
    rows = [{"deal_id": "reko-diq-ifc", "name": "IFC loan", "china_side": False, "counterpart_country": None,
             "status": "approved"},
            {"deal_id": "reko-diq-adb", "name": "ADB loan", "china_side": False, "counterpart_country": None,
             "status": "approved"}]
    if china_lender:
        rows.append({"deal_id": "reko-diq-cn", "name": "Chinese loan", "china_side": True, "counterpart_country": "CHN",
                     "status": china_lender})
    d = pd.DataFrame(rows).assign(date=pd.Timestamp("2025-06-01"), date_precision="day", amount_usd=None,
                                  money_kind="loan")
    return d.astype({"china_side": "boolean", "amount_usd": "Float64"})


_OWNERS = pd.DataFrame({"indicator": ["reko_diq_share_barrick", "reko_diq_share_balochistan"],
                        "label": ["Barrick", "Balochistan"], "year": [2025, 2025], "value": [50.0, 25.0],
                        "unit": ["percent", "percent"]})


def test_contested_reko_diq_premise_cannot_come_out_supported_without_a_chinese_party():
    p = _premise("khan-2-reko-diq-chinese-firms-p1", "record_check")
    v = ev.judge(p, [("subject", "deals", _reko(), ""), ("subject", "pakistan_indicators", _OWNERS, "")], {})
    assert v.verdict == ev.CONTRADICTED
    assert v.facts.outcome == "not_shown" and v.facts.premise_id == "khan-2-reko-diq-chinese-firms-p1"
    # an unconfirmed Chinese lender gives partly supported, a confirmed one supported: the rule can say yes
    assert ev.judge(p, [("subject", "deals", _reko("unconfirmed"), "")], {}).verdict == ev.PARTLY
    assert ev.judge(p, [("subject", "deals", _reko("approved"), "")], {}).verdict == ev.SUPPORTED
    # with no rows at all the records are silent: not supported, never supported
    assert ev.judge(p, [("subject", "deals", _reko().iloc[0:0], "")], {}).verdict == ev.NOT_SUPPORTED


def _mou(parties):
    return pd.DataFrame({"deal_id": ["ussm-fwo-mou"], "name": ["MoU"], "parties": [parties],
                         "date": [pd.Timestamp("2025-09-08")], "date_precision": ["day"], "amount_usd": [5e8],
                         "money_kind": ["mou_intent"], "status": ["intent"]}).astype({"amount_usd": "Float64"})


def test_mou_with_the_us_government_is_contradicted_by_a_company_party():
    p = _premise("khoso-8-china-limited-transfer-p2", "record_check")
    assert ev.judge(p, [("subject", "deals", _mou("US Strategic Metals;Frontier Works Organisation"), "")],
                    {}).verdict == ev.CONTRADICTED
    assert ev.judge(p, [("subject", "deals", _mou("United States;Pakistan"), "")], {}).verdict == ev.SUPPORTED
    # a US$500m 'step between the US and Pakistan' that is only an intention is partly supported
    assert ev.judge(_premise("rana-1-durability-p1", "record_check"),
                    [("subject", "deals", _mou("US Strategic Metals;FWO"), "")], {}).verdict == ev.PARTLY


def _shipment(minerals):
    return pd.DataFrame({"event_id": ["ussm-first-shipment"], "title": ["Shipment"], "minerals": [minerals],
                         "date": [pd.Timestamp("2025-10-02")], "date_precision": ["day"]})


def test_shipment_premises_both_ways():
    with_re, without = _shipment("antimony;rare_earths"), _shipment("antimony")
    sheikh = _premise("sheikh-2-not-betrayal-p1", "record_check")
    lin = _premise("lin-2-rumours-p1", "record_check")  # 'no rare earths are flowing'
    assert ev.judge(sheikh, [("subject", "events", with_re, "")], {}).verdict == ev.SUPPORTED
    assert ev.judge(lin, [("subject", "events", with_re, "")], {}).verdict == ev.CONTRADICTED
    assert ev.judge(sheikh, [("subject", "events", without, "")], {}).verdict == ev.CONTRADICTED
    assert ev.judge(lin, [("subject", "events", without, "")], {}).verdict == ev.SUPPORTED
    hastie = _premise("hastie-1-first-shipment-p1", "record_check")
    assert ev.judge(hastie, [("subject", "events", without, "")], {}).verdict == ev.SUPPORTED
    assert ev.judge(hastie, [("subject", "events", without.iloc[0:0], "")], {}).verdict == ev.NOT_SUPPORTED


def test_policy_record_is_never_contradicted_by_silence():
    controls = pd.DataFrame({"event_id": ["c1"], "title": ["Controls"], "summary": ["on gallium"],
                             "minerals": ["gallium"], "date": [pd.Timestamp("2025-04-04")], "date_precision": ["day"]})
    p = _premise("sohu-1-eat-both-ends-p2", "policy_record")  # technology curbs
    assert ev.judge(p, [("subject", "events", controls, "")], {}).verdict == ev.NOT_SUPPORTED
    tech = controls.assign(summary="rare earths plus related technology and equipment")
    assert ev.judge(p, [("subject", "events", tech, "")], {}).verdict == ev.SUPPORTED


def test_amounts_within_kind_for_cpec_compares_kind_by_kind():
    d = pd.DataFrame({"deal_id": ["cpec-plan", "cpec-spent", "reko-capex", "reko-loan"],
                      "name": ["CPEC plan", "CPEC spent", "Reko capex", "Reko loan"],
                      "money_kind": ["investment_plan", "spent", "investment_plan", "loan"],
                      "amount_usd": [62e9, 25e9, 5.6e9, 99e9], "binding": [None] * 4}).astype(
        {"amount_usd": "Float64", "binding": "boolean"})
    p = _premise("khoso-7-china-main-partner-p1", "amounts_within_kind")
    cpec = d[d["deal_id"].str.startswith("cpec")]
    v = ev.judge(p, [("subject", "deals", cpec, ""), ("reference", "deals", d, "")], {})
    assert v.verdict == ev.SUPPORTED  # the larger loan is of another kind and is not compared
    kinds = {c.kind: c for c in v.facts.comparisons}
    assert set(kinds) == {"investment_plan", "spent"}  # the loan is of another kind: not compared
    assert kinds["spent"].held is None and kinds["investment_plan"].held and v.facts.non_binding is None
    smaller = d.assign(amount_usd=d["amount_usd"].where(d["deal_id"] != "reko-capex", 70e9))
    assert ev.judge(p, [("subject", "deals", smaller[smaller["deal_id"].str.startswith("cpec")], ""),
                        ("reference", "deals", smaller, "")], {}).verdict == ev.NOT_SUPPORTED


def test_opinions_and_unchecked_premises_get_no_verdict():
    op = _premise("x-1-p1", "none", kind="opinion", checkable=False, reason="An opinion.")
    v = ev.judge(op, [], {})
    assert v.verdict == ev.NOT_CHECKABLE and v.facts == ev.Reason(text="An opinion.")
    with pytest.raises(ValueError, match="opinion"):
        ev.judge(_premise("hastie-1-first-shipment-p1", "record_check", kind="opinion"), [], {})


def test_evidence_slices_name_a_broken_query():
    pe = pd.DataFrame({"premise_id": ["a-p1"], "seq": [1], "dataset": ["events"], "query": ["nope ==="],
                       "role": ["subject"], "note": [""]})
    with pytest.raises(ValueError, match=r"premise 'a-p1' seq 1"):
        ev.evidence_slices("a-p1", pe, {"events": _shipment("x")})


# ---------------------------------------------------------------------------------------------- package premises


@pytest.fixture(scope="module")
def verdicts():
    return verdicts_of(claims_data.load_claims())


def test_every_premise_gets_one_row_and_a_known_verdict(verdicts):
    from critmin import data

    premises = data.load("claim_premises")
    assert len(verdicts) == len(premises) and verdicts["premise_id"].is_unique
    assert verdicts["verdict"].isin(ev.VERDICTS).all()
    assert (verdicts.loc[verdicts["kind"] == "opinion", "verdict"] == ev.NOT_CHECKABLE).all()
    checkable = verdicts[verdicts["checkable"]]
    assert (checkable["verdict"] != ev.NOT_CHECKABLE).all()  # the data bear on them, so each gets a grade
    assert checkable["rule"].str.len().gt(20).all()  # the rule is shown beside the verdict
    reasons = verdicts.loc[~verdicts["checkable"], "facts"]
    assert reasons.map(lambda f: len(f.text) > 10).all()  # the reason


def test_every_premise_rule_is_coded_and_no_code_is_stale(verdicts):
    checkable = verdicts[verdicts["checkable"]]
    specs = {"share_threshold": ev.SHARE_TESTS, "listed_in_statistics": ev.LISTED_TESTS,
             "amounts_within_kind": ev.AMOUNT_TESTS, "rank_among_sources": ev.RANK_TESTS}
    for family, spec in specs.items():
        assert set(spec) == set(checkable.loc[checkable["rule_family"] == family, "premise_id"]), family
    records = checkable[checkable["rule_family"].isin(ev.RECORD_FAMILIES)]
    assert set(ev.RECORD_TESTS) == set(records["premise_id"])


def test_contested_premises_come_out_as_the_data_say(verdicts):
    v = verdicts.set_index("premise_id")["verdict"]
    assert v["khan-2-reko-diq-chinese-firms-p1"] in (ev.CONTRADICTED, ev.NOT_SUPPORTED)
    assert v["khoso-8-china-limited-transfer-p2"] == ev.CONTRADICTED
    assert v["runde-1-copper-p2"] == ev.NOT_SUPPORTED
    assert v["hastie-1-first-shipment-p1"] == ev.SUPPORTED
    assert v["khan-3-japan-irks-beijing-p1"] == ev.PARTLY  # JBIC is recorded, unconfirmed
    # resource claims from every side by one rule: Pakistan is not listed for rare earths
    assert v["munir-1-treasure-p1"] == v["khoso-6-technology-gap-p1"] == ev.NOT_SUPPORTED
    assert v["reex-1-six-trillion-p2"] == ev.SUPPORTED
    rows = verdicts.set_index("premise_id")
    assert rows.loc["sheikh-1-rare-earth-leverage-p1", "rule_family"] == "policy_record"
    assert rows.loc["khoso-7-china-main-partner-p1", "verdict"] != ev.NOT_CHECKABLE
    notes = [note for note, _, _ in rows.loc["malik-1-france-p1", "context_rows"]]
    assert any("gold is not on the final 2025 US critical-minerals list" in n for n in notes)


def test_policy_record_shows_prices_beside_the_verdict_but_not_in_it():
    prices = pd.DataFrame({"series": ["rare_earths_ndpr_oxide"] * 4, "basis": ["NdPr oxide"] * 4,
                           "year": [2022, 2023, 2024, 2025], "value": [124.0, 75.0, 55.0, 69.0],
                           "flag": [None, None, None, "estimated"], "edition": ["MCS2026"] * 4})
    facts = ev.price_facts(["rare_earths"], prices)
    assert facts.series == (ev.PriceSeries("NdPr oxide", ((2023, 75.0, False), (2024, 55.0, False), (2025, 69.0, True))),)
    assert ev.price_facts(["gallium"], prices) is None
    controls = pd.DataFrame({"event_id": ["c1"], "title": ["Controls"], "summary": ["rare earths and technology"],
                             "minerals": ["rare_earths"], "date": [pd.Timestamp("2025-10-09")],
                             "date_precision": ["day"]})
    p = _premise("sohu-1-eat-both-ends-p2", "policy_record")
    with_prices = ev.judge(p, [("subject", "events", controls, "")], {"prices": prices})
    without = ev.judge(p, [("subject", "events", controls, "")], {})
    assert with_prices.verdict == without.verdict == ev.SUPPORTED
    assert with_prices.facts.prices == facts and without.facts.prices is None




def test_a_claims_file_without_coded_premises_is_not_judged():
    df = claims_data.load_claims().head(2)
    v = verdicts_of(df.assign(claim_id=df["claim_id"] + "-mine"))
    assert v.empty and list(v.columns) == ev.VERDICT_COLUMNS
    assert set(verdicts_of(df)["claim_id"]) == set(df["claim_id"])


def test_verdict_counts():
    rows = [("a", "factual", ev.SUPPORTED, "favours_us"), ("a", "opinion", ev.NOT_CHECKABLE, "favours_us"),
            ("b", "factual", ev.CONTRADICTED, "sceptical"), ("b", "factual", ev.NOT_CHECKABLE, "sceptical"),
            ("c", "forecast", ev.NOT_CHECKABLE, "balanced")]
    t = ev.verdict_counts(pd.DataFrame(rows, columns=["claim_id", "kind", "verdict", "stance"]))
    assert list(t.index) == ev.VERDICTS
    assert t.loc[ev.SUPPORTED, "favours_us"] == 1 and t.loc[ev.CONTRADICTED, "sceptical"] == 1
    assert t.loc[ev.NOT_CHECKABLE].sum() == 1  # the factual premise without data; opinion and forecast left out
