"""The USSM–FWO deal chapter: its facts with their sources, the 2023–2026 timeline and deal sizes by kind of money.

Everything here works on the ``events`` and ``deals`` tables (see data/meta/events.yaml and deals.yaml) and
returns small frames or Markdown a page can show directly. Facts are never typed here: a fact is a row of
those tables, and every row carries the report it comes from.
"""

from __future__ import annotations

import pandas as pd

from critmin.params import ParameterError
from critmin.text import RELIABILITY, date_text, md_escape, usd

__all__ = [
    "KIND_LABELS",
    "MONEY_KIND_LABELS",
    "STATUS_LABELS",
    "flows",
    "flows_table",
    "flows_text",
    "not_critical",
    "minerals_text",
    "RELIABILITY",
    "DEAL_ID",
    "FACT_SECTIONS",
    "parse_date",
    "parse_window",
    "source_link",
    "date_text",
    "usd",
    "deal_facts",
    "facts_markdown",
    "timeline",
    "sized_deals",
    "unsized_deals",
    "within_kind",
    "signed_text",
    "FOLLOW_UP_COLUMNS",
    "shipment_text",
    "gaps_markdown",
    "timeline_text",
    "sizes_text",
    "unsized_text",
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


def parse_date(name: str, value) -> pd.Timestamp:
    """A YYYY-MM-DD page parameter as a Timestamp, or ParameterError saying what is expected."""
    text = str(value).strip()
    try:
        ts = pd.to_datetime(text, format="%Y-%m-%d")
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):  # pandas reads an empty text as NaT, not as an error
        raise ParameterError(f"{name}={value!r} is not a date; expected YYYY-MM-DD, e.g. 2025-01-01")
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


def source_link(outlet: str, url: str, reliability: str | None = None) -> str:
    """'[Dawn](https://…) (news outlet)': a Markdown link to the report, with its reliability in words."""
    label = f"[{md_escape(outlet)}]({url.replace(' ', '%20').replace(')', '%29')})"
    if reliability and reliability in RELIABILITY:
        label += f" ({RELIABILITY[reliability]})"
    return label


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
        cells = [r[c] if c == "source" else md_escape(r[c]) for c in columns]
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


# --- The chapter's prose ---------------------------------------------------------------------------------------
# Each function writes the sentences of one section of the deal chapter from the events and deals tables.

SIGNED_EVENT = "ussm-fwo-mou-signed"
SHIPMENT_EVENT = "ussm-first-shipment"
PHASING_EVENT = "ussm-fwo-phasing-reported"


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _minerals(row) -> list[str]:
    return [m.replace("_", " ") for m in row["minerals"].split(";")]


def signed_text(events: pd.DataFrame, deals: pd.DataFrame, deal_id: str = DEAL_ID) -> str:
    """Who signed what and when: the parties, headline amount, whether binding, the minerals named."""
    mou = deals.set_index("deal_id").loc[deal_id]
    signed = events.set_index("event_id").loc[SIGNED_EVENT]
    parties = mou["parties"].split(";")
    return (f"On **{signed['date'].day} {signed['date']:%B %Y}**, {parties[0]} (USSM) and {parties[1]} (FWO) signed a "
            f"memorandum of understanding in Islamabad. The headline figure is **{usd(mou['amount_usd'])}**, "
            f"described as USSM's intended investment in a first phase; the deal is recorded as "
            f"**{'binding' if mou['binding'] else 'not binding'}** (money kind: "
            f"*{MONEY_KIND_LABELS[mou['money_kind']]}*"
            + (f", status *{STATUS_LABELS[mou['status']]}*" if pd.notna(mou.get("status")) else "") + "). "
            f"{minerals_text(events)} A poly-metallic refinery in Pakistan is the plan's processing step. "
            "Each line below is a paraphrase of the report linked beside it.")


FOLLOW_UP_COLUMNS = {"section": "Topic", "when": "Date", "title": "What", "fact": "Detail", "source": "Source"}


