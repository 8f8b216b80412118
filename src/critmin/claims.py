"""The claims table: loading and validating it, and the counts behind the expert-positions chapter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import data, datapackage, paths
from .data import DataError
from .params import ParameterError, choice, choices

STANCES = ["favours_us", "balanced", "sceptical"]
# NOTE: a voice's position is the mean of these scores over its claims; the scale is ordinal, so the mean is a
# summary for ordering voices on a chart, not a measurement.
STANCE_SCORE = {"favours_us": 1, "balanced": 0, "sceptical": -1}

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
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, FileNotFoundError):
        return []
    if "themes" not in raw.columns:
        return []
    errors = []
    for i, value in raw["themes"].items():
        if not value.strip():
            continue
        parts = _split(value)
        bad = [t for t in parts if t not in allowed]
        dup = sorted({t for t in parts if parts.count(t) > 1})
        if bad:
            errors.append(f"{where}, line {i + 2}, column 'themes': unknown theme code(s) {bad}; "
                          f"allowed (separated by ';'): {', '.join(allowed)}")
        elif dup:
            errors.append(f"{where}, line {i + 2}, column 'themes': theme code(s) {dup} repeated")
    return errors


def _rule_errors(df: pd.DataFrame, codebook: pd.DataFrame, where: str) -> list[str]:
    """Rules that link columns, which a per-column schema cannot express."""
    errors = []
    metrics = set(codes("metric", codebook))
    for i, r in df.iterrows():
        line = f"{where}, line {i + 2}"
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


def _stance_table(df: pd.DataFrame, by: str) -> pd.DataFrame:
    table = pd.crosstab(df[by], df["stance"]).reindex(columns=STANCES, fill_value=0)
    table.columns.name = "stance"
    return table.astype("int64")


def stance_by_group(df: pd.DataFrame, group_by: str = "speaker_group") -> pd.DataFrame:
    """Number of claims per group and stance: one row per group value present, columns favours_us, balanced,
    sceptical. Grouping by 'theme' counts a claim once under each of its themes. Groups follow codebook order
    where the column is coded, otherwise they are sorted."""
    group_by, _ = validate_params(group_by, None)
    frame = explode_themes(df) if group_by == "theme" else df
    table = _stance_table(frame, group_by)
    order_type = {"speaker_group": "speaker_group", "theme": "theme", "stance_reason": "stance_reason",
                  "reliability": "reliability"}.get(group_by)
    if order_type:
        order = [c for c in codes(order_type) if c in table.index]
        table = table.reindex(order)
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
