"""The claims table: loading and validating it, and the counts behind the expert-positions chapter.

The chapter's pages accept a claims file of the reader's own (same columns and codes as data/claims.csv);
`load_claims_param` turns any problem with it into one ParameterError line that names the file, line and column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin import data, paths
from critmin.data import DataError
from critmin.data import package as datapackage
from critmin.params import ParameterError, choice, choices
from critmin.text import md_escape, signed

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


def load_codebook() -> pd.DataFrame:
    """The codebook (one row per code, in display order within each code type)."""
    return data.read_resource("claims_codebook")


def codes(code_type: str, codebook: pd.DataFrame | None = None) -> list[str]:
    """The codes of one type in codebook order, e.g. codes('theme')."""
    cb = load_codebook() if codebook is None else codebook
    return cb.loc[cb["code_type"] == code_type, "code"].tolist()


def labels(code_type: str, codebook: pd.DataFrame | None = None) -> dict[str, str]:
    """code → short label, for chart axes and legends."""
    cb = load_codebook() if codebook is None else codebook
    sub = cb[cb["code_type"] == code_type]
    return dict(zip(sub["code"], sub["label"]))


def _split(themes: str) -> list[str]:
    return [t.strip() for t in str(themes).split(";")]


def _raw_theme_errors(path: Path, allowed: list[str], where: str) -> list[str]:
    """Theme codes missing from the codebook, read from the raw text so the error can list the allowed codes
    even when the schema's own pattern check has already failed."""
    from critmin.data.loader import read_csv_lines

    try:
        header, rows, lines = read_csv_lines(path, where)
    except DataError:  # the loader reports it
        return []
    if "themes" not in header:
        return []
    raw = pd.Series([r[header.index("themes")] for r in rows], dtype=object)
    errors = []
    for i, value in raw.items():
        if not value.strip():
            continue
        parts = _split(value)
        bad = [t for t in parts if t not in allowed]
        dup = sorted({t for t in parts if parts.count(t) > 1})
        if bad:
            errors.append(f"{where}, line {lines[i]}, column 'themes': unknown theme code(s) {bad}; "
                          f"allowed (separated by ';'): {', '.join(allowed)}")
        elif dup:
            errors.append(f"{where}, line {lines[i]}, column 'themes': theme code(s) {dup} repeated")
    return errors


def _rule_errors(df: pd.DataFrame, codebook: pd.DataFrame, where: str) -> list[str]:
    """Rules that link columns, which a per-column schema cannot express."""
    errors = []
    metrics = set(codes("metric", codebook))
    file_lines = df.attrs.get("lines")  # each row's line in the file, from the loader
    for i, r in df.iterrows():
        line = f"{where}, line {file_lines[i] if file_lines is not None else i + 2}"
        sceptical = r["stance"] == "sceptical"
        if sceptical and pd.isna(r["stance_reason"]):
            errors.append(f"{line}, column 'stance_reason': required when stance is 'sceptical' "
                          f"(one of {codes('stance_reason', codebook)})")
        if not sceptical and pd.notna(r["stance_reason"]):
            errors.append(f"{line}, column 'stance_reason': must be empty when stance is {r['stance']!r}")
        if r["checkable"] and pd.isna(r["metric"]):
            errors.append(f"{line}, column 'metric': required when checkable is true "
                          f"(one of {sorted(metrics)})")
        if not r["checkable"] and pd.notna(r["metric"]):
            errors.append(f"{line}, column 'metric': must be empty when checkable is false")
        if pd.notna(r["metric"]) and r["metric"] not in metrics:
            errors.append(f"{line}, column 'metric': {r['metric']!r} is not a metric in the codebook "
                          f"(one of {sorted(metrics)})")
        d, prec = r["date"], r["date_precision"]
        if (prec == "month" and d.day != 1) or (prec == "year" and (d.day, d.month) != (1, 1)):
            first = "first of the month" if prec == "month" else "1 January"
            errors.append(f"{line}, column 'date': {d:%Y-%m-%d} should be the {first} when date_precision is {prec!r}")
    return errors


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """The claims table, validated. With `path`, validate a claims file of your own against the same schema and
    codebook. Raises DataError naming the file, line and column of every problem found."""
    codebook = load_codebook()
    themes = codes("theme", codebook)
    if path is None:
        res = datapackage.resource("claims", paths.data_dir())
        file = paths.data_dir() / res["path"]
        where = res["path"]
    else:
        file = Path(path)
        where = str(file)
    theme_errors = _raw_theme_errors(file, themes, where)
    try:
        df = data.read_resource("claims", path=None if path is None else file)
    except DataError as e:
        if not theme_errors:
            raise
        # The schema's pattern message for 'themes' is replaced by the more useful one listing allowed codes.
        other = [line for line in str(e).splitlines() if "column 'themes'" not in line]
        raise DataError("\n".join(other + theme_errors)) from None
    errors = theme_errors + _rule_errors(df, codebook, where)
    if errors:
        more = f"\n... {len(errors) - 12} more" if len(errors) > 12 else ""
        raise DataError("\n".join(errors[:12]) + more)
    return df


