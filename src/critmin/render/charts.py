"""One chart setup for every page: theme (light and dark), offline renderer with stable ids, source lines,
descriptions and the chart's data offered to the reader."""

from __future__ import annotations

import hashlib
import html
import json
import re
import textwrap

import altair as alt

from critmin.data import package as datapackage

# Okabe–Ito: distinguishable with the common forms of colour blindness. China gets the first colour
# everywhere so a reader can follow it from chart to chart.
PALETTE = ["#D55E00", "#0072B2", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000", "#999999"]
CHINA = PALETTE[0]
OTHERS = "#999999"
INK = "#1a1a1a"  # text and labels drawn on the page's background
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

_ids: dict[str, int] = {}


# The book's dark mode (pydata-sphinx-theme's colours): text, grid and axis lines for a dark page. The page's
# script merges these into the chart's config when the page is dark, and redraws when the reader switches.
DARK_TEXT = "#ced6dd"
DARK_MUTED = "#9ca4af"
DARK_CONFIG = {
    "title": {"color": DARK_TEXT, "subtitleColor": DARK_MUTED},
    "axis": {"labelColor": DARK_TEXT, "titleColor": DARK_TEXT, "gridColor": "#364150", "domainColor": DARK_MUTED,
             "tickColor": DARK_MUTED},
    "legend": {"labelColor": DARK_TEXT, "titleColor": DARK_TEXT},
    "header": {"labelColor": DARK_TEXT, "titleColor": DARK_TEXT},
    "text": {"color": DARK_TEXT},
}
# Fixed greys and black used for reference marks (rules, event lines, the black palette entry) and their
# dark-mode counterparts. "#222" and "white" are not swapped: charts use them for text on coloured cells.
INK_DARK = {INK: DARK_TEXT, "#000": "#e6e6e6", "#000000": "#e6e6e6", "black": "#e6e6e6", "#333": "#c8c8c8",
            "#444": "#b4b4b4", "#555": "#a8a8a8", "#888": "#9a9a9a"}


@alt.theme.register("critmin", enable=True)
def theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            # Transparent: the chart sits on the page's own background, light or dark.
            "background": "transparent",
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 320},
            "title": {"fontSize": 15, "fontWeight": 600, "anchor": "start", "subtitleFontSize": 12,
                      "color": INK, "subtitleColor": "#555", "offset": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": 500, "gridColor": "#e6e6e6",
                     "domainColor": "#888", "tickColor": "#888", "labelLimit": 220, "labelColor": INK,
                     "titleColor": INK},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "labelLimit": 260,
                       "labelColor": INK, "titleColor": INK},
            "header": {"labelColor": INK, "titleColor": INK},
            "range": {"category": PALETTE},
            "bar": {"color": PALETTE[1]},
            "line": {"strokeWidth": 2.5},
            "point": {"filled": True, "size": 50},
        }
    }


def finish(chart: alt.TopLevelMixin, *, title: str, description: str, sources: list[str] | str,
           subtitle: str | None = None) -> alt.TopLevelMixin:
    """Give a chart its finding as title, a source line from the data package, and a text description.

    `sources` are data-package resource names; the line is generated from their metadata.
    `description` is what a screen reader announces: say what the chart shows and its main finding.
    """
    lines = [subtitle] if subtitle else []
    lines += textwrap.wrap(datapackage.source_line(sources), width=100)
    # Vega-Lite does not wrap titles: split long ones into lines so narrow columns do not cut them off.
    text = textwrap.wrap(title, width=80) or [title]
    return chart.properties(title=alt.TitleParams(text=text if len(text) > 1 else title, subtitle=lines),
                            description=description)


def _chart_id(spec: dict) -> str:
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    n = _ids.get(digest, 0)
    _ids[digest] = n + 1
    return f"chart-{digest}" + (f"-{n}" if n else "")


def _round_floats(obj, digits: int = 10):
    # Last-bit differences in floating-point sums (other CPUs, other BLAS paths) must not change a page.
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: _round_floats(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round_floats(v, digits) for v in obj]
    return obj


def _referenced(obj, found: set[str]) -> set[str]:
    """Every string in a spec outside its data, plus the fields named in expressions (`datum.x`)."""
    if isinstance(obj, str):
        found.add(obj)
        found.update(re.findall(r"datum\.([A-Za-z_]\w*)", obj))
        found.update(re.findall(r"datum\[['\"]([^'\"]+)['\"]\]", obj))
        found.update(part for part in re.split(r"[.\\]", obj) if part)  # nested fields "a.b"
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if k not in ("datasets", "values"):
                _referenced(v, found)
    elif isinstance(obj, list):
        for v in obj:
            _referenced(v, found)
    return found


def _prune_datasets(spec: dict) -> dict:
    """Drop the columns no encoding, tooltip or transform refers to: Altair embeds every column of a frame,
    and unused ones only make the page heavier."""
    if "datasets" not in spec:
        return spec
    used = _referenced(spec, set())
    pruned = {}
    for name, rows in spec["datasets"].items():
        if rows and all(isinstance(r, dict) for r in rows):
            rows = [{k: v for k, v in r.items() if k in used} for r in rows]
        pruned[name] = rows
    return {**spec, "datasets": pruned}


