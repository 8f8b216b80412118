"""Building the book: execute each page's notebook with its parameters, then compile the HTML atomically.

A page re-executes only when its inputs changed: the source notebook, its parameters, the package's code,
or a data file it read last time (content hashes kept in book/pages/<page>.deps.json).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from critmin import paths
from critmin.book import guard
from critmin.params import ParameterError

PAGES_FILE = "pages.yml"
KERNEL = "python3"
# Arguments for every kernel the book starts: its own log (transport warnings, "KeyboardInterrupt caught in
# kernel") is not for readers; errors in a page reach the build through the notebook's outputs.
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


class BuildError(RuntimeError):
    """The build stopped; the message says which page and why. Published pages are left as they were."""


@dataclass(frozen=True)
class Page:
    page: str
    notebook: str
    title: str
    params: dict = field(default_factory=dict)

    @property
    def source(self) -> Path:
        return paths.NOTEBOOKS / f"{self.notebook}.ipynb"

    @property
    def output(self) -> Path:
        return paths.PAGES / f"{self.page}.ipynb"

    @property
    def deps_file(self) -> Path:
        return paths.PAGES / f"{self.page}.deps.json"


# ---------------------------------------------------------------- page list

def read_page_list(book: Path | None = None) -> dict:
    return yaml.safe_load(((book or paths.BOOK) / PAGES_FILE).read_text(encoding="utf-8"))


def pages(book: Path | None = None) -> list[Page]:
    """Every notebook page of the book, in reading order."""
    out = []
    for part in read_page_list(book)["parts"]:
        for entry in part["chapters"]:
            if "page" in entry:
                out.append(Page(entry["page"], entry["notebook"], entry["title"], dict(entry.get("params") or {})))
    return out


def declared_parameters(notebook: Path) -> dict:
    st = Path(notebook).stat()  # one inspection per notebook, not per page (27 pages share one notebook)
    return copy.deepcopy(_declared(str(notebook), st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=64)
def _declared(notebook: str, mtime_ns: int, size: int) -> dict:
    import papermill

    return papermill.inspect_notebook(notebook)


_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "bool": (bool,), "list": (list, tuple),
          "dict": (dict,), "None": (type(None),)}


def check_parameters(notebook: Path, params: dict) -> None:
    """Refuse unknown parameter names and values of the wrong type, naming what is allowed."""
    declared = declared_parameters(notebook)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ParameterError(
            f"{notebook.stem}: unknown parameter(s) {', '.join(unknown)}; accepted: {', '.join(declared)}")
    for name, value in params.items():
        kind = declared[name].get("inferred_type_name") or "None"
        if kind == "None":  # no annotation: judge by the default's literal
            try:
                kind = type(ast.literal_eval(declared[name]["default"])).__name__
            except (ValueError, SyntaxError):
                continue
        ok = _TYPES.get(kind.split("[")[0])
        if ok and not (isinstance(value, ok) and not (kind != "bool" and isinstance(value, bool))):
            raise ParameterError(
                f"{notebook.stem}: parameter {name} expects {kind} (default {declared[name]['default']}); "
                f"got {type(value).__name__} {value!r}")


def validate_page_list(book: Path | None = None) -> list[Page]:
    ps = pages(book)
    seen: set[str] = set()
    for p in ps:
        if p.page in seen:
            raise BuildError(f"{PAGES_FILE}: page id {p.page!r} is used twice")
        seen.add(p.page)
        if not p.source.exists():
            known = ", ".join(sorted(f.stem for f in paths.NOTEBOOKS.glob("*.ipynb")))
            raise BuildError(f"{PAGES_FILE}: page {p.page!r} names notebook {p.notebook!r}, which does not exist; "
                             f"notebooks: {known}")
        try:
            check_parameters(p.source, p.params)
        except ParameterError as e:
            raise BuildError(f"{PAGES_FILE}: page {p.page!r}: {e}") from None
    return ps


# ---------------------------------------------------------------- hashes

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_hash() -> str:
    """One hash over the package's code (curation code excluded: pages never run it)."""
    h = hashlib.sha256()
    src = Path(__file__).resolve().parents[1]
    for f in sorted(src.rglob("*.py")):
        rel = f.relative_to(src).as_posix()
        if rel.startswith(("curate/", "book/")):
            continue
        h.update(rel.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


# The package's own checkout (equal to paths.ROOT except when CRITMIN_ROOT points at a copy of the book).
CODE_ROOT = Path(__file__).resolve().parents[3]


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    for base in (paths.ROOT.resolve(), CODE_ROOT):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    raise BuildError(f"a page read {path}, which is outside the repository")


def _root_of(rel: str) -> Path:
    return (CODE_ROOT if rel.startswith("src/") else paths.ROOT) / rel


def inputs_of(page: Page, reads: list[str]) -> dict:
    """What a page's results depend on: its notebook, parameters, and the code and data files it read.

    `reads` are repository-relative paths logged while the page ran (data files by the loaders, package
    modules by the sources footer). Without a module list the whole package counts.
    """
    code = sorted(r for r in reads if r.startswith("src/"))
    data = sorted(r for r in reads if not r.startswith("src/"))
    deps = {
        "notebook": f"notebooks/{page.notebook}.ipynb",
        "notebook_sha256": _sha(page.source),
        "params": page.params,
        "title": page.title,
        "data_sha256": {f: _sha(paths.ROOT / f) for f in data},
    }
    if code:
        deps["code_sha256"] = {f: _sha(_root_of(f)) for f in code}
    else:
        deps["package_sha256"] = package_hash()
    return deps


def stale_reason(page: Page) -> str | None:
    """Why a page must re-execute, or None when its committed copy is current."""
    if not page.output.exists() or not page.deps_file.exists():
        return "never executed"
    old = json.loads(page.deps_file.read_text(encoding="utf-8"))
    if old.get("notebook_sha256") != _sha(page.source):
        return "notebook changed"
    if old.get("params") != page.params:
        return "parameters changed"
    if old.get("title") != page.title:
        return "title changed"
    if "package_sha256" in old and old["package_sha256"] != package_hash():
        return "package code changed"
    for kind, files in (("code", old.get("code_sha256", {})), ("data", old.get("data_sha256", {}))):
        for f, digest in files.items():
            p = _root_of(f)
            if not p.exists() or _sha(p) != digest:
                return f"{kind} changed: {f}"
    return None


# ---------------------------------------------------------------- executing

def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip run metadata (timings, versions, random ids) so re-running gives byte-identical files."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.from_dict({
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": KERNEL},
        "language_info": {"name": "python"},
    })
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
        if "injected-parameters" in tags:
            cell.id = "injected-parameters"
            if "remove-cell" not in tags:
                cell.metadata["tags"] = tags + ["remove-cell"]
        if cell.cell_type == "code":
            for out in cell.outputs:
                out.get("metadata", {}).pop("papermill", None)
    return nb


