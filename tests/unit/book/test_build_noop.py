"""What keeps a no-op build short: each notebook's parameters inspected once, the chart bundle made once."""

from __future__ import annotations

import os

import nbformat
import vl_convert

from critmin.book import build


def _notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})]
    nbformat.write(nb, path)


def test_parameters_are_inspected_again_when_the_notebook_changes(tmp_path):
    path = tmp_path / "demo.ipynb"
    _notebook(path, "year: int = 2024  # year")
    assert list(build.declared_parameters(path)) == ["year"]
    build.declared_parameters(path)["year"]["default"] = "changed by a caller"
    assert build.declared_parameters(path)["year"]["default"] == "2024"
    _notebook(path, "year: int = 2024  # year\nmineral: str = 'copper'  # id")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert list(build.declared_parameters(path)) == ["year", "mineral"]


def test_the_chart_bundle_is_made_once_per_vl_convert_version_and_then_read_from_the_cache(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: calls.append(1) or "var vega = 1;")
    first = build.vega_bundle()
    assert "var vega = 1;" in first and first.startswith("/*") and "(function(){" in first
    assert build.vega_bundle() == first and calls == [1]
    (cached,) = (tmp_path / "cache" / "critmin").iterdir()  # one file, no partial one left
    assert "vl-convert" in cached.name
    book = tmp_path / "book"
    book.mkdir()
    build.write_static(book)
    bundle = book / "_static" / "vega-bundle.js"
    assert bundle.read_text(encoding="utf-8") == first
    bundle.write_text("edited by hand")
    build.write_static(book)
    assert bundle.read_text(encoding="utf-8") == first and calls == [1]
