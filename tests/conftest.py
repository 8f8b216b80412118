"""Shared fixtures: the built book (from the committed pages, never re-executing them) and a scratch repo copy.

`make test` runs the tests in three processes (pytest-xdist, `--dist loadfile`: the cells of one notebook run in
order in one kernel, the tests of one file in one process; see pytest_xdist_make_scheduler). The book is built
once: the first process to need it builds under a lock, the others find it up to date; the PDF waits for it
too, and compiles its single page from the documents the HTML build has parsed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from critmin import paths
from critmin.data import claims as claims_data

REPO = paths.ROOT


# How the test processes share the work (pytest-xdist, `--dist loadfile`: a file's tests, or a notebook's cells, go
# to one process). The two longest files start first, one in each of two processes; the committed pages come next,
# as one unit, so that a single process starts a kernel server for nbval; the other files follow, those with most
# tests first. pytest-xdist would otherwise order the files by their number of tests alone, which starts the
# browser check and the PDF (three and six tests, each over a minute) last.
FIRST = ("test_browser.py", "test_pdf.py")
PAGES = "book/pages/"


def _unit(nodeid: str) -> str:
    """The unit of work a test belongs to: the committed pages as one, otherwise its file."""
    return PAGES if nodeid.startswith(PAGES) else nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items):
    size: dict[str, int] = {}
    for item in items:
        size[_unit(item.nodeid)] = size.get(_unit(item.nodeid), 0) + 1

    def order(item) -> tuple:
        unit = _unit(item.nodeid)
        name = Path(unit).name
        first = FIRST.index(name) if name in FIRST else len(FIRST) + (unit != PAGES)
        return first, -size[unit], unit

    items.sort(key=order)  # stable: the tests of a unit keep their order


def pytest_xdist_make_scheduler(config, log):
    """With `--dist loadfile`: whole units in the order above (see pytest_collection_modifyitems). Any other
    distribution is pytest-xdist's own."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    config.option.loadscopereorder = False  # keep the collection's order
    return Units(config, log)


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


@pytest.fixture(scope="session", autouse=True)
def table_cache(tmp_path_factory):
    """Tables read by the tests go through the loader's content-keyed cache (critmin.data.cache), in a folder of
    this run's own, shared by its test processes: each table is parsed and validated for real once per run, and
    read back from the cache after that. A file whose bytes differ (every broken copy the loader tests make) has
    another key, and the cache never holds a table that failed, so no check is skipped. Tests of the cache itself
    set their own folder."""
    from critmin.data import cache

    base = tmp_path_factory.getbasetemp()
    # With several processes (pytest-xdist) each has its own folder inside the run's: share the run's.
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "table-cache"
    before = os.environ.get(cache.ENV)
    os.environ[cache.ENV] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(cache.ENV, None)
    else:
        os.environ[cache.ENV] = before


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


# --- The claims tables, shared by the claims tests -------------------------------------------------------------
# `df` and `codebook` are the package's own; `small` and `dated` are five hand-made claims.

@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return claims_data.load_claims()


@pytest.fixture(scope="module")
def codebook() -> pd.DataFrame:
    return claims_data.load_codebook()


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame({
        "claim_id": ["a1", "a2", "b1", "c1", "c2"],
        "speaker": ["A", "A", "B", "C", "C"],
        "role": ["r"] * 5,
        "speaker_group": ["us_official", "us_official", "pakistani_opposition", "pakistani_analyst", "pakistani_analyst"],
        "themes": ["economic_benefit", "economic_benefit;partner_reliability", "sovereignty_provincial_rights",
                   "relations_with_china", "relations_with_china;economic_benefit"],
        "stance": ["favours_us", "favours_us", "sceptical", "balanced", "sceptical"],
    })


@pytest.fixture
def dated(small) -> pd.DataFrame:
    return small.assign(
        date=pd.to_datetime(["2025-10-01", "2025-10-01", "2025-10-06", "2025-10-01", "2025-11-01"]),
        date_precision=["month", "month", "day", "month", "month"],
        outlet=["O1", "O1", "O2", "O3", "O3"], source_url=[f"https://x.org/{i}" for i in range(5)],
        claim=[f"claim {i}" for i in range(5)], stance_reason=[None, None, "sovereignty", None, "pro_china"])
