"""Loading the data package: one loader per dataset, each validated against its Table Schema with pandera."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from critmin import paths
from critmin.data import cache
from critmin.data import package as datapackage
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


def _parse(df: pd.DataFrame, fields: list[dict], where: str, lines=None) -> tuple[pd.DataFrame, list[str]]:
    """Turn the text columns into typed ones. Anything that does not parse is an error, never NaN.
    `lines` gives each row's line in the file (default: the row after the header, no blank lines)."""
    errors: list[str] = []
    line = (lambda i: int(lines[i])) if lines is not None else (lambda i: i + 2)
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
            errors += [f"{where}, line {line(i)}, column {name!r}: {raw[i]!r} is not an integer" for i in raw.index[bad]]
        elif kind == "number":
            num = pd.to_numeric(raw.where(~empty), errors="coerce")
            bad = ~empty & num.isna()
            col = num.astype("Float64")
            errors += [f"{where}, line {line(i)}, column {name!r}: {raw[i]!r} is not a number" for i in raw.index[bad]]
        elif kind == "boolean":
            low = raw.str.strip().str.lower()
            bad = ~empty & ~low.isin(["true", "false"])
            col = low.map({"true": True, "false": False}).astype("boolean")
            errors += [f"{where}, line {line(i)}, column {name!r}: {raw[i]!r} is not true/false" for i in raw.index[bad]]
        elif kind == "date":
            dt = pd.to_datetime(raw.where(~empty), format="%Y-%m-%d", errors="coerce")
            bad = ~empty & dt.isna()
            col = dt
            errors += [f"{where}, line {line(i)}, column {name!r}: {raw[i]!r} is not a date (YYYY-MM-DD)" for i in raw.index[bad]]
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


def _format_schema_errors(err: SchemaErrors, where: str, limit: int = 12, line_of=None) -> list[str]:
    lines = []
    for _, fc in err.failure_cases.iterrows():
        idx = fc.get("index")
        n = (int(line_of[int(idx)]) if line_of is not None else int(idx) + 2) if pd.notna(idx) else None
        line = f"line {n}" if n is not None else "header"
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


def _where(res: dict, base: Path, path: Path) -> str:
    return f"{res['path'] if path == base / res['path'] else path}"


def _decode(raw: bytes, where: str) -> str:
    """The file's text; a byte that is not UTF-8 (or a NUL, which no text table holds) is named by line and column."""
    def at(offset: int) -> str:
        line = raw.count(b"\n", 0, offset) + 1
        column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
        return f"line {line}, column {column}"

    nul = raw.find(b"\0")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if 0 <= nul < e.start:
            raise DataError(f"{where}, {at(nul)}: NUL byte; the file is not a text table") from None
        raise DataError(f"{where}, {at(e.start)} (byte {e.start + 1}): byte 0x{raw[e.start]:02x} is not UTF-8; "
                        "save the file as UTF-8") from None
    if nul >= 0:
        raise DataError(f"{where}, {at(nul)}: NUL byte; the file is not a text table")
    return text.removeprefix("\ufeff")


def read_csv_lines(path: Path, where: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and each row's line number in the file (blank lines skipped but counted, quoted
    line breaks counted), or DataError naming the file and line."""
    import csv
    import io

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{where}: cannot be read ({e.strerror or type(e).__name__})") from None
    text = _decode(raw, where)
    if not text.strip():
        raise DataError(f"{where}: the file is empty; expected a header line and data rows")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, rows, lines = None, [], []
    last = 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip() and header is not None and len(header) > 1):
                continue  # a blank line
            if header is None:
                header = row
                header_line = start
                continue
            if len(row) != len(header):
                raise DataError(f"{where}, line {start}: {len(row)} field(s), the header (line {header_line}) "
                                f"has {len(header)}")
            rows.append(row)
            lines.append(start)
    except csv.Error as e:
        raise DataError(f"{where}, line {reader.line_num}: not a readable CSV row ({e})") from None
    if header is None:
        raise DataError(f"{where}: the file is empty; expected a header line and data rows")
    return header, rows, lines


def _duplicate_keys(typed: pd.DataFrame, pk: list[str], where: str, line_of) -> list[str]:
    """One line per row that repeats an earlier row's primary key, naming both lines."""
    if not pk or typed.empty:
        return []
    keys = typed[pk].astype("object").where(typed[pk].notna(), None)
    dup = keys.duplicated(keep=False)
    if not dup.any():
        return []
    first: dict[tuple, int] = {}
    out = []
    for i, key in zip(keys.index[dup], map(tuple, keys[dup].itertuples(index=False))):
        if key not in first:
            first[key] = i
            continue
        shown = ", ".join(f"{c}={v!r}" for c, v in zip(pk, key))
        out.append(f"{where}, line {line_of[i]}, column {pk[0]!r}: duplicate primary key ({shown}) "
                   f"of line {line_of[first[key]]}")
    return out