def explode_themes(df: pd.DataFrame) -> pd.DataFrame:
    """One row per claim and theme, with the theme in column 'theme' (the 'themes' list is kept)."""
    out = df.assign(theme=df["themes"].map(_split)).explode("theme", ignore_index=True)
    out["theme"] = out["theme"].astype("string")
    return out


def validate_params(group_by: str = "speaker_group", themes=None) -> tuple[str, list[str]]:
    """Check the chapter's parameters; returns (group_by, themes) normalised. Raises ParameterError listing the
    allowed values. `themes` may be None or 'all' (every theme), a comma-separated string or a list."""
    group_by = choice("group_by", group_by, GROUP_BY)
    themes = choices("themes", themes, codes("theme"))
    return group_by, themes


_CODED = {"speaker_group": "speaker_group", "theme": "theme", "stance_reason": "stance_reason",
          "reliability": "reliability"}


def _stance_table(df: pd.DataFrame, by: str) -> pd.DataFrame:
    table = pd.crosstab(df[by], df["stance"]).reindex(columns=STANCES, fill_value=0)
    table.columns.name = "stance"
    return table.astype("int64")


def stance_by_group(df: pd.DataFrame, group_by: str = "speaker_group") -> pd.DataFrame:
    """Number of claims per group and stance: one row per group value present, columns favours_us, balanced,
    sceptical. Grouping by 'theme' counts a claim once under each of its themes. Groups follow codebook order
    where the column is coded, otherwise they are sorted."""
    group_by, _ = validate_params(group_by, None)
    frame = explode_themes(df) if group_by == "theme" else df.copy()
    # NOTE: a claim without a value (stance_reason of a non-sceptical claim, an empty affiliation) is counted
    # under NO_GROUP, so the bars always add up to the number of claims.
    frame[group_by] = frame[group_by].astype("object").where(frame[group_by].notna(), NO_GROUP).astype(str)
    table = _stance_table(frame, group_by)
    order_type = _CODED.get(group_by)
    if order_type:
        order = [c for c in codes(order_type) if c in table.index]
    else:
        order = sorted(c for c in table.index if c != NO_GROUP)
    table = table.reindex(order + ([NO_GROUP] if NO_GROUP in table.index else []))
    table.index.name = group_by
    return table


def theme_stance_matrix(df: pd.DataFrame, themes=None) -> pd.DataFrame:
    """Claims per theme (rows, codebook order; all themes unless `themes` is given) and stance (columns).
    Themes with no claims get a row of zeros so the matrix always has the same shape."""
    _, themes = validate_params("theme", themes)
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


# ---------------------------------------------------------------------------------------------- page helpers


def resolve_claims_file(claims_file: str | Path | None) -> Path | None:
    """The path a page's `claims_file` parameter points to: None for the package's own claims ('' or None);
    a relative path is taken from the repository root (pages run with the notebooks folder as working
    directory, so the root is the one place a reader can count from)."""
    if claims_file is None or not str(claims_file).strip():
        return None
    path = Path(str(claims_file).strip()).expanduser()
    if not path.is_absolute():
        path = paths.ROOT / path
    if not path.is_file():
        raise ParameterError(f"claims_file={str(claims_file)!r}: no such file (give a path to a CSV with the "
                             f"columns of data/claims.csv, absolute or relative to the repository root)")
    return path


