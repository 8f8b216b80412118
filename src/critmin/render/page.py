"""Helpers a notebook page calls: prose with computed numbers, the parameter box, and the sources footer."""

from __future__ import annotations

import html
import shlex
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML, Markdown, display

from critmin import data, paths
from critmin.data import package as datapackage
from critmin.render import charts, deps  # noqa: F401  (registers the theme and the offline renderer)
from critmin.text import MISSING, number_text, quantity, usd


def md(text: str) -> None:
    """Show prose whose figures were computed in the cell (rendered as Markdown in the book)."""
    display(Markdown(text))


def notebook_parameters(notebook: str) -> dict:
    """Parameters declared in a source notebook's `parameters` cell (name → papermill's description)."""
    import papermill

    return papermill.inspect_notebook(str(paths.NOTEBOOKS / f"{notebook}.ipynb"))


def rerun_command(notebook: str, params: dict) -> str:
    args = " ".join(f"-p {k} {shlex.quote(_as_arg(v))}" for k, v in params.items())
    return f'make run NB={notebook} ARGS="{args}"' if args else f"make run NB={notebook}"


def _as_arg(v) -> str:
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return str(v)


def show_parameters(notebook: str, **params) -> None:
    """The box at the top of a parameterised page: its parameter values and the command that reruns it.

    The names must be exactly those of the notebook's `parameters` cell, so the box cannot drift from it.
    """
    declared = notebook_parameters(notebook)
    if set(params) != set(declared):
        raise ValueError(f"show_parameters({notebook!r}) got {sorted(params)}; the notebook declares {sorted(declared)}")
    rows = "".join(
        f"<tr><th scope=\"row\"><code>{html.escape(k)}</code></th><td><code>{html.escape(repr(v))}</code></td>"
        f"<td>{html.escape(declared[k].get('help') or '')}</td></tr>"
        for k, v in params.items()
    )
    cmd = html.escape(rerun_command(notebook, params))
    display(HTML(
        '<div class="admonition note critmin-params"><p class="admonition-title">Parameters of this page</p>'
        f'<table class="table"><tbody>{rows}</tbody></table>'
        f"<p>Rerun with other values: <code>{cmd}</code></p></div>"
    ))


def sources_footer() -> None:
    """List the sources of every dataset this page read, from the data package's metadata."""
    items = []
    for name in data.READ:
        res = datapackage.resource(name)
        for s in res.get("sources", []):
            link = s.get("path", "")
            title = html.escape(s.get("title", ""))
            title = f'<a href="{html.escape(link)}">{title}</a>' if link.startswith("http") else title
            edition = f", {html.escape(s['edition'])}" if s.get("edition") else ""
            lic = ", ".join(html.escape(l.get("title") or l.get("name", "")) for l in res.get("licenses", []))
            items.append(
                f"<li>{html.escape(s.get('publisher', ''))}, <em>{title}</em>{edition}"
                f" (accessed {html.escape(str(s.get('accessed', '')))}). Licence: {lic}."
                f" Dataset: <code>{html.escape(res['path'])}</code></li>"
            )
    unique = list(dict.fromkeys(items))
    deps.record_modules()
    display(HTML(sources_html(unique) + _stated_comment()))


def sources_html(items: list[str]) -> str:
    """The sources list, collapsed: long pages end with a one-line box the reader opens when needed."""
    n = len(items)
    return ('<details class="critmin-sources"><summary><h2>Sources</h2> '
            f'({n} source{"" if n == 1 else "s"}, licences and dataset files)</summary><ul>'
            + "".join(items) + "</ul></details>")


# Units as a table states them: in the header when a column has one unit, beside each value otherwise.
UNIT_WORDS = {"usd": "US$", "percent": "%", "t_per_year": "t a year", "usd_per_t": "US$ per t",
              "t_ore_per_day": "t of ore a day", "km2": "km²", "persons": "people", "count": "", "rank": "",
              "calendar_year": "", "years": "years"}


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v)) or v == "None"


def value_text(value, unit: str | None) -> str:
    """A value with its unit for a table cell: 550000000 usd → 'US$550 million'; 2.1 percent → '2.1%';
    130 kt → '130 thousand t'; a missing value → '–'."""
    if _missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    unit = "" if unit is None or (not isinstance(unit, str) and pd.isna(unit)) else str(unit)
    if unit == "usd":
        return usd(value, markdown=False)
    if unit == "usd_per_t":
        return f"US${number_text(value)} per t"
    if unit == "percent":
        return f"{number_text(value)}%"
    if unit in ("calendar_year", "rank"):
        return f"{int(value)}" if float(value).is_integer() else number_text(value)
    if unit in ("g", "kg", "t", "kt", "Mt"):
        return quantity(value, unit)
    word = UNIT_WORDS.get(unit, unit.replace("_", " "))
    return f"{number_text(value)} {word}".strip()


def heading(name) -> str:
    """A column name as a header: 'world_total' → 'World total'; names already written for readers are kept."""
    name = str(name)
    if "_" in name or name.islower():
        words = name.replace("_", " ").strip()
        return words[:1].upper() + words[1:]
    return name


def _is_year(name: str, col: pd.Series) -> bool:
    return "year" in name.lower() and pd.api.types.is_numeric_dtype(col)


