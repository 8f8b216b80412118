"""Where the project's folders are, found from the package itself so any working directory works."""

from __future__ import annotations

import os
from pathlib import Path

# The package is installed in editable mode from src/, so the repository root is two levels up.
# CRITMIN_ROOT overrides it (tests point it at a scratch copy of the repository).
ROOT = Path(os.environ.get("CRITMIN_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
PAGES = BOOK / "pages"
RUNS = ROOT / "runs"


def data_dir() -> Path:
    """The data package folder; CRITMIN_DATA points the loaders at another copy."""
    return Path(os.environ.get("CRITMIN_DATA", DATA))


def cache_dir() -> Path:
    """The user's cache folder for what the book remakes at will (parsed tables, the chart script bundle)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "critmin"
