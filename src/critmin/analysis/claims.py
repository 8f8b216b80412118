"""The counts behind the expert-positions, codebook and claims-and-evidence chapters: stances per group and
theme, positions per voice, the balance of the claims and the codebook's use.

The claims and codebook tables are read and validated by :mod:`critmin.data.claims`; the chapters' sentences
are written in :mod:`critmin.chapters.expert_positions` and :mod:`critmin.chapters.codebook`.
"""

from __future__ import annotations

import pandas as pd

from critmin.params import choice, choices

STANCES = ["favours_us", "balanced", "sceptical"]
# NOTE: a voice's position is the mean of these scores over its claims; the scale is ordinal, so the mean is a
# summary for ordering voices on a chart, not a measurement.
STANCE_SCORE = {"favours_us": 1, "balanced": 0, "sceptical": -1}

# Stance colours: a diverging scale with a neutral middle. China's chart colour (charts.CHINA) is avoided
# for 'sceptical' so that scepticism is not drawn as China's side.
STANCE_COLOURS = {"favours_us": "#0072B2", "balanced": "#B0B0B0", "sceptical": "#E69F00"}
NO_GROUP = "(none)"
_STANCE_WORDS = {"favours_us": "favouring the US", "balanced": "balanced", "sceptical": "sceptical"}

# Columns stance_by_group can group by; 'theme' explodes the semicolon list first.
GROUP_BY = ["speaker_group", "theme", "stance_reason", "reliability", "outlet", "speaker", "checkable", "date_precision"]


def codes(code_type: str, codebook: pd.DataFrame) -> list[str]:
    """The codes of one type in codebook order, e.g. codes('theme', codebook)."""
    return codebook.loc[codebook["code_type"] == code_type, "code"].tolist()


def labels(code_type: str, codebook: pd.DataFrame) -> dict[str, str]:
    """code → short label, for chart axes and legends."""
    sub = codebook[codebook["code_type"] == code_type]
    return dict(zip(sub["code"], sub["label"]))


def _split(themes: str) -> list[str]:
    return [t.strip() for t in str(themes).split(";")]


def explode_themes(df: pd.DataFrame) -> pd.DataFrame:
    """One row per claim and theme, with the theme in column 'theme' (the 'themes' list is kept)."""
    out = df.assign(theme=df["themes"].map(_split)).explode("theme", ignore_index=True)
    out["theme"] = out["theme"].astype("string")
    return out


def validate_params(group_by: str, themes, codebook: pd.DataFrame) -> tuple[str, list[str]]:
    """Check the chapter's parameters; returns (group_by, themes) normalised. Raises ParameterError listing the
    allowed values. `themes` may be None or 'all' (every theme), a comma-separated string or a list."""
    group_by = choice("group_by", group_by, GROUP_BY)
    themes = choices("themes", themes, codes("theme", codebook))
    return group_by, themes


_CODED = {"speaker_group": "speaker_group", "theme": "theme", "stance_reason": "stance_reason",
          "reliability": "reliability"}


def _stance_table(df: pd.DataFrame, by: str) -> pd.DataFrame:
    table = pd.crosstab(df[by], df["stance"]).reindex(columns=STANCES, fill_value=0)
    table.columns.name = "stance"
    return table.astype("int64")


def stance_by_group(df: pd.DataFrame, group_by: str, codebook: pd.DataFrame) -> pd.DataFrame:
    """Number of claims per group and stance: one row per group value present, columns favours_us, balanced,
    sceptical. Grouping by 'theme' counts a claim once under each of its themes. Groups follow codebook order
    where the column is coded, otherwise they are sorted."""
    group_by, _ = validate_params(group_by, None, codebook)
    frame = explode_themes(df) if group_by == "theme" else df.copy()
    # NOTE: a claim without a value (stance_reason of a non-sceptical claim, an empty affiliation) is counted
    # under NO_GROUP, so the bars always add up to the number of claims.
    frame[group_by] = frame[group_by].astype("object").where(frame[group_by].notna(), NO_GROUP).astype(str)
    table = _stance_table(frame, group_by)
    order_type = _CODED.get(group_by)
    if order_type:
        order = [c for c in codes(order_type, codebook) if c in table.index]
    else:
        order = sorted(c for c in table.index if c != NO_GROUP)
    table = table.reindex(order + ([NO_GROUP] if NO_GROUP in table.index else []))
    table.index.name = group_by
    return table


def theme_stance_matrix(df: pd.DataFrame, themes, codebook: pd.DataFrame) -> pd.DataFrame:
    """Claims per theme (rows, codebook order; all themes unless `themes` is given) and stance (columns).
    Themes with no claims get a row of zeros so the matrix always has the same shape."""
    _, themes = validate_params("theme", themes, codebook)
    long = explode_themes(df)
    long = long[long["theme"].isin(themes)]
    table = _stance_table(long, "theme").reindex(themes, fill_value=0)
    table.index.name = "theme"
    return table


