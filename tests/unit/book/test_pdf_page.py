"""The single page prepared for printing (no browser needed)."""

from __future__ import annotations

from critmin.book import pdf

PAGE = """<html><head><script src="_static/doctools.js?v=1"></script>
<script defer src="_static/scripts/fontawesome.js?digest=2"></script>
<script defer="defer" src="_static/../mathjax/tex-chtml.js"></script>
<script>window.MathJax = {};</script></head><body><article class="bd-article" role="main">
<details class="critmin-sources"><summary>Sources</summary>x</details>
<script src="../_static/vega-bundle.js?v=3"></script></article></body></html>"""


def test_the_print_page_keeps_mathjax_and_no_other_script_and_opens_the_sources():
    out = pdf.print_ready(PAGE, "<section>contents</section>")
    assert out.count("<script") == 2
    assert 'src="_static/../mathjax/tex-chtml.js"' in out and "window.MathJax = {};" in out
    assert "doctools" not in out and "fontawesome" not in out and "vega-bundle" not in out
    assert '<details class="critmin-sources" open>' in out
    assert out.index("critmin-cover") < out.index("<section>contents</section>") < out.index("critmin-sources")


def _parsed(tmp_path, monkeypatch, current: bool) -> tuple:
    """The HTML build's parsed documents in a folder of the test's own; whether the HTML counts as current."""
    from critmin.book import build

    source = tmp_path / "html-build" / ".doctrees"
    source.mkdir(parents=True)
    (source / "environment.pickle").write_bytes(b"env")
    monkeypatch.setattr(build, "doctrees", lambda: source)
    monkeypatch.setattr(build, "html_is_current", lambda: current)
    monkeypatch.setattr(pdf.guard, "scratch_root", lambda root=None: tmp_path / "scratch")
    return source, tmp_path / "single" / "_build" / ".doctrees"


def test_the_single_page_starts_from_the_pages_the_current_html_build_parsed(tmp_path, monkeypatch):
    source, target = _parsed(tmp_path, monkeypatch, current=True)
    assert pdf._reuse_parsed_pages(tmp_path / "single")
    assert (target / "environment.pickle").read_bytes() == b"env"


def test_parsed_pages_of_an_html_build_that_is_not_current_are_not_reused(tmp_path, monkeypatch):
    _, target = _parsed(tmp_path, monkeypatch, current=False)
    assert not pdf._reuse_parsed_pages(tmp_path / "single")
    assert not target.exists()


def test_parsed_pages_are_not_copied_while_a_build_runs(tmp_path, monkeypatch):
    import subprocess
    import sys

    _, target = _parsed(tmp_path, monkeypatch, current=True)
    holder = ("import sys; from pathlib import Path; from critmin.book import guard\n"
              f"guard.scratch_root = lambda root=None: Path({str(tmp_path / 'scratch')!r})\n"
              "with guard.build_lock():\n    print('held', flush=True)\n    sys.stdin.read()")
    build = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert build.stdout.readline() == "held\n"
        assert not pdf._reuse_parsed_pages(tmp_path / "single")
    finally:
        build.communicate("", timeout=30)
    assert not target.exists()
    assert pdf._reuse_parsed_pages(tmp_path / "single")  # once the build has finished
