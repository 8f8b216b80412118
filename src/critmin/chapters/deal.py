"""The deal chapter (notebooks/deal.ipynb): its parameter checks, its sentences, its tables and its charts — the
events timeline and deal amounts, one panel per kind of money. The numbers come from
:mod:`critmin.analysis.deals`."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from critmin.analysis import deals
from critmin.analysis.deals import DEAL_ID, MONEY_KIND_LABELS, PHASING_EVENT, SHIPMENT_EVENT, SIGNED_EVENT, STATUS_LABELS
from critmin.params import ParameterError
from critmin.render import charts
from critmin.text import and_list, date_text, md_table, num, source_link, usd

__all__ = [
    "FOLLOW_UP_COLUMNS",
    "LANE_COLOURS",
    "SIDES",
    "facts_markdown",
    "flows_table",
    "flows_text",
    "gaps_markdown",
    "minerals_text",
    "parse_date",
    "parse_window",
    "shipment_text",
    "signed_text",
    "sizes_chart",
    "sizes_frame",
    "sizes_text",
    "timeline_chart",
    "timeline_text",
    "unsized_text",
]


# --- Parameters -------------------------------------------------------------------------------------------------

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


# --- Sentences and tables ----------------------------------------------------------------------------------------
# Each function writes the sentences of one section of the chapter from the events and deals tables.

def facts_markdown(facts: pd.DataFrame, columns: dict[str, str] | None = None) -> str:
    """:func:`critmin.analysis.deals.deal_facts` as a Markdown table whose source links stay clickable."""
    columns = columns or {"when": "Date", "title": "What", "fact": "Detail", "source": "Source"}
    links = [source_link(o, u, r) for o, u, r in zip(facts["source_outlet"], facts["source_url"], facts["reliability"],
                                                     strict=True)]
    return md_table(facts.assign(source=links), columns, raw=("source",))


def _minerals(row: pd.Series) -> list[str]:
    return [m.replace("_", " ") for m in row["minerals"].split(";")]


def signed_text(events: pd.DataFrame, deal_table: pd.DataFrame, deal_id: str = DEAL_ID) -> str:
    """Who signed what and when: the parties, headline amount, whether binding, the minerals named."""
    mou = deal_table.set_index("deal_id").loc[deal_id]
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

    `facts` is :func:`critmin.analysis.deals.deal_facts`; its "Reactions" section is counted.
    """
    ev = events.set_index("event_id")
    ship, signed = ev.loc[SHIPMENT_EVENT], ev.loc[SIGNED_EVENT]
    reactions = facts[facts["section"] == "Reactions"]
    shipped = _minerals(ship)
    # NOTE: the summary of what the reactions said is editorial; the rows it rests on are in the table below.
    return (f"The first delivery reached USSM **{(ship['date'] - signed['date']).days} days** after the signing: a "
            f"sample lot of {and_list(shipped)}. By {date_text(reactions['date'].max())}, {len(reactions)} reactions "
            "were on record: opposition politicians asked for the agreements to be disclosed and put before "
            "Parliament, China's foreign ministry said it had been kept informed, and analysts stressed that an MoU "
            "commits no one.")


