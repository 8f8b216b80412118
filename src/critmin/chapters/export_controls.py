"""The sentences, tables and chart of the export-controls chapter.

The numbers come from :mod:`critmin.analysis.grip` (measures on a date, prices around the first control on
goods); this module turns them into prose, the measures table and one faceted price chart with the dates of
the measures as rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from critmin import params
from critmin.analysis import grip
from critmin.render import charts
from critmin.render.page import Table
from critmin.text import and_list, date_text, md_escape

STATE_TEXT = {
    "not_announced": "not yet announced",
    "announced": "announced, not yet in effect",
    "in_force": "in force",
    "suspended": "suspended",
    "suspension_ran_out": "suspension ran out",
    "suspension_running": "suspension running",
    "suspension_ended": "suspension period over",
}
STATUS_TEXT = {"in_force": "in force", "suspension_lapsed": "suspension lapsed", "expired": "expired"}
KIND_TEXT = {
    "licensing": "export licence required",
    "technology_catalogue": "technology export banned or restricted",
    "country_ban": "refusal for a destination or end user",
    "extraterritorial": "licence for goods made abroad",
    "suspension": "suspension of other measures",
}
UNIT_TEXT = {"usd_per_lb": "US$ per lb", "usc_per_lb": "US cents per lb", "usd_per_kg": "US$ per kg",
             "usd_per_t": "US$ per t", "usd_per_mtu_wo3": "US$ per mtu WO₃"}


def labels_of(minerals_df: pd.DataFrame) -> dict[str, str]:
    return dict(zip(minerals_df["mineral"].astype(str), minerals_df["label"].astype(str)))


def _names(cell, labels: dict[str, str]) -> str:
    ids = [m for m in str(cell).split(";") if m] if pd.notna(cell) else []
    return ", ".join(labels.get(m, m) for m in ids) if ids else "no mineral named"


def change_text(pct: float) -> str:
    """355.4 → '+355%'; −44.2 → '−44%' (a true minus sign)."""
    r = round(pct)
    return f"{'+' if r > 0 else '−' if r < 0 else ''}{abs(r):.0f}%"


def price_text(v: float, unit: str, *, markdown: bool = True) -> str:
    """5.49, 'usd_per_lb' → 'US$5.49 per lb'; cents as '421.6 US cents per lb'."""
    digits = 0 if abs(v) >= 100 or float(v).is_integer() else 2
    if unit == "usc_per_lb":
        return f"{v:,.{1 if abs(v) < 1000 else 0}f} US cents per lb"
    dollar = "US\\$" if markdown else "US$"
    return f"{dollar}{v:,.{digits}f} {UNIT_TEXT.get(unit, unit).removeprefix('US$ ')}"


# ---------------------------------------------------------------------------------------------- parameters


def check_parameters(as_of, minerals, export_controls: pd.DataFrame) -> tuple[pd.Timestamp, list[str]]:
    """The page's date and minerals; one ParameterError line naming what is allowed otherwise.

    as_of: a date YYYY-MM-DD from 1 January of the first announcement's year to the day the table's status
    was last checked (the data say nothing about later days). minerals: "all" or controlled mineral ids.
    """
    # NOTE: dates after the table's status_date are refused: the table cannot say what happened later (whether
    # the lapsed suspensions were renewed, say).
    first = pd.Timestamp(year=pd.to_datetime(export_controls["date_announced"]).min().year, month=1, day=1)
    last = pd.to_datetime(export_controls["status_date"]).max()
    allowed = f"a date YYYY-MM-DD from {first:%Y-%m-%d} to {last:%Y-%m-%d} (the day the table's status was checked)"
    try:
        day = pd.Timestamp(str(as_of).strip())
    except (ValueError, TypeError):
        raise params.ParameterError(f"as_of={as_of!r} is not a date; allowed: {allowed}") from None
    if pd.isna(day) or not (first <= day.normalize() <= last):
        raise params.ParameterError(f"as_of={as_of!r} is out of range; allowed: {allowed}")
    selected = params.choices("minerals", minerals, grip.controlled_minerals(export_controls))
    return day.normalize(), list(dict.fromkeys(selected))


def for_minerals(status: pd.DataFrame, selected: Sequence[str]) -> pd.DataFrame:
    """The measures naming any selected mineral (all measures when every controlled mineral is selected)."""
    names = status["minerals"].map(lambda v: set(str(v).split(";")) if pd.notna(v) else set())
    everything = set(grip.controlled_minerals(status)) <= set(selected)
    return status[names.map(lambda s: bool(s & set(selected))) | everything].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- measures


def answer(status: pd.DataFrame, as_of: pd.Timestamp, windows: pd.DataFrame, labels: dict[str, str]) -> str:
    """The page's first screen: how many measures apply on the date, and the largest price moves."""
    controls = status[status["measure_type"] != "suspension"]
    n_in = int((controls["state"] == "in_force").sum())
    n_out = int((controls["state"] == "suspension_ran_out").sum())
    n_susp = int((controls["state"] == "suspended").sum())
    text = f"**On {date_text(as_of)}, {n_in} of the {len(controls)} measures on this page are in force"
    if n_susp:
        text += f" and {n_susp} suspended"
    if n_out:
        text += (f"; {n_out} were suspended and their suspensions have run out with no extension found: by "
                 "their own terms they apply again, but the table records them as suspension lapsed, not in force")
    text += ".**"
    w = windows[windows["change_pct"].notna()]
    if len(w):
        up = w.sort_values("change_pct", ascending=False).iloc[0]
        down = w.sort_values("change_pct").iloc[0]
        text += (f" Of {len(w)} USGS annual price series, {int((w['change_pct'] > 0).sum())} were higher after "
                 f"the mineral's first control on goods than in the last full year before it; the largest rise is "
                 f"{md_escape(labels.get(up['mineral'], up['mineral']).lower())} ({md_escape(up['basis'])}, "
                 f"{change_text(up['change_pct'])} from {up['before_year']} to {int(up['compare_year'])})")
        if down["change_pct"] < 0:
            text += (f", the largest fall {md_escape(labels.get(down['mineral'], down['mineral']).lower())} "
                     f"({md_escape(down['basis'])}, {change_text(down['change_pct'])} from {down['before_year']} to "
                     f"{int(down['compare_year'])})")
        text += ". Annual averages cannot show what the controls caused; see the notes below."
    return text


