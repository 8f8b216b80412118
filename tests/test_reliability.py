"""A careless or hurried user cannot hurt the book: reruns never write into the sources, a build is safe to
interrupt and to start twice, a broken data file is reported once before any page runs, and two builds of
the same sources give the same HTML bytes."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from critmin import paths
from critmin.book import guard
from critmin.book.cli import slug

NOTEBOOKS = [f.stem for f in sorted(paths.NOTEBOOKS.glob("*.ipynb"))]


def critmin(*args, timeout=600, cwd=None):
    return subprocess.run([sys.executable, "-m", "critmin.book.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def tree_state(folder: Path) -> dict:
    return {f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


# ---------------------------------------------------------------- reruns write only under runs/

@pytest.mark.parametrize("name", ["../notebooks/mineral_profile", "../../etc/passwd", "/etc/passwd",
                                  "notebooks/../../mineral_profile", "no_such_notebook"])
def test_a_notebook_outside_notebooks_is_refused_with_the_list(name, tmp_path):
    r = critmin("run", name, "-p", "mineral", "gallium", "--out", str(tmp_path), cwd=paths.ROOT)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: unknown notebook {name!r}; notebooks: "), r.stderr
    assert all(nb in lines[0] for nb in NOTEBOOKS)
    assert not any(tmp_path.iterdir())


def test_a_rerun_without_a_notebook_lists_them():
    r = critmin("run", cwd=paths.ROOT)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: name the notebook to rerun"), r.stderr
    assert all(nb in lines[0] for nb in NOTEBOOKS)


@pytest.mark.parametrize("where", ["notebooks", "book/pages", "data"])
def test_a_run_folder_inside_the_sources_is_refused(where):
    before = tree_state(paths.ROOT / where)
    r = critmin("run", NOTEBOOKS[0], "--out", str(paths.ROOT / where), cwd=paths.ROOT)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "holds the book's sources" in r.stderr
    assert tree_state(paths.ROOT / where) == before


@pytest.mark.slow
def test_a_rerun_named_by_absolute_path_writes_only_under_runs(scratch_repo):
    """`make run NB=$PWD/notebooks/mineral_profile` once rewrote the source notebook."""
    before = {d: tree_state(scratch_repo / d) for d in ("notebooks", "book", "data")}
    nb = scratch_repo / "notebooks" / "mineral_profile"
    r = critmin("run", str(nb), "-p", "mineral", "gallium", cwd=scratch_repo)
    assert r.returncode == 0, r.stderr[-2000:]
    assert {d: tree_state(scratch_repo / d) for d in ("notebooks", "book", "data")} == before
    written = sorted(f.relative_to(scratch_repo).as_posix() for f in (scratch_repo / "runs").rglob("*") if f.is_file())
    assert written == ["runs/mineral_profile-mineral-gallium/mineral_profile.html",
                       "runs/mineral_profile-mineral-gallium/mineral_profile.ipynb"]
    assert r.stderr == ""  # no kernel chatter (transport warnings) for the reader


def test_run_folder_names_cut_to_length_do_not_collide():
    long_a = {"minerals": "a" * 200 + "x"}
    long_b = {"minerals": "a" * 200 + "y"}
    assert len(slug(long_a)) <= 120 and len(slug(long_b)) <= 120
    assert slug(long_a) != slug(long_b)
    # characters replaced to make a folder name do not make two runs one either
    assert slug({"country": "Korea, South"}) != slug({"country": "Korea_South"})
    assert slug({"mineral": "gallium"}) == "mineral-gallium"  # plain names stay readable
    assert slug({}) == "defaults"


# ---------------------------------------------------------------- one build at a time, no stale scratch

def test_a_second_build_in_the_same_checkout_refuses_in_one_line(scratch_repo):
    with guard.build_lock(scratch_repo):
        r = critmin("build")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"error: another build is running in this checkout (process {os.getpid()}); "
        "wait for it to finish and run the command again"], r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_the_lock_is_released_when_the_build_ends(scratch_repo):
    with guard.build_lock(scratch_repo):
        pass
    with guard.build_lock(scratch_repo):  # would raise Busy if the first one had kept it
        pass


def test_scratch_folders_of_a_killed_build_are_removed_by_the_next(scratch_repo):
    old = scratch_repo / "pages-k1ll3d_x"  # where builds used to put it
    new = scratch_repo / guard.SCRATCH / "pages-abc123"
    for d in (old, new):
        d.mkdir(parents=True)
        (d / "mineral-copper.ipynb").write_text("{")
    keep = scratch_repo / "pages-of-my-own-notes"  # not a name the build makes
    keep.mkdir()
    (scratch_repo / "book" / "pages.yml").write_text(  # a build that stops early, after its clean-up
        (scratch_repo / "book" / "pages.yml").read_text().replace("page: pakistan,", "page: deal,", 1))
    r = critmin("build")
    assert r.returncode == 2 and "is used twice" in r.stderr, r.stderr
    assert not old.exists() and not new.exists()
    assert keep.exists()


# ---------------------------------------------------------------- the data package, once, before any page

def _duplicate_row(data: Path) -> str:
    with open(data / "production.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows.insert(10, rows[5])
    with open(data / "production.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return "production.csv, line 11, column 'mineral': duplicate primary key"


def _header_only(data: Path) -> str:
    text = (data / "minerals.csv").read_text(encoding="utf-8")
    (data / "minerals.csv").write_text(text.split("\n", 1)[0] + "\n", encoding="utf-8")
    return "minerals.csv: no data rows, only the header"


def _empty(data: Path) -> str:
    (data / "reserves.csv").write_bytes(b"")
    return "reserves.csv: the file is empty"


def _truncated_package(data: Path) -> str:
    text = (data / "datapackage.json").read_bytes()
    (data / "datapackage.json").write_bytes(text[: len(text) // 2])
    return "data/datapackage.json, line "


@pytest.mark.parametrize("breakage", [_duplicate_row, _header_only, _empty, _truncated_package],
                         ids=["duplicate-row", "header-only", "empty", "truncated-datapackage"])
def test_a_broken_data_file_is_reported_once_before_any_page_runs(scratch_repo, breakage):
    expected = breakage(scratch_repo / "data")
    pages_before = tree_state(scratch_repo / "book" / "pages")
    r = critmin("build", "--force")
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.count(expected) == 1, r.stderr
    assert r.stderr.startswith("error: the data package has 1 problem(s); no page was executed:\n"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 2, r.stderr
    assert " ran " not in r.stdout and "FAILED" not in r.stdout and "Traceback" not in r.stderr
    assert tree_state(scratch_repo / "book" / "pages") == pages_before


# ---------------------------------------------------------------- Ctrl-C

def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds kernel processes through /proc")
def test_ctrl_c_stops_the_build_kills_its_kernels_and_leaves_the_book(scratch_repo):
    pages_before = tree_state(scratch_repo / "book" / "pages")
    proc = subprocess.Popen([sys.executable, "-m", "critmin.book.cli", "build", "--force", "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    kernels: list[int] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and not kernels:
        kernels = [p for p in guard.descendants(proc.pid) if "ipykernel" in _cmdline(p)]
        time.sleep(0.2)
    assert kernels, "no kernel started"
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground process group
    t0 = time.monotonic()
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        for p in [proc.pid, *guard.descendants(proc.pid)]:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the build kept running 30 s after Ctrl-C")
    assert time.monotonic() - t0 < 10, "the build kept running after Ctrl-C"
    assert proc.returncode == 130
    assert len(err.strip().splitlines()) == 1 and err.startswith("interrupted: "), err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err
    time.sleep(0.5)
    assert not [k for k in kernels if guard._alive(k)], "kernels left running"
    assert tree_state(scratch_repo / "book" / "pages") == pages_before
    assert not list(scratch_repo.glob("pages-*")) and not list((scratch_repo / guard.SCRATCH).glob("pages-*"))
    assert not list((scratch_repo / "book" / "pages").glob(".*"))


# ---------------------------------------------------------------- the same sources, the same HTML

def _keep_linked_pages(book: Path) -> None:
    """Trim the scratch book's page list to the prose chapters and the pages they link to.

    NOTE: what this test compares, the HTML of a fresh and of a reused output folder, is written the same way for
    every page; a small book of the same sources shows a difference as well as the whole one, in a fifth of the
    time. The pages the prose links to stay, so that the book still compiles without warnings."""
    import re

    import yaml

    listed = yaml.safe_load((book / "pages.yml").read_text(encoding="utf-8"))
    prose = "".join((book / f"{c['file']}.md").read_text(encoding="utf-8") for part in listed["parts"]
                    for c in part["chapters"] if "file" in c) + (book / f"{listed['root']}.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\{doc\}`(?:[^`<]*<)?pages/([\w-]+)>?`", prose))
    for part in listed["parts"]:
        part["chapters"] = [c for c in part["chapters"] if "file" in c or c["page"] in linked]
    listed["parts"] = [part for part in listed["parts"] if part["chapters"]]
    assert sum(len(part["chapters"]) for part in listed["parts"]) >= 3, "too few pages left to compare"
    (book / "pages.yml").write_text(yaml.safe_dump(listed, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.slow
def test_two_builds_of_the_same_sources_give_identical_html(built_book, scratch_repo, tmp_path):
    """A fresh Sphinx output folder and a reused one once differed in a stylesheet link."""
    _keep_linked_pages(scratch_repo / "book")
    compile_html = [sys.executable, "-c", "from critmin.book import build; build.write_toc(); "
                    "build.write_static(); build.build_html(log=lambda *a: None)"]
    shutil.copytree(paths.BOOK / "_static", scratch_repo / "book" / "_static",
                    ignore=shutil.ignore_patterns("vega-bundle.js"))
    html = scratch_repo / "book" / "_build" / "html"
    subprocess.run(compile_html, check=True, timeout=1800)  # fresh: no .build-tmp yet
    first = tmp_path / "first"
    shutil.copytree(html, first)
    (html / ".inputs-sha256").unlink()  # force a second compile, reusing the scratch output of the first,
    later = time.time() + 5  # in which Sphinx rewrites every page (sources newer than its last read)
    for f in (scratch_repo / "book").rglob("*"):
        if f.suffix in (".md", ".ipynb") and "_build" not in f.parts:
            os.utime(f, (later, later))
    subprocess.run(compile_html, check=True, timeout=1800)
    assert tree_state(html) == tree_state(first)
    assert tree_state(html)  # not two empty folders
