"""One chart setup for every page: theme, offline renderer with stable ids, source lines and descriptions."""

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
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

_ids: dict[str, int] = {}


@alt.theme.register("critmin", enable=True)
def theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 320},
            "title": {"fontSize": 15, "fontWeight": 600, "anchor": "start", "subtitleFontSize": 12,
                      "subtitleColor": "#555", "offset": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": 500, "gridColor": "#e6e6e6",
                     "domainColor": "#888", "tickColor": "#888", "labelLimit": 220},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "labelLimit": 260},
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


# Rebuilds the rows packed by _pack, in the page, before vega-embed sees the spec.
_UNPACK = ("function unpack(p){if(!p||!p.packed)return p;var n=p.packed,rows=[];for(var r=0;r<n;r++)rows.push({});"
           "p.cols.forEach(function(c){var k=c[0],d=c[1];for(var r=0;r<n;r++)rows[r][k]=d.u?d.u[d.i[r]]:d.v[r];});"
           "return rows;}"
           "if(spec.datasets){Object.keys(spec.datasets).forEach(function(k){spec.datasets[k]=unpack(spec.datasets[k]);});}")


def html_for(spec: dict) -> str:
    """The HTML a page embeds for a chart: a div with a stable id and a call to the locally served vega-embed."""
    spec = _prune_datasets(_round_floats(spec, digits=8))
    cid = _chart_id(spec)
    if "datasets" in spec:
        spec = {**spec, "datasets": {k: _pack(v) for k, v in spec["datasets"].items()}}
    desc = spec.get("description") or "Chart"
    payload = json.dumps(spec, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    figure = (f'<figure class="critmin-chart"><div id="{cid}" role="img" aria-label="{html.escape(desc)}"></div>'
              f'<figcaption class="visually-hidden">{html.escape(desc)}</figcaption></figure>\n')
    draw = ("function draw(){window.vegaEmbed('#" + cid + "',spec,{actions:false,renderer:'svg'})"
            ".catch(function(e){console.error('chart " + cid + ": '+e);});}"
            "if(window.vegaEmbed){draw();}else{window.addEventListener('load',draw);}")
    return (figure + '<script type="text/javascript">(function(){var spec=' + payload + ";" + _UNPACK + draw
            + "})();</script>")


def _renderer(spec: dict, **_) -> dict:
    title = spec.get("title", {})
    title = title.get("text", "") if isinstance(title, dict) else (title or "")
    title = " ".join(title) if isinstance(title, list) else title
    return {"text/html": html_for(spec), "text/plain": f"[chart] {title}"}


alt.renderers.register("critmin", _renderer)
alt.renderers.enable("critmin")
# Charts carry their data inside the page: pages aggregate in pandas first, and Altair's default row
# limit stays on as a guard against embedding a raw table by mistake.