def readable(df: pd.DataFrame, formats: dict | None = None, units: dict | None = None) -> pd.DataFrame:
    """The frame as a reader sees it: every cell text, units in the headers, missing values as '–'.

    `formats` maps a column to a format string ("{:.1%}") or a function. A value column next to a `unit`
    column (named value/Value or the column just before it) is written with its unit: in the header when
    the unit is the same in every row ("Output (kt)"), in each cell otherwise ("US$550 million"). Other
    numeric columns get thousands separators (years and ranks none). `units` adds a unit to a header.
    """
    formats = dict(formats or {})
    units = dict(units or {})
    shown = df.copy()
    unit_col = next((c for c in shown.columns if str(c).lower() == "unit"), None)
    if unit_col is not None:
        cols = list(shown.columns)
        named = [c for c in cols if str(c).lower() == "value"]
        value_col = named[0] if named else (cols[cols.index(unit_col) - 1] if cols.index(unit_col) else None)
        if value_col is not None:
            own = formats.get(value_col)
            own = (own.format if isinstance(own, str) else own) or (lambda v: value_text(v, None))
            unit_values = shown[unit_col].dropna().unique()
            if len(unit_values) == 1 and unit_values[0] != "usd":
                u = unit_values[0]
                word = UNIT_WORDS.get(u, u)
                shown[value_col] = [MISSING if _missing(v) else (value_text(v, u) if u in ("calendar_year", "rank")
                                                                 else own(v)) for v in shown[value_col]]
                if word:
                    units.setdefault(value_col, word)
            else:
                shown[value_col] = [value_text(v, u) for v, u in zip(shown[value_col], shown[unit_col], strict=True)]
            shown = shown.drop(columns=[unit_col])
            formats[value_col] = str
    for col in shown.columns:
        fmt = formats.get(col)
        values = shown[col]
        if fmt is None:
            if pd.api.types.is_bool_dtype(values):
                f = lambda v: "yes" if v else "no"  # noqa: E731
            elif _is_year(str(col), values) or str(col).lower() in ("rank", "n_producers"):
                f = lambda v: f"{int(v)}" if float(v).is_integer() else number_text(v)  # noqa: E731
            elif pd.api.types.is_numeric_dtype(values):
                f = number_text
            else:
                f = str
        else:
            f = fmt.format if isinstance(fmt, str) else fmt
        shown[col] = [MISSING if _missing(v) else f(v) for v in values]
    return shown.rename(columns={c: heading(c) + (f" ({units[c]})" if c in units else "") for c in shown.columns})


def table(df, *, caption: str | None = None, formats: dict | None = None, sortable: bool = True,
          index: bool = False, units: dict | None = None) -> None:
    """Show a table readers can sort by clicking a column header (sorting needs the book's JavaScript).

    Cells are written by :func:`readable`: `formats` maps a column to a format string ("{:.1%}") or a
    function, `units` a column to the unit its header names; missing values show as "–".
    """
    if index:
        df = df.reset_index()
    shown = readable(df, formats, units)
    body = shown.to_html(index=False, na_rep=MISSING, border=0, escape=True,
                         classes=["table", "critmin-table"] + (["sortable"] if sortable else []))
    if caption:
        body = body.replace(">\n  <thead>", f">\n  <caption>{html.escape(caption)}</caption>\n  <thead>", 1)
    display(HTML(body))


@dataclass
class Table:
    """A table ready for :func:`table`: the frame, its caption and its column formats."""

    frame: pd.DataFrame
    caption: str
    formats: dict = field(default_factory=dict)

    def show(self) -> None:
        table(self.frame, caption=self.caption, formats=self.formats)


def show(*items) -> None:
    """Show prose, tables and charts in the order given.

    A string is prose (:func:`md`), a :class:`Table` goes to :func:`table`, lists
    and tuples are shown item by item, ``None`` (a section with nothing of that kind) is skipped, and
    anything else, such as a chart, is displayed as it is.
    """
    for item in items:
        if item is None:
            continue
        if isinstance(item, str):
            md(item)
        elif isinstance(item, Table):
            item.show()
        elif isinstance(item, (list, tuple)):
            show(*item)
        else:
            display(item)


# ---------------------------------------------------------------------------------------------------------
# figures a page states, recorded so a test can check that every page states a figure the same way

STATED: list[dict] = []


def state(text: str, *, metric: str, mineral: str, country: str, year: int, stage: str = "") -> str:
    """Record a figure the page states (its key and the words it is stated in) and return the words.

    The sources footer writes the record into the page as an HTML comment; tests/test_figures.py fails when two
    pages state different words for one key (metric, mineral, stage, country, year).
    """
    STATED.append({"metric": metric, "mineral": mineral, "stage": stage or "", "country": country,
                   "year": int(year), "text": text})
    return text


def _stated_comment() -> str:
    import json

    if not STATED:
        return ""
    unique = {json.dumps(s, sort_keys=True): s for s in STATED}
    body = json.dumps(sorted(unique.values(), key=lambda s: json.dumps(s, sort_keys=True)), ensure_ascii=False)
    return f"<!-- critmin-figures {html.escape(body, quote=False).replace('--', '&#45;&#45;')} -->"