def gaps_markdown(events: pd.DataFrame, deal_table: pd.DataFrame, deal_id: str = DEAL_ID) -> str:
    """A Markdown list of what is not public about the deal, each gap with the report that shows it."""
    mou = deal_table.set_index("deal_id").loc[deal_id]
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
    the other US minerals deals. `tl` is :func:`critmin.analysis.deals.timeline` for [start, end]."""
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


def sizes_text(deal_table: pd.DataFrame, deal_id: str = DEAL_ID) -> str:
    """The deal's rank among amounts of its own kind of money, and the largest US-linked loan in Pakistan
    for scale (named, never added or ranked with it)."""
    wk = deals.within_kind(deal_table, deal_id)
    lo = wk.largest_other
    text = (f"Among amounts of the kind **{wk.kind_label}**, the USSM–FWO figure ranks **{wk.rank} of {wk.n_sized}**"
            + (f"; the largest other is the {lo[0]} ({usd(lo[1])}), **{num(wk.ratio_to_largest_other, 1)} times** "
               "as much, and that figure itself bundles many company MoUs and joint ventures" if lo else "")
            + f". {wk.n_unsized} other deals of the same kind name no amount at all. ")
    sized = deals.sized_deals(deal_table)
    loans = sized[(sized["money_kind"] == "loan") & (sized["side"] == "US in Pakistan")]
    if not loans.empty:
        big = loans.iloc[0]
        text += (f"For scale of a different kind: the largest US-linked loan figure in Pakistan, the {big['name']}, is "
                 f"{usd(big['amount_usd'])} — a lending target, not an MoU, so the two are not added or ranked together.")
    return text


def unsized_text(deal_table: pd.DataFrame) -> str:
    """The deals that state no amount, each with its kind of money."""
    unsized = deals.unsized_deals(deal_table)
    return "Deals in the table that state **no amount**: " + "; ".join(
        f"{r['name']} ({r['kind_label'].lower()})" for _, r in unsized.iterrows()) + "."


def flows_table(deal_table: pd.DataFrame) -> pd.DataFrame:
    """flows() as the deal page shows it."""
    f = deals.flows(deal_table)
    t = pd.DataFrame({"Country": f["country"], "Date": f["when"], "Deal": f["name"], "Kind of money": f["kind_label"],
                      "Status": f["status_label"],
                      "Amount": [usd(a, markdown=False) if pd.notna(a) else "none stated" for a in f["amount_usd"]]})
    return t


def flows_text(deal_table: pd.DataFrame) -> str:
    """For each country with a US framework or MoU: whether any money beyond an intention is recorded."""
    f = deals.flows(deal_table)
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
        text += f" For {and_list(none)}, only frameworks, MoUs, plans or stated intentions are recorded."
    return text + " Each amount is of its own kind and status; none is added to another."


def minerals_text(events: pd.DataFrame) -> str:
    """The minerals named at the signing, the wider list reported, and which are not US critical minerals."""
    ev = events.set_index("event_id")
    named = ev.loc[SIGNED_EVENT, "minerals"].split(";")
    text = f"The minerals named for early export were {and_list([m.replace('_', ' ') for m in named])}."
    if deals.WIDER_LIST_EVENT in ev.index:
        wider = [m for m in ev.loc[deals.WIDER_LIST_EVENT, "minerals"].split(";") if m not in named]
        if wider:
            text += (" The Prime Minister's Office described a wider list that adds "
                     f"{and_list([m.replace('_', ' ') for m in wider])}.")
    off = deals.not_critical(events, named)
    if off:
        d = ev.loc[deals.LIST_EVENT, "date"]
        text += (f" Of the minerals named for early export, {and_list([m.replace('_', ' ') for m in off])} "
                 f"{'is' if len(off) == 1 else 'are'} not on the final US List of Critical Minerals "
                 f"({date_text(d)}), so {'it' if len(off) == 1 else 'they'} would not count towards US "
                 "critical-mineral supply.")
    return text


# --- Charts -----------------------------------------------------------------------------------------------------

# China's lane keeps China's colour; the catch-all lane is grey.
LANE_COLOURS = dict(zip(deals.KIND_LABELS.values(), [charts.CHINA] + charts.PALETTE[1:6] + [charts.OTHERS]))

SIDES = {"US in Pakistan": charts.PALETTE[1], "US with another country": charts.PALETTE[4],
         "US at home": charts.PALETTE[5],
         "China side": charts.CHINA, "Pakistan with others": charts.PALETTE[2]}


def timeline_chart(tl: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> alt.TopLevelMixin | None:
    """One row per event, labelled with its date and title on the chart itself (no hovering needed), coloured
    by kind, with a dashed rule at the MoU signing; None when the window has no events.

    `tl` is :func:`critmin.analysis.deals.timeline` for [start, end]. Marks link to their reports.
    """
    if tl.empty:
        return None
    lanes = [lane for lane in deals.KIND_LABELS.values() if lane in set(tl["lane"])]
    tl = tl.assign(row=range(len(tl)), label=tl["when"] + " · " + tl["title"])
    domain = [start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")]
    y = alt.Y("label:N", sort=alt.EncodingSortField("row", order="ascending"), title=None,
              axis=alt.Axis(labelLimit=520, labelFontSize=11))
    base = alt.Chart(tl).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(domain=domain),
                axis=alt.Axis(format="%Y", tickCount="year", orient="top") if (end - start).days > 730
                else alt.Axis(format="%b %Y", tickCount=6, orient="top")),
        y=y)
    colour = alt.Color("lane:N", sort=lanes, title="Kind of event",
                       scale=alt.Scale(domain=lanes, range=[LANE_COLOURS[l] for l in lanes]),
                       legend=alt.Legend(orient="bottom", columns=2))
    points = base.mark_point(filled=True, size=70, opacity=0.9).encode(
        color=colour,
        shape=alt.Shape("date_precision:N", title="Date precision",
                        scale=alt.Scale(domain=["day", "month", "year"], range=["circle", "square", "triangle-up"]),
                        legend=alt.Legend(orient="bottom")),
        href="source_url:N",
        tooltip=[alt.Tooltip("title:N", title="Event"), alt.Tooltip("when:N", title="Date"),
                 alt.Tooltip("lane:N", title="Kind"), alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("source_url:N", title="Link")],
    )
    rule_data = tl[tl["is_deal"]]
    rule = alt.Chart(rule_data).mark_rule(color="#000", strokeDash=[4, 3]).encode(x="date:T")
    label = alt.Chart(rule_data).mark_text(align="left", dx=4, dy=-6, fontSize=11, fontWeight=600).encode(
        x="date:T", y=alt.value(0), text=alt.value("USSM–FWO MoU"))
    return charts.finish(
        (rule + label + points).properties(width=300, height=alt.Step(16)),
        title="The MoU landed amid China's export controls and a run of US minerals deals",
        subtitle="One row per event, labelled with its date and title; colour: kind of event. Click a mark for the report",
        description=f"Timeline of {len(tl)} events from {start:%B %Y} to {end:%B %Y}, one row each with its date and "
                    "title, coloured by kind: " + ", ".join(lanes) + ". A dashed line marks the MoU signing.",
        sources=["events"],
    )


def sizes_frame(deal_table: pd.DataFrame) -> pd.DataFrame:
    """:func:`critmin.deals.sized_deals` with amounts in US$ billion, a ▶ before the USSM–FWO deal's name and
    the floor the lollipop stems start from (a power of ten below the smallest amount, at most 0.1)."""
    sized = deals.sized_deals(deal_table)
    sized["amount_bn"] = sized["amount_usd"] / 1e9
    sized["label"] = sized["name"].where(~sized["is_deal"], "▶ " + sized["name"])
    smallest = float(sized["amount_bn"].min()) if len(sized) else 0.1
    sized["floor"] = min(0.1, 10 ** math.floor(math.log10(smallest))) if smallest > 0 else 0.1
    return sized


def sizes_chart(deal_table: pd.DataFrame) -> alt.TopLevelMixin:
    """Deal amounts on a log scale, one panel per kind of money, so unlike kinds are never ranked together."""
    sized = sizes_frame(deal_table)
    wk = deals.within_kind(deal_table)
    kinds = [k for k in deals.MONEY_KIND_LABELS.values() if k in set(sized["kind_label"])]
    tooltip = [alt.Tooltip("name:N", title="Deal"), alt.Tooltip("kind_label:N", title="Kind of money"),
               alt.Tooltip("amount_bn:Q", title="US$ billion", format=",.2f"),
               alt.Tooltip("source_outlet:N", title="Source")]
    floor = float(sized["floor"].min()) if len(sized) else 0.1
    ticks = [v for v in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100) if v >= floor]
    x = alt.X("amount_bn:Q", title="Amount stated (US$ billion, log scale)",
              scale=alt.Scale(type="log", domain=[floor, 100]),
              axis=alt.Axis(values=ticks, format="~g"))
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("amount_usd", order="descending"),
              axis=alt.Axis(labelLimit=420))
    colour = alt.Color("side:N", title="Who is on the other side",
                       scale=alt.Scale(domain=list(SIDES), range=list(SIDES.values())))
    # NOTE: a lollipop, not a bar: on a log scale a bar has no zero to start from.
    stems = alt.Chart().mark_rule(strokeWidth=2).encode(x="floor:Q", x2="amount_bn:Q", y=y, color=colour)
    heads = alt.Chart().mark_point(filled=True, size=90).encode(
        x=x, y=y, color=colour, tooltip=tooltip,
        shape=alt.Shape("is_deal:N", legend=None, scale=alt.Scale(domain=[True, False], range=["diamond", "circle"])),
        size=alt.condition("datum.is_deal", alt.value(200), alt.value(80)))
    chart = alt.layer(stems, heads, data=sized).properties(width=330, height=alt.Step(20)).facet(
        row=alt.Row("kind_label:N", sort=kinds, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight=600, labelOrient="top")),
        spacing=6,
    ).resolve_scale(y="independent")
    n_unsized = int(deal_table["amount_usd"].isna().sum())
    return charts.finish(
        chart,
        title=f"The US${wk.amount / 1e6:,.0f}m MoU ranks {wk.rank} of {wk.n_sized} stated MoU amounts; "
              "other kinds of money are not comparable",
        subtitle=f"{len(sized)} deals that state an amount, one panel per kind of money; {n_unsized} more state none",
        description=f"Bar charts of {len(sized)} deal amounts on a log scale, one panel per kind of money "
                    f"({', '.join(kinds)}). The USSM–FWO MoU is marked with a ▶ before its name and a large diamond.",
        sources=["deals"],
    )
