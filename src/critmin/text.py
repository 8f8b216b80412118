"""Words and numbers for prose and tables: one formatter per kind of figure, and the shared vocabularies.

Pure functions (no IPython, no pandas display): every page states a figure of a kind the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

MISSING = "–"

# ------------------------------------------------------------------------------------------------ numbers


def _missing(x) -> bool:
    return x is None or (not isinstance(x, str) and pd.isna(x))


def num(x: float, digits: int = 0) -> str:
    """12345.6 → '12,346'."""
    return f"{x:,.{digits}f}"


def pct(x: float, digits: int = 0) -> str:
    """0.6923 → '69%' (a share given as a fraction)."""
    return f"{x * 100:.{digits}f}%"


def share_text(x: float | None) -> str:
    """The book's one way to state a share (a fraction): one decimal, '<0.1%' for tiny positive shares.

    0.444 → '44.4%'; 1.0 → '100%'; 0 → '0%'; 0.0002 → '<0.1%'; missing → '–'.
    """
    if _missing(x):
        return MISSING
    if x == 0:
        return "0%"
    if 0 < x < 0.0005:
        return "<0.1%"
    if x == 1:
        return "100%"
    return pct(x, 1)


def points_text(x: float) -> str:
    """A change of share (fractions) in percentage points: 0.0123 → '1.2 percentage points'."""
    digits = 1 if abs(x) >= 0.001 or x == 0 else 2
    return f"{abs(x) * 100:.{digits}f} percentage points"


def signed(x: float, digits: int = 2) -> str:
    """+0.33 / −1.00 / 0.00, with a true minus sign (a hyphen reads as a dash in prose)."""
    if _missing(x):
        return MISSING
    if round(x, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{'+' if x > 0 else '−'}{abs(x):.{digits}f}"


def number_text(v) -> str:
    """A table number: thousands separators, one decimal below 100 where it is not whole."""
    if _missing(v):
        return MISSING
    return num(v, 0 if float(v).is_integer() or abs(v) >= 100 else 1)


def round_sig(x: float, sig: int = 2) -> float:
    """Round to `sig` significant figures: 6,646,667 → 6,600,000 (results stated no finer than the data)."""
    if _missing(x) or x == 0:
        return x
    from math import floor, log10

    return round(x, -int(floor(log10(abs(x)))) + (sig - 1))


# ------------------------------------------------------------------------------------ quantities and units

UNIT_IN_T = {"g": 1e-6, "kg": 1e-3, "t": 1.0, "kt": 1e3, "Mt": 1e6}
UNIT_SHORT = {"g": "g", "kg": "kg", "t": "t", "kt": "thousand t", "Mt": "million t"}
UNIT_LONG = {"g": "grams", "kg": "kilograms", "t": "tonnes", "kt": "thousand tonnes (kt)", "Mt": "million tonnes (Mt)"}


def to_unit(value, from_unit: str, to: str):
    """Convert between g, kg, t, kt and Mt (numbers or Series)."""
    return value * UNIT_IN_T[from_unit] / UNIT_IN_T[to]


def quantity(value: float, unit: str) -> str:
    """12345.0, 't' → '12,345 t'; one decimal for small non-integer values."""
    if _missing(value):
        return MISSING
    return f"{number_text(value)} {UNIT_SHORT.get(unit, unit)}"


def tonnes_text(t: float, sig: int | None = None) -> str:
    """Tonnes in words a reader can take in: '1,200 t', '450,000 t', '6.6 million t'.

    With `sig`, the figure is first rounded to that many significant figures.
    """
    if _missing(t):
        return MISSING
    if sig:
        t = round_sig(t, sig)
    if abs(t) >= 1e6:
        v = t / 1e6
        return f"{v:,.{0 if v == round(v) else (1 if v * 10 == round(v * 10) else 2)}f} million t"
    if abs(t) >= 100 or float(t).is_integer():
        return f"{t:,.0f} t"
    return f"{t:,.1f} t"


# ---------------------------------------------------------------------------------------------- dollars


def usd(amount: float, digits: int | None = None, *, markdown: bool = True) -> str:
    """US dollars for prose: 'US$500 million', 'US$4.2 billion'. The '$' is escaped for Markdown unless
    `markdown=False` (a '$' would start a formula in the book)."""
    sign = "US\\$" if markdown else "US$"
    a = float(amount)
    if abs(a) >= 1e9:
        v, word = a / 1e9, "billion"
    elif abs(a) >= 1e6:
        v, word = a / 1e6, "million"
    else:
        return f"{'−' if a < 0 else ''}{sign}{abs(a):,.0f}"
    if digits is None:
        digits = 0 if v == round(v) else (1 if v * 10 == round(v * 10) else 2)
    return f"{'−' if v < 0 else ''}{sign}{abs(v):,.{digits}f} {word}"


def usd_millions(value_m: float, *, markdown: bool = True) -> str:
    """A figure given in millions of US dollars, signed with a true minus: '−US$12 million'."""
    sign = "US\\$" if markdown else "US$"
    return f"{'−' if value_m < 0 else ''}{sign}{num(abs(value_m))} million"


# --------------------------------------------------------------------------------------- dates and years


def date_text(ts, precision: str = "day") -> str:
    """'8 September 2025'; 'September 2025' when only the month is known; '2025' when only the year is."""
    if _missing(ts):
        return "date not given"
    ts = pd.Timestamp(ts)
    if precision == "year":
        return str(ts.year)
    if precision == "month":
        return ts.strftime("%B %Y")
    return f"{ts.day} {ts.strftime('%B %Y')}"


def span(lo, hi) -> str:
    """'2018–2024', or '2024' when both ends are one."""
    return str(lo) if lo == hi else f"{lo}–{hi}"


def years_text(years: Iterable[int]) -> str:
    """Years for prose: '2019–2024' for a run, '2019, 2021 and 2024' otherwise; 'no year' when empty."""
    years = sorted({int(y) for y in years})
    if not years:
        return "no year"
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return and_list([str(y) for y in years])


# ---------------------------------------------------------------------------------------------- lists


def and_list(items: Sequence, conj: str = "and") -> str:
    """['a', 'b', 'c'] → 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def bullets(lines: Sequence[str]) -> str:
    """A Markdown bullet list."""
    return "\n".join(f"- {line}" for line in lines)