def check_claims_header(path: Path, shown: str) -> None:
    """Refuse a file that is not a CSV with the header of data/claims.csv, without showing any of its content
    (the parameter may point at any file the reader can open)."""
    import csv

    expected = [f["name"] for f in datapackage.resource("claims", paths.data_dir())["schema"]["fields"]]
    hint = f"expected a CSV file whose first line is the header of data/claims.csv: {','.join(expected)}"
    if path.suffix.lower() != ".csv":
        raise ParameterError(f"claims_file={shown!r}: not a CSV file (the name must end in .csv); {hint}")
    try:
        with open(path, "rb") as fh:
            first = fh.read(1 << 16).split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
    except OSError as e:
        raise ParameterError(f"claims_file={shown!r}: cannot be read ({e.strerror or type(e).__name__})") from None
    try:
        header = next(csv.reader([first.decode("utf-8")]), None)
    except (UnicodeDecodeError, csv.Error):
        header = None
    if header != expected:
        raise ParameterError(f"claims_file={shown!r}: the first line is not the claims header; {hint}")


def load_claims_param(claims_file: str | Path | None = "") -> pd.DataFrame:
    """load_claims for a page parameter: every problem in the file becomes one ParameterError line
    ('; '-separated) naming the file, line and column, so the command line shows it in one line."""
    path = resolve_claims_file(claims_file)
    if path is not None:
        check_claims_header(path, str(claims_file).strip())
    try:
        return load_claims(path)
    except DataError as e:
        problems = [line for line in str(e).splitlines() if line.strip()]
        raise ParameterError("claims_file: " + "; ".join(problems)) from None


def filter_themes(df: pd.DataFrame, themes) -> pd.DataFrame:
    """Claims that carry at least one of `themes` ('all', a comma-separated string or a list)."""
    _, themes = validate_params("speaker_group", themes)
    keep = df["themes"].map(lambda t: any(x in themes for x in _split(t)))
    return df[keep].reset_index(drop=True)


def group_label(group_by: str, codebook: pd.DataFrame | None = None):
    """A function value → label for the column `group_by` (codebook labels for coded columns)."""
    cb = load_codebook() if codebook is None else codebook
    names = labels(_CODED[group_by], cb) if group_by in _CODED else {}
    names = {**names, NO_GROUP: "None (not coded)" if group_by == "stance_reason" else "None given"}
    if group_by == "checkable":
        names.update({"True": "Checkable with the book's data", "False": "Not checkable"})
    return lambda v: names.get(str(v), str(v))


def stance_long(table: pd.DataFrame, label=None) -> pd.DataFrame:
    """A stance_by_group / theme_stance_matrix table as long rows for a chart: group, label, order,
    stance, stance_label, stance_order, claims, share of the group's claims."""
    stance_names = labels("stance")
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


def timeline(df: pd.DataFrame) -> pd.DataFrame:
    """One row per claim for a dots-by-date chart: date, stance, a 0-based `slot` that separates claims with
    the same date and stance, and the text for tooltips. Sorted by date, stance order and claim_id."""
    out = df.assign(stance_order=df["stance"].map({s: i for i, s in enumerate(STANCES)}))
    out = out.sort_values(["date", "stance_order", "claim_id"], ignore_index=True)
    out["slot"] = out.groupby(["date", "stance"]).cumcount().astype("int64")
    out["stance_label"] = out["stance"].map(labels("stance"))
    out["group_label"] = out["speaker_group"].map(labels("speaker_group"))
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


