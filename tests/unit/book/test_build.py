from __future__ import annotations

import json

import nbformat
import pytest

from critmin.book import build
from critmin.params import ParameterError
from critmin.render import charts


def _executed_like_papermill():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "input_path": "/somewhere/x.ipynb"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["injected-parameters"],
                                                        "papermill": {"duration": 0.1}, "execution": {}})
    cell.id = "random-uuid-4f2a"
    nb.cells = [cell, nbformat.v4.new_code_cell("print(x)", metadata={"papermill": {"duration": 0.2}})]
    return nb


def test_clean_notebook_strips_run_metadata_and_is_idempotent():
    cleaned = build.clean_notebook(_executed_like_papermill())
    assert "papermill" not in cleaned.metadata
    assert cleaned.metadata["language_info"] == {"name": "python"}
    assert cleaned.cells[0].id == "injected-parameters"
    assert "remove-cell" in cleaned.cells[0].metadata["tags"]
    assert cleaned.cells[1].metadata == {}
    again = build.clean_notebook(cleaned)
    assert nbformat.writes(again) == nbformat.writes(cleaned)


def test_parameter_names_and_types_are_checked(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('mineral: str = "copper"  # id\nyear: int = 2024  # year',
                                          metadata={"tags": ["parameters"]})]
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    build.check_parameters(path, {"mineral": "gallium", "year": 2023})
    with pytest.raises(ParameterError, match="unknown parameter\\(s\\) minerals; accepted: mineral, year"):
        build.check_parameters(path, {"minerals": "gallium"})
    with pytest.raises(ParameterError, match="parameter year expects int"):
        build.check_parameters(path, {"year": "2023"})
    with pytest.raises(ParameterError, match="parameter year expects int"):
        build.check_parameters(path, {"year": True})


def test_chart_ids_are_stable_and_unique_within_a_page():
    spec = {"mark": "bar", "description": "d"}
    first, second = charts.html_for(spec), charts.html_for(spec)
    id1 = first.split('id="')[1].split('"')[0]
    id2 = second.split('id="')[1].split('"')[0]
    assert id1.startswith("chart-") and id2 == id1 + "-1"
    assert 'aria-label="d"' in first


def test_chart_html_escapes_closing_script_tags():
    html = charts.html_for({"description": "x", "data": {"values": [{"a": "</script><b>"}]}})
    assert "</script><b>" not in html.split("<script")[1].split("</script>")[0]


def test_stale_reason_follows_the_recorded_inputs(tmp_path, monkeypatch):
    from critmin import paths

    root = tmp_path
    (root / "notebooks").mkdir()
    (root / "book" / "pages").mkdir(parents=True)
    (root / "data").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("year: int = 2024", metadata={"tags": ["parameters"]})]
    nbformat.write(nb, root / "notebooks" / "demo.ipynb")
    (root / "data" / "t.csv").write_text("a\n1\n")
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "NOTEBOOKS", root / "notebooks")
    monkeypatch.setattr(paths, "PAGES", root / "book" / "pages")
    page = build.Page("demo", "demo", "Demo", {"year": 2024})
    assert build.stale_reason(page) == "never executed"
    page.output.write_text("{}")
    page.deps_file.write_text(json.dumps(build.inputs_of(page, ["data/t.csv"])))
    assert build.stale_reason(page) is None
    (root / "data" / "t.csv").write_text("a\n2\n")
    assert build.stale_reason(page) == "data changed: data/t.csv"
    page.deps_file.write_text(json.dumps(build.inputs_of(page, ["data/t.csv"])))
    assert build.stale_reason(build.Page("demo", "demo", "Demo", {"year": 2023})) == "parameters changed"


def _unpack(p):
    """What the page's script does with a packed dataset (mirrors unpack in book/_static/critmin-charts.js)."""
    if not isinstance(p, dict) or "packed" not in p:
        return p
    rows = [{} for _ in range(p["packed"])]
    for name, col in p["cols"]:
        for r, row in enumerate(rows):
            row[name] = col["u"][col["i"][r]] if "u" in col else col["v"][r]
    return rows


def test_packed_chart_data_round_trips():
    rows = [{"year": 2000 + i, "share": i / 7, "source": "USGS, Mineral Commodity Summaries", "flag": None}
            for i in range(40)]
    packed = charts._pack(rows)
    assert packed["packed"] == 40
    assert _unpack(packed) == rows
    assert len(json.dumps(packed)) < len(json.dumps(rows)) / 2
    short = rows[:5]
    assert charts._pack(short) == short


def test_html_for_packs_the_data_and_prunes_unused_columns():
    spec = {"description": "d", "mark": "point", "encoding": {"x": {"field": "year"}},
            "data": {"name": "t"}, "datasets": {"t": [{"year": y, "unused": "x" * 50} for y in range(30)]}}
    html = charts.html_for(spec)
    assert '"packed":30' in html and '"unused"' not in html
    [(cid, back)] = charts.specs_in(html)
    assert back["datasets"]["t"] == [{"year": y} for y in range(30)]


def test_the_front_door_redirect_becomes_a_whole_page_with_the_books_icon(tmp_path):
    (tmp_path / "_config.yml").write_text('title: "A & B"\nhtml:\n  favicon: _static/icon.svg\n', encoding="utf-8")
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=intro.html" />\n', encoding="utf-8")
    build.complete_redirect(site, tmp_path)
    page = (site / "index.html").read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<meta http-equiv="Refresh" content="0; url=intro.html">' in page
    assert "<title>A &amp; B</title>" in page and '<link rel="icon" href="_static/icon.svg">' in page
    assert '<a href="intro.html">A &amp; B</a>' in page
    build.complete_redirect(site, tmp_path)  # a whole page is left as it is
    assert (site / "index.html").read_text(encoding="utf-8") == page
