"""State Bank of Pakistan: net FDI by source country and sector, and goods trade by partner.

Input: RAW/sbp-dashboard/ — SBP's published figures as compiled by the open Pakistan economy
dashboard (fdi_FY26_by_country_sector.json, fdi_monthly.csv, trade_top_partners_JulMay_FY26.json,
trade_monthly.csv). Values are US$ million, as SBP publishes them.

Output (data/): pakistan_fdi.csv, pakistan_fdi_sector.csv, pakistan_fdi_monthly.csv,
pakistan_trade.csv, pakistan_trade_monthly.csv.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path

from critmin.data import countries

from . import _io

FOLDER = "sbp-dashboard"
UNIT = "usd_million"
PROVISIONAL = "provisional"

# NOTE: SBP's own spellings. Dubai and Abu Dhabi are listed as separate partners in SBP's trade
# tables: they get the UAE code but row_kind 'part' so they are never mistaken for the whole country.
_SBP_NAMES = {
    "U. S. A.": ("USA", "country"),
    "U. K.": ("GBR", "country"),
    "U. A. E. Dubai": ("ARE", "part"),
    "U. A. E. Abudhabi": ("ARE", "part"),
    "U. A. E. Sharjah": ("ARE", "part"),
}
_ISO3 = re.compile(r"^[A-Z]{3}$")


def _country(name: str) -> tuple[str, str, str]:
    """(cleaned name, iso3, row_kind) for an SBP partner name."""
    name = countries.clean_name(name)
    if name in _SBP_NAMES:
        iso3, kind = _SBP_NAMES[name]
        return name, iso3, kind
    kind = countries.row_kind(name)
    if kind != "country":
        return name, "", kind
    iso3 = countries.to_iso3(name)
    # country_converter hands back the input unchanged for some unmatched strings; refuse those.
    if not iso3 or not _ISO3.match(iso3):
        raise ValueError(f"SBP partner name not recognised: {name!r}")
    return name, iso3, kind


def _num(x: float | int | str) -> str:
    """Stable text for a number: integers without a decimal point, others to at most 2 decimals."""
    v = round(float(x), 2)
    if v == 0:
        v = 0.0  # no '-0'
    return str(int(v)) if v.is_integer() else f"{v:.2f}".rstrip("0")


def _fy(label: str) -> int:
    """'FY2026', 'FY26', 'Jul-Jun FY26' → 2026 (the year in which Pakistan's July–June fiscal year ends)."""
    m = re.search(r"FY(\d{2,4})\b", label)
    if not m:
        raise ValueError(f"no fiscal year in {label!r}")
    y = int(m.group(1))
    return y if y > 100 else 2000 + y


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}


def _fytd_span(label: str) -> tuple[date, date]:
    """'Jul-May FY26' / 'Jul–May FY26 (P)' → (2025-07-01, 2026-05-31)."""
    m = re.match(r"^\s*Jul\s*[-–]\s*([A-Z][a-z]{2})\b", label)
    if not m:
        raise ValueError(f"unexpected fiscal-period label {label!r}")
    fy = _fy(label)
    end_month = _MONTHS[m.group(1)]
    end_year = fy - 1 if end_month >= 7 else fy
    return date(fy - 1, 7, 1), _month_end(end_year, end_month)