def read_resource(name: str, data_dir: Path | None = None, path: Path | None = None,
                  record: bool = True) -> pd.DataFrame:
    """Read, parse and validate one resource of the data package. Raises DataError naming file, line and column."""
    base = data_dir or paths.data_dir()
    res = datapackage.resource(name, base)
    path = path or base / res["path"]
    where = _where(res, base, path)
    if not path.exists():
        raise DataError(f"{where}: file missing (dataset {name!r})")
    cached = cache.get(name, res, path)  # only ever a table that passed the checks below
    if cached is not None:
        if record:
            _record_read(name, path)
        return cached
    header, rows, line_of = read_csv_lines(path, where)
    fields = res["schema"]["fields"]
    expected = [f["name"] for f in fields]
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        parts = []
        if missing:
            parts.append(f"missing column(s) {missing}")
        if extra:
            parts.append(f"unexpected column(s) {extra}")
        if not parts:
            parts.append(f"columns out of order; expected {expected}")
        raise DataError(f"{where}, header: " + "; ".join(parts))
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in header})
    typed, errors = _parse(df, fields, where, line_of)
    if errors:
        more = f"\n... {len(errors) - 12} more" if len(errors) > 12 else ""
        raise DataError("\n".join(errors[:12]) + more)
    pk = res["schema"].get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    dups = _duplicate_keys(typed, pk, where, line_of)
    if dups:  # reported here, one line per repeated row, rather than once per key column by pandera
        more = f"\n... {len(dups) - 12} more" if len(dups) > 12 else ""
        raise DataError("\n".join(dups[:12]) + more)
    try:
        typed = schema_for(res).validate(typed, lazy=True)
    except SchemaErrors as e:
        raise DataError("\n".join(_format_schema_errors(e, where, line_of=line_of))) from None
    typed.attrs["lines"] = Lines(line_of)  # each row's line in the file, for checks made after loading
    cache.put(name, res, path, typed)
    if record:
        _record_read(name, path)
    return typed


class Lines(tuple):
    """Each row's line in its file. pandas deep-copies a frame's ``attrs`` on every operation that makes a new
    frame; these numbers never change, so a copy is the same object (a list here cost about a second per
    scenario run)."""

    def __deepcopy__(self, memo):
        return self


def check_package(data_dir: Path | None = None) -> list[str]:
    """Every resource of the data package read and validated: the problems found, one per line, each naming the
    file (and line and column where there is one). A table with a header and no rows is a problem too: every
    resource of the package is there because the book uses it."""
    base = data_dir or paths.data_dir()
    try:
        names = datapackage.resource_names(base)
    except DataError as e:
        return str(e).splitlines()
    problems = []
    for name in names:
        try:
            df = read_resource(name, base, record=False)
        except (DataError, KeyError) as e:
            problems += str(e).strip("\"'").splitlines()
            continue
        if df.empty:
            problems.append(f"{datapackage.resource(name, base)['path']}: no data rows, only the header; "
                            f"the book needs dataset {name!r}")
    return problems


def load(name: str) -> pd.DataFrame:
    """Any dataset of the package by name (see `datapackage.resource_names()`)."""
    return read_resource(name)


class Tables(dict):
    """Data-package tables by name, each loaded (and validated) on first use: a mapping to pass to analysis
    functions that read several tables, so that they never load data themselves. Tests pass a plain dict."""

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or name in datapackage.resource_names()

    def __missing__(self, name: str) -> pd.DataFrame:
        self[name] = load(name)
        return self[name]
