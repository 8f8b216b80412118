"""The sentences, tables, chart and parameters of the export-controls page, on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import grip
from critmin.chapters import export_controls as ec_page
from critmin.params import ParameterError

LABELS = {"antimony": "Antimony", "gallium": "Gallium", "lithium": "Lithium", "bismuth": "Bismuth"}


def measure(mid, minerals, announced, effective, kind="licensing", susp=None, ends=None, status="in_force"):
    s_by, s_from, s_until = susp or (None, None, None)
    return dict(measure_id=mid, announcement=f"No. {mid}", issuer="MOFCOM; GAC", measure_type=kind,
                minerals=minerals, date_announced=pd.Timestamp(announced),
                date_effective=pd.Timestamp(effective), date_ends=pd.Timestamp(ends) if ends else pd.NaT,
                suspended_by=s_by, suspended_from=pd.Timestamp(s_from) if s_from else pd.NaT,
                suspended_until=pd.Timestamp(s_until) if s_until else pd.NaT, status=status,
                status_date=pd.Timestamp("2026-12-01"))


@pytest.fixture
def controls() -> pd.DataFrame:
    return pd.DataFrame([
        measure("2023-23", "gallium", "2023-07-03", "2023-08-01"),
        measure("2024-33", "antimony", "2024-08-15", "2024-09-15"),
        measure("2024-46", "antimony;gallium", "2024-12-03", "2024-12-03", kind="country_ban",
                susp=("2025-72", "2025-11-09", "2026-11-27"), status="suspension_lapsed"),
        measure("2025-10", "bismuth", "2025-02-04", "2025-02-04"),
        measure("2025-58", "lithium", "2025-10-09", "2025-11-08", susp=("2025-70", "2025-11-07", "2026-11-10"),
                status="suspension_lapsed"),
        measure("2025-70", "lithium", "2025-11-07", "2025-11-07", kind="suspension", ends="2026-11-10",
                status="expired"),
        measure("2025-72", "antimony;gallium", "2025-11-09", "2025-11-09", kind="suspension", ends="2026-11-27",
                status="expired"),
    ])


@pytest.fixture
def prices() -> pd.DataFrame:
    rows = [("antimony", "sb", 2023, 5.49), ("antimony", "sb", 2024, 10.24), ("antimony", "sb", 2025, 25.0),
            ("gallium", "ga_low", 2022, 394.0), ("gallium", "ga_low", 2023, 288.0), ("gallium", "ga_low", 2024, 220.0),
            ("lithium", "li", 2024, 14000.0), ("lithium", "li", 2025, 9000.0)]
    return pd.DataFrame([dict(mineral=m, series=s, basis=f"{s} price", unit="usd_per_kg", year=y, value=v,
                              flag="estimated" if y == 2025 else None) for m, s, y, v in rows])


def test_parameters_refuse_bad_dates_and_minerals_in_one_line(controls):
    day, selected = ec_page.check_parameters("2026-12-01", "all", controls)
    assert day == pd.Timestamp("2026-12-01") and selected == ["antimony", "bismuth", "gallium", "lithium"]
    for bad, words in [("2027-01-01", "out of range"), ("2022-12-31", "out of range"), ("soon", "not a date")]:
        with pytest.raises(ParameterError) as e:
            ec_page.check_parameters(bad, "all", controls)
        assert words in str(e.value) and "from 2023-01-01 to 2026-12-01" in str(e.value)
        assert "\n" not in str(e.value)
    with pytest.raises(ParameterError, match="allowed: antimony, bismuth, gallium, lithium"):
        ec_page.check_parameters("2026-12-01", "gold", controls)


def test_answer_counts_measures_and_names_the_largest_moves(controls, prices):
    day = pd.Timestamp("2026-12-01")
    status = grip.measure_status(controls, day)
    windows = grip.price_windows(prices, controls, ["antimony", "gallium", "lithium"])
    text = ec_page.answer(status, day, windows, LABELS)
    assert "3 of the 5 measures on this page are in force;" in text
    assert "; 2 were suspended and their suspensions have run out" in text
    assert "antimony (sb price, +355% from 2023 to 2025)" in text
    assert "gallium (ga\\_low price, −44% from 2022 to 2024)" in text  # Markdown-escaped


def test_answer_counts_suspended_measures_on_a_date_inside_the_suspension(controls, prices):
    day = pd.Timestamp("2025-12-01")
    text = ec_page.answer(grip.measure_status(controls, day), day, grip.price_windows(prices, controls, []), LABELS)
    assert text == "**On 1 December 2025, 3 of the 5 measures on this page are in force and 2 suspended.**"


def test_labels_of():
    assert ec_page.labels_of(pd.DataFrame({"mineral": ["rare_earths"], "label": ["Rare earths"]})) == \
        {"rare_earths": "Rare earths"}


def test_for_minerals_keeps_only_measures_naming_a_selected_mineral(controls):
    status = grip.measure_status(controls, "2026-12-01")
    kept = ec_page.for_minerals(status, ["lithium"])
    assert list(kept["measure_id"]) == ["2025-58", "2025-70"]
    assert len(ec_page.for_minerals(status, grip.controlled_minerals(controls))) == len(status)


def test_measures_view_states_and_until(controls):
    day = pd.Timestamp("2025-11-08")
    v = ec_page.measures_view(grip.measure_status(controls, day), day, LABELS).frame.set_index("Measure")
    assert v.loc["2025-58", "On 2025-11-08"] == "suspended"
    assert v.loc["2025-58", "Until"] == "10 November 2026"
    assert v.loc["2024-46", "Minerals"] == "Antimony, Gallium"
    assert v.loc["2025-72", "On 2025-11-08"] == "not yet announced"
    assert v.loc["2024-46", "Status recorded 2026-12-01"] == "suspension lapsed"


def test_in_force_paragraphs_name_the_lapsed_suspensions(controls):
    day = pd.Timestamp("2026-12-01")
    text = " ".join(ec_page.in_force_paragraphs(grip.measure_status(controls, day), day))
    assert "In force on 1 December 2026: 2023-23 (since 1 August 2023)" in text
    assert "Suspended by 2025-72 from 9 November 2025; that suspension ended on 27 November 2026: 2024-46" in text
    assert "*suspension lapsed*, not in force" in text
    lines = ec_page.mineral_lines(grip.measure_status(controls, day), ["antimony", "lithium"], LABELS)
    assert lines == ["**Antimony**: in force: 2024-33; suspension ran out: 2024-46",
                     "**Lithium**: suspension ran out: 2025-58"]


def test_price_paragraphs(controls, prices):
    sel = ["antimony", "bismuth", "lithium"]
    windows = grip.price_windows(prices, controls, sel)
    text = "\n".join(ec_page.price_paragraphs(windows, controls, prices, sel, LABELS))
    assert "Sb price: US\\$5.49 per kg in 2023, US\\$25 per kg in 2025, USGS estimate (+355%)" in text
    assert "The only measure on lithium goods (2025-58) was suspended before taking effect" in text
    assert "no series for bismuth" in text


def test_limits_sentence_gives_the_part_of_the_year_after_the_control(controls, prices):
    windows = grip.price_windows(prices, controls, ["antimony"])
    assert "antimony 15 September 2024 (30% of 2024 after it)" in ec_page.limits_sentence(windows, LABELS)


def test_chart_frame_puts_rules_at_the_dates_and_the_chart_says_what_it_shows(controls, prices):
    frame = ec_page.chart_frame(prices, controls, ["antimony", "lithium"], LABELS)
    rules = frame[frame["layer"] == "rule"]
    sb = rules[rules["mineral"] == "antimony"].sort_values("x")
    assert sb["x"].iloc[0] == pytest.approx(2024 + 258 / 366)  # 15 September 2024
    assert set(rules.loc[rules["mineral"] == "lithium", "kind"]) == {"measure takes effect", "suspension"}
    pts = frame[frame["layer"] == "price"]
    assert pts.loc[pts["year"] == 2023, "x"].iloc[0] == 2023.5
    windows = grip.price_windows(prices, controls, ["antimony", "lithium"])
    spec = ec_page.price_chart(frame, windows).to_dict()
    assert "1 of 1 price series were higher" in " ".join(spec["title"]["text"])
    assert "2 small line charts" in spec["description"]
    assert ec_page.price_chart(pd.DataFrame(), windows) is None


def test_change_and_price_text():
    assert ec_page.change_text(355.37) == "+355%" and ec_page.change_text(-44.2) == "−44%"
    assert ec_page.change_text(0.2) == "0%"
    assert ec_page.price_text(5.49, "usd_per_lb") == "US\\$5.49 per lb"
    assert ec_page.price_text(1281.0, "usd_per_kg", markdown=False) == "US$1,281 per kg"
    assert ec_page.price_text(421.6, "usc_per_lb") == "421.6 US cents per lb"
