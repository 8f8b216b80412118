"""The USSM–FWO deal chapter: its facts with their sources, the 2023–2026 timeline and deal sizes by kind of money.

Everything here works on the ``events`` and ``deals`` tables (see data/meta/events.yaml and deals.yaml) and
returns small frames or Markdown a page can show directly. Facts are never typed here: a fact is a row of
those tables, and every row carries the report it comes from.
"""

from __future__ import annotations

import pandas as pd

from .params import ParameterError

__all__ = [
    "KIND_LABELS",
    "MONEY_KIND_LABELS",
    "RELIABILITY_LABELS",
    "DEAL_ID",
    "FACT_SECTIONS",
    "parse_date",
    "parse_window",
    "source_link",
    "fmt_date",
    "usd",
    "deal_facts",
    "facts_markdown",
    "timeline",
    "sized_deals",
    "unsized_deals",
    "within_kind",
]

DEAL_ID = "ussm-fwo-mou"

KIND_LABELS = {
    "china_export_control": "China's export controls",
    "pakistan_us_deal": "USSM–FWO deal and follow-ups",
    "us_minerals_deal": "US minerals deals with other countries",
    "reko_diq": "Reko Diq",
    "pakistan_china": "Pakistan–China",
    "pakistan_france": "Pakistan–France",
    "other": "Other",
}

MONEY_KIND_LABELS = {
    "mou_intent": "MoU or stated intent",
    "framework": "Intergovernmental framework",
    "pipeline": "Project pipeline",
    "loan": "Loan (pledged, approved or sought)",
    "equity": "Equity stake",
    "grant": "Grant",
    "investment_plan": "Planned project cost",
    "other": "Other (guarantee, lease, money already spent)",
}

RELIABILITY_LABELS = {
    "P": "primary or official",
    "N": "news outlet",
    "M": "mirror or aggregator copy",
    "O": "opinion or analysis",
}

# Which rows of the fact tables tell the story of the deal, in reading order: (section, table, id).
# NOTE: the choice of rows is editorial; every fact shown still comes from its row and cites its report.
FACT_SECTIONS: list[tuple[str, str, str]] = [
    ("What was signed", "events", "ussm-fwo-mou-signed"),
    ("What was signed", "deals", DEAL_ID),
    ("What was signed", "events", "ussm-fwo-phasing-reported"),
    ("What was signed", "events", "nlc-mota-engil-mou"),
    ("What was signed", "events", "us-charge-welcomes-ussm-fwo-mou"),
    ("What was signed", "events", "white-house-meeting-mineral-samples"),
    ("First shipment", "events", "ussm-first-shipment"),
    ("First shipment", "events", "ft-ussm-plant-not-operating"),
    ("Reactions", "events", "pti-demands-disclosure"),
    ("Reactions", "events", "rabbani-article-172"),
    ("Reactions", "events", "china-mfa-on-pakistan-us-cooperation"),
    ("Reactions", "events", "ussm-fwo-not-binding-analysis"),
    ("Follow-up", "events", "critical-minerals-forum-visit"),
]


def parse_date(name: str, value) -> pd.Timestamp:
    """A YYYY-MM-DD page parameter as a Timestamp, or ParameterError saying what is expected."""
    text = str(value).strip()
    try:
        ts = pd.to_datetime(text, format="%Y-%m-%d")
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r} is not a date; expected YYYY-MM-DD, e.g. 2025-01-01") from None
    return ts


def parse_window(start, end, *, earliest: str = "2000-01-01", latest: str = "2030-12-31") -> tuple[pd.Timestamp, pd.Timestamp]:
    """Two date parameters that must form a window (start before end) inside the range the tables can cover."""
    s, e = parse_date("start", start), parse_date("end", end)
    lo, hi = pd.Timestamp(earliest), pd.Timestamp(latest)
    for name, ts, raw in (("start", s, start), ("end", e, end)):
        if not lo <= ts <= hi:
            raise ParameterError(f"{name}={raw!r} is out of range; allowed: {earliest} to {latest}")
    if s >= e:
        raise ParameterError(f"start={start!r} must be before end={end!r}")
    return s, e


