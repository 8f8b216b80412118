"""Shared by the USGS curation modules: editions, the registry, value parsing, country names and the MCS2026 file.

USGS Mineral Commodity Summaries (MCS) data releases 2022–2026. The raw layout is one folder per edition (see
data/README.md); every file read here is listed with its sha256 in data/raw_manifest.csv.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from critmin.data import countries

from . import _io

STEP = "usgs"
EDITIONS = ["MCS2022", "MCS2023", "MCS2024", "MCS2025", "MCS2026"]
RANK = {e: i for i, e in enumerate(EDITIONS)}
MCS2026_FILE = "usgs-mcs2026/MCS2026_Commodities_Data.csv"
MCS2026_ENCODING = "cp1252"  # as published by USGS


def mineral_ids() -> list[str]:
    return list(_io.registry()["mineral"])


# ---------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------

_NUM = re.compile(r"^-?\d+(\.\d+)?$")
# NOTE: publisher's words that stand for a missing figure; each becomes not_available with the string kept in
# `raw` where the table has that column. Anything else that is not a number is an error.
_NA_WORDS = re.compile(r"^(NA|XX|Large|Small|Very small|Moderate|Moderate to large|Variable\b.*|Included with .*|"
                       r"\( *\)|n\.a\.|na)$", re.I)
QUALIFIER = {"censored_gt": ">", "censored_lt": "<"}


class ValueParseError(ValueError):
    pass


def parse_value(raw: str) -> tuple[float | None, str] | None:
    """A publisher's cell as (value, flag); None for an empty cell.

    '>50' → (50, censored_gt); '<1' and 'Less than ½ unit.' / 's' → (bound, censored_lt); 'W' → (None, withheld);
    'E' → (None, net_exporter); dashes → (0, zero); NA, XX and descriptive words → (None, not_available).
    Raises ValueParseError for any other text.
    """
    s = " ".join(str(raw).replace("\u00a0", " ").split())
    if s == "":
        return None
    s = s.replace(",", "").rstrip("%").strip()
    est = False
    if re.fullmatch(r"-?\d+(\.\d+)?\s*e", s):
        s, est = s[:-1].strip(), True
    elif re.fullmatch(r"e\s*\d+(\.\d+)?", s):  # MCS2023/2024 sometimes put the estimate marker first
        s, est = s[1:].strip(), True
    if _NUM.match(s):
        return float(s), ("estimated" if est else "")
    m = re.fullmatch(r"([<>])\s*(\d+(\.\d+)?)", s)
    if m:
        return float(m.group(2)), "censored_gt" if m.group(1) == ">" else "censored_lt"
    if s in ("—", "–", "--", "-", "---"):
        return 0.0, "zero"
    # NOTE: 's' is MCS2026's code for "less than ½ unit" (its notes say so); read like MCS2025's words.
    if re.match(r"less than (½|1/2) unit", s, re.I) or s == "s":
        return 0.5, "censored_lt"
    if s == "W":
        return None, "withheld"
    if s == "E":
        return None, "net_exporter"
    if _NA_WORDS.match(s) or not re.search(r"\d", s):
        return None, "not_available"
    raise ValueParseError(f"not a number or a known USGS code: {raw!r}")


def parse_at(raw: str, where: str) -> tuple[float | None, str] | None:
    try:
        return parse_value(raw)
    except ValueParseError as e:
        raise _io.RawFileError(f"{where}: {e}") from None


def qualifier(flag: str) -> str:
    return QUALIFIER.get(flag, "")


def clean(s: str) -> str:
    return " ".join(str(s).replace("\u00a0", " ").split())


def read_csv(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every non-empty row, trailing empty cells dropped."""
    out = []
    for i, r in enumerate(_io.read_rows(path), start=1):
        while r and not r[-1].strip():
            r = r[:-1]
        if any(c.strip() for c in r):
            out.append((i, r))
    return out


def dicts(path: Path) -> list[dict[str, str]]:
    rows = read_csv(path)
    head = [clean(h) for h in rows[0][1]]
    return [{**{h: (r[i] if i < len(r) else "") for i, h in enumerate(head) if h}, "_line": n} for n, r in rows[1:]]


# ---------------------------------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------------------------------

# NOTE: one spelling per country across editions (the country is part of the primary key). Qualifiers that
# describe the series rather than the country are dropped ("Kazakhstan, concentrate" in the manganese table).
_NAME_FIX = {
    "New Caledonia (overseas territory of France)": "New Caledonia",
    "Russia (recoverable)": "Russia",
    "Kazakhstan, concentrate": "Kazakhstan",
    "Ukraine, concentrate": "Ukraine",
    "Other": "Other countries",
    "Other Countries": "Other countries",
}
# MCS2024 glued the estimate marker "e" to some country names (gallium, PGMs).
_ESTIMATE_SUFFIX = {"Russiae": "Russia", "Japane": "Japan", "Korea, Republic ofe": "Korea, Republic of"}
WORLD_TOTAL = "World total (rounded)"