def measures_view(status: pd.DataFrame, as_of: pd.Timestamp, labels: dict[str, str]) -> Table:
    """Every measure: announcement, issuer, dates, kind, minerals, its state on the date and until when."""
    recorded = pd.to_datetime(status["status_date"]).max()
    until = []
    for _, r in status.iterrows():
        if pd.notna(r["until"]):
            until.append(date_text(r["until"]))
        elif r["state"] == "suspension_ran_out":
            until.append(f"suspension ended {date_text(r['suspended_until'])}")
        else:
            until.append("no end date")
    frame = pd.DataFrame({
        "Measure": status["measure_id"].astype(str),
        "Announcement": status["announcement"].astype(str),
        "Issuer": status["issuer"].astype(str),
        "Announced": pd.to_datetime(status["date_announced"]).dt.strftime("%Y-%m-%d"),
        "In effect from": pd.to_datetime(status["date_effective"]).dt.strftime("%Y-%m-%d"),
        "Kind": status["measure_type"].map(KIND_TEXT),
        "Minerals": status["minerals"].map(lambda v: _names(v, labels)),
        f"On {as_of:%Y-%m-%d}": status["state"].map(STATE_TEXT),
        "Until": until,
        f"Status recorded {recorded:%Y-%m-%d}": status["status"].map(STATUS_TEXT),
    })
    return Table(frame, caption=f"China's export-control measures and their state on {date_text(as_of)}")


