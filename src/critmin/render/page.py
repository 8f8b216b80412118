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
    display(HTML('<div class="critmin-sources"><h2>Sources</h2><ul>' + "".join(unique) + "</ul></div>"
                 + _stated_comment()))


def table(df, *, caption: str | None = None, formats: dict | None = None, sortable: bool = True,
          index: bool = False) -> None:
    """Show a table readers can sort by clicking a column header (sorting needs the book's JavaScript).

    `formats` maps a column to a format string ("{:.1%}") or a function; missing values show as "–".
    """
    formats = formats or {}
    shown = df.copy()
    for col in shown.columns:
        fmt = formats.get(col)
        if fmt is None:
            continue
        f = fmt.format if isinstance(fmt, str) else fmt
        shown[col] = [("–" if pd.isna(v) else f(v)) for v in shown[col]]
    body = shown.to_html(index=index, na_rep="–", border=0, escape=True,
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
