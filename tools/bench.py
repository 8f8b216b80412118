"""Benchmark of the book's build: prints figures and asserts nothing (`make bench`).

In one run, in a scratch copy of the repository, with an empty cache folder: (a) full build from clean
(execute every page, then the HTML), (b) no-op rebuild, (c) rebuild after touching one data file, (d) a forced
rebuild with the table cache and page order left by (a), (e) the same pages executed by Jupyter Book itself
(`execute_notebooks: force`), (f) per page, from the executor's own timings in (a): the page's own cells and the
overhead around them, (g) page weight and the time for every chart on the heaviest page with charts to draw.
Each measure is taken once: the machine is shared, so a figure can be off when other work runs at the same time.
Writes the figures into README.md between the bench markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from critmin import paths

CLI = [sys.executable, "-m", "critmin.book.cli"]
JB = str(Path(sys.executable).with_name("jupyter-book"))
TOUCHED = "data/claims.csv"


def _copy_repo(dst: Path) -> Path:
    for name in ("book", "notebooks", "data"):
        shutil.copytree(paths.ROOT / name, dst / name, ignore=shutil.ignore_patterns("_build"))
    return dst


def _timed(cmd, env=None, cwd=None) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout


def _env(root: Path, cache: Path, timings: Path | None = None) -> dict:
    env = dict(os.environ)
    env["CRITMIN_ROOT"] = str(root)
    env["XDG_CACHE_HOME"] = str(cache)  # tables and page timings start empty
    if timings:
        env["CRITMIN_TIMINGS"] = str(timings)
    return env


def _per_page(timings: dict) -> list[dict]:
    rows = []
    for page, t in timings["pages"].items():
        cells = t["cells"]
        own = sum(cells)
        rows.append({"page": page, "own": own, "overhead": t["waited"] + t["wall"] - own,
                     "first_cell": cells[_first_code(page)] if cells else 0.0})
    return rows


_FIRST: dict[str, int] = {}


def _first_code(page: str) -> int:
    """Index among the code cells of a page's first cell after its parameters (imports and data loading)."""
    return _FIRST.get(page, 0)


def _learn_first_cells(root: Path) -> None:
    for f in (root / "book" / "pages").glob("*.ipynb"):
        code = [c for c in nbformat.read(f, as_version=4).cells if c.cell_type == "code"]
        tags = [c.metadata.get("tags", []) for c in code]
        _FIRST[f.stem] = next((i for i, t in enumerate(tags) if "parameters" not in t
                               and "injected-parameters" not in t), 0)


def our_builds(tmp: Path) -> dict:
    root = _copy_repo(tmp / "repo")
    for f in (root / "book" / "pages").glob("*"):
        f.unlink()
    cache = tmp / "cache"
    timings = tmp / "timings.json"
    env = _env(root, cache, timings)
    print("  (a) full build from clean …", flush=True)
    full, _ = _timed(CLI + ["build"], env=env)
    exec_timings = json.loads(timings.read_text())
    _learn_first_cells(root)
    print("  (b) no-op rebuild …", flush=True)
    noop, _ = _timed(CLI + ["build"], env=env)
    target = root / TOUCHED
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    print(f"  (c) rebuild after touching {TOUCHED} …", flush=True)
    touched, out = _timed(CLI + ["build"], env=env)
    reran = sorted(re.findall(r"^\s+ran (\S+)", out, flags=re.M))
    print("  (d) forced rebuild, warm cache …", flush=True)
    warm, _ = _timed(CLI + ["build", "--force"], env=env)
    weight = page_weight_and_draw(root / "book" / "_build" / "html")
    return {"full": full, "noop": noop, "touched": touched, "touched_pages": reran, "warm_force": warm,
            "execute": exec_timings, "per_page": _per_page(exec_timings), "weight": weight}


def _jb_copy(root: Path) -> Path:
    """A book whose pages are the parameterised notebooks without outputs, for Jupyter Book to execute."""
    book = root / "book"
    for nb_path in (book / "pages").glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, nb_path)
    cfg = yaml.safe_load((book / "_config.yml").read_text())
    cfg["execute"] = {"execute_notebooks": "force", "timeout": 600}
    (book / "_config.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return book


def jupyter_book_force(tmp: Path) -> float:
    root = _copy_repo(tmp / "jb")
    book = _jb_copy(root)
    print("  (e) Jupyter Book execute_notebooks: force …", flush=True)
    t, _ = _timed([JB, "build", str(book), "-q"], env=_env(root, tmp / "jb-cache"))
    return t


def page_weight_and_draw(html_root: Path) -> dict:
    import gzip

    pages = sorted(p for p in (html_root / "pages").glob("*.html"))
    weights = {p.stem: p.stat().st_size for p in pages}
    gzipped = {p.stem: len(gzip.compress(p.read_bytes())) for p in pages}
    shared = sum(f.stat().st_size for f in (html_root / "_static").rglob("*") if f.is_file()
                 and f.suffix in (".js", ".css"))
    heaviest = max(weights, key=weights.get)
    charts = {p.stem: p.read_text(encoding="utf-8").count('class="critmin-chart"') for p in pages}
    with_charts = [k for k, v in charts.items() if v]
    chart_page = max(with_charts, key=weights.get) if with_charts else heaviest
    draw, n = None, None
    chromium = shutil.which("chromium")
    if chromium:
        import functools
        import http.server
        import threading

        from playwright.sync_api import sync_playwright

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=str(html_root))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"])
            page = b.new_page()
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/pages/{chart_page}.html",
                      wait_until="domcontentloaded")
            n = page.locator(".critmin-chart > div[id^='chart-']").count()
            page.wait_for_function(
                "n => document.querySelectorAll(\".critmin-chart > div[id^='chart-'] svg\").length >= n",
                arg=n, timeout=30000)
            draw = page.evaluate("performance.now()") / 1000
            b.close()
        httpd.shutdown()
    return {"weights": weights, "gzipped": gzipped, "shared_scripts": shared, "heaviest": heaviest,
            "chart_page": chart_page, "charts_on_chart_page": n, "draw_all_charts_s": draw}


