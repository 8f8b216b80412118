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
