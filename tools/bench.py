"""Benchmark of the book's build: prints figures and asserts nothing (`make bench`).

(a) full build from clean, (b) no-op rebuild, (c) rebuild after touching one data file, (d) the same pages
executed by Jupyter Book itself (`execute_notebooks: force`, and `cache` with a warm cache), (e) per page:
kernel start, imports, compute, (f) page weight and the time for every chart on the heaviest page to draw.
Runs in a scratch copy of the repository; medians of several runs. Writes the table into README.md.
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


def _env(root: Path) -> dict:
    env = dict(os.environ)
    env["CRITMIN_ROOT"] = str(root)
    return env


def our_builds(runs: int) -> dict:
    full, noop, touched, reran = [], [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            root = _copy_repo(Path(tmp))
            for f in (root / "book" / "pages").glob("*"):
                f.unlink()
            env = _env(root)
            t, _ = _timed(CLI + ["build"], env=env)
            full.append(t)
            t, _ = _timed(CLI + ["build"], env=env)
            noop.append(t)
            target = root / "data" / "claims.csv"
            target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            t, out = _timed(CLI + ["build"], env=env)
            touched.append(t)
            reran = sorted(re.findall(r"^\s+ran (\S+)", out, flags=re.M))
    return {"full": full, "noop": noop, "touched": touched, "touched_pages": reran, "touched_file": "data/claims.csv"}


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


def jupyter_book_builds(runs: int) -> dict:
    force, cache_warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-jb-") as tmp:
            root = _copy_repo(Path(tmp))
            book = _jb_copy(root)
            env = _env(root)
            t, _ = _timed([JB, "build", str(book), "-q"], env=env)
            force.append(t)
            cfg = yaml.safe_load((book / "_config.yml").read_text())
            cfg["execute"]["execute_notebooks"] = "cache"
            (book / "_config.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))
            shutil.rmtree(book / "_build", ignore_errors=True)
            _timed([JB, "build", str(book), "-q"], env=env)  # fills the cache
            shutil.rmtree(book / "_build" / "html", ignore_errors=True)
            shutil.rmtree(book / "_build" / ".doctrees", ignore_errors=True)
            t, _ = _timed([JB, "build", str(book), "-q"], env=env)
            cache_warm.append(t)
    return {"force": force, "cache_warm": cache_warm}


def per_page_phases() -> list[dict]:
    """Kernel start, imports (the first code cell after the parameters) and compute, from papermill's timings."""
    import papermill

    from critmin.book.build import pages

    rows = []
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)  # kernels' transport warnings
    try:
        return _phases(pages(), rows, papermill)
    finally:
        os.dup2(saved, 2)


def _phases(all_pages, rows, papermill) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        for p in all_pages:
            out = Path(tmp) / f"{p.page}.ipynb"
            t0 = time.perf_counter()
            papermill.execute_notebook(str(p.source), str(out), parameters=p.params, progress_bar=False,
                                       kernel_name="python3", cwd=str(paths.NOTEBOOKS))
            wall = time.perf_counter() - t0
            nb = nbformat.read(out, as_version=4)
            durations = [(c.metadata.get("tags", []), c.metadata.get("papermill", {}).get("duration") or 0.0)
                         for c in nb.cells if c.cell_type == "code"]
            code = [(tags, d) for tags, d in durations if "parameters" not in tags and "injected-parameters" not in tags]
            imports = code[0][1] if code else 0.0
            compute = sum(d for _, d in code[1:])
            rows.append({"page": p.page, "wall": wall, "kernel_and_overhead": wall - imports - compute,
                         "imports": imports, "compute": compute})
    return rows


def page_weight_and_draw(html_root: Path) -> dict:
    pages = sorted(p for p in (html_root / "pages").glob("*.html"))
    import gzip

    weights = {p.stem: p.stat().st_size for p in pages}
    gzipped = {p.stem: len(gzip.compress(p.read_bytes())) for p in pages}
    shared = sum(f.stat().st_size for f in (html_root / "_static").rglob("*") if f.is_file() and f.suffix in (".js", ".css"))
    heaviest = max(weights, key=weights.get)
    chart_bytes = {p.stem: sum(len(m) for m in re.findall(r"var spec=.*?;function draw", p.read_text(encoding="utf-8")))
                   for p in pages}
    # The drawing test opens the heaviest page that has charts.
    with_charts = [k for k, v in chart_bytes.items() if v]
    chart_page = max(with_charts, key=weights.get) if with_charts else heaviest
    draw = None
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
        times = []
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu",
                                   "--disable-background-networking", "--disable-component-update", "--no-first-run"])
            for _ in range(5):
                page = b.new_page()
                page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/pages/{chart_page}.html", wait_until="domcontentloaded")
                n = page.locator(".critmin-chart > div[id^='chart-']").count()
                page.wait_for_function("n => document.querySelectorAll(\".critmin-chart > div[id^='chart-'] svg\").length >= n",
                                       arg=n, timeout=30000)
                times.append(page.evaluate("performance.now()") / 1000)
                page.close()
            b.close()
        httpd.shutdown()
        draw = statistics.median(times)
    return {"weights": weights, "gzipped": gzipped, "shared_scripts": shared, "heaviest": heaviest,
            "chart_page": chart_page, "charts_on_chart_page": n if chromium else None, "draw_all_charts_s": draw}