def report(res: dict) -> str:
    o, w = res["ours"], res["ours"]["weight"]
    rows = o["per_page"]
    med = statistics.median
    over = med(r["overhead"] for r in rows)
    own = med(r["own"] for r in rows)
    first = med(r["first_cell"] for r in rows)
    over_with_first = med(r["overhead"] + r["first_cell"] for r in rows)
    ex = o["execute"]
    slowest = sorted(rows, key=lambda r: -r["own"])[:4]
    ratio = res["jb_force"] / o["full"]
    lines = [
        f"Measured by `make bench` on {res['machine']}: one run of each measure, {len(rows)} pages, load average "
        f"{res['load_before']:.1f} before and {res['load_after']:.1f} after. The machine is shared: other work "
        "running at the same time slows a measure, so figures vary from run to run.",
        "",
        "| measure | seconds |",
        "|---|---:|",
        f"| (a) full build from clean, empty cache (execute {len(rows)} pages + HTML) | {o['full']:.1f} |",
        f"| (e) Jupyter Book `execute_notebooks: force`, same pages | {res['jb_force']:.1f} |",
        f"| Jupyter Book force ÷ our full build | **{ratio:.2f}×** |",
        f"| (b) no-op rebuild | {o['noop']:.1f} |",
        f"| (c) rebuild after touching `{TOUCHED}` ({len(o['touched_pages'])} page(s) re-executed) | "
        f"{o['touched']:.1f} |",
        f"| (d) forced rebuild, table cache and page order from (a) | {o['warm_force']:.1f} |",
        *([f"| (h) `make test` (linter and every test, environment installed, 3 test processes) | {res['make_test']:.1f} |"]
          if "make_test" in res else []),
        "",
        f"(f) Executing in (a): {ex['execute_s']:.1f} s with {ex['jobs']} workers (kernels: {ex['mode']}). "
        f"Per page, medians: the page's own cells {own:.2f} s; overhead (all but the page's own cells: waiting "
        f"for a kernel, papermill, cleaning and writing the page) {over:.2f} s. Counting the first code cell "
        f"(package imports, table loading, the page's first computations; {first:.2f} s) as overhead too: "
        f"{over_with_first:.2f} s. Slowest pages by their own cells: "
        + ", ".join(f"`{r['page']}` {r['own']:.1f} s" for r in slowest) + ".",
        "",
        f"(g) Page weight (HTML of a page, without the shared scripts): median "
        f"{med(w['weights'].values()) / 1024:.0f} KB, heaviest `{w['heaviest']}` "
        f"{w['weights'][w['heaviest']] / 1024:.0f} KB ({w['gzipped'][w['heaviest']] / 1024:.0f} KB gzipped); "
        f"{sum(v > 150 * 1024 for v in w['weights'].values())} of {len(w['weights'])} pages above 150 KB; "
        f"shared scripts and styles, loaded once: {w['shared_scripts'] / 1024:.0f} KB. "
        + (f"All {w['charts_on_chart_page']} charts on the heaviest page with charts (`{w['chart_page']}`) drawn "
           f"{w['draw_all_charts_s']:.2f} s after navigation (headless Chromium)."
           if w["draw_all_charts_s"] is not None else "Chromium not installed: chart drawing time not measured."),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/bench.py")
    ap.add_argument("--no-readme", action="store_true", help="print only; leave README.md alone")
    ap.add_argument("--no-test", action="store_true", help="skip timing `make test`")
    args = ap.parse_args(argv)
    res = {"machine": f"{os.cpu_count()} cores", "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        print("timing our builds …", flush=True)
        res["ours"] = our_builds(Path(tmp))
        print("timing Jupyter Book's own execution …", flush=True)
        res["jb_force"] = jupyter_book_force(Path(tmp))
    if not args.no_test:
        print("timing make test …", flush=True)
        res["make_test"], _ = _timed(["make", "test"], cwd=paths.ROOT)
    res["load_after"] = os.getloadavg()[0]
    text = report(res)
    print(text)
    (paths.ROOT / "test-output").mkdir(exist_ok=True)
    (paths.ROOT / "test-output" / "bench.json").write_text(json.dumps(res, indent=2))
    if not args.no_readme:
        readme = paths.ROOT / "README.md"
        old = readme.read_text(encoding="utf-8")
        new = re.sub(r"(<!-- bench:start -->\n).*?(\n<!-- bench:end -->)", lambda m: m.group(1) + text + m.group(2),
                     old, flags=re.S)
        readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
