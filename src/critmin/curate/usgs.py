"""Curation step `usgs`: USGS Mineral Commodity Summaries 2022–2026 → world tables, US salient statistics, prices.

The work is split by table: `usgs_world` (production and reserves by country) and `usgs_salient` (US net import
reliance, import sources, salient statistics and prices); `_usgs` holds what they share. This module checks the
raw files against data/raw_manifest.csv, runs both and writes their tables and the revisions view:
production.csv, reserves.csv, import_reliance.csv, import_sources.csv, us_salient.csv, prices.csv, revisions.csv
and its rows of corrections.csv.
"""

from __future__ import annotations

from pathlib import Path

from . import _io, usgs_salient, usgs_world
from ._usgs import RANK, STEP, mcs2026, qualifier, write_corrections

# Raw folders this step reads (see data/raw_manifest.csv for every file and its sha256).
FOLDERS = ["usgs-mcs2022-subset", "usgs-mcs2023", "usgs-mcs2024", "usgs-mcs2025", "usgs-mcs2026"]

_SRC = "USGS Mineral Commodity Summaries {} data release"
CORRECTIONS = usgs_world.CORRECTIONS + [
    ("import_reliance", "MCS2024 fluorspar salient file/data rows", "alignment", "rows two cells longer than the header",
     "aligned on the last column", "the data rows have a stray blank cell after Year and one more value column "
     "than the header names, which shifts the values; read by position, 2019 net import reliance would be 292 "
     "(a price). The NIR value is the last cell of each row (100% in 2019, as in MCS2023 and MCS2025)",
     _SRC.format(2024)),
    ("import_reliance", "MCS2024 cobalt salient file", "file", "world production table", "(not used)",
     "the file named as cobalt salient statistics holds the world production table; MCS2024 cobalt net import "
     "reliance is therefore taken from no file (MCS2023 and MCS2025 cover the same years)", _SRC.format(2024)),
]

REVISIONS_HEAD = ["resource", "mineral", "series", "country", "year", "edition", "value", "qualifier", "unit",
                  "flag", "used"]


def raw_files(raw: Path) -> list[Path]:
    """Every raw file the step reads (the manifest lists exactly these)."""
    raw = Path(raw)
    files = [f for _, f in usgs_world.world_files(raw)] + [f for _, f in usgs_salient._salient_files(raw)]
    files += [raw / f"usgs-mcs{e}" / "trends" / f"MCS{e}_Fig2_Net_Import_Reliance.csv" for e in ("2023", "2024", "2025")]
    files.append(raw / "usgs-mcs2026" / "MCS2026_Commodities_Data.csv")
    return sorted(set(files))


def _revisions(prod_all, prod, res_all, res, nir_all, nir, price_all, price) -> list[list]:
    used = {id(o) for o in prod} | {id(o) for o in res} | {id(r) for r in nir} | {id(r) for r in price}
    rows = []
    for o in prod_all:
        rows.append(["production", o.mineral, o.stage, o.country, o.year, o.edition, o.value, qualifier(o.flag),
                     o.unit, o.flag, id(o) in used])
    # Reserves sit on several series rows of one table (copper: mine and refinery rows, the refinery one NA);
    # one figure per mineral, country and edition is kept, the one with a value.
    one: dict[tuple, object] = {}
    for o in res_all:
        k = (o.mineral, o.country, o.year, o.edition)
        if k not in one or (one[k].value is None and o.value is not None) or id(o) in used:
            one[k] = o
    for o in one.values():
        rows.append(["reserves", o.mineral, "reserves", o.country, o.year, o.edition, o.value, qualifier(o.flag),
                     o.unit, o.flag, id(o) in used])
    for r in nir_all:
        rows.append(["import_reliance", r["mineral"], "net_import_reliance", "United States", r["year"],
                     r["edition"], r["nir_pct"], qualifier(r["flag"]), "pct", r["flag"], id(r) in used])
    for r in price_all:
        rows.append(["prices", r["mineral"], r["series"], "United States", r["year"], r["edition"], r["value"],
                     r["qualifier"], r["unit"], r["flag"], id(r) in used])
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4], RANK[r[5]]))
    return rows


def curate(raw: Path, out: Path) -> list[Path]:
    raw, out = Path(raw), Path(out)
    _io.check_raw(STEP, raw)
    missing = {f.relative_to(raw).as_posix() for f in raw_files(raw)} - _io.listed(STEP)
    if missing:
        raise _io.RawFileError(f"files read by step {STEP!r} but not in {_io.MANIFEST}: {sorted(missing)}")
    rows2026 = mcs2026(raw)
    prod, res, prod_all, res_all = usgs_world.world(raw, rows2026)
    nir_all: list[dict] = []
    nir = usgs_salient.read_nir(raw, rows2026, nir_all)
    sources = usgs_salient.read_import_sources(raw, rows2026)
    us = usgs_salient.read_us_salient(raw, prod, nir, rows2026)
    price_all = usgs_salient.prices(raw, rows2026)
    price = usgs_salient.newest_prices(price_all)
    src_head = ["mineral", "edition", "period", "category", "rank", "country", "iso3", "share_pct", "qualifier"]
    us_head = ["mineral", "year", "measure", "value", "qualifier", "unit", "flag", "raw", "column", "edition"]
    return usgs_world.write(out, prod, res) + [
        _io.write_csv([[r["mineral"], r["year"], r["nir_pct"], qualifier(r["flag"]), r["flag"], r["raw"], r["basis"],
                        r["edition"]] for r in nir], out / "import_reliance.csv",
                      ["mineral", "year", "nir_pct", "qualifier", "flag", "raw", "basis", "edition"]),
        _io.write_csv([[r.get(k, "") if k != "qualifier" else r.get("qualifier", "") for k in src_head]
                       for r in sources], out / "import_sources.csv", src_head),
        _io.write_csv([[r["mineral"], r["year"], r["measure"], r["value"], qualifier(r["flag"]), r["unit"], r["flag"],
                        r["raw"], r["column"], r["edition"]] for r in us], out / "us_salient.csv", us_head),
        _io.write_csv([[r[k] for k in usgs_salient.PRICE_HEAD] for r in price], out / "prices.csv",
                      usgs_salient.PRICE_HEAD),
        _io.write_csv(_revisions(prod_all, prod, res_all, res, nir_all, nir, price_all, price),
                      out / "revisions.csv", REVISIONS_HEAD),
        write_corrections(out / "corrections.csv", CORRECTIONS),
    ]