def in_force_paragraphs(status: pd.DataFrame, as_of: pd.Timestamp) -> list[str]:
    """What applies on the date: measures in force, suspended (until when), and suspensions that ran out."""
    out = []
    controls = status[status["measure_type"] != "suspension"]
    live = controls[controls["state"] == "in_force"]
    if len(live):
        out.append(f"In force on {date_text(as_of)}: "
                   + and_list([f"{r['measure_id']} (since {date_text(r['date_effective'])})"
                               for _, r in live.iterrows()]) + ".")
    else:
        out.append(f"No measure on this page is in force on {date_text(as_of)}.")
    pending = controls[controls["state"] == "announced"]
    if len(pending):
        out.append("Announced but not yet in effect: " + and_list(
            [f"{r['measure_id']} (from {date_text(r['date_effective'])})" for _, r in pending.iterrows()]) + ".")
    susp = controls[controls["state"] == "suspended"]
    for sid, g in susp.groupby("suspended_by", sort=True):
        out.append(f"Suspended by {sid} until {date_text(g['suspended_until'].iloc[0])}: "
                   f"{and_list(list(g['measure_id']))}.")
    ran = controls[controls["state"] == "suspension_ran_out"]
    recorded = pd.to_datetime(status["status_date"]).max()
    for sid, g in ran.groupby("suspended_by", sort=True):
        out.append(
            f"Suspended by {sid} from {date_text(g['suspended_from'].iloc[0])}; that suspension ended on "
            f"{date_text(g['suspended_until'].iloc[0])}: {and_list(list(g['measure_id']))}. By their own terms "
            f"these measures apply again; no announcement extending or ending the suspension was found by "
            f"{date_text(recorded)}, so the table records them as "
            f"*{STATUS_TEXT['suspension_lapsed']}*, not in force, until MOFCOM's own notices settle it "
            "(a judgement call listed in the data's README).")
    return out


def mineral_lines(status: pd.DataFrame, selected: Sequence[str], labels: dict[str, str]) -> list[str]:
    """One line per selected mineral: the measures naming it, grouped by their state on the date."""
    lines = []
    for m in sorted(selected, key=lambda x: labels.get(x, x)):
        hit = status[status["minerals"].map(lambda v, m=m: m in str(v).split(";") if pd.notna(v) else False)
                     & (status["measure_type"] != "suspension")]
        groups = []
        for state in ("in_force", "suspended", "suspension_ran_out", "announced"):
            ids = list(hit.loc[hit["state"] == state, "measure_id"])
            if ids:
                groups.append(f"{STATE_TEXT[state]}: {and_list(ids)}")
        lines.append(f"**{md_escape(labels.get(m, m))}**: " + ("; ".join(groups) if groups else "no measure yet"))
    return lines


# ---------------------------------------------------------------------------------------------- prices


