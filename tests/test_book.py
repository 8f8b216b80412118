"""The committed executed pages match their sources, and the HTML book builds with warnings as errors."""

from __future__ import annotations

import json
import re

import nbformat
import yaml

from critmin import paths
from critmin.book import build


def test_committed_pages_match_their_notebooks_and_parameters():
    assert build.check_pages() == []


def test_check_pages_notices_an_edited_source(tmp_path, monkeypatch):
    page = build.pages()[0]
    edited = nbformat.read(page.source, as_version=4)
    edited.cells.append(nbformat.v4.new_markdown_cell("A sentence added after the last run."))
    fake_notebooks = tmp_path / "notebooks"
    fake_notebooks.mkdir()
    for nb in paths.NOTEBOOKS.glob("*.ipynb"):
        (fake_notebooks / nb.name).write_bytes(nb.read_bytes())
    nbformat.write(edited, fake_notebooks / page.source.name)
    monkeypatch.setattr(paths, "NOTEBOOKS", fake_notebooks)
    problems = build.check_pages()
    assert any(p.startswith(f"{page.page}: executed copy does not match") for p in problems)


def test_no_page_is_stale():
    stale = {p.page: build.stale_reason(p) for p in build.pages()}
    assert {k: v for k, v in stale.items() if v} == {}


def test_toc_is_generated_from_the_page_list():
    toc_file = paths.BOOK / "_toc.yml"
    before = toc_file.read_text(encoding="utf-8")
    build.write_toc()
    assert toc_file.read_text(encoding="utf-8") == before, "book/_toc.yml is out of date: run make book"
    toc = yaml.safe_load(before)
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert [f"pages/{p.page}" for p in build.pages()] == [f for f in files if f.startswith("pages/")]


def test_executed_pages_carry_no_run_metadata_or_machine_paths():
    for p in build.pages():
        text = p.output.read_text(encoding="utf-8")
        nb = json.loads(text)
        assert "papermill" not in nb["metadata"], p.page
        assert not re.search(r"/(root|home|tmp|work)/", text), f"{p.page} contains an absolute path"
        assert all("execution" not in c.get("metadata", {}) for c in nb["cells"]), p.page


def test_parameterised_pages_hide_the_parameters_cells():
    for p in build.pages():
        nb = nbformat.read(p.output, as_version=4)
        for cell in nb.cells:
            tags = cell.metadata.get("tags", [])
            if "parameters" in tags or "injected-parameters" in tags:
                assert "remove-cell" in tags, f"{p.page}: a parameters cell would be shown to readers"


def test_html_book_builds_with_warnings_as_errors(built_book):
    index = built_book / "index.html"
    assert index.exists()
    for p in build.pages():
        assert (built_book / "pages" / f"{p.page}.html").exists(), p.page


def test_every_notebook_declares_typed_documented_parameters():
    for nb_path in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name}: needs exactly one cell tagged 'parameters'"
        declared = build.declared_parameters(nb_path)
        assert declared, f"{nb_path.name}: the parameters cell declares nothing"
        for name, d in declared.items():
            assert d["inferred_type_name"] not in (None, "None"), f"{nb_path.name}: {name} has no type annotation"
            assert (d.get("help") or "").strip(), f"{nb_path.name}: {name} has no comment saying what it is"


def test_every_notebook_is_in_the_book():
    used = {p.notebook for p in build.pages()}
    assert used == {f.stem for f in paths.NOTEBOOKS.glob("*.ipynb")}


def test_every_dataset_has_a_reference_section_in_the_book():
    from critmin.data import package

    shown = [d for p in build.pages() if p.notebook == "data_reference" for d in p.params["datasets"].split(",")]
    names = [r["name"] for r in package.package()["resources"]]
    assert sorted(set(names) - set(shown)) == [], "datasets with no reference section"
    assert len(shown) == len(set(shown)), "a dataset described on two pages"