def _md_escape(text: str) -> str:
    """Text safe inside a Markdown table cell or link label (a '$' must not start a formula)."""
    out = str(text).replace("\\", "\\\\")
    for ch in "|[]$*_":
        out = out.replace(ch, "\\" + ch)
    return out


def usd(amount: float, digits: int | None = None) -> str:
    """US dollars for prose, with the dollar sign escaped for Markdown: 'US\\$500 million', 'US\\$4.2 billion'."""
    a = float(amount)
    if abs(a) >= 1e9:
        v, word = a / 1e9, "billion"
    elif abs(a) >= 1e6:
        v, word = a / 1e6, "million"
    else:
        return f"US\\${a:,.0f}"
    if digits is None:
        digits = 0 if v == round(v) else (1 if v * 10 == round(v * 10) else 2)
    return f"US\\${v:,.{digits}f} {word}"


def source_link(outlet: str, url: str, reliability: str | None = None) -> str:
    """'[Dawn](https://…) (news outlet)': a Markdown link to the report, with its reliability in words."""
    label = f"[{_md_escape(outlet)}]({url.replace(' ', '%20').replace(')', '%29')})"
    if reliability and reliability in RELIABILITY_LABELS:
        label += f" ({RELIABILITY_LABELS[reliability]})"
    return label


def fmt_date(ts, precision: str = "day") -> str:
    """'8 September 2025', or 'September 2025' when only the month is known."""
    if ts is None or pd.isna(ts):
        return "date not given"
    return ts.strftime("%B %Y") if precision == "month" else f"{ts.day} {ts.strftime('%B %Y')}"


def deal_facts(events: pd.DataFrame, deals: pd.DataFrame, sections=FACT_SECTIONS) -> pd.DataFrame:
    """One row per fact about the deal: section, date, title, fact (the row's paraphrase), source link.

    Raises KeyError naming the id if a listed row is missing from its table, so a renamed row cannot
    silently drop out of the page.
    """
    ev = events.set_index("event_id")
    dl = deals.set_index("deal_id")
    rows = []
    for section, table, rid in sections:
        src = ev if table == "events" else dl
        if rid not in src.index:
            raise KeyError(f"{table} has no row {rid!r}")
        r = src.loc[rid]
        precision = r["date_precision"] if table == "events" else "day"
        title = r["title"] if table == "events" else r["name"]
        fact = r["summary"]
        note = r.get("amount_note")
        if table == "events" and isinstance(note, str) and note and "amount" not in fact.lower():
            fact = f"{fact} ({note})"
        rows.append({
            "section": section,
            "id": rid,
            "date": r["date"],
            "when": fmt_date(r["date"], precision),
            "title": title,
            "fact": fact,
            "source": source_link(r["source_outlet"], r["source_url"], r["reliability"]),
            "reliability": r["reliability"],
        })
    return pd.DataFrame(rows)


def facts_markdown(facts: pd.DataFrame, columns: dict[str, str] | None = None) -> str:
    """A Markdown table of facts (links stay clickable, unlike an escaped HTML table)."""
    columns = columns or {"when": "Date", "title": "What", "fact": "Detail", "source": "Source"}
    head = "| " + " | ".join(columns.values()) + " |\n|" + "---|" * len(columns) + "\n"
    body = ""
    for _, r in facts.iterrows():
        cells = [r[c] if c == "source" else _md_escape(r[c]) for c in columns]
        body += "| " + " | ".join(str(c).replace("\n", " ") for c in cells) + " |\n"
    return head + body


