"""Mine against processing shares, measures on a date and prices around controls, on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import grip


def prod(mineral, country, iso3, value, year=2024, kind="country", unit="t", flag=None):
    return dict(mineral=mineral, stage="mine", product="Mine production", country=country, iso3=iso3,
                row_kind=kind, year=year, value=value, qualifier=None, unit=unit, flag=flag, edition="MCS2026",
                origin="data_release")


def proc(mineral, stage, iso3, share, year=2024, source="mcs2026_world", measure="output", product=None):
    order = {"mine": 1, "refining": 2, "metal": 3, "product": 4}[stage]
    return dict(mineral=mineral, stage=stage, stage_order=order, product=product or f"{mineral} {stage}",
                measure=measure, country=iso3, iso3=iso3, year=year, tonnes=share, world_tonnes=100.0,
                share_pct=float(share), grade="primary-statistics", source_table=source)


@pytest.fixture
def production() -> pd.DataFrame:
    return pd.DataFrame([
        # world total given and not below the listed rows: it is the denominator
        prod("copper", "China", "CHN", 1.8, unit="kt"), prod("copper", "Chile", "CHL", 5.0, unit="kt"),
        prod("copper", "Other countries", None, 3.0, kind="other", unit="kt"),
        prod("copper", "World total (rounded)", None, 12.0, kind="world_total", unit="kt"),
        # rounded total below the listed rows: the listed sum is the denominator
        prod("tungsten", "China", "CHN", 67.0), prod("tungsten", "Viet Nam", "VNM", 4.0),
        prod("tungsten", "Other countries", None, 10.0, kind="other"),
        prod("tungsten", "World total (rounded)", None, 70.0, kind="world_total"),
        # China withheld: no share
        prod("gold", "China", "CHN", None, flag="withheld"), prod("gold", "Peru", "PER", 100.0),
        prod("gold", "World total (rounded)", None, 300.0, kind="world_total"),
        # another year with only one mineral
        prod("copper", "China", "CHN", 1.7, year=2023, unit="kt"),
        prod("copper", "World total (rounded)", None, 11.0, year=2023, kind="world_total", unit="kt"),
    ])


@pytest.fixture
def processing() -> pd.DataFrame:
    return pd.DataFrame([
        proc("copper", "refining", "CHN", 44.9, 2024),
        proc("copper", "refining", "CHN", 43.8, 2023, source="iea_cmde2024"),
        proc("copper", "mine", "CHN", 8.3, 2023, source="iea_cmde2024"),
        proc("copper", "refining", "CHN", 50.0, 2024, measure="capacity", product="refined copper, capacity"),
        proc("gallium", "refining", "CHN", 99.0, 2025),
        proc("gallium", "refining", "CHN", 100.0, 2025, source="mcs2026_t7"),
        proc("titanium", "metal", "CHN", 70.3, 2024),
        proc("rare_earths", "refining", "CHN", 92.1, 2023, source="iea_cmde2024"),
        proc("rare_earths", "mine", "CHN", 61.2, 2023, source="iea_cmde2024"),
        proc("cobalt", "refining", "FIN", 8.4, 2023, source="iea_cmde2024"),
    ])


@pytest.fixture
def minerals() -> pd.DataFrame:
    ids = ["copper", "tungsten", "gold", "gallium", "titanium", "rare_earths", "antimony"]
    return pd.DataFrame({"mineral": ids, "label": [i.replace("_", " ").capitalize() for i in ids],
                         "deal_mineral": [i in ("copper", "tungsten", "gold", "rare_earths", "antimony")
                                          for i in ids]})


def test_mine_share_uses_the_world_total_unless_it_is_below_the_listed_countries(production):
    m = grip.mine_shares(production, 2024).set_index("mineral")
    assert m.loc["copper", "denominator"] == "world_total"
    assert m.loc["copper", "share_pct"] == pytest.approx(15.0)
    assert m.loc["copper", "tonnes"] == pytest.approx(1800.0)  # kt converted to t
    assert m.loc["tungsten", "denominator"] == "sum_of_listed"
    assert m.loc["tungsten", "share_pct"] == pytest.approx(100 * 67 / 71)


def test_mine_share_leaves_out_a_withheld_country(production):
    assert "gold" not in set(grip.mine_shares(production, 2024)["mineral"])


def test_latest_broad_year_skips_a_thin_later_year(production):
    thin = pd.concat([production, pd.DataFrame([
        prod("copper", "China", "CHN", 1.9, year=2025, unit="kt"),
        prod("copper", "World total (rounded)", None, 13.0, year=2025, kind="world_total", unit="kt")])])
    assert grip.mine_coverage(thin).to_dict() == {2023: 1, 2024: 2, 2025: 1}
    assert grip.latest_broad_year(thin) == 2024
    assert grip.latest_broad_year(thin, min_fraction=0.5) == 2025


def test_processing_share_prefers_the_page_year_then_the_nearest(processing):
    p = grip.processing_share(processing, 2024).set_index("mineral")
    assert p.loc["copper", "processing_pct"] == 44.9 and p.loc["copper", "processing_source"] == "mcs2026_world"
    p23 = grip.processing_share(processing, 2023).set_index("mineral")
    assert p23.loc["copper", "processing_pct"] == 43.8
    assert p23.loc["copper", "same_source_mine_pct"] == 8.3  # IEA's own mine share for the same year
    assert p.loc["rare_earths", "processing_year"] == 2023  # only year there is
    assert p.loc["gallium", "processing_pct"] == 99.0  # full table before Table 7 at the same year
    assert p.loc["titanium", "processing_stage"] == "metal"
    assert "cobalt" not in p.index  # China not named: no row, not a zero


def test_processing_share_never_uses_capacity(processing):
    only_capacity = processing[processing["measure"] == "capacity"]
    assert grip.processing_share(only_capacity, 2024).empty


def test_grip_table_gap_status_and_deal_marks(production, processing, minerals):
    t = grip.grip_table(production, processing, minerals, 2024).set_index("mineral")
    assert t.loc["copper", "gap_pp"] == pytest.approx(44.9 - 15.0)
    assert t.loc["copper", "status"] == "both" and t.loc["copper", "deal"]
    assert t.loc["tungsten", "status"] == "mine_only"
    assert t.loc["gallium", "status"] == "processing_only" and not t.loc["gallium", "deal"]
    assert t.loc["antimony", "status"] == "no_data"  # a deal mineral is kept even without figures
    assert t.loc["gold", "status"] == "no_data"
    gaps = grip.largest_gaps(t.reset_index(), 2)
    assert list(gaps["mineral"]) == ["copper"]  # the only mineral with both figures


def test_grip_counts(production, processing, minerals):
    c = grip.grip_counts(grip.grip_table(production, processing, minerals, 2024))
    assert c["n_mine"] == 2 and c["n_processing"] == 4 and c["n_both"] == 1
    assert c["mine_over"] == 1 and c["processing_over"] == 3 and c["processing_higher"] == 1


# ----------------------------------------------------------------------------------- export controls


def measure(mid, minerals, announced, effective, kind="licensing", susp=None, ends=None, status="in_force"):
    s_by, s_from, s_until = susp or (None, None, None)
    return dict(measure_id=mid, announcement=f"No. {mid}", issuer="MOFCOM", measure_type=kind, minerals=minerals,
                date_announced=pd.Timestamp(announced), date_effective=pd.Timestamp(effective),
                date_ends=pd.Timestamp(ends) if ends else pd.NaT, suspended_by=s_by,
                suspended_from=pd.Timestamp(s_from) if s_from else pd.NaT,
                suspended_until=pd.Timestamp(s_until) if s_until else pd.NaT, status=status,
                status_date=pd.Timestamp("2026-12-01"))


@pytest.fixture
def controls() -> pd.DataFrame:
    return pd.DataFrame([
        measure("2024-33", "antimony", "2024-08-15", "2024-09-15"),
        measure("2024-46", "antimony;gallium", "2024-12-03", "2024-12-03", kind="country_ban",
                susp=("2025-72", "2025-11-09", "2026-11-27"), status="suspension_lapsed"),
        measure("2025-58", "lithium", "2025-10-09", "2025-11-08", susp=("2025-70", "2025-11-07", "2026-11-10"),
                status="suspension_lapsed"),
        measure("2023-57", "rare_earths", "2023-12-21", "2023-12-21", kind="technology_catalogue"),
        measure("2025-18", "rare_earths", "2025-04-04", "2025-04-04"),
        measure("2025-70", "lithium", "2025-11-07", "2025-11-07", kind="suspension", ends="2026-11-10",
                status="expired"),
        measure("2025-72", "antimony;gallium", "2025-11-09", "2025-11-09", kind="suspension", ends="2026-11-27",
                status="expired"),
    ])


def state(status, mid):
    return status.set_index("measure_id").loc[mid, "state"]


def test_measure_status_follows_the_dates(controls):
    s = grip.measure_status(controls, "2025-11-08")
    assert state(s, "2024-33") == "in_force"
    assert state(s, "2024-46") == "in_force"  # suspension starts on the 9th
    assert state(s, "2025-58") == "suspended"
    assert s.set_index("measure_id").loc["2025-58", "until"] == pd.Timestamp("2026-11-10")
    assert state(s, "2025-70") == "suspension_running"
    assert state(s, "2025-72") == "not_announced"
    early = grip.measure_status(controls, "2024-09-01")
    assert state(early, "2024-33") == "announced" and state(early, "2025-18") == "not_announced"


def test_measure_status_after_a_suspension_ends(controls):
    s = grip.measure_status(controls, "2026-12-01")
    assert state(s, "2024-46") == "suspension_ran_out"
    assert state(s, "2025-72") == "suspension_ended"
    assert s.set_index("measure_id").loc["2024-46", "status"] == "suspension_lapsed"  # the data's own word kept
    on_last_day = grip.measure_status(controls, "2026-11-27")
    assert state(on_last_day, "2024-46") == "suspended"  # the end date is inclusive


def test_controlled_minerals_ignore_suspension_rows(controls):
    extra = pd.concat([controls, pd.DataFrame([measure("2099-1", "tin", "2025-01-01", "2025-01-01",
                                                       kind="suspension", ends="2025-02-01")])])
    assert grip.controlled_minerals(extra) == ["antimony", "gallium", "lithium", "rare_earths"]


def test_first_goods_control_skips_technology_and_measures_suspended_before_they_applied(controls):
    assert grip.first_goods_control(controls, "rare_earths") == pd.Timestamp("2025-04-04")
    assert grip.first_goods_control(controls, "lithium") is None
    assert list(grip.never_applied(controls, "lithium")["measure_id"]) == ["2025-58"]
    assert grip.first_goods_control(controls, "gallium") == pd.Timestamp("2024-12-03")


def price(mineral, series, year, value, flag=None):
    return dict(mineral=mineral, series=series, basis=series.replace("_", " "), unit="usd_per_kg", year=year,
                value=value, flag=flag)


def test_price_windows_before_and_after_without_joining_series(controls):
    prices = pd.DataFrame([
        price("antimony", "sb_metal", 2023, 5.0), price("antimony", "sb_metal", 2024, 10.0),
        price("antimony", "sb_metal", 2025, 25.0, "estimated"),
        price("antimony", "sb_new", 2025, 40.0),  # another definition: its own row, never joined
        price("rare_earths", "nd", 2024, 50.0), price("rare_earths", "nd", 2025, 60.0),
        price("lithium", "li", 2024, 10.0), price("lithium", "li", 2025, 9.0),
    ])
    w = grip.price_windows(prices, controls, ["antimony", "rare_earths", "lithium"]).set_index("series")
    sb = w.loc["sb_metal"]
    assert (sb["before_year"], sb["control_year"], sb["after_year"]) == (2023, 2024, 2025)
    assert sb["change_pct"] == pytest.approx(400.0) and sb["compare_estimated"]
    assert sb["share_of_year_after"] == pytest.approx((366 - 259 + 1) / 366)  # 15 September of a leap year
    assert pd.isna(w.loc["sb_new", "before"]) and pd.isna(w.loc["sb_new", "change_pct"])
    nd = w.loc["nd"]
    assert nd["compare_kind"] == "control_year" and nd["change_pct"] == pytest.approx(20.0)
    assert "li" not in w.index  # lithium's only measure never applied


def test_a_control_on_the_first_of_january_makes_that_year_the_first_full_year_after():
    ec = pd.DataFrame([measure("2024-1", "tin", "2023-12-01", "2024-01-01")])
    prices = pd.DataFrame([price("tin", "tin", 2023, 10.0), price("tin", "tin", 2024, 12.0)])
    w = grip.price_windows(prices, ec, ["tin"]).iloc[0]
    assert (w["before_year"], w["after_year"], w["compare_kind"]) == (2023, 2024, "full_year_after")
    assert w["share_of_year_after"] == pytest.approx(1.0)