def _pack(rows: list) -> dict | list:
    """Column-wise, dictionary-encoded rows: the page unpacks them before drawing. Long tables with repeated
    labels (sources, series names) shrink several-fold; the data Vega sees are unchanged."""
    if len(rows) < 20 or not all(isinstance(r, dict) for r in rows):
        return rows
    keys = list(rows[0])
    if any(list(r) != keys for r in rows):
        return rows
    cols = []
    for k in keys:
        values = [r[k] for r in rows]
        index: dict[str, int] = {}
        uniq, codes = [], []
        for v in values:
            key = json.dumps(v, sort_keys=True)
            if key not in index:
                index[key] = len(uniq)
                uniq.append(v)
            codes.append(index[key])
        cols.append([k, {"u": uniq, "i": codes} if len(uniq) * 2 <= len(values) else {"v": values}])
    return {"packed": len(rows), "cols": cols}


def unpack(data):
    """The rows :func:`_pack` packed (what the page's script does before drawing)."""
    if not isinstance(data, dict) or "packed" not in data:
        return data
    rows = [{} for _ in range(data["packed"])]
    for name, col in data["cols"]:
        for r, row in enumerate(rows):
            row[name] = col["u"][col["i"][r]] if "u" in col else col["v"][r]
    return rows


def _fields(obj, found: dict) -> dict:
    """Field → (title, format) from a spec's encodings and tooltips, in the order they appear: the column
    headings of the chart's data table and CSV."""
    if isinstance(obj, dict):
        f = obj.get("field")
        if isinstance(f, str):
            title, fmt = found.get(f, ("", ""))
            new_title = obj.get("title")
            new_title = " ".join(new_title) if isinstance(new_title, list) else new_title
            new_fmt = obj.get("format")
            found[f] = (title or (new_title if isinstance(new_title, str) else ""),
                        fmt or (new_fmt if isinstance(new_fmt, str) else ""))
        for k, v in obj.items():
            if k not in ("datasets", "values", "usermeta"):
                _fields(v, found)
    elif isinstance(obj, list):
        for v in obj:
            _fields(v, found)
    return found


def _title_text(spec: dict) -> str:
    title = spec.get("title", {})
    title = title.get("text", "") if isinstance(title, dict) else (title or "")
    return " ".join(title) if isinstance(title, list) else title


def _slug(text: str, limit: int = 60) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (words[:limit].rsplit("-", 1)[0] if len(words) > limit else words) or "chart"


def page_spec(spec: dict) -> dict:
    """The spec as the page embeds it: rounded, unused columns dropped, a description for screen readers
    (Vega turns the top-level description into the SVG's aria-label), and, in `usermeta`, the dark-mode
    colours and the column headings of the chart's data."""
    spec = _prune_datasets(_round_floats(spec, digits=8))
    if not spec.get("description"):
        spec = {**spec, "description": _title_text(spec) or "Chart"}
    fields = [[f, t or f, fmt] for f, (t, fmt) in _fields(spec, {}).items()]
    meta = {"dark": {"config": DARK_CONFIG, "ink": INK_DARK}, "fields": fields,
            "file": _slug(_title_text(spec) or spec["description"])}
    return {**spec, "usermeta": {**spec.get("usermeta", {}), "critmin": meta}}


SPEC_RE = re.compile(r'<script type="application/json" id="(chart-[0-9a-f]+(?:-\d+)?)-spec">(.*?)</script>', re.S)


def specs_in(html_text: str) -> list[tuple[str, dict]]:
    """(chart id, Vega-Lite spec with its data unpacked) for every chart in a page's HTML."""
    out = []
    for cid, payload in SPEC_RE.findall(html_text):
        spec = json.loads(payload)
        if "datasets" in spec:
            spec["datasets"] = {k: unpack(v) for k, v in spec["datasets"].items()}
        out.append((cid, spec))
    return out


def html_for(spec: dict) -> str:
    """The HTML a page embeds for a chart: a div with a stable id that the book's critmin-charts.js draws into
    with the locally served vega-embed, the spec as JSON, and a collapsed box with the chart's description,
    a CSV download and a table of its data (built from the same data when the reader opens the box)."""
    spec = page_spec(spec)
    cid = _chart_id(spec)
    if "datasets" in spec:
        spec = {**spec, "datasets": {k: _pack(v) for k, v in spec["datasets"].items()}}
    desc = html.escape(spec["description"])
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return (f'<figure class="critmin-chart"><div id="{cid}" class="critmin-chart-view" role="img" aria-label="{desc}">'
            f'</div>\n<details class="critmin-chart-data" id="{cid}-data"><summary>Description and data</summary>'
            f'<p class="critmin-chart-description">{desc}</p><p class="critmin-chart-downloads"></p>'
            f'<div class="critmin-chart-rows"></div></details>\n'
            f'<script type="application/json" id="{cid}-spec">{payload}</script>\n'
            f'<script type="text/javascript">critminChart("{cid}");</script></figure>')


def _renderer(spec: dict, **_) -> dict:
    return {"text/html": html_for(spec), "text/plain": f"[chart] {_title_text(spec)}"}


alt.renderers.register("critmin", _renderer)
alt.renderers.enable("critmin")
# Charts carry their data inside the page: pages aggregate in pandas first, and Altair's default row
# limit stays on as a guard against embedding a raw table by mistake.
