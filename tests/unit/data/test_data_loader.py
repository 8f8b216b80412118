"""The loaders refuse broken data: for every resource of the package, a deliberately broken copy of its CSV
(missing column, wrong type, duplicate key, value below its minimum, unknown code) raises DataError naming
the file, the line and the column."""

from __future__ import annotations

import csv
import functools
import itertools
import shutil
from pathlib import Path

import pytest

from critmin import data, paths
from critmin.data import package as datapackage

RESOURCES = [datapackage.resource(n) for n in datapackage.resource_names()]
BAD_VALUE = {"integer": "1.5", "year": "two thousand", "number": "12,3x", "boolean": "yes",
             "date": "2025-13-45"}


# NOTE: the broken copies (and the unbroken control) hold the header and at most this many data rows of each file:
# the loader's checks are made row by row and key by key, so a breakage is found and located the same way in a
# shorter copy, and the full files are validated by the data tests (tests/data/test_package.py).
MAX_ROWS = 2000


@functools.cache
def _file_rows(path: str) -> tuple[tuple[str, ...], ...]:
    with open(paths.data_dir() / path, encoding="utf-8", newline="") as fh:
        return tuple(tuple(r) for r in itertools.islice(csv.reader(fh), MAX_ROWS + 1))


def _rows(res: dict) -> list[list[str]]:
    """The header and the first data rows of the resource's file, as lists a test may change."""
    return [list(r) for r in _file_rows(res["path"])]


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


# ---------------------------------------------------------------- files that are not tables at all

def _write_raw(tmp: Path, res: dict, content: bytes) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.data_dir() / "datapackage.json", tmp / "datapackage.json")
    (tmp / res["path"]).write_bytes(content)
    return tmp


def _text(res: dict) -> bytes:
    return (paths.data_dir() / res["path"]).read_bytes()


@pytest.mark.parametrize("content", [b"", b"\n", b"  \n\n"], ids=["empty", "newline", "blank-lines"])
def test_empty_file_names_the_file(tmp_path, content):
    res = datapackage.resource("production")
    msg = _error(_write_raw(tmp_path, res, content), res)
    assert msg == "production.csv: the file is empty; expected a header line and data rows"


def test_header_only_file_is_a_problem_of_the_package(tmp_path):
    res = datapackage.resource("minerals")
    header = _text(res).split(b"\n", 1)[0] + b"\n"
    folder = _write_raw(tmp_path, res, header)
    for other in RESOURCES:
        if other["name"] != "minerals":
            shutil.copy(paths.data_dir() / other["path"], folder / other["path"])
    assert data.read_resource("minerals", data_dir=folder).empty  # a header alone is a valid table...
    problems = data.loader.check_package(folder)  # ...but not a table the book can use
    assert problems == ["minerals.csv: no data rows, only the header; the book needs dataset 'minerals'"]


def test_the_package_as_committed_has_no_problems():
    assert data.loader.check_package() == []


def test_blank_lines_do_not_shift_line_numbers(tmp_path):
    import io

    res = datapackage.resource("production")
    rows = _rows(res)
    rows[10][rows[0].index("year")] = "two thousand"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    lines = buf.getvalue().encode().split(b"\n")
    # two blank lines after the header and one among the data: data row 10 ends up on file line 14
    lines = lines[:1] + [b"", b""] + lines[1:6] + [b""] + lines[6:]
    msg = _error(_write_raw(tmp_path, res, b"\n".join(lines)), res)
    assert msg.startswith("production.csv, line 14, column 'year': 'two thousand' is not an integer"), msg


def test_line_numbers_count_line_breaks_inside_quoted_values(tmp_path):
    res = datapackage.resource("claims")
    rows = _rows(res)
    j = rows[0].index("claim")
    rows[1][j] = "first line\nsecond line"  # one record over two file lines
    rows[3][rows[0].index("stance")] = "pro_us"  # record 3 starts on file line 5
    msg = _error(_copy(tmp_path, res, rows), res)
    assert "claims.csv, line 5, column 'stance'" in msg, msg


def test_a_byte_that_is_not_utf8_is_named_by_line_and_column(tmp_path):
    res = datapackage.resource("production")
    lines = _text(res).split(b"\n")
    lines[6] = lines[6][:3] + b"\xe9" + lines[6][3:]  # a Latin-1 e-acute on file line 7, column 4
    msg = _error(_write_raw(tmp_path, res, b"\n".join(lines)), res)
    assert msg.startswith("production.csv, line 7, column 4 "), msg
    assert "0xe9 is not UTF-8" in msg and "position 0" not in msg


def test_a_nul_byte_is_refused(tmp_path):
    res = datapackage.resource("production")
    lines = _text(res).split(b"\n")
    lines[9] = lines[9] + b"\0"
    msg = _error(_write_raw(tmp_path, res, b"\n".join(lines)), res)
    assert msg.startswith(f"production.csv, line 10, column {len(lines[9])}: NUL byte"), msg


def test_a_row_with_too_many_fields_is_named(tmp_path):
    res = datapackage.resource("production")
    lines = _text(res).split(b"\n")
    lines[4] = lines[4] + b",surplus"
    msg = _error(_write_raw(tmp_path, res, b"\n".join(lines)), res)
    assert msg.startswith("production.csv, line 5: "), msg


@pytest.mark.parametrize("cut", [0, 1, 100], ids=["empty", "one-byte", "truncated"])
def test_a_broken_datapackage_json_names_the_file(tmp_path, cut):
    folder = tmp_path / f"pkg{cut}"
    folder.mkdir()
    text = (paths.data_dir() / "datapackage.json").read_bytes()
    (folder / "datapackage.json").write_bytes(text[:cut])
    with pytest.raises(data.DataError) as err:
        datapackage.resource_names(folder)
    msg = str(err.value)
    assert "datapackage.json" in msg and "not valid JSON" in msg and "\n" not in msg, msg
    assert data.loader.check_package(folder) == [msg]


def test_a_duplicated_row_is_one_line(tmp_path):
    res = datapackage.resource("production")
    rows = _rows(res)
    msg = _error(_copy(tmp_path, res, rows[:10] + [rows[5]] + rows[10:]), res)
    assert msg == msg.strip() and len(msg.splitlines()) == 1, msg
    assert msg.startswith("production.csv, line 11, column 'mineral': duplicate primary key (mineral=") and \
        msg.endswith("of line 6"), msg


def test_tables_load_each_table_once_on_first_use(monkeypatch):
    from critmin import data
    from critmin.data import loader

    calls = []
    real = loader.load
    monkeypatch.setattr(loader, "load", lambda name: calls.append(name) or real(name))
    t = data.Tables()
    assert "production" in t and "no_such_table" not in t
    assert calls == []  # asking does not load
    first = t["minerals"]
    assert t["minerals"] is first and calls == ["minerals"]
    with pytest.raises(KeyError, match="unknown dataset 'no_such_table'"):
        t["no_such_table"]


def test_row_line_numbers_are_shared_not_copied():
    """pandas deep-copies attrs on every new frame: the loader's line numbers must make that a no-op."""
    import copy

    df = data.load("production")
    lines = df.attrs["lines"]
    assert len(lines) == len(df) and lines[0] == 2  # line 1 is the header
    assert copy.deepcopy(df.attrs)["lines"] is lines
    assert df[df["year"] > 0].attrs["lines"] is lines
