"""The table cache: a hit gives the table the loader would build, still logs the file the page read, and never
stands in for a file whose content changed (a malformed copy fails with the loader's own message)."""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from critmin import data, paths
from critmin.data import cache, loader
from critmin.data import package as datapackage

NAME = "minerals"


@pytest.fixture
def table_cache(tmp_path, monkeypatch):
    folder = tmp_path / "tables"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def _data_copy(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(paths.data_dir() / "datapackage.json", d / "datapackage.json")
    res = datapackage.resource(NAME)
    shutil.copy(paths.data_dir() / res["path"], d / res["path"])
    return d, d / res["path"]


def test_off_without_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    d, _ = _data_copy(tmp_path)
    data.read_resource(NAME, data_dir=d)
    assert cache.folder() is None
    assert not (tmp_path / "tables").exists()


def test_a_hit_is_the_validated_table_and_skips_parsing(tmp_path, table_cache, monkeypatch):
    d, _ = _data_copy(tmp_path)
    fresh = data.read_resource(NAME, data_dir=d)
    assert len(list(table_cache.glob(f"{NAME}-*.pkl"))) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("the CSV was parsed again")

    monkeypatch.setattr(loader.pd, "read_csv", no_parsing)
    hit = data.read_resource(NAME, data_dir=d)
    pd.testing.assert_frame_equal(hit, fresh, check_exact=True)
    assert list(hit.dtypes) == list(fresh.dtypes)
    assert hit is not fresh  # a page may change its copy


def test_a_hit_still_logs_the_file_read(tmp_path, table_cache, monkeypatch):
    d, csv_path = _data_copy(tmp_path)
    data.read_resource(NAME, data_dir=d)  # fills the cache
    log = tmp_path / "reads.log"
    monkeypatch.setenv("CRITMIN_READS_LOG", str(log))
    monkeypatch.setattr(loader, "READ", [])
    data.read_resource(NAME, data_dir=d)
    assert str(csv_path.resolve()) in log.read_text().split()
    assert loader.READ == [NAME]


def test_a_changed_file_misses_and_a_malformed_one_fails_with_the_loader_message(tmp_path, table_cache):
    d, csv_path = _data_copy(tmp_path)
    data.read_resource(NAME, data_dir=d)  # the good version is cached
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    res = datapackage.resource(NAME)
    required = next(i for i, f in enumerate(res["schema"]["fields"]) if f.get("constraints", {}).get("required"))
    rows[1][required] = ""
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(data.DataError, match=r"line 2, column .*required value is missing"):
        data.read_resource(NAME, data_dir=d)
    assert len(list(table_cache.glob(f"{NAME}-*.pkl"))) == 1  # nothing stored for the broken file


def test_a_damaged_entry_is_ignored_and_rewritten(tmp_path, table_cache):
    d, _ = _data_copy(tmp_path)
    fresh = data.read_resource(NAME, data_dir=d)
    (entry,) = table_cache.glob(f"{NAME}-*.pkl")
    entry.write_bytes(b"not a pickle")
    again = data.read_resource(NAME, data_dir=d)
    pd.testing.assert_frame_equal(again, fresh, check_exact=True)
    assert entry.read_bytes() != b"not a pickle"


def test_the_key_follows_the_metadata_too(tmp_path):
    d, csv_path = _data_copy(tmp_path)
    res = datapackage.resource(NAME)
    changed = {**res, "schema": {**res["schema"], "primaryKey": []}}
    assert cache.key(NAME, res, csv_path) != cache.key(NAME, changed, csv_path)
    assert cache.key(NAME, res, csv_path) == cache.key(NAME, dict(res), csv_path)
