"""The expert-positions chapter (notebooks/expert_positions.ipynb): its sentences and tables, written from the
counts of :mod:`critmin.analysis.claims`; every count in them is computed. Its charts are in
:mod:`critmin.chapters.claims_charts`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.analysis import deals
from critmin.analysis.claims import STANCES, balance, codes, labels, voice_claims, voice_key, voice_stances
from critmin.data import package as datapackage
from critmin.text import and_list, date_text, md_escape, num, pct, signed

__all__ = ["balance_text", "concentration_text", "groups_table", "off_list_note", "report_voices", "voices_table"]

_REASON_PHRASES = {"pro_china": "a pro-China objection", "sovereignty": "sovereignty or provincial rights",
                   "other": "other grounds"}


def balance_text(df: pd.DataFrame, all_claims: pd.DataFrame, codebook: pd.DataFrame, claims_file: str = "",
                 themes: list[str] | None = None) -> str:
    """The opening of the expert-positions chapter: where the claims come from, the theme filter, and the
    balance of stances, reasons, groups and themes (paragraphs separated by blank lines).

    `df` is the claims kept by the theme filter, `all_claims` all claims read, `themes` the chosen theme codes
    (all themes when None), `claims_file` the reader's file parameter ("" for the book's claims).
    """
    theme_names = labels("theme", codebook)
    themes = codes("theme", codebook) if themes is None else themes
    b = balance(df, codebook)
    notes = []
    if claims_file.strip():
        notes.append(f"Claims read from your file `{md_escape(Path(claims_file).name)}` "
                     f"({num(len(all_claims))} claims). The sources listed at the end of the page are those of "
                     f"the book's own claims table.")
    if len(themes) < len(codes("theme", codebook)):
        notes.append("Only claims tagged with at least one of these themes are counted: "
                     + ", ".join(f"*{theme_names[t]}*" for t in themes)
                     + f" ({num(len(df))} of {num(len(all_claims))} claims).")
    if b["claims"] == 0:
        notes.append("No claim carries the chosen themes, so there is nothing to chart.")
        return "\n\n".join(notes)
    c, s = b["counts"], b["shares"]
    text = (f"The **{num(b['claims'])} claims** come from **{num(b['voices'])} voices** and were made "
            f"between {b['first_date']:%B %Y} and {b['last_date']:%B %Y}. **{num(c['favours_us'])}** "
            f"({pct(s['favours_us'])}) favour the US partnership, **{num(c['balanced'])}** "
            f"({pct(s['balanced'])}) are balanced or hedging and **{num(c['sceptical'])}** "
            f"({pct(s['sceptical'])}) are sceptical.")
    if b["reasons"]:
        reason_names = labels("stance_reason", codebook)
        parts = [f"{num(n)} on {_REASON_PHRASES.get(r, reason_names.get(r, r))}" for r, n in b["reasons"].items()]
        text += (" The sceptical claims rest "
                 + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + ".")
    notes.append(text)
    fav, scep = b["most_favourable_group"], b["most_sceptical_group"]
    if fav and scep and fav[0] != scep[0]:
        notes.append(f"Among speaker groups with at least two claims, the highest mean stance is that of "
                     f"**{fav[0]}** ({signed(fav[1])} over {num(fav[2])} claims, on a scale from −1 "
                     f"sceptical to +1 favouring the US) and the lowest that of **{scep[0]}** "
                     f"({signed(scep[1])} over {num(scep[2])} claims). The mean over all claims is "
                     f"{signed(b['mean_score'])}.")
    notes.append(f"The most frequent theme is *{b['top_theme'][0]}* ({num(b['top_theme'][1])} claims).")
    return "\n\n".join(notes)


def voices_table(df: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """One row per voice as the chapter's table shows it: group, claims by stance and mean stance."""
    voices, _ = voice_claims(df, codebook)
    shown = voices.assign(group=voices["group_label"])[
        ["speaker", "group", "claims", "favours_us", "balanced", "sceptical", "score"]]
    shown.columns = ["Voice", "Group", "Claims", "Favour US", "Balanced", "Sceptical", "Mean stance"]
    return shown