def retitle(nb: nbformat.NotebookNode, title: str) -> nbformat.NotebookNode:
    """Give the page its own heading: one notebook run with several parameter sets makes several pages,
    and each takes its title (the first `# ` line of the first cell) from pages.yml."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        if lines and lines[0].startswith("# "):
            lines[0] = f"# {title}"
            cell.source = "\n".join(lines)
        break
    return nb


def execute_pages(todo: list[Page], jobs: int | None = None, log=print) -> None:
    """Execute pages in parallel (a fresh warm kernel each, see execute.py); publish them only if every one
    succeeded."""
    if not todo:
        return
    jobs = jobs or os.cpu_count() or 1
    paths.PAGES.mkdir(parents=True, exist_ok=True)
    with guard.scratch_dir("pages-") as work:
        from critmin.book import execute

        results = {name: (r.error, r.reads) for name, r in execute.run_pages(todo, Path(work), jobs, log).items()}
        failed = [(p.page, results[p.page][0]) for p in todo if results[p.page][0]]
        if failed:
            lines = "\n".join(f"{page}: {err}" for page, err in failed)
            raise BuildError(f"{len(failed)} page(s) failed; published pages left unchanged:\n{lines}")
        publish(todo, Path(work), {p.page: results[p.page][1] for p in todo})


def publish(todo: list[Page], work: Path, reads: dict[str, list[str]]) -> None:
    """Copy executed pages from the scratch folder into book/pages/ with their dependency records.

    Each file is replaced whole, and an interrupt waits until every page is in place, so the published pages
    are never a mix of half-written files. A page's notebook goes in before its record: a build killed
    in between leaves an old record, which makes the page re-execute."""
    with guard.deferred_interrupts():
        for p in todo:
            guard.write_atomic(p.output, (Path(work) / f"{p.page}.ipynb").read_bytes())
            deps = inputs_of(p, reads[p.page])
            guard.write_atomic(p.deps_file, json.dumps(deps, indent=2, sort_keys=True) + "\n")


# ---------------------------------------------------------------- table of contents and static files

def write_toc(book: Path | None = None) -> Path:
    """book/_toc.yml from book/pages.yml (the single list of pages)."""
    book = book or paths.BOOK
    spec = read_page_list(book)
    toc = {"format": "jb-book", "root": spec["root"], "parts": []}
    for part in spec["parts"]:
        chapters = []
        for entry in part["chapters"]:
            if "page" in entry:
                chapters.append({"file": f"pages/{entry['page']}", "title": entry["title"]})
            else:
                chapters.append({k: entry[k] for k in ("file", "title") if k in entry})
        toc["parts"].append({"caption": part["caption"], "chapters": chapters})
    target = book / "_toc.yml"
    text = "# Generated from pages.yml by `critmin build`; edit pages.yml instead.\n" + yaml.safe_dump(
        toc, sort_keys=False, allow_unicode=True)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script, from vl-convert-python, for the book and for rerun pages.

    Making it takes seconds, so it is kept in the user's cache folder, one file per version of vl-convert."""
    from importlib.metadata import version

    cached = paths.cache_dir() / f"vega-bundle-vl-convert-{version('vl-convert-python')}.js"
    with contextlib.suppress(OSError):
        return cached.read_text(encoding="utf-8")
    import vl_convert

    # Wrapped in a function: the bundle's minified top-level names would otherwise clash with Sphinx's `_`.
    text = "/* vega, vega-lite and vega-embed, from vl-convert-python */\n(function(){\n" + \
        vl_convert.javascript_bundle() + "\n})();\n"
    with contextlib.suppress(OSError):  # no cache folder: made again next time
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(cached)  # whole or not at all, whichever process writes it
    return text