def _md_table(res: dict) -> str:
    med = {k: statistics.median(v) for k, v in res["ours"].items() if isinstance(v, list) and v and isinstance(v[0], float)}
    jb = {k: statistics.median(v) for k, v in res["jb"].items()}
    w = res["weight"]
    phases = res["phases"]
    lines = [
        f"Measured by `make bench` on {res['machine']} ({res['runs']} runs each, medians; {len(phases)} pages).",
        "",
        "| measure | seconds | ratio |",
        "|---|---:|---:|",
        f"| (a) full build from clean (execute + HTML) | {med['full']:.1f} | 1.0 |",
        f"| (b) no-op rebuild | {med['noop']:.1f} | full ÷ no-op = {med['full'] / med['noop']:.0f}× |",
        f"| (c) rebuild after touching `{res['ours']['touched_file']}` ({len(res['ours']['touched_pages'])} page(s) re-executed: "
        f"{', '.join(res['ours']['touched_pages']) or 'none'}) | {med['touched']:.1f} | |",
        f"| (d) Jupyter Book `execute_notebooks: force`, same pages | {jb['force']:.1f} | ÷ ours = {jb['force'] / med['full']:.2f}× |",
        f"| (d) Jupyter Book `cache`, warm cache, nothing changed | {jb['cache_warm']:.1f} | ÷ our no-op = "
        f"{jb['cache_warm'] / med['noop']:.1f}× |",
        "",
        f"(e) Per page, median over pages: kernel start and overhead {statistics.median(r['kernel_and_overhead'] for r in phases):.2f} s, "
        f"imports and data loading (the first code cell) {statistics.median(r['imports'] for r in phases):.2f} s, "
        f"compute (the other cells) {statistics.median(r['compute'] for r in phases):.2f} s.",
        "",
        f"(f) Page weight (HTML of a page, without the shared scripts): median {statistics.median(w['weights'].values()) / 1024:.0f} KB, "
        f"heaviest `{w['heaviest']}` {w['weights'][w['heaviest']] / 1024:.0f} KB "
        f"({w['gzipped'][w['heaviest']] / 1024:.0f} KB gzipped); "
        f"{sum(v > 150 * 1024 for v in w['weights'].values())} of {len(w['weights'])} pages above 150 KB; shared scripts "
        f"and styles, loaded once: {w['shared_scripts'] / 1024:.0f} KB. "
        + (f"All {w['charts_on_chart_page']} charts on the heaviest page with charts (`{w['chart_page']}`) drawn "
           f"{w['draw_all_charts_s']:.2f} s after navigation (headless Chromium, median of 5)."
           if w["draw_all_charts_s"] is not None else "Chromium not installed: chart drawing time not measured."),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m critmin.bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-readme", action="store_true", help="print only; leave README.md alone")
    ap.add_argument("--parts", default="builds,jb,phases,weight",
                    help="what to measure again (default: everything); the rest is read from --reuse")
    ap.add_argument("--reuse", type=Path, default=None, help="an earlier test-output/bench.json to take other parts from")
    args = ap.parse_args(argv)
    parts = set(args.parts.split(","))
    res = json.loads(args.reuse.read_text()) if args.reuse else {}
    res.update({"runs": res.get("runs", args.runs) if "builds" not in parts else args.runs,
                "machine": f"{os.cpu_count()} cores"})
    if "builds" in parts:
        print("timing our builds …", flush=True)
        res["ours"] = our_builds(args.runs)
    if "jb" in parts:
        print("timing Jupyter Book's own execution …", flush=True)
        res["jb"] = jupyter_book_builds(args.runs)
    if "phases" in parts:
        print("timing each page's phases …", flush=True)
        res["phases"] = per_page_phases()
    if "weight" in parts:
        res["weight"] = page_weight_and_draw(paths.BOOK / "_build" / "html")
    table = _md_table(res)
    print(table)
    (paths.ROOT / "test-output").mkdir(exist_ok=True)
    (paths.ROOT / "test-output" / "bench.json").write_text(json.dumps(res, indent=2))
    if not args.no_readme:
        readme = paths.ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        new = re.sub(r"(<!-- bench:start -->\n).*?(\n<!-- bench:end -->)", lambda m: m.group(1) + table + m.group(2),
                     text, flags=re.S)
        readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
