"""Evidence functions: verdict rules on small hand-made tables, and the package's own evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import claims
from critmin.analysis import evidence as ev


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
    assert e.value_text == "50%"
    assert "Australia, 17%" in e.finding
    assert e.resources == ("production",)
    assert "2026" in e.source


def test_mine_share_partly_and_not_supported():
    partly = _prod([("China", "CHN", "country", 40.0), ("Australia", "AUS", "country", 30.0),
                    ("World total", None, "world_total", 100.0)])
    assert ev.china_share_mine_rare_earths(partly).verdict == ev.PARTLY
    behind = _prod([("China", "CHN", "country", 30.0), ("Australia", "AUS", "country", 40.0),
                    ("World total", None, "world_total", 100.0)])
    e = ev.china_share_mine_rare_earths(behind)
    assert e.verdict == ev.NOT_SUPPORTED and "number 2" in e.finding


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
    assert "third-party copy" in e.finding
    assert "9.0 of 10.0 kt" in e.finding  # small amounts keep a decimal


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
    assert "1 of 2 fiscal years" in e.finding and "Hong Kong" in e.finding and "number 2" in e.finding
    only_first = t[~((t["fiscal_year"] == 2026) & (t["iso3"] == "HKG"))]
    assert ev.china_largest_fdi_source(only_first).verdict == ev.SUPPORTED


def test_pakistan_not_listed_is_not_zero():
    usgs = _prod([("China", "CHN", "country", 60.0), ("World total", None, "world_total", 100.0)])
    bgs = _prod([("China", "CHN", "country", 5.0)], year=2000).drop(columns=["edition", "flag"])
    e = ev.pakistan_share_world_production_rare_earths(usgs, bgs)
    assert e.verdict == ev.SUPPORTED and e.value is None and e.value_text == "not listed"
    assert "1 producing countries" in e.finding or "list 1 producing" in e.finding
    listed = pd.concat([usgs, _prod([("Pakistan", "PAK", "country", 5.0)])])
    e2 = ev.pakistan_share_world_production_rare_earths(listed, bgs)
    assert e2.verdict == ev.NOT_SUPPORTED and e2.value == 5.0
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
    assert e.year == "2024" and e.verdict == ev.SUPPORTED
    assert ev.china_share_us_imports_rare_earths(_imports(4.0, 99.0)).verdict == ev.PARTLY  # 5%
    assert ev.china_share_us_imports_rare_earths(_imports(0.0, 99.0).assign(
        value_usd=lambda d: d["value_usd"].where(d["partner"] != "China", 0.0))).verdict == ev.NOT_SUPPORTED


def _deals(ussm_amount=500.0, ussm_binding=False):
    rows = [("ussm-fwo-mou", ussm_amount, "mou_intent", ussm_binding, True, "2025-09-08"),
            ("a", 100.0, "loan", None, True, "2025-01-01"),
            ("b", 1000.0, "pipeline", None, False, "2024-05-01"),
            ("c", 3000.0, "investment_plan", None, True, None),
            ("d", None, "mou_intent", False, True, "2025-02-01")]
    return pd.DataFrame([{"deal_id": i, "amount_usd": a, "money_kind": k, "binding": b, "us_side": u,
                          "date": pd.Timestamp(d) if d else pd.NaT, "source_outlet": "Outlet"}
                         for i, a, k, b, u, d in rows]).astype({"binding": "boolean"})


def test_deal_size_rank_median_and_rule():
    e = ev.deal_size_vs_other_deals(_deals())
    # others with an amount: 100, 1000, 3000 → median 1000; 500 ranks 3 of 4, and 2 of 3 US-side deals
    assert e.value == pytest.approx(0.5)
    assert e.verdict == ev.PARTLY
    assert "ranks 3 of 4" in e.finding and "ranks 2 of the 3 with a US party" in e.finding
    assert "one of 2 non-binding MoUs" in e.finding
    assert e.year == "2024–2025"
    assert ev.deal_size_vs_other_deals(_deals(ussm_amount=2000.0)).verdict == ev.NOT_SUPPORTED
    assert ev.deal_size_vs_other_deals(_deals(ussm_binding=True)).verdict == ev.NOT_SUPPORTED


# ---------------------------------------------------------------------------------------------- package


def test_every_codebook_metric_has_a_function_and_its_rule():
    cb = claims.load_codebook()
    metrics = cb[cb["code_type"] == "metric"].set_index("code")
    assert list(metrics.index) == list(ev.METRICS)
    for m in ev.METRICS:
        e = ev.evaluate(m)
        assert e.metric == m and e.verdict in ev.VERDICTS
        assert e.rule in metrics.loc[m, "coding_rule"], m  # the codebook states the rule the code applies
    with pytest.raises(KeyError):
        ev.evaluate("unobtainium")


def test_package_evidence_values():
    assert ev.evaluate("china_share_mine_rare_earths").value == pytest.approx(270000 / 390000)
    assert ev.evaluate("china_share_refining_copper").value == pytest.approx(11860 / 26944)
    assert ev.evaluate("pakistan_share_world_production_rare_earths").value_text == "not listed"
    assert ev.evaluate("deal_size_vs_other_deals").verdict == ev.PARTLY


def test_checked_and_unchecked_cover_every_claim():
    df = claims.load_claims()
    chk, unc = ev.checked_claims(df), ev.unchecked_claims(df)
    assert len(chk) + len(unc) == len(df)
    assert set(chk["claim_id"]).isdisjoint(unc["claim_id"])
    assert chk["verdict"].isin(ev.VERDICTS[:3]).all()
    assert (unc["verdict"] == ev.NOT_CHECKABLE).all() and unc["reason"].str.len().gt(20).all()
    assert set(ev.NOT_RECORDED) <= set(unc["claim_id"])  # reasons only for claims that exist and are unchecked
    reko = unc.set_index("claim_id").loc["khan-2-reko-diq-chinese-firms", "reason"]
    assert reko != ev.JUDGEMENT
    assert ev.reko_diq_chinese_financing() == 0


# --- The chapter's prose and tables -----------------------------------------------------------------------------

from critmin.chapters import claims_charts  # noqa: E402


def _checked() -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": ["a", "b", "c"], "speaker": ["Ann Author", "Bo", "Cy"], "outlet": ["Ann Author", "Dawn", "FT"],
        "date": pd.to_datetime(["2025-10-01", "2025-11-01", "2025-12-01"]),
        "source_url": ["https://a", "https://b", "https://c"], "claim": ["China has 90%", "China leads", "Small deal"],
        "metric": ["china_share_mine_rare_earths", "china_share_mine_rare_earths", "deal_size_vs_other_deals"],
        "value_text": ["69%", "69%", "rank 2"], "year": ["2024", "2024", "2025"], "source": ["USGS", "USGS", "deals"],
        "finding": ["China mined 69%.", "China mined 69%.", "Second of 3."],
        "verdict": [ev.SUPPORTED, ev.SUPPORTED, ev.PARTLY], "rule": ["R1", "R1", "R2"],
    })


def _unchecked() -> pd.DataFrame:
    return pd.DataFrame({"claim_id": [ev.REKO_DIQ_CLAIM, "x"], "speaker": ["Khan", "Lee"],
                         "date": pd.to_datetime(["2025-09-01", "2025-10-02"]), "claim": ["Firms leave.", "Good deal."],
                         "reason": [ev.NOT_RECORDED[ev.REKO_DIQ_CLAIM], ev.JUDGEMENT]})


def test_verdicts_and_thresholds_text():
    text = ev.verdicts_text(pd.DataFrame(index=range(5)), _checked(), _unchecked())
    assert "Of the **5 claims** in the table, **3** have a factual premise" in text
    assert "through 2 measures. Their verdicts: 2 supported and 1 partly supported. The other **2** claims" in text
    assert "at least 50% of world output" in ev.thresholds_text() and "at least 2 times" in ev.thresholds_text()


def test_measures_markdown_and_tables():
    codebook = claims.load_codebook()
    assert ev.metrics_used(_checked()) == ["china_share_mine_rare_earths", "deal_size_vs_other_deals"]
    md = ev.measures_markdown(_checked(), codebook)
    assert md.count("### ") == 2
    assert "- Ann Author ([October 2025](https://a)): “China has 90%”" in md  # outlet = speaker: not repeated
    assert "- Bo (Dawn, [November 2025](https://b)): “China leads”" in md
    assert "**Verdict: partly supported.** Rule: R2" in md
    t = ev.checked_table(_checked(), codebook)
    assert list(t.columns) == ["Speaker", "Claim (paraphrase)", "Measure", "Evidence", "Year", "Source", "Verdict"]
    assert t["Measure"].notna().all()
    u = ev.unchecked_table(_unchecked())
    assert u["Date"].tolist() == ["2025-09-01", "2025-10-02"]


def test_reko_diq_note_and_unchecked_text():
    deals = pd.DataFrame({"deal_id": ["reko-diq-a", "reko-diq-b", "other"], "name": ["RD A", "RD B", "X"],
                          "china_side": [True, False, True]})
    note = ev.reko_diq_note(_unchecked(), deals)
    assert note.startswith("One claim deserves a note. Khan said that “Firms leave.” The book cannot test this: the book")
    assert "**1** has a Chinese party" in note
    assert ev.reko_diq_note(_unchecked().iloc[1:], deals) is None
    assert ev.unchecked_text(_unchecked()) == ("The remaining 2 claims are listed below with the reason they cannot be "
                                               "tested; 1 of them are judgements, forecasts or recommendations.")


def test_evidence_chart_on_package_data():
    used = ["china_share_mine_rare_earths", "china_largest_fdi_source"]
    bars = claims_charts.evidence_bars(used)
    assert bars["label"].str.startswith("Rare-earth mine output (").iloc[0]
    assert bars["label"].str.match(r".* \((FY)?\d{4}\)$").all()  # FDI: the latest fiscal year
    spec = claims_charts.evidence_chart(used).to_dict()
    above = int((bars["value"] >= ev.MAJORITY).sum())
    title = spec["title"]["text"]
    title = " ".join(title) if isinstance(title, list) else title
    assert title == f"China's share is above half in {above} of the 2 measures behind the claims"
    assert spec["title"]["subtitle"][1].startswith("Sources: ")