# ---------------------------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\$*_<>\[\]|#])")


def md_escape(text) -> str:
    """Plain text for the book's Markdown: punctuation that would start maths, emphasis, links or a table cell
    escaped outside `code spans`, whitespace folded."""
    text = " ".join(str(text).split())
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: escape it too
        return _MD_SPECIAL.sub(r"\\\1", text).replace("`", "\\`")
    return "`".join(p if i % 2 else _MD_SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


def md_link(label: str, url: str) -> str:
    """A Markdown link; the label is escaped, the URL's spaces and parentheses encoded."""
    if not str(url).startswith(("http://", "https://")):
        return md_escape(label)
    return f"[{md_escape(label)}]({str(url).replace(' ', '%20').replace('(', '%28').replace(')', '%29')})"


def md_table(df: pd.DataFrame, columns: Mapping[str, str] | None = None, raw: Iterable[str] = ()) -> str:
    """A frame as a Markdown table, ending with a newline.

    `columns` maps the frame's columns to their headers, in the order shown (every column, under its own name,
    by default). Cells are escaped and missing values shown as '–', except in the `raw` columns, which already
    hold Markdown (links) and are only folded onto one line.
    """
    columns = dict(columns) if columns is not None else {c: str(c) for c in df.columns}
    raw = set(raw)

    def cell(col, v) -> str:
        if _missing(v):
            return MISSING
        return " ".join(str(v).split()) if col in raw else md_escape(v)

    head = "| " + " | ".join(md_escape(h) for h in columns.values()) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    rows = ["| " + " | ".join(cell(c, v) for c, v in zip(columns, r, strict=True)) + " |"
            for r in df[list(columns)].itertuples(index=False)]
    return "\n".join([head, rule, *rows]) + "\n"


# ------------------------------------------------------------------------------------------ vocabularies

# Reliability codes of the fact tables (events, deals, claims, indicators): one spelling for the book.
RELIABILITY = {
    "P": "primary or official source",
    "N": "news report",
    "M": "mirror or aggregator copy",
    "O": "opinion or analysis",
}
# The same codes as a noun phrase inside a sentence ("… from a news report").
RELIABILITY_PHRASE = {code: f"{'an' if label[0] in 'aeiou' else 'a'} {label}" for code, label in RELIABILITY.items()}


def source_link(outlet: str, url: str, reliability: str | None = None) -> str:
    """'[Dawn](https://…) (news report)': a Markdown link to a report, with its reliability code in words."""
    label = md_link(outlet, url)
    if reliability and reliability in RELIABILITY:
        label += f" ({RELIABILITY[reliability]})"
    return label
