"""critmin.catalogue: the data package's metadata and rows → the tables and text of "Data and sources"."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from critmin.curate import __main__ as curate_main
from critmin.data import catalogue
from critmin.data import package as datapackage

TOY = {
    "name": "toy",
    "path": "toy.csv",
    "profile": "tabular-data-resource",
    "title": "Toy production",
    "description": "One row per mineral, country and year; costs in US$ and *not* emphasised.",
    "format": "csv",
    "encoding": "utf-8",
    "coverage": "2020–2021",
    "sources": [
        {"title": "Toy [data] release", "publisher": "Survey", "edition": "T 2021",
         "path": "https://doi.org/10.5066/TOY", "accessed": "2026-11-27"},
        {"title": "Own notes", "publisher": "The book's authors", "accessed": "2026-11-27"},
    ],
    "licenses": [{"name": "us-pd", "title": "Public domain", "path": "https://example.org/pd"}],
    "caveats": ["World totals are >95 % rounded", "Second caveat with `code` and $5bn"],
    "schema": {
        "fields": [
            {"name": "mineral", "type": "string", "description": "Mineral id",
             "constraints": {"required": True, "enum": ["copper", "gallium"]}},
            {"name": "country", "type": "string", "constraints": {"required": True}},
            {"name": "iso3", "type": "string", "constraints": {"pattern": "[A-Z]{3}"}},
            {"name": "row_kind", "type": "string", "constraints": {"required": True,
                                                                  "enum": ["country", "world_total"]}},
            {"name": "year", "type": "year", "constraints": {"required": True, "minimum": 2000, "maximum": 2030}},
            {"name": "value", "type": "number", "unit": "t", "constraints": {"minimum": 0}},
        ],
        "primaryKey": ["mineral", "country", "year"],
    },
}
TOY_CSV = """mineral,country,iso3,row_kind,year,value
copper,Chile,CHL,country,2020,5.5
copper,Peru,PER,country,2021,2
copper,World total (rounded),,world_total,2021,20
gallium,China,CHN,country,2021,
"""


@pytest.fixture
def toy(tmp_path):
    (tmp_path / "toy.csv").write_text(TOY_CSV, encoding="utf-8")
    pkg = {**datapackage.PACKAGE_HEAD, "resources": [TOY]}
    (tmp_path / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    return tmp_path


def test_coverage_is_counted_from_the_rows(toy):
    df = catalogue.data.read_resource("toy", data_dir=toy)
    cov = catalogue.coverage(df)
    assert cov["rows"] == 4 and cov["columns"] == 6
    assert cov["period"] == "2020–2021"
    assert cov["mineral_ids"] == ["copper", "gallium"]
    assert cov["iso3"] == ["CHL", "CHN", "PER"]  # the world total has no code and is not a country
    assert catalogue.coverage_text(cov) == "4 rows; 2020–2021; 2 minerals (copper, gallium); 3 countries (ISO codes)"


def test_coverage_reads_other_time_columns():
    months = pd.DataFrame({"month": ["2021-03", "2020-11", "2021-01"]})
    assert catalogue.coverage(months)["period"] == "2020-11–2021-03"
    fiscal = pd.DataFrame({"fiscal_year": pd.array([2026, 2017], dtype="Int64")})
    assert catalogue.coverage(fiscal)["period"] == "FY2017–FY2026"
    periods = pd.DataFrame({"period": ["2018-2021", "2021-2024"]})
    assert catalogue.coverage(periods)["period"] == "2018–2024"
    dates = pd.DataFrame({"date": pd.to_datetime(["2025-09-08", "2023-07-03"])})
    assert catalogue.coverage(dates)["period"] == "2023-07-03–2025-09-08"
    several = pd.DataFrame({"minerals": ["copper;gold", None, "gold"]})
    assert catalogue.coverage(several)["mineral_ids"] == ["copper", "gold"]
    assert catalogue.coverage_text(catalogue.coverage(pd.DataFrame({"x": [1]}))) == "1 row"


def test_download_role_points_from_the_rendered_page_to_the_csv(toy):
    assert catalogue.download_role("toy", toy) == "{download}`toy.csv <../../data/toy.csv>`"
    assert catalogue.download_role("toy", toy, prefix="data") == "{download}`toy.csv <data/toy.csv>`"


def test_row_key_names_the_primary_key():
    assert catalogue.row_key(TOY) == "one row per `mineral`, `country` and `year`"
    assert catalogue.row_key({"schema": {"primaryKey": "claim_id"}}) == "one row per `claim_id`"
    assert catalogue.row_key({"schema": {}}) == "no primary key"


def test_fields_table(toy):
    f = catalogue.fields("toy", toy).set_index("field")
    assert list(f.index) == ["mineral", "country", "iso3", "row_kind", "year", "value"]
    assert f.loc["mineral", "allowed"] == "copper, gallium"
    assert f.loc["mineral", "key"] == "yes" and f.loc["value", "key"] == ""
    assert f.loc["year", "allowed"] == "2000 to 2030" and f.loc["year", "type"] == "year"
    assert f.loc["value", "allowed"] == "≥ 0" and f.loc["value", "unit"] == "t"
    assert f.loc["iso3", "allowed"] == "pattern [A-Z]{3}"
    # No description of its own: the package-wide convention explains the column.
    assert f.loc["row_kind", "description"] == " ".join(catalogue.CONVENTIONS["row_kind"].split())
    assert f.loc["mineral", "description"] == "Mineral id"


def test_sources_and_caveats(toy):
    s = catalogue.sources(toy)
    assert list(s.columns) == ["dataset", "publisher", "title", "edition", "link", "accessed"]
    assert s["link"].tolist() == ["https://doi.org/10.5066/TOY", ""]
    assert catalogue.caveats(toy)["caveat"].tolist()[0] == "World totals are >95 % rounded"


def test_md_escape_keeps_code_spans_and_neutralises_markup():
    assert catalogue.md_escape("US$500m and US$3bn") == r"US\$500m and US\$3bn"
    assert catalogue.md_escape("row_kind is `row_kind`") == r"row\_kind is `row_kind`"
    assert catalogue.md_escape("'>95' and [x]\n  folded") == r"'\>95' and \[x\] folded"
    assert catalogue.md_escape("one ` stray") == r"one \` stray"


def test_dataset_markdown(toy):
    text = catalogue.dataset_markdown("toy", toy)
    assert text.startswith("### Toy production\n")
    assert "{download}`toy.csv <../../data/toy.csv>` (4 rows, 6 columns)" in text
    assert "one row per `mineral`, `country` and `year`" in text
    assert "**Coverage, counted from the rows:** 4 rows; 2020–2021" in text
    assert "[Toy \\[data\\] release](https://doi.org/10.5066/TOY)" in text
    assert "accessed 2026-11-27" in text and "T 2021" in text
    assert "[Public domain](https://example.org/pd) (`us-pd`)" in text
    assert r"US\$" in text and r"\*not\*" in text  # no stray math or emphasis
    assert "  - Second caveat with `code` and \\$5bn" in text
    assert "curated by hand" in text  # 'toy' is written by no curation step


# --- the real package ------------------------------------------------------------------------------------

def test_every_resource_is_curated_once():
    made = [n for _, (_, names) in catalogue.CURATION.items() for n in names] + catalogue.HAND_CURATED
    assert len(made) == len(set(made))
    assert sorted(made) == datapackage.resource_names()
    assert [r["name"] for r in catalogue.resources()] == made


def test_curation_steps_match_the_curation_code():
    assert list(catalogue.CURATION) == curate_main.STEPS
    for step, (folders, names) in catalogue.CURATION.items():
        module = importlib.import_module(f"critmin.curate.{step}")
        if hasattr(module, "FOLDER"):
            assert folders == [module.FOLDER], step
        if hasattr(module, "NAME"):
            assert names == [module.NAME], step
        source = Path(module.__file__).read_text(encoding="utf-8")
        for folder in folders:
            assert folder in source or getattr(module, "FOLDER", None) == folder, (step, folder)
        for name in names:
            assert f"{name}.csv" in source or getattr(module, "NAME", None) == name, (step, name)


def test_conventions_explain_every_code_they_stand_in_for():
    # Where a coded field has no description of its own, the convention must name each of its codes.
    for res in datapackage.package()["resources"]:
        for f in res["schema"]["fields"]:
            enum = f.get("constraints", {}).get("enum")
            if not enum or f.get("description"):
                continue
            text = catalogue.CONVENTIONS.get(f["name"], "")
            missing = [v for v in enum if not re.search(rf"(?<![\w]){re.escape(str(v))}(?![\w])", text)]
            assert not missing, f"{res['name']}.{f['name']}: codes {missing} not explained"


def test_overview_covers_every_dataset():
    ov = catalogue.overview()
    assert ov["dataset"].tolist() == [r["name"] for r in catalogue.resources()]
    assert (ov["rows"] > 0).all()
    prod = ov.set_index("dataset").loc["production"]
    assert prod["curation"] == "usgs" and prod["period"].startswith("20")
    assert set(catalogue.sources()["dataset"]) == set(ov["dataset"])


def test_every_dataset_section_renders():
    for res in catalogue.resources():
        text = catalogue.dataset_markdown(res["name"])
        assert f"{{download}}`{res['path']} <../../data/{res['path']}>`" in text
        assert "**Licence:**" in text and ("**Source:**" in text or "**Sources:**" in text)
        assert "$" not in text.replace(r"\$", ""), res["name"]  # would start MyST math


def test_corrections_table():
    corr = catalogue.corrections()
    assert list(corr.columns) == ["resource", "key", "field", "original", "corrected", "reason", "source"]
    assert (corr["resource"] == "refining").any()  # the IEA 'Rest of world' note


def test_markdown_table_escapes_cells(toy):
    df = pd.DataFrame({"field": ["a_b", "c"], "allowed": [r"\d{4}-(0[1-9]|1[0-2])", None]})
    text = catalogue.markdown_table(df, caption="Fields of toy.csv", code=("field",))
    lines = text.splitlines()
    assert lines[0] == "**Fields of toy.csv**" and lines[2] == "| field | allowed |"
    assert lines[4] == r"| `a_b` | \\d{4}-(0\[1-9\]\|1\[0-2\]) |"  # the pipe cannot split the cell
    assert lines[5] == "| `c` |  |"


def test_overview_and_steps_link_every_file():
    ov, steps = catalogue.overview_markdown(), catalogue.steps_markdown()
    for res in catalogue.resources():
        role = catalogue.download_role(res["name"])
        assert role in ov and role in steps, res["name"]
    assert len(ov.strip().splitlines()) == 2 + len(catalogue.resources())