def _provisional_month(month: str, first_provisional_fy: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    fy = y + 1 if m >= 7 else y
    return PROVISIONAL if fy >= first_provisional_fy else ""


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    return _io.write_csv(rows, path, header)


def _fdi(src: dict, out: Path) -> tuple[list[Path], int]:
    cur_fy, prior_fy = _fy(src["countryPeriod"]), _fy(src["countryPriorPeriod"])
    period = "Jul-Jun"
    if not src["countryPeriod"].startswith("Jul-Jun") or not src["sectorPeriod"].startswith("Jul-Jun"):
        raise ValueError(f"expected full fiscal years, got {src['countryPeriod']!r} / {src['sectorPeriod']!r}")
    # SBP marks the current fiscal year as provisional; earlier years carry no mark.
    prov = {cur_fy: PROVISIONAL}

    rows = []
    for r in src["by_country"]:
        name, iso3, kind = _country(r["country"])
        for fy, key in ((cur_fy, "amount"), (prior_fy, "priorAmount")):
            rows.append([str(fy), period, name, iso3, kind, "net", _num(r[key]), UNIT, prov.get(fy, "")])

    # Totals: the fiscal-year-to-date block has 2 decimals; older years come from the annual series.
    totals = {}
    for block in ("current", "prior"):
        b = src["fytdComparison"][block]
        totals[_fy(b["label"])] = b
    for a in src["annual"]:
        fy = _fy(a["year"])
        totals.setdefault(fy, a)
        if a.get("status") == PROVISIONAL:
            prov[fy] = PROVISIONAL
    for fy, b in totals.items():
        for measure, key in (("net", "net_fdi"), ("inflow", "inflow"), ("outflow", "outflow")):
            rows.append([str(fy), period, "Total", "", "world_total", measure, _num(b[key]), UNIT, prov.get(fy, "")])
    rows.sort(key=lambda r: (int(r[0]), {"country": 0, "other": 1, "world_total": 2}[r[4]], r[2], r[5]))
    p1 = _write(out / "pakistan_fdi.csv",
                ["fiscal_year", "period", "country", "iso3", "row_kind", "measure", "value", "unit", "flag"], rows)

    srows = []
    for r in src["by_sector"]:
        kind = "other" if countries.row_kind(r["sector"]) == "other" else "sector"
        for fy, pre in ((cur_fy, ""), (prior_fy, "prior")):
            for measure, key in (("net", "Amount"), ("inflow", "Inflow"), ("outflow", "Outflow")):
                k = (pre + key) if pre else key.lower()
                if r.get(k) is None:  # SBP gives only the net figure for its residual sector
                    continue
                srows.append([str(fy), period, r["sector"], kind, measure, _num(r[k]), UNIT, prov.get(fy, "")])
    srows.sort(key=lambda r: (int(r[0]), r[3] == "other", r[2], r[4]))
    p2 = _write(out / "pakistan_fdi_sector.csv",
                ["fiscal_year", "period", "sector", "row_kind", "measure", "value", "unit", "flag"], srows)
    return [p1, p2], cur_fy


def _monthly(path: Path, measures: dict[str, str], first_provisional_fy: int) -> list[list[str]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            month = r["date"].strip()
            if not re.match(r"^\d{4}-\d{2}$", month):
                raise ValueError(f"{path.name}: bad month {month!r}")
            for measure, col in measures.items():
                if r[col].strip() == "":
                    continue
                rows.append([month, measure, _num(r[col]), UNIT, _provisional_month(month, first_provisional_fy)])
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _trade(src: dict, out: Path) -> Path:
    rows = []
    for table_key, flow in (("topExportCountries", "exports"), ("topImportCountries", "imports")):
        label = src["exportCountryPeriod" if flow == "exports" else "importCountryPeriod"]
        start, end = _fytd_span(label)
        flag = PROVISIONAL if "(P)" in label else ""
        for rank, r in enumerate(src[table_key], start=1):
            name, iso3, kind = _country(r["country"])
            rows.append(["top_partners", flow, name, iso3, kind, f"Jul-{end:%b} FY{_fy(label) % 100:02d}",
                         start.isoformat(), end.isoformat(), str(rank), _num(r["value"]), UNIT, flag])

    cm = src["countryMonthly"]
    cur_start, cur_end = _fytd_span(cm["fytdLabel"])
    pri_start, pri_end = _fytd_span(cm["fytdPriorLabel"])
    cur_fy = _fy(cm["fytdLabel"])
    periods = {
        "fytd": (f"Jul-{cur_end:%b} FY{cur_fy % 100:02d}", cur_start, cur_end),
        "fytdPrior": (f"Jul-{pri_end:%b} FY{_fy(cm['fytdPriorLabel']) % 100:02d}", pri_start, pri_end),
    }
    for key in ("latestMonth", "prevMonth", "yearAgoMonth"):
        y, m = (int(p) for p in cm[key].split("-"))
        periods[key.replace("Month", "")] = (cm[key], date(y, m, 1), _month_end(y, m))
    for r in cm["countries"]:
        name, iso3, kind = _country(r["country"])
        for flow in ("exports", "imports"):
            for key, (label, start, end) in periods.items():
                v = r[flow].get(key)
                if v is None:
                    continue
                fy = end.year + 1 if end.month >= 7 else end.year
                flag = PROVISIONAL if fy >= cur_fy else ""
                rows.append(["country_snapshot", flow, name, iso3, kind, label, start.isoformat(), end.isoformat(),
                             "", _num(v), UNIT, flag])
    rows.sort(key=lambda r: (r[0], r[1], r[6], r[7], int(r[8]) if r[8] else 0, r[2]))
    return _write(out / "pakistan_trade.csv",
                  ["table", "flow", "country", "iso3", "row_kind", "period", "period_start", "period_end",
                   "rank", "value", "unit", "flag"], rows)


def curate(raw: Path, out: Path) -> list[Path]:
    _io.check_raw("sbp", raw)
    folder = Path(raw) / FOLDER
    out = Path(out)
    fdi_src = json.loads((folder / "fdi_FY26_by_country_sector.json").read_text(encoding="utf-8"))
    trade_src = json.loads((folder / "trade_top_partners_JulMay_FY26.json").read_text(encoding="utf-8"))

    written, cur_fy = _fdi(fdi_src, out)
    # NOTE: months of the fiscal year SBP still marks provisional (and later) are flagged provisional;
    # the monthly CSVs are a later vintage than the JSON snapshot and win where they differ.
    written.append(_write(out / "pakistan_fdi_monthly.csv", ["month", "measure", "value", "unit", "flag"],
                          _monthly(folder / "fdi_monthly.csv",
                                   {"net": "net_fdi", "equity": "equity", "debt": "debt"}, cur_fy)))
    written.append(_trade(trade_src, out))
    written.append(_write(out / "pakistan_trade_monthly.csv", ["month", "flow", "value", "unit", "flag"],
                          _monthly(folder / "trade_monthly.csv",
                                   {"exports": "exports", "imports": "imports", "balance": "balance"}, cur_fy)))
    return written