def positions(df: pd.DataFrame) -> pd.DataFrame:
    """One row per voice: group, number of claims, claims per stance and the mean stance score (+1 favours the
    US, 0 balanced, −1 sceptical), sorted from most favourable to most sceptical."""
    scored = df.assign(score=df["stance"].map(STANCE_SCORE).astype("float64"))
    counts = pd.crosstab(df["speaker"], df["stance"]).reindex(columns=STANCES, fill_value=0)
    first = scored.groupby("speaker", sort=False).agg(
        speaker_group=("speaker_group", "first"), role=("role", "first"), claims=("claim_id", "size"),
        score=("score", "mean"))
    out = first.join(counts).reset_index()
    out = out[["speaker", "speaker_group", "role", "claims", *STANCES, "score"]]
    return out.sort_values(["score", "claims", "speaker"], ascending=[False, False, True], ignore_index=True)


def filter_themes(df: pd.DataFrame, themes, codebook: pd.DataFrame) -> pd.DataFrame:
    """Claims that carry at least one of `themes` ('all', a comma-separated string or a list)."""
    _, themes = validate_params("speaker_group", themes, codebook)
    keep = df["themes"].map(lambda t: any(x in themes for x in _split(t)))
    return df[keep].reset_index(drop=True)


def group_label(group_by: str, codebook: pd.DataFrame):
    """A function value → label for the column `group_by` (codebook labels for coded columns)."""
    names = labels(_CODED[group_by], codebook) if group_by in _CODED else {}
    names = {**names, NO_GROUP: "None (not coded)" if group_by == "stance_reason" else "None given"}
    if group_by == "checkable":
        names.update({"True": "Checkable with the book's data", "False": "Not checkable"})
    return lambda v: names.get(str(v), str(v))


def stance_long(table: pd.DataFrame, codebook: pd.DataFrame, label=None) -> pd.DataFrame:
    """A stance_by_group / theme_stance_matrix table as long rows for a chart: group, label, order,
    stance, stance_label, stance_order, claims, share of the group's claims."""
    stance_names = labels("stance", codebook)
    out = table.reset_index().melt(id_vars=table.index.name or "index", var_name="stance", value_name="claims")
    out = out.rename(columns={table.index.name or "index": "group"})
    out["group"] = out["group"].astype(str)
    order = {g: i for i, g in enumerate(map(str, table.index))}
    out["order"] = out["group"].map(order)
    out["label"] = out["group"].map(label or str)
    out["stance_label"] = out["stance"].map(stance_names)
    out["stance_order"] = out["stance"].map({s: i for i, s in enumerate(STANCES)})
    totals = out.groupby("group")["claims"].transform("sum")
    out["share"] = (out["claims"] / totals.where(totals > 0)).astype("float64")
    out["claims"] = out["claims"].astype("int64")
    return out.sort_values(["order", "stance_order"], ignore_index=True)


