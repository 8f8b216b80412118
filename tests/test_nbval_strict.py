"""nbval in strict mode notices a changed result (so the regression tests can fail)."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from critmin.book import build


def _run_nbval(path):
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-q", "-p", "no:cacheprovider", str(path)],
                          capture_output=True, text=True, timeout=300, cwd=path.parent)


def test_a_changed_output_fails_nbval(tmp_path):
    page = build.pages()[0]
    nb = nbformat.read(page.output, as_version=4)
    target = None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data or "text/html" in data:
                target = (out, "text/markdown" if "text/markdown" in data else "text/html")
    assert target, "the first page has no text output to alter"
    out, mime = target
    out["data"][mime] = out["data"][mime] + "\nA figure that the data does not produce: 42."
    altered = tmp_path / "altered.ipynb"
    nbformat.write(nb, altered)
    r = _run_nbval(altered)
    assert r.returncode != 0, r.stdout[-2000:]
