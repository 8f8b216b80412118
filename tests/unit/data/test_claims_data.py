"""Reading the claims table and a reader's own claims file: validation of good and broken files, and the one-line
errors a page parameter gives."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from critmin import paths
from critmin.analysis import claims
from critmin.data import DataError
from critmin.data import claims as claims_data
from critmin.data import package as datapackage
from critmin.params import ParameterError


def _rows() -> list[dict]:
    with open(paths.data_dir() / "claims.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


# one broken cell per case: (row index, column, new value, text the message must contain)
BROKEN = {
    "bad stance code": (3, "stance", "pro_us", "column 'stance'"),
    "unknown theme": (4, "themes", "economic_benefit;trade_war", "unknown theme code(s) ['trade_war']"),
    "missing required field": (5, "source_url", "", "column 'source_url'"),
    "sceptical without reason": (6, "stance", "sceptical", "column 'stance_reason'"),
    "checkable without metric": (7, "checkable", "true", "column 'metric'"),
    "metric not in codebook": (8, "metric", "china_share_mine_unobtainium", "column 'metric'"),
    "month date not on the 1st": (9, "date", "2025-11-15", "column 'date'"),
}


def test_loads_typed_and_unique(df):
    assert len(df) >= 40
    assert list(df.columns) == [f["name"] for f in datapackage.resource("claims")["schema"]["fields"]]
    assert df["claim_id"].is_unique
    assert df["checkable"].dtype == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(df["date"])


def test_user_file_with_package_content_loads(tmp_path):
    path = _write(tmp_path / "mine.csv", _rows())
    assert len(claims_data.load_claims(path)) == len(_rows())


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_copy_names_file_line_and_column(tmp_path, case):
    i, column, value, expected = BROKEN[case]
    rows = _rows()
    if case == "checkable without metric":
        rows[i]["metric"] = ""
    if case == "metric not in codebook":
        rows[i]["checkable"] = "true"
    if case == "month date not on the 1st":
        rows[i]["date_precision"] = "month"
    if case == "sceptical without reason":
        rows[i]["stance_reason"] = ""
    rows[i][column] = value
    path = _write(tmp_path / "broken.csv", rows)
    with pytest.raises(DataError) as err:
        claims_data.load_claims(path)
    msg = str(err.value)
    assert "broken.csv" in msg
    assert f"line {i + 2}" in msg
    assert expected in msg


def test_unknown_theme_lists_allowed_codes(tmp_path, codebook):
    rows = _rows()
    rows[2]["themes"] = "geopolitics"
    with pytest.raises(DataError) as err:
        claims_data.load_claims(_write(tmp_path / "t.csv", rows))
    msg = str(err.value)
    assert "line 4, column 'themes'" in msg
    for code in claims.codes("theme", codebook):
        assert code in msg


def test_duplicate_claim_id(tmp_path):
    rows = _rows()
    rows[10]["claim_id"] = rows[0]["claim_id"]
    with pytest.raises(DataError) as err:
        claims_data.load_claims(_write(tmp_path / "dup.csv", rows))
    msg = str(err.value)
    assert "dup.csv" in msg and "line 12" in msg and "claim_id" in msg


def test_missing_column(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "stance"} for r in _rows()]
    with pytest.raises(DataError, match=r"missing column\(s\) \['stance'\]"):
        claims_data.load_claims(_write(tmp_path / "nocol.csv", rows))


def test_load_claims_param_gives_one_line_naming_file_and_rows(tmp_path):
    rows = _rows()
    rows[3]["stance"] = "pro_us"
    rows[5]["source_url"] = ""
    path = _write(tmp_path / "mine.csv", rows)
    with pytest.raises(ParameterError) as err:
        claims_data.load_claims_param(str(path))
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("claims_file: ")
    assert "mine.csv, line 5, column 'stance'" in msg
    assert "mine.csv, line 7, column 'source_url': required value is missing" in msg


def test_resolve_claims_file(tmp_path, monkeypatch):
    assert claims_data.resolve_claims_file("") is None and claims_data.resolve_claims_file("  ") is None
    assert claims_data.resolve_claims_file("data/claims.csv") == paths.ROOT / "data" / "claims.csv"
    with pytest.raises(ParameterError, match="no such file"):
        claims_data.resolve_claims_file(str(tmp_path / "nope.csv"))
    assert len(claims_data.load_claims_param("")) == len(_rows())


@pytest.mark.parametrize("content, name", [
    (b"root:$6$Xq9zKw:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", "shadow"),
    (b"root:$6$Xq9zKw:19000:0:99999:7:::\n", "shadow.csv"),
    (b"\xff\xfeXq9zKw\n", "binary.csv"),
], ids=["no-csv-suffix", "csv-suffix", "binary"])
def test_claims_file_that_is_not_a_claims_csv_is_refused_without_its_content(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ParameterError) as err:
        claims_data.load_claims_param(str(path))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"claims_file={str(path)!r}: ")
    rest = msg.removeprefix(f"claims_file={str(path)!r}: ")
    assert "Xq9zKw" not in rest and "root" not in rest and "daemon" not in rest
    assert "claim_id" in msg  # names the header it expects


def test_unreadable_claims_file_is_refused_in_one_line(tmp_path):
    import os

    path = tmp_path / "locked.csv"
    path.write_text("Xq9zKw\n")
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as a user who can read any file")
    with pytest.raises(ParameterError, match="cannot be read") as err:
        claims_data.load_claims_param(str(path))
    assert "Xq9zKw" not in str(err.value)


@pytest.mark.parametrize("column, value, line", [("stance_reason", "", 7), ("themes", "no_such_theme", 9)])
def test_claims_errors_count_blank_lines(tmp_path, column, value, line):
    rows = _rows()
    row = 4 if column == "stance_reason" else 6
    if column == "stance_reason":
        rows[row]["stance"] = "sceptical"
    rows[row][column] = value
    path = _write(tmp_path / "mine.csv", rows)
    text = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(text[:2] + [""] + text[2:]), encoding="utf-8")  # a blank line after the first claim
    with pytest.raises(ParameterError) as err:
        claims_data.load_claims_param(str(path))
    # claim 5 is on line 7 (header, four claims and a blank line before it), claim 7 on line 9
    assert f"mine.csv, line {line}, column {column!r}" in str(err.value), str(err.value)
