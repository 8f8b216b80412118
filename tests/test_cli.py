"""Bad input gives one clear message, a non-zero exit, and leaves the published pages alone."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
import yaml

from critmin import paths
from critmin.book import build

FIRST = build.pages()[0]


def critmin(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "critmin.book.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def published_state():
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(paths.PAGES.glob("*"))}


def declared(notebook):
    return build.declared_parameters(paths.NOTEBOOKS / f"{notebook}.ipynb")


def _page_with(param):
    for p in build.pages():
        if param in declared(p.notebook):
            return p
    pytest.skip(f"no page has a {param!r} parameter")


def test_unknown_parameter_name_is_refused_with_the_accepted_names(tmp_path):
    before = published_state()
    r = critmin("run", FIRST.notebook, "-p", "no_such_parameter", "1", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "unknown parameter(s) no_such_parameter" in r.stderr
    for name in declared(FIRST.notebook):
        assert name in r.stderr
    assert "Traceback" not in r.stderr
    assert published_state() == before
    assert not any(tmp_path.iterdir())


def test_wrong_type_is_refused(tmp_path):
    page = _page_with("year")
    r = critmin("run", page.notebook, "-p", "year", "not-a-number", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "parameter year expects int" in r.stderr
    assert "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())


def test_unknown_notebook_is_refused_with_the_list():
    r = critmin("run", "no_such_notebook")
    assert r.returncode == 2
    assert "unknown notebook 'no_such_notebook'" in r.stderr
    assert FIRST.notebook in r.stderr


def test_unknown_value_fails_in_one_line_and_writes_nothing(tmp_path):
    """A value the page cannot use (an unknown mineral) is reported by the notebook's own check."""
    page = _page_with("mineral")
    before = published_state()
    r = critmin("run", page.notebook, "-p", "mineral", "unobtainium", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "ParameterError" in r.stderr and "unobtainium" in r.stderr and "allowed:" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3
    assert published_state() == before
    assert not any(tmp_path.iterdir())


def test_build_refuses_a_bad_page_list_and_changes_nothing(scratch_repo):
    spec = yaml.safe_load((scratch_repo / "book" / "pages.yml").read_text())
    spec["parts"][0]["chapters"].append(
        {"page": "broken", "notebook": FIRST.notebook, "title": "Broken", "params": {"no_such_parameter": 1}})
    (scratch_repo / "book" / "pages.yml").write_text(yaml.safe_dump(spec))
    before = sorted(p.name for p in (scratch_repo / "book" / "pages").iterdir())
    r = critmin("build")
    assert r.returncode == 2
    assert "unknown parameter(s) no_such_parameter" in r.stderr
    assert sorted(p.name for p in (scratch_repo / "book" / "pages").iterdir()) == before



def test_a_failing_page_stops_the_build_in_one_line_and_leaves_the_book(scratch_repo):
    page = _page_with("mineral")
    spec = yaml.safe_load((scratch_repo / "book" / "pages.yml").read_text())
    spec["parts"][0]["chapters"].append(
        {"page": "broken", "notebook": page.notebook, "title": "Broken", "params": {"mineral": "unobtainium"}})
    (scratch_repo / "book" / "pages.yml").write_text(yaml.safe_dump(spec))
    pages_dir = scratch_repo / "book" / "pages"
    before = {f.name: f.read_bytes() for f in pages_dir.iterdir()}
    r = critmin("build")
    assert r.returncode == 2
    assert "broken: ParameterError:" in r.stderr and "unobtainium" in r.stderr
    assert {f.name: f.read_bytes() for f in pages_dir.iterdir()} == before
    assert not (scratch_repo / "book" / "_build").exists()


def test_plain_papermill_works_from_any_directory(tmp_path):
    page = _page_with("mineral")
    out = tmp_path / "out.ipynb"
    r = subprocess.run([sys.executable, "-m", "papermill", str(page.source), str(out), "-p", "mineral",
                        page.params.get("mineral", "copper")], capture_output=True, text=True, cwd=tmp_path,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert out.exists()


def test_a_rerun_writes_a_notebook_and_an_offline_page_and_leaves_the_book(tmp_path):
    import re

    page = _page_with("mineral")
    before = published_state()
    r = critmin("run", page.notebook, "-p", "mineral", "gallium", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr[-2000:]
    (run_dir,) = list(tmp_path.iterdir())
    html = (run_dir / f"{page.notebook}.html").read_text(encoding="utf-8")
    assert (run_dir / f"{page.notebook}.ipynb").exists()
    assert "gallium" in html.lower() and "vegaEmbed" in html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", html), "page loads from another host"
    assert published_state() == before