def groups_table(df: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Per speaker group (codebook order): voices and claims, and voices by the sign of their mean stance."""
    v = voice_stances(df)
    per = pd.crosstab(v["speaker_group"], v["stance"]).reindex(columns=STANCES, fill_value=0)
    by = v.groupby("speaker_group")
    out = pd.DataFrame({"voices": by.size(), "claims": by["claims"].sum()})
    out = out.join(per)
    order = [g for g in codes("speaker_group", codebook) if g in out.index]
    out = out.reindex(order).fillna(0).astype("int64")
    names = labels("speaker_group", codebook)
    shown = out.reset_index().rename(columns={"speaker_group": "group"})
    shown.insert(0, "Group", shown["group"].map(names))
    shown = shown.drop(columns="group")
    shown.columns = ["Group", "Voices", "Claims", "Voices favouring the US", "Balanced voices", "Sceptical voices"]
    return shown


def report_voices(df: pd.DataFrame) -> pd.DataFrame:
    """The voices quoted in the report most claims come from (the claims resource's first source), other than
    the report's own framing (group 'other'): one row per voice with its claims and the months they are dated to."""
    src = datapackage.resource("claims")["sources"][0].get("path", "")
    rep = df[(df["source_url"] == src) & (df["speaker_group"] != "other")]
    if rep.empty:
        return pd.DataFrame(columns=["voice", "speaker", "claims"])
    rep = rep.assign(voice=voice_key(rep))
    return rep.groupby("voice", sort=False).agg(speaker=("speaker", "first"), claims=("claim_id", "size")).reset_index()


def concentration_text(df: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """Counts per voice beside counts per claim: how the stance balance reads when each voice counts once, how
    many claims the report's experts make and how much of the busiest month they are, and the interested-party
    and low-reliability groups kept apart."""
    if not len(df):
        return ""
    v = voice_stances(df)
    vc = v["stance"].value_counts().reindex(STANCES, fill_value=0)
    cc = df["stance"].value_counts().reindex(STANCES, fill_value=0)
    parts = [f"Counted per claim, {num(cc['favours_us'])} of {num(len(df))} claims favour the US, "
             f"{num(cc['balanced'])} are balanced and {num(cc['sceptical'])} sceptical; counted per voice (each of "
             f"the {num(len(v))} voices once, by the sign of its mean stance), {num(vc['favours_us'])} voices lean "
             f"towards the US, {num(vc['balanced'])} sit at zero and {num(vc['sceptical'])} lean sceptical."]
    top = v.sort_values(["claims", "speaker"], ascending=[False, True])
    rep = report_voices(df)
    if len(rep) > 1:
        n = int(rep["claims"].sum())
        ids = set(rep["voice"])
        mine = df[voice_key(df).isin(ids)]
        month = df["date"].dt.to_period("M").value_counts().sort_values(ascending=False, kind="stable")
        busiest = month.index[0]
        in_busiest = int((mine["date"].dt.to_period("M") == busiest).sum())
        publisher = datapackage.resource("claims")["sources"][0].get("publisher", "one")
        parts.append(f"A few voices make many claims: the {num(len(rep))} experts quoted in the {publisher} "
                     f"report ({and_list(rep['speaker'].tolist())}) make **{num(n)} of the {num(len(df))} claims**. "
                     f"{num(in_busiest)} of the {num(int(month.iloc[0]))} claims of the busiest month, "
                     f"{busiest.strftime('%B %Y')}, are theirs, so that month's peak reflects one report rather than "
                     "a wave of new voices.")
    elif len(top):
        first = top.iloc[0]
        parts.append(f"The most frequent voice, {first['speaker']}, makes {num(int(first['claims']))} claims.")
    names = labels("speaker_group", codebook)
    kept = []
    for g in ("interested_party", "low_reliability_source"):
        sub = v[v["speaker_group"] == g]
        if len(sub):
            kept.append(f"{names[g].lower()} ({num(int(sub['claims'].sum()))} claims from {num(len(sub))} "
                        f"voice{'' if len(sub) == 1 else 's'}: {and_list(sub['speaker'].tolist())})")
    if kept:
        parts.append("Two groups are kept apart from the national groups: " + " and ".join(kept)
                     + ". Interested parties have a stake in the deal or trade they speak about; low-reliability "
                     "sources cannot be checked for author or standing.")
    return "\n\n".join(parts)


def off_list_note(df: pd.DataFrame, events: pd.DataFrame) -> str:
    """Which minerals named for early export under the MoU are not on the final US List of Critical Minerals,
    and how many claims speak of them; empty when every named mineral is on the list."""
    ev = events.set_index("event_id")
    if deals.SIGNED_EVENT not in ev.index or deals.LIST_EVENT not in ev.index:
        return ""
    off = deals.not_critical(events, ev.loc[deals.SIGNED_EVENT, "minerals"])
    if not off:
        return ""
    words = [m.replace("_", " ") for m in off]
    pattern = "|".join(words)
    mention = df[df["claim"].str.contains(pattern, case=False, regex=True, na=False)]
    who = and_list(sorted(mention["speaker"].unique())) if len(mention) else ""
    return (f"Of the minerals named for early export under the MoU, {and_list(words)} "
            f"{'is' if len(off) == 1 else 'are'} not on the final US List of Critical Minerals "
            f"({date_text(ev.loc[deals.LIST_EVENT, 'date'])}): claims about the deal's value for US "
            f"critical-mineral supply do not extend to {'it' if len(off) == 1 else 'them'}. "
            + (f"{num(len(mention))} claim{'' if len(mention) == 1 else 's'} in the table "
               f"name{'s' if len(mention) == 1 else ''} {and_list(words)} ({who})."
               if len(mention) else f"No claim in the table names {and_list(words)}."))
