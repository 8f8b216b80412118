"""The data package as a whole: metadata in sync and complete, every CSV described and valid, shares in range,
every event, deal and claim traceable to a report."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from critmin import data, paths
from critmin.data import catalogue
from critmin.data import package as datapackage

RESOURCES = datapackage.package()["resources"]
NAMES = [r["name"] for r in RESOURCES]
TYPES = {"string", "integer", "year", "number", "boolean", "date"}
URL = re.compile(r"^https?://\S+$")
DOI = re.compile(r"^(https://doi\.org/)?10\.\d{4,9}/\S+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {n: data.load(n) for n in NAMES}


def _row_cited(res: dict) -> bool:
    """Rows carry their own citation: a required source_url column that must hold an http(s) URL."""
    return any(f["name"] == "source_url" and f.get("constraints", {}).get("required")
               and f.get("constraints", {}).get("pattern", "").startswith("https?://")
               for f in res["schema"]["fields"])


def test_datapackage_json_is_in_sync_with_meta():
    committed = (paths.data_dir() / "datapackage.json").read_text(encoding="utf-8")
    assert committed == datapackage.render(), "data/datapackage.json is stale: run critmin datapackage"


def test_every_csv_is_a_resource_and_every_resource_has_its_csv():
    on_disk = sorted(p.name for p in paths.data_dir().glob("*.csv"))
    assert on_disk == sorted(r["path"] for r in RESOURCES)
    for r in RESOURCES:
        assert r["path"] == f"{r['name']}.csv", r["name"]


@pytest.mark.parametrize("res", RESOURCES, ids=NAMES)
def test_resource_metadata_is_complete(res):
    name = res["name"]
    assert res.get("title", "").strip(), f"{name}: no title"
    assert len(res.get("description", "").strip()) >= 40, f"{name}: no real description"
    assert res.get("format") == "csv" and res.get("encoding") == "utf-8", name
    assert res.get("coverage", "").strip(), f"{name}: no coverage summary"
    sources = res.get("sources") or []
    assert sources, f"{name}: no source"
    for s in sources:
        for key in ("publisher", "title", "accessed"):
            assert str(s.get(key, "")).strip(), f"{name}: source {s.get('title')!r} lacks {key}"
        assert ISO_DATE.match(str(s["accessed"])), f"{name}: accessed {s['accessed']!r} is not YYYY-MM-DD"
        path = s.get("path", "")
        if path:
            assert URL.match(path) or DOI.match(path), f"{name}: source path {path!r} is neither URL nor DOI"
        else:
            # A source without one link is acceptable only where every row cites its own report, or for the
            # book's own coding work.
            assert _row_cited(res) or s["publisher"] == "The book's authors", \
                f"{name}: source {s['title']!r} has no DOI or URL and rows carry no source_url"
    assert any(s.get("path") for s in sources) or _row_cited(res) or name == "claims_codebook", \
        f"{name}: nothing links to the original publisher"
    licences = res.get("licenses") or []
    assert licences, f"{name}: no licence"
    for lic in licences:
        assert lic.get("name") and (lic.get("title") or lic.get("path")), f"{name}: incomplete licence {lic}"
        assert not lic.get("path") or URL.match(lic["path"]), f"{name}: licence path {lic['path']!r}"


@pytest.mark.parametrize("res", RESOURCES, ids=NAMES)
def test_schema_types_and_coded_fields_are_described(res):
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    assert len(names) == len(set(names)), f"{res['name']}: duplicate field names"
    pk = res["schema"].get("primaryKey") or []
    assert set([pk] if isinstance(pk, str) else pk) <= set(names), f"{res['name']}: key names unknown fields"
    for f in fields:
        assert f.get("type") in TYPES, f"{res['name']}.{f['name']}: type {f.get('type')!r}"
        if "enum" in f.get("constraints", {}):
            described = f.get("description") or catalogue.CONVENTIONS.get(f["name"])
            assert described, f"{res['name']}.{f['name']}: coded field without a description"


@pytest.mark.parametrize("name", NAMES)
def test_every_resource_loads_and_validates(name, tables):
    df = tables[name]
    assert len(df) > 0, name
    with open(paths.data_dir() / f"{name}.csv", encoding="utf-8", newline="") as fh:
        raw = fh.read()
    assert "\r" not in raw and raw.endswith("\n"), f"{name}.csv: line endings must be '\\n'"


def _share_fields() -> list:
    for res in RESOURCES:
        for f in res["schema"]["fields"]:
            if f["name"].startswith("share") or f["name"].endswith("_pct"):
                yield pytest.param(res, f, id=f"{res['name']}.{f['name']}")


def test_share_fields_exist():
    assert len(list(_share_fields())) >= 3  # import_reliance.nir_pct, import_sources and processing_shares


@pytest.mark.parametrize("res, field", list(_share_fields()))
def test_shares_within_declared_range(res, field, tables):
    c = field.get("constraints", {})
    percent = "%" in field.get("unit", "") or field["name"].endswith("_pct")
    top = 100 if percent else 1
    assert c.get("minimum") == 0 and c.get("maximum") == top, \
        f"{res['name']}.{field['name']}: a share must declare minimum 0 and maximum {top}"
    values = tables[res["name"]][field["name"]].dropna()
    assert ((values >= 0) & (values <= top)).all()
    if percent and len(values) > 3:
        assert values.max() > 1, f"{res['name']}.{field['name']}: percent column holds fractions"


@pytest.mark.parametrize("name", ["events", "deals", "claims", "pakistan_indicators", "processing_shares"])
def test_every_event_deal_and_claim_cites_a_url(name, tables):
    df = tables[name]
    urls = df["source_url"]
    bad = df.index[urls.isna() | ~urls.fillna("").str.match(r"^https?://[^\s/]+\.[^\s]+$")]
    assert list(bad) == [], f"{name}: rows without an http(s) source URL at lines {[i + 2 for i in bad]}"


def test_row_kind_and_iso_codes_agree(tables):
    for name, df in tables.items():
        if "row_kind" not in df or "iso3" not in df:
            continue
        countries = df[df["row_kind"] == "country"]
        assert countries["iso3"].notna().all(), f"{name}: country rows without ISO code"
        aggregates = df[df["row_kind"].isin(["world_total", "other"])]
        assert aggregates["iso3"].isna().all(), f"{name}: world/other rows with an ISO code"


def test_mineral_ids_exist_in_the_registry(tables):
    registry = set(tables["minerals"]["mineral"])
    for name, df in tables.items():
        used = set(catalogue.coverage(df)["mineral_ids"])
        assert used <= registry, f"{name}: unknown mineral ids {sorted(used - registry)}"


def test_corrections_name_existing_resources(tables):
    assert set(tables["corrections"]["resource"]) <= set(NAMES)


def test_claims_use_codes_from_the_codebook(tables):
    book = tables["claims_codebook"]
    codes = {t: set(book.loc[book["code_type"] == t, "code"]) for t in book["code_type"].unique()}
    claims = tables["claims"]
    for column, kind in (("stance", "stance"), ("stance_reason", "stance_reason"),
                         ("speaker_group", "speaker_group"), ("reliability", "reliability"), ("metric", "metric")):
        assert set(claims[column].dropna()) <= codes[kind], column
    themes = {t for v in claims["themes"] for t in v.split(";")}
    assert themes <= codes["theme"]


def test_readme_describes_every_file():
    readme = (paths.data_dir() / "README.md").read_text(encoding="utf-8")
    for r in RESOURCES:
        assert f"`{r['path']}`" in readme, f"data/README.md does not describe {r['path']}"
    for step in catalogue.CURATION:
        assert f"--only {step}" in readme or f"`{step}`" in readme, step


# The counts a resource's hand-written `coverage:` line states, and how each is counted from the rows. A count
# after "the" names a subset ("the 12 minerals of the MCS2022 subset") and is not checked.
def _countries(df: pd.DataFrame) -> int:
    if "row_kind" in df:
        return df.loc[df["row_kind"] == "country", "country"].nunique()
    return df["iso3"].nunique()


COUNTED = {
    "rows": len,
    "items": len,
    "minerals": lambda df: df["mineral"].nunique(),
    "HS codes": lambda df: df["hs_code"].nunique(),
    "partners": lambda df: df["partner_code"].nunique(),
    "exporters": lambda df: df["exporter_code"].nunique(),
    "economies": lambda df: df["iso3"].nunique(),
    "commodities": lambda df: df["commodity"].nunique(),
    "series": lambda df: df["series"].nunique(),
    "stages": lambda df: len(df[["mineral", "stage"]].drop_duplicates()),
    "codes": lambda df: df["baci_code"].nunique() if "baci_code" in df else len(df),
    "countries": _countries,
    "snapshot countries": lambda df: df.loc[df["table"] == "country_snapshot"].groupby("flow")["country"].nunique().max(),
}
STATED = re.compile(r"(?<![\w-])(?<!the )(\d[\d,]*) (" + "|".join(map(re.escape, COUNTED)) + r")\b")


@pytest.mark.parametrize("res", [r for r in RESOURCES if r.get("coverage")], ids=lambda r: r["name"])
def test_stated_coverage_agrees_with_the_rows(res, tables):
    """Every count and the leading year range of the hand-written coverage line match the rows."""
    df, text = tables[res["name"]], res["coverage"]
    wrong = []
    for m in STATED.finditer(text):
        stated, noun = int(m.group(1).replace(",", "")), m.group(2)
        counted = COUNTED[noun](df)
        if stated != counted:
            wrong.append(f"{stated} {noun} stated, {counted} in the rows")
    years = re.match(r"(\d{4})–(\d{4})\b", text)
    if years and years.group(0) != catalogue.coverage(df)["period"]:
        wrong.append(f"{years.group(0)} stated, {catalogue.coverage(df)['period']} in the rows")
    assert not wrong, f"{res['name']}: coverage {text!r}: " + "; ".join(wrong)


def test_the_coverage_check_finds_counts_and_skips_subsets():
    found = [(m.group(1), m.group(2)) for m in STATED.finditer(
        "2017–2025; 26 series for 9 minerals (2017 only from the 12 minerals of the MCS2022 subset); 1,200 rows; "
        "the same 18 snapshot countries each way")]
    assert found == [("26", "series"), ("9", "minerals"), ("1,200", "rows"), ("18", "snapshot countries")]