def shipment_text(events: pd.DataFrame, facts: pd.DataFrame) -> str:
    """Days from signing to the first shipment, what it carried, and how many reactions are on record.

    `facts` is :func:`deal_facts`; its "Reactions" section is counted.
    """
    ev = events.set_index("event_id")
    ship, signed = ev.loc[SHIPMENT_EVENT], ev.loc[SIGNED_EVENT]
    reactions = facts[facts["section"] == "Reactions"]
    shipped = _minerals(ship)
    # NOTE: the summary of what the reactions said is editorial; the rows it rests on are in the table below.
    return (f"The first delivery reached USSM **{(ship['date'] - signed['date']).days} days** after the signing: a "
            f"sample lot of {_and_list(shipped)}. By {date_text(reactions['date'].max())}, {len(reactions)} reactions "
            "were on record: opposition politicians asked for the agreements to be disclosed and put before "
            "Parliament, China's foreign ministry said it had been kept informed, and analysts stressed that an MoU "
            "commits no one.")


def gaps_markdown(events: pd.DataFrame, deals: pd.DataFrame, deal_id: str = DEAL_ID) -> str:
    """A Markdown list of what is not public about the deal, each gap with the report that shows it."""
    mou = deals.set_index("deal_id").loc[deal_id]
    ev = events.set_index("event_id")
    ship, phasing = ev.loc[SHIPMENT_EVENT], ev.loc[PHASING_EVENT]
    gaps = ["**The text of the MoU.** Only press summaries exist; the deal record itself notes that no text was "
            f"published ({source_link(mou['source_outlet'], mou['source_url'], mou['reliability'])})."]
    if pd.isna(ship["amount_usd"]):
        gaps.append(f"**The size of the first shipment.** Neither tonnage nor value is published ({ship['amount_note']}; "
                    f"{source_link(ship['source_outlet'], ship['source_url'], ship['reliability'])}).")
    if "no financing close" in mou["summary"]:
        gaps.append(f"**Financing.** The {usd(mou['amount_usd'])} is an intention, "
                    f"{'not' if not mou['binding'] else ''} a binding commitment; no financing close, refinery site or "
                    "second shipment appears in the sources reviewed for this book up to late 2026 (see the caveats "
                    "of the events and deals datasets).")
    gaps.append("**What the later phases contain.** The three-phase outline comes from one press report, which "
                f"describes only the first phase "
                f"({source_link(phasing['source_outlet'], phasing['source_url'], phasing['reliability'])}).")
    return "\n".join(f"- {g}" for g in gaps)


def timeline_text(tl: pd.DataFrame, start, end) -> str:
    """How many events fall in the window and how the signing sits between China's export-control steps and
    the other US minerals deals. `tl` is :func:`timeline` for [start, end]."""
    if tl.empty:
        return f"The events table has no events between {date_text(start)} and {date_text(end)}."
    parts = [f"Between {date_text(start)} and {date_text(end)} the events table holds **{len(tl)} events**."]
    signed = tl[tl["event_id"] == SIGNED_EVENT]
    if signed.empty:
        parts.append("The USSM–FWO signing falls outside this window.")
        return " ".join(parts)
    date = signed["date"].iloc[0]
    controls = tl[tl["kind"] == "china_export_control"]
    before, after = controls[controls["date"] < date], controls[controls["date"] > date]
    us_deals = tl[tl["kind"] == "us_minerals_deal"]
    if not before.empty:
        last = before.iloc[-1]
        parts.append(f"The MoU came {(date - last['date']).days} days after the latest Chinese export-control step "
                     f"before it (“{last['title']}”, {last['when']}).")
    if not after.empty:
        nxt = after.iloc[0]
        parts.append(f"{(nxt['date'] - date).days} days after the signing, China took its next step "
                     f"(“{nxt['title']}”, {nxt['when']}).")
    n_after = int((us_deals["date"] > date).sum())
    parts.append(f"Of the {len(us_deals)} US minerals agreements with other countries in the window, {n_after} "
                 "followed the Pakistani MoU.")
    return " ".join(parts)


def sizes_text(deals: pd.DataFrame, deal_id: str = DEAL_ID) -> str:
    """The deal's rank among amounts of its own kind of money, and the largest US-linked loan in Pakistan
    for scale (named, never added or ranked with it)."""
    from critmin.text import num

    wk = within_kind(deals, deal_id)
    lo = wk["largest_other"]
    text = (f"Among amounts of the kind **{wk['kind_label']}**, the USSM–FWO figure ranks **{wk['rank']} of {wk['n_sized']}**"
            + (f"; the largest other is the {lo[0]} ({usd(lo[1])}), **{num(wk['ratio_to_largest_other'], 1)} times** "
               "as much, and that figure itself bundles many company MoUs and joint ventures" if lo else "")
            + f". {wk['n_unsized']} other deals of the same kind name no amount at all. ")
    sized = sized_deals(deals)
    loans = sized[(sized["money_kind"] == "loan") & (sized["side"] == "US in Pakistan")]
    if not loans.empty:
        big = loans.iloc[0]
        text += (f"For scale of a different kind: the largest US-linked loan figure in Pakistan, the {big['name']}, is "
                 f"{usd(big['amount_usd'])} — a lending target, not an MoU, so the two are not added or ranked together.")
    return text