def price_paragraphs(windows: pd.DataFrame, export_controls: pd.DataFrame, prices: pd.DataFrame,
                     selected: Sequence[str], labels: dict[str, str]) -> list[str]:
    """Per mineral, each price series before and after its first control on goods, in words."""
    out = []
    with_prices = set(prices["mineral"].astype(str))
    for m in sorted(selected, key=lambda x: labels.get(x, x)):
        lab = md_escape(labels.get(m, m))
        w = windows[windows["mineral"] == m]
        if m not in with_prices:
            continue
        if w.empty:
            never = grip.never_applied(export_controls, m)
            if len(never):
                one = len(never) == 1
                out.append(f"**{lab}.** The only {'measure' if one else 'measures'} on {lab.lower()} goods ("
                           f"{and_list(list(never['measure_id']))}) {'was' if one else 'were'} suspended before "
                           "taking effect, so no price year follows a control in force; the chart shows the price "
                           "with the dates.")
            continue
        start = w["control_date"].iloc[0]
        kinds = set(w["compare_kind"]) - {"none"}
        if kinds == {"full_year_after"}:
            how = "compared: the last full year before it with the first full year after"
        elif kinds == {"control_year"}:
            how = (f"compared: the last full year before it with {start.year}, the year it took effect, "
                   f"{w['share_of_year_after'].iloc[0]:.0%} of which falls after the date")
        else:
            how = "compared: the last full year before it with the first full year after, or the control year"
        bits = []
        for _, r in w.iterrows():
            basis = md_escape(r["basis"][:1].upper() + r["basis"][1:])
            if r["compare_kind"] == "none" or pd.isna(r["before"]):
                bits.append(f"{basis}: no figure for {r['before_year']} or after")
                continue
            est = ", USGS estimate" if r["compare_estimated"] else ""
            if len(kinds) > 1:
                est += (", the first full year after" if r["compare_kind"] == "full_year_after"
                        else ", the year it took effect")
            bits.append(f"{basis}: {price_text(r['before'], r['unit'])} in {r['before_year']}, "
                        f"{price_text(r['compare'], r['unit'])} in {int(r['compare_year'])}{est} "
                        f"({change_text(r['change_pct'])})")
        out.append(f"**{lab}** (first control on goods in effect {date_text(start)}; {how}). "
                   + "; ".join(bits) + ".")
    no_price = [labels.get(m, m) for m in selected if m not in with_prices]
    if no_price:
        out.append("The book's USGS price table has no series for "
                   f"{and_list(sorted(md_escape(n.lower()) for n in no_price))}.")
    return out


def limits_sentence(windows: pd.DataFrame, labels: dict[str, str]) -> str:
    """How much of each control year falls after the control: why one annual average mixes before and after."""
    first = windows.drop_duplicates("mineral").sort_values("control_date")
    if first.empty:
        return ""
    items = [f"{md_escape(labels.get(r['mineral'], r['mineral']).lower())} {date_text(r['control_date'])} "
             f"({r['share_of_year_after']:.0%} of {r['control_year']} after it)" for _, r in first.iterrows()]
    return ("The first controls on goods took effect part-way through a year: " + "; ".join(items)
            + ". That year's average mixes months before and after the date.")


def chart_frame(prices: pd.DataFrame, export_controls: pd.DataFrame, selected: Sequence[str],
                labels: dict[str, str]) -> pd.DataFrame:
    """Price points (at mid-year) and the measures' dates (as fractional years), one facet per series."""
    pts = grip.price_points(prices, selected)
    if pts.empty:
        return pd.DataFrame()
    pts = pts.assign(
        # "|" splits the panel header into lines (mineral, then the series and its unit)
        panel=[f"{labels.get(m, m)}|{b}|{UNIT_TEXT.get(u, u)}" for m, b, u in
               zip(pts["mineral"], pts["basis"], pts["unit"])],
        series_text=[f"{labels.get(m, m)}: {b} ({UNIT_TEXT.get(u, u)})" for m, b, u in
                     zip(pts["mineral"], pts["basis"], pts["unit"])],
        x=pts["year"] + 0.5, layer="price",
        estimate=pts["flag"].map(lambda f: "USGS estimate" if f == "estimated" else "reported"),
        price=[price_text(v, u, markdown=False) for v, u in zip(pts["value"], pts["unit"])])
    rules = []
    for panel, g in pts.groupby("panel", sort=False):
        m = g["mineral"].iloc[0]
        for _, r in grip.control_dates(export_controls, m).iterrows():
            d = r["date_effective"]
            kind = "suspension" if r["measure_type"] == "suspension" else "measure takes effect"
            rules.append({"panel": panel, "mineral": m, "layer": "rule", "kind": kind,
                          "x": d.year + (d.dayofyear - 1) / (366 if d.is_leap_year else 365),
                          "measure": f"{r['measure_id']}: {r['announcement']}", "date": date_text(d)})
    return pd.concat([pts, pd.DataFrame(rules)], ignore_index=True)


