"""The fact tables behind the deal and Pakistan chapters: events, deals, indicators and the SBP tables."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from critmin import paths
from critmin.curate import sbp
from critmin.data import read_resource

FACT_TABLES = ["events", "deals", "pakistan_indicators"]
SBP_TABLES = ["pakistan_fdi", "pakistan_fdi_sector", "pakistan_fdi_monthly", "pakistan_trade", "pakistan_trade_monthly"]

# Rows deliberately outside the 2023–2026 window, each labelled "Background" in its title.
BACKGROUND_EVENTS = {"saindak-lease-extension-2022"}


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return read_resource("events")


@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    return read_resource("deals")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return read_resource("pakistan_indicators")


@pytest.mark.parametrize("name", FACT_TABLES + SBP_TABLES)
def test_resource_validates(name):
    assert len(read_resource(name)) > 0


@pytest.mark.parametrize("name", FACT_TABLES)
def test_every_row_cites_a_web_source(name):
    df = read_resource(name)
    bad = df[~df["source_url"].fillna("").str.match(r"^https?://\S+$")]
    assert bad.empty, bad


def test_event_dates_in_window(events):
    in_window = events["date"].between(pd.Timestamp("2023-01-01"), pd.Timestamp("2026-12-31"))
    outside = set(events.loc[~in_window, "event_id"])
    assert outside == BACKGROUND_EVENTS
    for eid in BACKGROUND_EVENTS:
        assert events.set_index("event_id").loc[eid, "title"].startswith("Background")


def test_month_precision_dates_are_first_of_month(events):
    month = events[events["date_precision"] == "month"]
    assert (month["date"].dt.day == 1).all()


def test_mineral_ids_exist():
    known = set(read_resource("minerals")["mineral"])
    for name in ("events", "deals"):
        used = {m for cell in read_resource(name)["minerals"].dropna() for m in cell.split(";")}
        assert used <= known, (name, used - known)


def test_each_kind_of_event_present(events):
    assert set(events["kind"]) == {
        "china_export_control", "pakistan_us_deal", "us_minerals_deal", "reko_diq",
        "pakistan_china", "pakistan_france", "other",
    }


# --- values checked by hand against the reference reports -------------------------------------------

def _event(events, eid):
    return events.set_index("event_id").loc[eid]


def test_mou_amount_and_date(events, deals):
    # APP / Zameen News, 8 Sep 2025: about US$500m for the first phase.
    mou = _event(events, "ussm-fwo-mou-signed")
    assert mou["date"] == pd.Timestamp("2025-09-08")
    assert mou["amount_usd"] == 500_000_000
    assert set(mou["minerals"].split(";")) == {"antimony", "copper", "gold", "tungsten", "rare_earths"}
    d = deals.set_index("deal_id").loc["ussm-fwo-mou"]
    assert d["amount_usd"] == 500_000_000 and d["money_kind"] == "mou_intent" and not d["binding"]


def test_china_export_control_dates(events):
    # Beijing Review 3 Jul 2023 (Ga/Ge effective 1 Aug 2023); Xinhua 20 Oct 2023 (graphite from 1 Dec);
    # Reuters 15 Aug 2024 (antimony from 15 Sep); Holland & Knight (No. 18, 4 Apr 2025).
    expected = {
        "cn-gallium-germanium-controls-effective": "2023-08-01",
        "cn-graphite-controls-effective": "2023-12-01",
        "cn-antimony-controls-effective": "2024-09-15",
        "cn-ban-gallium-germanium-antimony-to-us": "2024-12-03",
        "cn-rare-earths-seven-elements": "2025-04-04",
        "cn-rare-earths-october-expansion": "2025-10-09",
    }
    for eid, day in expected.items():
        assert _event(events, eid)["date"] == pd.Timestamp(day), eid


def test_first_shipment_has_no_tonnage(events):
    # No credible source gives the tonnage: the row must not carry an amount, and must say so.
    row = _event(events, "ussm-first-shipment")
    assert pd.isna(row["amount_usd"])
    assert "unverified" in row["amount_note"]


def test_reko_diq_financing(deals):
    d = deals.set_index("deal_id")["amount_usd"]
    assert d["reko-diq-us-exim"] == 1_250_000_000  # Dawn/Reuters, 23 Nov 2025
    assert d["reko-diq-ifc-ida"] == 700_000_000  # APP (RDMC statement), 12 Jun 2025
    assert d["reko-diq-adb-loans"] + d["reko-diq-adb-guarantee"] == 410_000_000  # ADB package
    assert d["reko-diq-project-finance"] == 3_000_000_000  # RDMC: up to US$3bn
    assert pd.isna(d["reko-diq-jbic"])  # JBIC not confirmed


def test_us_deals(deals):
    d = deals.set_index("deal_id")
    assert d.loc["us-australia-pipeline", "amount_usd"] == 8_500_000_000  # Manufacturers' Monthly, 20 Oct 2025
    assert d.loc["us-kazakhstan-exim-loi", "amount_usd"] == 900_000_000  # Reuters, 6 Nov 2025
    assert d.loc["us-ukraine-fund", "counterpart_country"] == "UKR"
    assert not d.loc["us-ukraine-fund", "pakistan_side"]


def test_indicator_values(indicators):
    v = indicators.set_index(["indicator", "year"])["value"]
    assert v[("mining_quarrying_gdp_share", 2025)] == 2.1  # Dawn column, FY2025
    assert v[("reko_diq_copper_output_phase1", 2025)] == 200_000  # t/yr, Buzz Pakistan
    assert v[("reko_diq_phase1_capex", 2025)] == 5_600_000_000  # Reuters, Apr 2025
    assert v[("antimony_mine_production", 2023)] == 250  # USGS MCS 2025
    assert v[("antimony_reserves", 2025)] == 26_000  # USGS MCS 2026
    assert v[("chromium_ore_exports_to_china", 2023)] == 117_680_000  # Profit, 21 Feb 2024
    assert v[("saindak_copper_output", 2016)] == 14_136  # USGS Minerals Yearbook 2016


def test_reko_diq_ownership_adds_to_100(indicators):
    shares = indicators[indicators["indicator"].str.startswith("reko_diq_share_")]["value"]
    assert shares.sum() == 100


def test_sbp_fdi_values():
    fdi = read_resource("pakistan_fdi").set_index(["fiscal_year", "country", "measure"])["value"]
    # SBP Netinflow (country), FY2026 vs FY2025 (US$ m).
    assert fdi[(2025, "China", "net")] == 1204.82
    assert fdi[(2026, "China", "net")] == 861.98
    assert fdi[(2026, "United States", "net")] == -155.96
    assert fdi[(2025, "United States", "net")] == 35.28
    assert fdi[(2026, "Total", "net")] == 1636.81
    sector = read_resource("pakistan_fdi_sector").set_index(["fiscal_year", "sector", "measure"])["value"]
    assert sector[(2026, "Mining & Quarrying", "net")] == -116.77
    assert sector[(2025, "Mining & Quarrying", "net")] == -152.03


def test_sbp_fdi_country_rows_add_up():
    fdi = read_resource("pakistan_fdi")
    fy26 = fdi[(fdi["fiscal_year"] == 2026) & (fdi["measure"] == "net")]
    parts = fy26.loc[fy26["row_kind"] != "world_total", "value"].sum()
    total = fy26.loc[fy26["row_kind"] == "world_total", "value"].item()
    assert abs(parts - total) < 0.1


def test_sbp_trade_values():
    t = read_resource("pakistan_trade")
    top = t[t["table"] == "top_partners"].set_index(["flow", "country"])["value"]
    # SBP exports/imports by country, Jul–May FY26 (P), US$ m.
    assert top[("exports", "U. S. A.")] == 5585.19
    assert top[("exports", "China")] == 2437.22
    assert top[("imports", "China")] == 17555.36
    assert top[("imports", "U. S. A.")] == 2990.12
    ranks = t[t["table"] == "top_partners"].groupby("flow")["rank"].apply(sorted)
    assert all(r == list(range(1, 16)) for r in ranks)
    assert (t.loc[t["period"] == "Jul-May FY26", "flag"] == "provisional").all()


def test_sbp_curation_reproduces_committed_files(raw_dir, tmp_path):
    written = sbp.curate(raw_dir, tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.csv" for n in SBP_TABLES)
    for p in written:
        assert filecmp.cmp(p, paths.data_dir() / p.name, shallow=False), f"{p.name} differs from data/"