def voice_claims(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(voices, claims) for the stance-scale chart. voices = positions(df) with labels and a display rank;
    claims = one row per claim with its voice, score, and a small vertical offset so a voice's claims at the
    same score do not hide each other."""
    voices = positions(df)
    voices["rank"] = range(len(voices))
    voices["group_label"] = voices["speaker_group"].map(labels("speaker_group"))
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
    claims["stance_label"] = claims["stance"].map(labels("stance"))
    claims["when"] = [_when(d, p) for d, p in zip(claims["date"], claims["date_precision"])]
    claims = claims.merge(voices[["speaker", "rank"]], on="speaker")
    return voices, claims[["claim_id", "speaker", "rank", "score", "stance", "stance_label", "slot", "claim",
                           "outlet", "source_url", "when"]]


def balance(df: pd.DataFrame, codebook: pd.DataFrame | None = None) -> dict:
    """The numbers the positions page's prose is written from: claims and voices, counts and shares per
    stance, sceptical reasons, the groups leaning most each way, the most frequent theme and the mean score.
    Group leanings use only groups with at least two claims."""
    cb = load_codebook() if codebook is None else codebook
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


def codebook_entries(code_type: str, df: pd.DataFrame | None = None,
                     codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """The codebook rows of one type with their example claim's text and speaker, and how many claims in
    `df` carry the code (a claim counts once per theme)."""
    cb = load_codebook() if codebook is None else codebook
    df = load_claims() if df is None else df
    rows = cb[cb["code_type"] == code_type].reset_index(drop=True)
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


# --- The chapters' prose and tables ----------------------------------------------------------------------------
# Sentences and tables of the expert-positions and codebook chapters, written from the claims and codebook
# tables; every count in them is computed.

_REASON_PHRASES = {"pro_china": "a pro-China objection", "sovereignty": "sovereignty or provincial rights",
                   "other": "other grounds"}


def balance_text(df: pd.DataFrame, all_claims: pd.DataFrame, codebook: pd.DataFrame, claims_file: str = "",
                 themes: list[str] | None = None) -> str:
    """The opening of the expert-positions chapter: where the claims come from, the theme filter, and the
    balance of stances, reasons, groups and themes (paragraphs separated by blank lines).

    `df` is the claims kept by the theme filter, `all_claims` all claims read, `themes` the chosen theme codes
    (all themes when None), `claims_file` the reader's file parameter ("" for the book's claims).
    """
    from critmin.text import num, pct

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


def voices_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per voice as the chapter's table shows it: group, claims by stance and mean stance."""
    voices, _ = voice_claims(df)
    shown = voices.assign(group=voices["group_label"])[
        ["speaker", "group", "claims", "favours_us", "balanced", "sceptical", "score"]]
    shown.columns = ["Voice", "Group", "Claims", "Favour US", "Balanced", "Sceptical", "Mean stance"]
    return shown


CODEBOOK_SECTIONS = {
    "stance": "A claim's stance towards the USSM–FWO deal or US minerals cooperation. Each claim gets exactly one.",
    "stance_reason": "The ground of a sceptical claim. Only sceptical claims get one, and they must.",
    "theme": "What a claim is about. A claim gets one or more themes, separated by semicolons in the table.",
    "speaker_group": "Who made the claim, coded by the capacity in which they spoke. One per claim.",
    "reliability": "How close the source we read is to the statement itself. One per claim.",
}
CODEBOOK_TITLES = {"stance": "Stances", "stance_reason": "Reasons for scepticism", "theme": "Themes",
                   "speaker_group": "Speaker groups", "reliability": "Source reliability"}


