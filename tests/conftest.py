"""Shared fixtures: the built book (from the committed pages, never re-executing them) and a scratch repo copy.

`make test` runs the tests in two processes (pytest-xdist, `--dist loadfile`: the cells of one notebook run in order
in one kernel, the tests of one file in one process). The book is built once: the first process to need it
builds under a lock, the other finds it up to date; the PDF, which compiles its own single page, waits only for the
table of contents and the scripts.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

import pytest

from critmin import paths

REPO = paths.ROOT


# The two longest files start first, one in each process, so that the processes finish at about the same time.
FIRST = ("test_browser.py", "test_pdf.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: Path(str(item.fspath)).name not in FIRST)


@contextlib.contextmanager
def _tests_lock(name: str):
    """A lock shared by the test processes of this checkout (one file per name)."""
    from critmin.book import guard

    folder = guard.scratch_root()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"tests-{name}.lock", "a+", encoding="utf-8") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def book_inputs() -> Path:
    """book/_toc.yml and the book's own scripts, written once by whichever test process comes first."""
    from critmin.book import build

    with _tests_lock("inputs"):
        build.write_toc()
        build.write_static()
    return paths.BOOK


@pytest.fixture(scope="session")
def built_book(book_inputs) -> Path:
    """Compile the HTML from the committed executed pages; fails if a page is out of date with its inputs."""
    from critmin.book import build

    with _tests_lock("html"):
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
