"""The loaders refuse broken data: for every resource of the package, a deliberately broken copy of its CSV
(missing column, wrong type, duplicate key, value below its minimum, unknown code) raises DataError naming
the file, the line and the column."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from critmin import data
from critmin.data import package as datapackage
from critmin import paths

RESOURCES = [datapackage.resource(n) for n in datapackage.resource_names()]
BAD_VALUE = {"integer": "1.5", "year": "two thousand", "number": "12,3x", "boolean": "yes",
             "date": "2025-13-45"}


def _rows(res: dict) -> list[list[str]]:
    with open(paths.data_dir() / res["path"], encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _copy(tmp: Path, res: dict, rows: list[list[str]]) -> Path:
    """A data folder holding the package metadata and one (broken) CSV."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.data_dir() / "datapackage.json", tmp / "datapackage.json")
    with open(tmp / res["path"], "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return tmp


def _error(tmp: Path, res: dict) -> str:
    with pytest.raises(data.DataError) as err:
        data.read_resource(res["name"], data_dir=tmp)
    return str(err.value)


def _pk(res: dict) -> list[str]:
    pk = res["schema"].get("primaryKey") or []
    return [pk] if isinstance(pk, str) else list(pk)


def _cases(kind: str):
    """(resource, field) pairs a breakage applies to; every resource gets each breakage that makes sense."""
    out = []
    for res in RESOURCES:
        fields = res["schema"]["fields"]
        if kind == "missing":
            picked = [f for f in fields if f.get("constraints", {}).get("required")][:1] or fields[:1]
        elif kind == "type":
            picked = [f for f in fields if f.get("type", "string") in BAD_VALUE][:1]
        elif kind == "minimum":
            picked = [f for f in fields if "minimum" in f.get("constraints", {})][:1]
        elif kind == "enum":
            picked = [f for f in fields if "enum" in f.get("constraints", {})][:1]
        elif kind == "required":
            picked = [f for f in fields if f.get("constraints", {}).get("required")][-1:]
        else:
            raise ValueError(kind)
        out += [pytest.param(res, f["name"], id=f"{res['name']}-{f['name']}") for f in picked]
    return out


def _target_row(rows: list[list[str]]) -> int:
    """A data row in the middle of the file (0-based among data rows), so the line number is not trivially 2."""
    return (len(rows) - 1) // 2


def test_every_resource_loads_unbroken(tmp_path):
    # Control: the copies below fail because of the breakage, not because copying changed the file.
    for res in RESOURCES:
        folder = _copy(tmp_path / res["name"], res, _rows(res))
        assert len(data.read_resource(res["name"], data_dir=folder)) == len(_rows(res)) - 1


@pytest.mark.parametrize("res, column", _cases("missing"))
def test_missing_column(res, column, tmp_path):
    rows = _rows(res)
    i = rows[0].index(column)
    msg = _error(_copy(tmp_path, res, [r[:i] + r[i + 1:] for r in rows]), res)
    assert res["path"] in msg and "header" in msg and "missing column" in msg and repr(column) in msg


@pytest.mark.parametrize("res, column", _cases("type"))
def test_wrong_type(res, column, tmp_path):
    rows = _rows(res)
    j, i = rows[0].index(column), _target_row(rows)
    kind = next(f.get("type", "string") for f in res["schema"]["fields"] if f["name"] == column)
    rows[i + 1][j] = BAD_VALUE[kind]
    msg = _error(_copy(tmp_path, res, rows), res)
    assert f"{res['path']}, line {i + 2}, column {column!r}" in msg, msg
    assert BAD_VALUE[kind] in msg


@pytest.mark.parametrize("res", [pytest.param(r, id=r["name"]) for r in RESOURCES if _pk(r)])
def test_duplicate_primary_key(res, tmp_path):
    rows = _rows(res)
    i = _target_row(rows)
    n = len(rows) - 1
    msg = _error(_copy(tmp_path, res, rows + [rows[i + 1]]), res)
    key = _pk(res)[0]
    # One line for the copy appended at the end, naming the line of the original.
    assert msg == msg.strip() and len(msg.splitlines()) == 1, msg
    assert msg.startswith(f"{res['path']}, line {n + 2}, column {key!r}: duplicate primary key"), msg
    assert msg.endswith(f"of line {i + 2}"), msg


@pytest.mark.parametrize("res, column", _cases("minimum"))
def test_value_below_minimum(res, column, tmp_path):
    rows = _rows(res)
    f = next(f for f in res["schema"]["fields"] if f["name"] == column)
    low = f["constraints"]["minimum"] - 1
    j, i = rows[0].index(column), _target_row(rows)
    rows[i + 1][j] = str(int(low) if float(low).is_integer() else low)
    msg = _error(_copy(tmp_path, res, rows), res)
    assert f"{res['path']}, line {i + 2}, column {column!r}" in msg, msg
    assert "below the minimum" in msg, msg


@pytest.mark.parametrize("res, column", _cases("enum"))
def test_unknown_code(res, column, tmp_path):
    rows = _rows(res)
    j, i = rows[0].index(column), _target_row(rows)
    rows[i + 1][j] = "no_such_code"
    msg = _error(_copy(tmp_path, res, rows), res)
    assert f"{res['path']}, line {i + 2}, column {column!r}" in msg, msg
    assert "no_such_code" in msg


def test_every_resource_is_covered():
    # Each resource meets at least the missing-column and empty-required-value breakages, so a new resource
    # cannot slip through the parametrised cases above unnoticed.
    for kind in ("missing", "required"):
        assert {p.values[0]["name"] for p in _cases(kind)} == {r["name"] for r in RESOURCES}, kind


def test_missing_file_and_extra_column(tmp_path):
    res = datapackage.resource("production")
    folder = tmp_path / "nofile"
    folder.mkdir()
    shutil.copy(paths.data_dir() / "datapackage.json", folder / "datapackage.json")
    msg = _error(folder, res)
    assert "production.csv" in msg and "missing" in msg
    rows = [r + ["x"] for r in _rows(res)]
    rows[0][-1] = "surplus"
    msg = _error(_copy(tmp_path / "extra", res, rows), res)
    assert "production.csv, header" in msg and "'surplus'" in msg


@pytest.mark.parametrize("res, column", _cases("required"))
def test_required_value_left_empty(res, column, tmp_path):
    rows = _rows(res)
    i = _target_row(rows)
    rows[i + 1][rows[0].index(column)] = ""
    msg = _error(_copy(tmp_path, res, rows), res)
    assert f"{res['path']}, line {i + 2}, column {column!r}" in msg, msg
