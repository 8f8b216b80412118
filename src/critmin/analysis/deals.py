"""The numbers of the deal chapter: its facts with their reports, the timeline, deal sizes by kind of money and
what has flowed under the US agreements.

Everything here works on the ``events`` and ``deals`` tables (see data/meta/events.yaml and deals.yaml) and
returns frames or dataclasses; the chapter's sentences are written in :mod:`critmin.chapters.deal`. Facts are
never typed here: a fact is a row of those tables, and every row carries the report it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from critmin.text import RELIABILITY, date_text

__all__ = [
    "DEAL_ID",
    "FACT_SECTIONS",
    "KIND_LABELS",
    "LIST_EVENT",
    "MONEY_KIND_LABELS",
    "MOVED",
    "STATUS_LABELS",
    "WithinKind",
    "deal_facts",
    "flows",
    "not_critical",
    "sized_deals",
    "timeline",
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
    "guarantee": "Loan guarantee",
    "equity": "Equity stake",
    "price_support": "Price floor or offtake",
    "grant": "Grant",
    "investment_plan": "Planned project cost",
    "spent": "Money reported spent",
    "other": "Other (lease, concession)",
}

STATUS_LABELS = {
    "planned": "planned (cost estimate or target)",
    "intent": "stated intent",
    "unconfirmed": "reported, not confirmed",
    "approved": "approved",
    "signed": "signed",
    "disbursed": "disbursed",
    "realised": "reported as spent",
}

# Which rows of the fact tables tell the story of the deal, in reading order: (section, table, id).
# NOTE: the choice of rows is editorial; every fact shown still comes from its row and cites its report.
FACT_SECTIONS: list[tuple[str, str, str]] = [
    ("What was signed", "events", "ussm-fwo-mou-signed"),
    ("What was signed", "deals", DEAL_ID),
    ("What was signed", "events", "ussm-fwo-phasing-reported"),
    ("What was signed", "events", "nlc-mota-engil-mou"),
    ("What was signed", "events", "us-charge-welcomes-ussm-fwo-mou"),
    ("What was signed", "events", "ussm-fwo-signing-witnesses"),
    ("What was signed", "events", "ussm-fwo-wider-mineral-list"),
    ("What was signed", "events", "us-critical-minerals-list-2025"),
    ("What was signed", "events", "white-house-meeting-mineral-samples"),
    ("First shipment", "events", "ussm-first-shipment"),
    ("First shipment", "events", "ft-ussm-plant-not-operating"),
    ("Reactions", "events", "pti-demands-disclosure"),
    ("Reactions", "events", "rabbani-article-172"),
    ("Reactions", "events", "china-mfa-on-pakistan-us-cooperation"),
    ("Reactions", "events", "ussm-fwo-not-binding-analysis"),
    ("Follow-up", "events", "critical-minerals-forum-visit"),
    ("Reko Diq", "events", "reko-diq-jbic-welcomed"),
    ("Reko Diq", "deals", "reko-diq-jbic"),
    ("Reko Diq", "events", "reko-diq-us-exim-pledge"),
    ("Reko Diq", "deals", "reko-diq-us-exim"),
    ("Reko Diq", "events", "reko-diq-barrick-review"),
    ("Reko Diq", "events", "reko-diq-slowdown"),
]


def deal_facts(events: pd.DataFrame, deals: pd.DataFrame, sections=FACT_SECTIONS) -> pd.DataFrame:
    """One row per fact about the deal: section, date, title, fact (the row's paraphrase) and its report
    (outlet, URL, reliability code).

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
        precision = r["date_precision"] if pd.notna(r["date_precision"]) else "day"
        title = r["title"] if table == "events" else r["name"]
        fact = r["summary"]
        note = r.get("amount_note")
        if table == "events" and isinstance(note, str) and note and "amount" not in fact.lower():
            fact = f"{fact} ({note})"
        rows.append({
            "section": section,
            "id": rid,
            "date": r["date"],
            "when": date_text(r["date"], precision),
            "title": title,
            "fact": fact,
            "source_outlet": r["source_outlet"],
            "source_url": r["source_url"],
            "reliability": r["reliability"],
        })
    return pd.DataFrame(rows)


def timeline(events: pd.DataFrame, start, end) -> pd.DataFrame:
    """Events in [start, end] with a readable lane label, sorted by date then id, for the timeline chart."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    t = events[(events["date"] >= s) & (events["date"] <= e)].copy()
    unknown = set(t["kind"]) - set(KIND_LABELS)
    if unknown:
        raise ValueError(f"event kinds without a label: {sorted(unknown)}")
    t["lane"] = t["kind"].map(KIND_LABELS)
    t["when"] = [date_text(d, p) for d, p in zip(t["date"], t["date_precision"])]
    t["source"] = t["source_outlet"] + " (" + t["reliability"].map(RELIABILITY) + ")"
    t["is_deal"] = t["event_id"].eq("ussm-fwo-mou-signed")
    cols = ["event_id", "date", "when", "date_precision", "kind", "lane", "title", "source", "source_url", "is_deal"]
    return t.sort_values(["date", "event_id"])[cols].reset_index(drop=True)


def _side(row) -> str:
    if row["china_side"]:
        return "China side"
    if row["us_side"] and row["pakistan_side"]:
        return "US in Pakistan"
    if row["us_side"]:
        # NOTE: a US party with no counterpart country is a US government stake, loan or price floor at home.
        if "counterpart_country" in row.index and pd.isna(row["counterpart_country"]):
            return "US at home"
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


@dataclass(frozen=True)
class WithinKind:
    """How one deal's amount compares with the others of its own kind of money."""

    kind: str
    kind_label: str
    amount: float  # US$
    n_sized: int  # deals of that kind with an amount, this one included
    n_unsized: int  # deals of that kind that state none
    rank: int  # 1 = largest
    others: pd.DataFrame  # the other sized deals of the kind, largest first
    largest_other: tuple[str, float] | None  # name and amount
    ratio_to_largest_other: float | None  # other / this


def within_kind(deals: pd.DataFrame, deal_id: str = DEAL_ID) -> WithinKind:
    """How one deal's amount compares with the others of its own money_kind (KeyError for an unknown deal,
    ValueError for one that states no amount)."""
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
    return WithinKind(
        kind=kind,
        kind_label=MONEY_KIND_LABELS.get(kind, kind),
        amount=amount,
        n_sized=len(sized),
        n_unsized=int(same["amount_usd"].isna().sum()),
        rank=rank,
        others=others.reset_index(drop=True),
        largest_other=largest,
        ratio_to_largest_other=None if largest is None else largest[1] / amount,
    )


# Rows of the events table the chapter reads by name.
SIGNED_EVENT = "ussm-fwo-mou-signed"
SHIPMENT_EVENT = "ussm-first-shipment"
PHASING_EVENT = "ussm-fwo-phasing-reported"
WIDER_LIST_EVENT = "ussm-fwo-wider-mineral-list"
LIST_EVENT = "us-critical-minerals-list-2025"


# --- What has flowed, and the minerals ------------------------------------------------------------------------

# Statuses at which money has moved beyond a stated intention, furthest last.
MOVED = ["approved", "signed", "disbursed", "realised"]


def flows(deals: pd.DataFrame) -> pd.DataFrame:
    """The US agreements and deals with other countries and the money recorded under each: one row per deal of a
    US party (outside Pakistan) with a counterpart country, with kind, status and amount (never summed), sorted
    by country and date."""
    from critmin.data import countries

    us = deals[deals["us_side"].fillna(False).astype(bool) & ~deals["pakistan_side"].fillna(False).astype(bool)]
    out = us[us["counterpart_country"].notna()].copy()
    out["country"] = out["counterpart_country"].map(countries.to_name)
    out["kind_label"] = out["money_kind"].map(MONEY_KIND_LABELS)
    out["status_label"] = out["status"].map(STATUS_LABELS)
    out["when"] = [date_text(d, p) if pd.notna(d) else "undated"
                   for d, p in zip(out["date"], out["date_precision"], strict=True)]
    out["moved"] = out["status"].isin(MOVED) & ~out["money_kind"].isin(["framework", "mou_intent"])
    return out.sort_values(["country", "date", "deal_id"]).reset_index(drop=True)


def not_critical(events: pd.DataFrame, minerals: list[str] | str) -> list[str]:
    """Minerals (codes) that the final 2025 US List of Critical Minerals row does not name.
    NOTE: the list names rare earths element by element, so the rare-earth group counts as listed."""
    ev = events.set_index("event_id")
    if LIST_EVENT not in ev.index:
        return []
    listed = set(str(ev.loc[LIST_EVENT, "minerals"]).split(";")) | {"rare_earths"}
    named = minerals.split(";") if isinstance(minerals, str) else minerals
    return [m for m in named if m not in listed]
