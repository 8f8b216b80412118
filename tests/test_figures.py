"""A figure is stated the same way on every page that states it.

Each page records the figures it states (metric, mineral, stage, country, year → the words on the page) in its
sources footer; this test reads every committed page and fails when two pages state one key differently.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict

import nbformat

from critmin import paths
from critmin.render import page

COMMENT = re.compile(r"<!-- critmin-figures (.*?) -->", re.S)


def stated(nb) -> list[dict]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            for m in COMMENT.finditer(text):
                out += json.loads(html.unescape(m.group(1)))
    return out


def test_the_recorder_round_trips_through_the_footer_comment(monkeypatch):
    monkeypatch.setattr(page, "STATED", [])
    assert page.state("44.9%", metric="production_share", mineral="copper", stage="refinery", country="CHN",
                      year=2024) == "44.9%"
    page.state("a <b> -- c", metric="m", mineral="x", country="CHN", year=2024)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": "<div></div>" + page._stated_comment()})])])
    got = stated(nb)
    assert {g["text"] for g in got} == {"44.9%", "a <b> -- c"}
    assert "--" not in page._stated_comment()[4:-3]


def test_every_page_states_a_figure_the_same_way():
    by_key: dict[tuple, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    n = 0
    for path in sorted(paths.PAGES.glob("*.ipynb")):
        for s in stated(nbformat.read(path, as_version=4)):
            key = (s["metric"], s["mineral"], s["stage"], s["country"], s["year"])
            by_key[key][s["text"]].append(path.stem)
            n += 1
    assert n > 0, "no page records the figures it states"
    clashes = {k: dict(v) for k, v in by_key.items() if len(v) > 1}
    assert not clashes, "pages state one figure differently:\n" + "\n".join(
        f"{k}: " + "; ".join(f"{t} on {', '.join(sorted(set(ps)))}" for t, ps in v.items()) for k, v in clashes.items())
