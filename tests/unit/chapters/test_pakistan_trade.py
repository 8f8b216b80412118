"""Sentences, tables and parameter checks of the Pakistan trade chapter, on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.analysis import trade
from critmin.chapters import pakistan_trade as pt
from critmin.params import ParameterError

NA = np.nan

PRODUCTS = pd.DataFrame([
    dict(hs_code="260300", product="Copper ores and concentrates", mineral="copper", stage="mine"),
    dict(hs_code="261710", product="Antimony ores and concentrates", mineral="antimony", stage="mine"),
    dict(hs_code="261000", product="Chromium ores and concentrates", mineral="chromium", stage="mine"),
    dict(hs_code="251110", product="Natural barium sulphate", mineral="barite", stage="mine"),
    dict(hs_code="270900", product="Crude petroleum oils", mineral=None, stage="mine"),
])
COUNTRIES = pd.DataFrame([dict(baci_code=c, country=n, iso3=i, row_kind=k) for c, n, i, k in [
    (156, "China", "CHN", "country"), (842, "USA", "USA", "country"), (784, "United Arab Emirates", "ARE", "country"),
    (490, "Other Asia, nes", None, "other")]])


def px(rows):
    return pd.DataFrame([dict(hs_code=k, year=y, partner_code=i, partner_iso3=c, value_kusd=v, quantity_t=q)
                         for i, (k, y, c, v, q) in enumerate(rows)])


EXPORTS = px([
    ("261000", 2020, "CHN", 50.0, 100.0), ("261000", 2020, "USA", 50.0, 100.0),
    ("261000", 2024, "CHN", 800.0, 3000.0), ("261000", 2024, "ARE", 200.0, 1000.0),
    ("260300", 2024, "CHN", 90.0, 80.0), ("260300", 2024, "ARE", 10.0, 20.0),
    ("261710", 2021, "CHN", 5.0, 5.0),                       # antimony: none in the last year
    ("251110", 2024, "USA", 30.0, 300.0), ("251110", 2024, "ARE", 70.0, 700.0),
    ("270900", 2024, "USA", 5000.0, 1.0),                    # crude oil: not an ore
])


def select(products="all", partners="China,United States", years="2020-2024"):
    return pt.parameters(products, partners, years, EXPORTS, PRODUCTS, COUNTRIES)


def test_parameters_expand_groups_minerals_and_codes_in_page_order():
    sel = select()
    assert sel.codes == ["260300", "261710", "261000", "251110"]      # deal, chromite, then by value
    assert sel.focus == {"CHN": "China", "USA": "United States"}
    assert (sel.years[0], sel.years[-1]) == (2020, 2024)
    assert select("chromite,deal").codes == ["260300", "261710", "261000"]
    assert select("barite, 261000").codes == ["261000", "251110"]
    assert select(partners="CHN,are").focus == {"CHN": "China", "ARE": "United Arab Emirates"}
    assert select(years="2024").years == [2024]


@pytest.mark.parametrize("kwargs, message", [
    ({"products": "270900"}, r"products='270900' is not available.*; allowed: all, deal, chromite"),
    ({"products": " , "}, "names no product"),
    ({"products": "deal", "years": "2020"}, "Pakistan exported none of group 'deal'"),
    ({"years": "2022-2023"}, "has no exports in the table; allowed: years among 2020, 2021, 2024"),
    ({"partners": "Atlantis"}, r"partners='Atlantis' is not available; allowed: ARE, CHN, USA"),
    ({"years": "2019-2024"}, "out of range; allowed: 2020 to 2024"),
    ({"years": "2024-2020"}, "out of range"),
    ({"years": "last ten"}, "not a year or a range"),
])
def test_bad_parameters_fail_naming_what_is_allowed(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        select(**kwargs)


def frames(sel):
    both = trade.shares_by_measure(EXPORTS, focus=sel.focus, years=sel.years, hs_codes=sel.codes)
    latest = trade.latest_year_shares(both)
    sold = [c for c in sel.codes if c in set(EXPORTS.loc[EXPORTS["year"] == 2024, "hs_code"])]
    pooled = trade.partner_shares(EXPORTS, focus=sel.focus, years=[2024], hs_codes=sold, group=())
    return both, latest, pooled


def test_answer_states_each_partners_shares_in_the_last_year():
    sel = select()
    both, latest, pooled = frames(sel)
    text = pt.answer_text(sel, latest, pooled)
    # copper ore 90 of 100 (80 of 100 t), chromite 800 of 1,000 (3,000 of 4,000 t); antimony not sold in 2024
    assert "**In 2024, by value, China bought 90.0% of Pakistan's copper ore exports (80.0% by tonnage) and " \
           "80.0% of its chromite exports (75.0% by tonnage); the United States bought none of them.**" in text
    assert "antimony" not in text.split("\n\n")[0]
    # the US's largest purchase: barite, 30 thousand US$ = 30% of Pakistan's barite
    assert "The United States' largest purchase in 2024 was barite: US\\$30,000, 30.0% of Pakistan's exports of it." in text
    # the three ores sold in 2024 together: 1,200 thousand US$; China 890, the US 30
    assert "All 3 selected ores and metals Pakistan exported in 2024 were worth US\\$1.2 million" in text
    assert "China 74.2%, United States 2.5%, others 23.3%" in text


def test_history_compares_the_first_and_last_years():
    sel = select("chromite")
    both, _, _ = frames(sel)
    text = pt.history_text(sel, trade.pooled_shares(both, [2020]), trade.pooled_shares(both, [2024]), [2020], [2024])
    assert text == ("Over time, China's share by value, pooled over 2020 and then over 2024, moved for chromite "
                    "from 50.0% to 80.0%.")


def test_share_table_rows_follow_the_page_order():
    sel = select()
    _, latest, _ = frames(sel)
    t = pt.share_table(sel, latest)
    assert t["HS"].tolist() == ["260300", "261710", "261000", "251110"]
    row = t.set_index("HS").loc["261710"]
    assert row["Latest year"] == 2021 and row["China, value"] == "100%"
    assert t.set_index("HS").loc["261000", "Others, tonnage"] == "25.0%"


def test_share_chart_title_and_description_carry_the_finding():
    sel = select()
    both, _, _ = frames(sel)
    spec = pt.share_chart(sel, both).to_dict()
    assert title_of(spec) == "By value, China bought most of Pakistan's copper ore, antimony ore and chromite in the latest year"
    assert "Source: CEPII BACI" in " ".join(spec["title"]["subtitle"])
    assert "80.0% of chromite" in spec["description"]
    assert pt.share_chart(select("barite"), both[both["hs_code"] == "999999"]) is None


def comparison():
    rows = pd.DataFrame([
        dict(mineral="antimony", category="Ore and concentrates", match="ores", period="2021-2024",
             baci_years="2021–2024", hs_codes="261710", baci_stages="mine", rank=1, country="Mexico", iso3="MEX",
             usgs_share=0.86, qualifier=None, baci_share=0.47, difference=0.47 - 0.86),
        dict(mineral="chromium", category="Chromite", match="ores", period="2021-2024", baci_years="2021–2024",
             hs_codes="261000", baci_stages="mine", rank=1, country="South Africa", iso3="ZAF", usgs_share=0.96,
             qualifier=">", baci_share=0.94, difference=0.94 - 0.96),
    ])
    top = pd.DataFrame([
        dict(mineral="antimony", country="Mexico", iso3="MEX", usgs_share=0.86, baci_share=0.47,
             difference=0.47 - 0.86, baci_top_iso3="MEX", baci_top_share=0.47, same_top=True),
        dict(mineral="chromium", country="South Africa", iso3="ZAF", usgs_share=0.96, baci_share=0.94,
             difference=0.94 - 0.96, baci_top_iso3="ZAF", baci_top_share=0.94, same_top=True),
    ])
    return rows, top


LABELS = {"antimony": "Antimony", "chromium": "Chromium", "tin": "Tin"}


def test_comparison_text_counts_agreement_and_names_the_widest_gaps():
    rows, top = comparison()
    text = pt.comparison_text(rows, top, {"tin": "no fit"}, LABELS)
    assert text.startswith("For 2 minerals both sources can be set side by side. BACI's largest partner is USGS's "
                           "first-listed source for 2 of them, and for 1 of 2 the two shares")
    assert "antimony from Mexico (USGS 86.0% of 'ore and concentrates', BACI 47.0% of HS 261710" in text
    assert text.endswith("Not compared: tin (no fit).")


def test_comparison_table_keeps_usgs_bounds_and_signs_the_gap():
    rows, _ = comparison()
    t = pt.comparison_table(rows, LABELS)
    assert t["USGS share"].tolist() == ["86.0%", ">96.0%"]
    assert t["Gap (points)"].tolist() == ["−39", "−2"]
    assert t["Years"].iloc[0] == "2021–2024"


def title_of(spec) -> str:
    t = spec["title"]["text"]
    return " ".join(t) if isinstance(t, list) else t


def test_comparison_chart():
    rows, top = comparison()
    spec = pt.comparison_chart(top, LABELS).to_dict()
    # antimony's gap is 39 points, chromium's 2: one of two within 10 points
    assert title_of(spec) == "BACI and USGS agree within 10 points on the top source's share for 1 of 2 minerals"
    assert "Antimony (86.0% against 47.0%)" in spec["description"]
    assert pt.comparison_chart(top.iloc[0:0], LABELS) is None
