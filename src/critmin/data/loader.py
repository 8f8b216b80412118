"""Loading the data package: one loader per dataset, each validated against its Table Schema with pandera."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from critmin.data import cache
from critmin.data import package as datapackage
from critmin import paths
from critmin.render import deps


class DataError(ValueError):
    """A data file does not match its schema. The message names the file, the row and the column."""


# Datasets read in this process, in order; the book's pages list their sources from it, and the
# build records which data files each page depends on (CRITMIN_READS_LOG).
READ: list[str] = []

_PANDERA_DTYPES = {
    "string": "string",
    "integer": "Int64",
    "year": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
}


def _record_read(name: str, path: Path) -> None:
    if name not in READ:
        READ.append(name)
    deps.record([path])


def _parse(df: pd.DataFrame, fields: list[dict], where: str) -> tuple[pd.DataFrame, list[str]]:
    """Turn the text columns into typed ones. Anything that does not parse is an error, never NaN."""
    errors: list[str] = []
    out = {}
    for f in fields:
        name, kind = f["name"], f.get("type", "string")
        raw = df[name]
        empty = raw.str.strip() == ""
        if kind == "string":
            col = raw.where(~empty, pd.NA).astype("string")
        elif kind in ("integer", "year"):
            num = pd.to_numeric(raw.where(~empty), errors="coerce")
            bad = (~empty & (num.isna() | (num % 1 != 0)))
            col = num.astype("Float64").round().astype("Int64") if not bad.any() else None
            errors += [f"{where}, line {i + 2}, column {name!r}: {raw[i]!r} is not an integer" for i in raw.index[bad]]
        elif kind == "number":
            num = pd.to_numeric(raw.where(~empty), errors="coerce")
            bad = ~empty & num.isna()
            col = num.astype("Float64")
            errors += [f"{where}, line {i + 2}, column {name!r}: {raw[i]!r} is not a number" for i in raw.index[bad]]
        elif kind == "boolean":
            low = raw.str.strip().str.lower()
            bad = ~empty & ~low.isin(["true", "false"])
            col = low.map({"true": True, "false": False}).astype("boolean")
            errors += [f"{where}, line {i + 2}, column {name!r}: {raw[i]!r} is not true/false" for i in raw.index[bad]]
        elif kind == "date":
            dt = pd.to_datetime(raw.where(~empty), format="%Y-%m-%d", errors="coerce")
            bad = ~empty & dt.isna()
            col = dt
            errors += [f"{where}, line {i + 2}, column {name!r}: {raw[i]!r} is not a date (YYYY-MM-DD)" for i in raw.index[bad]]
        else:
            raise DataError(f"{where}: field {name!r} has unsupported type {kind!r}")
        out[name] = col
    if errors:
        return df, errors
    return pd.DataFrame(out, index=df.index), errors


def schema_for(resource: dict) -> pa.DataFrameSchema:
    """A pandera schema from a Frictionless Table Schema (types, required, enum, minimum/maximum, pattern, keys)."""
    fields = resource["schema"]["fields"]
    cols = {}
    for f in fields:
        c = f.get("constraints", {})
        checks = []
        if "enum" in c:
            checks.append(pa.Check.isin(c["enum"], error=f"one of {c['enum']}"))
        if "minimum" in c:
            checks.append(pa.Check.ge(c["minimum"]))
        if "maximum" in c:
            checks.append(pa.Check.le(c["maximum"]))
        if "pattern" in c:
            checks.append(pa.Check.str_matches(f"^(?:{c['pattern']})$"))
        cols[f["name"]] = pa.Column(
            _PANDERA_DTYPES[f.get("type", "string")],
            checks=checks,
            nullable=not c.get("required", False),
            unique=bool(c.get("unique", False)),
        )
    pk = resource["schema"].get("primaryKey")
    if isinstance(pk, str):
        pk = [pk]
    return pa.DataFrameSchema(cols, strict=True, ordered=True, unique=pk or None, name=resource["name"])


def _format_schema_errors(err: SchemaErrors, where: str, limit: int = 12) -> list[str]:
    lines = []
    for _, fc in err.failure_cases.iterrows():
        idx = fc.get("index")
        line = f"line {int(idx) + 2}" if pd.notna(idx) else "header"
        col = fc.get("column")
        col = f"column {col!r}" if isinstance(col, str) and col else "row"
        check = str(fc.get("check"))
        if "multiple_fields_uniqueness" in check:
            check = "duplicate primary key"
        elif "field_uniqueness" in check or check == "unique":
            check = "duplicate value in a unique column"
        elif check == "not_nullable":
            check = "required value is missing"
        elif check.startswith("greater_than_or_equal_to"):
            check = "below the minimum " + check.split("(")[-1].rstrip(")")
        elif check.startswith("less_than_or_equal_to"):
            check = "above the maximum " + check.split("(")[-1].rstrip(")")
        elif check.startswith("str_matches"):
            check = "does not match the pattern " + check.split("(", 1)[-1].rstrip(")")
        lines.append(f"{where}, {line}, {col}: {check} (value {fc.get('failure_case')!r})")
        if len(lines) >= limit:
            lines.append(f"... {len(err.failure_cases) - limit} more")
            break
    return lines


def read_resource(name: str, data_dir: Path | None = None, path: Path | None = None) -> pd.DataFrame:
    """Read, parse and validate one resource of the data package. Raises DataError naming file, line and column."""
    base = data_dir or paths.data_dir()
    res = datapackage.resource(name, base)
    path = path or base / res["path"]
    where = f"{res['path'] if path == base / res['path'] else path}"
    if not path.exists():
        raise DataError(f"{where}: file missing (dataset {name!r})")
    cached = cache.get(name, res, path)  # only ever a table that passed the checks below
    if cached is not None:
        _record_read(name, path)
        return cached
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        raise DataError(f"{where}: not a readable CSV ({e})") from None
    fields = res["schema"]["fields"]
    expected = [f["name"] for f in fields]
    if list(df.columns) != expected:
        missing = [c for c in expected if c not in df.columns]
        extra = [c for c in df.columns if c not in expected]
        parts = []
        if missing:
            parts.append(f"missing column(s) {missing}")
        if extra:
            parts.append(f"unexpected column(s) {extra}")
        if not parts:
            parts.append(f"columns out of order; expected {expected}")
        raise DataError(f"{where}, header: " + "; ".join(parts))
    typed, errors = _parse(df, fields, where)
    if errors:
        more = f"\n... {len(errors) - 12} more" if len(errors) > 12 else ""
        raise DataError("\n".join(errors[:12]) + more)
    try:
        typed = schema_for(res).validate(typed, lazy=True)
    except SchemaErrors as e:
        raise DataError("\n".join(_format_schema_errors(e, where))) from None
    cache.put(name, res, path, typed)
    _record_read(name, path)
    return typed


def load(name: str) -> pd.DataFrame:
    """Any dataset of the package by name (see `datapackage.resource_names()`)."""
    return read_resource(name)