def write_static(book: Path | None = None) -> None:
    """Vega/Vega-Lite/Vega-Embed and MathJax, served from the book itself so no page calls another host."""
    import mathjax

    static = (book or paths.BOOK) / "_static"
    static.mkdir(exist_ok=True)
    bundle, text = static / "vega-bundle.js", vega_bundle()
    if not bundle.exists() or bundle.read_text(encoding="utf-8") != text:
        bundle.write_text(text, encoding="utf-8")
    # MathJax 3 (CommonHTML output): the loader, its web fonts, and the parts it loads on demand.
    mj_src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    mj_dst = static.with_name("_assets") / "mathjax"
    if not (mj_dst / "tex-chtml.js").exists():
        shutil.rmtree(mj_dst, ignore_errors=True)
        mj_dst.mkdir(parents=True)
        shutil.copy2(mj_src / "tex-chtml.js", mj_dst / "tex-chtml.js")
        for part in ("output/chtml/fonts", "input/tex/extensions", "a11y", "ui"):
            shutil.copytree(mj_src / part, mj_dst / part)


# ---------------------------------------------------------------- HTML

def _book_inputs_hash(book: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(book.rglob("*")):
        rel = f.relative_to(book).as_posix()
        if f.is_dir() or rel.startswith("_build/") or "/.ipynb_checkpoints/" in rel:
            continue
        h.update(rel.encode() + b"\0" + f.read_bytes())
    for f in sorted(paths.DATA.glob("*")):  # the data chapter links the CSVs
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    h.update(package_hash().encode())
    h.update(Path(__file__).read_bytes())  # this module post-processes the HTML
    return h.hexdigest()


_ASSET = re.compile(r'((?:href|src)=")([^"?#:]+\.(?:css|js))(\?v=[0-9a-f]{8})?(")')


_REFRESH = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)" />')


