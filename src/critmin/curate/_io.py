"""Writing curated tables and their metadata the same way in every curation step (UTF-8, Unix line ends, no index)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def write_meta(meta: dict, out: Path) -> Path:
    path = out / "meta" / f"{meta['name']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=110)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