def unsized_text(deals: pd.DataFrame) -> str:
    """The deals that state no amount, each with its kind of money."""
    unsized = unsized_deals(deals)
    return "Deals in the table that state **no amount**: " + "; ".join(
        f"{r['name']} ({r['kind_label'].lower()})" for _, r in unsized.iterrows()) + "."


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


def flows_table(deals: pd.DataFrame) -> pd.DataFrame:
    """flows() as the deal page shows it."""
    f = flows(deals)
    t = pd.DataFrame({"Country": f["country"], "Date": f["when"], "Deal": f["name"], "Kind of money": f["kind_label"],
                      "Status": f["status_label"],
                      "Amount": [usd(a, markdown=False) if pd.notna(a) else "none stated" for a in f["amount_usd"]]})
    return t


def flows_text(deals: pd.DataFrame) -> str:
    """For each country with a US framework or MoU: whether any money beyond an intention is recorded."""
    f = flows(deals)
    if f.empty:
        return "The deals table records no US agreement or deal with another country."
    moved = f[f["moved"]]
    done = sorted(moved["country"].unique())
    none = sorted(set(f["country"]) - set(done))
    n = len(set(f["country"]))
    parts = [f"Of the {n} countries where the table records a US minerals agreement or deal, "
             f"{len(done)} {'has' if len(done) == 1 else 'have'} money recorded beyond a framework or a stated "
             "intention"
             + (f" ({', '.join(done)})" if done else "")]
    for c in done:
        rows = moved[moved["country"] == c]
        parts.append(f"{c}: " + "; ".join(f"{r['name']} ({r['kind_label'].lower()}, {r['status_label']}"
                                          + (f", {usd(r['amount_usd'])}" if pd.notna(r["amount_usd"]) else "") + ")"
                                          for _, r in rows.iterrows()))
    text = ". ".join(parts) + "."
    if none:
        text += f" For {_and_list(none)}, only frameworks, MoUs, plans or stated intentions are recorded."
    return text + " Each amount is of its own kind and status; none is added to another."


LIST_EVENT = "us-critical-minerals-list-2025"


def not_critical(events: pd.DataFrame, minerals: list[str] | str) -> list[str]:
    """Minerals (codes) that the final 2025 US List of Critical Minerals row does not name.
    NOTE: the list names rare earths element by element, so the rare-earth group counts as listed."""
    ev = events.set_index("event_id")
    if LIST_EVENT not in ev.index:
        return []
    listed = set(str(ev.loc[LIST_EVENT, "minerals"]).split(";")) | {"rare_earths"}
    named = minerals.split(";") if isinstance(minerals, str) else minerals
    return [m for m in named if m not in listed]


def minerals_text(events: pd.DataFrame) -> str:
    """The minerals named at the signing, the wider list reported, and which are not US critical minerals."""
    ev = events.set_index("event_id")
    named = ev.loc[SIGNED_EVENT, "minerals"].split(";")
    text = f"The minerals named for early export were {_and_list([m.replace('_', ' ') for m in named])}."
    if "ussm-fwo-wider-mineral-list" in ev.index:
        wider = [m for m in ev.loc["ussm-fwo-wider-mineral-list", "minerals"].split(";") if m not in named]
        if wider:
            text += (" The Prime Minister's Office described a wider list that adds "
                     f"{_and_list([m.replace('_', ' ') for m in wider])}.")
    off = not_critical(events, named)
    if off:
        d = ev.loc[LIST_EVENT, "date"]
        text += (f" Of the minerals named for early export, {_and_list([m.replace('_', ' ') for m in off])} "
                 f"{'is' if len(off) == 1 else 'are'} not on the final US List of Critical Minerals "
                 f"({date_text(d)}), so {'it' if len(off) == 1 else 'they'} would not count towards US "
                 "critical-mineral supply.")
    return text
