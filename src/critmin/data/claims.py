"""The claims and codebook tables as the chapters read them: validated against the data package's schema and
the codebook, with the rules that link columns (a sceptical claim needs a reason, a checkable one a metric).

The chapters accept a claims file of the reader's own (same columns and codes as data/claims.csv);
:func:`load_claims_param` turns any problem with it into one ParameterError line naming the file, line and column.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from critmin import paths
from critmin.data import package as datapackage
from critmin.data.loader import DataError, read_csv_lines, read_resource
from critmin.params import ParameterError

__all__ = ["check_claims_header", "load_claims", "load_claims_param", "load_codebook", "resolve_claims_file"]


def _codes(code_type: str, codebook: pd.DataFrame) -> list[str]:
    return codebook.loc[codebook["code_type"] == code_type, "code"].tolist()


def _split(themes: str) -> list[str]:
    return [t.strip() for t in str(themes).split(";")]


def load_codebook() -> pd.DataFrame:
    """The codebook (one row per code, in display order within each code type)."""
    return read_resource("claims_codebook")


def _raw_theme_errors(path: Path, allowed: list[str], where: str) -> list[str]:
    """Theme codes missing from the codebook, read from the raw text so the error can list the allowed codes
    even when the schema's own pattern check has already failed."""
    try:
        header, rows, lines = read_csv_lines(path, where)
    except DataError:  # the loader reports it
        return []
    if "themes" not in header:
        return []
    raw = pd.Series([r[header.index("themes")] for r in rows], dtype=object)
    errors = []
    for i, value in raw.items():
        if not value.strip():
            continue
        parts = _split(value)
        bad = [t for t in parts if t not in allowed]
        dup = sorted({t for t in parts if parts.count(t) > 1})
        if bad:
            errors.append(f"{where}, line {lines[i]}, column 'themes': unknown theme code(s) {bad}; "
                          f"allowed (separated by ';'): {', '.join(allowed)}")
        elif dup:
            errors.append(f"{where}, line {lines[i]}, column 'themes': theme code(s) {dup} repeated")
    return errors


def _rule_errors(df: pd.DataFrame, codebook: pd.DataFrame, where: str) -> list[str]:
    """Rules that link columns, which a per-column schema cannot express."""
    errors = []
    metrics = set(_codes("metric", codebook))
    file_lines = df.attrs.get("lines")  # each row's line in the file, from the loader
    for i, r in df.iterrows():
        line = f"{where}, line {file_lines[i] if file_lines is not None else i + 2}"
        sceptical = r["stance"] == "sceptical"
        if sceptical and pd.isna(r["stance_reason"]):
            errors.append(f"{line}, column 'stance_reason': required when stance is 'sceptical' "
                          f"(one of {_codes('stance_reason', codebook)})")
        if not sceptical and pd.notna(r["stance_reason"]):
            errors.append(f"{line}, column 'stance_reason': must be empty when stance is {r['stance']!r}")
        if r["checkable"] and pd.isna(r["metric"]):
            errors.append(f"{line}, column 'metric': required when checkable is true "
                          f"(one of {sorted(metrics)})")
        if not r["checkable"] and pd.notna(r["metric"]):
            errors.append(f"{line}, column 'metric': must be empty when checkable is false")
        if pd.notna(r["metric"]) and r["metric"] not in metrics:
            errors.append(f"{line}, column 'metric': {r['metric']!r} is not a metric in the codebook "
                          f"(one of {sorted(metrics)})")
        d, prec = r["date"], r["date_precision"]
        if (prec == "month" and d.day != 1) or (prec == "year" and (d.day, d.month) != (1, 1)):
            first = "first of the month" if prec == "month" else "1 January"
            errors.append(f"{line}, column 'date': {d:%Y-%m-%d} should be the {first} when date_precision is {prec!r}")
    return errors


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """The claims table, validated. With `path`, validate a claims file of your own against the same schema and
    codebook. Raises DataError naming the file, line and column of every problem found."""
    codebook = load_codebook()
    themes = _codes("theme", codebook)
    if path is None:
        res = datapackage.resource("claims", paths.data_dir())
        file = paths.data_dir() / res["path"]
        where = res["path"]
    else:
        file = Path(path)
        where = str(file)
    theme_errors = _raw_theme_errors(file, themes, where)
    try:
        df = read_resource("claims", path=None if path is None else file)
    except DataError as e:
        if not theme_errors:
            raise
        # The schema's pattern message for 'themes' is replaced by the more useful one listing allowed codes.
        other = [line for line in str(e).splitlines() if "column 'themes'" not in line]
        raise DataError("\n".join(other + theme_errors)) from None
    errors = theme_errors + _rule_errors(df, codebook, where)
    if errors:
        more = f"\n... {len(errors) - 12} more" if len(errors) > 12 else ""
        raise DataError("\n".join(errors[:12]) + more)
    return df


def resolve_claims_file(claims_file: str | Path | None) -> Path | None:
    """The path a page's `claims_file` parameter points to: None for the package's own claims ('' or None);
    a relative path is taken from the repository root (pages run with the notebooks folder as working
    directory, so the root is the one place a reader can count from)."""
    if claims_file is None or not str(claims_file).strip():
        return None
    path = Path(str(claims_file).strip()).expanduser()
    if not path.is_absolute():
        path = paths.ROOT / path
    if not path.is_file():
        raise ParameterError(f"claims_file={str(claims_file)!r}: no such file (give a path to a CSV with the "
                             f"columns of data/claims.csv, absolute or relative to the repository root)")
    return path


def check_claims_header(path: Path, shown: str) -> None:
    """Refuse a file that is not a CSV with the header of data/claims.csv, without showing any of its content
    (the parameter may point at any file the reader can open)."""
    expected = [f["name"] for f in datapackage.resource("claims", paths.data_dir())["schema"]["fields"]]
    hint = f"expected a CSV file whose first line is the header of data/claims.csv: {','.join(expected)}"
    if path.suffix.lower() != ".csv":
        raise ParameterError(f"claims_file={shown!r}: not a CSV file (the name must end in .csv); {hint}")
    try:
        with open(path, "rb") as fh:
            first = fh.read(1 << 16).split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
    except OSError as e:
        raise ParameterError(f"claims_file={shown!r}: cannot be read ({e.strerror or type(e).__name__})") from None
    try:
        header = next(csv.reader([first.decode("utf-8")]), None)
    except (UnicodeDecodeError, csv.Error):
        header = None
    if header != expected:
        raise ParameterError(f"claims_file={shown!r}: the first line is not the claims header; {hint}")


def load_claims_param(claims_file: str | Path | None = "") -> pd.DataFrame:
    """load_claims for a page parameter: every problem in the file becomes one ParameterError line
    ('; '-separated) naming the file, line and column, so the command line shows it in one line."""
    path = resolve_claims_file(claims_file)
    if path is not None:
        check_claims_header(path, str(claims_file).strip())
    try:
        return load_claims(path)
    except DataError as e:
        problems = [line for line in str(e).splitlines() if line.strip()]
        raise ParameterError("claims_file: " + "; ".join(problems)) from None