def price_chart(frame: pd.DataFrame, windows: pd.DataFrame) -> alt.TopLevelMixin | None:
    """Small multiples of each price series, with every measure naming the mineral as a vertical rule."""
    if frame.empty or not (frame["layer"] == "price").any():
        return None
    pts = frame[frame["layer"] == "price"]
    lo, hi = int(pts["year"].min()), int(pts["year"].max()) + 1
    x = alt.X("x:Q", title=None, axis=alt.Axis(format="d", tickCount=4), scale=alt.Scale(domain=[lo, hi], nice=False))
    base = alt.Chart().encode(x=x)
    line = base.transform_filter(alt.datum.layer == "price").mark_line(color=charts.PALETTE[1]).encode(
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)))
    dots = base.transform_filter(alt.datum.layer == "price").mark_point(
        size=30, filled=True, stroke=charts.PALETTE[1], strokeWidth=1.5).encode(
        y=alt.Y("value:Q", title=None),
        fill=alt.Fill("estimate:N", title=None, scale=alt.Scale(domain=["reported", "USGS estimate"],
                                                                range=[charts.PALETTE[1], "#FFFFFF"])),
        tooltip=[alt.Tooltip("series_text:N", title="Series"), alt.Tooltip("year:Q", format="d", title="Year"),
                 alt.Tooltip("price:N", title="Annual average"), alt.Tooltip("estimate:N", title="Figure")])
    # aria=False: the measures are in the chart's data and its description; in a panel without a measure the empty
    # rule group would otherwise be an unlabelled image to a screen reader (axe: svg-img-alt).
    rules = base.transform_filter(alt.datum.layer == "rule").mark_rule(strokeWidth=1.2, aria=False).encode(
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["measure takes effect", "suspension"],
                                                              range=[charts.CHINA, "#777777"])),
        strokeDash=alt.StrokeDash("kind:N", title=None, scale=alt.Scale(domain=["measure takes effect", "suspension"],
                                                                        range=[[1, 0], [4, 3]])),
        tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("measure:N", title="Measure")])
    chart = alt.layer(line, dots, rules, data=frame).properties(width=170, height=110).facet(
        facet=alt.Facet("panel:N", title=None, header=alt.Header(
            labelFontSize=10, labelLimit=0, labelExpr="split(datum.label, '|')")),
        columns=3).resolve_scale(y="independent")
    w = windows[windows["change_pct"].notna()]
    n_up = int((w["change_pct"] > 0).sum())
    title = (f"{n_up} of {len(w)} price series were higher after the first control on goods than the year before"
             if len(w) else "USGS annual prices of the controlled minerals, with the measures' dates")
    n_series = pts["panel"].nunique()
    return charts.finish(
        chart, title=title,
        subtitle=("Annual averages at mid-year (hollow: estimate); solid lines: a measure takes effect; "
                  "dashed: a suspension"),
        description=(f"{n_series} small line charts, one per USGS price series of the selected controlled minerals, "
                     f"{lo}–{hi - 1}, with the effective dates of China's export-control measures as vertical lines. "
                     + (f"{n_up} of {len(w)} series were higher in the comparison year than in the last full year "
                        "before the first control on goods." if len(w) else "")),
        sources=["prices", "export_controls"])


def windows_view(windows: pd.DataFrame, labels: dict[str, str]) -> Table:
    """The before-and-after figures of every series as a table."""
    frame = pd.DataFrame({
        "Mineral": windows["mineral"].map(lambda m: labels.get(m, m)),
        "Series (USGS)": windows["basis"],
        "Unit": windows["unit"].map(UNIT_TEXT),
        "First control on goods": windows["control_date"].dt.strftime("%Y-%m-%d"),
        "Year before": windows["before_year"],
        "Price before": windows["before"],
        "Control year": windows["control_year"],
        "Price in control year": windows["during"],
        "Year compared": windows["compare_year"].astype("Int64"),
        "Price compared": windows["compare"],
        "Change": windows["change_pct"],
    })

    def num(v):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"

    return Table(frame, caption="USGS annual prices before and after each mineral's first control on goods",
                 formats={"Price before": num, "Price in control year": num, "Price compared": num,
                          "Change": change_text})
