"""Curation: the publishers' raw files (laid out as released) → the book's tidy tables in data/.

Run `python -m critmin.curate RAW_DIR` where RAW_DIR holds one folder per source (see data/README.md).
Each module exposes `curate(raw: Path, out: Path) -> list[Path]` and writes only its own tables.
"""