def codebook_summary(df: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """How many codes the codebook has per group and how many claims and voices they code."""
    from critmin.text import num

    counts = {t: len(codes(t, codebook)) for t in CODEBOOK_SECTIONS}
    return (f"The codebook has **{num(sum(counts.values()))} codes** in {num(len(counts))} groups: "
            + ", ".join(f"{num(n)} {CODEBOOK_TITLES[t].lower()}" for t, n in counts.items())
            + f". They code **{num(len(df))} claims** from **{num(df['speaker'].nunique())} voices**. "
            "Claims are paraphrases in our own words, with at most a few quoted words; the examples below are "
            "quoted from the claims table, not from the speakers. Stance codes a claim, never a person: a voice's "
            "position is the mean of its claims' stance scores (+1 favours the US, 0 balanced, −1 sceptical). "
            "The metrics used to test checkable claims are defined in the claims-and-evidence chapter.")


def codebook_section(code_type: str, df: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """One section of the codebook page in Markdown: each code's label, definition, an example claim from the
    table, the coding rule and how many claims carry it."""
    from critmin.text import num

    parts = [f"## {CODEBOOK_TITLES[code_type]}", CODEBOOK_SECTIONS[code_type]]
    for r in codebook_entries(code_type, df, codebook).itertuples():
        n = f"{num(r.claims)} claim{'' if r.claims == 1 else 's'} in the table"
        example = (f"> “{md_escape(r.example_claim)}” — paraphrase of **{md_escape(r.example_speaker)}**"
                   f" ({md_escape(r.example_outlet)})" if isinstance(r.example_claim, str)
                   else "> (no example in the table)")
        parts.append(f"### {md_escape(r.label)} (`{r.code}`)\n\n{md_escape(r.definition)}\n\n"
                     f"{example}\n\n**Coding rule.** {md_escape(r.coding_rule)} *({n}.)*")
    return "\n\n".join(parts)


# --- Counts per voice beside counts per claim -------------------------------------------------------------------


def _voice_key(df: pd.DataFrame) -> pd.Series:
    return df["voice_id"] if "voice_id" in df.columns else df["speaker"]


def voice_stances(df: pd.DataFrame) -> pd.DataFrame:
    """One row per voice (voice_id): its group, claims and the sign of its mean stance score as a stance
    (favours_us above 0, balanced at 0, sceptical below), so a voice counts once whatever its number of claims."""
    scored = df.assign(voice=_voice_key(df), score=df["stance"].map(STANCE_SCORE).astype("float64"))
    v = scored.groupby("voice", sort=False).agg(speaker=("speaker", "first"), speaker_group=("speaker_group", "first"),
                                                claims=("claim_id", "size"), score=("score", "mean"))
    v["stance"] = v["score"].map(lambda s: "favours_us" if s > 0 else ("sceptical" if s < 0 else "balanced"))
    return v.reset_index()


def groups_table(df: pd.DataFrame, codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per speaker group (codebook order): voices and claims, and voices by the sign of their mean stance."""
    cb = load_codebook() if codebook is None else codebook
    v = voice_stances(df)
    per = pd.crosstab(v["speaker_group"], v["stance"]).reindex(columns=STANCES, fill_value=0)
    by = v.groupby("speaker_group")
    out = pd.DataFrame({"voices": by.size(), "claims": by["claims"].sum()})
    out = out.join(per)
    order = [g for g in codes("speaker_group", cb) if g in out.index]
    out = out.reindex(order).fillna(0).astype("int64")
    names = labels("speaker_group", cb)
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
    rep = rep.assign(voice=_voice_key(rep))
    return rep.groupby("voice", sort=False).agg(speaker=("speaker", "first"), claims=("claim_id", "size")).reset_index()


def concentration_text(df: pd.DataFrame, codebook: pd.DataFrame | None = None) -> str:
    """Counts per voice beside counts per claim: how the stance balance reads when each voice counts once, how
    many claims the report's experts make and how much of the busiest month they are, and the interested-party
    and low-reliability groups kept apart."""
    from critmin.text import and_list, num

    cb = load_codebook() if codebook is None else codebook
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
        mine = df[_voice_key(df).isin(ids)]
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
    names = labels("speaker_group", cb)
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
    from critmin.analysis import deals as deals_mod
    from critmin.text import and_list, date_text, num

    ev = events.set_index("event_id")
    if deals_mod.SIGNED_EVENT not in ev.index or deals_mod.LIST_EVENT not in ev.index:
        return ""
    off = deals_mod.not_critical(events, ev.loc[deals_mod.SIGNED_EVENT, "minerals"])
    if not off:
        return ""
    words = [m.replace("_", " ") for m in off]
    pattern = "|".join(words)
    mention = df[df["claim"].str.contains(pattern, case=False, regex=True, na=False)]
    who = and_list(sorted(mention["speaker"].unique())) if len(mention) else ""
    return (f"Of the minerals named for early export under the MoU, {and_list(words)} "
            f"{'is' if len(off) == 1 else 'are'} not on the final US List of Critical Minerals "
            f"({date_text(ev.loc[deals_mod.LIST_EVENT, 'date'])}): claims about the deal's value for US "
            f"critical-mineral supply do not extend to {'it' if len(off) == 1 else 'them'}. "
            + (f"{num(len(mention))} claim{'' if len(mention) == 1 else 's'} in the table "
               f"name{'s' if len(mention) == 1 else ''} {and_list(words)} ({who})."
               if len(mention) else f"No claim in the table names {and_list(words)}."))
