"""IEA Critical Minerals Data Explorer: mining and refining by country → data/refining.csv.

Two vintages: the IEA workbook of May 2024 (sheet '2 Total supply for key minerals', base year 2023)
and a third party's JSON extract of the May 2025 edition (base year 2024), flagged `secondary`.
Only the base-year column is kept; the 2030–2040 columns are projections.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd

from critmin.data import countries

from ._io import check_raw, write_csv

FOLDER = "iea-critical-minerals"
WORKBOOK = "CM_Data_Explorer_2024-05.xlsx"
SHEET = "2 Total supply for key minerals"
EXTRACT = "iea_data_explorer_2025-05_extract_by_third_party.json"
NAME = "refining"

EDITION_2024 = "CMDE2024"
EDITION_2025 = "CMDE2025"

# IEA block titles (workbook) and keys (extract) → mineral id.
MINERALS = {
    "copper": "copper",
    "cobalt": "cobalt",
    "lithium": "lithium",
    "nickel": "nickel",
    "graphite": "graphite",
    "magnet rare earth elements": "rare_earths",
    "rare earth elements": "rare_earths",
}
# Workbook block suffix → stage. 'Chemicals' (lithium) and 'Battery grade' (graphite) are the IEA's
# refining stage for those minerals.
STAGES = {
    "mining": "mining",
    "mining (natural)": "mining",
    "refining": "refining",
    "chemicals": "refining",
    "battery grade": "refining",
}
COLUMNS = ["mineral", "stage", "country", "iso3", "row_kind", "year", "value", "unit", "edition", "secondary"]
_BLOCK = re.compile(r"^(.+?) - (.+)$")


def _kind(name: str) -> str:
    # NOTE: the IEA labels its world row 'Total' (cobalt refining: 'Total clean technologies'); the
    # label differs but the row plays the same part, so both are the world total in this table.
    if name.lower().startswith("total"):
        return "world_total"
    return countries.row_kind(name)


def _fmt(v: float) -> str:
    # NOTE: four decimals (0.1 t when the unit is kt) drop the float noise of the IEA's computed
    # 'Rest of world' cells and of the extract without changing any published figure.
    s = f"{round(float(v), 4):.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _row(mineral: str, stage: str, name: str, year: int, value: float, edition: str, secondary: bool) -> dict:
    name = countries.clean_name(name)
    kind = _kind(name)
    iso3 = countries.to_iso3(name) if kind == "country" else None
    if kind == "country" and not (iso3 and re.fullmatch(r"[A-Z]{3}", iso3)):
        raise ValueError(f"IEA country name without an ISO 3166 code: {name!r}")
    return {
        "mineral": mineral,
        "stage": stage,
        "country": name,
        "iso3": iso3 or "",
        "row_kind": kind,
        "year": int(year),
        "value": _fmt(value),
        "unit": "kt",
        "edition": edition,
        "secondary": "true" if secondary else "false",
    }


def _lookup(table: dict[str, str], key: str, what: str) -> str:
    key = key.strip().lower()
    if key not in table:
        raise ValueError(f"unknown IEA {what}: {key!r}")
    return table[key]


def read_workbook(path: Path) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb[SHEET].iter_rows(values_only=True))
    wb.close()
    # The year header is the first row with a year in column B; each side (A–E mining, G–K refining)
    # starts its year columns right after the name column.
    header = next(r for r in rows if isinstance(r[1], int))
    sides = []
    for name_col in (0, 6):
        years = [(i, y) for i, y in enumerate(header) if i > name_col and isinstance(y, int)]
        base_col, base_year = min(years, key=lambda t: t[1])
        sides.append((name_col, base_col, base_year))
    out: list[dict] = []
    for name_col, base_col, base_year in sides:
        block = None
        for r in rows:
            label = r[name_col]
            if not isinstance(label, str):
                continue
            label = label.strip()
            if label.lower().startswith("top 3"):
                block = None
                continue
            m = _BLOCK.match(label)
            if block is None and m and r[base_col] is None:
                block = (_lookup(MINERALS, m.group(1), "mineral"), _lookup(STAGES, m.group(2), "stage"))
                continue
            if block is None:
                continue
            if r[base_col] is None:
                raise ValueError(f"{SHEET}: no base-year value for {label!r}")
            out.append(_row(*block, label, base_year, r[base_col], EDITION_2024, False))
    return out


def read_extract(path: Path) -> list[dict]:
    supply = json.loads(path.read_text(encoding="utf-8"))["supply"]
    out: list[dict] = []
    for mineral_key, stages in supply.items():
        mineral = _lookup(MINERALS, mineral_key, "mineral")
        for stage_key, block in stages.items():
            stage = _lookup(STAGES, stage_key, "stage")
            # Base year = earliest year in the block; later keys are projections.
            base = min(block["total"], key=int)
            for name, series in block["countries"].items():
                # The extract carries the workbook's footnote lines as pseudo-countries with no values.
                if all(v is None for v in series.values()):
                    continue
                if series.get(base) is None:
                    raise ValueError(f"{EXTRACT}: no {base} value for {mineral_key} {stage_key} {name!r}")
                out.append(_row(mineral, stage, name, int(base), series[base], EDITION_2025, True))
            out.append(_row(mineral, stage, "Total", int(base), block["total"][base], EDITION_2025, True))
    return out


def tidy(raw: Path) -> pd.DataFrame:
    rows = read_workbook(raw / FOLDER / WORKBOOK) + read_extract(raw / FOLDER / EXTRACT)
    df = pd.DataFrame(rows, columns=COLUMNS)
    key = ["mineral", "stage", "country", "year", "edition"]
    if df.duplicated(key).any():
        raise ValueError(f"duplicate IEA rows: {df[df.duplicated(key, keep=False)]}")
    return df.sort_values(["edition", "mineral", "stage", "row_kind", "country"]).reset_index(drop=True)


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw("iea", raw)
    df = tidy(raw)
    return [write_csv(df, out / f"{NAME}.csv")]
