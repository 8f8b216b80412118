"""What every curation step shares: the one table writer, the raw-file manifest check and the mineral registry.

- `write_csv` is the only way a step writes a table (UTF-8, Unix line ends, no index, numbers without
  thousands separators or trailing zeros).
- `check_raw` verifies, before a step reads anything, that each raw file it reads is listed in
  `data/raw_manifest.csv` with the same sha256; a changed or missing file stops the step with its path.
- `registry` reads the mineral registry from the data package (`data/minerals.csv`), which is edited by hand.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pandas as pd

from critmin import paths

MANIFEST = "raw_manifest.csv"
MANIFEST_COLUMNS = ["step", "path", "bytes", "sha256", "publisher", "intermediary", "accessed"]


class RawFileError(ValueError):
    """A raw file is missing, differs from the manifest, or cannot be read as the step expects."""


def fmt(v) -> str:
    """A cell as written: floats rounded to 6 decimals without trailing zeros, None as empty."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        r = round(v, 6)
        return str(int(r)) if r == int(r) else f"{r:.6f}".rstrip("0").rstrip(".")
    return str(v)


def write_csv(table: pd.DataFrame | list[list], path: Path, header: list[str] | None = None) -> Path:
    """Write a DataFrame, or rows under `header`, as the data package's CSV convention."""
    if not isinstance(table, pd.DataFrame):
        if header is None:
            raise ValueError(f"{path}: rows need a header")
        table = pd.DataFrame([[fmt(v) for v in r] for r in table], columns=header, dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(data_dir: Path | None = None) -> pd.DataFrame:
    path = (data_dir or paths.DATA) / MANIFEST
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(df.columns) != MANIFEST_COLUMNS:
        raise RawFileError(f"{path}, header: expected columns {MANIFEST_COLUMNS}, found {list(df.columns)}")
    return df


def check_raw(step: str, raw: Path, data_dir: Path | None = None) -> list[Path]:
    """The raw files `step` reads, each checked against the manifest. Raises RawFileError on any mismatch."""
    rows = manifest(data_dir)
    rows = rows[rows["step"] == step]
    if rows.empty:
        raise RawFileError(f"{MANIFEST}: no raw files listed for step {step!r}")
    out, bad = [], []
    for i, r in rows.iterrows():
        p = Path(raw) / r["path"]
        if not p.is_file():
            bad.append(f"{p}: missing (listed in {MANIFEST}, line {i + 2})")
            continue
        digest = sha256(p)
        if digest != r["sha256"]:
            bad.append(f"{p}: sha256 {digest} differs from {MANIFEST}, line {i + 2} ({r['sha256']})")
        out.append(p)
    if bad:
        raise RawFileError("raw files do not match the manifest:\n" + "\n".join(bad))
    return out


def listed(step: str, data_dir: Path | None = None) -> set[str]:
    """Manifest paths (relative to the raw folder) of one step."""
    rows = manifest(data_dir)
    return set(rows.loc[rows["step"] == step, "path"])


def require_listed(step: str, raw: Path, path: Path, data_dir: Path | None = None) -> Path:
    """Refuse to read a file the manifest does not list for the step."""
    rel = Path(path).relative_to(raw).as_posix()
    if rel not in listed(step, data_dir):
        raise RawFileError(f"{path}: read by step {step!r} but not listed in {MANIFEST}")
    return path


def registry(data_dir: Path | None = None) -> pd.DataFrame:
    """The mineral registry (data/minerals.csv), maintained by hand; curation reads it, never writes it."""
    path = (data_dir or paths.DATA) / "minerals.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    need = ["mineral", "label", "deal_mineral", "usgs_commodity", "description"]
    if list(df.columns) != need:
        raise RawFileError(f"{path}, header: expected {need}, found {list(df.columns)}")
    return df


def read_rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    """All rows of a CSV; a file that is not readable text or not CSV fails naming the file and line."""
    try:
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, strict=True)
            rows = []
            try:
                for r in reader:
                    rows.append(r)
            except csv.Error as e:
                raise RawFileError(f"{path}, line {reader.line_num}: malformed CSV ({e})") from None
    except UnicodeDecodeError as e:
        raise RawFileError(f"{path}: not {encoding} text (byte {e.start})") from None
    return rows