def timeline(df: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """One row per claim for a dots-by-date chart: date, stance, a 0-based `slot` that separates claims with
    the same date and stance, and the text for tooltips. Sorted by date, stance order and claim_id."""
    out = df.assign(stance_order=df["stance"].map({s: i for i, s in enumerate(STANCES)}))
    out = out.sort_values(["date", "stance_order", "claim_id"], ignore_index=True)
    out["slot"] = out.groupby(["date", "stance"]).cumcount().astype("int64")
    out["stance_label"] = out["stance"].map(labels("stance", codebook))
    out["group_label"] = out["speaker_group"].map(labels("speaker_group", codebook))
    out["day"] = out["date"].dt.strftime("%Y-%m-%d")
    out["when"] = [_when(d, p) for d, p in zip(out["date"], out["date_precision"])]
    return out[["claim_id", "date", "day", "when", "speaker", "speaker_group", "group_label", "stance",
                "stance_label", "stance_order", "slot", "claim", "outlet", "source_url"]]


def _when(date: pd.Timestamp, precision: str) -> str:
    if precision == "year":
        return f"{date:%Y}"
    if precision == "month":
        return f"{date:%B %Y}"
    return f"{date.day} {date:%B %Y}"


def voice_claims(df: pd.DataFrame, codebook: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(voices, claims) for the stance-scale chart. voices = positions(df) with labels and a display rank;
    claims = one row per claim with its voice, score, and a small vertical offset so a voice's claims at the
    same score do not hide each other."""
    voices = positions(df)
    voices["rank"] = range(len(voices))
    voices["group_label"] = voices["speaker_group"].map(labels("speaker_group", codebook))
    # A voice with one claim gets that claim in its own tooltip; the ticks carry the claims of the others.
    first = df.sort_values(["date", "claim_id"]).groupby("speaker").first()
    one = voices["claims"] == 1
    voices["example"] = [first.loc[v, "claim"] if o else f"{n} claims: hover a tick for each"
                         for v, o, n in zip(voices["speaker"], one, voices["claims"])]
    voices["example_source"] = [f"{first.loc[v, 'outlet']}, {first.loc[v, 'source_url']}" if o else ""
                                for v, o in zip(voices["speaker"], one)]
    voices["stance_mix"] = [
        ", ".join(f"{int(r[s])} {_STANCE_WORDS[s]}" for s in STANCES if r[s])
        for _, r in voices.iterrows()]
    claims = df.assign(score=df["stance"].map(STANCE_SCORE).astype("float64"))
    claims = claims.sort_values(["speaker", "stance", "date", "claim_id"], ignore_index=True)
    claims["slot"] = claims.groupby(["speaker", "stance"]).cumcount().astype("int64")
    claims["stance_label"] = claims["stance"].map(labels("stance", codebook))
    claims["when"] = [_when(d, p) for d, p in zip(claims["date"], claims["date_precision"])]
    claims = claims.merge(voices[["speaker", "rank"]], on="speaker")
    return voices, claims[["claim_id", "speaker", "rank", "score", "stance", "stance_label", "slot", "claim",
                           "outlet", "source_url", "when"]]


def balance(df: pd.DataFrame, codebook: pd.DataFrame) -> dict:
    """The numbers the positions page's prose is written from: claims and voices, counts and shares per
    stance, sceptical reasons, the groups leaning most each way, the most frequent theme and the mean score.
    Group leanings use only groups with at least two claims."""
    cb = codebook
    n = len(df)
    counts = df["stance"].value_counts().reindex(STANCES, fill_value=0).astype(int)
    reasons = df["stance_reason"].dropna().value_counts()
    reasons = reasons.reindex([c for c in codes("stance_reason", cb) if c in reasons.index]).astype(int)
    by_group = df.assign(score=df["stance"].map(STANCE_SCORE).astype("float64")).groupby("speaker_group")
    groups = by_group["score"].agg(["mean", "size"])
    groups = groups[groups["size"] >= 2].sort_values(["mean", "size"], ascending=[False, False])
    theme_counts = explode_themes(df)["theme"].value_counts() if n else pd.Series(dtype=int)
    theme_order = {t: i for i, t in enumerate(codes("theme", cb))}
    top_theme = (sorted(theme_counts.items(), key=lambda kv: (-kv[1], theme_order.get(kv[0], 99)))[0]
                 if len(theme_counts) else (None, 0))
    group_names = labels("speaker_group", cb)
    return {
        "claims": n,
        "voices": df["speaker"].nunique(),
        "counts": counts.to_dict(),
        "shares": {s: (counts[s] / n if n else float("nan")) for s in STANCES},
        "reasons": reasons.to_dict(),
        "mean_score": float(df["stance"].map(STANCE_SCORE).mean()) if n else float("nan"),
        "most_favourable_group": (group_names.get(groups.index[0], groups.index[0]), float(groups["mean"].iloc[0]),
                                  int(groups["size"].iloc[0])) if len(groups) else None,
        "most_sceptical_group": (group_names.get(groups.index[-1], groups.index[-1]), float(groups["mean"].iloc[-1]),
                                 int(groups["size"].iloc[-1])) if len(groups) else None,
        "top_theme": (labels("theme", cb).get(top_theme[0], top_theme[0]), int(top_theme[1])),
        "first_date": df["date"].min() if n else None,
        "last_date": df["date"].max() if n else None,
    }


def codebook_entries(code_type: str, df: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """The codebook rows of one type with their example claim's text and speaker, and how many claims in
    `df` carry the code (a claim counts once per theme)."""
    rows = codebook[codebook["code_type"] == code_type].reset_index(drop=True)
    by_id = df.set_index("claim_id")
    rows["example_claim"] = rows["example_claim_id"].map(lambda i: by_id["claim"].get(i))
    rows["example_speaker"] = rows["example_claim_id"].map(lambda i: by_id["speaker"].get(i))
    rows["example_outlet"] = rows["example_claim_id"].map(lambda i: by_id["outlet"].get(i))
    if code_type == "theme":
        used = explode_themes(df)["theme"].value_counts()
    else:
        used = df[code_type].value_counts()
    rows["claims"] = rows["code"].map(used).fillna(0).astype("int64")
    return rows


# --- Counts per voice beside counts per claim -------------------------------------------------------------------


def voice_key(df: pd.DataFrame) -> pd.Series:
    return df["voice_id"] if "voice_id" in df.columns else df["speaker"]


def voice_stances(df: pd.DataFrame) -> pd.DataFrame:
    """One row per voice (voice_id): its group, claims and the sign of its mean stance score as a stance
    (favours_us above 0, balanced at 0, sceptical below), so a voice counts once whatever its number of claims."""
    scored = df.assign(voice=voice_key(df), score=df["stance"].map(STANCE_SCORE).astype("float64"))
    v = scored.groupby("voice", sort=False).agg(speaker=("speaker", "first"), speaker_group=("speaker_group", "first"),
                                                claims=("claim_id", "size"), score=("score", "mean"))
    v["stance"] = v["score"].map(lambda s: "favours_us" if s > 0 else ("sceptical" if s < 0 else "balanced"))
    return v.reset_index()