def timeline(events: pd.DataFrame, start, end) -> pd.DataFrame:
    """Events in [start, end] with a readable lane label, sorted by date then id, for the timeline chart."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    t = events[(events["date"] >= s) & (events["date"] <= e)].copy()
    unknown = set(t["kind"]) - set(KIND_LABELS)
    if unknown:
        raise ValueError(f"event kinds without a label: {sorted(unknown)}")
    t["lane"] = t["kind"].map(KIND_LABELS)
    t["when"] = [fmt_date(d, p) for d, p in zip(t["date"], t["date_precision"])]
    t["source"] = t["source_outlet"] + " (" + t["reliability"].map(RELIABILITY_LABELS) + ")"
    t["is_deal"] = t["event_id"].eq("ussm-fwo-mou-signed")
    cols = ["event_id", "date", "when", "date_precision", "kind", "lane", "title", "source", "source_url", "is_deal"]
    return t.sort_values(["date", "event_id"])[cols].reset_index(drop=True)


def _side(row) -> str:
    if row["china_side"]:
        return "China side"
    if row["us_side"] and row["pakistan_side"]:
        return "US in Pakistan"
    if row["us_side"]:
        return "US with another country"
    return "Pakistan with others"


def sized_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals that state an amount, with money-kind and side labels, sorted by kind then amount (largest first)."""
    d = deals[deals["amount_usd"].notna()].copy()
    d["amount_usd"] = d["amount_usd"].astype("float64")
    d["kind_label"] = d["money_kind"].map(MONEY_KIND_LABELS)
    d["side"] = d.apply(_side, axis=1)
    d["is_deal"] = d["deal_id"].eq(DEAL_ID)
    order = {k: i for i, k in enumerate(MONEY_KIND_LABELS)}
    d["_o"] = d["money_kind"].map(order)
    d = d.sort_values(["_o", "amount_usd", "deal_id"], ascending=[True, False, True]).drop(columns="_o")
    return d.reset_index(drop=True)


def unsized_deals(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals whose sources state no amount (kept visible: most frameworks and MoUs name none)."""
    d = deals[deals["amount_usd"].isna()].copy()
    d["kind_label"] = d["money_kind"].map(MONEY_KIND_LABELS)
    return d.sort_values(["money_kind", "deal_id"]).reset_index(drop=True)


def within_kind(deals: pd.DataFrame, deal_id: str = DEAL_ID) -> dict:
    """How one deal's amount compares with the others of its own money_kind.

    Returns kind, amount, n_sized (deals of that kind with an amount, this one included), n_unsized,
    rank (1 = largest), others (a frame of the other sized deals of the kind, largest first),
    largest_other (name and amount, or None) and ratio_to_largest_other (other / this, or None).
    """
    dl = deals.set_index("deal_id")
    if deal_id not in dl.index:
        raise KeyError(f"deals has no row {deal_id!r}")
    row = dl.loc[deal_id]
    if pd.isna(row["amount_usd"]):
        raise ValueError(f"deal {deal_id!r} states no amount")
    kind = row["money_kind"]
    same = deals[deals["money_kind"] == kind]
    sized = same[same["amount_usd"].notna()].copy()
    sized["amount_usd"] = sized["amount_usd"].astype("float64")
    amount = float(row["amount_usd"])
    others = sized[sized["deal_id"] != deal_id].sort_values(["amount_usd", "deal_id"], ascending=[False, True])
    rank = int((sized["amount_usd"] > amount).sum()) + 1
    largest = None if others.empty else (others.iloc[0]["name"], float(others.iloc[0]["amount_usd"]))
    return {
        "kind": kind,
        "kind_label": MONEY_KIND_LABELS.get(kind, kind),
        "amount": amount,
        "n_sized": len(sized),
        "n_unsized": int(same["amount_usd"].isna().sum()),
        "rank": rank,
        "others": others.reset_index(drop=True),
        "largest_other": largest,
        "ratio_to_largest_other": None if largest is None else largest[1] / amount,
    }