def country(name: str) -> tuple[str, str, str, bool]:
    """(name, iso3, row_kind, estimated-marker) for a publisher's country cell."""
    name = countries.clean_name(name)
    est = name in _ESTIMATE_SUFFIX
    name = _ESTIMATE_SUFFIX.get(name, name)
    name = _NAME_FIX.get(name, name)
    kind = countries.row_kind(name)
    if kind == "world_total":
        # NOTE: world-total labels vary ("World total (ilmenite, rounded)", "..., excluding U.S. production");
        # one label keeps the key stable across editions; the exclusions are listed in the metadata caveats.
        name = WORLD_TOTAL
    iso = countries.to_iso3(name) if kind == "country" else None
    return name, iso or "", kind, est


# ---------------------------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------------------------

TO_BASE = {"kg": ("t", 1e-3), "t": ("t", 1.0), "kt": ("t", 1e3), "Mt": ("t", 1e6)}
UNIT_WORDS = {"metric tons": "t", "thousand metric tons": "kt", "thousand metric dry tons": "kt",
              "kilograms": "kg", "million metric tons": "Mt", "": ""}


def convert(value: float | None, unit: str, target: str) -> float | None:
    if value is None or unit == target:
        return value
    (b1, f1), (b2, f2) = TO_BASE[unit], TO_BASE[target]
    if b1 != b2:
        raise ValueError(f"cannot convert {unit} to {target}")
    return value * f1 / f2


@dataclass
class Obs:
    mineral: str
    stage: str
    product: str
    country: str
    iso3: str
    row_kind: str
    year: int
    value: float | None
    unit: str
    flag: str
    edition: str
    origin: str
    where: str = ""  # file and line, for error messages


def check_tonnage(o: Obs) -> None:
    """A negative tonnage or an unknown unit is refused, naming the file and line."""
    if o.value is not None and o.value < 0:
        raise _io.RawFileError(f"{o.where}: negative quantity {o.value} for {o.mineral} {o.country} {o.year}")
    if o.unit not in TO_BASE:
        raise _io.RawFileError(f"{o.where}: unit {o.unit!r} is not one of {sorted(TO_BASE)} ({o.mineral})")


# ---------------------------------------------------------------------------------------------------------------
# The MCS2026 combined file (official data release, long format)
# ---------------------------------------------------------------------------------------------------------------

MCS2026_COLUMNS = ["MCS chapter", "Section", "Commodity", "Country", "Statistics", "Statistics_detail", "Unit",
                   "Year", "Value", "Notes", "Is critical mineral 2025", "Other notes"]


def mcs2026(raw: Path) -> list[dict[str, str]]:
    """Every row of the MCS2026 combined CSV as a dict (whitespace-normalised), with `_where` = file and line."""
    path = Path(raw) / MCS2026_FILE
    _io.require_listed(STEP, Path(raw), path)
    rows = _io.read_rows(path, encoding=MCS2026_ENCODING)
    head = [clean(h) for h in rows[0]]
    if head != MCS2026_COLUMNS:
        raise _io.RawFileError(f"{path}, line 1: expected columns {MCS2026_COLUMNS}, found {head}")
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(head):
            raise _io.RawFileError(f"{path}, line {n}: {len(r)} cells, the header has {len(head)}")
        d = {h: clean(v) for h, v in zip(head, r)}
        d["_where"] = f"{path}, line {n}"
        out.append(d)
    return out


def mcs2026_estimated(d: dict[str, str]) -> bool:
    """MCS2026 marks estimates in its Notes ('Estimated.' as a sentence of its own)."""
    return bool(re.search(r"(^|-- )Estimated\s*\.", d["Notes"]))


def column_where(path: Path, line: int, column: str) -> str:
    return f"{path}, line {line}, column {column!r}"


def year_of(d: dict[str, str]) -> int:
    y = d["Year"]
    if not re.fullmatch(r"\d{4}", y):
        raise _io.RawFileError(f"{d['_where']}, column 'Year': {y!r} is not a year")
    return int(y)


def write_corrections(path: Path, mine: list[tuple]) -> Path:
    """corrections.csv is shared: rows from other curation steps are kept, this step's rows are replaced."""
    head = ["resource", "key", "field", "original", "corrected", "reason", "source"]
    others = []
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            others = [r for r in list(csv.reader(fh))[1:]
                      if r and not r[-1].startswith("USGS Mineral Commodity Summaries")]
    rows = sorted([list(c) for c in mine] + others, key=lambda r: (r[0], r[1], r[2]))
    return _io.write_csv(rows, path, head)
