"""China's share by stage, the mine-to-processing gap and export controls in force, on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.analysis import stages


def row(mineral, stage, iso3, share, year=2024, product=None, source="mcs2026_world", measure="output"):
    return dict(mineral=mineral, stage=stage, stage_order=stages.STAGE_ORDER[stage],
                product=product or f"{mineral} {stage}", measure=measure, country=iso3, iso3=iso3, year=year,
                tonnes=share * 10, world_tonnes=1000.0, share_pct=float(share), grade="primary-statistics",
                source_table=source, publisher="P", edition="E", source_url="https://example.org/x")


@pytest.fixture
def processing() -> pd.DataFrame:
    return pd.DataFrame([
        row("rare_earths", "mine", "CHN", 69, 2025, source="mcs2026_t7"),
        row("rare_earths", "refining", "CHN", 92.1, 2023, source="iea_cmde2024"),
        row("rare_earths", "refining", "MYS", 5.2, 2023, source="iea_cmde2024"),
        row("gallium", "refining", "CHN", 98.9, 2024),
        row("gallium", "refining", "CHN", 99.0, 2025),
        row("gallium", "refining", "JPN", 0.3, 2025),
        row("gallium", "refining", "CHN", 94.1, 2025, product="gallium capacity", measure="capacity"),
        row("cobalt", "refining", "FIN", 8.4, 2023, source="iea_cmde2024"),
        row("titanium", "metal", "CHN", 70.3, 2025),
    ])


def test_china_share_by_stage_orders_stages_and_takes_latest_year(processing):
    s = stages.china_share_by_stage(processing, "rare_earths")
    assert list(s["stage"]) == ["mine", "refining"]
    assert list(s["share_pct"]) == [69, 92.1]
    g = stages.china_share_by_stage(processing, "gallium")
    assert list(g["year"]) == [2025] and list(g["share_pct"]) == [99.0]  # capacity row left out


def test_china_share_by_stage_for_a_given_year_and_country(processing):
    assert list(stages.china_share_by_stage(processing, "gallium", year=2024)["share_pct"]) == [98.9]
    assert list(stages.china_share_by_stage(processing, "gallium", iso3="JPN")["share_pct"]) == [0.3]
    cap = stages.china_share_by_stage(processing, "gallium", measure="capacity")
    assert list(cap["share_pct"]) == [94.1]


def test_unnamed_country_gives_no_row_not_zero(processing):
    # China is not named in the (hand-made) cobalt refining block: no row, never a made-up 0%.
    assert stages.china_share_by_stage(processing, "cobalt").empty
    assert stages.china_share_by_stage(processing, "tungsten").empty


def test_duplicate_country_rows_fail_loudly(processing):
    bad = pd.concat([processing, processing.iloc[[3]]])
    with pytest.raises(ValueError, match="2 rows for CHN"):
        stages.china_share_by_stage(bad, "gallium", year=2024)


def test_mine_vs_processing_gap(processing):
    mine = pd.DataFrame([dict(mineral="rare_earths", year=2025, share_pct=69.0),
                         dict(mineral="tungsten", year=2025, share_pct=79.0)])
    gap = stages.mine_vs_processing(mine, processing).set_index("mineral")
    assert gap.loc["rare_earths", "processing_share_pct"] == 92.1
    assert gap.loc["rare_earths", "gap_pct_points"] == pytest.approx(23.1)
    assert gap.loc["rare_earths", "processing_stage"] == "refining"
    assert pd.isna(gap.loc["tungsten", "processing_share_pct"]) and pd.isna(gap.loc["tungsten", "gap_pct_points"])
    assert pd.isna(gap.loc["gallium", "mine_share_pct"])  # no mine stage for a by-product
    assert gap.index[0] == "rare_earths"  # largest gap first
    with pytest.raises(ValueError, match="one row per mineral"):
        stages.mine_vs_processing(pd.concat([mine, mine]), processing)


@pytest.fixture
def controls() -> pd.DataFrame:
    def c(mid, typ, minerals, eff, sus_from="", sus_until=""):
        return dict(measure_id=mid, measure_type=typ, minerals=minerals, date_announced=pd.Timestamp(eff),
                    date_effective=pd.Timestamp(eff), suspended_from=pd.Timestamp(sus_from) if sus_from else pd.NaT,
                    suspended_until=pd.Timestamp(sus_until) if sus_until else pd.NaT)
    return pd.DataFrame([
        c("2023-23", "licensing", "gallium;germanium", "2023-08-01"),
        c("2025-18", "licensing", "rare_earths", "2025-04-04"),
        c("2025-57", "licensing", "rare_earths", "2025-11-08", "2025-11-07", "2026-11-10"),
        c("2025-70", "suspension", "rare_earths", "2025-11-07"),
        c("2024-46-art1", "country_ban", pd.NA, "2024-12-03"),
    ])


def test_controls_in_force_respects_dates_and_suspensions(controls):
    ids = lambda d: list(stages.controls_in_force(controls, d)["measure_id"])  # noqa: E731
    assert ids("2023-07-31") == []
    assert ids("2023-08-01") == ["2023-23"]
    assert ids("2025-12-01") == ["2023-23", "2024-46-art1", "2025-18"]  # 2025-57 suspended, suspension not a control
    assert ids("2026-11-10") == ["2023-23", "2024-46-art1", "2025-18"]  # last day of the suspension
    assert ids("2026-11-11") == ["2023-23", "2024-46-art1", "2025-18", "2025-57"]


def test_controls_for_mineral(controls):
    assert list(stages.controls_for(controls, "rare_earths")["measure_id"]) == ["2025-18", "2025-70", "2025-57"]
    assert list(stages.controls_for(controls, "germanium")["measure_id"]) == ["2023-23"]
    assert stages.controls_for(controls, "gold").empty
    assert stages.controls_for(controls, "gall").empty  # ids match whole, not by prefix
