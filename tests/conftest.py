"""Shared fixtures: the built book (from the committed pages, never re-executing them) and a scratch repo copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from critmin import paths

REPO = paths.ROOT


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Compile the HTML from the committed executed pages; fails if a page is out of date with its inputs."""
    from critmin.book import build

    return build.build(execute=False, log=lambda *_: None)


@pytest.fixture
def scratch_repo(tmp_path, monkeypatch) -> Path:
    """A copy of the repository's book, notebooks and data, with CRITMIN_ROOT pointing at it."""
    root = tmp_path / "repo"
    for name in ("book", "notebooks", "data"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("_build", "_static"))
    monkeypatch.setenv("CRITMIN_ROOT", str(root))
    return root


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The publishers' raw files, for curation tests; set CRITMIN_RAW to run them."""
    raw = os.environ.get("CRITMIN_RAW")
    if not raw:
        pytest.skip("CRITMIN_RAW not set: curation from raw files not tested")
    return Path(raw)
