"""Processing stages, the stage vocabulary, USGS Table 4 and China's export controls: schema, ids, citations,
share arithmetic, agreement with the raw USGS Table 7 and Table 4, and re-running the two curation steps."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from critmin import paths
from critmin.curate import processing as proc_step
from critmin.curate import usgs_tables
from critmin.data import read_resource

NAMES = ["processing", "processing_stages", "usgs_export_controls", "export_controls"]
GROUP = proc_step.GROUP


@pytest.fixture(scope="module")
def proc() -> pd.DataFrame:
    return read_resource("processing")


@pytest.fixture(scope="module")
def vocab() -> pd.DataFrame:
    return read_resource("processing_stages")


@pytest.fixture(scope="module")
def t4() -> pd.DataFrame:
    return read_resource("usgs_export_controls")


@pytest.fixture(scope="module")
def ec() -> pd.DataFrame:
    return read_resource("export_controls")


@pytest.fixture(scope="module")
def registry() -> set[str]:
    return set(read_resource("minerals")["mineral"])


@pytest.mark.parametrize("name", NAMES)
def test_validates_and_is_not_empty(name):
    assert len(read_resource(name)) > 0


def _ids(series: pd.Series) -> set[str]:
    return {m for v in series.dropna() for m in str(v).split(";") if m}


def test_every_mineral_id_is_known(proc, vocab, t4, ec, registry):
    assert set(proc["mineral"]) <= registry
    assert set(vocab["mineral"]) <= registry
    assert _ids(t4["minerals"]) <= registry
    assert _ids(ec["minerals"]) <= registry


def test_every_processing_row_is_cited(proc):
    for col in ("publisher", "edition", "source_title", "source_url", "licence", "grade"):
        assert proc[col].notna().all(), col
    assert proc["source_url"].str.match(r"^https?://\S+$").all()
    assert set(proc.loc[proc["publisher"].str.startswith("U.S. Geological"), "licence"]) == {"us-pd"}
    assert set(proc.loc[proc["publisher"] == "International Energy Agency", "licence"]) == {"CC-BY-4.0"}


def test_shares_in_range_and_consistent_with_tonnes(proc):
    assert proc["share_pct"].between(0, 100).all()
    assert (proc["tonnes"] <= proc["world_tonnes"]).all()
    computed = 100 * proc["tonnes"] / proc["world_tonnes"]
    # Table 7 shares are USGS's integers; the others are computed here to one decimal.
    tol = proc["source_table"].map({"mcs2026_t7": 1.0}).fillna(0.051)
    bad = proc[(computed - proc["share_pct"]).abs() > tol]
    assert bad.empty, bad[["mineral", "country", "year", "tonnes", "world_tonnes", "share_pct"]]


def test_shares_of_one_block_add_up_to_at_most_100(proc):
    sums = proc.groupby(GROUP)["share_pct"].sum()
    assert (sums <= 100.5).all(), sums[sums > 100.5]


def test_stages_follow_the_vocabulary(proc, vocab):
    pairs = set(zip(vocab["mineral"], vocab["stage"]))
    assert set(zip(proc["mineral"], proc["stage"])) <= pairs
    order = dict(zip(vocab["stage"], vocab["stage_order"]))
    assert order == {"mine": 1, "refining": 2, "metal": 3, "product": 4}
    assert (proc["stage_order"] == proc["stage"].map(proc_step.STAGES).str[0]).all()
    for _, g in vocab.groupby("mineral"):
        assert g["stage_order"].is_unique
    # The chains the book needs, mine to product, with the stages that have no data yet.
    re_chain = vocab[vocab["mineral"] == "rare_earths"].sort_values("stage_order")["stage"].tolist()
    assert re_chain == ["mine", "refining", "metal", "product"]


def test_issue_minerals_have_a_processing_stage(proc):
    after_mine = set(proc.loc[proc["stage"] != "mine", "mineral"])
    for m in ["rare_earths", "gallium", "graphite", "copper", "cobalt", "lithium", "nickel", "indium", "tellurium",
              "magnesium", "titanium", "bismuth"]:
        assert m in after_mine, m


def test_known_figures(proc):
    def share(**w):
        m = pd.Series(True, index=proc.index)
        for k, v in w.items():
            m &= proc[k] == v
        hit = proc[m]
        assert len(hit) == 1, w
        return float(hit.iloc[0]["share_pct"])
    # IEA workbook 2023: China 70.3 of 76.3 kt magnet rare earths refined; 11,547.0 of 26,336.2 kt refined copper.
    assert share(mineral="rare_earths", stage="refining", iso3="CHN", source_table="iea_cmde2024") == 92.1
    assert share(mineral="copper", stage="refining", iso3="CHN", source_table="iea_cmde2024") == 43.8
    # USGS MCS 2026 data release: gallium 2024, 839,000 of 848,000 kg.
    assert share(mineral="gallium", iso3="CHN", year=2024, measure="output", source_table="mcs2026_world") == 98.9
    # Table 7: titanium sponge, China 70%.
    assert share(mineral="titanium", iso3="CHN", source_table="mcs2026_t7") == 70


def test_table7_rows_match_the_raw_table(proc, raw_dir):
    t7 = usgs_tables.read_t7(raw_dir).set_index("Critical_mineral")
    ours = proc[proc["source_table"] == "mcs2026_t7"]
    assert len(ours) == sum(1 for n, s in proc_step.T7_MINERALS.items() if s and t7.loc[n, "World_total_prod"] != "NA")
    for name, spec in proc_step.T7_MINERALS.items():
        if spec is None:
            continue
        r = t7.loc[name]
        hit = ours[(ours["mineral"] == spec[0]) & (ours["stage"] == spec[1])]
        if r["World_total_prod"] == "NA":
            assert hit.empty, name
            continue
        assert len(hit) == 1, name
        h = hit.iloc[0]
        assert h["share_pct"] == float(r["Leading_source_precent_world"]), name
        assert h["tonnes"] == float(r["Leading_country_prod"]) and h["world_tonnes"] == float(r["World_total_prod"])


def test_table7_mapping_covers_every_row(raw_dir):
    assert set(usgs_tables.read_t7(raw_dir)["Critical_mineral"]) == set(proc_step.T7_MINERALS)


def test_table4_split_keeps_every_item():
    items = usgs_tables.split_items("Antimony (2024), bismuth (2025), and items related to x and y (2025).", "t")
    assert items == [("Antimony", 2024), ("bismuth", 2025), ("items related to x and y", 2025)]
    assert usgs_tables.split_items("Copper (refined and alloys) and aluminum ingots (2025).", "t") == \
        [("Copper (refined and alloys) and aluminum ingots", 2025)]
    with pytest.raises(ValueError, match="cannot split"):
        usgs_tables.split_items("Cobalt.", "t")


def test_export_controls_cover_the_measures(ec):
    ids = set(ec["measure_id"])
    assert {"2023-23", "2023-39", "2023-57-tech", "2024-33", "2024-46-art1", "2024-46-art2", "2025-10", "2025-18",
            "2025-55", "2025-56", "2025-57", "2025-58", "2025-61", "2025-62", "2025-70", "2025-72"} <= ids
    e = ec.set_index("measure_id")
    assert set(e.loc["2025-10", "minerals"].split(";")) == {"tungsten", "tellurium", "bismuth", "molybdenum",
                                                             "indium"}
    assert (e["date_effective"] >= e["date_announced"]).all()
    assert ec["source_url"].str.match(r"^https?://\S+$").all()


def test_suspensions_are_consistent(ec):
    e = ec.set_index("measure_id")
    sus = ec[ec["suspended_by"].notna()]
    assert len(sus) >= 7
    for _, r in sus.iterrows():
        s = e.loc[r["suspended_by"]]
        assert s["measure_type"] == "suspension", r["measure_id"]
        assert r["suspended_from"] == s["date_effective"] and r["suspended_until"] == s["date_ends"], r["measure_id"]
    status_date = ec["status_date"].iloc[0]
    assert (ec["status_date"] == status_date).all()
    for _, r in ec.iterrows():
        if r["measure_type"] == "suspension":
            assert r["status"] == ("expired" if r["date_ends"] < status_date else "in_force"), r["measure_id"]
        elif pd.notna(r["suspended_by"]) and r["suspended_until"] < status_date:
            assert r["status"] == "suspension_lapsed", r["measure_id"]
        elif pd.notna(r["suspended_by"]):
            assert r["status"] == "suspended", r["measure_id"]
        else:
            assert r["status"] == "in_force", r["measure_id"]


def test_table4_china_items_are_accounted_for(ec, t4):
    china = t4[t4["iso3"] == "CHN"]
    t4_items = {f"{r.item} ({r.year_imposed})" for r in china.itertuples()}
    cited = {i for v in ec["usgs_t4_items"].dropna() for i in v.split(";")}
    assert cited <= t4_items, cited - t4_items
    # Table 4's China items without a measure here: no primary text was found for them (see the caveats).
    assert t4_items - cited == {"Magnesium materials (2024)", "Silver (2026)"}


def test_table4_matches_the_raw_table(t4, raw_dir):
    raw = pd.read_csv(raw_dir / usgs_tables.FOLDER / usgs_tables.T4, dtype=str, encoding="utf-8-sig")
    assert t4["country"].nunique() == raw["Country"].nunique()
    china = raw.loc[raw["Country"] == "China", "Commodity_Year"].iloc[0]
    assert len(t4[t4["iso3"] == "CHN"]) == china.count("(20")


@pytest.mark.parametrize("step, outputs", [
    ("usgs_tables", ["usgs_export_controls.csv"]),
    ("processing", ["processing.csv", "processing_stages.csv"]),
])
def test_curation_reproduces_committed_files(step, outputs, tmp_path, raw_dir):
    module = importlib.import_module(f"critmin.curate.{step}")
    written = module.curate(raw_dir, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(outputs)
    for rel in outputs:
        assert (tmp_path / rel).read_bytes() == (paths.data_dir() / rel).read_bytes(), rel