def complete_redirect(html_dir: Path, book: Path | None = None) -> None:
    """Make the site's front door (Jupyter Book's one-line redirect to the root page) a whole page: language,
    title and the book's icon (without one, a browser asks for /favicon.ico, which does not exist), and a link
    for a reader whose browser does not follow the redirect."""
    index = html_dir / "index.html"
    m = _REFRESH.fullmatch(index.read_text(encoding="utf-8").strip()) if index.exists() else None
    if not m:
        return
    import yaml

    config = yaml.safe_load(((book or paths.BOOK) / "_config.yml").read_text(encoding="utf-8"))
    title, icon = html.escape(config["title"]), config.get("html", {}).get("favicon")
    target = html.escape(m.group(1))
    index.write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Refresh" content="0; url={target}"><title>{title}</title>'
        + (f'<link rel="icon" href="{html.escape(icon)}">' if icon else "")
        + f'</head><body><p><a href="{target}">{title}</a></p></body></html>\n', encoding="utf-8")


def normalise_asset_links(html_dir: Path) -> None:
    """Give every link to a local stylesheet or script Sphinx's `?v=<checksum>` suffix.

    Sphinx adds the suffix only for files already in the output folder when it writes a page, so a fresh
    output folder and a reused one would give different bytes; with the suffix always present, two builds
    of the same sources are identical however they were started (and browsers still reload changed files)."""
    sums: dict[Path, str | None] = {}

    def checksum(path: Path) -> str | None:
        if path not in sums:
            try:
                content = path.read_bytes().translate(None, b"\r")
            except OSError:
                content = b""
            sums[path] = f"{zlib.crc32(content):08x}" if content else None
        return sums[path]

    root = html_dir.resolve()
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")

        def fix(m: re.Match, page: Path = page) -> str:
            target = (page.parent / m.group(2)).resolve()
            digest = checksum(target) if target.is_relative_to(root) else None
            return m.group(0) if digest is None else f"{m.group(1)}{m.group(2)}?v={digest}{m.group(4)}"

        new = _ASSET.sub(fix, text)
        if new != text:
            page.write_text(new, encoding="utf-8")


def html_is_current(book: Path | None = None, digest: str | None = None) -> bool:
    """Whether the HTML was compiled, to the end, from the book's present sources."""
    stamp = (book or paths.BOOK) / "_build" / "html" / ".inputs-sha256"
    return stamp.exists() and stamp.read_text() == (digest or _book_inputs_hash(book or paths.BOOK))


def doctrees(root: Path | None = None) -> Path:
    """Where the HTML build keeps Sphinx's parsed documents (in the checkout's scratch folder)."""
    return guard.scratch_root(root) / "_build" / ".doctrees"


