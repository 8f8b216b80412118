"""A single offline HTML file for a rerun notebook: no request leaves the machine when it is opened."""

from __future__ import annotations

import html
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:980px;margin:2rem auto;
padding:0 1rem;line-height:1.55;color:#1a1a1a}
table{border-collapse:collapse;font-size:.9rem}th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}.admonition{border-left:4px solid #0072B2;background:#f3f8fc;
padding:.5rem 1rem;margin:1rem 0}.admonition-title{font-weight:600}.visually-hidden{position:absolute;left:-9999px}
.critmin-chart-data{font-size:.85rem}
code{background:#f4f4f4;padding:0 .2rem}.jp-InputArea,.input_area,.jp-InputPrompt,.jp-OutputPrompt{display:none}
"""


def write_html(nb: nbformat.NotebookNode, target: Path, title: str) -> Path:
    from critmin.book.build import vega_bundle

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input", "hide-input"}
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    body, _ = HTMLExporter(config=c, template_name="basic").from_notebook_node(nb)
    # The book's chart script (drawing, data download), shipped with the package's checkout.
    chart_js = (Path(__file__).resolve().parents[3] / "book" / "_static" / "critmin-charts.js").read_text(
        encoding="utf-8")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script>\n{vega_bundle()}</script><script>\n{chart_js}\n</script></head><body>\n{body}\n"
        "</body></html>\n"
    )
    target.write_text(page, encoding="utf-8")
    return target