def build_html(book: Path | None = None, log=print) -> Path:
    """Compile with Jupyter Book (warnings are errors) into a scratch folder, then swap it in."""
    book = book or paths.BOOK
    html = book / "_build" / "html"
    digest = _book_inputs_hash(book)
    if html_is_current(book, digest):
        log("HTML is up to date")
        return html
    scratch = guard.scratch_root()
    # Sphinx keeps the output of documents that left the table of contents: start afresh when it changed,
    # and after a compile that did not finish (the stamp is removed while Jupyter Book runs).
    toc_digest = _sha(book / "_toc.yml")
    toc_stamp = scratch / ".toc-sha256"
    if not toc_stamp.exists() or toc_stamp.read_text() != toc_digest:
        shutil.rmtree(scratch / "_build", ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    toc_stamp.unlink(missing_ok=True)
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(book), "--path-output", str(scratch),
           "-W", "-n", "--keep-going", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    toc_stamp.write_text(toc_digest)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BuildError(f"Jupyter Book build failed (warnings are errors); previous HTML left intact:\n{tail}")
    new = scratch / "_build" / "html"
    staging = book / "_build" / "html.new"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(new, staging)
    normalise_asset_links(staging)
    complete_redirect(staging, book)
    (staging / ".inputs-sha256").write_text(digest)
    old = book / "_build" / "html.old"
    with guard.deferred_interrupts():  # never leave the book without its HTML folder
        shutil.rmtree(old, ignore_errors=True)
        if html.exists():
            html.rename(old)
        staging.rename(html)
    shutil.rmtree(old, ignore_errors=True)
    return html


def check_data() -> None:
    """Validate the whole data package once, before any page runs, so a bad file is reported once (naming
    file, line and column) instead of once per page that reads it."""
    from critmin.data import loader

    problems = loader.check_package(paths.data_dir())
    if problems:
        more = f"\n... {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BuildError(f"the data package has {len(problems)} problem(s); no page was executed:\n"
                         + "\n".join(problems[:20]) + more)


def build(force: bool = False, jobs: int | None = None, execute: bool = True, log=print) -> Path:
    """The whole book. With execute=False, stale pages are an error instead of being re-executed.

    One build at a time per checkout (a second one stops at once with BuildError); an interrupt (Ctrl-C,
    SIGTERM) kills the kernels and workers the build started and raises guard.Interrupted, leaving the published
    pages and HTML as they were."""
    try:
        with guard.build_lock():
            guard.clean_stale_scratch()
            with guard.interruptible():
                return _build(force=force, jobs=jobs, execute=execute, log=log)
    except guard.Busy as e:
        raise BuildError(str(e)) from None


def _build(force: bool, jobs: int | None, execute: bool, log) -> Path:
    t0 = time.perf_counter()
    all_pages = validate_page_list()
    todo = []
    for p in all_pages:
        reason = "forced" if force else stale_reason(p)
        if reason:
            todo.append(p)
            log(f"  execute {p.page} ({reason})")
    if todo and not execute:
        raise BuildError("pages out of date with their inputs: " + ", ".join(p.page for p in todo))
    log(f"{len(todo)} of {len(all_pages)} page(s) to execute")
    if todo:
        check_data()
    execute_pages(todo, jobs=jobs, log=log)
    orphans = sorted({f.stem.split(".")[0] for f in paths.PAGES.glob("*")} - {p.page for p in all_pages})
    with guard.deferred_interrupts():
        for o in orphans:  # pages removed from pages.yml
            for f in paths.PAGES.glob(f"{o}.*"):
                f.unlink()
        write_toc()
        write_static()
    html = build_html(log=log)
    log(f"book built in {time.perf_counter() - t0:.1f} s: {html / 'index.html'}")
    return html


# ---------------------------------------------------------------- consistency of committed pages

def check_pages() -> list[str]:
    """Problems with the committed executed pages: missing, or not matching their source notebook/parameters."""
    problems = []
    for p in validate_page_list():
        if not p.output.exists():
            problems.append(f"{p.page}: no executed notebook; run `make book`")
            continue
        executed = nbformat.read(p.output, as_version=4)
        source = retitle(nbformat.read(p.source, as_version=4), p.title)
        ran = [(c.cell_type, c.source) for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        src = [(c.cell_type, c.source) for c in source.cells]
        if ran != src:
            problems.append(f"{p.page}: executed copy does not match notebooks/{p.notebook}.ipynb; run `make book`")
        injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
        if p.params and not injected:
            problems.append(f"{p.page}: parameters {p.params} were not injected; run `make book`")
        if p.deps_file.exists():
            deps = json.loads(p.deps_file.read_text(encoding="utf-8"))
            if deps.get("params") != p.params:
                problems.append(f"{p.page}: executed with parameters {deps.get('params')}, pages.yml says {p.params}")
        else:
            problems.append(f"{p.page}: no {p.deps_file.name}; run `make book`")
    return problems
